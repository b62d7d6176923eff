// Every numeric option of every command refuses what it cannot mean (issue 24): non-finite numbers,
// negatives where a count or a duration is asked, values out of range after unit conversion. The
// check runs as the command line is parsed, so FHOPS_CHECK_ARGS=1 (nothing runs) finds them too.
#include "../test_support.hpp"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;

struct bad_value {
  std::string command;  ///< the command line without the option (valid on its own)
  std::string option;   ///< without the dashes
  std::string value;
  std::string domain;   ///< what the message says the option must be
};

std::vector<bad_value> bad_values() {
  const std::string never = " --out /tmp/fhops_never_written.csv";
  const std::string heur = "solve-heur " + demo() + never, ils = "solve-ils " + demo() + never, tabu = "solve-tabu " + demo() + never;
  const std::string seconds = "a finite number of seconds in (0, 1000000000]";
  const std::string busy = "a finite number of seconds in [0, 2147483]";
  std::vector<bad_value> v;
  for (const std::string& solve : {heur, ils, tabu}) {
    for (const char* x : {"nan", "inf", "-inf", "-1", "0", "1e300"}) v.push_back({solve, "time-limit", x, seconds});
    for (const char* x : {"inf", "nan", "-1", "1e10"}) v.push_back({solve + " --telemetry-log /tmp/fhops_never_written.jsonl", "telemetry-busy-timeout", x, busy});
    v.push_back({solve, "iters", "0", "an integer >= 1"});
    v.push_back({solve, "iters", "-5", "an integer >= 1"});
    v.push_back({solve, "parallel-workers", "-1", "an integer >= 0"});
    v.push_back({solve + " --telemetry-log /tmp/fhops_never_written.jsonl", "step-interval", "-1", "an integer >= 0"});
    v.push_back({solve, "lagrangian-bound", "0", "an integer >= 1"});
  }
  v.push_back({heur, "parallel-multistart", "0", "an integer in [1, 10000]"});
  v.push_back({heur, "parallel-multistart", "10001", "an integer in [1, 10000]"});
  for (const char* x : {"nan", "inf", "0", "-2"}) v.push_back({heur, "initial-temperature", x, "a finite number > 0"});
  for (const char* x : {"nan", "-inf", "0"}) v.push_back({heur, "final-temperature", x, "a finite number > 0"});
  for (const char* x : {"0", "1000000000000"}) v.push_back({heur, "late-length", x, "an integer in [1, 1000000]"});
  // Counts: 0 where at least 1 is needed, -1 where 0 means "automatic" or "none".
  const auto each = [&](const std::string& cmd, std::initializer_list<const char*> options, const char* value, const char* domain) {
    for (const char* o : options) v.push_back({cmd, o, value, domain});
  };
  each(heur, {"restart-period"}, "-1", "an integer >= 0");
  each(ils, {"perturbation-strength", "stall-limit", "ls-patience"}, "0", "an integer >= 1");
  each(ils, {"ls-samples", "hybrid-mip-time-limit"}, "-1", "an integer >= 0");
  each(tabu, {"tabu-tenure", "restart-stall", "tabu-tenure-max", "candidates"}, "-1", "an integer >= 0");
  each(tabu, {"stall-limit"}, "0", "an integer >= 1");
  const std::string bound = "bound " + demo();
  for (const char* x : {"nan", "inf", "-1", "0", "1e300"}) v.push_back({bound, "time-limit", x, seconds});
  v.push_back({bound, "iterations", "0", "an integer >= 1"});
  v.push_back({bound, "branch-nodes", "-1", "an integer >= 0"});
  const std::string landings = "solve-landings " + demo() + never;
  v.push_back({landings, "max-crew", "0", "an integer in [1, 8]"});
  v.push_back({landings, "max-crew", "9", "an integer in [1, 8]"});
  v.push_back({landings, "bound-iterations", "-1", "an integer >= 0"});
  for (const std::string tuner : {"tune-random", "tune-grid", "tune-bayes", "tune-race"}) {
    const std::string t = tuner + " " + demo();
    v.push_back({t, "iters", "9", "an integer >= 10"});
    v.push_back({t, "time-limit", "inf", seconds});
    v.push_back({t, "jobs", "0", "an integer >= 1"});
    v.push_back({t, "step-interval", "-1", "an integer >= 0"});
  }
  v.push_back({"tune-grid " + demo() + " --batch-size 2", "batch-size", "0", "an integer >= 1"});
  v.push_back({"tune-random " + demo(), "runs", "0", "an integer in [1, 100000]"});
  v.push_back({"tune-random " + demo(), "runs", "1000000000", "an integer in [1, 100000]"});
  v.push_back({"tune-bayes " + demo(), "trials", "100001", "an integer in [1, 100000]"});
  v.push_back({"tune-race " + demo(), "budget", "0", "an integer in [1, 20000]"});
  v.push_back({"tune-race " + demo(), "first-test", "1", "an integer in [2, 1000]"});
  const std::string plan = "tuning-plan run --scenario " + demo();
  for (const char* o : {"random-runs", "bayes-trials", "ils-runs", "tabu-runs"}) {
    v.push_back({plan, o, "0", "an integer in [1, 100000]"});
    v.push_back({plan, o, "100001", "an integer in [1, 100000]"});
  }
  v.push_back({plan + " --grid-batch-size 2", "grid-batch-size", "-1", "an integer >= 1"});
  for (const char* o : {"random-iters", "grid-iters", "bayes-iters", "ils-iters", "tabu-iters", "jobs", "max-workers"})
    v.push_back({plan, o, "0", "an integer >= 1"});
  for (const char* o : {"random-seed", "grid-seed", "bayes-seed", "ils-base-seed", "tabu-base-seed", "step-interval"})
    v.push_back({plan, o, "-1", "an integer >= 0"});
  const std::string bench = "bench suite -s " + demo();
  v.push_back({bench, "repeats", "0", "an integer in [1, 100000]"});
  for (const char* x : {"nan", "inf", "-1"}) v.push_back({bench, "run-seconds", x, seconds});
  for (const char* o : {"sa-iters", "ils-iters", "tabu-iters", "ils-perturbation-strength", "ils-stall-limit", "tabu-stall-limit", "jobs"})
    v.push_back({bench, o, "0", "an integer >= 1"});
  v.push_back({bench, "tabu-tenure", "-1", "an integer >= 0"});
  for (const char* x : {"inf", "nan", "0", "-3"}) v.push_back({"analytics run --out /tmp/fhops_never_written", "timeout", x, seconds});
  const std::string weekly = "ops weekly --out /tmp/fhops_never_written";
  v.push_back({weekly, "trials", "0", "an integer in [1, 100000]"});
  v.push_back({weekly, "iters", "9", "an integer >= 10"});
  v.push_back({weekly, "analytics-timeout", "nan", seconds});
  for (const char* x : {"inf", "nan", "0", "-1", "1e300"})
    v.push_back({"ops pages --from /tmp --out /tmp/fhops_never_written", "max-file-mb", x, "a finite number in (0, 1000000000000]"});
  v.push_back({"telemetry prune /tmp/fhops_never_written.jsonl", "keep", "0", "an integer >= 1"});
  for (const std::string t : {"telemetry prune /tmp/fhops_never_written.jsonl", "telemetry maintain /tmp/fhops_never_written.sqlite",
                              "telemetry import /tmp/fhops_never_written.jsonl --into /tmp/fhops_never_written.sqlite"})
    for (const char* x : {"inf", "nan", "-1", "2147484"}) v.push_back({t, "busy-timeout", x, busy});
  const std::string history = "telemetry history --report /tmp/fhops_never_written.csv --telemetry-log /tmp/fhops_never_written.jsonl";
  for (const char* o : {"convergence-threshold", "convergence-soft-threshold"})
    for (const char* x : {"nan", "inf"}) v.push_back({history, o, x, "a finite number"});
  return v;
}

}  // namespace

