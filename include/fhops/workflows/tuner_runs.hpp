/// \file
/// Running the reference's tuners on one scenario and recording each run (telemetry_tuning.md §3,
/// §1.5-1.6): the strategy and seed rules of tune-random, tune-grid and tune-bayes, the run record
/// of a tuner trial (context and `tuner_meta`), the fixed-parameter ILS/Tabu restarts of the tuning
/// benchmark (`benchmark.ils|tabu`), and a solve that completes its run record. Shared by
/// `fhops tune-*` and `fhops tuning-plan run`, so both record the same runs for the same seeds.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/tune/grid_search.hpp"
#include "fhops/tune/random_search.hpp"
#include "fhops/tune/tpe.hpp"
#include "fhops/util/rng.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuning.hpp"

namespace fhops::harvest {

/// The three configuration tuners.
enum class tuner_kind { random, grid, bayes };

/// One configuration tuner of the product: how its command, run records and console name it and
/// what its count of trials is called. tuner_registry holds one per tuner_kind, in the enum's
/// order, so a runtime choice is a lookup, not a switch (as solver_registry for the solvers).
struct tuner_info {
  tuner_kind kind;
  const char* label;         ///< `tuner_meta.algorithm` of its runs and the tuner summary's algorithm
  const char* command;       ///< the driver's command
  const char* seed_option;   ///< the option that seeds it
  const char* name;          ///< the console's "<name> tuner did not produce any successful runs"
  const char* heading;       ///< the console's "<heading> SCENARIO (...)" per scenario
  const char* unit;          ///< its count per scenario, short ("runs" in "bundle=B, runs=N")
  const char* unit_long;     ///< and long ("3 run(s)")
  bool per_scenario_summary; ///< a tuner summary per scenario (TPE) rather than one for all
};

/// The tuners, in tuner_kind order.
inline constexpr std::array<tuner_info, 3> tuner_registry{{
    {tuner_kind::random, "random", "tune-random", "base-seed", "Random", "Tuning", "runs", "run(s)", false},
    {tuner_kind::grid, "grid", "tune-grid", "seed", "Grid", "Grid tuning", "configs", "configuration(s)", false},
    {tuner_kind::bayes, "bayes", "tune-bayes", "seed", "Bayesian", "Bayesian tuning", "trials", "trial(s)", true},
}};

/// The registry's entry of `k`.
constexpr const tuner_info& tuner_info_of(tuner_kind k) { return tuner_registry[static_cast<std::size_t>(k)]; }
static_assert(tuner_info_of(tuner_kind::random).kind == tuner_kind::random && tuner_info_of(tuner_kind::grid).kind == tuner_kind::grid &&
                  tuner_info_of(tuner_kind::bayes).kind == tuner_kind::bayes,
              "tuner_registry must list the tuners in tuner_kind order");

/// `random`, `grid` or `bayes` (the `tuner_meta.algorithm` of their runs).
constexpr const char* tuner_label(tuner_kind k) { return tuner_info_of(k).label; }

/// What a tuner trial's run record says besides the solve: who ran it, on what, with which budget.
struct tuner_trial_context {
  tuner_kind kind = tuner_kind::random;
  solver_kind solver = solver_kind::sa;
  std::string source;                  ///< `cli.tune-random|grid|bayes`
  std::string scenario_path;
  std::optional<std::string> tier;
  long long total = 0;                 ///< runs, configurations or trials per scenario
  long long iters = 0;                 ///< the iteration budget per run
  std::string bundle, member;          ///< empty for an explicit scenario
};

/// The operators a run uses, `{name: weight}` for the weights > 0 (a tuner record's `operators`).
inline telemetry::json::object operator_weights_json(const operator_weights& w) {
  telemetry::json::object ops;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (w[i] > 0.0) ops.emplace_back(std::string(operator_names[i]), w[i]);
  return ops;
}

/// A configuration as a JSON object (`tuner_meta.config.configuration`: replays the run).
inline telemetry::json::object configuration_json(const tune::configuration& c) {
  telemetry::json::object cfg;
  for (const auto& [name, v] : c.items()) std::visit([&](const auto& x) { cfg.emplace_back(name, telemetry::json(x)); }, v);
  return cfg;
}

/// The solver's run record (§1.4) of a tuner's run before its solve: its context from the options
/// (iterations, batch, time limit, Tabu tenure), the source, scenario path and tier.
inline telemetry::run_record begin_tuned_run_record(solver_kind solver, const solve_options& so, const std::string& source,
                                                    const std::string& scenario_path, const std::optional<std::string>& tier, const scenario* sc) {
  run_context ctx;
  ctx.source = source;
  ctx.scenario_path = scenario_path;
  ctx.tier = tier;
  ctx.iters = so.stop.max_iterations;
  ctx.batch_size = so.batch.value_or(0);
  if (so.stop.max_seconds > 0) ctx.time_limit = so.stop.max_seconds;
  if (solver == solver_kind::tabu) ctx.tabu_tenure_arg = so.tabu.tenure;
  return begin_run_record(solver, so, ctx, sc, static_cast<long long>(so.seed));
}

/// The run record of one tuner trial before its solve: the solver's record (§1.4) with the tuner's
/// `tuner_meta` (§1.6: budget, config with the trial's replayable `configuration`, progress).
inline telemetry::run_record begin_tuner_trial_record(const tuner_trial_context& c, const tune::trial& tr, const solve_options& so,
                                                      const scenario* sc) {
  namespace tel = telemetry;
  tel::run_record rec = begin_tuned_run_record(c.solver, so, c.source, c.scenario_path, c.tier, sc);
  tel::json::object ops = operator_weights_json(so.weights);
  const long long nops = static_cast<long long>(ops.size());
  const long long total = c.total, index = static_cast<long long>(tr.number) + 1;
  const tel::json batch = so.batch.value_or(0) > 1 ? tel::json(*so.batch) : tel::json(1LL);
  tel::json::object budget, config, progress;
  if (c.kind == tuner_kind::random) {
    budget = {{"runs_total", total}, {"iters_per_run", c.iters}, {"tier", tel::json(c.tier)}};
    config = {{"batch_size", batch}, {"operator_count", nops}, {"operators", ops}};
    progress = {{"run_index", index}, {"total_runs", total}};
  } else if (c.kind == tuner_kind::grid) {
    budget = {{"total_configs", total}, {"iters_per_config", c.iters}, {"tier", tel::json(c.tier)}};
    config = {{"preset", tr.config.category("preset")}, {"batch_size", batch}, {"operators", ops}};
    progress = {{"config_index", index}, {"total_configs", total}};
  } else {
    budget = {{"trials_total", total}, {"iters_per_trial", c.iters}, {"tier", tel::json(c.tier)}};
    config = {{"trial_number", static_cast<long long>(tr.number)}, {"batch_size", batch}, {"operators", ops}};
    progress = {{"trial_index", index}, {"total_trials", total}};
  }
  config.emplace_back("solver", solver_label(c.solver));
  config.emplace_back("configuration", configuration_json(tr.config));  // replays the run with the seed and budget
  rec.tuner_meta = {{"algorithm", tuner_label(c.kind)}, {"budget", budget}, {"config", config}, {"progress", progress}};
  if (!c.bundle.empty()) {
    rec.tuner_meta.emplace_back("bundle", c.bundle);
    rec.tuner_meta.emplace_back("bundle_member", c.member);
  }
  return rec;
}

/// Solves and completes `rec` with the outcome (metrics, KPIs, progress) or, when the solve
/// throws, marks it failed and rethrows. `observer` is the run's step observer.
template <class Observer>
solve_outcome recorded_solve(const problem& pb, const solve_options& so, telemetry::run_record& rec, Observer observer) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto secs = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  try {
    auto out = solve(pb, so, std::move(observer));
    finish_run_record(rec, so.kind, so, out, compute_kpis(pb, out.search.best), secs());
    return out;
  } catch (const std::exception& ex) {
    fail_run_record(rec, ex.what(), secs());
    throw;
  }
}

