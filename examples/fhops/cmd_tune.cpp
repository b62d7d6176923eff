// fhops tune-random | tune-grid | tune-bayes [SCENARIOS...] [--bundle B]...: the reference tuners
// (telemetry_tuning.md §3) over the generic tune/ strategies, for SA, ILS or Tabu, on a thread pool.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <unistd.h>

#include "cli.hpp"
#include "commands.hpp"
#include "dist_wiring.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/tune/tune.hpp"
#include "fhops/workflows/discovery.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/tuning_run.hpp"
#include "fhops/workflows/unit_runs.hpp"
#include "io_check.hpp"
#include "table.hpp"
#include "tune_inputs.hpp"

namespace fhops_cli {

namespace tel = fhops::telemetry;

namespace {

namespace fh = fhops::harvest;
namespace ft = fhops::tune;

using tuner = fh::tuner_kind;

// The Operators column: name=w.2f sorted by name, cut to 77 characters + "..." from 80 on.
std::string weights_cell(const fh::operator_weights& w) {
  std::vector<std::pair<std::string, double>> on;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (w[i] > 0.0) on.emplace_back(std::string(fh::operator_names[i]), w[i]);
  std::sort(on.begin(), on.end());
  std::string out;
  for (const auto& [n, x] : on) out += (out.empty() ? "" : ", ") + fmt::format("{}={:.2f}", n, x);
  return out.size() >= 80 ? out.substr(0, 77) + "..." : out;
}

// The Batch column and the best trial's batch=: a trial's candidates per step, 1 when it takes
// one per enabled operator or the default (no batch, 0 or 1).
long long batch_shown(const fh::solve_options& o) { return std::max(o.batch.value_or(1), 1LL); }

// A finished trial, as the results tables show it.
struct trial_row {
  std::string scenario, bundle;
  fh::tuned_trial trial;
};

// tune-bayes: a scenario's best trial and the table of its trials, as they were told.
void print_bayes_trials(const fh::scenario_entry& e, const std::vector<fh::tuned_trial>& mine) {
  const std::string file = e.path.filename().string();
  std::optional<std::size_t> best;
  for (std::size_t k = 0; k < mine.size(); ++k)
    if (mine[k].result.ok() && (!best || mine[k].result.value > mine[*best].result.value)) best = k;
  if (best) {
    const long long b = batch_shown(mine[*best].options);
    std::cout << fmt::format("Best objective for {}: {:.3f} (trial {}, batch={})\n", file, mine[*best].result.value, *best, b);
  }
  std::vector<std::string> header{"Trial", "Objective", "Batch", "Weights"};
  if (!e.bundle.empty()) header.push_back("Bundle");
  text_table t(fmt::format("Bayesian tuner trials — {}", file), header);
  for (const auto& x : mine) {
    std::vector<std::string> r{std::to_string(x.result.t.number), x.result.ok() ? fmt::format("{:.3f}", x.result.value) : "failed",
                               std::to_string(batch_shown(x.options)), weights_cell(x.options.weights)};
    if (!e.bundle.empty()) r.push_back(e.bundle);
    t.add(std::move(r));
  }
  std::cout << t.str();
}

// The results tables: every successful trial, best first (not tune-bayes: it printed its
// trials per scenario), then the best configuration per scenario. False when no trial succeeded.
bool print_tune_results(tuner kind, const std::string& solver_label, const std::vector<fh::scenario_entry>& entries,
                        const std::vector<trial_row>& rows, bool any_bundle) {
  std::vector<const trial_row*> ok;
  for (const auto& r : rows)
    if (r.trial.result.ok()) ok.push_back(&r);
  if (ok.empty()) return false;
  std::stable_sort(ok.begin(), ok.end(), [](const trial_row* a, const trial_row* b) { return a->trial.result.value > b->trial.result.value; });
  if (kind != tuner::bayes) {
    std::vector<std::string> header{"Scenario"};
    if (any_bundle) header.push_back("Bundle");
    if (kind == tuner::random) header.insert(header.end(), {"Objective", "Seed", "Batch", "Operators"});
    else header.insert(header.end(), {"Objective", "Preset", "Batch", "Seed"});
    text_table t(kind == tuner::random ? "Random tuner results" : "Grid tuner results", header);
    for (const trial_row* r : ok) {
      const auto& c = r->trial.result.t.config;
      std::vector<std::string> cells{r->scenario};
      if (any_bundle) cells.push_back(r->bundle);
      const std::string obj = fmt::format("{:.3f}", r->trial.result.value),
                        batch = std::to_string(batch_shown(r->trial.options));
      if (kind == tuner::random) cells.insert(cells.end(), {obj, std::to_string(r->trial.seed), batch, weights_cell(r->trial.options.weights)});
      else cells.insert(cells.end(), {obj, c.category("preset"), batch, std::to_string(r->trial.seed)});
      t.add(std::move(cells));
    }
    std::cout << t.str();
  }
  // The best configuration per scenario (replay: the same configuration, seed and budget).
  text_table best("Best configuration per scenario", {"Scenario", "Solver", "Objective", "Seed", "Configuration"});
  std::map<std::string, const trial_row*> top;
  for (const trial_row* r : ok)
    if (!top.count(r->scenario)) top[r->scenario] = r;
  for (const auto& e : entries) {
    const std::string d = fh::scenario_display_name(e.path);
    const auto it = top.find(d);
    if (it == top.end()) continue;
    best.add({d, solver_label, fmt::format("{:.3f}", it->second->trial.result.value),
              std::to_string(it->second->trial.seed), it->second->trial.result.t.config.json()});
    top.erase(it);
  }
  std::cout << best.str();
  return true;
}

// The tuners' options: the shared ones, then each tuner's own.
po::options_description tune_option_table(tuner kind) {
  po::options_description opts("Options");
  opts.add_options()
    ("bundle,b", po::value<std::vector<std::string>>()->composing(), "bundle: a shipped name (baseline, demo, synthetic), alias, alias=target, manifest or folder (repeatable)")
    ("bundle-dir", po::value<std::string>(), "root the built-in aliases resolve under (e.g. ../shared/reference/scenarios)")
    ("solver", po::value<std::string>()->default_value("sa"), "solver to tune: sa, ils or tabu")
    ("iters", integer_value("iters", 10)->default_value(250), "iterations per run (>= 10)")
    ("time-limit", seconds_value("time-limit"), "wall-clock seconds per run (then --iters only if given)")
    ("jobs,j", integer_value("jobs", 1)->default_value(1), "runs at the same time (threads: at most one per run and 4 per hardware thread)")
    ("tier-label", po::value<std::string>(), "label recorded with the runs")
    ("telemetry-log", po::value<std::string>()->default_value("telemetry/runs.jsonl"), "run log (JSONL; mirrored into the sibling .sqlite)")
    ("step-interval", integer_value("step-interval", 0), "step-log cadence (default: SA 100, ILS/Tabu 25; 0 = no step logs)")
    ("resume", po::bool_switch(), "skip the trials this command line already recorded in the telemetry log (work units; see docs/howto/scale_out.md)");
  if (kind != tuner::grid)
    opts.add_options()("space", po::value<std::string>(), "YAML file restricting the tuned parameters (see docs/howto/tuning.md)");
  if (kind == tuner::random)
    opts.add_options()
      ("runs", integer_value("runs", 1, max_option_runs)->default_value(3), "configurations per scenario (1..100000)")
      ("base-seed", po::value<long long>()->default_value(123), "seed of the configuration draws and the run seeds");
  if (kind == tuner::grid)
    opts.add_options()
      ("batch-size", integer_list_value("batch-size", 1)->composing(), "batch size to try (repeatable; default 1 2 3)")
      ("preset", po::value<std::vector<std::string>>()->composing(), "operator preset to try (repeatable; default balanced explore mobilisation)")
      ("seed", po::value<long long>()->default_value(123), "seed of the first configuration; +1 per configuration");
  if (kind == tuner::bayes)
    opts.add_options()
      ("trials", integer_value("trials", 1, max_option_runs)->default_value(20), "trials per scenario (1..100000)")
      ("seed", po::value<long long>()->default_value(123), "sampler seed and base run seed");
  return opts;
}

// The tuner's space and how many configurations it tries per scenario (`count`).
fhops::tune::parameter_space tune_space(tuner kind, const po::variables_map& vm, fh::solver_kind solver, long long& count) {
  if (kind != tuner::grid) {
    count = vm[kind == tuner::random ? "runs" : "trials"].as<long long>();
    return vm.count("space") ? fh::load_tuning_space(vm["space"].as<std::string>(), solver) : fh::solver_tuning_space(solver);
  }
  std::vector<long long> batches{1, 2, 3};
  std::vector<std::string> presets{"balanced", "explore", "mobilisation"};
  if (vm.count("batch-size")) batches = vm["batch-size"].as<std::vector<long long>>();
  std::sort(batches.begin(), batches.end());
  batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
  if (vm.count("preset")) {
    presets.clear();
    for (const auto& x : vm["preset"].as<std::vector<std::string>>()) presets.push_back(fh::lower(x));
  }
  count = static_cast<long long>(batches.size() * presets.size());
  return fh::preset_grid_space(batches, presets);
}

int tune_command(tuner kind, int argc, char** argv) {
  const std::string name = fh::tuner_info_of(kind).command;
  return guarded(name, [&] {
    const po::options_description opts = tune_option_table(kind);
    po::options_description hidden;
    hidden.add_options()("scenarios", po::value<std::vector<std::string>>()->composing(), "scenario paths");
    po::positional_options_description pos;
    pos.add("scenarios", -1);
    const parsed p = parse(name, "[SCENARIOS...] [--bundle B]... [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;

    const fh::solver_kind solver = fh::solver_of_label(choice(vm, "solver", solver_labels()));
    const long long iters = vm["iters"].as<long long>();
    const long long jobs = vm["jobs"].as<long long>();
    const fh::solve_options base = tune_base_options(vm, solver);
    // The space (read before any work): tune-grid's presets x batch sizes (an unknown preset or a
    // bad batch size is a usage error), else the solver's whole space or the parameters a space
    // file lists.
    long long count = 0;
    const fhops::tune::parameter_space space = tune_space(kind, vm, solver, count);

    // Every scenario is loaded before any run: a bad bundle fails before work starts.
    tune_inputs in = load_tune_inputs(vm);
    const auto& entries = in.entries;
    if (entries.empty()) {
      std::cout << "No scenarios resolved. Provide --bundle or explicit paths.\n";
      return exit_failure;
    }
    const bool any_bundle = std::any_of(entries.begin(), entries.end(), [](const auto& e) { return !e.bundle.empty(); });
    // Under mpirun, or with --resume, the trials run as work units (fhops/workflows/unit_runs.hpp).
    const bool resume = vm["resume"].as<bool>();
    std::unique_ptr<fhops::dist::session> session;
    if (resume || fhops::dist::launched_by_mpi()) session = open_session(static_cast<std::size_t>(jobs));
    const bool tty = ::isatty(2);
    const char* progress_env = std::getenv("FHOPS_PROGRESS");
    const bool progress_lines = progress_env && std::string_view(progress_env) == "always";

    std::vector<trial_row> rows;
    const fh::tuner_info& info = fh::tuner_info_of(kind);
    const char* title = info.heading;
    const char* unit = info.unit;
    const char* unit_long = info.unit_long;
    // Telemetry: every trial is a run record (JSONL + SQLite mirror, step logs beside them).
    const long long step_interval = vm.count("step-interval") ? vm["step-interval"].as<long long>() : fh::default_step_interval(solver);
    const std::filesystem::path log = checked_tune_log(vm, in);
    fhops::telemetry::run_store telemetry(log, step_interval, 5000);
    const std::optional<std::string> tier = vm.count("tier-label") ? std::optional<std::string>(vm["tier-label"].as<std::string>()) : std::nullopt;

    fh::tuning_request rq{kind, solver, name, &space, base, static_cast<std::size_t>(count),
                          static_cast<std::size_t>(jobs), static_cast<std::uint64_t>(vm[info.seed_option].as<long long>()),
                          {}, {}, &in.problems, &in.scenarios, &telemetry, session.get(), resume};
    for (const auto& e : entries) {
      rq.contexts.push_back({kind, solver, "cli." + name, e.path.string(), tier, count, iters, e.bundle, e.member});
      rq.summary_keys.push_back(e.bundle.empty() ? fh::scenario_display_name(e.path) : e.bundle + ":" + e.member);
    }
    fh::tuning_progress progress;
    progress.resumed = [](std::size_t n) { std::cout << n << " trial(s) already recorded by this plan: not re-run (--resume).\n"; };
    progress.scenario_started = [&](std::size_t si) {
      const auto& e = entries[si];
      const std::string display = fh::scenario_display_name(e.path);
      std::cout << (e.bundle.empty() ? fmt::format("{} {} ({} {})\n", title, display, count, unit_long)
                                     : fmt::format("{} {} (bundle={}, {}={})\n", title, display, e.bundle, unit, count));
      std::cout.flush();
    };
    progress.trial_done = [&](std::size_t si, const fh::tuned_trial& t, std::size_t finished, double best_so_far) {
      const std::string display = fh::scenario_display_name(entries[si].path);
      if (!t.result.ok()) std::cerr << fmt::format("warning: {} trial {} failed: {}\n", display, t.result.t.number, t.result.error);
      if (progress_lines)  // one line per trial (FHOPS_PROGRESS=always: logs)
        std::cerr << fmt::format("  [{}/{}] trial {}: {} (best so far {:.3f})\n", finished, count, t.result.t.number,
                                 t.result.ok() ? fmt::format("{:.3f}", t.result.value) : std::string("failed"), best_so_far);
      else if (tty)
        std::cerr << fmt::format("\r  [{}/{}] best so far {:.3f}", finished, count, best_so_far) << (finished == static_cast<std::size_t>(count) ? "\r\033[K" : "")
                  << std::flush;
      rows.push_back({display, entries[si].bundle, t});
    };
    if (kind == tuner::bayes)
      progress.scenario_done = [&](std::size_t si, const std::vector<fh::tuned_trial>& mine) { print_bayes_trials(entries[si], mine); };
    const fh::tuning_result res = fh::run_tuning(rq, progress);
    if (res.worker) return exit_ok;
    const std::size_t failures = res.failures;
    const std::size_t records_written = res.records_written;

    if (!print_tune_results(kind, vm["solver"].as<std::string>(), entries, rows, any_bundle)) {
      std::cout << info.name << " tuner did not produce any successful runs.\n";
      return report_lost_units(name, res.lost) ? exit_failure : exit_ok;
    }
    if (failures) std::cout << failures << " run(s) failed (see the warnings above).\n";
    std::cout << fmt::format("{} telemetry record(s) written to {}. Step logs stored in {}.\n", records_written, log.string(),
                             (log.parent_path() / "steps").string());
    if (report_lost_units(name, res.lost)) return exit_failure;
    if (report_mirror_errors(name, telemetry.sqlite(), res.mirror_errors)) return exit_failure;
    return exit_ok;
  });
}

}  // namespace

int cmd_tune_random(int argc, char** argv) { return tune_command(tuner::random, argc, argv); }
int cmd_tune_grid(int argc, char** argv) { return tune_command(tuner::grid, argc, argv); }
int cmd_tune_bayes(int argc, char** argv) { return tune_command(tuner::bayes, argc, argv); }

}  // namespace fhops_cli
