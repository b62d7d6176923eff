// Tabu search over a neighbourhood whose moves have no tabu attributes.
// expect: tabu_search needs a neighbourhood with tabu_made
#include "common.hpp"

int main() {
#ifdef FHOPS_MISUSE
  return probe::solve<probe::plain_neighbourhood>(fhops::search::tabu_search{}) > 0 ? 0 : 1;
#else
  // the same neighbourhood is fine for simulated annealing, and the full one for tabu search
  return probe::solve<probe::plain_neighbourhood>(fhops::search::annealer<>{}) +
                     probe::solve(fhops::search::tabu_search{}) > 0 ? 0 : 1;
#endif
}
