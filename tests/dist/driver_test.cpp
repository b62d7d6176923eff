// The driver under mpirun on localhost (ctest dist_driver; launches mpirun itself): the same
// results and the same record set as the single-process run whatever the rank count, one record
// per unit, lost units reported, --resume running only the missing units.
#include "../test_support.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"

namespace {

namespace tel = fhops::telemetry;
using fhops_test::driver;
using fhops_test::run;

// mpirun -np N fhops; `env` (NAME=value) is set for every rank.
std::string mpirun(int np, const std::string& env = "") {
  const std::string export_env = env.empty() ? "" : " -x " + env.substr(0, env.find('='));
  return env + " " + std::string(FHOPS_MPIEXEC) + " " + FHOPS_MPIEXEC_FLAGS + export_env + " -np " + std::to_string(np) + " " + driver();
}

// What must be identical between runs: per run record its seed, status, objective and
// configuration (sorted: the coordinator writes in completion order). Run ids and times differ.
struct store {
  std::vector<std::string> keys;
  std::multiset<long long> units;  // context.work_unit of each record that has one
  std::size_t runs = 0, summaries = 0, sqlite_runs = 0;
};

store read_store(const std::filesystem::path& log) {
  store s;
  tel::read_jsonl(log.string(), [&](const auto&, tel::json&& v) {
    const auto& o = v.as_object();
    const std::string* type = tel::find_string(o, "record_type");
    if (!type || *type != "run") {  // tuner summaries; the multi-start summary line
      s.summaries += type && *type == "tuner_summary";
      return;
    }
    ++s.runs;
    const auto& ctx = tel::find(o, "context")->as_object();
    if (const auto* u = tel::find(ctx, "work_unit")) s.units.insert(std::get<long long>(u->value));
    const auto* metrics = tel::find(o, "metrics");
    const auto* objective = metrics ? tel::find(metrics->as_object(), "objective") : nullptr;
    const auto* meta = tel::find(o, "tuner_meta");
    const auto* config = meta && meta->is_object() ? tel::find(meta->as_object(), "config") : nullptr;
    s.keys.push_back(tel::dump(*tel::find(o, "seed")) + " " + *tel::find_string(o, "status") + " " +
                     (objective ? tel::dump(*objective) : "-") + " " + (config ? tel::dump(*config) : "-"));
  });
  std::sort(s.keys.begin(), s.keys.end());
  SQLite::Database db(tel::sqlite_path_for(log).string());
  s.sqlite_runs = static_cast<std::size_t>(db.execAndGet("SELECT COUNT(*) FROM runs").getInt64());
  return s;
}

// The console output with the run's folder replaced, so runs in different folders compare.
std::string normalised(std::string out, const std::filesystem::path& dir) {
  const std::string d = dir.string();
  for (auto p = out.find(d); p != std::string::npos; p = out.find(d, p)) out.replace(p, d.size(), "DIR");
  return out;
}

struct outcome {
  int exit_code;
  std::string out;
  store records;
};

outcome run_in(const std::filesystem::path& dir, const std::string& launcher, const std::string& args, bool merge_stderr = false) {
  std::filesystem::create_directories(dir);
  const auto r = run("cd " + dir.string() + " && " + launcher + " " + args + " --telemetry-log " + (dir / "runs.jsonl").string(), merge_stderr);
  return {r.exit_code, normalised(r.out, dir), read_store(dir / "runs.jsonl")};
}

std::set<long long> all_units(std::size_t n) {
  std::set<long long> s;
  for (std::size_t i = 0; i < n; ++i) s.insert(static_cast<long long>(i));
  return s;
}

}  // namespace

TEST_CASE("tune-random and tune-grid under mpirun: single-process results and records for np 1, 2, 4", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_tune");
  const std::string demo = fhops_test::demo();
  for (const auto& [args, units] : std::vector<std::pair<std::string, std::size_t>>{
           {"tune-random " + demo + " --runs 6 --iters 150", 6},
           {"tune-grid " + demo + " --iters 150 --preset balanced --preset explore --batch-size 1 --batch-size 2", 4}}) {
    const outcome plain = run_in(base / "plain", driver(), args);
    REQUIRE(plain.exit_code == 0);
    REQUIRE(plain.records.runs == units);
    CHECK(plain.records.units.empty());  // a plain run is not a work-unit run
    for (const int np : {1, 2, 4}) {
      if (np != 4 && args.rfind("tune-grid", 0) == 0) continue;  // grid: np 4 only (time)
      INFO(args << " with np " << np);
      const auto dir = base / ("np" + std::to_string(np));
      const outcome o = run_in(dir, mpirun(np), args);
      REQUIRE(o.exit_code == 0);
      CHECK(o.out == plain.out);
      CHECK(o.records.keys == plain.records.keys);
      CHECK(o.records.summaries == plain.records.summaries);
      CHECK(o.records.sqlite_runs == units);
      // one record per unit, no duplicates
      CHECK(std::set<long long>(o.records.units.begin(), o.records.units.end()) == all_units(units));
      CHECK(o.records.units.size() == units);
      std::filesystem::remove_all(dir);
    }
    std::filesystem::remove_all(base / "plain");
  }
}

