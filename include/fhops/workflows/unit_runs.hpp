/// \file
/// The work units of the driver's commands run through a dist::session (docs/howto/scale_out.md):
/// tuner trials, bench-suite cells, multistart runs and tuning-plan units. Every unit's run record
/// is tagged with its work plan and unit (work_units.hpp), written by the coordinator as it arrives
/// (completion order) into the run store, and with --resume the units already in the store are
/// not run again. Progress lines go to the session's console; the session's unit hook runs before
/// each unit.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/dist/session.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/search/multistart.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/tune/tpe.hpp"
#include "fhops/workflows/bench_suite.hpp"
#include "fhops/workflows/plan_units.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/work_units.hpp"

namespace fhops::harvest {

namespace detail {

// Appends a unit's run records (JSONL text) and its work_unit marker line (empty when not
// tracking) to the store; a mirror error is kept in `errors`. Returns the number of records.
inline std::size_t write_unit_records(telemetry::run_store& store, std::string_view lines, const std::string& marker, std::vector<std::string>& errors) {
  const std::vector<telemetry::json::object> objects = telemetry::json_lines(lines);
  if (auto err = store.write(std::string(lines) + marker, objects)) errors.push_back(*err);
  return objects.size();
}

}  // namespace detail

/// A tuner's trials on every scenario as work units (unit = scenario index · trials + trial).
struct tuner_units_spec {
  std::string command;  ///< tune-random | tune-grid | tune-bayes
  tuner_kind kind = tuner_kind::random;
  solver_kind solver = solver_kind::sa;
  const tune::parameter_space* space = nullptr;
  solve_options base;
  std::vector<tuner_trial_context> contexts;  ///< per scenario
  const std::vector<problem>* problems = nullptr;
  const std::vector<scenario>* scenarios = nullptr;
  std::size_t trials = 0;
  std::uint64_t seed = 0;
  bool resume = false;
};

/// What the coordinator gets back: each scenario's trials in trial order (lost units left out),
/// the lost units, how many records were written now and how many units were already done.
struct tuner_units_result {
  std::vector<std::vector<tuned_trial>> trials;
  std::vector<std::size_t> lost;
  std::size_t records_written = 0, resumed = 0;
  std::vector<std::string> mirror_errors;
};

/// Runs the tuner's units; on worker ranks the result is empty.
inline tuner_units_result run_tuner_units(const tuner_units_spec& s, dist::session& session, telemetry::run_store& store) {
  const std::size_t ns = s.contexts.size(), n = s.trials;
  const bool bayes = s.kind == tuner_kind::bayes;
  std::vector<tuner_seed_rule> rules;
  std::vector<solve_options> bases;
  std::vector<std::vector<tune::trial>> planned(ns);
  std::vector<std::string> keys;
  std::string space_names;
  for (const auto& p : s.space->parameters()) space_names += p.name + ",";
  for (std::size_t si = 0; si < ns; ++si) {
    rules.push_back({s.kind, si, n, s.seed});
    bases.push_back(tuning_options_for(s.base, (*s.problems)[si].num_machines));
    if (!bayes) planned[si] = planned_trials(*s.space, rules[si]);
    for (std::size_t k = 0; k < n; ++k)
      keys.push_back(fmt::format("{}|{}|{}|{}", s.contexts[si].scenario_path, k,
                                 bayes ? space_names : k < planned[si].size() ? planned[si][k].config.json() : "-", rules[si].run_seed(k)));
  }
  const work_plan plan = work_plan::of(
      fmt::format("{} --solver {} --iters {} --time-limit {}", s.command, solver_label(s.solver), s.base.stop.max_iterations,
                  s.base.stop.max_seconds),
      keys);
  const auto options_of = [&](std::size_t si, const tune::trial& t) {
    solve_options o = apply_configuration(t.config, bases[si]);
    o.seed = rules[si].run_seed(t.number);
    return o;
  };

  std::mutex steps_mutex;  // local threads close their step files one at a time
  const dist::work_fn work = [&](const dist::job& j) {
    const std::size_t si = j.unit / n, k = j.unit % n;
    session.before_unit(j.unit);
    const tune::trial t = bayes ? tune::trial{k, configuration_from_json(std::string_view(j.payload))} : planned[si][k];
    const solve_options so = options_of(si, t);
    auto rec = begin_tuner_trial_record(s.contexts[si], t, so, &(*s.scenarios)[si]);
    plan.tag(rec, j.unit);
    return recorded_unit_line((*s.problems)[si], so, rec, store, steps_mutex);
  };

  tuner_units_result out;
  std::vector<std::vector<std::optional<tuned_trial>>> slots(ns, std::vector<std::optional<tuned_trial>>(n));
  std::vector<std::optional<tune::tpe>> strategies(ns);
  std::vector<rng> rngs;
  for (std::size_t si = 0; si < ns; ++si) rngs.emplace_back(rules[si].strategy_seed());
  std::map<std::size_t, tune::trial> pending;  // TPE: the trials out with a worker
  std::map<std::size_t, telemetry::json::object> done;
  if (s.resume) check_resumable(scan_plan_store(store.log(), plan), store.log(), plan);  // on every rank
  if (s.resume && session.coordinator()) {
    done = recorded_units(store.log(), plan);
    std::vector<std::size_t> missing;
    for (std::size_t si = 0; si < ns; ++si)
      for (std::size_t k = 0; k < (bayes ? n : planned[si].size()); ++k)
        if (!done.contains(si * n + k)) missing.push_back(si * n + k);
    session.say(dist::missing_units_message("fhops " + s.command, missing));
  }
  const auto accept = [&](std::size_t u, const telemetry::json::object& rec, tune::trial t) {
    const std::size_t si = u / n, k = u % n;
    tuned_trial tt = tuned_trial_from_record(rec, t, options_of(si, t));
    if (bayes) strategies[si]->tell(t, tt.result.value);
    slots[si][k] = std::move(tt);
  };
  std::size_t cursor = 0;  // the next unit (random, grid) or scenario (bayes) to hand out
  const dist::next_fn next = [&]() -> std::optional<dist::job> {
    if (!bayes) {
      for (; cursor < ns * n; ++cursor) {
        const std::size_t u = cursor, si = u / n, k = u % n;
        if (k >= planned[si].size()) continue;
        if (const auto it = done.find(u); it != done.end()) {
          accept(u, it->second, planned[si][k]);
          ++out.resumed;
          continue;
        }
        ++cursor;
        return dist::job{u, {}};
      }
      return std::nullopt;
    }
    for (; cursor < ns; ++cursor) {
      if (!strategies[cursor]) strategies[cursor].emplace(*s.space, tpe_parameters_for(n));
      while (auto t = strategies[cursor]->ask(rngs[cursor])) {
        const std::size_t u = cursor * n + t->number;
        if (const auto it = done.find(u); it != done.end()) {  // done: tell the recorded result
          tune::trial recorded{t->number, recorded_configuration(it->second).value_or(t->config)};
          tuned_trial tt = tuned_trial_from_record(it->second, recorded, options_of(cursor, recorded));
          strategies[cursor]->tell(*t, tt.result.value);
          slots[cursor][t->number] = std::move(tt);
          ++out.resumed;
          continue;
        }
        dist::job j{u, t->config.json()};
        pending.emplace(u, std::move(*t));
        return j;
      }
    }
    return std::nullopt;
  };
  const dist::result_fn on_result = [&](const dist::unit_result& r) {
    std::optional<tune::trial> t;
    if (bayes) {
      t = std::move(pending.at(r.unit));
      pending.erase(r.unit);
    } else {
      t = planned[r.unit / n][r.unit % n];
    }
    if (!r.ok()) {
      out.lost.push_back(r.unit);
      if (bayes) strategies[r.unit / n]->tell(*t, std::nan(""));
      return;
    }
    telemetry::json v = telemetry::parse_json(r.result);
    if (!v.is_object()) throw std::runtime_error(fmt::format("work unit {}: the worker sent no run record", r.unit));
    if (auto err = store.write(r.result, {v.as_object()})) out.mirror_errors.push_back(*err);
    ++out.records_written;
    accept(r.unit, v.as_object(), std::move(*t));
  };
  session.run(next, work, on_result);

  out.trials.resize(ns);
  for (std::size_t si = 0; si < ns; ++si)
    for (auto& x : slots[si])
      if (x) out.trials[si].push_back(std::move(*x));
  std::sort(out.lost.begin(), out.lost.end());
  return out;
}

/// The bench suite's scenario x solver-run cells as work units (unit = scenario index · runs + run).
struct bench_units_spec {
  std::vector<std::pair<std::string, std::filesystem::path>> scenarios;  ///< label, path
  std::vector<bench_run> runs;
  const std::vector<problem>* problems = nullptr;
  const std::vector<scenario>* loaded = nullptr;
  std::size_t repeats = 1;
  std::filesystem::path out_dir;
  bool resume = false;  ///< cells whose work_unit line is in the store are not re-run (needs a store)
};

/// The cells' summary rows in unit order (lost cells left out), the lost cells, the records written
/// and the cells taken from the store (--resume).
struct bench_units_result {
  std::vector<record> rows;
  std::vector<std::size_t> lost;
  std::size_t records_written = 0, resumed = 0;
  std::vector<std::string> mirror_errors;
};

/// Runs the cells (each one's repeats recorded in `store` when given, then the cell's
/// work_unit line holding its summary row); empty on worker ranks.
inline bench_units_result run_bench_units(const bench_units_spec& s, dist::session& session, telemetry::run_store* store) {
  const std::size_t nr = s.runs.size(), units = s.scenarios.size() * nr;
  const auto run_of = [&](std::size_t u) {
    bench_run run = s.runs[u % nr];
    const problem& pb = (*s.problems)[u / nr];
    if (run.solver == "tabu") resolve_tabu_tenure(run.options, pb.num_machines);
    return bench_run_on(run, pb);  // the weights this scenario's cell runs with (its work unit's key names them)
  };
  std::vector<std::string> keys;
  for (std::size_t u = 0; u < units; ++u) {
    const bench_run run = run_of(u);
    const solve_options& o = run.options;
    keys.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", s.scenarios[u / nr].first, s.scenarios[u / nr].second.string(), run.solver,
                               run.preset_label, o.seed, o.stop.max_iterations, o.stop.max_seconds, detail::weights_json_sorted(o.weights)));
  }
  const work_plan plan = work_plan::of(fmt::format("bench suite --repeats {}", s.repeats), keys);
  // Under mpirun or with --resume each finished cell leaves its work_unit line (a later --resume
  // reads it); a plain run's log holds only run records.
  const bool track = s.resume || session.distributed();
  plan_store_scan recorded;  // every rank reads it, so every rank stops on a mismatch
  if (s.resume && store) {
    recorded = scan_plan_store(store->log(), plan);
    check_resumable(recorded, store->log(), plan);
  }

  const dist::work_fn work = [&](const dist::job& j) {
    session.before_unit(j.unit);
    const std::size_t si = j.unit / nr;
    const bench_run run = run_of(j.unit);
    const auto& [label, path] = s.scenarios[si];
    const problem& pb = (*s.problems)[si];
    session.say(fmt::format("bench: {} {}{} ({} repeat(s))", label, run.solver, run.preset_label.empty() ? "" : " " + run.preset_label, s.repeats));
    std::string records;  // the repeats' run records, after the summary row: one JSON object a line
    bench_repeat_fn on_repeat;
    if (store)
      on_repeat = [&](std::size_t r, const solve_options& o, const solve_outcome& out, double wall) {
        auto rec = bench_run_record(run, (*s.loaded)[si], label, path, r, o, out, pb, wall);
        plan.tag(rec, j.unit);
        records += telemetry::jsonl_line(rec);
      };
    const record row = run_bench_cell(pb, label, path, run, s.repeats, s.out_dir / label, on_repeat);
    return record_json_object(row) + "\n" + records;
  };
  bench_units_result out;
  std::vector<std::optional<record>> rows(units);
  const dist::result_fn on_result = [&](const dist::unit_result& r) {
    if (!r.ok()) {
      out.lost.push_back(r.unit);
      return;
    }
    const std::size_t eol = r.result.find('\n');
    const std::string_view row = std::string_view(r.result).substr(0, eol);
    rows[r.unit] = record_from_json(telemetry::parse_json(row));
    const std::string_view lines = std::string_view(r.result).substr(eol + 1);
    if (!store) return;
    out.records_written += detail::write_unit_records(*store, lines, track ? work_unit_line(plan, r.unit, row) : std::string(), out.mirror_errors);
  };
  for (const auto& [u, row] : recorded.results)
    if (u < units) {
      rows[u] = record_from_json(row);
      ++out.resumed;
    }
  std::vector<std::size_t> ids = recorded.missing(units);
  if (s.resume && session.coordinator()) session.say(dist::missing_units_message("fhops bench suite", ids));
  session.run(dist::units_of(std::move(ids)), work, on_result);
  for (auto& r : rows)
    if (r) out.rows.push_back(std::move(*r));
  std::sort(out.lost.begin(), out.lost.end());
  return out;
}

