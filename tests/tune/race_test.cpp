// The racing strategy (tune/race.hpp) on a synthetic noisy problem: eliminations, budget,
// determinism across threads, the first test's threshold, ties and the direction.
#include "../test_support.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "fhops/tune/race.hpp"

using namespace fhops::tune;

namespace {

// True quality 10·x (+1 for c = "b"), a block effect of ±5 and noise in (−1.5, 1.5) drawn from the
// candidate and the block, so repeated runs give the same values whatever the thread.
double noisy(const race_trial& t) {
  fhops::rng r(fhops::derive_seed(t.block, t.candidate));
  const double noise = r.uniform01() + r.uniform01() + r.uniform01() - 1.5;
  return 10.0 * t.t.config.real("x") + (t.t.config.category("c") == "b" ? 1.0 : 0.0) + 5.0 * std::sin(static_cast<double>(t.block)) + noise;
}

double quality(const configuration& c) { return 10.0 * c.real("x") + (c.category("c") == "b" ? 1.0 : 0.0); }

parameter_space noisy_space() {
  parameter_space s;
  s.real("x", 0.0, 1.0).categorical("c", {"a", "b"});
  return s;
}

race_parameters params(std::size_t budget, std::size_t blocks = 100) {
  race_parameters p;
  p.budget = budget;
  p.blocks = blocks;
  return p;
}

}  // namespace

TEST_CASE("race_parameters: a bad value names the field", "[race]") {
  const auto message = [](race_parameters p) {
    try {
      race r(noisy_space(), p);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message(params(0)) == "race_parameters.budget must be >= 1 (got 0)");
  CHECK(message(params(10, 0)) == "race_parameters.blocks must be >= 1 (got 0)");
  auto p = params(10);
  p.alpha = 1.5;
  CHECK(message(p).rfind("race_parameters.alpha must be in (0, 1)", 0) == 0);
  p = params(10);
  p.first_test = 1;
  CHECK(message(p) == "race_parameters.first_test must be >= 2 (got 1)");
  CHECK_THROWS_AS(race(parameter_space{}, params(10)), std::invalid_argument);
  STATIC_REQUIRE(instance_tuner_strategy<race>);
}

TEST_CASE("racing drops clearly bad configurations at the first test and keeps the true best", "[race]") {
  race rc(noisy_space(), params(200));
  const auto results = run_race(rc, noisy, {7, 1});
  const auto& cs = rc.candidates();
  // irace's defaults for 2 parameters and 200 runs: 3 elites, 3 iterations, 11 first candidates.
  CHECK(rc.parameters().elites == 3);
  CHECK(rc.planned_iterations() == 3);
  CHECK(std::count_if(cs.begin(), cs.end(), [](const race_candidate& c) { return c.born == 0; }) == 11);
  // The first iteration's best (true quality) is never dropped by a test; every candidate worse
  // by more than 3 is gone after the first test's 5 blocks.
  std::size_t top = 0;
  for (std::size_t i = 0; i < cs.size(); ++i)
    if (cs[i].born == 0 && quality(cs[i].config) > quality(cs[top].config)) top = i;
  CHECK_FALSE(cs[top].eliminated_by_test);
  std::size_t bad = 0;
  for (const auto& c : cs)
    if (c.born == 0 && quality(c.config) < quality(cs[top].config) - 3.0) {
      ++bad;
      CHECK(c.eliminated_by_test);
      CHECK(c.eliminated_blocks == 5);
      CHECK(c.evaluated() == 5);
    }
  CHECK(bad >= 5);
  // The best at the end is close to the optimum (x = 1, c = b), sampled around the elites.
  REQUIRE(rc.best());
  CHECK(quality(cs[*rc.best()].config) > 10.5);
  CHECK(std::any_of(cs.begin(), cs.end(), [](const race_candidate& c) { return c.parent.has_value(); }));
  CHECK(results.size() == rc.used());
}

TEST_CASE("racing never spends more than its budget and spends it all when blocks allow", "[race]") {
  for (const std::size_t budget : {12u, 40u, 75u, 200u, 333u}) {
    INFO("budget " << budget);
    race rc(noisy_space(), params(budget));
    const auto results = run_race(rc, noisy, {3, 1});
    CHECK(results.size() == rc.used());
    CHECK(rc.used() <= budget);
    if (budget >= 40) CHECK(budget - rc.used() < 5);  // what is left cannot pay a block of the live candidates
    CHECK(rc.finished());
    std::size_t told = 0;
    for (const auto& c : rc.candidates()) told += c.evaluated();
    CHECK(told == rc.used());  // elites are never re-run on a block they have
  }
  race rc(noisy_space(), params(200));
  run_race(rc, noisy, {7, 1});
  CHECK(rc.used() == 200);
  race tiny(noisy_space(), params(9));  // 2 candidates x 5 blocks do not fit: nothing runs
  CHECK(run_race(tiny, noisy, {7, 1}).empty());
  CHECK_FALSE(tiny.best());
}

TEST_CASE("racing gives the same evaluations and eliminations with 1 and 4 threads", "[race]") {
  race one(noisy_space(), params(150)), four(noisy_space(), params(150));
  const auto a = run_race(one, noisy, {11, 1});
  const auto b = run_race(four, noisy, {11, 4});
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].t.t.number == b[i].t.t.number);
    CHECK(a[i].t.candidate == b[i].t.candidate);
    CHECK(a[i].t.block == b[i].t.block);
    CHECK(a[i].t.t.config == b[i].t.t.config);
    CHECK(a[i].value == b[i].value);
  }
  REQUIRE(one.candidates().size() == four.candidates().size());
  for (std::size_t i = 0; i < one.candidates().size(); ++i) {
    CHECK(one.candidates()[i].eliminated_iteration == four.candidates()[i].eliminated_iteration);
    CHECK(one.candidates()[i].eliminated_blocks == four.candidates()[i].eliminated_blocks);
  }
  CHECK(one.best() == four.best());
}

