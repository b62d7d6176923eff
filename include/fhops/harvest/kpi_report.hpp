/// \file
/// The reference's console KPI summary (heuristics.md §8.2) and a JSON rendering of KPIs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "fhops/harvest/kpi.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::harvest {

/// How much of the KPI summary to print.
enum class kpi_mode { basic, extended };

namespace detail {

// A JSON-object string prints as `k=v, k=v` (sorted keys), other strings as they are.
inline std::string kpi_text_value(const std::string& s) {
  if (s.size() < 2 || s.front() != '{') return s;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(s).get(obj)) return s;
  std::map<std::string, std::string> items;
  for (auto field : obj) {
    double d = 0;
    std::string_view sv;
    if (!field.value.get(d)) items[std::string(field.key)] = python_float_repr(d);
    else if (!field.value.get(sv)) items[std::string(field.key)] = std::string(sv);
    else items[std::string(field.key)] = simdjson::minify(field.value);
  }
  std::string out;
  for (const auto& [k, v] : items) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

}  // namespace detail

/// The KPI summary: `KPI Summary`, then each section with present keys as `  key: value`
/// (floats `.3f`). `basic` prints Production and Mobilisation only.
inline std::string kpi_summary_text(const kpi_result& k, kpi_mode mode = kpi_mode::extended) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> sections{
      {"Production", {"total_production", "completed_blocks", "makespan_day", "makespan_shift"}},
      {"Mobilisation", {"mobilisation_cost", "mobilisation_cost_by_machine", "mobilisation_cost_by_landing"}},
      {"Utilisation",
       {"utilisation_ratio_mean_shift", "utilisation_ratio_weighted_shift", "utilisation_ratio_mean_day",
        "utilisation_ratio_weighted_day", "utilisation_ratio_by_machine", "utilisation_ratio_by_role"}},
      {"Downtime", {"downtime_hours_total", "downtime_event_count", "downtime_production_loss_est", "downtime_hours_by_machine"}},
      {"Weather", {"weather_severity_total", "weather_hours_est", "weather_production_loss_est", "weather_severity_by_machine"}},
      {"Sequencing",
       {"sequencing_violation_count", "sequencing_violation_blocks", "sequencing_violation_days",
        "sequencing_violation_breakdown"}},
  };
  std::string out = "KPI Summary\n";
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (mode == kpi_mode::basic && i >= 2) break;
    std::string body;
    for (const auto& key : sections[i].second) {
      const kpi_value* v = k.find(key);
      if (!v) continue;
      std::string text;
      if (const double* d = std::get_if<double>(v)) text = fmt::format("{:.3f}", *d);
      else if (const long long* n = std::get_if<long long>(v)) text = std::to_string(*n);
      else text = detail::kpi_text_value(std::get<std::string>(*v));
      body += "  " + key + ": " + text + "\n";
    }
    if (!body.empty()) out += sections[i].first + "\n" + body;
  }
  if (const kpi_value* alert = k.find("repair_usage_alert"))
    out += "Repair Usage Alert: non-default FPInnovations usage bucket for " + std::get<std::string>(*alert) + "\n";
  return out;
}

/// The KPIs as one JSON object, keys in KPI order, numbers in shortest round-trip form.
inline std::string kpis_json(const kpi_result& k) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, v] : k.totals) {
    if (!first) out += ",";
    first = false;
    out += json_quote(key) + ":";
    if (const double* d = std::get_if<double>(&v)) out += json_number(*d);
    else if (const long long* n = std::get_if<long long>(&v)) out += std::to_string(*n);
    else out += json_quote(std::get<std::string>(v), false);
  }
  return out + "}";
}

}  // namespace fhops::harvest