/// A work unit's solve whose record travels to the coordinator (unit_runs.hpp, race_runs.hpp):
/// solved with the store's step observer and completed (a failed solve is a finished unit, its
/// record status "error"), its step file closed (one thread at a time, under `steps_mutex`), and
/// the record as one JSONL line.
inline std::string recorded_unit_line(const problem& pb, const solve_options& so, telemetry::run_record& rec, telemetry::run_store& store,
                                      std::mutex& steps_mutex) {
  try {
    recorded_solve(pb, so, rec, store.step_observer(rec.run_id, acceptance_column_for(so.kind)));
  } catch (const std::exception&) {  // recorded: status "error"
  }
  {
    std::lock_guard lock(steps_mutex);
    store.close_steps({rec});
  }
  return telemetry::jsonl_line(rec);
}

/// The run records of a tuner's trials, filled by the worker threads and taken in trial order.
class trial_records {
public:
  void put(std::size_t trial, telemetry::run_record r) {
    std::lock_guard lock(m_);
    records_[trial] = std::move(r);
  }
  std::optional<telemetry::run_record> take(std::size_t trial) {
    std::lock_guard lock(m_);
    const auto it = records_.find(trial);
    if (it == records_.end()) return std::nullopt;
    std::optional<telemetry::run_record> r(std::move(it->second));
    records_.erase(it);
    return r;
  }

private:
  std::mutex m_;
  std::map<std::size_t, telemetry::run_record> records_;
};

