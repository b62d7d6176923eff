/// \file
/// The FHOPS neighbourhood: the reference's five operators (swap, move, block_insertion,
/// cross_exchange, mobilisation_shake; heuristics.md §2) with their feasibility rules and the
/// sanitiser, plus run operators that move whole block sequences of a machine (run_fill,
/// run_extend, run_clear, run_swap, run_replace). Every move is a short list of cell changes,
/// sanitised locally: only the slots a move touches can change under the reference's sanitiser.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

/// A move: the cell changes it makes (after sanitising).
struct harvest_move {
  std::vector<cell_change> changes;
};

/// The operators, in registry order (the reference's five first).
enum class operator_id : std::size_t {
  swap,
  move,
  block_insertion,
  cross_exchange,
  mobilisation_shake,
  run_fill,
  run_extend,
  run_clear,
  run_swap,
  run_replace,
};

/// Number of operators.
inline constexpr std::size_t operator_count = 10;

/// Operator names in registry order.
inline constexpr std::array<std::string_view, operator_count> operator_names{
    "swap", "move", "block_insertion", "cross_exchange", "mobilisation_shake",
    "run_fill", "run_extend", "run_clear", "run_swap", "run_replace"};

/// The index of an operator name (case-sensitive, lower case), or -1.
inline int operator_index(std::string_view name) {
  for (std::size_t i = 0; i < operator_count; ++i)
    if (operator_names[i] == name) return static_cast<int>(i);
  return -1;
}

/// The neighbourhood over an incremental_evaluator state.
class harvest_neighbourhood {
public:
  /// `attempts` bounds the random tries of the operators that search for a feasible move.
  explicit harvest_neighbourhood(const problem& pb, int attempts = 48)
      : pb_(&pb), attempts_(attempts), over_(static_cast<std::size_t>(pb.num_machines) * pb.num_slots, no_override),
        seen_(static_cast<std::size_t>(pb.num_slots) * pb.num_landings, 0) {
    // Slots with day in [E_b, L_b] form a contiguous range in construction order (day-major).
    first_slot_of_day_.assign(pb.num_days + 2, pb.num_slots);
    for (int t = pb.num_slots - 1; t >= 0; --t) first_slot_of_day_[pb.slot_day[t]] = t;
    for (int d = pb.num_days; d >= 1; --d)
      first_slot_of_day_[d] = std::min(first_slot_of_day_[d], first_slot_of_day_[d + 1]);
    machines_for_block_.resize(pb.num_blocks);
    blocks_for_machine_.resize(pb.num_machines);
    for (int m = 0; m < pb.num_machines; ++m)
      for (int b = 0; b < pb.num_blocks; ++b)
        if (pb.rate[pb.mb(m, b)] > 0.0) {
          machines_for_block_[b].push_back(m);
          if (pb.role_allowed[pb.mb(m, b)]) blocks_for_machine_[m].push_back(b);
        }
  }

  std::size_t operator_count() const { return harvest::operator_count; }
  std::string_view operator_name(std::size_t op) const { return operator_names[op]; }

  /// Proposes a random move of operator `op`; false when the operator has no move.
  bool propose(std::size_t op, const incremental_evaluator& state, rng& r, harvest_move& mv) {
    const schedule& plan = state.plan();
    mv.changes.clear();
    switch (static_cast<operator_id>(op)) {
      case operator_id::swap: return swap(plan, r, mv);
      case operator_id::move: return move(plan, r, mv);
      case operator_id::block_insertion: return block_insertion(plan, r, mv, false);
      case operator_id::cross_exchange: return cross_exchange(plan, r, mv);
      case operator_id::mobilisation_shake: return block_insertion(plan, r, mv, true);
      case operator_id::run_fill: return run_fill(plan, r, mv);
      case operator_id::run_extend: return run_extend(plan, r, mv);
      case operator_id::run_clear: return run_clear(plan, r, mv);
      case operator_id::run_swap: return run_swap(plan, r, mv);
      case operator_id::run_replace: return run_replace(plan, r, mv);
    }
    return false;
  }

  /// Tabu attributes: making (m, t) leave block x makes "(m, t) back to x" tabu.
  void tabu_made(const incremental_evaluator&, const harvest_move& mv, std::vector<std::uint64_t>& keys) const {
    for (const auto& c : mv.changes) keys.push_back(key(c.machine, c.slot, c.before));
  }
  void tabu_used(const incremental_evaluator&, const harvest_move& mv, std::vector<std::uint64_t>& keys) const {
    for (const auto& c : mv.changes) keys.push_back(key(c.machine, c.slot, c.after));
  }

