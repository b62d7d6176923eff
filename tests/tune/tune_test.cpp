// The generic tuning library on plain functions: spaces, random, grid and TPE strategies, runner.
#include "../test_support.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include <boost/math/distributions/normal.hpp>

#include "fhops/tune/tune.hpp"

using namespace fhops::tune;

namespace {

// A function of a real, a log-scaled real, an integer and a category; maximum 3.0 at
// x = 0.3, y = 0.01, n = 7, c = "b".
double bumpy(const configuration& c) {
  const double x = c.real("x"), ly = std::log10(c.real("y")), n = static_cast<double>(c.integer("n"));
  return 3.0 - 4.0 * (x - 0.3) * (x - 0.3) - 0.25 * (ly + 2.0) * (ly + 2.0) - 0.02 * (n - 7) * (n - 7) -
         (c.category("c") == "b" ? 0.0 : 0.5);
}

parameter_space bumpy_space() {
  parameter_space s;
  s.real("x", -1.0, 1.0).real("y", 1e-4, 1.0, true).integer("n", 0, 20).categorical("c", {"a", "b", "c", "d"});
  return s;
}

template <class Strategy>
double best_of(Strategy strategy, std::size_t trials, std::uint64_t seed, std::size_t jobs = 1) {
  const auto results = run_trials(strategy, [](const trial_context& ctx) { return bumpy(ctx.t.config); }, {trials, seed, jobs});
  return results[*best_trial(results)].value;
}

}  // namespace

TEST_CASE("a parameter space rejects bad declarations naming the parameter", "[tune]") {
  parameter_space s;
  CHECK_THROWS_WITH(s.integer("k", 5, 1), Catch::Contains("parameter 'k'") && Catch::Contains("low must be <= high"));
  CHECK_THROWS_WITH(s.real("lr", 0.0, 1.0, true), Catch::Contains("parameter 'lr'") && Catch::Contains("log-scaled"));
  CHECK_THROWS_WITH(s.categorical("c", {}), Catch::Contains("parameter 'c'"));
  s.integer("k", 1, 3);
  CHECK_THROWS_WITH(s.integer("k", 1, 3), Catch::Contains("declared twice"));
  CHECK_THROWS_WITH(s.real("t", 0.0, 1.0).only_when("t", "nope", {1LL}), Catch::Contains("parameter 't'") && Catch::Contains("nope"));
  CHECK_THROWS_WITH(s.levels({0.5, 2.0}), Catch::Contains("parameter 't'") && Catch::Contains("outside"));
  CHECK_THROWS_WITH(grid_search(s), Catch::Contains("parameter 't'") && Catch::Contains("levels"));
  CHECK_THROWS_WITH(parameter_space{}.levels({1LL}), Catch::Contains("declared first"));
}

TEST_CASE("random search: values in their domains, log scale, conditions, seed determinism", "[tune]") {
  parameter_space s;
  s.integer("batch", 1, 3).real("lr", 1e-3, 10.0, true).categorical("algo", {"sa", "ils"}).integer("tenure", 5, 50).only_when("tenure", "algo", {"ils"});
  random_search a(s), b(s);
  fhops::rng ra(7), rb(7);
  std::set<long long> batches;
  std::vector<double> lrs;
  int with_tenure = 0, ils = 0;
  for (int i = 0; i < 4000; ++i) {
    const auto t = a.ask(ra);
    REQUIRE(t);
    REQUIRE(t->number == static_cast<std::size_t>(i));
    CHECK(t->config == b.ask(rb)->config);
    batches.insert(t->config.integer("batch"));
    lrs.push_back(t->config.real("lr"));
    CHECK(t->config.real("lr") >= 1e-3);
    CHECK(t->config.real("lr") <= 10.0);
    const bool is_ils = t->config.category("algo") == "ils";
    ils += is_ils;
    CHECK(t->config.has("tenure") == is_ils);
    if (t->config.has("tenure")) {
      ++with_tenure;
      CHECK(t->config.integer("tenure") >= 5);
      CHECK(t->config.integer("tenure") <= 50);
    }
  }
  CHECK(batches == std::set<long long>{1, 2, 3});
  std::nth_element(lrs.begin(), lrs.begin() + 2000, lrs.end());
  CHECK(lrs[2000] == Approx(0.1).epsilon(0.25));  // log-uniform: the median is the geometric mean
  CHECK(ils > 1800);
  CHECK(ils < 2200);
  CHECK(with_tenure == ils);
  bool bounded = random_search(s, 3).ask(ra).has_value();
  random_search three(s, 3);
  int n = 0;
  while (three.ask(ra)) ++n;
  CHECK(bounded);
  CHECK(n == 3);
}

