// The upper bound of every plan (bound.hpp over lagrangian.hpp): valid on tiny problems against
// brute force (every plan scored by the full evaluator), and against the known optima of the
// reference bundles.
#include "../../test_support.hpp"
#include "../brute_force.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "fhops/harvest/bounds/bound.hpp"
#include "fhops/harvest/loader.hpp"

using namespace fhops::harvest;

namespace {

// Two machines, three blocks on two landings (L1 takes one machine per slot), four days; moves
// cost a setup plus walking or a flat fee; every plan has (3 + 1)^8 = 65536 variants.
scenario tiny_bound() {
  scenario sc;
  sc.name = "tiny-bound";
  sc.num_days = 4;
  sc.landings = {{"L1", 1}, {"L2", 2}};
  sc.blocks = {{"B1", "L1", 3.0, 1, 4, {}, {}}, {"B2", "L1", 4.0, 1, 4, {}, {}}, {"B3", "L2", 2.5, 1, 4, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}, {"M2", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 1.5}, {"M1", "B2", 2.0}, {"M1", "B3", 1.0},
                         {"M2", "B1", 2.0}, {"M2", "B2", 1.5}, {"M2", "B3", 1.25}};
  mobilisation_config mob;
  mob.machine_params = {{"M1", 0.01, 2.0, 100.0, 0.25}, {"M2", 0.02, 1.5, 100.0, 0.5}};
  mob.distances = {{"B1", "B2", 50.0}, {"B1", "B3", 300.0}, {"B2", "B3", 80.0}};
  sc.mobilisation = mob;
  sc.weights = {1.0, 1.0, 0.0, 0.0};
  return sc;
}

// The named variants of tiny_bound, one per term of the objective the bound must respect.
std::vector<std::pair<std::string, scenario>> tiny_variants() {
  std::vector<std::pair<std::string, scenario>> v;
  v.emplace_back("hard landing capacity, mobilisation", tiny_bound());
  {
    scenario sc = tiny_bound();
    sc.weights.transitions = 0.4;
    sc.weights.production = 0.8;
    v.emplace_back("transitions weighed", sc);
  }
  {
    scenario sc = tiny_bound();  // a second machine on L1 pays 0.3 instead of a 1000 penalty
    sc.weights.landing_slack = 0.3;
    v.emplace_back("soft landing capacity", sc);
  }
  {
    scenario sc = tiny_bound();  // slack dearer than what the extra machine produces
    sc.weights.landing_slack = 5.0;
    sc.landings[1].daily_capacity = 1;
    v.emplace_back("soft landing capacity, dear slack", sc);
  }
  {
    scenario sc = tiny_bound();
    sc.blocks[1].earliest_start = 2;
    sc.blocks[1].latest_finish = 3;
    sc.blocks[2].earliest_start = 3;
    sc.locked_assignments = {{"M1", "B3", 2}};
    sc.calendar = {{"M2", 3, 0}};
    v.emplace_back("windows, a lock and a day off", sc);
  }
  {
    scenario sc = tiny_bound();
    timeline_config tl;
    tl.blackouts = {{2, 2, {}}};
    sc.timeline = tl;
    v.emplace_back("a blackout", sc);
  }
  {
    // M1 cannot produce on B2 (rate 0), but working it still moves M1: B1 (day 1 only) -> B2 ->
    // B3 (days 3-4) walks (0.25 + 0.5 each) where B1 -> B3 directly pays the flat 40.
    scenario sc = tiny_bound();
    sc.production_rates[0].rate = 3.0;
    sc.production_rates[1].rate = 0.0;
    sc.production_rates[2].rate = 2.0;
    sc.production_rates[5].rate = 0.0;
    sc.blocks[0] = {"B1", "L1", 3.0, 1, 1, {}, {}};
    sc.blocks[2] = {"B3", "L2", 4.0, 3, 4, {}, {}};
    sc.mobilisation->machine_params[0] = {"M1", 0.01, 40.0, 60.0, 0.25};
    sc.mobilisation->distances = {{"B1", "B2", 50.0}, {"B1", "B3", 100.0}, {"B2", "B3", 50.0}};
    v.emplace_back("a zero-rate block as a cheaper way round", sc);
  }
  {
    // A move dearer than a penalty: M1 spends its day off on a block (1000, and its last block is
    // forgotten) and then starts B2 for free instead of paying 5000 to move there.
    scenario sc = tiny_bound();
    sc.mobilisation->machine_params[0] = {"M1", 0.0, 5000.0, 0.0, 0.0};
    sc.blocks[0].work_required = 1500.0;
    sc.blocks[1].work_required = 3000.0;
    sc.production_rates[0].rate = 1500.0;
    sc.production_rates[1].rate = 1500.0;
    sc.calendar = {{"M1", 2, 0}};
    v.emplace_back("a penalty cheaper than a move", sc);
  }
  return v;
}

}  // namespace

