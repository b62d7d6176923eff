/// \file
/// Acceptance rules (maximisation): Metropolis (the reference), threshold accepting,
/// record-to-record travel and late acceptance hill climbing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::search {

namespace detail {

/// The checkpoint state of a rule without any: nothing to save.
struct stateless_rule {
  void save(checkpoint_writer&) const noexcept {}
  void load(checkpoint_reader&) noexcept {}
};

}  // namespace detail

/// Metropolis: accept when delta >= 0, else with probability exp(delta / max(T, 1e-6)); the random
/// number is drawn only for a worsening move (as the reference).
struct metropolis : detail::stateless_rule {
  void start(double) noexcept {}
  bool accept(double delta, double, double, double temperature, rng& r) const {
    if (delta >= 0.0) return true;
    return r.uniform01() < std::exp(delta / std::max(temperature, 1e-6));
  }
  void commit(double) noexcept {}
};
static_assert(acceptance_rule<metropolis> && state_serialisable<metropolis>);

/// Threshold accepting (Dueck & Scheuer): accept when delta >= -T. Deterministic.
struct threshold_accepting : detail::stateless_rule {
  void start(double) noexcept {}
  bool accept(double delta, double, double, double temperature, rng&) const { return delta >= -temperature; }
  void commit(double) noexcept {}
};
static_assert(acceptance_rule<threshold_accepting> && state_serialisable<threshold_accepting>);

/// Record-to-record travel (Dueck): accept when the new score is within T of the best.
struct record_to_record : detail::stateless_rule {
  void start(double) noexcept {}
  bool accept(double delta, double current, double best, double temperature, rng&) const {
    return delta >= 0.0 || current + delta >= best - temperature;
  }
  void commit(double) noexcept {}
};
static_assert(acceptance_rule<record_to_record> && state_serialisable<record_to_record>);

/// Late acceptance hill climbing (Burke & Bykov): accept when the new score is at least the current
/// one or the score `length` iterations ago. Ignores the temperature.
class late_acceptance {
public:
  explicit late_acceptance(std::size_t length = 1000) : length_(length) {
    if (length == 0) throw std::invalid_argument("late_acceptance.length must be >= 1");
  }
  void start(double initial) {
    history_.assign(length_, initial);
    k_ = 0;
  }
  bool accept(double delta, double current, double, double, rng&) const {
    return delta >= 0.0 || current + delta >= history_[k_];
  }
  void commit(double current) {
    history_[k_] = current;
    k_ = (k_ + 1) % length_;
  }
  /// Checkpoint state: the history and its cursor.
  void save(checkpoint_writer& w) const {
    w.put("late.history", history_);
    w.put("late.k", static_cast<long long>(k_));
  }
  void load(checkpoint_reader& r) {
    r.get("late.history", history_);
    const long long k = r.get<long long>("late.k");
    if (history_.size() != length_ || k < 0 || static_cast<std::size_t>(k) >= length_)
      throw checkpoint_error("late acceptance history of another length");
    k_ = static_cast<std::size_t>(k);
  }

private:
  std::size_t length_;
  std::vector<double> history_;
  std::size_t k_ = 0;
};
static_assert(acceptance_rule<late_acceptance> && state_serialisable<late_acceptance>);

}  // namespace fhops::search
