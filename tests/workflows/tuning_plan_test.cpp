// The tuning benchmark's tables (telemetry_tuning.md §7): tier budgets, plans, budget resolution,
// the --verbose line and the ILS/Tabu seed counter; its work units (plan_units.hpp).
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../test_support.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/telemetry/events.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/workflows/plan_units.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning_plan.hpp"

namespace fh = fhops::harvest;

namespace {

using ll = std::vector<long long>;
using sv = std::vector<std::string>;

// runs, iters of a resolved tuner budget
std::pair<long long, long long> ri(const fh::tuner_budget& b) { return {b.runs.value_or(-1), b.iters.value_or(-1)}; }

}  // namespace

TEST_CASE("tier budgets are the reference's TIER_BUDGETS over its module defaults", "[plan]") {
  using P = std::pair<long long, long long>;
  const fh::tier_budget none;
  const auto s = fh::resolve_tier_budget("short", nullptr, none);
  CHECK(ri(s.random) == P{2, 150});
  CHECK(s.grid.iters == 150);
  CHECK(*s.grid.batch_sizes == ll{1, 2});
  CHECK(*s.grid.presets == sv{"balanced", "explore"});
  CHECK(ri(s.bayes) == P{20, 150});
  CHECK(ri(s.ils) == P{2, 200});
  CHECK(s.ils.perturbation_strength == 3);
  CHECK(s.ils.stall_limit == 10);
  CHECK_FALSE(s.ils.hybrid_use_mip);
  CHECK(ri(s.tabu) == P{2, 1200});
  CHECK(s.tabu.stall_limit == 150);
  // seeds come from the module defaults (no tier sets them)
  CHECK(s.random.seed == 123);
  CHECK(s.grid.seed == 123);
  CHECK(s.bayes.seed == 123);
  CHECK(s.ils.seed == 321);
  CHECK(s.tabu.seed == 555);

  const auto m = fh::resolve_tier_budget("medium", nullptr, none);
  CHECK(ri(m.random) == P{3, 300});
  CHECK(m.grid.iters == 300);
  CHECK(ri(m.bayes) == P{40, 300});
  CHECK(ri(m.ils) == P{3, 350});
  CHECK(m.ils.stall_limit == 12);
  CHECK(ri(m.tabu) == P{3, 2000});
  CHECK(m.tabu.stall_limit == 180);

  const auto l = fh::resolve_tier_budget("long", nullptr, none);
  CHECK(ri(l.random) == P{5, 600});
  CHECK(l.grid.iters == 600);
  CHECK(ri(l.bayes) == P{75, 600});
  CHECK(ri(l.ils) == P{5, 700});
  CHECK(l.ils.perturbation_strength == 4);
  CHECK(l.ils.stall_limit == 15);
  CHECK(l.ils.hybrid_use_mip == true);
  CHECK(ri(l.tabu) == P{5, 3000});
  CHECK(l.tabu.stall_limit == 220);

  CHECK_THROWS_AS(fh::tier_default_budget("huge"), std::invalid_argument);
  const auto md = fh::module_default_budget();
  CHECK(ri(md.random) == P{3, 250});
  CHECK(md.grid.iters == 250);
  CHECK(ri(md.bayes) == P{20, 250});
  CHECK(ri(md.ils) == P{2, 250});
  CHECK(ri(md.tabu) == P{2, 1500});
}