TEST_CASE("racing tests nothing before first_test blocks", "[race]") {
  // 3 blocks only: the race ends before the 5 blocks of the first test; nobody is dropped by a test.
  race rc(noisy_space(), params(200, 3));
  run_race(rc, noisy, {5, 1});
  for (const auto& c : rc.candidates()) CHECK_FALSE(c.eliminated_by_test);
  // With first_test = 8, the first eliminations come after 8 blocks.
  auto p = params(200);
  p.first_test = 8;
  race late(noisy_space(), p);
  run_race(late, noisy, {5, 1});
  std::size_t dropped = 0;
  for (const auto& c : late.candidates())
    if (c.eliminated_by_test) {
      CHECK(c.eliminated_blocks >= 8);
      ++dropped;
    }
  CHECK(dropped > 0);
}

TEST_CASE("racing with tied values drops nobody and keeps the lowest ids", "[race]") {
  race rc(noisy_space(), params(100));
  run_race(rc, [](const race_trial&) { return 1.0; }, {5, 1});
  for (const auto& c : rc.candidates()) CHECK_FALSE(c.eliminated_by_test);
  REQUIRE(rc.best());
  CHECK(*rc.best() == 0);
  CHECK(rc.used() <= 100);
  // Failed evaluations rank below every success: a candidate that always fails is dropped.
  race failing(noisy_space(), params(200));
  run_race(failing, [](const race_trial& t) { return t.candidate == 1 ? std::nan("") : noisy(t); }, {5, 1});
  CHECK(failing.candidates()[1].eliminated_by_test);
}

TEST_CASE("racing minimises when asked", "[race]") {
  auto p = params(200);
  p.direction = direction::minimise;
  race rc(noisy_space(), p);
  run_race(rc, noisy, {7, 2});
  REQUIRE(rc.best());
  CHECK(quality(rc.candidates()[*rc.best()].config) < 1.5);
}

TEST_CASE("race_iterations: a finished race's account per iteration adds up to its candidates and runs", "[race]") {
  race rc(noisy_space(), params(200));
  const auto results = run_race(rc, noisy, {7, 1});
  const auto account = race_iterations(rc, results);
  const auto& cs = rc.candidates();
  REQUIRE(account.size() == results.back().t.iteration + 1);
  CHECK(account.size() == 3);
  std::size_t runs = 0, fresh = 0, gone = 0;
  for (std::size_t i = 0; i < account.size(); ++i) {
    const auto& a = account[i];
    CAPTURE(i);
    runs += a.runs;
    fresh += a.fresh;
    gone += a.eliminated + a.discarded;
    CHECK(a.fresh <= a.candidates);
    std::size_t born_here = 0;
    for (const auto& c : cs) born_here += c.born == i;
    CHECK(a.fresh == born_here);
  }
  CHECK(account[0].fresh == 11);  // irace's first candidates for 2 parameters and 200 runs
  CHECK(account[0].candidates == 11);
  CHECK(account[0].eliminated >= 5);  // the clearly bad ones, at the first test
  CHECK(account[0].blocks >= 5);      // the first test comes after 5 blocks
  CHECK(runs == results.size());
  CHECK(fresh == cs.size());
  CHECK(gone == static_cast<std::size_t>(std::count_if(cs.begin(), cs.end(), [](const race_candidate& c) { return c.eliminated_iteration.has_value(); })));
  CHECK(race_iterations(rc, {}).empty());
}
