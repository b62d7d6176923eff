/// \file
/// The instances of the families benchmark (bench/families_bench.cpp): the scenarios of
/// families.plan.yaml (the `fhops synth` families) and hand-built crews, a family `fhops synth`
/// cannot express (5-on-2-off calendars, breakdowns, day and night shifts, rate-0 pairs, Euclidean
/// walks within a landing and flat moves between, setup-only move costs). The crews are written
/// with the generator's own bundle writer (render_synth_bundle), so every instance is an ordinary
/// bundle that `fhops validate`, `solve-*` and `evaluate` read. Deterministic: the same
/// parameters give the same bytes.
///
/// Each instance belongs to the `tune` or the `report` split: tune settings on the first, report
/// on the second. A plan entry's split is the prefix of its name (`tune-…`, `report-…`).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/synth/config.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/harvest/synth/writer.hpp"
#include "fhops/util/python_format.hpp"
#include "fhops/util/rng.hpp"

namespace fhops_bench {

namespace fh = fhops::harvest;

/// Parameters of a hand-built crews instance. Machines come in crews of four (feller buncher,
/// grapple skidder, processor, loader), each crew on its own 5-on-2-off rotation.
struct crews_parameters {
  std::string name;
  std::uint64_t seed = 1;
  int blocks = 40, machines = 10, days = 56, shifts = 1, landings = 5;
  int capacity_lo = 1, capacity_hi = 4;     ///< machines per landing and slot
  double rate_zero = 0.22;                  ///< share of machine-block pairs with rate 0
  double window_lo = 0.2, window_hi = 0.8;  ///< a block's window, as a share of the horizon
  double load = 1.7;                        ///< work over what the machines can produce
  double breakdown_probability = 0.02;      ///< a breakdown (1–4 days) starts on a working day
  int blackouts = 2;                        ///< global blackout windows of 1–3 days
  double transitions = 0.75;                ///< objective weight of a block change
  double setup_only_share = 0.25;           ///< machines whose move costs only a setup
};

/// One instance of the benchmark.
struct family_instance {
  std::string name, family, split;  ///< split: tune or report
  fh::synth_bundle bundle;          ///< the scenario as its files describe it
  std::vector<fhops::folder_file> files;  ///< the bundle's files
};

namespace detail {

inline double draw(fhops::rng& r, double lo, double hi, int digits) { return fhops::python_round(r.uniform(lo, hi), digits); }

inline const char* const crew_roles[4] = {"feller_buncher", "grapple_skidder", "processor", "loader"};
inline constexpr double role_rate[4] = {14.0, 10.0, 12.0, 16.0};  ///< mean work per slot by role

inline std::string split_of(const std::string& name) {
  if (name.rfind("tune-", 0) == 0) return "tune";
  if (name.rfind("report-", 0) == 0) return "report";
  throw std::invalid_argument("families: instance '" + name + "' must be named tune-… or report-…");
}

inline std::string family_of(const std::string& name) {
  const auto a = name.find('-'), b = name.find('-', a + 1);
  return name.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

}  // namespace detail

/// Generates a crews instance (see crews_parameters). Throws std::invalid_argument for sizes out
/// of range.
inline fh::synth_bundle generate_crews(const crews_parameters& p) {
  if (p.blocks < p.landings || p.landings < 1 || p.machines < 1 || p.days < 7 || p.shifts < 1 || p.shifts > 2 ||
      p.capacity_lo < 1 || p.capacity_hi < p.capacity_lo)
    throw std::invalid_argument("crews: sizes out of range for '" + p.name + "'");
  using detail::draw;
  const auto stream = [&](std::uint64_t s) { return fhops::rng(fhops::derive_seed(p.seed, s)); };
  fh::synth_bundle g;
  g.parameters = fh::synth_tier("custom");
  g.parameters.name = p.name;
  g.parameters.seed = p.seed;
  fh::scenario& sc = g.sc;
  sc.name = p.name;
  sc.num_days = p.days;
  const int D = p.days;

  // Landings on a grid 3 km apart (jittered), so every move between landings is beyond the walk
  // threshold (a flat move) and every move within one is a walk.
  fhops::rng lr = stream(1);
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(p.landings))));
  for (int l = 0; l < p.landings; ++l) {
    sc.landings.push_back({"L" + std::to_string(l + 1), static_cast<int>(lr.between(p.capacity_lo, p.capacity_hi))});
    g.landing_xy.emplace_back(draw(lr, 0, 300, 1) + 3000.0 * (l % cols), draw(lr, 0, 300, 1) + 3000.0 * (l / cols));
  }

  // Blocks within 500 m of their landing; windows 20–80 % of the horizon.
  fhops::rng br = stream(2);
  constexpr double radius = 500.0;
  for (int b = 0; b < p.blocks; ++b) {
    const int l = b < p.landings ? b : static_cast<int>(br.below(static_cast<std::uint64_t>(p.landings)));
    fh::block blk;
    blk.id = "B" + std::to_string(b + 1);
    blk.landing_id = sc.landings[static_cast<std::size_t>(l)].id;
    blk.harvest_system_id = "";  // no system: roles do not restrict (written as an empty column)
    const int len = std::max(1, static_cast<int>(std::lround(br.uniform(p.window_lo, p.window_hi) * D)));
    blk.earliest_start = static_cast<int>(br.between(1, D - len + 1));
    blk.latest_finish = blk.earliest_start + len - 1;
    double dx = 0, dy = 0;
    do {
      dx = br.uniform(-radius, radius);
      dy = br.uniform(-radius, radius);
    } while (dx * dx + dy * dy > radius * radius);
    fh::synth_block_info info;
    info.terrain = "mixed";
    info.prescription = "clearcut";
    info.x_m = fhops::python_round(g.landing_xy[static_cast<std::size_t>(l)].first + dx, 1);
    info.y_m = fhops::python_round(g.landing_xy[static_cast<std::size_t>(l)].second + dy, 1);
    g.block_info.push_back(info);
    sc.blocks.push_back(std::move(blk));
  }

  // Machines in crews of four roles.
  const int crews = (p.machines + 3) / 4;
  for (int c = 0; c < crews; ++c) g.crew_capabilities.emplace_back("crew-" + std::to_string(c + 1), std::vector<std::string>{"ground"});
  for (int m = 0; m < p.machines; ++m) {
    fh::machine mc;
    mc.id = "M" + std::to_string(m + 1);
    mc.role = detail::crew_roles[m % 4];
    mc.crew = "crew-" + std::to_string(m / 4 + 1);
    mc.daily_hours = 24.0;
    mc.operating_cost = 150.0;
    sc.crew_assignments.push_back({*mc.crew, mc.id, *mc.role, "hand-built crew"});
    sc.machines.push_back(std::move(mc));
  }

  // Calendar: each crew's 5-on-2-off rotation starts on its own weekday; breakdowns of 1–4 days.
  fhops::rng cr = stream(3);
  std::vector<int> crew_phase(static_cast<std::size_t>(crews));
  for (auto& ph : crew_phase) ph = static_cast<int>(cr.below(7));
  std::vector<int> available_days(static_cast<std::size_t>(p.machines), 0);
  for (int m = 0; m < p.machines; ++m) {
    int broken_until = 0;
    for (int d = 1; d <= D; ++d) {
      const bool rest = (d - 1 + crew_phase[static_cast<std::size_t>(m / 4)]) % 7 >= 5;
      if (!rest && d > broken_until && cr.uniform01() < p.breakdown_probability) broken_until = d + static_cast<int>(cr.between(0, 3));
      const int up = !rest && d > broken_until ? 1 : 0;
      available_days[static_cast<std::size_t>(m)] += up;
      sc.calendar.push_back({sc.machines[static_cast<std::size_t>(m)].id, d, up});
    }
  }

  // Timeline: day (and night) shifts, a few global blackouts.
  fhops::rng tr = stream(4);
  fh::timeline_config tl;
  tl.shifts.push_back({"day", 10.0, 1});
  if (p.shifts == 2) tl.shifts.push_back({"night", 9.0, 1});
  int blackout_days = 0;
  for (int k = 0; k < p.blackouts; ++k) {
    const int len = static_cast<int>(tr.between(1, 3));
    const int start = static_cast<int>(tr.between(1, D - len + 1));
    bool overlaps = false;
    for (const auto& b : tl.blackouts) overlaps = overlaps || (start <= b.end_day + 1 && b.start_day <= start + len);
    if (overlaps) continue;
    tl.blackouts.push_back({start, start + len - 1, std::string("weather")});
    blackout_days += len;
  }
  std::sort(tl.blackouts.begin(), tl.blackouts.end(), [](const auto& a, const auto& b) { return a.start_day < b.start_day; });
  sc.timeline = std::move(tl);
  g.shift_hours = 10.0;

  // Rates: about rate_zero of the pairs are 0, the rest spread ±40 % around the role's mean.
  fhops::rng rr = stream(5);
  double capacity = 0.0;  // what the machines could produce over the horizon at their mean rate
  for (int m = 0; m < p.machines; ++m) {
    double sum = 0.0;
    int positive = 0;
    for (int b = 0; b < p.blocks; ++b) {
      const bool zero = rr.uniform01() < p.rate_zero;
      const double r = zero ? 0.0 : draw(rr, 0.6 * detail::role_rate[m % 4], 1.4 * detail::role_rate[m % 4], 3);
      sc.production_rates.push_back({sc.machines[static_cast<std::size_t>(m)].id, sc.blocks[static_cast<std::size_t>(b)].id, r});
      sum += r;
      positive += zero ? 0 : 1;
    }
    const double days = std::max(0, available_days[static_cast<std::size_t>(m)] - blackout_days * 5 / 7);
    if (positive > 0) capacity += sum / positive * days * p.shifts;
  }

  // Work: `load` times the capacity, spread over the blocks with weights 0.5–1.5.
  fhops::rng wr = stream(6);
  std::vector<double> weight(static_cast<std::size_t>(p.blocks));
  double total = 0.0;
  for (auto& w : weight) total += (w = wr.uniform(0.5, 1.5));
  for (int b = 0; b < p.blocks; ++b)
    sc.blocks[static_cast<std::size_t>(b)].work_required =
        std::max(1.0, fhops::python_round(p.load * capacity * weight[static_cast<std::size_t>(b)] / total, 3));

  // Mobilisation: walks (cost per metre) within a landing, a flat move between landings, every
  // move plus a setup; a share of the machines pays the setup only.
  fhops::rng mr = stream(7);
  fh::mobilisation_config mob;
  mob.distance_csv = "data/block_distances.csv";
  for (int m = 0; m < p.machines; ++m) {
    const bool setup_only = mr.uniform01() < p.setup_only_share;
    const double setup = draw(mr, 5, 20, 2);
    mob.machine_params.push_back({sc.machines[static_cast<std::size_t>(m)].id, setup_only ? 0.0 : draw(mr, 0.01, 0.03, 4),
                                  setup_only ? 0.0 : draw(mr, 60, 150, 2), 2 * radius, setup});
  }
  for (int a = 0; a < p.blocks; ++a)
    for (int b = a + 1; b < p.blocks; ++b) {
      const double dx = g.block_info[static_cast<std::size_t>(a)].x_m - g.block_info[static_cast<std::size_t>(b)].x_m;
      const double dy = g.block_info[static_cast<std::size_t>(a)].y_m - g.block_info[static_cast<std::size_t>(b)].y_m;
      mob.distances.push_back({sc.blocks[static_cast<std::size_t>(a)].id, sc.blocks[static_cast<std::size_t>(b)].id,
                               fhops::python_round(std::sqrt(dx * dx + dy * dy), 1)});
    }
  sc.mobilisation = std::move(mob);
  sc.weights = fh::objective_weights{1.0, 1.0, p.transitions, 0.0};
  g.parameters.weights = sc.weights;  // the writer writes objective_weights when parameters carry them
  return g;
}

