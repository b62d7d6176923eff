// The objective's rules on tiny scenarios built in code (problem_model.md §5, §12.1) and the
// regression bundle with its in-code harvest system.
#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"

using namespace fhops::harvest;

namespace {

// Two machines, one block on a landing of the given capacity, `days` days, rates 2.
scenario two_machine_toy(int capacity, int days = 2) {
  scenario sc;
  sc.name = "toy";
  sc.num_days = days;
  sc.landings = {{"L1", capacity}};
  sc.blocks = {{"B1", "L1", 100.0, 1, {}, {}, {}}, {"B2", "L1", 100.0, 1, {}, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}, {"M2", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 2.0}, {"M2", "B1", 2.0}, {"M1", "B2", 2.0}, {"M2", "B2", 2.0}};
  return sc;
}

}  // namespace

TEST_CASE("transition weight 2 scores 4 - 2*1 (test_schedule_locking)", "[evaluate]") {
  scenario sc = two_machine_toy(2);
  sc.weights.transitions = 2.0;
  const problem pb(sc);
  schedule s(pb);
  s.at(0, 0) = pb.block_index("B1");
  s.at(0, 1) = pb.block_index("B2");
  const evaluation e = evaluate(pb, s);
  CHECK(e.production == 4.0);
  CHECK(e.transitions == 1);
  CHECK(e.mobilisation_cost == 0.0);  // no mobilisation section: transitions only
  CHECK(e.score == 2.0);
}

TEST_CASE("landing slack weight 3, two machines on capacity 1, scores 4 - 3*1", "[evaluate]") {
  scenario sc = two_machine_toy(1, 1);
  sc.weights.landing_slack = 3.0;
  const problem pb(sc);
  schedule s(pb);
  s.at(0, 0) = 0;
  s.at(1, 0) = 0;
  const evaluation e = evaluate(pb, s);
  CHECK(e.landing_slack == 1.0);
  CHECK(e.penalty_events == 0);
  CHECK(e.score == 1.0);
  SECTION("with slack weight 0 the second machine is a 1000 penalty and produces nothing") {
    sc.weights.landing_slack = 0.0;
    const problem hard(sc);
    const evaluation h = evaluate(hard, s);
    CHECK(h.production == 2.0);
    CHECK(h.penalty_events == 1);
    CHECK(h.score == 2.0 - 1000.0);
  }
  SECTION("slack grows 1, 2, 3 for each extra machine (quirk Q8)") {
    scenario three = sc;
    three.machines.push_back({"M3", {}, {}, 24.0, 0.0, {}});
    three.production_rates.push_back({"M3", "B1", 2.0});
    const problem pb3(three);
    schedule s3(pb3);
    for (int m = 0; m < 3; ++m) s3.at(m, 0) = 0;
    CHECK(evaluate(pb3, s3).landing_slack == 3.0);  // 1 + 2
  }
}

TEST_CASE("mobilisation is charged across idle gaps and reset by penalties (quirks Q11, Q12)", "[evaluate]") {
  scenario sc = two_machine_toy(2, 4);
  sc.calendar = {{"M1", 3, 0}};  // M1 unavailable on day 3
  mobilisation_config mob;
  mob.machine_params = {{"M1", 0.01, 100.0, 1000.0, 5.0}};
  mob.distances = {{"B1", "B2", 500.0}};
  sc.mobilisation = mob;
  const problem pb(sc);
  const int b1 = pb.block_index("B1"), b2 = pb.block_index("B2");
  schedule s(pb);
  s.at(0, 0) = b1;  // day 1 B1
  s.at(0, 2) = b2;  // day 3 (unavailable): penalty, prev reset
  s.at(0, 3) = b2;  // day 4 B2: free, prev was reset
  evaluation e = evaluate(pb, s);
  CHECK(e.penalty_events == 1);
  CHECK(e.mobilisation_cost == 0.0);
  CHECK(e.transitions == 0);
  s.at(0, 2) = idle;  // idle gap keeps prev: B1 -> B2 costs 5 + 0.01*500
  e = evaluate(pb, s);
  CHECK(e.mobilisation_cost == 5.0 + 0.01 * 500.0);
  CHECK(e.transitions == 1);
  CHECK(e.score == 4.0 - 10.0);
}

TEST_CASE("locks: an idle locked slot and a mismatching block each cost 1000", "[evaluate]") {
  scenario sc = two_machine_toy(2, 2);
  sc.locked_assignments = {{"M1", "B1", 1}};
  const problem pb(sc);
  schedule s(pb);
  CHECK(evaluate(pb, s).penalty_events == 1);
  s.at(0, 0) = pb.block_index("B2");
  CHECK(evaluate(pb, s).penalty_events == 1);
  s.at(0, 0) = pb.block_index("B1");
  CHECK(evaluate(pb, s).penalty_events == 0);
  CHECK(greedy_schedule(pb).at(0, 0) == pb.block_index("B1"));
  CHECK(sanitised(pb, schedule(pb)).at(0, 0) == pb.block_index("B1"));
}