  /// The reference sanitiser applied locally: `raw` holds (m, t, after) writes to the sanitised
  /// plan `plan` (later writes win); on return it holds the resulting cell changes, no-ops removed.
  void sanitise(const schedule& plan, std::vector<cell_change>& raw) {
    const problem& pb = *pb_;
    const int S = pb.num_slots;
    // 1. merge writes, force locks, clear unavailable / blacked-out / forbidden-role cells.
    merged_.clear();
    for (const auto& w : raw) {
      const std::size_t c = pb.ms(w.machine, w.slot);
      std::int32_t after = w.after;
      if (pb.lock[c] >= 0) after = pb.lock[c];
      else if (after >= 0 && (!pb.available[c] || pb.blacked_out[c] || !pb.role_allowed[pb.mb(w.machine, after)])) after = idle;
      if (over_[c] == no_override) merged_.push_back({w.machine, w.slot, plan.cells[c], after});
      else
        for (auto& m : merged_)
          if (m.machine == w.machine && m.slot == w.slot) m.after = after;
      over_[c] = after;
    }
    // 2. landing capacity, first come in machine order (capacity 0 = unlimited). Only a slot and
    //    landing that received a new block can go over capacity; the rest of the plan is sanitised.
    const std::size_t placed = merged_.size();
    for (std::size_t i = 0; i < placed; ++i) {
      const cell_change x = merged_[i];
      if (x.after < 0 || x.after == x.before) continue;
      const int t = x.slot;
      const int l = pb.landing_of[x.after];
      const int cap = pb.landing_capacity[l];
      if (cap == 0) continue;
      const std::size_t pair = static_cast<std::size_t>(t) * pb.num_landings + l;
      if (seen_[pair]) continue;
      seen_[pair] = 1;
      seen_list_.push_back(pair);
      int usage = 0;
      for (int m = 0; m < pb.num_machines; ++m) {
        const std::size_t c = static_cast<std::size_t>(m) * S + t;
        const std::int32_t v = over_[c] != no_override ? over_[c] : plan.cells[c];
        if (v < 0 || pb.lock[c] >= 0 || pb.landing_of[v] != l) continue;
        if (++usage <= cap) continue;
        if (over_[c] == no_override) merged_.push_back({m, t, plan.cells[c], idle});
        else
          for (auto& y : merged_)
            if (y.machine == m && y.slot == t) y.after = idle;
        over_[c] = idle;
      }
    }
    for (const std::size_t pair : seen_list_) seen_[pair] = 0;
    seen_list_.clear();
    // 3. clean up.
    raw.clear();
    for (const auto& m : merged_) {
      over_[pb.ms(m.machine, m.slot)] = no_override;
      if (m.after != m.before) raw.push_back(m);
    }
  }

private:
  static constexpr std::int32_t no_override = INT32_MIN;