TEST_CASE("the three plans carry the reference's bundles, tiers and overrides", "[plan]") {
  using P = std::pair<long long, long long>;
  const fh::tier_budget none;
  const auto& bs = fh::find_benchmark_plan("baseline-smoke");
  CHECK(bs.bundles == sv{"baseline"});
  CHECK(bs.tiers == sv{"short"});
  CHECK(bs.tuners.size() == 5);
  const auto b = fh::resolve_tier_budget("short", &bs, none);
  CHECK(ri(b.random) == P{3, 250});
  CHECK(b.grid.iters == 250);
  CHECK(*b.grid.batch_sizes == ll{1, 2});
  CHECK(*b.grid.presets == sv{"balanced", "explore"});
  CHECK(ri(b.bayes) == P{30, 250});
  CHECK(ri(b.ils) == P{2, 260});
  CHECK(b.ils.perturbation_strength == 3);
  CHECK(b.ils.stall_limit == 10);
  CHECK(ri(b.tabu) == P{2, 1600});
  CHECK(b.tabu.stall_limit == 160);

  const auto& ss = fh::find_benchmark_plan("synthetic-smoke");
  CHECK(ss.bundles == sv{"synthetic"});
  CHECK(ss.tiers == sv{"short"});
  const auto s = fh::resolve_tier_budget("short", &ss, none);
  CHECK(ri(s.random) == P{3, 300});
  CHECK(s.grid.iters == 300);
  CHECK(ri(s.bayes) == P{30, 300});
  CHECK(ri(s.ils) == P{2, 320});
  CHECK(s.ils.stall_limit == 12);
  CHECK(ri(s.tabu) == P{2, 1800});
  CHECK(s.tabu.stall_limit == 180);

  const auto& fs = fh::find_benchmark_plan("full-spectrum");
  CHECK(fs.bundles == sv{"baseline", "synthetic"});
  CHECK(fs.tiers == sv{"short", "medium"});
  const auto fshort = fh::resolve_tier_budget("short", &fs, none);
  CHECK(ri(fshort.random) == P{3, 300});
  CHECK(ri(fshort.tabu) == P{2, 1800});
  const auto fm = fh::resolve_tier_budget("medium", &fs, none);
  CHECK(ri(fm.random) == P{4, 450});
  CHECK(fm.grid.iters == 450);
  CHECK(*fm.grid.presets == sv{"balanced", "explore"});  // from the tier defaults
  CHECK(ri(fm.bayes) == P{45, 450});
  CHECK(ri(fm.ils) == P{3, 520});
  CHECK(fm.ils.stall_limit == 14);
  CHECK(ri(fm.tabu) == P{3, 2200});
  CHECK(fm.tabu.stall_limit == 200);
  // a tier the plan does not override keeps the tier defaults
  CHECK(ri(fh::resolve_tier_budget("long", &fs, none).random) == P{5, 600});

  CHECK_THROWS_WITH(fh::find_benchmark_plan("nightly"), Catch::Contains("unknown plan 'nightly'"));
  CHECK_THROWS_WITH(fh::parse_plan_tuner("lns"), Catch::Contains("unknown tuner 'lns'"));
}

TEST_CASE("budget resolution: tier defaults <- plan all <- plan tier <- flags, a shallow update per tuner", "[plan]") {
  fh::benchmark_plan p{"custom", {"baseline"}, {"short"}, {fh::plan_tuner::ils}, {}, {}};
  p.all.random = {.runs = 7};
  p.all.ils = {.iters = 999, .stall_limit = 1};
  fh::tier_budget short_layer;
  short_layer.random = {.runs = 8, .iters = 88};
  p.by_tier["short"] = short_layer;
  fh::tier_budget flags;
  flags.random = {.iters = 5};
  flags.grid = {.presets = sv{"runs"}};
  const auto b = fh::resolve_tier_budget("short", &p, flags);
  CHECK(b.random.runs == 8);                 // plan tier over plan all
  CHECK(b.random.iters == 5);                // flags over everything
  CHECK(b.ils.iters == 999);                 // plan all over the tier default
  CHECK(b.ils.stall_limit == 1);
  CHECK(b.ils.runs == 2);                    // untouched keys keep the tier default
  CHECK(b.ils.perturbation_strength == 3);
  CHECK(*b.grid.presets == sv{"runs"});
  CHECK(*b.grid.batch_sizes == ll{1, 2});
  const auto m = fh::resolve_tier_budget("medium", &p, flags);
  CHECK(m.random.runs == 7);                 // no medium layer: plan all
  CHECK(m.random.iters == 5);
}

TEST_CASE("the --verbose line prints each tier's budgets as the reference", "[plan]") {
  const auto b = fh::resolve_tier_budget("short", nullptr, {});
  CHECK(fh::plan_verbose_line("short", b, {fh::plan_tuner::random, fh::plan_tuner::grid, fh::plan_tuner::bayes}) ==
        "[tier:short] random(runs=2, iters=150) grid(iters=150, batches=[1, 2], presets=['balanced', 'explore']) bayes(trials=20, iters=150)");
  CHECK(fh::plan_verbose_line("short", b, {fh::plan_tuner::ils, fh::plan_tuner::tabu}) ==
        "[tier:short] random(runs=2, iters=150) grid(iters=150, batches=[1, 2], presets=['balanced', 'explore']) bayes(trials=20, iters=150)"
        " ils(runs=2, iters=200) tabu(runs=2, iters=1200)");
}

