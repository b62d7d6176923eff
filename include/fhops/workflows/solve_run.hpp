/// \file
/// A solve command's run, from a loaded scenario to a plan and its run records (`fhops
/// solve-heur | solve-ils | solve-tabu`): one run, one checkpointed run (resumable), or a
/// multistart of independent runs (on threads, or as work units through a dist::session); the plan
/// written atomically; KPIs; optional bounds; every run's record written to a run store. A failure
/// after the start is recorded too (status "error") before it propagates, so nothing a user asked
/// for goes unrecorded; a failed mirror leaves the records in the log and is reported in the result.
/// What the command prints is left to its caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/dist/session.hpp"
#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/bounds/bound.hpp"
#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/checkpoint.hpp"
#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/search/checkpoint.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/recorder.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/input_file.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/unit_runs.hpp"
#include "fhops/workflows/work_units.hpp"

namespace fhops::harvest {

/// The run-store fields of a checkpoint, after the solve's header: the run id (empty without a
/// store), the step interval and the step log's length at the checkpoint (-1: none). A resumed
/// run keeps the run id and cuts its step log back to that length, so it goes on as if it had
/// never stopped.
struct checkpoint_store_fields {
  std::string run_id;
  long long step_interval = 0;
  long long steps_bytes = -1;
};

/// A checkpoint opened for resuming a recorded run.
struct recorded_checkpoint {
  checkpoint_resume resume;
  checkpoint_store_fields fields;
};

/// Opens checkpoint `file` for resuming a run with options `o` on scenario `scenario_id`, with or
/// without a store (`recorded`) and that step interval. A refusal (another scenario, solver or
/// option, other telemetry settings, a truncated, corrupted or other-version file) throws
/// std::runtime_error with one line naming the file; the file is only read.
inline recorded_checkpoint open_recorded_checkpoint(const std::string& file, const solve_options& o, const std::string& scenario_id,
                                                    bool recorded, long long step_interval) {
  try {
    recorded_checkpoint r{open_checkpoint(read_text_file(file), o, scenario_id), {}};
    auto& d = r.fields;
    r.resume.reader.get("driver.run_id", d.run_id);
    r.resume.reader.get("driver.step_interval", d.step_interval);
    r.resume.reader.get("driver.steps_bytes", d.steps_bytes);
    if (d.run_id.empty() == recorded || (recorded && d.step_interval != step_interval))
      throw search::checkpoint_error(d.run_id.empty() ? "checkpoint was written without --telemetry-log; resume without it"
                                                      : fmt::format("checkpoint was written with --telemetry-log and step interval {}; resume with them",
                                                                    d.step_interval));
    return r;
  } catch (const search::checkpoint_error& e) {
    throw std::runtime_error("cannot resume from " + file + ": " + e.what());
  }
}

/// What a solve command asks for beyond the solver options.
struct solve_request {
  solver_kind kind = solver_kind::sa;
  solve_options options;                  ///< weights and tabu tenure resolved
  std::string command;                    ///< solve-heur | solve-ils | solve-tabu (work plans, messages)
  std::filesystem::path plan_csv;         ///< the best plan, written atomically
  telemetry::run_store* store = nullptr;  ///< where the run records go (none: no records)
  run_context context;                    ///< the records' context (with a store)
  /// The scenario's problem when the caller has built it already (e.g. to read its traits); null:
  /// run_solve builds it, and records the failure when it cannot.
  const problem* built = nullptr;

  std::size_t multistart = 1;             ///< > 1: independent runs with derived seeds, the best kept
  std::size_t threads = 1;                ///< a local multistart's threads
  /// When set, a multistart's runs are work units of the session it opens (mpirun, --resume);
  /// opened when the runs start, so a failure to open is a recorded failure.
  std::function<std::unique_ptr<dist::session>()> open_session;
  bool resume_units = false;              ///< with open_session: run only the runs not in the store

  /// One checkpointed run (not with a multistart): checkpoints as these say, from `resume` when set.
  std::optional<checkpoint_options> checkpoints;
  recorded_checkpoint* resume = nullptr;
  /// When set, called just before the checkpointed search and what it returns is held until the
  /// search ends (e.g. signal handlers that set the checkpoints' stop request).
  std::function<std::shared_ptr<void>()> while_searching;
  long long step_interval = 0;            ///< the store's step cadence, noted in checkpoints

