// Benchmark: full objective evaluation and scenario loading (issue: foundation).
// Usage: evaluate_bench [SHARED_REFERENCE_DIR]   (default ../shared/reference)
// Prints the median over 9 batches of ns per full evaluation for the greedy seed and for a random
// schedule, and the median load time of each scenario. Figures go to bench/RESULTS.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "fhops/harvest/harvest.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ns per evaluation: batches sized to ~50 ms, median of 9.
double time_evaluation(const fhops::harvest::problem& pb, const fhops::harvest::schedule& s) {
  fhops::harvest::evaluator eval(pb);
  volatile double sink = 0;
  std::size_t n = 64;
  for (;;) {  // calibrate
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < n; ++i) sink = sink + eval(s).score;
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    if (secs > 0.05) break;
    n *= 2;
  }
  std::vector<double> per;
  for (int b = 0; b < 9; ++b) {
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < n; ++i) sink = sink + eval(s).score;
    per.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / static_cast<double>(n));
  }
  return median(per);
}

fhops::harvest::schedule random_schedule(const fhops::harvest::problem& pb, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  fhops::harvest::schedule s(pb);
  for (auto& c : s.cells) c = (rng() % 3 == 0) ? fhops::harvest::idle : static_cast<int>(rng() % pb.num_blocks);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path ref = argc > 1 ? fs::path(argv[1]) : fs::path("../shared/reference");
  std::vector<std::pair<std::string, fs::path>> cases{{"demo", fs::path(FHOPS_BENCH_SOURCE_DIR) / "examples/scenarios/demo"}};
  for (const char* name : {"minitoy", "small21", "med42", "large84", "synthetic/large"}) {
    const fs::path p = ref / "scenarios" / name / "scenario.yaml";
    if (fs::exists(p)) cases.emplace_back(name, p);
    else std::fprintf(stderr, "skipping %s: %s not found\n", name, p.c_str());
  }
  std::printf("| scenario | machines x slots | load (ms) | eval greedy (ns) | eval random (ns) | evals/s (random) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& [name, path] : cases) {
    std::vector<double> loads;
    for (int i = 0; i < 15; ++i) {
      const auto t0 = clock_type::now();
      const fhops::harvest::problem pb(fhops::harvest::load_scenario(path));
      loads.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    const fhops::harvest::problem pb(fhops::harvest::load_scenario(path));
    const double greedy_ns = time_evaluation(pb, fhops::harvest::greedy_schedule(pb));
    const double random_ns = time_evaluation(pb, random_schedule(pb, 7));
    std::printf("| %s | %d x %d | %.2f | %.0f | %.0f | %.0f |\n", name.c_str(), pb.num_machines, pb.num_slots,
                median(loads), greedy_ns, random_ns, 1e9 / random_ns);
  }
  return 0;
}
