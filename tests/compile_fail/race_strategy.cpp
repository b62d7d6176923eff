// run_race with a strategy that asks for trials, not for evaluations on instances.
// expect: instance_tuner_strategy
#include <fhops/tune/race.hpp>
#include <fhops/tune/tpe.hpp>

int main() {
  fhops::tune::parameter_space space;
  space.real("x", 0.0, 1.0);
#ifdef FHOPS_MISUSE
  fhops::tune::tpe strategy(space, {.max_trials = 10});
#else
  fhops::tune::race strategy(space, {.budget = 20, .blocks = 10});
#endif
  const auto results = fhops::tune::run_race(strategy, [](const fhops::tune::race_trial& t) { return t.t.config.real("x"); }, {1, 1});
  return static_cast<int>(results.size());
}
