// The synthetic generator: every tier loads back as generated, determinism, the reference's tier
// parameters, roles that match the systems, shifts, mobilisation, locks, parameter errors, and the
// committed bundles regenerating byte for byte.
#include "../../test_support.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/harvest/synth/config.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/harvest/synth/writer.hpp"

using namespace fhops::harvest;

namespace {

std::string content(const std::vector<fhops::folder_file>& files, const std::string& rel) {
  for (const auto& [p, text] : files)
    if (p == rel) return text;
  FAIL("no file " << rel);
  return {};
}

/// What the loader gives back must be what the generator built (the reference's roles quirk is
/// exactly a mismatch between the two).
void require_same_scenario(const scenario& a, const scenario& b) {
  REQUIRE(a.name == b.name);
  REQUIRE(a.num_days == b.num_days);
  REQUIRE(a.blocks.size() == b.blocks.size());
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    CHECK(a.blocks[i].id == b.blocks[i].id);
    CHECK(a.blocks[i].landing_id == b.blocks[i].landing_id);
    CHECK(a.blocks[i].work_required == b.blocks[i].work_required);
    CHECK(a.blocks[i].earliest_start == b.blocks[i].earliest_start);
    CHECK(a.blocks[i].latest_finish == b.blocks[i].latest_finish);
    CHECK(a.blocks[i].harvest_system_id == b.blocks[i].harvest_system_id);
    CHECK(a.blocks[i].salvage_processing_mode == b.blocks[i].salvage_processing_mode);
  }
  REQUIRE(a.machines.size() == b.machines.size());
  for (std::size_t i = 0; i < a.machines.size(); ++i) {
    CHECK(a.machines[i].id == b.machines[i].id);
    CHECK(a.machines[i].role == b.machines[i].role);
    CHECK(a.machines[i].crew == b.machines[i].crew);
    CHECK(a.machines[i].daily_hours == b.machines[i].daily_hours);
    CHECK(a.machines[i].operating_cost == b.machines[i].operating_cost);
  }
  REQUIRE(a.landings.size() == b.landings.size());
  for (std::size_t i = 0; i < a.landings.size(); ++i) CHECK(a.landings[i].daily_capacity == b.landings[i].daily_capacity);
  REQUIRE(a.calendar.size() == b.calendar.size());
  for (std::size_t i = 0; i < a.calendar.size(); ++i) CHECK(a.calendar[i].available == b.calendar[i].available);
  REQUIRE(a.production_rates.size() == b.production_rates.size());
  for (std::size_t i = 0; i < a.production_rates.size(); ++i) CHECK(a.production_rates[i].rate == b.production_rates[i].rate);
  REQUIRE(a.timeline.has_value() == b.timeline.has_value());
  REQUIRE(a.timeline->shifts.size() == b.timeline->shifts.size());
  for (std::size_t i = 0; i < a.timeline->shifts.size(); ++i) CHECK(a.timeline->shifts[i].hours == b.timeline->shifts[i].hours);
  REQUIRE(a.timeline->blackouts.size() == b.timeline->blackouts.size());
  for (std::size_t i = 0; i < a.timeline->blackouts.size(); ++i) {
    CHECK(a.timeline->blackouts[i].start_day == b.timeline->blackouts[i].start_day);
    CHECK(a.timeline->blackouts[i].end_day == b.timeline->blackouts[i].end_day);
  }
  REQUIRE(a.mobilisation.has_value() == b.mobilisation.has_value());
  if (a.mobilisation) {
    REQUIRE(a.mobilisation->machine_params.size() == b.mobilisation->machine_params.size());
    for (std::size_t i = 0; i < a.mobilisation->machine_params.size(); ++i) {
      CHECK(a.mobilisation->machine_params[i].walk_cost_per_meter == b.mobilisation->machine_params[i].walk_cost_per_meter);
      CHECK(a.mobilisation->machine_params[i].move_cost_flat == b.mobilisation->machine_params[i].move_cost_flat);
      CHECK(a.mobilisation->machine_params[i].walk_threshold_m == b.mobilisation->machine_params[i].walk_threshold_m);
      CHECK(a.mobilisation->machine_params[i].setup_cost == b.mobilisation->machine_params[i].setup_cost);
    }
    REQUIRE(a.mobilisation->distances.size() == b.mobilisation->distances.size());
    for (std::size_t i = 0; i < a.mobilisation->distances.size(); ++i)
      CHECK(a.mobilisation->distances[i].distance_m == b.mobilisation->distances[i].distance_m);
  }
  REQUIRE(a.locked_assignments.size() == b.locked_assignments.size());
  for (std::size_t i = 0; i < a.locked_assignments.size(); ++i) {
    CHECK(a.locked_assignments[i].machine_id == b.locked_assignments[i].machine_id);
    CHECK(a.locked_assignments[i].block_id == b.locked_assignments[i].block_id);
    CHECK(a.locked_assignments[i].day == b.locked_assignments[i].day);
  }
  CHECK(a.weights.production == b.weights.production);
  CHECK(a.weights.mobilisation == b.weights.mobilisation);
  CHECK(a.weights.transitions == b.weights.transitions);
  CHECK(a.weights.landing_slack == b.weights.landing_slack);
  CHECK(a.crew_assignments.size() == b.crew_assignments.size());
}

