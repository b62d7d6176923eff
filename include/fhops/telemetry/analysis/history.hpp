/// \file
/// Comparing telemetry reports and following them over time (telemetry_tuning.md §6, the
/// reference's `analyze_tuner_reports`): several report CSVs joined on (algorithm, scenario) with
/// the best objective's delta against the first (baseline) report, the best algorithm per scenario
/// and report, a history of report snapshots with metrics looked up in each snapshot's SQLite
/// store, and the latest-versus-previous deltas. Tables are `frame`s written as pandas writes them;
/// Markdown follows the reference's spellings. The metrics looked up in the snapshot stores are a
/// parameter (the domain's KPI names live with the domain).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fnmatch.h>
#include <sqlite3.h>

#include "fhops/telemetry/analysis/frame.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/input_error.hpp"

namespace fhops::telemetry {

/// A report to compare: its label and its CSV (`fhops telemetry report --out-csv`, CRLF, or the
/// reference's layouts, old ones included).
struct report_source {
  std::string label;
  std::filesystem::path path;
};

/// `label=path` or `path` (label = the file or folder name without its suffix); a folder stands
/// for `<folder>/tuner_report.csv`. Throws std::invalid_argument for an empty label or path.
inline report_source parse_report_argument(const std::string& arg) {
  report_source s;
  const auto eq = arg.find('=');
  std::filesystem::path p = eq == std::string::npos ? arg : arg.substr(eq + 1);
  if (p.empty()) throw std::invalid_argument("--report '" + arg + "': the path is empty");
  s.label = eq == std::string::npos ? p.stem().string() : arg.substr(0, eq);
  if (s.label.empty()) s.label = p.filename().empty() ? p.parent_path().filename().string() : p.stem().string();
  if (s.label.empty()) throw std::invalid_argument("--report '" + arg + "': the label is empty");
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) p /= "tuner_report.csv";
  s.path = std::move(p);
  return s;
}

/// The columns every report (and history snapshot) must have.
inline constexpr std::string_view report_required_columns[] = {"algorithm", "scenario", "best_objective", "mean_objective",
                                                                "runs"};

/// A report CSV read as pandas reads it: algorithm lower-cased and stripped, scenario stripped, a
/// missing `best_run_id` column added as NA. Throws input_error naming the file (missing file) or
/// the file and the column (a required column is absent).
inline frame read_report_frame(const std::filesystem::path& path) {
  const csv_table t = csv_table::read(path);
  for (auto c : report_required_columns) t.require_column(c);
  frame f = read_frame(t);
  for (auto& r : f.rows) {
    std::string a = cell_text(r, "algorithm"), s = cell_text(r, "scenario");
    const auto strip = [](std::string x) { return std::string(fhops::detail::trim(x)); };
    a = strip(a);
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.set("algorithm", a);
    r.set("scenario", strip(s));
  }
  f.add_column("best_run_id");
  return f;
}

/// A loaded report: its label and rows.
struct labelled_report {
  std::string label;
  frame rows;
};

/// Reads each report (§6.1). The first is the baseline.
inline std::vector<labelled_report> load_reports(const std::vector<report_source>& sources) {
  std::vector<labelled_report> out;
  for (const auto& s : sources) out.push_back({s.label, read_report_frame(s.path)});
  return out;
}

