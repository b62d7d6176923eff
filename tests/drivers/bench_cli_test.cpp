// fhops bench suite end to end: outputs, repeats, the best-heuristic comparison, bad input.
#include "../test_support.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <simdjson.h>

#include "fhops/util/csv.hpp"

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;
namespace fs = std::filesystem;

}  // namespace

TEST_CASE("bench suite: summary.csv/json, repeats, best heuristic = highest objective", "[driver][bench]") {
  const auto dir = fhops_test::scratch("bench_suite");
  const auto r = run(driver() + " bench suite -s " + demo() + " -s " + demo() + "/scenario.yaml --out-dir " + dir.string() +
                     " --repeats 3 --sa-iters 1500 --include-ils --ils-iters 40 --include-tabu --tabu-iters 500 -C explore");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("FHOPS Benchmark Summary") != std::string::npos);
  const auto table = fhops::csv_table::parse(fhops_test::slurp(dir / "summary.csv"), (dir / "summary.csv").string());
  // 2 scenarios (user-1, user-2) x (sa default, sa explore, ils, tabu)
  REQUIRE(table.size() == 8);
  for (const char* col : {"scenario", "scenario_path", "solver", "objective", "runtime_s", "assignments", "kpi_total_production",
                          "operators_config", "operators_stats", "repeats", "objective_min", "objective_max", "evaluations_per_second",
                          "solver_category", "best_heuristic_solver", "best_heuristic_objective", "objective_gap_vs_best_heuristic",
                          "runtime_ratio_vs_best_heuristic", "preset_label", "sa_acceptance_rate", "tabu_tenure", "perturbation_strength"})
    CHECK(table.column(col) >= 0);
  const auto cell = [&](std::size_t row, const char* col) { return std::string(table.raw(row, table.column(col))); };
  const auto num = [&](std::size_t row, const char* col) { return std::stod(cell(row, col)); };
  std::map<std::string, double> best;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const std::string sc = cell(i, "scenario");
    best[sc] = std::max(best.count(sc) ? best[sc] : -1e300, num(i, "objective"));
    CHECK(num(i, "objective_min") <= num(i, "objective"));
    CHECK(num(i, "objective") <= num(i, "objective_max"));
    CHECK(cell(i, "repeats") == "3");
    if (i) CHECK(cell(i - 1, "scenario") + "/" + cell(i - 1, "solver") <= cell(i, "scenario") + "/" + cell(i, "solver"));
  }
  for (std::size_t i = 0; i < table.size(); ++i) {
    CHECK(num(i, "best_heuristic_objective") == best[cell(i, "scenario")]);  // the highest, not the lowest
    CHECK(num(i, "objective_gap_vs_best_heuristic") == num(i, "objective") - best[cell(i, "scenario")]);
    CHECK(num(i, "objective_gap_vs_best_heuristic") <= 0.0);
    CHECK(cell(i, "objective_vs_mip_gap").empty());
  }
  for (const char* f : {"sa_assignments.csv", "sa_assignments_explore.csv", "ils_assignments.csv", "tabu_assignments.csv"})
    CHECK(std::filesystem::exists(dir / "user-1" / f));
  const std::string md = fhops_test::slurp(dir / "summary.md");
  CHECK(md.rfind("| scenario | solver | preset | objective (median) |", 0) == 0);
  CHECK(std::count(md.begin(), md.end(), '\n') == 2 + 8);
  CHECK(md.find("| user-1 | sa | explore | ") != std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::array arr;
  REQUIRE_FALSE(parser.parse(fhops_test::slurp(dir / "summary.json")).get(arr));
  CHECK(arr.size() == 8);
  CHECK(std::string_view(arr.at(0)["solver"]) == "sa");  // insertion order: user-1's SA base run first
}