  static std::uint64_t key(int m, int t, std::int32_t b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(m)) << 40) ^
           (static_cast<std::uint64_t>(static_cast<std::uint32_t>(t)) << 20) ^ static_cast<std::uint32_t>(b + 1);
  }

  int slot_lo(int b) const { return first_slot_of_day_[pb_->earliest[b]]; }
  int slot_hi(int b) const { return first_slot_of_day_[pb_->latest[b] + 1]; }  // exclusive
  bool in_window(int b, int t) const { return pb_->slot_day[t] >= pb_->earliest[b] && pb_->slot_day[t] <= pb_->latest[b]; }
  bool lock_allows(int m, int t, int b) const {
    const std::int32_t lk = pb_->lock[pb_->ms(m, t)];
    return lk < 0 || lk == b;
  }

  // A random non-idle cell that is not locked (the reference's "non-locked assignments").
  bool random_assignment(const schedule& plan, rng& r, int& m, int& t) const {
    const std::size_t n = plan.cells.size();
    if (n == 0) return false;
    for (int i = 0; i < 4 * attempts_; ++i) {
      const std::size_t c = r.below(n);
      if (plan.cells[c] >= 0 && pb_->lock[c] < 0) {
        m = static_cast<int>(c / plan.num_slots);
        t = static_cast<int>(c % plan.num_slots);
        return true;
      }
    }
    return false;
  }

  bool finish(const schedule& plan, harvest_move& mv) {
    sanitise(plan, mv.changes);
    return true;
  }

  // swap: one slot, two machines exchange their cells (may be a no-op, as in the reference).
  bool swap(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    if (pb.num_machines < 2 || pb.num_slots < 1) return false;
    const int t = static_cast<int>(r.below(pb.num_slots));
    const int m1 = static_cast<int>(r.below(pb.num_machines));
    int m2 = static_cast<int>(r.below(pb.num_machines - 1));
    if (m2 >= m1) ++m2;
    mv.changes.push_back({m1, t, 0, plan.at(m2, t)});
    mv.changes.push_back({m2, t, 0, plan.at(m1, t)});
    return finish(plan, mv);
  }

  // move: one machine's src cell overwrites its dst cell, src becomes idle.
  bool move(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    if (pb.num_machines < 1 || pb.num_slots < 1) return false;
    const int m = static_cast<int>(r.below(pb.num_machines));
    if (pb.num_slots == 1) {
      mv.changes.push_back({m, 0, 0, idle});
      return finish(plan, mv);
    }
    const int src = static_cast<int>(r.below(pb.num_slots));
    int dst = static_cast<int>(r.below(pb.num_slots - 1));
    if (dst >= src) ++dst;
    mv.changes.push_back({m, dst, 0, plan.at(m, src)});
    mv.changes.push_back({m, src, 0, idle});
    return finish(plan, mv);
  }

  // block_insertion: an assignment moves to another machine-slot inside its window with a positive
  // rate and no conflicting lock; the result must differ and keep the block at the target.
  // mobilisation_shake: the same, to a target at least one day away, preferring the target whose
  // occupant is farthest from the block, then the largest day shift.
  bool block_insertion(const schedule& plan, rng& r, harvest_move& mv, bool shake) {
    const problem& pb = *pb_;
    for (int src_try = 0; src_try < (shake ? 4 : attempts_ / 4 + 1); ++src_try) {
      int m = 0, t = 0;
      if (!random_assignment(plan, r, m, t)) return false;
      const int b = plan.at(m, t);
      const auto& machines = machines_for_block_[b];
      const int lo = slot_lo(b), hi = slot_hi(b);
      if (machines.empty() || lo >= hi) continue;
      if (!shake) {
        for (int i = 0; i < attempts_; ++i) {
          const int mt = machines[r.below(machines.size())];
          const int tt = lo + static_cast<int>(r.below(hi - lo));
          if ((mt == m && tt == t) || !lock_allows(mt, tt, b)) continue;
          if (try_place(plan, mv, m, t, mt, tt, b)) return true;
        }
        continue;
      }
      // Shake: rank every target by (distance of its occupant, day shift), random tie order.
      targets_.clear();
      const int day = pb.slot_day[t];
      for (const int mt : machines)
        for (int tt = lo; tt < hi; ++tt) {
          const int dd = std::abs(pb.slot_day[tt] - day);
          if (dd < 1 || !lock_allows(mt, tt, b)) continue;
          const int occ = plan.at(mt, tt);
          const double dist = occ >= 0 && occ != b ? pb.distance[static_cast<std::size_t>(b) * pb.num_blocks + occ] : 0.0;
          targets_.push_back({dist, dd, r(), mt, tt});
        }
      std::sort(targets_.begin(), targets_.end(), [](const target& a, const target& c) {
        if (a.distance != c.distance) return a.distance > c.distance;
        if (a.day_delta != c.day_delta) return a.day_delta > c.day_delta;
        return a.tie < c.tie;
      });
      for (std::size_t i = 0; i < targets_.size() && i < static_cast<std::size_t>(attempts_); ++i)
        if (try_place(plan, mv, m, t, targets_[i].machine, targets_[i].slot, b)) return true;
    }
    return false;
  }

  bool try_place(const schedule& plan, harvest_move& mv, int m, int t, int mt, int tt, int b) {
    mv.changes.clear();
    mv.changes.push_back({m, t, 0, idle});
    mv.changes.push_back({mt, tt, 0, b});
    sanitise(plan, mv.changes);
    if (mv.changes.empty()) return false;
    for (const auto& c : mv.changes)
      if (c.machine == mt && c.slot == tt) return c.after == b;
    return plan.at(mt, tt) == b;  // target already held b (unchanged cell)
  }

  // cross_exchange: two assignments on different machines trade blocks (rates and windows must fit).
  bool cross_exchange(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    for (int i = 0; i < attempts_; ++i) {
      int ma = 0, sa = 0, mb = 0, sb = 0;
      if (!random_assignment(plan, r, ma, sa) || !random_assignment(plan, r, mb, sb)) return false;
      if (ma == mb) continue;
      const int ba = plan.at(ma, sa), bb = plan.at(mb, sb);
      if (!(pb.rate[pb.mb(ma, bb)] > 0.0) || !(pb.rate[pb.mb(mb, ba)] > 0.0)) continue;
      if (!in_window(bb, sa) || !in_window(ba, sb)) continue;
      mv.changes.clear();
      mv.changes.push_back({ma, sa, 0, bb});
      mv.changes.push_back({mb, sb, 0, ba});
      sanitise(plan, mv.changes);
      if (mv.changes.empty()) continue;
      bool ok = true;
      for (const auto& c : mv.changes) {
        if (c.machine == ma && c.slot == sa) ok &= c.after == bb;
        if (c.machine == mb && c.slot == sb) ok &= c.after == ba;
      }
      if (ok) return true;
    }
    return false;
  }

  // run_fill: a machine works one compatible block over a random stretch of the block's window.
  bool run_fill(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    for (int i = 0; i < attempts_; ++i) {
      const int m = static_cast<int>(r.below(pb.num_machines));
      const auto& blocks = blocks_for_machine_[m];
      if (blocks.empty()) continue;
      const int b = blocks[r.below(blocks.size())];
      const int lo = slot_lo(b), hi = slot_hi(b);
      if (lo >= hi) continue;
      const int t1 = lo + static_cast<int>(r.below(hi - lo));
      const int len = 1 + static_cast<int>(r.below(hi - t1));
      mv.changes.clear();
      for (int t = t1; t < t1 + len; ++t) mv.changes.push_back({m, t, 0, b});
      sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }

  // The maximal run of equal cells around (m, t).
  std::pair<int, int> run_around(const schedule& plan, int m, int t) const {
    const int b = plan.at(m, t);
    int a = t, z = t + 1;
    while (a > 0 && plan.at(m, a - 1) == b) --a;
    while (z < plan.num_slots && plan.at(m, z) == b) ++z;
    return {a, z};
  }

  // run_extend: a run grows forwards or backwards by a random length (within the block's window).
  bool run_extend(const schedule& plan, rng& r, harvest_move& mv) {
    for (int i = 0; i < attempts_; ++i) {
      int m = 0, t = 0;
      if (!random_assignment(plan, r, m, t)) return false;
      const int b = plan.at(m, t);
      const auto [a, z] = run_around(plan, m, t);
      const int lo = slot_lo(b), hi = slot_hi(b);
      mv.changes.clear();
      if (r.chance(0.5)) {
        if (z >= hi) continue;
        const int len = 1 + static_cast<int>(r.below(hi - z));
        for (int u = z; u < z + len; ++u) mv.changes.push_back({m, u, 0, b});
      } else {
        if (a <= lo) continue;
        const int len = 1 + static_cast<int>(r.below(a - lo));
        for (int u = a - len; u < a; ++u) mv.changes.push_back({m, u, 0, b});
      }
      sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }

  // run_clear: a run (whole, or its part before or after a random cut) becomes idle.
  bool run_clear(const schedule& plan, rng& r, harvest_move& mv) {
    for (int i = 0; i < attempts_; ++i) {
      int m = 0, t = 0;
      if (!random_assignment(plan, r, m, t)) return false;
      auto [a, z] = run_around(plan, m, t);
      const double u = r.uniform01();
      if (u < 0.3) z = t + 1;        // the head up to t
      else if (u < 0.6) a = t;       // the tail from t
      mv.changes.clear();
      for (int s = a; s < z; ++s) mv.changes.push_back({m, s, 0, idle});
      sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }

  // run_swap: two machines exchange their cells over a random stretch of slots.
  bool run_swap(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    if (pb.num_machines < 2) return false;
    for (int i = 0; i < attempts_; ++i) {
      const int m1 = static_cast<int>(r.below(pb.num_machines));
      int m2 = static_cast<int>(r.below(pb.num_machines - 1));
      if (m2 >= m1) ++m2;
      const int t1 = static_cast<int>(r.below(pb.num_slots));
      const int len = 1 + static_cast<int>(r.below(pb.num_slots - t1));
      mv.changes.clear();
      for (int t = t1; t < t1 + len; ++t) {
        if (plan.at(m1, t) == plan.at(m2, t)) continue;
        mv.changes.push_back({m1, t, 0, plan.at(m2, t)});
        mv.changes.push_back({m2, t, 0, plan.at(m1, t)});
      }
      sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }

  // run_replace: a whole run switches to another block the machine can work.
  bool run_replace(const schedule& plan, rng& r, harvest_move& mv) {
    for (int i = 0; i < attempts_; ++i) {
      int m = 0, t = 0;
      if (!random_assignment(plan, r, m, t)) return false;
      const auto& blocks = blocks_for_machine_[m];
      if (blocks.size() < 2) continue;
      const int b = plan.at(m, t);
      int nb = blocks[r.below(blocks.size())];
      if (nb == b) continue;
      const auto [a, z] = run_around(plan, m, t);
      mv.changes.clear();
      for (int s = a; s < z; ++s) mv.changes.push_back({m, s, 0, nb});
      sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }

  struct target {
    double distance;
    int day_delta;
    std::uint64_t tie;
    int machine;
    int slot;
  };

  const problem* pb_;
  int attempts_;
  std::vector<int> first_slot_of_day_;
  std::vector<std::vector<int>> machines_for_block_;
  std::vector<std::vector<int>> blocks_for_machine_;
  std::vector<std::int32_t> over_;
  std::vector<std::uint8_t> seen_;
  std::vector<std::size_t> seen_list_;
  std::vector<cell_change> merged_;
  std::vector<target> targets_;
};

}  // namespace fhops::harvest
