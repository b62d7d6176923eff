// fhops bench suite: scenarios x solvers x repeats -> <out-dir>/summary.csv, summary.json and the
// assignments of each run (telemetry_tuning.md §5); with --include-mip, the plan MIP by cbc first.
#include <iostream>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "dist_wiring.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/search/exact/lp_solver.hpp"
#include "fhops/telemetry/analysis/compare.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/file_identity.hpp"
#include "fhops/workflows/bench_suite.hpp"
#include "fhops/workflows/discovery.hpp"
#include "fhops/workflows/unit_runs.hpp"
#include "io_check.hpp"
#include "table.hpp"

namespace fhops_cli {

namespace {

namespace fh = fhops::harvest;

// The suite's options: what to run (scenarios, solvers and their budgets), where the results go.
po::options_description bench_option_table() {
  po::options_description opts("Options");
  opts.add_options()
    ("scenario,s", po::value<std::vector<std::string>>()->composing(), "scenario path (repeatable; default: the bundled demo)")
    ("bundle,b", po::value<std::vector<std::string>>()->composing(), "bundle alias, alias=target, manifest or folder (repeatable)")
    ("bundle-dir", po::value<std::string>(), "root the built-in aliases resolve under")
    ("out-dir", po::value<std::string>()->default_value("tmp/benchmarks"), "output folder")
    ("repeats", integer_value("repeats", 1, max_option_runs)->default_value(1), "runs per solver (seeds seed, seed+1, ...); median, min and max are reported")
    ("run-seconds", seconds_value("run-seconds"), "wall-clock budget of each heuristic run (iterations then only if given)")
    ("include-sa", po::value<bool>()->default_value(true)->implicit_value(true), "run simulated annealing (--include-sa false to skip)")
    ("sa-iters", integer_value("sa-iters", 1)->default_value(5000), "SA iterations")
    ("sa-seed", po::value<long long>()->default_value(42), "SA seed")
    ("include-ils", po::bool_switch(), "also run iterated local search")
    ("ils-iters", integer_value("ils-iters", 1)->default_value(250), "ILS iterations")
    ("ils-seed", po::value<long long>()->default_value(42), "ILS seed")
    ("ils-batch-neighbours", po::value<long long>()->default_value(1), "ILS candidates per local-search step")
    ("ils-perturbation-strength", integer_value("ils-perturbation-strength", 1)->default_value(2), "ILS perturbation strength (reference: 3; local search and acceptance as solve-ils)")
    ("ils-stall-limit", integer_value("ils-stall-limit", 1)->default_value(10), "ILS stall limit")
    ("include-tabu", po::bool_switch(), "also run tabu search")
    ("tabu-iters", integer_value("tabu-iters", 1)->default_value(5000), "Tabu iterations")
    ("tabu-seed", po::value<long long>()->default_value(42), "Tabu seed")
    ("tabu-tenure", integer_value("tabu-tenure", 0)->default_value(0), "Tabu tenure (0 = max(10, machines))")
    ("tabu-stall-limit", integer_value("tabu-stall-limit", 1)->default_value(200), "Tabu stall limit")
    ("tabu-batch-neighbours", po::value<long long>()->default_value(1), "Tabu candidates per iteration")
    ("include-mip", po::value<bool>()->default_value(false)->implicit_value(true), "also solve each scenario's exact MIP by cbc (solve-mip; the reference's default is true, fhops-cpp's false)")
    ("time-limit", seconds_value("time-limit")->default_value(1800.0, "1800"), "cbc's time limit of each MIP in seconds")
    ("ils-hybrid-use-mip", po::bool_switch(), "ILS: at each stall, offer the MIP's plan (solved once)")
    ("ils-hybrid-mip-time-limit", integer_value("ils-hybrid-mip-time-limit", 0)->default_value(60), "ILS: cbc's time limit of that MIP in seconds")
    ("operator,o", po::value<std::vector<std::string>>()->composing(), "enable operator NAME for SA (repeatable)")
    ("operator-weight,w", po::value<std::vector<std::string>>()->composing(), "SA operator weight name=value (repeatable)")
    ("operator-preset,P", po::value<std::vector<std::string>>()->composing(), "SA operator preset (repeatable)")
    ("compare-preset,C", po::value<std::vector<std::string>>()->composing(), "one more SA run with this preset (repeatable)")
    ("telemetry-log", po::value<std::string>(), "record every run (one run record per repeat, context.source cli.bench-suite) in this JSONL log and its sibling .sqlite")
    ("jobs,j", integer_value("jobs", 1)->default_value(1), "solver runs (scenario x solver cells) at the same time (threads: at most 4 per hardware thread)")
    ("compare", po::bool_switch(), "after the suite, print the statistical comparison of the solvers (fhops telemetry compare --by algorithm) over the runs this suite recorded; needs --telemetry-log")
    ("resume", po::bool_switch(), "with --telemetry-log: run only the cells of this suite not yet in the log; the summary covers every cell (see docs/howto/scale_out.md)");
  return opts;
}

// The suite's scenarios, labelled: explicit ones are user-1, user-2, ...; bundle members keep their
// member name; none given: the bundled demo.
std::vector<std::pair<std::string, std::filesystem::path>> bench_scenarios(const po::variables_map& vm) {
  std::vector<std::pair<std::string, std::filesystem::path>> scenarios;
  if (vm.count("scenario")) {
    int k = 0;
    for (const auto& s : vm["scenario"].as<std::vector<std::string>>())
      for (const auto& f : fh::discover_scenarios(s)) scenarios.emplace_back(fmt::format("user-{}", ++k), f);
  }
  if (vm.count("bundle")) {
    const std::optional<std::filesystem::path> root =
        vm.count("bundle-dir") ? std::optional<std::filesystem::path>(vm["bundle-dir"].as<std::string>()) : std::nullopt;
    for (const auto& e : fh::collect_scenarios({}, vm["bundle"].as<std::vector<std::string>>(), root)) scenarios.emplace_back(e.member, e.path);
  }
  if (scenarios.empty()) scenarios.emplace_back("demo", std::filesystem::path("examples/scenarios/demo/scenario.yaml"));
  // A scenario's label names its folder under --out-dir: a member name read from a manifest
  // becomes a path only when it is a plain name.
  for (const auto& [label, path] : scenarios)
    if (!fhops::is_plain_name(label))
      throw std::runtime_error("the bundle member name '" + label + "' of " + path.string() +
                               " cannot name a folder under --out-dir (a plain name has no '/', '\\' or control "
                               "character and does not start with '.' or '-')");
  return scenarios;
}

// The solver runs of every scenario: SA's base run and one per compare preset, then ILS and Tabu.
std::vector<fh::bench_run> bench_runs(const po::variables_map& vm, std::optional<double> seconds) {
  fh::operator_settings ops;
  if (vm.count("operator")) ops.operators = vm["operator"].as<std::vector<std::string>>();
  if (vm.count("operator-preset")) ops.presets = vm["operator-preset"].as<std::vector<std::string>>();
  if (vm.count("operator-weight"))
    for (const auto& w : vm["operator-weight"].as<std::vector<std::string>>())
      ops.weights.push_back(parse_option("operator-weight", [&] { return fh::parse_operator_weight(w); }));
  // A run's budget: its --X-iters, and with --run-seconds the clock (iterations then only if given).
  const auto budget = [&](fh::solve_options& o, const char* iters_option) {
    o.stop.max_iterations = vm[iters_option].as<long long>();
    if (seconds) {
      fh::use_time_budget(o, *seconds);
      if (vm[iters_option].defaulted()) o.stop.max_iterations = 0;
    }
  };
  // ILS's and Tabu's run: the solver's defaults, per scenario as solve-ils and solve-tabu, and its
  // --X-seed.
  const auto default_run = [&](fh::solver_kind kind, const std::string& x) {
    fh::bench_run r{x, "", {}, x + "_assignments.csv"};
    r.options.kind = kind;
    r.options.weights = fh::solver_defaults(kind);
    r.scenario_defaults = true;
    r.options.seed = static_cast<std::uint64_t>(vm[x + "-seed"].as<long long>());
    return r;
  };
  std::vector<fh::bench_run> runs;
  if (vm["include-sa"].as<bool>()) {
    fh::bench_run base{"sa", "default", {}, "sa_assignments.csv"};
    base.options.kind = fh::solver_kind::sa;
    base.options.weights = fh::resolve_weights(fh::solver_kind::sa, nullptr, ops);
    base.scenario_defaults = ops.presets.empty() && ops.operators.empty() && ops.weights.empty();  // as solve-heur: per scenario
    base.options.seed = static_cast<std::uint64_t>(vm["sa-seed"].as<long long>());
    budget(base.options, "sa-iters");
    if (!ops.weights.empty() || !ops.operators.empty()) base.preset_label = "custom";
    else if (!ops.presets.empty()) {
      base.preset_label.clear();
      for (const auto& x : ops.presets) base.preset_label += (base.preset_label.empty() ? "" : "+") + fh::lower(x);
    }
    runs.push_back(base);
    if (vm.count("compare-preset"))
      for (const auto& x : vm["compare-preset"].as<std::vector<std::string>>()) {
        fh::bench_run c = base;
        c.preset_label = std::string(fh::find_preset(x).name);
        c.options.weights = fh::find_preset(x).weights;
        c.scenario_defaults = false;
        std::string file = c.preset_label;
        std::replace(file.begin(), file.end(), '+', '_');
        c.csv_name = "sa_assignments_" + file + ".csv";
        runs.push_back(c);
      }
  }
  if (vm["include-ils"].as<bool>()) {
    fh::bench_run r = default_run(fh::solver_kind::ils, "ils");
    r.options.ils.perturbation_strength = vm["ils-perturbation-strength"].as<long long>();
    r.options.ils.stall_limit = vm["ils-stall-limit"].as<long long>();
    const long long b = vm["ils-batch-neighbours"].as<long long>();
    r.options.ils.samples = b > 1 ? b : 0;
    r.options.hybrid_use_mip = vm["ils-hybrid-use-mip"].as<bool>();
    r.options.hybrid_mip_time_limit = vm["ils-hybrid-mip-time-limit"].as<long long>();
    budget(r.options, "ils-iters");
    runs.push_back(r);
  }
  if (vm["include-tabu"].as<bool>()) {
    fh::bench_run r = default_run(fh::solver_kind::tabu, "tabu");
    r.options.tabu.tenure = vm["tabu-tenure"].as<long long>();
    r.options.stop.stall_limit = vm["tabu-stall-limit"].as<long long>();
    const long long b = vm["tabu-batch-neighbours"].as<long long>();
    r.options.tabu.candidates = b > 1 ? b : 0;
    budget(r.options, "tabu-iters");
    runs.push_back(r);
  }
  return runs;
}

int bench_suite(int argc, char** argv) {
  return guarded("bench suite", [&] {
    const po::options_description opts = bench_option_table();
    po::options_description hidden;
    hidden.add_options()("action", po::value<std::string>(), "suite");
    po::positional_options_description pos;
    pos.add("action", 1);
    const parsed p = parse("bench", "suite [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (!vm.count("action") || vm["action"].as<std::string>() != "suite")
      throw usage_error("the only bench command is 'suite' (fhops bench suite [OPTIONS])");
    const bool include_mip = vm["include-mip"].as<bool>();
    if (include_mip && !fhops::search::cbc_solver{}.available())  // before any run, not after them
      throw std::runtime_error("--include-mip needs cbc (Debian package coinor-cbc): 'cbc' was not found");
    const long long repeats = vm["repeats"].as<long long>();
    std::optional<double> seconds;
    if (vm.count("run-seconds")) seconds = vm["run-seconds"].as<double>();

    const auto scenarios = bench_scenarios(vm);
    const std::vector<fh::bench_run> runs = bench_runs(vm, seconds);
    if (runs.empty() && !include_mip)
      throw usage_error("nothing to run: SA is off and none of --include-mip, --include-ils, --include-tabu is given");

    const long long jobs = vm["jobs"].as<long long>();
    const std::filesystem::path out = vm["out-dir"].as<std::string>();
    std::vector<fh::scenario> loaded_scenarios;
    std::vector<fh::problem> problems;  // all loaded first: a bad scenario fails before any run
    for (const auto& sc : scenarios) {
      auto loaded = fh::load_scenario_with_warnings(sc.second);
      for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
      problems.emplace_back(loaded.scenario);
      loaded_scenarios.push_back(std::move(loaded.scenario));
    }
    fhops::io_paths io;
    for (const auto& sc : loaded_scenarios) scenario_inputs(io, sc);
    if (vm.count("bundle")) bundle_inputs(io, vm["bundle"].as<std::vector<std::string>>());
    for (const auto& [label, path] : scenarios) {
      for (const auto& run : runs) io.output("the " + run.solver + " assignments of " + label, out / label / run.csv_name);
      if (include_mip) io.output("the mip assignments of " + label, out / label / "mip_assignments.csv");
    }
    for (const char* name : {"summary.csv", "summary.json", "summary.md"}) io.output("the bench summary", out / name);
    if (vm.count("telemetry-log")) telemetry_outputs(io, vm["telemetry-log"].as<std::string>());
    io.check();
    std::optional<fhops::telemetry::run_store> telemetry;
    const bool compare = vm["compare"].as<bool>();
    if (compare && !vm.count("telemetry-log")) throw usage_error("--compare needs --telemetry-log (the comparison reads the runs from its store)");
    long long watermark = 0;  // --compare: the runs stored after this row are this suite's
    if (vm.count("telemetry-log")) {
      const std::filesystem::path log = vm["telemetry-log"].as<std::string>();
      if (std::filesystem::is_directory(log)) throw usage_error("--telemetry-log " + log.string() + " is a directory");
      if (compare) watermark = fhops::telemetry::run_watermark(fhops::telemetry::sqlite_path_for(log));
      telemetry.emplace(log, 0, 5000);
    } else if (vm["resume"].as<bool>()) {
      throw usage_error("--resume needs --telemetry-log (the store it resumes)");
    }
    // Each scenario x solver run is a work unit: here (--jobs at a time) or on the MPI ranks
    // under mpirun; the rows are put back in unit order, so the summary is the same either way.
    const auto session = open_session(static_cast<std::size_t>(jobs));
    const fh::bench_units_result units =
        runs.empty() ? fh::bench_units_result{}
                     : fh::run_bench_units({scenarios, runs, &problems, &loaded_scenarios, static_cast<std::size_t>(repeats), out, vm["resume"].as<bool>()},
                                       *session, telemetry ? &*telemetry : nullptr);
    if (!session->coordinator()) return exit_ok;
    if (units.resumed) std::cerr << units.resumed << " cell(s) already recorded by this suite: not re-run (--resume).\n";
    if (report_lost_units("bench suite", units.lost)) return exit_failure;  // incomplete: no summary until --resume completes it
    // The summary; the MIP rows (one cbc run at a time, on this process) each before its scenario's rows.
    std::vector<std::string> labels;
    for (const auto& sc : scenarios) labels.push_back(sc.first);
    const auto sorted = fh::write_bench_summary(out, labels, units.rows, [&](std::size_t i) -> std::optional<fhops::record> {
      if (!include_mip) return std::nullopt;
      return fh::run_bench_mip(problems[i], scenarios[i].first, scenarios[i].second, vm["time-limit"].as<double>(), out / scenarios[i].first);
    });
    text_table t("FHOPS Benchmark Summary", {"scenario", "solver", "preset_label", "objective", "min", "max", "runtime_s", "evals/s",
                                             "gap_vs_best", "assignments"});
    for (const auto& r : sorted) {
      const auto* label = std::get_if<std::string>(r.find("preset_label"));
      t.add({std::get<std::string>(*r.find("scenario")), std::get<std::string>(*r.find("solver")), label ? *label : "",
             fmt::format("{:.3f}", r.number("objective")), fmt::format("{:.3f}", r.number("objective_min")),
             fmt::format("{:.3f}", r.number("objective_max")), fmt::format("{:.2f}", r.number("runtime_s")),
             fmt::format("{:.0f}", r.number("evaluations_per_second")), fmt::format("{:.3f}", r.number("objective_gap_vs_best_heuristic")),
             std::to_string(static_cast<long long>(r.number("assignments")))});
    }
    std::cout << t.str() << "Summary written to " << (out / "summary.csv").string() << ", " << (out / "summary.json").string() << " and "
              << (out / "summary.md").string() << "\n";
    if (telemetry) std::cout << units.records_written << " telemetry record(s) written to " << telemetry->log().string() << ".\n";
    if (telemetry && report_mirror_errors("bench suite", telemetry->sqlite(), units.mirror_errors)) return exit_failure;
    if (compare)
      std::cout << "\n" << fhops::telemetry::compare_text(fhops::telemetry::compare_store(telemetry->sqlite(), {.after_rowid = watermark}));
    return exit_ok;
  });
}

}  // namespace

int cmd_bench(int argc, char** argv) { return bench_suite(argc, argv); }

}  // namespace fhops_cli
