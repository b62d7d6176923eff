// Comparison, leaderboard and difficulty tables on a hand-made store (telemetry_tuning.md §7), the
// single-report summary (§6.3), and moving a store aside for a fresh start.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "../../test_support.hpp"
#include "fhops/telemetry/analysis/comparisons.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/set_aside.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace tel = fhops::telemetry;
using fhops_test::scratch;

namespace {

int counter = 0;

// A successful run: solver, scenario, objective, duration, tuner_meta and context as given.
tel::run_record scored(const std::string& solver, const std::string& scenario, double objective, double seconds,
                       tel::json::object tuner_meta, tel::json::object context) {
  tel::run_record r;
  r.run_id = "run" + std::to_string(++counter);
  r.solver = solver;
  r.scenario = scenario;
  r.metrics = {{"objective", objective}};
  r.tuner_meta = std::move(tuner_meta);
  r.context = std::move(context);
  r.started_at = r.finished_at = "2025-11-11T21:15:53+00:00";
  r.duration_seconds = seconds;
  return r;
}

tel::json::object meta(const std::string& algorithm) { return {{"algorithm", algorithm}}; }

// MiniToy (standalone): random 10 and 6, grid 10 (a tie), bayes 4 (from its source only), a MIP
// baseline at 12 (solver mip, no tuner_meta); b1:m1: ILS alone at 5.
void fill(tel::sqlite_store& store) {
  const std::string toy = "FHOPS MiniToy";
  std::vector<tel::json::object> runs;
  for (const auto& r : {scored("sa", toy, 10.0, 1.0, meta("random"), {{"source", "cli.tune-random"}}),
                        scored("sa", toy, 6.0, 3.0, meta("random"), {{"source", "cli.tune-random"}}),
                        scored("sa", toy, 10.0, 0.5, meta("grid"), {{"source", "cli.tune-grid"}}),
                        scored("sa", toy, 4.0, 0.25, {}, {{"source", "cli.tune-bayes"}}),
                        scored("mip", toy, 12.0, 9.0, {}, {{"source", "benchmark.mip"}}),
                        scored("ils", "Other", 5.0, 1.5, {{"algorithm", "ils"}, {"bundle", "b1"}, {"bundle_member", "m1"}},
                               {{"source", "benchmark.ils"}})})
    runs.push_back(tel::to_json(r));
  store.persist_runs(runs);
}

}  // namespace