/// The combined comparison (§6.2): the reports outer-joined on (algorithm, scenario) left to right,
/// each reduced to `best_run_id_<L>, best_<L>, mean_<L>, runs_<L>` (+ `machine_costs_<L>`,
/// `repair_usage_alert_<L>` when the report has them), sorted by (scenario, algorithm), then
/// `best_delta_<L> = best_<L> − best_<baseline>` for each later report.
inline frame compare_reports(const std::vector<labelled_report>& reports) {
  frame out;
  out.columns = {"algorithm", "scenario"};
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const auto& [label, f] = reports[k];
    std::vector<std::pair<std::string, std::string>> renames = {
        {"best_run_id", "best_run_id_" + label}, {"best_objective", "best_" + label}, {"mean_objective", "mean_" + label},
        {"runs", "runs_" + label}};
    if (f.has("machine_costs_summary")) renames.emplace_back("machine_costs_summary", "machine_costs_" + label);
    if (f.has("repair_usage_alert")) renames.emplace_back("repair_usage_alert", "repair_usage_alert_" + label);
    std::vector<record> reduced;
    for (const auto& r : f.rows) {
      record x;
      x.set("algorithm", *r.find("algorithm")).set("scenario", *r.find("scenario"));
      for (const auto& [from, to] : renames)
        if (const record_value* v = r.find(from)) x.set(to, *v);
      reduced.push_back(std::move(x));
    }
    for (const auto& rn : renames) out.add_column(rn.second);
    if (k == 0) {
      out.rows = std::move(reduced);
      continue;
    }
    // Outer join: every left row with each matching right row; unmatched rows on either side kept.
    std::vector<record> joined;
    std::vector<bool> used(reduced.size(), false);
    const auto key = [](const record& r) { return std::make_pair(cell_text(r, "algorithm"), cell_text(r, "scenario")); };
    for (const auto& l : out.rows) {
      bool matched = false;
      for (std::size_t j = 0; j < reduced.size(); ++j) {
        if (key(reduced[j]) != key(l)) continue;
        record m = l;
        for (const auto& [n, v] : reduced[j].items()) m.set(n, v);
        joined.push_back(std::move(m));
        used[j] = matched = true;
      }
      if (!matched) joined.push_back(l);
    }
    for (std::size_t j = 0; j < reduced.size(); ++j)
      if (!used[j]) joined.push_back(reduced[j]);
    out.rows = std::move(joined);
  }
  std::stable_sort(out.rows.begin(), out.rows.end(), [](const record& a, const record& b) {
    return std::make_pair(cell_text(a, "scenario"), cell_text(a, "algorithm")) <
           std::make_pair(cell_text(b, "scenario"), cell_text(b, "algorithm"));
  });
  if (!reports.empty()) {
    const std::string base = "best_" + reports.front().label;
    for (std::size_t k = 1; k < reports.size(); ++k) {
      const std::string col = "best_delta_" + reports[k].label;
      out.add_column(col);
      for (auto& r : out.rows) r.set(col, r.number("best_" + reports[k].label) - r.number(base));
    }
  }
  normalise_dtypes(out);
  return out;
}

/// The comparison as Markdown (§6.2): Algorithm, Scenario, then per report `Best (L)`,
/// `Δ Best (L)` (not for the baseline), `Mean (L)`, `Runs (L)`; `%.3f`, deltas with a literal `+`,
/// runs as integers, NaN empty.
inline std::string comparison_markdown(const frame& combined, const std::vector<std::string>& labels) {
  std::vector<std::string> header = {"Algorithm", "Scenario"};
  for (std::size_t k = 0; k < labels.size(); ++k) {
    header.push_back("Best (" + labels[k] + ")");
    if (k > 0) header.push_back("Δ Best (" + labels[k] + ")");
    header.push_back("Mean (" + labels[k] + ")");
    header.push_back("Runs (" + labels[k] + ")");
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : combined.rows) {
    std::vector<std::string> cells = {cell_text(r, "algorithm"), cell_text(r, "scenario")};
    for (std::size_t k = 0; k < labels.size(); ++k) {
      cells.push_back(md_number(r.number("best_" + labels[k])));
      if (k > 0) cells.push_back(md_delta(r.number("best_delta_" + labels[k])));
      cells.push_back(md_number(r.number("mean_" + labels[k])));
      cells.push_back(md_count(r.number("runs_" + labels[k])));
    }
    rows.push_back(std::move(cells));
  }
  return markdown_table(header, rows);
}