synth_parameters custom(std::uint64_t seed = 7) {
  synth_parameters p = synth_tier("custom");
  p.seed = seed;
  return p;
}

}  // namespace

TEST_CASE("every tier up to xl writes a bundle the loader reads back as generated", "[synth]") {
  const auto dir = fhops_test::scratch("synth_tiers");
  const std::map<std::string, std::array<int, 5>> sizes{// blocks, days, machines, landings, slots per day
                                                        {"small", {4, 6, 2, 1, 1}},
                                                        {"medium", {8, 12, 4, 2, 1}},
                                                        {"large", {16, 18, 6, 3, 2}},
                                                        {"xl", {200, 120, 40, 20, 2}}};
  for (const std::string tier : {"small", "medium", "large", "custom", "xl"}) {
    INFO("tier " << tier);
    const synth_bundle g = generate_synth(synth_tier(tier));
    write_synth_bundle(dir / tier, g, false);
    const loaded_scenario loaded = load_scenario_with_warnings(dir / tier / "scenario.yaml");
    CHECK(loaded.warnings.empty());
    require_same_scenario(g.sc, loaded.scenario);
    const problem pb(loaded.scenario);
    if (const auto it = sizes.find(tier); it != sizes.end()) {
      const auto [b, d, m, l, k] = it->second;
      CHECK(pb.num_blocks == b);
      CHECK(pb.num_days == d);
      CHECK(pb.num_machines == m);
      CHECK(pb.num_landings == l);
      CHECK(pb.num_slots == d * k);
    } else {  // custom: the reference CLI's ranges
      CHECK((pb.num_blocks >= 8 && pb.num_blocks <= 12));
      CHECK((pb.num_days >= 12 && pb.num_days <= 16));
      CHECK((pb.num_machines >= 4 && pb.num_machines <= 6));
      CHECK((pb.num_landings >= 2 && pb.num_landings <= 3));
    }
    CHECK(g.sc.name == "synthetic-" + tier);
  }
}

TEST_CASE("the same seed gives the same bytes; another seed other data", "[synth]") {
  for (const std::string tier : {"small", "large"}) {
    const auto a = render_synth_bundle(generate_synth(synth_tier(tier)));
    const auto b = render_synth_bundle(generate_synth(synth_tier(tier)));
    CHECK(a == b);
    synth_parameters other = synth_tier(tier);
    other.seed += 1;
    const auto c = render_synth_bundle(generate_synth(other));
    CHECK(content(a, "data/prod_rates.csv") != content(c, "data/prod_rates.csv"));
    CHECK(content(a, "data/blocks.csv") != content(c, "data/blocks.csv"));
    CHECK(content(a, "data/calendar.csv") != content(c, "data/calendar.csv"));
  }
}

