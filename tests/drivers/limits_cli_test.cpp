// Resource bounds of the driver (issue 24): degenerate scenarios run like any other, --time-limit
// holds however large a step is, and thread-count options never start more threads than useful.
#include "../test_support.hpp"

#include <chrono>
#include <functional>
#include <utility>
#include <vector>

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;

const std::string one_block = "id,landing_id,work_required\nB1,L1,5\n";
const std::string one_landing_csv = "id,daily_capacity\nL1,1\n";

// No machine at all.
std::filesystem::path no_machine(const std::filesystem::path& dir) {
  return fhops_test::write_bundle(dir / "no_machine", "no_machine", 2, one_block, "id\n", one_landing_csv, "machine_id,day,available\n",
                                  "machine_id,block_id,rate\n");
}

// Two machines, but the shift calendar opens no slot.
std::filesystem::path no_slot(const std::filesystem::path& dir) {
  const auto yaml = fhops_test::write_bundle(dir / "no_slot", "no_slot", 2, one_block, "id\nM1\nM2\n", one_landing_csv,
                                             "machine_id,day,available\n", "machine_id,block_id,rate\nM1,B1,1\nM2,B1,1\n");
  fhops_test::write(yaml, fhops_test::slurp(yaml) + "  shift_calendar: s.csv\n");
  fhops_test::write(dir / "no_slot" / "s.csv", "machine_id,day,shift_id,available\nM1,1,S1,0\nM2,1,S1,0\nM1,2,S1,0\nM2,2,S1,0\n");
  return yaml;
}

double seconds_of(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("a scenario with no machine or no open slot: every solver returns the empty seed, exit 0, the run recorded",
          "[driver][solve][degenerate]") {
  const auto dir = fhops_test::scratch("limits_degenerate");
  for (const auto& yaml : {no_machine(dir), no_slot(dir)}) {
    const std::string scenario = yaml.parent_path().string();
    CHECK(run(driver() + " validate " + scenario).exit_code == 0);
    const std::string header = "machine_id,block_id,day,shift_id,assigned\n";
    const auto log = dir / (yaml.parent_path().filename().string() + ".jsonl");
    int records = 0;
    for (const std::string cmd : {"solve-heur", "solve-ils", "solve-tabu"}) {
      const auto csv = dir / (cmd + ".csv");
      std::filesystem::remove(csv);
      const auto r = run(driver() + " " + cmd + " " + scenario + " --out " + csv.string() + " --iters 30 --telemetry-log " + log.string());
      INFO(scenario << " " << cmd << "\n" << r.out);
      CHECK(r.exit_code == 0);  // was 139: run_fill and run_swap read outside the plan
      CHECK_THAT(r.out, Catch::StartsWith("Objective"));
      CHECK(fhops_test::slurp(csv) == header);
      ++records;
    }
    const auto csv = (dir / "more.csv").string();
    const auto all = run(driver() + " solve-heur " + scenario + " --out " + csv + " --iters 30 -P runs -P explore -P lns -P price -P landings --lagrangian-bound 5");
    INFO(all.out);
    CHECK(all.exit_code == 0);
    const auto multi = run(driver() + " solve-heur " + scenario + " --out " + csv + " --iters 30 --parallel-multistart 3 --telemetry-log " + log.string());
    INFO(multi.out);
    CHECK(multi.exit_code == 0);
    records += 3;
    CHECK(run(driver() + " solve-tabu " + scenario + " --out " + csv + " --time-limit 0.2").exit_code == 0);
    const auto landings = run(driver() + " solve-landings " + scenario + " --out " + csv);
    INFO(landings.out);
    CHECK(landings.exit_code == 0);
    CHECK(fhops_test::slurp(csv) == header);
    for (const std::string tuner : {"tune-random --runs 2", "tune-grid --batch-size 1 --preset runs", "tune-bayes --trials 2"}) {
      const auto t = run(driver() + " " + tuner + " " + scenario + " --iters 10 --telemetry-log " + log.string());
      INFO(tuner << "\n" << t.out);
      CHECK(t.exit_code == 0);
      CHECK(t.out.find("did not produce any successful runs") == std::string::npos);
      records += tuner.rfind("tune-grid", 0) == 0 ? 1 : 2;
    }
    const std::string jsonl = fhops_test::slurp(log);
    CHECK(fhops_test::count(jsonl, "\"record_type\":\"run\"") == static_cast<std::size_t>(records));
    CHECK(fhops_test::count(jsonl, "\"status\":\"error\"") == 0);
  }
}

TEST_CASE("--time-limit 1 holds for a step of ten million candidates (issue 24)", "[driver][solve]") {
  const auto dir = fhops_test::scratch("limits_deadline");
  const std::string csv = (dir / "plan.csv").string();
  const std::vector<std::pair<std::string, std::string>> cases{{"solve-tabu", "--candidates 10000000"},
                                                                {"solve-ils", "--ls-samples 10000000"},
                                                                {"solve-ils", "--perturbation-strength 10000000"},
                                                                {"solve-heur", "--batch-neighbours 10000000"}};
  for (const auto& [command, args] : cases) {
    fhops_test::command_result r;
    const double took = seconds_of([&] { r = run(driver() + " " + command + " " + demo() + " --out " + csv + " --time-limit 1 " + args); });
    INFO(command << " " << args << "\n" << r.out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("stopped by seconds"));
    CHECK(took < 8.0);  // the step used to run to its end: 11-15 s
  }
}

TEST_CASE("thread options are capped: a million workers asked, a few started (issue 24)", "[driver]") {
  const auto dir = fhops_test::scratch("limits_threads");
  // 4 GB of address space: room for the threads a run needs, not for a thread (8 MB of stack) per job asked.
  const std::string limited = "ulimit -v 4000000; " + driver();
  const auto solve = run(limited + " solve-heur " + demo() + " --out " + (dir / "plan.csv").string() +
                         " --iters 50 --parallel-multistart 2 --parallel-workers 1000000");
  INFO(solve.out);
  CHECK(solve.exit_code == 0);
  const auto tune = run(limited + " tune-random " + demo() + " --runs 2 --iters 10 --jobs 1000000 --telemetry-log " + (dir / "t.jsonl").string());
  INFO(tune.out);
  CHECK(tune.exit_code == 0);
  const auto bench = run(limited + " bench suite -s " + demo() + " --sa-iters 50 --out-dir " + (dir / "bench").string() + " --jobs 1000000");
  INFO(bench.out);
  CHECK(bench.exit_code == 0);
  const auto plan = run(limited + " tuning-plan run --scenario " + demo() + " --tuner random --random-runs 2 --random-iters 10 --out-dir " +
                        (dir / "plan").string() + " --jobs 1000000");
  INFO(plan.out);
  CHECK(plan.exit_code == 0);
}
