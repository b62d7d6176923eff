// fhops telemetry compare end to end on a store written by fhops bench suite: text, JSON and HTML,
// grouping by configuration, bench suite --compare, and bad inputs (exit 1 or 2, one clear line).
#include <filesystem>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <simdjson.h>

#include "../test_support.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

using fhops_test::driver;
using fhops_test::run;

namespace {

namespace fs = std::filesystem;

// The first line of an output, and whether the output is that line alone.
std::string first_line(const std::string& out) { return out.substr(0, out.find('\n')); }
bool single_line(const std::string& out) { return fhops_test::count(out, "\n") == 1; }

// Three solvers x 4 repeats (seeds 42..45 each) on the demo, recorded in `log`.
std::string suite(const fs::path& dir, const fs::path& log, const std::string& more = "") {
  return driver() + " bench suite -s " + fhops_test::demo() + " --out-dir " + (dir / "bench").string() +
         " --repeats 4 --sa-iters 300 --include-ils --ils-iters 20 --include-tabu --tabu-iters 200 --telemetry-log " + log.string() + more;
}

}  // namespace

TEST_CASE("telemetry compare: a bench suite's solvers in text, JSON and HTML", "[driver][compare]") {
  const auto dir = fhops_test::scratch("compare_cli");
  const auto log = dir / "runs.jsonl", store = dir / "runs.sqlite";
  const auto s = run(suite(dir, log, " --compare"), false);
  INFO(s.out);
  REQUIRE(s.exit_code == 0);
  // bench suite --compare: the table of the runs just recorded.
  CHECK(s.out.find("Comparison by algorithm of 12 run(s) in " + store.string()) != std::string::npos);
  for (const char* pair : {"ils vs sa ", "ils vs tabu ", "sa vs tabu "}) CHECK(s.out.find(pair) != std::string::npos);
  CHECK(fhops_test::count(s.out, "wilcoxon") == 3);  // the same seeds in every solver: paired
  CHECK(s.out.find("Verdicts (better = higher median") != std::string::npos);

  // A second suite into the same store: --compare covers its own 12 runs, the command all 24.
  const auto again = run(suite(dir, log, " --compare"), false);
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("Comparison by algorithm of 12 run(s)") != std::string::npos);
  const auto text = run(driver() + " telemetry compare " + store.string(), false);
  INFO(text.out);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("Comparison by algorithm of 24 run(s)") != std::string::npos);
  CHECK(text.out.find("\nScenario: ") != std::string::npos);
  CHECK(text.out.find("  group  runs  median") != std::string::npos);
  CHECK(fhops_test::count(text.out, "mann-whitney") == 3);  // each seed twice per solver now: unpaired
  CHECK(fhops_test::count(text.out, " better than ") + fhops_test::count(text.out, " tie on ") == 3);
  // The log's path means its store.
  CHECK(run(driver() + " telemetry compare " + log.string(), false).out == text.out);

  // JSON: stable keys, one scenario, three groups of 8 runs, three pairs, three verdicts.
  const auto json = run(driver() + " telemetry compare " + store.string() + " --format json", false);
  REQUIRE(json.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_FALSE(parser.parse(json.out).get(doc));
  CHECK(std::string_view(doc["by"]) == "algorithm");
  CHECK(int64_t(doc["runs"]) == 24);
  simdjson::dom::array scenarios = doc["scenarios"];
  REQUIRE(scenarios.size() == 1);
  simdjson::dom::array groups = scenarios.at(0)["groups"];
  REQUIRE(groups.size() == 3);
  CHECK(std::string_view(groups.at(0)["group"]) == "ils");
  CHECK(std::string_view(groups.at(2)["group"]) == "tabu");
  for (auto g : groups) {
    CHECK(int64_t(g["runs"]) == 8);
    CHECK(double(g["min"]) <= double(g["median"]));
    CHECK(double(g["median"]) <= double(g["max"]));
  }
  simdjson::dom::array pairs = scenarios.at(0)["pairs"];
  REQUIRE(pairs.size() == 3);
  for (auto p : pairs) {
    CHECK(std::string_view(p["test"]) == "mann-whitney");
    CHECK(double(p["p_holm"]) >= double(p["p_value"]));
    CHECK(double(p["a12"]) >= 0.0);
    CHECK(double(p["a12"]) <= 1.0);
  }
  CHECK(simdjson::dom::array(doc["verdicts"]).size() == 3);

  // HTML to a file: one box plot, a box per solver, nothing on stdout.
  const auto html = run(driver() + " telemetry compare " + store.string() + " --format html --out " + (dir / "c.html").string(), false);
  REQUIRE(html.exit_code == 0);
  CHECK(html.out.empty());
  const std::string page = fhops_test::slurp(dir / "c.html");
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(fhops_test::count(page, "<svg class=\"chart\"") == 1);
  CHECK(fhops_test::count(page, "class=\"mark box\"") == 3);
  CHECK(page.find("<h2>Verdicts</h2>") != std::string::npos);

  // By configuration: one configuration per solver here, each labelled algorithm#hash.
  const auto config = run(driver() + " telemetry compare " + store.string() + " --by config", false);
  REQUIRE(config.exit_code == 0);
  CHECK(config.out.find("Comparison by config") != std::string::npos);
  CHECK(config.out.find("\nConfigurations:\n  ils#") != std::string::npos);
  CHECK(config.out.find("  tabu#") != std::string::npos);

  // One scenario by name: the demo's; an unknown one is a usage error naming the known ones.
  const std::string name = std::string(std::string_view(scenarios.at(0)["scenario"]));
  CHECK(run(driver() + " telemetry compare " + store.string() + " --scenario '" + name + "'", false).out == text.out);
  const auto unknown = run(driver() + " telemetry compare " + store.string() + " --scenario Nowhere");
  CHECK(unknown.exit_code == 2);
  CHECK(first_line(unknown.out).find("no run of scenario 'Nowhere'") != std::string::npos);
  CHECK(first_line(unknown.out).find(name) != std::string::npos);

  // A reader is not held up by a writer's exclusive transaction (WAL).
  {
    SQLite::Database holder(store.string(), SQLite::OPEN_READWRITE);
    holder.exec("BEGIN EXCLUSIVE");
    CHECK(run(driver() + " telemetry compare " + store.string() + " --busy-timeout 0.2").exit_code == 0);
    holder.exec("ROLLBACK");
  }
}

