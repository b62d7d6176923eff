// Benchmark: the tuner strategies' own cost (no objective work): ask + tell per trial for random
// search and TPE on a 10-parameter sphere, at growing trial counts.
// Usage: tune_bench [TRIALS] (default 1000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "fhops/tune/tune.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

fhops::tune::parameter_space sphere_space(int dims) {
  fhops::tune::parameter_space s;
  for (int i = 0; i < dims; ++i) s.real("x" + std::to_string(i), -5.0, 5.0);
  return s;
}

double sphere(const fhops::tune::configuration& c) {
  double v = 0.0;
  for (const auto& [n, x] : c.items()) v -= std::get<double>(x) * std::get<double>(x);
  return v;
}

// Microseconds per ask+tell over trials [from, to), after running the first `from` trials.
template <class Strategy>
double per_trial_us(Strategy s, std::size_t from, std::size_t to) {
  fhops::rng r(1);
  double spent = 0.0;
  for (std::size_t k = 0; k < to; ++k) {
    const auto t0 = clock_type::now();
    const auto t = s.ask(r);
    const double v = sphere(t->config);
    s.tell(*t, v);
    if (k >= from) spent += std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
  }
  return spent / static_cast<double>(to - from);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t trials = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 1000;
  std::printf("| strategy | parameters | trials | ask+tell per trial (us), last 10%% of the run |\n|---|---|---|---|\n");
  for (const std::size_t n : {trials / 10, trials / 2, trials}) {
    const std::size_t from = n - std::max<std::size_t>(n / 10, 1);
    std::printf("| random | 10 | %zu | %.1f |\n", n, per_trial_us(fhops::tune::random_search(sphere_space(10)), from, n));
    fhops::tune::tpe_parameters p;
    std::printf("| tpe | 10 | %zu | %.1f |\n", n, per_trial_us(fhops::tune::tpe(sphere_space(10), p), from, n));
    std::fflush(stdout);
  }
  return 0;
}
