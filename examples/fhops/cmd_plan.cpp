// fhops tuning-plan run: the reference's run_tuning_benchmarks (telemetry_tuning.md §7) as one
// command. Every tier runs random, grid and bayes (SA tuners) and the ILS/Tabu restarts in-process
// on every scenario, recording each run in one telemetry store, then writes the report, the
// per-scenario summary and the comparison tables.
//
// Parallelism (--jobs N, or mpirun -np N): the work is cut into independent work units — one
// (tier, tuner, scenario) — each run with one trial at a time and its own seeds, so results do not
// depend on N (fhops/workflows/plan_units.hpp). Units run on N threads or on the MPI ranks
// (fhops/workflows/unit_runs.hpp); the coordinator is the one telemetry writer: in unit order, or under mpirun
// or with --resume each unit's records as it finishes (completion order) followed by its
// work_unit line, which --resume reads to skip the unit. Console lines come in unit order.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "dist_wiring.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/telemetry/analysis/comparisons.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/telemetry/set_aside.hpp"
#include "fhops/workflows/discovery.hpp"
#include "fhops/workflows/plan_reports.hpp"
#include "fhops/workflows/plan_units.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/tuning_plan.hpp"
#include "fhops/workflows/unit_runs.hpp"
#include "fhops/workflows/work_units.hpp"
#include "io_check.hpp"

