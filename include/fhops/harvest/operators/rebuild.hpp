/// \file
/// Large-neighbourhood rebuilds by the kernel's row DP: row_rebuild (one or two machines' rows),
/// landing_rebuild (the crews of one landing, one after the other) and landing_swap (machines trade
/// landings, their rows rebuilt over the blocks of their new landing).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhops/harvest/operators/kernel.hpp"

namespace fhops::harvest {

/// row_rebuild: clear machine m's row and rebuild it by dynamic programming. With the other
/// machines fixed, m's production on block b adds min(rate, what is left of b) per slot, where
/// "left" is the work the others leave unfinished (total production of a block is min(W_b, sum
/// of its attempts) whatever their order); switching blocks costs wM*move cost + wT. States are
/// (block, slots worked in the current run); the DP picks the best row. Sometimes a second
/// machine is cleared first and rebuilt after m, so two machines can trade their blocks. The
/// move is scored exactly by the caller like any other: the DP only chooses what to propose.
struct row_rebuild_operator {
  static constexpr std::string_view name = "row_rebuild";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    if (pb.num_machines < 1 || pb.num_slots < 1) return false;
    const int S = pb.num_slots;
    kern.row_plan_.assign(plan.cells.begin(), plan.cells.end());
    const int m = static_cast<int>(r.below(pb.num_machines));
    int m2 = -1;
    if (pb.num_machines > 1 && r.chance(0.5)) {
      m2 = static_cast<int>(r.below(pb.num_machines - 1));
      if (m2 >= m) ++m2;
    }
    if (m2 >= 0)  // the second machine starts from an empty row (its locks stay)
      for (int t = 0; t < S; ++t) kern.row_plan_[pb.ms(m2, t)] = pb.lock[pb.ms(m2, t)] >= 0 ? pb.lock[pb.ms(m2, t)] : idle;
    kern.rebuild_row(m, r, false);
    if (m2 >= 0) kern.rebuild_row(m2, r, false);
    kern.group_.assign({m});
    if (m2 >= 0) kern.group_.push_back(m2);
    return kern.rows_changed(plan, mv);
  }
};
static_assert(harvest_operator<row_rebuild_operator>);

/// landing_rebuild: the machines working on the landing of a random assignment (at most
/// group_limit of them, half the time one more machine from anywhere) are cleared and rebuilt by
/// the row DP one after another (the crew in a random order, the extra machine last), each
/// against the rows rebuilt before it;
/// then, where the scenario has sequencing, each is rebuilt once more against all the others.
/// The DP sees every block the machine can work (no candidate sampling), so the second pass is a
/// best response per machine. Without sequencing the machines of a crew interact only through the
/// work they leave and the landing's room, which the first pass already sees machine by machine:
/// there the second pass is skipped, which halves the operator's cost (at 10 s on the crews
/// families the gap fell from ~2.5 % to ~1.9 % on the mean; with sequencing two passes stayed
/// better: bench/RESULTS.md, "landing_rebuild: one pass without sequencing").
/// It costs as much as thirty or more single-row rebuilds, and a SA step tries the operators in a
/// weighted order until one is accepted (a Tabu step tries them all), so a rarely accepted operator
/// is tried in most steps whatever its weight: it proposes on turn_share of its turns only (a
/// declined turn costs one random draw and passes to the next operator).
struct landing_rebuild_operator {
  static constexpr std::string_view name = "landing_rebuild";
  static constexpr double turn_share = 0.3;
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    const int S = pb.num_slots, M = pb.num_machines;
    if (!r.chance(turn_share)) return false;
    kern.group_.clear();
    if (!kern.add_landing_crew(plan, r, kern.group_limit)) return false;
    if (static_cast<int>(kern.group_.size()) < M && r.chance(0.5)) {
      int x = static_cast<int>(r.below(M));
      while (std::find(kern.group_.begin(), kern.group_.end(), x) != kern.group_.end()) x = (x + 1) % M;
      kern.group_.push_back(x);
    }
    kern.row_plan_.assign(plan.cells.begin(), plan.cells.end());
    for (const int x : kern.group_)
      for (int t = 0; t < S; ++t) kern.row_plan_[pb.ms(x, t)] = pb.lock[pb.ms(x, t)] >= 0 ? pb.lock[pb.ms(x, t)] : idle;
    const int passes = pb.has_sequencing ? 2 : 1;
    for (int pass = 0; pass < passes; ++pass)
      for (const int x : kern.group_) kern.rebuild_row(x, r, true);
    return kern.rows_changed(plan, mv);
  }
};
static_assert(harvest_operator<landing_rebuild_operator>);

