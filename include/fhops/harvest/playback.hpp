/// \file
/// Schedule playback: a schedule replayed slot by slot, deterministically or under random shocks
/// (machine downtime, weather, landing congestion). The reference's stochastic playback is not
/// specified (telemetry_tuning.md §9.2 gives only the sampling presets), so the shock model here is
/// **fhops-cpp's own** (docs/compatibility.md, docs/howto/analytics.md):
///
/// * rows are played in slot construction order; a row (machine m on block b in slot t) works the
///   slot's hours (timeline shift hours, else the machine's daily hours) and produces
///   `min(rate × hours kept / hours × weather factor × landing multiplier, work left on b)`;
/// * **downtime**: each day, machines in random order break down with probability p (at most
///   `max_concurrent` a day) for `max(0, Normal(mean, sd))` hours, taken from their first rows of
///   that day;
/// * **weather**: a day not already under weather starts an event with probability p, moderate or
///   severe by the weights, lasting `window_days`; moderate keeps 70 % of the hours, severe 40 %;
/// * **landing**: a landing not already congested starts a shock with probability p each day,
///   multiplier uniform in [lo, hi], lasting `duration_days`; production of its blocks' rows is
///   multiplied (the machines still work their hours: congestion limits throughput, not time).
///
/// Every shock kind draws from its own stream `derive_seed(derive_seed(seed, sample), kind)`, so
/// a sample is deterministic per seed and switching one shock on never changes another's draws.
/// As every multiplier is ≤ 1 and per-block production is min(work, Σ rates), adding a shock never
/// raises a sample's production.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/deadline.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

/// Machine breakdowns.
struct downtime_shock {
  bool enabled = false;
  double probability = 0.0;   ///< per machine and day
  double mean_hours = 0.0;
  double sd_hours = 0.0;
  int max_concurrent = 1;     ///< machines down on one day, at most
};

/// Weather events (whole days, all machines).
struct weather_shock {
  bool enabled = false;
  double day_probability = 0.0;  ///< an event starts on a day not already under weather
  double moderate_weight = 0.6;  ///< relative chance of a moderate event (keeps 70 % of the hours)
  double severe_weight = 0.4;    ///< relative chance of a severe event (keeps 40 % of the hours)
  int window_days = 1;
};

/// Landing congestion (a landing's blocks produce less for a while).
struct landing_shock {
  bool enabled = false;
  double probability = 0.0;       ///< per landing and day, when not already congested
  double multiplier_lo = 1.0;     ///< production multiplier range, 0 <= lo <= hi <= 1
  double multiplier_hi = 1.0;
  int duration_days = 1;
};

/// An ensemble: how many samples, the base seed and the shocks.
struct sampling_config {
  int samples = 1;
  std::uint64_t seed = 42;
  downtime_shock downtime;
  weather_shock weather;
  landing_shock landing;

  /// Throws std::invalid_argument naming the field when a value is out of its domain.
  void validate() const {
    const auto prob = [](double p, const char* field) {
      if (!(p >= 0.0 && p <= 1.0))
        throw std::invalid_argument(std::string("sampling_config.") + field + " must be in [0, 1] (got " + std::to_string(p) + ")");
    };
    if (samples < 1) throw std::invalid_argument("sampling_config.samples must be >= 1 (got " + std::to_string(samples) + ")");
    prob(downtime.probability, "downtime.probability");
    prob(weather.day_probability, "weather.day_probability");
    prob(landing.probability, "landing.probability");
    if (downtime.max_concurrent < 0) throw std::invalid_argument("sampling_config.downtime.max_concurrent must be >= 0");
    if (!(landing.multiplier_lo >= 0.0 && landing.multiplier_lo <= landing.multiplier_hi && landing.multiplier_hi <= 1.0))
      throw std::invalid_argument("sampling_config.landing.multiplier_lo/hi must satisfy 0 <= lo <= hi <= 1");
    if (weather.window_days < 1 || landing.duration_days < 1)
      throw std::invalid_argument("sampling_config: weather.window_days and landing.duration_days must be >= 1");
  }
};

/// The reference's baseline sampling presets (§9.2): `base`, `small`, `medium`, `large`.
inline sampling_config sampling_preset(std::string_view tier) {
  sampling_config c;
  if (tier == "base") {
    c.samples = 10;
  } else if (tier == "small") {
    c.samples = 6;
  } else if (tier == "medium") {
    c.samples = 12;
    c.downtime = {true, 0.12, 3.0, 1.0, 1};
    c.weather = {true, 0.25, 0.6, 0.4, 2};
    c.landing = {true, 0.18, 0.45, 0.75, 2};
  } else if (tier == "large") {
    c.samples = 18;
    c.downtime = {true, 0.2, 5.0, 2.0, 2};
    c.weather = {true, 0.35, 0.4, 0.6, 3};
    c.landing = {true, 0.25, 0.35, 0.7, 3};
  } else {
    throw std::invalid_argument("sampling preset must be base, small, medium or large (got '" + std::string(tier) + "')");
  }
  return c;
}

/// Light mode (§9.2): samples capped to max(1, min(samples, 4)); each enabled shock's probability
/// capped (downtime ≤ 0.1, weather ≤ 0.2, landing ≤ 0.2). Disabled shocks are left as they are.
inline sampling_config light_capped(sampling_config c) {
  c.samples = std::max(1, std::min(c.samples, 4));
  if (c.downtime.enabled) c.downtime.probability = std::min(c.downtime.probability, 0.1);
  if (c.weather.enabled) c.weather.day_probability = std::min(c.weather.day_probability, 0.2);
  if (c.landing.enabled) c.landing.probability = std::min(c.landing.probability, 0.2);
  return c;
}

