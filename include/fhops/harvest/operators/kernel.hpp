/// \file
/// The operators' kernel: what every harvest operator shares. It holds the problem, the landing
/// capacity mode and the sanitiser (the reference's, applied locally: only the slots a move touches
/// can change), the services an operator uses to draw and check cells, and the scratch of the large
/// moves (the row DP that rebuilds one machine's row against the work the other machines leave, the
/// price and landing state). An operator is a type meeting harvest_operator (below): a name and
/// `propose(kernel, plan, rng, move)`. The built-in operators (operators/reference.hpp, runs.hpp,
/// rebuild.hpp, price_rebuild.hpp, sequencing.hpp) are friends and use the kernel's scratch; an
/// operator of your own uses the public services. neighbourhood.hpp composes operators by name into
/// a neighbourhood (operator_union).
/// Landing capacity follows a landing_capacity_mode (landing_capacity.hpp): by default, when the
/// objective prices slack, the sanitiser keeps over-capacity work that can pay its slack and the
/// rebuild operators weigh a cell on a full landing against the slack it adds.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/detail/slot_kernel.hpp"
#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

/// A move: the cell changes it makes (after sanitising).
struct harvest_move {
  std::vector<cell_change> changes;
};

// The built-in operators (friends of the kernel).
struct swap_operator;
struct move_operator;
struct block_insertion_operator;
struct cross_exchange_operator;
struct mobilisation_shake_operator;
struct run_fill_operator;
struct run_extend_operator;
struct run_clear_operator;
struct run_swap_operator;
struct run_replace_operator;
struct run_reorder_operator;
struct row_rebuild_operator;
struct landing_rebuild_operator;
struct price_rebuild_operator;
struct landing_swap_operator;
struct seq_fill_operator;

/// What operators share: the problem, the sanitiser, cell services and the large moves' scratch.
class operator_kernel {
public:
  /// `mode` says whether moves may put work over a landing's capacity when the objective prices
  /// the slack (landing_capacity.hpp); `attempts` bounds the random tries of the operators that
  /// search for a feasible move.
  explicit operator_kernel(const problem& pb, landing_capacity_mode mode = landing_capacity_mode::priced,
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

  const problem& pb() const { return *pb_; }
  landing_capacity_mode capacity_mode() const { return mode_; }
  int attempts() const { return attempts_; }  ///< the random tries of an operator that searches for a feasible move
  /// The row DP of the rebuild operators by its state tables always (a check): by default, where a
  /// run's worth depends only on its start and length (no sequencing room binds, no slack priced),
  /// it finds the same optimum from prefix maxima of the starts instead, which is faster.
  void use_state_tables(bool on) { state_tables_ = on; }

  /// The tabu attribute of cell (m, t) holding block b.
  static std::uint64_t key(int m, int t, std::int32_t b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(m)) << 40) ^
           (static_cast<std::uint64_t>(static_cast<std::uint32_t>(t)) << 20) ^ static_cast<std::uint32_t>(b + 1);
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

  /// sanitise(plan, mv.changes); true (an operator's last step).
  bool finish(const schedule& plan, harvest_move& mv) {
    sanitise(plan, mv.changes);
    return true;
  }

  /// The slots of block b's window: [slot_lo(b), slot_hi(b)).
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


  /// The maximal run of equal cells around (m, t).
  std::pair<int, int> run_around(const schedule& plan, int m, int t) const {
    const int b = plan.at(m, t);
    int a = t, z = t + 1;
    while (a > 0 && plan.at(m, a - 1) == b) --a;
    while (z < plan.num_slots && plan.at(m, z) == b) ++z;
    return {a, z};
  }

