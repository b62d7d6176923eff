// The paths a command reads and writes, gathered for fhops::io_paths (fhops/util/file_identity.hpp)
// so that each command refuses, before any work, an output that would overwrite one of its inputs
// or another output (exit 2).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fhops/harvest/loader.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/file_identity.hpp"
#include "fhops/workflows/discovery.hpp"

namespace fhops_cli {

/// Adds a telemetry log and the SQLite mirror beside it as outputs (the log is appended to).
inline fhops::io_paths& telemetry_outputs(fhops::io_paths& io, const std::filesystem::path& log, const std::string& option = "--telemetry-log") {
  return io.output(option, log).output("the SQLite mirror of " + option, fhops::telemetry::sqlite_path_for(log));
}

/// Adds the files a loaded scenario was read from as inputs.
inline fhops::io_paths& scenario_inputs(fhops::io_paths& io, const fhops::harvest::scenario& sc) {
  return io.inputs("the scenario file", sc.files);
}

/// Adds the files of the scenario at `path` as inputs: every file it names when it loads, else
/// the path itself (its load error comes later, where the command reports it).
inline fhops::io_paths& scenario_inputs(fhops::io_paths& io, const std::filesystem::path& path) {
  try {
    return scenario_inputs(io, fhops::harvest::load_scenario(path));
  } catch (const std::exception&) {
    return io.input("the scenario file", path);
  }
}

/// Adds the manifests that --bundle specs name (`alias=FILE`, `FILE`, a folder's metadata.yaml, a
/// shipped bundle's name) as inputs; built-in aliases name scenario files only.
inline fhops::io_paths& bundle_inputs(fhops::io_paths& io, const std::vector<std::string>& specs,
                                      const std::optional<std::filesystem::path>& bundle_root = std::nullopt) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& typed : specs) {
    const std::string spec = fhops::harvest::shipped_bundle_spec(typed, bundle_root);
    const auto eq = spec.find('=');
    const fs::path target = eq == std::string::npos ? spec : spec.substr(eq + 1);
    if (fs::is_regular_file(target, ec)) io.input("the bundle manifest", target);
    else if (fs::is_regular_file(target / "metadata.yaml", ec)) io.input("the bundle manifest", target / "metadata.yaml");
  }
  return io;
}

}  // namespace fhops_cli
