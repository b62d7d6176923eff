// The landing decomposition (landing_decomposition.hpp): segment rows, crew search and bounds, and
// decompose_landings against enumeration on a small problem and against the reference optima.
#include "../test_support.hpp"
#include "brute_force.hpp"

#include <cmath>

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/landing_decomposition.hpp"

using namespace fhops::harvest;

namespace {

// Two machines, four blocks on two landings (L1 takes one machine per slot, L2 two), five days, a
// gap in M2's calendar; block work binds, a move costs a setup plus walking or a flat fee.
scenario two_landings() {
  scenario sc;
  sc.name = "landings";
  sc.num_days = 5;
  sc.landings = {{"L1", 1}, {"L2", 2}};
  sc.blocks = {{"B1", "L1", 4.0, 1, 4, {}, {}}, {"B2", "L1", 3.0, 2, 5, {}, {}}, {"B3", "L2", 2.5, 1, 5, {}, {}},
               {"B4", "L2", 5.0, 3, 5, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}, {"M2", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 1.5}, {"M1", "B2", 1.0}, {"M1", "B3", 2.0}, {"M1", "B4", 1.2},
                         {"M2", "B1", 2.0}, {"M2", "B2", 1.5}, {"M2", "B3", 0.5}, {"M2", "B4", 1.8}};
  sc.calendar = {{"M2", 3, 0}};
  mobilisation_config mob;
  mob.machine_params = {{"M1", 0.01, 2.0, 100.0, 0.25}, {"M2", 0.02, 1.5, 100.0, 0.5}};
  mob.distances = {{"B1", "B2", 50.0}, {"B1", "B3", 300.0}, {"B2", "B3", 80.0}, {"B3", "B4", 20.0}};
  sc.mobilisation = mob;
  return sc;
}

// Best score over the plans in which each machine works the blocks of one landing only and no
// landing has more machines than its capacity (or over all plans when `restricted` is false).
double enumerate(const problem& pb, bool restricted) {
  if (!restricted) return fhops_test::brute_force_optimum(pb);
  std::vector<int> home(pb.num_machines), crew(pb.num_landings);
  return fhops_test::brute_force_best(pb, [&](const schedule& s) {
    bool ok = true;
    std::fill(crew.begin(), crew.end(), 0);
    for (int m = 0; m < pb.num_machines && ok; ++m) {
      home[m] = -1;
      for (int t = 0; t < pb.num_slots && ok; ++t)
        if (const int b = s.at(m, t); b >= 0) {
          ok = home[m] < 0 || home[m] == pb.landing_of[b];
          home[m] = pb.landing_of[b];
        }
      if (home[m] >= 0) ok = ok && ++crew[home[m]] <= pb.landing_capacity[home[m]];
    }
    return ok;
  });
}

}  // namespace

TEST_CASE("segment_bound_row bounds a lone machine's rows; segment_row's row scores exactly what it says", "[landing_decomposition]") {
  scenario sc = two_landings();
  sc.machines.pop_back();
  sc.production_rates.resize(4);
  sc.calendar.clear();
  SECTION("as built") {}
  SECTION("little work") {
    for (auto& b : sc.blocks) b.work_required /= 3.0;
  }
  const problem pb(sc);
  const double optimum = enumerate(pb, false);
  std::vector<int> blocks(pb.num_blocks);
  std::iota(blocks.begin(), blocks.end(), 0);
  std::vector<std::int32_t> row(pb.num_slots);
  detail::segment_scratch scratch;
  CHECK(segment_bound_row(pb, 0, blocks, pb.work, row, scratch) >= optimum - 1e-9);
  const double value = segment_row(pb, 0, blocks, pb.work, row, scratch);
  schedule plan(pb);
  for (int t = 0; t < pb.num_slots; ++t) plan.at(0, t) = row[t];
  CHECK(evaluate(pb, plan).score == Approx(value).epsilon(1e-12));
  CHECK(value <= optimum + 1e-9);
}

