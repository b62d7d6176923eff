/// \file
/// The FHOPS neighbourhood: the reference's five operators (swap, move, block_insertion,
/// cross_exchange, mobilisation_shake; heuristics.md §2) with their feasibility rules and the
/// sanitiser, plus run operators that move whole block sequences of a machine (run_fill,
/// run_extend, run_clear, run_swap, run_replace). Every move is a short list of cell changes,
/// sanitised locally: only the slots a move touches can change under the reference's sanitiser.
/// row_rebuild is a large-neighbourhood move: it clears one machine's row (sometimes a second
/// machine's too) and rebuilds it by dynamic programming over (slot, block, run length) against
/// the work the other machines leave over. landing_rebuild does the same for every machine that
/// works on one landing at once (plus, now and then, a machine from elsewhere): it clears their
/// rows and rebuilds them one by one in a random order, then once more each against all the
/// others, so a landing's crews can trade blocks, days and machines in one move. price_rebuild
/// rebuilds one or two landings' crews jointly: block work and landing room are priced, every
/// machine's row is solved against the prices at once (lagrangian.hpp), and the prices follow the
/// over- or under-use for a few rounds, so several machines change together where the sequential
/// best responses of landing_rebuild stay put. landing_swap makes machines trade landings: good
/// plans keep every machine on one landing, and plans of different runs differ mostly in which
/// machine serves which landing, so two machines swap landings (or one moves to another landing)
/// and their rows are rebuilt by the row DP over the blocks of their new landing. seq_fill is a
/// run fill for role chains: where sequencing is live, a machine works a block only inside the
/// room its prerequisite roles leave (or, for a prerequisite role, just before its dependants),
/// and the row DP keeps its runs inside that room too.
/// Landing capacity follows a landing_capacity_mode (landing_capacity.hpp): by default, when the
/// objective prices slack, the sanitiser keeps over-capacity work that can pay its slack and the
/// rebuild operators weigh a cell on a full landing against the slack it adds.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/detail/slot_kernel.hpp"
#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/landing_capacity.hpp"
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
  row_rebuild,
  landing_rebuild,
  price_rebuild,
  landing_swap,
  seq_fill,
};

/// Number of operators.
inline constexpr std::size_t operator_count = 15;

/// Operator names in registry order.
inline constexpr std::array<std::string_view, operator_count> operator_names{
    "swap", "move", "block_insertion", "cross_exchange", "mobilisation_shake",
    "run_fill", "run_extend", "run_clear", "run_swap", "run_replace", "row_rebuild", "landing_rebuild",
    "price_rebuild", "landing_swap", "seq_fill"};

/// The index of an operator name (case-sensitive, lower case), or -1.
inline int operator_index(std::string_view name) {
  for (std::size_t i = 0; i < operator_count; ++i)
    if (operator_names[i] == name) return static_cast<int>(i);
  return -1;
}

