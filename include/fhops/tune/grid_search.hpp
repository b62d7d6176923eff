/// \file
/// Grid search: every combination of the parameters' levels, the first declared parameter
/// outermost; a conditional parameter is enumerated only where it is active.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <vector>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::tune {

/// Grid search over a space. Integer and categorical parameters default to all their values
/// (integers up to 1,001 values); real parameters need `levels`. `repeats` visits each
/// combination that many times in a row (with different trial numbers, hence seeds).
class grid_search {
public:
  explicit grid_search(parameter_space space, std::size_t repeats = 1) : space_(std::move(space)) {
    if (repeats < 1) throw std::invalid_argument("grid_search.repeats must be >= 1");
    for (const auto& p : space_.parameters())
      if (p.levels.empty())
        throw std::invalid_argument("parameter '" + p.name + "': grid search needs levels (call levels() after declaring it)");
    configuration c;
    enumerate(0, c, repeats);
  }

  std::optional<trial> ask(rng&) {
    if (next_ >= grid_.size()) return std::nullopt;
    const std::size_t k = next_++;
    return trial{k, grid_[k]};
  }
  void tell(const trial&, double) {}

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
  std::vector<configuration> grid_;
  std::size_t next_ = 0;
};

static_assert(tuner_strategy<grid_search>);

}  // namespace fhops::tune
