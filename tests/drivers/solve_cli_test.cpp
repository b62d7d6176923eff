// fhops solve-heur | solve-ils | solve-tabu end to end.
#include "../test_support.hpp"

#include <optional>

#include <simdjson.h>

#include "fhops/harvest/harvest.hpp"
#include "fhops/search/exact/lp_solver.hpp"

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;

// Runs `fhops solve-heur SCENARIO --out DIR/p.csv --format json OPTIONS` (exit 0 required) and
// returns `read` of its JSON output.
template <class Read>
auto solve_heur_json_of(const std::filesystem::path& dir, const std::string& scenario, const std::string& options, Read read) {
  const auto r = run(driver() + " solve-heur " + scenario + " --out " + (dir / "p.csv").string() + " --format json " + options);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element obj;
  REQUIRE_FALSE(parser.parse(r.out).get(obj));
  return read(obj);
}

}  // namespace

TEST_CASE("solve-heur writes the best plan; its JSON objective is that plan's exact score", "[driver][solve]") {
  const auto dir = fhops_test::scratch("solve_json");
  const std::string csv = (dir / "plan.csv").string();
  const auto r = run(driver() + " solve-heur " + demo() + " --out " + csv + " --iters 3000 --format json", false);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE_FALSE(parser.parse(r.out).get(obj));
  const auto pb = fhops::harvest::problem(fhops::harvest::load_scenario(demo()));
  const auto plan = fhops::harvest::read_assignments_csv(pb, csv);
  CHECK(double(obj["objective"]) == fhops::harvest::evaluate(pb, plan).score);
  CHECK(int64_t(obj["iterations"]) == 3000);
  CHECK(int64_t(obj["seed"]) == 42);
  CHECK(int64_t(obj["evaluations"]) > 0);
  CHECK(double(obj["evaluations_per_second"]) > 0);
  CHECK(double(obj["seconds"]) >= 0);
  CHECK(std::string_view(obj["stop_reason"]) == "iterations");
  simdjson::dom::object kpis;
  CHECK_FALSE(obj["kpis"].get(kpis));
  SECTION("the same seed writes the same bytes; another seed searches differently") {
    const std::string again = (dir / "again.csv").string();
    REQUIRE(run(driver() + " solve-heur " + demo() + " --out " + again + " --iters 3000").exit_code == 0);
    CHECK(fhops_test::slurp(again) == fhops_test::slurp(csv));
    REQUIRE(run(driver() + " solve-heur " + demo() + " --out " + again + " --iters 3000 --seed 7").exit_code == 0);
    CHECK(fhops_test::slurp(again) != fhops_test::slurp(csv));
  }
}

TEST_CASE("the progress line shows the share of the budget and an ETA", "[driver][solve][progress]") {
  const auto dir = fhops_test::scratch("solve_progress");
  const std::string csv = (dir / "plan.csv").string();
  // FHOPS_PROGRESS=always: the line is shown without a terminal, one update per line.
  const auto r = run("FHOPS_PROGRESS=always " + driver() + " solve-heur " + demo() + " --out " + csv + " --iters 4000");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("iteration 1 ") != std::string::npos);
  CHECK(r.out.find("%  ETA ") != std::string::npos);
  const auto timed = run("FHOPS_PROGRESS=always " + driver() + " solve-heur " + demo() + " --out " + csv + " --time-limit 0.6");
  REQUIRE(timed.exit_code == 0);
  CHECK(timed.out.find("%  ETA ") != std::string::npos);
  // Without a terminal and without the variable: no progress line; JSON output never has one.
  CHECK(run(driver() + " solve-heur " + demo() + " --out " + csv + " --iters 4000").out.find("ETA") == std::string::npos);
  CHECK(run("FHOPS_PROGRESS=always " + driver() + " solve-heur " + demo() + " --out " + csv + " --iters 4000 --format json").out.find("ETA") ==
        std::string::npos);
}

