/// \file
/// Writing an output file so that readers never see half of it and a failure leaves the old file
/// intact: write a temporary sibling, flush, then rename over the target.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

namespace fhops {

/// Thrown when an output file cannot be written; the message names the path and the reason.
class output_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Replaces `path` with `content` atomically (parent folders are created). On any failure the
/// previous file, if any, is untouched and output_error names the path.
inline void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw output_error(path.string() + ": cannot write: is a directory");
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw output_error(path.string() + ": cannot create folder " + path.parent_path().string() + ": " + ec.message());
  }
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw output_error(path.string() + ": cannot write (cannot create " + tmp.string() + ")");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      throw output_error(path.string() + ": cannot write: write failed (disk full?)");
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw output_error(path.string() + ": cannot write: " + ec.message());
  }
}

/// A file of a folder written by write_directory_atomic: path relative to the folder, content.
using folder_file = std::pair<std::string, std::string>;

/// Writes `files` as the folder `dir` so that `dir` never holds half of them: they go to a hidden
/// sibling folder first, which is then renamed to `dir`. An existing `dir` is replaced only when
/// `replace` is set and the folder is empty or holds `marker` (so a typo cannot wipe an unrelated
/// folder); the old folder is removed after the new one is in place. On failure nothing is left
/// behind and output_error names the path.
inline void write_directory_atomic(const std::filesystem::path& dir, const std::vector<folder_file>& files, bool replace,
                                   const std::string& marker) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = dir.has_filename() ? dir : dir.parent_path();
  const bool exists = fs::exists(target, ec);
  if (exists) {
    if (!fs::is_directory(target, ec)) throw output_error(target.string() + ": exists and is not a folder");
    const bool empty = fs::is_empty(target, ec);
    if (!replace) throw output_error(target.string() + ": already exists (pass --force to replace it)");
    if (!empty && !fs::exists(target / marker, ec))
      throw output_error(target.string() + ": is not empty and holds no " + marker + "; refusing to replace it");
  }
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) throw output_error(target.string() + ": cannot create folder " + parent.string() + ": " + ec.message());
  const std::string stem = "." + target.filename().string() + "." + std::to_string(::getpid());
  const fs::path tmp = parent / (stem + ".tmp");
  const fs::path old = parent / (stem + ".old");
  fs::remove_all(tmp, ec);
  const auto fail = [&](const std::string& why) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw output_error(target.string() + ": cannot write: " + why);
  };
  for (const auto& [rel, content] : files) {
    const fs::path p = tmp / rel;
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
