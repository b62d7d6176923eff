/// \file
/// Keeping a telemetry store healthy: prune (keep the last N records, §4.2, and the SQLite mirror
/// with them), rotate (move records older than a cutoff to an archive folder — never delete them),
/// repair (drop torn records, keeping a backup), import (build or merge a store from JSONL logs,
/// deduplicated by run_id) and maintain (optimize, vacuum, quick_check, orphan step logs).
///
/// The lock protocol: a log is rewritten only under an exclusive flock(2) on the file its path
/// names (exclusive_log_lock re-checks that after locking, as appenders do), into a temporary
/// sibling that is synced and renamed over it with the original's mode and owner, so appenders
/// lose nothing and readers never see half a file. A log without any write bit is not rewritten
/// unless forced.
///
/// The order of writes, so that a failure or a kill at any point loses no run from both the log
/// and the store (at worst a run is in both places, or still in the store after leaving the log):
/// prune and rotation check the store (quick_check) and open its write transaction before
/// anything changes; rotation then commits the archive copies (SQLite, synced JSONL, step files
/// moved); then the log is replaced; then the store's deletions are committed (should the commit
/// fail, the original log is put back); step logs of pruned runs are deleted last. Run ids are
/// data: a file operation is only ever made for a valid_run_id.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/input_error.hpp"

