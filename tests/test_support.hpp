// Shared helpers for the test suite: where the reference material and the project's files are.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace fhops_test {

/// The project root.
inline std::filesystem::path source_dir() { return FHOPS_SOURCE_DIR; }

/// ../shared/reference (read in place, never copied).
inline std::filesystem::path reference_dir() { return std::filesystem::path(FHOPS_SHARED_DIR) / "reference"; }

/// A reference scenario bundle's scenario.yaml (or another file under reference/).
inline std::filesystem::path reference(const std::string& rel) { return reference_dir() / rel; }

/// True when ../shared/reference is present; otherwise the calling test is skipped with a message.
inline bool have_reference() {
  if (std::filesystem::exists(reference_dir())) return true;
  WARN("skipped: reference material not found at " << reference_dir().string());
  return false;
}

/// A fresh scratch folder under the build tree.
inline std::filesystem::path scratch(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() / ("fhops_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

inline void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Writes a minimal bundle into `dir`: scenario.yaml naming b.csv, m.csv, l.csv, c.csv and r.csv
/// (blocks, machines, landings, calendar, rates) with the given texts. Returns the yaml's path.
inline std::filesystem::path write_bundle(const std::filesystem::path& dir, const std::string& name, int days,
                                          const std::string& blocks, const std::string& machines,
                                          const std::string& landings, const std::string& calendar,
                                          const std::string& rates) {
  write(dir / "scenario.yaml", "name: " + name + "\nnum_days: " + std::to_string(days) +
                                   "\ndata:\n  blocks: b.csv\n  machines: m.csv\n  landings: l.csv\n"
                                   "  calendar: c.csv\n  prod_rates: r.csv\n");
  write(dir / "b.csv", blocks);
  write(dir / "m.csv", machines);
  write(dir / "l.csv", landings);
  write(dir / "c.csv", calendar);
  write(dir / "r.csv", rates);
  return dir / "scenario.yaml";
}

/// Two bundles under `dir` alike but for landing capacity: `hard/` (landing_slack 0, the default)
/// and `soft/` (slack priced, weight 1); two machines, two blocks on one landing of capacity 1.
/// Returns their yaml paths, hard first.
inline std::pair<std::string, std::string> hard_and_soft_bundles(const std::filesystem::path& dir) {
  const auto bundle = [&](const std::string& name) {
    return write_bundle(dir / name, name, 3, "id,landing_id,work_required\nB1,L1,12\nB2,L1,12\n", "id\nM1\nM2\n", "id,daily_capacity\nL1,1\n",
                        "machine_id,day,available\n", "machine_id,block_id,rate\nM1,B1,5\nM1,B2,5\nM2,B1,5\nM2,B2,5\n");
  };
  const auto hard = bundle("hard");
  const auto soft = bundle("soft");
  std::ofstream(soft, std::ios::app) << "objective_weights: {production: 1, mobilisation: 0, landing_slack: 1}\n";
  return {hard.string(), soft.string()};
}

/// The permission bits of `p` (stat; the check fails when `p` cannot be stat'ed).
inline unsigned file_mode(const std::filesystem::path& p) {
  struct ::stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

/// Makes a FIFO at `p`. Nothing writes to it: a reader that opens it without O_NONBLOCK waits forever.
inline void make_fifo(const std::filesystem::path& p) {
  std::filesystem::create_directories(p.parent_path());
  REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
}

/// Calls `f()` (which may read the FIFO `fifo`) and returns its result. When it is still running
/// after `seconds`, the test fails instead of hanging: opening and closing the FIFO for writing
/// releases a reader blocked in open() or read().
template <class F>
auto without_hang(const std::filesystem::path& fifo, F f, int seconds = 60) {
  auto done = std::async(std::launch::async, std::move(f));
  if (done.wait_for(std::chrono::seconds(seconds)) == std::future_status::timeout) {
    while (done.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout) {
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) ::close(fd);
    }
    FAIL_CHECK("blocked reading the FIFO " << fifo.string());
  }
  return done.get();
}

/// The output and exit code of a shell command.
struct command_result {
  int exit_code = -1;
  std::string out;
};

/// Runs a command with /bin/sh, capturing stdout (stderr too when `merge_stderr`).
inline command_result run(const std::string& cmd, bool merge_stderr = true) {
  command_result r;
  FILE* p = ::popen((cmd + (merge_stderr ? " 2>&1" : "")).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// The built fhops driver.
inline std::string driver() { return FHOPS_DRIVER; }

/// The project's demo scenario folder.
inline std::string demo() { return (source_dir() / "examples/scenarios/demo").string(); }

/// A bench suite summary (summary.json/csv) without its wall-clock lines (runtime,
/// evaluations_per_second): what two runs of the same suite must share.
inline std::string summary_without_times(const std::filesystem::path& f) {
  std::string kept;
  std::istringstream in(slurp(f));
  for (std::string line; std::getline(in, line);)
    if (line.find("runtime") == std::string::npos && line.find("evaluations_per_second") == std::string::npos) kept += line + "\n";
  return kept;
}

/// The threads this process has now (Linux: /proc/self/status), or -1 where that is not known.
inline long long process_threads() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Threads:", 0) == 0) return std::stoll(line.substr(8));
  return -1;
}

/// How many times `needle` occurs in `text` (non-overlapping).
inline std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace fhops_test