TEST_CASE("the reference's tier parameters shape the data (problem_model.md §13)", "[synth]") {
  for (const std::string tier : {"small", "medium", "large"}) {
    INFO("tier " << tier);
    const synth_parameters p = synth_tier(tier);
    const synth_bundle g = generate_synth(p);
    const scenario& sc = g.sc;
    for (const auto& b : sc.blocks) {
      CHECK((b.work_required >= 6 && b.work_required <= 18));
      CHECK(b.work_required == fhops::python_round(b.work_required, 3));
      CHECK((b.earliest_start >= 1 && b.earliest_start <= *b.latest_finish && *b.latest_finish <= sc.num_days));
      REQUIRE(b.harvest_system_id);
      CHECK(std::any_of(p.system_mix.begin(), p.system_mix.end(), [&](const system_weight& w) { return w.system_id == *b.harvest_system_id; }));
    }
    for (const auto& l : sc.landings) CHECK((l.daily_capacity >= 1 && l.daily_capacity <= 3));
    for (const auto& r : sc.production_rates) CHECK((r.rate >= 6 && r.rate <= 18));
    CHECK(sc.calendar.size() == sc.machines.size() * static_cast<std::size_t>(sc.num_days));
    CHECK(sc.production_rates.size() == sc.machines.size() * sc.blocks.size());
    CHECK((g.shift_hours >= 8 && g.shift_hours <= 12));
    CHECK(sc.timeline->shifts.size() == static_cast<std::size_t>(p.shifts_per_day));
    int previous_end = 0;
    for (const auto& w : sc.timeline->blackouts) {
      CHECK(w.start_day > previous_end);
      CHECK(w.end_day >= w.start_day);
      CHECK(w.end_day - w.start_day + 1 <= 3);
      previous_end = w.end_day;
    }
    for (const auto& f : g.block_info) {
      CHECK(std::find(p.terrain_pool.begin(), p.terrain_pool.end(), f.terrain) != p.terrain_pool.end());
      CHECK((f.avg_stem_size_m3 >= 0.09 && f.avg_stem_size_m3 <= 1.32));
      CHECK(f.volume_per_ha_m3_sigma == fhops::python_round(0.2 * f.volume_per_ha_m3, 3));
    }
    CHECK(!sc.mobilisation);
    CHECK(sc.locked_assignments.empty());
  }
  CHECK(generate_synth(synth_tier("small")).sc.timeline->blackouts.empty());  // blackout probability 0
  CHECK(synth_tier("medium").blackout_biases == std::vector<blackout_bias>{{8, 10, 0.35, {1, 2}}});
  CHECK(synth_tier("small").seed == 101);
  CHECK(synth_tier("medium").seed == 202);
  CHECK(synth_tier("large").seed == 303);
  CHECK(synth_tier("custom").seed == 123);
  // The scaling tiers (xxl is generated only by the benchmark, to keep the suite fast).
  const synth_parameters xxl = synth_tier("xxl");
  CHECK_NOTHROW(validate_synth_parameters(xxl));
  CHECK((xxl.blocks == int_range{1000, 1000} && xxl.machines == int_range{150, 150} && xxl.days == int_range{365, 365}));
  CHECK(xxl.shifts_per_day == 2);
  CHECK((xxl.mobilisation && xxl.weights && xxl.locks == 100));
  synth_parameters certain = custom();
  certain.blackout_probability = 1.0;
  certain.blackout_duration = {1, 1};
  const auto all_dark = generate_synth(certain).sc;
  CHECK(all_dark.timeline->blackouts.size() == static_cast<std::size_t>(all_dark.num_days));
  synth_parameters never = custom();
  never.availability_probability = 0.0;
  for (const auto& c : generate_synth(never).sc.calendar) CHECK(c.available == 0);
}