/// The neighbourhood over an incremental_evaluator state.
class harvest_neighbourhood {
public:
  /// `mode` says whether moves may put work over a landing's capacity when the objective prices
  /// the slack (landing_capacity.hpp); `attempts` bounds the random tries of the operators that
  /// search for a feasible move.
  explicit harvest_neighbourhood(const problem& pb, landing_capacity_mode mode = landing_capacity_mode::priced,
                                 int attempts = 48)
      : pb_(&pb), mode_(mode), slack_(slack_allowed(pb, mode)), attempts_(attempts), over_(static_cast<std::size_t>(pb.num_machines) * pb.num_slots, no_override),
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
    // seq_fill's pairs: a machine and a block it can work where its role has prerequisites
    // (it follows) or is the prerequisite of another role (it leads).
    if (pb.has_sequencing)
      for (int m = 0; m < pb.num_machines; ++m) {
        const int r = pb.machine_role[m];
        if (r < 0) continue;
        for (const int b : blocks_for_machine_[m]) {
          const auto [q0, q1] = pb.prerequisites(b, r);
          if (q0 != q1 || leads_on(r, b)) seq_pairs_.push_back({m, b});
        }
      }
  }

  std::size_t operator_count() const { return harvest::operator_count; }
  landing_capacity_mode capacity_mode() const { return mode_; }
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
      case operator_id::row_rebuild: return row_rebuild(plan, r, mv);
      case operator_id::landing_rebuild: return landing_rebuild(plan, r, mv);
      case operator_id::price_rebuild: return price_rebuild(plan, r, mv);
      case operator_id::landing_swap: return landing_swap(plan, r, mv);
      case operator_id::seq_fill: return seq_fill(plan, r, mv);
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
  /// Landing capacity follows the mode (keeps_on_landing): in priced mode with landing_slack > 0
  /// over-capacity work that can pay its slack is kept, and the evaluator prices it.
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
    //    landing that received a new block can go over capacity; the rest of the plan is sanitised
    //    (a cleared cell only lowers the excess of the machines after it, so they stay kept).
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
        if (keeps_on_landing(pb, mode_, m, v, usage, cap)) {
          ++usage;
          continue;
        }
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
  static constexpr std::size_t row_candidates = 16;  ///< blocks a row_rebuild DP considers at most
  static constexpr std::size_t group_limit = 6;      ///< machines a landing_rebuild rebuilds at most
  static constexpr int price_rounds = 12;            ///< price updates of a price_rebuild

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
    if (pb.num_machines < 1 || pb.num_slots < 1) return false;
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
    if (pb.num_machines < 2 || pb.num_slots < 1) return false;
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

  // row_rebuild: clear machine m's row and rebuild it by dynamic programming. With the other
  // machines fixed, m's production on block b adds min(rate, what is left of b) per slot, where
  // "left" is the work the others leave unfinished (total production of a block is min(W_b, sum
  // of its attempts) whatever their order); switching blocks costs wM*move cost + wT. States are
  // (block, slots worked in the current run); the DP picks the best row. Sometimes a second
  // machine is cleared first and rebuilt after m, so two machines can trade their blocks. The
  // move is scored exactly by the caller like any other: the DP only chooses what to propose.
  bool row_rebuild(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    if (pb.num_machines < 1 || pb.num_slots < 1) return false;
    const int S = pb.num_slots;
    row_plan_.assign(plan.cells.begin(), plan.cells.end());
    const int m = static_cast<int>(r.below(pb.num_machines));
    int m2 = -1;
    if (pb.num_machines > 1 && r.chance(0.5)) {
      m2 = static_cast<int>(r.below(pb.num_machines - 1));
      if (m2 >= m) ++m2;
    }
    if (m2 >= 0)  // the second machine starts from an empty row (its locks stay)
      for (int t = 0; t < S; ++t) row_plan_[pb.ms(m2, t)] = pb.lock[pb.ms(m2, t)] >= 0 ? pb.lock[pb.ms(m2, t)] : idle;
    rebuild_row(m, r, false);
    if (m2 >= 0) rebuild_row(m2, r, false);
    group_.assign({m});
    if (m2 >= 0) group_.push_back(m2);
    return rows_changed(plan, mv);
  }

  // landing_rebuild: the machines working on the landing of a random assignment (at most
  // group_limit of them, half the time one more machine from anywhere) are cleared and rebuilt by
  // the row DP one after another (the crew in a random order, the extra machine last), each
  // against the rows rebuilt before it;
  // then each is rebuilt once more against all the others. The DP sees every block the machine
  // can work (no candidate sampling), so the second pass is a best response per machine.
  bool landing_rebuild(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    const int S = pb.num_slots, M = pb.num_machines;
    group_.clear();
    if (!add_landing_crew(plan, r, group_limit)) return false;
    if (static_cast<int>(group_.size()) < M && r.chance(0.5)) {
      int x = static_cast<int>(r.below(M));
      while (std::find(group_.begin(), group_.end(), x) != group_.end()) x = (x + 1) % M;
      group_.push_back(x);
    }
    row_plan_.assign(plan.cells.begin(), plan.cells.end());
    for (const int x : group_)
      for (int t = 0; t < S; ++t) row_plan_[pb.ms(x, t)] = pb.lock[pb.ms(x, t)] >= 0 ? pb.lock[pb.ms(x, t)] : idle;
    for (int pass = 0; pass < 2; ++pass)
      for (const int x : group_) rebuild_row(x, r, true);
    return rows_changed(plan, mv);
  }

  // landing_swap: a machine's landing is the landing of the block it works most (none when idle).
  // A random machine m and a random machine m2 on another landing swap landings (a fifth of the
  // time m alone moves to a random other landing): both rows are cleared and rebuilt twice by the
  // row DP over the blocks of their new landing only (a machine without a landing takes every
  // block), each against the other's new row; half the time the machines already on the two new
  // landings are then rebuilt once more against the newcomers (any block, sampled as in
  // row_rebuild). Tries up to `attempts_` draws for movers that can work on their new landings.
  bool landing_swap(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    const int M = pb.num_machines, S = pb.num_slots, L = pb.num_landings;
    if (M < 1 || S < 1 || L < 2) return false;
    home_.assign(M, -1);
    use_.assign(L, 0);
    for (int x = 0; x < M; ++x) {
      std::fill(use_.begin(), use_.end(), 0);
      for (int t = 0; t < S; ++t)
        if (const std::int32_t v = plan.cells[pb.ms(x, t)]; v >= 0) ++use_[pb.landing_of[v]];
      const auto most = std::max_element(use_.begin(), use_.end());
      if (*most > 0) home_[x] = static_cast<int>(most - use_.begin());
    }
    const auto can_work = [&](int x, int l) {
      if (l < 0) return true;
      for (const int b : blocks_for_machine_[x])
        if (pb.landing_of[b] == l) return true;
      return false;
    };
    int m = -1, m2 = -1, to_m = -1, to_m2 = -1;
    for (int a = 0; a < attempts_ && m < 0; ++a) {
      const int x = static_cast<int>(r.below(M));
      int y = -1;
      if (!r.chance(0.2)) {
        y = static_cast<int>(r.below(M));
        if (y == x || home_[y] == home_[x]) y = -1;
      }
      const int lx = y >= 0 ? home_[y] : static_cast<int>(r.below(L));
      const int ly = y >= 0 ? home_[x] : -1;
      if (lx == home_[x] || !can_work(x, lx) || (y >= 0 && !can_work(y, ly))) continue;
      m = x, m2 = y, to_m = lx, to_m2 = ly;
    }
    if (m < 0) return false;
    row_plan_.assign(plan.cells.begin(), plan.cells.end());
    group_.assign({m});
    if (m2 >= 0) group_.push_back(m2);
    for (const int x : group_)
      for (int t = 0; t < S; ++t) row_plan_[pb.ms(x, t)] = pb.lock[pb.ms(x, t)] >= 0 ? pb.lock[pb.ms(x, t)] : idle;
    for (int pass = 0; pass < 2; ++pass) {
      rebuild_row(m, r, true, to_m);
      if (m2 >= 0) rebuild_row(m2, r, true, to_m2);
    }
    if (r.chance(0.5)) {
      const std::size_t movers = group_.size();
      for (int x = 0; x < M; ++x)
        if (x != m && x != m2 && home_[x] >= 0 && (home_[x] == to_m || home_[x] == to_m2)) group_.push_back(x);
      for (std::size_t i = movers; i < group_.size(); ++i) rebuild_row(group_[i], r, false);
    }
    return rows_changed(plan, mv);
  }

  // seq_fill: a sequencing-aware run fill for blocks whose roles form a prerequisite chain. A
  // random machine m and block b where m's role has prerequisites (m follows) or is one (m leads):
  // a follower works b from a random slot where the prerequisites leave it room (sequence_room,
  // against the rest of the plan) for as long as the room lasts, up to a random length or, half
  // the time, the slots that finish what is left of b; a leader works b in a run that ends just
  // before the first slot a dependent role works b (anywhere in b's window when none does yet),
  // so the dependants' cells become productive. The move is scored exactly by the caller.
  bool seq_fill(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    if (seq_pairs_.empty()) return false;
    const int S = pb.num_slots;
    row_plan_.assign(plan.cells.begin(), plan.cells.end());
    for (int a = 0; a < attempts_ / 4 + 1; ++a) {
      const auto [m, b] = seq_pairs_[r.below(seq_pairs_.size())];
      const int role = pb.machine_role[m];
      const auto [q0, q1] = pb.prerequisites(b, role);
      const bool follows = q0 != q1 && (r.chance(0.7) || !leads_on(role, b));
      work_left(m);
      const auto usable = [&](int k) {
        const int t = pb.eval_order[k];
        const std::size_t c = pb.ms(m, t);
        return in_window(b, t) && pb.available[c] && !pb.blacked_out[c] && lock_allows(m, t, b);
      };
      mv.changes.clear();
      if (follows) {
        if (left_[b] <= 1e-9) continue;
        cand_.clear();  // the slots a run may start at
        for (int k = 0; k < S; ++k)
          if (usable(k) && sequence_room(m, b, k) >= 1) cand_.push_back(k);
        if (cand_.empty()) continue;
        const int k0 = cand_[r.below(cand_.size())];
        const double rate = pb.rate[pb.mb(m, b)];
        const int want = r.chance(0.5) ? static_cast<int>(std::ceil(left_[b] / rate)) : 1 + static_cast<int>(r.below(S - k0));
        int count = 0;
        for (int k = k0; k < S && count < want; ++k) {
          if (!usable(k)) continue;
          if (count + 1 > sequence_room(m, b, k)) break;
          ++count;
          mv.changes.push_back({m, pb.eval_order[k], 0, b});
        }
      } else {
        int first = S;  // the first slot (evaluation order) a dependent role works b
        for (int k = 0; k < S && first == S; ++k)
          for (int x = 0; x < pb.num_machines; ++x) {
            const std::int32_t v = row_plan_[pb.ms(x, pb.eval_order[k])];
            const int rx = pb.machine_role[x];
            if (v != b || x == m || rx < 0) continue;
            const auto [p0, p1] = pb.prerequisites(b, rx);
            if (std::find(p0, p1, role) != p1) {
              first = k;
              break;
            }
          }
        int lo = 0;
        while (lo < first && !usable(lo)) ++lo;
        if (lo >= first) continue;
        const int end = first == S ? lo + 1 + static_cast<int>(r.below(S - lo)) : first;
        const int len = 1 + static_cast<int>(r.below(end - lo));
        for (int k = end - len; k < end; ++k)
          if (usable(k)) mv.changes.push_back({m, pb.eval_order[k], 0, b});
      }
      sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }

  // Whether role r is a prerequisite of another role on block b.
  bool leads_on(int r, int b) const {
    for (int r2 = 0; r2 < pb_->num_roles; ++r2) {
      const auto [p0, p1] = pb_->prerequisites(b, r2);
      if (std::find(p0, p1, r) != p1) return true;
    }
    return false;
  }

  // Adds to group_ the machines working on the landing of a random assignment, in a random order,
  // until group_ holds `limit` machines; false when the plan has no (unlocked) assignment.
  bool add_landing_crew(const schedule& plan, rng& r, std::size_t limit) {
    const problem& pb = *pb_;
    int m0 = 0, t0 = 0;
    if (!random_assignment(plan, r, m0, t0)) return false;
    const int l = pb.landing_of[plan.at(m0, t0)];
    const std::size_t first = group_.size();
    for (int x = 0; x < pb.num_machines; ++x) {
      if (std::find(group_.begin(), group_.end(), x) != group_.end()) continue;
      for (int t = 0; t < pb.num_slots; ++t) {
        const std::int32_t v = plan.cells[pb.ms(x, t)];
        if (v >= 0 && pb.landing_of[v] == l) {
          group_.push_back(x);
          break;
        }
      }
    }
    for (std::size_t i = group_.size() - first; i > 1; --i)
      std::swap(group_[first + i - 1], group_[first + r.below(i)]);
    if (group_.size() > limit) group_.resize(limit);
    return true;
  }

  // price_rebuild: the crews of one landing (half the time of two) are cleared; the work the
  // other machines leave (left_) and the room they leave on each landing and slot (room_) bound
  // what the crew can use. For a few rounds every crew row is solved by priced_row against block
  // prices and landing prices at once, and the prices rise where the crew asks for more than is
  // left (and fall where it asks for less), as in a subgradient step on the Lagrangian dual of
  // the crew's problem. The rows of the round with the best estimated score (production capped
  // by left_, minus mobilisation, minus the production lost to a full landing) are kept; half the
  // time each machine is then rebuilt once more by the exact row DP against the others.
  bool price_rebuild(const schedule& plan, rng& r, harvest_move& mv) {
    const problem& pb = *pb_;
    const int S = pb.num_slots, B = pb.num_blocks, L = pb.num_landings;
    group_.clear();
    if (!add_landing_crew(plan, r, group_limit)) return false;
    if (r.chance(0.5)) add_landing_crew(plan, r, 2 * group_limit);
    row_plan_.assign(plan.cells.begin(), plan.cells.end());
    for (const int x : group_)
      for (int t = 0; t < S; ++t) row_plan_[pb.ms(x, t)] = pb.lock[pb.ms(x, t)] >= 0 ? pb.lock[pb.ms(x, t)] : idle;
    work_left(-1);
    room_.assign(static_cast<std::size_t>(L) * S, 0);
    for (int l = 0; l < L; ++l)
      for (int t = 0; t < S; ++t) room_[static_cast<std::size_t>(l) * S + t] = pb.landing_capacity[l];
    in_group_.assign(pb.num_machines, 0);
    for (const int x : group_) in_group_[x] = 1;
    for (int x = 0; x < pb.num_machines; ++x)
      for (int t = 0; t < S && !in_group_[x]; ++t) {
        const std::int32_t v = row_plan_[pb.ms(x, t)];
        if (v >= 0) --room_[static_cast<std::size_t>(pb.landing_of[v]) * S + t];
      }
    // Soft capacity: the reference mode lets the crew overflow freely (its sanitiser then clears
    // the excess); the priced mode keeps the room, lets priced_row go past it and charges the
    // slack in the estimate, the landing prices starting at the price of one more machine.
    if (pb.weights.landing_slack != 0.0 && !slack_) std::fill(room_.begin(), room_.end(), pb.num_machines);
    // candidate landings: those the crew works on now, half the time one more at random
    landing_on_.assign(L, 0);
    for (const int x : group_)
      for (int t = 0; t < S; ++t) {
        const std::int32_t v = plan.cells[pb.ms(x, t)];
        if (v >= 0) landing_on_[pb.landing_of[v]] = 1;
      }
    if (r.chance(0.5)) landing_on_[r.below(L)] = 1;
    const std::size_t G = group_.size();
    crew_blocks_.resize(G);
    for (std::size_t g = 0; g < G; ++g) {
      crew_blocks_[g].clear();
      for (const int b : blocks_for_machine_[group_[g]])
        if (left_[b] > 1e-9 && landing_on_[pb.landing_of[b]]) crew_blocks_[g].push_back(b);
    }
    const double wP = pb.weights.production;
    price_.assign(B, 0.0);
    for (int b = 0; b < B; ++b) price_[b] = 0.3 * wP * r.uniform01();
    landing_price_.assign(room_.size(), 0.0);
    if (slack_)
      for (std::size_t k = 0; k < room_.size(); ++k)
        if (room_[k] <= 0) landing_price_[k] = pb.weights.landing_slack * (1 - room_[k]);
    const std::span<const int> room = slack_ ? std::span<const int>{} : std::span<const int>(room_);
    crew_rows_.resize(G * S);
    best_rows_.resize(G * S);
    double best_estimate = -1e300;
    for (int round = 0; round < price_rounds; ++round) {
      asked_.assign(B, 0.0);
      use_.assign(room_.size(), 0);
      double estimate = 0.0;
      for (std::size_t g = 0; g < G; ++g) {
        const int x = group_[g];
        std::span<std::int32_t> row(crew_rows_.data() + g * S, static_cast<std::size_t>(S));
        priced_row(pb, x, {crew_blocks_[g], price_, landing_price_, room, {}}, row, priced_scratch_);
        int prev = -1;
        for (int k = 0; k < S; ++k) {
          const int t = pb.eval_order[k];
          const std::int32_t b = row[t];
          if (b < 0) continue;
          asked_[b] += pb.rate[pb.mb(x, b)];
          ++use_[static_cast<std::size_t>(pb.landing_of[b]) * S + t];
          if (prev >= 0 && prev != b)
            estimate -= (pb.has_move_params[x] ? pb.weights.mobilisation * pb.move_cost(x, prev, b) : 0.0) + pb.weights.transitions;
          prev = b;
        }
      }
      for (int b = 0; b < B; ++b) estimate += wP * std::min(asked_[b], left_[b]);
      for (std::size_t k = 0; k < use_.size(); ++k) {
        if (slack_) estimate -= added_slack(static_cast<int>(k / S), room_[k], use_[k]);
        else if (use_[k] > std::max(room_[k], 0)) estimate -= 3.0 * wP * (use_[k] - std::max(room_[k], 0));
      }
      if (estimate > best_estimate) {
        best_estimate = estimate;
        best_rows_ = crew_rows_;
      }
      // prices follow the relative over-use; the step shrinks with the rounds
      const double step = wP / (round + 2.0);
      for (int b = 0; b < B; ++b)
        if (asked_[b] > 0.0 || price_[b] > 0.0)
          price_[b] = std::clamp(price_[b] + step * (asked_[b] - left_[b]) / std::max(left_[b], 1.0), 0.0, wP);
      for (std::size_t k = 0; k < use_.size(); ++k)
        landing_price_[k] = std::max(0.0, landing_price_[k] + 2.0 * step * (use_[k] - std::max(room_[k], 0)));
    }
    for (std::size_t g = 0; g < G; ++g)
      for (int t = 0; t < S; ++t) {
        const std::size_t c = pb.ms(group_[g], t);
        row_plan_[c] = pb.lock[c] >= 0 ? pb.lock[c] : best_rows_[g * S + t];
      }
    if (r.chance(0.5))
      for (const int x : group_) rebuild_row(x, r, true);
    return rows_changed(plan, mv);
  }

  // The slack cost that `use` more machines add on landing l in a slot where `room` machines
  // (capacity minus the others' use) are left: the excess grows 1, 2, 3 ... per extra machine.
  double added_slack(int l, int room, int use) const {
    const int cap = pb_->landing_capacity[l];
    const auto triangle = [cap](int n) {
      const long long e = std::max(0, n - cap);
      return e * (e + 1) / 2;
    };
    const int others = cap - room;
    return pb_->weights.landing_slack * static_cast<double>(triangle(others + use) - triangle(others));
  }

  // The changes from `plan` to row_plan_ on the rows in group_, sanitised; false when none.
  bool rows_changed(const schedule& plan, harvest_move& mv) {
    const problem& pb = *pb_;
    mv.changes.clear();
    for (const int x : group_)
      for (int t = 0; t < pb.num_slots; ++t) {
        const std::size_t c = pb.ms(x, t);
        if (row_plan_[c] != plan.cells[c]) mv.changes.push_back({x, t, 0, row_plan_[c]});
      }
    if (mv.changes.empty()) return false;
    sanitise(plan, mv.changes);
    return !mv.changes.empty();
  }

  // left_ = the work each block has left after evaluating row_plan_ with row m (if any) idle.
  void work_left(int m) {
    const problem& pb = *pb_;
    const int S = pb.num_slots;
    left_.assign(pb.work.begin(), pb.work.end());
    prev_scratch_.assign(pb.num_machines, -1);
    cum_scratch_.assign(pb.has_sequencing ? static_cast<std::size_t>(pb.num_blocks) * pb.num_roles : 0, 0);
    cnt_scratch_.assign(cum_scratch_.size(), 0);
    used_scratch_.assign(pb.num_landings, 0);
    detail::carry c{left_.data(), prev_scratch_.data(), cum_scratch_.data()};
    detail::sums sum;
    detail::slot_scratch w{used_scratch_.data(), cnt_scratch_.data()};
    detail::no_terms terms;
    const std::int32_t* cells = row_plan_.data();
    const std::size_t BR = cum_scratch_.size();
    if (BR) cum_before_.resize(static_cast<std::size_t>(S + 1) * BR);
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      if (BR) std::copy(cum_scratch_.begin(), cum_scratch_.end(), cum_before_.begin() + static_cast<std::ptrdiff_t>(k * BR));
      const auto cell = [cells, S, t, m](int x) { return x == m ? -1 : cells[static_cast<std::size_t>(x) * S + t]; };
      detail::process_slot(pb, t, cell, c, sum, w, terms);
    }
    if (BR) std::copy(cum_scratch_.begin(), cum_scratch_.end(), cum_before_.begin() + static_cast<std::ptrdiff_t>(S * BR));
  }

  // Sequencing room after work_left(m): how many productive assignments machine m (role r) may
  // have on block b up to the k-th slot in evaluation order, this one included — the prerequisite
  // roles' productive assignments in strictly earlier slots (their minimum) less the other role-r
  // machines' up to and including this slot. Large when nothing restricts (m, b).
  int sequence_room(int m, int b, int k) const {
    const problem& pb = *pb_;
    constexpr int unrestricted = 1 << 28;
    const int r = pb.machine_role[m];
    if (!pb.has_sequencing || r < 0) return unrestricted;
    const auto [q0, q1] = pb.prerequisites(b, r);
    if (q0 == q1) return unrestricted;
    const std::size_t BR = cum_scratch_.size(), br = static_cast<std::size_t>(b) * pb.num_roles;
    const int* before = cum_before_.data() + static_cast<std::size_t>(k) * BR + br;
    const int* through = before + BR;
    int avail = before[*q0];
    for (const int* q = q0 + 1; q != q1; ++q) avail = std::min(avail, before[*q]);
    return avail - through[r];
  }

  // Rebuilds row m of row_plan_ in place (the other rows fixed). `every_block`: the DP considers
  // every block m can work; otherwise it samples them (see below). `only_landing` >= 0 restricts
  // it to the blocks of that landing. A cell on a landing the others fill is skipped, or, when the
  // mode allows slack, worth its production minus the slack it adds (if the sanitiser keeps it).
  void rebuild_row(int m, rng& r, bool every_block, int only_landing = -1) {
    const problem& pb = *pb_;
    const int S = pb.num_slots;
    work_left(m);
    // Candidate blocks: m can work them and something is left. On big scenarios the DP keeps the
    // blocks m works now plus a random sample of the others (row_candidates in all), which bounds
    // its cost and varies what repeated rebuilds of the same row explore; otherwise a random block
    // is barred now and then for the same reason. With `every_block` the DP keeps them all.
    const auto& all = blocks_for_machine_[m];
    cand_.clear();
    for (const int b : all)
      if (left_[b] > 1e-9 && (only_landing < 0 || pb.landing_of[b] == only_landing)) cand_.push_back(b);
    if (!every_block && cand_.size() > row_candidates) {
      for (std::size_t i = cand_.size() - 1; i > 0; --i) std::swap(cand_[i], cand_[r.below(i + 1)]);
      std::size_t keep = 0;
      for (std::size_t i = 0; i < cand_.size(); ++i) {  // current blocks first, then the shuffled rest
        bool current = false;
        for (int t = 0; t < S && !current; ++t) current = row_plan_[pb.ms(m, t)] == cand_[i];
        if (current) std::swap(cand_[keep++], cand_[i]);
      }
      cand_.resize(std::max(keep, row_candidates));
      std::sort(cand_.begin(), cand_.end());
    } else if (!every_block && !cand_.empty() && r.chance(0.3)) {
      cand_.erase(cand_.begin() + static_cast<std::ptrdiff_t>(r.below(cand_.size())));
    }
    const int C = static_cast<int>(cand_.size());
    // State layout: 0 = nothing worked yet; then for candidate i, run lengths 1..kmax_i (the
    // last one also stands for longer runs: nothing is left to take after it).
    state_base_.assign(C, 1);
    kmax_.assign(C, 1);
    int n = 1;
    for (int i = 0; i < C; ++i) {
      const double rate = pb.rate[pb.mb(m, cand_[i])];
      const double k = std::ceil(left_[cand_[i]] / rate);
      kmax_[i] = static_cast<int>(std::clamp(k, 1.0, static_cast<double>(S)));
      state_base_[i] = n;
      n += kmax_[i];
    }
    const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
    const bool has_params = pb.has_move_params[m] != 0;
    constexpr double minus_inf = -1e300;
    value_.assign(n, minus_inf);
    value_[0] = 0.0;
    best_of_.assign(C, minus_inf);
    best_state_.assign(C, -1);
    pending_best_.resize(C);
    pending_state_.resize(C);
    dirty_.clear();
    alive_.clear();
    // The DP updates value_ in place, slot by slot. An idle slot carries every state over, so only
    // the states a slot improves record where they came from: choice_[k*n + s] = {stamp, ~p}
    // holds for slot k only when its stamp is slot_stamp_[k]; any other entry means "carried".
    // Stamps only grow, so nothing needs clearing between calls.
    if (choice_.size() < static_cast<std::size_t>(S) * n) choice_.resize(static_cast<std::size_t>(S) * n);
    slot_stamp_.resize(S);
    if (stamp_ > std::numeric_limits<std::uint32_t>::max() - static_cast<std::uint32_t>(S)) {
      std::fill(choice_.begin(), choice_.end(), choice_entry{});  // the stamps would wrap in this call: start over
      stamp_ = 0;
    }
    const auto gain = [&](int i, int k) {  // production of the (k+1)-th slot of a run on cand i
      const double rate = pb.rate[pb.mb(m, cand_[i])], left = left_[cand_[i]];
      return wP * (std::min((k + 1) * rate, left) - std::min(k * rate, left));
    };
    switch_.resize(static_cast<std::size_t>(C) * C);  // [j*C+i]: cost of leaving cand j for cand i
    for (int j = 0; j < C; ++j)
      for (int i = 0; i < C; ++i)
        switch_[static_cast<std::size_t>(j) * C + i] =
            (has_params && i != j ? wM * pb.move_cost(m, cand_[j], cand_[i]) : 0.0) + wT;
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const std::size_t cm = pb.ms(m, t);
      const std::uint32_t stamp = slot_stamp_[k] = ++stamp_;
      choice_entry* ch = choice_.data() + static_cast<std::size_t>(k) * n;
      const auto improve = [&](int to, double v, int from) {
        value_[to] = v;
        ch[to] = {stamp, ~from};
      };
      const std::int32_t lk = pb.lock[cm];
      if (!pb.available[cm] || pb.blacked_out[cm]) continue;  // idle: every state carries over
      // the other machines' use of each landing in this slot
      std::fill(used_scratch_.begin(), used_scratch_.end(), 0);
      for (int x = 0; x < pb.num_machines; ++x) {
        const std::int32_t v = x == m ? -1 : row_plan_[pb.ms(x, t)];
        if (v >= 0) ++used_scratch_[pb.landing_of[v]];
      }
      // the best state of each block whose states changed in the previous slot (the others keep theirs)
      for (const int j : dirty_) {
        const bool was_alive = best_state_[j] >= 0;
        best_of_[j] = pending_best_[j];
        best_state_[j] = pending_state_[j];
        if (!was_alive && best_state_[j] >= 0) alive_.push_back(j);
      }
      dirty_.clear();
      for (int i = 0; i < C; ++i) {
        const int b = cand_[i];
        if (lk >= 0 && lk != b) continue;
        if (!in_window(b, t)) continue;
        const int l = pb.landing_of[b];
        const int cap = pb.landing_capacity[l];
        double over = 0.0;  // the slack a cell here adds when the landing is full (priced mode)
        if (cap > 0 && lk < 0 && used_scratch_[l] >= cap) {
          if (!keeps_on_landing(pb, mode_, m, b, used_scratch_[l], cap)) continue;
          over = pb.weights.landing_slack * (used_scratch_[l] + 1 - cap);
        }
        const int base = state_base_[i], K = kmax_[i];
        // sequencing: a run of length q + 1 may go on only while m's count on b fits the room
        // its prerequisites leave (the count of the run stands for m's count on b)
        const int room = sequence_room(m, b, k);
        if (room < 1) continue;
        // the best way to start a run on b: from nothing (free) or from another block (a move),
        // against the values before this slot (best_of_ is not updated within a slot)
        double start = value_[0];
        int start_from = 0;
        for (const int j : alive_) {
          if (j == i) continue;
          const double v = best_of_[j] - switch_[static_cast<std::size_t>(j) * C + i];
          if (v > start) {
            start = v;
            start_from = best_state_[j];
          }
        }
        start += gain(i, 0) - over;
        // continue the run on b (a run at its cap stays there): state q + 1 from state q. Going
        // down from the cap, each source is read before it is written; a target takes a source
        // only when strictly better, the cap trying q = K - 2 before K - 1, and the start last.
        if (best_state_[i] >= 0) {
          const int qmax = std::min(K - 1, room - 2);  // sources q with q + 2 <= room
          const auto from_q = [&](int q) {  // the value state q offers its successor
            const double v = value_[base + q];
            return v <= minus_inf ? minus_inf : v + (gain(i, q + 1) - over);
          };
          if (qmax >= 0) {
            const int cap_to = base + K - 1;
            const double self = K - 1 <= qmax ? from_q(K - 1) : minus_inf;  // read before the cap is written
            if (K >= 2 && K - 2 <= qmax) {
              const double v = from_q(K - 2);
              if (v > minus_inf && v > value_[cap_to]) improve(cap_to, v, base + K - 2);
            }
            if (self > minus_inf && self > value_[cap_to]) improve(cap_to, self, cap_to);
            for (int to = std::min(K - 2, qmax + 1); to >= 1; --to) {
              const double v = from_q(to - 1);
              if (v > minus_inf && v > value_[base + to]) improve(base + to, v, base + to - 1);
            }
          }
        }
        if (start > value_[base]) improve(base, start, start_from);
        // this candidate's states are final for the slot: their best, for the next slot
        double best = minus_inf;
        int best_s = -1;
        for (int q = 0; q < K; ++q)
          if (value_[base + q] > best) {
            best = value_[base + q];
            best_s = base + q;
          }
        pending_best_[i] = best;
        pending_state_[i] = best_s;
        dirty_.push_back(i);
      }
    }
    // Trace back from the best final state; locked cells keep their lock.
    int s = static_cast<int>(std::max_element(value_.begin(), value_.end()) - value_.begin());
    for (int k = S - 1; k >= 0; --k) {
      const int t = pb.eval_order[k];
      const choice_entry e = choice_[static_cast<std::size_t>(k) * n + s];
      std::int32_t cell = idle;
      if (e.stamp == slot_stamp_[k]) {  // worked in slot k
        cell = block_of_state(s);
        s = ~e.from;
      }
      const std::int32_t lk = pb.lock[pb.ms(m, t)];
      row_plan_[pb.ms(m, t)] = lk >= 0 ? lk : cell;
    }
  }

  // The block of DP state s (> 0).
  int block_of_state(int s) const {
    const auto it = std::upper_bound(state_base_.begin(), state_base_.begin() + cand_.size(), s);
    return cand_[static_cast<std::size_t>(it - state_base_.begin()) - 1];
  }

  struct target {
    double distance;
    int day_delta;
    std::uint64_t tie;
    int machine;
    int slot;
  };

  const problem* pb_;
  landing_capacity_mode mode_;
  bool slack_;  ///< the mode lets plans hold slack and the objective prices it (slack_allowed)
  int attempts_;
  std::vector<int> first_slot_of_day_;
  std::vector<std::vector<int>> machines_for_block_;
  std::vector<std::vector<int>> blocks_for_machine_;
  std::vector<std::int32_t> over_;
  std::vector<std::uint8_t> seen_;
  std::vector<std::size_t> seen_list_;
  std::vector<cell_change> merged_;
  std::vector<target> targets_;
  // row_rebuild scratch
  std::vector<std::int32_t> row_plan_;
  std::vector<double> left_;
  std::vector<int> prev_scratch_, cum_scratch_, cnt_scratch_, used_scratch_;
  std::vector<int> cum_before_;  // [k*B*R + b*R + r]: cum_scratch_ before the k-th slot (k = S: after all)
  std::vector<int> cand_, state_base_, kmax_, best_state_, pending_state_, alive_, dirty_;
  std::vector<double> value_, best_of_, pending_best_, switch_;
  struct choice_entry {
    std::uint32_t stamp = 0;  ///< the slot stamp the entry belongs to (0: none)
    std::int32_t from = 0;    ///< ~(the state before the slot); the slot worked
  };
  std::vector<choice_entry> choice_;  // rebuild_row's DP: where each improved state came from
  std::vector<std::uint32_t> slot_stamp_;
  std::uint32_t stamp_ = 0;
  std::vector<int> group_;  // the rows a rebuild move changed
  std::vector<int> home_;   // landing_swap: each machine's landing (-1: idle)
  std::vector<std::pair<int, int>> seq_pairs_;  // seq_fill: (machine, block) pairs in a role chain
  // price_rebuild scratch
  std::vector<int> room_, use_;
  std::vector<std::uint8_t> in_group_, landing_on_;
  std::vector<std::vector<int>> crew_blocks_;
  std::vector<double> price_, landing_price_, asked_;
  std::vector<std::int32_t> crew_rows_, best_rows_;
  priced_row_scratch priced_scratch_;
};

}  // namespace fhops::harvest
