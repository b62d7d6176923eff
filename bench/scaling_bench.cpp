// Benchmark: how evaluation costs grow with the schedule (issue 6, scaling series).
// Usage: scaling_bench [TIER,...]   (default small,medium,large,xl,xxl)
// For each generator tier: generation time, bundle size and load time of the written bundle, full
// evaluation time of the greedy seed and of a short-SA plan, and exact delta evaluation of moves
// proposed by the default operators from that plan, and the evaluations/s of the whole SA loop
// (20,000 steps) that made the plan. Every figure is a median (see RESULTS.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/harvest/synth/writer.hpp"

namespace {

using namespace fhops::harvest;
using steady = std::chrono::steady_clock;

double ms_since(steady::time_point t0) { return std::chrono::duration<double, std::milli>(steady::now() - t0).count(); }

double middle(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

/// ns per call of `f`: repeated in rounds of at least 100 ms, median of 5 rounds.
template <class F>
double ns_per_call(F&& f) {
  std::size_t n = 1;
  for (;;) {
    const auto t0 = steady::now();
    for (std::size_t i = 0; i < n; ++i) f(i);
    if (ms_since(t0) > 100) break;
    n *= 2;
  }
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = steady::now();
    for (std::size_t i = 0; i < n; ++i) f(i);
    rounds.push_back(ms_since(t0) * 1e6 / static_cast<double>(n));
  }
  return middle(rounds);
}

struct row {
  std::string tier;
  int blocks = 0, machines = 0, slots = 0;
  double generate_ms = 0, megabytes = 0, load_ms = 0;
  double full_greedy_ns = 0, full_plan_ns = 0, delta_ns = 0, sa_rate = 0;
};

row measure(const std::string& tier) {
  row out;
  out.tier = tier;
  const synth_parameters params = synth_tier(tier);
  std::vector<double> gen;
  synth_bundle g;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = steady::now();
    g = generate_synth(params);
    gen.push_back(ms_since(t0));
  }
  out.generate_ms = middle(gen);
  const auto dir = std::filesystem::temp_directory_path() / ("fhops_scaling_" + tier + "_" + std::to_string(::getpid()));
  write_synth_bundle(dir, g, true);
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir))
    if (f.is_regular_file()) out.megabytes += static_cast<double>(f.file_size()) / 1e6;
  std::vector<double> loads;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = steady::now();
    const problem loaded(load_scenario(dir / "scenario.yaml"));
    loads.push_back(ms_since(t0));
  }
  out.load_ms = middle(loads);
  std::filesystem::remove_all(dir);

  const problem pb(g.sc);
  out.blocks = pb.num_blocks;
  out.machines = pb.num_machines;
  out.slots = pb.num_slots;
  evaluator full(pb);
  volatile double sink = 0;
  const schedule greedy = greedy_schedule(pb);
  out.full_greedy_ns = ns_per_call([&](std::size_t) { sink = sink + full(greedy).score; });

  // A plan a search would hold: 20,000 SA steps from the greedy seed (budget cooling).
  solve_options o;
  o.stop = {20000, 0.0, 0, std::nullopt};
  o.cooling = "budget";
  o.restart_period = 0;
  const solve_outcome sa = solve(pb, o);
  const schedule plan = sa.search.best;
  out.sa_rate = static_cast<double>(sa.search.evaluations) / sa.search.seconds;
  out.full_plan_ns = ns_per_call([&](std::size_t) { sink = sink + full(plan).score; });

  incremental_evaluator state(pb);
  state.reset(plan);
  harvest_neighbourhood nbh(pb);
  fhops::rng random(11);
  std::vector<std::size_t> enabled;
  for (std::size_t i = 0; i < operator_count; ++i)
    if (default_weights[i] > 0) enabled.push_back(i);
  std::vector<harvest_move> moves;
  harvest_move mv;
  for (std::size_t tries = 0; moves.size() < 4096 && tries < 100000; ++tries)
    if (nbh.propose(enabled[tries % enabled.size()], state, random, mv)) moves.push_back(mv);
  if (!moves.empty())
    out.delta_ns = ns_per_call([&](std::size_t i) { sink = sink + state.evaluate(moves[i % moves.size()].changes).score; });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> tiers{"small", "medium", "large", "xl", "xxl"};
  if (argc > 1) {
    tiers.clear();
    std::stringstream ss(argv[1]);
    for (std::string t; std::getline(ss, t, ',');) tiers.push_back(t);
  }
  std::printf("| tier | blocks | machines x slots | cells | generate (ms) | bundle (MB) | load (ms) | full eval greedy (µs) | "
              "full eval plan (µs) | full evals/s | delta eval (ns) | delta evals/s | SA loop evals/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& t : tiers) {
    const row r = measure(t);
    std::printf("| %s | %d | %d x %d | %d | %.1f | %.2f | %.1f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f |\n", r.tier.c_str(), r.blocks,
                r.machines, r.slots, r.machines * r.slots, r.generate_ms, r.megabytes, r.load_ms, r.full_greedy_ns / 1e3,
                r.full_plan_ns / 1e3, 1e9 / r.full_plan_ns, r.delta_ns, r.delta_ns > 0 ? 1e9 / r.delta_ns : 0.0, r.sa_rate);
    std::fflush(stdout);
  }
  return 0;
}
