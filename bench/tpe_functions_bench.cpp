// Benchmark: the quality of the TPE strategy (default parameters, as Optuna's default TPESampler)
// on standard test functions, for the side-by-side comparison with Optuna in tpe_vs_optuna.py.
// Functions (minimised; the strategy maximises their negation):
//   branin     x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887
//   hartmann6  x1..x6 in [0, 1]; minimum -3.32237
//   sphere10c  x0..x9 in [-5, 5] and c in {a, b, c, d, e}: sum x_i^2 + offset(c), offsets
//              a 0, b 2, c 4, d 6, e 8; minimum 0
// Prints one JSON line per function and seed: {"function": ..., "seed": ..., "best": ...}, the best
// (lowest) value after TRIALS trials.
// Usage: tpe_functions_bench [TRIALS] [SEEDS] [FUNCTION...]   (defaults 100, 10, all three)
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "fhops/tune/tune.hpp"

namespace {

using fhops::tune::configuration;
using fhops::tune::parameter_space;

double branin(const configuration& c) {
  const double x1 = c.real("x1"), x2 = c.real("x2"), pi = std::numbers::pi;
  const double b = 5.1 / (4.0 * pi * pi), cc = 5.0 / pi, t = 1.0 / (8.0 * pi);
  return (x2 - b * x1 * x1 + cc * x1 - 6.0) * (x2 - b * x1 * x1 + cc * x1 - 6.0) + 10.0 * (1.0 - t) * std::cos(x1) + 10.0;
}

double hartmann6(const configuration& c) {
  static constexpr std::array<double, 4> alpha{1.0, 1.2, 3.0, 3.2};
  static constexpr double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
  static constexpr double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                     {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                     {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                     {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double f = 0.0;
  for (int i = 0; i < 4; ++i) {
    double s = 0.0;
    for (int j = 0; j < 6; ++j) {
      const double x = c.real("x" + std::to_string(j + 1));
      s += a[i][j] * (x - p[i][j]) * (x - p[i][j]);
    }
    f -= alpha[static_cast<std::size_t>(i)] * std::exp(-s);
  }
  return f;
}

double sphere10c(const configuration& c) {
  double f = 0.0;
  for (int i = 0; i < 10; ++i) f += c.real("x" + std::to_string(i)) * c.real("x" + std::to_string(i));
  return f + 2.0 * static_cast<double>(c.category("c")[0] - 'a');
}

struct test_function {
  const char* name;
  std::function<parameter_space()> space;
  double (*f)(const configuration&);
};

const std::vector<test_function>& functions() {
  static const std::vector<test_function> all{
      {"branin", [] { return parameter_space().real("x1", -5.0, 10.0).real("x2", 0.0, 15.0); }, branin},
      {"hartmann6",
       [] {
         parameter_space s;
         for (int j = 1; j <= 6; ++j) s.real("x" + std::to_string(j), 0.0, 1.0);
         return s;
       },
       hartmann6},
      {"sphere10c",
       [] {
         parameter_space s;
         for (int i = 0; i < 10; ++i) s.real("x" + std::to_string(i), -5.0, 5.0);
         return s.categorical("c", {"a", "b", "c", "d", "e"});
       },
       sphere10c},
  };
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t trials = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 100;
  const int seeds = argc > 2 ? std::atoi(argv[2]) : 10;
  if (trials < 1 || seeds < 1) {
    std::fprintf(stderr, "tpe_functions_bench: TRIALS and SEEDS must be >= 1\n");
    return 2;
  }
  std::vector<std::string> wanted(argv + std::min(argc, 3), argv + argc);
  for (const auto& fn : functions()) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), fn.name) == wanted.end()) continue;
    for (int seed = 0; seed < seeds; ++seed) {
      fhops::tune::tpe strategy(fn.space());
      fhops::rng r(static_cast<std::uint64_t>(seed));
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < trials; ++k) {
        const auto t = strategy.ask(r);
        const double v = fn.f(t->config);
        best = std::min(best, v);
        strategy.tell(*t, -v);
      }
      std::printf("{\"function\": \"%s\", \"seed\": %d, \"best\": %.17g}\n", fn.name, seed, best);
    }
  }
  return 0;
}
