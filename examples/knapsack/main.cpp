// A 0/1 knapsack solved by iterated local search (fhops/search), whose parameters are then tuned
// with a Tree-structured Parzen Estimator through the ask/tell API of fhops/tune.
//
// Usage: fhops_example_knapsack [SEED [TRIALS]]   (defaults 7 and 40)
// Prints the greedy packing's value, the value ILS reaches with its default parameters, the best
// configuration the tuner found, and the value ILS reaches with it. The same seed gives the same
// output (every random draw comes from an fhops::rng seeded here; no run is stopped by the clock).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "fhops/search/search.hpp"
#include "fhops/tune/tune.hpp"
#include "fhops/util/rng.hpp"
#include "knapsack_problem.hpp"

namespace {

namespace search = fhops::search;
namespace tune = fhops::tune;

// What a tuning trial sets: ILS's own parameters and the weight of the swap operator.
struct ils_settings {
  search::ils_parameters ils;  // the defaults: 3 perturbation moves, 10 stalls, 1 sample per operator
  double swap_weight = 1.0;    // 0 = flips only
};

// One ILS run of 200 iterations from the empty knapsack; returns the best value found.
long long run_ils(const knapsack::instance& in, const ils_settings& settings, std::uint64_t seed) {
  knapsack::space space(in);
  knapsack::neighbourhood moves(in);
  // The operator selection policy: operator k proposes first with a probability proportional to
  // its weight (flip 1, swap swap_weight; weight 0 disables an operator).
  search::fixed_weights select({1.0, settings.swap_weight});
  fhops::rng random(seed);
  search::search_run run(space, moves, select, random, {.max_iterations = 200});
  // Iterated local search: a local search (best of `samples` random moves while it improves), then
  // a perturbation of `perturbation_strength` random moves; after `stall_limit` iterations without
  // a new best it perturbs the best packing instead of the current one.
  search::iterated_local_search ils(settings.ils);
  knapsack::state state = space.empty();
  return static_cast<long long>(ils.run(run, state).best_score);
}

// The tuned parameters. `swap_weight` is conditional: it exists only when `operators` is
// "flip_swap" (only_when names the conditional parameter and its parent).
tune::parameter_space ils_space() {
  tune::parameter_space space;
  space.integer("perturbation_strength", 1, 10)
      .integer("stall_limit", 1, 50)
      .integer("samples", 1, 64, /*log=*/true)
      .categorical("operators", {"flip", "flip_swap"})
      .real("swap_weight", 0.1, 10.0, /*log=*/true);
  space.only_when("swap_weight", "operators", {"flip_swap"});
  return space;
}

ils_settings settings_of(const tune::configuration& c) {
  ils_settings s;
  s.ils.perturbation_strength = c.integer("perturbation_strength");
  s.ils.stall_limit = c.integer("stall_limit");
  s.ils.samples = c.integer("samples");
  s.swap_weight = c.category("operators") == "flip_swap" ? c.real("swap_weight") : 0.0;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 7;
  std::size_t trials = 40;
  try {
    if (argc > 3) throw std::invalid_argument("too many arguments");
    if (argc > 1) seed = std::stoull(argv[1]);
    if (argc > 2) trials = std::stoul(argv[2]);
    if (trials < 1 || trials > 10'000) throw std::invalid_argument("TRIALS must be in [1, 10000]");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "usage: fhops_example_knapsack [SEED [TRIALS]] (%s)\n", e.what());
    return 2;
  }

  const knapsack::instance in = knapsack::random_instance(60, seed);
  const double bound = knapsack::lp_bound(in);
  const auto gap = [&](long long value) { return 100.0 * (bound - static_cast<double>(value)) / bound; };
  std::printf("0/1 knapsack: %zu items, capacity %lld, seed %llu; LP bound %.1f\n", in.items.size(), in.capacity,
              static_cast<unsigned long long>(seed), bound);
  const long long greedy = knapsack::greedy_value(in);
  std::printf("greedy value: %lld (gap %.3f %%)\n", greedy, gap(greedy));
  const long long plain = run_ils(in, ils_settings{}, fhops::derive_seed(seed, 0));
  std::printf("ils default value: %lld (gap %.3f %%)\n", plain, gap(plain));

  // Tuning by ask/tell: the strategy proposes a configuration (ask), we run ILS with it and report
  // the result (tell). TPE draws its first 10 trials at random, then samples where the good
  // trials are dense. The objective is the gap to the LP bound, so the direction is minimise; each
  // trial's ILS gets its own seed, derived from the trial number.
  tune::tpe tuner(ils_space(), {.max_trials = trials, .direction = tune::direction::minimise});
  fhops::rng tuner_random(fhops::derive_seed(seed, 1));
  while (const auto trial = tuner.ask(tuner_random)) {
    const long long value = run_ils(in, settings_of(trial->config), fhops::derive_seed(seed, 100 + trial->number));
    tuner.tell(*trial, gap(value));
  }
  const tune::trial_result& best = *tuner.best();
  std::printf("best configuration of %zu TPE trials: %s (trial %zu, gap %.3f %%)\n", trials, best.t.config.json().c_str(),
              best.t.number, best.value);

  // The tuned configuration on a seed no trial used (a tuned configuration should hold on new runs,
  // not only on the one that scored it).
  const long long tuned = run_ils(in, settings_of(best.t.config), fhops::derive_seed(seed, 2));
  std::printf("ils tuned value: %lld (gap %.3f %%)\n", tuned, gap(tuned));
  return 0;
}
