// The plan MIP (fhops/harvest/bounds/plan_mip.hpp) solved by cbc: its optimum is brute force's on tiny
// scenarios with move costs, transitions, soft capacity and locks, it re-scores identically, and
// the reference's minitoy and small21 are solved to their optima.
#include "../../test_support.hpp"

#include <cmath>
#include <sstream>

#include "../brute_force.hpp"
#include "fhops/harvest/bounds/plan_mip.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/search/exact/lp_solver.hpp"
#include "fhops/util/rng.hpp"

using namespace fhops::harvest;

namespace {

bool mip_have_cbc() {
  if (fhops::search::cbc_solver{}.available()) return true;
  WARN("skipped: cbc (Debian package coinor-cbc) is not on PATH");
  return false;
}

/// Two machines, three blocks on two landings, four days: small enough to enumerate (4^8 plans).
scenario mip_tiny() {
  scenario sc;
  sc.name = "tiny-mip";
  sc.num_days = 4;
  sc.landings = {{"L1", 1}, {"L2", 2}};
  sc.blocks = {{"B1", "L1", 3.0, 1, 4, {}, {}}, {"B2", "L1", 2.0, 1, 4, {}, {}}, {"B3", "L2", 4.0, 2, 4, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}, {"M2", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 1.5}, {"M1", "B2", 1.0}, {"M1", "B3", 2.0},
                         {"M2", "B1", 2.0}, {"M2", "B2", 1.5}, {"M2", "B3", 1.0}};
  sc.calendar = {{"M2", 3, 0}};
  mobilisation_config mob;
  mob.machine_params = {{"M1", 0.01, 2.0, 100.0, 0.25}, {"M2", 0.02, 1.5, 100.0, 0.5}};
  mob.distances = {{"B1", "B2", 50.0}, {"B1", "B3", 300.0}, {"B2", "B3", 80.0}};
  sc.mobilisation = mob;
  return sc;
}

/// Solves `pb` by cbc and checks the optimum against brute force and the re-scored plan.
/// (`penalties`: the penalty events no plan avoids.)
void check_mip_against_brute_force(const problem& pb, long long penalties = 0) {
  const double best = fhops_test::brute_force_optimum(pb);
  const plan_mip_result r = solve_plan_mip(pb);
  INFO(pb.name << ": brute force " << best << ", MIP " << r.mip_objective << ", re-scored " << r.eval.score);
  REQUIRE(r.optimal);
  CHECK(r.source == "mip");
  CHECK(r.eval.penalty_events == penalties);
  CHECK(r.eval.score == Approx(best).margin(1e-6));
  CHECK(r.mip_objective == Approx(r.eval.score).margin(1e-6));  // the MIP's value is the evaluator's
  CHECK(r.bound == Approx(best).margin(1e-6));
  CHECK(evaluate(pb, r.plan).score == r.eval.score);
}

}  // namespace

TEST_CASE("plan MIP: the optimum of tiny scenarios is brute force's and re-scores identically", "[mip]") {
  if (!mip_have_cbc()) return;
  scenario sc = mip_tiny();
  SECTION("move costs (setup, walk, flat) and transitions") {
    sc.weights = {1.0, 2.0, 0.75, 0.0};
    check_mip_against_brute_force(problem(sc));
  }
  SECTION("expensive moves: idle slots keep the last block, the first assignment is free") {
    sc.weights = {1.0, 6.0, 1.5, 0.0};
    check_mip_against_brute_force(problem(sc));
  }
  SECTION("priced landing slack instead of a hard capacity") {
    sc.weights = {1.0, 1.0, 0.5, 0.3};
    sc.blocks[0].work_required = 6.0;
    check_mip_against_brute_force(problem(sc));
  }
  SECTION("locks: a workable one, one outside the window and one on an unavailable day") {
    sc.weights = {1.0, 2.0, 0.75, 0.0};
    sc.locked_assignments = {{"M1", "B2", 2}, {"M2", "B3", 1}, {"M2", "B1", 3}};
    check_mip_against_brute_force(problem(sc), 1);  // M2 is unavailable on day 3
  }
  SECTION("no move parameters: transitions alone") {
    sc.weights = {1.0, 1.0, 2.0, 0.0};
    sc.mobilisation.reset();
    check_mip_against_brute_force(problem(sc));
  }
}

