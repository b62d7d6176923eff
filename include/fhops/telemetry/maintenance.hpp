/// \file
/// Keeping a telemetry store healthy: prune (keep the last N records, §4.2, and the SQLite mirror
/// with them), rotate (move records older than a cutoff to an archive folder — never delete them),
/// repair (drop torn records, keeping a backup), import (build or merge a store from JSONL logs,
/// deduplicated by run_id) and maintain (optimize, vacuum, quick_check). A log is rewritten under an
/// exclusive flock into a temporary file that is renamed over it, so appenders (which take the same
/// lock and follow the path) lose nothing and readers never see half a file.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/atomic_file.hpp"

namespace fhops::telemetry {

/// An exclusive flock(2) on a log for a rewrite (released on destruction).
class exclusive_log_lock {
public:
  explicit exclusive_log_lock(const std::filesystem::path& log) {
    fd_ = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw output_error(log.string() + ": cannot open for locking: " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int e = errno;
        ::close(fd_);
        throw output_error(log.string() + ": cannot lock: " + std::strerror(e));
      }
    }
  }
  exclusive_log_lock(const exclusive_log_lock&) = delete;
  exclusive_log_lock& operator=(const exclusive_log_lock&) = delete;
  ~exclusive_log_lock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

private:
  int fd_ = -1;
};

/// One physical line of a log with what a rewrite needs to know about it.
struct log_line {
  std::string text;                     ///< without the newline
  bool valid = false;                   ///< a JSON object
  std::string run_id, summary_id;       ///< when the record has them
  std::string timestamp;                ///< started_at, created_at or timestamp
};

/// Every physical line of a log (blank and invalid lines included, in order).
inline std::vector<log_line> read_log_lines(const std::filesystem::path& log) {
  std::vector<log_line> out;
  json_parser parser;
  for_each_line(log.string(), [&](const text_line& l) {
    log_line x;
    x.text = std::string(l.text);
    if (auto v = parser.parse(l.text, true); v && v->is_object()) {
      x.valid = true;
      const std::string* type = find_string(v->as_object(), "record_type");
      if (auto id = v->string_at("run_id"); id && (!type || *type == "run")) x.run_id = *id;
      if (auto id = v->string_at("summary_id")) x.summary_id = *id;
      for (const char* k : {"started_at", "created_at", "timestamp"})
        if (auto t = v->string_at(k)) {
          x.timestamp = *t;
          break;
        }
    }
    out.push_back(std::move(x));
  });
  return out;
}

namespace detail {

inline std::string join_lines(const std::vector<const log_line*>& lines) {
  std::string out;
  for (const auto* l : lines) {
    out += l->text;
    out += '\n';
  }
  return out;
}

// Removes (or moves into `archive_steps`) the step logs of these runs; returns how many.
inline std::size_t drop_step_logs(const std::filesystem::path& steps_dir, const std::vector<std::string>& run_ids,
                                  const std::optional<std::filesystem::path>& archive_steps) {
  namespace fs = std::filesystem;
  std::size_t n = 0;
  for (const auto& id : run_ids) {
    const fs::path p = step_path_for(steps_dir, id);
    std::error_code ec;
    if (!fs::exists(p, ec)) continue;
    if (archive_steps) {
      fs::create_directories(*archive_steps, ec);
      const fs::path target = step_path_for(*archive_steps, id);
      fs::rename(p, target, ec);
      if (ec) {  // another file system: copy, then remove
        fs::copy_file(p, target, fs::copy_options::overwrite_existing, ec);
        if (ec) throw output_error(target.string() + ": cannot archive step log: " + ec.message());
        fs::remove(p, ec);
      }
    } else if (!fs::remove(p, ec) || ec) {
      continue;
    }
    ++n;
  }
  return n;
}

}  // namespace detail

