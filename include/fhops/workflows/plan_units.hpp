/// \file
/// The work units of the tuning benchmark plan (telemetry_tuning.md §7; `fhops tuning-plan run`):
/// one unit is a tier × tuner × scenario — SA tuner trials (random, grid, bayes) or the ILS/Tabu
/// restarts — run one at a time with its own seeds, so its records do not depend on where or when
/// it runs. A unit's outcome travels as a JSON line of counts (its work_unit result), and the
/// plan's tuner summaries are built from the outcomes in unit order.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/workflows/discovery.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/tuning_plan.hpp"
#include "fhops/workflows/work_units.hpp"

namespace fhops::harvest {

/// One unit of the plan: a tuner on one scenario in one tier (indices into the plan's lists).
struct plan_unit {
  std::size_t tier = 0;
  plan_tuner tuner = plan_tuner::random;
  std::size_t scenario = 0;
};

/// What a unit produced: its runs' records, how many runs and successes, the best objective, one
/// line per failed run, and its seconds.
struct plan_unit_outcome {
  std::vector<telemetry::run_record> records;
  long long runs = 0, successes = 0;
  double best = -std::numeric_limits<double>::infinity();
  std::vector<std::string> failures;
  double seconds = 0.0;

  /// The counts as one JSON object (the unit's work_unit result; the records travel apart):
  /// `{"runs", "successes", "best" (null without a success), "failures", "seconds"}`.
  std::string counts_json() const {
    return telemetry::dump(telemetry::json::object{{"runs", runs},
                                                   {"successes", successes},
                                                   {"best", successes ? telemetry::json(best) : telemetry::json()},
                                                   {"failures", telemetry::json::array(failures.begin(), failures.end())},
                                                   {"seconds", seconds}});
  }