/// One played-back sample.
struct playback_sample {
  double production = 0.0;
  double scheduled_hours = 0.0;   ///< hours of the schedule's rows
  double worked_hours = 0.0;      ///< after downtime and weather
  double downtime_hours = 0.0;    ///< scheduled hours lost to breakdowns
  double weather_hours = 0.0;     ///< scheduled hours lost to weather
  long long landing_shock_days = 0;  ///< (landing, day) pairs under congestion
  std::vector<double> day_production;  ///< index = day (0 unused)

  /// worked / scheduled hours (1 without downtime and weather; 0 for an idle schedule).
  double utilisation() const { return scheduled_hours > 0.0 ? worked_hours / scheduled_hours : 0.0; }
};

namespace detail {

inline double row_hours(const problem& pb, int m, int t) { return pb.slot_hours[t] >= 0.0 ? pb.slot_hours[t] : pb.machine_daily_hours[m]; }

/// A standard normal draw (Box–Muller, one value per call).
inline double normal01(rng& r) {
  const double u1 = 1.0 - r.uniform01();  // (0, 1]
  const double u2 = r.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace detail

/// Plays sample `index` of `cfg` (the deterministic playback when no shock is enabled).
inline playback_sample play_sample(const problem& pb, const schedule& s, const sampling_config& cfg, std::uint64_t index) {
  const int D = pb.num_days, M = pb.num_machines, L = pb.num_landings;
  const std::uint64_t base = derive_seed(cfg.seed, index);
  playback_sample out;
  out.day_production.assign(static_cast<std::size_t>(D) + 1, 0.0);

  // Downtime hours per (machine, day).
  std::vector<double> down(static_cast<std::size_t>(M) * (D + 1), 0.0);
  if (cfg.downtime.enabled) {
    rng r(derive_seed(base, 0));
    std::vector<int> order(M);
    for (int d = 1; d <= D; ++d) {
      for (int m = 0; m < M; ++m) order[m] = m;
      for (int i = M - 1; i > 0; --i) std::swap(order[i], order[r.below(static_cast<std::uint64_t>(i) + 1)]);
      int broken = 0;
      for (int m : order) {
        if (!r.chance(cfg.downtime.probability)) continue;
        const double h = std::max(0.0, cfg.downtime.mean_hours + cfg.downtime.sd_hours * detail::normal01(r));
        if (broken >= cfg.downtime.max_concurrent) continue;
        down[static_cast<std::size_t>(m) * (D + 1) + d] = h;
        ++broken;
      }
    }
  }
  // Weather factor per day.
  std::vector<double> weather(static_cast<std::size_t>(D) + 1, 1.0);
  if (cfg.weather.enabled) {
    rng r(derive_seed(base, 1));
    const double total = cfg.weather.moderate_weight + cfg.weather.severe_weight;
    for (int d = 1; d <= D; ++d) {
      const bool starts = r.chance(cfg.weather.day_probability);
      const bool severe = total > 0.0 && r.uniform01() * total >= cfg.weather.moderate_weight;
      if (weather[d] < 1.0 || !starts) continue;
      for (int k = d; k < std::min(D + 1, d + cfg.weather.window_days); ++k) weather[k] = severe ? 0.4 : 0.7;
    }
  }
  // Landing multiplier per (landing, day).
  std::vector<double> congestion(static_cast<std::size_t>(L) * (D + 1), 1.0);
  if (cfg.landing.enabled) {
    rng r(derive_seed(base, 2));
    for (int l = 0; l < L; ++l)
      for (int d = 1; d <= D; ++d) {
        const bool starts = r.chance(cfg.landing.probability);
        const double mult = r.uniform(cfg.landing.multiplier_lo, cfg.landing.multiplier_hi);
        if (congestion[static_cast<std::size_t>(l) * (D + 1) + d] < 1.0 || !starts) continue;
        for (int k = d; k < std::min(D + 1, d + cfg.landing.duration_days); ++k) congestion[static_cast<std::size_t>(l) * (D + 1) + k] = mult;
      }
    for (double c : congestion) out.landing_shock_days += c < 1.0;
  }

  std::vector<double> left = pb.work;
  std::vector<double> down_left = down;
  for (int t = 0; t < pb.num_slots; ++t) {
    const int d = pb.slot_day[t];
    for (int m = 0; m < M; ++m) {
      const int b = s.at(m, t);
      if (b == idle) continue;
      const double hours = detail::row_hours(pb, m, t);
      double& dl = down_left[static_cast<std::size_t>(m) * (D + 1) + d];
      const double lost = std::min(hours, dl);
      dl -= lost;
      const double kept = hours - lost;
      const double worked = kept * weather[d];
      out.scheduled_hours += hours;
      out.downtime_hours += lost;
      out.weather_hours += kept - worked;
      out.worked_hours += worked;
      const double factor = (hours > 0.0 ? worked / hours : 0.0) * congestion[static_cast<std::size_t>(pb.landing_of[b]) * (D + 1) + d];
      const double p = std::min(pb.rate[pb.mb(m, b)] * factor, left[b]);
      left[b] = std::max(0.0, left[b] - p);
      out.production += p;
      out.day_production[d] += p;
    }
  }
  return out;
}

/// Plays `cfg.samples` samples (sample k uses stream k), checking `limit` between samples.
inline std::vector<playback_sample> play_ensemble(const problem& pb, const schedule& s, const sampling_config& cfg,
                                                  const deadline& limit = {}) {
  cfg.validate();
  std::vector<playback_sample> out;
  out.reserve(static_cast<std::size_t>(cfg.samples));
  for (int k = 0; k < cfg.samples; ++k) {
    limit.check();
    out.push_back(play_sample(pb, s, cfg, static_cast<std::uint64_t>(k)));
  }
  return out;
}

}  // namespace fhops::harvest