/// What a prune or rotation did (or would do, on a dry run).
struct prune_result {
  std::size_t lines = 0, kept = 0, removed = 0;
  std::size_t step_logs = 0;              ///< step files removed or archived
  std::size_t sqlite_runs = 0;            ///< runs removed from (or moved out of) the SQLite store
  std::size_t sqlite_summaries = 0;
  std::vector<std::string> removed_run_ids;
  bool had_sqlite = false;
};

/// Settings of prune / rotate.
struct prune_options {
  std::optional<std::size_t> keep;                       ///< keep the last N lines (every kind counts, §4.2)
  std::optional<std::chrono::seconds> older_than;        ///< rotate records older than this ...
  std::optional<std::filesystem::path> archive_dir;      ///< ... into this folder (required with older_than)
  std::filesystem::path steps_dir;                       ///< default: the log's sibling steps/
  std::optional<std::filesystem::path> sqlite;           ///< default: the log's sibling .sqlite, when it exists
  bool dry_run = false;
  int busy_timeout_ms = 60000;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

/// Prunes and/or rotates a log, its step files and its SQLite mirror consistently.
/// Lines beyond `keep` are deleted (the reference's prune); lines whose timestamp is older than
/// `older_than` are appended to `<archive_dir>/<log name>` (and their runs copied to the archive's
/// SQLite store, their step files moved to `<archive_dir>/steps/`) before they leave the log.
/// SQLite rows are removed only after their copy is committed, so a crash can duplicate, never lose.
inline prune_result prune_log(const std::filesystem::path& log, const prune_options& o) {
  namespace fs = std::filesystem;
  if (o.older_than && !o.archive_dir) throw std::invalid_argument("--older-than needs --archive-dir (records are moved, never deleted)");
  prune_result res;
  const exclusive_log_lock lock(log);
  const auto lines = read_log_lines(log);
  res.lines = lines.size();
  std::vector<const log_line*> keep, drop, archive;
  const std::size_t first_kept = o.keep && lines.size() > *o.keep ? lines.size() - *o.keep : 0;
  const std::string cutoff = o.older_than ? utc_iso_seconds(o.now - *o.older_than) : std::string();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const log_line& l = lines[i];
    const bool old = o.older_than && !l.timestamp.empty() && parse_utc_iso(l.timestamp) &&
                     *parse_utc_iso(l.timestamp) < o.now - *o.older_than;
    if (old) archive.push_back(&l);
    else if (i < first_kept) drop.push_back(&l);
    else keep.push_back(&l);
  }
  res.kept = keep.size();
  res.removed = drop.size() + archive.size();
  std::vector<std::string> drop_runs, drop_summaries, archive_runs;
  for (const auto* l : drop) {
    if (!l->run_id.empty()) drop_runs.push_back(l->run_id);
    if (!l->summary_id.empty()) drop_summaries.push_back(l->summary_id);
  }
  for (const auto* l : archive)
    if (!l->run_id.empty()) archive_runs.push_back(l->run_id);
  res.removed_run_ids = drop_runs;
  res.removed_run_ids.insert(res.removed_run_ids.end(), archive_runs.begin(), archive_runs.end());
  const fs::path sqlite = o.sqlite ? *o.sqlite : sqlite_path_for(log);
  res.had_sqlite = fs::exists(sqlite);
  if (o.dry_run || res.removed == 0) {
    res.step_logs = 0;
    for (const auto& id : res.removed_run_ids) res.step_logs += fs::exists(step_path_for(o.steps_dir, id)) ? 1 : 0;
    return res;
  }

