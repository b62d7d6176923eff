// fhops telemetry history | summarize-meta end to end: stdout defaults, outputs, convergence on a
// store written by solve-heur/solve-ils, the tuner_meta summary of a tune-random store, and the
// failure cases (exit codes, one-line messages, outputs left untouched).
#include <filesystem>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "../test_support.hpp"
#include "fhops/util/csv.hpp"

using fhops_test::driver;
using fhops_test::run;
using fhops_test::scratch;
using fhops_test::slurp;
using fhops_test::write;

namespace {

using fhops_test::demo;

const std::string report_head = "algorithm,scenario,runs,best_objective,mean_objective,best_run_id\n";

}  // namespace

TEST_CASE("history: comparison printed by default, written on request; errors exit 1 and leave outputs alone", "[history][driver]") {
  const auto dir = scratch("history_cli");
  write(dir / "a.csv", report_head + "sa,X,2,5.0,4.0,r1\n");
  write(dir / "b" / "tuner_report.csv", report_head + "sa,X,1,4.5,4.5,r2\n");
  const std::string reports = " --report " + (dir / "a.csv").string() + " --report " + (dir / "b").string();

  const auto printed = run(driver() + " telemetry history" + reports, false);
  REQUIRE(printed.exit_code == 0);
  CHECK(printed.out ==
        "| Algorithm | Scenario | Best (a) | Mean (a) | Runs (a) | Best (b) | Δ Best (b) | Mean (b) | Runs (b) |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| sa | X | 5.000 | 4.000 | 2 | 4.500 | +-0.500 | 4.500 | 1 |\n");

  const auto out = dir / "out";
  const auto written = run(driver() + " telemetry history" + reports + " --out-csv " + (out / "c.csv").string() +
                           " --out-summary-markdown " + (out / "s.md").string());
  REQUIRE(written.exit_code == 0);
  CHECK(written.out.empty());
  CHECK(slurp(out / "c.csv") ==
        "algorithm,scenario,best_run_id_a,best_a,mean_a,runs_a,best_run_id_b,best_b,mean_b,runs_b,best_delta_b\n"
        "sa,X,r1,5.0,4.0,2,r2,4.5,4.5,1,-0.5\n");
  CHECK(slurp(out / "s.md") == "| Scenario | Best Algo (a) | Best Obj (a) | Best Algo (b) | Best Obj (b) | Δ vs a |\n"
                               "| --- | --- | --- | --- | --- | --- |\n| X | sa | 5.000 | sa | 4.500 | +-0.500 |\n");

  SECTION("a missing report: exit 1 naming the path; earlier outputs untouched") {
    const auto r = run(driver() + " telemetry history --report " + (dir / "a.csv").string() + " --report " +
                       (dir / "nope.csv").string() + " --out-csv " + (out / "c.csv").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out == "fhops telemetry history: error: " + (dir / "nope.csv").string() + ": file not found or not readable\n");
    CHECK(slurp(out / "c.csv").find("best_delta_b") != std::string::npos);
  }
  SECTION("a missing column: one line naming file and column; no output is written") {
    write(dir / "bad.csv", "algorithm,scenario,runs,best_objective\nsa,X,1,2.0\n");
    const auto r = run(driver() + " telemetry history" + reports + " --report " + (dir / "bad.csv").string() + " --out-csv " +
                       (out / "c.csv").string() + " --out-markdown " + (out / "new.md").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out == "fhops telemetry history: error: " + (dir / "bad.csv").string() +
                       ":1: column 'mean_objective': required column is missing (header is 'algorithm,scenario,runs,best_objective')\n");
    CHECK(slurp(out / "c.csv").find("best_delta_b") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out / "new.md"));
  }
  SECTION("usage errors exit 2") {
    const auto r = run(driver() + " telemetry history" + reports + " --out-convergence-csv " + (out / "conv.csv").string());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--telemetry-log is required when requesting convergence outputs.") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out / "conv.csv"));
    CHECK(run(driver() + " telemetry history --out-csv x.csv").exit_code == 2);
    CHECK(run(driver() + " telemetry history" + reports + " --reference-objectives r.csv").exit_code == 2);
  }
  SECTION("history: printed without history outputs; deltas on request; an empty folder says so") {
    const auto h = dir / "history";
    write(h / "2024-01-01.csv", report_head + "sa,X,1,0.0,0.0,r1\n");
    write(h / "2024-01-02.csv", report_head + "sa,X,1,2.0,2.0,r2\n");
    const auto r = run(driver() + " telemetry history" + reports + " --out-csv " + (out / "c.csv").string() + " --history-dir " +
                           h.string() + " --out-history-delta-csv " + (out / "d.csv").string(),
                       false);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "| Snapshot | Algorithm | Scenario | Best | Mean | Runs |\n| --- | --- | --- | --- | --- | --- |\n"
                   "| 2024-01-01 | sa | X | 0.000 | 0.000 | 1 |\n| 2024-01-02 | sa | X | 2.000 | 2.000 | 1 |\n");
    CHECK(slurp(out / "d.csv") ==
          "scenario,algorithm,snapshot_current,snapshot_previous,best_objective,best_objective_delta,best_objective_delta_pct\n"
          "X,sa,2024-01-02,2024-01-01,2.0,2.0,\n");
    std::filesystem::create_directories(dir / "empty");
    const auto e = run(driver() + " telemetry history" + reports + " --out-csv " + (out / "c.csv").string() + " --history-dir " +
                       (dir / "empty").string());
    CHECK(e.exit_code == 0);
    CHECK(e.out == "No history entries discovered in " + (dir / "empty").string() + "\n");
  }
}

