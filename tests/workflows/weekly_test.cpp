// fhops/workflows/weekly.hpp: the weekly run without the driver — its calendar (the week, its
// seed, the date and --skip checks), the command lines its steps hand to the runner, and the
// runbook entry and JSON record it writes, a failed step included.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "fhops/workflows/checklist.hpp"
#include "fhops/workflows/weekly.hpp"

namespace {

namespace fh = fhops::harvest;
namespace fs = std::filesystem;
using fhops_test::slurp;

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

TEST_CASE("weekly calendar: ISO weeks and seeds, the date and --skip checked with one line", "[weekly]") {
  using std::chrono::sys_days;
  const sys_days sunday = fh::parse_iso_date("2026-12-06");
  CHECK(fhops::iso_date(sunday) == "2026-12-06");
  CHECK(fhops::iso_week(sunday) == std::pair<int, unsigned>{2026, 49});
  CHECK(fh::week_seed(sunday) == 202649);
  CHECK(fhops::iso_week(fh::parse_iso_date("2027-01-01")) == std::pair<int, unsigned>{2026, 53});  // a Friday: the week of 2026's last Thursday
  CHECK(fhops::iso_week(fh::parse_iso_date("2024-12-30")) == std::pair<int, unsigned>{2025, 1});   // a Monday whose Thursday is in 2025
  for (const std::string bad : {"2026-02-30", "2026/12/06", "2026-12-06x", "yesterday"}) {
    CAPTURE(bad);
    try {
      fh::parse_iso_date(bad);
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()) == "--date must be YYYY-MM-DD (got '" + bad + "')");
    }
  }
  CHECK_NOTHROW(fh::check_weekly_skip({"tuning", "archive"}));
  CHECK_THROWS_WITH(fh::check_weekly_skip({"report", "upload"}),
                    "--skip must name a step: analytics, tuning, report, snapshot, history, maintain or archive (got 'upload')");
  CHECK(fh::command_line_text({"telemetry", "report", "a b.sqlite", "--x", "it's"}) == "fhops telemetry report 'a b.sqlite' --x 'it's'");
  CHECK(fh::snapshot_stamp(std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{3} + std::chrono::minutes{15}) ==
        "2026-11-23T031500Z");
}

TEST_CASE("weekly run: each step's command line goes to the runner in order, a failed step is recorded and the rest still run",
          "[weekly]") {
  const fs::path dir = fhops_test::scratch("weekly_run");
  fh::weekly_request rq;
  rq.out = dir / "week";
  rq.log = dir / "telemetry" / "runs.jsonl";
  rq.history = dir / "telemetry" / "history";
  rq.archive = dir / "telemetry" / "archive";
  rq.light = true;
  rq.today = fh::parse_iso_date("2026-12-06");
  rq.now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 6} + std::chrono::hours{9};
  rq.bundles = {"demo"};
  rq.trials = 2;
  rq.iters = 20;
  rq.skip = {"snapshot"};

  std::vector<std::string> ran;
  const auto runner = [&](const std::vector<std::string>& args) -> fhops::step_outcome {
    ran.push_back(joined(args));
    if (args[0] == "telemetry" && args[1] == "history") fhops_test::write(rq.out / "history_summary.csv", "x\n");  // an earlier step's output
    if (args[0] == "telemetry" && args[1] == "maintain") return {fhops::step_status::failed, "exit 1: locked"};
    return {};
  };
  std::ostringstream console;
  const auto result = fh::run_weekly(rq, runner, &console);

  const std::string sqlite = (dir / "telemetry" / "runs.sqlite").string();
  REQUIRE(ran.size() == 6);  // tuning, report, history, analytics, maintain, archive: the snapshot is skipped
  CHECK(ran[0] == "tune-bayes --bundle demo --trials 2 --iters 20 --seed 202649 --telemetry-log " + rq.log.string() + " --tier-label weekly");
  CHECK(ran[1].rfind("telemetry report " + sqlite + " --out-csv " + (rq.out / "tuner_report.csv").string(), 0) == 0);
  CHECK(ran[2].rfind("telemetry history --report latest=" + (rq.out / "tuner_report.csv").string(), 0) == 0);
  // The analytics pages get the store only when it exists, the history written by the step before.
  CHECK(ran[3] == "analytics run --out " + (rq.out / "analytics").string() + " --keep-going --timeout 900 --seed 202649 --scenarios-dir "
                      "examples/scenarios --light --history " + (rq.out / "history_summary.csv").string());
  CHECK(ran[4] == "telemetry maintain " + sqlite);
  CHECK(ran[5] == "telemetry prune " + rq.log.string() + " --older-than 28d --archive-dir " + rq.archive.string());

  CHECK_FALSE(result.ok);
  const auto step = [&](const std::string& name) {
    const auto it = std::find_if(result.steps.begin(), result.steps.end(), [&](const auto& s) { return s.name == name; });
    REQUIRE(it != result.steps.end());
    return *it;
  };
  const auto status_of = [&](const std::string& name) { return step(name).status; };
  CHECK(status_of("tuning") == fhops::step_status::ok);
  CHECK(status_of("snapshot") == fhops::step_status::manual);  // not run: listed with its note
  CHECK(step("snapshot").message == "skipped (--skip)");
  CHECK(status_of("maintain") == fhops::step_status::failed);
  CHECK(status_of("archive") == fhops::step_status::ok);  // after the failure
  CHECK(status_of("upload") == fhops::step_status::manual);

  CHECK(console.str().rfind("ops weekly: week of 2026-11-30, seed 202649 (ISO week 2026-W49), 9 steps, outputs in " + rq.out.string() + "\n", 0) == 0);
  REQUIRE(result.entry == rq.out / "runbook_entry.md");
  const std::string entry = slurp(result.entry);
  CHECK(entry.find("Week of 2026-11-30") != std::string::npos);
  CHECK(entry.find("exit 1: locked") != std::string::npos);
  CHECK(entry.find("analytics in light mode; seed 202649 (ISO week 2026-W49)") != std::string::npos);
  CHECK(entry.find("snapshot `2026-12-06T090000Z`") != std::string::npos);
  const std::string record = slurp(rq.out / "ops_weekly.json");
  CHECK(record.find("\"maintain\"") != std::string::npos);
  CHECK(record.find("\"failed\"") != std::string::npos);

  // A given seed wins over the week's.
  rq.seed = 7;
  rq.skip = {"report", "snapshot", "history", "analytics", "maintain", "archive"};
  ran.clear();
  const auto seeded = fh::run_weekly(rq, runner, nullptr);
  CHECK(seeded.ok);
  REQUIRE(ran.size() == 1);
  CHECK(ran[0].find("--seed 7 ") != std::string::npos);
  CHECK(slurp(rq.out / "runbook_entry.md").find("seed 7 (--seed)") != std::string::npos);
}
