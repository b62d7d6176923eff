/// \file
/// Racing a solver's configuration over several scenarios (`fhops tune-race`): the blocks (a
/// scenario and a solver seed each, scenarios in rounds of a seeded shuffle), the solve options of
/// one evaluation, the run record of a race evaluation (`tuner_meta.algorithm = "race"` with its
/// race, iteration, block and candidate) and the candidate's fate added when its iteration ends.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhops/telemetry/json_value.hpp"
#include "fhops/tune/race.hpp"
#include "fhops/util/rng.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"

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
                           {"batch_size", so.batch > 1 ? so.batch : 1LL},
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

}  // namespace fhops::harvest
