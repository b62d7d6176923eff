// An annealer over a type that is not an acceptance rule.
// expect: acceptance_rule
#include "common.hpp"

struct not_an_acceptance {
  bool accept(double) { return true; }  // the wrong signature, no start()/commit()
};

int main() {
#ifdef FHOPS_MISUSE
  using algo = fhops::search::annealer<fhops::search::geometric_cooling, not_an_acceptance>;
#else
  using algo = fhops::search::annealer<fhops::search::geometric_cooling, fhops::search::late_acceptance>;
#endif
  return probe::solve(algo{}) > 0 ? 0 : 1;
}
