/// \file
/// A checklist of steps run in order: each step is timed, a failing step (an exception or a
/// non-zero status) is recorded with its message and the rest still run. The results render as a
/// Markdown checklist (`- [x]` / `- [ ]` with durations) followed by a table of the steps, and as
/// flat records for CSV/JSON.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <exception>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/util/flat_records.hpp"

namespace fhops {

/// How a step ended.
enum class step_status { ok, failed, skipped, manual };

inline const char* to_string(step_status s) {
  switch (s) {
    case step_status::ok: return "ok";
    case step_status::failed: return "failed";
    case step_status::skipped: return "skipped";
    case step_status::manual: return "manual";
  }
  return "?";
}

/// What a step's body returns: a status (ok or failed) and an optional note.
struct step_outcome {
  step_status status = step_status::ok;
  std::string message;
};

/// One step: the checklist line it ticks, and its body. A step with no body is manual: listed,
/// never ticked, with its note.
struct checklist_step {
  std::string name;  ///< short id, e.g. "analytics"
  std::string box;   ///< the checklist line, e.g. "Run the analytics pages (record the duration)"
  std::function<step_outcome()> body;
  std::string note;     ///< shown for manual steps
  std::string command;  ///< what the step runs, for the record (optional)
};

/// A step's result.
struct step_result {
  std::string name;
  std::string box;
  step_status status = step_status::ok;
  double seconds = 0.0;
  std::string message;
  std::string command;
};

/// Runs the steps in order, whatever fails; reports "[i/n] name ..." and the outcome on `progress`.
inline std::vector<step_result> run_checklist(const std::vector<checklist_step>& steps, std::ostream* progress = nullptr) {
  std::vector<step_result> results;
  results.reserve(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    step_result r{s.name, s.box, step_status::manual, 0.0, s.note, s.command};
    if (s.body) {
      if (progress) *progress << fmt::format("[{}/{}] {} ...", i + 1, steps.size(), s.name) << std::endl;
      const auto t0 = std::chrono::steady_clock::now();
      try {
        const step_outcome o = s.body();
        r.status = o.status;
        r.message = o.message;
      } catch (const std::exception& e) {
        r.status = step_status::failed;
        r.message = e.what();
      }
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (progress)
        *progress << fmt::format("[{}/{}] {}: {} ({:.1f} s){}{}", i + 1, steps.size(), s.name, to_string(r.status), r.seconds,
                                 r.message.empty() ? "" : ": ", r.message)
                  << std::endl;
    }
    results.push_back(std::move(r));
  }
  return results;
}

/// True when no step failed.
inline bool all_ok(const std::vector<step_result>& results) {
  for (const auto& r : results)
    if (r.status == step_status::failed) return false;
  return true;
}

namespace detail {

inline std::string md_cell(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace detail

/// The Markdown entry: `# title`, then one checkbox per step (ticked when it ran ok, with its
/// duration; failed and manual steps say why), then a table of every step.
inline std::string checklist_markdown(const std::string& title, const std::vector<step_result>& results,
                                      const std::string& preamble = {}) {
  std::string out = "# " + title + "\n\n";
  if (!preamble.empty()) out += preamble + "\n\n";
  for (const auto& r : results) {
    const bool done = r.status == step_status::ok;
    out += fmt::format("- [{}] {}", done ? 'x' : ' ', r.box);
    if (r.status == step_status::ok || r.status == step_status::failed) out += fmt::format(" ({:.1f} s)", r.seconds);
    if (r.status != step_status::ok) out += fmt::format(": **{}**", to_string(r.status));
    if (!r.message.empty()) out += " — " + detail::md_cell(r.message);
    out += "\n";
  }
  out += "\n| Step | Status | Seconds | Command | Message |\n|---|---|---:|---|---|\n";
  for (const auto& r : results)
    out += fmt::format("| {} | {} | {:.2f} | {} | {} |\n", r.name, to_string(r.status), r.seconds,
                       r.command.empty() ? std::string() : "`" + detail::md_cell(r.command) + "`", detail::md_cell(r.message));
  return out;
}

/// The results as flat records: step, status, seconds (2 dp), command, message.
inline std::vector<record> checklist_records(const std::vector<step_result>& results) {
  std::vector<record> rows;
  for (const auto& r : results) {
    record row;
    row.set("step", r.name).set("status", std::string(to_string(r.status)));
    row.set("seconds", std::round(r.seconds * 100.0) / 100.0).set("command", r.command).set("message", r.message);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace fhops
