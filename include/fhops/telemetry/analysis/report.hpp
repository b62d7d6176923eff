/// \file
/// The telemetry report (telemetry_tuning.md §4.1): best and mean objective per (algorithm,
/// scenario) from a SQLite store, with the best run's id, start time and configuration, the tuner
/// summaries, the machine-cost summary and the repair-usage alert; written as CSV (CRLF, `%.6f`),
/// Markdown (`%.3f`) or HTML. Unlike the reference, every run with an objective is covered: the
/// algorithm is the tuner of `context.source` (cli.tune-*), else `context.algorithm`, else
/// `tuner_meta.algorithm`, else the solver (sa, ils, tabu, mip, ...).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/html.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::telemetry {

/// One row of the report.
struct report_row {
  std::string algorithm, scenario;
  long long runs = 0;
  double best_objective = 0.0, mean_objective = 0.0;
  std::string best_run_id, best_started_at, best_config;
  std::optional<double> summary_best;
  std::optional<long long> summary_configurations;
  std::string summary_updated_at;
  std::string machine_costs_summary, repair_usage_alert;
};

/// Python's `str()` of a JSON scalar (`True`, `2`, `0.5`, text as is); empty for null.
inline std::string python_str(const json& v) {
  if (v.is_null()) return "";
  if (v.is_bool()) return std::get<bool>(v.value) ? "True" : "False";
  if (v.is_int()) return std::to_string(std::get<long long>(v.value));
  if (v.is_float()) return python_float_repr(std::get<double>(v.value));
  if (v.is_string()) return v.as_string();
  return dump(v, json_style{false, false});
}

/// `machine_costs` rendered on one line (§1.4): `role: own=X, op=Y, rep=Z, usage=N,NNNh, base=YYYY CAD`
/// per machine with any cost part, joined with ` | `.
inline std::string machine_costs_summary(const json& costs) {
  if (!costs.is_array()) return "";
  std::string out;
  for (const json& m : costs.as_array()) {
    std::vector<std::string> parts;
    const auto part = [&](const char* key, const char* label) {
      const json* v = m.find(key);
      if (v && !v->is_null()) parts.push_back(std::string(label) + "=" + python_str(*v));
    };
    part("ownership", "own");
    part("operating", "op");
    part("repair_maintenance", "rep");
    const json* usage = m.find("usage_bucket_hours");
    if (!usage || usage->is_null()) usage = m.find("repair_usage_hours");
    if (usage && usage->is_number()) {
      std::string digits = fmt::format("{:.0f}", usage->as_double()), grouped;
      const std::size_t lead = digits[0] == '-' ? 1 : 0;
      for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > lead && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
      }
      parts.push_back("usage=" + grouped + "h");
    }
    if (const json* base = m.find("cost_base_year"); base && !base->is_null()) parts.push_back("base=" + python_str(*base) + " CAD");
    if (parts.empty()) continue;
    std::string name = "unknown";
    if (auto r = m.string_at("role"); r && !r->empty()) name = *r;
    else if (auto id = m.string_at("machine_id"); id && !id->empty()) name = *id;
    std::string line = name + ": ";
    for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : "") + parts[i];
    out += (out.empty() ? "" : " | ") + line;
  }
  return out;
}

