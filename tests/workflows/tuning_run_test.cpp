// fhops/workflows/tuning_run.hpp: a tune command's run without the command line — every trial
// recorded and told in order, the tuner summary written; as work units, a lost trial leaves no
// summary and a resumed run runs only it, ending with the trials of an uninterrupted run.
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "demo_inputs.hpp"
#include "fhops/dist/session.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/workflows/tuning.hpp"
#include "fhops/workflows/tuning_run.hpp"

namespace {

namespace fd = fhops::dist;
namespace fh = fhops::harvest;
namespace tel = fhops::telemetry;
using fhops_test::count;
using fhops_test::slurp;

struct tuning_fixture : fhops_test::demo_inputs {

  fh::tuning_request request(tel::run_store& store, fd::session* session, bool resume) const {
    fh::tuning_request rq;
    rq.kind = fh::tuner_kind::random;
    rq.command = "tune-random";
    rq.space = &space;
    rq.base = fh::tuning_base_options(fh::solver_kind::sa, 200, std::nullopt);
    rq.trials = 3;
    rq.seed = 11;
    rq.contexts.push_back({rq.kind, rq.solver, "tuning-run-test", fhops_test::demo(), std::nullopt, 3, 200, "", ""});
    rq.summary_keys.push_back("demo");
    rq.problems = &problems;
    rq.scenarios = &scenarios;
    rq.store = &store;
    rq.session = session;
    rq.resume = resume;
    return rq;
  }
};

std::vector<double> values(const std::vector<fh::tuned_trial>& trials) {
  std::vector<double> v;
  for (const auto& t : trials) v.push_back(t.result.value);
  return v;
}

}  // namespace

TEST_CASE("run_tuning: every trial recorded and told in trial order, then the tuner summary", "[workflows][tuning_run]") {
  const tuning_fixture f;
  const auto dir = fhops_test::scratch("tuning_run");
  tel::run_store store(dir / "runs.jsonl", 0, 5000);
  std::vector<std::string> told;
  fh::tuning_progress progress;
  progress.scenario_started = [&](std::size_t si) { told.push_back("scenario " + std::to_string(si)); };
  progress.trial_done = [&](std::size_t, const fh::tuned_trial& t, std::size_t finished, double best) {
    told.push_back(std::to_string(t.result.t.number) + "/" + std::to_string(finished));
    CHECK(best >= t.result.value);
  };
  progress.scenario_done = [&](std::size_t, const std::vector<fh::tuned_trial>& trials) { told.push_back("done " + std::to_string(trials.size())); };
  const fh::tuning_result res = fh::run_tuning(f.request(store, nullptr, false), progress);
  CHECK(told == std::vector<std::string>{"scenario 0", "0/1", "1/2", "2/3", "done 3"});
  CHECK(res.records_written == 3);
  CHECK(res.failures == 0);
  CHECK(res.mirror_errors.empty());
  REQUIRE(res.trials.size() == 1);
  CHECK(res.trials[0].size() == 3);
  const std::string log = slurp(store.log());
  CHECK(count(log, "\"record_type\":\"run\"") == 3);
  CHECK(count(log, "\"record_type\":\"tuner_summary\"") == 1);
}

TEST_CASE("run_tuning as work units: a lost trial, no summary; --resume runs only it and ends as an uninterrupted run",
          "[workflows][tuning_run]") {
  const tuning_fixture f;
  const auto dir = fhops_test::scratch("tuning_run_units");
  tel::run_store plain_store(dir / "plain" / "runs.jsonl", 0, 5000);
  const fh::tuning_result plain = fh::run_tuning(f.request(plain_store, nullptr, false));

  tel::run_store store(dir / "units" / "runs.jsonl", 0, 5000);
  fd::local_session first(1);
  first.unit_hook = [](std::size_t u) {
    if (u == 1) throw std::runtime_error("trial 1 fails on purpose");
  };
  const fh::tuning_result a = fh::run_tuning(f.request(store, &first, false));
  CHECK(a.lost == std::vector<std::size_t>{1});
  CHECK(count(slurp(store.log()), "tuner_summary") == 0);  // incomplete: no summary

  fd::local_session second(1);
  std::set<std::size_t> ran;
  second.unit_hook = [&](std::size_t u) { ran.insert(u); };
  std::size_t resumed_told = 0;
  fh::tuning_progress progress;
  progress.resumed = [&](std::size_t n) { resumed_told = n; };
  const fh::tuning_result b = fh::run_tuning(f.request(store, &second, true), progress);
  CHECK(ran == std::set<std::size_t>{1});
  CHECK(b.lost.empty());
  CHECK(b.resumed == 2);
  CHECK(resumed_told == 2);
  REQUIRE(b.trials.size() == 1);
  CHECK(values(b.trials[0]) == values(plain.trials[0]));
  const std::string log = slurp(store.log());
  CHECK(count(log, "\"record_type\":\"run\"") == 3);
  CHECK(count(log, "tuner_summary") == 1);
}

TEST_CASE("the tuner registry: one entry per tuner in kind order; TPE writes a summary per scenario, the others one for all",
          "[workflows][tuning_run][registry]") {
  REQUIRE(fh::tuner_registry.size() == 3);
  std::set<std::string> labels, commands;
  for (const auto& t : fh::tuner_registry) {
    CHECK(&fh::tuner_info_of(t.kind) == &t);
    CHECK(std::string(fh::tuner_label(t.kind)) == t.label);
    CHECK(std::string(t.command) == std::string("tune-") + t.label);
    labels.insert(t.label);
    commands.insert(t.command);
  }
  CHECK(labels.size() == 3);
  CHECK(commands.size() == 3);

  tuning_fixture f;
  f.scenarios.push_back(f.scenarios[0]);
  f.problems.emplace_back(f.scenarios[1]);
  for (const auto kind : {fh::tuner_kind::random, fh::tuner_kind::bayes}) {
    const auto dir = fhops_test::scratch(std::string("tuning_run_registry_") + fh::tuner_label(kind));
    tel::run_store store(dir / "runs.jsonl", 0, 5000);
    fh::tuning_request rq = f.request(store, nullptr, false);
    rq.kind = kind;
    rq.trials = 2;
    rq.contexts[0].kind = kind;
    rq.contexts.push_back(rq.contexts[0]);
    rq.summary_keys.push_back("demo-again");
    const fh::tuning_result res = fh::run_tuning(rq);
    CHECK(res.records_written == 4);
    CHECK(count(slurp(store.log()), "\"record_type\":\"tuner_summary\"") == (fh::tuner_info_of(kind).per_scenario_summary ? 2u : 1u));
    CHECK(slurp(store.log()).find(std::string("\"algorithm\":\"") + fh::tuner_label(kind) + "\"") != std::string::npos);
  }
}
