// Printing an evaluation: the text block and the one-object JSON of `fhops evaluate`.
#pragma once

#include <string>

#include <fmt/format.h>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/kpi_report.hpp"
#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/util/json_text.hpp"
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
  using fhops::json_number;
  return fmt::format(
      "{{\"objective\":{},\"production\":{},\"mobilisation_cost\":{},\"transitions\":{},\"landing_slack\":{},"
      "\"penalty_events\":{},\"kpis\":{}}}",
      json_number(e.score), json_number(e.production), json_number(e.mobilisation_cost),
      e.transitions, json_number(e.landing_slack), e.penalty_events, fhops::harvest::kpis_json(k));
}

/// The reference's `Operators: {...}` line (a Python dict repr of the weights).
inline std::string operators_repr(const fhops::harvest::operator_weights& w) {
  std::string out = "{";
  for (std::size_t i = 0; i < w.size(); ++i)
    out += (i ? ", '" : "'") + std::string(fhops::harvest::operator_names[i]) + "': " + fhops::python_float_repr(w[i]);
  return out + "}";
}

/// `Operator stats:` lines; counters print as floats as in the reference (Tabu omits accept_rate).
inline std::string operator_stats_text(const std::vector<fhops::telemetry::operator_counters>& ops, bool tabu) {
  std::string out = "Operator stats:\n";
  for (const auto& c : ops) {
    if (c.proposals == 0) continue;
    out += fmt::format("  {}: proposals={}, accepted={}", c.name, fhops::python_float_repr(static_cast<double>(c.proposals)),
                       fhops::python_float_repr(static_cast<double>(c.generated)));
    if (!tabu) out += fmt::format(", accept_rate={:.3f}", static_cast<double>(c.generated) / static_cast<double>(c.proposals));
    out += fmt::format(", weight={}, moves_made={}, new_bests={}\n", fhops::python_float_repr(c.weight), c.accepted, c.improvements);
  }
  return out;
}

/// One JSON object for a solve: objective, components, search counters, seed, KPIs;
/// `extra_fields` ("\"key\":value," each) go after the tier, then an ILS or Tabu run's SA warm
/// start evaluations (when one ran); the search counters are the ILS or Tabu phase's.
inline std::string solve_json(const std::string& command, const fhops::harvest::solve_outcome& o,
                              const fhops::harvest::kpi_result& k, const std::string& tier,
                              const std::string& extra_fields = "") {
  using fhops::json_number;
  const auto& s = o.search;
  std::string ops = "{";
  for (std::size_t i = 0; i < s.operators.size(); ++i) {
    const auto& c = s.operators[i];
    ops += fmt::format("{}{}:{{\"weight\":{},\"proposals\":{},\"generated\":{},\"accepted\":{},\"improvements\":{}}}",
                       i ? "," : "", fhops::json_quote(c.name), json_number(c.weight), c.proposals, c.generated,
                       c.accepted, c.improvements);
  }
  ops += "}";
  return fmt::format(
      "{{\"command\":{},\"objective\":{},\"production\":{},\"mobilisation_cost\":{},\"transitions\":{},"
      "\"landing_slack\":{},\"penalty_events\":{},\"initial_score\":{},\"iterations\":{},\"evaluations\":{},"
      "\"evaluations_per_second\":{},\"seconds\":{},\"seed\":{},\"restarts\":{},\"stop_reason\":\"{}\",{}{}"
      "\"operators\":{},\"kpis\":{}}}",
      fhops::json_quote(command), json_number(o.best.score), json_number(o.best.production),
      json_number(o.best.mobilisation_cost), o.best.transitions, json_number(o.best.landing_slack),
      o.best.penalty_events, json_number(o.initial.score), s.iterations, s.evaluations,
      json_number(s.seconds > 0 ? static_cast<double>(s.evaluations) / s.seconds : 0.0), json_number(s.seconds),
      o.seed, s.restarts, fhops::search::to_string(s.reason),
      tier.empty() ? std::string() : "\"tier\":" + fhops::json_quote(tier) + ",",
      extra_fields + (o.warm_start_evaluations > 0 ? fmt::format("\"sa_warm_start_evaluations\":{},", o.warm_start_evaluations) : ""), ops,
      fhops::harvest::kpis_json(k));
}

}  // namespace fhops_cli
