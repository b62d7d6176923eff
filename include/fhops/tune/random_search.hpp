/// \file
/// Random search: every active parameter drawn uniformly (log-uniformly when log-scaled).
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::tune {

/// Random search settings.
struct random_search_parameters {
  std::size_t max_trials = std::numeric_limits<std::size_t>::max();  ///< asks before it is exhausted (unbounded)
  tune::direction direction = tune::direction::maximise;               ///< the objective's direction (for best())
};

/// Random search over a space. Tells only update best(), so the configurations depend only on the
/// rng: the same whatever the direction or the number of parallel jobs.
class random_search {
public:
  explicit random_search(parameter_space space, random_search_parameters p = {})
      : space_(std::move(space)), max_(p.max_trials), best_(p.direction) {}
  /// Same as random_search(space, {.max_trials = max_trials}).
  random_search(parameter_space space, std::size_t max_trials) : random_search(std::move(space), {.max_trials = max_trials}) {}

  std::optional<trial> ask(rng& r) {
    if (next_ >= max_) return std::nullopt;
    trial t{next_++, {}};
    for (std::size_t i = 0; i < space_.size(); ++i)
      if (space_.active(i, t.config)) t.config.set(space_.parameters()[i].name, detail::sample_uniform(space_.parameters()[i], r));
    return t;
  }
  void tell(const trial& t, double value) { best_.tell(t, value); }

  /// The best trial told so far (see best_so_far), or nothing.
  const std::optional<trial_result>& best() const noexcept { return best_.best(); }
  tune::direction direction() const noexcept { return best_.direction(); }
  const parameter_space& space() const noexcept { return space_; }

private:
  parameter_space space_;
  std::size_t max_;
  best_so_far best_;
  std::size_t next_ = 0;
};

static_assert(tuner_strategy<random_search>);

}  // namespace fhops::tune
