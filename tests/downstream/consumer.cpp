// Loads a scenario with the installed headers, prints its greedy objective, then solves it briefly
// with simulated annealing (the README's "solving from code" snippet).
#include <iostream>

#include <fhops/harvest/harvest.hpp>
#include <fhops/harvest/solver.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer SCENARIO\n";
    return 2;
  }
  const fhops::harvest::problem pb(fhops::harvest::load_scenario(argv[1]));
  const auto e = fhops::harvest::evaluate(pb, fhops::harvest::greedy_schedule(pb));
  std::cout << "greedy objective " << e.score << "\n";
  fhops::harvest::solve_options options;
  options.stop = {.max_iterations = 2000, .max_seconds = 10.0};
  options.cooling = "budget";
  options.restart_period = 0;
  const auto out = fhops::harvest::solve(pb, options);
  std::cout << "solved objective " << out.best.score << "\n";
  return out.best.score > e.score ? 0 : 1;
}
