/// \file
/// The synthetic scenario generator (problem_model.md §13, plus what the reference lacks): tiers
/// `small`, `medium`, `large` with the reference's parameters, `custom`, and the scaling tiers `xl`
/// and `xxl`; optional mobilisation from block coordinates on a plane, objective weights, shifts
/// that really give several slots per day, locks, and machine roles that match the harvest systems
/// of the blocks. `generate_synth` builds the scenario in memory; `render_synth_bundle` turns it
/// into the bundle's files (scenario.yaml, data/*.csv, metadata.yaml), byte-identical for the same
/// parameters and seed on every machine (fhops::rng and our own draws, never std distributions).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/registry.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/harvest/synth/detail/text.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/python_format.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

/// An inclusive integer range; a count is drawn uniformly from it (lo == hi gives that value).
struct int_range {
  long long lo = 0;
  long long hi = 0;
  friend bool operator==(const int_range&, const int_range&) = default;
};

/// An inclusive real range; values are drawn uniformly from [lo, hi).
struct real_range {
  double lo = 0.0;
  double hi = 0.0;
  friend bool operator==(const real_range&, const real_range&) = default;
};

/// Days start_day..end_day raise the blackout probability to at least `probability` and draw
/// the blackout's length from `duration` (the reference's `blackout_biases`).
struct blackout_bias {
  int start_day = 1;
  int end_day = 1;
  double probability = 0.0;
  int_range duration{1, 1};
  friend bool operator==(const blackout_bias&, const blackout_bias&) = default;
};

/// The relative weight of one harvest system of the built-in registry in the block mix.
struct system_weight {
  std::string system_id;
  double weight = 0.0;
  friend bool operator==(const system_weight&, const system_weight&) = default;
};

/// Every parameter of the generator. Field names are the YAML keys of `--config` and, with `-`
/// for `_`, the options of `fhops synth`. Defaults are the reference's `custom` tier.
struct synth_parameters {
  std::string tier = "custom";
  std::uint64_t seed = 123;
  std::string name;                           ///< empty: `synthetic-<tier>`
  std::optional<std::string> start_date;      ///< reporting only
  // sizes (drawn once each, in this order)
  int_range blocks{8, 12};
  int_range days{12, 16};
  int_range machines{4, 6};
  int_range landings{2, 3};                   ///< at most blocks.lo: every landing gets a block
  // time
  int shifts_per_day = 1;                     ///< timeline shifts S1..Sk: k slots per day
  real_range shift_hours{8, 12};
  double machine_daily_hours = 24.0;
  double availability_probability = 0.9;      ///< each machine-day is available with this probability
  double blackout_probability = 0.1;
  int_range blackout_duration{1, 2};
  std::vector<blackout_bias> blackout_biases;
  // work
  int_range landing_capacity{1, 3};
  real_range work_required{6, 18};
  real_range production_rate{6, 18};          ///< every machine-block pair gets a rate
  real_range operating_cost{100, 250};        ///< reporting only
  std::vector<system_weight> system_mix;      ///< empty: blocks take the registry's systems round robin
  std::vector<std::string> role_pool;         ///< empty: roles from the blocks' systems (fixed quirk)
  // reporting-only flavour
  std::vector<std::string> terrain_pool{"mixed"};
  std::vector<double> terrain_weights;        ///< empty: uniform
  std::vector<std::string> prescription_pool{"clearcut"};
  std::vector<double> prescription_weights;
  std::vector<std::string> crew_pool{"crew-1", "crew-2"};
  std::vector<std::string> capability_pool{"harvester", "forwarder"};
  int_range crew_capability_span{1, 2};
  // beyond the reference
  bool mobilisation = false;                  ///< write machine move costs and a distance file
  double area_m = 0.0;                        ///< side of the square holding the landings; 0: 1500·√landings
  double block_radius_m = 600.0;              ///< blocks lie within this distance of their landing
  real_range walk_cost_per_meter{0.008, 0.015};
  real_range move_cost_flat{30, 60};
  real_range walk_threshold_m{800, 1200};
  real_range setup_cost{3, 10};
  std::optional<objective_weights> weights;   ///< YAML key `objective_weights`; none: not written
  int locks = 0;                              ///< at most this many feasible (machine, day) locks
};

/// A parameter out of its domain. `key()` is the parameter's YAML key path
/// (`blackout_biases[0].probability`); `rule()` the domain and the value; what() is both.
class synth_parameter_error : public std::invalid_argument {
public:
  synth_parameter_error(std::string key, std::string rule)
      : std::invalid_argument(key + ": " + rule), key_(std::move(key)), rule_(std::move(rule)) {}
  const std::string& key() const noexcept { return key_; }
  const std::string& rule() const noexcept { return rule_; }

private:
  std::string key_, rule_;
};

