/// \file
/// Comparing algorithms over a telemetry store (telemetry_tuning.md §7, `generate_comparisons`):
/// per (scenario, algorithm) best/mean objective and mean runtime (`tuner_comparison`), wins per
/// algorithm (`tuner_leaderboard`; ties give several winners) and per-scenario difficulty with the
/// gap to a MIP reference (`tuner_difficulty`), plus the per-scenario best of one report
/// (`tuner_summary`, §6.3). Tables are written as CSV (pandas: LF, shortest float repr, null
/// empty) and Markdown (`%.3f`, null empty, no trailing newline, `*(no data)*` when empty).
///
/// Unlike the reference (quirk 6), runs whose solver is `mip` are the MIP reference even without
/// `tuner_meta.algorithm`, so `mip_objective` and `mip_gap` are filled; MIP runs never compete.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::telemetry {

/// One successful run as the comparisons see it.
struct scored_run {
  std::string algorithm;               ///< tuner_meta.algorithm, context.algorithm, the cli.tune-X tuner, or the solver
  std::string scenario;                ///< display key: `bundle:member` for bundle runs, else the scenario name
  std::string bundle;                  ///< `standalone` when the run names no bundle
  double objective = 0.0;
  std::optional<double> seconds;       ///< duration_seconds
};

namespace detail {

inline std::string infer_algorithm(const json* tuner_meta, const json* context, const std::string& solver) {
  if (tuner_meta)
    if (auto a = tuner_meta->string_at("algorithm"); a && !a->empty()) return *a;
  if (context) {
    if (auto a = context->string_at("algorithm"); a && !a->empty()) return *a;
    if (auto s = context->string_at("source"); s && s->rfind("cli.tune-", 0) == 0) return s->substr(9);
  }
  if (solver == "sa" || solver == "ils" || solver == "tabu" || solver == "mip") return solver;
  return "unknown";
}

}  // namespace detail

/// Every run of the store with an `objective` metric.
inline std::vector<scored_run> load_scored_runs(sqlite_store& store) {
  return store.guard([&] {
    SQLite::Statement q(store.database(),
                        "SELECT runs.solver, runs.scenario, runs.context_json, runs.tuner_meta_json, runs.duration_seconds, m.value"
                        " FROM runs JOIN run_metrics m ON m.run_id = runs.run_id AND m.name = 'objective' ORDER BY runs.rowid");
    json_parser parser;
    std::vector<scored_run> out;
    const auto text = [&](int i) { return q.getColumn(i).isNull() ? std::string() : q.getColumn(i).getString(); };
    while (q.executeStep()) {
      if (q.getColumn(5).isNull()) continue;
      std::optional<json> context, meta;
      if (const std::string c = text(2); !c.empty()) context = parser.parse(c);
      if (const std::string t = text(3); !t.empty()) meta = parser.parse(t);
      const json* ctx = context && context->is_object() ? &*context : nullptr;
      const json* tm = meta && meta->is_object() ? &*meta : nullptr;
      const auto field = [&](std::string_view key) {
        for (const json* j : {tm, ctx})
          if (j)
            if (auto v = j->string_at(key); v && !v->empty()) return *v;
        return std::string();
      };
      scored_run r;
      r.algorithm = detail::infer_algorithm(tm, ctx, text(0));
      const std::string name = text(1).empty() ? "unknown" : text(1);
      const std::string bundle = field("bundle"), member = field("bundle_member");
      r.scenario = bundle.empty() ? name : bundle + ":" + (member.empty() ? name : member);
      r.bundle = bundle.empty() ? "standalone" : bundle;
      r.objective = q.getColumn(5).getDouble();
      if (!q.getColumn(4).isNull()) r.seconds = q.getColumn(4).getDouble();
      out.push_back(std::move(r));
    }
    return out;
  });
}

/// A `tuner_comparison` row: one algorithm on one scenario.
struct comparison_row {
  std::string scenario, bundle, algorithm;
  double best_objective = 0.0, mean_objective = 0.0;
  std::optional<double> mean_runtime;
  double delta_vs_best = 0.0;  ///< best − the scenario's best (≤ 0)
};

/// A `tuner_leaderboard` row.
struct leaderboard_row {
  std::string algorithm;
  long long wins = 0, scenarios = 0;  ///< scenarios: all scenarios compared, not only this algorithm's
  double win_rate = 0.0, avg_best_objective = 0.0, avg_mean_objective = 0.0;
  std::optional<double> avg_runtime;
  double avg_delta_vs_best = 0.0;
};

/// A `tuner_difficulty` row.
struct difficulty_row {
  std::string scenario, bundle, best_algorithm;
  double best_objective = 0.0;
  std::optional<double> second_best_delta, mip_objective, mip_gap;
  long long algorithms_evaluated = 0;
};

