// Checkpoints of the solve commands (--checkpoint / --resume FILE): SIGTERM and SIGINT ask a
// checkpointed run to write its checkpoint and stop; which --resume a solve-heur command line
// means. The run's state is saved and restored by the library (fhops/harvest/checkpoint.hpp;
// a recorded run's checkpoint and resume: fhops/workflows/solve_run.hpp).
#pragma once

#include <atomic>
#include <csignal>
#include <cstring>

#include "fhops/harvest/solver.hpp"

namespace fhops_cli {

// Set by the SIGTERM/SIGINT handler of a checkpointed solve: the search writes a checkpoint and
// stops (a signal handler can only reach a flag at namespace scope).
inline std::atomic<bool> stop_requested{false};
inline volatile std::sig_atomic_t stop_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" inline void on_stop_signal(int signal) {
  stop_signal = signal;
  stop_requested.store(true, std::memory_order_relaxed);
}

// SIGTERM and SIGINT ask a checkpointed solve to checkpoint and stop, while this object lives.
class stop_signals {
public:
  stop_signals() {
    stop_requested.store(false);
    stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &term_);
    sigaction(SIGINT, &sa, &int_);
  }
  ~stop_signals() {
    sigaction(SIGTERM, &term_, nullptr);
    sigaction(SIGINT, &int_, nullptr);
  }
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;
  /// The exit code of a run stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM).
  static int exit_code() { return 128 + (stop_signal ? static_cast<int>(stop_signal) : SIGTERM); }

private:
  struct sigaction term_ {}, int_ {};
};

// Whether solve-heur's --resume is the multistart switch (work units, with --parallel-multistart
// on the command line) rather than --resume FILE (a checkpoint).
inline bool resume_is_units_switch(fhops::harvest::solver_kind kind, int argc, char** argv) {
  if (kind != fhops::harvest::solver_kind::sa) return false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--parallel-multistart", 21) == 0) return true;
  return false;
}

}  // namespace fhops_cli
