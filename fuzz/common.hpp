// Shared by the libFuzzer entry points: a scratch folder per process and the error contract every
// input must meet (load, or fhops::input_error with a one-line message naming a file).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include "fhops/util/input_error.hpp"

namespace fhops_fuzz {

/// A folder of this process under the temporary directory, created on first use.
inline const std::filesystem::path& scratch() {
  struct folder {
    std::filesystem::path path;
    ~folder() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const folder dir{[] {
    const auto p = std::filesystem::temp_directory_path() / ("fhops_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p;
  }()};
  return dir.path;
}

inline void write(const std::filesystem::path& p, std::string_view text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(text.data(), static_cast<std::streamsize>(text.size()));
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Aborts (a finding) with a message on stderr.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "fhops fuzz finding: %s\n", fhops::excerpt(what, 2000).c_str());
  std::abort();
}

/// The contract of a refused input: a file named, one line, a bounded length.
inline void check_refusal(const fhops::input_error& e) {
  const std::string what = e.what();
  if (e.path().empty()) finding("input_error without a file: " + what);
  if (what.find_first_of(std::string("\n\r\0", 3)) != std::string::npos) finding("input_error on several lines: " + what);
  if (what.size() > 2500) finding("input_error message of " + std::to_string(what.size()) + " bytes");
}

/// The demo bundle the entry points start from (FHOPS_FUZZ_DEMO, default examples/scenarios/demo
/// relative to the working folder: scripts/fuzz runs from the project root).
inline std::filesystem::path demo() {
  const char* d = std::getenv("FHOPS_FUZZ_DEMO");
  return d && *d ? std::filesystem::path(d) : std::filesystem::path("examples/scenarios/demo");
}

}  // namespace fhops_fuzz
