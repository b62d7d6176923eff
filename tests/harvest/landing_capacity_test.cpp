// Soft landing capacity (landing_capacity.hpp): the priced sanitiser and operators keep work over a
// landing's capacity when the objective prices slack and it pays; the reference mode clears it;
// with landing_slack == 0 both modes are the reference's, run for run.
#include "../test_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "brute_force.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/solver.hpp"

using namespace fhops::harvest;

namespace {

// One landing of capacity 1, `machines` machines with rate 5 on every block, blocks of 12 units
// open all `days` days; the objective prices slack at `slack` per unit.
scenario one_landing(int machines, int days, int blocks, double slack) {
  scenario sc;
  sc.name = "one-landing";
  sc.num_days = days;
  sc.landings = {{"L1", 1}};
  for (int b = 1; b <= blocks; ++b) sc.blocks.push_back({fmt::format("B{}", b), "L1", 12.0, 1, {}, {}, {}});
  for (int m = 1; m <= machines; ++m) {
    sc.machines.push_back({fmt::format("M{}", m), {}, {}, 24.0, 0.0, {}});
    for (int b = 1; b <= blocks; ++b) sc.production_rates.push_back({fmt::format("M{}", m), fmt::format("B{}", b), 5.0});
  }
  sc.weights = {1.0, 0.0, 0.0, slack};
  return sc;
}

// A reference or demo scenario with soft capacity: landing_slack set to `slack`, every landing
// capacity 1 so that capacity binds.
problem soft(scenario sc, double slack) {
  sc.weights.landing_slack = slack;
  for (auto& l : sc.landings) l.daily_capacity = 1;
  return problem(sc);
}

scenario demo_scenario() { return load_scenario(fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml"); }

solve_options fixed_run(landing_capacity_mode mode, long long iterations, std::uint64_t seed) {
  solve_options o;
  o.stop.max_iterations = iterations;
  o.seed = seed;
  o.landing_capacity = mode;
  return o;
}

}  // namespace

TEST_CASE("landing capacity modes: names and the keep rule", "[landing_capacity]") {
  CHECK(parse_landing_capacity_mode("priced") == landing_capacity_mode::priced);
  CHECK(parse_landing_capacity_mode("reference") == landing_capacity_mode::reference);
  CHECK(to_string(landing_capacity_mode::reference) == "reference");
  CHECK_THROWS_WITH(parse_landing_capacity_mode("soft", "solve.landing_capacity"),
                    "solve.landing_capacity must be priced or reference (got 'soft')");

  // rate 5, production weight 1: the k-th machine over capacity adds k * slack.
  const problem pb(one_landing(3, 1, 1, 2.0));
  for (const auto mode : {landing_capacity_mode::priced, landing_capacity_mode::reference}) {
    CHECK(keeps_on_landing(pb, mode, 0, 0, 0, 1));  // under capacity
    CHECK(keeps_on_landing(pb, mode, 0, 0, 5, 0));  // capacity 0 = unlimited (quirk Q9)
  }
  CHECK(keeps_on_landing(pb, landing_capacity_mode::priced, 1, 0, 1, 1));   // 2 < 5
  CHECK(keeps_on_landing(pb, landing_capacity_mode::priced, 2, 0, 2, 1));   // 4 < 5
  CHECK_FALSE(keeps_on_landing(pb, landing_capacity_mode::priced, 2, 0, 3, 1));  // 6 >= 5: never pays
  CHECK_FALSE(keeps_on_landing(pb, landing_capacity_mode::reference, 1, 0, 1, 1));
  const problem hard(one_landing(3, 1, 1, 0.0));
  CHECK_FALSE(keeps_on_landing(hard, landing_capacity_mode::priced, 1, 0, 1, 1));  // slack 0: capacity is hard
}

TEST_CASE("the priced sanitiser keeps over-capacity work that pays; the reference mode clears it", "[landing_capacity][sanitise]") {
  for (const double slack : {2.0, 3.0, 0.0}) {
    INFO("landing_slack " << slack);
    const problem pb(one_landing(3, 1, 1, slack));
    schedule all(pb);
    for (int m = 0; m < 3; ++m) all.at(m, 0) = 0;  // three machines on B1, capacity 1
    const schedule priced = sanitised(pb, all, landing_capacity_mode::priced);
    const schedule reference = sanitised(pb, all, landing_capacity_mode::reference);
    // reference: first come in machine order, one machine
    CHECK(reference.assigned_count() == 1);
    CHECK(reference.at(0, 0) == 0);
    // priced: slack 2 keeps all three (excess 1 and 2 cost 2 and 4 < 5), slack 3 keeps two (6 >= 5)
    CHECK(priced.assigned_count() == (slack == 2.0 ? 3u : slack == 3.0 ? 2u : 1u));
    const evaluation e = evaluate(pb, priced);
    CHECK(e.landing_slack == (slack == 2.0 ? 3.0 : slack == 3.0 ? 1.0 : 0.0));
    CHECK(e.penalty_events == 0);
    if (slack > 0.0) CHECK(e.score > evaluate(pb, reference).score);

    // the local sanitiser of the neighbourhood does the same from an empty plan
    for (const auto mode : {landing_capacity_mode::priced, landing_capacity_mode::reference}) {
      harvest_neighbourhood nbh(pb, mode);
      CHECK(nbh.capacity_mode() == mode);
      std::vector<cell_change> raw{{0, 0, 0, 0}, {1, 0, 0, 0}, {2, 0, 0, 0}};
      nbh.sanitise(schedule(pb), raw);
      schedule got(pb);
      for (const auto& c : raw) got.at(c.machine, c.slot) = c.after;
      CHECK(got == (mode == landing_capacity_mode::priced ? priced : reference));
    }
  }
}

TEST_CASE("priced local sanitising equals the priced full sanitiser on soft-capacity scenarios", "[landing_capacity][sanitise]") {
  for (const double slack : {0.5, 2.0, 6.0}) {
    INFO("landing_slack " << slack);
    const problem pb = soft(demo_scenario(), slack);
    for (const auto mode : {landing_capacity_mode::priced, landing_capacity_mode::reference}) {
      harvest_neighbourhood nbh(pb, mode);
      fhops::rng r(7);
      schedule plan = sanitised(pb, greedy_schedule(pb), mode);
      for (int i = 0; i < 3000; ++i) {
        std::vector<cell_change> raw;
        const int n = 1 + static_cast<int>(r.below(6));
        for (int k = 0; k < n; ++k)
          raw.push_back({static_cast<int>(r.below(pb.num_machines)), static_cast<int>(r.below(pb.num_slots)), 0,
                         r.chance(0.2) ? idle : static_cast<std::int32_t>(r.below(pb.num_blocks))});
        schedule written = plan;
        for (const auto& w : raw) written.at(w.machine, w.slot) = w.after;
        nbh.sanitise(plan, raw);
        schedule got = plan;
        for (const auto& c : raw) got.at(c.machine, c.slot) = c.after;
        REQUIRE(got == sanitised(pb, written, mode));
        if (r.chance(0.3)) plan = got;
      }
      // the priced mode lets plans hold slack when it can pay, the reference mode never does
      // (the demo's rates are below 6, so slack at 6 never pays)
      if (mode == landing_capacity_mode::priced && slack < 6.0) CHECK(evaluate(pb, plan).landing_slack > 0.0);
      else CHECK(evaluate(pb, plan).landing_slack == 0.0);
    }
  }
}

TEST_CASE("priced moves are scored exactly and reach slack on soft-capacity scenarios", "[landing_capacity][operators]") {
  std::vector<problem> problems;
  problems.push_back(soft(demo_scenario(), 1.0));
  if (fhops_test::have_reference())
    for (const char* name : {"med42", "synthetic/large"})
      problems.push_back(soft(load_scenario(fhops_test::reference(std::string("scenarios/") + name + "/scenario.yaml")), 3.0));
  for (const problem& pb : problems) {
    harvest_neighbourhood nbh(pb, landing_capacity_mode::priced);
    harvest_space space(pb, /*check_delta=*/true);
    incremental_evaluator state(pb);
    state.reset(sanitised(pb, greedy_schedule(pb)));
    fhops::rng r(11);
    harvest_move mv;
    std::vector<long long> with_slack(operator_count, 0);
    // the cell and run operators and the row DP rebuilds all propose plans with more slack
    constexpr std::array slack_makers{operator_id::move, operator_id::run_fill, operator_id::run_extend, operator_id::row_rebuild,
                                      operator_id::landing_rebuild, operator_id::price_rebuild};
    const auto all_shown = [&] {
      return std::all_of(slack_makers.begin(), slack_makers.end(), [&](operator_id id) { return with_slack[static_cast<std::size_t>(id)] > 0; });
    };
    INFO(pb.name);
    // a random walk: each operator gets ~400 turns, and up to ~1600 until every slack maker has shown it
    // (whether one does within 400 turns depends on where the walk goes)
    for (int i = 0; i < 6000 || (i < 24000 && !all_shown()); ++i) {
      const std::size_t o = i % operator_count;
      if (!nbh.propose(o, state, r, mv)) continue;
      const auto score = space.evaluate(state, mv);  // throws on a delta/full mismatch
      const evaluation e = state.evaluate(mv.changes);
      REQUIRE(e.score == score);
      if (e.landing_slack > state.current().landing_slack) ++with_slack[o];
      if (score >= state.score() || r.chance(0.3)) {
        space.apply(state, mv);
        REQUIRE(sanitised(pb, state.plan()) == state.plan());
      }
    }
    CHECK(space.checks() > 2000);
    for (const auto id : slack_makers) {
      INFO(operator_names[static_cast<std::size_t>(id)]);
      CHECK(with_slack[static_cast<std::size_t>(id)] > 0);
    }
  }
}

TEST_CASE("on a tiny soft-capacity scenario the priced search beats every plan without slack", "[landing_capacity][solver]") {
  // Three machines, one landing of capacity 1, two blocks of 12 units, three days: the hard-
  // capacity optimum works 15 units; with slack at 1 per unit, more machines on the landing pay.
  const problem pb(one_landing(3, 3, 2, 1.0));
  const double no_slack = fhops_test::brute_force_best(pb, [&](const schedule& s) { return evaluate(pb, s).landing_slack == 0.0; });
  const double optimum = fhops_test::brute_force_optimum(pb);
  CHECK(no_slack == 15.0);
  CHECK(optimum == 24.0 - 3.0);  // both blocks done, 24 units, with three units of slack at best
  const solve_outcome priced = solve(pb, fixed_run(landing_capacity_mode::priced, 3000, 42));
  const solve_outcome reference = solve(pb, fixed_run(landing_capacity_mode::reference, 3000, 42));
  CHECK(priced.best.landing_slack > 0.0);
  CHECK(priced.best.score > no_slack);
  CHECK(priced.best.score == optimum);
  CHECK(reference.best.landing_slack == 0.0);
  CHECK(reference.best.score <= no_slack);
  // the exact evaluation of the written plan agrees (what `fhops evaluate` reports)
  CHECK(evaluate(pb, priced.search.best).score == priced.best_score);
}

TEST_CASE("priced search beats the reference mode on a soft-capacity synthetic scenario", "[landing_capacity][solver]") {
  if (!fhops_test::have_reference()) return;
  const problem pb = soft(load_scenario(fhops_test::reference("scenarios/synthetic/large/scenario.yaml")), 2.0);
  const solve_outcome priced = solve(pb, fixed_run(landing_capacity_mode::priced, 4000, 42));
  const solve_outcome reference = solve(pb, fixed_run(landing_capacity_mode::reference, 4000, 42));
  CHECK(reference.best.landing_slack == 0.0);
  CHECK(priced.best.landing_slack > 0.0);
  CHECK(priced.best.score > reference.best.score);
}

TEST_CASE("with landing_slack 0 both modes run identically", "[landing_capacity][solver]") {
  if (!fhops_test::have_reference()) return;
  for (const char* name : {"minitoy", "med42", "synthetic/medium"}) {
    const problem pb(load_scenario(fhops_test::reference(std::string("scenarios/") + name + "/scenario.yaml")));
    REQUIRE(pb.weights.landing_slack == 0.0);
    for (const char* preset : {"fhops-default", "lns", "price", "landings"}) {
      INFO(name << " preset " << preset);
      solve_options priced = fixed_run(landing_capacity_mode::priced, 1500, 7);
      priced.weights = find_preset(preset).weights;
      solve_options reference = priced;
      reference.landing_capacity = landing_capacity_mode::reference;
      const solve_outcome a = solve(pb, priced), b = solve(pb, reference);
      CHECK(a.search.best == b.search.best);
      CHECK(a.best == b.best);
      CHECK(a.search.evaluations == b.search.evaluations);
      CHECK(a.search.accepted == b.search.accepted);
    }
  }
}
