// The landing decomposition (landing_decomposition.hpp): segment rows, crew search and bounds, and
// decompose_landings against enumeration on a small problem and against the reference optima.
#include "../../test_support.hpp"
#include "../brute_force.hpp"

#include <cmath>
#include <fstream>
#include <regex>

#include "fhops/harvest/bounds/crew_mip.hpp"
#include "fhops/harvest/bounds/landing_certificate.hpp"
#include "fhops/harvest/bounds/landing_decomposition.hpp"
#include "fhops/harvest/harvest.hpp"

using namespace fhops::harvest;

namespace {

using fhops_test::two_landings;

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
  CHECK(crews_of_plan(pb, r.plan) == r.crews);
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

namespace {

// The optimum cbc reports for an LP file ("Objective value: ..."), or NaN when it does not say
// "Optimal solution found".
double cbc_optimum(const std::filesystem::path& lp) {
  const auto r = fhops_test::run("cbc " + lp.string() + " -solve -quit");
  std::smatch m;
  if (r.out.find("Result - Optimal solution found") == std::string::npos ||
      !std::regex_search(r.out, m, std::regex(R"(Objective value:\s+(-?[0-9.eE+-]+))")))
    return std::nan("");
  return std::stod(m[1]);
}

}  // namespace

TEST_CASE("write_crew_mip: cbc's optimum is the best plan of the crew on its landing, capacity included", "[landing_decomposition][crew_mip]") {
  scenario sc = two_landings();
  SECTION("as built") {}
  SECTION("little work, transitions weighed") {
    for (auto& b : sc.blocks) b.work_required /= 2.0;
    sc.weights.transitions = 0.3;
  }
  SECTION("one machine per slot on L2 too") { sc.landings[1].daily_capacity = 1; }
  const problem pb(sc);
  const bool have_cbc = fhops_test::run("command -v cbc").exit_code == 0;
  if (!have_cbc) WARN("skipped solving: cbc not found (Debian package coinor-cbc); only the files are checked");
  // best[l][mask]: the best plan in which only the machines of mask work, and only on landing l's
  // blocks (one pass over every plan); a crew's optimum is the best over its subsets
  std::vector<std::vector<double>> best(pb.num_landings, std::vector<double>(4, -1e300));
  evaluator eval(pb);
  if (have_cbc)
    fhops_test::brute_force_best(pb, [&](const schedule& s) {
      int landing = -1;
      unsigned mask = 0;
      for (int m = 0; m < pb.num_machines; ++m)
        for (int t = 0; t < pb.num_slots; ++t)
          if (const int b = s.at(m, t); b >= 0) {
            if (landing >= 0 && landing != pb.landing_of[b]) return false;
            landing = pb.landing_of[b];
            mask |= 1u << m;
          }
      if (landing < 0) return false;
      best[landing][mask] = std::max(best[landing][mask], eval(s).score);
      return false;
    });
  const auto dir = fhops_test::scratch("crew_mip");
  for (int l = 0; l < pb.num_landings; ++l)
    for (const unsigned mask : {1u, 2u, 3u}) {
      std::vector<int> crew;
      for (int m = 0; m < 2; ++m)
        if (mask >> m & 1u) crew.push_back(m);
      const auto lp = dir / ("l" + std::to_string(l) + "_" + std::to_string(mask) + ".lp");
      {
        std::ofstream out(lp);
        write_crew_mip(out, pb, l, crew);
      }
      const std::string text = fhops_test::slurp(lp);
      CHECK(text.find("Maximize") != std::string::npos);
      CHECK(text.find("End") != std::string::npos);
      // a capacity row (a sum of x over both machines) only when the crew can exceed the capacity
      const bool over = static_cast<int>(crew.size()) > pb.landing_capacity[l];
      CHECK((text.find("\n + x_") != std::string::npos) == over);
      if (!have_cbc) continue;
      double optimum = 0.0;  // all idle
      for (unsigned sub = 1; sub <= mask; ++sub)
        if ((sub & mask) == sub) optimum = std::max(optimum, best[l][sub]);
      INFO("landing " << l << ", crew mask " << mask);
      CHECK(cbc_optimum(lp) == Approx(optimum).margin(1e-6));
      // with machine prices: the best sub-crew's score plus the prices of the machines left out
      const std::vector<double> price{0.7, 13.0};
      const auto priced_lp = dir / ("l" + std::to_string(l) + "_" + std::to_string(mask) + "_priced.lp");
      {
        std::ofstream out(priced_lp);
        write_crew_mip(out, pb, l, crew, price);
      }
      double priced = -1e300;
      for (unsigned sub = 0; sub <= mask; ++sub) {
        if ((sub & mask) != sub) continue;
        double v = sub == 0 ? 0.0 : -1e300;
        for (unsigned part = 1; part <= sub; ++part)
          if ((part & sub) == part) v = std::max(v, best[l][part]);
        for (int m = 0; m < 2; ++m)
          if ((mask >> m & 1u) && !(sub >> m & 1u)) v += price[m];
        priced = std::max(priced, v);
      }
      CHECK(cbc_optimum(priced_lp) == Approx(priced).margin(1e-6));
    }
  std::filesystem::remove_all(dir);
}

TEST_CASE("write_crew_mip names a bad landing or machine; locks and sequencing are refused", "[landing_decomposition][crew_mip]") {
  const problem pb(two_landings());
  std::ostringstream out;
  CHECK_THROWS_WITH(write_crew_mip(out, pb, 2, std::vector<int>{0}), Catch::Contains("crew_mip.landing"));
  CHECK_THROWS_WITH(write_crew_mip(out, pb, 0, std::vector<int>{5}), Catch::Contains("crew_mip.crew"));
  CHECK_THROWS_WITH(write_crew_mip(out, pb, 0, std::vector<int>{1, 1}), Catch::Contains("M2 appears twice"));
  CHECK_THROWS_WITH(write_crew_mip(out, pb, 0, std::vector<int>{0}, std::vector<double>{1.0}), Catch::Contains("crew_mip.machine_price"));
  scenario soft = two_landings();
  soft.weights.landing_slack = 1.0;
  CHECK_THROWS_WITH(write_crew_mip(out, problem(soft), 0, std::vector<int>{0, 1}), Catch::Contains("hard capacity"));
  scenario locked = two_landings();
  locked.locked_assignments = {{"M1", "B1", 2}};
  CHECK_THROWS_WITH(write_crew_mip(out, problem(locked), 0, std::vector<int>{0}), Catch::Contains("locked assignments"));
}

TEST_CASE("certify_landings bounds every one-landing plan of any crew size, tightly here; landing changes checked", "[landing_decomposition][crew_mip]") {
  fhops::search::cbc_solver cbc;
  if (!cbc.available()) {
    WARN("skipped: cbc not found (Debian package coinor-cbc)");
    return;
  }
  scenario sc = two_landings();
  bool never_pays = false;
  SECTION("as built: moves between landings are cheap") {}
  SECTION("one machine per slot on each landing") { sc.landings[1].daily_capacity = 1; }
  SECTION("every move costs a large setup, production weighs little") {
    for (auto& q : sc.mobilisation->machine_params) q.setup_cost = 20.0;
    sc.weights.production = 0.1;
    never_pays = true;
  }
  const problem pb(sc);
  // the best plan keeping each machine on one landing, however many machines a landing holds
  std::vector<int> home(pb.num_machines);
  const double one_landing = fhops_test::brute_force_best(pb, [&](const schedule& s) {
    for (int m = 0; m < pb.num_machines; ++m) {
      home[m] = -1;
      for (int t = 0; t < pb.num_slots; ++t)
        if (const int b = s.at(m, t); b >= 0) {
          if (home[m] >= 0 && home[m] != pb.landing_of[b]) return false;
          home[m] = pb.landing_of[b];
        }
    }
    return true;
  });
  const auto dir = fhops_test::scratch("landing_certificate");
  // from no known crew at all: the pricing finds them
  std::vector<landing_certificate_progress> heard;
  const auto c = certify_landings(pb, std::vector<std::vector<fhops::search::packing_option>>(pb.num_landings), cbc, dir, {},
                                  [&](const landing_certificate_progress& e) { heard.push_back(e); });
  std::filesystem::remove_all(dir);
  CHECK(c.converged);
  CHECK(c.bound >= one_landing - 1e-6);
  CHECK(c.bound == Approx(one_landing).margin(1e-6));  // no integrality gap on this small problem
  CHECK(c.packing == Approx(one_landing).margin(1e-6));
  // the best packing as a plan: the full evaluator scores it at the one-landing optimum
  CHECK(c.plan_value == evaluate(pb, c.plan).score);
  CHECK(c.plan_value == Approx(one_landing).margin(1e-6));
  CHECK(heard.size() == static_cast<std::size_t>(c.iterations * pb.num_landings));
  const auto check = landing_changes_never_pay(pb);
  INFO(check.reason);
  CHECK(check.never_pays == never_pays);
  if (never_pays) CHECK(c.bound >= fhops_test::brute_force_optimum(pb) - 1e-6);  // the bound covers every plan
  else CHECK_THAT(check.reason, Catch::Contains("machine M"));
}

TEST_CASE("landing_changes_never_pay names what fails; certify_landings names its bad parameters", "[landing_decomposition][crew_mip]") {
  scenario locked = two_landings();
  locked.locked_assignments = {{"M1", "B1", 2}};
  CHECK_THAT(landing_changes_never_pay(problem(locked)).reason, Catch::Contains("locked"));
  scenario soft = two_landings();
  soft.weights.landing_slack = 0.5;
  CHECK_THAT(landing_changes_never_pay(problem(soft)).reason, Catch::Contains("soft"));
  const problem pb(two_landings());
  fhops::search::cbc_solver cbc;
  const auto dir = fhops_test::scratch("landing_certificate_bad");
  CHECK_THROWS_WITH(certify_landings(pb, {}, cbc, dir), Catch::Contains("landing_certificate.columns"));
  CHECK_THROWS_WITH(certify_landings(pb, std::vector<std::vector<fhops::search::packing_option>>(2), cbc, dir, {.max_iterations = 0}),
                    Catch::Contains("landing_certificate.max_iterations"));
  std::filesystem::remove_all(dir);
}
