// The driver's scale-out plumbing shared by the MPI and the local build (dist_wiring.hpp).
#include "dist_wiring.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace fhops_cli {

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (const char* s = std::getenv(v); s && *s) return true;
  return false;
}

namespace {

bool hook_matches(const char* variable, std::size_t unit) {
  const char* s = std::getenv(variable);
  return s && *s && std::string(s) == std::to_string(unit);
}

}  // namespace

void unit_test_hooks(std::size_t unit) {
  if (hook_matches("FHOPS_TEST_KILL_UNIT", unit)) std::raise(SIGKILL);
  if (hook_matches("FHOPS_TEST_FAIL_UNIT", unit))
    throw std::runtime_error("FHOPS_TEST_FAIL_UNIT: work unit " + std::to_string(unit) + " fails on purpose");
}

bool report_lost_units(const std::string& command, const std::vector<std::size_t>& lost) {
  if (lost.empty()) return false;
  std::string list;
  for (const auto u : lost) list += (list.empty() ? "" : ", ") + std::to_string(u);
  std::cerr << "fhops " << command << ": error: " << lost.size() << " work unit(s) lost: " << list
            << " (the other units' records are in the store; run the same command with --resume to run only the missing units)\n";
  return true;
}

void report_missing_units(const std::string& command, const std::vector<std::size_t>& missing) {
  if (missing.empty()) {
    std::cerr << "fhops " << command << " --resume: every work unit is in the store; nothing to run\n";
    return;
  }
  constexpr std::size_t shown = 20;
  std::string list;
  for (std::size_t i = 0; i < std::min(shown, missing.size()); ++i) list += (i ? ", " : "") + std::to_string(missing[i]);
  if (missing.size() > shown) list += fmt::format(", ... ({} more)", missing.size() - shown);
  std::cerr << "fhops " << command << " --resume: running the " << missing.size() << " work unit(s) missing from the store: " << list << "\n";
}

}  // namespace fhops_cli