TEST_CASE("configurations print as JSON in declaration order", "[tune]") {
  configuration c;
  c.set("batch_size", 2LL);
  c.set("weight_swap", 0.5);
  c.set("preset", std::string("explore"));
  c.set("weight_move", 1.0);
  CHECK(c.json() == R"({"batch_size": 2, "weight_swap": 0.5, "preset": "explore", "weight_move": 1.0})");
  c.set("batch_size", 3LL);
  CHECK(c.json() == R"({"batch_size": 3, "weight_swap": 0.5, "preset": "explore", "weight_move": 1.0})");
  CHECK_THROWS_AS(c.at("nope"), std::out_of_range);
}

TEST_CASE("grid search: every combination, first parameter outermost, conditions honoured", "[tune]") {
  parameter_space s;
  s.integer("batch", 1, 3).categorical("preset", {"balanced", "explore"});
  grid_search g(s);
  REQUIRE(g.size() == 6);
  fhops::rng r(1);
  std::vector<std::string> seen;
  while (auto t = g.ask(r)) seen.push_back(t->config.json());
  CHECK(seen == std::vector<std::string>{
                    R"({"batch": 1, "preset": "balanced"})", R"({"batch": 1, "preset": "explore"})",
                    R"({"batch": 2, "preset": "balanced"})", R"({"batch": 2, "preset": "explore"})",
                    R"({"batch": 3, "preset": "balanced"})", R"({"batch": 3, "preset": "explore"})"});
  parameter_space c;
  c.categorical("algo", {"sa", "tabu"}).real("ratio", 0.9, 0.999).levels({0.99, 0.995}).only_when("ratio", "algo", {"sa"});
  c.integer("tenure", 5, 50).levels({10LL, 20LL, 30LL}).only_when("tenure", "algo", {"tabu"});
  CHECK(grid_search(c).size() == 2 + 3);
  CHECK(grid_search(s, 2).size() == 12);
}

TEST_CASE("configuration readers name the parameter when the kind read is not the kind held (issue 21)", "[tune]") {
  configuration c;
  c.set("n", 3LL);
  c.set("x", 0.5);
  c.set("algo", std::string("sa"));
  CHECK(c.integer("n") == 3);
  CHECK(c.real("n") == 3.0);  // an integer reads as a real
  CHECK(c.real("x") == 0.5);
  CHECK(c.category("algo") == "sa");
  const auto fails = [](auto read, const std::string& message) {
    CHECK_THROWS_MATCHES(read(), std::invalid_argument, Catch::Matchers::Message(message));
  };
  fails([&] { return c.category("n"); }, "parameter 'n' is an integer (3), read as a category");
  fails([&] { return c.integer("x"); }, "parameter 'x' is a real (0.5), read as an integer");
  fails([&] { return c.category("x"); }, "parameter 'x' is a real (0.5), read as a category");
  fails([&] { return c.integer("algo"); }, "parameter 'algo' is a category (\"sa\"), read as an integer");
  fails([&] { return c.real("algo"); }, "parameter 'algo' is a category (\"sa\"), read as a real");
  CHECK_THROWS_AS(c.integer("nope"), std::out_of_range);  // absent: as at()
}