TEST_CASE("machine roles come from the blocks' systems and are what the CSV says", "[synth][roles]") {
  synth_parameters p = custom();
  p.machines = {6, 6};
  p.system_mix = {{"ground_fb_skid", 1.0}};
  const synth_bundle g = generate_synth(p);
  std::vector<std::string> roles;
  for (const auto& m : g.sc.machines) roles.push_back(*m.role);
  // one machine per role of the chain, then the extra machines by work per machine (D'Hondt),
  // taken round robin
  CHECK(roles == std::vector<std::string>{"feller_buncher", "grapple_skidder", "processor", "loader", "feller_buncher",
                                          "grapple_skidder"});
  const problem pb(g.sc);
  CHECK(pb.has_sequencing);
  const int skidder = 1;
  for (int b = 0; b < pb.num_blocks; ++b) {
    CHECK(pb.role_allowed[pb.mb(skidder, b)]);
    const auto [first, last] = pb.prerequisites(b, pb.machine_role[skidder]);
    REQUIRE(last - first == 1);
    CHECK(pb.role_names[*first] == "feller_buncher");
  }

  // The tiers: every machine role is a job role of a system some block uses.
  for (const std::string tier : {"small", "medium", "large", "xl"}) {
    const synth_bundle t = generate_synth(synth_tier(tier));
    std::set<std::string> job_roles;
    for (const auto& b : t.sc.blocks)
      for (const auto& j : find_system(default_system_registry(), *b.harvest_system_id)->jobs)
        job_roles.insert(*normalize_machine_role(j.machine_role));
    for (const auto& m : t.sc.machines) CHECK(job_roles.count(*m.role) == 1);
  }

  // An explicit role pool is cycled over the machines, as the reference's CSV has it.
  p.role_pool = {"Harvester", "forwarder"};
  const synth_bundle pooled = generate_synth(p);
  CHECK(*pooled.sc.machines[0].role == "harvester");
  CHECK(*pooled.sc.machines[3].role == "forwarder");
}

TEST_CASE("several shifts a day give several slots a day", "[synth]") {
  synth_parameters p = custom();
  p.shifts_per_day = 3;
  p.shift_hours = {6, 8};
  const synth_bundle g = generate_synth(p);
  const problem pb(g.sc);
  CHECK(pb.num_slots == 3 * pb.num_days);
  CHECK(pb.slots[1].shift_id == "S2");
  p.shift_hours = {8, 9};
  CHECK_THROWS_WITH(generate_synth(p), Catch::Contains("shift_hours: times shifts_per_day (3) must fit in 24 h"));
}

TEST_CASE("mobilisation: every pair's distance is the Euclidean distance of the coordinates", "[synth][mobilisation]") {
  synth_parameters p = custom();
  p.mobilisation = true;
  p.block_radius_m = 500;
  p.weights = objective_weights{1.0, 0.5, 0.1, 0.0};
  const synth_bundle g = generate_synth(p);
  const std::size_t n = g.sc.blocks.size();
  REQUIRE(g.sc.mobilisation);
  CHECK(g.sc.mobilisation->distances.size() == n * (n - 1) / 2);
  std::size_t k = 0;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b, ++k) {
      const auto& d = g.sc.mobilisation->distances[k];
      CHECK(d.from_block == g.sc.blocks[a].id);
      CHECK(d.to_block == g.sc.blocks[b].id);
      const double dx = g.block_info[a].x_m - g.block_info[b].x_m, dy = g.block_info[a].y_m - g.block_info[b].y_m;
      CHECK(d.distance_m == fhops::python_round(std::sqrt(dx * dx + dy * dy), 1));
    }
  for (std::size_t b = 0; b < n; ++b) {  // within the radius of the block's landing
    const auto l = static_cast<std::size_t>(std::stoi(g.sc.blocks[b].landing_id.substr(1)) - 1);
    const double dx = g.block_info[b].x_m - g.landing_xy[l].first, dy = g.block_info[b].y_m - g.landing_xy[l].second;
    CHECK(std::sqrt(dx * dx + dy * dy) <= 500.0 + 0.1);
  }
  REQUIRE(g.sc.mobilisation->machine_params.size() == g.sc.machines.size());
  for (const auto& m : g.sc.mobilisation->machine_params) {
    CHECK((m.walk_cost_per_meter >= 0.008 && m.walk_cost_per_meter <= 0.015));
    CHECK((m.move_cost_flat >= 30 && m.move_cost_flat <= 60));
    CHECK((m.walk_threshold_m >= 800 && m.walk_threshold_m <= 1200));
    CHECK((m.setup_cost >= 3 && m.setup_cost <= 10));
  }
  const problem pb(g.sc);
  CHECK(pb.has_mobilisation);
  CHECK(pb.weights.mobilisation == 0.5);
  // The other aspects draw from their own streams: switching mobilisation off changes nothing else.
  synth_parameters off = p;
  off.mobilisation = false;
  const synth_bundle h = generate_synth(off);
  CHECK(render_synth_bundle(h)[5] == render_synth_bundle(g)[5]);  // data/prod_rates.csv
  CHECK(h.sc.timeline->blackouts.size() == g.sc.timeline->blackouts.size());
}

