/// \file
/// The data behind the analytics pages (telemetry_tuning.md §9.3, rebuilt as static pages): the
/// per-day KPI decomposition of a schedule, solve/bench wiring under a cooperative deadline,
/// objective traces from step logs or legacy `{iteration, objective, accepted, temperature}` logs,
/// tuner reports and report history snapshots, and ensemble statistics. Rendering is in
/// analytics_pages.hpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/playback.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/recorder.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/deadline.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/workflows/analytics_mode.hpp"
#include "fhops/workflows/run_telemetry.hpp"

namespace fhops::harvest {

/// A sampling config in the mode the pages run in (light mode caps it, §9.2).
inline sampling_config in_mode(sampling_config c, bool light) { return light ? light_capped(c) : c; }

// --- KPI decomposition -----------------------------------------------------------------------

/// A schedule's KPIs split by day (index = day, 0 unused) and by machine and day.
struct day_decomposition {
  std::vector<double> production;      ///< KPI production credited on the day
  std::vector<double> mobilisation;    ///< move costs charged on the day
  std::vector<double> worked_hours;    ///< hours of the day's rows
  std::vector<double> capacity_hours;  ///< available hours of every machine that day
  std::vector<std::vector<double>> machine_utilisation;  ///< [m][d] worked / available hours (NaN when none available)

