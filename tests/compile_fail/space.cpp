// A search run over a "space" that cannot undo moves.
// expect: search_space
#include "common.hpp"

struct no_undo_space : probe::tsp::space {
  using probe::tsp::space::space;
#ifdef FHOPS_MISUSE
  void undo(probe::tsp::state&, const probe::tsp::move&) = delete;
#endif
};

int main() {
  const probe::tsp::instance in = probe::tsp::circle(6);
  no_undo_space sp(in);
  probe::tsp::neighbourhood nb;
  fhops::rng random(1);
  fhops::search::fixed_weights select({1.0, 1.0});
  fhops::search::search_run run(sp, nb, select, random, fhops::search::termination{10, 0.0, 0, std::nullopt});
  return static_cast<int>(run.iteration());
}