/// A multistart's runs as work units (unit = run k, seed as solve_multistart: the base seed for
/// run 0, derive_seed(seed, k) after).
struct multistart_units_spec {
  std::string command;                ///< solve-heur | solve-ils | solve-tabu
  std::size_t runs = 0;
  std::vector<std::string> run_ids;   ///< the runs' step logs and records (with a store)
  std::vector<std::string> unit_keys; ///< what decides each run's result (the work plan; with a store)
  bool resume = false;                ///< runs whose work_unit line is in the store are not re-run
};

/// Every run in run order and the best (highest score, ties to the lower index), as
/// solve_multistart returns them; a solve that throws is a failed run. The lost units (the best is
/// then not chosen), the runs taken from the store and the run ids (a resumed run keeps its first
/// id, so its step log still matches). Empty on worker ranks.
struct multistart_units_result {
  std::vector<search::multistart_run<solve_outcome>> runs;
  std::size_t best = 0;
  std::vector<std::size_t> lost;
  std::size_t resumed = 0;
  std::vector<std::string> run_ids;
};

/// Runs a multistart's units; with a store the coordinator appends each finished run's
/// work_unit line (its run id and outcome) as it arrives.
inline multistart_units_result run_multistart_units(const problem& pb, const solve_options& o, const multistart_units_spec& spec,
                                             telemetry::run_store* store, dist::session& session) {
  const std::size_t runs = spec.runs;
  multistart_units_result out;
  out.run_ids = spec.run_ids;
  std::optional<work_plan> plan;
  plan_store_scan recorded;  // every rank reads it, so every rank stops on a mismatch
  if (store) {
    plan = work_plan::of(fmt::format("{} --parallel-multistart {}", spec.command, runs), spec.unit_keys);
    if (spec.resume) {
      recorded = scan_plan_store(store->log(), *plan);
      check_resumable(recorded, store->log(), *plan);
      if (session.coordinator()) session.say(dist::missing_units_message("fhops " + spec.command, recorded.missing(runs)));
    }
  }
  // A run's result: its outcome, or {"error": message} when its solve threw (a failed run, as
  // without units); an exception outside the solve loses the unit.
  const dist::work_fn work = [&](const dist::job& j) {
    session.before_unit(j.unit);
    const std::uint64_t seed = j.unit == 0 ? o.seed : derive_seed(o.seed, j.unit);
    try {
      if (!store) return solve_outcome_json(pb, solve(pb, o, telemetry::null_observer{}, seed));
      const solve_outcome res = solve(pb, o, store->step_observer(j.payload, acceptance_column_for(o.kind)), seed);
      telemetry::run_record closing;
      closing.run_id = j.payload;
      store->close_steps({closing});
      return solve_outcome_json(pb, res);
    } catch (const std::exception& e) {
      return telemetry::dump(telemetry::json::object{{"error", std::string(e.what())}});
    }
  };
  out.runs.resize(runs);
  const auto accept = [&](std::size_t k, const telemetry::json& v) {
    auto& run = out.runs[k];
    run.index = k;
    run.seed = k == 0 ? o.seed : derive_seed(o.seed, k);
    if (const auto* error = telemetry::find(v.as_object(), "error"))
      run.error = std::make_exception_ptr(std::runtime_error(error->as_string()));
    else
      run.result.emplace(solve_outcome_from_json(pb, v));
  };
  std::size_t handed = 0;
  const dist::next_fn next = [&]() -> std::optional<dist::job> {
    for (; handed < runs; ++handed) {
      const std::size_t k = handed;
      const auto it = recorded.results.find(k);
      if (it == recorded.results.end()) {
        ++handed;
        return dist::job{k, k < out.run_ids.size() ? out.run_ids[k] : std::string()};
      }
      const auto& v = it->second.as_object();  // {"run_id": first id, "outcome": result}
      if (k < out.run_ids.size()) out.run_ids[k] = telemetry::find(v, "run_id")->as_string();
      accept(k, *telemetry::find(v, "outcome"));
      ++out.resumed;
    }
    return std::nullopt;
  };
  const dist::result_fn on_result = [&](const dist::unit_result& r) {
    if (!r.ok()) {
      out.lost.push_back(r.unit);
      return;
    }
    accept(r.unit, telemetry::parse_json(r.result));
    if (store)  // JSONL only: the run records are written once the multistart is complete
      (void)store->write(work_unit_line(*plan, r.unit, "{\"run_id\": " + json_quote(out.run_ids.at(r.unit)) + ", \"outcome\": " + r.result + "}"), {});
  };
  session.run(next, work, on_result);
  if (!session.coordinator()) return {};
  std::sort(out.lost.begin(), out.lost.end());
  if (out.lost.empty()) out.best = search::best_run(out.runs);
  return out;
}