  /// worked / capacity hours of day d (0 without capacity).
  double utilisation(int d) const { return capacity_hours[d] > 0.0 ? worked_hours[d] / capacity_hours[d] : 0.0; }
};

/// Splits the KPI pass (kpi.hpp: day-major rows in (machine_id, block_id) order, production
/// min(rate, remaining), mobilisation with `prev` never reset) by day; the sums equal
/// total_production and mobilisation_cost.
inline day_decomposition decompose_by_day(const problem& pb, const schedule& s) {
  const int D = pb.num_days;
  day_decomposition out;
  out.production.assign(D + 1, 0.0);
  out.mobilisation.assign(D + 1, 0.0);
  out.worked_hours.assign(D + 1, 0.0);
  out.capacity_hours.assign(D + 1, 0.0);
  std::vector<assignment_row> rows = assignment_rows(pb, s);
  std::stable_sort(rows.begin(), rows.end(), [&](const assignment_row& a, const assignment_row& b) {
    const int da = pb.slot_day[a.slot], db = pb.slot_day[b.slot];
    if (da != db) return da < db;
    return std::tie(pb.machine_ids[a.machine], pb.block_ids[a.block]) < std::tie(pb.machine_ids[b.machine], pb.block_ids[b.block]);
  });
  std::vector<double> remaining = pb.work;
  std::vector<int> prev(pb.num_machines, -1);
  std::vector<std::vector<double>> worked(pb.num_machines, std::vector<double>(D + 1, 0.0)), avail = worked;
  for (const auto& r : rows) {
    const int d = pb.slot_day[r.slot];
    const double rate = pb.rate[pb.mb(r.machine, r.block)];
    const double p = rate <= remaining[r.block] ? rate : remaining[r.block];
    const double left = remaining[r.block] - p;
    remaining[r.block] = left > 0.0 ? left : 0.0;
    out.production[d] += p;
    const int q = prev[r.machine];
    if (pb.has_mobilisation && q >= 0 && q != r.block && pb.has_move_params[r.machine])
      out.mobilisation[d] += pb.move_cost(r.machine, q, r.block);
    prev[r.machine] = r.block;
    const double h = detail::row_hours(pb, r.machine, r.slot);
    out.worked_hours[d] += h;
    worked[r.machine][d] += h;
  }
  for (int m = 0; m < pb.num_machines; ++m)
    for (int t = 0; t < pb.num_slots; ++t)
      if (pb.available[pb.ms(m, t)]) {
        const double h = detail::row_hours(pb, m, t);
        out.capacity_hours[pb.slot_day[t]] += h;
        avail[m][pb.slot_day[t]] += h;
      }
  out.machine_utilisation.assign(pb.num_machines, std::vector<double>(D + 1, std::nan("")));
  for (int m = 0; m < pb.num_machines; ++m)
    for (int d = 1; d <= D; ++d) out.machine_utilisation[m][d] = avail[m][d] > 0.0 ? worked[m][d] / avail[m][d] : std::nan("");
  return out;
}

// --- solving under a deadline ----------------------------------------------------------------

/// The SA options the pages solve with: fhops-cpp's defaults, `iterations` steps, a wall-clock cap
/// of `seconds` clamped to the deadline (so the solver itself stops when the page's time is up).
inline solve_options page_solve_options(long long iterations, double seconds, std::uint64_t seed, const deadline& limit) {
  solve_options o;
  o.stop.max_iterations = iterations;
  o.stop.max_seconds = limit.clamp(seconds);
  o.seed = seed;
  return o;
}

/// Solves and then checks the deadline (a run cut short by the deadline is not a result).
inline solve_outcome solve_within(const problem& pb, const solve_options& o, const deadline& limit) {
  limit.check();
  solve_outcome out = solve(pb, o);
  limit.check();
  return out;
}

// --- statistics ------------------------------------------------------------------------------

/// Mean and sample standard deviation (ddof 1, as pandas; 0 for fewer than two values).
struct mean_sd {
  double mean = 0.0, sd = 0.0;
};

inline mean_sd summarise(const std::vector<double>& v) {
  mean_sd out;
  if (v.empty()) return out;
  for (double x : v) out.mean += x;
  out.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0.0;
    for (double x : v) ss += (x - out.mean) * (x - out.mean);
    out.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return out;
}

/// A field of every sample.
template <class F>
std::vector<double> sample_values(const std::vector<playback_sample>& samples, F&& f) {
  std::vector<double> out;
  for (const auto& s : samples) out.push_back(f(s));
  return out;
}

// --- objective traces ------------------------------------------------------------------------

/// One point of an objective trace.
struct trace_point {
  long long iteration = 0;
  double objective = 0.0;
  std::optional<double> best, temperature, acceptance_rate, accepted;
};

/// The traces of a log: one per run id (`legacy` for records without one), in file order.
using trace_set = std::vector<std::pair<std::string, std::vector<trace_point>>>;

/// Reads objective traces from a JSONL file holding step records (`record_type: "step"`) and/or
/// legacy rows `{iteration, objective, accepted, temperature}`; other records (run records, tuner
/// summaries) are ignored. Throws input_error when the file cannot be read or holds no trace.
inline trace_set read_traces(const std::filesystem::path& path) {
  trace_set out;
  const auto series = [&](const std::string& id) -> std::vector<trace_point>& {
    for (auto& [k, v] : out)
      if (k == id) return v;
    out.emplace_back(id, std::vector<trace_point>{});
    return out.back().second;
  };
  const auto num = [](const telemetry::json::object& o, std::string_view k) -> std::optional<double> {
    const auto* v = telemetry::find(o, k);
    return v && v->is_number() ? std::optional<double>(v->as_double()) : std::nullopt;
  };
  telemetry::read_jsonl(path.string(), [&](const telemetry::text_line&, telemetry::json&& j) {
    const auto& o = j.as_object();
    const std::string* type = telemetry::find_string(o, "record_type");
    const bool step = type && *type == "step";
    if (type && !step) return;  // run records, tuner summaries
    // Step records: step, best_objective, acceptance_rate, accepted_moves; legacy rows: iteration, accepted.
    const auto it = num(o, step ? "step" : "iteration");
    const auto obj = num(o, "objective");
    if (!it || !obj) return;
    trace_point p{static_cast<long long>(*it), *obj, num(o, "best_objective"), num(o, "temperature"), num(o, "acceptance_rate"),
                  num(o, step ? "accepted_moves" : "accepted")};
    const std::string* id = step ? telemetry::find_string(o, "run_id") : nullptr;
    series(id ? *id : step ? "steps" : "legacy").push_back(p);
  });
  if (out.empty())
    throw input_error(path.string(), "holds no step records and no legacy {iteration, objective, ...} rows");
  return out;
}

// --- tuner reports and history ---------------------------------------------------------------

/// A report row as the pages use it (from a store or a report CSV).
struct tuner_report_entry {
  std::string algorithm, scenario;
  long long runs = 0;
  double best = 0.0, mean = 0.0;
  std::string best_config;
};

inline std::vector<tuner_report_entry> report_entries(const std::vector<telemetry::report_row>& rows) {
  std::vector<tuner_report_entry> out;
  for (const auto& r : rows) out.push_back({r.algorithm, r.scenario, r.runs, r.best_objective, r.mean_objective, r.best_config});
  return out;
}

namespace detail {

/// Row i of a report-shaped CSV: algorithm, scenario, best_objective and mean_objective are
/// required; runs (0 when absent) and best_config are optional.
inline tuner_report_entry report_entry_at(const csv_table& t, std::size_t i) {
  const int runs = t.column("runs"), config = t.column("best_config");
  return {t.text(i, t.require_column("algorithm")), t.text(i, t.require_column("scenario")),
          runs >= 0 && !t.missing(i, runs) ? static_cast<long long>(t.number(i, runs)) : 0,
          t.number(i, t.require_column("best_objective")), t.number(i, t.require_column("mean_objective")),
          config >= 0 ? std::string(t.raw(i, config)) : std::string()};
}

}  // namespace detail

/// Reads a `telemetry report --out-csv` file (any of its layouts, see detail::report_entry_at).
inline std::vector<tuner_report_entry> read_report_csv(const std::filesystem::path& path) {
  const auto t = csv_table::read(path);
  std::vector<tuner_report_entry> out;
  for (std::size_t i = 0; i < t.size(); ++i) out.push_back(detail::report_entry_at(t, i));
  return out;
}

/// One history row: a report snapshot's (algorithm, scenario) best and mean.
struct history_entry {
  std::string snapshot, algorithm, scenario;
  double best = 0.0, mean = 0.0;
  long long runs = 0;
  std::optional<double> best_delta;  ///< best − the previous snapshot's best of the same (scenario, algorithm)
};

/// Fills best_delta: the difference to the previous row of the same (scenario, algorithm) in
/// snapshot order (pandas `groupby(...).best.diff()`); the first row of a group has none.
inline void add_best_deltas(std::vector<history_entry>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const history_entry& a, const history_entry& b) { return a.snapshot < b.snapshot; });
  std::map<std::pair<std::string, std::string>, double> last;
  for (auto& r : rows) {
    const auto key = std::make_pair(r.scenario, r.algorithm);
    if (const auto it = last.find(key); it != last.end()) r.best_delta = r.best - it->second;
    last[key] = r.best;
  }
}

