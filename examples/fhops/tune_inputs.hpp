// What the tune commands share before any run: the scenarios (SCENARIOS... and --bundle resolved,
// each loaded with its problem; warnings on stderr) and the checked --telemetry-log.
#pragma once

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/workflows/discovery.hpp"
#include "fhops/workflows/tuning.hpp"
#include "io_check.hpp"

namespace fhops_cli {

/// The scenarios of a tune command, loaded (every one before any run: a bad bundle fails first).
struct tune_inputs {
  std::vector<fhops::harvest::scenario_entry> entries;  ///< empty when nothing resolved
  std::vector<std::string> bundles;                     ///< the --bundle values
  std::vector<fhops::harvest::scenario> scenarios;
  std::vector<fhops::harvest::problem> problems;
};

/// Resolves the positional `scenarios` and --bundle / --bundle-dir and loads them.
inline tune_inputs load_tune_inputs(const po::variables_map& vm) {
  tune_inputs in;
  std::vector<std::filesystem::path> paths;
  if (vm.count("scenarios"))
    for (const auto& s : vm["scenarios"].as<std::vector<std::string>>()) paths.emplace_back(s);
  if (vm.count("bundle")) in.bundles = vm["bundle"].as<std::vector<std::string>>();
  const std::optional<std::filesystem::path> bundle_dir =
      vm.count("bundle-dir") ? std::optional<std::filesystem::path>(vm["bundle-dir"].as<std::string>()) : std::nullopt;
  in.entries = fhops::harvest::collect_scenarios(paths, in.bundles, bundle_dir);
  for (const auto& e : in.entries) {
    auto loaded = fhops::harvest::load_scenario_with_warnings(e.path);
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    in.problems.emplace_back(loaded.scenario);
    in.scenarios.push_back(std::move(loaded.scenario));
  }
  return in;
}

/// The solvers' labels (`sa`, `ils`, `tabu`; the registry's), the values of --solver.
inline std::vector<std::string> solver_labels() {
  std::vector<std::string> out;
  for (const auto& s : fhops::harvest::solver_registry) out.emplace_back(s.label);
  return out;
}

/// The options every run of a tune command starts from: --iters, and --time-limit when given
/// (then the iteration budget only when --iters is given too).
inline fhops::harvest::solve_options tune_base_options(const po::variables_map& vm, fhops::harvest::solver_kind solver) {
  std::optional<double> seconds;
  if (vm.count("time-limit")) seconds = vm["time-limit"].as<double>();
  const long long iters = vm["iters"].as<long long>();
  return fhops::harvest::tuning_base_options(solver, seconds && vm["iters"].defaulted() ? 0 : iters, seconds);
}

/// The --telemetry-log of a tune command, checked: not a directory, and neither it nor its SQLite
/// mirror is one of the inputs (the scenarios' files, the bundles, --space).
inline std::filesystem::path checked_tune_log(const po::variables_map& vm, const tune_inputs& in) {
  const std::filesystem::path log = vm["telemetry-log"].as<std::string>();
  if (std::filesystem::is_directory(log)) throw usage_error("--telemetry-log " + log.string() + " is a directory");
  fhops::io_paths io;
  for (const auto& sc : in.scenarios) scenario_inputs(io, sc);
  bundle_inputs(io, in.bundles);
  if (vm.count("space")) io.input("--space", vm["space"].as<std::string>());
  telemetry_outputs(io, log).check();
  return log;
}

}  // namespace fhops_cli