TEST_CASE("ILS/Tabu restarts use the reference's seed counter: base + scenario index * max(1, runs) + k", "[plan]") {
  fh::restart_settings s;
  s.runs = 3;
  s.seed_base = 321;
  CHECK(s.seed_of(0, 0) == 321);
  CHECK(s.seed_of(0, 2) == 323);
  CHECK(s.seed_of(1, 0) == 324);
  CHECK(s.seed_of(2, 1) == 328);
  s.runs = 0;
  CHECK(s.seed_of(2, 0) == 323);
}

TEST_CASE("a plan unit runs its restarts or trials and counts them; its counts travel as JSON", "[plan]") {
  const fh::scenario_entry entry{std::filesystem::path(fhops_test::demo()) / "scenario.yaml", "", ""};
  const fh::scenario sc = fh::load_scenario(entry.path);
  const fh::problem pb(sc);
  fh::tier_budget budget = fh::resolve_tier_budget("short", nullptr, fh::tier_budget{});
  budget.ils = {.runs = 3, .iters = 40, .seed = 321};
  budget.grid.iters = 30;
  const fhops::tune::parameter_space grid = fh::preset_grid_space(*budget.grid.batch_sizes, *budget.grid.presets);
  const fh::plan_unit_target target{"short", &budget, &grid, &entry, "demo", &sc, &pb};
  std::vector<std::pair<std::string, fh::solver_kind>> observed;
  const auto steps = [&](const std::string& run_id, fh::solver_kind k) {
    observed.emplace_back(run_id, k);
    return fhops::telemetry::null_observer{};
  };

  const fh::plan_unit_outcome ils = fh::run_plan_unit({0, fh::plan_tuner::ils, 0}, target, steps);
  REQUIRE(ils.records.size() == 3);
  CHECK(ils.runs == 3);
  CHECK(ils.successes == 3);
  CHECK(ils.failures.empty());
  double best = -1e300;
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(ils.records[k].run_id == observed[k].first);
    CHECK(observed[k].second == fh::solver_kind::ils);
    const auto* seed = fhops::telemetry::find(ils.records[k].context, "run_seed");
    REQUIRE(seed);
    CHECK(seed->as_double() == 321.0 + static_cast<double>(k));  // scenario 0: base + k
    best = std::max(best, fhops::telemetry::find(ils.records[k].metrics, "objective")->as_double());
  }
  CHECK(ils.best == best);

  observed.clear();
  const fh::plan_unit_outcome g = fh::run_plan_unit({0, fh::plan_tuner::grid, 0}, target, steps);
  const auto configurations = static_cast<long long>(budget.grid.batch_sizes->size() * budget.grid.presets->size());
  CHECK(g.runs == configurations);
  CHECK(g.records.size() == static_cast<std::size_t>(configurations));
  CHECK(observed.size() == static_cast<std::size_t>(configurations));
  CHECK(std::all_of(observed.begin(), observed.end(), [](const auto& o) { return o.second == fh::solver_kind::sa; }));

  const fh::plan_unit_outcome back = fh::plan_unit_outcome::from_counts(fhops::telemetry::parse_json(ils.counts_json()));
  CHECK(back.runs == ils.runs);
  CHECK(back.successes == ils.successes);
  CHECK(back.best == ils.best);
  CHECK(back.seconds == ils.seconds);
  CHECK(back.records.empty());
  fh::plan_unit_outcome failed;
  failed.runs = 1;
  failed.failures = {"demo ils run 0 failed: boom"};
  const auto failed_back = fh::plan_unit_outcome::from_counts(fhops::telemetry::parse_json(failed.counts_json()));
  CHECK(failed_back.successes == 0);
  CHECK(failed_back.best == failed.best);  // null: no success, -inf again
  CHECK(failed_back.failures == failed.failures);
  CHECK_THROWS_WITH(fh::plan_unit_outcome::from_counts(fhops::telemetry::parse_json(R"({"runs": 1})")),
                    Catch::Contains("no \"successes\""));
}