TEST_CASE("the regression bundle with the feller->processor system", "[evaluate][reference]") {
  if (!fhops_test::have_reference()) return;
  scenario sc = load_scenario(fhops_test::reference("scenarios/regression/regression.yaml"));
  // As test_regression_integration: the ground_sequence system and two mobilisation machines.
  system_registry systems = default_system_registry();
  systems.push_back({"ground_sequence", {{"felling", "feller", {}}, {"processing", "processor", {"felling"}}}});
  mobilisation_config mob;
  mob.machine_params = {{"F1", 0.01, 50.0, 1000.0, 2.0}, {"P1", 0.01, 50.0, 1000.0, 2.0}};
  mob.distances = {{"B1", "B2", 500.0}};
  sc.mobilisation = mob;
  const problem pb(sc, systems);
  REQUIRE(pb.has_sequencing);
  const int f1 = pb.machine_index("F1"), p1 = pb.machine_index("P1");
  const int b1 = pb.block_index("B1"), b2 = pb.block_index("B2");

  SECTION("the baseline reference assignments") {
    schedule s(pb);
    s.at(f1, 0) = b1;
    s.at(p1, 1) = b1;
    s.at(f1, 2) = b2;
    s.at(p1, 3) = b2;
    const evaluation e = evaluate(pb, s);
    // F1 finishes each block alone (shared work pool, quirk Q14); P1 finds nothing left.
    CHECK(e.production == 8.0);
    CHECK(e.penalty_events == 0);
    CHECK(e.transitions == 1);
    CHECK(e.mobilisation_cost == 2.0 + 0.01 * 500.0);
    const kpi_result k = compute_kpis(pb, s);
    CHECK(k.number("sequencing_violation_count") == 0);
    CHECK(k.text("sequencing_violation_breakdown") == "none");
    CHECK(k.number("sequencing_clean_blocks") == 2);
  }
  SECTION("a processor before its feller is a prerequisite penalty that still sets prev") {
    scenario big = sc;
    big.blocks[0].work_required = 10.0;  // F1 leaves work on B1 for P1
    const problem pbig(big, systems);
    schedule s(pbig);
    s.at(p1, 1) = b2;  // day 2: no felling on B2 yet
    s.at(p1, 2) = b1;  // day 3: prev is B2 (quirk Q12), so the move is charged...
    s.at(f1, 0) = b1;  // ...and B1 was felled on day 1, so this one is allowed
    const evaluation e = evaluate(pbig, s);
    CHECK(e.penalty_events == 1);
    CHECK(e.production == 8.0);
    CHECK(e.transitions == 1);
    CHECK(e.mobilisation_cost == 2.0 + 0.01 * 500.0);
    const kpi_result k = compute_kpis(pbig, s);
    CHECK(k.number("sequencing_violation_count") == 1);
    CHECK(k.text("sequencing_violation_breakdown") == "missing_prereq=1");
  }
  SECTION("the SA baseline plan: objective 4, production 4, no mobilisation") {
    schedule s(pb);
    s.at(f1, 0) = b1;
    const evaluation e = evaluate(pb, s);
    CHECK(e.score == 4.0);
    CHECK(e.mobilisation_cost == 0.0);
  }
}

TEST_CASE("roles: a forbidden role is penalised and cleared by the sanitiser", "[evaluate]") {
  scenario sc = two_machine_toy(2, 1);
  sc.machines[0].role = "Single-Grip Harvester";  // normalises to single_grip_harvester
  sc.machines[1].role = "forwarder";
  sc.blocks[0].harvest_system_id = "ctl";  // allowed roles ∩ machine roles = both
  sc.blocks[1].harvest_system_id = "ground_fb_skid";  // no machine role matches: unrestricted
  const problem pb(sc);
  CHECK(pb.role_names == std::vector<std::string>{"single_grip_harvester", "forwarder"});
  CHECK(pb.has_sequencing);  // forwarder needs single_grip_harvester on ctl blocks
  schedule s(pb);
  s.at(1, 0) = 0;  // the forwarder first, before any harvesting on B1
  CHECK(evaluate(pb, s).penalty_events == 1);
  scenario only_forwarders = sc;
  only_forwarders.machines[0].role = "loader";
  const problem pf(only_forwarders);
  schedule f(pf);
  f.at(0, 0) = 0;  // the loader may work ctl blocks (loading); the prerequisite role is absent
  CHECK(evaluate(pf, f).penalty_events == 1);  // loading needs primary_transport (forwarder) first
  scenario grader = sc;
  grader.machines[0].role = "grader";
  const problem pg(grader);
  schedule g(pg);
  g.at(0, 0) = 0;  // a grader on a ctl block: forbidden role
  CHECK(evaluate(pg, g).penalty_events == 1);
  CHECK(sanitised(pg, g).at(0, 0) == idle);
}

TEST_CASE("the evaluator walks slots sorted by shift id, the greedy in construction order (Q15)", "[evaluate][greedy]") {
  scenario sc;
  sc.name = "shifts";
  sc.num_days = 1;
  sc.landings = {{"L1", 1}};
  sc.blocks = {{"B1", "L1", 3.0, 1, {}, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 2.0}};
  timeline_config tl;
  tl.shifts = {{"night", 10.0, 1}, {"day", 10.0, 1}};
  sc.timeline = tl;
  const problem pb(sc);
  REQUIRE(pb.num_slots == 2);
  CHECK(pb.slots[0].shift_id == "night");
  CHECK(pb.eval_order == std::vector<int>{1, 0});  // "day" < "night"
  const schedule g = greedy_schedule(pb);
  CHECK(g.at(0, 0) == 0);  // night first: 2 units, then day gets the remaining 1
  CHECK(g.at(0, 1) == 0);
  CHECK(evaluate(pb, g).production == 3.0);
}