TEST_CASE("tune-bayes under mpirun -np 1 and 2 equals the single-process run", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_bayes");
  const std::string args = "tune-bayes " + fhops_test::demo() + " --trials 12 --iters 100";
  const outcome plain = run_in(base / "plain", driver(), args);
  REQUIRE(plain.exit_code == 0);
  for (const int np : {1, 2}) {
    INFO("np " << np);
    const auto dir = base / ("np" + std::to_string(np));
    const outcome o = run_in(dir, mpirun(np), args);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out == plain.out);
    CHECK(o.records.keys == plain.records.keys);
    CHECK(o.records.units.size() == 12);
  }
}

TEST_CASE("a unit that throws is lost, the others are recorded; --resume runs only the lost one", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_lost");
  const std::string args = "tune-random " + fhops_test::demo() + " --runs 5 --iters 150";
  const outcome plain = run_in(base / "plain", driver(), args);
  REQUIRE(plain.exit_code == 0);
  const auto failed = run_in(base / "mpi", mpirun(3, "FHOPS_TEST_FAIL_UNIT=2"), args);
  CHECK(failed.exit_code != 0);
  CHECK(failed.records.units == std::multiset<long long>{0, 1, 3, 4});
  CHECK(failed.records.summaries == 0);  // incomplete: no tuner summary yet
  const auto lost = run("cd " + (base / "mpi").string() + " && FHOPS_TEST_FAIL_UNIT=2 " + driver() + " " + args + " --resume --telemetry-log runs.jsonl");
  CHECK(lost.exit_code == 1);  // the hook still fails unit 2, also without mpirun
  CHECK(lost.out.find("1 work unit(s) lost: 2") != std::string::npos);
  CHECK(lost.out.find("tune-random --resume: running the 1 work unit(s) missing from the store: 2\n") != std::string::npos);
  const auto changed = run("cd " + (base / "mpi").string() + " && " + driver() + " tune-random " + fhops_test::demo() +
                           " --runs 5 --iters 160 --resume --telemetry-log runs.jsonl");
  CHECK(changed.exit_code == 2);  // another plan of tune-random: refused
  CHECK(changed.out.find("--resume: runs.jsonl holds work plan") != std::string::npos);
  const auto resumed = run_in(base / "mpi", mpirun(3), args + " --resume");
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out.find("4 trial(s) already recorded by this plan") != std::string::npos);
  CHECK(resumed.records.units == std::multiset<long long>{0, 1, 2, 3, 4});  // unit 2 once, nothing re-run
  CHECK(resumed.records.keys == plain.records.keys);
  CHECK(resumed.records.sqlite_runs == 5);
}

TEST_CASE("a killed rank: the finished units' records survive and --resume completes the plan", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_killed");
  const std::string args = "tune-grid " + fhops_test::demo() + " --iters 150 --preset balanced --preset explore --batch-size 1 --batch-size 2";
  const outcome plain = run_in(base / "plain", driver(), args);
  REQUIRE(plain.exit_code == 0);
  // np 2: one worker runs the units in order, so units 0-2 are done when unit 3 kills it.
  const auto killed = run_in(base / "mpi", mpirun(2, "FHOPS_TEST_KILL_UNIT=3"), args);
  CHECK(killed.exit_code != 0);
  CHECK(killed.records.units == std::multiset<long long>{0, 1, 2});
  const auto resumed = run_in(base / "mpi", mpirun(2), args + " --resume", true);
  CHECK(resumed.exit_code == 0);
  // The job aborted with the killed rank; the resumed run names the unit it lost.
  CHECK(resumed.out.find("tune-grid --resume: running the 1 work unit(s) missing from the store: 3\n") != std::string::npos);
  CHECK(resumed.records.units == std::multiset<long long>{0, 1, 2, 3});
  CHECK(resumed.records.keys == plain.records.keys);
}

