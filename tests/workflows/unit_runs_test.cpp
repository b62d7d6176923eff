// fhops/dist/session.hpp and fhops/workflows/unit_runs.hpp: a local session's hooks and console;
// a multistart as work units gives what solve_multistart gives, a unit lost to the unit hook is
// reported and a --resume run runs only it, taking the others from the store.
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "fhops/dist/session.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/run_store.hpp"
#include "fhops/workflows/unit_runs.hpp"

namespace {

namespace fd = fhops::dist;
namespace fh = fhops::harvest;
namespace tel = fhops::telemetry;

}  // namespace

TEST_CASE("local_session: the unit hook runs before each unit (a throwing hook loses it); say() goes to the console", "[dist][session]") {
  fd::local_session s(2);
  CHECK_FALSE(s.distributed());
  CHECK(s.coordinator());
  CHECK(s.ranks() == 1);
  CHECK(s.agree(true));
  s.say("dropped: no console yet");
  std::mutex m;
  std::vector<std::string> lines;
  std::set<std::size_t> hooked;
  s.console = [&](std::string_view line) {
    std::lock_guard lock(m);
    lines.emplace_back(line);
  };
  s.unit_hook = [&](std::size_t u) {
    {
      std::lock_guard lock(m);
      hooked.insert(u);
    }
    if (u == 3) throw std::runtime_error("unit 3 fails on purpose");
  };
  std::set<std::size_t> ok, lost;
  s.run(fd::units_of({0, 1, 2, 3, 4}),
        [&](const fd::job& j) {
          s.before_unit(j.unit);
          s.say("unit " + std::to_string(j.unit));
          return std::string("done");
        },
        [&](const fd::unit_result& r) { (r.ok() ? ok : lost).insert(r.unit); });
  CHECK(hooked == std::set<std::size_t>{0, 1, 2, 3, 4});
  CHECK(ok == std::set<std::size_t>{0, 1, 2, 4});
  CHECK(lost == std::set<std::size_t>{3});
  CHECK(lines.size() == 4);  // the lost unit said nothing: its hook threw first
}

TEST_CASE("missing_units_message names the first 20 missing units, or that nothing is missing", "[dist][session]") {
  CHECK(fd::missing_units_message("fhops x", {}) == "fhops x --resume: every work unit is in the store; nothing to run");
  CHECK(fd::missing_units_message("fhops x", {3, 7}) == "fhops x --resume: running the 2 work unit(s) missing from the store: 3, 7");
  std::vector<std::size_t> many(23);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = i;
  const std::string m = fd::missing_units_message("fhops x", many);
  CHECK(m.find(": 0, 1, 2,") != std::string::npos);
  CHECK(m.find(", 19, ... (3 more)") != std::string::npos);
  CHECK(m.find("20,") == std::string::npos);
}

TEST_CASE("run_multistart_units: solve_multistart's runs; a lost unit is reported and --resume runs only it", "[workflows][unit_runs]") {
  const fh::problem pb(fh::load_scenario(fhops_test::demo()));
  fh::solve_options o;
  o.stop.max_iterations = 300;
  o.seed = 5;
  constexpr std::size_t runs = 3;
  const auto [expected, expected_best] = fh::solve_multistart(pb, o, runs, 1);

  const auto dir = fhops_test::scratch("unit_runs");
  tel::run_store store(dir / "runs.jsonl", 0, 5000);
  fh::multistart_units_spec spec{"solve-heur", runs, {}, {}, false};
  for (std::size_t k = 0; k < runs; ++k) {
    spec.run_ids.push_back(tel::new_run_id());
    spec.unit_keys.push_back("demo|" + std::to_string(k));
  }

  // First run: unit 1 is lost to the hook; the others' work_unit lines reach the log.
  fd::local_session first(2);
  first.unit_hook = [](std::size_t u) {
    if (u == 1) throw std::runtime_error("unit 1 fails on purpose");
  };
  const fh::multistart_units_result a = fh::run_multistart_units(pb, o, spec, &store, first);
  CHECK(a.lost == std::vector<std::size_t>{1});
  CHECK(a.resumed == 0);
  CHECK(a.runs[0].result->best.score == expected[0].result->best.score);
  CHECK(a.runs[2].result->best.score == expected[2].result->best.score);

  // --resume: only unit 1 runs; 0 and 2 come from the store with their first run ids.
  spec.resume = true;
  const std::vector<std::string> first_ids = spec.run_ids;
  spec.run_ids = {"x0", "x1", "x2"};
  fd::local_session second(2);
  std::set<std::size_t> ran;
  std::vector<std::string> said;
  second.unit_hook = [&](std::size_t u) { ran.insert(u); };
  second.console = [&](std::string_view line) { said.emplace_back(line); };
  const fh::multistart_units_result b = fh::run_multistart_units(pb, o, spec, &store, second);
  CHECK(ran == std::set<std::size_t>{1});
  CHECK(b.lost.empty());
  CHECK(b.resumed == 2);
  CHECK(b.run_ids == std::vector<std::string>{first_ids[0], "x1", first_ids[2]});
  REQUIRE(said.size() == 1);
  CHECK(said[0] == "fhops solve-heur --resume: running the 1 work unit(s) missing from the store: 1");
  REQUIRE(b.runs.size() == runs);
  for (std::size_t k = 0; k < runs; ++k) {
    CHECK(b.runs[k].seed == expected[k].seed);
    REQUIRE(b.runs[k].result);
    CHECK(b.runs[k].result->best.score == expected[k].result->best.score);
    CHECK(b.runs[k].result->search.best == expected[k].result->search.best);
  }
  CHECK(b.best == expected_best);
}