  /// The machines with a positive rate on block b.
  const std::vector<int>& machines_for_block(int b) const { return machines_for_block_[b]; }
  /// The blocks machine m may work (positive rate, role allowed).
  const std::vector<int>& blocks_for_machine(int m) const { return blocks_for_machine_[m]; }

private:
  friend struct swap_operator;
  friend struct move_operator;
  friend struct block_insertion_operator;
  friend struct cross_exchange_operator;
  friend struct mobilisation_shake_operator;
  friend struct run_fill_operator;
  friend struct run_extend_operator;
  friend struct run_clear_operator;
  friend struct run_swap_operator;
  friend struct run_replace_operator;
  friend struct run_reorder_operator;
  friend struct row_rebuild_operator;
  friend struct landing_rebuild_operator;
  friend struct price_rebuild_operator;
  friend struct landing_swap_operator;
  friend struct seq_fill_operator;
  friend struct kernel_probe;  // tests/harvest/row_tables_test.cpp checks the row DP's tables

  static constexpr std::int32_t no_override = INT32_MIN;
  static constexpr std::size_t row_candidates = 16;  ///< blocks a row_rebuild DP considers at most
  static constexpr std::size_t group_limit = 6;      ///< machines a landing_rebuild rebuilds at most
  static constexpr int price_rounds = 12;            ///< price updates of a price_rebuild

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
  // With sequencing it also logs, per block, the role counts each slot changed: sequence_room
  // asks about a few blocks only, so their counts before every slot are built from the log when
  // first asked (block_cum) instead of copying every block's counts after every slot.
  // `only_landing` >= 0: only the cells on that landing's blocks are evaluated, so only those
  // blocks' left_ and counts are worked out (the others' are not). They are exact: whether a cell
  // on landing l is productive depends on its block's work left and role counts and on the
  // landing's room in its slot, all set by cells on landing l alone (problem_model.md 5.2). Only
  // the slots holding such cells are processed, for their machines alone (process_slot_of).
  // `plan_cells`: the plan to evaluate instead of row_plan_ (seq_fill's, which changes no row first).
  void work_left(int m, int only_landing = -1, const std::int32_t* plan_cells = nullptr) {
    const problem& pb = *pb_;
    const int S = pb.num_slots, R = pb.num_roles;
    const bool seq = pb.has_sequencing;
    left_.assign(pb.work.begin(), pb.work.end());
    prev_scratch_.assign(pb.num_machines, -1);
    cum_scratch_.assign(seq ? static_cast<std::size_t>(pb.num_blocks) * R : 0, 0);
    cnt_scratch_.assign(cum_scratch_.size(), 0);
    touched_scratch_.resize(pb.num_machines);
    used_scratch_.assign(pb.num_landings, 0);
    if (seq) {
      ++log_stamp_;  // every block's table in block_cum_ is now stale
      seq_log_.resize(pb.num_blocks);
      for (auto& events : seq_log_) events.clear();
    }
    detail::carry c{left_.data(), prev_scratch_.data(), cum_scratch_.data()};
    detail::sums sum;
    detail::slot_scratch w{used_scratch_.data(), cnt_scratch_.data(), touched_scratch_.data()};
    detail::no_terms terms;
    const std::int32_t* cells = plan_cells ? plan_cells : row_plan_.data();
    const auto log_slot = [&](int k) {
      for (int j = 0; j < w.num_touched; ++j) {
        const int i = w.touched[j];
        seq_log_[i / R].push_back({k, i % R, cum_scratch_[i]});
      }
    };
    if (only_landing < 0) {
      for (int k = 0; k < S; ++k) {
        const int t = pb.eval_order[k];
        const auto cell = [cells, S, t, m](int x) { return x == m ? -1 : cells[static_cast<std::size_t>(x) * S + t]; };
        detail::process_slot(pb, t, cell, c, sum, w, terms);
        log_slot(k);
      }
      return;
    }
    // The landing's cells only: found row by row (rows are contiguous), then put in evaluation
    // order, machines ascending within a slot, and each slot with any processed for those machines.
    landing_cells_.clear();
    for (int x = 0; x < pb.num_machines; ++x) {
      if (x == m) continue;
      const std::int32_t* row = cells + static_cast<std::size_t>(x) * S;
      for (int t = 0; t < S; ++t)
        if (row[t] >= 0 && pb.landing_of[row[t]] == only_landing) landing_cells_.push_back({pb.eval_position[t], x, row[t]});
    }
    bucket_start_.assign(S + 1, 0);
    for (const auto& e : landing_cells_) ++bucket_start_[e.position + 1];
    for (int k = 0; k < S; ++k) bucket_start_[k + 1] += bucket_start_[k];
    bucket_fill_.assign(bucket_start_.begin(), bucket_start_.end() - 1);
    bucket_cells_.resize(landing_cells_.size());
    for (const auto& e : landing_cells_) bucket_cells_[bucket_fill_[e.position]++] = e;  // stable: machines stay ascending
    slot_block_.resize(pb.num_machines);
    for (int k = 0; k < S; ++k) {
      const int lo = bucket_start_[k], hi = bucket_start_[k + 1];
      if (lo == hi) continue;  // nothing on the landing in this slot: nothing changes
      slot_machines_.clear();
      for (int i = lo; i < hi; ++i) {
        slot_machines_.push_back(bucket_cells_[i].machine);
        slot_block_[bucket_cells_[i].machine] = bucket_cells_[i].block;
      }
      const std::int32_t* block = slot_block_.data();
      detail::process_slot_of(pb, pb.eval_order[k], slot_machines_, [block](int x) { return block[x]; }, c, sum, w, terms);
      log_slot(k);
    }
  }

