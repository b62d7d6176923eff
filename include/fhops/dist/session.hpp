/// \file
/// A session: where the work units of one command run. A command hands its units to a `session&`
/// and never knows whether they run on this process's threads (`local_session`) or on the ranks
/// of an MPI job (`mpi_session`, dist/mpi.hpp, opened by `open_session` there when an MPI
/// launcher started the process). Rank 0 — the only rank of a local session — is the coordinator:
/// it hands out the units, receives each finished unit's result and is the single writer of
/// whatever the results go to. A session also carries two optional hooks of its owner: a unit
/// hook called before each unit runs (e.g. test hooks that fail or kill a unit on purpose) and a
/// console that takes progress lines.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fhops/dist/executor.hpp"

namespace fhops::dist {

/// Whether an MPI launcher started this process (OpenMPI, MPICH/Hydra, PMIx or Slurm's PMI).
inline bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (const char* s = std::getenv(v); s && *s) return true;
  return false;
}

/// Where the units of one command run (see the file comment).
class session {
public:
  session() = default;
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  virtual ~session() = default;

  virtual bool distributed() const = 0;  ///< running on the ranks of an MPI job
  virtual bool coordinator() const = 0;  ///< rank 0 (always true locally): hands out, writes results
  virtual int ranks() const = 0;         ///< MPI ranks (1 locally)
  /// An executor's run (executor.hpp): every rank calls it with the same work.
  virtual void run(const next_fn& next, const work_fn& work, const result_fn& on_result) = 0;
  /// Waits until every rank got here (nothing locally): e.g. the coordinator moved an old store
  /// aside before the workers open it.
  virtual void barrier() = 0;
  /// Rank 0's `value` on every rank (a collective: every rank calls it; `value` itself locally).
  virtual bool agree(bool value) = 0;

  /// Called by a unit's work before the unit runs (on the thread or rank running it); an exception
  /// from it loses the unit. Empty: nothing.
  std::function<void(std::size_t unit)> unit_hook;
  /// Takes one progress line (no newline), possibly from several threads at once. Empty: lines
  /// are dropped.
  std::function<void(std::string_view line)> console;

  void before_unit(std::size_t unit) const {
    if (unit_hook) unit_hook(unit);
  }
  void say(std::string_view line) const {
    if (console) console(line);
  }
};

/// A session on this process: `threads` units at a time (local_executor).
class local_session final : public session {
public:
  explicit local_session(std::size_t threads) : local_(threads) {}
  bool distributed() const override { return false; }
  bool coordinator() const override { return true; }
  int ranks() const override { return 1; }
  void run(const next_fn& next, const work_fn& work, const result_fn& on_result) override { local_.run(next, work, on_result); }
  void barrier() override {}
  bool agree(bool value) override { return value; }

private:
  local_executor local_;
};

/// The line a resumed run prints before it starts: "<command> --resume: running the N work
/// unit(s) missing from the store: 3, 7, ..." (the first 20 ids), or that nothing is missing.
inline std::string missing_units_message(std::string_view command, const std::vector<std::size_t>& missing) {
  if (missing.empty()) return std::string(command) + " --resume: every work unit is in the store; nothing to run";
  constexpr std::size_t shown = 20;
  std::string list;
  for (std::size_t i = 0; i < std::min(shown, missing.size()); ++i) list += (i ? ", " : "") + std::to_string(missing[i]);
  if (missing.size() > shown) list += ", ... (" + std::to_string(missing.size() - shown) + " more)";
  return std::string(command) + " --resume: running the " + std::to_string(missing.size()) + " work unit(s) missing from the store: " + list;
}

}  // namespace fhops::dist
