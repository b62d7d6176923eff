// Benchmark: move evaluation throughput and solution quality of the heuristics.
// Usage: search_bench [REFERENCE_DIR] [--quality SECONDS,...] [--seeds N] [--solvers sa,ils,tabu]
//                     [--only SCENARIO,...]
//   1. delta evaluation: ns per exact evaluation of operator-generated moves (default weights) on
//      a good plan, vs a full evaluation of the same schedule;
//   2. quality: median (and min, max) best objective over N seeds per scenario, solver and time
//      limit, default settings (solve-heur --time-limit T).
// Figures go to bench/RESULTS.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"

namespace {

using namespace fhops::harvest;
using clock_type = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');) out.push_back(x);
  return out;
}

// A plan solved by a short SA run, the start of the move benchmarks.
schedule solved_plan(const problem& pb) {
  solve_options o;
  o.stop = {20000, 0.0, 0, std::nullopt};
  o.cooling = "budget";
  o.restart_period = 0;
  return solve(pb, o).search.best;
}

// ns per delta evaluation and per full evaluation, on moves proposed from a solved plan by the
// default operators in proportion to their weights (the mix a default run evaluates).
std::pair<double, double> evaluation_speed(const problem& pb, const schedule& plan) {
  incremental_evaluator state(pb);
  state.reset(plan);
  harvest_neighbourhood nbh(pb);
  fhops::rng r(3);
  std::vector<harvest_move> moves;
  harvest_move mv;
  double total = 0.0;
  for (const double w : default_weights) total += w;
  while (moves.size() < 20000) {
    double u = r.uniform01() * total;
    std::size_t op = 0;
    while (op + 1 < operator_count && (u -= default_weights[op]) >= 0.0) ++op;
    if (default_weights[op] > 0 && nbh.propose(op, state, r, mv)) moves.push_back(mv);
  }
  volatile double sink = 0;
  std::vector<double> delta, full;
  evaluator fe(pb);
  for (int rep = 0; rep < 7; ++rep) {
    auto t0 = clock_type::now();
    for (const auto& m : moves) sink = sink + state.evaluate(m.changes).score;
    delta.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / moves.size());
    t0 = clock_type::now();
    for (int i = 0; i < 2000; ++i) sink = sink + fe(plan).score;
    full.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / 2000);
  }
  return {median(delta), median(full)};
}

