/// \file
/// Racing a solver's configuration over several scenarios (`fhops tune-race`): the blocks (a
/// scenario and a solver seed each, scenarios in rounds of a seeded shuffle), the solve options of
/// one evaluation, the run record of a race evaluation (`tuner_meta.algorithm = "race"` with its
/// race, iteration, block and candidate) and the candidate's fate added when its iteration ends;
/// and `run_race_session`, the whole race over a dist::session (threads, or MPI ranks).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/dist/session.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/tune/race.hpp"
#include "fhops/util/rng.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/work_units.hpp"

namespace fhops::harvest {

/// The blocks of a race over `scenarios` scenarios: block k runs scenario `scenario[k]` with the
/// solver seed `seed[k]`. Scenarios come in rounds, each a Fisher–Yates shuffle of 0..n−1 drawn
/// from `seed`; block k's seed is 1 + derive_seed(seed, k) mod 999,999,999.
struct race_blocks {
  std::vector<std::size_t> scenario;
  std::vector<std::uint64_t> seed;

  static race_blocks plan(std::size_t scenarios, std::size_t blocks, std::uint64_t seed) {
    race_blocks out;
    rng r(derive_seed(seed, 0x7261636555ULL));
    std::vector<std::size_t> round(scenarios);
    while (out.scenario.size() < blocks) {
      std::iota(round.begin(), round.end(), std::size_t{0});
      for (std::size_t i = scenarios; i > 1; --i) std::swap(round[i - 1], round[r.below(i)]);
      for (const std::size_t s : round)
        if (out.scenario.size() < blocks) out.scenario.push_back(s);
    }
    for (std::size_t k = 0; k < blocks; ++k) out.seed.push_back(1 + derive_seed(seed, k) % 999'999'999);
    return out;
  }
};

/// The blocks a race of `budget` runs gets: enough that a race of the elites and one more
/// candidate never runs out (budget / 2), at least first_test, at most 1000.
inline std::size_t race_block_count(std::size_t budget, std::size_t first_test) {
  return std::clamp<std::size_t>(budget / 2, std::max<std::size_t>(first_test, 1), std::max<std::size_t>(1000, first_test));
}

/// What a race evaluation's run record says besides the solve.
struct race_run_context {
  solver_kind solver = solver_kind::sa;
  std::string source = "cli.tune-race";
  std::string race_id;                 ///< one per tune-race command
  std::optional<std::string> tier;
  long long budget = 0;                ///< runs in all
  long long iters = 0;                 ///< the iteration budget per run
  std::string scenario_path, bundle, member;  ///< the evaluation's scenario
};

/// The options of one evaluation: the configuration over `base` (the scenario's tuning options,
/// tuning_options_for) and the block's seed.
inline solve_options race_options(const tune::race_trial& t, const solve_options& base, std::uint64_t seed) {
  solve_options o = apply_configuration(t.t.config, base);
  o.seed = seed;
  return o;
}

/// The run record of a race evaluation before its solve: the solver's record with `tuner_meta`
/// `{algorithm: "race", budget: {runs_total, iters_per_run, tier}, config: {candidate, batch_size,
/// operators, solver, configuration}, progress: {run_index, total_runs}, race: {race_id, iteration,
/// block, candidate, parent}}` (+ bundle, bundle_member). Iterations and blocks are 1-based there.
inline telemetry::run_record begin_race_run_record(const race_run_context& c, const tune::race_trial& t, std::optional<std::size_t> parent,
                                                   const solve_options& so, const scenario* sc) {
  namespace tel = telemetry;
  tel::run_record rec = begin_tuned_run_record(c.solver, so, c.source, c.scenario_path, c.tier, sc);
  const auto n = [](std::size_t x) { return static_cast<long long>(x); };
  tel::json::object config{{"candidate", n(t.candidate)},
                           {"batch_size", so.batch.value_or(0) > 1 ? *so.batch : 1LL},
                           {"operators", operator_weights_json(so.weights)},
                           {"solver", solver_label(c.solver)},
                           {"configuration", configuration_json(t.t.config)}};
  tel::json::object race{{"race_id", c.race_id},
                         {"iteration", n(t.iteration + 1)},
                         {"block", n(t.block + 1)},
                         {"candidate", n(t.candidate)},
                         {"parent", parent ? tel::json(n(*parent)) : tel::json()}};
  rec.tuner_meta = {{"algorithm", "race"},
                    {"budget", tel::json::object{{"runs_total", c.budget}, {"iters_per_run", c.iters}, {"tier", tel::json(c.tier)}}},
                    {"config", std::move(config)},
                    {"progress", tel::json::object{{"run_index", n(t.t.number + 1)}, {"total_runs", c.budget}}},
                    {"race", std::move(race)}};
  if (!c.bundle.empty()) {
    rec.tuner_meta.emplace_back("bundle", c.bundle);
    rec.tuner_meta.emplace_back("bundle_member", c.member);
  }
  return rec;
}

/// A candidate's fate in iteration `iteration` (0-based), as the race knows it once that iteration
/// is over: `eliminated` (by a test), `discarded` (not among the elites at the end) or `elite`.
inline const char* race_fate(const tune::race_candidate& c, std::size_t iteration) {
  if (c.eliminated_iteration == iteration) return c.eliminated_by_test ? "eliminated" : "discarded";
  return "elite";
}

/// Adds the candidate's fate to a race run record (a JSON object from begin_race_run_record):
/// `tuner_meta.race.status` and, when it left the race in that iteration, `eliminated_at:
/// {iteration, blocks}` (1-based iteration; the blocks its race had then).
inline void set_race_fate(telemetry::json::object& rec, const tune::race_candidate& c, std::size_t iteration) {
  namespace tel = telemetry;
  tel::json* meta = tel::find(rec, "tuner_meta");
  tel::json* race = meta && meta->is_object() ? tel::find(meta->as_object(), "race") : nullptr;
  if (!race || !race->is_object()) return;
  tel::set(race->as_object(), "status", race_fate(c, iteration));
  if (c.eliminated_iteration == iteration)
    tel::set(race->as_object(), "eliminated_at",
             tel::json::object{{"iteration", static_cast<long long>(iteration + 1)}, {"blocks", static_cast<long long>(c.eliminated_blocks)}});
}

namespace detail {

// An evaluation as it travels to a worker: the race id, the trial and the candidate's parent.
inline std::string race_payload(const tune::race_trial& t, std::optional<std::size_t> parent, const std::string& race_id) {
  const auto n = [](std::size_t x) { return telemetry::json(static_cast<long long>(x)); };
  return telemetry::dump(telemetry::json::object{{"race_id", race_id},
                                                 {"number", n(t.t.number)},
                                                 {"candidate", n(t.candidate)},
                                                 {"parent", parent ? n(*parent) : telemetry::json()},
                                                 {"iteration", n(t.iteration)},
                                                 {"block", n(t.block)},
                                                 {"configuration", configuration_json(t.t.config)}});
}

struct travelling_race_trial {
  tune::race_trial t;
  std::optional<std::size_t> parent;
  std::string race_id;
};

inline travelling_race_trial race_trial_of(std::string_view payload) {
  const telemetry::json v = telemetry::parse_json(payload);
  const auto n = [&](const char* key) { return static_cast<std::size_t>(std::get<long long>(v.find(key)->value)); };
  travelling_race_trial out;
  out.t.t.number = n("number");
  out.t.candidate = n("candidate");
  out.t.iteration = n("iteration");
  out.t.block = n("block");
  out.t.t.config = configuration_from_json(*v.find("configuration"));
  if (!v.find("parent")->is_null()) out.parent = n("parent");
  out.race_id = *v.string_at("race_id");
  return out;
}

}  // namespace detail

/// What `fhops tune-race` asks for.
struct race_request {
  solver_kind solver = solver_kind::sa;
  const tune::parameter_space* space = nullptr;
  tune::race_parameters parameters;
  std::uint64_t seed = 0;                      ///< the race's rng (candidates); the blocks were planned from it too
  race_blocks blocks;
  std::vector<solve_options> bases;            ///< per scenario: tuning_options_for its problem
  std::vector<race_run_context> contexts;      ///< per scenario: its records' context (race_id is set here)
  std::vector<std::string> summary_keys;       ///< per scenario: its key in the tuner summary
  const std::vector<problem>* problems = nullptr;
  const std::vector<scenario>* scenarios = nullptr;
  telemetry::run_store* store = nullptr;       ///< where the records and the summary go (required)
};

/// What the caller is told as the race goes (each optional; on the coordinator only).
struct race_progress {
  std::function<void()> started;  ///< the race is set up (its parameters checked); evaluations follow
  std::function<void(const tune::race_result&)> failed;  ///< an evaluation failed (its solve, or the worker)
  std::function<void(const tune::race&, std::size_t iteration)> step_done;  ///< a step's results were told
};

/// The best candidate's mean objective on one scenario over the blocks it ran there.
struct race_scenario_mean {
  std::string key;
  std::size_t blocks = 0;
  double mean = 0.0;
};

/// What came of a race. On an MPI worker rank (`worker`) nothing else is set.
struct race_outcome {
  bool worker = false;
  std::optional<tune::race> race;
  std::string race_id;
  std::vector<tune::race_result> results;       ///< in ask order
  std::vector<race_scenario_mean> best_means;   ///< the best candidate's, per scenario it ran on
  std::size_t records_written = 0, failures = 0;
  std::vector<std::string> lost;                ///< evaluations lost with a worker (counted failed by the race)
  std::vector<std::string> mirror_errors;
};

/// Runs the race of `rq` on `session`: the coordinator asks the race for a step of evaluations,
/// the session runs them (threads, or MPI ranks), and the results are told in ask order, so the
/// race does not depend on timing or on where evaluations ran. Each evaluation's run record gets
/// its candidate's fate when its iteration ends and is then written to the store; the tuner
/// summary (`race`, the best candidate's mean per scenario) is written when nothing was lost.
inline race_outcome run_race_session(const race_request& rq, dist::session& session, const race_progress& progress = {}) {
  telemetry::run_store& store = *rq.store;
  race_outcome out;
  // One evaluation, on any rank or thread: its run record (a JSONL line), also when the solve fails.
  std::mutex steps_mutex;  // local threads close their step files one at a time
  const dist::work_fn work = [&](const dist::job& j) {
    session.before_unit(j.unit);
    const detail::travelling_race_trial tt = detail::race_trial_of(j.payload);
    const std::size_t si = rq.blocks.scenario[tt.t.block];
    const solve_options so = race_options(tt.t, rq.bases[si], rq.blocks.seed[tt.t.block]);
    race_run_context ctx = rq.contexts[si];
    ctx.race_id = tt.race_id;
    auto rec = begin_race_run_record(ctx, tt.t, tt.parent, so, &(*rq.scenarios)[si]);
    return recorded_unit_line((*rq.problems)[si], so, rec, store, steps_mutex);
  };

  // The coordinator races; the workers run whatever it hands out, step after step.
  const bool coordinator = session.coordinator();
  try {
    if (coordinator) out.race.emplace(*rq.space, rq.parameters);
  } catch (const std::invalid_argument&) {
    session.agree(false);  // the workers stop too
    throw;
  }
  auto& race = out.race;
  if (coordinator && progress.started) progress.started();
  rng r(rq.seed);
  if (coordinator) out.race_id = telemetry::new_run_id();
  std::vector<std::pair<telemetry::json::object, tune::race_trial>> pending;  // the current iteration's records
  const auto flush = [&] {  // the iteration is over: each record gets its candidate's fate
    if (pending.empty()) return;
    std::string lines;
    std::vector<telemetry::json::object> objects;
    for (auto& [rec, t] : pending) {
      set_race_fate(rec, race->candidates()[t.candidate], t.iteration);
      lines += telemetry::jsonl_line(rec);
      objects.push_back(std::move(rec));
    }
    if (auto err = store.write(lines, objects)) out.mirror_errors.push_back(*err);
    out.records_written += objects.size();
    pending.clear();
  };
  for (;;) {
    std::vector<tune::race_trial> step;
    if (coordinator)
      while (auto t = race->ask(r)) step.push_back(std::move(*t));
    if (!session.agree(!step.empty())) break;
    if (coordinator && !pending.empty() && pending.front().second.iteration != step.front().iteration) flush();
    std::map<std::size_t, std::string> texts, errors;  // by evaluation number
    std::size_t cursor = 0;
    session.run(
        [&]() -> std::optional<dist::job> {
          if (cursor == step.size()) return std::nullopt;
          const tune::race_trial& t = step[cursor++];
          return dist::job{t.t.number, detail::race_payload(t, race->candidates()[t.candidate].parent, out.race_id)};
        },
        work,
        [&](const dist::unit_result& u) {
          if (u.ok()) texts[u.unit] = u.result;
          else errors[u.unit] = *u.error;
        });
    if (!coordinator) continue;
    for (const tune::race_trial& t : step) {  // told in ask order: the race does not depend on timing
      tune::race_result res{t, std::numeric_limits<double>::quiet_NaN(), {}};
      if (const auto it = texts.find(t.t.number); it != texts.end()) {
        telemetry::json::object rec = telemetry::json_lines(it->second).front();
        const std::size_t si = rq.blocks.scenario[t.block];
        const tuned_trial tt = tuned_trial_from_record(rec, t.t, race_options(t, rq.bases[si], rq.blocks.seed[t.block]));
        res.value = tt.result.value;
        res.error = tt.result.error;
        pending.emplace_back(std::move(rec), t);
      } else {
        res.error = errors[t.t.number];
        out.lost.push_back(std::to_string(t.t.number));
      }
      if (!res.ok()) {
        ++out.failures;
        if (progress.failed) progress.failed(res);
      }
      race->tell(t, res.value);
      out.results.push_back(std::move(res));
    }
    if (progress.step_done) progress.step_done(*race, step.back().iteration);
  }
  if (!coordinator) {
    out.worker = true;
    return out;
  }
  flush();

  if (const std::optional<std::size_t> best = race->best()) {
    const tune::race_candidate& b = race->candidates()[*best];
    std::vector<std::pair<std::string, double>> summary;
    for (std::size_t si = 0; si < rq.summary_keys.size(); ++si) {
      double sum = 0.0;
      std::size_t n = 0;
      for (std::size_t k = 0; k < b.results.size(); ++k)
        if (rq.blocks.scenario[k] == si && b.results[k] && std::isfinite(*b.results[k])) sum += *b.results[k], ++n;
      if (n == 0) continue;
      out.best_means.push_back({rq.summary_keys[si], n, sum / static_cast<double>(n)});
      summary.emplace_back(rq.summary_keys[si], sum / static_cast<double>(n));
    }
    if (out.lost.empty())
      if (auto err = store.record_summary({"race", static_cast<long long>(race->candidates().size()), summary, telemetry::new_run_id(),
                                           telemetry::utc_iso_seconds()}))
        out.mirror_errors.push_back(*err);
  }
  return out;
}

}  // namespace fhops::harvest
