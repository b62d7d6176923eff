// A search run with an operator selector that is not one.
// expect: operator_selector
#include "common.hpp"

struct not_a_selector {
  std::vector<double> weights;  // no order(), reward(), weight()
};

int main() {
  const probe::tsp::instance in = probe::tsp::circle(6);
  probe::tsp::space sp(in);
  probe::tsp::neighbourhood nb;
  fhops::rng random(1);
#ifdef FHOPS_MISUSE
  not_a_selector select{{1.0, 1.0}};
#else
  fhops::search::adaptive_roulette select({1.0, 1.0});
#endif
  fhops::search::search_run run(sp, nb, select, random, fhops::search::termination{10, 0.0, 0, std::nullopt});
  return static_cast<int>(run.iteration());
}
