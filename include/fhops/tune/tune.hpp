/// \file
/// Everything of the tuning library: spaces, strategies (random, grid, TPE, racing) and the runner.
#pragma once

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/grid_search.hpp"
#include "fhops/tune/race.hpp"
#include "fhops/tune/random_search.hpp"
#include "fhops/tune/runner.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/tune/tpe.hpp"