TEST_CASE("history convergence: solve-heur and solve-ils runs against --reference-objectives", "[history][driver][convergence]") {
  const auto dir = scratch("history_convergence");
  const auto log = dir / "telemetry" / "runs.jsonl";
  REQUIRE(run(driver() + " solve-heur " + demo() + " --iters 400 --seed 3 --out " + (dir / "p.csv").string() + " --telemetry-log " +
              log.string())
              .exit_code == 0);
  REQUIRE(run(driver() + " solve-ils " + demo() + " --iters 20 --seed 3 --out " + (dir / "p.csv").string() + " --telemetry-log " +
              log.string())
              .exit_code == 0);
  double best = -1e300;
  {
    SQLite::Database db((dir / "telemetry" / "runs.sqlite").string());
    best = db.execAndGet("SELECT MAX(value) FROM run_metrics WHERE name = 'objective'").getDouble();
  }
  write(dir / "a.csv", report_head + "sa,Demo Valley,1,1.0,1.0,r1\n");
  const std::string base = driver() + " telemetry history --report " + (dir / "a.csv").string() + " --telemetry-log " + log.string();

  SECTION("without a reference (no MIP runs): header-only tables, the summary sentence printed") {
    const auto r = run(base + " --out-markdown " + (dir / "c.md").string() + " --out-convergence-csv " + (dir / "conv.csv").string(),
                       false);
    REQUIRE(r.exit_code == 0);
    CHECK(slurp(dir / "conv.csv").find('\n') == slurp(dir / "conv.csv").size() - 1);
    const auto p = run(base, false);
    CHECK(p.out.find("*(no data)*\n") != std::string::npos);
  }
  SECTION("with the best objective as the reference: the best run converges") {
    write(dir / "ref.csv", fmt::format("scenario,objective\nDemo Valley,{}\n", best));
    const auto r = run(base + " --reference-objectives " + (dir / "ref.csv").string() + " --out-convergence-csv " +
                       (dir / "conv.csv").string() + " --out-convergence-summary-csv " + (dir / "sum.csv").string() +
                       " --out-convergence-summary-markdown " + (dir / "sum.md").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto runs = fhops::csv_table::read(dir / "conv.csv");
    REQUIRE(runs.size() == 2);
    CHECK(runs.header() == std::vector<std::string>{"scenario", "bundle", "algorithm", "tier", "run_id", "iterations_to_1pct",
                                                    "iterations_to_5pct", "total_iterations", "best_objective", "mip_objective",
                                                    "baseline_objective", "gap_absolute", "gap_pct", "gap_range",
                                                    "duration_seconds"});
    CHECK(runs.raw(0, runs.column("algorithm")) == "ils");
    CHECK(runs.raw(1, runs.column("algorithm")) == "sa");
    CHECK(runs.raw(1, runs.column("total_iterations")) == "400");
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(runs.raw(i, runs.column("scenario")) == "Demo Valley");
      CHECK(runs.number(i, runs.column("mip_objective")) == best);
      CHECK(runs.number(i, runs.column("gap_absolute")) >= 0.0);
    }
    // the run holding the best objective has no gap
    const int gap = runs.column("gap_absolute");
    CHECK(std::min(runs.number(0, gap), runs.number(1, gap)) == 0.0);
    const auto summary = fhops::csv_table::read(dir / "sum.csv");
    REQUIRE(summary.size() == 2);
    CHECK(summary.raw(0, summary.column("runs_total")) == "1");
    const std::string md = slurp(dir / "sum.md");
    CHECK(md.rfind("| scenario | bundle | algorithm | tier | runs_total | runs_reached_1pct | success_rate |", 0) == 0);
    CHECK(md.find("| Demo Valley | demo | ils |") != std::string::npos);  // the scenario's bundle, not nan (issue 22)
  }
  SECTION("keys by the scenario's bundle folder; a key that names nothing is one warning line (issue 22)") {
    write(dir / "ref.csv", fmt::format("scenario,objective\ndemo,{}\nminitoy,45.25\n", best));
    const auto r = run(base + " --reference-objectives " + (dir / "ref.csv").string() + " --out-convergence-csv " +
                       (dir / "conv.csv").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto runs = fhops::csv_table::read(dir / "conv.csv");
    REQUIRE(runs.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(runs.raw(i, runs.column("bundle")) == "demo");
      CHECK(runs.number(i, runs.column("mip_objective")) == best);
    }
    CHECK(fhops_test::count(r.out, "warning: --reference-objectives:") == 1);
    CHECK(r.out.find("'minitoy'") != std::string::npos);
    CHECK(r.out.find("'demo'") == std::string::npos);
  }
}

TEST_CASE("summarize-meta: the tuner_meta of a tune-random store per algorithm", "[history][driver][tuner-meta]") {
  const auto dir = scratch("history_meta");
  const auto log = dir / "runs.jsonl";
  REQUIRE(run(driver() + " tune-random " + demo() + " --runs 2 --iters 50 --telemetry-log " + log.string() + " --tier-label smoke")
              .exit_code == 0);
  REQUIRE(run(driver() + " solve-heur " + demo() + " --iters 50 --out " + (dir / "p.csv").string() + " --telemetry-log " +
              log.string())
              .exit_code == 0);
  const auto r = run(driver() + " telemetry summarize-meta " + (dir / "runs.sqlite").string(), false);
  REQUIRE(r.exit_code == 0);
  INFO(r.out);
  CHECK(r.out.rfind("| algorithm | runs | scenarios | sample_budget | sample_config |\n| --- | --- | --- | --- | --- |\n", 0) == 0);
  CHECK(r.out.find("| random | 2 | 1 | {\"iters_per_run\": 50, \"runs_total\": 2, \"tier\": \"smoke\"} | {") != std::string::npos);
  CHECK(r.out.find("| sa | 1 | 1 | {\"iters\": 50, \"tier\": null} | {") != std::string::npos);
  CHECK(r.out.find("\"operators\"") == std::string::npos);  // the config without its operator weights
  const auto w = run(driver() + " telemetry summarize-meta " + (dir / "runs.sqlite").string() + " --out-csv " + (dir / "m.csv").string());
  REQUIRE(w.exit_code == 0);
  CHECK(slurp(dir / "m.csv").rfind("algorithm,runs,scenarios,sample_budget,sample_config\nrandom,2,1,\"{\"\"iters_per_run\"\": 50,", 0) == 0);
  CHECK(run(driver() + " telemetry summarize-meta " + (dir / "none.sqlite").string()).exit_code == 1);
  CHECK(run(driver() + " telemetry summarize-meta").exit_code == 2);
}