TEST_CASE("only_when names the conditional parameter and its parent (issue 21)", "[tune]") {
  parameter_space s;
  s.categorical("algo", {"sa", "tabu", "ils"}).integer("tenure", 5, 50).real("ratio", 0.9, 0.999).integer("strength", 1, 5);
  // any declared parameter can be made conditional, not only the last one
  s.only_when("tenure", "algo", {"tabu"}).only_when("ratio", "algo", {"sa"});
  s.only_when("strength", "algo", {"ils", "nope"});  // one value in the parent's domain is enough
  CHECK(s.parameters()[1].parent == 0u);
  CHECK(s.parameters()[2].parent == 0u);
  CHECK(s.parameters()[3].parent == 0u);
  random_search rs(s);
  fhops::rng r(4);
  for (int i = 0; i < 200; ++i) {
    const auto t = rs.ask(r);
    const std::string& algo = t->config.category("algo");
    CHECK(t->config.has("tenure") == (algo == "tabu"));
    CHECK(t->config.has("ratio") == (algo == "sa"));
    CHECK(t->config.has("strength") == (algo == "ils"));
  }
  // errors name the parameter and say what is wrong
  parameter_space e;
  e.categorical("algo", {"sa", "tabu"}).integer("tenure", 5, 50).integer("later", 1, 2);
  const auto fails = [](auto declare, const std::string& message) {
    CHECK_THROWS_MATCHES(declare(), std::invalid_argument, Catch::Matchers::Message(message));
  };
  fails([&] { e.only_when("tenur", "algo", {"tabu"}); }, "parameter 'tenur': only_when names a parameter that is not declared");
  fails([&] { e.only_when("tenure", "algorithm", {"tabu"}); }, "parameter 'tenure': only_when names an unknown parent 'algorithm'");
  fails([&] { e.only_when("algo", "tenure", {5LL}); }, "parameter 'algo': the parent 'tenure' must be declared before it");
  fails([&] { e.only_when("tenure", "later", {1LL}); }, "parameter 'tenure': the parent 'later' must be declared before it");
  fails([&] { e.only_when("tenure", "tenure", {5LL}); }, "parameter 'tenure': the parent 'tenure' must be declared before it");
  fails([&] { e.only_when("tenure", "algo", {}); }, "parameter 'tenure': only_when needs at least one value of 'algo'");
  fails([&] { e.only_when("tenure", "algo", {"tabbu"}); },
        "parameter 'tenure': would never be active: no value of only_when is in the domain of 'algo' (the first: \"tabbu\")");
  fails([&] { e.only_when("later", "tenure", {51LL, 4LL}); },
        "parameter 'later': would never be active: no value of only_when is in the domain of 'tenure' (the first: 51)");
  e.only_when("tenure", "algo", {"tabu"});
  fails([&] { e.only_when("tenure", "algo", {"sa"}); }, "parameter 'tenure': already conditional on 'algo'");
}

namespace {

// A 1-D quadratic on [-1, 2]: minimum 0 at x = 0.3, maximum 2.89 at x = 2.
double quadratic(const configuration& c) { return (c.real("x") - 0.3) * (c.real("x") - 0.3); }

parameter_space line() {
  parameter_space s;
  s.real("x", -1.0, 2.0);
  return s;
}

// Runs `strategy` for `trials` trials on the quadratic; checks that its best() is the runner's
// best_trial in the strategy's direction, and returns it.
template <class Strategy>
trial_result optimise(Strategy& strategy, std::size_t trials, std::uint64_t seed) {
  const auto res = run_trials(strategy, [](const trial_context& ctx) { return quadratic(ctx.t.config); }, {trials, seed, 1});
  const auto at = best_trial(res, strategy.direction());
  REQUIRE(at);
  REQUIRE(strategy.best());
  CHECK(strategy.best()->t.number == res[*at].t.number);
  CHECK(strategy.best()->t.config == res[*at].t.config);
  CHECK(strategy.best()->value == res[*at].value);
  return *strategy.best();
}

}  // namespace

TEST_CASE("direction: TPE and random search find the minimum when minimising, the maximum when maximising (issue 21)", "[tune][tpe]") {
  for (const std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    tpe down(line(), {.max_trials = 60, .direction = direction::minimise}), up(line(), {.max_trials = 60});
    CHECK(up.direction() == direction::maximise);  // the default
    const trial_result low = optimise(down, 60, seed), high = optimise(up, 60, seed);
    CHECK(low.value < 1e-3);
    CHECK(std::abs(low.t.config.real("x") - 0.3) < 0.04);
    CHECK(high.value > 2.8);
    CHECK(high.t.config.real("x") > 1.97);
    random_search rdown(line(), {.max_trials = 200, .direction = direction::minimise}), rup(line(), 200);
    const trial_result rlow = optimise(rdown, 200, seed), rhigh = optimise(rup, 200, seed);
    CHECK(rlow.value < 1e-2);  // random search gets near, TPE nearer
    CHECK(rhigh.value > 2.7);
    CHECK(rlow.t.config != rhigh.t.config);
  }
  // minimising f is maximising -f: the same suggestions, bit for bit, and the same best trial
  tpe down(line(), {.direction = direction::minimise}), up(line());
  fhops::rng ra(9), rb(9);
  for (int k = 0; k < 80; ++k) {
    const auto a = down.ask(ra), b = up.ask(rb);
    REQUIRE(a->config == b->config);
    down.tell(*a, quadratic(a->config));
    up.tell(*b, -quadratic(b->config));
  }
  CHECK(down.best()->t.number == up.best()->t.number);
  CHECK(down.best()->value == -up.best()->value);
  // and in a grid
  parameter_space g;
  g.integer("k", -3, 3);
  grid_search gdown(g, {.direction = direction::minimise}), gup(g);
  const auto f = [](const trial_context& ctx) { return static_cast<double>((ctx.t.config.integer("k") - 1) * (ctx.t.config.integer("k") - 1)); };
  run_trials(gdown, f, {0, 1, 1});
  run_trials(gup, f, {0, 1, 1});
  CHECK(gdown.best()->t.config.integer("k") == 1);
  CHECK(gup.best()->t.config.integer("k") == -3);
}