// Per operator: ns per proposal (including local sanitising) and per delta evaluation of its
// moves, from a solved plan; median of 5 repetitions.
void operator_costs(const problem& pb, const schedule& plan, const std::string& name) {
  incremental_evaluator state(pb);
  state.reset(plan);
  harvest_neighbourhood nbh(pb);
  for (std::size_t op = 0; op < operator_count; ++op) {
    fhops::rng r(11);
    harvest_move mv;
    std::vector<double> prop, eval;
    long long made = 0;
    const int n = op >= static_cast<std::size_t>(operator_index("row_rebuild")) ? 300 : 5000;  // the rebuilds cost 0.1-2 ms
    for (int rep = 0; rep < 5; ++rep) {
      std::vector<harvest_move> moves;
      auto t0 = clock_type::now();
      for (int i = 0; i < n; ++i)
        if (nbh.propose(op, state, r, mv)) moves.push_back(mv);
      prop.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / n);
      made = static_cast<long long>(moves.size());
      volatile double sink = 0;
      t0 = clock_type::now();
      for (const auto& m : moves) sink = sink + state.evaluate(m.changes).score;
      eval.push_back(moves.empty() ? 0.0 : std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / moves.size());
    }
    std::printf("| %s | %s | %.0f | %.0f | %.0f%% |\n", name.c_str(), std::string(operator_names[op]).c_str(), median(prop),
                median(eval), 100.0 * made / n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  fs::path ref = "../shared/reference";
  std::vector<double> limits;
  int seeds = 5;
  std::vector<std::string> solvers{"sa"};
  std::vector<std::string> only;  // scenario names to run (all when empty)
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quality") && i + 1 < argc) {
      for (const auto& x : split(argv[++i])) limits.push_back(std::atof(x.c_str()));
    } else if (!std::strcmp(argv[i], "--seeds") && i + 1 < argc) {
      seeds = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--solvers") && i + 1 < argc) {
      solvers = split(argv[++i]);
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = split(argv[++i]);
    } else {
      ref = argv[i];
    }
  }
  std::vector<std::pair<std::string, fs::path>> cases;
  for (const char* name : {"minitoy", "small21", "med42", "large84", "synthetic/small", "synthetic/medium", "synthetic/large"}) {
    const fs::path p = ref / "scenarios" / name / "scenario.yaml";
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    if (fs::exists(p)) cases.emplace_back(name, p);
    else std::fprintf(stderr, "skipping %s: %s not found\n", name, p.c_str());
  }
  if (only.empty() || std::find(only.begin(), only.end(), "demo") != only.end())
    cases.emplace_back("demo", fs::path(FHOPS_BENCH_SOURCE_DIR) / "examples/scenarios/demo/scenario.yaml");

  std::printf("## Move evaluation\n\n| scenario | machines x slots | delta eval (ns) | full eval (ns) | delta evals/s |\n|---|---|---|---|---|\n");
  std::vector<std::pair<std::string, schedule>> plans;
  for (const auto& [name, path] : cases) {
    const problem pb(load_scenario(path));
    plans.emplace_back(name, solved_plan(pb));
    const auto [d, f] = evaluation_speed(pb, plans.back().second);
    std::printf("| %s | %d x %d | %.0f | %.0f | %.0f |\n", name.c_str(), pb.num_machines, pb.num_slots, d, f, 1e9 / d);
    std::fflush(stdout);
  }
  std::printf("\n## Operator costs (from a solved plan)\n\n| scenario | operator | propose (ns) | delta eval (ns) | moves made |\n|---|---|---|---|---|\n");
  for (std::size_t k = 0; k < cases.size(); ++k)
    if (cases[k].first == "med42" || cases[k].first == "large84") {
      const problem pb(load_scenario(cases[k].second));
      operator_costs(pb, plans[k].second, cases[k].first);
      std::fflush(stdout);
    }
  if (limits.empty()) return 0;
  std::printf("\n## Quality (best objective, median [min, max] of %d seeds; evaluations/s median)\n\n", seeds);
  std::printf("| scenario | solver | time limit (s) | median | min | max | evals/s |\n|---|---|---|---|---|---|---|\n");
  for (const auto& [name, path] : cases) {
    const problem pb(load_scenario(path));
    for (const auto& solver : solvers)
      for (const double limit : limits) {
        std::vector<double> best, rate;
        for (int s = 0; s < seeds; ++s) {
          solve_options o;
          o.kind = solver == "ils" ? solver_kind::ils : solver == "tabu" ? solver_kind::tabu : solver_kind::sa;
          o.weights = o.kind == solver_kind::tabu ? default_tabu_weights : default_weights;
          o.stop = {0, limit, 0, std::nullopt};
          o.seed = 42 + static_cast<std::uint64_t>(s);
          o.cooling = "budget";
          o.restart_period = 0;
          o.tabu.tenure = std::max(10, pb.num_machines);
          const auto out = solve(pb, o);
          best.push_back(out.best.score);
          rate.push_back(static_cast<double>(out.search.evaluations) / out.search.seconds);
        }
        std::printf("| %s | %s | %g | %.3f | %.3f | %.3f | %.0f |\n", name.c_str(), solver.c_str(), limit, median(best),
                    *std::min_element(best.begin(), best.end()), *std::max_element(best.begin(), best.end()), median(rate));
        std::fflush(stdout);
      }
  }
  return 0;
}
