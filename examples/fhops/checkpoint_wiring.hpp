// Checkpoints of the solve commands (--checkpoint / --resume FILE): SIGTERM and SIGINT ask a
// checkpointed run to write its checkpoint and stop; the driver's own fields in a checkpoint (run
// id, step interval, step log length); opening --resume FILE against this run's options; and
// cutting the step log back to its length at the checkpoint. The run's state itself is saved and
// restored by the library (fhops/harvest/checkpoint.hpp).
#pragma once

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/checkpoint.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/input_file.hpp"
#include "fhops/telemetry/run_store.hpp"

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

// The driver's fields in a checkpoint, after the solve's header: the run id (empty without
// --telemetry-log), the step interval and the step log's length at the checkpoint (-1: none).
struct checkpoint_driver_fields {
  std::string run_id;
  long long step_interval = 0;
  long long steps_bytes = -1;
};

// Opens --resume FILE for this run; a refusal (another scenario, solver or option, other
// telemetry settings, a truncated, corrupted or other-version file) is one line naming the file,
// exit 1, and the file is left as it was (it is only read).
inline std::pair<fhops::harvest::checkpoint_resume, checkpoint_driver_fields> open_resume(const std::string& file, const fhops::harvest::solve_options& o,
                                                                                     const std::string& scenario_id, bool telemetry,
                                                                                     long long step_interval) {
  try {
    auto r = fhops::harvest::open_checkpoint(fhops::read_text_file(file), o, scenario_id);
    checkpoint_driver_fields d;
    r.reader.get("driver.run_id", d.run_id);
    r.reader.get("driver.step_interval", d.step_interval);
    r.reader.get("driver.steps_bytes", d.steps_bytes);
    if (d.run_id.empty() == telemetry || (telemetry && d.step_interval != step_interval))
      throw fhops::search::checkpoint_error(d.run_id.empty() ? "checkpoint was written without --telemetry-log; resume without it"
                                                             : fmt::format("checkpoint was written with --telemetry-log and step interval {}; resume with them",
                                                                           d.step_interval));
    return {std::move(r), std::move(d)};
  } catch (const fhops::search::checkpoint_error& e) {
    throw std::runtime_error("cannot resume from " + file + ": " + e.what());
  }
}

// A resumed run's record keeps the checkpointed run's id, and its step log is cut back to its
// length at the checkpoint: the run appends from there, as if it had never stopped.
inline void continue_step_log(fhops::telemetry::run_store* telemetry, std::vector<fhops::telemetry::run_record>& records, const checkpoint_driver_fields& d) {
  if (!telemetry) return;
  records[0].run_id = d.run_id;
  if (!telemetry->steps_on() || d.steps_bytes < 0) return;
  const auto file = telemetry->step_file(d.run_id);
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (d.steps_bytes == 0 && ec) return;
  if (ec || size < static_cast<std::uintmax_t>(d.steps_bytes))
    throw std::runtime_error("cannot resume: the step log " + file.string() + " is shorter than at the checkpoint (" +
                             std::to_string(d.steps_bytes) + " bytes)");
  std::filesystem::resize_file(file, static_cast<std::uintmax_t>(d.steps_bytes));
}

// Whether solve-heur's --resume is the multistart switch (work units, with --parallel-multistart
// on the command line) rather than --resume FILE (a checkpoint).
inline bool resume_is_units_switch(fhops::harvest::solver_kind kind, int argc, char** argv) {
  if (kind != fhops::harvest::solver_kind::sa) return false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--parallel-multistart", 21) == 0) return true;
  return false;
}

}  // namespace fhops_cli
