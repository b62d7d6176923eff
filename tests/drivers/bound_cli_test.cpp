// fhops bound, and --bound on the solve commands, end to end.
#include "../test_support.hpp"

#include <simdjson.h>

#include "fhops/harvest/harvest.hpp"

using fhops_test::demo;
using fhops_test::driver;
using fhops_test::run;

TEST_CASE("fhops bound prints one field per line, or one JSON object", "[driver][bound]") {
  const auto text = run(driver() + " bound " + demo(), false);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::StartsWith("scenario: "));
  for (const char* field : {"\nupper_bound: ", "\niterations: ", "\nseconds: ", "\nmethod: lagrangian"})
    CHECK_THAT(text.out, Catch::Contains(field));
  const auto json = run(driver() + " bound " + demo() + " --format json --iterations 50 --branch-nodes 0 --time-limit 30", false);
  REQUIRE(json.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE_FALSE(parser.parse(json.out).get(obj));
  CHECK(std::string_view(obj["method"]) == "lagrangian");
  CHECK(int64_t(obj["iterations"]) >= 1);
  CHECK(int64_t(obj["iterations"]) <= 50);
  CHECK(double(obj["seconds"]) >= 0.0);
  // the bound is above the greedy plan's score (its target)
  CHECK(double(obj["upper_bound"]) >= double(obj["target"]));
}

TEST_CASE("fhops bound: a bad bundle is one line naming the file (exit 1); a bad option exits 2", "[driver][bound]") {
  if (fhops_test::have_reference()) {
    const auto bad = run(driver() + " bound " + fhops_test::reference("scenarios/invalid").string());
    CHECK(bad.exit_code == 1);
    CHECK(fhops_test::count(bad.out, "\n") == 1);
    CHECK_THAT(bad.out, Catch::Contains("blocks.csv"));
    CHECK_THAT(bad.out, Catch::StartsWith("fhops bound: error: "));
  }
  const auto missing = run(driver() + " bound /nonexistent/fhops/bundle");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.out, Catch::Contains("/nonexistent/fhops/bundle"));
  CHECK(run(driver() + " bound").exit_code == 2);
  CHECK(run(driver() + " bound " + demo() + " --iterations 0").exit_code == 2);
  CHECK(run(driver() + " bound " + demo() + " --format xml").exit_code == 2);
}

TEST_CASE("solve --bound reports upper_bound and gap on the console, in JSON and in the run record", "[driver][bound][solve]") {
  const auto dir = fhops_test::scratch("bound_solve");
  const std::string csv = (dir / "plan.csv").string();
  const auto text = run(driver() + " solve-heur " + demo() + " --out " + csv + " --bound --time-limit 1", false);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("\nupper_bound: "));
  CHECK_THAT(text.out, Catch::Contains("\ngap: "));
  CHECK(std::filesystem::exists(csv));
  const std::string log = (dir / "runs.jsonl").string();
  const auto json = run(driver() + " solve-tabu " + demo() + " --out " + csv + " --iters 200 --bound --format json --telemetry-log " + log, false);
  REQUIRE(json.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE_FALSE(parser.parse(json.out).get(obj));
  const double objective = double(obj["objective"]), upper = double(obj["upper_bound"]), gap = double(obj["gap"]);
  CHECK(upper >= objective);
  CHECK(gap == Approx((upper - objective) / std::fabs(upper)));
  simdjson::dom::parser record_parser;
  simdjson::dom::object record;
  REQUIRE_FALSE(record_parser.parse(fhops_test::slurp(log)).get(record));
  CHECK(double(record["extra"]["upper_bound"]) == upper);
  CHECK(double(record["extra"]["gap"]) == gap);
  // without --bound the record has neither field
  const std::string plain = (dir / "plain.jsonl").string();
  REQUIRE(run(driver() + " solve-tabu " + demo() + " --out " + csv + " --iters 200 --telemetry-log " + plain).exit_code == 0);
  CHECK_THAT(fhops_test::slurp(plain), !Catch::Contains("upper_bound"));
}