TEST_CASE("best(): the best trial told so far, failures skipped, ties to the lower trial number (issue 21)", "[tune]") {
  parameter_space s;
  s.integer("k", 0, 9);
  random_search up(s), down(s, {.direction = direction::minimise});
  CHECK_FALSE(up.best());
  fhops::rng r(1);
  std::vector<trial> ts;
  for (int i = 0; i < 5; ++i) ts.push_back(*up.ask(r));
  const double values[] = {2.0, std::nan(""), 5.0, 5.0, -std::numeric_limits<double>::infinity()};
  for (const std::size_t k : {3, 1, 4, 2, 0}) up.tell(ts[k], values[k]), down.tell(ts[k], values[k]);  // told out of order
  REQUIRE(up.best());
  CHECK(up.best()->t.number == 2);  // 5.0 at trials 2 and 3: the lower number
  CHECK(up.best()->t.config == ts[2].config);
  CHECK(up.best()->value == 5.0);
  CHECK(up.best()->ok());
  CHECK(down.best()->t.number == 0);  // -inf is a failure, not a minimum
  CHECK(down.best()->value == 2.0);
  // the runner's best_trial agrees
  std::vector<trial_result> res;
  for (std::size_t k = 0; k < 5; ++k) res.push_back({ts[k], values[k], {}});
  CHECK(*best_trial(res) == 2);
  CHECK(*best_trial(res, direction::minimise) == 0);
  CHECK_FALSE(best_so_far().best());
}

TEST_CASE("the runner: same results whatever the number of jobs for random and grid search", "[tune]") {
  const auto run = [](std::size_t jobs) {
    random_search rs(bumpy_space(), 40);
    std::vector<std::size_t> order;
    const auto res = run_trials(
        rs, [](const trial_context& ctx) { return bumpy(ctx.t.config) + static_cast<double>(ctx.seed % 1000) * 1e-9; },
        {0, 99, jobs}, [&](const trial_result& r) { order.push_back(r.t.number); });
    for (std::size_t i = 0; i < order.size(); ++i) CHECK(order[i] == i);
    return res;
  };
  const auto one = run(1), four = run(4);
  REQUIRE(one.size() == 40);
  REQUIRE(four.size() == 40);
  for (std::size_t i = 0; i < 40; ++i) {
    CHECK(one[i].t.config == four[i].t.config);
    CHECK(one[i].value == four[i].value);
  }
}

TEST_CASE("the runner starts at most one thread per trial, and at most pool_threads(jobs) (issue 24)", "[tune]") {
  const long long before = fhops_test::process_threads();
  std::atomic<long long> most{0};
  random_search rs(bumpy_space(), 2);
  const auto res = run_trials(rs, [&](const trial_context& ctx) {
    const long long now = fhops_test::process_threads();
    for (long long m = most; now > m && !most.compare_exchange_weak(m, now);) {
    }
    return bumpy(ctx.t.config);
  }, {2, 5, 64});
  CHECK(res.size() == 2);
  if (before >= 0) CHECK(most <= before + 2);
}

TEST_CASE("the runner records failing trials and goes on", "[tune]") {
  parameter_space s;
  s.integer("k", 0, 9);
  grid_search g(s);
  const auto res = run_trials(g, [](const trial_context& ctx) {
    const long long k = ctx.t.config.integer("k");
    if (k == 3) throw std::runtime_error("k = 3 is cursed");
    return k == 4 ? std::nan("") : static_cast<double>(k % 5);
  }, {0, 1, 3});
  REQUIRE(res.size() == 10);
  CHECK_FALSE(res[3].ok());
  CHECK(res[3].error == "k = 3 is cursed");
  CHECK_FALSE(res[4].ok());
  CHECK(res[4].error.find("non-finite") != std::string::npos);
  CHECK(*best_trial(res) == 9);  // values 0 1 2 - - 0 1 2 3 4: the best is k = 9 (4.0)
  CHECK_THROWS_AS(run_trials(g, [](const trial_context&) { return 0.0; }, {0, 1, 0}), std::invalid_argument);
}