/// Reads a history CSV (`snapshot, algorithm, scenario, best_objective, mean_objective, runs`, as
/// `history_summary.csv`) and adds the deltas.
inline std::vector<history_entry> read_history_csv(const std::filesystem::path& path) {
  const auto t = csv_table::read(path);
  std::vector<history_entry> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto e = detail::report_entry_at(t, i);
    out.push_back({t.text(i, t.require_column("snapshot")), e.algorithm, e.scenario, e.best, e.mean, e.runs, std::nullopt});
  }
  add_best_deltas(out);
  return out;
}

/// A snapshot's report as history rows.
inline std::vector<history_entry> history_rows(const std::string& snapshot, const std::vector<tuner_report_entry>& report) {
  std::vector<history_entry> out;
  for (const auto& r : report) out.push_back({snapshot, r.algorithm, r.scenario, r.best, r.mean, r.runs, std::nullopt});
  return out;
}


// --- telemetry produced in the run -----------------------------------------------------------

/// A sink keeping step records in memory (for the pages' own traces).
struct memory_step_sink {
  std::vector<telemetry::step_record> steps;
  void run_started(const telemetry::run_start&) {}
  void step(const telemetry::step_record& s) { steps.push_back(s); }
  void run_finished(const telemetry::run_record&) {}
  void tuner_summary(const telemetry::tuner_summary_record&) {}
  void flush() {}
};
static_assert(telemetry::telemetry_sink<memory_step_sink>);

