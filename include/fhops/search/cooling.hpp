/// \file
/// Cooling schedules for simulated annealing. `start(initial score)` once, `temperature()` for the
/// current step, `step(progress)` after each step (progress = share of the budget used, in [0, 1]).
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"

namespace fhops::search {

/// The reference's initial temperature: max(1, initial score / 10) (1 for any negative score).
inline double reference_initial_temperature(double initial_score) { return std::max(1.0, initial_score / 10.0); }

/// Parameters of geometric cooling.
struct geometric_parameters {
  double ratio = 0.995;                         ///< factor per step, in (0, 1]
  std::optional<double> initial_temperature;    ///< default: the reference's max(1, initial/10)
};

/// The reference schedule: T(step) = T0 * ratio^step, per step, whatever the budget.
class geometric_cooling {
public:
  explicit geometric_cooling(geometric_parameters p = {}) : p_(p) {
    if (!(p.ratio > 0.0 && p.ratio <= 1.0))
      throw std::invalid_argument("geometric_parameters.ratio must be in (0, 1] (got " + std::to_string(p.ratio) + ")");
    if (p.initial_temperature && !(*p.initial_temperature > 0.0))
      throw std::invalid_argument("geometric_parameters.initial_temperature must be > 0");
  }
  void start(double initial_score) {
    t0_ = p_.initial_temperature.value_or(reference_initial_temperature(initial_score));
    t_ = t0_;
    steps_ = 0;
  }
  double temperature() const { return t_; }
  void step(double) {
    ++steps_;
    t_ = t0_ * std::pow(p_.ratio, static_cast<double>(steps_));
  }
  double initial_temperature() const { return t0_; }
  /// Checkpoint state: T0, T and the steps taken.
  void save(checkpoint_writer& w) const {
    w.put("cooling.t0", t0_);
    w.put("cooling.t", t_);
    w.put("cooling.steps", steps_);
  }
  void load(checkpoint_reader& r) {
    r.get("cooling.t0", t0_);
    r.get("cooling.t", t_);
    r.get("cooling.steps", steps_);
  }

private:
  geometric_parameters p_;
  double t0_ = 1.0, t_ = 1.0;
  long long steps_ = 0;
};
static_assert(cooling_schedule<geometric_cooling> && state_serialisable<geometric_cooling>);

/// Parameters of budget-driven exponential cooling.
struct budget_cooling_parameters {
  double initial_temperature = 10.0;   ///< T at progress 0 (> 0)
  double final_temperature = 0.05;     ///< T at progress 1 (> 0, <= initial)
};

/// Exponential cooling over the run's budget: T = T0 * (T1/T0)^progress. Progress comes from the
/// iteration or time budget, so a 1 s and a 60 s run both cool from T0 to T1.
class budget_cooling {
public:
  explicit budget_cooling(budget_cooling_parameters p = {}) : p_(p) {
    if (!(p.initial_temperature > 0.0))
      throw std::invalid_argument("budget_cooling_parameters.initial_temperature must be > 0");
    if (!(p.final_temperature > 0.0 && p.final_temperature <= p.initial_temperature))
      throw std::invalid_argument("budget_cooling_parameters.final_temperature must be in (0, initial_temperature]");
  }
  void start(double) { t_ = p_.initial_temperature; }
  double temperature() const { return t_; }
  void step(double progress) {
    t_ = p_.initial_temperature * std::pow(p_.final_temperature / p_.initial_temperature, std::clamp(progress, 0.0, 1.0));
  }
  double initial_temperature() const { return p_.initial_temperature; }
  /// Checkpoint state: T.
  void save(checkpoint_writer& w) const { w.put("cooling.t", t_); }
  void load(checkpoint_reader& r) { r.get("cooling.t", t_); }

private:
  budget_cooling_parameters p_;
  double t_ = 1.0;
};
static_assert(cooling_schedule<budget_cooling> && state_serialisable<budget_cooling>);

}  // namespace fhops::search
