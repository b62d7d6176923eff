/// \file
/// JSONL sinks. `jsonl_appender` writes whole lines to a file opened with O_APPEND, one write()
/// per call, so concurrent writers (threads or processes) never interleave within a line. Each
/// append holds an exclusive flock(2) on the file and first checks that the path still names the
/// file it has open: the maintenance commands (prune, repair, rotation) rewrite a log under the
/// same lock and rename the new file into place, and an appender then follows the path. If the
/// file ends with a torn fragment (a writer killed mid-record), the next append starts with a
/// newline so the fragment stays on a line of its own and only that line is lost. The lock is
/// exclusive among appenders too: the torn-tail check reads the file's last byte, and another
/// appender's write in progress would look like a torn tail (and earn a needless blank line). `jsonl_run_log` writes run records and tuner summaries; `step_log` writes
/// `steps/<run_id>.jsonl`, one file per run.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sink.hpp"
#include "fhops/util/atomic_file.hpp"

namespace fhops::telemetry {

/// Appends whole lines to one file. Opening creates the parent folders and the file; errors
/// (a folder in place of the file, no permission, disk full) throw output_error naming the path.
class jsonl_appender {
public:
  jsonl_appender() = default;
  explicit jsonl_appender(std::filesystem::path path) : path_(std::move(path)) { open(); }
  jsonl_appender(const jsonl_appender&) = delete;
  jsonl_appender& operator=(const jsonl_appender&) = delete;
  jsonl_appender(jsonl_appender&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) {}
  jsonl_appender& operator=(jsonl_appender&& o) noexcept {
    if (this != &o) {
      close();
      path_ = std::move(o.path_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~jsonl_appender() { close(); }

  const std::filesystem::path& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }

  /// Appends `lines` (whole lines, each ending with '\n') with one write() call. A short write
  /// (disk full) throws output_error; what was written is then a torn tail that readers skip.
  void append(std::string_view lines) {
    if (lines.empty()) return;
    const file_lock lock(*this);
    std::string buf;
    if (needs_leading_newline()) {
      buf.reserve(lines.size() + 1);
      buf += '\n';
      buf += lines;
      lines = buf;
    }
    for (;;) {
      const ssize_t n = ::write(fd_, lines.data(), lines.size());
      if (n == static_cast<ssize_t>(lines.size())) return;
      if (n < 0 && errno == EINTR) continue;
      const int e = n < 0 ? errno : ENOSPC;
      throw output_error(path_.string() + ": cannot append telemetry record: " + std::strerror(e));
    }
  }

  /// fsync(2): the appended lines survive a power loss.
  void sync() {
    if (fd_ >= 0 && ::fsync(fd_) != 0)
      throw output_error(path_.string() + ": cannot sync: " + std::strerror(errno));
  }

  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

private:
  // Exclusive lock on the file the path names now (reopening when a rewrite replaced it). There is
  // no attempt limit: each retry means another rewrite finished meanwhile, and giving up would
  // append to a file that is no longer the log (the record lost from it).
  struct file_lock {
    explicit file_lock(jsonl_appender& a) : a_(a) {
      for (;;) {
        while (::flock(a_.fd_, LOCK_EX) != 0 && errno == EINTR) {
        }
        struct stat open_st {}, path_st {};
        if (::fstat(a_.fd_, &open_st) != 0 || ::stat(a_.path_.c_str(), &path_st) != 0 ||
            (open_st.st_ino == path_st.st_ino && open_st.st_dev == path_st.st_dev))
          return;  // same file (or the path is gone: keep appending to what is open)
        ::flock(a_.fd_, LOCK_UN);
        a_.close();
        a_.open();
      }
    }
    ~file_lock() { ::flock(a_.fd_, LOCK_UN); }
    jsonl_appender& a_;
  };

  void open() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path_, ec)) throw output_error(path_.string() + ": cannot write telemetry log: is a directory");
    if (path_.has_parent_path()) {
      fs::create_directories(path_.parent_path(), ec);
      if (ec)
        throw output_error(path_.string() + ": cannot create folder " + path_.parent_path().string() + ": " + ec.message());
    }
    // Read access lets an append see a torn tail; a write-only file is appended to without the check.
    // O_NONBLOCK: a FIFO in place of the log must not block the open (it is refused below).
    constexpr int flags = O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    fd_ = ::open(path_.c_str(), O_RDWR | flags, 0644);
    if (fd_ < 0 && errno == EACCES) fd_ = ::open(path_.c_str(), O_WRONLY | flags, 0644);
    if (fd_ < 0) throw output_error(path_.string() + ": cannot open telemetry log: " + std::strerror(errno));
    // A log is a regular file: its SQLite mirror and steps/ folder are written beside it, and a
    // device or FIFO would take records nobody can read back.
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      close();
      throw output_error(path_.string() + ": cannot write telemetry log: not a regular file (a device, FIFO or socket)");
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  }