TEST_CASE("plan MIP: every plan is a MIP solution of the same value (cells fixed)", "[mip]") {
  if (!mip_have_cbc()) return;
  scenario sc = mip_tiny();
  sc.weights = {1.0, 2.0, 0.75, 0.4};
  sc.landings[1].daily_capacity = 1;  // priced slack on L2
  const problem pb(sc);
  // cbc on the model with every x fixed to the plan's cells
  struct fixed_cbc {
    const problem* pb;
    const schedule* plan;
    fhops::search::lp_answer operator()(const std::filesystem::path& model, bool relaxation) const {
      std::string text = fhops_test::slurp(model), fixes;
      std::istringstream in(text.substr(text.find("Binaries")));
      for (std::string v; in >> v;)
        if (const auto cell = plan_mip_cell_of(v))
          fixes += " fix_" + v + ": " + v + (plan->at(cell->machine, pb->eval_order[cell->step]) == cell->block ? " = 1\n" : " = 0\n");
      text.insert(text.find("Subject To\n") + 11, fixes);
      fhops_test::write(model, text);
      return fhops::search::cbc_solver{}(model, relaxation);
    }
  };
  const auto dir = fhops_test::scratch("plan_mip_fixed");
  fhops::rng random(5);
  int tried = 0;
  for (int attempt = 0; attempt < 400 && tried < 8; ++attempt) {
    schedule plan(pb);
    std::vector<double> load(static_cast<std::size_t>(pb.num_blocks), 0.0);
    for (int m = 0; m < pb.num_machines; ++m)
      for (int t = 0; t < pb.num_slots; ++t) {
        const int b = static_cast<int>(random.below(static_cast<std::uint64_t>(pb.num_blocks) + 2)) - 2;  // idle 2 in 5
        if (b < 0 || !can_produce(pb, m, b, t)) continue;
        plan.at(m, t) = b;
        load[static_cast<std::size_t>(b)] += pb.rate[pb.mb(m, b)];
      }
    // only plans the evaluator scores cell by cell: no penalty, no block worked after it is finished
    bool plain = evaluate(pb, plan).penalty_events == 0;
    for (int b = 0; b < pb.num_blocks; ++b) plain = plain && load[static_cast<std::size_t>(b)] <= pb.work[b];
    if (!plain) continue;
    ++tried;
    fixed_cbc solver{&pb, &plan};
    const plan_mip_result r = solve_plan_mip(pb, solver, dir / "fixed.lp");
    INFO("attempt " << attempt);
    REQUIRE(r.incumbent);
    CHECK(r.mip_objective == Approx(evaluate(pb, plan).score).margin(1e-6));
  }
  CHECK(tried >= 4);
  std::filesystem::remove_all(dir);
}

TEST_CASE("plan MIP: the brute-force scenario of the landing tests", "[mip]") {
  if (!mip_have_cbc()) return;
  scenario sc = fhops_test::two_landings();
  sc.weights = {1.0, 1.0, 0.5, 0.0};
  check_mip_against_brute_force(problem(sc));
}

TEST_CASE("plan MIP: minitoy and small21 are solved to their optima", "[mip]") {
  if (!mip_have_cbc() || !fhops_test::have_reference()) return;
  for (const auto& [name, optimum] : {std::pair<const char*, double>{"minitoy", 45.25}, {"small21", 78.09}}) {
    const problem pb(load_scenario(fhops_test::reference(std::string("scenarios/") + name + "/scenario.yaml")));
    const plan_mip_result r = solve_plan_mip(pb, {.seconds = 60.0});
    INFO(name << ": " << r.eval.score << " bound " << r.bound);
    CHECK(r.optimal);
    CHECK(r.eval.score == Approx(optimum).margin(0.005));
    CHECK(r.mip_objective == Approx(r.eval.score).margin(1e-6));
  }
}

TEST_CASE("plan MIP: a solver that gives no plan falls back to the greedy plan", "[mip]") {
  const problem pb(mip_tiny());
  struct failing {
    fhops::search::lp_answer operator()(const std::filesystem::path&, bool) const { throw std::runtime_error("no solution"); }
  } solver;
  const auto dir = fhops_test::scratch("plan_mip_fallback");
  const plan_mip_result r = solve_plan_mip(pb, solver, dir / "m.lp");
  CHECK_FALSE(r.incumbent);
  CHECK(r.source == "greedy");
  CHECK(r.note == "no solution");
  CHECK(r.eval.score == evaluate(pb, greedy_schedule(pb)).score);
  CHECK(r.size.cells > 0);
  CHECK_THROWS_WITH(solve_plan_mip(pb, {.seconds = -1.0}), Catch::Contains("plan_mip_options.seconds"));
  std::filesystem::remove_all(dir);
}
