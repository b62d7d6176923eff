/// \file
/// The benchmark suite (telemetry_tuning.md §5): scenarios x solvers (optionally the plan MIP, SA
/// with compare presets, optionally ILS and Tabu) x repeats, one summary record per (scenario, solver run) with the
/// median, min and max objective over the repeats, runtime, evaluations/s, KPIs, the solver's
/// extras, and the comparison with the best heuristic of the scenario — the **highest** objective
/// (the reference takes the lowest, a bug; docs/compatibility.md).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/bounds/plan_mip.hpp"
#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/flat_records.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"
#include "fhops/workflows/run_telemetry.hpp"

namespace fhops::harvest {

/// One solver run of the suite on a scenario.
struct bench_run {
  std::string solver;        ///< "sa", "ils" or "tabu"
  std::string preset_label;  ///< SA: "default", "custom", or the presets joined by '+'
  solve_options options;
  std::string csv_name;      ///< assignments file written under <out>/<scenario>/
  /// The solver's defaults on each scenario (solver_defaults for its traits and the run's step, as the
  /// solve commands without operator options) instead of options.weights.
  bool scenario_defaults = false;
};

/// `run` as it runs on `pb`: with scenario_defaults, options.weights are the solver's defaults for
/// `pb`'s traits, as solve-* chooses them (a timed SA run's one-candidate step included; the flag
/// is cleared).
inline bench_run bench_run_on(bench_run run, const problem& pb) {
  if (run.scenario_defaults) {
    const scenario_traits traits = traits_of(pb);
    run.options.weights = solver_defaults(run.options.kind, &traits, one_candidate_step(run.options, traits));
    run.scenario_defaults = false;
  }
  return run;
}

namespace detail {

inline double median_of(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// `{"name": weight, ...}` with sorted keys, as json.dumps(sort_keys=True).
inline std::string weights_json_sorted(const operator_weights& w) {
  std::map<std::string, double> m;
  for (std::size_t i = 0; i < w.size(); ++i) m[std::string(operator_names[i])] = w[i];
  return python_json_dict(m);
}

inline std::string stats_json_sorted(const std::vector<telemetry::operator_counters>& ops) {
  std::map<std::string, const telemetry::operator_counters*> m;
  for (const auto& o : ops) m[o.name] = &o;
  std::string out = "{";
  for (const auto& [name, o] : m) {
    if (out.size() > 1) out += ", ";
    out += json_quote(name) + ": " +
           fmt::format("{{\"accepted\": {}, \"generated\": {}, \"improvements\": {}, \"proposals\": {}, \"skipped\": {}, \"weight\": {}}}",
                       o->accepted, o->generated, o->improvements, o->proposals, o->skipped, json_number(o->weight));
  }
  return out + "}";
}

}  // namespace detail

/// What a bench run's repeat reports to the caller (telemetry): the repeat (0-based), its options
/// (seed included), its outcome and wall-clock seconds.
using bench_repeat_fn = std::function<void(std::size_t, const solve_options&, const solve_outcome&, double)>;

/// Runs one solver `repeats` times (seeds options.seed + r) and returns its summary record; the
/// best repeat's plan is written to `<dir>/<csv_name>`. `on_repeat`, when set, sees every repeat.
inline record run_bench_cell(const problem& pb, const std::string& scenario, const std::filesystem::path& scenario_path,
                             const bench_run& run, std::size_t repeats, const std::filesystem::path& dir,
                             const bench_repeat_fn& on_repeat = {}) {
  std::vector<double> objectives, runtimes, rates;
  std::optional<solve_outcome> best;
  const solve_options options = bench_run_on(run, pb).options;
  for (std::size_t r = 0; r < std::max<std::size_t>(repeats, 1); ++r) {
    solve_options o = options;
    o.seed = options.seed + r;
    const auto t0 = std::chrono::steady_clock::now();
    solve_outcome out = solve(pb, o);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (on_repeat) on_repeat(r, o, out, wall);
    objectives.push_back(out.best.score);
    runtimes.push_back(wall);
    rates.push_back(out.search.seconds > 0 ? static_cast<double>(out.search.evaluations) / out.search.seconds : 0.0);
    if (!best || out.best.score > best->best.score) best = std::move(out);
  }
  const auto rows = assignment_rows(pb, best->search.best);
  write_file_atomic(dir / run.csv_name, assignments_csv_text(pb, best->search.best));
  record rec;
  rec.set("scenario", scenario).set("scenario_path", scenario_path.string()).set("solver", run.solver);
  rec.set("objective", detail::median_of(objectives));
  rec.set("runtime_s", detail::median_of(runtimes));
  rec.set("assignments", static_cast<long long>(rows.size()));
  for (const auto& [k, v] : compute_kpis(pb, best->search.best).totals)
    std::visit([&](const auto& x) { rec.set("kpi_" + k, x); }, v);
  const solve_options& o = options;
  const long long iters = o.stop.max_iterations;
  if (run.solver == "sa") {
    const auto& s = best->search;
    rec.set("iters", iters).set("seed", static_cast<long long>(o.seed));
    rec.set("sa_initial_score", best->initial.score);
    rec.set("sa_acceptance_rate", s.proposals > 0 ? static_cast<double>(s.accepted) / static_cast<double>(s.proposals) : 0.0);
    rec.set("sa_accepted_moves", s.accepted).set("sa_proposals", s.proposals).set("sa_restarts", s.restarts);
    rec.set("preset_label", run.preset_label);
  } else if (run.solver == "ils") {
    rec.set("iters", iters).set("seed", static_cast<long long>(o.seed));
    rec.set("perturbation_strength", o.ils.perturbation_strength).set("stall_limit", o.ils.stall_limit);
    rec.set("hybrid_use_mip", o.hybrid_use_mip).set("hybrid_mip_time_limit", o.hybrid_mip_time_limit);
    rec.set("improvement_steps", best->search.accepted);
  } else {
    rec.set("iters", iters).set("seed", static_cast<long long>(o.seed));
    rec.set("tabu_tenure", o.tabu.tenure).set("tabu_stall_limit", o.stop.stall_limit);
  }
  rec.set("operators_config", detail::weights_json_sorted(o.weights));
  rec.set("operators_stats", detail::stats_json_sorted(best->search.operators));
  rec.set("repeats", static_cast<long long>(objectives.size()));
  rec.set("objective_min", *std::min_element(objectives.begin(), objectives.end()));
  rec.set("objective_max", *std::max_element(objectives.begin(), objectives.end()));
  rec.set("evaluations_per_second", detail::median_of(rates));
  return rec;
}

/// The MIP row of a scenario (§5 step 1): the plan MIP by cbc (plan_mip.hpp) within `seconds`,
/// its plan written to `<dir>/mip_assignments.csv`. `objective` is the plan re-scored by the
/// evaluator (the reference reports its own MIP's value, which charges moves differently, quirk
/// Q11); `build_time_s` is the time to write the model, `mip_bound`, `mip_gap` (bound -
/// objective), `mip_status` (optimal, stopped, no_incumbent) and `mip_plan` (mip or greedy) say
/// how far cbc got.
inline record run_bench_mip(const problem& pb, const std::string& scenario, const std::filesystem::path& scenario_path, double seconds,
                            const std::filesystem::path& dir, const std::string& program = "cbc") {
  const auto t0 = std::chrono::steady_clock::now();
  const plan_mip_result r = solve_plan_mip(pb, {.seconds = seconds, .program = program});
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(dir / "mip_assignments.csv", assignments_csv_text(pb, r.plan));
  record rec;
  rec.set("scenario", scenario).set("scenario_path", scenario_path.string()).set("solver", std::string("mip"));
  rec.set("objective", r.eval.score).set("runtime_s", wall);
  rec.set("assignments", static_cast<long long>(assignment_rows(pb, r.plan).size()));
  for (const auto& [k, v] : compute_kpis(pb, r.plan).totals)
    std::visit([&](const auto& x) { rec.set("kpi_" + k, x); }, v);
  rec.set("build_time_s", r.build_seconds);
  if (std::isfinite(r.bound)) rec.set("mip_bound", r.bound).set("mip_gap", r.gap());
  else rec.set("mip_bound", std::monostate{}).set("mip_gap", std::monostate{});
  rec.set("mip_status", std::string(r.optimal ? "optimal" : r.incumbent ? "stopped" : "no_incumbent"));
  rec.set("mip_plan", r.source);
  rec.set("repeats", 1LL).set("objective_min", r.eval.score).set("objective_max", r.eval.score);
  rec.set("evaluations_per_second", 0.0);
  return rec;
}

/// The run record of one bench-suite repeat (fhops-cpp: schema run records, context.source
/// `cli.bench-suite`; the reference writes legacy JSONL-only objects, docs/compatibility.md):
/// the solver's record with context `scenario_label` (user-1, a bundle member...), `preset_label`
/// (SA) and `repeat`.
inline telemetry::run_record bench_run_record(const bench_run& run, const scenario& sc, const std::string& label,
                                              const std::filesystem::path& scenario_path, std::size_t repeat, const solve_options& o,
                                              const solve_outcome& out, const problem& pb, double wall) {
  run_context ctx;
  ctx.source = "cli.bench-suite";
  ctx.scenario_path = scenario_path.string();
  ctx.iters = o.stop.max_iterations;
  if (o.stop.max_seconds > 0) ctx.time_limit = o.stop.max_seconds;
  ctx.batch_size = o.kind == solver_kind::ils ? o.ils.samples : o.kind == solver_kind::tabu ? o.tabu.candidates : o.batch.value_or(0);
  if (o.kind == solver_kind::tabu) ctx.tabu_tenure_arg = o.tabu.tenure;
  telemetry::run_record rec = begin_run_record(o.kind, o, ctx, &sc, static_cast<long long>(o.seed));
  finish_run_record(rec, o.kind, o, out, compute_kpis(pb, out.search.best), wall);
  telemetry::set(rec.context, "scenario_label", label);
  if (!run.preset_label.empty()) telemetry::set(rec.context, "preset_label", run.preset_label);
  telemetry::set(rec.context, "repeat", static_cast<long long>(repeat));
  return rec;
}

/// The derived comparison columns (§5), with the best heuristic = the highest non-MIP objective of
/// the scenario (first wins ties); the MIP columns against the scenario's `mip` row when there is
/// one (NA otherwise). The order is kept.
inline void add_bench_comparisons(std::vector<record>& rows) {
  const auto text = [](const record& r, const char* k) {
    const auto* s = std::get_if<std::string>(r.find(k));
    return s ? *s : std::string();
  };
  std::map<std::string, std::size_t> best, mip;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string key = text(rows[i], "scenario");
    if (text(rows[i], "solver") == "mip") {
      mip.emplace(key, i);
      continue;
    }
    const auto it = best.find(key);
    if (it == best.end() || rows[i].number("objective") > rows[it->second].number("objective")) best[key] = i;
  }
  const std::vector<record> snapshot = rows;
  for (auto& r : rows) {
    const std::string key = text(r, "scenario");
    const bool exact = text(r, "solver") == "mip";
    r.set("scenario_key", key);
    if (const auto m = mip.find(key); m != mip.end()) {
      const double v = snapshot[m->second].number("objective");
      r.set("objective_vs_mip_gap", exact ? 0.0 : v - r.number("objective"));
      if (exact) r.set("objective_vs_mip_ratio", 1.0);
      else if (v != 0.0) r.set("objective_vs_mip_ratio", r.number("objective") / v);
      else r.set("objective_vs_mip_ratio", std::monostate{});
    } else {
      r.set("objective_vs_mip_gap", std::monostate{}).set("objective_vs_mip_ratio", std::monostate{});
    }
    r.set("solver_category", std::string(exact ? "exact" : "heuristic"));
    const auto b = best.find(key);
    if (b == best.end()) {  // no heuristic row
      for (const char* k : {"best_heuristic_solver", "best_heuristic_objective", "best_heuristic_runtime_s", "objective_gap_vs_best_heuristic",
                            "runtime_ratio_vs_best_heuristic"})
        r.set(k, std::monostate{});
      continue;
    }
    const record& h = snapshot[b->second];
    r.set("best_heuristic_solver", *h.find("solver"));
    r.set("best_heuristic_objective", h.number("objective"));
    r.set("best_heuristic_runtime_s", h.number("runtime_s"));
    const double gap = r.number("objective") - h.number("objective");
    r.set("objective_gap_vs_best_heuristic", exact ? -gap : gap);
    const double denom = h.number("runtime_s");
    if (denom > 0.0 && std::isfinite(denom)) r.set("runtime_ratio_vs_best_heuristic", r.number("runtime_s") / denom);
    else r.set("runtime_ratio_vs_best_heuristic", std::monostate{});
  }
}

/// The summary as a Markdown table (objectives to 3 decimals, as the reference's Markdown).
inline std::string bench_markdown(const std::vector<record>& rows) {
  const auto text = [](const record& r, const char* k) {
    const auto* s = std::get_if<std::string>(r.find(k));
    return s ? *s : std::string();
  };
  std::string out =
      "| scenario | solver | preset | objective (median) | min | max | repeats | runtime_s | evaluations/s | gap vs best heuristic |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    out += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {} | {:.2f} | {:.0f} | {:.3f} |\n", text(r, "scenario"), text(r, "solver"),
                       text(r, "preset_label"), r.number("objective"), r.number("objective_min"), r.number("objective_max"),
                       static_cast<long long>(r.number("repeats")), r.number("runtime_s"), r.number("evaluations_per_second"),
                       r.number("objective_gap_vs_best_heuristic"));
  return out;
}

