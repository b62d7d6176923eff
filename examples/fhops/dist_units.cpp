// Work-unit runs of the tune commands (dist_units.hpp).
#include "dist_units.hpp"

#include <algorithm>
#include <iostream>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/tune/tpe.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/work_units.hpp"

namespace fhops_cli {

namespace fh = fhops::harvest;
namespace ft = fhops::tune;

std::vector<fhops::telemetry::json::object> json_lines(std::string_view lines) {
  std::vector<fhops::telemetry::json::object> objects;
  for (std::size_t p = 0; p < lines.size();) {
    const std::size_t e = lines.find('\n', p);
    objects.push_back(fhops::telemetry::parse_json(lines.substr(p, e - p)).as_object());
    if (e == std::string_view::npos) break;
    p = e + 1;
  }
  return objects;
}

namespace {

// Appends a unit's run records (JSONL text) and its work_unit marker line (empty when not
// tracking) to the store; a mirror error is kept in `errors`. Returns the number of records.
std::size_t write_unit_records(cli_telemetry& telemetry, std::string_view lines, const std::string& marker, std::vector<std::string>& errors) {
  const std::vector<fhops::telemetry::json::object> objects = json_lines(lines);
  if (auto err = telemetry.write(std::string(lines) + marker, objects)) errors.push_back(*err);
  return objects.size();
}

}  // namespace

tuner_units_result run_tuner_units(const tuner_units_spec& s, dist_session& session, cli_telemetry& telemetry) {
  const std::size_t ns = s.contexts.size(), n = s.trials;
  const bool bayes = s.kind == fh::tuner_kind::bayes;
  std::vector<fh::tuner_seed_rule> rules;
  std::vector<fh::solve_options> bases;
  std::vector<std::vector<ft::trial>> planned(ns);
  std::vector<std::string> keys;
  std::string space_names;
  for (const auto& p : s.space->parameters()) space_names += p.name + ",";
  for (std::size_t si = 0; si < ns; ++si) {
    rules.push_back({s.kind, si, n, s.seed});
    bases.push_back(fh::tuning_options_for(s.base, (*s.problems)[si].num_machines));
    if (!bayes) planned[si] = fh::planned_trials(*s.space, rules[si]);
    for (std::size_t k = 0; k < n; ++k)
      keys.push_back(fmt::format("{}|{}|{}|{}", s.contexts[si].scenario_path, k,
                                 bayes ? space_names : k < planned[si].size() ? planned[si][k].config.json() : "-", rules[si].run_seed(k)));
  }
  const fh::work_plan plan = fh::work_plan::of(
      fmt::format("{} --solver {} --iters {} --time-limit {}", s.command, fh::solver_label(s.solver), s.base.stop.max_iterations,
                  s.base.stop.max_seconds),
      keys);
  const auto options_of = [&](std::size_t si, const ft::trial& t) {
    fh::solve_options o = fh::apply_configuration(t.config, bases[si]);
    o.seed = rules[si].run_seed(t.number);
    return o;
  };

  std::mutex steps_mutex;  // local threads close their step files one at a time
  const fhops::dist::work_fn work = [&](const fhops::dist::job& j) {
    const std::size_t si = j.unit / n, k = j.unit % n;
    unit_test_hooks(j.unit);
    const ft::trial t = bayes ? ft::trial{k, fh::configuration_from_json(std::string_view(j.payload))} : planned[si][k];
    const fh::solve_options so = options_of(si, t);
    auto rec = fh::begin_tuner_trial_record(s.contexts[si], t, so, &(*s.scenarios)[si]);
    plan.tag(rec, j.unit);
    try {
      fh::recorded_solve((*s.problems)[si], so, rec, telemetry.step_observer(rec.run_id, fh::acceptance_column_for(s.solver)));
    } catch (const std::exception&) {  // a failed solve is a finished unit: its record says status error
    }
    {
      std::lock_guard lock(steps_mutex);
      telemetry.close_steps({rec});
    }
    return fhops::telemetry::jsonl_line(rec);
  };

  tuner_units_result out;
  std::vector<std::vector<std::optional<fh::tuned_trial>>> slots(ns, std::vector<std::optional<fh::tuned_trial>>(n));
  std::vector<std::optional<ft::tpe>> strategies(ns);
  std::vector<fhops::rng> rngs;
  for (std::size_t si = 0; si < ns; ++si) rngs.emplace_back(rules[si].strategy_seed());
  std::map<std::size_t, ft::trial> pending;  // TPE: the trials out with a worker
  std::map<std::size_t, fhops::telemetry::json::object> done;
  if (s.resume) fh::check_resumable(fh::scan_plan_store(telemetry.log(), plan), telemetry.log(), plan);  // on every rank
  if (s.resume && session.coordinator()) {
    done = fh::recorded_units(telemetry.log(), plan);
    std::vector<std::size_t> missing;
    for (std::size_t si = 0; si < ns; ++si)
      for (std::size_t k = 0; k < (bayes ? n : planned[si].size()); ++k)
        if (!done.contains(si * n + k)) missing.push_back(si * n + k);
    report_missing_units(s.command, missing);
  }
  const auto accept = [&](std::size_t u, const fhops::telemetry::json::object& rec, ft::trial t) {
    const std::size_t si = u / n, k = u % n;
    fh::tuned_trial tt = fh::tuned_trial_from_record(rec, t, options_of(si, t));
    if (bayes) strategies[si]->tell(t, tt.result.value);
    slots[si][k] = std::move(tt);
  };
  std::size_t cursor = 0;  // the next unit (random, grid) or scenario (bayes) to hand out
  const fhops::dist::next_fn next = [&]() -> std::optional<fhops::dist::job> {
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
        return fhops::dist::job{u, {}};
      }
      return std::nullopt;
    }
    for (; cursor < ns; ++cursor) {
      if (!strategies[cursor]) strategies[cursor].emplace(*s.space, fh::tpe_parameters_for(n));
      while (auto t = strategies[cursor]->ask(rngs[cursor])) {
        const std::size_t u = cursor * n + t->number;
        if (const auto it = done.find(u); it != done.end()) {  // done: tell the recorded result
          ft::trial recorded{t->number, fh::recorded_configuration(it->second).value_or(t->config)};
          fh::tuned_trial tt = fh::tuned_trial_from_record(it->second, recorded, options_of(cursor, recorded));
          strategies[cursor]->tell(*t, tt.result.value);
          slots[cursor][t->number] = std::move(tt);
          ++out.resumed;
          continue;
        }
        fhops::dist::job j{u, t->config.json()};
        pending.emplace(u, std::move(*t));
        return j;
      }
    }
    return std::nullopt;
  };
  const fhops::dist::result_fn on_result = [&](const fhops::dist::unit_result& r) {
    std::optional<ft::trial> t;
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
    fhops::telemetry::json v = fhops::telemetry::parse_json(r.result);
    if (!v.is_object()) throw std::runtime_error(fmt::format("work unit {}: the worker sent no run record", r.unit));
    if (auto err = telemetry.write(r.result, {v.as_object()})) out.mirror_errors.push_back(*err);
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

bench_units_result run_bench_units(const bench_units_spec& s, dist_session& session, cli_telemetry* telemetry) {
  const std::size_t nr = s.runs.size(), units = s.scenarios.size() * nr;
  const auto run_of = [&](std::size_t u) {
    fh::bench_run run = s.runs[u % nr];
    const fh::problem& pb = (*s.problems)[u / nr];
    if (run.solver == "tabu" && run.options.tabu.tenure < 1) run.options.tabu.tenure = std::max(10, pb.num_machines);
    return fh::bench_run_on(run, pb);  // the weights this scenario's cell runs with (its work unit's key names them)
  };
  std::vector<std::string> keys;
  for (std::size_t u = 0; u < units; ++u) {
    const fh::bench_run run = run_of(u);
    const fh::solve_options& o = run.options;
    keys.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", s.scenarios[u / nr].first, s.scenarios[u / nr].second.string(), run.solver,
                               run.preset_label, o.seed, o.stop.max_iterations, o.stop.max_seconds, fh::detail::weights_json_sorted(o.weights)));
  }
  const fh::work_plan plan = fh::work_plan::of(fmt::format("bench suite --repeats {}", s.repeats), keys);
  // Under mpirun or with --resume each finished cell leaves its work_unit line (a later --resume
  // reads it); a plain run's log holds only run records.
  const bool track = s.resume || session.distributed();
  fh::plan_store_scan recorded;  // every rank reads it, so every rank stops on a mismatch
  if (s.resume && telemetry) {
    recorded = fh::scan_plan_store(telemetry->log(), plan);
    fh::check_resumable(recorded, telemetry->log(), plan);
  }

  const fhops::dist::work_fn work = [&](const fhops::dist::job& j) {
    unit_test_hooks(j.unit);
    const std::size_t si = j.unit / nr;
    const fh::bench_run run = run_of(j.unit);
    const auto& [label, path] = s.scenarios[si];
    const fh::problem& pb = (*s.problems)[si];
    std::cerr << fmt::format("bench: {} {}{} ({} repeat(s))\n", label, run.solver, run.preset_label.empty() ? "" : " " + run.preset_label, s.repeats);
    std::string records;  // the repeats' run records, after the summary row: one JSON object a line
    fh::bench_repeat_fn on_repeat;
    if (telemetry)
      on_repeat = [&](std::size_t r, const fh::solve_options& o, const fh::solve_outcome& out, double wall) {
        auto rec = fh::bench_run_record(run, (*s.loaded)[si], label, path, r, o, out, pb, wall);
        plan.tag(rec, j.unit);
        records += fhops::telemetry::jsonl_line(rec);
      };
    const fhops::record row = fh::run_bench_cell(pb, label, path, run, s.repeats, s.out_dir / label, on_repeat);
    return fh::record_json_object(row) + "\n" + records;
  };
  bench_units_result out;
  std::vector<std::optional<fhops::record>> rows(units);
  const fhops::dist::result_fn on_result = [&](const fhops::dist::unit_result& r) {
    if (!r.ok()) {
      out.lost.push_back(r.unit);
      return;
    }
    const std::size_t eol = r.result.find('\n');
    const std::string_view row = std::string_view(r.result).substr(0, eol);
    rows[r.unit] = fh::record_from_json(fhops::telemetry::parse_json(row));
    const std::string_view lines = std::string_view(r.result).substr(eol + 1);
    if (!telemetry) return;
    out.records_written += write_unit_records(*telemetry, lines, track ? fh::work_unit_line(plan, r.unit, row) : std::string(), out.mirror_errors);
  };
  for (const auto& [u, row] : recorded.results)
    if (u < units) {
      rows[u] = fh::record_from_json(row);
      ++out.resumed;
    }
  std::vector<std::size_t> ids = recorded.missing(units);
  if (s.resume && session.coordinator()) report_missing_units("bench suite", ids);
  session.run(fhops::dist::units_of(std::move(ids)), work, on_result);
  for (auto& r : rows)
    if (r) out.rows.push_back(std::move(*r));
  std::sort(out.lost.begin(), out.lost.end());
  return out;
}

