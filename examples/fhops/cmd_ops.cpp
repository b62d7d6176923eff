// fhops ops weekly --out DIR [--light] ...: the ops runbook's weekly template executed
// (docs/howto/telemetry_ops.md). Each box of the template is a step that runs an fhops command
// in-process; a failed step is reported and the rest still run; the filled-in runbook entry
// ("Week of YYYY-MM-DD") is written as Markdown next to a JSON record of the steps.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/pages/static_site.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/workflows/analytics_mode.hpp"
#include "fhops/workflows/checklist.hpp"
#include "fhops/workflows/weekly.hpp"
#include "io_check.hpp"

namespace fhops_cli {

namespace {

namespace fs = std::filesystem;

/// Runs an fhops command as a step: its stderr is passed through and its last line becomes the
/// step's message when it fails.
fhops::step_outcome run_step(const std::vector<std::string>& args) {
  std::ostringstream captured;
  auto* const old = std::cerr.rdbuf(captured.rdbuf());
  int rc = exit_failure;
  try {
    rc = run_command(args);
  } catch (...) {
    std::cerr.rdbuf(old);
    std::cerr << captured.str();
    throw;
  }
  std::cerr.rdbuf(old);
  const std::string text = captured.str();
  std::cerr << text;
  if (rc == exit_ok) return {};
  // The command's own one-line error ("fhops X: error: ..."), else its first line.
  std::string first, error;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (first.empty() && !line.empty()) first = line;
    if (error.empty() && line.rfind("fhops", 0) == 0 && line.find("error") != std::string::npos) error = line;
  }
  const std::string& why = error.empty() ? first : error;
  return {fhops::step_status::failed, fmt::format("exit {}{}{}", rc, why.empty() ? "" : ": ", why)};
}

int weekly(int argc, char** argv) {
  return guarded("ops weekly", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out", po::value<std::string>()->required(), "folder for this week's outputs (analytics/, reports, history, runbook entry)")
      ("light", po::bool_switch(), "analytics in light mode (as FHOPS_ANALYTICS_LIGHT=1); the full run is the default")
      ("seed", po::value<long long>(), "seed of the tuning and the analytics pages (default: the ISO week of --date, year*100+week, e.g. 202648)")
      ("telemetry-log", po::value<std::string>()->default_value("telemetry/runs.jsonl"), "the telemetry store to extend, report on and maintain")
      ("history-dir", po::value<std::string>(), "weekly snapshots (<stamp>.csv/.md/.sqlite); default: history/ beside the log")
      ("bundle,b", po::value<std::vector<std::string>>()->composing(), "bundle for the extended tuning (repeatable; default synthetic, the shipped examples/bundles/synthetic.yaml)")
      ("bundle-dir", po::value<std::string>(), "root the built-in bundle aliases resolve under")
      ("trials", int_value("trials", 1, static_cast<int>(max_option_runs))->default_value(6), "tune-bayes trials per scenario (1..100000)")
      ("iters", int_value("iters", 10)->default_value(250), "iterations per tuning run (>= 10)")
      ("archive-older-than", po::value<std::string>()->default_value("28d"), "rotate telemetry older than this into the archive")
      ("archive-dir", po::value<std::string>(), "archive folder; default: archive/ beside the log")
      ("analytics-timeout", seconds_value("analytics-timeout")->default_value(900.0), "seconds per analytics page")
      ("scenarios-dir", po::value<std::string>()->default_value("examples/scenarios"), "the bundled scenarios the analytics pages use")
      ("date", po::value<std::string>(), "the entry's date, YYYY-MM-DD (default: today, UTC); the entry is for its week (Monday)")
      ("skip", po::value<std::vector<std::string>>()->composing(), "skip a step: tuning, report, snapshot, history, analytics, maintain, archive (repeatable)");
    const parsed p = parse("ops weekly", "--out DIR [--light] [--telemetry-log PATH] [OPTIONS]", argc, argv, opts, {});
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    fhops::harvest::weekly_request rq;
    rq.out = vm["out"].as<std::string>();
    rq.log = vm["telemetry-log"].as<std::string>();
    rq.history = vm.count("history-dir") ? fs::path(vm["history-dir"].as<std::string>()) : rq.log.parent_path() / "history";
    rq.archive = vm.count("archive-dir") ? fs::path(vm["archive-dir"].as<std::string>()) : rq.log.parent_path() / "archive";
    // The analytics mode as analytics run decides it (the flag or FHOPS_ANALYTICS_LIGHT); passed on explicitly.
    rq.light = fhops::harvest::analytics_light_mode(vm["light"].as<bool>());
    rq.now = std::chrono::system_clock::now();
    rq.today = std::chrono::floor<std::chrono::days>(rq.now);
    if (vm.count("date")) usage_checked([&] { rq.today = fhops::harvest::parse_iso_date(vm["date"].as<std::string>()); });
    if (vm.count("seed")) rq.seed = vm["seed"].as<long long>();
    if (vm.count("bundle")) rq.bundles = vm["bundle"].as<std::vector<std::string>>();
    if (vm.count("bundle-dir")) rq.bundle_dir = vm["bundle-dir"].as<std::string>();
    rq.trials = vm["trials"].as<int>();
    rq.iters = vm["iters"].as<int>();
    rq.archive_older_than = vm["archive-older-than"].as<std::string>();
    rq.analytics_timeout = vm["analytics-timeout"].as<double>();
    rq.scenarios_dir = vm["scenarios-dir"].as<std::string>();
    if (vm.count("skip")) rq.skip = vm["skip"].as<std::vector<std::string>>();
    usage_checked([&] { fhops::harvest::check_weekly_skip(rq.skip); });
    {  // the steps' outputs, checked before the first step runs (each step checks its own again)
      const fs::path sqlite = fhops::telemetry::sqlite_path_for(rq.log);
      fhops::io_paths io;
      telemetry_outputs(io, rq.log);
      bundle_inputs(io, rq.bundles);
      for (const auto& name : fhops::harvest::weekly_outputs()) io.output("the weekly output", rq.out / name);
      io.output_folder("the analytics pages", rq.out / "analytics");
      io.output("the archived log", rq.archive / rq.log.filename()).output("the archived SQLite store", rq.archive / sqlite.filename());
      io.check();
    }
    const auto result = fhops::harvest::run_weekly(rq, run_step, &std::cout);
    std::cout << "runbook entry: " << result.entry.string() << "\n";
    if (!result.ok) {
      std::cerr << "fhops ops weekly: error: one or more steps failed (see " << result.entry.string() << ")\n";
      return exit_failure;
    }
    return exit_ok;
  });
}