TEST_CASE("the bound is at least the score of every plan of tiny problems (brute force)", "[bound]") {
  for (const auto& [name, sc] : tiny_variants()) {
    INFO(name);
    const problem pb(sc);
    const double best = fhops_test::brute_force_optimum(pb);
    const bound_result r = scenario_bound(pb, {.iterations = 400});
    REQUIRE(r.upper_bound);
    CHECK(*r.upper_bound >= best - 1e-9);
    CHECK(r.iterations >= 1);
    CHECK_THAT(r.method, Catch::StartsWith("lagrangian"));
    // the root alone, without branches
    const bound_result root = scenario_bound(pb, {.iterations = 400, .branch_nodes = 0});
    REQUIRE(root.upper_bound);
    CHECK(*root.upper_bound >= best - 1e-9);
    CHECK(*root.upper_bound >= *r.upper_bound - 1e-9);
    CHECK(root.nodes == 0);
    CHECK(root.method == "lagrangian");
    // aimed at the optimum itself, the steps must still stay above it
    const bound_result aimed = scenario_bound(pb, {.iterations = 400, .target = best});
    REQUIRE(aimed.upper_bound);
    CHECK(*aimed.upper_bound >= best - 1e-9);
    // the first step alone (zero prices) is a bound too, and so are short branches
    CHECK(*scenario_bound(pb, {.iterations = 1, .branch_nodes = 0}).upper_bound >= best - 1e-9);
    CHECK(*scenario_bound(pb, {.iterations = 5, .node_iterations = 1}).upper_bound >= best - 1e-9);
  }
}

TEST_CASE("the bound closes on a tiny problem where the relaxation is exact", "[bound]") {
  // One machine, one block: its best row is the plan.
  scenario sc = tiny_bound();
  sc.machines.pop_back();
  sc.blocks.resize(1);
  sc.production_rates = {{"M1", "B1", 1.5}};
  sc.mobilisation.reset();
  const problem pb(sc);
  const bound_result r = scenario_bound(pb, {.iterations = 50});
  REQUIRE(r.upper_bound);
  CHECK(*r.upper_bound == Approx(fhops_test::brute_force_optimum(pb)).margin(1e-6));
}