TEST_CASE("TPE: deterministic, random during startup, and better than random search", "[tune][tpe]") {
  tpe_parameters p;
  p.max_trials = 60;
  CHECK(best_of(tpe(bumpy_space(), p), 60, 5) == best_of(tpe(bumpy_space(), p), 60, 5));
  // the startup trials are random search's draws from the same rng
  {
    tpe t(bumpy_space(), p);
    random_search rs(bumpy_space());
    fhops::rng a(3), b(3);
    for (int i = 0; i < 10; ++i) {
      const auto x = t.ask(a), y = rs.ask(b);
      CHECK(x->config == y->config);
      t.tell(*x, bumpy(x->config));
    }
  }
  // over 9 seeds, TPE's best after 60 trials beats random search's in most, and on the median
  std::vector<double> tp, rs;
  int wins = 0;
  for (std::uint64_t seed = 1; seed <= 9; ++seed) {
    tp.push_back(best_of(tpe(bumpy_space(), p), 60, seed));
    rs.push_back(best_of(random_search(bumpy_space()), 60, seed));
    wins += tp.back() > rs.back();
  }
  std::sort(tp.begin(), tp.end());
  std::sort(rs.begin(), rs.end());
  INFO("TPE median " << tp[4] << ", random median " << rs[4] << ", TPE wins " << wins);
  CHECK(wins >= 6);
  CHECK(tp[4] > rs[4]);
  CHECK(tp[4] > 2.8);
}

TEST_CASE("TPE with parallel jobs: constant liar batches, deterministic for a given job count", "[tune][tpe]") {
  tpe_parameters p;
  p.max_trials = 48;
  const double a = best_of(tpe(bumpy_space(), p), 48, 11, 4), b = best_of(tpe(bumpy_space(), p), 48, 11, 4);
  CHECK(a == b);
  CHECK(a > 2.5);
  // the liar spreads a batch: four asks in a row after startup do not repeat a configuration
  tpe t(bumpy_space(), p);
  fhops::rng r(2);
  for (int i = 0; i < 12; ++i) {
    const auto x = t.ask(r);
    t.tell(*x, bumpy(x->config));
  }
  std::set<std::string> batch;
  for (int i = 0; i < 4; ++i) batch.insert(t.ask(r)->config.json());
  CHECK(batch.size() == 4);
  CHECK_THROWS_AS(t.tell(trial{999, {}}, 1.0), std::invalid_argument);
}

namespace {

// Observations (in trial order) sorted by value with Optuna's recency weights, as tpe builds them.
void sorted_with_weights(const std::vector<double>& obs, std::vector<double>& xs, std::vector<double>& w) {
  std::vector<std::size_t> idx(obs.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return obs[a] < obs[b]; });
  xs.clear(), w.clear();
  for (const std::size_t i : idx) xs.push_back(obs[i]), w.push_back(fhops::tune::detail::recency_weight(i, obs.size()));
}

}  // namespace

