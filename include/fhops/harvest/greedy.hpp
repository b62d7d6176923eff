/// \file
/// The reference's greedy initial schedule (problem_model.md §6) and its sanitiser (§7.1).
#pragma once

#include <vector>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"

namespace fhops::harvest {

/// The greedy seed: slots in construction order, machines in scenario order, each free machine on
/// the highest-rate open block (ties: the lexicographically largest block id). It ignores landing
/// capacity, prerequisites and mobilisation, exactly as the reference does.
inline schedule greedy_schedule(const problem& pb) {
  schedule s(pb);
  std::vector<double> remaining = pb.work;
  for (int t = 0; t < pb.num_slots; ++t) {
    const int d = pb.slot_day[t];
    for (int m = 0; m < pb.num_machines; ++m) {
      const std::size_t c = pb.ms(m, t);
      if (!pb.available[c]) continue;
      if (pb.lock[c] >= 0) {  // placed before the blackout check; remaining not reduced
        s.cells[c] = pb.lock[c];
        continue;
      }
      if (pb.blacked_out[c]) continue;
      int best = -1;
      double best_rate = 0.0;
      for (int b = 0; b < pb.num_blocks; ++b) {
        const double r = pb.rate[pb.mb(m, b)];
        if (d < pb.earliest[b] || d > pb.latest[b] || remaining[b] <= completion_epsilon ||
            !pb.role_allowed[pb.mb(m, b)] || !(r > 0))
          continue;
        if (best < 0 || r > best_rate || (r == best_rate && pb.block_ids[b] > pb.block_ids[best])) {
          best = b;
          best_rate = r;
        }
      }
      if (best >= 0) {
        s.cells[c] = best;
        const double left = remaining[best] - best_rate;
        remaining[best] = left > 0.0 ? left : 0.0;
      }
    }
  }
  return s;
}

/// The reference's sanitiser, in place: machine-major, slots in construction order. Locks are
/// forced (without using landing capacity); unavailable, blacked-out and forbidden-role cells are
/// cleared; cells over a landing's per-slot capacity are cleared first-come in machine order
/// (capacity 0 means unlimited here, reference quirk Q9). Windows, work and prerequisites are not
/// checked. `usage` is scratch of size num_slots * num_landings. In `priced` mode, with objective
/// weight landing_slack > 0, a cell over capacity is kept when it can pay its slack
/// (keeps_on_landing); `reference` mode and landing_slack == 0 are the reference's sanitiser.
inline void sanitise(const problem& pb, schedule& s, std::vector<int>& usage,
                     landing_capacity_mode mode = landing_capacity_mode::priced) {
  usage.assign(static_cast<std::size_t>(pb.num_slots) * pb.num_landings, 0);
  for (int m = 0; m < pb.num_machines; ++m) {
    for (int t = 0; t < pb.num_slots; ++t) {
      const std::size_t c = pb.ms(m, t);
      if (pb.lock[c] >= 0) {
        s.cells[c] = pb.lock[c];
        continue;
      }
      const int b = s.cells[c];
      if (b < 0) continue;
      if (!pb.available[c] || pb.blacked_out[c] || !pb.role_allowed[pb.mb(m, b)]) {
        s.cells[c] = idle;
        continue;
      }
      const int l = pb.landing_of[b];
      int& u = usage[static_cast<std::size_t>(t) * pb.num_landings + l];
      if (!keeps_on_landing(pb, mode, m, b, u, pb.landing_capacity[l])) {
        s.cells[c] = idle;
        continue;
      }
      ++u;
    }
  }
}

/// Sanitises a copy of the schedule.
inline schedule sanitised(const problem& pb, schedule s, landing_capacity_mode mode = landing_capacity_mode::priced) {
  std::vector<int> usage;
  sanitise(pb, s, usage, mode);
  return s;
}

}  // namespace fhops::harvest
