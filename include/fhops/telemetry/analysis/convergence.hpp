/// \file
/// Convergence of recorded heuristic runs towards a reference objective (telemetry_tuning.md §6.6,
/// the `--telemetry-log` part of the reference's `analyze_tuner_reports`), and the per-algorithm
/// summary of the runs' `tuner_meta` (§7, `summarize_tuner_meta`). Both read a SQLite store
/// read-only; convergence also reads the step logs in the store's sibling `steps/`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "fhops/telemetry/analysis/frame.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/input_error.hpp"

namespace fhops::telemetry {

/// How convergence is measured.
struct convergence_options {
  double threshold = 0.01;       ///< hard gap (fraction of the reference), clamped to >= 0
  double soft_threshold = 0.05;  ///< soft gap, clamped to >= 0
  /// Known optima or bounds by scenario. A key names a run's scenario as the tables do
  /// (`bundle:label`, or the label), or by its label, its bundle member, its YAML scenario name, its
  /// scenario bundle's folder name (`minitoy`) or its scenario path as recorded; the first of these
  /// that has an entry is the run's (scenario_reference_keys). An entry wins over the best MIP run
  /// of the store for that scenario; without one the MIP runs are used.
  std::map<std::string, double> reference_objectives;
  /// Solvers whose runs are measured.
  std::vector<std::string> heuristics = {"sa", "ils", "tabu"};
  /// The solver whose runs give the reference when no explicit one is known.
  std::string reference_solver = "mip";
};

/// The two convergence tables: one row per measured run, one per (scenario, bundle, algorithm, tier).
struct convergence_tables {
  frame runs, summary;
  /// The keys of `reference_objectives` that name no heuristic run of the store (sorted).
  std::vector<std::string> unmatched_references;
};

/// The folder name of a scenario bundle from its recorded path (`examples/minitoy/scenario.yaml`
/// or `examples/minitoy/` -> `minitoy`); empty when there is none.
inline std::string scenario_bundle_folder(const std::string& scenario_path) {
  if (scenario_path.empty()) return "";
  std::filesystem::path p = std::filesystem::path(scenario_path).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // a trailing separator
  const auto ext = p.extension();
  if (ext == ".yaml" || ext == ".yml") p = p.parent_path();
  const std::string name = p.filename().string();
  return name == "." || name == ".." ? "" : name;
}

/// The names a run's scenario answers to in --reference-objectives, most specific first: the
/// table's key (`bundle:label` or the label), the label, the bundle member, the YAML scenario name,
/// the scenario bundle's folder name, the scenario path as recorded. Empty names and repeats are left out.
inline std::vector<std::string> scenario_reference_keys(const std::string& key, const std::string& label, const std::string& member,
                                                        const std::string& scenario, const std::string& scenario_path) {
  std::vector<std::string> out;
  for (const std::string& k : {key, label, member, scenario, scenario_bundle_folder(scenario_path), scenario_path})
    if (!k.empty() && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

/// The run table's columns (§6.6).
inline const std::vector<std::string>& convergence_run_columns() {
  static const std::vector<std::string> c = {"scenario",          "bundle",          "algorithm",        "tier",
                                             "run_id",            "iterations_to_1pct", "iterations_to_5pct",
                                             "total_iterations",  "best_objective",  "mip_objective",    "baseline_objective",
                                             "gap_absolute",      "gap_pct",         "gap_range",        "duration_seconds"};
  return c;
}

/// The summary table's columns (§6.6).
inline const std::vector<std::string>& convergence_summary_columns() {
  static const std::vector<std::string> c = {
      "scenario",           "bundle",           "algorithm",          "tier",                   "runs_total",
      "runs_reached_1pct",  "success_rate",     "mean_iterations_to_1pct", "median_iterations_to_1pct",
      "min_iterations_to_1pct", "max_iterations_to_1pct", "runs_reached_5pct", "success_rate_soft",
      "mean_iterations_to_5pct", "median_iterations_to_5pct", "min_iterations_to_5pct", "max_iterations_to_5pct",
      "mean_gap_absolute",  "mean_gap_pct",     "mean_gap_range"};
  return c;
}

/// Reads a `scenario,objective` CSV of known optima or bounds. Throws input_error naming the file,
/// row and column for a missing file, column or value.
inline std::map<std::string, double> read_reference_objectives(const std::filesystem::path& path) {
  const csv_table t = csv_table::read(path);
  const int s = t.require_column("scenario"), o = t.require_column("objective");
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < t.size(); ++i) out[t.text(i, s)] = t.number(i, o);
  return out;
}

namespace detail {

inline std::optional<json> parse_column(json_parser& p, const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  auto v = p.parse(c.getString());
  if (!v || !v->is_object()) return std::nullopt;
  return v;
}

inline std::string json_text_at(const std::optional<json>& o, const char* key) {
  if (!o) return "";
  const json* v = o->find(key);
  return v && v->is_string() ? v->as_string() : "";
}

inline std::optional<double> positive_number(const json* v) {
  if (!v || !v->is_number()) return std::nullopt;
  const double x = v->as_double();
  if (x == 0.0 || std::isnan(x)) return std::nullopt;  // Python's `a or b`: 0 falls through
  return x;
}

inline bool has_table(SQLite::Database& db, const std::string& table) {
  SQLite::Statement q(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, table);
  return q.executeStep() && q.getColumn(0).getInt() > 0;
}

inline double mean_of(const std::vector<double>& v) {
  if (v.empty()) return std::nan("");
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

inline double median_of(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

}  // namespace detail

/// Convergence (§6.6) of the runs in `store` (steps in `steps_dir`): for each heuristic run whose
/// scenario has a non-zero reference, the first logged step whose best objective reaches
/// reference·(1 − threshold) (and the soft threshold), the best objective (max of the run's and
/// the steps'), the total iterations (`config.iters`, `config.iterations`, `tuner_meta.progress.iterations`),
/// and the gaps. A threshold never hit in the steps but met by the final best counts as reached at
/// the total. The tables are empty (headers only) when no run can be measured.
inline convergence_tables analyse_convergence(const std::filesystem::path& store, const std::filesystem::path& steps_dir,
                                              const convergence_options& o) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(store, ec)) throw input_error(store.string(), "Telemetry SQLite store not found");
  const double hard = std::max(0.0, o.threshold), soft = std::max(0.0, o.soft_threshold);
  struct run_row {
    std::string run_id, solver, key, bundle, tier;
    std::vector<std::string> names;  ///< what --reference-objectives may call the scenario
    std::optional<double> objective, initial, duration, total;
    bool has_bundle = false;
  };
  std::vector<run_row> runs;
  try {
    SQLite::Database db = open_store_read_only(store);
    if (!detail::has_table(db, "runs")) throw input_error(store.string(), "not a telemetry store (no runs table)");
    const bool metrics = detail::has_table(db, "run_metrics");
    SQLite::Statement q(db, std::string("SELECT runs.run_id, solver, scenario, duration_seconds, context_json, config_json, tuner_meta_json, scenario_path") +
                                (metrics ? ", o.value, o.value_text, i.value, i.value_text FROM runs"
                                           " LEFT JOIN run_metrics o ON o.run_id = runs.run_id AND o.name = 'objective'"
                                           " LEFT JOIN run_metrics i ON i.run_id = runs.run_id AND i.name = 'initial_score'"
                                         : ", NULL, NULL, NULL, NULL FROM runs"));
    json_parser parser;
    const auto number = [](const SQLite::Column& v, const SQLite::Column& t) -> std::optional<double> {
      if (!v.isNull()) return v.getDouble();
      if (!t.isNull()) return fhops::detail::parse_double(t.getString());
      return std::nullopt;
    };
    while (q.executeStep()) {
      run_row r;
      r.run_id = q.getColumn(0).getString();
      r.solver = q.getColumn(1).isNull() ? "" : q.getColumn(1).getString();
      const auto context = detail::parse_column(parser, q.getColumn(4));
      const auto config = detail::parse_column(parser, q.getColumn(5));
      const auto meta = detail::parse_column(parser, q.getColumn(6));
      std::string label = detail::json_text_at(context, "scenario_label");
      if (label.empty()) label = detail::json_text_at(context, "bundle_member");
      if (label.empty() && !q.getColumn(2).isNull()) label = q.getColumn(2).getString();
      if (label.empty()) label = "unknown";
      r.bundle = detail::json_text_at(context, "bundle");
      r.has_bundle = !r.bundle.empty();
      r.key = r.has_bundle ? r.bundle + ":" + label : label;
      const std::string scenario_path = q.getColumn(7).isNull() ? "" : q.getColumn(7).getString();
      r.names = scenario_reference_keys(r.key, label, detail::json_text_at(context, "bundle_member"),
                                        q.getColumn(2).isNull() ? "" : q.getColumn(2).getString(), scenario_path);
      // A run outside a tuning bundle shows its scenario bundle's folder (`minitoy`) as its bundle.
      if (!r.has_bundle) r.bundle = scenario_bundle_folder(scenario_path);
      r.tier = detail::json_text_at(context, "tier");
      if (r.tier.empty() && meta)
        if (const json* b = meta->find("budget"); b && b->is_object())
          if (auto t = b->string_at("tier")) r.tier = *t;
      if (!q.getColumn(3).isNull()) r.duration = q.getColumn(3).getDouble();
      r.objective = number(q.getColumn(8), q.getColumn(9));
      r.initial = number(q.getColumn(10), q.getColumn(11));
      if (config) r.total = detail::positive_number(config->find("iters"));
      if (!r.total && config) r.total = detail::positive_number(config->find("iterations"));
      if (!r.total && meta)
        if (const json* p = meta->find("progress"); p && p->is_object()) r.total = detail::positive_number(p->find("iterations"));
      runs.push_back(std::move(r));
    }
  } catch (const SQLite::Exception& e) {
    throw input_error(store.string(), std::string("SQLite error: ") + e.what());
  }
  std::map<std::string, double> reference;
  for (const auto& r : runs)
    if (r.solver == o.reference_solver && r.objective && !std::isnan(*r.objective)) {
      auto [it, fresh] = reference.emplace(r.key, *r.objective);
      if (!fresh) it->second = std::max(it->second, *r.objective);
    }

  convergence_tables out;
  std::set<std::string> matched;
  out.runs.columns = convergence_run_columns();
  out.summary.columns = convergence_summary_columns();
  for (const auto& r : runs) {
    if (std::find(o.heuristics.begin(), o.heuristics.end(), r.solver) == o.heuristics.end()) continue;
    std::optional<double> explicit_reference;
    for (const auto& name : r.names)
      if (const auto e = o.reference_objectives.find(name); e != o.reference_objectives.end()) {
        matched.insert(name);
        if (!explicit_reference) explicit_reference = e->second;
      }
    const auto it = reference.find(r.key);
    const std::optional<double> chosen = explicit_reference ? explicit_reference
                                         : it != reference.end() ? std::optional<double>(it->second)
                                                                 : std::nullopt;
    if (!chosen || *chosen == 0.0) continue;
    const double mip = *chosen, hard_at = mip * (1.0 - hard), soft_at = mip * (1.0 - soft);
    double best = r.objective.value_or(-HUGE_VAL);
    std::optional<long long> to_hard, to_soft;
    // A run id from the store is data: one that is not a file name has no step log to read.
    const fs::path steps = valid_run_id(r.run_id) ? step_path_for(steps_dir, r.run_id) : fs::path();
    if (!steps.empty() && fs::is_regular_file(steps, ec)) {
      read_jsonl(steps.string(), [&](const text_line&, json&& v) {
        const json* b = v.find("best_objective");
        const json* s = v.find("step");
        if (!b || !b->is_number()) return;
        const double x = b->as_double();
        best = std::max(best, x);
        if (!s || !s->is_number()) return;
        const auto step = static_cast<long long>(s->as_double());
        if (!to_hard && x >= hard_at) to_hard = step;
        if (!to_soft && x >= soft_at) to_soft = step;
      });
    }
    const bool have_best = best != -HUGE_VAL;
    record x;
    x.set("scenario", r.key);
    x.set("bundle", r.bundle.empty() ? record_value() : record_value(r.bundle));
    x.set("algorithm", r.solver).set("tier", r.tier).set("run_id", r.run_id);
    const auto total = r.total ? std::optional<long long>(static_cast<long long>(*r.total)) : std::nullopt;
    if (!to_hard && have_best && best >= hard_at && total) to_hard = total;
    if (!to_soft && have_best && best >= soft_at && total) to_soft = total;
    const auto opt = [](const std::optional<long long>& v) { return v ? record_value(*v) : record_value(); };
    x.set("iterations_to_1pct", opt(to_hard)).set("iterations_to_5pct", opt(to_soft)).set("total_iterations", opt(total));
    const double b = have_best ? best : std::nan("");
    x.set("best_objective", b).set("mip_objective", mip);
    const double initial = r.initial.value_or(std::nan(""));
    x.set("baseline_objective", initial);
    x.set("gap_absolute", mip - b);
    x.set("gap_pct", std::isnan(b) ? std::nan("") : std::max(0.0, (mip - b) / mip));
    const double range = mip - initial;
    x.set("gap_range", !std::isnan(range) && range > 1e-9 ? std::clamp((mip - b) / range, 0.0, 1.0) : std::nan(""));
    x.set("duration_seconds", r.duration.value_or(std::nan("")));
    out.runs.rows.push_back(std::move(x));
  }
  const auto key4 = [](const record& r) {
    return std::make_tuple(cell_text(r, "scenario"), cell_text(r, "algorithm"), cell_text(r, "tier"), cell_text(r, "run_id"));
  };
  std::stable_sort(out.runs.rows.begin(), out.runs.rows.end(), [&](const record& a, const record& b) { return key4(a) < key4(b); });
  normalise_dtypes(out.runs);

  // Summary per (scenario, bundle, algorithm, tier); a missing bundle is its own group.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::vector<const record*>> groups;
  for (const auto& r : out.runs.rows)
    groups[{cell_text(r, "scenario"), cell_text(r, "algorithm"), cell_text(r, "tier"), cell_text(r, "bundle")}].push_back(&r);
  for (const auto& [k, rows] : groups) {
    record s;
    const record& first = *rows.front();
    s.set("scenario", *first.find("scenario")).set("bundle", *first.find("bundle"));
    s.set("algorithm", *first.find("algorithm")).set("tier", *first.find("tier"));
    s.set("runs_total", static_cast<long long>(rows.size()));
    const auto stats = [&](const std::string& column, const std::string& reached, const std::string& rate, const std::string& suffix) {
      std::vector<double> v;
      bool ints = true;
      for (const record* r : rows) {
        const record_value* c = r->find(column);
        if (is_na(c)) continue;
        ints = ints && std::holds_alternative<long long>(*c);
        v.push_back(r->number(column));
      }
      s.set(reached, static_cast<long long>(v.size()));
      s.set(rate, static_cast<double>(v.size()) / static_cast<double>(rows.size()));
      s.set("mean_iterations_to_" + suffix, detail::mean_of(v));
      s.set("median_iterations_to_" + suffix, detail::median_of(v));
      const auto extreme = [&](bool max) -> record_value {
        if (v.empty()) return std::nan("");
        const double e = max ? *std::max_element(v.begin(), v.end()) : *std::min_element(v.begin(), v.end());
        return ints ? record_value(static_cast<long long>(e)) : record_value(e);
      };
      s.set("min_iterations_to_" + suffix, extreme(false)).set("max_iterations_to_" + suffix, extreme(true));
    };
    stats("iterations_to_1pct", "runs_reached_1pct", "success_rate", "1pct");
    stats("iterations_to_5pct", "runs_reached_5pct", "success_rate_soft", "5pct");
    for (const char* g : {"gap_absolute", "gap_pct", "gap_range"}) {
      std::vector<double> v;
      for (const record* r : rows)
        if (const double x = r->number(g); !std::isnan(x)) v.push_back(x);
      s.set(std::string("mean_") + g, detail::mean_of(v));
    }
    out.summary.rows.push_back(std::move(s));
  }
  const auto key3 = [](const record& r) {
    return std::make_tuple(cell_text(r, "scenario"), cell_text(r, "algorithm"), cell_text(r, "tier"));
  };
  std::stable_sort(out.summary.rows.begin(), out.summary.rows.end(), [&](const record& a, const record& b) { return key3(a) < key3(b); });
  normalise_dtypes(out.summary);
  for (const auto& [k, v] : o.reference_objectives)
    if (!matched.count(k)) out.unmatched_references.push_back(k);
  return out;
}

/// The convergence summary as Markdown: every column, floats `%.3f`, NaN and NA as `nan`;
/// `*(no data)*` when empty.
inline std::string convergence_markdown(const frame& summary) { return frame_markdown(summary, "*(no data)*"); }

/// The tuner_meta summary (§7, `summarize_tuner_meta`): the runs whose `tuner_meta_json` is a
/// non-empty object, grouped by `tuner_meta.algorithm` ("unknown" when absent), sorted by algorithm:
/// `algorithm, runs, scenarios` (distinct scenario names), `sample_budget` and `sample_config` (the
/// first run's budget, and its config without `operators`, as JSON with sorted keys).
inline frame summarize_tuner_meta(const std::filesystem::path& store) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(store, ec)) throw input_error(store.string(), "Telemetry SQLite store not found");
  struct group {
    long long runs = 0;
    std::set<std::string> scenarios;
    std::string budget, config;
  };
  std::map<std::string, group> groups;
  try {
    SQLite::Database db = open_store_read_only(store);
    if (!detail::has_table(db, "runs")) throw input_error(store.string(), "not a telemetry store (no runs table)");
    SQLite::Statement q(db, "SELECT scenario, tuner_meta_json FROM runs WHERE tuner_meta_json IS NOT NULL");
    json_parser parser;
    while (q.executeStep()) {
      const auto meta = detail::parse_column(parser, q.getColumn(1));
      if (!meta || meta->as_object().empty()) continue;
      std::string algorithm = detail::json_text_at(meta, "algorithm");
      if (algorithm.empty()) algorithm = "unknown";
      auto& g = groups[algorithm];
      if (g.runs++ == 0) {
        const json* b = meta->find("budget");
        g.budget = dump(b ? *b : json(json::object{}), json_style{false, true});
        json::object config;
        if (const json* c = meta->find("config"); c && c->is_object())
          for (const auto& [key, v] : c->as_object())
            if (key != "operators") config.emplace_back(key, v);
        g.config = dump(json(std::move(config)), json_style{false, true});
      }
      if (!q.getColumn(0).isNull()) g.scenarios.insert(q.getColumn(0).getString());
    }
  } catch (const SQLite::Exception& e) {
    throw input_error(store.string(), std::string("SQLite error: ") + e.what());
  }
  frame out;
  out.columns = {"algorithm", "runs", "scenarios", "sample_budget", "sample_config"};
  for (const auto& [a, g] : groups) {
    record r;
    r.set("algorithm", a).set("runs", g.runs).set("scenarios", static_cast<long long>(g.scenarios.size()));
    r.set("sample_budget", g.budget).set("sample_config", g.config);
    out.rows.push_back(std::move(r));
  }
  return out;
}

/// The tuner_meta summary as Markdown; `*(no tuner_meta records found)*` when empty.
inline std::string tuner_meta_markdown(const frame& summary) { return frame_markdown(summary, "*(no tuner_meta records found)*", ""); }

}  // namespace fhops::telemetry