TEST_CASE("TPE estimator: the banded, cut-off evaluation equals the direct sum over every kernel", "[tune][tpe]") {
  fhops::rng r(17);
  for (double y = -700.0; y <= 0.0; y += 0.37) CHECK(std::abs(fhops::tune::detail::exp_nonpositive(y) / std::exp(y) - 1.0) < 1e-14);
  for (float y = -80.0f; y <= 0.0f; y += 0.013f) CHECK(std::abs(fhops::tune::detail::expf_nonpositive(y) / std::exp(static_cast<double>(y)) - 1.0) < 1e-6);
  std::vector<double> obs, xs, w;
  fhops::tune::detail::parzen_numeric p;
  for (const std::size_t n : {0, 1, 2, 7, 60, 1000, 3000}) {
    for (const double prior_weight : {1.0, 0.05, 10.0}) {
      for (const bool clustered : {false, true}) {
        for (const bool integer : {false, true}) {
          const double low = integer ? -0.5 : -5.0, high = integer ? 20.5 : 5.0;
          obs.clear();
          for (std::size_t k = 0; k < n; ++k) {
            double x = clustered && r.chance(0.8) ? 1.3 + 0.01 * (r.uniform01() - 0.5) : r.uniform(low, high);
            if (integer) x = std::clamp(std::round(x), low + 0.5, high - 0.5);
            obs.push_back(x);
          }
          sorted_with_weights(obs, xs, w);
          p.build(xs, w, low, high, prior_weight);
          std::vector<double> points, batch(40);
          for (int q = 0; q < 40; ++q) {
            const double x = q < 10 && n > 0 ? obs[r.below(n)] : integer ? std::round(r.uniform(0.0, 20.0)) : r.uniform(low, high);
            const double hw = integer ? 0.5 : 0.0;
            points.push_back(x);
            INFO("n " << n << " prior " << prior_weight << " clustered " << clustered << " integer " << integer << " x " << x);
            CHECK(std::abs(p.log_density(x, hw) - p.log_density_direct(x, hw)) < 1e-9);
            // the bounding pass: below the density, above the kernels within 2.5 of their widths
            const double lb = p.log_density_lower_bound(x, hw, 2.5);
            CHECK(lb <= p.log_density_direct(x, hw) + 1e-12);
            double near = 0.0;
            for (std::size_t i = 0; i < p.mus().size(); ++i) {
              const double z = (x - p.mus()[i]) / p.sigmas()[i];
              if (hw > 0.0 || std::abs(z) > 2.5) continue;
              const boost::math::normal_distribution<double> d(p.mus()[i], p.sigmas()[i]);
              near += p.weights()[i] * boost::math::pdf(d, x) * p.sigmas()[i] / (boost::math::cdf(d, high) - boost::math::cdf(d, low));
            }
            if (near > 0.0) CHECK(lb >= std::log(near) - 2e-4);
            // the upper bound of l's pass: above the density, by little
            const double exact = p.log_density(x, hw), ub = std::log(p.density_upper_bound(x, hw));
            CHECK(ub >= exact - 1e-12);
            CHECK(ub <= exact + 5e-4);
            // the portable loops: the same density bit for bit, bounds as valid
            p.use_simd(false);
            CHECK(p.log_density(x, hw) == exact);
            CHECK(p.log_density_lower_bound(x, hw, 2.5) <= p.log_density_direct(x, hw) + 1e-12);
            CHECK(std::log(p.density_upper_bound(x, hw)) == exact);
            p.use_simd(true);
          }
          // the bounds of many points at once: the same as one by one
          const double hw = integer ? 0.5 : 0.0;
          p.density_lower_bounds(points, hw, 2.5, batch);
          for (std::size_t q = 0; q < points.size(); ++q) CHECK(batch[q] == p.density_lower_bound(points[q], hw, 2.5));
        }
      }
    }
  }
}

TEST_CASE("TPE estimator: the log densities of Optuna 3.1's _ParzenEstimator", "[tune][tpe]") {
  // Regenerate with Optuna 3.1: _ParzenEstimator({"x": obs}, {"x": FloatDistribution(-5, 10)},
  // _ParzenEstimatorParameters(True, 1.0, True, False, default_weights, False)).log_pdf(...), and
  // the same for IntDistribution(0, 20).
  std::vector<double> obs, xs, w;
  for (int k = 0; k < 40; ++k) obs.push_back(-5.0 + 15.0 * std::fmod(k * 0.6180339887498949, 1.0));
  sorted_with_weights(obs, xs, w);
  fhops::tune::detail::parzen_numeric p;
  p.build(xs, w, -5.0, 10.0, 1.0);
  const double at[] = {-4.9, -1.0, 0.3, 2.2, 7.7, 9.99};
  const double optuna[] = {-2.8840525028458583, -2.7475762301501865, -2.821840865221688,
                           -2.683155883456431,  -2.7673050173526312, -3.124621916820699};
  for (int i = 0; i < 6; ++i) CHECK(p.log_density(at[i], 0.0) == Approx(optuna[i]).epsilon(1e-12));
  obs.clear();
  for (int k = 0; k < 15; ++k) obs.push_back(static_cast<double>((k * 8) % 21));  // distinct: Optuna breaks ties unstably
  sorted_with_weights(obs, xs, w);
  p.build(xs, w, -0.5, 20.5, 1.0);
  const double at_int[] = {0.0, 3.0, 7.0, 20.0};
  const double optuna_int[] = {-2.9381904732727144, -3.1538813321691475, -2.8030817567546737, -2.938098837690332};
  for (int i = 0; i < 4; ++i) CHECK(p.log_density(at_int[i], 0.5) == Approx(optuna_int[i]).epsilon(1e-12));
  // categorical: each observation's kernel spreads prior_weight / (n + 1) over the choices
  std::vector<std::size_t> cats{0, 0, 1, 3};
  std::vector<double> cw{1, 1, 1, 1}, prob;
  fhops::tune::detail::categorical_probabilities(cats, cw, 4, 1.0, prob);
  const double row = 1.0 + 4.0 * 0.2;  // each observation row: 0.2 everywhere, +1 on its own choice
  CHECK(prob[0] == Approx((2 * 1.2 / row + 2 * 0.2 / row + 0.25) / 5.0));
  CHECK(prob[2] == Approx((4 * 0.2 / row + 0.25) / 5.0));
  CHECK(prob[0] + prob[1] + prob[2] + prob[3] == Approx(1.0));
}

