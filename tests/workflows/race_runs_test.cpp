// fhops/workflows/race_runs.hpp's run_race_session: the whole race over a dist::session — the
// same race on one thread and on two (results told in ask order), one record per evaluation and
// the race summary; an evaluation lost with its worker is counted failed, reported, and leaves no
// summary.
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "demo_inputs.hpp"
#include "fhops/dist/session.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/workflows/race_runs.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/work_units.hpp"

namespace {

namespace fd = fhops::dist;
namespace fh = fhops::harvest;
namespace tel = fhops::telemetry;
using fhops_test::count;
using fhops_test::slurp;

struct race_fixture : fhops_test::demo_inputs {

  fh::race_request request(tel::run_store& store) const {
    fh::race_request rq;
    rq.space = &space;
    rq.parameters.budget = 24;
    rq.parameters.first_test = 3;
    rq.parameters.blocks = fh::race_block_count(rq.parameters.budget, rq.parameters.first_test);
    rq.seed = 9;
    rq.blocks = fh::race_blocks::plan(1, rq.parameters.blocks, rq.seed);
    rq.bases.push_back(fh::tuning_options_for(fh::tuning_base_options(fh::solver_kind::sa, 100, std::nullopt), problems[0].num_machines));
    rq.contexts.push_back({fh::solver_kind::sa, "race-runs-test", "", std::nullopt, 24, 100, fhops_test::demo(), "", ""});
    rq.summary_keys.push_back("demo");
    rq.problems = &problems;
    rq.scenarios = &scenarios;
    rq.store = &store;
    return rq;
  }
};

std::vector<double> values(const fh::race_outcome& o) {
  std::vector<double> v;
  for (const auto& r : o.results) v.push_back(r.value);
  return v;
}

}  // namespace

TEST_CASE("run_race_session: the same race on one thread and two; a record per evaluation and the summary", "[workflows][race]") {
  const race_fixture f;
  const auto dir = fhops_test::scratch("race_runs");
  tel::run_store one_store(dir / "one" / "runs.jsonl", 0, 5000), two_store(dir / "two" / "runs.jsonl", 0, 5000);
  fd::local_session one(1), two(2);
  std::size_t started = 0, steps = 0;
  fh::race_progress progress;
  progress.started = [&] { ++started; };
  progress.step_done = [&](const fhops::tune::race&, std::size_t) { ++steps; };
  const fh::race_outcome a = fh::run_race_session(f.request(one_store), one, progress);
  const fh::race_outcome b = fh::run_race_session(f.request(two_store), two);
  CHECK(started == 1);
  CHECK(steps >= 1);
  REQUIRE(a.race);
  CHECK(a.results.size() == a.race->used());
  CHECK(a.results.size() <= 24);
  CHECK(values(a) == values(b));  // told in ask order: the race does not depend on the threads
  CHECK(a.race->best() == b.race->best());
  CHECK(a.records_written == a.results.size());
  CHECK(a.failures == 0);
  CHECK(a.lost.empty());
  REQUIRE(a.race->best());
  REQUIRE(a.best_means.size() == 1);
  CHECK(a.best_means[0].key == "demo");
  const std::string log = slurp(one_store.log());
  CHECK(count(log, "\"record_type\":\"run\"") == a.results.size());
  CHECK(count(log, "\"record_type\":\"tuner_summary\"") == 1);
}

TEST_CASE("run_race_session: an evaluation lost with its worker counts as failed, is reported, and leaves no summary", "[workflows][race]") {
  const race_fixture f;
  const auto dir = fhops_test::scratch("race_runs_lost");
  tel::run_store store(dir / "runs.jsonl", 0, 5000);
  fd::local_session session(1);
  session.unit_hook = [](std::size_t u) {
    if (u == 2) throw std::runtime_error("evaluation 2 lost on purpose");
  };
  std::vector<std::string> failed;
  fh::race_progress progress;
  progress.failed = [&](const fhops::tune::race_result& r) { failed.push_back(r.error); };
  const fh::race_outcome o = fh::run_race_session(f.request(store), session, progress);
  CHECK(o.lost == std::vector<std::string>{"2"});
  CHECK(o.failures == 1);
  CHECK(failed == std::vector<std::string>{"evaluation 2 lost on purpose"});
  CHECK(o.records_written == o.results.size() - 1);
  CHECK(count(slurp(store.log()), "tuner_summary") == 0);
}
