// fhops tuning-plan run end to end, with tiny budgets on the demo scenario.
#include "../test_support.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include <SQLiteCpp/SQLiteCpp.h>
#include <simdjson.h>

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;

// All five tuners, one tier, the smallest budgets.
const std::string tiny =
    " --tier short --tuner random --tuner grid --tuner bayes --tuner ils --tuner tabu"
    " --random-runs 2 --random-iters 20 --grid-iters 20 --grid-batch-size 1 --grid-preset balanced --grid-preset runs"
    " --bayes-trials 2 --bayes-iters 20 --ils-runs 2 --ils-iters 10 --tabu-runs 2 --tabu-iters 20";

std::string plan_cmd(const std::filesystem::path& out, const std::string& extra = "") {
  return driver() + " tuning-plan run --scenario " + demo() + tiny + " --out-dir " + out.string() + extra;
}

// (source, seed, objective) of each run record in log order.
std::vector<std::tuple<std::string, long long, double>> runs_of(const std::filesystem::path& log) {
  std::vector<std::tuple<std::string, long long, double>> out;
  simdjson::dom::parser parser;
  std::istringstream in(fhops_test::slurp(log));
  std::string line;
  while (std::getline(in, line)) {
    simdjson::dom::object o;
    REQUIRE_FALSE(parser.parse(line).get(o));
    if (std::string_view(o["record_type"]) != "run") continue;
    out.emplace_back(std::string(std::string_view(o["context"]["source"])), int64_t(o["seed"]), double(o["metrics"]["objective"]));
  }
  return out;
}

int count_runs(const std::filesystem::path& sqlite) {
  SQLite::Database db(sqlite.string(), SQLite::OPEN_READONLY);
  return db.execAndGet("SELECT COUNT(*) FROM runs").getInt();
}

}  // namespace

