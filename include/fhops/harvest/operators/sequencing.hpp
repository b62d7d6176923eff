/// \file
/// seq_fill: a run fill for role chains. Where sequencing is live, a machine works a block only inside
/// the room its prerequisite roles leave (or, for a prerequisite role, just before its dependants),
/// and the row DP keeps its runs inside that room too.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhops/harvest/operators/kernel.hpp"

namespace fhops::harvest {

/// seq_fill: a sequencing-aware run fill for blocks whose roles form a prerequisite chain. A
/// random machine m and block b where m's role has prerequisites (m follows) or is one (m leads):
/// a follower works b from a random slot where the prerequisites leave it room (sequence_room,
/// against the rest of the plan) for as long as the room lasts, up to a random length or, half
/// the time, the slots that finish what is left of b; a leader works b in a run that ends just
/// before the first slot a dependent role works b (anywhere in b's window when none does yet),
/// so the dependants' cells become productive. The move is scored exactly by the caller.
struct seq_fill_operator {
  static constexpr std::string_view name = "seq_fill";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    if (kern.seq_pairs_.empty()) return false;
    const int S = pb.num_slots;
    // the machine and landing left_ and the room were last worked out for (the plan stays put)
    int left_for = -2, left_landing = -1;
    for (int a = 0; a < kern.attempts_ / 4 + 1; ++a) {
      const auto [m, b] = kern.seq_pairs_[r.below(kern.seq_pairs_.size())];
      const int role = pb.machine_role[m];
      const auto [q0, q1] = pb.prerequisites(b, role);
      const bool follows = q0 != q1 && (r.chance(0.7) || !kern.leads_on(role, b));
      const auto usable = [&](int k) {
        const int t = pb.eval_order[k];
        const std::size_t c = pb.ms(m, t);
        return kern.in_window(b, t) && pb.available[c] && !pb.blacked_out[c] && kern.lock_allows(m, t, b);
      };
      mv.changes.clear();
      if (follows) {
        if (left_for != m || left_landing != pb.landing_of[b]) {  // a leader needs neither left_ nor the room
          left_for = m;
          left_landing = pb.landing_of[b];
          kern.work_left(m, left_landing, plan.cells.data());  // b's landing is all b's left_ and room depend on
        }
        if (kern.left_[b] <= 1e-9) continue;
        kern.cand_.clear();  // the slots a run may start at
        for (int k = 0; k < S; ++k)
          if (usable(k) && kern.sequence_room(m, b, k) >= 1) kern.cand_.push_back(k);
        if (kern.cand_.empty()) continue;
        const int k0 = kern.cand_[r.below(kern.cand_.size())];
        const double rate = pb.rate[pb.mb(m, b)];
        const int want = r.chance(0.5) ? static_cast<int>(std::ceil(kern.left_[b] / rate)) : 1 + static_cast<int>(r.below(S - k0));
        int count = 0;
        for (int k = k0; k < S && count < want; ++k) {
          if (!usable(k)) continue;
          if (count + 1 > kern.sequence_room(m, b, k)) break;
          ++count;
          mv.changes.push_back({m, pb.eval_order[k], 0, b});
        }
      } else {
        int first = S;  // the first slot (evaluation order) a dependent role works b
        for (int k = 0; k < S && first == S; ++k)
          for (int x = 0; x < pb.num_machines; ++x) {
            const std::int32_t v = plan.cells[pb.ms(x, pb.eval_order[k])];
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
      kern.sanitise(plan, mv.changes);
      if (!mv.changes.empty()) return true;
    }
    return false;
  }
};
static_assert(harvest_operator<seq_fill_operator>);

}  // namespace fhops::harvest