TEST_CASE("solve commands print the reference's text output", "[driver][solve]") {
  const auto dir = fhops_test::scratch("solve_text");
  const std::string csv = (dir / "plan.csv").string();
  const auto sa = run(driver() + " solve-heur " + demo() + " --out " + csv + " --iters 500 --show-operator-stats -P balanced");
  REQUIRE(sa.exit_code == 0);
  CHECK_THAT(sa.out, Catch::StartsWith("Objective (heuristic): "));
  CHECK_THAT(sa.out, Catch::Contains(". Saved to " + csv + "\nKPI Summary\n"));
  CHECK_THAT(sa.out, Catch::Contains("Operators: {'swap': 1.0, 'move': 1.0, 'block_insertion': 0.0, 'cross_exchange': 0.0, "
                                     "'mobilisation_shake': 0.0, 'run_fill': 0.0"));
  CHECK_THAT(sa.out, Catch::Contains("Operator stats:\n  swap: proposals="));
  CHECK_THAT(sa.out, !Catch::Contains("  run_fill: proposals="));  // disabled operators are never asked
  const auto ils = run(driver() + " solve-ils " + demo() + " --out " + csv + " --iters 20");
  CHECK(ils.exit_code == 0);
  CHECK_THAT(ils.out, Catch::StartsWith("Objective (ils): "));
  const auto tabu = run(driver() + " solve-tabu " + demo() + " --out " + csv + " --iters 200 --tabu-tenure 0");
  CHECK(tabu.exit_code == 0);
  CHECK_THAT(tabu.out, Catch::StartsWith("Objective (tabu): "));
  const auto multi = run(driver() + " solve-heur " + demo() + " --out " + csv + " --iters 300 --parallel-multistart 3");
  CHECK(multi.exit_code == 0);
  CHECK_THAT(multi.out, Catch::Contains("Parallel multi-start executed 3 runs; best seed="));
}

TEST_CASE("list flags need neither a scenario nor --out", "[driver][solve]") {
  const auto p = run(driver() + " solve-heur --list-profiles");
  CHECK(p.exit_code == 0);
  CHECK_THAT(p.out, Catch::StartsWith("Solver profiles:\ndefault: "));
  const auto q = run(driver() + " solve-tabu --list-operator-presets");
  CHECK(q.exit_code == 0);
  CHECK_THAT(q.out, Catch::StartsWith("Operator presets:\n"));
}

TEST_CASE("bad solver options exit 2 with a clear message", "[driver][solve]") {
  const std::string base = driver() + " solve-heur " + demo() + " --out /tmp/fhops_never_written.csv";
  const std::vector<std::pair<std::string, std::string>> cases{
      {" -o zap", "Unknown operators requested: zap"},
      {" -P nope", "Unknown operator preset 'nope'"},
      {" --profile nope", "Unknown profile 'nope'"},
      {" -w swap", "Operator weight must be in name=value format (got 'swap')"},
      {" -w swap=abc", "must be numeric"},
      {" --iters -5", "--iters must be an integer >= 1 (got '-5')"},
      {" --time-limit -1", "--time-limit must be a finite number of seconds"},
      {" --cooling hot", "--cooling must be one of"},
      {" --acceptance maybe", "--acceptance must be one of"},
      {" --parallel-multistart 0", "--parallel-multistart must be an integer in [1, 10000]"},
      {" --iters ten", "iters"},
      {" --lagrangian-bound 0", "--lagrangian-bound must be an integer >= 1"},
      {" --landing-capacity soft", "--landing-capacity must be one of priced, reference (got 'soft')"},
      {" --cycles 0", "--cycles must be an integer in [1, 1000]"},
  };
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {" --ils-acceptance maybe", "--ils-acceptance must be one of better, walk (got 'maybe')"},
           {" --ls-patience 0", "--ls-patience must be an integer >= 1 (got '0')"}}) {
    INFO(args);
    const auto r = run(driver() + " solve-ils " + demo() + " --out /tmp/fhops_never_written.csv" + args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains(message));
  }
  for (const auto& [args, message] : cases) {
    INFO(args);
    const auto r = run(base + args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains(message));
  }
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.csv"));
  CHECK(run(driver() + " solve-heur " + demo()).exit_code == 2);  // --out missing
  const auto mip = run(driver() + " solve-ils " + demo() + " --out /tmp/fhops_never_written.csv --hybrid-use-mip --hybrid-mip-time-limit -1");
  CHECK(mip.exit_code == 2);
  const auto stall = run(driver() + " solve-tabu " + demo() + " --out /tmp/fhops_never_written.csv --stall-limit 0");
  CHECK(stall.exit_code == 2);
  const std::vector<std::pair<std::string, std::string>> tabu_cases{
      {" --restart-stall -1", "--restart-stall must be an integer >= 0"},
      {" --tabu-tenure-max -2", "--tabu-tenure-max must be an integer >= 0"},
      {" --tabu-tenure-max 20", "--tabu-tenure-max needs --restart-stall"},
      {" --restart-stall 100 --tabu-tenure 12 --tabu-tenure-max 11", "--tabu-tenure-max must be >= --tabu-tenure"},
  };
  for (const auto& [args, message] : tabu_cases) {
    INFO(args);
    const auto r = run(driver() + " solve-tabu " + demo() + " --out /tmp/fhops_never_written.csv" + args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains(message));
  }
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.csv"));
}