  // 1. Archive copies first (JSONL synced, SQLite committed, step files moved).
  if (!archive.empty()) {
    const fs::path adir = *o.archive_dir;
    jsonl_appender out(adir / log.filename());
    out.append(detail::join_lines(archive));
    out.sync();
    if (res.had_sqlite) {
      sqlite_store a(adir / sqlite.filename(), store_options{o.busy_timeout_ms});
      a.begin();
      try {
        json_parser parser;
        for (const auto* l : archive)
          if (auto v = parser.parse(l->text); v && v->is_object()) a.persist_any(v->as_object(), l->text, log.string(), 0);
        a.commit();
      } catch (...) {
        a.rollback();
        throw;
      }
      // Runs the store holds beyond the log's lines (a log pruned earlier) move too.
      sqlite_store main(sqlite, store_options{o.busy_timeout_ms});
      main.guard([&] {
        auto& db = main.database();
        SQLite::Statement q(db, "SELECT record_json FROM run_records JOIN runs USING (run_id) WHERE runs.started_at < ?");
        q.bind(1, cutoff);
        std::vector<json::object> older;
        json_parser parser;
        while (q.executeStep())
          if (auto v = parser.parse(q.getColumn(0).getString()); v && v->is_object()) {
            if (auto id = v->string_at("run_id")) archive_runs.push_back(*id);
            older.push_back(std::move(v->as_object()));
          }
        a.persist_runs(older);
      });
    }
    res.step_logs += detail::drop_step_logs(o.steps_dir, archive_runs, adir / "steps");
  }

  // 2. The log itself (temporary file + rename, under the exclusive lock).
  write_file_atomic(log, detail::join_lines(keep));

  // 3. The SQLite mirror follows the log.
  if (res.had_sqlite) {
    sqlite_store main(sqlite, store_options{o.busy_timeout_ms});
    std::vector<std::string> runs = drop_runs;
    runs.insert(runs.end(), archive_runs.begin(), archive_runs.end());
    std::sort(runs.begin(), runs.end());
    runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
    res.sqlite_runs = main.delete_runs(runs);
    res.sqlite_summaries = main.delete_tuner_summaries(drop_summaries);
  }
  res.step_logs += detail::drop_step_logs(o.steps_dir, drop_runs, std::nullopt);
  return res;
}

/// What a repair did.
struct repair_result {
  std::size_t lines = 0;
  std::vector<std::size_t> removed_lines;   ///< 1-based numbers of the torn / invalid lines removed
  std::filesystem::path backup;              ///< the untouched original (empty when nothing changed)
};

/// Removes torn records (lines that are not JSON objects; blank lines stay) from a log, keeping
/// the original as `<log>.<UTC time>.bak`. Nothing is written when there is nothing to remove.
inline repair_result repair_log(const std::filesystem::path& log) {
  namespace fs = std::filesystem;
  repair_result res;
  const exclusive_log_lock lock(log);
  const auto lines = read_log_lines(log);
  res.lines = lines.size();
  std::vector<const log_line*> keep;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool blank = lines[i].text.find_first_not_of(" \t\r") == std::string::npos;
    if (lines[i].valid || blank) keep.push_back(&lines[i]);
    else res.removed_lines.push_back(i + 1);
  }
  if (res.removed_lines.empty()) return res;
  std::string stamp = utc_iso_seconds();
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  res.backup = log.string() + "." + stamp.substr(0, 17) + ".bak";
  std::error_code ec;
  fs::copy_file(log, res.backup, fs::copy_options::overwrite_existing, ec);
  if (ec) throw output_error(res.backup.string() + ": cannot write backup: " + ec.message());
  write_file_atomic(log, detail::join_lines(keep));
  return res;
}

/// What an import did.
struct import_result {
  std::size_t files = 0, lines = 0, runs = 0, summaries = 0, legacy = 0, legacy_duplicates = 0, steps_skipped = 0;
  std::vector<jsonl_warning> warnings;
  std::size_t bytes = 0;
};

