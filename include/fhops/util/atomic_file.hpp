/// \file
/// Writing an output file so that readers never see half of it and a failure leaves the old file
/// intact: write a temporary sibling, then rename it over the target. Only regular files are
/// replaced: a symbolic link keeps pointing at its (new) target, and a device or FIFO is written
/// through, never replaced.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fhops/util/hex.hpp"

namespace fhops {

/// Thrown when an output file cannot be written; the message names the path and the reason.
class output_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// The text of an errno value (thread-safe, unlike strerror).
inline std::string errno_text(int e) { return std::system_category().message(e); }

/// 16 random hex digits: the suffix of a temporary name no other process can guess.
inline std::string random_suffix() {
  std::random_device rd;
  const std::uint64_t x = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  std::string out;
  append_hex(out, x, 16);
  return out;
}

/// Writes all of `content` to `fd`; returns 0 or the errno of the failure.
inline int write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ::ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

/// The descriptor `path` names when it is one of this process's open files: /dev/stdout,
/// /dev/stderr, /dev/fd/N or /proc/self/fd/N (also through links); -1 otherwise.
inline int inherited_descriptor(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path cur = fs::absolute(path, ec).lexically_normal();
  const fs::path own = fs::path("/proc") / std::to_string(::getpid()) / "fd";
  for (int hops = 0; hops < 40; ++hops) {
    const fs::path folder = cur.parent_path();
    const std::string name = cur.filename().string();
    if ((folder == "/proc/self/fd" || folder == "/dev/fd" || folder == own) && !name.empty() && name.size() < 9 &&
        name.find_first_not_of("0123456789") == std::string::npos)
      return std::stoi(name);
    if (!fs::is_symlink(fs::symlink_status(cur, ec))) return -1;
    const fs::path target = fs::read_symlink(cur, ec);
    if (ec) return -1;
    cur = (target.is_absolute() ? target : folder / target).lexically_normal();
  }
  return -1;
}

/// Writes `content` to the open descriptor `fd` that `path` names, where its writes go now (after
/// the C streams are flushed, so the output keeps its order).
inline void write_to_descriptor(const std::filesystem::path& path, int fd, std::string_view content) {
  struct ::stat st {};
  if (::fstat(fd, &st) != 0) throw output_error(path.string() + ": cannot write: " + errno_text(errno));
  std::fflush(nullptr);
  if (const int e = write_all(fd, content)) throw output_error(path.string() + ": cannot write: " + errno_text(e));
}

/// Writes `content` into an existing character device or FIFO as it is (no temporary file, no
/// rename, never created or truncated). A FIFO nobody reads is an error, not a wait.
inline void write_through(const std::filesystem::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    throw output_error(path.string() + ": cannot write: " + (e == ENXIO ? "no process is reading the FIFO" : errno_text(e)));
  }
  struct ::stat st {};
  if (::fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    ::close(fd);
    throw output_error(path.string() + ": cannot write: it was replaced while being opened");
  }
  const int flags = ::fcntl(fd, F_GETFL);  // blocking writes from here: a reader is there
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int e = write_all(fd, content);
  if (::close(fd) != 0 && e == 0) e = errno;
  if (e) throw output_error(path.string() + ": cannot write: " + errno_text(e));
}

