// Shared by the compile-check probes: the TSP example problem (examples/tsp) and a
// neighbourhood without tabu attributes. Each probe compiles cleanly as is, and must fail with
// the message named on its `// expect:` line when FHOPS_MISUSE is defined.
#pragma once

#include "../../examples/tsp/tsp_problem.hpp"
#include "fhops/search/search.hpp"

namespace probe {

namespace tsp = ::tsp;

/// The TSP neighbourhood minus its tabu attributes.
struct plain_neighbourhood {
  tsp::neighbourhood inner;
  std::size_t operator_count() const { return inner.operator_count(); }
  std::string_view operator_name(std::size_t op) const { return inner.operator_name(op); }
  bool propose(std::size_t op, const tsp::state& s, fhops::rng& r, tsp::move& m) { return inner.propose(op, s, r, m); }
};

/// Runs `algo` on an 8-city circle (over `Space`, a tsp::space, with checkpoint hook `Hook`).
template <class Neighbourhood = tsp::neighbourhood, class Space = tsp::space, class Hook = fhops::search::no_checkpoint, class Algorithm>
double solve(Algorithm algo) {
  const tsp::instance in = tsp::circle(8);
  Space sp(in);
  Neighbourhood nb;
  fhops::search::fixed_weights select({1.0, 1.0});
  fhops::rng random(1);
  fhops::search::search_run run(sp, nb, select, random, fhops::search::termination{100, 0.0, 0, std::nullopt},
                                fhops::telemetry::null_observer{}, Hook{});
  tsp::state st = sp.make_state(tsp::identity_tour(8));
  return algo.run(run, st).best_score;
}

}  // namespace probe
