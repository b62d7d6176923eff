// Benchmark: the racing tuner (tune/race.hpp, `fhops tune-race`) against TPE with the same budget of
// solver runs (issue 23 §1). SA with --iters N per run, tuned on 4 training scenarios of 4 families
// (bench/families: roles, softcap, mobil, crews — the tune split), then each tuner's best
// configuration is re-run on 6 scenarios — the 4 training ones and 2 held back (report split) —
// with held-back seeds. Per budget B and repeat (tuner seed):
//   - TPE: B/4 trials, each trial the configuration on all 4 training scenarios (one run each, its
//     seed from the trial), objective = the mean over the scenarios of the z-score (score − mean) /
//     sd against the default configuration's runs on that scenario (below): comparable numbers;
//   - racing: B runs (blocks = training scenario × seed, rounds of a seeded shuffle), as tune-race;
//   - racing with B/2 runs: does racing reach TPE's quality with half the runs?
// Evaluation: each best configuration on the 6 scenarios × E held-back seeds (10001..); a value is
// the gap in % to the best score seen on that scenario anywhere in the benchmark (lower is better).
// The default configuration (tuning_base_options: the reference's weights) on the same seeds is
// the baseline. Paired by (scenario, seed, repeat); Wilcoxon signed-rank (util/statistics.hpp)
// two-sided and one-sided (racing worse than TPE).
// Usage: race_vs_tpe [--budgets 100,200] [--iters 500] [--repeats 3] [--eval-seeds 10] [--jobs 2]
//                    [--dir build/race_vs_tpe] [--plan bench/families/families.plan.yaml]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "families/families.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/tune/race.hpp"
#include "fhops/tune/runner.hpp"
#include "fhops/tune/tpe.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/statistics.hpp"
#include "fhops/workflows/race_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/work_units.hpp"