/// The generator's tiers, in size order.
inline const std::vector<std::string>& synth_tier_names() {
  static const std::vector<std::string> names{"small", "medium", "large", "custom", "xl", "xxl"};
  return names;
}

namespace detail {

inline std::vector<system_weight> mix(std::initializer_list<std::pair<const char*, double>> items) {
  std::vector<system_weight> out;
  for (const auto& [id, w] : items) out.push_back({id, w});
  return out;
}

// The reference's tier mixes (synthetic_gen.py), raw weights (metadata.yaml shows them normalised).
inline std::vector<system_weight> small_mix() {
  return mix({{"ground_fb_skid", 0.3}, {"ctl", 0.25}, {"cable_highlead_tn147", 0.05}, {"cable_micro_ecologger", 0.15},
              {"cable_micro_gabriel", 0.05}, {"cable_micro_christie", 0.05}, {"cable_micro_teletransporteur", 0.05},
              {"cable_micro_timbermaster", 0.05}, {"cable_micro_hi_skid", 0.1}, {"cable_running_sr54", 0.05},
              {"cable_running_tr75_bunched", 0.05}});
}

inline std::vector<system_weight> medium_mix() {
  return mix({{"ground_fb_skid", 0.2}, {"ctl", 0.2}, {"steep_tethered", 0.15}, {"cable_running", 0.15},
              {"cable_running_fncy12", 0.05}, {"cable_highlead_tn147", 0.03}, {"cable_running_tr122_extended", 0.02},
              {"cable_running_tr122_shelterwood", 0.02}, {"cable_running_tr122_clearcut", 0.02},
              {"cable_micro_ecologger", 0.05}, {"cable_micro_gabriel", 0.05}, {"cable_micro_christie", 0.05},
              {"cable_micro_teletransporteur", 0.05}, {"cable_micro_timbermaster", 0.05}, {"cable_micro_hi_skid", 0.05},
              {"cable_running_sr54", 0.02}, {"cable_running_tr75_bunched", 0.02}, {"cable_running_tr75_handfelled", 0.02},
              {"cable_standing_tr125_strip", 0.02}, {"cable_partial_tr127_block1", 0.02},
              {"cable_partial_tr127_block5", 0.02}});
}

inline std::vector<system_weight> large_mix() {
  return mix({{"ground_fb_skid", 0.18}, {"ctl", 0.18}, {"steep_tethered", 0.12}, {"cable_running", 0.1},
              {"cable_running_adv5n28_clearcut", 0.04}, {"cable_running_adv5n28_shelterwood", 0.04},
              {"cable_running_fncy12", 0.05}, {"cable_highlead_tn147", 0.02}, {"cable_running_tr122_extended", 0.02},
              {"cable_running_tr122_shelterwood", 0.02}, {"cable_running_tr122_clearcut", 0.02},
              {"cable_micro_ecologger", 0.05}, {"cable_micro_gabriel", 0.05}, {"cable_micro_christie", 0.05},
              {"cable_micro_teletransporteur", 0.05}, {"cable_micro_timbermaster", 0.05}, {"cable_micro_hi_skid", 0.05},
              {"cable_running_sr54", 0.02}, {"cable_running_tr75_bunched", 0.02}, {"cable_running_tr75_handfelled", 0.02},
              {"cable_standing_tr125_single", 0.02}, {"cable_standing_tr125_strip", 0.02},
              {"cable_partial_tr127_block1", 0.01}, {"cable_partial_tr127_block5", 0.01}});
}

inline void large_flavour(synth_parameters& p) {
  p.terrain_pool = {"steep", "mixed", "snow"};
  p.terrain_weights = {0.35, 0.4, 0.25};
  p.prescription_pool = {"clearcut", "variable_retention"};
  p.prescription_weights = {0.5, 0.5};
  p.crew_pool = {"crew-1", "crew-2", "crew-3", "crew-4"};
  p.capability_pool = {"harvester", "forwarder", "processor", "grader"};
  p.crew_capability_span = {2, 3};
  p.system_mix = large_mix();
}

}  // namespace detail