TEST_CASE("--landing-capacity: priced plans may hold slack, reference plans never do", "[driver][solve][landing_capacity]") {
  // Three machines, two blocks of 12 units on one landing of capacity 1, three days, slack at 1 per
  // unit: the best plan without slack scores 15, the optimum 21 (24 units, 3 units of slack).
  const auto dir = fhops_test::scratch("solve_landing_capacity");
  const auto yaml = fhops_test::write_bundle(dir, "soft", 3, "id,landing_id,work_required\nB1,L1,12\nB2,L1,12\n", "id\nM1\nM2\nM3\n",
                                             "id,daily_capacity\nL1,1\n", "machine_id,day,available\n",
                                             "machine_id,block_id,rate\nM1,B1,5\nM1,B2,5\nM2,B1,5\nM2,B2,5\nM3,B1,5\nM3,B2,5\n");
  std::ofstream(yaml, std::ios::app) << "objective_weights: {production: 1, mobilisation: 0, landing_slack: 1}\n";
  const auto pb = fhops::harvest::problem(fhops::harvest::load_scenario(yaml));
  REQUIRE(pb.weights.landing_slack == 1.0);
  for (const std::string mode : {"priced", "reference"}) {
    INFO(mode);
    const std::string csv = (dir / (mode + ".csv")).string();
    const auto r = run(driver() + " solve-heur " + yaml.string() + " --out " + csv + " --iters 3000 --landing-capacity " + mode);
    REQUIRE(r.exit_code == 0);
    const auto e = run(driver() + " evaluate " + yaml.string() + " --assignments " + csv + " --format json");
    REQUIRE(e.exit_code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    REQUIRE_FALSE(parser.parse(e.out).get(obj));
    CHECK(double(obj["objective"]) == (mode == "priced" ? 21.0 : 15.0));
    CHECK(double(obj["landing_slack"]) == (mode == "priced" ? 3.0 : 0.0));
  }
}

TEST_CASE("solve-heur's defaults turn landing_rebuild on where landing capacity is hard and nothing is sequenced",
          "[driver][solve][landing_rebuild]") {
  const auto dir = fhops_test::scratch("solve_default_mix");
  const auto [hard, soft] = fhops_test::hard_and_soft_bundles(dir);
  const auto weight = [&](const std::string& scenario, const std::string& options) {
    return solve_heur_json_of(dir, scenario, "--iters 50 " + options,
                              [](simdjson::dom::element obj) { return double(obj["operators"]["landing_rebuild"]["weight"]); });
  };
  CHECK(weight(hard, "") == 0.02);                   // hard capacity: the automatic mix
  CHECK(weight(soft, "") == 0.0);                    // landing_slack priced (as in the demo): the plain defaults
  CHECK(weight(demo(), "") == 0.0);
  // synth-small: hard capacity, but its blocks' harvest systems sequence the roles
  CHECK(weight((fhops_test::source_dir() / "examples/scenarios/synth-small").string(), "") == 0.0);
  CHECK(weight(hard, "-P fhops-default") == 0.0);    // any operator setting replaces the mix
  CHECK(weight(hard, "-w landing_rebuild=0.5") == 0.5);
}

TEST_CASE("a timed solve-heur where capacity is hard: one candidate per step, the rebuilds drawn more often", "[driver][solve][batch]") {
  const auto dir = fhops_test::scratch("solve_one_candidate");
  const auto [hard, soft] = fhops_test::hard_and_soft_bundles(dir);
  struct figures {
    double row_rebuild, landing_rebuild;
    long long iterations, evaluations;
    std::optional<long long> recorded_step;  // the run record's config.candidates_per_step (absent: none)
  };
  int runs = 0;
  const auto solve = [&](const std::string& scenario, const std::string& options) {
    // --time-limit makes the run timed (budget cooling); --iters 200 ends it first
    const auto log = dir / ("runs-" + std::to_string(++runs) + ".jsonl");
    figures f = solve_heur_json_of(dir, scenario, "--iters 200 --telemetry-log " + log.string() + " " + options, [](simdjson::dom::element obj) {
      return figures{double(obj["operators"]["row_rebuild"]["weight"]), double(obj["operators"]["landing_rebuild"]["weight"]),
                     int64_t(obj["iterations"]), int64_t(obj["evaluations"]), std::nullopt};
    });
    simdjson::dom::parser parser;
    simdjson::dom::element record;
    REQUIRE_FALSE(parser.parse(fhops_test::slurp(log)).get(record));  // the one run's record
    int64_t step = 0;
    if (!record["config"]["candidates_per_step"].get(step)) f.recorded_step = step;
    return f;
  };
  const figures timed = solve(hard, "--time-limit 60");
  CHECK(timed.row_rebuild == 0.2);
  CHECK(timed.landing_rebuild == 0.05);
  CHECK(timed.evaluations == timed.iterations);
  CHECK(timed.recorded_step == 1);  // the record says so (batch_size is null for both steps)
  const figures untimed = solve(hard, "");  // geometric cooling: the reference's step, the step weights
  CHECK(untimed.row_rebuild == 0.05);
  CHECK(untimed.landing_rebuild == 0.02);
  CHECK(untimed.evaluations > untimed.iterations);
  CHECK_FALSE(untimed.recorded_step);
  const figures given = solve(hard, "--time-limit 60 --batch-neighbours 1");  // a given 1: one per enabled operator
  CHECK(given.row_rebuild == 0.05);
  CHECK(given.evaluations > given.iterations);
  CHECK_FALSE(given.recorded_step);
  // sequenced (synth-small's harvest systems): one candidate per step, the step weights, no landing_rebuild
  const figures sequenced = solve((fhops_test::source_dir() / "examples/scenarios/synth-small").string(), "--time-limit 60");
  CHECK(sequenced.row_rebuild == 0.05);
  CHECK(sequenced.landing_rebuild == 0.0);
  CHECK(sequenced.evaluations == sequenced.iterations);
  CHECK(sequenced.recorded_step == 1);
  const figures priced = solve(soft, "--time-limit 60");  // landing_slack priced: the reference's step
  CHECK(priced.row_rebuild == 0.05);
  CHECK(priced.evaluations > priced.iterations);
  CHECK_FALSE(priced.recorded_step);
  CHECK(solve(hard, "--time-limit 60 -w swap=1 -w row_rebuild=0.3").row_rebuild == 0.3);  // given weights stay
  // Equal weights: each step's operator is still drawn (the reference's order would always start with swap).
  const auto [swaps, moves] = solve_heur_json_of(dir, hard, "--iters 400 --time-limit 60 -w swap=1 -w move=1", [](simdjson::dom::element obj) {
    return std::pair{double(obj["operators"]["swap"]["proposals"]), double(obj["operators"]["move"]["proposals"])};
  });
  CHECK(swaps + moves >= 400);
  CHECK(swaps > 100);
  CHECK(moves > 100);
}

TEST_CASE("solve-heur --cycles: the budget cooled that many times from the greedy seed, recorded", "[driver][solve][cycles]") {
  const auto dir = fhops_test::scratch("solve_cycles");
  const auto log = dir / "runs.jsonl";
  const auto restarts = [&](const std::string& options) {
    return solve_heur_json_of(dir, demo(), "--iters 300 --cooling budget " + options, [](simdjson::dom::element obj) { return int64_t(obj["restarts"]); });
  };
  CHECK(restarts("--restart-period 0") == 0);  // one cycle unless told
  CHECK(restarts("--restart-period 0 --cycles 3 --telemetry-log " + log.string()) == 2);
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  REQUIRE_FALSE(parser.parse(fhops_test::slurp(log)).get(record));
  CHECK(int64_t(record["config"]["cycles"]) == 3);
  CHECK(int64_t(record["extra"]["restarts"]) == 2);
}

TEST_CASE("solve-ils and solve-tabu: --time-limit alone starts from an SA warm start, recorded; --sa-warm-start is checked",
          "[driver][solve][warm_start]") {
  const auto dir = fhops_test::scratch("solve_warm_start");
  const std::string csv = (dir / "p.csv").string();
  for (const std::string command : {"solve-ils", "solve-tabu"}) {
    INFO(command);
    const auto base = driver() + " " + command + " " + demo() + " --out " + csv + " --format json ";
    // warm: the JSON and the run record say so; the search's start is SA's plan, not the greedy seed
    const auto log = dir / (command + ".jsonl");
    auto r = run(base + "--time-limit 0.6 --telemetry-log " + log.string());
    REQUIRE(r.exit_code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::element obj;
    REQUIRE_FALSE(parser.parse(r.out).get(obj));
    int64_t warm = 0;
    REQUIRE_FALSE(obj["sa_warm_start_evaluations"].get(warm));
    CHECK(warm > 0);
    simdjson::dom::parser record_parser;
    simdjson::dom::element record;
    REQUIRE_FALSE(record_parser.parse(fhops_test::slurp(log)).get(record));
    CHECK(double(record["config"]["sa_warm_start"]) == 0.8);  // the default share
    CHECK(int64_t(record["extra"]["sa_warm_start_evaluations"]) == warm);
    // a given share, and 0: none
    r = run(base + "--time-limit 0.3 --sa-warm-start 0.25");
    REQUIRE(r.exit_code == 0);
    REQUIRE_FALSE(parser.parse(r.out).get(obj));
    REQUIRE_FALSE(obj["sa_warm_start_evaluations"].get(warm));
    CHECK(warm > 0);
    r = run(base + "--time-limit 0.3 --sa-warm-start 0");
    REQUIRE(r.exit_code == 0);
    REQUIRE_FALSE(parser.parse(r.out).get(obj));
    CHECK(obj["sa_warm_start_evaluations"].error() == simdjson::NO_SUCH_FIELD);
    // an iteration budget: the reference's start, nothing recorded
    r = run(base + "--iters 20");
    REQUIRE(r.exit_code == 0);
    REQUIRE_FALSE(parser.parse(r.out).get(obj));
    CHECK(obj["sa_warm_start_evaluations"].error() == simdjson::NO_SUCH_FIELD);
    // the text output names the warm start
    CHECK_THAT(run(driver() + " " + command + " " + demo() + " --out " + csv + " --time-limit 0.3").out, Catch::Contains("SA warm start: "));
    for (const auto& [bad, says] : std::vector<std::pair<std::string, std::string>>{
             {"--time-limit 1 --sa-warm-start 1", "--sa-warm-start must be in [0, 1) (got 1.0)"},
             {"--time-limit 1 --sa-warm-start -0.1", "--sa-warm-start must be a finite number >= 0"},
             {"--iters 20 --sa-warm-start 0.5", "--sa-warm-start needs --time-limit without --iters"},
             {"--time-limit 1 --iters 20 --sa-warm-start 0.5", "--sa-warm-start needs --time-limit without --iters"}}) {
      INFO(bad);
      r = run(base + bad);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.out, Catch::Contains(says));
    }
  }
  CHECK(run(driver() + " solve-heur " + demo() + " --out " + csv + " --time-limit 0.2 --sa-warm-start 0.5").exit_code == 2);
}

TEST_CASE("the reference's crash cases work", "[driver][solve]") {
  const auto dir = fhops_test::scratch("solve_crash");
  const std::string csv = (dir / "plan.csv").string();
  // Profile extras no longer collide with explicit options (quirk 9).
  CHECK(run(driver() + " solve-ils " + demo() + " --out " + csv + " --iters 5 --profile intense-diversify --perturbation-strength 4").exit_code == 0);
  CHECK(run(driver() + " solve-tabu " + demo() + " --out " + csv + " --iters 50 --profile intense-diversify --tabu-tenure 5").exit_code == 0);
  // An all-idle best plan writes a header-only CSV (quirk 12): no machine can work anything.
  fhops_test::write_bundle(dir / "s", "idle", 2, "id,landing_id,work_required\nB1,L1,5\n", "id\nM1\n",
                           "id,daily_capacity\nL1,1\n", "machine_id,day,available\nM1,1,0\nM1,2,0\n",
                           "machine_id,block_id,rate\nM1,B1,1\n");
  const auto r = run(driver() + " solve-heur " + (dir / "s").string() + " --out " + csv + " --iters 50");
  CHECK(r.exit_code == 0);
  CHECK(fhops_test::slurp(csv) == "machine_id,block_id,day,shift_id,assigned\n");
  // --check-delta runs the whole search with full re-evaluations.
  CHECK(run(driver() + " solve-heur " + demo() + " --out " + csv + " --iters 300 --check-delta").exit_code == 0);
  CHECK(run(driver() + " solve-tabu " + demo() + " --out " + csv + " --iters 300 --check-delta --restart-stall 10 --tabu-tenure-max 20")
            .exit_code == 0);
  // --lagrangian-bound prints an upper bound on the objective after the plan.
  const auto bounded = run(driver() + " solve-heur " + demo() + " --out " + csv + " --iters 300 -P price --lagrangian-bound 50");
  CHECK(bounded.exit_code == 0);
  CHECK_THAT(bounded.out, Catch::Contains("Lagrangian upper bound: "));
}

TEST_CASE("solve-heur --parallel-multistart --resume: a lost run, then only it runs; the best plan equals an uninterrupted run's", "[driver][solve]") {
  const auto dir = fhops_test::scratch("solve_resume");
  const std::string cmd = driver() + " solve-heur " + demo() + " --iters 300 --parallel-multistart 4";
  REQUIRE(run(cmd + " --out " + (dir / "plain.csv").string()).exit_code == 0);
  const std::string tracked = cmd + " --out " + (dir / "plan.csv").string() + " --telemetry-log " + (dir / "runs.jsonl").string() + " --resume";
  const auto failed = run("FHOPS_TEST_FAIL_UNIT=2 " + tracked);
  CHECK(failed.exit_code == 1);
  CHECK(failed.out.find("1 work unit(s) lost: 2") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "plan.csv"));
  CHECK(run(cmd + " --out " + (dir / "plan.csv").string() + " --resume").exit_code == 2);            // no log
  CHECK(run(driver() + " solve-heur " + demo() + " --out " + (dir / "x.csv").string() + " --resume --telemetry-log " + (dir / "x.jsonl").string())
            .exit_code == 2);  // no multistart
  CHECK(run(tracked + " --seed 9").exit_code == 2);                                                     // another plan
  const auto resumed = run(tracked);
  INFO(resumed.out);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.out.find("3 run(s) already recorded by this multistart") != std::string::npos);
  CHECK(resumed.out.find("--resume: running the 1 work unit(s) missing from the store: 2\n") != std::string::npos);
  CHECK(fhops_test::slurp(dir / "plan.csv") == fhops_test::slurp(dir / "plain.csv"));
  CHECK(fhops_test::count(fhops_test::slurp(dir / "runs.jsonl"), "\"record_type\":\"run\"") == 4);
}