/// Writes `content` to a new temporary file beside `target` (created exclusively under a random
/// name, so nothing already there can redirect the write), then renames it over `target`. The
/// new file gets `previous`'s mode and owner when it replaces a file, else 0666 less the umask.
/// The temporary file is removed on every failure.
inline void replace_regular_file(const std::filesystem::path& target, std::string_view content, const struct ::stat* previous) {
  namespace fs = std::filesystem;
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::path tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = dir / (target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." + random_suffix());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100))
      throw output_error(target.string() + ": cannot write (cannot create " + tmp.string() + ": " + errno_text(errno) + ")");
  }
  if (previous) {
    if (previous->st_uid != ::geteuid() || previous->st_gid != ::getegid()) {
      [[maybe_unused]] const int chowned = ::fchown(fd, previous->st_uid, previous->st_gid);  // best effort: root only
    }
    [[maybe_unused]] const int chmodded = ::fchmod(fd, previous->st_mode & 07777);
  }
  int e = write_all(fd, content);
  if (::close(fd) != 0 && e == 0) e = errno;
  if (e == 0 && ::rename(tmp.c_str(), target.c_str()) != 0) e = errno;
  if (e) {
    ::unlink(tmp.c_str());
    throw output_error(target.string() + ": cannot write: " + errno_text(e) + " (the previous file, if any, is unchanged)");
  }
}

}  // namespace detail

/// Writes `content` to `path` so that readers never see half of it (parent folders are created):
/// - a regular file, or no file yet: written to a temporary sibling, then renamed over `path`; on
///   any failure the previous file is untouched and the temporary file removed. A replaced file
///   keeps its mode (and owner, when run as root); a new one gets 0666 less the umask.
/// - a symbolic link: the link stays and its target is replaced as above; a dangling link is
///   refused (its target is never created).
/// - a character device or FIFO (/dev/null, a terminal, a named pipe): written through as it is,
///   never replaced; a FIFO without a reader is an error, not a wait.
/// - /dev/stdout, /dev/stderr, /dev/fd/N: written to that open descriptor (a terminal, a pipe or
///   the file the shell redirected it to), never replaced.
/// - a folder, block device or socket: refused.
/// Errors are output_error naming the path and the reason.
inline void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const int fd = detail::inherited_descriptor(path); fd >= 0) return detail::write_to_descriptor(path, fd, content);
  struct ::stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) throw output_error(path.string() + ": cannot write: " + detail::errno_text(errno));
    if (path.has_parent_path()) {
      fs::create_directories(path.parent_path(), ec);
      if (ec) throw output_error(path.string() + ": cannot create folder " + path.parent_path().string() + ": " + ec.message());
    }
    return detail::replace_regular_file(path, content, nullptr);
  }
  fs::path target = path;
  if (S_ISLNK(st.st_mode)) {
    if (::stat(path.c_str(), &st) != 0) {
      const int e = errno;
      if (e != ENOENT) throw output_error(path.string() + ": cannot write: " + detail::errno_text(e));
      throw output_error(path.string() + ": cannot write: it is a dangling symbolic link (to " + fs::read_symlink(path, ec).string() +
                         "); refusing to create its target");
    }
    if (S_ISREG(st.st_mode)) {
      target = fs::canonical(path, ec);
      if (ec) throw output_error(path.string() + ": cannot write: cannot resolve the symbolic link: " + ec.message());
    }
  }
  if (S_ISDIR(st.st_mode)) throw output_error(path.string() + ": cannot write: is a directory");
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return detail::write_through(path, content);
  if (!S_ISREG(st.st_mode))
    throw output_error(path.string() + ": cannot write: not a regular file (a block device or socket); refusing to replace it");
  detail::replace_regular_file(target, content, &st);
}

