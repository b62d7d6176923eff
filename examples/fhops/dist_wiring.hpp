// Scale-out of the driver (docs/howto/scale_out.md): a session runs work units on the MPI ranks
// when the process was started by mpirun/srun and the driver was built with MPI
// (FHOPS_WITH_MPI), else in this process. Rank 0 is the coordinator: it hands out the units,
// receives each finished unit's run record and is the single writer of the telemetry store.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "fhops/dist/executor.hpp"

namespace fhops_cli {

/// Whether an MPI launcher started this process (OpenMPI, MPICH/Hydra, PMIx or Slurm's PMI).
bool launched_by_mpi();

/// Where the units of one command run.
class dist_session {
public:
  /// MPI when launched_by_mpi() (an error when the driver was built without MPI), else this
  /// process with `threads` units at a time.
  explicit dist_session(std::size_t threads);
  dist_session(dist_session&&) noexcept;
  dist_session& operator=(dist_session&&) noexcept;
  ~dist_session();

  bool distributed() const;  ///< running under MPI
  bool coordinator() const;  ///< rank 0 (always true locally): prints, writes telemetry
  int ranks() const;         ///< MPI ranks (1 locally)
  /// fhops::dist executor run: every rank calls it with the same work.
  void run(const fhops::dist::next_fn& next, const fhops::dist::work_fn& work, const fhops::dist::result_fn& on_result);
  /// Waits until every rank got here (nothing locally): e.g. the coordinator moved the old
  /// store aside before the workers open the log.
  void barrier();
  /// Rank 0's `value` on every rank (a collective: every rank calls it; `value` itself locally):
  /// e.g. whether the coordinator has another step of work (tune-race).
  bool agree(bool value);

private:
  struct impl;
  std::unique_ptr<impl> p_;
};

/// Test hooks, checked by a unit's work before it runs: FHOPS_TEST_FAIL_UNIT=<id> makes unit <id>
/// throw (the unit is lost); FHOPS_TEST_KILL_UNIT=<id> kills the process running it (SIGKILL).
void unit_test_hooks(std::size_t unit);

/// Prints the lost units on stderr (with how to resume) and returns whether there were any.
bool report_lost_units(const std::string& command, const std::vector<std::size_t>& lost);

/// With --resume (on the coordinator): names the units missing from the store, which this run
/// runs now — after a rank was killed (the job aborted), the units that run lost.
void report_missing_units(const std::string& command, const std::vector<std::size_t>& missing);

}  // namespace fhops_cli