/// The parameters of a tier (the reference's TIER_PRESETS and TIER_DEFAULTS for small, medium,
/// large and custom; our own scaling tiers xl and xxl). Throws std::invalid_argument naming the
/// tiers for an unknown name (synth_parameter_error, key `tier`).
inline synth_parameters synth_tier(std::string_view tier) {
  synth_parameters p;
  p.tier = std::string(tier);
  const auto size = [&p](long long b, long long d, long long m, long long l) {
    p.blocks = {b, b};
    p.days = {d, d};
    p.machines = {m, m};
    p.landings = {l, l};
  };
  if (tier == "small") {
    p.seed = 101;
    size(4, 6, 2, 1);
    p.terrain_pool = {"gentle", "mixed"};
    p.terrain_weights = {0.7, 0.3};
    p.prescription_pool = {"thinning", "selection"};
    p.prescription_weights = {0.6, 0.4};
    p.crew_capability_span = {1, 1};
    p.blackout_probability = 0.0;
    p.blackout_duration = {1, 1};
    p.system_mix = detail::small_mix();
  } else if (tier == "medium") {
    p.seed = 202;
    size(8, 12, 4, 2);
    p.terrain_pool = {"rolling", "mixed", "steep"};
    p.terrain_weights = {0.2, 0.6, 0.2};
    p.prescription_pool = {"clearcut", "thinning"};
    p.prescription_weights = {0.35, 0.65};
    p.crew_pool = {"crew-1", "crew-2", "crew-3"};
    p.capability_pool = {"harvester", "forwarder", "processor"};
    p.crew_capability_span = {1, 2};
    p.blackout_probability = 0.12;
    p.blackout_duration = {1, 2};
    p.blackout_biases = {{8, 10, 0.35, {1, 2}}};
    p.system_mix = detail::medium_mix();
  } else if (tier == "large") {
    p.seed = 303;
    size(16, 18, 6, 3);
    p.shifts_per_day = 2;
    detail::large_flavour(p);
    p.blackout_probability = 0.2;
    p.blackout_duration = {2, 3};
    p.blackout_biases = {{5, 7, 0.4, {2, 3}}, {12, 14, 0.35, {2, 3}}};
  } else if (tier == "custom") {
    // the dataclass defaults with the CLI's custom sizes (8–12 / 12–16 / 4–6 / 2–3), seed 123
  } else if (tier == "xl" || tier == "xxl") {
    const bool xl = tier == "xl";
    p.seed = xl ? 404 : 505;
    if (xl) size(200, 120, 40, 20);
    else size(1000, 365, 150, 80);
    p.shifts_per_day = 2;
    detail::large_flavour(p);
    p.blackout_probability = 0.03;
    p.blackout_duration = {1, 3};
    p.blackout_biases = {xl ? blackout_bias{60, 75, 0.15, {2, 4}} : blackout_bias{180, 240, 0.12, {2, 4}}};
    // Enough work to load about 60 % of the machine-slots, so the scaling tiers are not trivial.
    p.work_required = xl ? real_range{150, 450} : real_range{400, 1200};
    p.mobilisation = true;
    p.weights = objective_weights{1.0, 0.2, 0.0, 0.0};
    p.locks = xl ? 20 : 100;
  } else {
    std::string list;
    for (const auto& t : synth_tier_names()) list += (list.empty() ? "" : ", ") + t;
    throw synth_parameter_error("tier", "must be one of " + list + " (got '" + excerpt(tier) + "')");
  }
  return p;
}

namespace detail {

inline std::string show(double v) { return python_float_repr(v); }
inline std::string show(long long v) { return std::to_string(v); }
inline std::string show(const int_range& r) { return r.lo == r.hi ? std::to_string(r.lo) : fmt::format("[{}, {}]", r.lo, r.hi); }
inline std::string show(const real_range& r) { return r.lo == r.hi ? show(r.lo) : "[" + show(r.lo) + ", " + show(r.hi) + "]"; }

class synth_checker {
public:
  [[noreturn]] void fail(std::string_view key, const std::string& rule, const std::string& got) const {
    throw synth_parameter_error(std::string(key), rule + " (got " + got + ")");
  }
  void real(std::string_view key, double v, double lo, double hi, const std::string& domain) const {
    if (!(v >= lo && v <= hi)) fail(key, "must be " + domain, show(v));
  }
  void probability(std::string_view key, double v) const { real(key, v, 0.0, 1.0, "a probability in [0, 1]"); }
  void count(std::string_view key, const int_range& r, long long lo, long long hi) const {
    if (r.lo > r.hi) fail(key, "the range's lower bound must not exceed its upper bound", show(r));
    if (r.lo < lo || r.hi > hi) fail(key, fmt::format("must lie within {}..{}", lo, hi), show(r));
  }
  // The default upper bound is the loader's limit, so every generated bundle loads.
  void range(std::string_view key, const real_range& r, double lo, bool lo_open, double hi = scenario_number_limit) const {
    if (!std::isfinite(r.lo) || !std::isfinite(r.hi)) fail(key, "must be finite numbers", show(r));
    if (r.lo > r.hi) fail(key, "the range's lower bound must not exceed its upper bound", show(r));
    if (lo_open ? !(r.lo > lo) : !(r.lo >= lo)) fail(key, "must be " + std::string(lo_open ? "> " : ">= ") + show(lo), show(r));
    if (r.hi > hi) fail(key, "must be <= " + show(hi), show(r));
  }
  void pool(std::string_view key, const std::vector<std::string>& values, const std::vector<double>* weights,
            std::string_view weights_key) const {
    if (values.empty()) fail(key, "must name at least one value", "an empty list");
    for (const auto& v : values)
      if (v.empty() || v.find_first_of(",\"\n\r") != std::string::npos) fail(key, "values must be non-empty, without commas or quotes", "'" + excerpt(v) + "'");
    if (!weights || weights->empty()) return;
    if (weights->size() != values.size())
      fail(weights_key, fmt::format("must give one weight per value of {} ({})", key, values.size()),
           fmt::format("{} weights", weights->size()));
    double total = 0;
    for (double w : *weights) {
      if (!(w >= 0) || !std::isfinite(w)) fail(weights_key, "weights must be finite and >= 0", show(w));
      total += w;
    }
    if (!(total > 0)) fail(weights_key, "at least one weight must be positive", "all zero");
  }
};

}  // namespace detail

