// Brute force for the harvest tests: every plan of a small problem, (B + 1)^(M S) of them, and the
// small problem they share.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/schedule.hpp"

namespace fhops_test {

/// Two machines, four blocks on two landings (L1 takes one machine per slot, L2 two), five days, a
/// gap in M2's calendar; block work binds, a move costs a setup plus walking or a flat fee. Small
/// enough to enumerate every plan.
inline fhops::harvest::scenario two_landings() {
  fhops::harvest::scenario sc;
  sc.name = "landings";
  sc.num_days = 5;
  sc.landings = {{"L1", 1}, {"L2", 2}};
  sc.blocks = {{"B1", "L1", 4.0, 1, 4, {}, {}}, {"B2", "L1", 3.0, 2, 5, {}, {}}, {"B3", "L2", 2.5, 1, 5, {}, {}},
               {"B4", "L2", 5.0, 3, 5, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}, {"M2", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 1.5}, {"M1", "B2", 1.0}, {"M1", "B3", 2.0}, {"M1", "B4", 1.2},
                         {"M2", "B1", 2.0}, {"M2", "B2", 1.5}, {"M2", "B3", 0.5}, {"M2", "B4", 1.8}};
  sc.calendar = {{"M2", 3, 0}};
  fhops::harvest::mobilisation_config mob;
  mob.machine_params = {{"M1", 0.01, 2.0, 100.0, 0.25}, {"M2", 0.02, 1.5, 100.0, 0.5}};
  mob.distances = {{"B1", "B2", 50.0}, {"B1", "B3", 300.0}, {"B2", "B3", 80.0}, {"B3", "B4", 20.0}};
  sc.mobilisation = mob;
  return sc;
}

/// The best score over the plans of `pb` that `keep(plan)` accepts.
template <class Keep>
double brute_force_best(const fhops::harvest::problem& pb, Keep keep) {
  const int S = pb.num_slots, B = pb.num_blocks, M = pb.num_machines;
  fhops::harvest::evaluator eval(pb);
  fhops::harvest::schedule s(pb);
  double best = -1e300;
  const long long plans = static_cast<long long>(std::pow(B + 1, M * S));
  for (long long code = 0; code < plans; ++code) {
    long long c = code;
    for (int m = 0; m < M; ++m)
      for (int t = 0; t < S; ++t, c /= B + 1) s.at(m, t) = static_cast<std::int32_t>(c % (B + 1)) - 1;
    if (keep(s)) best = std::max(best, eval(s).score);
  }
  return best;
}

/// The best score over every plan of `pb`.
inline double brute_force_optimum(const fhops::harvest::problem& pb) {
  return brute_force_best(pb, [](const fhops::harvest::schedule&) { return true; });
}

}  // namespace fhops_test