TEST_CASE("plan tuner summaries: bayes per scenario, random and grid per tier after its last scenario", "[plan]") {
  using fh::plan_tuner;
  const std::vector<std::string> keys{"b:a", "b:c"};
  std::vector<fh::plan_unit> units;
  std::vector<fh::plan_unit_outcome> outcomes;
  const auto add = [&](std::size_t tier, plan_tuner t, std::size_t si, long long successes, double best) {
    units.push_back({tier, t, si});
    fh::plan_unit_outcome o;
    o.runs = 2;
    o.successes = successes;
    if (successes) o.best = best;
    outcomes.push_back(o);
  };
  add(0, plan_tuner::random, 0, 2, 10.0);
  add(0, plan_tuner::random, 1, 0, 0.0);  // no success: left out of the best, not of the order
  add(0, plan_tuner::bayes, 0, 2, 11.0);
  add(0, plan_tuner::bayes, 1, 0, 0.0);   // no success: no bayes summary
  add(0, plan_tuner::ils, 0, 2, 12.0);    // restarts: no summary
  add(1, plan_tuner::random, 0, 1, 20.0);
  add(1, plan_tuner::random, 1, 2, 21.0);
  int stamps = 0;
  const auto summaries = fh::plan_tuner_summaries(units, outcomes, keys, [&] {
    ++stamps;
    return std::pair{"id" + std::to_string(stamps), std::string("t")};
  });
  REQUIRE(summaries.size() == 3);
  CHECK(summaries[0].algorithm == "random");
  CHECK(summaries[0].configurations == 2);
  CHECK(summaries[0].scenario_best == std::vector<std::pair<std::string, double>>{{"b:a", 10.0}});
  CHECK(summaries[1].algorithm == "bayes");
  CHECK(summaries[1].scenario_best == std::vector<std::pair<std::string, double>>{{"b:a", 11.0}});
  CHECK(summaries[2].algorithm == "random");
  CHECK(summaries[2].configurations == 3);
  CHECK(summaries[2].scenario_best == std::vector<std::pair<std::string, double>>{{"b:a", 20.0}, {"b:c", 21.0}});
  CHECK(summaries[2].summary_id == "id3");
}

TEST_CASE("plan_work_units: tier, then the plan's tuners in the reference's order, then scenario; the key holds each tuner's budget",
          "[plan]") {
  const std::vector<fh::scenario_entry> entries{{"a/scenario.yaml", "", ""}, {"b/scenario.yaml", "bund", "b"}};
  const sv keys{"a", "bund:b"};
  const sv tiers{"short", "medium"};
  std::vector<fh::tier_budget> budgets;
  for (const auto& t : tiers) budgets.push_back(fh::resolve_tier_budget(t, nullptr, fh::tier_budget{}));
  const std::vector<fh::plan_tuner> tuners{fh::plan_tuner::tabu, fh::plan_tuner::random};  // given out of order
  const auto [units, plan] = fh::plan_work_units(tiers, budgets, tuners, entries, keys);
  REQUIRE(units.size() == 8);
  std::vector<std::tuple<std::size_t, fh::plan_tuner, std::size_t>> got;
  for (const auto& u : units) got.emplace_back(u.tier, u.tuner, u.scenario);
  const std::vector<std::tuple<std::size_t, fh::plan_tuner, std::size_t>> expected{
      {0, fh::plan_tuner::random, 0}, {0, fh::plan_tuner::random, 1}, {0, fh::plan_tuner::tabu, 0}, {0, fh::plan_tuner::tabu, 1},
      {1, fh::plan_tuner::random, 0}, {1, fh::plan_tuner::random, 1}, {1, fh::plan_tuner::tabu, 0}, {1, fh::plan_tuner::tabu, 1}};
  CHECK(got == expected);
  CHECK(plan.units == 8);
  CHECK(plan.command == "tuning-plan run");
  // Another budget for one tuner is another plan (a --resume against the old store is refused).
  auto other = budgets;
  other[1].tabu.iters = other[1].tabu.iters.value_or(0) + 1;
  CHECK(fh::plan_work_units(tiers, other, tuners, entries, keys).plan.id != plan.id);
  CHECK(fh::plan_work_units(tiers, budgets, tuners, entries, keys).plan.id == plan.id);
  // A budget of a tuner the plan does not run changes nothing.
  auto unused = budgets;
  unused[0].bayes.runs = unused[0].bayes.runs.value_or(0) + 5;
  CHECK(fh::plan_work_units(tiers, unused, tuners, entries, keys).plan.id == plan.id);
}