// The largest --max-file-mb: its bytes fit a std::uintmax_t with room to spare.
constexpr double max_file_mb = 1e12;

// fhops ops pages --from DIR... --out SITE: the Pages bundle of the weekly run.
int pages(int argc, char** argv) {
  return guarded("ops pages", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("from", po::value<std::vector<std::string>>()->composing()->required(), "an output folder of 'ops weekly' or 'tuning-plan run' (repeatable; two folders giving the same file are refused)")
      ("out", po::value<std::string>()->required(), "the site folder to write (replaced when it holds a previous site)")
      ("max-file-mb", real_value("max-file-mb", {0.0, true, max_file_mb})->default_value(100.0), "refuse any file larger than this (GitHub Pages rejects files over 100 MB)")
      ("title", po::value<std::string>()->default_value("fhops telemetry dashboards"), "the index page's title");
    const parsed p = parse("ops pages", "--from DIR... --out SITE [--max-file-mb MB]", argc, argv, opts, {});
    if (p.help) return exit_ok;
    const double mb = p.vm["max-file-mb"].as<double>();
    // The runbook's published set: history and delta, the latest report and tuning tables, the analytics pages.
    static const char* const published[] = {
        "history_summary.html", "history_summary.csv", "history_summary.md", "history_delta.html", "history_delta.csv",
        "history_delta.md", "history_summary_latest.csv", "history_summary_latest.md", "tuner_report.html", "tuner_report.csv",
        "tuner_report.md", "tuner_summary.csv", "tuner_summary.md", "tuner_comparison.csv", "tuner_comparison.md",
        "tuner_leaderboard.csv", "tuner_leaderboard.md", "tuner_difficulty.csv", "tuner_difficulty.md", "runbook_entry.md"};
    std::vector<fhops::site_source> sources;
    fhops::io_paths io;
    io.output_folder("--out", p.vm["out"].as<std::string>());
    for (const auto& dir : p.vm["from"].as<std::vector<std::string>>()) io.input("--from", dir);
    io.check();
    for (const auto& dir : p.vm["from"].as<std::vector<std::string>>()) {
      if (!fs::is_directory(dir)) throw std::runtime_error("--from " + dir + ": folder not found");
      for (const char* name : published) sources.push_back({fs::path(dir) / name, std::string("telemetry/") + name});
      sources.push_back({fs::path(dir) / "analytics", "analytics"});
    }
    // Two --from folders giving the same file are refused (naming both) before anything is written.
    auto site = fhops::gather_site(sources, static_cast<std::uintmax_t>(mb * 1e6));
    std::vector<fhops::folder_file>& files = site.files;
    if (files.empty()) throw std::runtime_error("nothing to publish: none of the runbook's outputs is in the --from folders");
    fhops::add_markdown_pages(files, site.modified);
    files.emplace_back(".nojekyll", "");
    files.emplace_back("index.html", fhops::site_index(p.vm["title"].as<std::string>(), files,
                                                       "Built by fhops ops pages on " + fhops::iso_date(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())),
                                                       site.modified));
    fhops::add_site_navigation(files, {{"Index", "index.html"},
                                       {"Runbook", "telemetry/runbook_entry.html"},
                                       {"Telemetry", "telemetry/tuner_report.html"},
                                       {"History", "telemetry/history_summary.html"},
                                       {"Delta", "telemetry/history_delta.html"},
                                       {"Tuning", "telemetry/tuner_summary.html"},
                                       {"Analytics", "analytics/index.html"}});
    fhops::write_directory_atomic(p.vm["out"].as<std::string>(), files, true, "index.html");
    std::cout << fmt::format("site {}: {} files\n", p.vm["out"].as<std::string>(), files.size());
    return exit_ok;
  });
}

}  // namespace

int cmd_ops(int argc, char** argv) {
  return guarded("ops", [&] {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
      static constexpr command_summary subcommands[] = {
          {"weekly", "the weekly template (tuning, report, snapshot, history + delta, analytics, maintenance, archive) and its runbook entry"},
          {"pages", "the Pages site of a weekly run: history, delta, reports, analytics, an index"}};
      std::ostream& out = argc < 2 ? std::cerr : std::cout;
      out << usage_lines("ops", "COMMAND [OPTIONS] ...") << "\nThe ops runbook, executed.\n\nCommands:\n";
      print_command_list(out, subcommands);
      return argc < 2 ? exit_usage : exit_ok;
    }
    const std::string sub = argv[1];
    if (sub == "weekly") return weekly(argc - 1, argv + 1);
    if (sub == "pages") return pages(argc - 1, argv + 1);
    throw usage_error("unknown ops command '" + sub + "' (expected: weekly or pages)");
  });
}

}  // namespace fhops_cli
