/// \file
/// The tuner strategy contract: ask for a trial, tell its result; the direction of the objective
/// and the best trial told so far.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>

#include "fhops/tune/space.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::tune {

/// A trial: its number (0-based, in ask order) and its configuration.
struct trial {
  std::size_t number = 0;
  configuration config;
};

/// Whether the objective is maximised (the default everywhere) or minimised.
enum class direction { maximise, minimise };

/// Whether value a is strictly better than b in direction d (false when either is NaN).
constexpr bool better(direction d, double a, double b) noexcept { return d == direction::maximise ? a > b : a < b; }

/// A tuner strategy: ask(rng) gives the next trial or nothing when the strategy is exhausted;
/// tell(trial, value) reports its objective (NaN = the trial failed). The built-in strategies also
/// have direction() (what tell's values mean; maximise unless their parameters say otherwise) and
/// best() (the best trial told so far).
template <class T>
concept tuner_strategy = requires(T& t, rng& r, const trial& tr, double v) {
  { t.ask(r) } -> std::same_as<std::optional<trial>>;
  t.tell(tr, v);
};

/// The outcome of one trial.
struct trial_result {
  trial t;
  double value = std::numeric_limits<double>::quiet_NaN();  ///< NaN when the trial failed
  std::string error;                                        ///< the failure's message
  bool ok() const { return std::isfinite(value); }
};

/// The best trial told so far in a direction: failed (non-finite) values never count; ties go to
/// the lower trial number, whatever the order of the tells. The strategies keep one for best().
class best_so_far {
public:
  explicit best_so_far(tune::direction d = tune::direction::maximise) noexcept : direction_(d) {}

  /// Takes the trial when its value is finite and better than the best (or equal, earlier).
  void tell(const trial& t, double value) {
    if (!std::isfinite(value)) return;
    if (best_ && !better(direction_, value, best_->value) && !(value == best_->value && t.number < best_->t.number)) return;
    best_ = trial_result{t, value, {}};
  }
  /// The best trial and its value, or nothing before the first successful tell.
  const std::optional<trial_result>& best() const noexcept { return best_; }
  tune::direction direction() const noexcept { return direction_; }

private:
  tune::direction direction_;
  std::optional<trial_result> best_;
};

namespace detail {

/// One uniform draw of parameter p (integers uniform over their values; log scale in log space).
inline value sample_uniform(const parameter& p, rng& r) {
  switch (p.kind) {
    case kind::integer: {
      if (!p.log) return r.between(static_cast<long long>(p.low), static_cast<long long>(p.high));
      const double x = std::exp(std::log(p.low - 0.5) + r.uniform01() * (std::log(p.high + 0.5) - std::log(p.low - 0.5)));
      return std::clamp(static_cast<long long>(std::llround(x)), static_cast<long long>(p.low), static_cast<long long>(p.high));
    }
    case kind::real:
      if (!p.log) return p.low + r.uniform01() * (p.high - p.low);
      return std::clamp(std::exp(std::log(p.low) + r.uniform01() * (std::log(p.high) - std::log(p.low))), p.low, p.high);
    case kind::categorical:
      return p.choices[r.below(p.choices.size())];
  }
  return 0LL;
}

}  // namespace detail

}  // namespace fhops::tune