namespace {

namespace fh = fhops::harvest;
namespace ft = fhops::tune;
namespace fs = std::filesystem;

const std::vector<std::string> training = {"tune-roles-40x8x28", "tune-softcap-60x12x21x2", "tune-mobil-80x16x42", "tune-crews-40x10x56"};
const std::vector<std::string> held_back = {"report-roles-40x8x28", "report-crews-60x12x56x2"};

struct instance {
  std::string name, family;
  fh::problem pb;
  fh::solve_options base;
  double mean = 0.0, sd = 1.0;  // the default configuration's runs over the evaluation seeds
  double best = -1e300;         // the best score seen on it in this benchmark
};

double z_score(const instance& s, double score) { return (score - s.mean) / s.sd; }

std::vector<double> parse_list(const char* s) {
  std::vector<double> out;
  for (const char* p = s; *p;) {
    out.push_back(std::atof(p));
    p = std::strchr(p, ',');
    if (!p) break;
    ++p;
  }
  return out;
}

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (const double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> budgets{100, 200};
  long long iters = 500;
  int repeats = 3, eval_seeds = 10;
  std::size_t jobs = 2;
  fs::path dir = fs::path(FHOPS_BENCH_BINARY_DIR) / "race_vs_tpe";
  fs::path plan = fs::path(FHOPS_BENCH_SOURCE_DIR) / "bench/families/families.plan.yaml";
  for (int i = 1; i < argc; ++i) {
    const auto value = [&](const char* name) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "race_vs_tpe: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--budgets")) budgets = parse_list(value("--budgets"));
    else if (!std::strcmp(argv[i], "--iters")) iters = std::atoll(value("--iters"));
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(value("--repeats"));
    else if (!std::strcmp(argv[i], "--eval-seeds")) eval_seeds = std::atoi(value("--eval-seeds"));
    else if (!std::strcmp(argv[i], "--jobs")) jobs = static_cast<std::size_t>(std::atoll(value("--jobs")));
    else if (!std::strcmp(argv[i], "--dir")) dir = value("--dir");
    else if (!std::strcmp(argv[i], "--plan")) plan = value("--plan");
    else {
      std::fprintf(stderr, "race_vs_tpe: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (iters < 10 || repeats < 1 || eval_seeds < 1 || jobs < 1 || budgets.empty()) {
    std::fprintf(stderr, "race_vs_tpe: --iters >= 10, --repeats, --eval-seeds, --jobs >= 1 and a budget needed\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const fh::solve_options sa = fh::tuning_base_options(fh::solver_kind::sa, iters, std::nullopt);
  const ft::parameter_space space = fh::solver_tuning_space(fh::solver_kind::sa);

  // The 6 scenarios: written as `fhops synth batch` / families_bench would, then loaded.
  std::vector<instance> scenarios;
  for (auto& fi : fhops_bench::family_instances(plan)) {
    const bool train = std::find(training.begin(), training.end(), fi.name) != training.end();
    if (!train && std::find(held_back.begin(), held_back.end(), fi.name) == held_back.end()) continue;
    const fs::path where = dir / "instances" / fi.name;
    fhops::write_directory_atomic(where, fi.files, true, "scenario.yaml");
    fh::problem pb(fh::load_scenario(where / "scenario.yaml"));
    fh::solve_options base = fh::tuning_options_for(sa, pb.num_machines);
    scenarios.push_back({fi.name, fi.family, std::move(pb), base, 0.0, 1.0, -1e300});
  }
  std::sort(scenarios.begin(), scenarios.end(), [](const instance& a, const instance& b) {
    const auto rank = [](const std::string& n) {
      const auto it = std::find(training.begin(), training.end(), n);
      return it != training.end() ? it - training.begin() : 10 + (std::find(held_back.begin(), held_back.end(), n) - held_back.begin());
    };
    return rank(a.name) < rank(b.name);
  });
  if (scenarios.size() != 6) {
    std::fprintf(stderr, "race_vs_tpe: expected 6 scenarios from %s, found %zu\n", plan.string().c_str(), scenarios.size());
    return 1;
  }
  const std::size_t ntrain = training.size();
  const auto seed_of_eval = [](int k) { return static_cast<std::uint64_t>(10001 + k); };

  // Parallel helper: runs f(i) for i < n on `jobs` threads (order of results fixed by i).
  const auto parallel = [&](std::size_t n, const auto& f) {
    std::vector<double> out(n);
    ft::random_search dummy(space, n);  // run_trials as a plain thread pool over n trials
    ft::run_trials(dummy, [&](const ft::trial_context& ctx) { return out[ctx.t.number] = f(ctx.t.number); }, {n, 0, jobs});
    return out;
  };
  // A configuration's evaluation: its scores per (scenario, seed), scenario-major; each raises the
  // scenario's best seen.
  const auto evaluate = [&](const ft::configuration& c) {
    const std::size_t n = scenarios.size() * static_cast<std::size_t>(eval_seeds);
    auto raw = parallel(n, [&](std::size_t i) {
      const instance& s = scenarios[i / static_cast<std::size_t>(eval_seeds)];
      fh::solve_options o = fh::apply_configuration(c, s.base);
      o.seed = seed_of_eval(static_cast<int>(i % static_cast<std::size_t>(eval_seeds)));
      return fh::solve(s.pb, o).best.score;
    });
    for (std::size_t i = 0; i < n; ++i) {
      instance& s = scenarios[i / static_cast<std::size_t>(eval_seeds)];
      s.best = std::max(s.best, raw[i]);
    }
    return raw;
  };
  const ft::configuration defaults;  // tuning_base_options as it is
  const std::vector<double> default_eval = evaluate(defaults);
  for (std::size_t si = 0; si < scenarios.size(); ++si) {  // the default's mean and sd per scenario
    std::vector<double> v(default_eval.begin() + static_cast<long>(si * eval_seeds), default_eval.begin() + static_cast<long>((si + 1) * eval_seeds));
    double m = mean(v), q = 0.0;
    for (const double x : v) q += (x - m) * (x - m);
    scenarios[si].mean = m;
    scenarios[si].sd = std::max(1e-9, std::sqrt(q / static_cast<double>(std::max<std::size_t>(v.size() - 1, 1))));
  }
  std::printf("SA --iters %lld; training: ", iters);
  for (std::size_t si = 0; si < ntrain; ++si) std::printf("%s%s", si ? ", " : "", scenarios[si].name.c_str());
  std::printf("; held back: ");
  for (std::size_t si = ntrain; si < scenarios.size(); ++si) std::printf("%s%s", si > ntrain ? ", " : "", scenarios[si].name.c_str());
  std::printf("; %d evaluation seeds, %d repeats, %zu jobs\n\n", eval_seeds, repeats, jobs);

  // TPE over the training scenarios: one trial = the configuration on each, the mean z-score.
  const auto tune_tpe = [&](std::size_t budget, std::uint64_t seed) {
    const std::size_t trials = budget / ntrain;
    ft::tpe strategy(space, fh::tpe_parameters_for(trials));
    const auto results = ft::run_trials(
        strategy,
        [&](const ft::trial_context& ctx) {
          double sum = 0.0;
          for (std::size_t si = 0; si < ntrain; ++si) {
            fh::solve_options o = fh::apply_configuration(ctx.t.config, scenarios[si].base);
            o.seed = 1 + fhops::derive_seed(ctx.seed, si) % 999'999'999;
            sum += z_score(scenarios[si], fh::solve(scenarios[si].pb, o).best.score);
          }
          return sum / static_cast<double>(ntrain);
        },
        {trials, seed, 1});
    return results[*ft::best_trial(results)].t.config;
  };
  // Racing over blocks of the training scenarios, as tune-race.
  const auto tune_race = [&](std::size_t budget, std::uint64_t seed, std::size_t& used) {
    ft::race_parameters rp;
    rp.budget = budget;
    rp.blocks = fh::race_block_count(budget, rp.first_test);
    const fh::race_blocks blocks = fh::race_blocks::plan(ntrain, rp.blocks, seed);
    ft::race rc(space, rp);
    ft::run_race(
        rc,
        [&](const ft::race_trial& t) {
          const instance& s = scenarios[blocks.scenario[t.block]];
          return fh::solve(s.pb, fh::race_options(t, s.base, blocks.seed[t.block])).best.score;
        },
        {seed, jobs});
    used = rc.used();
    return rc.candidates()[*rc.best()].config;
  };

  // Every tuning first (the best seen grows with every evaluation), the tables after.
  struct repeat_row {
    std::vector<double> tpe, race, half;  // raw scores, scenario-major
    std::size_t used = 0, used_half = 0;
    double tpe_seconds = 0.0, race_seconds = 0.0;
  };
  std::vector<std::vector<repeat_row>> rows(budgets.size());
  for (std::size_t bi = 0; bi < budgets.size(); ++bi) {
    const auto budget = static_cast<std::size_t>(budgets[bi]);
    for (int rep = 1; rep <= repeats; ++rep) {
      const auto seed = static_cast<std::uint64_t>(rep);
      repeat_row row;
      const auto a = std::chrono::steady_clock::now();
      const ft::configuration tc = tune_tpe(budget, seed);
      const auto b = std::chrono::steady_clock::now();
      const ft::configuration rc = tune_race(budget, seed, row.used);
      const auto c = std::chrono::steady_clock::now();
      const ft::configuration hc = tune_race(budget / 2, seed, row.used_half);
      row.tpe = evaluate(tc), row.race = evaluate(rc), row.half = evaluate(hc);
      row.tpe_seconds = std::chrono::duration<double>(b - a).count();
      row.race_seconds = std::chrono::duration<double>(c - b).count();
      std::fprintf(stderr, "budget %zu repeat %d done (%.0f s so far)\n", budget, rep, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      rows[bi].push_back(std::move(row));
    }
  }
  const std::size_t per_rep = scenarios.size() * static_cast<std::size_t>(eval_seeds);
  const auto gaps = [&](const std::vector<double>& raw) {  // % below the scenario's best seen
    std::vector<double> g(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const instance& s = scenarios[(i % per_rep) / static_cast<std::size_t>(eval_seeds)];
      g[i] = 100.0 * (s.best - raw[i]) / std::abs(s.best);
    }
    return g;
  };
  std::printf("Best seen per scenario:");
  for (const auto& s : scenarios) std::printf(" %s %.3f;", s.name.c_str(), s.best);
  std::printf("\n\nCells: mean gap in %% to the best seen (lower is better).\n\n");
  for (std::size_t bi = 0; bi < budgets.size(); ++bi) {
    const auto budget = static_cast<std::size_t>(budgets[bi]);
    std::vector<double> tpe_all, race_all, half_all, default_all;  // paired by (repeat, scenario, seed)
    std::printf("### Budget %zu runs\n\n", budget);
    std::printf("| repeat | TPE (%zu trials x 4) | racing (%zu runs) | racing (%zu runs) | TPE s | racing s |\n|---|---|---|---|---|---|\n",
                budget / ntrain, budget, budget / 2);
    int rep = 0;
    for (const auto& row : rows[bi]) {
      const auto te = gaps(row.tpe), re = gaps(row.race), he = gaps(row.half), de = gaps(default_eval);
      tpe_all.insert(tpe_all.end(), te.begin(), te.end());
      race_all.insert(race_all.end(), re.begin(), re.end());
      half_all.insert(half_all.end(), he.begin(), he.end());
      default_all.insert(default_all.end(), de.begin(), de.end());
      std::printf("| %d | %.2f | %.2f (%zu used) | %.2f (%zu used) | %.1f | %.1f |\n", ++rep, mean(te), mean(re), row.used, mean(he), row.used_half,
                  row.tpe_seconds, row.race_seconds);
    }
    // Summaries: all 6 scenarios, the 4 training ones (held-back seeds), the 2 held back.
    const auto part = [&](const std::vector<double>& v, bool train_part, bool all) {
      std::vector<double> out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::size_t si = (i % per_rep) / static_cast<std::size_t>(eval_seeds);
        if (all || (si < ntrain) == train_part) out.push_back(v[i]);
      }
      return out;
    };
    std::printf("\n| evaluated on | default | TPE | racing | racing, half budget | racing vs TPE: Wilcoxon p (two-sided) | p (racing worse) | half vs TPE: p (two-sided) | p (half worse) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& [label, train_part, all] : {std::tuple{"all 6 scenarios", true, true}, std::tuple{"4 training scenarios, held-back seeds", true, false},
                                                 std::tuple{"2 held-back scenarios", false, false}}) {
      const auto t = part(tpe_all, train_part, all), r = part(race_all, train_part, all), h = part(half_all, train_part, all),
                 d = part(default_all, train_part, all);
      namespace st = fhops::stats;
      // Gaps: lower is better, so "racing worse" is the alternative "racing's gaps greater".
      const auto two = st::wilcoxon_signed_rank(std::span<const double>(r), std::span<const double>(t));
      const auto worse = st::wilcoxon_signed_rank(std::span<const double>(r), std::span<const double>(t), {st::alternative::greater});
      const auto two_h = st::wilcoxon_signed_rank(std::span<const double>(h), std::span<const double>(t));
      const auto worse_h = st::wilcoxon_signed_rank(std::span<const double>(h), std::span<const double>(t), {st::alternative::greater});
      std::printf("| %s (n = %zu) | %.2f | %.2f | %.2f | %.2f | %.3g | %.3g | %.3g | %.3g |\n", label, t.size(), mean(d), mean(t), mean(r), mean(h),
                  two.p_value, worse.p_value, two_h.p_value, worse_h.p_value);
    }
    std::printf("\n");
  }
  std::printf("wall time %.0f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