/// landing_swap: a machine's landing is the landing of the block it works most (none when idle).
/// A random machine m and a random machine m2 on another landing swap landings (a fifth of the
/// time m alone moves to a random other landing): both rows are cleared and rebuilt twice by the
/// row DP over the blocks of their new landing only (a machine without a landing takes every
/// block), each against the other's new row; half the time the machines already on the two new
/// landings are then rebuilt once more against the newcomers (any block, sampled as in
/// row_rebuild). Tries up to `attempts_` draws for movers that can work on their new landings.
struct landing_swap_operator {
  static constexpr std::string_view name = "landing_swap";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    const int M = pb.num_machines, S = pb.num_slots, L = pb.num_landings;
    if (M < 1 || S < 1 || L < 2) return false;
    kern.home_.assign(M, -1);
    kern.use_.assign(L, 0);
    for (int x = 0; x < M; ++x) {
      std::fill(kern.use_.begin(), kern.use_.end(), 0);
      for (int t = 0; t < S; ++t)
        if (const std::int32_t v = plan.cells[pb.ms(x, t)]; v >= 0) ++kern.use_[pb.landing_of[v]];
      const auto most = std::max_element(kern.use_.begin(), kern.use_.end());
      if (*most > 0) kern.home_[x] = static_cast<int>(most - kern.use_.begin());
    }
    const auto can_work = [&](int x, int l) {
      if (l < 0) return true;
      for (const int b : kern.blocks_for_machine_[x])
        if (pb.landing_of[b] == l) return true;
      return false;
    };
    int m = -1, m2 = -1, to_m = -1, to_m2 = -1;
    for (int a = 0; a < kern.attempts_ && m < 0; ++a) {
      const int x = static_cast<int>(r.below(M));
      int y = -1;
      if (!r.chance(0.2)) {
        y = static_cast<int>(r.below(M));
        if (y == x || kern.home_[y] == kern.home_[x]) y = -1;
      }
      const int lx = y >= 0 ? kern.home_[y] : static_cast<int>(r.below(L));
      const int ly = y >= 0 ? kern.home_[x] : -1;
      if (lx == kern.home_[x] || !can_work(x, lx) || (y >= 0 && !can_work(y, ly))) continue;
      m = x, m2 = y, to_m = lx, to_m2 = ly;
    }
    if (m < 0) return false;
    kern.row_plan_.assign(plan.cells.begin(), plan.cells.end());
    kern.group_.assign({m});
    if (m2 >= 0) kern.group_.push_back(m2);
    for (const int x : kern.group_)
      for (int t = 0; t < S; ++t) kern.row_plan_[pb.ms(x, t)] = pb.lock[pb.ms(x, t)] >= 0 ? pb.lock[pb.ms(x, t)] : idle;
    for (int pass = 0; pass < 2; ++pass) {
      kern.rebuild_row(m, r, true, to_m);
      if (m2 >= 0) kern.rebuild_row(m2, r, true, to_m2);
    }
    if (r.chance(0.5)) {
      const std::size_t movers = kern.group_.size();
      for (int x = 0; x < M; ++x)
        if (x != m && x != m2 && kern.home_[x] >= 0 && (kern.home_[x] == to_m || kern.home_[x] == to_m2)) kern.group_.push_back(x);
      for (std::size_t i = movers; i < kern.group_.size(); ++i) kern.rebuild_row(kern.group_[i], r, false);
    }
    return kern.rows_changed(plan, mv);
  }
};
static_assert(harvest_operator<landing_swap_operator>);

}  // namespace fhops::harvest
