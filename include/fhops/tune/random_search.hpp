/// \file
/// Random search: every active parameter drawn uniformly (log-uniformly when log-scaled).
#pragma once

#include <cstddef>
#include <limits>
#include <optional>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::tune {

/// Random search over a space; `max_trials` ends it (unbounded by default). Tells are ignored, so
/// the configurations depend only on the rng: the same whatever the number of parallel jobs.
class random_search {
public:
  explicit random_search(parameter_space space, std::size_t max_trials = std::numeric_limits<std::size_t>::max())
      : space_(std::move(space)), max_(max_trials) {}

  std::optional<trial> ask(rng& r) {
    if (next_ >= max_) return std::nullopt;
    trial t{next_++, {}};
    for (std::size_t i = 0; i < space_.size(); ++i)
      if (space_.active(i, t.config)) t.config.set(space_.parameters()[i].name, detail::sample_uniform(space_.parameters()[i], r));
    return t;
  }
  void tell(const trial&, double) {}

  const parameter_space& space() const noexcept { return space_; }

private:
  parameter_space space_;
  std::size_t max_;
  std::size_t next_ = 0;
};

static_assert(tuner_strategy<random_search>);

}  // namespace fhops::tune
