/// \file
/// The FHOPS work units that fhops::dist executors distribute: tuner trials (scenario × trial),
/// bench-suite cells (scenario × solver run) and multistart runs. A unit has a stable id within its
/// *work plan* (a hash of the command and every unit's description); each run record a unit writes
/// carries `context.work_unit` and `context.work_plan`, so a later run of the same plan can tell
/// from the store which units are done (resume) and which were lost.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/tune/grid_search.hpp"
#include "fhops/tune/random_search.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/util/flat_records.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/rng.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"

namespace fhops::harvest {

/// A work plan: its id (16 hex digits), the command it belongs to, and how many units it has.
struct work_plan {
  std::string id, command;
  std::size_t units = 0;

  /// The plan of `command` whose units are described by `unit_keys` (one string per unit, in
  /// unit order, holding everything that decides the unit's result): FNV-1a over all of them.
  static work_plan of(std::string command, const std::vector<std::string>& unit_keys) {
    std::uint64_t h = 14695981039346656037ULL;
    const auto mix = [&](std::string_view s) {
      for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
      h = (h ^ 0xffU) * 1099511628211ULL;  // separator: ("ab","c") != ("a","bc")
    };
    mix(command);
    for (const auto& k : unit_keys) mix(k);
    return {fmt::format("{:016x}", h), std::move(command), unit_keys.size()};
  }

  /// Marks a record as unit `unit` of this plan: context.work_unit and context.work_plan.
  void tag(telemetry::run_record& r, std::size_t unit) const {
    telemetry::set(r.context, "work_unit", static_cast<long long>(unit));
    telemetry::set(r.context, "work_plan",
                   telemetry::json::object{{"id", id}, {"command", command}, {"units", static_cast<long long>(units)}});
  }
};

/// The run records of `plan` already in the JSONL log, by unit (the last record of a unit wins).
/// A missing log means nothing is done.
inline std::map<std::size_t, telemetry::json::object> recorded_units(const std::filesystem::path& log, const work_plan& plan) {
  std::map<std::size_t, telemetry::json::object> done;
  if (!std::filesystem::exists(log)) return done;
  telemetry::read_jsonl(log.string(), [&](const auto&, telemetry::json&& v) {
    auto& o = v.as_object();
    const auto* type = telemetry::find_string(o, "record_type");
    const auto* ctx = telemetry::find(o, "context");
    if (!type || *type != "run" || !ctx || !ctx->is_object()) return;
    const auto* unit = telemetry::find(ctx->as_object(), "work_unit");
    const auto* wp = telemetry::find(ctx->as_object(), "work_plan");
    if (!unit || !unit->is_int() || !wp || !wp->is_object()) return;
    const auto* id = telemetry::find_string(wp->as_object(), "id");
    if (!id || *id != plan.id) return;
    const auto u = std::get<long long>(unit->value);
    if (u >= 0 && static_cast<std::size_t>(u) < plan.units) done[static_cast<std::size_t>(u)] = std::move(o);
  });
  return done;
}

/// The JSONL line that marks unit `unit` of `plan` finished (`record_type: "work_unit"`), with
/// the unit's result (`result_json`: one JSON value on one line, e.g. a bench cell's summary row):
/// appended by the coordinator right after the unit's run records, in the same write, so a resumed
/// run finds what it needs to rebuild its outputs without re-running the unit. The SQLite mirror
/// and `telemetry import` skip these lines (they are not runs).
inline std::string work_unit_line(const work_plan& plan, std::size_t unit, std::string_view result_json) {
  return fmt::format("{{\"record_type\": \"work_unit\", \"work_plan\": {}, \"work_unit\": {}, \"result\": {}}}\n",
                     telemetry::dump(telemetry::json::object{{"id", plan.id}, {"command", plan.command}, {"units", static_cast<long long>(plan.units)}}),
                     unit, result_json);
}

/// What a store holds of work plans: the results of `plan`'s finished units (work_unit lines, by
/// unit; the last line of a unit wins) and the ids of the other plans of the same command name
/// (the part of `command` before its first " --") that have records or work_unit lines there.
struct plan_store_scan {
  std::map<std::size_t, telemetry::json> results;
  std::vector<std::string> other_plans;
  bool has_plan = false;  ///< a run record or work_unit line of `plan` is there