/// Step records as a trace.
inline std::vector<trace_point> trace_of(const std::vector<telemetry::step_record>& steps) {
  std::vector<trace_point> out;
  for (const auto& s : steps)
    out.push_back({s.step, s.objective, s.best_objective, s.temperature, s.acceptance_rate, static_cast<double>(s.accepted_moves)});
  return out;
}

/// A solve that also records its step records (every `step_interval` steps) into `sink`.
inline solve_outcome solve_recorded(const problem& pb, const solve_options& o, memory_step_sink& sink, const std::string& run_id,
                                    long long step_interval, const deadline& limit) {
  limit.check();
  telemetry::step_recorder<memory_step_sink> rec(sink, {run_id, step_interval, acceptance_column_for(o.kind)});
  solve_outcome out = solve(pb, o, rec);
  limit.check();
  return out;
}

/// A scenario the pages run on: its display name and bundle path.
struct named_scenario {
  std::string name;
  std::filesystem::path path;
};

/// What telemetry_rounds records.
struct telemetry_rounds_result {
  std::vector<std::vector<tuner_report_entry>> snapshots;  ///< the report after each round
  std::string jsonl;                                       ///< every run record, as the run log
};

/// Per-solver iteration budgets of the recorded runs in round 1 (round r runs 2^(r-1) times as long).
struct round_budget {
  long long sa_iterations = 200, ils_iterations = 4, tabu_iterations = 40;
  double seconds = 2.0;  ///< wall-clock cap of each run (clamped to the deadline)
};

/// Records `rounds` rounds of runs (each scenario × SA, ILS, Tabu; seeds derived from `seed`,
/// the round and the run; the budget doubles each round) into the telemetry store `store_path` (SQLite; created or appended),
/// taking the store's report after each round: the tuner report and its history as a telemetry
/// store sees them over time.
inline telemetry_rounds_result telemetry_rounds(const std::vector<named_scenario>& scenarios, int rounds, const round_budget& budget,
                                                std::uint64_t seed, const std::filesystem::path& store_path, const deadline& limit) {
  std::vector<std::pair<scenario, problem>> loaded;
  for (const auto& s : scenarios) {
    scenario sc = load_scenario(s.path);
    problem pb(sc);
    loaded.emplace_back(std::move(sc), std::move(pb));
  }
  telemetry::sqlite_store store(store_path);
  telemetry_rounds_result out;
  std::uint64_t stream = 0;
  for (int r = 1; r <= rounds; ++r) {
    std::vector<telemetry::json::object> records;
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      const auto& [sc, pb] = loaded[i];
      const scenario_traits traits = traits_of(pb);
      for (const solver_kind kind : {solver_kind::sa, solver_kind::ils, solver_kind::tabu}) {
        solve_options o;
        o.kind = kind;
        o.weights = solver_defaults(kind, &traits);
        const long long base = kind == solver_kind::sa    ? budget.sa_iterations
                               : kind == solver_kind::ils ? budget.ils_iterations
                                                          : budget.tabu_iterations;
        o.stop.max_iterations = base << (r - 1);  // a campaign that doubles its budget each round
        o.stop.max_seconds = limit.clamp(budget.seconds);
        if (kind == solver_kind::tabu) o.tabu.tenure = automatic_tabu_tenure(pb.num_machines);
        o.seed = 1 + derive_seed(seed, stream++) % 999'999'999;
        run_context ctx;
        ctx.source = "analytics.telemetry_rounds";
        ctx.scenario_path = scenarios[i].path.string();
        ctx.iters = o.stop.max_iterations;
        ctx.time_limit = o.stop.max_seconds;
        telemetry::run_record rec = begin_run_record(kind, o, ctx, &sc, static_cast<long long>(o.seed));
        const auto t0 = std::chrono::steady_clock::now();
        const solve_outcome res = solve_within(pb, o, limit);
        finish_run_record(rec, kind, o, res, compute_kpis(pb, res.search.best),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        out.jsonl += telemetry::jsonl_line(rec);
        records.push_back(telemetry::to_json(rec));
      }
    }
    store.persist_runs(records);
    out.snapshots.push_back(report_entries(telemetry::build_report(store)));
  }
  return out;
}

}  // namespace fhops::harvest
