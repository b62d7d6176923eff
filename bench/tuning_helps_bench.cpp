// Benchmark: does tuning help? On one scenario (default: the reference's med42) with a fixed
// budget per trial (SA, --iters N), for tuner seeds 1..S:
//   - TPE's best after T trials and random search's best after T trials (tune-bayes / tune-random
//     as the CLI runs them: harvest::run_tuner over solver_tuning_space(sa), no telemetry);
//   - the default solver configuration (solve-heur --iters N): one run with the tuner seed, and
//     the best of T runs (seeds seed + k: the same number of runs as the tuners);
//   - the best configurations re-run with F fresh seeds (replay: not a lucky seed).
// Prints one row per tuner seed and the medians.
// Usage: tuning_helps_bench [SCENARIO] [--iters N] [--trials T] [--seeds S] [--fresh F]
//        (defaults ../shared/reference/scenarios/med42/scenario.yaml, 500, 40, 5, 5)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"

namespace {

namespace fh = fhops::harvest;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct tuned {
  double best = 0.0;
  fh::solve_options options;  // the best trial's options
};

tuned tune(const fh::problem& pb, fh::tuner_kind kind, long long iters, std::size_t trials, std::uint64_t seed) {
  const auto space = fh::solver_tuning_space(fh::solver_kind::sa);
  const auto base = fh::tuning_base_options(fh::solver_kind::sa, iters, std::nullopt);
  const auto trials_run = fh::run_tuner(
      kind, space, base, 0, trials, seed, 1, [&](const fhops::tune::trial&, const fh::solve_options& o) { return fh::solve(pb, o); },
      [](const fh::tuned_trial&) {});
  tuned t{-1e300, base};
  for (const auto& tr : trials_run)
    if (tr.result.ok() && tr.result.value > t.best) t = {tr.result.value, tr.options};
  return t;
}

// The median objective of `o` over seeds first, first + 1, ..., first + n - 1.
double replay(const fh::problem& pb, fh::solve_options o, std::uint64_t first, int n) {
  std::vector<double> v;
  for (int k = 0; k < n; ++k) {
    o.seed = first + static_cast<std::uint64_t>(k);
    v.push_back(fh::solve(pb, o).best.score);
  }
  return median(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path scenario = std::filesystem::path(FHOPS_BENCH_SOURCE_DIR) / "../shared/reference/scenarios/med42/scenario.yaml";
  long long iters = 500;
  std::size_t trials = 40;
  int seeds = 5, fresh = 5;
  for (int i = 1; i < argc; ++i) {
    const auto value = [&](const char* name) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tuning_helps_bench: %s needs a value\n", name);
        std::exit(2);
      }
      return std::atoll(argv[++i]);
    };
    if (!std::strcmp(argv[i], "--iters")) iters = value("--iters");
    else if (!std::strcmp(argv[i], "--trials")) trials = static_cast<std::size_t>(value("--trials"));
    else if (!std::strcmp(argv[i], "--seeds")) seeds = static_cast<int>(value("--seeds"));
    else if (!std::strcmp(argv[i], "--fresh")) fresh = static_cast<int>(value("--fresh"));
    else scenario = argv[i];
  }
  if (iters < 1 || trials < 1 || seeds < 1 || fresh < 1) {
    std::fprintf(stderr, "tuning_helps_bench: --iters, --trials, --seeds and --fresh must be >= 1\n");
    return 2;
  }
  if (!std::filesystem::exists(scenario)) {
    std::fprintf(stderr, "tuning_helps_bench: %s not found (pass the scenario path)\n", scenario.string().c_str());
    return 1;
  }
  const fh::problem pb(fh::load_scenario(scenario));
  fh::solve_options defaults;  // solve-heur's defaults with --iters
  defaults.stop.max_iterations = iters;

  std::printf("%s, SA --iters %lld, %zu trials per tuner, replays over %d fresh seeds (1001..)\n\n", scenario.string().c_str(), iters, trials, fresh);
  std::printf("| tuner seed | TPE best | random best | default, 1 run | default, best of %zu | replay: TPE best config | random best config | default |\n", trials);
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::vector<double> tp, rs, d1, dn, rtp, rrs, rd;
  for (int s = 1; s <= seeds; ++s) {
    const auto seed = static_cast<std::uint64_t>(s);
    const tuned a = tune(pb, fh::tuner_kind::bayes, iters, trials, seed), b = tune(pb, fh::tuner_kind::random, iters, trials, seed);
    fh::solve_options o = defaults;
    o.seed = seed;
    const double one = fh::solve(pb, o).best.score;
    double best_n = -1e300;
    for (std::size_t k = 0; k < trials; ++k) {
      o.seed = seed + k;
      best_n = std::max(best_n, fh::solve(pb, o).best.score);
    }
    tp.push_back(a.best), rs.push_back(b.best), d1.push_back(one), dn.push_back(best_n);
    rtp.push_back(replay(pb, a.options, 1001, fresh)), rrs.push_back(replay(pb, b.options, 1001, fresh)), rd.push_back(replay(pb, defaults, 1001, fresh));
    std::printf("| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", s, tp.back(), rs.back(), d1.back(), dn.back(), rtp.back(), rrs.back(), rd.back());
    std::fflush(stdout);
  }
  std::printf("| **median** | **%.3f** | **%.3f** | **%.3f** | **%.3f** | **%.3f** | **%.3f** | **%.3f** |\n", median(tp), median(rs), median(d1), median(dn),
              median(rtp), median(rrs), median(rd));
  return 0;
}