/// A new private folder under the system's temporary folder (mode 0700, named `<prefix>` plus six
/// random characters by mkdtemp, so nothing planted at a guessable name can be written through),
/// removed with everything in it when the object goes.
class private_temp_folder {
public:
  /// Creates the folder; throws output_error when it cannot.
  explicit private_temp_folder(const std::string& prefix) {
    std::error_code ec;
    std::string name = (std::filesystem::temp_directory_path(ec) / (prefix + "XXXXXX")).string();
    if (ec || ::mkdtemp(name.data()) == nullptr)
      throw output_error(name + ": cannot create a temporary folder: " + (ec ? ec.message() : detail::errno_text(errno)));
    path_ = name;
  }
  private_temp_folder(const private_temp_folder&) = delete;
  private_temp_folder& operator=(const private_temp_folder&) = delete;
  ~private_temp_folder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  /// The folder.
  const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// A file of a folder written by write_directory_atomic: path relative to the folder, content.
using folder_file = std::pair<std::string, std::string>;

/// Checks that write_directory_atomic may write the folder `dir`: it does not exist yet, or
/// `replace` is set and it is an empty folder or one holding `marker` (so a typo cannot wipe an
/// unrelated folder); a symbolic link counts as the folder it names, a dangling one is refused.
/// Returns the folder to write (the link's target for a link); throws output_error otherwise.
inline std::filesystem::path replaceable_folder(const std::filesystem::path& dir, bool replace, const std::string& marker) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = dir.has_filename() ? dir : dir.parent_path();
  struct ::stat st {};
  if (::lstat(target.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    if (::stat(target.c_str(), &st) != 0)
      throw output_error(target.string() + ": cannot write: it is a dangling symbolic link (to " + fs::read_symlink(target, ec).string() +
                         "); refusing to create its target");
    target = fs::canonical(target, ec);
    if (ec) throw output_error(dir.string() + ": cannot write: cannot resolve the symbolic link: " + ec.message());
  }
  if (::stat(target.c_str(), &st) != 0) return target;
  if (!S_ISDIR(st.st_mode)) throw output_error(target.string() + ": exists and is not a folder");
  const bool empty = fs::is_empty(target, ec);
  if (!replace) throw output_error(target.string() + ": already exists (pass --force to replace it)");
  if (!empty && !fs::exists(target / marker, ec))
    throw output_error(target.string() + ": is not empty and holds no " + marker + "; refusing to replace it");
  return target;
}

/// Writes `files` as the folder `dir` so that `dir` never holds half of them: they go to a hidden
/// sibling folder first (created exclusively under a random name), which is then renamed to
/// `dir`. An existing `dir` is replaced only as replaceable_folder allows (a symbolic link stays and
/// the folder it names is replaced); the old folder is removed after the new one is in place and
/// the new one keeps its mode. A file's path must stay inside the folder.
/// On failure nothing is left behind and output_error names the path.
inline void write_directory_atomic(const std::filesystem::path& dir, const std::vector<folder_file>& files, bool replace,
                                   const std::string& marker) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = replaceable_folder(dir, replace, marker);
  struct ::stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) throw output_error(target.string() + ": cannot create folder " + parent.string() + ": " + ec.message());
  const std::string stem = "." + target.filename().string() + "." + std::to_string(::getpid()) + "." + detail::random_suffix();
  const fs::path tmp = parent / (stem + ".tmp");
  const fs::path old = parent / (stem + ".old");
  if (::mkdir(tmp.c_str(), 0777) != 0)
    throw output_error(target.string() + ": cannot write (cannot create " + tmp.string() + ": " + detail::errno_text(errno) + ")");
  const auto fail = [&](const std::string& why) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw output_error(target.string() + ": cannot write: " + why);
  };
  if (exists && ::chmod(tmp.c_str(), st.st_mode & 07777) != 0) fail("cannot set the mode of " + tmp.string() + ": " + detail::errno_text(errno));
  for (const auto& [rel, content] : files) {
    const fs::path r = fs::path(rel).lexically_normal();
    if (r.empty() || r.is_absolute() || *r.begin() == "..") fail("the file name " + rel + " leaves the folder");
    const fs::path p = tmp / r;
    fs::create_directories(p.parent_path(), ec);
    if (ec) fail("cannot create " + p.parent_path().string() + ": " + ec.message());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) fail("cannot write " + p.string() + " (disk full?)");
  }
  if (exists) {
    fs::rename(target, old, ec);
    if (ec) fail("cannot move the old folder aside: " + ec.message());
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    if (exists) fs::rename(old, target, ignored);
    fail(ec.message());
  }
  if (exists) fs::remove_all(old, ec);
}

}  // namespace fhops
