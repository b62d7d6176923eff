/// \file
/// What the tuners tune: the parameter space of each solver (SA, ILS, Tabu) over the generic
/// tune/ library, and the mapping of a configuration onto solve_options, so a trial's recorded
/// configuration replays exactly (same configuration + same seed + same budget = same run).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/tune/runner.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/util/yaml_file.hpp"

namespace fhops::harvest {

/// The name of an operator's weight parameter: `weight_<operator>`.
inline std::string weight_parameter(std::size_t op) { return "weight_" + std::string(operator_names[op]); }

/// Whether the default tuning spaces carry operator `op`'s weight: every operator but
/// landing_rebuild, price_rebuild and landing_swap (costly large-neighbourhood moves for long runs on big
/// scenarios; a tuning trial's short budget cannot tell their worth, so tuners leave them off
/// unless a --space file asks) and seq_fill (it has moves only on scenarios with sequencing).
inline bool tuned_by_default(std::size_t op) {
  return op != static_cast<std::size_t>(operator_id::landing_rebuild) && op != static_cast<std::size_t>(operator_id::price_rebuild) &&
         op != static_cast<std::size_t>(operator_id::landing_swap) && op != static_cast<std::size_t>(operator_id::seq_fill);
}

/// The space tune-random and tune-bayes search for a solver: the batch size (1-3, as the
/// reference), a weight in [0, 2] per operator (the reference's five and fhops-cpp's seven; see
/// tuned_by_default), and
/// the solver's own knobs — SA: acceptance rule (late-acceptance length when late), initial and
/// final temperature of the budget cooling; ILS: perturbation strength and stall limit; Tabu:
/// tenure.
inline tune::parameter_space solver_tuning_space(solver_kind kind) {
  tune::parameter_space s;
  s.integer("batch_size", 1, 3);
  for (std::size_t op = 0; op < operator_count; ++op)
    if (tuned_by_default(op)) s.real(weight_parameter(op), 0.0, 2.0);
  switch (kind) {
    case solver_kind::sa:
      s.categorical("acceptance", {"metropolis", "threshold", "record", "late"});
      s.integer("late_length", 100, 5000, true).only_when("late_length", "acceptance", {"late"});
      s.real("initial_temperature", 1.0, 200.0, true);
      s.real("final_temperature", 0.01, 1.0, true);
      break;
    case solver_kind::ils:
      s.integer("perturbation_strength", 1, 10);
      s.integer("stall_limit", 5, 50);
      break;
    case solver_kind::tabu:
      s.integer("tabu_tenure", 5, 50);
      break;
  }
  return s;
}

/// The options every tuner trial starts from (before its configuration): the reference's
/// weights, `iters` iterations (0 = unlimited) and, with a time limit, budget cooling without
/// restarts. A trial replays as `apply_configuration(config, tuning_base_options(...))` + its seed;
/// the Tabu tenure is resolved from the problem when the configuration does not set it.
inline solve_options tuning_base_options(solver_kind kind, long long iters, std::optional<double> seconds) {
  solve_options o;
  o.kind = kind;
  o.weights = *solver_info_of(kind).configured_base;
  o.stop.max_iterations = iters;
  if (seconds) use_time_budget(o, *seconds);
  return o;
}

namespace detail {

inline tune::parameter_space tuning_space_of(const YAML::Node& doc, const std::filesystem::path& file, solver_kind kind) {
  const tune::parameter_space known = solver_tuning_space(kind);
  const auto where = [&](const YAML::Node& n) { return file.string() + ":" + std::to_string(n.Mark().line + 1) + ": "; };
  const YAML::Node params = doc.IsMap() ? doc["parameters"] : YAML::Node();
  if (!params || !params.IsMap() || params.size() == 0)
    throw std::runtime_error(file.string() + ": expected a non-empty 'parameters:' mapping");
  tune::parameter_space s;
  for (const auto& kv : params) {
    const std::string name = kv.first.as<std::string>();
    const YAML::Node& spec = kv.second;
    const std::size_t k = known.index(name);
    if (k == known.size()) {
      std::string names;
      for (const auto& p : known.parameters()) names += (names.empty() ? "" : ", ") + p.name;
      throw std::runtime_error(where(kv.first) + "unknown parameter '" + excerpt(name) + "' for this solver (known: " + names + ")");
    }
    const tune::parameter& ref = known.parameters()[k];
    if (!spec.IsMap()) throw std::runtime_error(where(spec) + "parameter '" + name + "' needs a mapping {type, ...}");
    const std::string type = spec["type"] ? spec["type"].as<std::string>() : "";
    const char* expected = ref.kind == tune::kind::integer ? "int" : ref.kind == tune::kind::real ? "real" : "categorical";
    if (type != expected)
      throw std::runtime_error(where(spec) + "parameter '" + name + "' must have type: " + expected + " (got '" + excerpt(type) + "')");
    try {
      const bool log = spec["log"] && spec["log"].as<bool>();
      if (ref.kind == tune::kind::integer)
        s.integer(name, spec["low"].as<long long>(static_cast<long long>(ref.low)), spec["high"].as<long long>(static_cast<long long>(ref.high)), log);
      else if (ref.kind == tune::kind::real)
        s.real(name, spec["low"].as<double>(ref.low), spec["high"].as<double>(ref.high), log);
      else
        s.categorical(name, spec["choices"] ? spec["choices"].as<std::vector<std::string>>() : ref.choices);
      if (ref.kind == tune::kind::categorical)
        for (const auto& c : s.parameters().back().choices)
          if (std::find(ref.choices.begin(), ref.choices.end(), c) == ref.choices.end())
            throw std::invalid_argument("parameter '" + name + "': unknown choice '" + excerpt(c) + "'");
      if (spec["levels"]) {
        std::vector<tune::value> levels;
        for (const auto& l : spec["levels"]) {
          if (ref.kind == tune::kind::integer) levels.emplace_back(l.as<long long>());
          else if (ref.kind == tune::kind::real) levels.emplace_back(l.as<double>());
          else levels.emplace_back(l.as<std::string>());
        }
        s.levels(std::move(levels));
      }
      if (spec["when"]) {
        if (!spec["when"].IsMap() || spec["when"].size() != 1)
          throw std::invalid_argument("parameter '" + name + "': 'when' must be {parent: [values]}");
        const auto w = *spec["when"].begin();
        std::vector<tune::value> values;
        for (const auto& v : w.second) values.emplace_back(v.as<std::string>());
        s.only_when(name, w.first.as<std::string>(), std::move(values));
      }
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(where(spec) + e.what());
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(where(spec) + "parameter '" + name + "': " + e.msg);
    }
  }
  return s;
}

}  // namespace detail

/// A tuning space read from a YAML file: a `parameters:` mapping of names known to the solver's
/// space (solver_tuning_space) to `{type: int|real|categorical, low, high, log, choices, levels,
/// when: {parent: [values]}}`; only the parameters listed are tuned. Errors name the file and line;
/// only a regular file is read and a repeated key keeps its last value (as PyYAML reads it).
inline tune::parameter_space load_tuning_space(const std::filesystem::path& file, solver_kind kind) {
  const YAML::Node doc = read_yaml_file(file);  // a regular file; a repeated key keeps its last value
  try {
    return detail::tuning_space_of(doc, file, kind);
  } catch (const YAML::Exception& e) {
    throw yaml_input_error(e, file.string(), "unexpected value in the space file");
  }
}

/// The space tune-grid walks: batch sizes (outer) x operator presets (inner), as the reference.
inline tune::parameter_space preset_grid_space(std::vector<long long> batches, const std::vector<std::string>& presets) {
  if (batches.empty()) throw std::invalid_argument("tune-grid needs at least one batch size");
  if (presets.empty()) throw std::invalid_argument("tune-grid needs at least one preset");
  std::vector<std::string> names;
  for (const auto& p : operator_presets()) names.emplace_back(p.name);
  tune::parameter_space s;
  long long hi = 1;
  std::vector<tune::value> b, p;
  for (const long long x : batches) {
    if (x < 1) throw std::invalid_argument("tune-grid batch sizes must be >= 1 (got " + std::to_string(x) + ")");
    hi = std::max(hi, x);
    b.emplace_back(x);
  }
  for (const auto& x : presets) p.emplace_back(std::string(find_preset(x).name));
  s.integer("batch_size", 1, hi).levels(std::move(b));
  s.categorical("preset", std::move(names)).levels(std::move(p));
  return s;
}

/// `o` with the configuration's parameters applied. Unknown parameters are an error (a record from
/// another version); weights a configuration does not name keep o's weights.
inline solve_options apply_configuration(const tune::configuration& c, solve_options o) {
  for (const auto& [name, v] : c.items()) {
    if (name == "batch_size") {
      const long long b = c.integer(name);
      o.batch = b > 1 ? b : 0;
      o.ils.samples = *o.batch;
      o.tabu.candidates = *o.batch;
    } else if (name == "preset") {
      o.weights = find_preset(c.category(name)).weights;
    } else if (name.rfind("weight_", 0) == 0) {
      const int op = operator_index(name.substr(7));
      if (op < 0) throw std::invalid_argument("configuration: unknown operator in '" + name + "'");
      o.weights[static_cast<std::size_t>(op)] = c.real(name);
    } else if (name == "acceptance") {
      o.acceptance = c.category(name);
    } else if (name == "late_length") {
      o.late_length = c.integer(name);
    } else if (name == "initial_temperature") {
      o.cooling = "budget";
      o.initial_temperature = c.real(name);
    } else if (name == "final_temperature") {
      o.final_temperature = c.real(name);
    } else if (name == "perturbation_strength") {
      o.ils.perturbation_strength = c.integer(name);
    } else if (name == "stall_limit") {
      o.ils.stall_limit = c.integer(name);
    } else if (name == "tabu_tenure") {
      o.tabu.tenure = c.integer(name);
    } else {
      throw std::invalid_argument("configuration: unknown parameter '" + name + "'");
    }
  }
  bool any = false;
  for (const double w : o.weights) any |= w > 0.0;
  if (!any) o.weights[0] = o.weights[1] = 1.0;  // a run needs an operator: all zero falls back to swap and move
  return o;
}

/// One tuning trial on a scenario: the trial (configuration, value or error), the solver seed, the
/// options it ran with, and the best plan's evaluation and run counters.
struct tuned_trial {
  tune::trial_result result;
  std::uint64_t seed = 0;
  solve_options options;
  evaluation best;
  long long iterations = 0, evaluations = 0;
  double seconds = 0.0;
};

/// Tunes one solver on one problem: each trial runs `run_one(trial, options)` (a solve returning a
/// solve_outcome; the caller adds observers and telemetry) with `apply_configuration(config, base)`
/// and the seed `seed_of(trial number)`; `jobs` trials at a time. `on_trial` sees each finished
/// trial in trial order, in the calling thread (progress, telemetry). Returns the trials in order.
template <tune::tuner_strategy Strategy, class RunOne, class OnTrial>
std::vector<tuned_trial> tune_solver(Strategy& strategy, const solve_options& base, std::size_t max_trials, std::uint64_t strategy_seed,
                                     std::size_t jobs, const std::function<std::uint64_t(std::size_t)>& seed_of, RunOne&& run_one,
                                     OnTrial&& on_trial) {
  std::mutex m;
  std::vector<std::optional<tuned_trial>> slots;
  const auto objective = [&](const tune::trial_context& ctx) {
    tuned_trial t;
    t.seed = seed_of(ctx.t.number);
    t.options = apply_configuration(ctx.t.config, base);
    t.options.seed = t.seed;
    const solve_outcome out = run_one(ctx.t, std::as_const(t.options));
    t.best = out.best;
    t.iterations = out.search.iterations;
    t.evaluations = out.search.evaluations;
    t.seconds = out.search.seconds;
    std::lock_guard lock(m);
    if (slots.size() <= ctx.t.number) slots.resize(ctx.t.number + 1);
    slots[ctx.t.number] = std::move(t);
    return out.best.score;
  };
  std::vector<tuned_trial> done;
  tune::run_trials(strategy, objective, {max_trials, strategy_seed, jobs}, [&](const tune::trial_result& r) {
    tuned_trial t;
    {
      std::lock_guard lock(m);
      if (r.t.number < slots.size() && slots[r.t.number]) t = std::move(*slots[r.t.number]);
    }
    if (!r.ok()) {  // failed before or inside the solve: still say what was tried
      t.seed = seed_of(r.t.number);
      try {
        t.options = apply_configuration(r.t.config, base);
      } catch (const std::exception&) {
        t.options = base;
      }
      t.options.seed = t.seed;
    }
    t.result = r;
    on_trial(std::as_const(t));
    done.push_back(std::move(t));
  });
  return done;
}

}  // namespace fhops::harvest