/// Imports JSONL logs into a store: run records and tuner summaries INSERT OR REPLACE by id (a run
/// seen twice is stored once), records without a record_type kept verbatim in legacy_records, step
/// records and work-unit markers skipped and counted in steps_skipped (neither is mirrored). Torn or invalid lines are reported as warnings.
/// Batches of `batch` records share a transaction.
inline import_result import_logs(sqlite_store& store, const std::vector<std::filesystem::path>& logs, std::size_t batch = 2000) {
  import_result res;
  for (const auto& log : logs) {
    std::size_t pending = 0;
    store.begin();
    try {
      const auto st = read_jsonl(log.string(), [&](const text_line& l, json&& v) {
        const auto& o = v.as_object();
        const std::string* type = find_string(o, "record_type");
        const bool legacy = !(type && ((*type == "run" && find_string(o, "run_id")) ||
                                       (*type == "tuner_summary" && find_string(o, "summary_id")) || *type == "step" || *type == "work_unit"));
        std::string_view raw = l.text;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        const bool stored = store.persist_any(o, raw, log.string(), l.number);
        if (type && (*type == "step" || *type == "work_unit")) ++res.steps_skipped;
        else if (!legacy) ++(*type == "run" ? res.runs : res.summaries);
        else if (stored) ++res.legacy;
        else ++res.legacy_duplicates;
        if (++pending >= batch) {
          store.commit();
          store.begin();
          pending = 0;
        }
      });
      store.commit();
      ++res.files;
      res.lines += st.lines;
      res.bytes += st.bytes;
      res.warnings.insert(res.warnings.end(), st.warnings.begin(), st.warnings.end());
    } catch (...) {
      store.rollback();
      throw;
    }
  }
  return res;
}

/// Sizes of a store's files (database, WAL, shared memory), in bytes.
struct store_size {
  std::uintmax_t db = 0, wal = 0, shm = 0;
  std::uintmax_t total() const { return db + wal + shm; }
};

inline store_size measure_store(const std::filesystem::path& sqlite) {
  namespace fs = std::filesystem;
  std::error_code ec;
  store_size s;
  const auto size = [&](const fs::path& p) -> std::uintmax_t {
    const auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
  };
  s.db = size(sqlite);
  s.wal = size(sqlite.string() + "-wal");
  s.shm = size(sqlite.string() + "-shm");
  return s;
}

/// What maintenance did.
struct maintain_result {
  store_size before, after;
  std::string quick_check;   ///< "ok" when healthy
  bool ok() const { return quick_check == "ok"; }
};

/// Weekly maintenance of the runbook: PRAGMA optimize, VACUUM, a WAL checkpoint, quick_check.
inline maintain_result maintain_store(const std::filesystem::path& sqlite, int busy_timeout_ms = 60000) {
  maintain_result res;
  res.before = measure_store(sqlite);
  {
    sqlite_store store(sqlite, store_options{busy_timeout_ms, false, false});
    store.exec("PRAGMA optimize");
    store.exec("VACUUM");
    store.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    res.quick_check = store.quick_check();
  }  // closed: the sizes are what stays on disk
  res.after = measure_store(sqlite);
  return res;
}

/// A consistent, compacted copy of a store at `dest` (SQLite's VACUUM INTO, so writers may keep
/// going): written to a temporary sibling and renamed, so `dest` is either the old file or the
/// whole new one. Used for the weekly history snapshots.
inline void snapshot_store(const std::filesystem::path& sqlite, const std::filesystem::path& dest, int busy_timeout_ms = 60000) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(sqlite)) throw std::runtime_error("Telemetry SQLite store not found: " + sqlite.string());
  std::error_code ec;
  if (!dest.parent_path().empty()) fs::create_directories(dest.parent_path(), ec);
  const fs::path tmp = dest.string() + ".tmp";
  fs::remove(tmp, ec);
  try {
    sqlite_store store(sqlite, store_options{busy_timeout_ms, false, false});
    SQLite::Statement vacuum(store.database(), "VACUUM INTO ?");
    vacuum.bind(1, tmp.string());
    vacuum.exec();
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    throw output_error("cannot snapshot " + sqlite.string() + " to " + dest.string() + ": " + e.what());
  }
  fs::rename(tmp, dest, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw output_error("cannot snapshot " + sqlite.string() + " to " + dest.string() + ": rename failed");
  }
}

}  // namespace fhops::telemetry
