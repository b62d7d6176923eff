// fhops solve-heur | solve-ils | solve-tabu SCENARIO --out CSV: the heuristics of the reference CLI
// (heuristics.md §8), plus time limits, cooling/acceptance choices, adaptive operator selection,
// JSON output and the --check-delta debug mode; --checkpoint / --resume save and continue a run
// (SIGTERM and SIGINT write a checkpoint and stop it).
#include <algorithm>
#include <chrono>
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

int solve_command(solver_kind kind, int argc, char** argv) {
  const std::string name = fhops::harvest::solver_info_of(kind).command;
  return guarded(name, [&] {
    const bool units_resume = resume_is_units_switch(kind, argc, argv);
    const long long default_iters = fhops::harvest::solver_info_of(kind).default_iterations;
    po::options_description opts("Options");
    opts.add_options()
      ("out", po::value<std::string>(), "assignments CSV to write (required; folders are created)")
      ("iters", integer_value("iters", 1)->default_value(default_iters), "iteration budget, >= 1 (unlimited when only --time-limit is given)")
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
      ("batch-neighbours", po::value<long long>()->default_value(1), "candidates per iteration; <= 1 means one per enabled operator")
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
    const auto& solver_table = fhops::harvest::solver_options_of(kind);  // the solver's own options
    add_solver_options(opts, solver_table);
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
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
    const std::string format = choice(vm, "format", {"text", "json"});
    const std::string kpi_mode = choice(vm, "kpi-mode", {"basic", "extended"});
    const std::string selection = choice(vm, "operator-selection", {"fixed", "adaptive"});

    // Operator weights: profile + presets + --operator + --operator-weight.
    const fhops::harvest::solver_profile* profile = nullptr;
    if (vm.count("profile")) profile = &fhops::harvest::find_profile(vm["profile"].as<std::string>());
    const fhops::harvest::profile_solver* psolver = fhops::harvest::profile_for(profile, kind);
    fhops::harvest::operator_settings ops;
    if (vm.count("operator-preset")) ops.presets = vm["operator-preset"].as<std::vector<std::string>>();
    if (vm.count("operator")) ops.operators = vm["operator"].as<std::vector<std::string>>();
    if (vm.count("operator-weight"))
      for (const auto& w : vm["operator-weight"].as<std::vector<std::string>>())
        ops.weights.push_back(parse_option("operator-weight", [&] { return fhops::harvest::parse_operator_weight(w); }));
    fhops::harvest::solve_options o;
    o.kind = kind;
    o.weights = fhops::harvest::resolve_weights(kind, psolver, ops);
    o.adaptive = selection == "adaptive";
    o.check_delta = vm["check-delta"].as<bool>();
    o.landing_capacity = fhops::harvest::parse_landing_capacity_mode(choice(vm, "landing-capacity", {"priced", "reference"}));
    const long long seed = vm["seed"].as<long long>();
    o.seed = static_cast<std::uint64_t>(seed);

    // Budget.
    const bool timed = vm.count("time-limit") > 0;
    const long long iters = vm["iters"].as<long long>();
    const int bound_steps = vm.count("lagrangian-bound") ? vm["lagrangian-bound"].as<int>() : 0;
    o.stop.max_iterations = timed && vm["iters"].defaulted() ? 0 : iters;
    const bool want_bound = vm["bound"].as<bool>();
    if (timed) o.stop.max_seconds = vm["time-limit"].as<double>() * (want_bound ? bound_search_share : 1.0);
    const auto cli_or_profile = [&](const char* key, std::optional<long long> profile_value) -> long long {
      const long long v = vm[key].as<long long>();
      return v > 1 ? v : profile_value.value_or(1);
    };
    const long long batch = cli_or_profile("batch-neighbours", psolver ? psolver->batch_neighbours : std::nullopt);
    const long long workers = cli_or_profile("parallel-workers", psolver ? psolver->parallel_workers : std::nullopt);
    o.batch = batch > 1 ? batch : 0;
    long long multistart = 1;
    if (vm.count("parallel-multistart"))  // solve-heur's
      multistart = cli_or_profile("parallel-multistart", psolver ? psolver->parallel_multistart : std::nullopt);
    if (units_resume && vm["resume"].as<bool>() && multistart < 2) throw usage_error("--resume needs --parallel-multistart K (K >= 2)");
    if (units_resume && vm["resume"].as<bool>() && !vm.count("telemetry-log")) throw usage_error("--resume needs --telemetry-log (the store it resumes)");
    usage_checked([&] {
      fhops::harvest::apply_solver_options(o, solver_option_values_of(vm, solver_table), {timed, batch, psolver});
    });

    // The scenario is read before the telemetry log is opened, so that an output that would
    // overwrite one of its files is refused before anything is written; a load error is thrown
    // (and recorded) below, as before.
    const std::string csv = vm["out"].as<std::string>();
    std::optional<fhops::harvest::loaded_scenario> preloaded;
    std::exception_ptr load_error;
    try {
      preloaded = fhops::harvest::load_scenario_with_warnings(vm["scenario"].as<std::string>());
    } catch (const std::exception&) {
      load_error = std::current_exception();
    }
    if (preloaded) {  // the defaults depend on the scenario (solver_defaults); the settings were checked above
      fhops::harvest::scenario_traits traits{.priced_slack = preloaded->scenario.weights.landing_slack > 0.0, .sequencing = false};
      try {
        traits = fhops::harvest::traits_of(fhops::harvest::problem(preloaded->scenario));
      } catch (const std::exception&) {  // the solve builds the problem again, and reports (and records) the error
      }
      o.weights = fhops::harvest::resolve_weights(kind, psolver, ops, &traits);
    }
    fhops::io_paths io;
    if (preloaded) scenario_inputs(io, preloaded->scenario);
    else io.input("the scenario file", vm["scenario"].as<std::string>());
    const std::optional<long long> tenure_arg = kind == solver_kind::tabu && o.tabu.tenure > 0 ? std::optional(o.tabu.tenure) : std::nullopt;
    if (kind == solver_kind::tabu && preloaded) fhops::harvest::resolve_tabu_tenure(o, static_cast<int>(preloaded->scenario.machines.size()));

    // Checkpoints: --checkpoint FILE, or --resume FILE, which goes on checkpointing to FILE.
    const std::optional<std::string> resume_file =
        !units_resume && vm.count("resume") ? std::optional(vm["resume"].as<std::string>()) : std::nullopt;
    const std::optional<std::string> checkpoint_file = vm.count("checkpoint") ? std::optional(vm["checkpoint"].as<std::string>()) : resume_file;
    if (vm.count("checkpoint-every") && !checkpoint_file) throw usage_error("--checkpoint-every needs --checkpoint or --resume FILE");
    if (checkpoint_file && multistart > 1)
      throw usage_error("--checkpoint and --resume FILE checkpoint one run: not with a multistart (--parallel-multistart or the profile's is " +
                        std::to_string(multistart) + ")");

    io.output("--out", csv);
    if (vm.count("telemetry-log")) telemetry_outputs(io, vm["telemetry-log"].as<std::string>());
    if (checkpoint_file) io.output("--checkpoint", *checkpoint_file);
    io.check();
    fhops::harvest::solve_request rq;
    rq.kind = kind;
    rq.command = name;
    rq.plan_csv = csv;
    rq.step_interval = vm.count("step-interval") ? vm["step-interval"].as<long long>() : fhops::harvest::default_step_interval(kind);
    std::optional<fhops::harvest::recorded_checkpoint> resumed;
    if (checkpoint_file && preloaded) {
      auto& checkpoints = rq.checkpoints.emplace();
      checkpoints.file = *checkpoint_file;
      checkpoints.every_seconds = vm.count("checkpoint-every") ? vm["checkpoint-every"].as<double>() : 60.0;
      checkpoints.stop_request = &stop_requested;
      checkpoints.scenario_id = fhops::harvest::files_fingerprint(preloaded->scenario.files);
      if (resume_file) {
        resumed = fhops::harvest::open_recorded_checkpoint(*resume_file, o, checkpoints.scenario_id, vm.count("telemetry-log") > 0, rq.step_interval);
        checkpoints.resumes = resumed->resume.resumes + 1;
        rq.resume = &*resumed;
      }
    }

    // Telemetry: checked and opened before any work, so a bad log path costs nothing.
    std::optional<fhops::telemetry::run_store> telemetry;
    if (vm.count("telemetry-log")) {
      const std::filesystem::path log = vm["telemetry-log"].as<std::string>();
      if (std::filesystem::is_directory(log)) throw usage_error("--telemetry-log '" + log.string() + "' is a directory; give a file path");
      telemetry.emplace(log, rq.step_interval, busy_milliseconds(vm, "telemetry-busy-timeout"));
      rq.store = &*telemetry;
      auto& ctx = rq.context;
      ctx.source = "cli." + name;
      ctx.scenario_path = vm["scenario"].as<std::string>();
      if (profile) {
        ctx.profile = profile->name;
        ctx.profile_version = profile->version;
      }
      if (vm.count("tier-label")) ctx.tier = vm["tier-label"].as<std::string>();
      ctx.iters = o.stop.max_iterations;
      ctx.batch_size = batch;
      ctx.max_workers = workers;
      ctx.parallel_multistart = multistart;
      ctx.tabu_tenure_arg = tenure_arg;
      if (timed) ctx.time_limit = vm["time-limit"].as<double>();
    } else if (vm.count("step-interval")) {
      throw usage_error("--step-interval needs --telemetry-log");
    }

    // Load, solve, write, print. A failure after this point is still recorded (status "error").
    if (load_error) fhops::harvest::rethrow_recorded(rq.store, kind, o, rq.context, nullptr, load_error);
    for (const auto& w : preloaded->warnings) std::cerr << "warning: " << w << "\n";
    rq.options = o;
    rq.multistart = static_cast<std::size_t>(multistart);
    rq.threads = workers > 1 ? static_cast<std::size_t>(workers) : std::min<std::size_t>(rq.multistart, std::max(1u, std::thread::hardware_concurrency()));
    rq.resume_units = units_resume && vm["resume"].as<bool>();
    if (multistart > 1 && (fhops::dist::launched_by_mpi() || rq.resume_units))  // the runs are work units (fhops/workflows/unit_runs.hpp)
      rq.open_session = [threads = rq.threads] { return open_session(fhops::dist::launched_by_mpi() ? 1 : threads); };
    rq.lagrangian_steps = bound_steps;
    rq.bound = want_bound;
    rq.bound_seconds_from_start = timed;
    rq.bound_seconds = timed ? vm["time-limit"].as<double>() : bound_seconds_untimed;
    rq.while_searching = [] { return std::make_shared<stop_signals>(); };  // SIGTERM and SIGINT checkpoint a checkpointed run and stop it
    fhops::harvest::solve_result res =
        fhops::harvest::run_solve(preloaded->scenario, rq, progress_line(format == "text", o.stop.max_iterations, o.stop.max_seconds));
    if (res.worker) return exit_ok;
    if (report_lost_units(name, res.lost)) return exit_failure;  // incomplete: --resume completes it
    if (res.interrupted) {
      progress_line::clear();
      std::cerr << "checkpoint written to " << *checkpoint_file << "; resume with --resume " << *checkpoint_file << "\n";
      return stop_signals::exit_code();  // no plan, no run record: the run goes on after --resume
    }
    const auto& out = res.outcome;
    const auto& kpis = res.kpis;
    const auto& bound = res.lagrangian;
    const auto& upper = res.bound;
    const auto& mirror_error = res.mirror_error;
    std::string multistart_note, telemetry_note;
    if (multistart > 1) multistart_note = fmt::format("Parallel multi-start executed {} runs; best seed={}.", multistart, out.seed);
    if (telemetry)
      telemetry_note = fmt::format("Telemetry: {} run record(s) appended to {}{}{}.", res.records.size(), telemetry->log().string(),
                                   mirror_error ? "" : " and " + telemetry->sqlite().string(),
                                   telemetry->steps_on() ? "; step logs in " + tel::steps_dir_for(telemetry->log()).string() : "");
    const auto mirror_failure = [&] {
      return std::runtime_error("telemetry: the run record is in " + telemetry->log().string() + " but the SQLite mirror failed: " +
                                *mirror_error + " (rebuild it with 'fhops telemetry import " + telemetry->log().string() +
                                " --into " + telemetry->sqlite().string() + "')");
    };
    const std::optional<double> gap =
        upper && upper->upper_bound ? fhops::harvest::relative_gap(*upper->upper_bound, out.best.score) : std::nullopt;
    if (format == "json") {
      std::string bound_fields;
      if (upper) {
        bound_fields = fmt::format("\"upper_bound\":{},\"gap\":{},", upper->upper_bound ? fhops::json_number(*upper->upper_bound) : "null",
                                   gap ? fhops::json_number(*gap) : "null");
      }
      std::cout << solve_json(name, out, kpis, vm.count("tier-label") ? vm["tier-label"].as<std::string>() : "", bound_fields) << "\n";
      if (mirror_error) throw mirror_failure();
      return exit_ok;
    }
    std::cout << fmt::format("Objective ({}): {:.3f}. Saved to {}\n", fhops::harvest::solver_info_of(kind).objective_label, out.best.score, csv);
    std::cout << fhops::harvest::kpi_summary_text(kpis, kpi_mode == "basic" ? fhops::harvest::kpi_mode::basic
                                                                            : fhops::harvest::kpi_mode::extended);
    std::cout << "Operators: " << operators_repr(o.weights) << "\n";
    if (vm["show-operator-stats"].as<bool>()) std::cout << operator_stats_text(out.search.operators, kind == solver_kind::tabu);
    if (!multistart_note.empty()) std::cout << multistart_note << "\n";
    if (!telemetry_note.empty()) std::cout << telemetry_note << "\n";
    std::cout << fmt::format("Search: {} iterations, {} evaluations ({:.0f}/s) in {:.2f} s, stopped by {}; start {:.3f}\n",
                             out.search.iterations, out.search.evaluations,
                             out.search.seconds > 0 ? static_cast<double>(out.search.evaluations) / out.search.seconds : 0.0,
                             out.search.seconds, fhops::search::to_string(out.search.reason), out.initial.score);
    if (bound)
      std::cout << fmt::format("Lagrangian upper bound: {:.3f} ({} subgradient steps; gap to this plan {:.3f})\n", bound->bound,
                               bound->iterations, bound->bound - out.best.score);
    if (upper)
      std::cout << "upper_bound: " << (upper->upper_bound ? fmt::format("{}", *upper->upper_bound) : "") << "\n"
                << "gap: " << (gap ? fmt::format("{:.6f}", gap.value_or(0.0)) : "") << "\n";
    if (mirror_error) throw mirror_failure();
    return exit_ok;
  });
}

}  // namespace

int cmd_solve_heur(int argc, char** argv) { return solve_command(solver_kind::sa, argc, argv); }
int cmd_solve_ils(int argc, char** argv) { return solve_command(solver_kind::ils, argc, argv); }
int cmd_solve_tabu(int argc, char** argv) { return solve_command(solver_kind::tabu, argc, argv); }

}  // namespace fhops_cli
