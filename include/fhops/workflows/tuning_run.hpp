/// \file
/// A tune command's run (`fhops tune-random | tune-grid | tune-bayes`): one tuner over every
/// scenario, its trials run here (`jobs` at a time) or as work units through a dist::session
/// (mpirun, --resume), every trial's run record written to the run store in trial order, and the
/// tuner summaries of §1.8 (one for random and grid, one per scenario for TPE). What the command
/// shows as it goes — a scenario's heading, each trial, a scenario's table — it shows from the
/// callbacks of `tuning_progress`, called on the calling thread in that order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhops/dist/session.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/unit_runs.hpp"

namespace fhops::harvest {

/// What a tune command asks for.
struct tuning_request {
  tuner_kind kind = tuner_kind::random;
  solver_kind solver = solver_kind::sa;
  std::string command;                           ///< tune-random | tune-grid | tune-bayes (work plans, messages)
  const tune::parameter_space* space = nullptr;  ///< grid: a preset_grid_space
  solve_options base;                            ///< the trials' options before their configuration
  std::size_t trials = 0;                        ///< per scenario
  std::size_t jobs = 1;                          ///< trials at a time (here)
  std::uint64_t seed = 0;                        ///< the tuner's seed (tuner_seed_rule)
  std::vector<tuner_trial_context> contexts;     ///< per scenario: its records' context
  std::vector<std::string> summary_keys;         ///< per scenario: its key in the tuner summary
  const std::vector<problem>* problems = nullptr;
  const std::vector<scenario>* scenarios = nullptr;
  telemetry::run_store* store = nullptr;         ///< where the records and summaries go (required)
  dist::session* session = nullptr;              ///< when set, the trials are work units of it
  bool resume = false;                           ///< with a session: run only the trials not in the store
};

/// What the caller is told as the run goes (each optional).
struct tuning_progress {
  /// With a session, before the first scenario: how many trials came from the store (> 0 only).
  std::function<void(std::size_t resumed)> resumed;
  std::function<void(std::size_t scenario)> scenario_started;
  /// A trial finished (in trial order for random and grid, in finishing order for TPE), its
  /// record written: the scenario's trials so far and its best successful objective so far.
  std::function<void(std::size_t scenario, const tuned_trial& trial, std::size_t finished, double best_so_far)> trial_done;
  /// Every trial of the scenario, as told.
  std::function<void(std::size_t scenario, const std::vector<tuned_trial>& trials)> scenario_done;
};

/// What came of it. On an MPI worker rank (`worker`) nothing else is set.
struct tuning_result {
  bool worker = false;
  std::vector<std::vector<tuned_trial>> trials;  ///< per scenario, as told
  std::size_t records_written = 0, resumed = 0, failures = 0;
  std::vector<std::size_t> lost;                 ///< work units lost (the summaries are then not written)
  std::vector<std::string> mirror_errors;        ///< the store's mirror failed (the log has every record)
};

/// Runs the tuner as `rq` says, telling `progress` as it goes.
inline tuning_result run_tuning(const tuning_request& rq, const tuning_progress& progress = {}) {
  telemetry::run_store& store = *rq.store;
  tuning_result res;
  std::optional<tuner_units_result> units;
  if (rq.session) {
    tuner_units_spec spec{rq.command, rq.kind, rq.solver, rq.space, rq.base, rq.contexts, rq.problems, rq.scenarios, rq.trials, rq.seed, rq.resume};
    units = run_tuner_units(spec, *rq.session, store);
    if (!rq.session->coordinator()) {
      res.worker = true;
      return res;
    }
    res.records_written += units->records_written;
    res.resumed = units->resumed;
    res.lost = units->lost;
    res.mirror_errors = units->mirror_errors;
    if (units->resumed && progress.resumed) progress.resumed(units->resumed);
  }
  const auto write_summary = [&](const std::vector<std::pair<std::string, double>>& best, long long configurations) {
    if (!res.lost.empty()) return;  // incomplete: the --resume run writes the summary
    if (auto err = store.record_summary({tuner_label(rq.kind), configurations, best, telemetry::new_run_id(), telemetry::utc_iso_seconds()}))
      res.mirror_errors.push_back(*err);
  };
  trial_records finished_records;  // by trial number, for the current scenario
  std::vector<std::pair<std::string, double>> scenario_best;  // summary key -> best objective
  long long successful_trials = 0;
  const std::size_t ns = rq.contexts.size();
  res.trials.resize(ns);
  for (std::size_t si = 0; si < ns; ++si) {
    if (progress.scenario_started) progress.scenario_started(si);
    const problem& pb = (*rq.problems)[si];
    solve_options o = rq.base;
    resolve_tabu_tenure(o, pb.num_machines);
    double best_so_far = -std::numeric_limits<double>::infinity();
    std::size_t finished = 0, successes = 0;
    auto& told = res.trials[si];
    const auto run_one = recording_trial_runner(rq.contexts[si], pb, &(*rq.scenarios)[si], finished_records, [&](const std::string& run_id) {
      return store.step_observer(run_id, acceptance_column_for(rq.solver));
    });
    const auto on_trial = [&](const tuned_trial& t) {
      ++finished;
      if (auto rec = finished_records.take(t.result.t.number)) {
        if (auto err = store.record({*rec})) res.mirror_errors.push_back(*err);
        ++res.records_written;
      }
      if (t.result.ok()) {
        ++successes;
        best_so_far = std::max(best_so_far, t.result.value);
      } else {
        ++res.failures;
      }
      told.push_back(t);
      if (progress.trial_done) progress.trial_done(si, t, finished, best_so_far);
    };
    if (units)
      for (const auto& t : units->trials[si]) on_trial(t);  // replayed from the work units
    else
      run_tuner(rq.kind, *rq.space, o, si, rq.trials, rq.seed, rq.jobs, run_one, on_trial);
    if (progress.scenario_done) progress.scenario_done(si, told);
    successful_trials += static_cast<long long>(successes);
    if (successes == 0) continue;  // best_so_far is the scenario's best successful trial
    if (tuner_info_of(rq.kind).per_scenario_summary) write_summary({{rq.summary_keys[si], best_so_far}}, static_cast<long long>(successes));
    else scenario_best.emplace_back(rq.summary_keys[si], best_so_far);
  }
  if (!tuner_info_of(rq.kind).per_scenario_summary && !scenario_best.empty()) write_summary(scenario_best, successful_trials);
  return res;
}

}  // namespace fhops::harvest