TEST_CASE("locks are feasible: a plan of just the locked cells has no penalty", "[synth][locks]") {
  synth_parameters p = custom(11);
  p.blocks = {30, 30};
  p.days = {20, 20};
  p.machines = {8, 8};
  p.landings = {4, 4};
  p.shifts_per_day = 2;
  p.locks = 12;
  const synth_bundle g = generate_synth(p);
  CHECK(g.sc.locked_assignments.size() == 12);
  const problem pb(g.sc);
  schedule s(pb);
  for (int m = 0; m < pb.num_machines; ++m)
    for (int t = 0; t < pb.num_slots; ++t) s.at(m, t) = pb.lock[pb.ms(m, t)];
  const evaluation e = evaluate(pb, s);
  CHECK(e.penalty_events == 0);
  CHECK(e.production > 0);
  // the greedy seed places the locks
  const schedule greedy = greedy_schedule(pb);
  for (const auto& l : g.sc.locked_assignments) {
    const int m = pb.machine_index(l.machine_id);
    for (int t = 0; t < pb.num_slots; ++t)
      if (pb.slot_day[t] == l.day) CHECK(greedy.at(m, t) == pb.block_index(l.block_id));
  }
}

TEST_CASE("generated bundles solve: greedy, evaluation and a short SA run", "[synth][solve]") {
  for (const std::string tier : {"small", "medium", "large", "xl"}) {
    INFO("tier " << tier);
    const problem pb(generate_synth(synth_tier(tier)).sc);
    const evaluation seed = evaluate(pb, greedy_schedule(pb));
    CHECK(seed.production > 0);
    solve_options o;
    o.stop = {tier == "xl" ? 3000 : 1000, 0.0, 0, std::nullopt};
    const solve_outcome out = solve(pb, o);
    CHECK(out.best.score >= out.initial.score);
    CHECK(out.best == evaluate(pb, out.search.best));
  }
}

TEST_CASE("parameters out of range name the parameter, the domain and the value", "[synth][errors]") {
  const auto fails = [](auto change, const std::string& key, const std::string& text) {
    synth_parameters p = custom();
    change(p);
    try {
      validate_synth_parameters(p);
      FAIL("accepted, expected an error on " << key);
    } catch (const synth_parameter_error& e) {
      CHECK(e.key() == key);
      CHECK_THAT(e.what(), Catch::Contains(text));
    }
  };
  fails([](auto& p) { p.machines = {0, 0}; }, "machines", "machines: must lie within 1..10000 (got 0)");
  fails([](auto& p) { p.blocks = {12, 8}; }, "blocks", "lower bound must not exceed its upper bound (got [12, 8])");
  fails([](auto& p) { p.landings = {9, 9}; }, "landings", "must not exceed the number of blocks");
  fails([](auto& p) { p.availability_probability = 1.5; }, "availability_probability", "a probability in [0, 1] (got 1.5)");
  fails([](auto& p) { p.blackout_probability = -0.1; }, "blackout_probability", "(got -0.1)");
  fails([](auto& p) { p.blackout_probability = std::nan(""); }, "blackout_probability", "(got nan)");
  fails([](auto& p) { p.blackout_biases = {{3, 2, 0.5, {1, 1}}}; }, "blackout_biases[0].end_day", "must be >= start_day");
  fails([](auto& p) { p.blackout_biases = {{1, 2, 2.0, {1, 1}}}; }, "blackout_biases[0].probability", "probability");
  fails([](auto& p) { p.system_mix = {{"no_such_system", 1.0}}; }, "system_mix", "'no_such_system'");
  fails([](auto& p) { p.system_mix = {{"ctl", -1.0}}; }, "system_mix.ctl", ">= 0");
  fails([](auto& p) { p.terrain_weights = {0.5, 0.5}; }, "terrain_weights", "one weight per value of terrain_pool (1)");
  fails([](auto& p) { p.landing_capacity = {0, 2}; }, "landing_capacity", "1..1000");
  fails([](auto& p) { p.work_required = {-1, 5}; }, "work_required", ">= 0");
  fails([](auto& p) { p.shift_hours = {0, 8}; }, "shift_hours", "> 0");
  fails([](auto& p) { p.weights = objective_weights{1, -1, 0, 0}; }, "objective_weights.mobilisation", ">= 0");
  fails([](auto& p) { p.locks = -1; }, "locks", "0..1000000");
  fails([](auto& p) { p.crew_pool.clear(); }, "crew_pool", "at least one value");
  fails([](auto& p) { p.tier = "huge"; }, "tier", "'huge'");
  fails([](auto& p) { p.machines = {10000, 10000}; p.days = {10000, 10000}; }, "machines", "50 million");
  fails([](auto& p) { p.mobilisation = true; p.blocks = {6000, 6000}; }, "blocks", "5000 with mobilisation");
  CHECK_THROWS_AS(synth_tier("huge"), synth_parameter_error);
  CHECK_NOTHROW(validate_synth_parameters(custom()));
}

