/// \file
/// A cooperative deadline: long computations ask it between units of work (`check()` throws
/// `deadline_exceeded` once the time is up) and clamp their own time budgets to what is left
/// (`clamp()`), so a run stops within one unit of work of its deadline without killing a thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace fhops {

/// Thrown by deadline::check() when the deadline has passed.
class deadline_exceeded : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A point in time after which work should stop; the default deadline never expires.
class deadline {
public:
  using clock = std::chrono::steady_clock;

  /// No deadline.
  deadline() = default;
  /// `seconds` from now (seconds > 0).
  explicit deadline(double seconds)
      : at_(clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds))) {}

  /// True when a deadline is set.
  bool bounded() const noexcept { return at_.has_value(); }
  /// True once the deadline has passed (never for an unbounded deadline).
  bool expired() const noexcept { return at_ && clock::now() >= *at_; }
  /// Seconds left (0 once expired); a very large number when unbounded.
  double remaining() const noexcept {
    if (!at_) return 1e300;
    return std::max(0.0, std::chrono::duration<double>(*at_ - clock::now()).count());
  }
  /// A wall-clock budget for a bounded sub-task: `seconds` (0 = none) limited to what is left.
  /// Never returns 0 for a bounded deadline, so the result can be used as a "max seconds" budget.
  double clamp(double seconds) const noexcept {
    if (!at_) return seconds;
    const double left = std::max(remaining(), 1e-3);
    return seconds > 0.0 ? std::min(seconds, left) : left;
  }
  /// Throws deadline_exceeded when the deadline has passed.
  void check() const {
    if (expired()) throw deadline_exceeded("deadline exceeded");
  }

private:
  std::optional<clock::time_point> at_;
};

}  // namespace fhops