TEST_CASE("TPE estimator: the branch-free binary searches agree with std::lower_bound and std::upper_bound", "[tune][tpe]") {
  fhops::rng r(5);
  std::vector<double> v;
  for (const std::size_t n : {0, 1, 2, 3, 7, 8, 9, 64, 257}) {
    v.clear();
    for (std::size_t k = 0; k < n; ++k) v.push_back(std::round(r.uniform(0.0, 20.0)));  // with duplicates
    std::sort(v.begin(), v.end());
    for (int q = 0; q < 200; ++q) {
      const double x = q % 2 ? std::round(r.uniform(-2.0, 22.0)) : r.uniform(-2.0, 22.0);
      const std::size_t from = n == 0 ? 0 : r.below(n + 1);
      INFO("n " << n << " from " << from << " x " << x);
      CHECK(fhops::tune::detail::first_not_below(v.data(), from, n, x) == static_cast<std::size_t>(std::lower_bound(v.begin() + from, v.end(), x) - v.begin()));
      CHECK(fhops::tune::detail::first_above(v.data(), from, n, x) == static_cast<std::size_t>(std::upper_bound(v.begin() + from, v.end(), x) - v.begin()));
    }
  }
}

TEST_CASE("TPE estimator: draws follow the truncated mixture (Kolmogorov-Smirnov against Boost's CDFs)", "[tune][tpe]") {
  fhops::rng r(11);
  std::vector<double> obs, xs, w;
  for (int k = 0; k < 30; ++k) obs.push_back(k < 10 ? 4.6 + 0.03 * k : r.uniform(-5.0, 5.0));  // some kernels cut by the bound 5
  sorted_with_weights(obs, xs, w);
  fhops::tune::detail::parzen_numeric p;
  p.build(xs, w, -5.0, 5.0, 1.0);
  p.prepare_sampling();
  const auto mixture_cdf = [&](double x) {
    double c = 0.0;
    for (std::size_t i = 0; i < p.mus().size(); ++i) {
      const boost::math::normal_distribution<double> d(p.mus()[i], p.sigmas()[i]);
      const double lo = boost::math::cdf(d, -5.0);
      c += p.weights()[i] * (boost::math::cdf(d, x) - lo) / (boost::math::cdf(d, 5.0) - lo);
    }
    return c;
  };
  std::vector<double> draws(20000);
  for (double& x : draws) x = p.sample(r);
  std::sort(draws.begin(), draws.end());
  CHECK(draws.front() >= -5.0);
  CHECK(draws.back() <= 5.0);
  double ks = 0.0;
  for (std::size_t k = 0; k < draws.size(); k += 7) {
    const double f = mixture_cdf(draws[k]), n = static_cast<double>(draws.size());
    ks = std::max({ks, std::abs(f - static_cast<double>(k) / n), std::abs(f - static_cast<double>(k + 1) / n)});
  }
  CHECK(ks < 0.015);  // the 99.9 % critical value for 20,000 draws is 0.0138
}

