// fhops tune-random | tune-grid | tune-bayes end to end.
#include "../test_support.hpp"

#include <regex>
#include <set>
#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <simdjson.h>

#include "fhops/harvest/harvest.hpp"
#include "fhops/workflows/tuning.hpp"

using fhops_test::driver;
using fhops_test::run;

namespace {

using fhops_test::demo;

// The rows of the table titled `title` in `out` (cells split on runs of two or more spaces).
std::vector<std::vector<std::string>> table(const std::string& out, const std::string& title) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(out);
  std::string line;
  bool inside = false;
  int skip = 0;
  while (std::getline(in, line)) {
    if (line == title) {
      inside = true;
      skip = 2;  // header and rule
      continue;
    }
    if (!inside) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    if (line.empty() || line.find("  ") == std::string::npos) break;
    std::vector<std::string> cells;
    const std::regex sep("  +");
    for (std::sregex_token_iterator it(line.begin(), line.end(), sep, -1), end; it != end; ++it) cells.push_back(*it);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("tune-grid: batch x preset configurations, seeds counting up, sorted by objective", "[driver][tune]") {
  const auto r = run(driver() + " tune-grid " + demo() + " --iters 200 --preset balanced --preset runs --batch-size 2 --batch-size 1");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Grid tuning Demo Valley (4 configuration(s))") != std::string::npos);
  const auto rows = table(r.out, "Grid tuner results");
  REQUIRE(rows.size() == 4);
  std::set<std::string> seeds, combos;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 5);
    seeds.insert(rows[i][4]);
    combos.insert(rows[i][3] + "/" + rows[i][2]);
    if (i) CHECK(std::stod(rows[i - 1][1]) >= std::stod(rows[i][1]));
  }
  CHECK(seeds == std::set<std::string>{"123", "124", "125", "126"});
  CHECK(combos == std::set<std::string>{"1/balanced", "1/runs", "2/balanced", "2/runs"});
  // batch 1 x runs is the second configuration (batch outer, preset inner): seed 124
  for (const auto& row : rows)
    if (row[3] == "1" && row[2] == "runs") CHECK(row[4] == "124");
}

TEST_CASE("tune-random: deterministic, and the same whatever --jobs", "[driver][tune]") {
  const std::string cmd = driver() + " tune-random " + demo() + " --runs 4 --iters 300 --base-seed 9";
  const auto a = run(cmd), b = run(cmd + " --jobs 3");
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
  const auto rows = table(a.out, "Random tuner results");
  REQUIRE(rows.size() == 4);
  const auto best = table(a.out, "Best configuration per scenario");
  REQUIRE(best.size() == 1);
  CHECK(best[0][2] == rows[0][1]);  // the best objective of the sorted table
  CHECK(best[0][4].find("\"weight_row_rebuild\": ") != std::string::npos);
  CHECK(run(cmd + " --base-seed 10").out != a.out);
}

TEST_CASE("tuners print a line per trial with FHOPS_PROGRESS=always", "[driver][tune][progress]") {
  const auto r = run("FHOPS_PROGRESS=always " + driver() + " tune-random " + demo() + " --runs 3 --iters 200 --base-seed 9");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("[1/3] trial 0: ") != std::string::npos);
  CHECK(r.out.find("[3/3] trial 2: ") != std::string::npos);
  CHECK(run(driver() + " tune-random " + demo() + " --runs 3 --iters 200 --base-seed 9").out.find("[1/3]") == std::string::npos);
}

TEST_CASE("tune-bayes: TPE trials for ILS and Tabu too, with the reference's console lines", "[driver][tune]") {
  for (const std::string solver : {"ils", "tabu"}) {
    const std::string cmd = driver() + " tune-bayes " + demo() + " --trials 12 --iters 60 --solver " + solver;
    const auto r = run(cmd);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Bayesian tuning Demo Valley (12 trial(s))") != std::string::npos);
    CHECK(std::regex_search(r.out, std::regex("Best objective for scenario\\.yaml: -?[0-9]+\\.[0-9]{3} \\(trial [0-9]+, batch=[123]\\)")));
    const auto trials = table(r.out, "Bayesian tuner trials — scenario.yaml");
    REQUIRE(trials.size() == 12);
    CHECK(trials[11][0] == "11");
    CHECK(run(cmd).out == r.out);
    const auto best = table(r.out, "Best configuration per scenario");
    REQUIRE(best.size() == 1);
    CHECK(best[0][1] == solver);
    CHECK(best[0][4].find(solver == "ils" ? "\"perturbation_strength\"" : "\"tabu_tenure\"") != std::string::npos);
  }
}

