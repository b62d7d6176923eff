/// \file
/// Umbrella header of the FHOPS harvest-scheduling domain: scenario loading, the derived problem,
/// schedules, the exact objective, the greedy seed and sanitiser, KPIs and assignments CSV.
#pragma once

#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/kpi_report.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/registry.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/schedule.hpp"