/// Checks every parameter; throws synth_parameter_error naming the parameter, its domain and the
/// value. Generation calls it first.
inline void validate_synth_parameters(const synth_parameters& p) {
  const detail::synth_checker c;
  bool known_tier = false;
  for (const auto& t : synth_tier_names()) known_tier = known_tier || t == p.tier;
  if (!known_tier) c.fail("tier", "must be one of small, medium, large, custom, xl, xxl", "'" + excerpt(p.tier) + "'");
  if (p.name.find_first_of("\n\r") != std::string::npos) c.fail("name", "must be one line", "a line break");
  c.count("blocks", p.blocks, 1, 100000);
  c.count("days", p.days, 1, 100000);
  c.count("machines", p.machines, 1, 10000);
  c.count("landings", p.landings, 1, 100000);
  if (p.landings.hi > p.blocks.lo)
    c.fail("landings", fmt::format("must not exceed the number of blocks (blocks can be as few as {}), so every landing serves a block", p.blocks.lo),
           detail::show(p.landings));
  if (p.shifts_per_day < 1 || p.shifts_per_day > 24) c.fail("shifts_per_day", "must lie within 1..24", std::to_string(p.shifts_per_day));
  c.range("shift_hours", p.shift_hours, 0.0, true, 24.0);
  if (p.shifts_per_day * p.shift_hours.hi > 24.0)
    c.fail("shift_hours", fmt::format("times shifts_per_day ({}) must fit in 24 h", p.shifts_per_day), detail::show(p.shift_hours));
  c.real("machine_daily_hours", p.machine_daily_hours, 0.0, 24.0, "within [0, 24]");
  c.probability("availability_probability", p.availability_probability);
  c.probability("blackout_probability", p.blackout_probability);
  c.count("blackout_duration", p.blackout_duration, 1, 100000);
  for (std::size_t i = 0; i < p.blackout_biases.size(); ++i) {
    const auto& b = p.blackout_biases[i];
    const std::string k = "blackout_biases[" + std::to_string(i) + "]";
    if (b.start_day < 1) c.fail(k + ".start_day", "must be >= 1", std::to_string(b.start_day));
    if (b.end_day < b.start_day) c.fail(k + ".end_day", "must be >= start_day", std::to_string(b.end_day));
    c.probability(k + ".probability", b.probability);
    c.count(k + ".duration", b.duration, 1, 100000);
  }
  c.count("landing_capacity", p.landing_capacity, 1, 1000);
  c.range("work_required", p.work_required, 0.0, false);
  c.range("production_rate", p.production_rate, 0.0, false);
  c.range("operating_cost", p.operating_cost, 0.0, false);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < p.system_mix.size(); ++i) {
    const auto& s = p.system_mix[i];
    const std::string k = "system_mix." + s.system_id;
    if (!find_system(default_system_registry(), s.system_id))
      c.fail("system_mix", "names a system that is not in the built-in registry", "'" + excerpt(s.system_id) + "'");
    if (!seen.insert(s.system_id).second) c.fail("system_mix", "names a system twice", "'" + excerpt(s.system_id) + "'");
    if (!(s.weight >= 0) || !std::isfinite(s.weight)) c.fail(k, "must be a finite weight >= 0", detail::show(s.weight));
  }
  for (const auto& r : p.role_pool)
    if (!normalize_machine_role(r) || r.find_first_of(",\"\n\r") != std::string::npos)
      c.fail("role_pool", "roles must be non-empty words, without commas or quotes", "'" + excerpt(r) + "'");
  c.pool("terrain_pool", p.terrain_pool, &p.terrain_weights, "terrain_weights");
  c.pool("prescription_pool", p.prescription_pool, &p.prescription_weights, "prescription_weights");
  c.pool("crew_pool", p.crew_pool, nullptr, "");
  c.pool("capability_pool", p.capability_pool, nullptr, "");
  c.count("crew_capability_span", p.crew_capability_span, 1, 1000);
  c.real("area_m", p.area_m, 0.0, 1e8, "within [0, 1e8] metres (0: automatic)");
  c.real("block_radius_m", p.block_radius_m, 0.0, 1e7, "within [0, 1e7] metres");
  c.range("walk_cost_per_meter", p.walk_cost_per_meter, 0.0, false);
  c.range("move_cost_flat", p.move_cost_flat, 0.0, false);
  c.range("walk_threshold_m", p.walk_threshold_m, 0.0, false);
  c.range("setup_cost", p.setup_cost, 0.0, false);
  if (p.weights)
    for (const auto& [v, f] : {std::pair{p.weights->production, "production"}, {p.weights->mobilisation, "mobilisation"},
                               {p.weights->transitions, "transitions"}, {p.weights->landing_slack, "landing_slack"}})
      if (!(v >= 0 && v <= scenario_number_limit)) c.fail(std::string("objective_weights.") + f, "must be a finite weight >= 0 and <= 1e12", detail::show(v));
  if (p.locks < 0 || p.locks > 1000000) c.fail("locks", "must lie within 0..1000000", std::to_string(p.locks));
  // Output size: keep a typo (an extra zero) from filling the disk.
  const double cells = static_cast<double>(p.machines.hi) * static_cast<double>(p.days.hi) * p.shifts_per_day;
  if (cells > 5e7) c.fail("machines", "times days times shifts_per_day must not exceed 50 million machine-slots", detail::show(cells));
  const double pairs = static_cast<double>(p.machines.hi) * static_cast<double>(p.blocks.hi);
  if (pairs > 2e7) c.fail("machines", "times blocks must not exceed 20 million production rates", detail::show(pairs));
  if (p.mobilisation && p.blocks.hi > 5000)
    c.fail("blocks", "must not exceed 5000 with mobilisation (the distance file holds every pair of blocks)", detail::show(p.blocks));
}