  // Block b's role counts (productive assignments) before the k-th slot in evaluation order,
  // [k*R + r] for k = 0..S (k = S: after all), as of the last work_left; sequencing only. Built
  // from b's log on the first call after a work_left.
  const int* block_cum(int b) {
    const problem& pb = *pb_;
    const int S = pb.num_slots, R = pb.num_roles;
    const std::size_t rows = static_cast<std::size_t>(S + 1) * R;
    if (block_cum_.size() != static_cast<std::size_t>(pb.num_blocks) * rows) {
      block_cum_.resize(static_cast<std::size_t>(pb.num_blocks) * rows);
      block_cum_stamp_.assign(pb.num_blocks, 0);
    }
    int* table = block_cum_.data() + static_cast<std::size_t>(b) * rows;
    if (block_cum_stamp_[b] == log_stamp_) return table;
    block_cum_stamp_[b] = log_stamp_;
    std::fill(table, table + R, 0);
    auto e = seq_log_[b].begin();
    const auto end = seq_log_[b].end();
    for (int k = 0; k < S; ++k) {  // row k + 1 is row k with slot k's changes
      int* next = table + static_cast<std::size_t>(k + 1) * R;
      std::copy_n(next - R, R, next);
      for (; e != end && e->slot == k; ++e) next[e->role] = e->count;
    }
    return table;
  }