/// The bundle files of a crews instance: the generator's writer, with the header of scenario.yaml
/// and metadata.yaml saying where the instance comes from (not `fhops synth`).
inline std::vector<fhops::folder_file> render_crews(const crews_parameters& p, const fh::synth_bundle& g) {
  std::vector<fhops::folder_file> files = fh::render_synth_bundle(g);
  const std::string origin = fmt::format(
      "# Generated by bench/families (fhops-cpp): hand-built crews '{}', seed {}; regenerate with\n"
      "# `families_bench --generate-only`.\n",
      p.name, p.seed);
  for (auto& [path, text] : files) {
    if (path == "scenario.yaml") {
      auto body = text.find("\nname: ");  // drop the synth header lines
      text = origin + text.substr(body + 1);
    } else if (path == "metadata.yaml") {
      text = origin + fmt::format(
                          "family: crews\nname: {}\nseed: {}\nblocks: {}\nmachines: {}\ndays: {}\nshifts: {}\nlandings: {}\n"
                          "capacity: [{}, {}]\nrate_zero: {}\nwindow: [{}, {}]\nload: {}\nbreakdown_probability: {}\n"
                          "blackouts: {}\ntransitions: {}\nsetup_only_share: {}\n",
                          p.name, p.seed, p.blocks, p.machines, p.days, p.shifts, p.landings, p.capacity_lo, p.capacity_hi,
                          p.rate_zero, p.window_lo, p.window_hi, p.load, p.breakdown_probability, p.blackouts, p.transitions,
                          p.setup_only_share);
    }
  }
  return files;
}