  int lagrangian_steps = 0;               ///< > 0: also a Lagrangian bound by this many steps
  bool bound = false;                     ///< an upper bound as `fhops bound` (scenario_bound) after the search
  /// The bound's time: what is left of this many seconds counted from the start of the run when
  /// `bound_seconds_from_start`, else this many seconds after the search.
  double bound_seconds = 10.0;
  bool bound_seconds_from_start = false;
};

/// What came of it. `worker`, `interrupted` and a non-empty `lost` end a run early: no plan and no
/// records are written.
struct solve_result {
  bool worker = false;       ///< an MPI worker rank: its units ran; the coordinator reports
  bool interrupted = false;  ///< a checkpointed run stopped by its stop request; the checkpoint is written
  std::vector<std::size_t> lost;  ///< a multistart's lost work units (--resume completes it)
  std::size_t resumed = 0;        ///< a multistart's runs taken from the store
  solve_outcome outcome;          ///< the best run's
  kpi_result kpis;
  std::vector<telemetry::run_record> records;  ///< as written to the store (run order)
  std::size_t best_index = 0;
  std::optional<lagrangian_result> lagrangian;
  std::optional<bound_result> bound;           ///< with `bound`: set, its upper_bound empty when none was found in time
  std::optional<std::string> mirror_error;     ///< the store's mirror failed (the records are in its log)
};

/// The bound of `bound` in a run record's extra: upper_bound and the gap of the record's own
/// objective (null when absent); a failed run's record is left as it is.
inline void add_bound_fields(telemetry::run_record& r, const bound_result& b) {
  if (r.status != "ok") return;
  std::optional<double> gap;
  if (const auto* obj = telemetry::find(r.metrics, "objective"); obj && obj->is_number() && b.upper_bound)
    gap = relative_gap(*b.upper_bound, obj->as_double());
  r.extra.emplace_back("upper_bound", telemetry::json(b.upper_bound));
  r.extra.emplace_back("gap", telemetry::json(gap));
}

namespace detail {

inline std::string exception_message(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
  }
  return "unknown error";
}

// A resumed run's record keeps the checkpointed run's id, and its step log is cut back to its
// length at the checkpoint.
inline void continue_step_log(telemetry::run_store& store, telemetry::run_record& record, const checkpoint_store_fields& d) {
  record.run_id = d.run_id;
  if (!store.steps_on() || d.steps_bytes < 0) return;
  const auto file = store.step_file(d.run_id);
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (d.steps_bytes == 0 && ec) return;
  if (ec || size < static_cast<std::uintmax_t>(d.steps_bytes))
    throw std::runtime_error("cannot resume: the step log " + file.string() + " is shorter than at the checkpoint (" +
                             std::to_string(d.steps_bytes) + " bytes)");
  std::filesystem::resize_file(file, static_cast<std::uintmax_t>(d.steps_bytes));
}

}  // namespace detail

/// A run that failed before it could start (e.g. its scenario did not load; `sc` then null):
/// recorded in `store` when given (one record, status "error"), then `error` is rethrown — with
/// the mirror's failure added to its message, as a std::runtime_error, when the mirror failed.
[[noreturn]] inline void rethrow_recorded(telemetry::run_store* store, solver_kind kind, const solve_options& o, const run_context& ctx,
                                          const scenario* sc, const std::exception_ptr& error) {
  if (store) {
    const std::string message = detail::exception_message(error);
    auto r = begin_run_record(kind, o, ctx, sc, static_cast<long long>(o.seed));
    fail_run_record(r, message, 0.0);
    if (const auto mirror_error = store->record({r}))
      throw std::runtime_error(message + " (the failed run was recorded in " + store->log().string() + "; its SQLite mirror failed: " +
                               *mirror_error + ")");
  }
  std::rethrow_exception(error);
}