TEST_CASE("every numeric option refuses nan, inf, negatives and out-of-range values with one line naming it (issue 24)",
          "[driver][options]") {
  for (const auto& b : bad_values()) {
    const std::string cmd = driver() + " " + b.command + " --" + b.option + " " + b.value;
    INFO(cmd);
    const auto r = run("FHOPS_CHECK_ARGS=1 " + cmd);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains("usage error: --" + b.option + " must be " + b.domain + " (got '"));
    CHECK_THAT(r.out, !Catch::Contains("arguments OK"));
  }
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.csv"));
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.jsonl"));
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written"));
}

TEST_CASE("numeric options: the messages name the value; real runs stop before any work", "[driver][options]") {
  const std::string base = driver() + " solve-heur " + demo() + " --out /tmp/fhops_never_written.csv";
  const auto busy = run(base + " --telemetry-log /tmp/fhops_never_written.jsonl --telemetry-busy-timeout inf");
  CHECK(busy.exit_code == 2);
  CHECK_THAT(busy.out, Catch::Contains("--telemetry-busy-timeout must be a finite number of seconds in [0, 2147483] (got 'inf')"));
  // --iters 0 is refused (it used to run one iteration); without --iters, --time-limit alone is unlimited.
  const auto zero = run(base + " --iters 0");
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.out, Catch::Contains("--iters must be an integer >= 1 (got '0')"));
  const auto time = run(base + " --time-limit nan");
  CHECK(time.exit_code == 2);
  CHECK_THAT(time.out, Catch::Contains("--time-limit must be a finite number of seconds in (0, 1000000000] (got 'nan')"));
  // Operator weights: nan and -1 were taken as 0, inf refused elsewhere; now all three are refused alike.
  for (const std::string w : {"nan", "-1", "inf"}) {
    const auto r = run(base + " -w swap=" + w);
    INFO(w);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains("--operator-weight: Operator weight for 'swap' must be a finite number >= 0 (got '" + w + "')"));
    const auto bench = run(driver() + " bench suite -s " + demo() + " --out-dir /tmp/fhops_never_written -w swap=" + w);
    CHECK(bench.exit_code == 2);
  }
  CHECK(run(base + " --iters 99999999999999999999").exit_code == 2);  // beyond long long: the parser says so
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.csv"));
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.jsonl"));
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written"));
}

TEST_CASE("synth's numeric parameters refuse nan, inf and out-of-range values naming the option", "[driver][options][synth]") {
  const auto dir = fhops_test::scratch("options_synth");
  const std::string base = driver() + " synth --tier small --out " + (dir / "b").string();
  for (const std::string args : {"--blocks nan", "--blocks inf", "--blocks -3", "--machines 99999999999", "--days 1e9",
                                 "--availability-probability nan", "--availability-probability inf", "--shift-hours inf",
                                 "--work-required nan", "--production-rate -inf", "--seed -1", "--area-m 1e300"}) {
    const auto r = run(base + " " + args);
    INFO(args << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains(args.substr(0, args.find(' ')) + ":"));
  }
  CHECK_FALSE(std::filesystem::exists(dir / "b"));
}
