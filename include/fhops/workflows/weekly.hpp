/// \file
/// The ops runbook's weekly run (`fhops ops weekly`, docs/howto/telemetry_ops.md): the week and
/// its seed, the template's boxes as a checklist of command lines (tuning, report, snapshot,
/// history, analytics, maintain, archive, and the two boxes done elsewhere), run in order through
/// the caller's command runner; a failed step is reported and the rest still run. The filled-in
/// runbook entry ("Week of YYYY-MM-DD") is written as Markdown next to a JSON record of the
/// steps. Nothing here starts a program: the caller runs each command line (the driver runs its
/// own commands in-process) and checks the outputs before (`weekly_outputs`).
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/calendar.hpp"
#include "fhops/util/flat_records.hpp"
#include "fhops/util/input_file.hpp"
#include "fhops/workflows/checklist.hpp"

namespace fhops::harvest {

/// "YYYY-MM-DD" → the date; anything else throws std::invalid_argument naming --date.
inline std::chrono::sys_days parse_iso_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char a = 0, b = 0;
  std::istringstream in(text);
  in >> y >> a >> m >> b >> d;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!in || a != '-' || b != '-' || !in.eof() || !ymd.ok()) throw std::invalid_argument("--date must be YYYY-MM-DD (got '" + text + "')");
  return std::chrono::sys_days{ymd};
}

/// The default seed of a week's runs: ISO year * 100 + ISO week (2026-W48 -> 202648), so each
/// week draws new configurations and a rerun of the same week repeats them.
inline long long week_seed(std::chrono::sys_days day) {
  const auto [y, w] = iso_week(day);
  return static_cast<long long>(y) * 100 + w;
}

/// The snapshot name of the runbook's history folder: UTC time as 2026-11-23T031500Z.
inline std::string snapshot_stamp(std::chrono::system_clock::time_point t) {
  const std::tm tm = telemetry::utc_fields(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/// A command line as shown in the runbook entry: "fhops" and the arguments, quoted where a shell
/// would need it.
inline std::string command_line_text(const std::vector<std::string>& args) {
  std::string out = "fhops";
  for (const auto& a : args) out += " " + (a.find_first_of(" \t'\"$") == std::string::npos ? a : "'" + a + "'");
  return out;
}

/// The steps a weekly run can skip, in the order --skip's message lists them.
inline const std::vector<std::string>& weekly_step_names() {
  static const std::vector<std::string> names{"analytics", "tuning", "report", "snapshot", "history", "maintain", "archive"};
  return names;
}

/// Throws std::invalid_argument naming --skip unless every name is a weekly step.
inline void check_weekly_skip(const std::vector<std::string>& skip) {
  const auto& known = weekly_step_names();
  for (const auto& s : skip)
    if (std::find(known.begin(), known.end(), s) == known.end())
      throw std::invalid_argument("--skip must name a step: analytics, tuning, report, snapshot, history, maintain or archive (got '" + s + "')");
}

/// What a weekly run does, where.
struct weekly_request {
  std::filesystem::path out;      ///< this week's outputs (analytics/, reports, history, runbook entry)
  std::filesystem::path log;      ///< the telemetry store to extend, report on and maintain (its SQLite mirror beside it)
  std::filesystem::path history;  ///< weekly snapshots (<stamp>.csv/.md/.sqlite)
  std::filesystem::path archive;  ///< where telemetry older than `archive_older_than` goes
  bool light = false;             ///< analytics in light mode
  std::chrono::sys_days today{};  ///< the entry's date; the entry is for its week (Monday)
  std::chrono::system_clock::time_point now{};  ///< the snapshot's time
  std::optional<long long> seed;  ///< the tuning's and the analytics pages' seed (default: week_seed(today))
  std::vector<std::string> bundles{"synthetic"};
  std::optional<std::string> bundle_dir;
  int trials = 6;
  int iters = 250;
  std::string archive_older_than = "28d";
  double analytics_timeout = 900.0;
  std::string scenarios_dir = "examples/scenarios";
  std::vector<std::string> skip;  ///< weekly_step_names to skip
};

/// The files a weekly run writes in `rq.out` (besides analytics/), for the caller's check that no
/// output is one of the inputs.
inline std::vector<std::string> weekly_outputs() {
  return {"runbook_entry.md", "ops_weekly.json", "tuner_report.csv", "tuner_report.md", "tuner_report.html",
          "history_summary.csv", "history_summary.md", "history_summary.html", "history_summary_latest.csv",
          "history_summary_latest.md", "history_delta.csv", "history_delta.md", "history_delta.html"};
}

/// Runs a command line (the arguments after "fhops") as a step.
using command_runner = std::function<step_outcome(const std::vector<std::string>&)>;

/// A weekly run's results: every step's, and where the runbook entry went.
struct weekly_result {
  std::vector<step_result> steps;
  std::filesystem::path entry;
  bool ok = false;  ///< every step ok (or manual, or skipped)
};

namespace detail {

/// `light_mode` of an analytics run's metadata.json, when the file is there and says.
inline std::optional<bool> metadata_light_mode(const std::filesystem::path& metadata) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(metadata, ec)) return std::nullopt;
  try {
    const auto doc = telemetry::json_parser().parse(read_text_file(metadata));
    const auto* v = doc && doc->is_object() ? doc->find("light_mode") : nullptr;
    if (v && v->is_bool()) return std::get<bool>(v->value);
  } catch (const std::exception&) {  // unreadable: the mode the step was run in serves
  }
  return std::nullopt;
}

}  // namespace detail

