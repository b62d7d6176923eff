// A progress line on a terminal: an observer that rewrites one stderr line at most every 0.25 s
// once a run has lasted a second, with the share of the budget done and an ETA when the budget is
// known (iterations or seconds, whichever is further along). It is silent when stderr is not a
// terminal, unless FHOPS_PROGRESS=always (then from the start, for logs and tests).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include "fhops/telemetry/events.hpp"

namespace fhops_cli {

class progress_line {
public:
  /// `max_iterations` / `max_seconds`: the run's budget (0: none).
  explicit progress_line(bool enabled, long long max_iterations = 0, double max_seconds = 0.0)
      : enabled_(enabled && (::isatty(2) || forced())), always_(forced()), max_iterations_(max_iterations), max_seconds_(max_seconds) {}

  void on(const fhops::telemetry::step_event& e) {
    if (!enabled_ || (!always_ && e.seconds < 1.0) || (shown_ && e.seconds - last_ < 0.25)) return;
    last_ = e.seconds;
    shown_ = true;
    std::fprintf(stderr, "\r  %6.1fs  iteration %-10lld best %14.3f  current %14.3f  %9.0f evals/s", e.seconds, e.iteration,
                 e.best, e.current, e.seconds > 0 ? static_cast<double>(e.evaluations) / e.seconds : 0.0);
    if (!std::isnan(e.temperature)) std::fprintf(stderr, "  T %.4g", e.temperature);
    double done = 0.0;  // the share of the budget used
    if (max_iterations_ > 0) done = std::max(done, static_cast<double>(e.iteration) / static_cast<double>(max_iterations_));
    if (max_seconds_ > 0) done = std::max(done, e.seconds / max_seconds_);
    done = std::min(done, 1.0);
    if (done > 0.0) std::fprintf(stderr, "  %3.0f%%  ETA %.1fs", 100.0 * done, e.seconds * (1.0 - done) / done);
    if (always_) std::fputc('\n', stderr);  // one line per update in a log
    std::fflush(stderr);
  }

  void on(const fhops::telemetry::run_end_event&) {
    if (shown_ && !always_) clear();
  }

  /// Blanks the line on a terminal (a run stopped for a checkpoint has no run_end event).
  static void clear() {
    if (::isatty(2) && !forced()) std::fprintf(stderr, "\r%*s\r", 110, "");
  }

private:
  static bool forced() {
    const char* v = std::getenv("FHOPS_PROGRESS");
    return v && std::strcmp(v, "always") == 0;
  }

  bool enabled_;
  bool always_;
  long long max_iterations_;
  double max_seconds_;
  bool shown_ = false;
  double last_ = 0.0;
};

}  // namespace fhops_cli
