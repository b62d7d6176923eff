// Scale-out of the driver (docs/howto/scale_out.md): a command's work units run through a
// fhops::dist::session — on the MPI ranks when the process was started by mpirun/srun and the
// driver was built with MPI (FHOPS_WITH_MPI), else in this process. The units themselves are
// fhops/workflows/unit_runs.hpp; this file opens the session with the driver's hooks.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fhops/dist/session.hpp"

namespace fhops_cli {

/// The session of a command (`threads` units at a time when local), its progress lines on stderr
/// and the driver's test hooks before each unit: FHOPS_TEST_FAIL_UNIT=<id> makes unit <id> throw
/// (the unit is lost); FHOPS_TEST_KILL_UNIT=<id> kills the process running it (SIGKILL).
std::unique_ptr<fhops::dist::session> open_session(std::size_t threads);

/// Prints the lost units on stderr (with how to resume) and returns whether there were any.
bool report_lost_units(const std::string& command, const std::vector<std::size_t>& lost);

/// Prints the first error of the SQLite mirror `sqlite` on stderr (the JSONL log has every record;
/// how to rebuild the mirror) and returns whether there was any.
bool report_mirror_errors(const std::string& command, const std::filesystem::path& sqlite, const std::vector<std::string>& errors);

}  // namespace fhops_cli
