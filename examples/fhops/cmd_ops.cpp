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
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/flat_records.hpp"
#include "fhops/workflows/analytics_mode.hpp"
#include "fhops/workflows/checklist.hpp"
#include "io_check.hpp"

namespace fhops_cli {

namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& args) {
  std::string out = "fhops";
  for (const auto& a : args) out += " " + (a.find_first_of(" \t'\"$") == std::string::npos ? a : "'" + a + "'");
  return out;
}

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

/// "YYYY-MM-DD" → the date; anything else is a usage error naming --date.
std::chrono::sys_days parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char a = 0, b = 0;
  std::istringstream in(text);
  in >> y >> a >> m >> b >> d;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!in || a != '-' || b != '-' || !in.eof() || !ymd.ok()) throw usage_error("--date must be YYYY-MM-DD (got '" + text + "')");
  return std::chrono::sys_days{ymd};
}

std::string iso_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

/// The ISO 8601 week of a day: (ISO year, week 1..53). The week belongs to the year of its Thursday.
std::pair<int, unsigned> iso_week(std::chrono::sys_days day) {
  using namespace std::chrono;
  const sys_days thursday = day - days{weekday{day}.iso_encoding() - 1} + days{3};
  const year y = year_month_day{thursday}.year();
  return {static_cast<int>(y), static_cast<unsigned>((thursday - sys_days{y / January / 1}).count() / 7 + 1)};
}

/// The default seed of a week's runs: ISO year * 100 + ISO week (2026-W48 -> 202648), so each
/// week draws new configurations and a rerun of the same week repeats them.
long long week_seed(std::chrono::sys_days day) {
  const auto [y, w] = iso_week(day);
  return static_cast<long long>(y) * 100 + w;
}

/// `light_mode` of an analytics run's metadata.json, when the file is there and says.
std::optional<bool> metadata_light_mode(const fs::path& metadata) {
  std::error_code ec;
  if (!fs::is_regular_file(metadata, ec)) return std::nullopt;
  try {
    const auto doc = fhops::telemetry::json_parser().parse(fhops::read_text_file(metadata));
    const auto* v = doc && doc->is_object() ? doc->find("light_mode") : nullptr;
    if (v && v->is_bool()) return std::get<bool>(v->value);
  } catch (const std::exception&) {  // unreadable: the mode the step was run in serves
  }
  return std::nullopt;
}