/// Reporting-only attributes of a generated block (written as extra blocks.csv columns, which the
/// loader ignores or checks only for sign).
struct synth_block_info {
  double avg_stem_size_m3 = 0, volume_per_ha_m3 = 0, volume_per_ha_m3_sigma = 0;
  double stem_density_per_ha = 0, stem_density_per_ha_sigma = 0, ground_slope_percent = 0;
  std::string terrain, prescription;
  double x_m = 0, y_m = 0;  ///< with mobilisation: position on the plane
};

/// A generated bundle: the scenario exactly as the files describe it (loading the written bundle
/// gives it back), plus the reporting-only data and the resolved parameters.
struct synth_bundle {
  synth_parameters parameters;  ///< as given, with the name filled in
  scenario sc;
  std::vector<synth_block_info> block_info;                  ///< per block
  std::vector<std::pair<double, double>> landing_xy;         ///< per landing, with mobilisation
  std::vector<std::pair<std::string, std::vector<std::string>>> crew_capabilities;  ///< per base crew
  double shift_hours = 0;
};

namespace detail {

// Independent random streams, one per aspect, each seeded with derive_seed(seed, stream): adding
// mobilisation or locks, or changing a reporting-only pool, leaves the other aspects' draws alone.
enum synth_stream : std::uint64_t {
  stream_sizes = 1, stream_blocks, stream_stands, stream_systems, stream_landings, stream_machines,
  stream_calendar, stream_rates, stream_timeline, stream_geometry, stream_moves, stream_locks
};

inline rng stream(const synth_parameters& p, synth_stream s) { return rng(derive_seed(p.seed, s)); }

/// A uniform value in [lo, hi] rounded to `digits` decimals as Python's round() does.
inline double draw(rng& r, const real_range& range, int digits) { return python_round(r.uniform(range.lo, range.hi), digits); }

inline long long draw(rng& r, const int_range& range) { return r.between(range.lo, range.hi); }

/// Index i with probability weights[i] / sum (cumulative walk over a uniform in [0, sum)); uniform
/// when `weights` is empty.
inline std::size_t weighted_index(rng& r, std::size_t n, const std::vector<double>& weights) {
  if (weights.empty()) return static_cast<std::size_t>(r.below(n));
  double total = 0;
  for (double w : weights) total += w;
  const double u = r.uniform01() * total;
  double cum = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0) continue;
    cum += weights[i];
    last = i;
    if (u < cum) return i;
  }
  return last;
}

/// Fisher–Yates with Lemire draws.
template <class T>
void shuffle(rng& r, std::vector<T>& v) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(r.below(i))]);
}

