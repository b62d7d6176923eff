/// \file
/// The FHOPS side of run telemetry: the run record of a solve with the reference's per-solver
/// payloads (telemetry_tuning.md §1.4, heuristics.md §9.1) — config, metrics, context (scenario
/// descriptors, machine-cost snapshot), extra, tuner_meta and KPIs — built from the problem, the
/// options and the outcome. The generic record, sinks and store live in fhops/telemetry/.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/recorder.hpp"
#include "fhops/telemetry/records.hpp"

namespace fhops::harvest {

/// The step-record cadence of the reference (§1.7): SA every 100 steps, ILS and Tabu every 25.
inline long long default_step_interval(solver_kind k) { return solver_info_of(k).step_interval; }

/// How a solver's steps report their acceptance rate (§1.7).
inline telemetry::acceptance_column acceptance_column_for(solver_kind k) { return solver_info_of(k).acceptance; }

/// What the caller adds to a run record (the reference's telemetry context).
struct run_context {
  std::string source;                         ///< e.g. "cli.solve-heur"
  std::optional<std::string> scenario_path;
  std::optional<std::string> profile, profile_version, tier;
  std::optional<long long> multi_start_run_id;
  std::optional<std::string> preset;
  long long iters = 0;                        ///< the iteration budget requested (0 = time only)
  long long batch_size = 0;                   ///< --batch-neighbours (<= 1 is written as null)
  long long max_workers = 0;                  ///< --parallel-workers (<= 1 is written as null)
  long long parallel_multistart = 1;
  std::optional<long long> tabu_tenure_arg;   ///< as given (null = auto)
  std::optional<double> time_limit;
};

/// The scenario descriptors of §1.4.
inline telemetry::json::object scenario_features(const scenario& sc) {
  return {{"num_days", sc.num_days},
          {"num_blocks", static_cast<long long>(sc.blocks.size())},
          {"num_machines", static_cast<long long>(sc.machines.size())},
          {"num_landings", static_cast<long long>(sc.landings.size())},
          {"num_shift_calendar_entries", static_cast<long long>(sc.shift_calendar.size())},
          {"num_timeline_shifts", static_cast<long long>(sc.timeline ? sc.timeline->shifts.size() : 0)}};
}

/// The machine-cost snapshot (§1.4 keys). fhops-cpp scenarios carry no costing-module rates, so
/// those keys are null.
inline telemetry::json::array machine_costs(const scenario& sc) {
  telemetry::json::array out;
  for (const auto& m : sc.machines) {
    telemetry::json::object o{{"machine_id", m.id},
                        {"role", telemetry::json(m.role)},
                        {"operating_cost", m.operating_cost},
                        {"repair_usage_hours", m.repair_usage_hours ? telemetry::json(static_cast<long long>(*m.repair_usage_hours)) : telemetry::json()}};
    for (const char* k : {"rental_rate_smh", "ownership", "operating", "repair_maintenance", "usage_bucket_hours",
                          "usage_multiplier", "cost_base_year"})
      o.emplace_back(k, nullptr);
    out.emplace_back(std::move(o));
  }
  return out;
}

namespace detail {

inline telemetry::json null_unless_above_one(long long v) { return v > 1 ? telemetry::json(v) : telemetry::json(); }

inline telemetry::json::object operator_weights_json(const operator_weights& w) {
  telemetry::json::object o;
  for (std::size_t i = 0; i < operator_count; ++i) o.emplace_back(std::string(operator_names[i]), w[i]);
  return o;
}

inline telemetry::json kpi_json(const kpi_value& v) {
  if (const double* d = std::get_if<double>(&v)) return telemetry::json(*d);
  if (const long long* n = std::get_if<long long>(&v)) return telemetry::json(*n);
  return telemetry::json(std::get<std::string>(v));
}

}  // namespace detail

/// What one solver's run record holds beyond the fields every record has: the reference's
/// per-solver layouts (§1.4-1.6) and fhops-cpp's own solver settings. run_record_layouts holds
/// one per solver_kind, in the enum's order, so the record's builders look a solver up instead
/// of switching on it.
struct run_record_layout {
  solver_kind kind;
  /// config: the reference's solver settings, after iters, batch_size and max_workers
  void (*config)(telemetry::json::object& config, const solve_options& o, const run_context& ctx);
  /// config: fhops-cpp's own solver settings, last (`sc` may be null)
  void (*own_config)(telemetry::json::object& config, const solve_options& o, const scenario* sc);
  /// context: the scenario descriptors first and the caller's fields winning (SA), or the caller's
  /// fields first, the nested scenario_features, and the descriptors winning (ILS, Tabu)
  bool descriptors_first;
  /// tuner_meta's config of the solve commands (§1.6)
  telemetry::json::object (*tuner_config)(const solve_options& o, const run_context& ctx);
  /// metrics carry the acceptance rate
  bool acceptance_rate;
  /// extra, before evaluations, search_seconds and stop_reason
  telemetry::json::object (*extra)(const solve_options& o, const solve_outcome& out);
};

namespace detail {

inline void no_config(telemetry::json::object&, const solve_options&, const run_context&) {}

inline void sa_own_config(telemetry::json::object& c, const solve_options& o, const scenario* sc) {
  c.emplace_back("cooling", o.cooling);
  c.emplace_back("acceptance", o.acceptance);
  c.emplace_back("restart_period", o.restart_period);
  if (o.sa_cycles) c.emplace_back("cycles", *o.sa_cycles);  // given (--cycles)
  // The automatic one candidate per step of a timed run (one_candidate_step, decided by the
  // scenario's priced slack): batch_size, the reference's field, is null for it as for the
  // reference's step.
  if (sc && one_candidate_step(o, {.priced_slack = sc->weights.landing_slack > 0.0}))
    c.emplace_back("candidates_per_step", 1LL);
}

inline telemetry::json::object sa_tuner_config(const solve_options&, const run_context& ctx) {
  return {{"batch_size", null_unless_above_one(ctx.batch_size)},
          {"max_workers", null_unless_above_one(ctx.max_workers)},
          {"parallel_multistart", ctx.parallel_multistart}};
}

inline telemetry::json::object sa_extra(const solve_options& o, const solve_outcome& out) {
  const auto& s = out.search;
  return {{"iterations", s.iterations}, {"restarts", s.restarts}, {"proposals", s.proposals}, {"accepted_moves", s.accepted},
          {"temperature0", out.temperature0}, {"operators", operator_weights_json(o.weights)}};
}

// ILS's and Tabu's own settings: the SA warm start's share, when one runs (sa_warm_started).
inline void warm_start_config(telemetry::json::object& c, const solve_options& o, const scenario*) {
  if (sa_warm_started(o)) c.emplace_back("sa_warm_start", o.sa_warm_start);
}

// The SA warm start's move evaluations, when one ran, last in extra.
inline telemetry::json::object with_warm_start(telemetry::json::object extra, const solve_outcome& out) {
  if (out.warm_start_evaluations > 0) extra.emplace_back("sa_warm_start_evaluations", out.warm_start_evaluations);
  return extra;
}

inline void ils_config(telemetry::json::object& c, const solve_options& o, const run_context&) {
  c.emplace_back("perturbation_strength", o.ils.perturbation_strength);
  c.emplace_back("stall_limit", o.ils.stall_limit);
  c.emplace_back("hybrid_use_mip", o.hybrid_use_mip);
  c.emplace_back("hybrid_mip_time_limit", o.hybrid_mip_time_limit);
  c.emplace_back("ls_patience", o.ils.patience);  // fhops-cpp's own ILS settings
  c.emplace_back("ils_acceptance", o.ils.accept_worse ? "walk" : "better");
}

inline telemetry::json::object ils_tuner_config(const solve_options& o, const run_context&) {
  return {{"perturbation_strength", o.ils.perturbation_strength}, {"stall_limit", o.ils.stall_limit}, {"hybrid_use_mip", o.hybrid_use_mip}};
}

inline telemetry::json::object ils_extra(const solve_options& o, const solve_outcome& out) {
  const auto& s = out.search;
  return with_warm_start({{"iterations", s.iterations}, {"perturbations", s.iterations}, {"restarts", s.restarts},
                          {"stall_limit", o.ils.stall_limit}, {"perturbation_strength", o.ils.perturbation_strength},
                          {"hybrid_used", o.hybrid_use_mip}},
                         out);
}

inline void tabu_config(telemetry::json::object& c, const solve_options& o, const run_context& ctx) {
  c.emplace_back("tabu_tenure", telemetry::json(ctx.tabu_tenure_arg));
  c.emplace_back("stall_limit", o.stop.stall_limit);
}

inline telemetry::json::object tabu_tuner_config(const solve_options& o, const run_context&) {
  return {{"tabu_tenure", o.tabu.tenure}, {"stall_limit", o.stop.stall_limit}};
}

inline telemetry::json::object tabu_extra(const solve_options& o, const solve_outcome& out) {
  const auto& s = out.search;
  long long improvements = 0;
  for (const auto& c : s.operators) improvements += c.improvements;
  return with_warm_start({{"iterations", s.iterations}, {"proposals", s.proposals}, {"improvements", improvements},
                          {"stall_limit", o.stop.stall_limit}, {"tabu_tenure", o.tabu.tenure}},
                         out);
}

}  // namespace detail

/// The run-record layouts, in solver_kind order.
inline constexpr std::array<run_record_layout, 3> run_record_layouts{{
    {solver_kind::sa, &detail::no_config, &detail::sa_own_config, true, &detail::sa_tuner_config, true, &detail::sa_extra},
    {solver_kind::ils, &detail::ils_config, &detail::warm_start_config, false, &detail::ils_tuner_config, false, &detail::ils_extra},
    {solver_kind::tabu, &detail::tabu_config, &detail::warm_start_config, false, &detail::tabu_tuner_config, false, &detail::tabu_extra},
}};

/// The layout of `k`'s run records.
constexpr const run_record_layout& run_record_layout_of(solver_kind k) { return run_record_layouts[static_cast<std::size_t>(k)]; }
static_assert(run_record_layout_of(solver_kind::sa).kind == solver_kind::sa && run_record_layout_of(solver_kind::ils).kind == solver_kind::ils &&
                  run_record_layout_of(solver_kind::tabu).kind == solver_kind::tabu,
              "run_record_layouts must list the solvers in solver_kind order");

/// A run record with everything known before the solve: id, solver, scenario, seed, config,
/// context and tuner_meta (status "ok", started now). `sc` may be null when loading failed.
inline telemetry::run_record begin_run_record(solver_kind kind, const solve_options& o, const run_context& ctx, const scenario* sc,
                                        std::optional<long long> seed) {
  const run_record_layout& layout = run_record_layout_of(kind);
  telemetry::run_record r;
  r.run_id = telemetry::new_run_id();
  r.solver = solver_label(kind);
  if (sc) r.scenario = sc->name;
  r.scenario_path = ctx.scenario_path;
  r.seed = seed;
  r.started_at = telemetry::utc_iso_seconds();

  // config (§1.4), then fhops-cpp's own settings.
  r.config = {{"iters", ctx.iters}, {"batch_size", detail::null_unless_above_one(ctx.batch_size)},
              {"max_workers", detail::null_unless_above_one(ctx.max_workers)}};
  layout.config(r.config, o, ctx);
  r.config.emplace_back("operators", detail::operator_weights_json(o.weights));
  r.config.emplace_back("time_limit", telemetry::json(ctx.time_limit));
  r.config.emplace_back("operator_selection", o.adaptive ? "adaptive" : "fixed");
  if (o.landing_capacity != landing_capacity_mode::priced)  // recorded only when not the default
    r.config.emplace_back("landing_capacity", std::string(to_string(o.landing_capacity)));
  layout.own_config(r.config, o, sc);

  // context: the reference's two behaviours (run_record_layout::descriptors_first).
  telemetry::json::object caller{{"source", ctx.source}};
  if (sc) caller.emplace_back("machine_costs", machine_costs(*sc));
  if (ctx.profile) caller.emplace_back("profile", *ctx.profile);
  if (ctx.profile_version) caller.emplace_back("profile_version", *ctx.profile_version);
  if (ctx.tier) caller.emplace_back("tier", *ctx.tier);
  if (ctx.multi_start_run_id) caller.emplace_back("multi_start_run_id", *ctx.multi_start_run_id);
  if (ctx.preset) caller.emplace_back("preset", *ctx.preset);
  const telemetry::json::object features = sc ? scenario_features(*sc) : telemetry::json::object{};
  if (layout.descriptors_first) {
    r.context = features;
    for (auto& [k, v] : caller) telemetry::set(r.context, k, v);
  } else {
    r.context = caller;
    if (sc) telemetry::set(r.context, "scenario_features", features);
    for (auto& [k, v] : features) telemetry::set(r.context, k, v);
  }

  // tuner_meta of the solve CLIs (§1.6).
  r.tuner_meta = {{"algorithm", r.solver},
                  {"budget", telemetry::json::object{{"iters", ctx.iters}, {"tier", telemetry::json(ctx.tier)}}},
                  {"config", layout.tuner_config(o, ctx)},
                  {"progress", telemetry::json::object{}}};
  return r;
}

/// Completes a record with the outcome: metrics, extra, KPIs and tuner_meta progress.
inline void finish_run_record(telemetry::run_record& r, solver_kind kind, const solve_options& o, const solve_outcome& out,
                              const kpi_result& kpis, double seconds) {
  const run_record_layout& layout = run_record_layout_of(kind);
  const auto& s = out.search;
  r.metrics = {{"objective", out.best.score}, {"initial_score", out.initial.score}};
  if (layout.acceptance_rate)
    r.metrics.emplace_back("acceptance_rate", s.proposals > 0 ? static_cast<double>(s.accepted) / static_cast<double>(s.proposals) : 0.0);
  for (const auto& [k, v] : kpis.totals) {
    if (const double* d = std::get_if<double>(&v)) telemetry::set(r.metrics, k, *d);
    else if (const long long* n = std::get_if<long long>(&v)) telemetry::set(r.metrics, k, static_cast<double>(*n));
  }
  r.extra = layout.extra(o, out);
  r.extra.emplace_back("evaluations", s.evaluations);
  r.extra.emplace_back("search_seconds", s.seconds);
  r.extra.emplace_back("stop_reason", std::string(search::to_string(s.reason)));
  r.kpis.clear();
  for (const auto& [k, v] : kpis.totals) r.kpis.emplace_back(k, detail::kpi_json(v));
  if (auto* progress = telemetry::find(r.tuner_meta, "progress"); progress && progress->is_object()) {
    auto& p = progress->as_object();
    if (!telemetry::find(p, "best_objective")) p.emplace_back("best_objective", out.best.score);
    if (!telemetry::find(p, "iterations")) p.emplace_back("iterations", s.iterations);
  }
  r.status = "ok";
  r.error.reset();
  r.finished_at = telemetry::utc_iso_seconds();
  r.duration_seconds = seconds;
}

/// Marks a record as a failed run (§1.3: status "error" and the message; no metrics or KPIs).
inline void fail_run_record(telemetry::run_record& r, const std::string& message, double seconds) {
  r.status = "error";
  r.error = message;
  r.metrics.clear();
  r.kpis.clear();
  r.finished_at = telemetry::utc_iso_seconds();
  r.duration_seconds = seconds;
}

}  // namespace fhops::harvest