multistart_units_result run_multistart_units(const fh::problem& pb, const fh::solve_options& o, const multistart_units_spec& spec,
                                             cli_telemetry* telemetry, dist_session& session) {
  const std::size_t runs = spec.runs;
  multistart_units_result out;
  out.run_ids = spec.run_ids;
  std::optional<fh::work_plan> plan;
  fh::plan_store_scan recorded;  // every rank reads it, so every rank stops on a mismatch
  if (telemetry) {
    plan = fh::work_plan::of(fmt::format("{} --parallel-multistart {}", spec.command, runs), spec.unit_keys);
    if (spec.resume) {
      recorded = fh::scan_plan_store(telemetry->log(), *plan);
      fh::check_resumable(recorded, telemetry->log(), *plan);
      if (session.coordinator()) report_missing_units(spec.command, recorded.missing(runs));
    }
  }
  // A run's result: its outcome, or {"error": message} when its solve threw (a failed run, as
  // without units); an exception outside the solve loses the unit.
  const fhops::dist::work_fn work = [&](const fhops::dist::job& j) {
    unit_test_hooks(j.unit);
    const std::uint64_t seed = j.unit == 0 ? o.seed : fhops::derive_seed(o.seed, j.unit);
    try {
      if (!telemetry) return fh::solve_outcome_json(pb, fh::solve(pb, o, fhops::telemetry::null_observer{}, seed));
      const fh::solve_outcome res = fh::solve(pb, o, telemetry->step_observer(j.payload, fh::acceptance_column_for(o.kind)), seed);
      fhops::telemetry::run_record closing;
      closing.run_id = j.payload;
      telemetry->close_steps({closing});
      return fh::solve_outcome_json(pb, res);
    } catch (const std::exception& e) {
      return fhops::telemetry::dump(fhops::telemetry::json::object{{"error", std::string(e.what())}});
    }
  };
  out.runs.resize(runs);
  const auto accept = [&](std::size_t k, const fhops::telemetry::json& v) {
    auto& run = out.runs[k];
    run.index = k;
    run.seed = k == 0 ? o.seed : fhops::derive_seed(o.seed, k);
    if (const auto* error = fhops::telemetry::find(v.as_object(), "error"))
      run.error = std::make_exception_ptr(std::runtime_error(error->as_string()));
    else
      run.result.emplace(fh::solve_outcome_from_json(pb, v));
  };
  std::size_t handed = 0;
  const fhops::dist::next_fn next = [&]() -> std::optional<fhops::dist::job> {
    for (; handed < runs; ++handed) {
      const std::size_t k = handed;
      const auto it = recorded.results.find(k);
      if (it == recorded.results.end()) {
        ++handed;
        return fhops::dist::job{k, k < out.run_ids.size() ? out.run_ids[k] : std::string()};
      }
      const auto& v = it->second.as_object();  // {"run_id": first id, "outcome": result}
      if (k < out.run_ids.size()) out.run_ids[k] = fhops::telemetry::find(v, "run_id")->as_string();
      accept(k, *fhops::telemetry::find(v, "outcome"));
      ++out.resumed;
    }
    return std::nullopt;
  };
  const fhops::dist::result_fn on_result = [&](const fhops::dist::unit_result& r) {
    if (!r.ok()) {
      out.lost.push_back(r.unit);
      return;
    }
    accept(r.unit, fhops::telemetry::parse_json(r.result));
    if (telemetry)  // JSONL only: the run records are written once the multistart is complete
      (void)telemetry->write(fh::work_unit_line(*plan, r.unit, "{\"run_id\": " + fhops::json_quote(out.run_ids.at(r.unit)) + ", \"outcome\": " + r.result + "}"), {});
  };
  session.run(next, work, on_result);
  if (!session.coordinator()) return {};
  std::sort(out.lost.begin(), out.lost.end());
  if (out.lost.empty()) out.best = fhops::search::best_run(out.runs);
  return out;
}

