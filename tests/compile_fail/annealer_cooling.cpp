// An annealer over a type that is not a cooling schedule.
// expect: cooling_schedule
#include "common.hpp"

struct not_a_cooling {
  double temperature() const { return 1.0; }  // no start(), no step()
};

int main() {
#ifdef FHOPS_MISUSE
  return probe::solve(fhops::search::annealer<not_a_cooling>{}) > 0 ? 0 : 1;
#else
  return probe::solve(fhops::search::annealer<fhops::search::geometric_cooling>{}) > 0 ? 0 : 1;
#endif
}