/// `best_config` (§4.1): `batch_size`, `max_workers`, `iters`, `perturbation_strength` when set, then
/// the enabled operators (weight > 0) alphabetically as `operators=(name:w, ...)`. (The reference
/// shows the first three operators alphabetically whatever their weight, so never swap or move.)
inline std::string best_config_text(const json& config) {
  std::vector<std::string> parts;
  for (const char* key : {"batch_size", "max_workers", "iters", "perturbation_strength"}) {
    const json* v = config.find(key);
    if (v && !v->is_null() && !(v->is_string() && v->as_string().empty())) parts.push_back(std::string(key) + "=" + python_str(*v));
  }
  if (const json* ops = config.find("operators"); ops && ops->is_object()) {
    std::vector<std::pair<std::string, std::string>> on;
    for (const auto& [k, v] : ops->as_object())
      if (v.is_number() && v.as_double() > 0) on.emplace_back(k, python_str(v));
    std::sort(on.begin(), on.end());
    std::string text = "operators=(";
    for (std::size_t i = 0; i < on.size(); ++i) text += (i ? ", " : "") + on[i].first + ":" + on[i].second;
    parts.push_back(text + ")");
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

namespace detail {

// The string members `keys` of a JSON object text (padded for simdjson), empty when absent.
template <std::size_t N>
std::array<std::string, N> string_fields(simdjson::dom::parser& parser, std::string_view text, const char* const (&keys)[N]) {
  std::array<std::string, N> out;
  if (text.empty()) return out;
  simdjson::dom::element e;
  if (parser.parse(text.data(), text.size(), false).get(e)) {
    if (auto v = json_parser().parse(text))  // Python's NaN/Infinity: the slow, tolerant path
      for (std::size_t i = 0; i < N; ++i)
        if (auto s = v->string_at(keys[i])) out[i] = *s;
    return out;
  }
  for (std::size_t i = 0; i < N; ++i) {
    std::string_view s;
    if (!e[keys[i]].get_string().get(s)) out[i] = std::string(s);
  }
  return out;
}

// True when the runs table has the report columns of schema 4 (a store not migrated has not).
inline bool has_report_columns(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name IN ('fhops_algorithm', 'fhops_objective')");
  q.executeStep();
  SQLite::Statement idx(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'runs_report'");
  idx.executeStep();
  return q.getColumn(0).getInt() == 2 && idx.getColumn(0).getInt() == 1;
}

// The algorithm of a run from its JSON columns, read with simdjson without building a tree.
inline std::string run_algorithm(simdjson::dom::parser& parser, std::string_view context, std::string_view tuner_meta,
                                 std::string_view solver) {
  static constexpr const char* context_keys[] = {"source", "algorithm"};
  static constexpr const char* tuner_keys[] = {"algorithm"};
  const auto [source, algorithm] = string_fields(parser, context, context_keys);
  const auto [tuner_algorithm] = string_fields(parser, tuner_meta, tuner_keys);
  return report_algorithm(source, algorithm, tuner_algorithm, solver);
}

}  // namespace detail

/// Builds the report rows from a store, sorted by (algorithm, scenario).
inline std::vector<report_row> build_report(sqlite_store& store) {
  return store.guard([&] {
    auto& db = store.database();
    // Tuner summaries, oldest first, so the newest entry per (algorithm, scenario key) wins.
    struct summary {
      double best;
      std::optional<long long> configurations;
      std::string created_at;
    };
    std::map<std::pair<std::string, std::string>, summary> summaries;
    {
      SQLite::Statement q(db, "SELECT algorithm, configurations, scenario_best_json, created_at FROM tuner_summaries ORDER BY created_at");
      json_parser parser;
      while (q.executeStep()) {
        const std::string algorithm = q.getColumn(0).isNull() ? "unknown" : q.getColumn(0).getString();
        const auto best = parser.parse(q.getColumn(2).getString());
        if (!best || !best->is_object()) continue;
        for (const auto& [key, v] : best->as_object()) {
          if (!v.is_number()) continue;
          summaries[{algorithm, key}] = {v.as_double(),
                                         q.getColumn(1).isNull() ? std::nullopt : std::optional<long long>(q.getColumn(1).getInt64()),
                                         q.getColumn(3).getString()};
        }
      }
    }
    // Per (algorithm, scenario): count, sum and the best run (ties: the first written, lowest rowid).
    struct group {
      long long runs = 0;
      double sum = 0.0, best = 0.0;
      long long best_rowid = 0;
    };
    std::map<std::pair<std::string, std::string>, group> groups;
    const auto add = [&](std::string algorithm, std::string scenario, long long n, double sum, double best, long long rowid) {
      auto& g = groups[{std::move(algorithm), std::move(scenario)}];
      if (g.runs == 0 || best > g.best || (best == g.best && rowid < g.best_rowid)) {
        g.best = best;
        g.best_rowid = rowid;
      }
      g.runs += n;
      g.sum += sum;
    };
    const auto text = [](const SQLite::Column& c, const char* null_text = "") { return c.isNull() ? std::string(null_text) : c.getString(); };
    // Runs written by this store since schema 4 carry their reported algorithm and objective: one
    // pass over the covering index (algorithm, scenario, objective), no JSON read.
    const bool report_columns = detail::has_report_columns(db);
    if (report_columns) {
      SQLite::Statement q(db, "SELECT fhops_algorithm, scenario, COUNT(*), SUM(fhops_objective), MAX(fhops_objective) FROM runs"
                              " INDEXED BY runs_report WHERE fhops_algorithm IS NOT NULL AND fhops_objective IS NOT NULL"
                              " GROUP BY fhops_algorithm, scenario");
      SQLite::Statement first(db, "SELECT MIN(rowid) FROM runs WHERE fhops_algorithm = ? AND scenario IS ? AND fhops_objective = ?");
      while (q.executeStep()) {
        const double best = q.getColumn(4).getDouble();
        first.bind(1, q.getColumn(0).getString());
        if (q.getColumn(1).isNull()) first.bind(2);
        else first.bind(2, q.getColumn(1).getString());
        first.bind(3, best);
        first.executeStep();
        const long long rowid = first.getColumn(0).getInt64();
        first.reset();
        add(q.getColumn(0).getString(), text(q.getColumn(1), "unknown"), q.getColumn(2).getInt64(), q.getColumn(3).getDouble(), best, rowid);
      }
    }
    // Other runs (a store the reference wrote, or rows it replaced): the algorithm from the JSON.
    {
      SQLite::Statement q(db, std::string("SELECT runs.rowid, solver, scenario, context_json, tuner_meta_json, m.value FROM runs"
                                          " JOIN run_metrics m ON m.run_id = runs.run_id AND m.name = 'objective'") +
                                  (report_columns ? " WHERE runs.fhops_algorithm IS NULL" : ""));
      simdjson::dom::parser parser;
      std::string context_buf, tuner_buf;
      const auto padded = [](std::string& buf, const SQLite::Column& c) {
        buf.assign(c.isNull() ? "" : c.getText(), c.isNull() ? 0 : static_cast<std::size_t>(c.getBytes()));
        const std::size_t n = buf.size();
        buf.resize(n + simdjson::SIMDJSON_PADDING);
        return std::string_view(buf.data(), n);
      };
      while (q.executeStep()) {
        if (q.getColumn(5).isNull()) continue;
        const double objective = q.getColumn(5).getDouble();
        const std::string_view context = padded(context_buf, q.getColumn(3));
        const std::string_view tuner = padded(tuner_buf, q.getColumn(4));
        add(detail::run_algorithm(parser, context, tuner, text(q.getColumn(1))), text(q.getColumn(2), "unknown"), 1, objective, objective,
            q.getColumn(0).getInt64());
      }
    }
    std::vector<report_row> rows;
    json_parser reader;
    SQLite::Statement best_run(db, "SELECT runs.run_id, started_at, config_json, context_json, a.value_text FROM runs"
                                   " LEFT JOIN run_kpis a ON a.run_id = runs.run_id AND a.name = 'repair_usage_alert'"
                                   " WHERE runs.rowid = ?");
    for (auto& [key, g] : groups) {
      report_row r;
      r.algorithm = key.first;
      r.scenario = key.second;
      r.runs = g.runs;
      r.best_objective = g.best;
      r.mean_objective = g.sum / static_cast<double>(g.runs);
      best_run.bind(1, static_cast<std::int64_t>(g.best_rowid));
      if (best_run.executeStep()) {
        r.best_run_id = text(best_run.getColumn(0));
        r.best_started_at = text(best_run.getColumn(1));
        if (!best_run.getColumn(2).isNull())
          if (auto c = reader.parse(best_run.getColumn(2).getString())) r.best_config = best_config_text(*c);
        if (!best_run.getColumn(3).isNull())
          if (auto c = reader.parse(best_run.getColumn(3).getString()))
            if (const json* costs = c->find("machine_costs")) r.machine_costs_summary = machine_costs_summary(*costs);
        r.repair_usage_alert = text(best_run.getColumn(4));
      }
      best_run.reset();
      if (auto it = summaries.find(key); it != summaries.end()) {
        r.summary_best = it->second.best;
        r.summary_configurations = it->second.configurations;
        r.summary_updated_at = it->second.created_at;
      }
      rows.push_back(std::move(r));
    }
    return rows;
  });
}

namespace detail {

// A CSV field with Python csv's minimal quoting.
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

inline std::vector<std::string> csv_cells(const report_row& r) {
  return {r.algorithm, r.scenario, std::to_string(r.runs), fmt::format("{:.6f}", r.best_objective),
          fmt::format("{:.6f}", r.mean_objective), r.best_run_id, r.best_started_at, r.best_config,
          r.summary_best ? fmt::format("{:.6f}", *r.summary_best) : "",
          r.summary_configurations ? std::to_string(*r.summary_configurations) : "", r.summary_updated_at,
          r.machine_costs_summary, r.repair_usage_alert};
}

}  // namespace detail

/// The CSV columns of §4.1.
inline constexpr std::string_view report_csv_columns[] = {
    "algorithm", "scenario", "runs", "best_objective", "mean_objective", "best_run_id", "best_started_at", "best_config",
    "summary_best", "summary_configurations", "summary_updated_at", "machine_costs_summary", "repair_usage_alert"};

/// The report as CSV: the §4.1 columns, CRLF line endings, `%.6f`, minimal quoting.
inline std::string report_csv(const std::vector<report_row>& rows) {
  std::string out;
  for (std::size_t i = 0; i < std::size(report_csv_columns); ++i) out += (i ? "," : "") + std::string(report_csv_columns[i]);
  out += "\r\n";
  for (const auto& r : rows) {
    const auto cells = detail::csv_cells(r);
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + detail::csv_field(cells[i]);
    out += "\r\n";
  }
  return out;
}

/// The report as Markdown: the §4.1 columns, `%.3f`, a trailing newline.
inline std::string report_markdown(const std::vector<report_row>& rows) {
  std::string out =
      "| Algorithm | Scenario | Best Objective | Mean Objective | Runs | Summary Best | Configurations | Machine Costs | "
      "Repair Usage Alert |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : rows)
    out += fmt::format("| {} | {} | {:.3f} | {:.3f} | {} | {} | {} | {} | {} |\n", r.algorithm, r.scenario, r.best_objective,
                       r.mean_objective, r.runs, r.summary_best ? fmt::format("{:.3f}", *r.summary_best) : "",
                       r.summary_configurations ? std::to_string(*r.summary_configurations) : "", r.machine_costs_summary,
                       r.repair_usage_alert);
  return out;
}

/// The report as a standalone HTML page (the CSV columns in a table, in the house style).
inline std::string report_html(const std::vector<report_row>& rows) {
  // The house page (html::page's style sheet), readable headers, 3 decimals like the Markdown, and
  // the long config JSON wrapped inside its cell; the table scrolls sideways on a narrow screen.
  std::string body =
      "<style>.table-scroll{overflow-x:auto;max-width:100%}td.config{min-width:16em;max-width:32em}"
      "td.config code{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em}</style>\n"
      "<div class=\"table-scroll\"><table>\n<tr>";
  for (const char* h : {"Algorithm", "Scenario", "Runs", "Best Objective", "Mean Objective", "Best Run", "Best Started At", "Best Config",
                        "Summary Best", "Configurations", "Summary Updated At", "Machine Costs", "Repair Usage Alert"})
    body += std::string("<th>") + h + "</th>";
  body += "</tr>\n";
  const auto cell = [](const std::string& text, const char* cls = nullptr) {
    return (cls ? fmt::format("<td class=\"{}\">", cls) : std::string("<td>")) + html::escape(text) + "</td>";
  };
  for (const auto& r : rows) {
    body += "<tr>" + cell(r.algorithm) + cell(r.scenario) + cell(std::to_string(r.runs), "n") + cell(fmt::format("{:.3f}", r.best_objective), "n") +
            cell(fmt::format("{:.3f}", r.mean_objective), "n") + cell(r.best_run_id) + cell(r.best_started_at) +
            "<td class=\"config\"><code>" + html::escape(r.best_config) + "</code></td>" +
            cell(r.summary_best ? fmt::format("{:.3f}", *r.summary_best) : "", "n") +
            cell(r.summary_configurations ? std::to_string(*r.summary_configurations) : "", "n") + cell(r.summary_updated_at) +
            cell(r.machine_costs_summary) + cell(r.repair_usage_alert) + "</tr>\n";
  }
  body += "</table></div>\n";
  return html::page("FHOPS telemetry report", body, fmt::format("Best and mean objective per algorithm and scenario ({} rows)", rows.size()));
}

/// `scenario (algorithm)` for every row with a repair-usage alert, sorted.
inline std::vector<std::string> repair_alerts(const std::vector<report_row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    if (!r.repair_usage_alert.empty()) out.push_back(r.scenario + " (" + r.algorithm + ")");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fhops::telemetry