/// The three comparison tables.
struct comparison_tables {
  std::vector<comparison_row> comparison;
  std::vector<leaderboard_row> leaderboard;
  std::vector<difficulty_row> difficulty;
};

/// Builds the tables from runs (§7): `mip` runs give each scenario's MIP reference (the max);
/// the others compete. Comparison sorted by (bundle, scenario, algorithm); leaderboard by win
/// rate descending then algorithm; difficulty by (bundle, scenario). A win is |delta| < 1e-9, so
/// ties give several winners; the best algorithm of a tie is the first by name.
inline comparison_tables compare_runs(const std::vector<scored_run>& runs) {
  struct acc {
    std::string bundle;
    long long n = 0, timed = 0;
    double best = 0.0, sum = 0.0, seconds = 0.0;
  };
  std::map<std::pair<std::string, std::string>, acc> groups;  // (scenario, algorithm)
  std::map<std::string, double> mip;
  for (const auto& r : runs) {
    if (r.algorithm == "mip") {
      auto [it, fresh] = mip.emplace(r.scenario, r.objective);
      if (!fresh) it->second = std::max(it->second, r.objective);
      continue;
    }
    acc& a = groups[{r.scenario, r.algorithm}];
    a.bundle = r.bundle;
    a.best = a.n == 0 ? r.objective : std::max(a.best, r.objective);
    a.sum += r.objective;
    ++a.n;
    if (r.seconds) {
      a.seconds += *r.seconds;
      ++a.timed;
    }
  }
  comparison_tables t;
  std::map<std::string, double> scenario_best;
  for (const auto& [key, a] : groups) {
    comparison_row row{key.first, a.bundle, key.second, a.best, a.sum / static_cast<double>(a.n),
                       a.timed ? std::optional<double>(a.seconds / static_cast<double>(a.timed)) : std::nullopt, 0.0};
    auto [it, fresh] = scenario_best.emplace(key.first, a.best);
    if (!fresh) it->second = std::max(it->second, a.best);
    t.comparison.push_back(std::move(row));
  }
  for (auto& row : t.comparison) row.delta_vs_best = row.best_objective - scenario_best[row.scenario];
  std::sort(t.comparison.begin(), t.comparison.end(), [](const comparison_row& a, const comparison_row& b) {
    return std::tie(a.bundle, a.scenario, a.algorithm) < std::tie(b.bundle, b.scenario, b.algorithm);
  });

  // Leaderboard.
  struct board {
    long long wins = 0, n = 0, timed = 0;
    double best = 0.0, mean = 0.0, runtime = 0.0, delta = 0.0;
  };
  std::map<std::string, board> boards;
  for (const auto& row : t.comparison) {
    board& b = boards[row.algorithm];
    b.wins += std::abs(row.delta_vs_best) < 1e-9;
    ++b.n;
    b.best += row.best_objective;
    b.mean += row.mean_objective;
    b.delta += row.delta_vs_best;
    if (row.mean_runtime) {
      b.runtime += *row.mean_runtime;
      ++b.timed;
    }
  }
  const auto scenarios = static_cast<long long>(scenario_best.size());
  for (const auto& [name, b] : boards) {
    const auto n = static_cast<double>(b.n);
    t.leaderboard.push_back({name, b.wins, scenarios, static_cast<double>(b.wins) / static_cast<double>(scenarios), b.best / n, b.mean / n,
                             b.timed ? std::optional<double>(b.runtime / static_cast<double>(b.timed)) : std::nullopt, b.delta / n});
  }
  std::stable_sort(t.leaderboard.begin(), t.leaderboard.end(),
                   [](const leaderboard_row& a, const leaderboard_row& b) { return a.win_rate > b.win_rate; });

  // Difficulty: per scenario, the algorithms by best objective (ties by name).
  std::map<std::string, std::vector<const comparison_row*>> by_scenario;
  for (const auto& row : t.comparison) by_scenario[row.scenario].push_back(&row);
  for (auto& [scenario, rows] : by_scenario) {
    std::stable_sort(rows.begin(), rows.end(), [](const comparison_row* a, const comparison_row* b) {
      return a->best_objective > b->best_objective;
    });
    difficulty_row d{scenario, rows[0]->bundle, rows[0]->algorithm, rows[0]->best_objective, std::nullopt, std::nullopt, std::nullopt,
                     static_cast<long long>(rows.size())};
    if (rows.size() > 1) d.second_best_delta = rows[0]->best_objective - rows[1]->best_objective;
    if (auto it = mip.find(scenario); it != mip.end()) {
      d.mip_objective = it->second;
      d.mip_gap = it->second - d.best_objective;
    }
    t.difficulty.push_back(std::move(d));
  }
  std::sort(t.difficulty.begin(), t.difficulty.end(), [](const difficulty_row& a, const difficulty_row& b) {
    return std::tie(a.bundle, a.scenario) < std::tie(b.bundle, b.scenario);
  });
  return t;
}