  /// The units of 0..units-1 without a result here, in order (what a resumed run runs).
  std::vector<std::size_t> missing(std::size_t units) const {
    std::vector<std::size_t> out;
    for (std::size_t u = 0; u < units; ++u)
      if (!results.contains(u)) out.push_back(u);
    return out;
  }
};

/// The command name of a work plan's command: the text before its first " --".
inline std::string_view work_plan_command_name(std::string_view command) { return command.substr(0, command.find(" --")); }

/// Scans the JSONL log for `plan` (see plan_store_scan). A missing log holds nothing.
inline plan_store_scan scan_plan_store(const std::filesystem::path& log, const work_plan& plan) {
  plan_store_scan out;
  if (!std::filesystem::exists(log)) return out;
  const std::string_view name = work_plan_command_name(plan.command);
  telemetry::read_jsonl(log.string(), [&](const auto&, telemetry::json&& v) {
    auto& o = v.as_object();
    const auto* type = telemetry::find_string(o, "record_type");
    if (!type || (*type != "run" && *type != "work_unit")) return;
    const telemetry::json::object* holder = &o;
    if (*type == "run") {
      const auto* ctx = telemetry::find(o, "context");
      if (!ctx || !ctx->is_object()) return;
      holder = &ctx->as_object();
    }
    const auto* wp = telemetry::find(*holder, "work_plan");
    const auto* unit = telemetry::find(*holder, "work_unit");
    if (!wp || !wp->is_object() || !unit || !unit->is_int()) return;
    const auto* id = telemetry::find_string(wp->as_object(), "id");
    const auto* command = telemetry::find_string(wp->as_object(), "command");
    if (!id) return;
    if (*id != plan.id) {
      if (command && work_plan_command_name(*command) == name &&
          std::find(out.other_plans.begin(), out.other_plans.end(), *id) == out.other_plans.end())
        out.other_plans.push_back(*id);
      return;
    }
    out.has_plan = true;
    const auto u = std::get<long long>(unit->value);
    if (*type == "work_unit" && u >= 0 && static_cast<std::size_t>(u) < plan.units)
      if (auto* result = telemetry::find(o, "result")) out.results[static_cast<std::size_t>(u)] = std::move(*result);
  });
  return out;
}

/// The error of a `--resume` whose store holds another plan of the command (a usage error).
struct work_plan_mismatch : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// The check of `--resume` against the store: work_plan_mismatch when the log holds work of other
/// plans of the same command and none of `plan` (the command's options changed since).
inline void check_resumable(const plan_store_scan& scan, const std::filesystem::path& log, const work_plan& plan) {
  if (scan.has_plan || scan.other_plans.empty()) return;
  std::string ids;
  for (const auto& id : scan.other_plans) ids += (ids.empty() ? "" : ", ") + id;
  throw work_plan_mismatch(fmt::format("--resume: {} holds work plan {} of '{}', not this command's plan {}: the options differ "
                                          "(run with the same options, or without --resume)",
                                          log.string(), ids, work_plan_command_name(plan.command), plan.id));
}

/// A configuration from its JSON object (`configuration::json()`, or a record's
/// `tuner_meta.config.configuration`): integers, reals and strings.
inline tune::configuration configuration_from_json(const telemetry::json& v) {
  if (!v.is_object()) throw std::invalid_argument("configuration: not a JSON object");
  tune::configuration c;
  for (const auto& [name, x] : v.as_object()) {
    if (x.is_int()) c.set(name, std::get<long long>(x.value));
    else if (x.is_float()) c.set(name, std::get<double>(x.value));
    else if (x.is_string()) c.set(name, x.as_string());
    else throw std::invalid_argument("configuration: parameter '" + name + "' is not a number or a string");
  }
  return c;
}

/// configuration_from_json of a JSON text.
inline tune::configuration configuration_from_json(std::string_view text) { return configuration_from_json(telemetry::parse_json(text)); }

/// The configuration a tuner trial's run record replays (`tuner_meta.config.configuration`).
inline std::optional<tune::configuration> recorded_configuration(const telemetry::json::object& rec) {
  const auto* meta = telemetry::find(rec, "tuner_meta");
  const telemetry::json* config = meta && meta->is_object() ? telemetry::find(meta->as_object(), "config") : nullptr;
  const telemetry::json* c = config && config->is_object() ? telemetry::find(config->as_object(), "configuration") : nullptr;
  if (!c) return std::nullopt;
  return configuration_from_json(*c);
}

/// The trials of a random or grid tuner on one scenario, known before any runs (their asks never
/// depend on tells): the same as run_tuner asks with the same seed rule.
inline std::vector<tune::trial> planned_trials(const tune::parameter_space& space, const tuner_seed_rule& rule) {
  if (rule.kind == tuner_kind::bayes) throw std::invalid_argument("planned_trials: TPE trials depend on the results told");
  std::vector<tune::trial> out;
  rng r(rule.strategy_seed());
  const auto ask_all = [&](auto strategy) {
    while (out.size() < rule.trials)
      if (auto t = strategy.ask(r)) out.push_back(std::move(*t));
      else break;
  };
  if (rule.kind == tuner_kind::random) ask_all(tune::random_search(space));
  else ask_all(tune::grid_search(space));
  return out;
}

/// The tuner trial a recorded run stands for: the objective when its status is ok, else the
/// error; iterations, evaluations and search seconds from its `extra`. `options` and `seed` are the
/// trial's (the record's configuration and seed say the same).
inline tuned_trial tuned_trial_from_record(const telemetry::json::object& rec, tune::trial t, const solve_options& options) {
  tuned_trial out;
  out.options = options;
  out.seed = options.seed;
  out.result.t = std::move(t);
  const auto* status = telemetry::find_string(rec, "status");
  const auto* metrics = telemetry::find(rec, "metrics");
  const telemetry::json* objective = metrics && metrics->is_object() ? telemetry::find(metrics->as_object(), "objective") : nullptr;
  if (status && *status == "ok" && objective && objective->is_number()) {
    out.result.value = objective->as_double();
    out.best.score = out.result.value;
  } else {
    const auto* error = telemetry::find_string(rec, "error");
    out.result.error = error ? *error : "the run failed";
  }
  if (const auto* extra = telemetry::find(rec, "extra"); extra && extra->is_object()) {
    const auto& e = extra->as_object();
    if (const auto* x = telemetry::find(e, "iterations"); x && x->is_int()) out.iterations = std::get<long long>(x->value);
    if (const auto* x = telemetry::find(e, "evaluations"); x && x->is_int()) out.evaluations = std::get<long long>(x->value);
    if (const auto* x = telemetry::find(e, "search_seconds"); x && x->is_number()) out.seconds = x->as_double();
  }
  return out;
}

/// A flat record as one JSON object (a bench cell's summary row travelling to the coordinator).
inline std::string record_json_object(const record& r) {
  std::string out = "{";
  for (const auto& [name, v] : r.items()) out += (out.size() > 1 ? ", " : "") + json_quote(name) + ": " + fhops::detail::json_cell(v);
  return out + "}";
}

/// The flat record of record_json_object (null = NA; integers, reals, text and booleans kept).
inline record record_from_json(const telemetry::json& v) {
  if (!v.is_object()) throw std::invalid_argument("record_from_json: not a JSON object");
  record r;
  for (const auto& [name, x] : v.as_object()) {
    if (x.is_null()) r.set(name, std::monostate{});
    else if (x.is_bool()) r.set(name, std::get<bool>(x.value));
    else if (x.is_int()) r.set(name, std::get<long long>(x.value));
    else if (x.is_float()) r.set(name, std::get<double>(x.value));
    else if (x.is_string()) r.set(name, x.as_string());
    else throw std::invalid_argument("record_from_json: column '" + name + "' is not a scalar");
  }
  return r;
}

/// A solve outcome as one JSON object (a multistart run travelling to the coordinator): the best
/// plan as an assignments CSV, the seed, the SA start temperature, the search counters and the
/// SA warm start's evaluations (ILS, Tabu).
inline std::string solve_outcome_json(const problem& pb, const solve_outcome& out) {
  namespace tel = telemetry;
  const auto& s = out.search;
  tel::json::array ops;
  for (const auto& c : s.operators)
    ops.emplace_back(tel::json::array{c.name, c.weight, c.proposals, c.generated, c.skipped, c.accepted, c.improvements});
  return tel::dump(tel::json::object{{"plan", assignments_csv_text(pb, s.best)},
                                     {"seed", static_cast<long long>(out.seed)},
                                     {"temperature0", out.temperature0},
                                     {"best_score", s.best_score},
                                     {"initial_score", s.initial_score},
                                     {"final_score", s.final_score},
                                     {"counters", tel::json::array{s.iterations, s.evaluations, s.proposals, s.accepted, s.restarts}},
                                     {"seconds", s.seconds},
                                     {"warm_start_evaluations", out.warm_start_evaluations},
                                     {"reason", static_cast<long long>(s.reason)},
                                     {"operators", std::move(ops)}});
}

/// The outcome of solve_outcome_json. The plan is read back and re-evaluated, and so is the
/// greedy seed: evaluation is deterministic, so every number is the sender's, bit for bit.
inline solve_outcome solve_outcome_from_json(const problem& pb, const telemetry::json& v) {
  const auto& o = v.as_object();
  const auto num = [&](const char* key) -> const telemetry::json& {
    const telemetry::json* x = telemetry::find(o, key);
    if (!x) throw std::invalid_argument(std::string("solve outcome: no '") + key + "'");
    return *x;
  };
  const auto integer = [](const telemetry::json& x) { return std::get<long long>(x.value); };
  solve_outcome out;
  out.search.best = parse_assignments_csv(pb, num("plan").as_string(), "<multistart run>");
  out.search.best_score = num("best_score").as_double();
  out.search.initial_score = num("initial_score").as_double();
  out.search.final_score = num("final_score").as_double();
  const auto& c = num("counters").as_array();
  out.search.iterations = integer(c.at(0));
  out.search.evaluations = integer(c.at(1));
  out.search.proposals = integer(c.at(2));
  out.search.accepted = integer(c.at(3));
  out.search.restarts = integer(c.at(4));
  out.search.seconds = num("seconds").as_double();
  out.search.reason = static_cast<search::stop_reason>(integer(num("reason")));
  for (const auto& op : num("operators").as_array()) {
    const auto& a = op.as_array();
    out.search.operators.push_back({a.at(0).as_string(), a.at(1).as_double(), integer(a.at(2)), integer(a.at(3)), integer(a.at(4)),
                                    integer(a.at(5)), integer(a.at(6))});
  }
  out.best = evaluate(pb, out.search.best);
  out.initial = evaluate(pb, greedy_schedule(pb));
  out.seed = static_cast<std::uint64_t>(integer(num("seed")));
  out.best_score = out.best.score;
  out.temperature0 = num("temperature0").as_double();
  if (const telemetry::json* w = telemetry::find(o, "warm_start_evaluations")) out.warm_start_evaluations = integer(*w);  // absent before ILS/Tabu had it
  return out;
}

/// The solver options of a tuner's trials on a problem: Tabu's automatic tenure becomes
/// max(10, machines), as the tune commands do.
inline solve_options tuning_options_for(solve_options base, int num_machines) {
  resolve_tabu_tenure(base, num_machines);
  return base;
}

}  // namespace fhops::harvest
