/// \file
/// The reference's five operators (heuristics.md §2): swap, move, block_insertion, cross_exchange and
/// mobilisation_shake, with their feasibility rules; every move goes through the kernel's sanitiser.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "fhops/harvest/operators/kernel.hpp"

namespace fhops::harvest {

/// swap: one slot, two machines exchange their cells (may be a no-op, as in the reference).
struct swap_operator {
  static constexpr std::string_view name = "swap";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    if (pb.num_machines < 2 || pb.num_slots < 1) return false;
    const int t = static_cast<int>(r.below(pb.num_slots));
    const int m1 = static_cast<int>(r.below(pb.num_machines));
    int m2 = static_cast<int>(r.below(pb.num_machines - 1));
    if (m2 >= m1) ++m2;
    mv.changes.push_back({m1, t, 0, plan.at(m2, t)});
    mv.changes.push_back({m2, t, 0, plan.at(m1, t)});
    return kern.finish(plan, mv);
  }
};
static_assert(harvest_operator<swap_operator>);

/// move: one machine's src cell overwrites its dst cell, src becomes idle.
struct move_operator {
  static constexpr std::string_view name = "move";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    if (pb.num_machines < 1 || pb.num_slots < 1) return false;
    const int m = static_cast<int>(r.below(pb.num_machines));
    if (pb.num_slots == 1) {
      mv.changes.push_back({m, 0, 0, idle});
      return kern.finish(plan, mv);
    }
    const int src = static_cast<int>(r.below(pb.num_slots));
    int dst = static_cast<int>(r.below(pb.num_slots - 1));
    if (dst >= src) ++dst;
    mv.changes.push_back({m, dst, 0, plan.at(m, src)});
    mv.changes.push_back({m, src, 0, idle});
    return kern.finish(plan, mv);
  }
};
static_assert(harvest_operator<move_operator>);

/// block_insertion: an assignment moves to another machine-slot inside its window with a positive
/// rate and no conflicting lock; the result must differ and keep the block at the target.
/// mobilisation_shake: the same, to a target at least one day away, preferring the target whose
/// occupant is farthest from the block, then the largest day shift.
struct block_insertion_operator {
  static constexpr std::string_view name = "block_insertion";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const { return place(kern, plan, r, mv, false); }

  /// The move, or with `shake` mobilisation_shake's.
  static bool place(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv, bool shake) {
    const problem& pb = *kern.pb_;
    for (int src_try = 0; src_try < (shake ? 4 : kern.attempts_ / 4 + 1); ++src_try) {
      int m = 0, t = 0;
      if (!kern.random_assignment(plan, r, m, t)) return false;
      const int b = plan.at(m, t);
      const auto& machines = kern.machines_for_block_[b];
      const int lo = kern.slot_lo(b), hi = kern.slot_hi(b);
      if (machines.empty() || lo >= hi) continue;
      if (!shake) {
        for (int i = 0; i < kern.attempts_; ++i) {
          const int mt = machines[r.below(machines.size())];
          const int tt = lo + static_cast<int>(r.below(hi - lo));
          if ((mt == m && tt == t) || !kern.lock_allows(mt, tt, b)) continue;
          if (kern.try_place(plan, mv, m, t, mt, tt, b)) return true;
        }
        continue;
      }
      // Shake: rank every target by (distance of its occupant, day shift), random tie order.
      kern.targets_.clear();
      const int day = pb.slot_day[t];
      for (const int mt : machines)
        for (int tt = lo; tt < hi; ++tt) {
          const int dd = std::abs(pb.slot_day[tt] - day);
          if (dd < 1 || !kern.lock_allows(mt, tt, b)) continue;
          const int occ = plan.at(mt, tt);
          const double dist = occ >= 0 && occ != b ? pb.distance[static_cast<std::size_t>(b) * pb.num_blocks + occ] : 0.0;
          kern.targets_.push_back({dist, dd, r(), mt, tt});
        }
      std::sort(kern.targets_.begin(), kern.targets_.end(), [](const operator_kernel::target& a, const operator_kernel::target& c) {
        if (a.distance != c.distance) return a.distance > c.distance;
        if (a.day_delta != c.day_delta) return a.day_delta > c.day_delta;
        return a.tie < c.tie;
      });
      for (std::size_t i = 0; i < kern.targets_.size() && i < static_cast<std::size_t>(kern.attempts_); ++i)
        if (kern.try_place(plan, mv, m, t, kern.targets_[i].machine, kern.targets_[i].slot, b)) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<block_insertion_operator>);

/// mobilisation_shake: block_insertion to a target at least one day away (see block_insertion_operator).
struct mobilisation_shake_operator {
  static constexpr std::string_view name = "mobilisation_shake";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    return block_insertion_operator::place(kern, plan, r, mv, true);
  }
};
static_assert(harvest_operator<mobilisation_shake_operator>);

/// cross_exchange: two assignments on different machines trade blocks (rates and windows must fit).
struct cross_exchange_operator {
  static constexpr std::string_view name = "cross_exchange";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    for (int i = 0; i < kern.attempts_; ++i) {
      int ma = 0, sa = 0, mb = 0, sb = 0;
      if (!kern.random_assignment(plan, r, ma, sa) || !kern.random_assignment(plan, r, mb, sb)) return false;
      if (ma == mb) continue;
      const int ba = plan.at(ma, sa), bb = plan.at(mb, sb);
      if (!(pb.rate[pb.mb(ma, bb)] > 0.0) || !(pb.rate[pb.mb(mb, ba)] > 0.0)) continue;
      if (!kern.in_window(bb, sa) || !kern.in_window(ba, sb)) continue;
      mv.changes.clear();
      mv.changes.push_back({ma, sa, 0, bb});
      mv.changes.push_back({mb, sb, 0, ba});
      kern.sanitise(plan, mv.changes);
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
};
static_assert(harvest_operator<cross_exchange_operator>);

}  // namespace fhops::harvest