TEST_CASE("solve-heur --resume-units: the work-unit switch under its own name, also beside --parallel-multistart's --resume", "[driver][solve]") {
  const auto dir = fhops_test::scratch("solve_resume_units");
  const std::string cmd = driver() + " solve-heur " + demo() + " --iters 300 --parallel-multistart 3";
  REQUIRE(run(cmd + " --out " + (dir / "plain.csv").string()).exit_code == 0);
  const std::string tracked = cmd + " --out " + (dir / "plan.csv").string() + " --telemetry-log " + (dir / "runs.jsonl").string();
  CHECK(run("FHOPS_TEST_FAIL_UNIT=1 " + tracked + " --resume-units").exit_code == 1);  // run 1 lost
  const auto resumed = run(tracked + " --resume-units");
  INFO(resumed.out);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.out.find("missing from the store: 1\n") != std::string::npos);
  CHECK(fhops_test::slurp(dir / "plan.csv") == fhops_test::slurp(dir / "plain.csv"));
  CHECK(fhops_test::count(fhops_test::slurp(dir / "runs.jsonl"), "\"record_type\":\"run\"") == 3);
  // usage: it names itself; a multistart and a log are needed; solve-ils and solve-tabu have none
  const auto alone = run(driver() + " solve-heur " + demo() + " --out " + (dir / "x.csv").string() + " --resume-units --telemetry-log " +
                         (dir / "x.jsonl").string());
  CHECK(alone.exit_code == 2);
  CHECK(alone.out.find("--resume-units needs --parallel-multistart") != std::string::npos);
  const auto no_log = run(cmd + " --out " + (dir / "y.csv").string() + " --resume-units");
  CHECK(no_log.exit_code == 2);
  CHECK(no_log.out.find("--resume-units needs --telemetry-log") != std::string::npos);
  CHECK(run(driver() + " solve-ils " + demo() + " --out " + (dir / "z.csv").string() + " --resume-units").exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(dir / "x.csv"));
}

