/// \file
/// Starting a telemetry store afresh without deleting the old one: the run log, its SQLite mirror
/// (with any `-wal`, `-shm` or `-journal` file) and the `steps/` folder are moved into
/// `<log dir>/<log stem>.<YYYYmmddTHHMMSSZ>/` (UTC; `-2`, `-3`, … when that folder exists), keeping
/// their names, so the old store stays readable there. (The reference deletes them.)
#pragma once

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"

namespace fhops::telemetry {

/// `YYYYmmddTHHMMSSZ` of a UTC time.
inline std::string utc_compact_stamp(std::chrono::system_clock::time_point t = std::chrono::system_clock::now()) {
  const std::tm tm = utc_fields(t);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/// Moves the store of run log `log` aside (see the file comment). Returns the folder it was moved
/// to, or nullopt when there was nothing to move. Throws output_error naming the file that could
/// not be moved (files already moved stay in the folder).
inline std::optional<std::filesystem::path> set_aside_store(const std::filesystem::path& log,
                                                            std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
  namespace fs = std::filesystem;
  const fs::path sqlite = sqlite_path_for(log);
  std::vector<fs::path> items{log, sqlite};
  for (const char* suffix : {"-wal", "-shm", "-journal"}) items.emplace_back(sqlite.string() + suffix);
  items.push_back(steps_dir_for(log));
  std::error_code ec;
  std::vector<fs::path> present;
  for (const auto& p : items)
    if (fs::exists(fs::symlink_status(p, ec))) present.push_back(p);
  if (present.empty()) return std::nullopt;
  const fs::path dir = log.parent_path();
  const std::string base = log.stem().string() + "." + utc_compact_stamp(now);
  fs::path dest = dir / base;
  for (int k = 2; fs::exists(dest, ec); ++k) dest = dir / (base + "-" + std::to_string(k));
  fs::create_directories(dest, ec);
  if (ec) throw output_error(dest.string() + ": cannot create the folder for the previous telemetry store: " + ec.message());
  for (const auto& p : present) {
    fs::rename(p, dest / p.filename(), ec);
    if (ec) throw output_error(p.string() + ": cannot move the previous telemetry store aside to " + dest.string() + ": " + ec.message());
  }
  return dest;
}

}  // namespace fhops::telemetry
