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

}  // namespace fhops