TEST_CASE("TPE estimator: inserts and erases between reweighs give the build over the same observations", "[tune][tpe]") {
  // a long random sequence (the set grows past 99 observations, where the smallest width stops
  // changing, and shrinks below it again), on a real and an integer domain, with repeated values
  fhops::rng r(23);
  for (const bool integer : {false, true}) {
    const double low = integer ? -0.5 : -5.0, high = integer ? 30.5 : 5.0;
    fhops::tune::detail::parzen_numeric inc, rebuilt;
    inc.reset(low, high, 1.0);
    std::vector<std::pair<double, std::size_t>> set;  // (x, key), sorted
    std::vector<double> weight_by_key, xs, w;
    std::size_t checks = 0, identical = 0;
    for (int step = 0; step < 1500; ++step) {
      const bool grow = step < 150 || (step >= 450 && step < 1000);  // ~300 kernels, ~0, ~1,100, ~500
      const int ops = 1 + static_cast<int>(r.below(3));
      for (int o = 0; o < ops; ++o) {
        if (grow || set.empty() || r.chance(0.2)) {
          double x = r.chance(0.3) && !set.empty() ? set[r.below(set.size())].first : r.uniform(low, high);
          if (integer) x = std::clamp(std::round(x), low + 0.5, high - 0.5);
          const std::size_t key = weight_by_key.size();
          weight_by_key.push_back(r.uniform(0.01, 1.0));
          inc.insert(x, key);
          set.insert(std::upper_bound(set.begin(), set.end(), std::pair{x, key}), {x, key});
        } else {
          const std::size_t at = r.below(set.size());
          inc.erase(set[at].first, set[at].second);
          set.erase(set.begin() + static_cast<std::ptrdiff_t>(at));
        }
      }
      for (double& x : weight_by_key) x = r.chance(0.1) ? r.uniform(0.01, 1.0) : x;  // recency weights move
      const double prior_weight = 1.0;
      inc.reweigh(weight_by_key);
      xs.clear(), w.clear();
      for (const auto& [x, k] : set) xs.push_back(x), w.push_back(weight_by_key[k]);
      rebuilt.build(xs, w, low, high, prior_weight);
      REQUIRE(inc.size() == set.size());
      CHECK(inc.mus() == rebuilt.mus());
      CHECK(inc.sigmas() == rebuilt.sigmas());
      for (int q = 0; q < 5; ++q) {
        const double x = integer ? std::round(r.uniform(0.0, 30.0)) : r.uniform(low, high), hw = integer ? 0.5 : 0.0;
        const double a = inc.log_density(x, hw), b = rebuilt.log_density(x, hw);
        INFO("step " << step << " n " << set.size() << " x " << x);
        CHECK(std::abs(a - b) <= 1e-9 * std::abs(b));
        CHECK(std::abs(inc.log_density_lower_bound(x, hw, 2.5) - rebuilt.log_density_lower_bound(x, hw, 2.5)) <= 1e-9 * std::abs(b));
        ++checks, identical += a == b;
      }
    }
    CHECK(identical == checks);  // the same kernels in the same order: the same bits
  }
}

TEST_CASE("TPE: incremental estimators give the same suggestions as rebuilding them for every ask", "[tune][tpe]") {
  // a mixed space (integer, log real, log integer, categorical, a conditional real), failed trials,
  // and batches of pending asks (the constant liar): 400 trials, every configuration compared
  const auto space = [] {
    parameter_space s;
    s.integer("n", 0, 20).real("y", 1e-4, 1.0, true).integer("m", 1, 1000, true).categorical("c", {"a", "b", "c"}).real("x", -1.0, 1.0);
    s.real("t", 0.0, 2.0).only_when("t", "c", {"b", "c"});
    return s;
  };
  const auto f = [](const configuration& c) {
    const double t = c.has("t") ? c.real("t") : 1.5;
    return -std::abs(c.integer("n") - 7) - std::abs(std::log10(c.real("y")) + 2.0) - std::abs(std::log(static_cast<double>(c.integer("m"))) - 3.0) -
           (c.real("x") - 0.3) * (c.real("x") - 0.3) - (t - 0.5) * (t - 0.5);
  };
  tpe_parameters fast, slow;
  slow.incremental = false;
  tpe a(space(), fast), b(space(), slow);
  fhops::rng ra(31), rb(31), noise(7);
  std::size_t asked = 0;
  while (asked < 400) {
    const std::size_t batch = asked > 150 && noise.chance(0.3) ? 1 + noise.below(4) : 1;
    std::vector<trial> ta, tb;
    for (std::size_t j = 0; j < batch; ++j) ta.push_back(*a.ask(ra)), tb.push_back(*b.ask(rb)), ++asked;
    for (std::size_t j = 0; j < batch; ++j) {
      REQUIRE(ta[j].config == tb[j].config);
      const double v = noise.chance(0.05) ? std::nan("") : f(ta[j].config);
      a.tell(ta[j], v), b.tell(tb[j], v);
    }
  }
}