TEST_CASE("tuners: bad input is one clear line and the right exit code", "[driver][tune]") {
  const auto none = run(driver() + " tune-random --iters 20");
  CHECK(none.exit_code == 1);
  CHECK(none.out.find("No scenarios resolved. Provide --bundle or explicit paths.") != std::string::npos);
  const auto preset = run(driver() + " tune-grid " + demo() + " --preset nope");
  CHECK(preset.exit_code == 2);
  CHECK(preset.out.find("Unknown operator preset 'nope'. Available: balanced") != std::string::npos);
  CHECK(run(driver() + " tune-bayes " + demo() + " --iters 5").exit_code == 2);
  CHECK(run(driver() + " tune-bayes " + demo() + " --trials 0").exit_code == 2);
  CHECK(run(driver() + " tune-random " + demo() + " --solver lns").exit_code == 2);
  const auto missing = run(driver() + " tune-random /nonexistent/scenario.yaml");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("/nonexistent/scenario.yaml") != std::string::npos);
  const auto dir = fhops_test::scratch("tune_bad");
  fhops_test::write(dir / "space.yaml", "parameters:\n  weight_teleport: {type: real}\n");
  const auto space = run(driver() + " tune-bayes " + demo() + " --space " + (dir / "space.yaml").string());
  CHECK(space.exit_code == 1);
  CHECK(space.out.find("space.yaml:2: unknown parameter 'weight_teleport'") != std::string::npos);
  CHECK(space.out.find("Bayesian tuning") == std::string::npos);  // before any work
  fhops_test::write(dir / "bad/scenario.yaml", "name: broken\nnum_days: 0\n");
  const auto broken = run(driver() + " tune-random " + demo() + " " + (dir / "bad").string() + " --iters 20");
  CHECK(broken.exit_code == 1);
  CHECK(broken.out.find("Tuning") == std::string::npos);  // the demo did not run first
  const auto alias = run(driver() + " tune-random --bundle minitoy");  // a reference alias the project does not ship
  CHECK(alias.exit_code == 1);
  CHECK(alias.out.find("--bundle-dir") != std::string::npos);
}

TEST_CASE("tuners resolve the reference's baseline bundle under --bundle-dir", "[driver][tune][reference]") {
  if (!fhops_test::have_reference()) return;
  const auto r = run(driver() + " tune-random --bundle baseline --bundle-dir " + fhops_test::reference("scenarios").string() +
                     " --runs 1 --iters 100");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Tuning FHOPS MiniToy (bundle=baseline, runs=1)") != std::string::npos);
  CHECK(r.out.find("Tuning FHOPS Medium42 (bundle=baseline, runs=1)") != std::string::npos);
  const auto rows = table(r.out, "Random tuner results");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][1] == "baseline");
}

TEST_CASE("tuner trials are run records in the store, with a tuner summary, and replay exactly", "[driver][tune][telemetry]") {
  const auto dir = fhops_test::scratch("tune_telemetry");
  const std::string log = (dir / "t/runs.jsonl").string();
  const auto r = run(driver() + " tune-grid " + demo() + " --iters 150 --preset balanced --preset runs --batch-size 1 --batch-size 2" +
                     " --telemetry-log " + log + " --tier-label smoke");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("4 telemetry record(s) written to " + log) != std::string::npos);
  simdjson::dom::parser parser;
  int runs = 0, summaries = 0;
  const fhops::harvest::problem pb(fhops::harvest::load_scenario(demo()));
  std::istringstream in(fhops_test::slurp(log));
  std::string line;
  while (std::getline(in, line)) {
    simdjson::dom::object o;
    REQUIRE_FALSE(parser.parse(line).get(o));
    const std::string_view type = o["record_type"];
    if (type == "tuner_summary") {
      ++summaries;
      CHECK(std::string_view(o["algorithm"]) == "grid");
      CHECK(int64_t(o["configurations"]) == 4);
      continue;
    }
    ++runs;
    CHECK(std::string_view(o["context"]["source"]) == "cli.tune-grid");
    CHECK(std::string_view(o["tuner_meta"]["algorithm"]) == "grid");
    CHECK(std::string_view(o["tuner_meta"]["budget"]["tier"]) == "smoke");
    CHECK(int64_t(o["tuner_meta"]["progress"]["total_configs"]) == 4);
    // replay: the recorded configuration and seed give the recorded objective
    fhops::tune::configuration c;
    for (auto [k, v] : simdjson::dom::object(o["tuner_meta"]["config"]["configuration"])) {
      if (v.is_int64()) c.set(std::string(k), int64_t(v));
      else if (v.is_double()) c.set(std::string(k), double(v));
      else c.set(std::string(k), std::string(std::string_view(v)));
    }
    auto opts = fhops::harvest::apply_configuration(c, fhops::harvest::tuning_base_options(fhops::harvest::solver_kind::sa, 150, std::nullopt));
    opts.seed = static_cast<std::uint64_t>(int64_t(o["seed"]));
    CHECK(fhops::harvest::solve(pb, opts).best.score == double(o["metrics"]["objective"]));
    CHECK(std::filesystem::exists(dir / "t/steps" / (std::string(std::string_view(o["run_id"])) + ".jsonl")));
  }
  CHECK(runs == 4);
  CHECK(summaries == 1);
  SQLite::Database db((dir / "t/runs.sqlite").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM runs").getInt() == 4);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM tuner_summary_records").getInt() == 1);
}