TEST_CASE("the bound stops at its time limit and keeps the best value found", "[bound]") {
  const problem pb(load_scenario(fhops_test::demo()));
  const bound_result r = scenario_bound(pb, {.iterations = 1'000'000'000, .time_limit = 0.05});
  REQUIRE(r.upper_bound);
  CHECK(r.iterations >= 1);
  CHECK(r.seconds < 5.0);
  if (!r.out_of_time) CHECK(r.iterations < 1'000'000'000);  // only a closed dual stops sooner
  // an expired outer deadline: not one step, no bound
  const fhops::deadline gone(1e-9);
  while (!gone.expired()) {
  }
  const bound_result none = scenario_bound(pb, {.iterations = 10, .target = 0.0}, gone);
  CHECK_FALSE(none.upper_bound);
  CHECK(none.iterations == 0);
  CHECK(none.out_of_time);
}

TEST_CASE("a branch's rows obey its restrictions; a branch no row can obey has no plan", "[bound]") {
  const problem pb(tiny_bound());
  row_restrictions r;
  for (int m = 0; m < pb.num_machines; ++m) r.blocks.push_back(workable_blocks(pb, m));
  r.required.assign(pb.num_machines, -1);
  // M1 must work B3 at least once: its best row at zero prices does (it would rather not)
  r.required[0] = 2;
  const lagrangian_result with = lagrangian_bound(pb, {.iterations = 1}, {}, &r);
  CHECK(std::isfinite(with.bound));
  run_capped_scratch scratch;
  std::vector<std::int32_t> row(pb.num_slots);
  std::vector<double> credited(pb.num_slots);
  const std::vector<double> zero(pb.num_blocks, 0.0);
  run_capped_row(pb, 0, {r.blocks[0], zero, {}, {}, {}, 2}, row, credited, scratch);
  CHECK(std::count(row.begin(), row.end(), 2) >= 1);
  // ... and may not work it: the requirement cannot be met
  std::erase(r.blocks[0], 2);
  CHECK(lagrangian_bound(pb, {.iterations = 5}, {}, &r).bound == -HUGE_VAL);
}

TEST_CASE("bound_parameters and relative_gap", "[bound]") {
  const problem pb(tiny_bound());
  CHECK_THROWS_WITH(scenario_bound(pb, {.iterations = 0}), Catch::Contains("bound.iterations"));
  CHECK_THROWS_WITH(scenario_bound(pb, {.time_limit = -1.0}), Catch::Contains("bound.time_limit"));
  CHECK_THROWS_WITH(scenario_bound(pb, {.time_limit = std::nan("")}), Catch::Contains("bound.time_limit"));
  CHECK_THROWS_WITH(scenario_bound(pb, {.target = HUGE_VAL}), Catch::Contains("bound.target"));
  CHECK_THROWS_WITH(scenario_bound(pb, {.branch_nodes = -1}), Catch::Contains("bound.branch_nodes"));
  CHECK_THROWS_WITH(scenario_bound(pb, {.node_iterations = 0}), Catch::Contains("bound.node_iterations"));
  CHECK(*relative_gap(100.0, 99.0) == Approx(0.01));
  CHECK(*relative_gap(-50.0, -60.0) == Approx(0.2));
  CHECK(*relative_gap(0.0, 0.0) == 0.0);
  CHECK_FALSE(relative_gap(0.0, -1.0));
}

TEST_CASE("the bound is at least the known optima of the reference bundles, within 1 % of most", "[bound][reference]") {
  if (!fhops_test::have_reference()) return;
  struct known {
    const char* scenario;
    double optimum;
    double within;  ///< the largest relative gap expected (see docs/howto/bounds.md)
    int iterations;
  };
  // small21: the root's own gap is 1.78 %, the branches close it; large84 is only checked for
  // validity here (2000 steps take seconds).
  for (const known k : {known{"minitoy", 45.25, 0.01, 2000}, known{"small21", 78.09, 0.01, 2000}, known{"med42", 262.324, 0.01, 2000},
                        known{"synthetic/small", 39.791, 0.01, 2000}, known{"synthetic/medium", 97.033, 0.01, 2000},
                        known{"synthetic/large", 187.553, 0.01, 2000}, known{"large84", 1294.943, 1.0, 100}}) {
    INFO(k.scenario);
    const problem pb(load_scenario(fhops_test::reference(std::string("scenarios/") + k.scenario)));
    const bound_result r = scenario_bound(pb, {.iterations = k.iterations});
    REQUIRE(r.upper_bound);
    CHECK(*r.upper_bound >= k.optimum - 1e-6);
    CHECK(*relative_gap(*r.upper_bound, k.optimum) <= k.within);
  }
}