/// The snapshot name of the runbook's history folder: UTC time as 2026-11-23T031500Z.
std::string snapshot_stamp(std::chrono::system_clock::time_point t) {
  const std::tm tm = fhops::telemetry::utc_fields(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
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
    const fs::path out = vm["out"].as<std::string>();
    const fs::path log = vm["telemetry-log"].as<std::string>();
    const fs::path sqlite = fhops::telemetry::sqlite_path_for(log);
    const fs::path history = vm.count("history-dir") ? fs::path(vm["history-dir"].as<std::string>()) : log.parent_path() / "history";
    const fs::path archive = vm.count("archive-dir") ? fs::path(vm["archive-dir"].as<std::string>()) : log.parent_path() / "archive";
    // The analytics mode as analytics run decides it (the flag or FHOPS_ANALYTICS_LIGHT); passed on explicitly.
    const bool light = fhops::harvest::analytics_light_mode(vm["light"].as<bool>());
    const auto now = std::chrono::system_clock::now();
    const std::chrono::sys_days today = vm.count("date") ? parse_date(vm["date"].as<std::string>())
                                                         : std::chrono::floor<std::chrono::days>(now);
    const std::chrono::sys_days monday = today - std::chrono::days{(std::chrono::weekday{today}.iso_encoding() - 1)};
    const auto [week_year, week_number] = iso_week(today);
    const long long seed = vm.count("seed") ? vm["seed"].as<long long>() : week_seed(today);
    const std::string seed_origin = vm.count("seed") ? std::string("--seed") : fmt::format("ISO week {}-W{:02}", week_year, week_number);
    const std::vector<std::string> bundles =
        vm.count("bundle") ? vm["bundle"].as<std::vector<std::string>>() : std::vector<std::string>{"synthetic"};
    std::vector<std::string> skip = vm.count("skip") ? vm["skip"].as<std::vector<std::string>>() : std::vector<std::string>{};
    const std::vector<std::string> known{"analytics", "tuning", "report", "snapshot", "history", "maintain", "archive"};
    for (const auto& s : skip)
      if (std::find(known.begin(), known.end(), s) == known.end())
        throw usage_error("--skip must name a step: analytics, tuning, report, snapshot, history, maintain or archive (got '" + s + "')");
    {  // the steps' outputs, checked before the first step runs (each step checks its own again)
      fhops::io_paths io;
      telemetry_outputs(io, log);
      bundle_inputs(io, bundles);
      for (const char* name : {"runbook_entry.md", "ops_weekly.json", "tuner_report.csv", "tuner_report.md", "tuner_report.html",
                               "history_summary.csv", "history_summary.md", "history_summary.html", "history_summary_latest.csv",
                               "history_summary_latest.md", "history_delta.csv", "history_delta.md", "history_delta.html"})
        io.output("the weekly output", out / name);
      io.output_folder("the analytics pages", out / "analytics");
      io.output("the archived log", archive / log.filename()).output("the archived SQLite store", archive / sqlite.filename());
      io.check();
    }
    fs::create_directories(out);

    // Snapshot names sort by time; a second run within the same second gets "-2", "-3", ...
    std::string stamp = snapshot_stamp(now);
    for (int k = 2; fs::exists(history / (stamp + ".csv")) || fs::exists(history / (stamp + ".sqlite")); ++k)
      stamp = snapshot_stamp(now) + "-" + std::to_string(k);
    const auto o = [&](const char* name) { return (out / name).string(); };
    std::vector<fhops::checklist_step> steps;
    // A step running an fhops command; `inputs` (option, path) are added when the path exists by
    // the time the step runs (outputs of earlier steps).
    const auto command_step = [&](std::string name, std::string box, std::vector<std::string> args,
                                  std::vector<std::pair<std::string, fs::path>> inputs = {}) {
      std::string shown = join(args);
      for (const auto& [option, path] : inputs) shown += " [" + option + " " + path.string() + "]";
      fhops::checklist_step s{std::move(name), std::move(box), {}, {}, shown};
      if (std::find(skip.begin(), skip.end(), s.name) != skip.end()) {
        s.note = "skipped (--skip)";
        s.command.clear();
      } else {
        s.body = [args, inputs] {
          auto a = args;
          for (const auto& [option, path] : inputs)
            if (fs::exists(path)) a.insert(a.end(), {option, path.string()});
          return run_step(a);
        };
      }
      steps.push_back(std::move(s));
    };


    std::vector<std::string> tuning{"tune-bayes"};
    for (const auto& b : bundles) tuning.insert(tuning.end(), {"--bundle", b});
    if (vm.count("bundle-dir")) tuning.insert(tuning.end(), {"--bundle-dir", vm["bundle-dir"].as<std::string>()});
    tuning.insert(tuning.end(), {"--trials", std::to_string(vm["trials"].as<int>()), "--iters", std::to_string(vm["iters"].as<int>()),
                                 "--seed", std::to_string(seed), "--telemetry-log", log.string(), "--tier-label", "weekly"});
    command_step("tuning", "Run the extended tuning bundles", tuning);

    command_step("report", "Generate the telemetry report",
                 {"telemetry", "report", sqlite.string(), "--out-csv", o("tuner_report.csv"), "--out-markdown", o("tuner_report.md"),
                  "--out-html", o("tuner_report.html")});

    {  // snapshot: the report and a compact copy of the store, named by the UTC time
      fhops::checklist_step s{"snapshot", "Archive this week's history snapshot", {}, {},
                              fmt::format("copy tuner_report.csv/.md and VACUUM INTO the store -> {}/{}.{{csv,md,sqlite}}", history.string(), stamp)};
      if (std::find(skip.begin(), skip.end(), s.name) != skip.end()) {
        s.note = "skipped (--skip)";
        s.command.clear();
      } else {
        s.body = [&, stamp]() -> fhops::step_outcome {
          if (!fs::is_regular_file(out / "tuner_report.csv"))
            return {fhops::step_status::failed, "no " + o("tuner_report.csv") + " (the report step did not write it)"};
          fs::create_directories(history);
          for (const char* ext : {".csv", ".md"}) {
            const fs::path from = out / (std::string("tuner_report") + ext);
            if (fs::is_regular_file(from)) fhops::write_file_atomic(history / (stamp + ext), fhops::read_text_file(from));
          }
          fhops::telemetry::snapshot_store(sqlite, history / (stamp + ".sqlite"));
          return {fhops::step_status::ok, (history / stamp).string() + ".{csv,md,sqlite}"};
        };
      }
      steps.push_back(std::move(s));
    }

    command_step("history", "Generate the history and the latest-vs-previous delta",
                 {"telemetry", "history", "--report", "latest=" + o("tuner_report.csv"), "--history-dir", history.string(),
                  "--out-history-csv", o("history_summary.csv"), "--out-history-markdown", o("history_summary.md"),
                  "--out-history-chart", o("history_summary.html"), "--out-summary-csv", o("history_summary_latest.csv"),
                  "--out-summary-markdown", o("history_summary_latest.md"), "--out-history-delta-csv", o("history_delta.csv"),
                  "--out-history-delta-markdown", o("history_delta.md"), "--out-history-delta-html", o("history_delta.html")});
    // The analytics pages last among the reports: they read this week's store and history.
    std::vector<std::string> analytics{"analytics", "run", "--out", o("analytics"), "--keep-going", "--timeout",
                                       fmt::format("{}", vm["analytics-timeout"].as<double>()), "--seed", std::to_string(seed),
                                       "--scenarios-dir", vm["scenarios-dir"].as<std::string>()};
    if (light) analytics.push_back("--light");
    command_step("analytics", light ? "Run the analytics pages (light mode; record the duration)"
                                    : "Run the analytics pages (full mode; record the duration)",
                 analytics, {{"--telemetry-store", sqlite}, {"--history", out / "history_summary.csv"}});
    command_step("maintain", "Vacuum the store (PRAGMA optimize, VACUUM, quick_check)", {"telemetry", "maintain", sqlite.string()});
    command_step("archive", "Archive telemetry older than " + vm["archive-older-than"].as<std::string>(),
                 {"telemetry", "prune", log.string(), "--older-than", vm["archive-older-than"].as<std::string>(), "--archive-dir",
                  archive.string()});
    steps.push_back({"upload", "Upload artefacts", {}, "done by .github/workflows/weekly-telemetry.yml (artifact telemetry-report, GitHub Pages)", {}});
    steps.push_back({"badges", "Update README badges", {}, "by hand", {}});

    std::cout << fmt::format("ops weekly: week of {}, seed {} ({}), {} steps, outputs in {}\n", iso_date(monday), seed, seed_origin, steps.size(),
                             out.string());
    // The metadata.json this run's analytics step writes is the record of the mode (one written by
    // an earlier run, left in place when the step is skipped or fails early, is not).
    const fs::path metadata = out / "analytics" / "metadata.json";
    const auto written_at = [&] {
      std::error_code ec;
      const auto t = fs::last_write_time(metadata, ec);
      return ec ? std::optional<fs::file_time_type>() : std::optional<fs::file_time_type>(t);
    };
    const auto metadata_before = written_at();
    const auto results = fhops::run_checklist(steps, &std::cout);
    const auto metadata_after = written_at();
    const bool light_ran = metadata_after && metadata_after != metadata_before ? metadata_light_mode(metadata).value_or(light) : light;
    const std::string entry = fhops::checklist_markdown(
        "Week of " + iso_date(monday), results,
        fmt::format("Telemetry store `{}`; outputs in `{}`; snapshot `{}`; analytics in {} mode; seed {} ({}). Generated by `fhops ops weekly` on {}.",
                    log.string(), out.string(), stamp, light_ran ? "light" : "full", seed, seed_origin, iso_date(today)));
    fhops::write_file_atomic(out / "runbook_entry.md", entry);
    fhops::write_file_atomic(out / "ops_weekly.json", fhops::records_json(fhops::checklist_records(results)));
    std::cout << "runbook entry: " << (out / "runbook_entry.md").string() << "\n";
    if (!fhops::all_ok(results)) {
      std::cerr << "fhops ops weekly: error: one or more steps failed (see " << (out / "runbook_entry.md").string() << ")\n";
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
                                                       "Built by fhops ops pages on " + iso_date(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())),
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
