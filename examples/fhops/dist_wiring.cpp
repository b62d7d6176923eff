// The driver's scale-out plumbing shared by the MPI and the local build (dist_wiring.hpp).
#include "dist_wiring.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fhops_cli {

// The session itself: dist/session_mpi.cpp or dist/session_local.cpp, as the build chose.
std::unique_ptr<fhops::dist::session> open_dist_session(std::size_t threads);

namespace {

bool hook_matches(const char* variable, std::size_t unit) {
  const char* s = std::getenv(variable);
  return s && *s && std::string(s) == std::to_string(unit);
}

void unit_test_hooks(std::size_t unit) {
  if (hook_matches("FHOPS_TEST_KILL_UNIT", unit)) std::raise(SIGKILL);
  if (hook_matches("FHOPS_TEST_FAIL_UNIT", unit))
    throw std::runtime_error("FHOPS_TEST_FAIL_UNIT: work unit " + std::to_string(unit) + " fails on purpose");
}

}  // namespace

std::unique_ptr<fhops::dist::session> open_session(std::size_t threads) {
  auto s = open_dist_session(threads);
  s->unit_hook = unit_test_hooks;
  s->console = [](std::string_view line) { std::cerr << std::string(line) + "\n"; };
  return s;
}

bool report_lost_units(const std::string& command, const std::vector<std::size_t>& lost) {
  if (lost.empty()) return false;
  std::string list;
  for (const auto u : lost) list += (list.empty() ? "" : ", ") + std::to_string(u);
  std::cerr << "fhops " << command << ": error: " << lost.size() << " work unit(s) lost: " << list
            << " (the other units' records are in the store; run the same command with --resume to run only the missing units)\n";
  return true;
}

bool report_mirror_errors(const std::string& command, const std::filesystem::path& sqlite, const std::vector<std::string>& errors) {
  if (errors.empty()) return false;
  std::cerr << "fhops " << command << ": error: the SQLite mirror " << sqlite.string()
            << " failed (the JSONL log has every record; rebuild the mirror with 'fhops telemetry import'): " << errors.front() << "\n";
  return true;
}

}  // namespace fhops_cli
