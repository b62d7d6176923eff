// Run telemetry of the solve commands (--telemetry-log): the run record goes to the JSONL log
// (one atomic append), then to the sibling SQLite mirror; step records go to steps/<run_id>.jsonl
// through the asynchronous sink, so the search never waits on disk. The JSONL is written first:
// when the mirror fails the record is still in the log and the error says so.
#pragma once

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
#include "fhops/telemetry/sqlite_store.hpp"

namespace fhops_cli {

namespace tel = fhops::telemetry;

class cli_telemetry {
public:
  /// Opens the log for appending (fails before any work when it cannot be written) and starts the
  /// step writer.
  cli_telemetry(std::filesystem::path log, long long step_interval, int busy_timeout_ms)
      : log_(std::move(log)), sqlite_(tel::sqlite_path_for(log_)), step_interval_(step_interval),
        busy_timeout_ms_(busy_timeout_ms), runs_(log_) {
    if (step_interval_ > 0) {
      steps_.emplace(tel::steps_dir_for(log_));
      async_.emplace(*steps_);
    }
  }

  using recorder = tel::step_recorder<tel::async_sink<tel::step_log>>;

  /// The step observer of one run (null-sink-like when step logging is off); `interval` overrides
  /// the cadence for this run (0 = no step log).
  recorder step_observer(const std::string& run_id, tel::acceptance_column acceptance, std::optional<long long> interval = {}) {
    const long long every = interval.value_or(step_interval_);
    return recorder(async_ && every > 0 ? &*async_ : nullptr, {run_id, every, acceptance});
  }

  /// Appends run records to the JSONL (after their steps are on disk), then mirrors them into
  /// SQLite in one transaction. Returns the mirror's error message, if it failed; throws
  /// output_error when the JSONL append failed (saying whether the mirror has the records).
  std::optional<std::string> record(const std::vector<tel::run_record>& records) {
    const std::optional<std::string> step_error = close_steps(records);
    std::string lines;
    std::vector<tel::json::object> objects;
    for (const auto& r : records) {
      objects.push_back(tel::to_json(r));
      lines += tel::jsonl_line(objects.back());
    }
    const std::optional<std::string> mirror_error = write(lines, objects);
    if (step_error && !mirror_error) return "step log failed: " + *step_error;
    return mirror_error;
  }

  /// Closes the runs' step files and waits until their steps are on disk; returns the step
  /// writer's error, if any.
  std::optional<std::string> close_steps(const std::vector<tel::run_record>& records) {
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
  /// their objects into SQLite in one transaction; errors as record().
  std::optional<std::string> write(std::string_view lines, const std::vector<tel::json::object>& objects) {
    std::optional<std::string> log_error;
    try {
      runs_.append(lines);
    } catch (const std::exception& e) {
      log_error = e.what();
    }
    std::optional<std::string> mirror_error;
    try {
      tel::sqlite_store store(sqlite_, tel::store_options{busy_timeout_ms_});
      store.persist_runs(objects);
    } catch (const std::exception& e) {
      mirror_error = e.what();
    }
    if (log_error)  // the log failed: say where the record is, if anywhere
      throw fhops::output_error(*log_error + (mirror_error ? " (the SQLite mirror failed too: " + *mirror_error + ")"
                                                           : " (the run record is in the SQLite mirror " + sqlite_.string() + ")"));
    return mirror_error;
  }

  /// Records a tuner summary (§1.8): SQLite first, then the JSONL. Returns the mirror's error
  /// message, if it failed; throws output_error when the JSONL append failed.
  std::optional<std::string> record_summary(const tel::tuner_summary_record& summary) {
    std::optional<std::string> mirror_error;
    try {
      tel::sqlite_store store(sqlite_, tel::store_options{busy_timeout_ms_});
      store.persist_tuner_summary(tel::to_json(summary));
    } catch (const std::exception& e) {
      mirror_error = e.what();
    }
    append(tel::to_json(summary));
    return mirror_error;
  }

  /// Appends a JSONL-only line (the multi-start summary).
  void append(const tel::json::object& line) { runs_.append(tel::jsonl_line(line)); }

  const std::filesystem::path& log() const { return log_; }
  const std::filesystem::path& sqlite() const { return sqlite_; }
  std::filesystem::path step_file(const std::string& run_id) const {
    return tel::step_path_for(tel::steps_dir_for(log_), run_id);
  }
  bool steps_on() const { return step_interval_ > 0; }

private:
  std::filesystem::path log_, sqlite_;
  long long step_interval_;
  int busy_timeout_ms_;
  tel::jsonl_appender runs_;
  std::optional<tel::step_log> steps_;
  std::optional<tel::async_sink<tel::step_log>> async_;
};

}  // namespace fhops_cli
