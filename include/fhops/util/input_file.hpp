/// \file
/// The one checked way input files are opened and read: regular files only (a FIFO, a device such
/// as `/dev/zero` or a socket is refused at once, never waited on), at most a size limit, and
/// errors (fhops::input_error) that name the file.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fhops/util/input_error.hpp"

namespace fhops {

/// The largest input file read whole by default: 1 GiB (scenario YAML and CSV files, assignments,
/// configs, reports; and the longest line of a JSONL log).
inline constexpr std::uintmax_t default_input_size_limit = std::uintmax_t{1} << 30;

/// A size in bytes as messages show it: `1 GiB`, `12.5 MiB`, `800 bytes`.
inline std::string byte_size_text(std::uintmax_t bytes) {
  constexpr const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  if (u == 0) return std::to_string(bytes) + " bytes";
  const long long tenths = static_cast<long long>(v * 10.0 + 0.5);
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + " " + units[u];
}

/// An input file opened read-only: the file descriptor is closed by the destructor.
class input_file {
public:
  /// Opens `path` without blocking (O_NONBLOCK, so a FIFO without a writer returns at once) and
  /// checks that it is a regular file; throws input_error naming the path otherwise.
  explicit input_file(const std::filesystem::path& path) : path_(path.string()) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) {
      const int e = errno;
      if (e == ENOENT || e == ENOTDIR) throw input_error(path_, "file not found or not readable");
      throw input_error(path_, std::string("cannot open: ") + std::strerror(e));
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int e = errno;
      close();
      throw input_error(path_, std::string("cannot read: ") + std::strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
      close();
      throw input_error(path_, "is a directory, expected a file");
    }
    if (!S_ISREG(st.st_mode)) {
      close();
      throw input_error(path_, "is not a regular file (a FIFO, device or socket); only regular files are read");
    }
    size_ = static_cast<std::uintmax_t>(st.st_size);
    // Regular files never block; reads go back to the ordinary blocking mode.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  }

  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;
  input_file(input_file&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}
  input_file& operator=(input_file&&) = delete;
  ~input_file() { close(); }

  /// The descriptor (valid until destruction).
  int fd() const noexcept { return fd_; }
  /// The size fstat reported at open (0 for files such as /proc's, whose size is only known by reading).
  std::uintmax_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }

  /// Reads up to `n` bytes into `buf`, retrying on EINTR; 0 at the end; throws input_error on failure.
  std::size_t read_some(char* buf, std::size_t n) {
    for (;;) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno == EINTR) continue;
      throw input_error(path_, std::string("cannot read: ") + std::strerror(errno));
    }
  }

  /// The whole file; throws input_error naming the size and the limit when it holds more than
  /// `limit` bytes (checked before reading, and again while reading a file that grows).
  std::string read_all(std::uintmax_t limit = default_input_size_limit) {
    if (size_ > limit) throw too_large(size_, limit);
    std::string text;
    text.resize(static_cast<std::size_t>(size_ > 0 ? size_ : 4096));
    std::size_t have = 0;
    for (;;) {
      if (have == text.size()) {
        if (have > limit) throw too_large(have, limit);
        text.resize(static_cast<std::size_t>(std::min<std::uintmax_t>(text.size() * 2, limit + 1)));
      }
      const std::size_t got = read_some(text.data() + have, text.size() - have);
      if (got == 0) break;
      have += got;
    }
    if (have > limit) throw too_large(have, limit);
    text.resize(have);
    return text;
  }

private:
  input_error too_large(std::uintmax_t bytes, std::uintmax_t limit) const {
    return input_error(path_, "file is " + std::string(bytes > size_ || size_ == 0 ? "over " : "") + byte_size_text(bytes) +
                                  ", over the " + byte_size_text(limit) + " limit for input files");
  }

  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::string path_;
  int fd_ = -1;
  std::uintmax_t size_ = 0;
};

/// Reads a whole text file (a regular file of at most `limit` bytes); throws input_error naming
/// the path when it is missing, not a regular file, unreadable or too large.
inline std::string read_text_file(const std::filesystem::path& path, std::uintmax_t limit = default_input_size_limit) {
  return input_file(path).read_all(limit);
}

}  // namespace fhops
