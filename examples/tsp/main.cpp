// A random Euclidean travelling-salesman instance solved with two algorithms of the generic search
// library: simulated annealing and tabu search. The problem itself (tsp_problem.hpp) is two small
// types, a space and a neighbourhood; everything else comes from fhops/search/.
//
// Usage: fhops_example_tsp [SEED [CITIES]]   (defaults 42 and 60)
// Prints the length of the random start tour and of the best tour each algorithm finds. The same
// seed gives the same output: every random draw comes from an fhops::rng seeded here, and no run
// is stopped by the clock.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhops/search/search.hpp"
#include "fhops/util/rng.hpp"
#include "tsp_problem.hpp"

namespace {

namespace search = fhops::search;

// Runs `algorithm` from `start` and prints the best tour's length; false when the result is not a
// tour of the right length (it always is; the check keeps the example honest).
template <class Algorithm>
bool solve(const char* name, Algorithm algorithm, const tsp::instance& cities, const std::vector<int>& start,
           search::termination stop, std::uint64_t seed) {
  // The problem services: the space scores tours and makes moves, the neighbourhood proposes them
  // (operator 0: 2-opt reversal of a segment, operator 1: swap of two cities).
  tsp::space space(cities);
  tsp::neighbourhood moves;
  // The operator selection policy: fixed weights pick which operator proposes first at each step
  // (here 2-opt three times as often as swap). search::adaptive_roulette would learn them instead.
  search::fixed_weights select({3.0, 1.0});
  // Randomness is always passed in: this stream drives proposals and acceptance.
  fhops::rng random(seed);
  // The run object keeps the bookkeeping every algorithm shares: counters, best tour, termination.
  search::search_run run(space, moves, select, random, stop);
  tsp::state state = space.make_state(start);
  const auto result = algorithm.run(run, state);
  const double length = cities.length(result.best);
  std::printf("%-4s tour length: %.2f  (%lld iterations, %lld moves evaluated, %lld made)\n", name, length / 100.0,
              result.iterations, result.evaluations, result.accepted);
  return cities.is_tour(result.best) && -result.best_score == length;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 42;
  std::size_t n = 60;
  try {
    if (argc > 3) throw std::invalid_argument("too many arguments");
    if (argc > 1) seed = std::stoull(argv[1]);
    if (argc > 2) n = std::stoul(argv[2]);
    if (n < 4 || n > 2000) throw std::invalid_argument("CITIES must be in [4, 2000]");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "usage: fhops_example_tsp [SEED [CITIES]] (%s)\n", e.what());
    return 2;
  }

  // n cities uniform in a 10 x 10 square; distances are kept in hundredths (integers), so lengths
  // are printed divided by 100. The start tour visits the cities in a random order.
  const tsp::instance cities = tsp::random_instance(n, seed);
  const std::vector<int> start = tsp::random_tour(n, fhops::derive_seed(seed, 1));
  std::printf("random Euclidean TSP: %zu cities, seed %llu\n", n, static_cast<unsigned long long>(seed));
  std::printf("initial tour length: %.2f\n", cities.length(start) / 100.0);

  bool ok = true;
  // Simulated annealing = the annealer algorithm over two policies:
  // - a cooling schedule, here budget_cooling: the temperature falls exponentially from 200 to 0.5
  //   (in hundredths of length) over the iteration budget;
  // - an acceptance rule, here metropolis: a better tour is always taken, a worse one with
  //   probability exp(-increase / temperature).
  // restart_period = 0: never jump back to the start tour (useful for FHOPS plans, not for tours).
  const search::annealer<search::budget_cooling, search::metropolis> sa(
      {.batch = 0, .restart_period = 0}, search::budget_cooling({.initial_temperature = 200.0, .final_temperature = 0.5}));
  ok &= solve("sa", sa, cities, start, {.max_iterations = 40'000}, fhops::derive_seed(seed, 2));

  // Tabu search: each step evaluates `candidates` random moves and makes the best one that is not
  // tabu, even when it is worse. A move makes the edges it removes tabu for `tenure` moves, so
  // the search cannot walk straight back (a tabu move is still allowed if it beats the best).
  const search::tabu_search tabu({.tenure = 15, .candidates = 100});
  ok &= solve("tabu", tabu, cities, start, {.max_iterations = 3'000}, fhops::derive_seed(seed, 3));
  return ok ? 0 : 1;
}