/// The hand-built crews instances, 40–150 blocks x 10–24 machines x 56–84 days, 5–14 landings.
inline std::vector<crews_parameters> crews_instances() {
  std::vector<crews_parameters> v;
  const auto add = [&v](std::string name, std::uint64_t seed, int b, int m, int d, int s, int l, double transitions) {
    crews_parameters p;
    p.name = std::move(name);
    p.seed = seed;
    p.blocks = b;
    p.machines = m;
    p.days = d;
    p.shifts = s;
    p.landings = l;
    p.transitions = transitions;
    v.push_back(p);
  };
  add("tune-crews-40x10x56", 4101, 40, 10, 56, 1, 5, 0.5);
  add("tune-crews-90x16x70x2", 4102, 90, 16, 70, 2, 10, 1.0);
  add("report-crews-60x12x56x2", 4103, 60, 12, 56, 2, 7, 0.75);
  add("report-crews-120x20x84", 4104, 120, 20, 84, 1, 12, 0.5);
  add("report-crews-150x24x84x2", 4105, 150, 24, 84, 2, 14, 1.0);
  return v;
}

/// Every instance: the plan's entries (generated as `fhops synth batch` would) then the crews.
inline std::vector<family_instance> family_instances(const std::filesystem::path& plan_file) {
  std::vector<family_instance> out;
  const fh::synth_plan plan = fh::read_synth_plan(plan_file);
  for (const auto& e : plan.entries) {
    if (!e.parameters) throw std::invalid_argument("families: plan entry '" + e.name + "' must generate a bundle");
    family_instance fi;
    fi.name = e.name;
    fi.family = detail::family_of(e.name);
    fi.split = detail::split_of(e.name);
    fh::synth_parameters p = *e.parameters;
    p.name = e.name;
    fi.bundle = fh::generate_synth(p);
    fi.files = fh::render_synth_bundle(fi.bundle);
    out.push_back(std::move(fi));
  }
  for (const auto& p : crews_instances()) {
    family_instance fi;
    fi.name = p.name;
    fi.family = "crews";
    fi.split = detail::split_of(p.name);
    fi.bundle = generate_crews(p);
    fi.files = render_crews(p, fi.bundle);
    out.push_back(std::move(fi));
  }
  return out;
}

}  // namespace fhops_bench
