// Brute force for the harvest tests: every plan of a small problem, (B + 1)^(M S) of them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"

namespace fhops_test {

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
