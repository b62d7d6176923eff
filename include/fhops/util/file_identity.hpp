/// \file
/// Which paths name the same file, and the check a command makes before it starts that none of its
/// outputs overwrites one of its inputs or another output. Files are compared by device and inode,
/// so hard links, symbolic links and spellings such as `./x` and `x` are all caught.
#pragma once

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/stat.h>

namespace fhops {

/// `p` made absolute with every symbolic link resolved, a dangling last link included (the result
/// is then the path it names); parts that do not exist are kept as written, `.` and `..` folded.
inline std::filesystem::path resolved_path(const std::filesystem::path& p) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path cur = fs::absolute(p, ec).lexically_normal();
  for (int hops = 0; hops < 40; ++hops) {  // 40: Linux's own limit on links followed in one lookup
    const fs::path canon = fs::weakly_canonical(cur, ec);
    if (ec) return cur;
    if (!fs::is_symlink(fs::symlink_status(canon, ec))) return canon;
    const fs::path target = fs::read_symlink(canon, ec);  // a dangling link: follow it by hand
    if (ec) return canon;
    cur = (target.is_absolute() ? target : canon.parent_path() / target).lexically_normal();
  }
  return cur;
}

/// True when `a` and `b` name the same file: the same device and inode when both exist, else the
/// same resolved path (two outputs not written yet).
inline bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct ::stat sa {}, sb {};
  const bool ea = ::stat(a.c_str(), &sa) == 0, eb = ::stat(b.c_str(), &sb) == 0;
  if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (ea != eb) return false;
  return resolved_path(a) == resolved_path(b);
}

/// True when `p` is the folder `folder` or lies inside it (resolved paths).
inline bool is_within(const std::filesystem::path& p, const std::filesystem::path& folder) {
  const std::filesystem::path rel = resolved_path(p).lexically_relative(resolved_path(folder));
  return !rel.empty() && *rel.begin() != "..";
}

/// True when `name` can be used as one file or folder name inside a folder: not empty, not `.` or
/// `..`, no `/`, `\` or control character, and not starting with `.` or `-` (names read from files
/// become paths only when they pass this test).
inline bool is_plain_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.' || name.front() == '-') return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

/// Thrown when a command's outputs clash with its inputs or with each other: the command line is
/// wrong (a usage error); the message names both paths.
class path_clash : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

/// The files and folders one command reads and writes, checked before it starts (check()): no
/// output is the same file as an input or as another output, and no input or other output lies
/// inside an output folder. Each path carries the words that name it in messages (`--out`,
/// `the scenario file`).
class io_paths {
public:
  /// A file or folder the command reads.
  io_paths& input(std::string role, std::filesystem::path p) {
    inputs_.push_back({std::move(role), std::move(p)});
    return *this;
  }
  /// Several files the command reads, all named by `role`.
  io_paths& inputs(const std::string& role, const std::vector<std::filesystem::path>& ps) {
    for (const auto& p : ps) input(role, p);
    return *this;
  }
  /// A file the command writes (replaces or appends to).
  io_paths& output(std::string role, std::filesystem::path p) {
    outputs_.push_back({std::move(role), std::move(p)});
    return *this;
  }
  /// A folder the command replaces whole or fills with files it names itself: no input may lie
  /// inside it, nor another output.
  io_paths& output_folder(std::string role, std::filesystem::path p) {
    folders_.push_back({std::move(role), std::move(p)});
    return *this;
  }

  /// Throws path_clash naming the first clash found (outputs in the order given). A character
  /// device or a pipe (/dev/null, /dev/stdout) is no file to overwrite: it clashes with nothing.
  void check() const {
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      const auto& o = outputs_[i];
      if (is_stream(o.path)) continue;
      for (const auto& in : inputs_)
        if (same_file(o.path, in.path))
          throw path_clash(o.role + " " + o.path.string() + " is the same file as " + in.role + " " + in.path.string() +
                           " (an output may not overwrite an input)");
      for (std::size_t j = i + 1; j < outputs_.size(); ++j)
        if (same_file(o.path, outputs_[j].path))
          throw path_clash(o.role + " " + o.path.string() + " and " + outputs_[j].role + " " + outputs_[j].path.string() +
                           " are the same file (two outputs may not share a file)");
    }
    for (std::size_t i = 0; i < folders_.size(); ++i) {
      const auto& f = folders_[i];
      for (const auto& in : inputs_)
        if (is_within(in.path, f.path))
          throw path_clash(f.role + " " + f.path.string() + " holds " + in.role + " " + in.path.string() +
                           " (an output folder may not hold an input)");
      for (const auto& o : outputs_)
        if (is_within(o.path, f.path))
          throw path_clash(f.role + " " + f.path.string() + " and " + o.role + " " + o.path.string() +
                           " overlap (two outputs may not share a path)");
      for (std::size_t j = i + 1; j < folders_.size(); ++j)
        if (is_within(folders_[j].path, f.path) || is_within(f.path, folders_[j].path))
          throw path_clash(f.role + " " + f.path.string() + " and " + folders_[j].role + " " + folders_[j].path.string() +
                           " overlap (two outputs may not share a path)");
    }
  }

private:
  static bool is_stream(const std::filesystem::path& p) {
    struct ::stat st {};
    return ::stat(p.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
  }

  struct named {
    std::string role;
    std::filesystem::path path;
  };
  std::vector<named> inputs_, outputs_, folders_;
};

}  // namespace fhops
