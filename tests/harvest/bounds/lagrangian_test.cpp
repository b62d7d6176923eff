// Price-directed rows and the Lagrangian upper bound (lagrangian.hpp), and the price_rebuild
// operator built on them.
#include "../../test_support.hpp"
#include "../brute_force.hpp"

#include <cmath>

#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"

using namespace fhops::harvest;

namespace {

// Two machines, three blocks on two landings (one of capacity 1), five days with a gap in M2's
// calendar; a move costs a setup plus walking or a flat fee: the shared two_landings without B4.
scenario two_machines() {
  scenario sc = fhops_test::two_landings();
  sc.name = "lagrange";
  sc.blocks.pop_back();
  std::erase_if(sc.production_rates, [](const auto& r) { return r.block_id == "B4"; });
  sc.mobilisation->distances.pop_back();
  return sc;
}

}  // namespace

TEST_CASE("priced_row is the best row of a lone machine when no block runs out", "[lagrangian]") {
  // With work that never runs out and zero prices the priced row is the machine's true best row.
  scenario sc = two_machines();
  sc.machines.pop_back();
  sc.production_rates.resize(3);
  sc.calendar.clear();
  for (auto& b : sc.blocks) b.work_required = 1000.0;
  const problem pb(sc);
  const double optimum = fhops_test::brute_force_optimum(pb);
  const std::vector<int> blocks = workable_blocks(pb, 0);
  const std::vector<double> zero(pb.num_blocks, 0.0);
  std::vector<std::int32_t> row(pb.num_slots);
  priced_row_scratch scratch;
  const double value = priced_row(pb, 0, {blocks, zero, {}, {}, {}}, row, scratch);
  CHECK(value == Approx(optimum).epsilon(1e-12));
  schedule plan(pb);
  for (int t = 0; t < pb.num_slots; ++t) plan.at(0, t) = row[t];
  CHECK(evaluate(pb, plan).score == Approx(optimum).epsilon(1e-12));
}

TEST_CASE("the Lagrangian bound is at least the optimum of every small problem", "[lagrangian]") {
  scenario sc = two_machines();
  SECTION("capacity and work bind") {}
  SECTION("a landing of capacity 2") { sc.landings[0].daily_capacity = 2; }
  SECTION("lower production weight, transitions weighed") {
    sc.weights.production = 0.5;
    sc.weights.transitions = 0.3;
  }
  const problem pb(sc);
  const double optimum = fhops_test::brute_force_optimum(pb);
  lagrangian_parameters p;
  p.iterations = 400;
  p.target = optimum;
  const lagrangian_result res = lagrangian_bound(pb, p);
  CHECK(res.bound >= optimum - 1e-9);
  // the prices help: the bound is below the one of zero prices (every machine on its own best row)
  p.iterations = 1;
  CHECK(res.bound < lagrangian_bound(pb, p).bound);
  CHECK(res.block_price.size() == static_cast<std::size_t>(pb.num_blocks));
}

TEST_CASE("the Lagrangian bound is at least the reference optima", "[lagrangian][reference]") {
  if (!fhops_test::have_reference()) return;
  struct known {
    const char* scenario;
    double optimum;
  };
  for (const known k : {known{"minitoy", 45.25}, known{"med42", 262.324}}) {
    INFO(k.scenario);
    const problem pb(load_scenario(fhops_test::reference(std::string("scenarios/") + k.scenario)));
    lagrangian_parameters p;
    p.target = k.optimum;
    const lagrangian_result res = lagrangian_bound(pb, p);
    CHECK(res.bound >= k.optimum - 1e-6);
    CHECK(std::isfinite(res.bound));
  }
}

TEST_CASE("lagrangian_parameters name the bad field", "[lagrangian]") {
  const problem pb(two_machines());
  lagrangian_parameters p;
  p.iterations = 0;
  CHECK_THROWS_WITH(lagrangian_bound(pb, p), Catch::Contains("lagrangian.iterations"));
  p = {};
  p.initial_step = 0.0;
  CHECK_THROWS_WITH(lagrangian_bound(pb, p), Catch::Contains("lagrangian.initial_step"));
  p = {};
  p.halve_after = 0;
  CHECK_THROWS_WITH(lagrangian_bound(pb, p), Catch::Contains("lagrangian.halve_after"));
}

TEST_CASE("price_rebuild proposes real changes and a descent with it improves a small problem", "[operators][price_rebuild]") {
  // The joint rebuild is a heuristic: it improves on the greedy start but need not reach the optimum.
  const problem pb(two_machines());
  const double optimum = fhops_test::brute_force_optimum(pb);
  harvest_neighbourhood nbh(pb);
  const std::size_t op = static_cast<std::size_t>(operator_index("price_rebuild"));
  fhops::rng r(11);
  harvest_move mv;
  incremental_evaluator state(pb);
  state.reset(sanitised(pb, greedy_schedule(pb)));
  const double start = state.score();
  int proposed = 0;
  for (int i = 0; i < 300; ++i) {
    if (!nbh.propose(op, state, r, mv)) continue;
    ++proposed;
    REQUIRE_FALSE(mv.changes.empty());
    for (const auto& c : mv.changes) {
      REQUIRE(c.before == state.plan().at(c.machine, c.slot));
      REQUIRE(c.after != c.before);
    }
    const evaluation e = state.evaluate(mv.changes);
    if (e.score >= state.score()) state.apply(mv.changes);
  }
  CHECK(proposed > 0);
  CHECK(state.score() > start);
  CHECK(state.score() <= optimum);
}

TEST_CASE("--check-delta solves with price_rebuild verify every evaluation", "[solver][delta][price_rebuild]") {
  const problem pb(load_scenario(fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml"));
  for (const auto kind : {solver_kind::sa, solver_kind::tabu}) {
    solve_options o;
    o.kind = kind;
    o.weights = default_tabu_weights;
    o.weights[static_cast<std::size_t>(operator_id::price_rebuild)] = 0.5;
    o.stop = {300, 0.0, 0, std::nullopt};
    o.check_delta = true;
    o.tabu.tenure = 10;
    const solve_outcome out = solve(pb, o);
    CHECK(out.search.operators[static_cast<std::size_t>(operator_id::price_rebuild)].proposals > 0);
  }
}