  /// The counts of counts_json() back (the records are not part of them).
  static plan_unit_outcome from_counts(const telemetry::json& counts) {
    const auto& o = counts.as_object();
    const auto field = [&](const char* k) -> const telemetry::json& {
      const auto* v = telemetry::find(o, k);
      if (!v) throw std::runtime_error(fmt::format("work unit counts: no \"{}\"", k));
      return *v;
    };
    plan_unit_outcome out;
    out.runs = std::get<long long>(field("runs").value);
    out.successes = std::get<long long>(field("successes").value);
    if (const auto& best = field("best"); best.is_number()) out.best = best.as_double();
    for (const auto& f : field("failures").as_array()) out.failures.push_back(f.as_string());
    out.seconds = field("seconds").as_double();
    return out;
  }
};

/// What a unit runs on: its tier (label and resolved budget, the grid space of its batch sizes and
/// presets) and its scenario (entry, display name, loaded scenario and problem).
struct plan_unit_target {
  std::optional<std::string> tier;
  const tier_budget* budget = nullptr;
  const tune::parameter_space* grid_space = nullptr;
  const scenario_entry* entry = nullptr;
  std::string name;
  const scenario* sc = nullptr;
  const problem* pb = nullptr;
};

/// Runs unit `u` on `t`: the ILS/Tabu restarts (benchmark.ils|tabu records) or the SA tuner's
/// trials (cli.tune-* records), one run at a time. `steps(run_id, solver)` gives a run's step
/// observer. A run that throws is a failed run (its record says so), not a failed unit.
template <class Steps>
plan_unit_outcome run_plan_unit(const plan_unit& u, const plan_unit_target& t, Steps&& steps) {
  const auto t0 = std::chrono::steady_clock::now();
  plan_unit_outcome out;
  const tuner_budget& tb = (*t.budget)[u.tuner];
  const auto note = [&](bool ok, double value, const std::string& error, long long index) {
    ++out.runs;
    if (ok) {
      ++out.successes;
      out.best = std::max(out.best, value);
    } else {
      out.failures.push_back(fmt::format("{} {} run {} failed: {}", t.name, plan_tuner_name(u.tuner), index, error));
    }
  };
  if (u.tuner == plan_tuner::ils || u.tuner == plan_tuner::tabu) {
    const solver_kind solver = u.tuner == plan_tuner::ils ? solver_kind::ils : solver_kind::tabu;
    const restart_settings s{solver, *tb.runs, *tb.iters, static_cast<std::uint64_t>(*tb.seed), tb.perturbation_strength, tb.stall_limit,
                             tb.hybrid_use_mip};
    const restart_target target{t.entry->path.string(), t.name, t.entry->bundle, t.entry->member, t.tier};
    for (long long k = 0; k < s.runs; ++k) {
      const solve_options o = s.options(*t.pb, s.seed_of(u.scenario, k));
      auto rec = begin_restart_record(s, target, o, t.sc, k);
      try {
        const auto res = recorded_solve(*t.pb, o, rec, steps(rec.run_id, solver));
        note(true, res.best.score, "", k);
      } catch (const std::exception& ex) {
        note(false, 0.0, ex.what(), k);
      }
      out.records.push_back(std::move(rec));
    }
  } else {
    const tuner_kind kind = u.tuner == plan_tuner::random ? tuner_kind::random : u.tuner == plan_tuner::grid ? tuner_kind::grid : tuner_kind::bayes;
    const long long count = kind == tuner_kind::grid ? static_cast<long long>(tb.batch_sizes->size() * tb.presets->size()) : *tb.runs;
    const solve_options base = tuning_base_options(solver_kind::sa, *tb.iters, std::nullopt);
    const tune::parameter_space space = kind == tuner_kind::grid ? *t.grid_space : solver_tuning_space(solver_kind::sa);
    const tuner_trial_context ctx{kind, solver_kind::sa, std::string("cli.") + tuner_info_of(kind).command, t.entry->path.string(), t.tier,
                                  count, *tb.iters, t.entry->bundle, t.entry->member};
    trial_records records;
    const auto run_one =
        recording_trial_runner(ctx, *t.pb, t.sc, records, [&](const std::string& run_id) { return steps(run_id, solver_kind::sa); });
    run_tuner(kind, space, base, u.scenario, static_cast<std::size_t>(count), static_cast<std::uint64_t>(*tb.seed), 1, run_one,
              [&](const tuned_trial& tr) {
                if (auto rec = records.take(tr.result.t.number)) out.records.push_back(std::move(*rec));
                note(tr.result.ok(), tr.result.value, tr.result.error, static_cast<long long>(tr.result.t.number));
              });
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// The plan's tuner summaries (§1.8), in unit order: bayes one per scenario that had a success;
/// random and grid one per tier, covering every scenario (written after the tier's last scenario).
/// `keys[scenario]` is the scenario's key in the summary; ids and times come from `stamp()`, which
/// returns {summary_id, created_at}.
template <class Stamp>
std::vector<telemetry::tuner_summary_record> plan_tuner_summaries(const std::vector<plan_unit>& units,
                                                                  const std::vector<plan_unit_outcome>& outcomes,
                                                                  const std::vector<std::string>& keys, Stamp&& stamp) {
  std::vector<telemetry::tuner_summary_record> out;
  const auto summary = [&](std::string algorithm, long long configurations, std::vector<std::pair<std::string, double>> best) {
    auto [id, at] = stamp();
    out.push_back({std::move(algorithm), configurations, std::move(best), std::move(id), std::move(at)});
  };
  std::map<std::pair<std::size_t, plan_tuner>, std::pair<std::vector<std::pair<std::string, double>>, long long>> per_tier;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const plan_unit& u = units[i];
    const plan_unit_outcome& o = outcomes[i];
    if (u.tuner == plan_tuner::bayes && o.successes > 0) {
      summary(plan_tuner_name(u.tuner), o.successes, {{keys[u.scenario], o.best}});
    } else if (u.tuner == plan_tuner::random || u.tuner == plan_tuner::grid) {
      auto& [best, configurations] = per_tier[{u.tier, u.tuner}];
      if (o.successes > 0) best.emplace_back(keys[u.scenario], o.best);
      configurations += o.successes;
      if (u.scenario + 1 == keys.size() && !best.empty()) summary(plan_tuner_name(u.tuner), configurations, best);
    }
  }
  return out;
}

/// A plan's units and its work plan.
struct plan_work {
  std::vector<plan_unit> units;
  work_plan plan;
};

/// The units of a plan in the reference's order — tier, then random, grid, bayes, ILS and Tabu
/// (those in `tuners`), then scenario — and the work plan ("tuning-plan run") whose key of a unit
/// holds its tier, tuner, scenario (path and `keys[scenario]`) and that tuner's whole budget.
inline plan_work plan_work_units(const std::vector<std::string>& tiers, const std::vector<tier_budget>& budgets,
                                 const std::vector<plan_tuner>& tuners, const std::vector<scenario_entry>& entries,
                                 const std::vector<std::string>& keys) {
  std::vector<plan_unit> units;
  std::vector<std::string> unit_keys;
  for (std::size_t ti = 0; ti < tiers.size(); ++ti)
    for (const plan_tuner t : plan_tuners)
      if (std::find(tuners.begin(), tuners.end(), t) != tuners.end())
        for (std::size_t si = 0; si < entries.size(); ++si) {
          units.push_back({ti, t, si});
          const tuner_budget& tb = budgets[ti][t];
          unit_keys.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", tiers[ti], plan_tuner_name(t), entries[si].path.string(),
                                          keys[si], tb.runs.value_or(-1), tb.iters.value_or(-1), tb.seed.value_or(-1),
                                          detail::python_list(tb.batch_sizes.value_or(std::vector<long long>{})),
                                          detail::python_list(tb.presets.value_or(std::vector<std::string>{})),
                                          tb.perturbation_strength.value_or(-1), tb.stall_limit.value_or(-1), tb.hybrid_use_mip.value_or(false)));
        }
  work_plan plan = work_plan::of("tuning-plan run", unit_keys);
  return {std::move(units), std::move(plan)};
}

}  // namespace fhops::harvest
