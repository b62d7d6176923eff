/// \file
/// When a search stops: any combination of an iteration budget, wall-clock seconds, a stall limit
/// (iterations without a new best) and a target score. The first rule met ends the run.
#pragma once

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

namespace fhops::search {

/// Why a run stopped.
enum class stop_reason { iterations, seconds, stall, target, exhausted, interrupted };

/// The name of a stop reason ("iterations", "seconds", "stall", "target", "exhausted", "interrupted":
/// stopped after a checkpoint, to be resumed).
inline const char* to_string(stop_reason r) {
  switch (r) {
    case stop_reason::iterations: return "iterations";
    case stop_reason::seconds: return "seconds";
    case stop_reason::stall: return "stall";
    case stop_reason::target: return "target";
    case stop_reason::exhausted: return "exhausted";
    case stop_reason::interrupted: return "interrupted";
  }
  return "?";
}

/// Termination rules; 0 / nullopt means "not used". At least one of max_iterations, max_seconds
/// and stall_limit must be set, or a target with one of them.
struct termination {
  long long max_iterations = 0;
  double max_seconds = 0.0;
  long long stall_limit = 0;
  std::optional<double> target{};

  /// Throws std::invalid_argument naming the field when a value is out of its domain.
  void validate() const {
    if (max_iterations < 0)
      throw std::invalid_argument("termination.max_iterations must be >= 0 (got " + std::to_string(max_iterations) + ")");
    if (!(max_seconds >= 0.0) || std::isinf(max_seconds))
      throw std::invalid_argument("termination.max_seconds must be a finite number >= 0 (got " + std::to_string(max_seconds) + ")");
    if (stall_limit < 0)
      throw std::invalid_argument("termination.stall_limit must be >= 0 (got " + std::to_string(stall_limit) + ")");
    if (max_iterations == 0 && max_seconds == 0.0 && stall_limit == 0)
      throw std::invalid_argument("termination: set max_iterations, max_seconds or stall_limit (the run would never stop)");
  }
};

}  // namespace fhops::search