/// The best algorithm per scenario and report (§6.3): for each scenario (sorted) and label, the
/// row with the highest `best_<L>` (first wins ties; NaN never wins): `best_algorithm_<L>`,
/// `best_value_<L>` and, after the baseline, `best_delta_<L>` against the baseline's best.
inline frame summarise_reports(const frame& combined, const std::vector<std::string>& labels) {
  frame out;
  out.columns = {"scenario"};
  for (std::size_t k = 0; k < labels.size(); ++k) {
    out.columns.push_back("best_algorithm_" + labels[k]);
    out.columns.push_back("best_value_" + labels[k]);
    if (k > 0) out.columns.push_back("best_delta_" + labels[k]);
  }
  std::vector<std::string> scenarios;
  for (const auto& r : combined.rows) scenarios.push_back(cell_text(r, "scenario"));
  std::sort(scenarios.begin(), scenarios.end());
  scenarios.erase(std::unique(scenarios.begin(), scenarios.end()), scenarios.end());
  for (const auto& s : scenarios) {
    record x;
    x.set("scenario", s);
    double base = std::nan("");
    for (std::size_t k = 0; k < labels.size(); ++k) {
      const record* best = nullptr;
      for (const auto& r : combined.rows) {
        if (cell_text(r, "scenario") != s) continue;
        const double v = r.number("best_" + labels[k]);
        if (!std::isnan(v) && (!best || v > best->number("best_" + labels[k]))) best = &r;
      }
      const double value = best ? best->number("best_" + labels[k]) : std::nan("");
      x.set("best_algorithm_" + labels[k], best ? record_value(cell_text(*best, "algorithm")) : record_value());
      x.set("best_value_" + labels[k], value);
      if (k == 0) base = value;
      else x.set("best_delta_" + labels[k], value - base);
    }
    out.rows.push_back(std::move(x));
  }
  return out;
}

/// The per-scenario summary as Markdown (§6.3): `Scenario | Best Algo (L) | Best Obj (L) |
/// Δ vs <baseline>`…; `*(No scenarios available to summarise.)*` when empty.
inline std::string summary_markdown(const frame& summary, const std::vector<std::string>& labels) {
  if (summary.rows.empty() || labels.empty()) return "*(No scenarios available to summarise.)*\n";
  std::vector<std::string> header = {"Scenario"};
  for (std::size_t k = 0; k < labels.size(); ++k) {
    header.push_back("Best Algo (" + labels[k] + ")");
    header.push_back("Best Obj (" + labels[k] + ")");
    if (k > 0) header.push_back("Δ vs " + labels[0]);
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : summary.rows) {
    std::vector<std::string> cells = {cell_text(r, "scenario")};
    for (std::size_t k = 0; k < labels.size(); ++k) {
      cells.push_back(cell_text(r, "best_algorithm_" + labels[k]));
      cells.push_back(md_number(r.number("best_value_" + labels[k])));
      if (k > 0) cells.push_back(md_delta(r.number("best_delta_" + labels[k])));
    }
    rows.push_back(std::move(cells));
  }
  return markdown_table(header, rows);
}

/// A metric looked up in the snapshot stores: its `run_metrics.name`, the history column and the
/// Markdown / chart label.
struct history_metric {
  std::string_view name, column, label;
};

/// The history table and what was skipped on the way (one line per file, for the user).
struct history_result {
  frame table;
  std::vector<std::string> skipped;
  std::vector<std::filesystem::path> files;  ///< the snapshots read, with their .sqlite stores
};

namespace detail {

// metric name -> value for one run id in a snapshot store; tolerates a store without the table or
// the value_text column (older or foreign layouts). Throws store_error or SQLite::Exception for an unreadable file.
class snapshot_metrics {
public:
  explicit snapshot_metrics(const std::filesystem::path& path) : db_(open_store_read_only(path)) {
    SQLite::Statement cols(db_, "SELECT name FROM pragma_table_info('run_metrics')");
    bool run_id = false, name = false, value = false, value_text = false;
    while (cols.executeStep()) {
      const std::string c = cols.getColumn(0).getString();
      run_id |= c == "run_id";
      name |= c == "name";
      value |= c == "value";
      value_text |= c == "value_text";
    }
    if (!run_id || !name || (!value && !value_text)) return;
    query_.emplace(db_, std::string("SELECT name, ") + (value ? "value" : "NULL") + ", " + (value_text ? "value_text" : "NULL") +
                            " FROM run_metrics WHERE run_id = ?");
  }

  std::map<std::string, double> of(const std::string& run_id) {
    std::map<std::string, double> out;
    if (!query_) return out;
    query_->reset();
    query_->bind(1, run_id);
    while (query_->executeStep()) {
      const auto v = query_->getColumn(1), t = query_->getColumn(2);
      std::optional<double> x;
      if (!v.isNull() && (v.getType() == SQLITE_FLOAT || v.getType() == SQLITE_INTEGER)) x = v.getDouble();
      else if (!t.isNull()) x = fhops::detail::parse_double(t.getString());
      if (x) out[query_->getColumn(0).getString()] = *x;
    }
    return out;
  }

private:
  SQLite::Database db_;
  std::optional<SQLite::Statement> query_;
};

}  // namespace detail