/// A table to write: column names and rows of cells (null, text, integer or float).
struct data_table {
  using cell = std::variant<std::monostate, std::string, long long, double>;
  std::vector<std::string> columns;
  std::vector<std::vector<cell>> rows;
};

namespace detail {

inline data_table::cell opt_cell(const std::optional<double>& v) { return v ? data_table::cell(*v) : data_table::cell(); }

inline std::string csv_cell(const data_table::cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return csv_field(*s);
  if (const auto* n = std::get_if<long long>(&c)) return std::to_string(*n);
  if (const auto* x = std::get_if<double>(&c)) return std::isnan(*x) ? std::string() : python_float_repr(*x);
  return "";
}

inline std::string markdown_cell(const data_table::cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  if (const auto* n = std::get_if<long long>(&c)) return std::to_string(*n);
  if (const auto* x = std::get_if<double>(&c)) return std::isnan(*x) ? std::string() : fmt::format("{:.3f}", *x);
  return "";
}

}  // namespace detail

/// CSV as pandas writes it: header, LF line endings, floats in shortest repr, null/NaN empty.
inline std::string table_csv(const data_table& t) {
  std::string out;
  for (std::size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + detail::csv_field(t.columns[i]);
  out += "\n";
  for (const auto& r : t.rows) {
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + detail::csv_cell(r[i]);
    out += "\n";
  }
  return out;
}

/// Markdown: `| col | … |`, `| --- | … |`, floats `%.3f`, null/NaN empty, no trailing newline;
/// an empty table is `*(no data)*`.
inline std::string table_markdown(const data_table& t) {
  if (t.rows.empty()) return "*(no data)*";
  const auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& c : cells) out += " " + c + " |";
    return out;
  };
  std::string out = line(t.columns) + "\n" + line(std::vector<std::string>(t.columns.size(), "---"));
  for (const auto& r : t.rows) {
    std::vector<std::string> cells;
    for (const auto& c : r) cells.push_back(detail::markdown_cell(c));
    out += "\n" + line(cells);
  }
  return out;
}

/// `tuner_comparison`: scenario, bundle, algorithm, best_objective, mean_objective, mean_runtime, delta_vs_best.
inline data_table comparison_table(const std::vector<comparison_row>& rows) {
  data_table t{{"scenario", "bundle", "algorithm", "best_objective", "mean_objective", "mean_runtime", "delta_vs_best"}, {}};
  for (const auto& r : rows)
    t.rows.push_back({r.scenario, r.bundle, r.algorithm, r.best_objective, r.mean_objective, detail::opt_cell(r.mean_runtime), r.delta_vs_best});
  return t;
}

/// `tuner_leaderboard`: algorithm, wins, scenarios, win_rate, avg_best_objective, avg_mean_objective, avg_runtime, avg_delta_vs_best.
inline data_table leaderboard_table(const std::vector<leaderboard_row>& rows) {
  data_table t{{"algorithm", "wins", "scenarios", "win_rate", "avg_best_objective", "avg_mean_objective", "avg_runtime", "avg_delta_vs_best"}, {}};
  for (const auto& r : rows)
    t.rows.push_back({r.algorithm, r.wins, r.scenarios, r.win_rate, r.avg_best_objective, r.avg_mean_objective, detail::opt_cell(r.avg_runtime),
                      r.avg_delta_vs_best});
  return t;
}

/// `tuner_difficulty`: scenario, bundle, best_algorithm, best_objective, second_best_delta, mip_objective, mip_gap, algorithms_evaluated.
inline data_table difficulty_table(const std::vector<difficulty_row>& rows) {
  data_table t{{"scenario", "bundle", "best_algorithm", "best_objective", "second_best_delta", "mip_objective", "mip_gap", "algorithms_evaluated"}, {}};
  for (const auto& r : rows)
    t.rows.push_back({r.scenario, r.bundle, r.best_algorithm, r.best_objective, detail::opt_cell(r.second_best_delta),
                      detail::opt_cell(r.mip_objective), detail::opt_cell(r.mip_gap), r.algorithms_evaluated});
  return t;
}

/// A bundle name made safe for a file name: `/`, `:` and space become `_`.
inline std::string sanitise_bundle_name(std::string name) {
  for (char& c : name)
    if (c == '/' || c == ':' || c == ' ') c = '_';
  return name;
}

}  // namespace fhops::telemetry
