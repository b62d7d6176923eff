/// \file
/// The HTML charts of the report comparison and the history (telemetry_tuning.md §6.2, §6.4), as
/// self-contained pages of SVG line charts with point marks (the reference draws them with Altair):
/// the comparison has x = report label, y = best objective, colour = algorithm and one panel per
/// scenario; the history has x = snapshot, y = value, colour = algorithm and one panel per metric
/// (best objective first, then the metric columns in label order) in one section per scenario.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/pages/svg_chart.hpp"
#include "fhops/telemetry/analysis/frame.hpp"
#include "fhops/telemetry/analysis/history.hpp"
#include "fhops/util/html.hpp"

namespace fhops::telemetry {

namespace detail {

// The distinct texts of a column, sorted.
inline std::vector<std::string> distinct(const frame& f, const std::string& column) {
  std::vector<std::string> out;
  for (const auto& r : f.rows) out.push_back(cell_text(r, column));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// One panel: a series per algorithm (in `algorithms` order, shared colours), y from `value(row, k)`
// at category k for every row of the scenario.
template <class Value>
std::string panel(const frame& f, const std::string& scenario, const std::vector<std::string>& algorithms, svg::axis x,
                  const std::string& y_title, Value&& value) {
  svg::line_chart c;
  c.x = std::move(x);
  c.y.title = y_title;
  c.colour_domain = algorithms;
  // Wider panels for longer histories (a page of them scrolls; the labels thin out beyond this).
  c.width = static_cast<int>(std::clamp<std::size_t>(160 + 18 * c.x.categories.size(), 420, 1100));
  c.height = 280;
  for (const auto& a : algorithms) {
    svg::series s{a, {}};
    for (const auto& r : f.rows) {
      if (cell_text(r, "scenario") != scenario || cell_text(r, "algorithm") != a) continue;
      for (std::size_t k = 0; k < c.x.categories.size(); ++k) {
        const double v = value(r, k);
        if (!std::isnan(v)) s.points.push_back({static_cast<double>(k), v});
      }
    }
    std::sort(s.points.begin(), s.points.end(), [](const svg::point& p, const svg::point& q) { return p.x < q.x; });
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  return svg::render(c);
}

}  // namespace detail

/// The comparison chart: one panel per scenario, the reports along x.
inline std::string comparison_chart_html(const frame& combined, const std::vector<std::string>& labels) {
  const auto algorithms = detail::distinct(combined, "algorithm");
  std::vector<std::pair<std::string, std::string>> panels;
  for (const auto& scenario : detail::distinct(combined, "scenario"))
    panels.emplace_back(scenario, detail::panel(combined, scenario, algorithms, svg::axis{"Report", labels}, "Best Objective",
                                                [&](const record& r, std::size_t k) { return r.number("best_" + labels[k]); }));
  return html::page("Tuner report comparison", svg::facets(panels), "Best objective per report, algorithm and scenario");
}

/// The history chart's body (HTML without the page around it; the dashboard's /history shows
/// it too): for each scenario a row of panels, one per metric present, the snapshots along x.
inline std::string history_chart_body(const frame& history, std::span<const history_metric> metrics) {
  std::vector<history_metric> cols = {best_objective_metric};
  for (const auto& m : present_metrics(history, metrics)) cols.push_back(m);
  const auto algorithms = detail::distinct(history, "algorithm");
  const auto snapshots = detail::distinct(history, "snapshot");
  std::string body;
  for (const auto& scenario : detail::distinct(history, "scenario")) {
    std::vector<std::pair<std::string, std::string>> panels;
    for (const auto& m : cols) {
      const std::string column(m.column);
      panels.emplace_back(std::string(m.label),
                          detail::panel(history, scenario, algorithms, svg::axis{"Snapshot", snapshots}, std::string(m.label),
                                        [&](const record& r, std::size_t k) {
                                          return cell_text(r, "snapshot") == snapshots[k] ? r.number(column) : std::nan("");
                                        }));
    }
    body += "<h2>" + html::escape(scenario) + "</h2>\n" + svg::facets(panels);
  }
  return body;
}

/// The history chart as a page.
inline std::string history_chart_html(const frame& history, std::span<const history_metric> metrics) {
  return html::page("Tuner report history", history_chart_body(history, metrics), "Best objective and KPIs of the best runs per snapshot");
}

/// `v` with 3 decimals and its sign once: +4.000, -4.000 (0.000 unsigned).
inline std::string html_signed(double v) {
  const std::string text = fmt::format("{:.3f}", v);
  return text == "0.000" || text == "-0.000" ? "0.000" : (v > 0 ? "+" : "") + text;
}

/// The latest-versus-previous body (§6.5 as HTML; the reference rendered its Markdown with pandoc;
/// the dashboard's /history shows it too): a bar chart per metric of the change since the previous
/// snapshot (scenarios along x, a bar per algorithm) and the delta table (see the comment at the
/// table for its formats). Not enough history says so.
inline std::string delta_chart_body(const frame& deltas, const frame& history, std::span<const history_metric> metrics) {
  if (deltas.rows.empty()) return "<p><em>Not enough history to compute deltas yet.</em></p>\n";
  std::vector<history_metric> cols = {best_objective_metric};
  for (const auto& m : present_metrics(history, metrics)) cols.push_back(m);
  const auto algorithms = detail::distinct(deltas, "algorithm");
  const auto scenarios = detail::distinct(deltas, "scenario");
  std::vector<std::pair<std::string, std::string>> panels;
  for (const auto& m : cols) {
    svg::bar_chart c;
    c.title = "Δ " + std::string(m.label);
    c.x = svg::axis{"Scenario", scenarios};
    c.y.title = "change since the previous snapshot";
    c.colour_domain = algorithms;
    c.width = 460;
    c.height = 300;
    for (const auto& a : algorithms) {
      svg::bar_series b{a, std::vector<double>(scenarios.size(), std::nan(""))};
      for (const auto& r : deltas.rows)
        if (cell_text(r, "algorithm") == a)
          for (std::size_t k = 0; k < scenarios.size(); ++k)
            if (cell_text(r, "scenario") == scenarios[k]) b.values[k] = r.number(std::string(m.column) + "_delta");
      c.series.push_back(std::move(b));
    }
    panels.emplace_back("", svg::render(c));
  }
  // The HTML table (the CSV and Markdown keep the reference's formats): deltas signed once
  // (+4.000, -4.000), Δ% against |previous| so a gain reads as a gain when the baseline is
  // negative, "n/a" for a zero or missing baseline, the objective's cells coloured (it is maximised:
  // up is better), all in a container that scrolls sideways on a narrow screen.
  std::string table =
      "<style>.table-scroll{overflow-x:auto;max-width:100%}.better{background:#dafbe1}.worse{background:#ffebe9}</style>\n"
      "<div class=\"table-scroll\"><table>\n<tr><th>Scenario</th><th>Algorithm</th><th>Current</th><th>Previous</th>";
  for (const auto& m : cols)
    table += "<th>" + html::escape(std::string(m.label)) + "</th><th>Δ " + html::escape(std::string(m.label)) + "</th><th>Δ% " +
             html::escape(std::string(m.label)) + "</th>";
  table += "</tr>\n";
  for (const auto& r : deltas.rows) {
    table += "<tr>";
    for (const char* c : {"scenario", "algorithm", "snapshot_current", "snapshot_previous"}) table += "<td>" + html::escape(cell_text(r, c)) + "</td>";
    for (const auto& m : cols) {
      const std::string c(m.column);
      const double current = r.number(c), delta = r.number(c + "_delta");
      const double previous = current - delta;
      std::string pct;
      if (!std::isnan(delta)) pct = std::isnan(previous) || previous == 0.0 ? "n/a" : html_signed(100.0 * delta / std::abs(previous)) + "%";
      const char* cls = " class=\"n\"";
      if (m.column == best_objective_metric.column && !std::isnan(delta) && delta != 0.0)
        cls = delta > 0 ? " class=\"n better\"" : " class=\"n worse\"";
      table += "<td class=\"n\">" + html::escape(md_number(current)) + "</td>";
      table += std::string("<td") + cls + ">" + (std::isnan(delta) ? std::string() : html_signed(delta)) + "</td>";
      table += std::string("<td") + cls + ">" + pct + "</td>";
    }
    table += "</tr>\n";
  }
  table += "</table></div>\n";
  return svg::facets(panels) + table;
}

/// The latest-versus-previous page.
inline std::string delta_chart_html(const frame& deltas, const frame& history, std::span<const history_metric> metrics) {
  return html::page("Tuner report history: latest vs previous snapshot", delta_chart_body(deltas, history, metrics),
                    deltas.rows.empty() ? "" : "The last snapshot of each (scenario, algorithm) against the one before it");
}

}  // namespace fhops::telemetry
