// A progress line on a terminal: an observer that rewrites one stderr line at most every 0.25 s
// once a run has lasted a second. It is silent when stderr is not a terminal.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include "fhops/telemetry/events.hpp"

namespace fhops_cli {

class progress_line {
public:
  explicit progress_line(bool enabled) : enabled_(enabled && ::isatty(2)) {}

  void on(const fhops::telemetry::step_event& e) {
    if (!enabled_ || e.seconds < 1.0 || e.seconds - last_ < 0.25) return;
    last_ = e.seconds;
    shown_ = true;
    std::fprintf(stderr, "\r  %6.1fs  iteration %-10lld best %14.3f  current %14.3f  %9.0f evals/s", e.seconds, e.iteration,
                 e.best, e.current, e.seconds > 0 ? static_cast<double>(e.evaluations) / e.seconds : 0.0);
    if (!std::isnan(e.temperature)) std::fprintf(stderr, "  T %.4g", e.temperature);
    std::fflush(stderr);
  }

  void on(const fhops::telemetry::run_end_event&) {
    if (shown_) std::fprintf(stderr, "\r%*s\r", 110, "");
  }

private:
  bool enabled_;
  bool shown_ = false;
  double last_ = 0.0;
};

}  // namespace fhops_cli