  // True when the file is non-empty and does not end with '\n' (a torn tail).
  bool needs_leading_newline() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || st.st_size == 0) return false;
    char last = '\n';
    if (::pread(fd_, &last, 1, st.st_size - 1) != 1) return false;
    return last != '\n';
  }

  std::filesystem::path path_;
  int fd_ = -1;
};

/// Appends `lines` to the file at `path` (one open, one write, close).
inline void append_jsonl(const std::filesystem::path& path, std::string_view lines) {
  jsonl_appender a(path);
  a.append(lines);
}

/// The run log sink: each run record and tuner summary becomes one appended line; steps are ignored.
class jsonl_run_log {
public:
  explicit jsonl_run_log(std::filesystem::path path) : out_(std::move(path)) {}

  void run_started(const run_start&) {}
  void step(const step_record&) {}
  void run_finished(const run_record& r) { out_.append(jsonl_line(r)); }
  void tuner_summary(const tuner_summary_record& s) { out_.append(jsonl_line(to_json(s))); }
  void flush() {}
  /// Appends any record object as one line.
  void append(const json::object& record) { out_.append(jsonl_line(record)); }
  /// Appends finished lines (records serialised elsewhere, e.g. on another process) in one write.
  void append_lines(std::string_view lines) { out_.append(lines); }
  const std::filesystem::path& path() const { return out_.path(); }

private:
  jsonl_appender out_;
};
static_assert(telemetry_sink<jsonl_run_log>);

/// The step-log sink: `<dir>/<run_id>.jsonl` per run (folder created at construction, a file on a
/// run's first step, as the reference does). Lines are buffered per run and written when
/// `buffer_bytes` is reached, at the run's end and on flush().
class step_log {
public:
  explicit step_log(std::filesystem::path dir, std::size_t buffer_bytes = 1 << 16)
      : dir_(std::move(dir)), limit_(buffer_bytes) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw output_error(dir_.string() + ": cannot create step-log folder: " + ec.message());
  }

  void run_started(const run_start&) {}
  void step(const step_record& s) {
    if (!last_ || last_->first != s.run_id) last_ = &*files_.try_emplace(s.run_id).first;  // steps come in runs
    auto& f = last_->second;
    append_jsonl_line(f.pending, s);
    if (f.pending.size() >= limit_) write(s.run_id, f);
  }
  void run_finished(const run_record& r) {
    auto it = files_.find(r.run_id);
    if (it == files_.end()) return;
    write(r.run_id, it->second);
    if (last_ == &*it) last_ = nullptr;
    files_.erase(it);
  }
  void tuner_summary(const tuner_summary_record&) {}
  void flush() {
    for (auto& [id, f] : files_) write(id, f);
  }
  const std::filesystem::path& dir() const { return dir_; }

private:
  struct file {
    jsonl_appender out;
    std::string pending;
  };
  void write(const std::string& run_id, file& f) {
    if (f.pending.empty()) return;
    if (!f.out.is_open()) {
      if (!valid_run_id(run_id)) {
        f.pending.clear();  // reported once per buffer, never grown without bound
        throw output_error(dir_.string() + ": no step log written: " + invalid_run_id_message(run_id));
      }
      f.out = jsonl_appender(step_path_for(dir_, run_id));
    }
    f.out.append(f.pending);
    f.pending.clear();
  }

  std::filesystem::path dir_;
  std::size_t limit_;
  std::map<std::string, file, std::less<>> files_;
  std::pair<const std::string, file>* last_ = nullptr;  // the file of the previous step
};
static_assert(telemetry_sink<step_log>);

}  // namespace fhops::telemetry