TEST_CASE("bench suite under mpirun -np 4: the single-process summary and records", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_bench");
  const std::string args = "bench suite -s " + fhops_test::demo() + " -s " + fhops_test::demo() +
                           " --repeats 2 --sa-iters 300 --include-tabu --tabu-iters 200 -C explore --out-dir out";
  const outcome plain = run_in(base / "plain", driver(), args);
  const outcome o = run_in(base / "np4", mpirun(4), args);
  REQUIRE(plain.exit_code == 0);
  REQUIRE(o.exit_code == 0);
  CHECK(o.records.keys == plain.records.keys);
  CHECK(o.records.runs == 12);  // 2 scenarios x 3 solver runs x 2 repeats
  CHECK(std::set<long long>(o.records.units.begin(), o.records.units.end()) == all_units(6));
  // summary.json: identical but for the wall-clock columns
  CHECK(fhops_test::summary_without_times(base / "np4" / "out" / "summary.json") ==
        fhops_test::summary_without_times(base / "plain" / "out" / "summary.json"));
}

TEST_CASE("solve-heur --parallel-multistart under mpirun -np 3: the single-process best run, plan and records", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_multistart");
  const std::string args = "solve-heur " + fhops_test::demo() + " --iters 400 --parallel-multistart 5 --out plan.csv";
  const outcome plain = run_in(base / "plain", driver(), args);
  const outcome o = run_in(base / "np3", mpirun(3), args);
  REQUIRE(plain.exit_code == 0);
  REQUIRE(o.exit_code == 0);
  const auto without_timing = [](const std::string& out) {  // the best run's wall-clock line differs
    std::string kept;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("Search: ", 0) != 0) kept += line + "\n";
    return kept;
  };
  CHECK(without_timing(o.out) == without_timing(plain.out));
  CHECK(o.out.find("Parallel multi-start executed 5 runs") != std::string::npos);
  CHECK(fhops_test::slurp(base / "np3" / "plan.csv") == fhops_test::slurp(base / "plain" / "plan.csv"));
  CHECK(o.records.keys == plain.records.keys);
  CHECK(o.records.runs == 5);
}

namespace {

// All five tuners on the demo, one tier, the smallest budgets: 5 units of 2 runs each.
const std::string tiny_plan =
    "tuning-plan run --scenario " + fhops_test::demo() +
    " --tier short --tuner random --tuner grid --tuner bayes --tuner ils --tuner tabu --random-runs 2 --random-iters 20 --grid-iters 20"
    " --grid-batch-size 1 --grid-preset balanced --grid-preset runs --bayes-trials 2 --bayes-iters 20 --ils-runs 2 --ils-iters 10"
    " --tabu-runs 2 --tabu-iters 20 --out-dir out";

}  // namespace

TEST_CASE("tuning-plan run under mpirun -np 1, 2 and 4: the single-process records, summaries and tables", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_plan");
  const outcome plain = run_in(base / "plain", driver(), tiny_plan);
  REQUIRE(plain.exit_code == 0);
  REQUIRE(plain.records.runs == 10);
  CHECK(plain.records.summaries == 3);  // random and grid one each, bayes one per scenario
  for (const int np : {1, 2, 4}) {
    INFO("np " << np);
    const auto dir = base / ("np" + std::to_string(np));
    const outcome o = run_in(dir, mpirun(np), tiny_plan);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out == plain.out);
    CHECK(o.records.keys == plain.records.keys);
    CHECK(o.records.summaries == plain.records.summaries);
    CHECK(o.records.sqlite_runs == 10);
    CHECK(o.records.units == plain.records.units);  // each unit's two records, once
    for (const char* table : {"tuner_summary.csv", "tuner_difficulty.csv"})
      CHECK(fhops_test::slurp(dir / "out" / table) == fhops_test::slurp(base / "plain" / "out" / table));
  }
}

TEST_CASE("tuning-plan run: a lost unit, then --resume runs only it; a changed plan is refused", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_plan_lost");
  const outcome plain = run_in(base / "plain", driver(), tiny_plan);
  REQUIRE(plain.exit_code == 0);
  const auto failed = run_in(base / "mpi", mpirun(3, "FHOPS_TEST_FAIL_UNIT=2"), tiny_plan);
  CHECK(failed.exit_code != 0);
  CHECK(failed.records.units == std::multiset<long long>{0, 0, 1, 1, 3, 3, 4, 4});
  CHECK(failed.records.summaries == 0);  // incomplete: no summaries, no reports
  CHECK_FALSE(std::filesystem::exists(base / "mpi" / "out" / "tuner_report.csv"));
  const auto changed = run("cd " + (base / "mpi").string() + " && " + driver() + " " + tiny_plan +
                           " --bayes-seed 7 --resume --telemetry-log runs.jsonl");
  CHECK(changed.exit_code == 2);
  CHECK(changed.out.find("--resume: runs.jsonl holds work plan") != std::string::npos);
  const auto resumed = run_in(base / "mpi", mpirun(2), tiny_plan + " --resume");
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out.find("4 unit(s) already recorded by this plan") != std::string::npos);
  CHECK(resumed.records.units == plain.records.units);
  CHECK(resumed.records.keys == plain.records.keys);
  CHECK(resumed.records.summaries == plain.records.summaries);
  CHECK(fhops_test::slurp(base / "mpi" / "out" / "tuner_summary.csv") == fhops_test::slurp(base / "plain" / "out" / "tuner_summary.csv"));
}