TEST_CASE("solve-landings writes its plan; the JSON objective is that plan's exact score; bad options exit 2", "[driver][solve][landing_decomposition]") {
  CHECK_THAT(run(driver() + " solve-landings " + demo() + " --out /tmp/fhops_never_written.csv").out,
             Catch::Contains("not supported"));  // the demo has locks and sequencing
  if (!fhops_test::have_reference()) return;
  const std::string minitoy = fhops_test::reference("scenarios/minitoy").string();
  const auto dir = fhops_test::scratch("solve_landings");
  const std::string csv = (dir / "plan.csv").string();
  const auto r = run(driver() + " solve-landings " + minitoy + " --out " + csv + " --max-crew 2 --format json", false);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE_FALSE(parser.parse(r.out).get(obj));
  const auto pb = fhops::harvest::problem(fhops::harvest::load_scenario(minitoy));
  const auto plan = fhops::harvest::read_assignments_csv(pb, csv);
  CHECK(double(obj["objective"]) == fhops::harvest::evaluate(pb, plan).score);
  CHECK(double(obj["bound"]) >= double(obj["objective"]));
  const auto text = run(driver() + " solve-landings " + minitoy + " --out " + csv);
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("Upper bound over plans that keep every machine on one landing"));
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {" --max-crew 0", "--max-crew must be an integer in [1, 8]"},
           {" --bound-iterations -1", "--bound-iterations must be an integer >= 0"},
           {" --format xml", "--format must be one of"}}) {
    INFO(args);
    const auto bad = run(driver() + " solve-landings " + minitoy + " --out /tmp/fhops_never_written.csv" + args);
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.out, Catch::Contains(message));
  }
  CHECK(run(driver() + " solve-landings " + minitoy).exit_code == 2);  // --out missing
  // --certify without cbc: a runtime error before any work, nothing written
  const auto no_cbc = run(driver() + " solve-landings " + minitoy + " --out /tmp/fhops_never_written.csv --certify --cbc /nonexistent/cbc");
  CHECK(no_cbc.exit_code == 1);
  CHECK_THAT(no_cbc.out, Catch::Contains("--certify needs cbc"));
  CHECK_FALSE(std::filesystem::exists("/tmp/fhops_never_written.csv"));
  CHECK(obj["certificate"].is_null());
  // a cbc that answers nothing: a runtime error naming the program, and the plan already written stays
  const std::string before = fhops_test::slurp(csv);
  const auto broken = run(driver() + " solve-landings " + minitoy + " --out " + csv + " --certify --cbc false");
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Catch::Contains("'false' gave no solution for"));
  CHECK(fhops_test::slurp(csv) == before);
  if (!fhops::search::cbc_solver{}.available()) {
    WARN("skipped --certify: cbc not found (Debian package coinor-cbc)");
    return;
  }
  // minitoy: the certificate proves the plan optimal among all plans (45.25, the known optimum)
  const auto c = run(driver() + " solve-landings " + minitoy + " --out " + csv + " --max-crew 2 --certify --format json", false);
  REQUIRE(c.exit_code == 0);
  simdjson::dom::object cobj;
  REQUIRE_FALSE(parser.parse(c.out).get(cobj));
  CHECK(double(cobj["certificate"]["bound"]) == Approx(45.25).margin(1e-6));
  CHECK(bool(cobj["certificate"]["covers_all_plans"]));
  CHECK(bool(cobj["certificate"]["converged"]));
  CHECK(cobj["certificate"]["reason"].is_null());
  const auto ctext = run(driver() + " solve-landings " + minitoy + " --out " + csv + " --certify");
  CHECK(ctext.exit_code == 0);
  CHECK_THAT(ctext.out, Catch::Contains("Moving a machine between landings never pays here: no plan at all scores more than 45.250"));
  // synthetic/medium: crews over capacity reach the optimum 97.033, which the decomposition (91.999)
  // misses; the certificate's plan is written instead, and the JSON objective is its exact score
  const std::string medium = fhops_test::reference("scenarios/synthetic/medium").string();
  const auto m = run(driver() + " solve-landings " + medium + " --out " + csv + " --certify --format json", false);
  REQUIRE(m.exit_code == 0);
  simdjson::dom::object mobj;
  REQUIRE_FALSE(parser.parse(m.out).get(mobj));
  const auto mpb = fhops::harvest::problem(fhops::harvest::load_scenario(medium));
  CHECK(double(mobj["objective"]) == fhops::harvest::evaluate(mpb, fhops::harvest::read_assignments_csv(mpb, csv)).score);
  CHECK(double(mobj["objective"]) == Approx(97.033).margin(1e-9));
  CHECK(bool(mobj["certificate"]["plan_written"]));
  CHECK(double(mobj["certificate"]["bound"]) == Approx(97.033).margin(1e-6));
  // small21: moves between landings cost no more than within one, so the bound covers one-landing plans only
  const std::string small21 = fhops_test::reference("scenarios/small21").string();
  const auto s21 = run(driver() + " solve-landings " + small21 + " --out " + csv + " --certify");
  CHECK(s21.exit_code == 0);
  CHECK_THAT(s21.out, Catch::Contains("no plan that keeps every machine on one landing scores more than 78.090"));
  CHECK_THAT(s21.out, Catch::Contains("The certificate covers only plans that keep every machine on one landing: machine H1"));
}