/// A `run_one` for tune_solver/run_tuner that records: each trial's run record is begun
/// (begin_tuner_trial_record), completed by recorded_solve with the observer
/// `make_observer(run_id)` returns, and kept in `records` — also when the solve throws.
template <class MakeObserver>
auto recording_trial_runner(const tuner_trial_context& c, const problem& pb, const scenario* sc, trial_records& records,
                            MakeObserver make_observer) {
  return [&c, &pb, sc, &records, make_observer](const tune::trial& tr, const solve_options& so) {
    telemetry::run_record rec = begin_tuner_trial_record(c, tr, so, sc);
    try {
      auto out = recorded_solve(pb, so, rec, make_observer(rec.run_id));
      records.put(tr.number, std::move(rec));
      return out;
    } catch (const std::exception&) {
      records.put(tr.number, std::move(rec));
      throw;
    }
  };
}

/// The TPE parameters of a tuner run of `trials` trials.
inline tune::tpe_parameters tpe_parameters_for(std::size_t trials) {
  tune::tpe_parameters tp;
  tp.max_trials = trials;
  return tp;
}

/// The reference's seed rules of a tuner on the scenario at `scenario_index` (of the tuner's
/// scenario list), `trials` trials per scenario:
/// - random: `random_search(space)` seeded `derive_seed(seed, i)`; run k gets
///   `1 + derive_seed(seed, i·trials + k) mod 999,999,999`;
/// - grid: `grid_search(space)` (a preset_grid_space); configuration k runs with `seed + i·trials + k`;
/// - bayes: TPE reseeded with `seed` per scenario; trial k runs with `seed + k`.
struct tuner_seed_rule {
  tuner_kind kind = tuner_kind::random;
  std::size_t scenario_index = 0, trials = 0;
  std::uint64_t seed = 0;

  /// The seed of the strategy's rng.
  std::uint64_t strategy_seed() const { return kind == tuner_kind::random ? derive_seed(seed, scenario_index) : seed; }
  /// The solver seed of trial k.
  std::uint64_t run_seed(std::size_t k) const {
    const std::uint64_t offset = scenario_index * trials;
    if (kind == tuner_kind::random) return 1 + derive_seed(seed, offset + k) % 999'999'999;
    if (kind == tuner_kind::grid) return seed + offset + k;  // the seed counter runs across scenarios
    return seed + k;
  }
};

/// Runs one tuner on the scenario at `scenario_index` with the seed rules of tuner_seed_rule,
/// `jobs` trials at a time (see tune_solver for run_one and on_trial). Random and grid give the
/// same trials whatever `jobs`; TPE's depend on `jobs` (constant liar).
template <class RunOne, class OnTrial>
std::vector<tuned_trial> run_tuner(tuner_kind kind, const tune::parameter_space& space, const solve_options& base,
                                   std::size_t scenario_index, std::size_t trials, std::uint64_t seed, std::size_t jobs,
                                   RunOne&& run_one, OnTrial&& on_trial) {
  const tuner_seed_rule rule{kind, scenario_index, trials, seed};
  const auto seed_of = [&](std::size_t k) { return rule.run_seed(k); };
  if (kind == tuner_kind::random) {
    tune::random_search strategy(space);
    return tune_solver(strategy, base, trials, rule.strategy_seed(), jobs, seed_of, run_one, on_trial);
  }
  if (kind == tuner_kind::grid) {
    tune::grid_search strategy(space);
    return tune_solver(strategy, base, trials, rule.strategy_seed(), jobs, seed_of, run_one, on_trial);
  }
  tune::tpe strategy(space, tpe_parameters_for(trials));  // reseeded per scenario, as the reference
  return tune_solver(strategy, base, trials, rule.strategy_seed(), jobs, seed_of, run_one, on_trial);
}

