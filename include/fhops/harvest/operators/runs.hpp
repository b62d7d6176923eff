/// \file
/// Run operators: they move whole block sequences of one machine (run_fill, run_extend, run_clear,
/// run_swap, run_replace, run_reorder).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "fhops/harvest/operators/kernel.hpp"

namespace fhops::harvest {

/// run_fill: a machine works one compatible block over a random stretch of the block's window.
struct run_fill_operator {
  static constexpr std::string_view name = "run_fill";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    if (pb.num_machines < 1 || pb.num_slots < 1) return false;
    for (int i = 0; i < kern.attempts_; ++i) {
      const int m = static_cast<int>(r.below(pb.num_machines));
      const auto& blocks = kern.blocks_for_machine_[m];
      if (blocks.empty()) continue;
      const int b = blocks[r.below(blocks.size())];
      const int lo = kern.slot_lo(b), hi = kern.slot_hi(b);
      if (lo >= hi) continue;
      const int t1 = lo + static_cast<int>(r.below(hi - lo));
      const int len = 1 + static_cast<int>(r.below(hi - t1));
      mv.changes.clear();
      for (int t = t1; t < t1 + len; ++t) mv.changes.push_back({m, t, 0, b});
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<run_fill_operator>);

/// run_extend: a run grows forwards or backwards by a random length (within the block's window).
struct run_extend_operator {
  static constexpr std::string_view name = "run_extend";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    for (int i = 0; i < kern.attempts_; ++i) {
      int m = 0, t = 0;
      if (!kern.random_assignment(plan, r, m, t)) return false;
      const int b = plan.at(m, t);
      const auto [a, z] = kern.run_around(plan, m, t);
      const int lo = kern.slot_lo(b), hi = kern.slot_hi(b);
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
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<run_extend_operator>);

/// run_clear: a run (whole, or its part before or after a random cut) becomes idle.
struct run_clear_operator {
  static constexpr std::string_view name = "run_clear";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    for (int i = 0; i < kern.attempts_; ++i) {
      int m = 0, t = 0;
      if (!kern.random_assignment(plan, r, m, t)) return false;
      auto [a, z] = kern.run_around(plan, m, t);
      const double u = r.uniform01();
      if (u < 0.3) z = t + 1;        // the head up to t
      else if (u < 0.6) a = t;       // the tail from t
      mv.changes.clear();
      for (int s = a; s < z; ++s) mv.changes.push_back({m, s, 0, idle});
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<run_clear_operator>);

/// run_swap: two machines exchange their cells over a random stretch of slots.
struct run_swap_operator {
  static constexpr std::string_view name = "run_swap";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    if (pb.num_machines < 2 || pb.num_slots < 1) return false;
    for (int i = 0; i < kern.attempts_; ++i) {
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
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<run_swap_operator>);

/// run_replace: a whole run switches to another block the machine can work.
struct run_replace_operator {
  static constexpr std::string_view name = "run_replace";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    for (int i = 0; i < kern.attempts_; ++i) {
      int m = 0, t = 0;
      if (!kern.random_assignment(plan, r, m, t)) return false;
      const auto& blocks = kern.blocks_for_machine_[m];
      if (blocks.size() < 2) continue;
      const int b = plan.at(m, t);
      int nb = blocks[r.below(blocks.size())];
      if (nb == b) continue;
      const auto [a, z] = kern.run_around(plan, m, t);
      mv.changes.clear();
      for (int s = a; s < z; ++s) mv.changes.push_back({m, s, 0, nb});
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<run_replace_operator>);

/// run_reorder: the order of one machine's runs changes, their lengths and blocks kept. The row is
/// cut into stretches of one value (runs and idle gaps); the run of a random assignment and the
/// 1st-4th run before or after it (at random) either trade places, the stretches between them
/// shifting by the difference of their lengths, or the whole sequence from one to the other is
/// reversed (2-opt on the row's tour of blocks). Mobilisation and transitions follow the new order;
/// a run moved outside its block's window, or before its prerequisite roles, produces less, which
/// the exact evaluation prices. Where mobilisation dominates, the single-cell and run moves cannot
/// reorder a tour without passing through much worse plans; this move does it in one step
/// (bench/RESULTS.md, "run_reorder").
struct run_reorder_operator {
  static constexpr std::string_view name = "run_reorder";
  static constexpr int reach = 4;  ///< the other run is the 1st..reach-th run away
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const int S = plan.num_slots;
    auto& stretch = kern.stretches_;
    auto& order = kern.stretch_order_;
    for (int i = 0; i < kern.attempts_; ++i) {
      int m = 0, t = 0;
      if (!kern.random_assignment(plan, r, m, t)) return false;
      stretch.clear();
      int here = -1;
      for (int a = 0; a < S;) {
        const std::int32_t v = plan.at(m, a);
        int z = a + 1;
        while (z < S && plan.at(m, z) == v) ++z;
        if (a <= t && t < z) here = static_cast<int>(stretch.size());
        stretch.push_back({a, z});
        a = z;
      }
      const int n = static_cast<int>(stretch.size());
      const int runs_away = 1 + static_cast<int>(r.below(reach));
      const int step = r.chance(0.5) ? 1 : -1;
      int other = here;
      for (int found = 0; found < runs_away;) {
        other += step;
        if (other < 0 || other >= n) break;
        if (plan.at(m, stretch[other].first) >= 0) ++found;
      }
      if (other < 0 || other >= n) continue;
      const int p = std::min(here, other), q = std::max(here, other);
      order.clear();
      if (r.chance(0.5)) {  // p and q trade places
        order.push_back(q);
        for (int j = p + 1; j < q; ++j) order.push_back(j);
        order.push_back(p);
      } else {  // p..q reversed
        for (int j = q; j >= p; --j) order.push_back(j);
      }
      mv.changes.clear();
      int u = stretch[p].first;
      for (const int j : order) {
        const std::int32_t v = plan.at(m, stretch[j].first);
        for (int k = stretch[j].first; k < stretch[j].second; ++k, ++u)
          if (plan.at(m, u) != v) mv.changes.push_back({m, u, 0, v});
      }
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<run_reorder_operator>);

}  // namespace fhops::harvest
