// The fhops driver end to end: output, exit codes (0 ok, 1 runtime failure, 2 usage error) and
// that failures leave existing outputs intact.
#include "../test_support.hpp"

#include <simdjson.h>

#include "fhops/harvest/harvest.hpp"

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;

}  // namespace

TEST_CASE("fhops validate prints the counts of the demo bundle", "[driver]") {
  const auto r = run(driver() + " validate " + demo());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Scenario: Demo Valley"));
  CHECK_THAT(r.out, Catch::Matches("(.|\n)*Days +10\n(.|\n)*"));
  CHECK_THAT(r.out, Catch::Matches("(.|\n)*Shift slots +20\n(.|\n)*"));
  CHECK_THAT(r.out, Catch::Matches("(.|\n)*Machines +5\n(.|\n)*"));
  CHECK_THAT(r.out, Catch::Matches("(.|\n)*Harvest systems +4\n(.|\n)*"));
}

TEST_CASE("fhops validate rejects a bad bundle with one line and exit 1", "[driver]") {
  const auto dir = fhops_test::scratch("cli_invalid");
  const auto yaml = fhops_test::write_bundle(dir, "bad", 3, "id,landing_id,work_required\nB1,L2,1.0\n", "id\nM1\n",
                                             "id,daily_capacity\nL1,1\n", "machine_id,day,available\nM1,1,1\n",
                                             "machine_id,block_id,rate\nM1,B1,1.0\n");
  const auto r = run(driver() + " validate " + yaml.string());
  CHECK(r.exit_code == 1);
  CHECK(r.out == "fhops validate: error: " + (dir / "b.csv").string() +
                     ":2: column 'landing_id': Block B1 references unknown landing_id=L2\n");
}

TEST_CASE("usage errors exit 2 and name the option", "[driver]") {
  CHECK(run(driver()).exit_code == 2);
  CHECK(run(driver() + " frobnicate").exit_code == 2);
  const auto missing = run(driver() + " evaluate " + demo());
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.out, Catch::Contains("assignments"));
  const auto bad_format = run(driver() + " evaluate " + demo() + " --assignments x.csv --format xml");
  CHECK(bad_format.exit_code == 2);
  CHECK_THAT(bad_format.out, Catch::Contains("--format must be one of text, json (got 'xml')"));
  const auto unknown = run(driver() + " validate " + demo() + " --colour");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.out, Catch::Contains("colour"));
  CHECK(run(driver() + " --help").exit_code == 0);
  CHECK(run(driver() + " evaluate --help").exit_code == 0);
}

TEST_CASE("greedy writes the seed; evaluate --format json prints one exact object", "[driver]") {
  const auto dir = fhops_test::scratch("cli_greedy");
  const std::string csv = (dir / "sub/greedy.csv").string();
  const auto g = run(driver() + " greedy " + demo() + " --out " + csv);
  REQUIRE(g.exit_code == 0);
  const auto r = run(driver() + " evaluate " + demo() + " --assignments " + csv + " --format json", false);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE_FALSE(parser.parse(r.out).get(obj));
  const auto pb = fhops::harvest::problem(fhops::harvest::load_scenario(demo()));
  const auto e = fhops::harvest::evaluate(pb, fhops::harvest::greedy_schedule(pb));
  CHECK(double(obj["objective"]) == e.score);  // round-trip exact
  CHECK(double(obj["production"]) == e.production);
  CHECK(double(obj["mobilisation_cost"]) == e.mobilisation_cost);
  CHECK(int64_t(obj["transitions"]) == e.transitions);
  CHECK(double(obj["landing_slack"]) == e.landing_slack);
  CHECK(int64_t(obj["penalty_events"]) == e.penalty_events);
  simdjson::dom::object kpis;
  REQUIRE_FALSE(obj["kpis"].get(kpis));
  CHECK(double(kpis["total_production"]) > 0.0);
  CHECK(std::string_view(kpis["sequencing_violation_breakdown"]).size() > 0);
  std::size_t keys = 0;
  for (auto f : obj) (void)f, ++keys;
  CHECK(keys == 7);
  SECTION("text format prints the objective and the KPI summary") {
    const auto t = run(driver() + " evaluate " + demo() + " --assignments " + csv + " --kpi-mode basic");
    CHECK(t.exit_code == 0);
    CHECK_THAT(t.out, Catch::StartsWith("Objective: "));
    CHECK_THAT(t.out, Catch::Contains("KPI Summary\nProduction\n"));
    CHECK_THAT(t.out, !Catch::Contains("Utilisation"));
  }
}

