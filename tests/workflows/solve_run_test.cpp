// fhops/workflows/solve_run.hpp: a solve command's run without the command line — the plan
// written, one record per run in the store (a multistart's best marked by its summary line), a
// failure after the start recorded with status "error" before it propagates, a run that failed
// before its start recorded by rethrow_recorded.
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../test_support.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/workflows/solve_run.hpp"

namespace {

namespace fh = fhops::harvest;
namespace tel = fhops::telemetry;
using fhops_test::count;
using fhops_test::slurp;

// The records of a log: (status, objective or NaN) in order.
std::vector<std::pair<std::string, double>> statuses(const std::filesystem::path& log) {
  std::vector<std::pair<std::string, double>> out;
  tel::read_jsonl(log.string(), [&](const auto&, tel::json&& v) {
    const auto& o = v.as_object();
    const std::string* type = tel::find_string(o, "record_type");
    if (!type || *type != "run") return;
    const auto* m = tel::find(o, "metrics");
    const auto* obj = m && m->is_object() ? tel::find(m->as_object(), "objective") : nullptr;
    out.emplace_back(*tel::find_string(o, "status"), obj ? obj->as_double() : std::nan(""));
  });
  return out;
}

fh::solve_request request(const std::filesystem::path& csv, tel::run_store* store) {
  fh::solve_request rq;
  rq.command = "solve-heur";
  rq.options.stop.max_iterations = 400;
  rq.options.seed = 3;
  rq.plan_csv = csv;
  rq.store = store;
  rq.context.source = "solve-run-test";
  return rq;
}

}  // namespace

TEST_CASE("run_solve: one run writes its plan and its record; a multistart one record per run and its summary line", "[workflows][solve_run]") {
  const fh::scenario sc = fh::load_scenario(fhops_test::demo());
  const auto dir = fhops_test::scratch("solve_run");
  tel::run_store store(dir / "t" / "runs.jsonl", 0, 5000);

  fh::solve_request rq = request(dir / "one.csv", &store);
  const fh::solve_result one = fh::run_solve(sc, rq, tel::null_observer{});
  CHECK_FALSE(one.worker);
  CHECK_FALSE(one.interrupted);
  CHECK_FALSE(one.mirror_error);
  REQUIRE(one.records.size() == 1);
  CHECK(one.records[0].status == "ok");
  const fh::problem pb(sc);
  CHECK(fh::evaluate(pb, fh::parse_assignments_csv(pb, slurp(dir / "one.csv"), "one.csv")).score == one.outcome.best.score);
  CHECK(one.outcome.best.score == fh::solve(pb, rq.options).best.score);  // the same run as solve()

  rq.plan_csv = dir / "multi.csv";
  rq.multistart = 3;
  rq.threads = 2;
  const fh::solve_result multi = fh::run_solve(sc, rq, tel::null_observer{});
  CHECK(multi.records.size() == 3);
  const auto [runs, best] = fh::solve_multistart(pb, rq.options, 3, 1);
  CHECK(multi.best_index == best);
  CHECK(multi.outcome.best.score == runs[best].result->best.score);
  const auto logged = statuses(store.log());
  REQUIRE(logged.size() == 4);
  for (std::size_t k = 0; k < 3; ++k) CHECK(logged[1 + k] == std::pair<std::string, double>{"ok", runs[k].result->best.score});
  CHECK(count(slurp(store.log()), "multi_start_summary") == 1);
}

TEST_CASE("run_solve: a failure after the start is recorded (status error) and propagates; so is a failed start", "[workflows][solve_run]") {
  const fh::scenario sc = fh::load_scenario(fhops_test::demo());
  const auto dir = fhops_test::scratch("solve_run_fail");
  tel::run_store store(dir / "runs.jsonl", 0, 5000);
  std::filesystem::create_directories(dir / "plan.csv");  // a folder where the plan should go: writing it fails
  const fh::solve_request rq = request(dir / "plan.csv", &store);
  CHECK_THROWS_AS(fh::run_solve(sc, rq, tel::null_observer{}), fhops::output_error);
  auto logged = statuses(store.log());
  REQUIRE(logged.size() == 1);
  CHECK(logged[0].first == "error");

  // Without a store the error propagates and nothing is written.
  CHECK_THROWS_AS(fh::run_solve(sc, request(dir / "plan.csv", nullptr), tel::null_observer{}), fhops::output_error);
  CHECK(statuses(store.log()).size() == 1);

  const auto error = std::make_exception_ptr(std::runtime_error("no such scenario"));
  CHECK_THROWS_WITH(fh::rethrow_recorded(&store, fh::solver_kind::sa, rq.options, rq.context, nullptr, error), "no such scenario");
  logged = statuses(store.log());
  REQUIRE(logged.size() == 2);
  CHECK(logged[1].first == "error");
  CHECK(slurp(store.log()).find("no such scenario") != std::string::npos);
}