TEST_CASE("parameters from text and YAML: ranges, lists, mixes, biases, weights", "[synth][config]") {
  synth_parameters p = custom();
  const auto set = [&p](const char* key, const std::string& text) { set_synth_parameter(p, *find_synth_parameter(key), YAML::Node(text)); };
  set("blocks", "10:20");
  CHECK(p.blocks == int_range{10, 20});
  set("machines", "5");
  CHECK(p.machines == int_range{5, 5});
  set("shift-hours", "7.5:9");
  CHECK(p.shift_hours == real_range{7.5, 9});
  set("terrain_pool", "flat, steep");
  CHECK(p.terrain_pool == std::vector<std::string>{"flat", "steep"});
  set("terrain_weights", "1,3");
  CHECK(p.terrain_weights == std::vector<double>{1, 3});
  set("system_mix", "ctl=0.5,ground_fb_skid=0.25");
  CHECK(p.system_mix == std::vector<system_weight>{{"ctl", 0.5}, {"ground_fb_skid", 0.25}});
  set("blackout_biases", "5:7:0.4:2:3;12:14:0.35:2");
  CHECK(p.blackout_biases == std::vector<blackout_bias>{{5, 7, 0.4, {2, 3}}, {12, 14, 0.35, {2, 2}}});
  set("objective_weights", "production=1,mobilisation=0.25");
  REQUIRE(p.weights);
  CHECK(p.weights->mobilisation == 0.25);
  CHECK(p.weights->transitions == 0.0);
  set("mobilisation", "yes");
  CHECK(p.mobilisation);
  set("seed", "18446744073709551615");
  CHECK(p.seed == 18446744073709551615ULL);
  CHECK_THROWS_WITH(set("blocks", "ten"), "'ten' is not an integer");
  CHECK_THROWS_WITH(set("blocks", "2.5"), "'2.5' is not an integer");
  CHECK_THROWS_WITH(set("seed", "-1"), Catch::Contains("is not a seed"));
  CHECK_THROWS_WITH(set("objective_weights", "speed=1"), Catch::Contains("'speed' is not a weight"));
  CHECK_THROWS_WITH(set("blackout_biases", "5:7"), Catch::Contains("START:END:P:DLO[:DHI]"));

  // A YAML config with flow values and a tier preset; unknown keys are errors naming the line.
  synth_parameters q;
  apply_synth_config(q, YAML::Load("tier: medium\nseed: 9\nblocks: [10, 12]\nsystem_mix: {ctl: 1}\n"
                                   "blackout_biases:\n  - {start_day: 2, end_day: 3, probability: 0.5, duration: [1, 2]}\n"),
                     "cfg.yaml");
  CHECK(q.tier == "medium");
  CHECK(q.seed == 9);
  CHECK(q.blocks == int_range{10, 12});
  CHECK(q.terrain_pool == synth_tier("medium").terrain_pool);
  CHECK(q.blackout_biases == std::vector<blackout_bias>{{2, 3, 0.5, {1, 2}}});
  CHECK_THROWS_WITH(apply_synth_config(q, YAML::Load("machines: 4\nblokcs: 3\n"), "cfg.yaml"),
                    "cfg.yaml:2: column 'blokcs': is not a parameter of the generator (see fhops synth --help)");
  CHECK_THROWS_WITH(apply_synth_config(q, YAML::Load("machines: four\n"), "cfg.yaml"),
                    "cfg.yaml:1: column 'machines': 'four' is not an integer");
}

