// fhops/workflows/bench_suite.hpp's write_bench_summary: per scenario its MIP row, then its cells
// in unit order; the comparisons against the best heuristic and the MIP; the three summary files
// written; the rows returned in summary.csv's order.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/workflows/bench_suite.hpp"

namespace {

namespace fh = fhops::harvest;

fhops::record row(const std::string& scenario, const std::string& solver, double objective) {
  fhops::record r;
  r.set("scenario", scenario).set("solver", solver).set("preset_label", std::string()).set("objective", objective);
  for (const char* k : {"objective_min", "objective_max"}) r.set(k, objective);
  r.set("repeats", 1.0).set("runtime_s", 2.0).set("evaluations_per_second", 10.0);
  return r;
}

std::string text(const fhops::record& r, const char* key) { return std::get<std::string>(*r.find(key)); }

}  // namespace

TEST_CASE("write_bench_summary: MIP rows before their scenario's cells, comparisons added, three files, CSV order returned",
          "[workflows][bench]") {
  const auto dir = fhops_test::scratch("bench_summary");
  const std::vector<fhops::record> cells{row("b", "sa", 5.0), row("a", "tabu", 3.0), row("a", "sa", 4.0)};
  std::vector<std::size_t> asked;
  const auto sorted = fh::write_bench_summary(dir, {"b", "a"}, cells, [&](std::size_t i) -> std::optional<fhops::record> {
    asked.push_back(i);
    if (i == 1) return row("a", "mip", 4.5);  // scenario a only
    return std::nullopt;
  });
  CHECK(asked == std::vector<std::size_t>{0, 1});
  REQUIRE(sorted.size() == 4);
  // summary.csv's order: (scenario, solver), stable.
  CHECK(text(sorted[0], "scenario") == "a");
  CHECK(text(sorted[0], "solver") == "mip");
  CHECK(text(sorted[1], "solver") == "sa");
  CHECK(text(sorted[2], "solver") == "tabu");
  CHECK(text(sorted[3], "scenario") == "b");
  // Comparisons: a's best heuristic is sa (4.0); the MIP's gap counts the other way.
  CHECK(text(sorted[2], "best_heuristic_solver") == "sa");
  CHECK(sorted[2].number("objective_gap_vs_best_heuristic") == -1.0);
  CHECK(sorted[0].number("objective_gap_vs_best_heuristic") == -0.5);
  CHECK(sorted[1].number("objective_vs_mip_gap") == 0.5);
  CHECK(std::holds_alternative<std::monostate>(*sorted[3].find("objective_vs_mip_gap")));  // b has no MIP row
  // The files: the JSON keeps the placing order (b's cells, then a's MIP row and cells).
  const std::string json = fhops_test::slurp(dir / "summary.json");
  CHECK(json.find("\"scenario\": \"b\"") < json.find("\"solver\": \"mip\""));
  CHECK(fhops_test::count(fhops_test::slurp(dir / "summary.csv"), "\n") == 5);
  CHECK(fhops_test::slurp(dir / "summary.md").find("| a | mip |") != std::string::npos);
}

TEST_CASE("bench_run_on: a scenario's default weights as solve-heur takes them, a timed SA run's one-candidate step included",
          "[workflows][bench][batch]") {
  const auto dir = fhops_test::scratch("bench_run_on");
  const auto [hard, soft] = fhops_test::hard_and_soft_bundles(dir);
  const fh::problem hard_pb(fh::load_scenario(hard)), soft_pb(fh::load_scenario(soft));
  fh::bench_run run{"sa", "default", {}, "sa_assignments.csv"};
  run.scenario_defaults = true;
  // an iteration budget: the reference's step and the step weights
  CHECK(fh::bench_run_on(run, hard_pb).options.weights == fh::default_weights_for(fh::traits_of(hard_pb)));
  fh::bench_run timed = run;
  fh::use_time_budget(timed.options, 5.0);
  CHECK(fh::bench_run_on(timed, hard_pb).options.weights == fh::default_one_candidate_weights_for(fh::traits_of(hard_pb)));
  CHECK(fh::bench_run_on(timed, soft_pb).options.weights == fh::default_weights_for(fh::traits_of(soft_pb)));  // priced slack
  timed.options.batch = 0;  // a batch given: the step weights
  CHECK(fh::bench_run_on(timed, hard_pb).options.weights == fh::default_weights_for(fh::traits_of(hard_pb)));
  CHECK_FALSE(fh::bench_run_on(timed, hard_pb).scenario_defaults);
}
