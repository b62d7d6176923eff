// The driver commands' work units run through a dist_session (docs/howto/scale_out.md): every
// unit's run record is tagged with its work plan and unit, written by the coordinator as it
// arrives (completion order), and with --resume the units already in the store are not re-run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dist_wiring.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/search/multistart.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/workflows/bench_suite.hpp"
#include "fhops/workflows/plan_units.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/work_units.hpp"
#include "telemetry_wiring.hpp"

namespace fhops_cli {

/// The JSON objects of JSONL text (one object a line): a unit's run records as they travel.
std::vector<fhops::telemetry::json::object> json_lines(std::string_view lines);

/// A tuner's trials on every scenario as work units (unit = scenario index · trials + trial).
struct tuner_units_spec {
  std::string command;  ///< tune-random | tune-grid | tune-bayes
  fhops::harvest::tuner_kind kind = fhops::harvest::tuner_kind::random;
  fhops::harvest::solver_kind solver = fhops::harvest::solver_kind::sa;
  const fhops::tune::parameter_space* space = nullptr;
  fhops::harvest::solve_options base;
  std::vector<fhops::harvest::tuner_trial_context> contexts;  ///< per scenario
  const std::vector<fhops::harvest::problem>* problems = nullptr;
  const std::vector<fhops::harvest::scenario>* scenarios = nullptr;
  std::size_t trials = 0;
  std::uint64_t seed = 0;
  bool resume = false;
};

/// What the coordinator gets back: each scenario's trials in trial order (lost units left out),
/// the lost units, how many records were written now and how many units were already done.
struct tuner_units_result {
  std::vector<std::vector<fhops::harvest::tuned_trial>> trials;
  std::vector<std::size_t> lost;
  std::size_t records_written = 0, resumed = 0;
  std::vector<std::string> mirror_errors;
};

/// Runs the tuner's units; on worker ranks the result is empty.
tuner_units_result run_tuner_units(const tuner_units_spec& spec, dist_session& session, cli_telemetry& telemetry);

/// The bench suite's scenario x solver-run cells as work units (unit = scenario index · runs + run).
struct bench_units_spec {
  std::vector<std::pair<std::string, std::filesystem::path>> scenarios;  ///< label, path
  std::vector<fhops::harvest::bench_run> runs;
  const std::vector<fhops::harvest::problem>* problems = nullptr;
  const std::vector<fhops::harvest::scenario>* loaded = nullptr;
  std::size_t repeats = 1;
  std::filesystem::path out_dir;
  bool resume = false;  ///< cells whose work_unit line is in the store are not re-run (needs telemetry)
};

/// The cells' summary rows in unit order (lost cells left out), the lost cells, the records written
/// and the cells taken from the store (--resume).
struct bench_units_result {
  std::vector<fhops::record> rows;
  std::vector<std::size_t> lost;
  std::size_t records_written = 0, resumed = 0;
  std::vector<std::string> mirror_errors;
};

/// Runs the cells (each one's repeats recorded in `telemetry` when given, then the cell's
/// work_unit line holding its summary row); empty on worker ranks.
bench_units_result run_bench_units(const bench_units_spec& spec, dist_session& session, cli_telemetry* telemetry);

/// A multistart's runs as work units (unit = run k, seed as solve_multistart: the base seed for
/// run 0, derive_seed(seed, k) after).
struct multistart_units_spec {
  std::string command;                ///< solve-heur | solve-ils | solve-tabu
  std::size_t runs = 0;
  std::vector<std::string> run_ids;   ///< the runs' step logs and records (with telemetry)
  std::vector<std::string> unit_keys; ///< what decides each run's result (the work plan; with telemetry)
  bool resume = false;                ///< runs whose work_unit line is in the store are not re-run
};

/// Every run in run order and the best (highest score, ties to the lower index), as
/// solve_multistart returns them; a solve that throws is a failed run. The lost units (the best is
/// then not chosen), the runs taken from the store and the run ids (a resumed run keeps its first
/// id, so its step log still matches). Empty on worker ranks.
struct multistart_units_result {
  std::vector<fhops::search::multistart_run<fhops::harvest::solve_outcome>> runs;
  std::size_t best = 0;
  std::vector<std::size_t> lost;
  std::size_t resumed = 0;
  std::vector<std::string> run_ids;
};

/// Runs a multistart's units; with telemetry the coordinator appends each finished run's
/// work_unit line (its run id and outcome) as it arrives.
multistart_units_result run_multistart_units(const fhops::harvest::problem& pb, const fhops::harvest::solve_options& o,
                                             const multistart_units_spec& spec, cli_telemetry* telemetry, dist_session& session);

/// The tuning plan's units (tier × tuner × scenario, fhops/workflows/plan_units.hpp) as work units.
struct plan_units_spec {
  std::vector<fhops::harvest::plan_unit> units;
  std::vector<fhops::harvest::plan_unit_target> targets;  ///< per unit
  std::vector<std::string> labels;                         ///< per unit: its console line's prefix
  const fhops::harvest::work_plan* plan = nullptr;
  fhops::harvest::plan_store_scan recorded;  ///< --resume: the units already in the store
  bool track = false;  ///< each unit's records written as it arrives, then its work_unit line (mpirun, --resume)
  std::optional<long long> step_interval;  ///< else the solver's default cadence
};

/// Every unit's outcome in unit order (a lost unit's is empty), the lost units, the units taken
/// from the store, the records written now, the failed runs and the mirror's errors.
struct plan_units_result {
  std::vector<fhops::harvest::plan_unit_outcome> outcomes;
  std::vector<std::size_t> lost;
  std::size_t resumed = 0;
  long long records_written = 0, failed_runs = 0;
  std::vector<std::string> mirror_errors;
};

/// Runs the plan's units. The coordinator writes each unit's records in unit order (or, when
/// tracking, as each arrives, followed by its work_unit line) and prints one line per unit, in unit
/// order, on stderr (failed runs as warnings before it). Empty on worker ranks.
plan_units_result run_plan_units(const plan_units_spec& spec, dist_session& session, cli_telemetry& telemetry);

}  // namespace fhops_cli