TEST_CASE("decompose_landings: its plan scores what it reports, within the enumerated restricted optimum and its bound", "[landing_decomposition]") {
  scenario sc = two_landings();
  SECTION("as built") {}
  SECTION("both landings take two machines") { sc.landings[0].daily_capacity = 2; }
  SECTION("little work, transitions weighed") {
    for (auto& b : sc.blocks) b.work_required /= 2.0;
    sc.weights.transitions = 0.3;
  }
  const problem pb(sc);
  const double restricted = enumerate(pb, true);
  std::vector<landing_decomposition_progress> heard;
  const auto r = decompose_landings(pb, {.max_crew = 2, .bound_iterations = 200}, [&](const landing_decomposition_progress& e) { heard.push_back(e); });
  // one report per crew searched, then one per crew tightened, counting up
  REQUIRE(heard.size() == r.crews_searched + r.crews_tightened);
  for (std::size_t i = 0; i < heard.size(); ++i) {
    CHECK(heard[i].crews_searched == std::min<std::size_t>(i + 1, r.crews_searched));
    CHECK(heard[i].crews_tightened == (i < r.crews_searched ? 0 : i + 1 - r.crews_searched));
    if (i >= r.crews_searched) CHECK(heard[i].best == r.value);
  }
  CHECK(r.value == evaluate(pb, r.plan).score);
  CHECK(r.value == r.eval.score);
  CHECK(r.value <= restricted + 1e-9);
  CHECK(r.bound >= restricted - 1e-9);
  CHECK(r.value == Approx(restricted).epsilon(1e-12));  // the crew search finds the restricted optimum here
  for (int l = 0; l < pb.num_landings; ++l)
    for (const int m : r.crews[l])
      for (int t = 0; t < pb.num_slots; ++t)
        if (const int b = r.plan.at(m, t); b >= 0) CHECK(pb.landing_of[b] == l);
}

TEST_CASE("crew bounds are at least the crew's searched score; the segment bound is the tighter", "[landing_decomposition]") {
  const problem pb(two_landings());
  const auto blocks = blocks_by_landing(pb);
  evaluator eval(pb);
  schedule scratch(pb);
  priced_row_scratch priced;
  const std::vector<int> crew{0, 1};
  const auto found = crew_plan(pb, crew, blocks[1], 8, eval, scratch, solo_values(pb, blocks[1]));
  const double priced_bound = crew_bound(pb, crew, blocks[1], 100, found.value, priced);
  const double segment_bound = crew_segment_bound(pb, crew, blocks[1], 100, found.value);
  CHECK(priced_bound >= found.value - 1e-9);
  CHECK(segment_bound >= found.value - 1e-9);
  CHECK(segment_bound <= priced_bound + 1e-9);
}

TEST_CASE("decompose_landings reaches the known optima of minitoy and small21 and bounds minitoy exactly", "[landing_decomposition][reference]") {
  if (!fhops_test::have_reference()) return;
  const problem minitoy(load_scenario(fhops_test::reference("scenarios/minitoy")));
  const auto a = decompose_landings(minitoy);
  CHECK(a.value == evaluate(minitoy, a.plan).score);
  CHECK(a.value == Approx(45.25).epsilon(1e-12));  // the proven optimum keeps each machine on one landing
  CHECK(a.bound == Approx(45.25).epsilon(1e-12));
  const problem small21(load_scenario(fhops_test::reference("scenarios/small21")));
  const auto b = decompose_landings(small21);
  CHECK(b.value == evaluate(small21, b.plan).score);
  CHECK(b.value == Approx(78.09).epsilon(1e-12));
  CHECK(b.bound >= b.value);
}

TEST_CASE("landing_decomposition_parameters name the bad field; locks are refused", "[landing_decomposition]") {
  const problem pb(two_landings());
  CHECK_THROWS_WITH(decompose_landings(pb, {.max_crew = 0}), Catch::Contains("landing_decomposition.max_crew"));
  CHECK_THROWS_WITH(decompose_landings(pb, {.bound_iterations = -1}), Catch::Contains("landing_decomposition.bound_iterations"));
  CHECK_THROWS_WITH(decompose_landings(pb, {.best_response_rounds = 0}), Catch::Contains("landing_decomposition.best_response_rounds"));
  scenario locked = two_landings();
  locked.locked_assignments = {{"M1", "B1", 2}};
  CHECK_THROWS_WITH(decompose_landings(problem(locked)), Catch::Contains("locked assignments"));
}
