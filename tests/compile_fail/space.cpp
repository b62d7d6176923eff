// A search run over a "space" that cannot evaluate a move without making it (a space needs
// score, evaluate, apply, snapshot and restore; undo is not part of the contract).
// expect: search_space
#include "common.hpp"

struct no_evaluate_space : probe::tsp::space {
  using probe::tsp::space::space;
#ifdef FHOPS_MISUSE
  double evaluate(const probe::tsp::state&, const probe::tsp::move&) = delete;
#endif
};

int main() {
  const probe::tsp::instance in = probe::tsp::circle(6);
  no_evaluate_space sp(in);
  probe::tsp::neighbourhood nb;
  fhops::rng random(1);
  fhops::search::fixed_weights select({1.0, 1.0});
  fhops::search::search_run run(sp, nb, select, random, fhops::search::termination{10, 0.0, 0, std::nullopt});
  return static_cast<int>(run.iteration());
}
