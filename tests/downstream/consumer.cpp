// Loads a scenario with the installed headers and prints its greedy objective.
#include <iostream>

#include <fhops/harvest/harvest.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer SCENARIO\n";
    return 2;
  }
  const fhops::harvest::problem pb(fhops::harvest::load_scenario(argv[1]));
  const auto e = fhops::harvest::evaluate(pb, fhops::harvest::greedy_schedule(pb));
  std::cout << "greedy objective " << e.score << "\n";
  return 0;
}