/// The records sorted by (scenario, solver), stable: the order of summary.csv.
inline std::vector<record> bench_csv_order(std::vector<record> rows) {
  const auto text = [](const record& r, const char* k) {
    const auto* s = std::get_if<std::string>(r.find(k));
    return s ? *s : std::string();
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const record& a, const record& b) {
    if (text(a, "scenario") != text(b, "scenario")) return text(a, "scenario") < text(b, "scenario");
    return text(a, "solver") < text(b, "solver");
  });
  return rows;
}

/// The suite's summary: per scenario (`labels`, in order), its MIP row when `mip_row(i)` gives one
/// (called in scenario order, before that scenario's rows), then its cells' rows from `cells` (in
/// unit order); the comparisons added (add_bench_comparisons); `summary.csv` (in CSV order),
/// `summary.json` and `summary.md` written atomically into `out`. Returns the rows in CSV order.
template <class MipRow>
std::vector<record> write_bench_summary(const std::filesystem::path& out, const std::vector<std::string>& labels, const std::vector<record>& cells,
                                        MipRow&& mip_row) {
  std::vector<record> rows;
  std::set<std::string> placed;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (std::optional<record> mip = mip_row(i)) rows.push_back(std::move(*mip));
    if (placed.insert(labels[i]).second)
      for (const auto& r : cells)
        if (const auto* s = std::get_if<std::string>(r.find("scenario")); s && *s == labels[i]) rows.push_back(r);
  }
  add_bench_comparisons(rows);
  auto sorted = bench_csv_order(rows);
  write_file_atomic(out / "summary.csv", records_csv(sorted, record_columns(rows)));
  write_file_atomic(out / "summary.json", records_json(rows) + "\n");
  write_file_atomic(out / "summary.md", bench_markdown(sorted));
  return sorted;
}

}  // namespace fhops::harvest