/// Machine roles from the blocks' systems: systems by total work (ties: registry order) give the
/// role order (each system's job roles in chain order, first appearance); every role gets one
/// machine while machines last, then each further machine goes to the role with the most work per
/// machine (D'Hondt). Machines then take the roles round robin, so the chains come early in the
/// machine order (which decides landing priority).
inline std::vector<std::string> machine_roles_from_systems(const std::vector<const harvest_system*>& block_system,
                                                           const std::vector<double>& work, std::size_t machines) {
  const auto& registry = default_system_registry();
  std::vector<double> system_work(registry.size(), 0.0);
  for (std::size_t b = 0; b < block_system.size(); ++b)
    system_work[static_cast<std::size_t>(block_system[b] - registry.data())] += work[b];
  std::vector<std::size_t> order(registry.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return system_work[a] > system_work[b]; });
  std::vector<std::string> roles;
  std::map<std::string, double> demand;
  for (std::size_t s : order) {
    if (system_work[s] <= 0 && std::none_of(block_system.begin(), block_system.end(), [&](auto* p) { return p == &registry[s]; }))
      continue;
    for (const auto& job : registry[s].jobs) {
      const auto r = normalize_machine_role(job.machine_role);
      if (!r) continue;
      if (!demand.count(*r)) roles.push_back(*r);
      demand[*r] += system_work[s];
    }
  }
  std::vector<std::size_t> count(roles.size(), 0);
  for (std::size_t i = 0; i < std::min(machines, roles.size()); ++i) count[i] = 1;
  for (std::size_t k = roles.size(); k < machines; ++k) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < roles.size(); ++i)
      if (demand[roles[i]] / static_cast<double>(count[i] + 1) > demand[roles[best]] / static_cast<double>(count[best] + 1)) best = i;
    ++count[best];
  }
  std::vector<std::string> out;
  for (std::size_t round = 0; out.size() < machines; ++round)
    for (std::size_t i = 0; i < roles.size() && out.size() < machines; ++i)
      if (count[i] > round) out.push_back(roles[i]);
  return out;
}

}  // namespace detail