/// The history (§6.4): every file of `dir` matching `pattern` (sorted by name, files only) is a
/// snapshot named by its stem. Files without the required columns are skipped (and listed). Each
/// row's `best_run_id` is looked up in `<stem>.sqlite` beside it, when present, for `metrics`
/// (`value`, else `value_text` parsed); a metric column exists when a value was found in some
/// snapshot. Columns: algorithm, scenario, best_run_id, best_objective, mean_objective, runs,
/// snapshot, then the metric columns in `metrics` order; rows sorted by (scenario, algorithm,
/// snapshot). A store that cannot be read is listed in `skipped` and its metrics stay NA.
inline history_result load_history(const std::filesystem::path& dir, const std::string& pattern,
                                   std::span<const history_metric> metrics) {
  namespace fs = std::filesystem;
  history_result out;
  frame& h = out.table;
  h.columns = {"algorithm", "scenario", "best_run_id", "best_objective", "mean_objective", "runs", "snapshot"};
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw input_error(dir.string(), "history folder not found");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec) && ::fnmatch(pattern.c_str(), e.path().filename().c_str(), 0) == 0) files.push_back(e.path());
  if (ec) throw input_error(dir.string(), "cannot list the history folder: " + ec.message());
  std::sort(files.begin(), files.end());
  out.files = files;
  std::vector<bool> present(metrics.size(), false);
  for (const auto& file : files) {
    frame f;
    try {
      f = read_report_frame(file);
    } catch (const input_error& e) {
      out.skipped.push_back(e.what());
      continue;
    }
    std::optional<detail::snapshot_metrics> store;
    const fs::path sqlite = fs::path(file).replace_extension(".sqlite");
    if (fs::is_regular_file(sqlite, ec)) {
      out.files.push_back(sqlite);
      try {
        store.emplace(sqlite);
      } catch (const std::exception& e) {  // SQLite's, or the store's (unreadable, corrupt)
        out.skipped.push_back(sqlite.string() + ": metrics not read: " + e.what());
      }
    }
    const std::string snapshot = file.stem().string();
    for (const auto& r : f.rows) {
      record x;
      for (std::size_t c = 0; c < 6; ++c) {
        const record_value* v = r.find(h.columns[c]);
        x.set(h.columns[c], v ? *v : record_value());
      }
      x.set("snapshot", snapshot);
      const std::string run_id = cell_text(r, "best_run_id");
      if (store && !run_id.empty()) {
        std::map<std::string, double> values;
        try {
          values = store->of(run_id);
        } catch (const SQLite::Exception& e) {
          out.skipped.push_back(sqlite.string() + ": metrics not read: " + e.what());
          store.reset();
        }
        for (std::size_t m = 0; m < metrics.size(); ++m)
          if (auto it = values.find(std::string(metrics[m].name)); it != values.end()) {
            x.set(std::string(metrics[m].column), it->second);
            present[m] = true;
          }
      }
      h.rows.push_back(std::move(x));
    }
  }
  for (std::size_t m = 0; m < metrics.size(); ++m)
    if (present[m]) h.columns.emplace_back(metrics[m].column);
  for (auto& r : h.rows)
    for (std::size_t m = 0; m < metrics.size(); ++m)
      if (present[m] && !r.find(std::string(metrics[m].column))) r.set(std::string(metrics[m].column), std::nan(""));
  std::stable_sort(h.rows.begin(), h.rows.end(), [](const record& a, const record& b) {
    const auto k = [](const record& r) {
      return std::make_tuple(cell_text(r, "scenario"), cell_text(r, "algorithm"), cell_text(r, "snapshot"));
    };
    return k(a) < k(b);
  });
  normalise_dtypes(h);
  return out;
}

/// The metric columns of a history table, in `metrics` order, with their labels.
inline std::vector<history_metric> present_metrics(const frame& history, std::span<const history_metric> metrics) {
  std::vector<history_metric> out;
  for (const auto& m : metrics)
    if (history.has(m.column)) out.push_back(m);
  return out;
}

