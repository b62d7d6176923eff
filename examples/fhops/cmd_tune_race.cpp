// fhops tune-race SCENARIOS... [--bundle B]... [--budget RUNS]: iterated racing (tune/race.hpp) of a
// solver's configuration over the scenarios. Each step's evaluations (candidate x block) run through
// the dist session — threads, or the ranks under mpirun — and are told in ask order, so the race is
// the same whatever --jobs or the number of ranks.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <unistd.h>

#include "cli.hpp"
#include "commands.hpp"
#include "dist_wiring.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/tune/race.hpp"
#include "fhops/workflows/discovery.hpp"
#include "fhops/workflows/race_runs.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/work_units.hpp"
#include "io_check.hpp"
#include "table.hpp"
#include "tune_inputs.hpp"

namespace fhops_cli {

namespace tel = fhops::telemetry;

namespace {

namespace fh = fhops::harvest;
namespace ft = fhops::tune;

}  // namespace

// tune-race's options: the scenarios, the race's budget and shape, the solver and the store.
po::options_description race_option_table() {
  po::options_description opts("Options");
  opts.add_options()
    ("bundle,b", po::value<std::vector<std::string>>()->composing(), "bundle: a shipped name (baseline, demo, synthetic), alias, alias=target, manifest or folder (repeatable)")
    ("bundle-dir", po::value<std::string>(), "root the built-in aliases resolve under (e.g. ../shared/reference/scenarios)")
    ("budget", integer_value("budget", 1, 20000)->default_value(200), "solver runs in all (1..20000)")
    ("solver", po::value<std::string>()->default_value("sa"), "solver to tune: sa, ils or tabu")
    ("iters", integer_value("iters", 10)->default_value(250), "iterations per run (>= 10)")
    ("time-limit", seconds_value("time-limit"), "wall-clock seconds per run (then --iters only if given)")
    ("jobs,j", integer_value("jobs", 1)->default_value(1), "runs at the same time (threads; under mpirun the ranks run them)")
    ("seed", po::value<long long>()->default_value(123), "seed of the race (candidates, block order, run seeds)")
    ("space", po::value<std::string>(), "YAML file restricting the tuned parameters (see docs/howto/tuning.md)")
    ("first-test", integer_value("first-test", 2, 1000)->default_value(5), "blocks (scenario x seed) before the first elimination test")
    ("alpha", real_value("alpha", real_domain{0.0, true, 1.0, ""}), "significance of the Friedman test and the post-hoc comparisons (default 0.05)")
    ("elites", integer_value("elites", 0, 1000)->default_value(0), "survivors kept per iteration (0 = 2 + log2 of the parameters, as irace)")
    ("iterations", integer_value("iterations", 0, 1000)->default_value(0), "iterations (0 = 2 + log2 of the parameters, fewer for a small budget)")
    ("tier-label", po::value<std::string>(), "label recorded with the runs")
    ("telemetry-log", po::value<std::string>()->default_value("telemetry/runs.jsonl"), "run log (JSONL; mirrored into the sibling .sqlite)")
    ("step-interval", integer_value("step-interval", 0), "step-log cadence (default: SA 100, ILS/Tabu 25; 0 = no step logs)");
  return opts;
}

int cmd_tune_race(int argc, char** argv) {
  const std::string name = "tune-race";
  return guarded(name, [&] {
    const po::options_description opts = race_option_table();
    po::options_description hidden;
    hidden.add_options()("scenarios", po::value<std::vector<std::string>>()->composing(), "scenario paths");
    po::positional_options_description pos;
    pos.add("scenarios", -1);
    const parsed p = parse(name, "SCENARIOS... [--bundle B]... [--budget RUNS] [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;

    const std::string solver_name = choice(vm, "solver", solver_labels());
    const fh::solver_kind solver = fh::solver_of_label(solver_name);
    const long long iters = vm["iters"].as<long long>();
    const auto budget = static_cast<std::size_t>(vm["budget"].as<long long>());
    const fh::solve_options base = tune_base_options(vm, solver);
    const ft::parameter_space space = vm.count("space") ? fh::load_tuning_space(vm["space"].as<std::string>(), solver) : fh::solver_tuning_space(solver);

    ft::race_parameters rp;
    rp.budget = budget;
    rp.first_test = static_cast<std::size_t>(vm["first-test"].as<long long>());
    rp.blocks = fh::race_block_count(budget, rp.first_test);
    rp.elites = static_cast<std::size_t>(vm["elites"].as<long long>());
    rp.iterations = static_cast<std::size_t>(vm["iterations"].as<long long>());
    if (vm.count("alpha")) rp.alpha = vm["alpha"].as<double>();
    if (budget < 2 * rp.first_test)
      throw usage_error(fmt::format("--budget {} is below the minimum of 2 candidates x {} blocks (--first-test) = {} runs", budget, rp.first_test,
                                    2 * rp.first_test));

    const tune_inputs in = load_tune_inputs(vm);
    const auto& entries = in.entries;
    const auto& scenarios = in.scenarios;
    const auto& problems = in.problems;
    if (entries.empty()) throw usage_error("no scenarios: give scenario paths or --bundle");
    std::vector<fh::solve_options> bases;
    for (const auto& pb : problems) bases.push_back(fh::tuning_options_for(base, pb.num_machines));
    const long long step_interval = vm.count("step-interval") ? vm["step-interval"].as<long long>() : fh::default_step_interval(solver);
    const std::filesystem::path log = checked_tune_log(vm, in);
    fhops::telemetry::run_store telemetry(log, step_interval, 5000);
    const auto session = open_session(static_cast<std::size_t>(vm["jobs"].as<long long>()));

    const auto seed = static_cast<std::uint64_t>(vm["seed"].as<long long>());
    const std::optional<std::string> tier = vm.count("tier-label") ? std::optional<std::string>(vm["tier-label"].as<std::string>()) : std::nullopt;
    fh::race_request rq{solver, &space, rp, seed, fh::race_blocks::plan(entries.size(), rp.blocks, seed), bases, {}, {}, &problems, &scenarios, &telemetry};
    for (const auto& e : entries) {
      rq.contexts.push_back({solver, "cli." + name, "", tier, static_cast<long long>(budget), iters, e.path.string(), e.bundle, e.member});
      rq.summary_keys.push_back(e.bundle.empty() ? fh::scenario_display_name(e.path) : e.bundle + ":" + e.member);
    }
    const bool tty = ::isatty(2);
    const char* progress_env = std::getenv("FHOPS_PROGRESS");
    const bool progress_lines = progress_env && std::string_view(progress_env) == "always";
    fh::race_progress progress;
    progress.started = [&] {
      std::cout << fmt::format("Racing {} configurations on {} scenario(s) (budget {} runs, {} blocks, seed {})\n", solver_name, entries.size(),
                               budget, rp.blocks, seed);
    };
    progress.failed = [](const ft::race_result& res) {
      std::cerr << fmt::format("warning: run {} (candidate {}, block {}) failed: {}\n", res.t.t.number, res.t.candidate, res.t.block + 1, res.error);
    };
    progress.step_done = [&](const ft::race& race, std::size_t iteration) {
      std::size_t alive = 0;
      for (const auto& c : race.candidates()) alive += c.alive;
      const std::string line = fmt::format("[{}/{}] iteration {}, {} block(s): {} alive", race.used(), budget, iteration + 1, race.race_blocks(), alive);
      if (progress_lines) std::cerr << "  " << line << "\n";
      else if (tty) std::cerr << "\r  " << line << "\033[K" << std::flush;
    };
    const fh::race_outcome outcome = fh::run_race_session(rq, *session, progress);
    if (outcome.worker) return exit_ok;
    if (tty && !progress_lines) std::cerr << "\r\033[K" << std::flush;
    const auto& race = outcome.race;
    const auto& results = outcome.results;

    // The iterations: who raced, who left, what it cost.
    const auto& cs = race->candidates();
    const auto account = ft::race_iterations(*race, results);
    const std::size_t iterations = account.size();
    text_table per_iteration("Race iterations", {"Iteration", "Candidates", "New", "Blocks", "Eliminated", "Discarded", "Runs"});
    for (std::size_t i = 0; i < iterations; ++i) {
      const auto& a = account[i];
      per_iteration.add({std::to_string(i + 1), std::to_string(a.candidates), std::to_string(a.fresh), std::to_string(a.blocks),
                         std::to_string(a.eliminated), std::to_string(a.discarded), std::to_string(a.runs)});
    }
    std::cout << per_iteration.str();
    const std::optional<std::size_t> best = race->best();
    if (!best) {
      std::cout << "The race did not complete a block: no best configuration.\n";
    } else {
      const ft::race_candidate& b = cs[*best];
      text_table per_scenario(fmt::format("Best configuration: candidate {} (iteration {})", b.id, b.born + 1), {"Scenario", "Blocks", "Mean objective"});
      for (const auto& m : outcome.best_means) per_scenario.add({m.key, std::to_string(m.blocks), fmt::format("{:.3f}", m.mean)});
      std::cout << per_scenario.str();
      std::cout << fmt::format("Best {} configuration (candidate {}, mean objective {:.3f} over {} block(s)): {}\n", solver_name, b.id, b.mean(),
                               b.evaluated(), b.config.json());
    }
    std::cout << fmt::format("Runs used: {} of {} ({} candidate(s), {} iteration(s)).\n", race->used(), budget, cs.size(), iterations);
    if (outcome.failures) std::cout << outcome.failures << " run(s) failed (see the warnings above).\n";
    std::cout << fmt::format("{} telemetry record(s) written to {}. Step logs stored in {}.\n", outcome.records_written, log.string(),
                             (log.parent_path() / "steps").string());
    if (!outcome.lost.empty()) {
      std::cerr << "fhops " << name << ": error: " << outcome.lost.size() << " run(s) lost (a worker failed); the race counted them as failed\n";
      return exit_failure;
    }
    if (report_mirror_errors(name, telemetry.sqlite(), outcome.mirror_errors)) return exit_failure;
    return exit_ok;
  });
}

}  // namespace fhops_cli