/// The tuning plan's units (tier × tuner × scenario, fhops/workflows/plan_units.hpp) as work units.
struct plan_units_spec {
  std::vector<plan_unit> units;
  std::vector<plan_unit_target> targets;  ///< per unit
  std::vector<std::string> labels;                         ///< per unit: its console line's prefix
  const work_plan* plan = nullptr;
  plan_store_scan recorded;  ///< --resume: the units already in the store
  bool track = false;  ///< each unit's records written as it arrives, then its work_unit line (mpirun, --resume)
  std::optional<long long> step_interval;  ///< else the solver's default cadence
};

/// Every unit's outcome in unit order (a lost unit's is empty), the lost units, the units taken
/// from the store, the records written now, the failed runs and the mirror's errors.
struct plan_units_result {
  std::vector<plan_unit_outcome> outcomes;
  std::vector<std::size_t> lost;
  std::size_t resumed = 0;
  long long records_written = 0, failed_runs = 0;
  std::vector<std::string> mirror_errors;
};

/// Runs the plan's units. The coordinator writes each unit's records in unit order (or, when
/// tracking, as each arrives, followed by its work_unit line) and prints one line per unit, in unit
/// order, on the session's console (failed runs as warnings before it). Empty on worker ranks.
inline plan_units_result run_plan_units(const plan_units_spec& s, dist::session& session, telemetry::run_store& store) {
  const std::size_t n = s.units.size();
  const auto steps = [&](const std::string& run_id, solver_kind k) {
    return store.step_observer(run_id, acceptance_column_for(k), s.step_interval.value_or(default_step_interval(k)));
  };
  // A unit's result: the JSON line of its counts (its work_unit result), then its run records,
  // tagged with the work plan (one JSON object a line).
  std::mutex steps_mutex;  // local threads close their step files one at a time
  const dist::work_fn work = [&](const dist::job& j) {
    session.before_unit(j.unit);
    const plan_unit_outcome o = run_plan_unit(s.units[j.unit], s.targets[j.unit], steps);
    {
      std::lock_guard lock(steps_mutex);
      store.close_steps(o.records);
    }
    std::string out = o.counts_json() + "\n";
    for (auto rec : o.records) {
      s.plan->tag(rec, j.unit);
      out += telemetry::jsonl_line(rec);
    }
    return out;
  };

  plan_units_result out;
  out.outcomes.resize(n);
  std::vector<std::string> lines(n);  // a unit's records as they came back, until written
  const auto write_records = [&](std::size_t i, std::string_view counts) {
    out.records_written += static_cast<long long>(
        detail::write_unit_records(store, lines[i], s.track ? work_unit_line(*s.plan, i, counts) : std::string(), out.mirror_errors));
    lines[i].clear();
  };
  enum class state : char { pending, done, lost };
  std::vector<state> states(n, state::pending);
  std::size_t flushed = 0, cursor = 0;
  const auto flush = [&] {  // the units done so far, in unit order
    for (; flushed < n && states[flushed] != state::pending; ++flushed) {
      if (states[flushed] == state::lost) continue;
      if (!s.track) write_records(flushed, {});
      const plan_unit_outcome& o = out.outcomes[flushed];
      out.failed_runs += static_cast<long long>(o.failures.size());
      for (const auto& f : o.failures) session.say("warning: " + f);
      session.say(fmt::format("{}: {}/{} run(s) ok", s.labels[flushed], o.successes, o.runs) +
                  (o.successes ? fmt::format(", best {:.3f}", o.best) : std::string()) + fmt::format(" ({:.1f} s)", o.seconds));
    }
  };
  const dist::next_fn next = [&]() -> std::optional<dist::job> {
    for (; cursor < n; ++cursor) {
      const auto it = s.recorded.results.find(cursor);
      if (it == s.recorded.results.end()) return dist::job{cursor++, {}};
      out.outcomes[cursor] = plan_unit_outcome::from_counts(it->second);
      states[cursor] = state::done;
      ++out.resumed;
      flush();
    }
    return std::nullopt;
  };
  const dist::result_fn on_result = [&](const dist::unit_result& r) {
    if (!r.ok()) {
      out.lost.push_back(r.unit);
      states[r.unit] = state::lost;
      flush();
      return;
    }
    const std::string_view text = r.result;
    const std::size_t eol = text.find('\n');
    const std::string_view counts = text.substr(0, eol);
    lines[r.unit] = text.substr(eol + 1);
    if (s.track) write_records(r.unit, counts);
    out.outcomes[r.unit] = plan_unit_outcome::from_counts(telemetry::parse_json(counts));
    states[r.unit] = state::done;
    flush();
  };
  session.run(next, work, on_result);
  if (!session.coordinator()) return {};
  std::sort(out.lost.begin(), out.lost.end());
  return out;
}

}  // namespace fhops::harvest