/// The history as Markdown (§6.4): `Snapshot | Algorithm | Scenario | Best | Mean | Runs | <metric
/// labels>`, numbers `%.3f`, runs as integers, NaN empty.
inline std::string history_markdown(const frame& history, std::span<const history_metric> metrics) {
  const auto cols = present_metrics(history, metrics);
  std::vector<std::string> header = {"Snapshot", "Algorithm", "Scenario", "Best", "Mean", "Runs"};
  for (const auto& m : cols) header.emplace_back(m.label);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : history.rows) {
    std::vector<std::string> cells = {cell_text(r, "snapshot"), cell_text(r, "algorithm"), cell_text(r, "scenario"),
                                      md_number(r.number("best_objective")), md_number(r.number("mean_objective")),
                                      md_count(r.number("runs"))};
    for (const auto& m : cols) cells.push_back(md_number(r.number(std::string(m.column))));
    rows.push_back(std::move(cells));
  }
  return markdown_table(header, rows);
}

/// The label of the best objective in the delta table and the history chart.
inline constexpr history_metric best_objective_metric{"objective", "best_objective", "Best Objective"};

/// Latest versus previous snapshot (§6.5): for each (scenario, algorithm) with two or more
/// snapshots, the last and the second-to-last by snapshot name; for `best_objective` and each
/// metric column m: m (current), `m_delta`, `m_delta_pct` (a fraction, NA when previous is 0).
/// An empty result has no columns.
inline frame history_deltas(const frame& history, std::span<const history_metric> metrics) {
  std::vector<history_metric> cols = {best_objective_metric};
  for (const auto& m : present_metrics(history, metrics)) cols.push_back(m);
  std::map<std::pair<std::string, std::string>, std::vector<const record*>> groups;
  for (const auto& r : history.rows) groups[{cell_text(r, "scenario"), cell_text(r, "algorithm")}].push_back(&r);
  frame out;
  for (auto& [key, rows] : groups) {
    if (rows.size() < 2) continue;
    std::stable_sort(rows.begin(), rows.end(),
                     [](const record* a, const record* b) { return cell_text(*a, "snapshot") < cell_text(*b, "snapshot"); });
    const record& cur = *rows[rows.size() - 1];
    const record& prev = *rows[rows.size() - 2];
    record x;
    x.set("scenario", key.first).set("algorithm", key.second);
    x.set("snapshot_current", cell_text(cur, "snapshot")).set("snapshot_previous", cell_text(prev, "snapshot"));
    for (const auto& m : cols) {
      const std::string c(m.column);
      const double a = cur.number(c), b = prev.number(c);
      x.set(c, a).set(c + "_delta", a - b).set(c + "_delta_pct", b == 0.0 ? std::nan("") : (a - b) / b);
    }
    out.rows.push_back(std::move(x));
  }
  if (!out.rows.empty()) out.columns = record_columns(out.rows);
  return out;
}

/// The deltas as Markdown (§6.5): `Scenario | Algorithm | Current Snapshot | Previous Snapshot |
/// <Label> | Δ <Label> | Δ% <Label>`…; deltas `+%.3f`, percentages ×100; `*(Not enough history to
/// compute deltas yet.)*` when empty.
inline std::string delta_markdown(const frame& deltas, const frame& history, std::span<const history_metric> metrics) {
  if (deltas.rows.empty()) return "*(Not enough history to compute deltas yet.)*\n";
  std::vector<history_metric> cols = {best_objective_metric};
  for (const auto& m : present_metrics(history, metrics)) cols.push_back(m);
  std::vector<std::string> header = {"Scenario", "Algorithm", "Current Snapshot", "Previous Snapshot"};
  for (const auto& m : cols) {
    header.emplace_back(m.label);
    header.push_back("Δ " + std::string(m.label));
    header.push_back("Δ% " + std::string(m.label));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : deltas.rows) {
    std::vector<std::string> cells = {cell_text(r, "scenario"), cell_text(r, "algorithm"), cell_text(r, "snapshot_current"),
                                      cell_text(r, "snapshot_previous")};
    for (const auto& m : cols) {
      const std::string c(m.column);
      cells.push_back(md_number(r.number(c)));
      cells.push_back(md_delta(r.number(c + "_delta")));
      cells.push_back(md_percent(r.number(c + "_delta_pct")));
    }
    rows.push_back(std::move(cells));
  }
  return markdown_table(header, rows);
}

}  // namespace fhops::telemetry