namespace fhops::telemetry {

/// An exclusive flock(2) on a log for a rewrite (released on destruction). The lock is on the file
/// the path names once it is held: a rewriter that waited while another renamed a new file over the
/// path would otherwise hold the lock of a file that is no longer the log (and appenders, following
/// the path, would write beside its rewrite and be lost), so it re-opens and locks again.
class exclusive_log_lock {
public:
  explicit exclusive_log_lock(const std::filesystem::path& log) {
    for (;;) {
      // O_NONBLOCK: a FIFO in place of the log must not block the open (it is refused below).
      fd_ = ::open(log.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      if (fd_ < 0) throw output_error(log.string() + ": cannot open for locking: " + std::strerror(errno));
      if (struct stat kind {}; ::fstat(fd_, &kind) != 0 || !S_ISREG(kind.st_mode)) {
        release();
        throw output_error(log.string() + ": not a regular file (a device, FIFO or socket); only regular logs are rewritten");
      }
      while (::flock(fd_, LOCK_EX) != 0) {
        if (errno != EINTR) {
          const int e = errno;
          ::close(fd_);
          throw output_error(log.string() + ": cannot lock: " + std::strerror(e));
        }
      }
      struct stat path_st {};
      if (::fstat(fd_, &st_) != 0) {
        const int e = errno;
        release();
        throw output_error(log.string() + ": cannot stat: " + std::strerror(e));
      }
      if (::stat(log.c_str(), &path_st) == 0 && path_st.st_dev == st_.st_dev && path_st.st_ino == st_.st_ino) return;
      release();  // replaced (or removed) while we waited: lock what the path names now
    }
  }
  exclusive_log_lock(const exclusive_log_lock&) = delete;
  exclusive_log_lock& operator=(const exclusive_log_lock&) = delete;
  ~exclusive_log_lock() { release(); }

  /// The locked file's status (mode, owner, size) as it was when the lock was taken.
  const struct stat& file() const { return st_; }

private:
  void release() noexcept {
    if (fd_ < 0) return;
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
  struct stat st_ {};
};

/// One physical line of a log with what a rewrite needs to know about it.
struct log_line {
  std::string text;                     ///< without the newline
  bool valid = false;                   ///< a JSON object
  bool terminated = true;               ///< ended with '\n' (only a last line may not)
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
    x.terminated = l.terminated;
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

/// The longest rotation age accepted (100 years): beyond it the cutoff would leave the clock's range.
inline constexpr std::chrono::seconds max_rotation_age{36500LL * 86400};

namespace detail {

inline std::string join_lines(const std::vector<const log_line*>& lines) {
  std::string out;
  for (const auto* l : lines) {
    out += l->text;
    out += '\n';
  }
  return out;
}

// The log's bytes as read (a last line without newline stays without).
inline std::string original_text(const std::vector<log_line>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += l.text;
    if (l.terminated) out += '\n';
  }
  return out;
}

// Refuses to rewrite a log the user cannot write, or one whose mode has no write bit (a deliberate
// "do not modify"; `force` overrides that for the file's owner or root).
inline void check_rewritable(const std::filesystem::path& log, const struct stat& st, bool force) {
  if ((st.st_mode & 0222) == 0) {
    if (!force)
      throw output_error(log.string() + fmt::format(": is read-only (mode {:04o}), so it is not rewritten; pass --force to rewrite it "
                                                    "anyway (its mode and owner are kept)", st.st_mode & 07777));
    if (::geteuid() != 0 && st.st_uid != ::geteuid())
      throw output_error(log.string() + ": is read-only and belongs to another user; not rewriting it");
  } else if (::access(log.c_str(), W_OK) != 0) {
    throw output_error(log.string() + ": cannot rewrite: " + std::strerror(errno));
  }
}

// Writes `content` to a new file `path` (O_EXCL) with the mode and owner of `like`, synced.
inline void write_new_file(const std::filesystem::path& path, std::string_view content, const struct stat& like) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw output_error(path.string() + ": cannot create: " + std::strerror(errno));
  const auto fail = [&](const char* what) {
    const int e = errno;
    ::close(fd);
    ::unlink(path.c_str());
    throw output_error(path.string() + ": cannot " + what + ": " + std::strerror(e));
  };
  // The original's owner where allowed (root; a user's own group); otherwise the file stays ours.
  if (::fchown(fd, like.st_uid, like.st_gid) != 0) errno = 0;
  if (::fchmod(fd, like.st_mode & 07777) != 0) fail("set its mode");
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("sync");
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(path.c_str());
    throw output_error(path.string() + ": cannot write: " + std::strerror(e));
  }
}

// Makes a rename in the folder of `path` durable (best effort).
inline void sync_folder_of(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Replaces the (locked) log with `content`: a synced temporary sibling with the original's mode and
// owner, renamed over it. On failure the log is untouched and nothing is left behind.
inline void replace_log(const std::filesystem::path& log, std::string_view content, const struct stat& original) {
  const std::filesystem::path tmp = log.string() + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // a file left by a killed process of the same id (a folder stays, and fails)
  write_new_file(tmp, content, original);
  if (::rename(tmp.c_str(), log.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw output_error(log.string() + ": cannot replace: " + std::strerror(e));
  }
  sync_folder_of(log);
}

// Writes the backup `<log>.<UTC time>.bak` (`-2`, `-3`, ... when taken): whole or not at all, never
// replacing an earlier backup. Returns its path.
inline std::filesystem::path write_backup(const std::filesystem::path& log, std::string_view content, const struct stat& original) {
  std::string stamp = utc_iso_seconds();
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  const std::string base = log.string() + "." + stamp.substr(0, 17);
  const std::filesystem::path tmp = base + ".bak.tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  try {
    write_new_file(tmp, content, original);
  } catch (const output_error& e) {
    throw output_error(base + ".bak: cannot write backup: " + e.what());
  }
  for (int k = 1;; ++k) {
    const std::filesystem::path bak = k == 1 ? base + ".bak" : base + "-" + std::to_string(k) + ".bak";
    if (::link(tmp.c_str(), bak.c_str()) == 0) {
      ::unlink(tmp.c_str());
      return bak;
    }
    if (errno != EEXIST) {
      const int e = errno;
      ::unlink(tmp.c_str());
      throw output_error(bak.string() + ": cannot write backup: " + std::strerror(e));
    }
  }
}

// The valid run ids of `ids`; the others are appended to `invalid` (once each).
inline std::vector<std::string> file_safe_ids(const std::vector<std::string>& ids, std::vector<std::string>& invalid) {
  std::vector<std::string> out;
  for (const auto& id : ids) {
    if (valid_run_id(id)) out.push_back(id);
    else if (std::find(invalid.begin(), invalid.end(), id) == invalid.end()) invalid.push_back(id);
  }
  return out;
}

// Removes (or moves into `archive_steps`) the step logs of these runs (valid run ids); returns how many.
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
  std::vector<std::string> invalid_run_ids;  ///< removed run ids that are no valid_run_id: no file touched for them
  bool had_sqlite = false;
};

/// Settings of prune / rotate.
struct prune_options {
  std::optional<std::size_t> keep;                       ///< keep the last N lines (every kind counts, §4.2)
  std::optional<std::chrono::seconds> older_than;        ///< rotate records older than this (0 to max_rotation_age) ...
  std::optional<std::filesystem::path> archive_dir;      ///< ... into this folder (required with older_than)
  std::filesystem::path steps_dir;                       ///< default: the log's sibling steps/
  std::optional<std::filesystem::path> sqlite;           ///< default: the log's sibling .sqlite, when it exists (a given one must exist)
  bool dry_run = false;
  bool force = false;                                    ///< rewrite a log whose mode has no write bit
  int busy_timeout_ms = 60000;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

/// Prunes and/or rotates a log, its step files and its SQLite mirror consistently, in the order of
/// the file comment. Lines beyond `keep` are deleted (the reference's prune); lines whose timestamp
/// is older than `older_than` are appended to `<archive_dir>/<log name>` (and their runs copied to
/// the archive's SQLite store, their step files moved to `<archive_dir>/steps/`) before they leave
/// the log. A store that is locked beyond the busy timeout, read-only or corrupt fails the command
/// (store_error) before the log changes.
inline prune_result prune_log(const std::filesystem::path& log, const prune_options& o) {
  namespace fs = std::filesystem;
  if (o.older_than && !o.archive_dir) throw std::invalid_argument("--older-than needs --archive-dir (records are moved, never deleted)");
  if (o.older_than && (*o.older_than < std::chrono::seconds(0) || *o.older_than > max_rotation_age))
    throw std::invalid_argument("--older-than must be between 0 and 36500 days (100 years)");
  std::error_code ec;
  if (o.archive_dir) {
    const fs::path archived = fs::weakly_canonical(*o.archive_dir / log.filename(), ec), here = fs::weakly_canonical(log, ec);
    if (!archived.empty() && archived == here)
      throw std::invalid_argument("--archive-dir must not be the log's own folder (" + o.archive_dir->string() + ")");
  }
  prune_result res;
  const exclusive_log_lock lock(log);
  const auto lines = read_log_lines(log);
  res.lines = lines.size();
  std::vector<const log_line*> keep, drop, archive;
  const std::size_t first_kept = o.keep && lines.size() > *o.keep ? lines.size() - *o.keep : 0;
  const auto cutoff_time = o.older_than ? o.now - *o.older_than : std::chrono::system_clock::time_point();
  const std::string cutoff = o.older_than ? utc_iso_seconds(cutoff_time) : std::string();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const log_line& l = lines[i];
    const auto when = o.older_than && !l.timestamp.empty() ? parse_utc_iso(l.timestamp) : std::nullopt;
    if (when && *when < cutoff_time) archive.push_back(&l);
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
  const std::vector<std::string> file_ids = detail::file_safe_ids(res.removed_run_ids, res.invalid_run_ids);
  const fs::path sqlite = o.sqlite ? *o.sqlite : sqlite_path_for(log);
  res.had_sqlite = fs::exists(sqlite, ec);
  if (o.sqlite && !res.had_sqlite) throw store_error(sqlite, "Telemetry SQLite store not found");
  if (o.dry_run || res.removed == 0) {
    for (const auto& id : file_ids) res.step_logs += fs::exists(step_path_for(o.steps_dir, id), ec) ? 1 : 0;
    return res;
  }
  detail::check_rewritable(log, lock.file(), o.force);

  // The store first: healthy, writable and its write transaction held before anything changes.
  std::optional<sqlite_store> main;
  if (res.had_sqlite) {
    main.emplace(sqlite, store_options{o.busy_timeout_ms, false, false, true});
    main->begin();
  }
  try {
    // 1. Archive copies (SQLite committed, JSONL synced, step files moved).
    if (!archive.empty()) {
      const fs::path adir = *o.archive_dir;
      if (main) {
        sqlite_store a(adir / sqlite.filename(), store_options{o.busy_timeout_ms, false, true, true});
        a.begin();
        try {
          json_parser parser;
          for (const auto* l : archive) {
            std::string_view raw = l->text;
            if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
            if (auto v = parser.parse(raw); v && v->is_object()) a.persist_any(v->as_object(), raw, log.string(), 0);
          }
          // Runs the store holds beyond the log's lines (a log pruned earlier) move too.
          main->guard([&] {
            SQLite::Statement q(main->database(),
                                "SELECT record_json FROM run_records JOIN runs USING (run_id) WHERE runs.started_at < ?");
            q.bind(1, cutoff);
            std::vector<json::object> older;
            while (q.executeStep())
              if (auto v = parser.parse(q.getColumn(0).getString()); v && v->is_object()) {
                if (auto id = v->string_at("run_id")) archive_runs.push_back(*id);
                older.push_back(std::move(v->as_object()));
              }
            a.persist_runs(older);
          });
          a.commit();
        } catch (...) {
          a.rollback();
          throw;
        }
      }
      jsonl_appender out(adir / log.filename());
      out.append(detail::join_lines(archive));
      out.sync();
      res.step_logs += detail::drop_step_logs(o.steps_dir, detail::file_safe_ids(archive_runs, res.invalid_run_ids), adir / "steps");
    }
    // 2. The store's deletions (not committed yet), then the log itself.
    if (main) {
      std::vector<std::string> runs = drop_runs;
      runs.insert(runs.end(), archive_runs.begin(), archive_runs.end());
      std::sort(runs.begin(), runs.end());
      runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
      res.sqlite_runs = main->delete_runs(runs);
      res.sqlite_summaries = main->delete_tuner_summaries(drop_summaries);
    }
    detail::replace_log(log, detail::join_lines(keep), lock.file());
  } catch (...) {
    if (main) main->rollback();
    throw;
  }
  // 3. The store follows the log; should its commit fail, the log is put back.
  if (main) {
    try {
      main->commit();
    } catch (const std::exception& e) {
      main->rollback();
      try {
        detail::replace_log(log, detail::original_text(lines), lock.file());
      } catch (const std::exception& restore) {
        throw store_error(sqlite, std::string(e.what()) + "; and the log could not be restored: " + restore.what());
      }
      throw;
    }
  }
  // 4. Step logs of the pruned runs last: a kill before leaves orphans (maintain finds them).
  res.step_logs += detail::drop_step_logs(o.steps_dir, detail::file_safe_ids(drop_runs, res.invalid_run_ids), std::nullopt);
  return res;
}

/// What a repair did.
struct repair_result {
  std::size_t lines = 0;
  std::vector<std::size_t> removed_lines;   ///< 1-based numbers of the torn / invalid lines removed
  std::filesystem::path backup;              ///< the untouched original (empty when nothing changed)
};

/// Settings of repair.
struct repair_options {
  bool force = false;   ///< rewrite a log whose mode has no write bit
};

/// Removes torn records (lines that are not JSON objects; blank lines stay) from a log, keeping
/// the original as `<log>.<UTC time>.bak` (`-2.bak`, ... beside an earlier one of the same
/// second). Nothing is written when there is nothing to remove; a failed rewrite leaves the log
/// as it was and no backup.
inline repair_result repair_log(const std::filesystem::path& log, const repair_options& o = {}) {
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
  detail::check_rewritable(log, lock.file(), o.force);
  res.backup = detail::write_backup(log, detail::original_text(lines), lock.file());
  try {
    detail::replace_log(log, detail::join_lines(keep), lock.file());
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(res.backup, ec);  // the log is unchanged: its backup is not needed
    throw;
  }
  return res;
}

/// What an import did.
struct import_result {
  std::size_t files = 0, lines = 0, runs = 0, summaries = 0, legacy = 0, legacy_duplicates = 0, steps_skipped = 0;
  std::vector<jsonl_warning> warnings;
  std::size_t bytes = 0;
};

/// Imports JSONL logs into a store: run records and tuner summaries INSERT OR REPLACE by id (a run
/// seen twice is stored once; the line itself is the verbatim record kept), records without a
/// record_type kept verbatim in legacy_records, step records and work-unit markers skipped and
/// counted in steps_skipped (neither is mirrored). Torn or invalid lines are reported as warnings.
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

/// Imports logs into the store at `store_path` as import_logs does, checking first that every log
/// is a readable regular file and that an existing store passes quick_check; a store this call
/// created is removed again when the import fails, so a failed import leaves no file behind.
inline import_result import_into(const std::filesystem::path& store_path, const std::vector<std::filesystem::path>& logs,
                                 int busy_timeout_ms = 60000) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& log : logs) {
    if (!fs::exists(log, ec)) throw input_error(log.string(), "Telemetry JSONL not found");
    if (!fs::is_regular_file(log, ec)) throw input_error(log.string(), "not a regular file (a telemetry log is a JSONL file)");
    if (::access(log.c_str(), R_OK) != 0) throw input_error(log.string(), std::string("cannot read: ") + std::strerror(errno));
  }
  const bool fresh = !fs::exists(fs::symlink_status(store_path, ec));
  try {
    sqlite_store store(store_path, store_options{busy_timeout_ms, false, true, !fresh});
    return import_logs(store, logs);
  } catch (...) {
    if (fresh)
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(store_path.string() + suffix, ec);
    throw;
  }
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

/// Weekly maintenance of the runbook: PRAGMA optimize, VACUUM, a WAL checkpoint, quick_check. A
/// store that fails quick_check beforehand is left alone (store_error): VACUUM would copy the damage.
inline maintain_result maintain_store(const std::filesystem::path& sqlite, int busy_timeout_ms = 60000) {
  maintain_result res;
  res.before = measure_store(sqlite);
  {
    sqlite_store store(sqlite, store_options{busy_timeout_ms, false, false, true});
    store.exec("PRAGMA optimize");
    store.exec("VACUUM");
    store.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    res.quick_check = store.quick_check();
  }  // closed: the sizes are what stays on disk
  res.after = measure_store(sqlite);
  return res;
}

/// The run ids of the run records in a store and, when given, in a log (its run lines).
inline std::set<std::string> recorded_run_ids(sqlite_store& store, const std::optional<std::filesystem::path>& log) {
  std::set<std::string> ids;
  store.guard([&] {
    SQLite::Statement q(store.database(), "SELECT run_id FROM runs");
    while (q.executeStep()) ids.insert(q.getColumn(0).getString());
  });
  if (log)
    for (const auto& l : read_log_lines(*log))
      if (!l.run_id.empty()) ids.insert(l.run_id);
  return ids;
}

/// The orphan step logs of a steps folder: regular files `<run_id>.jsonl` (a valid_run_id) whose
/// run id is not in `recorded` and which were not modified for `min_age` — a run in progress has a
/// step log but no record yet, so younger files never count. Sorted by path.
inline std::vector<std::filesystem::path> find_orphan_steps(const std::filesystem::path& steps_dir, const std::set<std::string>& recorded,
                                                            std::chrono::seconds min_age) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(steps_dir, ec)) return out;
  const auto cutoff = fs::file_time_type::clock::now() - min_age;
  for (const auto& e : fs::directory_iterator(steps_dir, ec)) {
    const fs::path& p = e.path();
    if (p.extension() != ".jsonl" || !e.is_regular_file(ec) || e.is_symlink(ec)) continue;
    const std::string id = p.stem().string();
    if (!valid_run_id(id) || recorded.count(id)) continue;
    const auto modified = fs::last_write_time(p, ec);
    if (!ec && modified <= cutoff) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
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
