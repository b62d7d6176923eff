// fhops solve-heur | solve-ils | solve-tabu SCENARIO --out CSV: the heuristics of the reference CLI
// (heuristics.md §8), plus time limits, cooling/acceptance choices, adaptive operator selection,
// JSON output and the --check-delta debug mode; --checkpoint / --resume save and continue a run
// (SIGTERM and SIGINT write a checkpoint and stop it).
//
// The command reads in four steps, one function each: the options (solve_option_table), the
// search they settle (settle_search), the request for the library's run_solve (request_for: the
// scenario, outputs, checkpoints and telemetry) and the printout (print_solve).
#include <algorithm>
#include <exception>
#include <filesystem>
#include <optional>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "checkpoint_wiring.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "dist_wiring.hpp"
#include "fhops/harvest/bounds/bound.hpp"
#include "fhops/harvest/checkpoint.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/workflows/run_telemetry.hpp"
#include "fhops/workflows/solve_run.hpp"
#include "io_check.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "solver_option_table.hpp"

namespace fhops_cli {

namespace tel = fhops::telemetry;

namespace {

using fhops::harvest::solver_kind;

// --bound: the share of --time-limit the search keeps (the bound gets what is left), and the
// bound's budget when there is no time limit.
constexpr double bound_search_share = 0.9;
constexpr double bound_seconds_untimed = 10.0;

// The options every solve command takes, then the solver's own (its table in the registry).
// `units_resume`: --resume is solve-heur's work-unit switch (with --parallel-multistart), not a file.
po::options_description solve_option_table(solver_kind kind, bool units_resume) {
  po::options_description opts("Options");
  opts.add_options()
    ("out", po::value<std::string>(), "assignments CSV to write (required; folders are created)")
    ("iters", integer_value("iters", 1)->default_value(fhops::harvest::solver_info_of(kind).default_iterations),
     "iteration budget, >= 1 (unlimited when only --time-limit is given)")
    ("time-limit", seconds_value("time-limit"), "wall-clock budget in seconds, checked within each iteration too")
    ("seed", po::value<long long>()->default_value(42), "random seed")
    ("operator,o", po::value<std::vector<std::string>>()->composing(), "enable operator NAME (repeatable)")
    ("operator-weight,w", po::value<std::vector<std::string>>()->composing(), "operator weight name=value (repeatable)")
    ("operator-preset,P", po::value<std::vector<std::string>>()->composing(), "operator preset (repeatable; see --list-operator-presets)")
    ("profile", po::value<std::string>(), "solver profile (see --list-profiles)")
    ("list-operator-presets", po::bool_switch(), "print the operator presets and exit")
    ("list-profiles", po::bool_switch(), "print the solver profiles and exit")
    ("show-operator-stats", po::bool_switch(), "print per-operator statistics")
    ("operator-selection", po::value<std::string>()->default_value("fixed"), "fixed (weights) or adaptive (roulette rewarded by improvement)")
    ("batch-neighbours", po::value<long long>()->default_value(1), "candidates per iteration; <= 1 means one per enabled operator (when not given, a timed SA run where landing capacity is hard takes one candidate per step)")
    ("parallel-workers", integer_value("parallel-workers", 0)->default_value(1), "threads for multi-start runs (at most one per run and 4 per hardware thread)")
    ("tier-label", po::value<std::string>(), "label recorded with the run")
    ("telemetry-log", po::value<std::string>(), "append the run record to this JSONL log, mirror it into the sibling .sqlite and write step logs to the sibling steps/")
    ("step-interval", integer_value("step-interval", 0), "with --telemetry-log: a step record every N iterations plus the first and last (default 100 for SA, 25 for ILS/Tabu; 0 = none)")
    ("telemetry-busy-timeout", busy_timeout_value("telemetry-busy-timeout")->default_value(60.0), "seconds to wait for other writers of the SQLite mirror")
    ("kpi-mode", po::value<std::string>()->default_value("extended"), "KPI printout: basic or extended")
    ("format", po::value<std::string>()->default_value("text"), "output: text or json (one object)")
    ("bound", po::bool_switch(), "after the solve, bound the score of every plan as 'fhops bound' does and report upper_bound and "
                                 "gap = (upper_bound - objective) / |upper_bound| (output and run record); with --time-limit T the "
                                 "search gets 0.9 T and the bound what is left of T, without one the bound gets at most 10 s; "
                                 "a bound not found in time is reported absent (empty, JSON null)")
    ("lagrangian-bound", int_value("lagrangian-bound", 1), "after the solve, also compute an upper bound on the objective by N subgradient steps on block-work and landing prices (text output; see docs/howto/search_library.md)")
    ("landing-capacity", po::value<std::string>()->default_value("priced"), "work over a landing's capacity when the objective prices slack (landing_slack > 0): priced (kept when it can pay its slack) or reference (always cleared, as the reference's sanitiser does); no difference with landing_slack 0")
    ("check-delta", po::bool_switch(), "debug: check every delta evaluation against a full evaluation")
    ("checkpoint", po::value<std::string>(), "write the run's whole state to FILE (atomically) every --checkpoint-every seconds and on SIGTERM/SIGINT, "
                                             "which then stop the run (exit 143/130, no plan); see docs/howto/checkpoints.md")
    ("checkpoint-every", seconds_value("checkpoint-every"), "seconds between checkpoints (default 60; needs --checkpoint or --resume FILE)");
  if (units_resume)
    opts.add_options()("resume", po::bool_switch(), "with --parallel-multistart and --telemetry-log: run only the runs of this multistart not yet in the log (work units; see docs/howto/scale_out.md)");
  else
    opts.add_options()("resume", po::value<std::string>(), "continue the run checkpointed in FILE (same scenario, solver and options; checkpoints go on to FILE "
                                                         "unless --checkpoint says otherwise). solve-heur: with --parallel-multistart, --resume is the work-unit switch");
  if (kind == solver_kind::sa)
    opts.add_options()("resume-units", po::bool_switch(), "the work-unit switch under a name of its own: as --resume with --parallel-multistart "
                                                          "(needs --parallel-multistart K and --telemetry-log)");
  add_solver_options(opts, fhops::harvest::solver_options_of(kind));
  return opts;
}

// What the options settle before the scenario is read: the search's options (weights without the
// scenario's traits yet), the profile, the operator settings the weights came from, the budget and
// the parallel shape.
struct search_settings {
  fhops::harvest::solve_options o;
  const fhops::harvest::solver_profile* profile = nullptr;
  const fhops::harvest::profile_solver* psolver = nullptr;
  fhops::harvest::operator_settings ops;
  bool timed = false, want_bound = false;
  long long batch = 1, workers = 1, multistart = 1;
};

// The option that asks solve-heur to run only a multistart's missing work units: --resume where it
// is the switch (`units_resume`), or --resume-units; nullptr when neither is given.
const char* units_resume_option(const po::variables_map& vm, bool units_resume) {
  if (units_resume && vm["resume"].as<bool>()) return "--resume";
  if (vm.count("resume-units") && vm["resume-units"].as<bool>()) return "--resume-units";
  return nullptr;
}

search_settings settle_search(solver_kind kind, const po::variables_map& vm, bool units_resume) {
  search_settings s;
  auto& o = s.o;
  o.adaptive = choice(vm, "operator-selection", {"fixed", "adaptive"}) == "adaptive";
  // Operator weights: profile + presets + --operator + --operator-weight.
  if (vm.count("profile")) s.profile = &fhops::harvest::find_profile(vm["profile"].as<std::string>());
  s.psolver = fhops::harvest::profile_for(s.profile, kind);
  if (vm.count("operator-preset")) s.ops.presets = vm["operator-preset"].as<std::vector<std::string>>();
  if (vm.count("operator")) s.ops.operators = vm["operator"].as<std::vector<std::string>>();
  if (vm.count("operator-weight"))
    for (const auto& w : vm["operator-weight"].as<std::vector<std::string>>())
      s.ops.weights.push_back(parse_option("operator-weight", [&] { return fhops::harvest::parse_operator_weight(w); }));
  o.kind = kind;
  o.weights = fhops::harvest::resolve_weights(kind, s.psolver, s.ops);
  o.check_delta = vm["check-delta"].as<bool>();
  o.landing_capacity = fhops::harvest::parse_landing_capacity_mode(choice(vm, "landing-capacity", {"priced", "reference"}));
  o.seed = static_cast<std::uint64_t>(vm["seed"].as<long long>());

  // Budget: --iters, else unlimited when only --time-limit is given; --bound keeps a share of it.
  s.timed = vm.count("time-limit") > 0;
  s.want_bound = vm["bound"].as<bool>();
  o.stop.max_iterations = s.timed && vm["iters"].defaulted() ? 0 : vm["iters"].as<long long>();
  if (s.timed) o.stop.max_seconds = vm["time-limit"].as<double>() * (s.want_bound ? bound_search_share : 1.0);
  const auto cli_or_profile = [&](const char* key, std::optional<long long> profile_value) -> long long {
    const long long v = vm[key].as<long long>();
    return v > 1 ? v : profile_value.value_or(1);
  };
  s.batch = cli_or_profile("batch-neighbours", s.psolver ? s.psolver->batch_neighbours : std::nullopt);
  s.workers = cli_or_profile("parallel-workers", s.psolver ? s.psolver->parallel_workers : std::nullopt);
  // Neither --batch-neighbours nor the profile: SA's candidates per step are the scenario's default
  // (default_sa_batch); a given 1 is the reference's one per enabled operator.
  if (!vm["batch-neighbours"].defaulted() || (s.psolver && s.psolver->batch_neighbours)) o.batch = s.batch > 1 ? s.batch : 0;
  if (vm.count("parallel-multistart"))  // solve-heur's
    s.multistart = cli_or_profile("parallel-multistart", s.psolver ? s.psolver->parallel_multistart : std::nullopt);
  if (const char* resume = units_resume_option(vm, units_resume)) {
    if (s.multistart < 2) throw usage_error(std::string(resume) + " needs --parallel-multistart K (K >= 2)");
    if (!vm.count("telemetry-log")) throw usage_error(std::string(resume) + " needs --telemetry-log (the store it resumes)");
  }
  usage_checked([&] {
    fhops::harvest::apply_solver_options(o, solver_option_values_of(vm, fhops::harvest::solver_options_of(kind)), {s.timed, s.batch, s.psolver});
  });
  return s;
}

// The scenario as run_solve takes it: loaded (or the load's error, thrown and recorded once the
// telemetry is open) and its problem, whose traits settle the default operator weights.
struct solve_scenario {
  std::optional<fhops::harvest::loaded_scenario> loaded;
  std::exception_ptr load_error;
  std::optional<fhops::harvest::problem> problem;  ///< empty when it cannot be built (run_solve reports it)
};

solve_scenario read_scenario(const std::string& path, solver_kind kind, search_settings& s) {
  solve_scenario sc;
  try {
    sc.loaded = fhops::harvest::load_scenario_with_warnings(path);
  } catch (const std::exception&) {
    sc.load_error = std::current_exception();
    return sc;
  }
  fhops::harvest::scenario_traits traits{.priced_slack = sc.loaded->scenario.weights.landing_slack > 0.0, .sequencing = false};
  try {
    traits = fhops::harvest::traits_of(sc.problem.emplace(sc.loaded->scenario));
  } catch (const std::exception&) {  // run_solve builds the problem again, and reports (and records) the error
    sc.problem.reset();
  }
  // A timed SA run that takes one candidate per step (no --batch-neighbours, default_sa_batch)
  // draws the rebuilds more often.
  s.o.weights = fhops::harvest::resolve_weights(kind, s.psolver, s.ops, &traits, fhops::harvest::one_candidate_step(s.o, traits));
  if (kind == solver_kind::tabu) fhops::harvest::resolve_tabu_tenure(s.o, static_cast<int>(sc.loaded->scenario.machines.size()));
  return sc;
}

// The request for run_solve and what it points into: the telemetry store and a resumed checkpoint.
// Filled in place (the request holds their addresses).
struct solve_setup {
  fhops::harvest::solve_request rq;
  std::optional<tel::run_store> telemetry;
  std::optional<fhops::harvest::recorded_checkpoint> resumed;
  std::optional<std::string> checkpoint_file;
};

// Outputs checked against the inputs (an output is never one of them), then the checkpoints and
// the telemetry store opened, all before any work: a bad path costs nothing.
void prepare(solve_setup& setup, solver_kind kind, const std::string& name, const po::variables_map& vm, bool units_resume,
             const search_settings& s, const solve_scenario& sc, std::optional<long long> tenure_arg) {
  auto& rq = setup.rq;
  const std::string csv = vm["out"].as<std::string>();
  fhops::io_paths io;
  if (sc.loaded) scenario_inputs(io, sc.loaded->scenario);
  else io.input("the scenario file", vm["scenario"].as<std::string>());

  // Checkpoints: --checkpoint FILE, or --resume FILE, which goes on checkpointing to FILE.
  const std::optional<std::string> resume_file =
      !units_resume && vm.count("resume") ? std::optional(vm["resume"].as<std::string>()) : std::nullopt;
  auto& checkpoint_file = setup.checkpoint_file;
  checkpoint_file = vm.count("checkpoint") ? std::optional(vm["checkpoint"].as<std::string>()) : resume_file;
  if (vm.count("checkpoint-every") && !checkpoint_file) throw usage_error("--checkpoint-every needs --checkpoint or --resume FILE");
  if (checkpoint_file && s.multistart > 1)
    throw usage_error("--checkpoint and --resume FILE checkpoint one run: not with a multistart (--parallel-multistart or the profile's is " +
                      std::to_string(s.multistart) + ")");

  io.output("--out", csv);
  if (vm.count("telemetry-log")) telemetry_outputs(io, vm["telemetry-log"].as<std::string>());
  if (checkpoint_file) io.output("--checkpoint", *checkpoint_file);
  io.check();
  rq.kind = kind;
  rq.command = name;
  rq.plan_csv = csv;
  rq.step_interval = vm.count("step-interval") ? vm["step-interval"].as<long long>() : fhops::harvest::default_step_interval(kind);
  if (checkpoint_file && sc.loaded) {
    auto& checkpoints = rq.checkpoints.emplace();
    checkpoints.file = *checkpoint_file;
    checkpoints.every_seconds = vm.count("checkpoint-every") ? vm["checkpoint-every"].as<double>() : 60.0;
    checkpoints.stop_request = &stop_requested;
    checkpoints.scenario_id = fhops::harvest::files_fingerprint(sc.loaded->scenario.files);
    if (resume_file) {
      setup.resumed = fhops::harvest::open_recorded_checkpoint(*resume_file, s.o, checkpoints.scenario_id, vm.count("telemetry-log") > 0,
                                                               rq.step_interval);
      checkpoints.resumes = setup.resumed->resume.resumes + 1;
      rq.resume = &*setup.resumed;
    }
  }

  if (vm.count("telemetry-log")) {
    const std::filesystem::path log = vm["telemetry-log"].as<std::string>();
    if (std::filesystem::is_directory(log)) throw usage_error("--telemetry-log '" + log.string() + "' is a directory; give a file path");
    setup.telemetry.emplace(log, rq.step_interval, busy_milliseconds(vm, "telemetry-busy-timeout"));
    rq.store = &*setup.telemetry;
    auto& ctx = rq.context;
    ctx.source = "cli." + name;
    ctx.scenario_path = vm["scenario"].as<std::string>();
    if (s.profile) {
      ctx.profile = s.profile->name;
      ctx.profile_version = s.profile->version;
    }
    if (vm.count("tier-label")) ctx.tier = vm["tier-label"].as<std::string>();
    ctx.iters = s.o.stop.max_iterations;
    ctx.batch_size = s.batch;
    ctx.max_workers = s.workers;
    ctx.parallel_multistart = s.multistart;
    ctx.tabu_tenure_arg = tenure_arg;
    if (s.timed) ctx.time_limit = vm["time-limit"].as<double>();
  } else if (vm.count("step-interval")) {
    throw usage_error("--step-interval needs --telemetry-log");
  }

  rq.options = s.o;
  rq.built = sc.problem ? &*sc.problem : nullptr;
  rq.multistart = static_cast<std::size_t>(s.multistart);
  rq.threads = s.workers > 1 ? static_cast<std::size_t>(s.workers)
                             : std::min<std::size_t>(rq.multistart, std::max(1u, std::thread::hardware_concurrency()));
  rq.resume_units = units_resume_option(vm, units_resume) != nullptr;
  if (s.multistart > 1 && (fhops::dist::launched_by_mpi() || rq.resume_units))  // the runs are work units (fhops/workflows/unit_runs.hpp)
    rq.open_session = [threads = rq.threads] { return open_session(fhops::dist::launched_by_mpi() ? 1 : threads); };
  rq.lagrangian_steps = vm.count("lagrangian-bound") ? vm["lagrangian-bound"].as<int>() : 0;
  rq.bound = s.want_bound;
  rq.bound_seconds_from_start = s.timed;
  rq.bound_seconds = s.timed ? vm["time-limit"].as<double>() : bound_seconds_untimed;
  rq.while_searching = [] { return std::make_shared<stop_signals>(); };  // SIGTERM and SIGINT checkpoint a checkpointed run and stop it
}

// The printout of a finished run: one JSON object, or the reference's text lines and ours.
int print_solve(solver_kind kind, const std::string& name, const po::variables_map& vm, const solve_setup& setup,
                const fhops::harvest::solve_result& res) {
  const auto& out = res.outcome;
  const auto& telemetry = setup.telemetry;
  const auto& upper = res.bound;
  const auto& mirror_error = res.mirror_error;
  const auto mirror_failure = [&] {
    return std::runtime_error("telemetry: the run record is in " + telemetry->log().string() + " but the SQLite mirror failed: " +
                              *mirror_error + " (rebuild it with 'fhops telemetry import " + telemetry->log().string() +
                              " --into " + telemetry->sqlite().string() + "')");
  };
  // gap = (upper_bound - objective) / |upper_bound|; its text is empty (JSON null) when there is
  // none. A plain double, not std::optional: formatting the optional's value made GCC warn
  // -Wmaybe-uninitialized.
  double gap = 0.0;
  bool has_gap = false;
  if (upper && upper->upper_bound)
    if (const auto g = fhops::harvest::relative_gap(*upper->upper_bound, out.best.score)) {
      gap = *g;
      has_gap = true;
    }
  const bool json = vm["format"].as<std::string>() == "json";
  const std::string gap_text = !has_gap ? (json ? "null" : "") : json ? fhops::json_number(gap) : fmt::format("{:.6f}", gap);
  if (json) {
    std::string bound_fields;
    if (upper)
      bound_fields = fmt::format("\"upper_bound\":{},\"gap\":{},", upper->upper_bound ? fhops::json_number(*upper->upper_bound) : "null",
                                 gap_text);
    std::cout << solve_json(name, out, res.kpis, vm.count("tier-label") ? vm["tier-label"].as<std::string>() : "", bound_fields) << "\n";
    if (mirror_error) throw mirror_failure();
    return exit_ok;
  }
  std::cout << fmt::format("Objective ({}): {:.3f}. Saved to {}\n", fhops::harvest::solver_info_of(kind).objective_label, out.best.score,
                           setup.rq.plan_csv.string());
  std::cout << fhops::harvest::kpi_summary_text(res.kpis, vm["kpi-mode"].as<std::string>() == "basic" ? fhops::harvest::kpi_mode::basic
                                                                                                   : fhops::harvest::kpi_mode::extended);
  std::cout << "Operators: " << operators_repr(setup.rq.options.weights) << "\n";
  if (vm["show-operator-stats"].as<bool>()) std::cout << operator_stats_text(out.search.operators, kind == solver_kind::tabu);
  if (setup.rq.multistart > 1)
    std::cout << fmt::format("Parallel multi-start executed {} runs; best seed={}.", setup.rq.multistart, out.seed) << "\n";
  if (telemetry)
    std::cout << fmt::format("Telemetry: {} run record(s) appended to {}{}{}.", res.records.size(), telemetry->log().string(),
                             mirror_error ? "" : " and " + telemetry->sqlite().string(),
                             telemetry->steps_on() ? "; step logs in " + tel::steps_dir_for(telemetry->log()).string() : "")
              << "\n";
  std::cout << fmt::format("Search: {} iterations, {} evaluations ({:.0f}/s) in {:.2f} s, stopped by {}; start {:.3f}\n",
                           out.search.iterations, out.search.evaluations,
                           out.search.seconds > 0 ? static_cast<double>(out.search.evaluations) / out.search.seconds : 0.0,
                           out.search.seconds, fhops::search::to_string(out.search.reason), out.initial.score);
  if (out.warm_start_evaluations > 0)
    std::cout << fmt::format("SA warm start: {} evaluations in {:g} % of the time limit, before the search above\n", out.warm_start_evaluations,
                             100.0 * setup.rq.options.sa_warm_start);
  if (const auto& bound = res.lagrangian)
    std::cout << fmt::format("Lagrangian upper bound: {:.3f} ({} subgradient steps; gap to this plan {:.3f})\n", bound->bound,
                             bound->iterations, bound->bound - out.best.score);
  if (upper)
    std::cout << "upper_bound: " << (upper->upper_bound ? fmt::format("{}", *upper->upper_bound) : "") << "\n"
              << "gap: " << gap_text << "\n";
  if (mirror_error) throw mirror_failure();
  return exit_ok;
}

int solve_command(solver_kind kind, int argc, char** argv) {
  const std::string name = fhops::harvest::solver_info_of(kind).command;
  return guarded(name, [&] {
    const bool units_resume = resume_is_units_switch(kind, argc, argv);
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const po::options_description opts = solve_option_table(kind, units_resume);
    const parsed p = parse(name, "SCENARIO --out CSV [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (vm["list-profiles"].as<bool>()) {
      std::cout << fhops::harvest::profile_listing();
      return exit_ok;
    }
    if (vm["list-operator-presets"].as<bool>()) {
      std::cout << fhops::harvest::preset_listing();
      return exit_ok;
    }
    if (!vm.count("scenario")) throw usage_error("the argument SCENARIO is required");
    if (!vm.count("out")) throw usage_error("the option '--out' is required");
    const bool text = choice(vm, "format", {"text", "json"}) == "text";
    choice(vm, "kpi-mode", {"basic", "extended"});

    search_settings s = settle_search(kind, vm, units_resume);
    // The scenario is read before the telemetry log is opened, so that an output that would
    // overwrite one of its files is refused before anything is written; a load error is thrown
    // (and recorded) once the log is open.
    const std::optional<long long> tenure_arg = kind == solver_kind::tabu && s.o.tabu.tenure > 0 ? std::optional(s.o.tabu.tenure) : std::nullopt;
    const solve_scenario sc = read_scenario(vm["scenario"].as<std::string>(), kind, s);
    solve_setup setup;
    prepare(setup, kind, name, vm, units_resume, s, sc, tenure_arg);

    // Solve, write, print. A failure from here on is still recorded (status "error").
    if (sc.load_error) fhops::harvest::rethrow_recorded(setup.rq.store, kind, s.o, setup.rq.context, nullptr, sc.load_error);
    for (const auto& w : sc.loaded->warnings) std::cerr << "warning: " << w << "\n";
    const fhops::harvest::solve_result res =
        fhops::harvest::run_solve(sc.loaded->scenario, setup.rq, progress_line(text, s.o.stop.max_iterations, s.o.stop.max_seconds));
    if (res.worker) return exit_ok;
    if (report_lost_units(name, res.lost)) return exit_failure;  // incomplete: --resume completes it
    if (res.interrupted) {
      progress_line::clear();
      std::cerr << "checkpoint written to " << *setup.checkpoint_file << "; resume with --resume " << *setup.checkpoint_file << "\n";
      return stop_signals::exit_code();  // no plan, no run record: the run goes on after --resume
    }
    return print_solve(kind, name, vm, setup, res);
  });
}

}  // namespace

int cmd_solve_heur(int argc, char** argv) { return solve_command(solver_kind::sa, argc, argv); }
int cmd_solve_ils(int argc, char** argv) { return solve_command(solver_kind::ils, argc, argv); }
int cmd_solve_tabu(int argc, char** argv) { return solve_command(solver_kind::tabu, argc, argv); }

}  // namespace fhops_cli
