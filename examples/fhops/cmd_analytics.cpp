// fhops analytics run: the reference's analytics notebooks rebuilt as static HTML pages
// (telemetry_tuning.md §9): one page per analysis, index.html and metadata.json in --out.
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/pages/analytics_pages.hpp"
#include "fhops/pages/page_runner.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/workflows/analytics_mode.hpp"
#include "io_check.hpp"

namespace fhops_cli {

namespace {

namespace fh = fhops::harvest;
namespace fs = std::filesystem;

int analytics_run(int argc, char** argv) {
  return guarded("analytics run", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out", po::value<std::string>(), "output folder (required): index.html, metadata.json, one page per analysis, data/")
      ("light", po::bool_switch(), "light mode (also FHOPS_ANALYTICS_LIGHT non-empty): <= 4 samples, capped shocks, small budgets")
      ("keep-going", po::bool_switch(), "run the remaining pages after a page fails")
      ("timeout", seconds_value("timeout"), "seconds per page; a page still computing then is a timeout")
      ("page", po::value<std::vector<std::string>>()->composing(), "run only this page (repeatable; default: all)")
      ("list-pages", po::bool_switch(), "print the page names and exit")
      ("seed", po::value<long long>()->default_value(42), "seed of the solves, bench runs and ensembles")
      ("scenarios-dir", po::value<std::string>()->default_value("examples/scenarios"), "the bundled scenarios (demo, synth-*)")
      ("scenario", po::value<std::string>(), "scenario of the single-scenario pages (default: demo or synth-medium)")
      ("assignments", po::value<std::string>(), "a schedule of --scenario to play instead of solving")
      ("bench-scenario", po::value<std::vector<std::string>>()->composing(), "benchmark_summary scenario (repeatable)")
      ("telemetry-log", po::value<std::string>(), "telemetry_diagnostics: a step-record or legacy {iteration, objective, ...} JSONL")
      ("tuner-report", po::value<std::string>(), "tuner_report_analysis: a telemetry report CSV")
      ("telemetry-store", po::value<std::string>(), "tuner_report_analysis: a telemetry SQLite store")
      ("history", po::value<std::string>(), "tuner_history_analysis: a history CSV (snapshot, algorithm, scenario, best_objective, ...)");
    po::options_description hidden;
    hidden.add_options()("action", po::value<std::string>(), "run");
    po::positional_options_description pos;
    pos.add("action", 1);
    const parsed p = parse("analytics", "run --out DIR [--light] [--keep-going] [--timeout S] [--page NAME]...", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (vm["list-pages"].as<bool>()) {
      for (const auto& [name, title] : fh::analytics_page_names()) std::cout << name << "  " << title << "\n";
      return exit_ok;
    }
    if (!vm.count("action") || vm["action"].as<std::string>() != "run")
      throw usage_error("the only analytics command is 'run' (fhops analytics run --out DIR [OPTIONS])");
    if (!vm.count("out")) throw usage_error("--out DIR is required");
    const std::optional<double> timeout = vm.count("timeout") ? std::optional<double>(vm["timeout"].as<double>()) : std::nullopt;
    if (vm.count("assignments") && !vm.count("scenario")) throw usage_error("--assignments needs --scenario (the schedule's scenario)");

    fh::analytics_inputs in;
    in.light = fh::analytics_light_mode(vm["light"].as<bool>());
    in.seed = static_cast<std::uint64_t>(vm["seed"].as<long long>());
    in.scenarios_dir = vm["scenarios-dir"].as<std::string>();
    const auto opt_path = [&](const char* k) { return vm.count(k) ? std::optional<fs::path>(vm[k].as<std::string>()) : std::nullopt; };
    in.scenario = opt_path("scenario");
    in.assignments = opt_path("assignments");
    in.telemetry_log = opt_path("telemetry-log");
    in.tuner_report = opt_path("tuner-report");
    in.telemetry_store = opt_path("telemetry-store");
    in.history = opt_path("history");
    if (vm.count("bench-scenario"))
      for (const auto& s : vm["bench-scenario"].as<std::vector<std::string>>()) in.bench_scenarios.emplace_back(s);
    const fs::path out = vm["out"].as<std::string>();
    const fhops::private_temp_folder scratch("fhops-analytics-");  // removed on every exit
    in.scratch = scratch.path();

    // Page selection first: an unknown page is a usage error before anything runs.
    const auto jobs = fh::analytics_page_jobs(in, vm.count("page") ? vm["page"].as<std::vector<std::string>>() : std::vector<std::string>{});
    fhops::io_paths io;
    if (in.scenario) scenario_inputs(io, *in.scenario);
    for (const auto& s : in.bench_scenarios) scenario_inputs(io, s);
    for (const char* option : {"assignments", "telemetry-log", "tuner-report", "telemetry-store", "history"})
      if (const auto path = opt_path(option)) io.input(std::string("--") + option, *path);
    io.output("the index page", out / "index.html").output("the pages' metadata", out / "metadata.json");
    for (const auto& job : jobs)
      io.output("the page " + job.name, out / (job.name + ".html")).output_folder("the data of page " + job.name, out / "data" / job.name);
    io.check();
    fs::create_directories(out);
    const auto statuses = fhops::run_pages(out, jobs, {timeout, vm["keep-going"].as<bool>()}, std::cout);

    const std::string generated = fhops::telemetry::utc_iso_seconds();
    fhops::write_file_atomic(out / "metadata.json", fhops::pages_metadata_json(generated, in.light, statuses));
    fhops::write_file_atomic(out / "index.html",
                             fhops::pages_index_html("FHOPS analytics", std::string(in.light ? "Light" : "Full") + " mode, generated " + generated,
                                                     jobs, statuses));
    std::cout << "Metadata written to " << (out / "metadata.json").string() << "\n";
    // Each failed page with its reason (also in metadata.json and the index), then the verdict.
    bool failed = false;
    for (const auto& s : statuses)
      if (s.status != "ok") {
        failed = true;
        std::cerr << "page " << s.page << " " << s.status << ": " << s.message.value_or("(no message)") << "\n";
      }
    if (failed) {
      std::cerr << "One or more pages failed.\n";
      return exit_failure;
    }
    return exit_ok;
  });
}

}  // namespace

int cmd_analytics(int argc, char** argv) { return analytics_run(argc, argv); }

}  // namespace fhops_cli