TEST_CASE("a failing command leaves an existing output file intact", "[driver]") {
  const auto dir = fhops_test::scratch("cli_intact");
  const auto out = dir / "plan.csv";
  fhops_test::write(out, "keep me\n");
  const auto r = run(driver() + " greedy /nonexistent/scenario.yaml --out " + out.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("/nonexistent/scenario.yaml"));
  CHECK(fhops_test::slurp(out) == "keep me\n");
  SECTION("an output path that is a directory is a clear error") {
    const auto d = run(driver() + " greedy " + demo() + " --out " + dir.string());
    CHECK(d.exit_code == 1);
    CHECK_THAT(d.out, Catch::Contains("is a directory"));
  }
}

TEST_CASE("evaluate reports a bad assignments row with its line", "[driver]") {
  const auto dir = fhops_test::scratch("cli_badrow");
  fhops_test::write(dir / "plan.csv", "machine_id,block_id,day,shift_id,assigned\nF1,B01,1,day,1\nF1,B01,1,day,1\n");
  const auto r = run(driver() + " evaluate " + demo() + " --assignments " + (dir / "plan.csv").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("plan.csv:3: column 'machine_id'"));
}

TEST_CASE("a FIFO or /dev/zero as a bundle file or --assignments fails at once with one line", "[driver][input]") {
  // `timeout` turns a hang into exit 124 instead of a stuck suite.
  const auto dir = fhops_test::scratch("cli_fifo");
  const auto yaml = fhops_test::write_bundle(dir, "fifo", 3, "", "id\nM1\n", "id,daily_capacity\nL1,1\n",
                                             "machine_id,day,available\nM1,1,1\n", "machine_id,block_id,rate\nM1,B1,1.0\n");
  std::filesystem::remove(dir / "b.csv");
  fhops_test::make_fifo(dir / "b.csv");
  const auto v = run("timeout 60 " + driver() + " validate " + yaml.string());
  CHECK(v.exit_code == 1);
  CHECK(v.out == "fhops validate: error: " + (dir / "b.csv").string() +
                     ": is not a regular file (a FIFO, device or socket); only regular files are read\n");
  fhops_test::make_fifo(dir / "plan.csv");
  const auto f = run("timeout 60 " + driver() + " evaluate " + demo() + " --assignments " + (dir / "plan.csv").string());
  CHECK(f.exit_code == 1);
  CHECK(f.out == "fhops evaluate: error: " + (dir / "plan.csv").string() +
                     ": is not a regular file (a FIFO, device or socket); only regular files are read\n");
  const auto z = run("timeout 60 " + driver() + " evaluate " + demo() + " --assignments /dev/zero");
  CHECK(z.exit_code == 1);
  CHECK(z.out == "fhops evaluate: error: /dev/zero: is not a regular file (a FIFO, device or socket); only regular files are read\n");
}

TEST_CASE("a blackout on days beyond the int range changes nothing, as in the reference", "[driver]") {
  // 4294967297 used to wrap to day 1: the demo's greedy plan then lost days 1-2.
  const auto dir = fhops_test::scratch("cli_bigblackout");
  std::filesystem::copy(demo(), dir / "demo", std::filesystem::copy_options::recursive);
  std::filesystem::copy(demo(), dir / "none", std::filesystem::copy_options::recursive);
  const std::string yaml = fhops_test::slurp(dir / "demo/scenario.yaml");
  const std::string window = "    - start_day: 6\n      end_day: 6\n";
  const auto at = yaml.find(window);
  REQUIRE(at != std::string::npos);
  std::string big = yaml, none = yaml;
  big.replace(at, window.size(), "    - start_day: 4294967297\n      end_day: 4294967298\n");
  none.replace(at, window.size(), "    - start_day: 11\n      end_day: 11\n");
  fhops_test::write(dir / "demo/scenario.yaml", big);
  fhops_test::write(dir / "none/scenario.yaml", none);
  const auto score = [&](const std::string& bundle) {
    const std::string csv = (dir / (bundle + ".csv")).string();
    REQUIRE(run(driver() + " greedy " + (dir / bundle).string() + " --out " + csv).exit_code == 0);
    const auto r = run(driver() + " evaluate " + (dir / bundle).string() + " --assignments " + csv + " --format json", false);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  CHECK(score("demo") == score("none"));
}
