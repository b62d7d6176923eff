/// \file
/// An upper bound on the score of every plan of a scenario, for users: `scenario_bound` runs the
/// Lagrangian relaxation of lagrangian.hpp (block work and landing capacity priced, one exact row
/// per machine) from the score of a quick plan (greedy, sanitised greedy or empty) as the Polyak target, within an iteration
/// and time budget, and `relative_gap` compares a plan's score with the bound.
///
/// The bound holds for any scenario and any plan, penalty events included (the proof, term by
/// term, is at lagrangian_bound); sequencing prerequisites, locks left idle and penalties are
/// relaxed away, which can only make it looser. Whatever the budget, the smallest L found so far
/// is returned; only when not one subgradient step finished in time is there no bound.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/lagrangian.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/deadline.hpp"

namespace fhops::harvest {

/// Parameters of scenario_bound.
struct bound_parameters {
  int iterations = 2000;          ///< subgradient steps at most
  double time_limit = 0.0;        ///< seconds of wall clock at most, the greedy target included (0: no limit)
  std::optional<double> target;   ///< a known plan's score (Polyak target); default: the best of the greedy plan, its sanitised copy and the empty plan

  void validate() const {
    if (iterations < 1) throw std::invalid_argument("bound.iterations must be >= 1 (got " + std::to_string(iterations) + ")");
    if (!(std::isfinite(time_limit) && time_limit >= 0.0))
      throw std::invalid_argument("bound.time_limit must be a finite number of seconds >= 0 (got " + std::to_string(time_limit) + ")");
    if (target && !std::isfinite(*target)) throw std::invalid_argument("bound.target must be finite");
  }
};

/// What scenario_bound found.
struct bound_result {
  std::optional<double> upper_bound;  ///< no plan scores more; empty when no step finished in time
  double target = 0.0;                ///< the plan score the steps aimed at
  int iterations = 0;                 ///< finished subgradient steps
  double seconds = 0.0;               ///< wall clock, target included
  bool out_of_time = false;           ///< the time limit stopped the steps
  std::string method = "lagrangian";  ///< how the bound was obtained
};

/// The upper bound of every plan of `pb` by the Lagrangian relaxation (see the file comment),
/// within `p.iterations` steps, `p.time_limit` seconds and `stop` (whichever ends first).
inline bound_result scenario_bound(const problem& pb, const bound_parameters& p = {}, const deadline& stop = {}) {
  p.validate();
  const auto start = std::chrono::steady_clock::now();
  const deadline own = p.time_limit > 0.0 ? deadline(stop.clamp(p.time_limit)) : stop;
  bound_result out;
  if (p.target) {
    out.target = *p.target;
  } else {  // the best of the greedy plan, its sanitised copy and the empty plan (0 without locks)
    const schedule greedy = greedy_schedule(pb);
    out.target = std::max({evaluate(pb, greedy).score, evaluate(pb, sanitised(pb, greedy)).score, evaluate(pb, schedule(pb)).score});
  }
  const lagrangian_result r = lagrangian_bound(pb, {.iterations = p.iterations, .initial_step = 2.0, .halve_after = 20, .target = out.target}, own);
  if (r.iterations > 0) out.upper_bound = r.bound;
  out.iterations = r.iterations;
  out.out_of_time = r.out_of_time;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

/// The relative gap of a plan scoring `objective` under the bound `upper_bound`:
/// (upper_bound - objective) / |upper_bound|, the share of the bound the plan may still be short
/// of the optimum (0: the plan is optimal). Empty when the bound is 0 and the plan is not (the
/// ratio has no finite value).
inline std::optional<double> relative_gap(double upper_bound, double objective) {
  if (upper_bound == 0.0) return objective == 0.0 ? std::optional<double>(0.0) : std::nullopt;
  return (upper_bound - objective) / std::fabs(upper_bound);
}

}  // namespace fhops::harvest
