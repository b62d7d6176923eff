// The tuning benchmark's tables (telemetry_tuning.md §7): tier budgets, plans, budget resolution,
// the --verbose line and the ILS/Tabu seed counter.
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "fhops/harvest/tuner_runs.hpp"
#include "fhops/harvest/tuning_plan.hpp"

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
