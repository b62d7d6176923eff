/// \file
/// Umbrella header of the generic neighbourhood-search library.
#pragma once

#include "fhops/search/acceptance.hpp"
#include "fhops/search/annealer.hpp"
#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/search/cooling.hpp"
#include "fhops/search/iterated_local_search.hpp"
#include "fhops/search/multistart.hpp"
#include "fhops/search/operator_selection.hpp"
#include "fhops/search/run.hpp"
#include "fhops/search/tabu_search.hpp"
#include "fhops/search/termination.hpp"
