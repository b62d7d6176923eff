// fhops solve-mip, bench suite --include-mip and solve-ils --hybrid-use-mip end to end (cbc).
#include "../test_support.hpp"

#include <algorithm>

#include <simdjson.h>

#include "fhops/harvest/harvest.hpp"
#include "fhops/search/exact/lp_solver.hpp"
#include "fhops/util/csv.hpp"

using fhops_test::driver;
using fhops_test::run;

namespace {

bool cli_have_cbc() {
  if (fhops::search::cbc_solver{}.available()) return true;
  WARN("skipped: cbc (Debian package coinor-cbc) is not on PATH");
  return false;
}

double mip_cli_objective(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE_FALSE(parser.parse(text).get(obj));
  return double(obj["objective"]);
}

}  // namespace

TEST_CASE("solve-mip writes a plan that evaluate re-scores to the printed objective", "[driver][mip]") {
  if (!cli_have_cbc() || !fhops_test::have_reference()) return;
  const auto dir = fhops_test::scratch("mip_cli");
  const std::string scenario = fhops_test::reference("scenarios/small21/scenario.yaml").string();
  const std::string csv = (dir / "mip.csv").string();
  const auto text = run(driver() + " solve-mip " + scenario + " --out " + csv + " --time-limit 60 --seed 3");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::StartsWith("Objective (mip): 78.090. Saved to " + csv + "\nKPI Summary\n"));
  CHECK_THAT(text.out, Catch::Contains("MIP: optimal; bound 78.090, gap 0.000\n"));
  const auto json = run(driver() + " solve-mip " + scenario + " --out " + csv + " --format json", false);
  REQUIRE(json.exit_code == 0);
  const auto again = run(driver() + " evaluate " + scenario + " --assignments " + csv + " --format json", false);
  REQUIRE(again.exit_code == 0);
  CHECK(mip_cli_objective(json.out) == mip_cli_objective(again.out));
  CHECK(mip_cli_objective(json.out) == Approx(78.09).margin(1e-9));
  std::filesystem::remove_all(dir);
}

TEST_CASE("solve-mip: a missing scenario is one line and exit 1; bad options exit 2", "[driver][mip]") {
  const auto dir = fhops_test::scratch("mip_cli_bad");
  const auto missing = run(driver() + " solve-mip /nowhere/scenario.yaml --out " + (dir / "x.csv").string());
  CHECK(missing.exit_code == 1);
  CHECK(std::count(missing.out.begin(), missing.out.end(), '\n') == 1);
  CHECK_THAT(missing.out, Catch::Contains("/nowhere/scenario.yaml"));
  CHECK(run(driver() + " solve-mip " + fhops_test::demo()).exit_code == 2);  // --out missing
  CHECK(run(driver() + " solve-mip " + fhops_test::demo() + " --out " + (dir / "x.csv").string() + " --time-limit -1").exit_code == 2);
  CHECK(run(driver() + " solve-mip " + fhops_test::demo() + " --out " + (dir / "x.csv").string() + " --seed -4").exit_code == 2);
  const auto no_cbc = run(driver() + " solve-mip " + fhops_test::demo() + " --out " + (dir / "x.csv").string() + " --cbc /nowhere/cbc");
  CHECK(no_cbc.exit_code == 1);
  CHECK_THAT(no_cbc.out, Catch::Contains("coinor-cbc"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.csv"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("bench suite --include-mip: a mip row, and the MIP columns of every row", "[driver][mip]") {
  if (!cli_have_cbc()) return;
  const auto dir = fhops_test::scratch("mip_bench");
  const auto r = run(driver() + " bench suite -s " + fhops_test::demo() + " --out-dir " + dir.string() +
                     " --include-mip --time-limit 2 --sa-iters 200");
  REQUIRE(r.exit_code == 0);
  const auto table = fhops::csv_table::parse(fhops_test::slurp(dir / "summary.csv"), (dir / "summary.csv").string());
  REQUIRE(table.size() == 2);
  const auto cell = [&](std::size_t row, const char* col) { return std::string(table.raw(row, table.column(col))); };
  REQUIRE(cell(0, "solver") == "mip");
  CHECK(cell(0, "solver_category") == "exact");
  CHECK(cell(0, "objective_vs_mip_gap") == "0.0");
  CHECK(cell(0, "objective_vs_mip_ratio") == "1.0");
  CHECK_FALSE(cell(0, "mip_status").empty());
  CHECK(cell(1, "solver") == "sa");
  const double mip = std::stod(cell(0, "objective")), sa = std::stod(cell(1, "objective"));
  CHECK(std::stod(cell(1, "objective_vs_mip_gap")) == Approx(mip - sa));
  CHECK(std::filesystem::exists(dir / "user-1" / "mip_assignments.csv"));
  std::filesystem::remove_all(dir);
  // without cbc: one line, exit 1, before any run
  const auto no_cbc = run("PATH=/nowhere " + driver() + " bench suite -s " + fhops_test::demo() + " --out-dir " + dir.string() + " --include-mip");
  CHECK(no_cbc.exit_code == 1);
  CHECK_THAT(no_cbc.out, Catch::Contains("--include-mip needs cbc"));
  CHECK_FALSE(std::filesystem::exists(dir / "summary.csv"));
  CHECK_FALSE(std::filesystem::exists(dir / "user-1" / "sa_assignments.csv"));
}

TEST_CASE("solve-ils --hybrid-use-mip takes the MIP's plan at a stall", "[driver][mip]") {
  if (!cli_have_cbc() || !fhops_test::have_reference()) return;
  const auto dir = fhops_test::scratch("mip_hybrid");
  const std::string scenario = fhops_test::reference("scenarios/small21/scenario.yaml").string();
  const auto r = run(driver() + " solve-ils " + scenario + " --out " + (dir / "ils.csv").string() +
                         " --iters 6 --stall-limit 1 --hybrid-use-mip --hybrid-mip-time-limit 30 --format json",
                     false);
  REQUIRE(r.exit_code == 0);
  CHECK(mip_cli_objective(r.out) == Approx(78.09).margin(1e-9));  // the MIP's optimum
  std::filesystem::remove_all(dir);
}
