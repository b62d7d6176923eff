/// \file
/// `telemetry compare` as a self-contained HTML page (telemetry/analysis/compare.hpp computes the
/// comparison): the scenarios' box plots side by side, the groups' and pairs' tables, the
/// configurations and the verdicts.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/pages/svg_box_plot.hpp"
#include "fhops/pages/svg_chart.hpp"
#include "fhops/telemetry/analysis/compare.hpp"
#include "fhops/util/html.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::telemetry {

/// The comparison as a self-contained HTML page: the scenarios' box plots side by side (one panel
/// per scenario, one box per group), then per scenario the groups' and the pairs' tables, the
/// configurations and the verdicts. All text is escaped.
inline std::string compare_html(const comparison_result& r) {
  const auto e = [](std::string_view s) { return html::escape(s); };
  std::vector<std::string> domain;  // one colour per group across every panel
  for (const auto& sc : r.scenarios)
    for (const auto& g : sc.groups)
      if (std::find(domain.begin(), domain.end(), g.group) == domain.end()) domain.push_back(g.group);
  std::sort(domain.begin(), domain.end());
  std::vector<std::pair<std::string, std::string>> panels;
  for (const auto& sc : r.scenarios) {
    svg::box_plot c;
    c.title = sc.scenario;
    c.x.title = std::string(to_string(r.by));
    c.y.title = "objective";
    c.colour_domain = domain;
    c.width = std::max(360, 120 + 90 * static_cast<int>(sc.groups.size()));
    for (const auto& g : sc.groups) c.boxes.push_back({g.group, g.objectives});
    panels.emplace_back("", svg::render(c));
  }
  std::string body = "<p>" + e(fmt::format("{} run(s) compared by {}; the objective is maximised. Pairs: Wilcoxon signed-rank when the two "
                                           "groups can be paired by seed, else Mann-Whitney U; two-sided p-values, Holm-adjusted across "
                                           "the scenarios of each pair; significant when the adjusted p < {}.",
                                           r.runs, to_string(r.by), fhops::python_float_repr(r.alpha))) + "</p>\n";
  if (r.scenarios.empty()) body += "<p>No runs with an objective to compare.</p>\n";
  body += svg::facets(panels);
  if (!r.verdicts.empty()) {
    body += "<h2>Verdicts</h2>\n<ul class=\"verdicts\">\n";
    for (const auto& v : r.verdicts) body += "<li>" + e(verdict_text(v)) + "</li>\n";
    body += "</ul>\n";
  }
  std::map<std::string, std::string> configs;
  for (const auto& sc : r.scenarios) {
    body += "<h2>" + e(sc.scenario) + "</h2>\n<table class=\"groups\">\n<tr><th>group</th><th>runs</th><th>median</th><th>q1</th><th>q3</th>"
            "<th>min</th><th>max</th><th>mean</th></tr>\n";
    for (const auto& g : sc.groups) {
      body += "<tr><td>" + e(g.group) + "</td><td class=\"n\">" + std::to_string(g.objectives.size()) + "</td>";
      for (const double v : {g.median, g.q1, g.q3, g.min, g.max, g.mean}) body += "<td class=\"n\">" + detail::objective_text(v) + "</td>";
      body += "</tr>\n";
      if (r.by == compare_by::config) configs.emplace(g.group, g.config);
    }
    body += "</table>\n";
    if (sc.pairs.empty()) continue;
    body += "<table class=\"pairs\">\n<tr><th>pair</th><th>test</th><th>n</th><th>statistic</th><th>p</th><th>p (Holm)</th><th>A12</th>"
            "<th>better</th></tr>\n";
    for (const auto& p : sc.pairs)
      body += "<tr><td>" + e(p.a + " vs " + p.b) + "</td><td>" + e(std::string(p.test()) + (p.exact ? "" : " (normal)")) + "</td><td class=\"n\">" +
              detail::n_text(p) + "</td><td class=\"n\">" + e(detail::statistic_text(p)) +
              "</td><td class=\"n\">" + detail::p_text(p.p_value) + "</td><td class=\"n\">" + detail::p_text(p.p_holm) + "</td><td class=\"n\">" +
              fmt::format("{:.3f}", p.a12) + "</td><td>" + e(detail::better_text(p)) + "</td></tr>\n";
    body += "</table>\n";
  }
  if (!configs.empty()) {
    body += "<h2>Configurations</h2>\n<table class=\"configs\">\n<tr><th>group</th><th>configuration</th></tr>\n";
    for (const auto& [group, text] : configs) body += "<tr><td>" + e(group) + "</td><td>" + e(text) + "</td></tr>\n";
    body += "</table>\n";
  }
  return html::page(fmt::format("FHOPS comparison by {}", to_string(r.by)), body, r.source);
}

}  // namespace fhops::telemetry