plan_units_result run_plan_units(const plan_units_spec& s, dist_session& session, cli_telemetry& telemetry) {
  const std::size_t n = s.units.size();
  const auto steps = [&](const std::string& run_id, fh::solver_kind k) {
    return telemetry.step_observer(run_id, fh::acceptance_column_for(k), s.step_interval.value_or(fh::default_step_interval(k)));
  };
  // A unit's result: the JSON line of its counts (its work_unit result), then its run records,
  // tagged with the work plan (one JSON object a line).
  std::mutex steps_mutex;  // local threads close their step files one at a time
  const fhops::dist::work_fn work = [&](const fhops::dist::job& j) {
    unit_test_hooks(j.unit);
    const fh::plan_unit_outcome o = fh::run_plan_unit(s.units[j.unit], s.targets[j.unit], steps);
    {
      std::lock_guard lock(steps_mutex);
      telemetry.close_steps(o.records);
    }
    std::string out = o.counts_json() + "\n";
    for (auto rec : o.records) {
      s.plan->tag(rec, j.unit);
      out += fhops::telemetry::jsonl_line(rec);
    }
    return out;
  };

  plan_units_result out;
  out.outcomes.resize(n);
  std::vector<std::string> lines(n);  // a unit's records as they came back, until written
  const auto write_records = [&](std::size_t i, std::string_view counts) {
    out.records_written += static_cast<long long>(
        write_unit_records(telemetry, lines[i], s.track ? fh::work_unit_line(*s.plan, i, counts) : std::string(), out.mirror_errors));
    lines[i].clear();
  };
  enum class state : char { pending, done, lost };
  std::vector<state> states(n, state::pending);
  std::size_t flushed = 0, cursor = 0;
  const auto flush = [&] {  // the units done so far, in unit order
    for (; flushed < n && states[flushed] != state::pending; ++flushed) {
      if (states[flushed] == state::lost) continue;
      if (!s.track) write_records(flushed, {});
      const fh::plan_unit_outcome& o = out.outcomes[flushed];
      out.failed_runs += static_cast<long long>(o.failures.size());
      for (const auto& f : o.failures) std::cerr << "warning: " << f << "\n";
      std::cerr << fmt::format("{}: {}/{} run(s) ok", s.labels[flushed], o.successes, o.runs)
                << (o.successes ? fmt::format(", best {:.3f}", o.best) : std::string()) << fmt::format(" ({:.1f} s)\n", o.seconds);
    }
  };
  const fhops::dist::next_fn next = [&]() -> std::optional<fhops::dist::job> {
    for (; cursor < n; ++cursor) {
      const auto it = s.recorded.results.find(cursor);
      if (it == s.recorded.results.end()) return fhops::dist::job{cursor++, {}};
      out.outcomes[cursor] = fh::plan_unit_outcome::from_counts(it->second);
      states[cursor] = state::done;
      ++out.resumed;
      flush();
    }
    return std::nullopt;
  };
  const fhops::dist::result_fn on_result = [&](const fhops::dist::unit_result& r) {
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
    out.outcomes[r.unit] = fh::plan_unit_outcome::from_counts(fhops::telemetry::parse_json(counts));
    states[r.unit] = state::done;
    flush();
  };
  session.run(next, work, on_result);
  if (!session.coordinator()) return {};
  std::sort(out.lost.begin(), out.lost.end());
  return out;
}

}  // namespace fhops_cli
