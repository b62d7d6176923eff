/// \file
/// The run store of one telemetry log: the JSONL run log, its sibling SQLite mirror
/// (`<log>.sqlite`) and the step logs (`steps/<run_id>.jsonl`), written together through the
/// sinks of this folder — `jsonl_run_log` for the log, the SQLite store for the mirror and an
/// `async_sink<step_log>` for the steps, so a search never waits on disk. A run record goes to the
/// log first (one atomic append), then to the mirror in one transaction: when the mirror fails
/// the record is still in the log and the error says so; when the log fails the error says whether
/// the mirror has the record. A tuner summary goes to the mirror first (the reference's order).
/// The mirror is opened for each write and closed after it, so other writers (maintenance, other
/// solves) are never locked out between records.
#pragma once

#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/telemetry/async_sink.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/recorder.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sink.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/atomic_file.hpp"

namespace fhops::telemetry {

class run_store {
public:
  /// Opens the log for appending (so a log that cannot be written fails before any work) and,
  /// when `step_interval` > 0, starts the step writer. `busy_timeout_ms`: how long a write waits
  /// for other writers of the mirror.
  run_store(std::filesystem::path log, long long step_interval, int busy_timeout_ms)
      : log_(std::move(log)), sqlite_(sqlite_path_for(log_)), step_interval_(step_interval), busy_timeout_ms_(busy_timeout_ms),
        runs_(log_) {
    if (step_interval_ > 0) {
      steps_.emplace(steps_dir_for(log_));
      async_.emplace(*steps_);
    }
  }
  run_store(const run_store&) = delete;
  run_store& operator=(const run_store&) = delete;

  using recorder = step_recorder<async_sink<step_log>>;

  /// The step observer of one run (it records nothing when step logging is off); `interval`
  /// overrides the store's cadence for this run (0 = no step log).
  recorder step_observer(const std::string& run_id, acceptance_column acceptance, std::optional<long long> interval = {}) {
    const long long every = interval.value_or(step_interval_);
    return recorder(async_ && every > 0 ? &*async_ : nullptr, {run_id, every, acceptance});
  }

  /// Closes the runs' step files, then appends the run records to the log (their steps are on
  /// disk by then) and mirrors them in one transaction. Returns the mirror's (or else the step
  /// writer's) error, if any; throws output_error when the log append failed.
  std::optional<std::string> record(const std::vector<run_record>& records) {
    const std::optional<std::string> step_error = close_steps(records);
    std::string lines;
    std::vector<json::object> objects;
    for (const auto& r : records) {
      objects.push_back(to_json(r));
      lines += jsonl_line(objects.back());
    }
    const std::optional<std::string> mirror_error = write(lines, objects);
    if (step_error && !mirror_error) return "step log failed: " + *step_error;
    return mirror_error;
  }

  /// Closes the runs' step files and waits until their steps are on disk; returns the step
  /// writer's error, if any.
  std::optional<std::string> close_steps(const std::vector<run_record>& records) {
    if (!async_) return std::nullopt;
    for (const auto& r : records) async_->run_finished(r);
    return flush_steps();
  }

  /// Waits until every step queued so far is in its step file (a checkpoint notes the files'
  /// lengths); returns the step writer's error, if any.
  std::optional<std::string> flush_steps() {
    if (!async_) return std::nullopt;
    try {
      async_->flush();
    } catch (const std::exception& e) {
      return e.what();
    }
    return std::nullopt;
  }

  /// Appends finished JSONL lines (records made elsewhere, e.g. on another MPI rank), then mirrors
  /// `objects` (the lines' run records; other lines, such as work-unit markers, stay in the log
  /// only) in one transaction. Errors as record().
  std::optional<std::string> write(std::string_view lines, const std::vector<json::object>& objects) {
    std::optional<std::string> log_error;
    try {
      runs_.append_lines(lines);
    } catch (const std::exception& e) {
      log_error = e.what();
    }
    std::optional<std::string> mirror_error;
    try {
      sqlite_store store(sqlite_, store_options{busy_timeout_ms_});
      store.persist_runs(objects);
    } catch (const std::exception& e) {
      mirror_error = e.what();
    }
    if (log_error)  // the log failed: say where the record is, if anywhere
      throw output_error(*log_error + (mirror_error ? " (the SQLite mirror failed too: " + *mirror_error + ")"
                                                    : " (the run record is in the SQLite mirror " + sqlite_.string() + ")"));
    return mirror_error;
  }

  /// Records a tuner summary: the mirror first, then the log. Returns the mirror's error, if any;
  /// throws output_error when the log append failed.
  std::optional<std::string> record_summary(const tuner_summary_record& summary) {
    std::optional<std::string> mirror_error;
    try {
      sqlite_store store(sqlite_, store_options{busy_timeout_ms_});
      sqlite_sink(store).tuner_summary(summary);
    } catch (const std::exception& e) {
      mirror_error = e.what();
    }
    runs_.tuner_summary(summary);
    return mirror_error;
  }

  /// Appends a line to the log only (e.g. a multistart's summary line).
  void append(const json::object& line) { runs_.append(line); }

  // The sink contract: steps go to the step logs, a finished run is recorded as by record()
  // (the mirror's errors are kept in mirror_errors()), a tuner summary as by record_summary().
  void run_started(const run_start& r) {
    if (async_) async_->run_started(r);
  }
  void step(const step_record& r) {
    if (async_) async_->step(r);
  }
  void run_finished(const run_record& r) { keep(record({r})); }
  void tuner_summary(const tuner_summary_record& s) { keep(record_summary(s)); }
  void flush() {
    if (async_) async_->flush();
  }
  /// The mirror's errors met by run_finished and tuner_summary (each also left its record in the log).
  const std::vector<std::string>& mirror_errors() const { return mirror_errors_; }

  const std::filesystem::path& log() const { return log_; }
  const std::filesystem::path& sqlite() const { return sqlite_; }
  std::filesystem::path step_file(const std::string& run_id) const { return step_path_for(steps_dir_for(log_), run_id); }
  bool steps_on() const { return step_interval_ > 0; }

private:
  void keep(std::optional<std::string> error) {
    if (error) mirror_errors_.push_back(std::move(*error));
  }

  std::filesystem::path log_, sqlite_;
  long long step_interval_;
  int busy_timeout_ms_;
  jsonl_run_log runs_;
  std::optional<step_log> steps_;
  std::optional<async_sink<step_log>> async_;
  std::vector<std::string> mirror_errors_;
};
static_assert(telemetry_sink<run_store>);

}  // namespace fhops::telemetry