TEST_CASE("bench suite's default SA run is solve-heur's default on each scenario (landing_rebuild where capacity is hard)", "[driver][bench]") {
  const auto dir = fhops_test::scratch("bench_default_mix");
  const auto [hard, soft] = fhops_test::hard_and_soft_bundles(dir);
  // The landing_rebuild weight of each (scenario, preset) row of summary.csv.
  const auto weights = [&](const std::string& options) {
    const auto out = dir / "out";
    const auto r = run(driver() + " bench suite -s " + hard + " -s " + soft + " --out-dir " + out.string() + " --sa-iters 50 " + options);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto table = fhops::csv_table::parse(fhops_test::slurp(out / "summary.csv"), (out / "summary.csv").string());
    std::map<std::string, std::string> w;
    for (std::size_t i = 0; i < table.size(); ++i) {
      const std::string config(table.raw(i, table.column("operators_config")));
      const auto at = config.find("\"landing_rebuild\": ");
      REQUIRE(at != std::string::npos);
      const auto begin = at + std::string("\"landing_rebuild\": ").size();
      w[std::string(table.raw(i, table.column("scenario"))) + "/" + std::string(table.raw(i, table.column("preset_label")))] =
          config.substr(begin, config.find_first_of(",}", begin) - begin);
    }
    return w;
  };
  auto w = weights("-C explore");
  CHECK(w["user-1/default"] == "0.02");  // hard capacity: solve-heur's automatic mix
  CHECK(w["user-2/default"] == "0.0");   // slack priced: the plain defaults
  CHECK(w["user-1/explore"] == "0.0");   // a compared preset is that preset
  w = weights("-P fhops-default");
  CHECK(w["user-1/fhops-default"] == "0.0");  // an operator setting replaces the mix, as in solve-heur
}

TEST_CASE("bench suite --run-seconds: the clock bounds every solver; iterations only where given", "[driver][bench]") {
  const auto dir = fhops_test::scratch("bench_seconds");
  const auto r = run(driver() + " bench suite -s " + demo() + " --out-dir " + dir.string() +
                     " --run-seconds 0.2 --include-ils --include-tabu --tabu-iters 50");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto table = fhops::csv_table::parse(fhops_test::slurp(dir / "summary.csv"), (dir / "summary.csv").string());
  REQUIRE(table.size() == 3);
  std::map<std::string, std::string> iters;
  for (std::size_t i = 0; i < table.size(); ++i)
    iters[std::string(table.raw(i, table.column("solver")))] = std::string(table.raw(i, table.column("iters")));
  CHECK(iters["sa"] == "0");    // --sa-iters not given: time only
  CHECK(iters["ils"] == "0");   // --ils-iters not given: time only
  CHECK(iters["tabu"] == "50"); // given: both bounds apply
}

TEST_CASE("bench suite: bad options and missing scenarios", "[driver][bench]") {
  const auto dir = fhops_test::scratch("bench_bad");
  CHECK(run(driver() + " bench suite -s " + demo() + " --out-dir " + dir.string() + " --repeats 0").exit_code == 2);
  CHECK(run(driver() + " bench suite -s " + demo() + " --out-dir " + dir.string() + " --include-mip --time-limit -1").exit_code == 2);
  CHECK(run(driver() + " bench suite -s " + demo() + " --out-dir " + dir.string() + " -C nope").exit_code == 2);
  CHECK(run(driver() + " bench run").exit_code == 2);
  const auto missing = run(driver() + " bench suite -s /nowhere/x.yaml --out-dir " + dir.string());
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("/nowhere/x.yaml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "summary.csv"));
}

TEST_CASE("bench suite --telemetry-log: one run record per repeat, source cli.bench-suite, in JSONL and SQLite", "[driver][bench]") {
  const auto dir = fhops_test::scratch("bench_telemetry");
  const auto log = dir / "tel" / "runs.jsonl";
  const auto r = run(driver() + " bench suite -s " + demo() + " --out-dir " + (dir / "out").string() +
                     " --repeats 2 --sa-iters 300 --include-tabu --tabu-iters 200 --telemetry-log " + log.string());
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("4 telemetry record(s) written to " + log.string()) != std::string::npos);
  const auto table = fhops::csv_table::parse(fhops_test::slurp(dir / "out" / "summary.csv"), "summary.csv");
  REQUIRE(table.size() == 2);
  // per solver: the objectives of its repeats, from the records
  std::map<std::string, std::vector<double>> objectives;
  std::map<std::string, std::set<long long>> seeds;
  simdjson::dom::parser parser;
  std::size_t lines = 0;
  std::istringstream in(fhops_test::slurp(log));
  for (std::string line; std::getline(in, line); ++lines) {
    const simdjson::dom::element e = parser.parse(line);
    CHECK(std::string_view(e["record_type"]) == "run");
    CHECK(std::string_view(e["source"]) == "cli.bench-suite");
    CHECK(std::string_view(e["context"]["scenario_label"]) == "user-1");
    CHECK(std::string_view(e["status"]) == "ok");
    const std::string solver{std::string_view(e["solver"])};
    objectives[solver].push_back(double(e["metrics"]["objective"]));
    seeds[solver].insert(int64_t(e["seed"]));
    CHECK(int64_t(e["context"]["repeat"]) >= 0);
  }
  CHECK(lines == 4);
  CHECK(seeds["sa"] == std::set<long long>{42, 43});  // seeds seed, seed+1
  CHECK(seeds["tabu"] == std::set<long long>{42, 43});
  for (std::size_t i = 0; i < table.size(); ++i) {
    const std::string solver(table.raw(i, table.column("solver")));
    REQUIRE(objectives[solver].size() == 2);
    CHECK(std::stod(std::string(table.raw(i, table.column("objective_min")))) ==
          Approx(*std::min_element(objectives[solver].begin(), objectives[solver].end())).epsilon(1e-12));
    CHECK(std::stod(std::string(table.raw(i, table.column("objective_max")))) ==
          Approx(*std::max_element(objectives[solver].begin(), objectives[solver].end())).epsilon(1e-12));
  }
  SQLite::Database db((dir / "tel" / "runs.sqlite").string());
  CHECK(db.execAndGet("SELECT COUNT(*) FROM runs").getInt64() == 4);
}