namespace fhops_cli {

namespace {

namespace fh = fhops::harvest;
namespace fs = std::filesystem;

template <class T>
std::vector<T> unique_in_order(const std::vector<T>& xs) {
  std::vector<T> out;
  for (const auto& x : xs)
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  return out;
}

// The plan's options: what runs (plan, bundles, scenarios, tiers, tuners), each tuner's budget
// flags (the top layer over the tier's and the plan's), the store and the parallelism.
po::options_description plan_option_table() {
  po::options_description opts("Options");
  opts.add_options()
    ("plan", po::value<std::string>(), "baseline-smoke, synthetic-smoke or full-spectrum")
    ("bundle,b", po::value<std::vector<std::string>>()->composing(), "bundle alias, alias=target, manifest or folder (repeatable; default: the plan's, else baseline unless --scenario is given)")
    ("bundle-dir", po::value<std::string>(), "root the built-in aliases resolve under (e.g. ../shared/reference/scenarios); without it the shipped bundles (baseline, demo, synthetic) are examples/bundles/<name>.yaml")
    ("scenario,s", po::value<std::vector<std::string>>()->composing(), "scenario path (repeatable)")
    ("tier", po::value<std::vector<std::string>>()->composing(), "short, medium or long (repeatable; default: the plan's, else short)")
    ("tuner", po::value<std::vector<std::string>>()->composing(), "random, grid, bayes, ils or tabu (repeatable; default: the plan's, else random grid bayes)")
    ("out-dir", po::value<std::string>()->default_value("tmp/tuning-benchmarks"), "output folder")
    ("telemetry-log", po::value<std::string>(), "run log (default <out-dir>/telemetry/runs.jsonl)")
    ("append", po::bool_switch(), "add to the existing store (default: move it aside to <log dir>/<stem>.<UTC stamp>/ and start fresh)")
    ("random-runs", integer_value("random-runs", 1, max_option_runs), "random: runs per scenario")
    ("random-iters", integer_value("random-iters", 1), "random: iterations per run")
    ("random-seed", integer_value("random-seed", 0), "random: base seed (default 123)")
    ("grid-iters", integer_value("grid-iters", 1), "grid: iterations per configuration")
    ("grid-batch-size", integer_list_value("grid-batch-size", 1)->composing(), "grid: batch size (repeatable)")
    ("grid-preset", po::value<std::vector<std::string>>()->composing(), "grid: operator preset (repeatable)")
    ("grid-seed", integer_value("grid-seed", 0), "grid: seed of the first configuration (default 123)")
    ("bayes-trials", integer_value("bayes-trials", 1, max_option_runs), "bayes: trials per scenario")
    ("bayes-iters", integer_value("bayes-iters", 1), "bayes: iterations per trial")
    ("bayes-seed", integer_value("bayes-seed", 0), "bayes: sampler and base run seed (default 123)")
    ("ils-runs", integer_value("ils-runs", 1, max_option_runs), "ILS: restarts per scenario")
    ("ils-iters", integer_value("ils-iters", 1), "ILS: iterations per restart")
    ("ils-base-seed", integer_value("ils-base-seed", 0), "ILS: base seed (default 321)")
    ("tabu-runs", integer_value("tabu-runs", 1, max_option_runs), "Tabu: restarts per scenario")
    ("tabu-iters", integer_value("tabu-iters", 1), "Tabu: iterations per restart")
    ("tabu-base-seed", integer_value("tabu-base-seed", 0), "Tabu: base seed (default 555)")
    ("summary-label", po::value<std::string>()->default_value("current"), "label of the per-scenario summary")
    ("jobs,j", integer_value("jobs", 1), "units of work at the same time (default 1; results do not depend on it; threads: at most 4 per hardware thread)")
    ("max-workers", integer_value("max-workers", 1), "alias of --jobs (the reference's name)")
    ("step-interval", integer_value("step-interval", 0), "step-log cadence (default: SA 100, ILS/Tabu 25; 0 = no step logs)")
    ("resume", po::bool_switch(), "keep the store and run only the units (tier x tuner x scenario) of this plan not yet in it; the summaries and reports cover the whole plan (see docs/howto/scale_out.md)")
    ("verbose,v", po::bool_switch(), "print each tier's budgets and the artefact paths");
  return opts;
}

// The budgets the flags set (the top layer over the tier's and the plan's): unset where not given.
fh::tier_budget budget_flags(const po::variables_map& vm) {
  fh::tier_budget flags;
  const auto number = [&](const char* o) { return vm.count(o) ? std::optional<long long>(vm[o].as<long long>()) : std::nullopt; };
  flags.random = {.runs = number("random-runs"), .iters = number("random-iters"), .seed = number("random-seed")};
  flags.grid = {.iters = number("grid-iters"), .seed = number("grid-seed")};
  if (vm.count("grid-batch-size")) {  // sorted and deduplicated, as tune-grid
    auto batches = vm["grid-batch-size"].as<std::vector<long long>>();
    std::sort(batches.begin(), batches.end());
    batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
    flags.grid.batch_sizes = batches;
  }
  if (vm.count("grid-preset")) {
    std::vector<std::string> presets;
    for (const auto& x : vm["grid-preset"].as<std::vector<std::string>>()) presets.push_back(fh::lower(x));
    flags.grid.presets = presets;
  }
  flags.bayes = {.runs = number("bayes-trials"), .iters = number("bayes-iters"), .seed = number("bayes-seed")};
  flags.ils = {.runs = number("ils-runs"), .iters = number("ils-iters"), .seed = number("ils-base-seed")};
  flags.tabu = {.runs = number("tabu-runs"), .iters = number("tabu-iters"), .seed = number("tabu-base-seed")};
  return flags;
}

// The store and the reports may not be any of the inputs (scenario files, bundle manifests).
void check_plan_outputs(const std::vector<fh::scenario>& scenarios, const std::vector<std::string>& bundles,
                        const std::vector<fh::scenario_entry>& entries, const fs::path& log, const fs::path& out_dir) {
  fhops::io_paths io;
  for (const auto& sc : scenarios) scenario_inputs(io, sc);
  bundle_inputs(io, bundles);
  telemetry_outputs(io, log);
  std::set<std::string> suffixes{""};
  for (const auto& e : entries)
    if (!e.bundle.empty()) suffixes.insert("_" + fhops::telemetry::sanitise_bundle_name(e.bundle));
  for (const std::string stem : {"tuner_report", "tuner_summary"})
    for (const char* ext : {".csv", ".md"}) io.output("the report", out_dir / (stem + ext));
  for (const auto& suffix : suffixes)
    for (const std::string stem : {"tuner_comparison", "tuner_leaderboard", "tuner_difficulty"})
      for (const char* ext : {".csv", ".md"}) io.output("the comparison table", out_dir / (stem + suffix + ext));
  io.check();
}

// Every scenario loaded (its warnings printed) before any work, with its display name and its key
// (bundle:member for a bundle's).
struct plan_scenarios {
  std::vector<fh::scenario> scenarios;
  std::vector<fh::problem> problems;
  std::vector<std::string> names, keys;
};

plan_scenarios load_plan_scenarios(const std::vector<fh::scenario_entry>& entries) {
  plan_scenarios out;
  for (const auto& e : entries) {
    auto loaded = fh::load_scenario_with_warnings(e.path);
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    out.problems.emplace_back(loaded.scenario);
    out.scenarios.push_back(std::move(loaded.scenario));
    out.names.push_back(fh::scenario_display_name(e.path));
    out.keys.push_back(e.bundle.empty() ? out.names.back() : e.bundle + ":" + e.member);
  }
  return out;
}

int plan_run(int argc, char** argv) {
  return guarded("tuning-plan run", [&] {
    const po::options_description opts = plan_option_table();
    const parsed p = parse("tuning-plan run", "[--plan P] [--bundle B]... [--scenario S]... [--tier T]... [--tuner T]... [OPTIONS]",
                           argc, argv, opts, po::positional_options_description{});
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    const auto strings = [&](const char* o) { return vm.count(o) ? vm[o].as<std::vector<std::string>>() : std::vector<std::string>{}; };

    // Budgets: the flags are the top layer.
    const auto number = [&](const char* o) { return vm.count(o) ? std::optional<long long>(vm[o].as<long long>()) : std::nullopt; };
    const fh::tier_budget flags = budget_flags(vm);
    const auto jobs_opt = number("jobs"), workers_opt = number("max-workers");
    if (jobs_opt && workers_opt && *jobs_opt != *workers_opt) throw usage_error("--jobs and --max-workers disagree (they are the same option)");
    const auto jobs = static_cast<std::size_t>(jobs_opt.value_or(workers_opt.value_or(1)));
    const auto step_override = number("step-interval");

    const fh::benchmark_plan* plan = vm.count("plan") ? &fh::find_benchmark_plan(vm["plan"].as<std::string>()) : nullptr;
    std::vector<std::string> tiers = unique_in_order(strings("tier"));
    for (const auto& t : tiers) (void)fh::tier_default_budget(t);  // names an unknown tier (exit 2)
    if (tiers.empty()) tiers = plan ? plan->tiers : std::vector<std::string>{"short"};
    std::vector<fh::plan_tuner> tuners;
    for (const auto& t : strings("tuner")) tuners.push_back(fh::parse_plan_tuner(t));
    tuners = unique_in_order(tuners);
    if (tuners.empty()) tuners = plan ? plan->tuners : std::vector<fh::plan_tuner>{fh::plan_tuner::random, fh::plan_tuner::grid, fh::plan_tuner::bayes};
    std::vector<fh::tier_budget> budgets;
    std::vector<fhops::tune::parameter_space> grid_spaces;  // checks presets and batch sizes before any work (exit 2)
    for (const auto& t : tiers) {
      budgets.push_back(fh::resolve_tier_budget(t, plan, flags));
      grid_spaces.push_back(fh::preset_grid_space(*budgets.back().grid.batch_sizes, *budgets.back().grid.presets));
    }
    const std::string label = vm["summary-label"].as<std::string>();

    // Scenarios.
    const bool have_bundle_dir = vm.count("bundle-dir") > 0;
    std::vector<std::string> bundles = strings("bundle");
    if (bundles.empty()) bundles = plan ? plan->bundles : vm.count("scenario") ? std::vector<std::string>{} : std::vector<std::string>{"baseline"};
    std::vector<fs::path> paths;
    for (const auto& s : strings("scenario")) paths.emplace_back(s);
    const auto entries = fh::collect_scenarios(paths, bundles, have_bundle_dir ? std::optional<fs::path>(vm["bundle-dir"].as<std::string>()) : std::nullopt);
    if (entries.empty()) {
      std::cout << "No scenarios resolved. Provide --bundle or explicit paths.\n";
      return exit_failure;
    }
    const auto [scenarios, problems, names, keys] = load_plan_scenarios(entries);

    // The units, in the reference's order (tier, tuner, scenario), and their work plan.
    const auto [units, work_plan] = fh::plan_work_units(tiers, budgets, tuners, entries, keys);

    // The units run on the MPI ranks under mpirun, else on --jobs threads (fhops/workflows/unit_runs.hpp).
    const auto session = open_session(jobs);
    // The store: fresh (the old one moved aside) unless --append or --resume; the coordinator moves
    // it before any rank opens the log.
    const fs::path out_dir = vm["out-dir"].as<std::string>();
    const fs::path log = vm.count("telemetry-log") ? fs::path(vm["telemetry-log"].as<std::string>()) : out_dir / "telemetry" / "runs.jsonl";
    if (fs::is_directory(log)) throw usage_error("--telemetry-log " + log.string() + " is a directory");
    check_plan_outputs(scenarios, bundles, entries, log, out_dir);
    const bool resume = vm["resume"].as<bool>();
    fh::plan_store_scan recorded;  // every rank reads it, so every rank stops on a mismatch
    if (resume) {
      recorded = fh::scan_plan_store(log, work_plan);
      fh::check_resumable(recorded, log, work_plan);
      if (session->coordinator()) session->say(fhops::dist::missing_units_message("fhops tuning-plan run", recorded.missing(units.size())));
    }
    if (session->coordinator() && !vm["append"].as<bool>() && !resume)
      if (const auto moved = fhops::telemetry::set_aside_store(log))
        std::cerr << "Previous telemetry store moved to " << moved->string() << "\n";
    session->barrier();
    fhops::telemetry::run_store telemetry(log, step_override.value_or(25), 60000);
    if (session->coordinator() && vm["verbose"].as<bool>())
      for (std::size_t ti = 0; ti < tiers.size(); ++ti) std::cout << fh::plan_verbose_line(tiers[ti], budgets[ti], tuners) << "\n";
    std::cout.flush();

    // The units run on the ranks or threads; the coordinator writes their records and prints a
    // line per unit, in unit order (fhops/workflows/unit_runs.hpp).
    fh::plan_units_spec spec;
    spec.units = units;
    spec.plan = &work_plan;
    spec.recorded = std::move(recorded);
    spec.track = resume || session->distributed();
    spec.step_interval = step_override;
    for (const fh::plan_unit& u : units) {
      spec.targets.push_back({tiers[u.tier], &budgets[u.tier], &grid_spaces[u.tier], &entries[u.scenario], names[u.scenario],
                              &scenarios[u.scenario], &problems[u.scenario]});
      spec.labels.push_back(fmt::format("[tier:{}] {} {}", tiers[u.tier], fh::plan_tuner_name(u.tuner), keys[u.scenario]));
    }
    fh::plan_units_result ran = fh::run_plan_units(spec, *session, telemetry);
    if (!session->coordinator()) return exit_ok;
    if (ran.resumed) std::cout << ran.resumed << " unit(s) already recorded by this plan: not re-run (--resume).\n";
    if (report_lost_units("tuning-plan run", ran.lost)) return exit_failure;  // incomplete: the --resume run writes summaries and reports
    std::vector<std::string>& mirror_errors = ran.mirror_errors;
    for (const auto& summary : fh::plan_tuner_summaries(units, ran.outcomes, keys, [] {
           return std::pair{fhops::telemetry::new_run_id(), fhops::telemetry::utc_iso_seconds()};
         }))
      if (auto err = telemetry.record_summary(summary)) mirror_errors.push_back(*err);

    // Reports, once, after all tiers.
    const std::vector<fs::path> written = fh::write_plan_reports(telemetry.sqlite(), out_dir, label);
    std::cout << fmt::format("{} run record(s) written to {} (mirrored into {}); reports in {}.\n", ran.records_written, log.string(),
                             telemetry.sqlite().string(), out_dir.string());
    if (vm["verbose"].as<bool>())
      for (const auto& w : written) std::cout << "  " << w.string() << "\n";
    if (ran.failed_runs) std::cout << ran.failed_runs << " run(s) failed (see the warnings above).\n";
    if (report_mirror_errors("tuning-plan run", telemetry.sqlite(), mirror_errors)) return exit_failure;
    return exit_ok;
  });
}

void plan_help(std::ostream& out) {
  static constexpr command_summary subcommands[] = {{"run", "run a plan (see 'fhops tuning-plan run --help')"}};
  out << usage_lines("tuning-plan", "run [OPTIONS]") << "\nThe tuning benchmark (run_tuning_benchmarks): tiers x tuners x scenarios into one\n"
         "telemetry store, then tuner_report, tuner_summary and the comparison tables.\n\nCommands:\n";
  print_command_list(out, subcommands);
}

}  // namespace

int cmd_tuning_plan(int argc, char** argv) {
  const std::string name = argc >= 2 ? argv[1] : "";
  if (name == "run") return plan_run(argc - 1, argv + 1);
  const bool asked = name == "--help" || name == "-h";
  if (!asked && !name.empty()) std::cerr << "fhops tuning-plan: unknown command '" << name << "'\n";
  plan_help(asked ? std::cout : std::cerr);
  return asked ? exit_ok : exit_usage;
}

}  // namespace fhops_cli