TEST_CASE("synth configs: days beyond the int range are refused, not wrapped; a repeated key keeps its last value",
          "[synth][config]") {
  synth_parameters p = custom();
  CHECK_THROWS_WITH(set_synth_parameter(p, *find_synth_parameter("blackout_biases"), YAML::Node("5:4294967297:0.4:2")),
                    "'4294967297' is out of range (|value| <= 2147483647)");
  const auto dir = fhops_test::scratch("synth_config_ints");
  fhops_test::write(dir / "cfg.yaml", "blackout_biases:\n  - {start_day: 2, end_day: 4294967297, probability: 0.5, duration: 1}\n");
  CHECK_THROWS_WITH(apply_synth_config(p, read_synth_yaml(dir / "cfg.yaml"), (dir / "cfg.yaml").string()),
                    (dir / "cfg.yaml").string() + ":2: column 'blackout_biases': '4294967297' is out of range (|value| <= 2147483647)");
  fhops_test::write(dir / "dup.yaml", "seed: 1\nblocks: 9\nseed: 7\n");
  apply_synth_config(p, read_synth_yaml(dir / "dup.yaml"), "dup.yaml");
  CHECK(p.seed == 7);
}

TEST_CASE("synth refuses weights and magnitudes the loader would refuse", "[synth][errors]") {
  synth_parameters p = custom();
  p.weights = objective_weights{1e13, 1, 0, 0};
  CHECK_THROWS_WITH(validate_synth_parameters(p), Catch::Contains("objective_weights.production: must be a finite weight >= 0 and <= 1e12"));
  p = custom();
  p.work_required = {1, 1e308};
  CHECK_THROWS_WITH(validate_synth_parameters(p), Catch::Contains("work_required: must be <= 1000000000000.0"));
}

TEST_CASE("metadata.yaml's parameters regenerate the bundle byte for byte", "[synth][config]") {
  for (const std::string tier : {"medium", "xl"}) {
    synth_parameters p = synth_tier(tier);
    if (tier == "medium") {
      p.mobilisation = true;
      p.locks = 3;
      p.start_date = "2026-05-04";
      p.name = "Medium: with \"quotes\"";
    }
    const auto files = render_synth_bundle(generate_synth(p));
    synth_parameters q = synth_tier("small");
    apply_synth_config(q, YAML::Load(content(files, "metadata.yaml")), "metadata.yaml");
    CHECK(render_synth_bundle(generate_synth(q)) == files);
  }
}

TEST_CASE("the committed example bundles and manifests regenerate byte for byte", "[synth][examples]") {
  namespace fs = std::filesystem;
  const fs::path bundles = fhops_test::source_dir() / "examples/bundles";
  std::size_t plans = 0, generated = 0;
  for (const auto& e : fs::directory_iterator(bundles)) {
    if (e.path().string().find(".plan.yaml") == std::string::npos) continue;
    ++plans;
    INFO("plan " << e.path().string());
    const synth_plan plan = read_synth_plan(e.path());
    CHECK(fhops_test::slurp(plan.manifest) == render_synth_manifest(plan));
    for (const auto& entry : plan.entries) {
      CHECK(fs::is_regular_file(entry.out / "scenario.yaml"));
      if (!entry.parameters) continue;
      ++generated;
      const auto files = render_synth_bundle(generate_synth(*entry.parameters));
      std::set<std::string> expected, present;
      for (const auto& [rel, text] : files) {
        INFO(entry.name << ": " << rel);
        expected.insert(rel);
        CHECK(fhops_test::slurp(entry.out / rel) == text);
      }
      for (const auto& f : fs::recursive_directory_iterator(entry.out))
        if (f.is_regular_file()) present.insert(f.path().lexically_relative(entry.out).generic_string());
      CHECK(present == expected);  // no stale files
      CHECK(load_scenario_with_warnings(entry.out).warnings.empty());
    }
  }
  CHECK(plans >= 2);
  CHECK(generated >= 3);
}
