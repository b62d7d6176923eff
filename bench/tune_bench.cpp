// Benchmark: the tuner strategies' own cost (no objective work): ask + tell per trial for random
// search and TPE on a 10-parameter sphere (10 real parameters in [-5, 5]), averaged over whole
// runs of 100, 500 and TRIALS trials (the target: TPE <= 200 us per trial at 1,000
// trials x 10 parameters), and over the last 10 % of each run. Times are this thread's CPU time
// (the machine is shared; wall time is printed beside it).
// Usage: tune_bench [TRIALS] [REPEATS] [tpe-only]   (defaults 1000 and 3; the median of the repeats
// is printed; `tpe-only`: only TPE at TRIALS trials, for profiles)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "fhops/tune/tune.hpp"

namespace {

double cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
}
double wall_us() { return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

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

struct cost {
  double cpu_all, wall_all, cpu_tail;  // us per trial: whole run (CPU, wall), last 10 % (CPU)
};

template <class Strategy>
cost per_trial(Strategy s, std::size_t trials) {
  fhops::rng r(1);
  const std::size_t tail_from = trials - std::max<std::size_t>(trials / 10, 1);
  double cpu = 0.0, wall = 0.0, tail = 0.0;
  for (std::size_t k = 0; k < trials; ++k) {
    const double c0 = cpu_us(), w0 = wall_us();
    const auto t = s.ask(r);
    const double v = sphere(t->config);
    s.tell(*t, v);
    const double dc = cpu_us() - c0;
    cpu += dc, wall += wall_us() - w0;
    if (k >= tail_from) tail += dc;
  }
  return {cpu / static_cast<double>(trials), wall / static_cast<double>(trials), tail / static_cast<double>(trials - tail_from)};
}

template <class Make>
cost median_of(Make make, std::size_t trials, int repeats) {
  std::vector<cost> runs;
  for (int i = 0; i < repeats; ++i) runs.push_back(per_trial(make(), trials));
  const auto med = [&](double cost::*f) {
    std::vector<double> v;
    for (const auto& c : runs) v.push_back(c.*f);
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  return {med(&cost::cpu_all), med(&cost::wall_all), med(&cost::cpu_tail)};
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t trials = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 1000;
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const bool tpe_only = argc > 3 && std::string(argv[3]) == "tpe-only";
  std::printf("| strategy | parameters | trials | ask+tell per trial, whole run: CPU us | wall us | last 10%% of the run: CPU us |\n|---|---|---|---|---|---|\n");
  if (tpe_only) {
    const auto tp = median_of([] { return fhops::tune::tpe(sphere_space(10)); }, trials, repeats);
    std::printf("| tpe | 10 | %zu | %.1f | %.1f | %.1f |\n", trials, tp.cpu_all, tp.wall_all, tp.cpu_tail);
    return 0;
  }
  for (const std::size_t n : {trials / 10, trials / 2, trials}) {
    const auto rs = median_of([] { return fhops::tune::random_search(sphere_space(10)); }, n, repeats);
    std::printf("| random | 10 | %zu | %.1f | %.1f | %.1f |\n", n, rs.cpu_all, rs.wall_all, rs.cpu_tail);
    const auto tp = median_of([] { return fhops::tune::tpe(sphere_space(10)); }, n, repeats);
    std::printf("| tpe | 10 | %zu | %.1f | %.1f | %.1f |\n", n, tp.cpu_all, tp.wall_all, tp.cpu_tail);
    std::fflush(stdout);
  }
  return 0;
}
