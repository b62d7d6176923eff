/// \file
/// Grid search: every combination of the parameters' levels, the first declared parameter
/// outermost; a conditional parameter is enumerated only where it is active.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::tune {

/// Grid search settings.
struct grid_search_parameters {
  std::size_t repeats = 1;                                ///< visits of each combination (>= 1)
  tune::direction direction = tune::direction::maximise;  ///< the objective's direction (for best())

  void validate() const {
    if (repeats < 1) throw std::invalid_argument("grid_search_parameters.repeats must be >= 1 (got 0)");
  }
};

/// Grid search over a space. Integer and categorical parameters default to all their values
/// (integers up to 1,001 values); real parameters need `levels`. `repeats` visits each
/// combination that many times in a row (with different trial numbers, hence seeds). Tells only
/// update best().
class grid_search {
public:
  explicit grid_search(parameter_space space, grid_search_parameters p = {}) : space_(std::move(space)), best_(p.direction) {
    p.validate();
    for (const auto& q : space_.parameters())
      if (q.levels.empty())
        throw std::invalid_argument("parameter '" + q.name + "': grid search needs levels (call levels() after declaring it)");
    configuration c;
    enumerate(0, c, p.repeats);
  }
  /// Same as grid_search(space, {.repeats = repeats}).
  grid_search(parameter_space space, std::size_t repeats) : grid_search(std::move(space), {.repeats = repeats}) {}

  std::optional<trial> ask(rng&) {
    if (next_ >= grid_.size()) return std::nullopt;
    const std::size_t k = next_++;
    return trial{k, grid_[k]};
  }
  void tell(const trial& t, double value) { best_.tell(t, value); }

  /// The best trial told so far (see best_so_far), or nothing.
  const std::optional<trial_result>& best() const noexcept { return best_.best(); }
  tune::direction direction() const noexcept { return best_.direction(); }
  /// Number of trials the grid holds.
  std::size_t size() const noexcept { return grid_.size(); }
  const parameter_space& space() const noexcept { return space_; }

private:
  void enumerate(std::size_t i, configuration& c, std::size_t repeats) {
    if (i == space_.size()) {
      for (std::size_t k = 0; k < repeats; ++k) grid_.push_back(c);
      return;
    }
    if (!space_.active(i, c)) {
      enumerate(i + 1, c, repeats);
      return;
    }
    const parameter& p = space_.parameters()[i];
    for (const value& v : p.levels) {
      configuration next = c;
      next.set(p.name, v);
      enumerate(i + 1, next, repeats);
    }
  }

  parameter_space space_;
  best_so_far best_;
  std::vector<configuration> grid_;
  std::size_t next_ = 0;
};

static_assert(tuner_strategy<grid_search>);

}  // namespace fhops::tune