TEST_CASE("tuning-plan run records all five tuners in one store and writes the reports", "[plan][driver]") {
  const auto out = fhops_test::scratch("plan_run");
  const auto r = run(plan_cmd(out, " --verbose"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("[tier:short] random(runs=2, iters=20) grid(iters=20, batches=[1], presets=['balanced', 'runs']) "
                   "bayes(trials=2, iters=20) ils(runs=2, iters=10) tabu(runs=2, iters=20)\n") != std::string::npos);
  CHECK(r.out.find("[tier:short] tabu Demo Valley") != std::string::npos);  // a progress line per tuner and scenario
  const auto log = out / "telemetry/runs.jsonl";
  std::map<std::string, int> by_source;
  for (const auto& [source, seed, objective] : runs_of(log)) ++by_source[source];
  CHECK(by_source == std::map<std::string, int>{{"cli.tune-random", 2}, {"cli.tune-grid", 2}, {"cli.tune-bayes", 2},
                                                {"benchmark.ils", 2}, {"benchmark.tabu", 2}});
  SQLite::Database db((out / "telemetry/runs.sqlite").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM runs WHERE json_extract(context_json, '$.tier') = 'short'").getInt() == 10);
  CHECK(db.execAndGet("SELECT group_concat(a) FROM (SELECT DISTINCT json_extract(tuner_meta_json, '$.algorithm') a FROM runs ORDER BY a)")
            .getString() == "bayes,grid,ils,random,tabu");
  // the ILS seed counter (321, 322) and the runner's context and tuner_meta
  CHECK(db.execAndGet("SELECT group_concat(seed) FROM (SELECT seed FROM runs WHERE solver = 'ils' ORDER BY seed)").getString() == "321,322");
  CHECK(db.execAndGet("SELECT json_extract(context_json, '$.run_seed') || ',' || json_extract(context_json, '$.scenario_label') || ',' ||"
                      " json_extract(tuner_meta_json, '$.budget.runs_total') FROM runs WHERE solver = 'tabu' AND seed = 556")
            .getString() == "556,Demo Valley,2");
  // summaries: random and grid one each, bayes one per scenario
  CHECK(db.execAndGet("SELECT COUNT(*) FROM tuner_summaries").getInt() == 3);
  for (const char* f : {"tuner_report.csv", "tuner_report.md", "tuner_summary.csv", "tuner_summary.md", "tuner_comparison.csv",
                        "tuner_comparison.md", "tuner_leaderboard.csv", "tuner_leaderboard.md", "tuner_difficulty.csv", "tuner_difficulty.md",
                        "tuner_leaderboard_standalone.csv", "tuner_difficulty_standalone.md"})
    CHECK(std::filesystem::exists(out / f));
  const std::string board = fhops_test::slurp(out / "tuner_leaderboard.csv");
  for (const char* a : {"\nrandom,", "\ngrid,", "\nbayes,", "\nils,", "\ntabu,"}) CHECK(board.find(a) != std::string::npos);
  CHECK(fhops_test::slurp(out / "tuner_summary.md").rfind("| Scenario | Best Algo (current) | Best Obj (current) |\n", 0) == 0);
  CHECK(fhops_test::slurp(out / "tuner_report.csv").find("\r\nils,Demo Valley,2,") != std::string::npos);
}

TEST_CASE("tuning-plan run --jobs 2 gives the same runs as --jobs 1", "[plan][driver]") {
  const auto a = fhops_test::scratch("plan_jobs1"), b = fhops_test::scratch("plan_jobs2");
  REQUIRE(run(plan_cmd(a, " --jobs 1")).exit_code == 0);
  const auto r = run(plan_cmd(b, " --max-workers 2"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto one = runs_of(a / "telemetry/runs.jsonl"), two = runs_of(b / "telemetry/runs.jsonl");
  CHECK(one.size() == 10);
  CHECK(one == two);
  CHECK(run(plan_cmd(b, " --jobs 2 --max-workers 3")).exit_code == 2);
}

TEST_CASE("tuning-plan run starts fresh by moving the old store aside; --append keeps it", "[plan][driver]") {
  const auto out = fhops_test::scratch("plan_fresh");
  const std::string small = " --tuner ils --tuner random --random-runs 1 --random-iters 10 --ils-runs 1 --ils-iters 10";
  const std::string cmd = driver() + " tuning-plan run --scenario " + demo() + small + " --out-dir " + out.string();
  REQUIRE(run(cmd).exit_code == 0);
  CHECK(count_runs(out / "telemetry/runs.sqlite") == 2);
  const auto again = run(cmd + " --append");
  REQUIRE(again.exit_code == 0);
  CHECK(count_runs(out / "telemetry/runs.sqlite") == 4);
  const auto fresh = run(cmd);
  INFO(fresh.out);
  REQUIRE(fresh.exit_code == 0);
  CHECK(fresh.out.find("Previous telemetry store moved to " + (out / "telemetry").string() + "/runs.") != std::string::npos);
  CHECK(count_runs(out / "telemetry/runs.sqlite") == 2);
  std::filesystem::path old;
  for (const auto& e : std::filesystem::directory_iterator(out / "telemetry"))
    if (e.is_directory() && e.path().filename().string().rfind("runs.", 0) == 0) old = e.path();
  REQUIRE_FALSE(old.empty());
  CHECK(count_runs(old / "runs.sqlite") == 4);
  CHECK(runs_of(old / "runs.jsonl").size() == 4);
  CHECK(std::filesystem::is_directory(old / "steps"));
}

TEST_CASE("tuning-plan run usage errors exit 2 with one line; a missing scenario exits 1 naming it", "[plan][driver]") {
  const auto out = fhops_test::scratch("plan_errors");
  const std::string base = driver() + " tuning-plan run --out-dir " + out.string() + " --scenario " + demo();
  const auto plan = run(base + " --plan nightly");
  CHECK(plan.exit_code == 2);
  CHECK(plan.out.find("unknown plan 'nightly' (expected baseline-smoke, synthetic-smoke or full-spectrum)") != std::string::npos);
  const auto tuner = run(base + " --tuner lns");
  CHECK(tuner.exit_code == 2);
  CHECK(tuner.out.find("unknown tuner 'lns'") != std::string::npos);
  CHECK(run(base + " --tier huge").exit_code == 2);
  CHECK(run(base + " --grid-preset nope").exit_code == 2);
  CHECK(run(base + " --random-runs 0").exit_code == 2);
  const auto option = run(base + " --frobnicate");
  CHECK(option.exit_code == 2);
  CHECK(option.out.find("frobnicate") != std::string::npos);
  CHECK(run(driver() + " tuning-plan walk").exit_code == 2);
  const auto missing = run(driver() + " tuning-plan run --out-dir " + out.string() + " --scenario /nonexistent/scenario.yaml");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("/nonexistent/scenario.yaml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out / "telemetry"));  // nothing was started
}

TEST_CASE("tuning-plan run --resume: a lost unit is reported, the resumed run completes the plan as an uninterrupted run", "[plan][driver]") {
  const auto plain = fhops_test::scratch("plan_resume_plain"), out = fhops_test::scratch("plan_resume");
  REQUIRE(run(plan_cmd(plain)).exit_code == 0);
  const auto failed = run("FHOPS_TEST_FAIL_UNIT=3 " + plan_cmd(out, " --resume"));  // --resume on an empty store: tracked from the start
  CHECK(failed.exit_code == 1);
  CHECK(failed.out.find("1 work unit(s) lost: 3") != std::string::npos);
  CHECK(runs_of(out / "telemetry/runs.jsonl").size() == 8);
  CHECK_FALSE(std::filesystem::exists(out / "tuner_summary.csv"));
  CHECK(run(plan_cmd(out, " --resume --ils-iters 11")).exit_code == 2);  // another plan
  const auto resumed = run(plan_cmd(out, " --resume"));
  INFO(resumed.out);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.out.find("4 unit(s) already recorded by this plan: not re-run (--resume).") != std::string::npos);
  CHECK(resumed.out.find("tuning-plan run --resume: running the 1 work unit(s) missing from the store: 3\n") != std::string::npos);
  auto a = runs_of(plain / "telemetry/runs.jsonl"), b = runs_of(out / "telemetry/runs.jsonl");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  CHECK(count_runs(out / "telemetry/runs.sqlite") == 10);
  CHECK(fhops_test::slurp(out / "tuner_summary.csv") == fhops_test::slurp(plain / "tuner_summary.csv"));
  SQLite::Database db((out / "telemetry/runs.sqlite").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM tuner_summaries").getInt() == 3);
}