/// Generates a scenario from the parameters (validated first; synth_parameter_error names the bad
/// one). Deterministic: the same parameters give the same bundle on every machine.
inline synth_bundle generate_synth(synth_parameters params) {
  validate_synth_parameters(params);
  if (params.name.empty()) params.name = "synthetic-" + params.tier;
  using detail::draw;
  synth_bundle out;
  out.parameters = params;
  const synth_parameters& p = out.parameters;
  scenario& sc = out.sc;
  sc.name = p.name;
  sc.start_date = p.start_date;

  rng sizes = detail::stream(p, detail::stream_sizes);
  const auto nb = static_cast<std::size_t>(draw(sizes, p.blocks));
  sc.num_days = static_cast<int>(draw(sizes, p.days));
  const auto nm = static_cast<std::size_t>(draw(sizes, p.machines));
  const auto nl = static_cast<std::size_t>(draw(sizes, p.landings));
  const int D = sc.num_days;

  // Landings and their per-slot capacities.
  rng lr = detail::stream(p, detail::stream_landings);
  for (std::size_t l = 0; l < nl; ++l) sc.landings.push_back({"L" + std::to_string(l + 1), static_cast<int>(draw(lr, p.landing_capacity))});

  // Blocks: every landing serves at least one block, the rest are uniform; then work and window.
  rng br = detail::stream(p, detail::stream_blocks);
  std::vector<std::size_t> landing_of(nb);
  for (std::size_t b = 0; b < nb; ++b) landing_of[b] = b < nl ? b : static_cast<std::size_t>(br.below(nl));
  detail::shuffle(br, landing_of);
  std::vector<double> work(nb);
  for (std::size_t b = 0; b < nb; ++b) {
    block blk;
    blk.id = "B" + std::to_string(b + 1);
    blk.landing_id = sc.landings[landing_of[b]].id;
    blk.work_required = work[b] = draw(br, p.work_required, 3);
    blk.earliest_start = static_cast<int>(br.between(1, D));
    blk.latest_finish = static_cast<int>(br.between(blk.earliest_start, D));
    sc.blocks.push_back(std::move(blk));
  }

  // Reporting-only stand attributes (the Lahrsen 2025 "daily" ranges of the reference).
  rng fr = detail::stream(p, detail::stream_stands);
  for (std::size_t b = 0; b < nb; ++b) {
    synth_block_info info;
    info.terrain = p.terrain_pool[detail::weighted_index(fr, p.terrain_pool.size(), p.terrain_weights)];
    info.prescription = p.prescription_pool[detail::weighted_index(fr, p.prescription_pool.size(), p.prescription_weights)];
    info.avg_stem_size_m3 = draw(fr, {0.09, 1.32}, 3);
    info.volume_per_ha_m3 = draw(fr, {75, 856.2}, 3);
    info.stem_density_per_ha = draw(fr, {205, 3044}, 3);
    info.ground_slope_percent = draw(fr, {1.5, 48.9}, 3);
    info.volume_per_ha_m3_sigma = python_round(std::max(0.2 * info.volume_per_ha_m3, 0.0), 3);
    info.stem_density_per_ha_sigma = python_round(std::max(0.2 * info.stem_density_per_ha, 0.0), 3);
    out.block_info.push_back(std::move(info));
  }

  // Harvest systems: the mix's weights in registry order, or round robin without a (positive) mix.
  const auto& registry = default_system_registry();
  std::vector<double> mix_weights(registry.size(), 0.0);
  for (const auto& s : p.system_mix)
    mix_weights[static_cast<std::size_t>(find_system(registry, s.system_id) - registry.data())] = s.weight;
  const bool weighted = std::any_of(mix_weights.begin(), mix_weights.end(), [](double w) { return w > 0; });
  rng sr = detail::stream(p, detail::stream_systems);
  std::vector<const harvest_system*> block_system(nb);
  for (std::size_t b = 0; b < nb; ++b) {
    block_system[b] = &registry[weighted ? detail::weighted_index(sr, registry.size(), mix_weights) : b % registry.size()];
    sc.blocks[b].harvest_system_id = block_system[b]->id;
    if (block_system[b]->id.find("salvage") != std::string::npos) sc.blocks[b].salvage_processing_mode = "standard_mill";
  }

  // Machines: roles (from the systems, or the role pool as the reference's CSV has them), crews
  // with capabilities per base crew, hours and a reporting-only operating cost.
  const std::vector<std::string> roles = p.role_pool.empty() ? detail::machine_roles_from_systems(block_system, work, nm)
                                                             : std::vector<std::string>{};
  rng mr = detail::stream(p, detail::stream_machines);
  const std::size_t pool = p.capability_pool.size();
  for (const auto& base : p.crew_pool) {
    const auto lo = std::max<long long>(1, std::min<long long>(static_cast<long long>(pool), p.crew_capability_span.lo));
    const auto hi = std::max<long long>(lo, std::min<long long>(static_cast<long long>(pool), p.crew_capability_span.hi));
    const auto k = static_cast<std::size_t>(mr.between(lo, hi));
    std::vector<std::string> caps = p.capability_pool;
    detail::shuffle(mr, caps);
    caps.resize(k);
    std::sort(caps.begin(), caps.end());
    caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
    out.crew_capabilities.emplace_back(base, std::move(caps));
  }
  for (std::size_t i = 0; i < nm; ++i) {
    machine m;
    m.id = "M" + std::to_string(i + 1);
    m.role = p.role_pool.empty() ? roles[i] : *normalize_machine_role(p.role_pool[i % p.role_pool.size()]);
    const std::size_t round = i / p.crew_pool.size();
    m.crew = p.crew_pool[i % p.crew_pool.size()] + (round == 0 ? "" : "-" + std::to_string(round + 1));
    m.daily_hours = p.machine_daily_hours;
    m.operating_cost = draw(mr, p.operating_cost, 2);
    std::string caps;
    for (const auto& c : out.crew_capabilities[i % p.crew_pool.size()].second) caps += (caps.empty() ? "" : ",") + c;
    sc.crew_assignments.push_back({*m.crew, m.id, m.role, "capabilities=" + caps});
    sc.machines.push_back(std::move(m));
  }

  // Machine-day calendar, machine-major, every pair written.
  rng cr = detail::stream(p, detail::stream_calendar);
  for (const auto& m : sc.machines)
    for (int d = 1; d <= D; ++d) sc.calendar.push_back({m.id, d, cr.uniform01() < p.availability_probability ? 1 : 0});

  // Production rates, machine-major, blocks inner.
  rng rr = detail::stream(p, detail::stream_rates);
  for (const auto& m : sc.machines)
    for (const auto& b : sc.blocks) sc.production_rates.push_back({m.id, b.id, draw(rr, p.production_rate, 3)});

  // Timeline: shifts S1..Sk (k slots a day) and blackout windows (the reference's biased walk).
  rng tr = detail::stream(p, detail::stream_timeline);
  out.shift_hours = draw(tr, p.shift_hours, 2);
  timeline_config tl;
  for (int s = 1; s <= p.shifts_per_day; ++s) tl.shifts.push_back({"S" + std::to_string(s), out.shift_hours, 1});
  for (int day = 1; day <= D;) {
    double prob = p.blackout_probability;
    int_range dur = p.blackout_duration;
    for (const auto& bias : p.blackout_biases)
      if (bias.start_day <= day && day <= bias.end_day) {
        prob = std::max(prob, bias.probability);
        dur = bias.duration;
      }
    if (tr.uniform01() < prob) {
      const int len = static_cast<int>(std::max<long long>(1, draw(tr, dur)));
      tl.blackouts.push_back({day, std::min(D, day + len - 1), std::string("synthetic-blackout")});
      day += len;
    } else {
      ++day;
    }
  }
  sc.timeline = std::move(tl);

  // Mobilisation: landings uniform in a square, blocks uniform in a disc around their landing
  // (rejection sampling: no trigonometry, so every libm gives the same bits), Euclidean distances.
  if (p.mobilisation) {
    rng gr = detail::stream(p, detail::stream_geometry);
    const double area = p.area_m > 0 ? p.area_m : python_round(1500.0 * std::sqrt(static_cast<double>(nl)), 0);
    for (std::size_t l = 0; l < nl; ++l) out.landing_xy.emplace_back(draw(gr, {0, area}, 1), draw(gr, {0, area}, 1));
    const double R = p.block_radius_m;
    for (std::size_t b = 0; b < nb; ++b) {
      double dx = 0, dy = 0;
      if (R > 0) do {
          dx = gr.uniform(-R, R);
          dy = gr.uniform(-R, R);
        } while (dx * dx + dy * dy > R * R);
      out.block_info[b].x_m = python_round(out.landing_xy[landing_of[b]].first + dx, 1);
      out.block_info[b].y_m = python_round(out.landing_xy[landing_of[b]].second + dy, 1);
    }
    mobilisation_config mob;
    mob.distance_csv = "data/block_distances.csv";
    rng vr = detail::stream(p, detail::stream_moves);
    for (const auto& m : sc.machines)
      mob.machine_params.push_back({m.id, draw(vr, p.walk_cost_per_meter, 4), draw(vr, p.move_cost_flat, 2),
                                    draw(vr, p.walk_threshold_m, 0), draw(vr, p.setup_cost, 2)});
    for (std::size_t a = 0; a < nb; ++a)
      for (std::size_t b = a + 1; b < nb; ++b) {
        const double dx = out.block_info[a].x_m - out.block_info[b].x_m, dy = out.block_info[a].y_m - out.block_info[b].y_m;
        mob.distances.push_back({sc.blocks[a].id, sc.blocks[b].id, python_round(std::sqrt(dx * dx + dy * dy), 1)});
      }
    sc.mobilisation = std::move(mob);
  }
  if (p.weights) sc.weights = *p.weights;

  // Locks: random (machine, day) pairs where the machine is available and not blacked out in
  // every slot of the day, on a block whose window holds the day, with a positive rate, a role the
  // block allows and no prerequisite for that role; at most `capacity` locks per landing and day.
  if (p.locks > 0) {
    const problem pb(sc);
    rng kr = detail::stream(p, detail::stream_locks);
    std::set<std::pair<std::size_t, int>> taken;
    std::map<std::pair<int, int>, int> landing_use;
    std::vector<std::vector<int>> day_slots(static_cast<std::size_t>(D) + 1);
    for (int t = 0; t < pb.num_slots; ++t) day_slots[static_cast<std::size_t>(pb.slot_day[t])].push_back(t);
    std::vector<locked_assignment> locks;
    std::vector<int> candidates;
    for (long long attempt = 0; attempt < 50LL * p.locks && static_cast<int>(locks.size()) < p.locks; ++attempt) {
      const auto m = static_cast<int>(kr.below(nm));
      const auto d = static_cast<int>(kr.between(1, D));
      if (taken.count({static_cast<std::size_t>(m), d})) continue;
      bool usable = !day_slots[static_cast<std::size_t>(d)].empty();
      for (int t : day_slots[static_cast<std::size_t>(d)]) usable = usable && pb.available[pb.ms(m, t)] && !pb.blacked_out[pb.ms(m, t)];
      if (!usable) continue;
      candidates.clear();
      for (int b = 0; b < pb.num_blocks; ++b) {
        if (d < pb.earliest[b] || d > pb.latest[b] || !(pb.rate[pb.mb(m, b)] > 0) || !pb.role_allowed[pb.mb(m, b)]) continue;
        if (pb.machine_role[m] >= 0) {
          const auto [first, last] = pb.prerequisites(b, pb.machine_role[m]);
          if (first != last) continue;
        }
        const int l = pb.landing_of[b];
        const auto used = landing_use.find({l, d});
        if (used != landing_use.end() && used->second >= pb.landing_capacity[l]) continue;
        candidates.push_back(b);
      }
      if (candidates.empty()) continue;
      const int b = candidates[static_cast<std::size_t>(kr.below(candidates.size()))];
      ++landing_use[{pb.landing_of[b], d}];
      taken.insert({static_cast<std::size_t>(m), d});
      locks.push_back({sc.machines[static_cast<std::size_t>(m)].id, sc.blocks[static_cast<std::size_t>(b)].id, d});
    }
    std::stable_sort(locks.begin(), locks.end(), [&](const locked_assignment& a, const locked_assignment& b) {
      if (a.day != b.day) return a.day < b.day;
      return pb.machine_index(a.machine_id) < pb.machine_index(b.machine_id);
    });
    sc.locked_assignments = std::move(locks);
  }
  return out;
}

}  // namespace fhops::harvest