/// The weekly run: creates `rq.out`, prints a heading line and each step's line to `console`
/// (when given), runs the steps, and writes runbook_entry.md and ops_weekly.json into `rq.out`.
inline weekly_result run_weekly(const weekly_request& rq, const command_runner& run, std::ostream* console) {
  namespace fs = std::filesystem;
  const fs::path& out = rq.out;
  const fs::path& log = rq.log;
  const fs::path& history = rq.history;
  const fs::path sqlite = telemetry::sqlite_path_for(log);
  const std::chrono::sys_days monday = rq.today - std::chrono::days{(std::chrono::weekday{rq.today}.iso_encoding() - 1)};
  const auto [week_year, week_number] = iso_week(rq.today);
  const long long seed = rq.seed ? *rq.seed : week_seed(rq.today);
  const std::string seed_origin = rq.seed ? std::string("--seed") : fmt::format("ISO week {}-W{:02}", week_year, week_number);
  const auto skipped = [&](const std::string& name) { return std::find(rq.skip.begin(), rq.skip.end(), name) != rq.skip.end(); };
  fs::create_directories(out);

  // Snapshot names sort by time; a second run within the same second gets "-2", "-3", ...
  std::string stamp = snapshot_stamp(rq.now);
  for (int k = 2; fs::exists(history / (stamp + ".csv")) || fs::exists(history / (stamp + ".sqlite")); ++k)
    stamp = snapshot_stamp(rq.now) + "-" + std::to_string(k);
  const auto o = [&](const char* name) { return (out / name).string(); };
  std::vector<checklist_step> steps;
  // A step running an fhops command; `inputs` (option, path) are added when the path exists by
  // the time the step runs (outputs of earlier steps).
  const auto command_step = [&](std::string name, std::string box, std::vector<std::string> args,
                                std::vector<std::pair<std::string, fs::path>> inputs = {}) {
    std::string shown = command_line_text(args);
    for (const auto& [option, path] : inputs) shown += " [" + option + " " + path.string() + "]";
    checklist_step s{std::move(name), std::move(box), {}, {}, shown};
    if (skipped(s.name)) {
      s.note = "skipped (--skip)";
      s.command.clear();
    } else {
      s.body = [args, inputs, &run] {
        auto a = args;
        for (const auto& [option, path] : inputs)
          if (fs::exists(path)) a.insert(a.end(), {option, path.string()});
        return run(a);
      };
    }
    steps.push_back(std::move(s));
  };

  std::vector<std::string> tuning{"tune-bayes"};
  for (const auto& b : rq.bundles) tuning.insert(tuning.end(), {"--bundle", b});
  if (rq.bundle_dir) tuning.insert(tuning.end(), {"--bundle-dir", *rq.bundle_dir});
  tuning.insert(tuning.end(), {"--trials", std::to_string(rq.trials), "--iters", std::to_string(rq.iters), "--seed", std::to_string(seed),
                               "--telemetry-log", log.string(), "--tier-label", "weekly"});
  command_step("tuning", "Run the extended tuning bundles", tuning);

  command_step("report", "Generate the telemetry report",
               {"telemetry", "report", sqlite.string(), "--out-csv", o("tuner_report.csv"), "--out-markdown", o("tuner_report.md"),
                "--out-html", o("tuner_report.html")});

  {  // snapshot: the report and a compact copy of the store, named by the UTC time
    checklist_step s{"snapshot", "Archive this week's history snapshot", {}, {},
                     fmt::format("copy tuner_report.csv/.md and VACUUM INTO the store -> {}/{}.{{csv,md,sqlite}}", history.string(), stamp)};
    if (skipped(s.name)) {
      s.note = "skipped (--skip)";
      s.command.clear();
    } else {
      s.body = [&, stamp]() -> step_outcome {
        if (!fs::is_regular_file(out / "tuner_report.csv"))
          return {step_status::failed, "no " + o("tuner_report.csv") + " (the report step did not write it)"};
        fs::create_directories(history);
        for (const char* ext : {".csv", ".md"}) {
          const fs::path from = out / (std::string("tuner_report") + ext);
          if (fs::is_regular_file(from)) write_file_atomic(history / (stamp + ext), read_text_file(from));
        }
        telemetry::snapshot_store(sqlite, history / (stamp + ".sqlite"));
        return {step_status::ok, (history / stamp).string() + ".{csv,md,sqlite}"};
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
                                     fmt::format("{}", rq.analytics_timeout), "--seed", std::to_string(seed),
                                     "--scenarios-dir", rq.scenarios_dir};
  if (rq.light) analytics.push_back("--light");
  command_step("analytics", rq.light ? "Run the analytics pages (light mode; record the duration)"
                                     : "Run the analytics pages (full mode; record the duration)",
               analytics, {{"--telemetry-store", sqlite}, {"--history", out / "history_summary.csv"}});
  command_step("maintain", "Vacuum the store (PRAGMA optimize, VACUUM, quick_check)", {"telemetry", "maintain", sqlite.string()});
  command_step("archive", "Archive telemetry older than " + rq.archive_older_than,
               {"telemetry", "prune", log.string(), "--older-than", rq.archive_older_than, "--archive-dir", rq.archive.string()});
  steps.push_back({"upload", "Upload artefacts", {}, "done by .github/workflows/weekly-telemetry.yml (artifact telemetry-report, GitHub Pages)", {}});
  steps.push_back({"badges", "Update README badges", {}, "by hand", {}});

  if (console)
    *console << fmt::format("ops weekly: week of {}, seed {} ({}), {} steps, outputs in {}\n", iso_date(monday), seed, seed_origin,
                            steps.size(), out.string());
  // The metadata.json this run's analytics step writes is the record of the mode (one written by
  // an earlier run, left in place when the step is skipped or fails early, is not).
  const fs::path metadata = out / "analytics" / "metadata.json";
  const auto written_at = [&] {
    std::error_code ec;
    const auto t = fs::last_write_time(metadata, ec);
    return ec ? std::optional<fs::file_time_type>() : std::optional<fs::file_time_type>(t);
  };
  const auto metadata_before = written_at();
  weekly_result result;
  result.steps = run_checklist(steps, console);
  const auto metadata_after = written_at();
  const bool light_ran =
      metadata_after && metadata_after != metadata_before ? detail::metadata_light_mode(metadata).value_or(rq.light) : rq.light;
  const std::string entry = checklist_markdown(
      "Week of " + iso_date(monday), result.steps,
      fmt::format("Telemetry store `{}`; outputs in `{}`; snapshot `{}`; analytics in {} mode; seed {} ({}). Generated by `fhops ops weekly` on {}.",
                  log.string(), out.string(), stamp, light_ran ? "light" : "full", seed, seed_origin, iso_date(rq.today)));
  result.entry = out / "runbook_entry.md";
  write_file_atomic(result.entry, entry);
  write_file_atomic(out / "ops_weekly.json", records_json(checklist_records(result.steps)));
  result.ok = all_ok(result.steps);
  return result;
}

}  // namespace fhops::harvest
