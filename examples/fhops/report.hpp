// Printing an evaluation: the text block and the one-object JSON of `fhops evaluate`.
#pragma once

#include <string>

#include <fmt/format.h>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/kpi_report.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops_cli {

/// `Objective: …` and the components, one per line.
inline std::string evaluation_text(const fhops::harvest::evaluation& e) {
  return fmt::format(
      "Objective: {:.3f}\n  production: {:.3f}\n  mobilisation_cost: {:.3f}\n  transitions: {}\n"
      "  landing_slack: {:.3f}\n  penalty_events: {}\n",
      e.score, e.production, e.mobilisation_cost, e.transitions, e.landing_slack, e.penalty_events);
}

/// One JSON object: objective, components (shortest round-trip numbers) and the KPIs.
inline std::string evaluation_json(const fhops::harvest::evaluation& e, const fhops::harvest::kpi_result& k) {
  using fhops::python_json_float;
  return fmt::format(
      "{{\"objective\":{},\"production\":{},\"mobilisation_cost\":{},\"transitions\":{},\"landing_slack\":{},"
      "\"penalty_events\":{},\"kpis\":{}}}",
      python_json_float(e.score), python_json_float(e.production), python_json_float(e.mobilisation_cost),
      e.transitions, python_json_float(e.landing_slack), e.penalty_events, fhops::harvest::kpis_json(k));
}

}  // namespace fhops_cli