TEST_CASE("bench suite --resume: a lost cell, then only it runs; the summary equals an uninterrupted run's", "[driver][bench]") {
  const auto dir = fhops_test::scratch("bench_resume");
  const std::string cmd = driver() + " bench suite -s " + demo() + " --repeats 2 --sa-iters 300 --include-tabu --tabu-iters 200 -C explore";
  REQUIRE(run(cmd + " --out-dir " + (dir / "plain").string()).exit_code == 0);
  const std::string tracked = cmd + " --out-dir " + (dir / "out").string() + " --telemetry-log " + (dir / "runs.jsonl").string() + " --resume";
  const auto failed = run("FHOPS_TEST_FAIL_UNIT=1 " + tracked);
  CHECK(failed.exit_code == 1);
  CHECK(failed.out.find("1 work unit(s) lost: 1") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out" / "summary.csv"));
  CHECK(run(cmd + " --out-dir " + (dir / "out").string() + " --resume").exit_code == 2);  // no log
  CHECK(run(tracked + " --sa-iters 301").exit_code == 2);                                   // another plan
  const auto resumed = run(tracked);
  INFO(resumed.out);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.out.find("2 cell(s) already recorded by this suite") != std::string::npos);
  CHECK(resumed.out.find("bench suite --resume: running the 1 work unit(s) missing from the store: 1\n") != std::string::npos);
  CHECK(resumed.out.find("2 telemetry record(s) written") != std::string::npos);
  CHECK(fhops_test::summary_without_times(dir / "out" / "summary.json") == fhops_test::summary_without_times(dir / "plain" / "summary.json"));
  SQLite::Database db((dir / "runs.sqlite").string());
  CHECK(db.execAndGet("SELECT COUNT(*) FROM runs").getInt64() == 6);
}

TEST_CASE("bench suite: a bundle member's name becomes a folder under --out-dir only when it is a plain name", "[driver][bench][paths]") {
  const auto dir = fhops_test::scratch("bench_member_names");
  for (const std::string& name : std::vector<std::string>{"../../x", (dir / "abs").string(), ".."}) {
    fhops_test::write(dir / "m/bundle.yaml", "bundle: evil\nscenarios:\n  - name: " + name + "\n    path: " + demo() + "\n");
    const auto r = run(driver() + " bench suite -b " + (dir / "m/bundle.yaml").string() + " --sa-iters 10 --out-dir " + (dir / "o/p").string());
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::StartsWith("fhops bench suite: error: the bundle member name '" + name + "' of "));
    CHECK_THAT(r.out, Catch::EndsWith(" cannot name a folder under --out-dir (a plain name has no '/', '\\' or control character and "
                                      "does not start with '.' or '-')\n"));
    CHECK(!fs::exists(dir / "o"));
    CHECK(!fs::exists(dir / "x"));
    CHECK(!fs::exists(dir / "abs"));
  }
  // two members of one name would share their assignments file: refused before any run
  fs::copy(demo(), dir / "c1", fs::copy_options::recursive);
  fs::copy(demo(), dir / "c2", fs::copy_options::recursive);
  fhops_test::write(dir / "m/a.yaml", "scenarios:\n  - name: same\n    path: ../c1\n");
  fhops_test::write(dir / "n/b.yaml", "scenarios:\n  - name: same\n    path: ../c2\n");
  const auto twice = run(driver() + " bench suite -b " + (dir / "m/a.yaml").string() + " -b " + (dir / "n/b.yaml").string() +
                         " --sa-iters 10 --out-dir " + (dir / "o").string());
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.out, Catch::Contains("are the same file (two outputs may not share a file)"));
  CHECK(!fs::exists(dir / "o"));
}