TEST_CASE("comparison, leaderboard and difficulty tables have the reference's columns, order and formats", "[plan][telemetry]") {
  const auto dir = scratch("comparisons");
  tel::sqlite_store store(dir / "runs.sqlite");
  fill(store);
  const auto runs = tel::load_scored_runs(store);
  REQUIRE(runs.size() == 6);
  const auto t = tel::compare_runs(runs);

  CHECK(tel::table_csv(tel::comparison_table(t.comparison)) ==
        "scenario,bundle,algorithm,best_objective,mean_objective,mean_runtime,delta_vs_best\n"
        "b1:m1,b1,ils,5.0,5.0,1.5,0.0\n"
        "FHOPS MiniToy,standalone,bayes,4.0,4.0,0.25,-6.0\n"
        "FHOPS MiniToy,standalone,grid,10.0,10.0,0.5,0.0\n"
        "FHOPS MiniToy,standalone,random,10.0,8.0,2.0,0.0\n");
  CHECK(tel::table_markdown(tel::comparison_table(t.comparison)) ==
        "| scenario | bundle | algorithm | best_objective | mean_objective | mean_runtime | delta_vs_best |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        "| b1:m1 | b1 | ils | 5.000 | 5.000 | 1.500 | 0.000 |\n"
        "| FHOPS MiniToy | standalone | bayes | 4.000 | 4.000 | 0.250 | -6.000 |\n"
        "| FHOPS MiniToy | standalone | grid | 10.000 | 10.000 | 0.500 | 0.000 |\n"
        "| FHOPS MiniToy | standalone | random | 10.000 | 8.000 | 2.000 | 0.000 |");

  // ties give several winners; scenarios counts every scenario; win rate desc, then name
  CHECK(tel::table_csv(tel::leaderboard_table(t.leaderboard)) ==
        "algorithm,wins,scenarios,win_rate,avg_best_objective,avg_mean_objective,avg_runtime,avg_delta_vs_best\n"
        "grid,1,2,0.5,10.0,10.0,0.5,0.0\n"
        "ils,1,2,0.5,5.0,5.0,1.5,0.0\n"
        "random,1,2,0.5,10.0,8.0,2.0,0.0\n"
        "bayes,0,2,0.0,4.0,4.0,0.25,-6.0\n");

  // one algorithm: no second-best delta; the MIP run is the reference (quirk 6 fixed), not a competitor
  CHECK(tel::table_csv(tel::difficulty_table(t.difficulty)) ==
        "scenario,bundle,best_algorithm,best_objective,second_best_delta,mip_objective,mip_gap,algorithms_evaluated\n"
        "b1:m1,b1,ils,5.0,,,,1\n"
        "FHOPS MiniToy,standalone,grid,10.0,0.0,12.0,2.0,3\n");
  CHECK(tel::table_markdown(tel::difficulty_table(t.difficulty)) ==
        "| scenario | bundle | best_algorithm | best_objective | second_best_delta | mip_objective | mip_gap | algorithms_evaluated |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| b1:m1 | b1 | ils | 5.000 |  |  |  | 1 |\n"
        "| FHOPS MiniToy | standalone | grid | 10.000 | 0.000 | 12.000 | 2.000 | 3 |");

  // an empty store: headers in CSV, *(no data)* in Markdown
  const auto empty = tel::compare_runs({});
  CHECK(tel::table_markdown(tel::leaderboard_table(empty.leaderboard)) == "*(no data)*");
  CHECK(tel::table_csv(tel::difficulty_table(empty.difficulty)) ==
        "scenario,bundle,best_algorithm,best_objective,second_best_delta,mip_objective,mip_gap,algorithms_evaluated\n");
  CHECK(tel::sanitise_bundle_name("my bundle/a:b") == "my_bundle_a_b");
}

TEST_CASE("a fresh start moves the old store aside with a UTC stamp; it stays readable", "[plan][telemetry]") {
  const auto dir = scratch("set_aside");
  const auto log = dir / "telemetry" / "runs.jsonl";
  tel::append_jsonl(log, "{\"a\":1}\n");
  {
    tel::sqlite_store store(tel::sqlite_path_for(log));
    fill(store);
  }
  fhops_test::write(dir / "telemetry" / "steps" / "x.jsonl", "{}\n");
  const auto when = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14T22:13:20Z
  const auto moved = tel::set_aside_store(log, when);
  REQUIRE(moved);
  CHECK(*moved == dir / "telemetry" / "runs.20231114T221320Z");
  CHECK_FALSE(std::filesystem::exists(log));
  CHECK_FALSE(std::filesystem::exists(tel::sqlite_path_for(log)));
  CHECK_FALSE(std::filesystem::exists(dir / "telemetry" / "steps"));
  CHECK(fhops_test::slurp(*moved / "runs.jsonl") == "{\"a\":1}\n");
  CHECK(std::filesystem::exists(*moved / "steps" / "x.jsonl"));
  SQLite::Database db((*moved / "runs.sqlite").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM runs").getInt() == 6);
  // nothing to move: nothing happens; the same second twice gets a -2 folder
  CHECK_FALSE(tel::set_aside_store(log, when));
  tel::append_jsonl(log, "{\"b\":2}\n");
  CHECK(*tel::set_aside_store(log, when) == dir / "telemetry" / "runs.20231114T221320Z-2");
}
