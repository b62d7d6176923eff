// The objective against the reference's recorded values (problem_model.md §5.4, §12).
#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"

using namespace fhops::harvest;
using fhops_test::reference;

namespace {

problem load_problem(const std::string& rel) { return problem(load_scenario(reference(rel))); }

}  // namespace

TEST_CASE("minitoy greedy seed scores -4021.5 with the components of §5.4", "[evaluate][reference]") {
  if (!fhops_test::have_reference()) return;
  const problem pb = load_problem("scenarios/minitoy/scenario.yaml");
  const schedule seed = greedy_schedule(pb);
  const evaluation e = evaluate(pb, seed);
  CHECK(e.score == -4021.5);
  CHECK(e.production == 46.0);
  CHECK(e.mobilisation_cost == 135.0);
  CHECK(e.transitions == 2);
  CHECK(e.landing_slack == 0.0);
  CHECK(e.penalty_events == 4);
  // The greedy puts H2 on B3 on days 7-11 and H1 on B3 from day 8 (table of §5.4).
  const int h1 = pb.machine_index("H1"), h2 = pb.machine_index("H2"), b3 = pb.block_index("B3");
  for (int day = 7; day <= 11; ++day) CHECK(seed.at(h2, day - 1) == b3);
  CHECK(seed.at(h1, 2) == idle);  // unavailable on day 3
  for (int day = 12; day <= 14; ++day) CHECK(seed.at(h1, day - 1) == idle);
}

TEST_CASE("MIP assignment fixtures evaluate to the reference scores", "[evaluate][reference]") {
  if (!fhops_test::have_reference()) return;
  SECTION("minitoy: -113.5") {
    const problem pb = load_problem("scenarios/minitoy/scenario.yaml");
    const schedule s = read_assignments_csv(pb, reference("fixtures/minitoy_assignments.csv"));
    CHECK(evaluate(pb, s).score == -113.5);
  }
  SECTION("med42: -1313.187") {
    const problem pb = load_problem("scenarios/med42/scenario.yaml");
    const schedule s = read_assignments_csv(pb, reference("fixtures/med42_assignments.csv"));
    const evaluation e = evaluate(pb, s);
    CHECK(e.score == Approx(-1313.187).margin(5e-4));
    CHECK(fhops::python_round(e.score, 3) == -1313.187);
  }
}

TEST_CASE("greedy seeds of every reference scenario match §12.2", "[evaluate][greedy][reference]") {
  if (!fhops_test::have_reference()) return;
  const std::vector<std::pair<std::string, double>> expected{
      {"minitoy", -4021.5},          {"small21", -3114.874},          {"med42", -84128.926},
      {"large84", -343970.151},      {"synthetic/small", 39.791},     {"synthetic/medium", -3923.978},
      {"synthetic/large", -1830.903}};
  for (const auto& [name, score] : expected) {
    INFO(name);
    const problem pb = load_problem("scenarios/" + name + "/scenario.yaml");
    CHECK(fhops::python_round(evaluate(pb, greedy_schedule(pb)).score, 3) == score);
  }
}