TEST_CASE("telemetry compare: bad options exit 2, a missing or corrupt store exits 1, each with a clear line", "[driver][compare]") {
  const auto dir = fhops_test::scratch("compare_cli_errors");
  const auto store = dir / "runs.sqlite";
  const auto by = run(driver() + " telemetry compare " + store.string() + " --by solver");
  CHECK(by.exit_code == 2);
  CHECK(first_line(by.out) == "fhops telemetry compare: usage error: --by must be one of algorithm, config (got 'solver')");
  const auto format = run(driver() + " telemetry compare " + store.string() + " --format csv");
  CHECK(format.exit_code == 2);
  CHECK(first_line(format.out) == "fhops telemetry compare: usage error: --format must be one of text, json, html (got 'csv')");
  CHECK(run(driver() + " telemetry compare").exit_code == 2);
  CHECK(run(driver() + " telemetry compare " + store.string() + " --alpha 0").exit_code == 2);

  const auto missing = run(driver() + " telemetry compare " + (dir / "none.sqlite").string());
  CHECK(missing.exit_code == 1);
  CHECK(single_line(missing.out));
  CHECK(missing.out.find((dir / "none.sqlite").string()) != std::string::npos);
  CHECK(missing.out.find("not found") != std::string::npos);
  const auto missing_log = run(driver() + " telemetry compare " + (dir / "none.jsonl").string());
  CHECK(missing_log.exit_code == 1);
  CHECK(missing_log.out.find((dir / "none.sqlite").string()) != std::string::npos);  // the log's store is named

  fhops_test::write(dir / "bad.sqlite", std::string(4096, 'x'));
  const auto corrupt = run(driver() + " telemetry compare " + (dir / "bad.sqlite").string());
  CHECK(corrupt.exit_code == 1);
  CHECK(single_line(corrupt.out));
  CHECK(corrupt.out.find((dir / "bad.sqlite").string()) != std::string::npos);

  // A store without runs: nothing to compare, not an error.
  { fhops::telemetry::sqlite_store fresh(dir / "fresh.sqlite"); }
  const auto empty = run(driver() + " telemetry compare " + (dir / "fresh.sqlite").string(), false);
  CHECK(empty.exit_code == 0);
  CHECK(empty.out.find("No runs with an objective to compare.") != std::string::npos);

  const auto bench = run(driver() + " bench suite -s " + fhops_test::demo() + " --out-dir " + (dir / "b").string() + " --compare");
  CHECK(bench.exit_code == 2);
  CHECK(first_line(bench.out).find("--compare needs --telemetry-log") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "b" / "summary.csv"));

  const auto help = run(driver() + " telemetry compare --help", false);
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Example: fhops telemetry compare ") != std::string::npos);
  CHECK(run(driver() + " telemetry --help", false).out.find("  compare ") != std::string::npos);
}
