// fhops tune-race end to end: the race's tables, its records and fates, the same race for any
// --jobs, and the usage errors.
#include "../test_support.hpp"

#include <map>
#include <set>
#include <sstream>

#include "fhops/telemetry/json_reader.hpp"

using fhops_test::demo;
using fhops_test::driver;
using fhops_test::run;

namespace {

namespace tel = fhops::telemetry;

std::string synth_small() { return (fhops_test::source_dir() / "examples/scenarios/synth-small").string(); }

std::vector<tel::json> race_log(const std::filesystem::path& log) {
  std::vector<tel::json> out;
  std::istringstream in(fhops_test::slurp(log));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(tel::parse_json(line));
  return out;
}

const tel::json& member_at(const tel::json& v, std::initializer_list<const char*> path) {
  const tel::json* x = &v;
  for (const char* k : path) {
    x = x->find(k);
    REQUIRE(x);
  }
  return *x;
}

}  // namespace

TEST_CASE("tune-race: iterations, the best configuration and one record per run with its race fate", "[driver][race]") {
  const auto dir = fhops_test::scratch("race_cli");
  const std::string args = " tune-race " + demo() + " " + synth_small() + " --budget 40 --iters 100 --seed 5 --elites 2";
  const auto one = run("cd " + dir.string() + " && " + driver() + args + " --telemetry-log j1/runs.jsonl", false);
  REQUIRE(one.exit_code == 0);
  CHECK(one.out.find("Racing sa configurations on 2 scenario(s) (budget 40 runs, 20 blocks, seed 5)") != std::string::npos);
  CHECK(one.out.find("Race iterations") != std::string::npos);
  CHECK(one.out.find("Best sa configuration (candidate ") != std::string::npos);
  // 6 candidates race 6 blocks (36 runs), 2 are eliminated, the other 4 take the 7th block (40
  // runs, the whole budget); 2 of them are the elites, 2 are discarded.
  CHECK(one.out.find("Runs used: 40 of 40 (6 candidate(s), 1 iteration(s))") != std::string::npos);
  // The same race with 3 threads: the same output, records and fates.
  const auto three = run("cd " + dir.string() + " && " + driver() + args + " --jobs 3 --telemetry-log j3/runs.jsonl", false);
  REQUIRE(three.exit_code == 0);
  const auto strip = [](std::string s) { return s.substr(0, s.find(" telemetry record(s) written")); };
  CHECK(strip(one.out) == strip(three.out));
  const auto a = race_log(dir / "j1/runs.jsonl"), b = race_log(dir / "j3/runs.jsonl");
  REQUIRE(a.size() == 41);  // 40 runs + the tuner summary
  REQUIRE(b.size() == a.size());
  std::set<std::string> race_ids;
  std::map<std::string, int> fates;
  for (std::size_t i = 0; i + 1 < a.size(); ++i) {
    INFO("record " << i);
    CHECK(*a[i].string_at("status") == "ok");
    CHECK(member_at(a[i], {"tuner_meta", "algorithm"}).as_string() == "race");
    const tel::json& race = member_at(a[i], {"tuner_meta", "race"});
    race_ids.insert(race.find("race_id")->as_string());
    fates[race.find("status")->as_string()] += 1;
    CHECK(member_at(a[i], {"tuner_meta", "progress", "run_index"}).as_double() == static_cast<double>(i + 1));
    if (race.find("status")->as_string() != "elite") CHECK(race.find("eliminated_at"));
    for (const char* k : {"iteration", "block", "candidate", "status"}) CHECK(*race.find(k) == *member_at(b[i], {"tuner_meta", "race"}).find(k));
    CHECK(member_at(a[i], {"metrics", "objective"}) == member_at(b[i], {"metrics", "objective"}));
    CHECK(member_at(a[i], {"tuner_meta", "config", "configuration"}) == member_at(b[i], {"tuner_meta", "config", "configuration"}));
  }
  CHECK(race_ids.size() == 1);
  CHECK(fates["elite"] == 14);
  CHECK(fates["discarded"] == 14);
  CHECK(fates["eliminated"] == 12);
  CHECK(*a.back().string_at("record_type") == "tuner_summary");
}

TEST_CASE("tune-race: usage errors exit 2 with one line", "[driver][race]") {
  const auto dir = fhops_test::scratch("race_cli_errors");
  const std::string in = "cd " + dir.string() + " && " + driver() + " tune-race ";
  auto r = run(in + demo() + " --budget 9");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("fhops tune-race: usage error: --budget 9 is below the minimum of 2 candidates x 5 blocks (--first-test) = 10 runs") != std::string::npos);
  r = run(in + demo() + " --solver foo");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("--solver") != std::string::npos);
  r = run(in + " --budget 20");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("no scenarios") != std::string::npos);
  r = run(in + demo() + " --alpha 1");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("race_parameters.alpha must be in (0, 1)") != std::string::npos);
  r = run(in + (dir / "missing").string() + " --budget 20");
  CHECK(r.exit_code != 0);
  CHECK(r.out.find("missing") != std::string::npos);
  r = run(driver() + " tune-race --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--budget") != std::string::npos);
  CHECK(r.out.find("--first-test") != std::string::npos);
}