/// The fixed-parameter ILS or Tabu restarts of the tuning benchmark (§7): `runs` runs of `iters`
/// iterations per scenario, seeds `seed_base + scenario_index·max(1, runs) + k` (the reference's
/// seed counter). Extras left unset keep the solver's defaults and are not recorded.
struct restart_settings {
  solver_kind solver = solver_kind::ils;
  long long runs = 2, iters = 250;
  std::uint64_t seed_base = 321;
  std::optional<long long> perturbation_strength, stall_limit;  ///< ILS; stall_limit is Tabu's too
  std::optional<bool> hybrid_use_mip;                           ///< recorded only: fhops-cpp has no MIP

  /// The seed of run k on the scenario at `scenario_index`.
  std::uint64_t seed_of(std::size_t scenario_index, long long k) const {
    return seed_base + static_cast<std::uint64_t>(scenario_index) * static_cast<std::uint64_t>(std::max(1LL, runs)) +
           static_cast<std::uint64_t>(k);
  }

  /// The solver options of run k: fhops-cpp's default weights (as solve-ils/solve-tabu), the
  /// iteration budget, the extras; Tabu's tenure is max(10, machines) as `--tabu-tenure 0`.
  solve_options options(const problem& pb, std::uint64_t seed) const {
    solve_options o;
    o.kind = solver;
    o.weights = solver_defaults(solver);
    o.stop.max_iterations = iters;
    o.seed = seed;
    if (solver == solver_kind::ils) {
      if (perturbation_strength) o.ils.perturbation_strength = *perturbation_strength;
      if (stall_limit) o.ils.stall_limit = *stall_limit;
    } else if (solver == solver_kind::tabu) {
      if (stall_limit) o.stop.stall_limit = *stall_limit;
      o.tabu.tenure = automatic_tabu_tenure(pb.num_machines);
    }
    return o;
  }
};

/// Where a restart runs: the scenario and its labels.
struct restart_target {
  std::string scenario_path, scenario_label;
  std::string bundle, member;  ///< empty for an explicit scenario
  std::optional<std::string> tier;
};

/// The run record of restart `k` (0-based) before its solve: source `benchmark.ils|tabu`, context
/// `scenario_path, scenario_label, bundle?, bundle_member?, tier?, run_seed`, and the runner's
/// `tuner_meta` (§1.6: budget `{runs_total, iters_per_run, tier}`, config = the extras given,
/// progress `{run_index (1-based), total_runs}`).
inline telemetry::run_record begin_restart_record(const restart_settings& s, const restart_target& t, const solve_options& o,
                                                  const scenario* sc, long long k) {
  namespace tel = telemetry;
  run_context ctx;
  ctx.source = std::string("benchmark.") + solver_label(s.solver);
  ctx.scenario_path = t.scenario_path;
  ctx.tier = t.tier;
  ctx.iters = s.iters;
  tel::run_record rec = begin_run_record(s.solver, o, ctx, sc, static_cast<long long>(o.seed));
  tel::set(rec.context, "scenario_label", t.scenario_label);
  if (!t.bundle.empty()) {
    tel::set(rec.context, "bundle", t.bundle);
    tel::set(rec.context, "bundle_member", t.member);
  }
  tel::set(rec.context, "run_seed", static_cast<long long>(o.seed));
  tel::json::object config;
  if (s.solver == solver_kind::ils) {
    if (s.perturbation_strength) config.emplace_back("perturbation_strength", *s.perturbation_strength);
    if (s.stall_limit) config.emplace_back("stall_limit", *s.stall_limit);
    if (s.hybrid_use_mip) config.emplace_back("hybrid_use_mip", *s.hybrid_use_mip);
  } else if (s.stall_limit) {
    config.emplace_back("stall_limit", *s.stall_limit);
  }
  rec.tuner_meta = {{"algorithm", solver_label(s.solver)},
                    {"budget", tel::json::object{{"runs_total", s.runs}, {"iters_per_run", s.iters}, {"tier", tel::json(t.tier)}}}};
  if (!config.empty()) rec.tuner_meta.emplace_back("config", std::move(config));
  rec.tuner_meta.emplace_back("progress", tel::json::object{{"run_index", k + 1}, {"total_runs", s.runs}});
  if (!t.bundle.empty()) {
    rec.tuner_meta.emplace_back("bundle", t.bundle);
    rec.tuner_meta.emplace_back("bundle_member", t.member);
  }
  return rec;
}

}  // namespace fhops::harvest
