// The inputs the workflow tests tune and race on: the shipped demo scenario, its problem and SA's
// tuning space.
#pragma once

#include <vector>

#include "../test_support.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/workflows/tuning.hpp"

namespace fhops_test {

struct demo_inputs {
  std::vector<fhops::harvest::scenario> scenarios{fhops::harvest::load_scenario(demo())};
  std::vector<fhops::harvest::problem> problems{fhops::harvest::problem(scenarios[0])};
  fhops::tune::parameter_space space = fhops::harvest::solver_tuning_space(fhops::harvest::solver_kind::sa);
};

}  // namespace fhops_test
