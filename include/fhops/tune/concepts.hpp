/// \file
/// The tuner strategy contract: ask for a trial, tell its result.
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>

#include "fhops/tune/space.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::tune {

/// A trial: its number (0-based, in ask order) and its configuration.
struct trial {
  std::size_t number = 0;
  configuration config;
};

/// A tuner strategy: ask(rng) gives the next trial or nothing when the strategy is exhausted;
/// tell(trial, value) reports its objective (maximised; NaN = the trial failed).
template <class T>
concept tuner_strategy = requires(T& t, rng& r, const trial& tr, double v) {
  { t.ask(r) } -> std::same_as<std::optional<trial>>;
  t.tell(tr, v);
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