TEST_CASE("bench suite under mpirun: a lost cell, then --resume (without mpirun) runs only it; the summary equals the uninterrupted one", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_bench_lost");
  const std::string args = "bench suite -s " + fhops_test::demo() + " -s " + fhops_test::demo() +
                           " --repeats 2 --sa-iters 300 --include-tabu --tabu-iters 200 --out-dir out";
  const outcome plain = run_in(base / "plain", driver(), args);
  REQUIRE(plain.exit_code == 0);
  const auto failed = run_in(base / "mpi", mpirun(3, "FHOPS_TEST_FAIL_UNIT=1"), args);
  CHECK(failed.exit_code != 0);
  CHECK(failed.records.units == std::multiset<long long>{0, 0, 2, 2, 3, 3});
  CHECK_FALSE(std::filesystem::exists(base / "mpi" / "out" / "summary.json"));  // incomplete: no summary
  const auto resumed = run_in(base / "mpi", driver(), args + " --resume --jobs 2");  // resumed without mpirun
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.records.units == plain.records.units);
  CHECK(resumed.records.keys == plain.records.keys);
  CHECK(fhops_test::summary_without_times(base / "mpi" / "out" / "summary.json") ==
        fhops_test::summary_without_times(base / "plain" / "out" / "summary.json"));
}

TEST_CASE("solve-heur --parallel-multistart under mpirun: a lost run, then --resume (without mpirun); the best plan equals the uninterrupted one", "[dist][driver]") {
  const auto base = fhops_test::scratch("dist_multistart_lost");
  const std::string args = "solve-heur " + fhops_test::demo() + " --iters 400 --parallel-multistart 5 --out plan.csv";
  const outcome plain = run_in(base / "plain", driver(), args);
  REQUIRE(plain.exit_code == 0);
  const auto failed = run_in(base / "mpi", mpirun(3, "FHOPS_TEST_FAIL_UNIT=1"), args);
  CHECK(failed.exit_code != 0);
  CHECK(failed.records.runs == 0);  // the run records are written when every run is in
  CHECK_FALSE(std::filesystem::exists(base / "mpi" / "plan.csv"));
  const auto resumed = run_in(base / "mpi", driver(), args + " --resume");  // resumed without mpirun
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.records.runs == 5);
  CHECK(resumed.records.keys == plain.records.keys);
  CHECK(fhops_test::slurp(base / "mpi" / "plan.csv") == fhops_test::slurp(base / "plain" / "plan.csv"));
}

namespace {

// A race's records in log order: seed, status, objective, config and the race fields but its id.
std::vector<std::string> race_records(const std::filesystem::path& log) {
  std::vector<std::string> out;
  tel::read_jsonl(log.string(), [&](const auto&, tel::json&& v) {
    auto& o = v.as_object();
    const std::string* type = tel::find_string(o, "record_type");
    if (!type || *type != "run") return;
    auto& meta = tel::find(o, "tuner_meta")->as_object();
    auto race = tel::find(meta, "race")->as_object();
    std::erase_if(race, [](const auto& kv) { return kv.first == "race_id"; });
    out.push_back(tel::dump(*tel::find(o, "seed")) + " " + *tel::find_string(o, "status") + " " +
                  tel::dump(*tel::find(tel::find(o, "metrics")->as_object(), "objective")) + " " + tel::dump(*tel::find(meta, "config")) + " " +
                  tel::dump(race));
  });
  return out;
}

}  // namespace

TEST_CASE("tune-race under mpirun -np 4 (and 2) equals the single-process race: output and records", "[dist][driver][race]") {
  const auto base = fhops_test::scratch("dist_race");
  const std::string args = "tune-race " + fhops_test::demo() + " " + (fhops_test::source_dir() / "examples/scenarios/synth-small").string() +
                           " --budget 30 --iters 100 --seed 3";
  const outcome plain = run_in(base / "plain", driver(), args);
  REQUIRE(plain.exit_code == 0);
  const auto expected = race_records(base / "plain" / "runs.jsonl");
  REQUIRE(expected.size() == 30);
  CHECK(plain.records.summaries == 1);
  for (const int np : {2, 4}) {
    INFO("np " << np);
    const auto dir = base / ("np" + std::to_string(np));
    const outcome o = run_in(dir, mpirun(np), args);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out == plain.out);
    CHECK(race_records(dir / "runs.jsonl") == expected);
    CHECK(o.records.sqlite_runs == 30);
    CHECK(o.records.summaries == 1);
  }
}