/// Runs what `rq` asks for on scenario `sc` (see the file comment); `progress` observes a single
/// run's search (not a multistart's). Throws what the run threw, after recording it.
template <class Progress>
solve_result run_solve(const scenario& sc, const solve_request& rq, Progress progress) {
  const solve_options& o = rq.options;
  telemetry::run_store* store = rq.store;
  const auto start = std::chrono::steady_clock::now();
  const auto wall = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const long long seed = static_cast<long long>(o.seed);
  solve_result res;
  auto& records = res.records;
  auto& out = res.outcome;
  try {
    std::optional<problem> own;
    const problem& pb = rq.built ? *rq.built : own.emplace(sc);
    const auto begin_record = [&](std::optional<long long> run_index) {
      auto c = rq.context;
      c.multi_start_run_id = run_index;
      return begin_run_record(rq.kind, o, c, &sc, run_index && *run_index > 0 ? std::nullopt : std::optional<long long>(seed));
    };
    if (rq.multistart > 1) {
      std::unique_ptr<dist::session> session;  // the runs as work units (unit_runs.hpp)
      if (rq.open_session) session = rq.open_session();
      multistart_units_spec spec{rq.command, rq.multistart, {}, {}, rq.resume_units};
      std::optional<multistart_units_result> units;
      if (store)
        for (std::size_t k = 0; k < rq.multistart; ++k) {
          records.push_back(begin_record(static_cast<long long>(k)));
          spec.run_ids.push_back(records[k].run_id);
          const std::uint64_t run_seed = k == 0 ? o.seed : derive_seed(o.seed, k);
          spec.unit_keys.push_back(fmt::format("{}|{}|{}", rq.context.scenario_path.value_or(""), telemetry::dump(records[0].config), run_seed));
        }
      if (session) {
        units = run_multistart_units(pb, o, spec, store, *session);
        if (!session->coordinator()) {
          res.worker = true;
          return res;
        }
        res.lost = units->lost;
        if (!res.lost.empty()) return res;
        res.resumed = units->resumed;
        if (store) {
          for (std::size_t k = 0; k < records.size(); ++k) records[k].run_id = units->run_ids[k];
          if (units->resumed) session->say(fmt::format("{} run(s) already recorded by this multistart: not re-run (--resume).", units->resumed));
        }
      }
      auto [runs, best] = units   ? std::pair{std::move(units->runs), units->best}
                          : store ? solve_multistart(pb, o, rq.multistart, rq.threads,
                                                     [&](std::size_t k) {
                                                       return store->step_observer(records[k].run_id, acceptance_column_for(rq.kind));
                                                     })
                                  : solve_multistart(pb, o, rq.multistart, rq.threads);
      if (store)
        for (std::size_t k = 0; k < runs.size(); ++k) {
          records[k].seed = static_cast<long long>(runs[k].seed);
          if (runs[k].result)
            finish_run_record(records[k], rq.kind, o, *runs[k].result, compute_kpis(pb, runs[k].result->search.best),
                              runs[k].result->search.seconds);
          else
            fail_run_record(records[k], detail::exception_message(runs[k].error), wall());
        }
      res.best_index = best;
      out = std::move(*runs[best].result);
    } else if (rq.checkpoints) {
      if (store) records.push_back(begin_record(std::nullopt));
      if (rq.resume && store) detail::continue_step_log(*store, records[0], rq.resume->fields);
      checkpoint_options checkpoints = *rq.checkpoints;
      checkpoints.extra = [&](search::checkpoint_writer& w) {
        checkpoint_store_fields d{records.empty() ? "" : records[0].run_id, rq.step_interval, -1};
        if (store && store->steps_on()) {
          if (const auto error = store->flush_steps()) throw output_error("step log failed: " + *error);
          std::error_code ec;
          const auto size = std::filesystem::file_size(store->step_file(d.run_id), ec);
          d.steps_bytes = ec ? 0 : static_cast<long long>(size);
        }
        w.put("driver.run_id", d.run_id);
        w.put("driver.step_interval", d.step_interval);
        w.put("driver.steps_bytes", d.steps_bytes);
      };
      std::shared_ptr<void> during = rq.while_searching ? rq.while_searching() : nullptr;
      out = solve_checkpointed(
          pb, o, checkpoints,
          telemetry::fanout(store ? store->step_observer(records[0].run_id, acceptance_column_for(rq.kind)) : telemetry::run_store::recorder(nullptr, {}),
                            std::move(progress)),
          rq.resume ? &rq.resume->resume.reader : nullptr);
      during.reset();
      if (out.search.reason == search::stop_reason::interrupted) {
        res.interrupted = true;  // no plan, no run record: the run goes on after a resume
        return res;
      }
    } else if (store) {
      records.push_back(begin_record(std::nullopt));
      out = solve(pb, o, telemetry::fanout(store->step_observer(records[0].run_id, acceptance_column_for(rq.kind)), std::move(progress)));
    } else {
      out = solve(pb, o, std::move(progress));
    }
    res.kpis = compute_kpis(pb, out.search.best);
    if (rq.lagrangian_steps > 0) res.lagrangian = lagrangian_bound(pb, {.iterations = rq.lagrangian_steps, .target = out.best.score});
    if (rq.bound) {
      const double left = rq.bound_seconds_from_start ? rq.bound_seconds - wall() : rq.bound_seconds;
      res.bound.emplace();  // absent unless a step finishes in the time left
      if (left > 0.0) res.bound = scenario_bound(pb, {.time_limit = left, .target = out.best.score});
    }
    if (store && rq.multistart <= 1) {
      finish_run_record(records[0], rq.kind, o, out, res.kpis, wall());
      if (rq.checkpoints && rq.checkpoints->resumes > 0) records[0].extra.emplace_back("resumes", telemetry::json(rq.checkpoints->resumes));
    }
    if (res.bound)
      for (auto& r : records) add_bound_fields(r, *res.bound);
    write_file_atomic(rq.plan_csv, assignments_csv_text(pb, out.search.best));
  } catch (const work_plan_mismatch&) {
    throw;  // a usage error: nothing ran
  } catch (const std::exception& e) {
    if (!store) throw;
    if (records.empty()) records.push_back(begin_run_record(rq.kind, o, rq.context, &sc, seed));
    for (auto& r : records)
      if (r.status == "ok") fail_run_record(r, e.what(), wall());
    if (const auto mirror_error = store->record(records))
      throw std::runtime_error(std::string(e.what()) + " (the failed run was recorded in " + store->log().string() +
                               "; its SQLite mirror failed: " + *mirror_error + ")");
    throw;
  }
  if (store) {
    res.mirror_error = store->record(records);
    if (rq.multistart > 1)
      store->append({{"type", "multi_start_summary"}, {"best_objective", out.best.score},
                     {"best_run_id", static_cast<long long>(res.best_index)}, {"runs_executed", static_cast<long long>(rq.multistart)},
                     {"best_telemetry_run_id", records[res.best_index].run_id}});
  }
  return res;
}

}  // namespace fhops::harvest