  // Sequencing room after work_left(m): how many productive assignments machine m (role r) may
  // have on block b up to the k-th slot in evaluation order, this one included — the prerequisite
  // roles' productive assignments in strictly earlier slots (their minimum) less the other role-r
  // machines' up to and including this slot. Large when nothing restricts (m, b).
  int sequence_room(int m, int b, int k) {
    const problem& pb = *pb_;
    constexpr int unrestricted = 1 << 28;
    const int r = pb.machine_role[m];
    if (!pb.has_sequencing || r < 0) return unrestricted;
    const auto [q0, q1] = pb.prerequisites(b, r);
    if (q0 == q1) return unrestricted;
    const int R = pb.num_roles;
    const int* before = block_cum(b) + static_cast<std::size_t>(k) * R;
    const int* through = before + R;
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
      // the blocks row m works now, marked in one pass over the row (not one pass per candidate)
      in_row_.assign(pb.num_blocks, 0);
      for (int t = 0; t < S; ++t)
        if (const std::int32_t v = row_plan_[pb.ms(m, t)]; v >= 0) in_row_[v] = 1;
      std::size_t keep = 0;
      for (std::size_t i = 0; i < cand_.size(); ++i)  // current blocks first, then the shuffled rest
        if (in_row_[cand_[i]]) std::swap(cand_[keep++], cand_[i]);
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
    best_of_.assign(C, minus_inf);
    best_state_.assign(C, -1);
    // pending_best_[i] / pending_state_[i]: the best value of cand i's states and its lowest state
    // attaining it, kept up to date as the states improve (values only grow), so a slot need not
    // rescan every run length of every candidate
    pending_best_.assign(C, minus_inf);
    pending_state_.assign(C, -1);
    best_count_.assign(C, 0);  // rebuild_row_by_starts: the workable slots behind best_of_ and pending_best_
    pending_count_.assign(C, 0);
    dirty_.clear();
    by_best_.clear();
    alive_pos_.assign(C, -1);
    const auto gain = [&](int i, int k) {  // production of the (k+1)-th slot of a run on cand i
      const double rate = pb.rate[pb.mb(m, cand_[i])], left = left_[cand_[i]];
      return wP * (std::min((k + 1) * rate, left) - std::min(k * rate, left));
    };
    // The gains do not depend on the slot: computed once here rather than for every state in
    // every slot. first_gain_[i] starts a run on cand i; next_gain_[s] extends the run of state s.
    first_gain_.resize(C);
    next_gain_.resize(n);
    for (int i = 0; i < C; ++i) {
      first_gain_[i] = gain(i, 0);
      for (int q = 0; q < kmax_[i]; ++q) next_gain_[state_base_[i] + q] = gain(i, q + 1);
    }
    switch_.resize(static_cast<std::size_t>(C) * C);  // [j*C+i]: cost of leaving cand j for cand i
    min_switch_.assign(C, std::numeric_limits<double>::infinity());  // [i]: the least of them into i (j != i)
    for (int j = 0; j < C; ++j)
      for (int i = 0; i < C; ++i) {
        const double cost = (has_params && i != j ? wM * pb.move_cost(m, cand_[j], cand_[i]) : 0.0) + wT;
        switch_[static_cast<std::size_t>(j) * C + i] = cost;
        if (j != i) min_switch_[i] = std::min(min_switch_[i], cost);
      }
    // The other machines' use of the candidates' capped landings in each slot, counted once per
    // call row by row (a per-slot count would read every machine's row at a stride of S):
    // landing_use_[t*U + u] for the u-th such landing, U of them, use_index_[l] = u (-1: not counted).
    use_index_.assign(pb.num_landings, -1);
    int U = 0;
    for (const int b : cand_)
      if (const int l = pb.landing_of[b]; pb.landing_capacity[l] > 0 && use_index_[l] < 0) use_index_[l] = U++;
    landing_use_.assign(static_cast<std::size_t>(S) * U, 0);
    if (U > 0)
      for (int x = 0; x < pb.num_machines; ++x) {
        if (x == m) continue;
        const std::int32_t* row = row_plan_.data() + pb.ms(x, 0);
        for (int t = 0; t < S; ++t)
          if (row[t] >= 0)
            if (const int u = use_index_[pb.landing_of[row[t]]]; u >= 0) ++landing_use_[static_cast<std::size_t>(t) * U + u];
      }
    if (starts_decide(m)) {
      rebuild_row_by_starts(m, U);
      return;
    }
    value_.assign(n, minus_inf);
    value_[0] = 0.0;
    // reach_[i]: the highest state of cand i above minus_inf (-1: none); the states above it offer
    // their successors nothing, so a slot's run extensions stop there
    reach_.assign(C, -1);
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
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const std::size_t cm = pb.ms(m, t);
      const std::uint32_t stamp = slot_stamp_[k] = ++stamp_;
      choice_entry* ch = choice_.data() + static_cast<std::size_t>(k) * n;
      double best = minus_inf;  // the current candidate's best value and lowest state attaining it
      int best_s = -1;
      const auto improve = [&](int to, double v, int from) {
        value_[to] = v;
        ch[to] = {stamp, ~from};
        // values only grow, so the best so far and the improved states give the new best
        if (v > best || (v == best && to < best_s)) {
          best = v;
          best_s = to;
        }
      };
      const std::int32_t lk = pb.lock[cm];
      if (!pb.available[cm] || pb.blacked_out[cm]) continue;  // idle: every state carries over
      const int* used = landing_use_.data() + static_cast<std::size_t>(t) * U;
      refresh_best();
      for (int i = 0; i < C; ++i) {
        const int b = cand_[i];
        if (barred(b, t, lk)) continue;
        const int l = pb.landing_of[b];
        const int cap = pb.landing_capacity[l];
        double over = 0.0;  // the slack a cell here adds when the landing is full (priced mode)
        if (cap > 0 && lk < 0 && used[use_index_[l]] >= cap) {
          const int use = used[use_index_[l]];
          if (!keeps_on_landing(pb, mode_, m, b, use, cap)) continue;
          over = pb.weights.landing_slack * (use + 1 - cap);
        }
        const int base = state_base_[i], K = kmax_[i];
        // sequencing: a run of length q + 1 may go on only while m's count on b fits the room
        // its prerequisites leave (the count of the run stands for m's count on b)
        const int room = sequence_room(m, b, k);
        if (room < 1) continue;
        best = pending_best_[i];
        best_s = pending_state_[i];
        const int reach = reach_[i];
        // the best way to start a run on b (best_start): from nothing or from another block
        double start = value_[0];
        const int from = best_start(i, start);
        const int start_from = from < 0 ? 0 : best_state_[from];
        start += first_gain_[i] - over;
        // continue the run on b (a run at its cap stays there): state q + 1 from state q. Going
        // down from the cap, each source is read before it is written; a target takes a source
        // only when strictly better, the cap trying q = K - 2 before K - 1, and the start last.
        if (best_state_[i] >= 0) {
          const int qmax = std::min(K - 1, room - 2);  // sources q with q + 2 <= room
          const auto from_q = [&](int q) {  // the value state q offers its successor
            const double v = value_[base + q];
            return v <= minus_inf ? minus_inf : v + (next_gain_[base + q] - over);
          };
          if (qmax >= 0) {
            const int cap_to = base + K - 1;
            const double self = K - 1 <= qmax ? from_q(K - 1) : minus_inf;  // read before the cap is written
            if (K >= 2 && K - 2 <= qmax) {
              const double v = from_q(K - 2);
              if (v > minus_inf && v > value_[cap_to]) improve(cap_to, v, base + K - 2);
            }
            if (self > minus_inf && self > value_[cap_to]) improve(cap_to, self, cap_to);
            // improve() written out: this loop improves nearly every state of every candidate,
            // and the compiler does not inline the lambda here
            for (int to = std::min({K - 2, qmax + 1, reach + 1}); to >= 1; --to) {
              const double v = from_q(to - 1);
              const int s = base + to;
              if (v > minus_inf && v > value_[s]) {
                value_[s] = v;
                ch[s] = {stamp, ~(s - 1)};
                if (v > best || (v == best && s < best_s)) {
                  best = v;
                  best_s = s;
                }
              }
            }
          }
        }
        if (start > value_[base]) improve(base, start, start_from);
        // this candidate's states are final for the slot: their best, for the next slot
        pending_best_[i] = best;
        pending_state_[i] = best_s;
        // a slot raises the highest state by one at most (the cap needs K - 2 reached already)
        int hi = std::min(reach + 1, K - 1);
        while (hi >= 0 && value_[base + hi] <= minus_inf) --hi;
        reach_[i] = hi;
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

  // rebuild_row: best_of_, best_state_ (and best_count_) of the candidates whose states changed in
  // the previous slot, from their pending values (the others keep theirs), and by_best_ re-sorted.
  void refresh_best() {
    for (const int j : dirty_) {
      const bool was_alive = best_state_[j] >= 0;
      best_of_[j] = pending_best_[j];
      best_state_[j] = pending_state_[j];
      best_count_[j] = pending_count_[j];
      if (!was_alive && best_state_[j] >= 0) {
        alive_pos_[j] = static_cast<int>(by_best_.size());  // candidates come alive in this order
        by_best_.push_back(j);
      }
    }
    if (!dirty_.empty()) {
      // by_best_: the live candidates by best_of_ descending, ties by alive_pos_. Values only
      // grow, so it is nearly sorted already: an insertion sort
      const auto before = [&](int a, int b) {
        return best_of_[a] > best_of_[b] || (best_of_[a] == best_of_[b] && alive_pos_[a] < alive_pos_[b]);
      };
      for (std::size_t x = 1; x < by_best_.size(); ++x) {
        const int v = by_best_[x];
        std::size_t y = x;
        for (; y > 0 && before(v, by_best_[y - 1]); --y) by_best_[y] = by_best_[y - 1];
        by_best_[y] = v;
      }
    }
    dirty_.clear();
  }

  // rebuild_row: the best way to start a run on candidate i in this slot, from nothing (`start`
  // on entry, free) or from another candidate j's best state (best_of_[j] less the move into i),
  // against the values before this slot (best_of_ is not updated within a slot): the first maximum
  // in the order "nothing", then the candidates as they came alive. Read by best_of_ descending,
  // the scan stops where even the cheapest move into i cannot reach the best so far. Returns j
  // (-1: nothing) and leaves the value in `start`.
  int best_start(int i, double& start) const {
    const std::size_t C = cand_.size();
    int from = -1, from_pos = -1;
    const double least = min_switch_[i];
    for (const int j : by_best_) {
      if (best_of_[j] - least < start) break;
      if (j == i) continue;
      const double v = best_of_[j] - switch_[static_cast<std::size_t>(j) * C + i];
      if (v > start || (v == start && from_pos >= 0 && alive_pos_[j] < from_pos)) {
        start = v;
        from = j;
        from_pos = alive_pos_[j];
      }
    }
    return from;
  }

  // Whether rebuild_row's DP for machine m (its candidates in cand_) goes by the starts: a run's
  // worth depends only on where it starts and how long it is when no slack is priced (a cell is
  // workable or not, at no extra cost) and no candidate of m is bound by sequencing room; and the
  // state tables are not forced (use_state_tables).
  bool starts_decide(int m) const {
    if (state_tables_ || slack_) return false;
    const problem& pb = *pb_;
    const int r = pb.machine_role[m];
    if (!pb.has_sequencing || r < 0) return true;
    for (const int b : cand_)
      if (const auto [q0, q1] = pb.prerequisites(b, r); q0 != q1) return false;
    return true;
  }

  // rebuild_row's DP where starts decide (starts_decide): the same optimum as the
  // state tables, found without them. Count the slots where candidate i is workable 1, 2, ..., c.
  // A run of q + 1 worked slots ending by the c-th is worth its best start among the first c - q
  // (starts_best_: their prefix maxima) plus the production of q more slots: q full slots, except
  // that the longest run (q = K - 1) ends with what is left. So a candidate's states need no update
  // per slot: its best is the best start in a window of the last K - 1 counts, each less q full
  // slots' production (a monotone queue, window_), or the longest run. O(1) per candidate and slot
  // instead of O(K). Each start records where it came from (starts_from_), and the trace back takes
  // a run's q + 1 cells at the first workable slots from its start.
  void rebuild_row_by_starts(int m, int U) {
    const problem& pb = *pb_;
    const int S = pb.num_slots, C = static_cast<int>(cand_.size());
    const std::size_t W = static_cast<std::size_t>(S) + 1;  // counts 0..S of one candidate
    count_.assign(C, 0);
    starts_best_.resize(W * C);
    starts_arg_.resize(W * C);
    slot_at_.resize(W * C);
    starts_from_.resize(W * C);
    window_.resize(W * C);
    window_head_.assign(C, 0);
    window_tail_.assign(C, 0);
    full_gain_.resize(C);
    last_gain_.resize(C);
    for (int i = 0; i < C; ++i) {
      const int base = state_base_[i], K = kmax_[i];
      starts_best_[W * i] = -1e300;  // count 0: no start yet
      full_gain_[i] = K >= 3 ? next_gain_[base] : 0.0;  // a full slot's production (runs shorter than K)
      last_gain_[i] = K >= 2 ? full_gain_[i] * (K - 2) + next_gain_[base + K - 2] : 0.0;  // runs of K: after the first slot
    }
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const std::size_t cm = pb.ms(m, t);
      const std::int32_t lk = pb.lock[cm];
      if (!pb.available[cm] || pb.blacked_out[cm]) continue;  // idle: every state carries over
      refresh_best();
      const int* used = landing_use_.data() + static_cast<std::size_t>(t) * U;
      for (int i = 0; i < C; ++i) {
        const int b = cand_[i];
        const int l = pb.landing_of[b];
        if (barred(b, t, lk) || (pb.landing_capacity[l] > 0 && lk < 0 && used[use_index_[l]] >= pb.landing_capacity[l])) continue;  // a full landing: no slack here
        double start = 0.0;  // nothing worked yet
        const int from = best_start(i, start);
        start += first_gain_[i];
        const std::size_t o = W * i;
        const int c = ++count_[i];
        slot_at_[o + c] = k;
        starts_from_[o + c] = from < 0 ? start_source{} : start_source{from, best_state_[from], best_count_[from]};
        const bool record = start > starts_best_[o + c - 1];
        starts_best_[o + c] = record ? start : starts_best_[o + c - 1];
        starts_arg_[o + c] = record ? c : starts_arg_[o + c - 1];
        const int K = kmax_[i];
        double best = starts_best_[o + c];  // K = 1: the one state, a run of one slot
        int state = 0;
        if (K >= 2) {
          // runs of q + 1 < K slots: the best start x in [c - K + 2, c], worth starts_best_[x] + g (c - x)
          const double g = full_gain_[i];
          int* q = window_.data() + o;
          int& head = window_head_[i];
          int& tail = window_tail_[i];
          const auto key = [&](int x) { return starts_best_[o + x] - g * x; };
          const double kc = key(c);
          while (tail > head && key(q[tail - 1]) <= kc) --tail;  // ties: the later start (the shorter run)
          q[tail++] = c;
          while (q[head] < c - K + 2) ++head;
          const int x = q[head];
          best = starts_best_[o + x] + g * (c - x);
          state = c - x;
          if (c >= K) {  // a run of K slots (or more: nothing is left after K) from a start by count c - K + 1
            const double v = starts_best_[o + c - K + 1] + last_gain_[i];
            if (v > best) {
              best = v;
              state = K - 1;
            }
          }
        }
        pending_best_[i] = best;
        pending_state_[i] = state;
        pending_count_[i] = c;
        dirty_.push_back(i);
      }
    }
    refresh_best();
    // Trace back from the best final state (nothing worked: 0), candidate by candidate.
    double best = 0.0;
    int i = -1;
    for (int j = 0; j < C; ++j)
      if (best_state_[j] >= 0 && best_of_[j] > best) {
        best = best_of_[j];
        i = j;
      }
    row_cells_.assign(S, idle);
    for (int q = i >= 0 ? best_state_[i] : 0, c = i >= 0 ? best_count_[i] : 0; i >= 0;) {
      const std::size_t o = W * i;
      const int x = starts_arg_[o + c - q];
      for (int y = x; y <= x + q; ++y) row_cells_[slot_at_[o + y]] = cand_[i];
      const start_source e = starts_from_[o + x];
      i = e.candidate;
      q = e.state;
      c = e.count;
    }
    for (int k = 0; k < S; ++k) {
      const std::size_t cm = pb.ms(m, pb.eval_order[k]);
      row_plan_[cm] = pb.lock[cm] >= 0 ? pb.lock[cm] : row_cells_[k];
    }
  }

  // rebuild_row: block b cannot be worked in slot t, whose lock is lk (-1: none): another block's
  // lock holds the slot, or t is outside b's window.
  bool barred(int b, int t, std::int32_t lk) const { return (lk >= 0 && lk != b) || !in_window(b, t); }

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
  // run_reorder scratch: a row's stretches of one value [first, second) and their new order
  std::vector<std::pair<int, int>> stretches_;
  std::vector<int> stretch_order_;
  // row_rebuild scratch
  std::vector<std::int32_t> row_plan_;
  std::vector<double> left_;
  std::vector<int> prev_scratch_, cum_scratch_, cnt_scratch_, touched_scratch_, used_scratch_;
  struct role_count {  // after slot `slot` (evaluation order), role `role` has `count` on the block
    int slot, role, count;
  };
  std::vector<std::vector<role_count>> seq_log_;  // per block, in slot order: work_left's changes
  std::vector<int> block_cum_;                    // [b*(S+1)*R + k*R + r]: see block_cum()
  std::vector<std::uint64_t> block_cum_stamp_;    // block_cum_ of b is current when = log_stamp_
  std::uint64_t log_stamp_ = 0;                   // work_left calls with sequencing so far
  std::vector<int> cand_, state_base_, kmax_, best_state_, pending_state_, dirty_, use_index_, landing_use_, reach_;
  std::vector<int> by_best_, alive_pos_;  // the live candidates by best_of_ (descending); the order each came alive
  std::vector<std::uint8_t> in_row_;
  std::vector<double> value_, best_of_, pending_best_, switch_, min_switch_, first_gain_, next_gain_;
  struct choice_entry {
    std::uint32_t stamp = 0;  ///< the slot stamp the entry belongs to (0: none)
    std::int32_t from = 0;    ///< ~(the state before the slot); the slot worked
  };
  std::vector<choice_entry> choice_;  // rebuild_row's DP: where each improved state came from
  // rebuild_row_by_starts: per candidate i, at [i*(S+1) + c] for its c-th workable slot
  struct start_source {  // where a run's start came from: nothing, or a candidate's best state
    int candidate = -1;  ///< -1: nothing worked before
    int state = 0;       ///< that candidate's state (run length - 1)
    int count = 0;       ///< and its workable slots then
  };
  std::vector<double> starts_best_;        // the best start among counts 1..c (prefix maxima)
  std::vector<int> starts_arg_, slot_at_;  // the first count attaining it; the slot (evaluation order) of count c
  std::vector<start_source> starts_from_;  // the start at count c
  std::vector<int> window_;                // the monotone queue of starts (counts) of each candidate
  std::vector<int> window_head_, window_tail_, count_, best_count_, pending_count_;
  std::vector<double> full_gain_, last_gain_;
  std::vector<std::int32_t> row_cells_;  // the rebuilt row, by evaluation position
  bool state_tables_ = false;            // rebuild_row always by state tables (use_state_tables)
  std::vector<std::uint32_t> slot_stamp_;
  std::uint32_t stamp_ = 0;
  struct landing_cell {  // work_left on one landing: a cell of it, at its evaluation position
    int position, machine;
    std::int32_t block;
  };
  std::vector<landing_cell> landing_cells_, bucket_cells_;
  std::vector<int> bucket_start_, bucket_fill_, slot_machines_;
  std::vector<std::int32_t> slot_block_;
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

/// A harvest operator: a name, and propose() writes a sanitised move into mv (false: no move).
template <class Op>
concept harvest_operator = requires(const Op op, operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) {
  { Op::name } -> std::convertible_to<std::string_view>;
  { op.propose(kern, plan, r, mv) } -> std::same_as<bool>;
};

}  // namespace fhops::harvest
