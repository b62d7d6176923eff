// Reliability of the store under many writers and crashes: processes are forked, each writing
// through the library exactly as the solve commands do (JSONL append, SQLite mirror, step log).
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "../test_support.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace tel = fhops::telemetry;
using fhops_test::scratch;

namespace {

tel::run_record record(int writer, int k) {
  tel::run_record r;
  r.run_id = tel::new_run_id();
  r.solver = "sa";
  r.scenario = "writer-" + std::to_string(writer);
  r.seed = k;
  r.metrics = {{"objective", static_cast<double>(k)}, {"initial_score", -1.0}};
  r.config = {{"iters", 100}, {"operators", tel::json::object{{"swap", 1.0}, {"move", 1.0}}}};
  r.context = {{"source", "reliability-test"}, {"writer", writer}};
  r.started_at = r.finished_at = tel::utc_iso_seconds();
  r.kpis = {{"total_production", 1.5 * k}, {"makespan_shift", "S1"}};
  return r;
}

// One writer process: `runs` runs, each with 5 step records, like `solve-heur --telemetry-log`.
[[noreturn]] void writer(const std::filesystem::path& log, int id, int runs) {
  int rc = 0;
  try {
    tel::jsonl_run_log jsonl(log);
    tel::step_log steps(tel::steps_dir_for(log));
    tel::sqlite_store store(tel::sqlite_path_for(log));
    for (int k = 0; k < runs; ++k) {
      const auto r = record(id, k);
      for (long long s : {1, 25, 50, 75, 100}) steps.step(tel::step_record{r.run_id, r.started_at, s, 1.0, 2.0, {}, {}, s, s});
      steps.run_finished(r);
      jsonl.run_finished(r);
      store.persist_run(tel::to_json(r));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer %d: %s\n", id, e.what());
    rc = 1;
  }
  ::_exit(rc);
}

int wait_all(const std::vector<pid_t>& pids) {
  int failures = 0;
  for (pid_t p : pids) {
    int status = 0;
    ::waitpid(p, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  return failures;
}

}  // namespace

TEST_CASE("8 processes writing 200 runs each to one JSONL + SQLite lose and corrupt nothing", "[telemetry][reliability]") {
  const auto dir = scratch("concurrent");
  const auto log = dir / "telemetry" / "runs.jsonl";
  constexpr int writers = 8, runs = 200;
  std::vector<pid_t> pids;
  for (int w = 0; w < writers; ++w) {
    const pid_t p = ::fork();
    REQUIRE(p >= 0);
    if (p == 0) writer(log, w, runs);
    pids.push_back(p);
  }
  CHECK(wait_all(pids) == 0);

  std::set<std::string> ids;
  std::size_t records = 0;
  const auto st = tel::read_jsonl(log.string(), [&](const tel::text_line&, tel::json&& v) {
    ++records;
    ids.insert(*v.string_at("run_id"));
  });
  CHECK(st.warnings.empty());
  // Every record is read back once and whole, one line each: no blank lines either (appenders
  // lock each other out during the torn-tail check, which once raced and left a few).
  CHECK(st.lines == writers * runs);
  CHECK(records == writers * runs);
  CHECK(ids.size() == writers * runs);

  tel::sqlite_store store(tel::sqlite_path_for(log));
  CHECK(store.count("runs") == writers * runs);
  CHECK(store.count("run_metrics") == 2 * writers * runs);
  CHECK(store.quick_check() == "ok");
  std::set<std::string> stored;
  SQLite::Statement q(store.database(), "SELECT run_id FROM runs");
  while (q.executeStep()) stored.insert(q.getColumn(0).getString());
  CHECK(stored == ids);

  std::size_t step_files = 0, bad_step_files = 0;
  for (const auto& id : ids) {
    std::size_t n = 0;
    const auto s = tel::read_jsonl(tel::step_path_for(tel::steps_dir_for(log), id).string(), [&](auto&&, auto&&) { ++n; });
    ++step_files;
    if (n != 5 || !s.warnings.empty()) ++bad_step_files;
  }
  CHECK(step_files == writers * runs);
  CHECK(bad_step_files == 0);
}

TEST_CASE("a writer killed mid-record leaves a store that checks ok and a log that repair cleans", "[telemetry][reliability]") {
  const auto dir = scratch("sigkill");
  const auto log = dir / "telemetry" / "runs.jsonl";
  const pid_t p = ::fork();
  REQUIRE(p >= 0);
  if (p == 0) {
    tel::jsonl_run_log jsonl(log);
    tel::sqlite_store store(tel::sqlite_path_for(log));
    for (int k = 0; k < 3; ++k) {  // three complete runs
      const auto r = record(0, k);
      jsonl.run_finished(r);
      store.persist_run(tel::to_json(r));
    }
    // The fourth run dies half-way through both writes: a torn JSONL line (as a crash mid-write
    // on a file system without atomic appends leaves) and an uncommitted SQLite transaction.
    const auto r = record(0, 3);
    const std::string line = tel::jsonl_line(r);
    tel::append_jsonl(log, std::string_view(line).substr(0, line.size() / 2));
    store.begin();
    store.persist_any(tel::to_json(r), "", "", 0);
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ::waitpid(p, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  tel::sqlite_store store(tel::sqlite_path_for(log));
  CHECK(store.quick_check() == "ok");
  CHECK(store.count("runs") == 3);
  std::size_t ok = 0;
  const auto st = tel::read_jsonl(log.string(), [&](auto&&, auto&&) { ++ok; });
  CHECK(ok == 3);
  REQUIRE(st.warnings.size() == 1);
  CHECK(st.warnings[0].line == 4);
  CHECK(st.torn_tail);

  // A later writer's record is not glued to the fragment.
  tel::append_jsonl(log, tel::jsonl_line(record(1, 0)));
  ok = 0;
  tel::read_jsonl(log.string(), [&](auto&&, auto&&) { ++ok; });
  CHECK(ok == 4);
  const auto repaired = tel::repair_log(log);
  CHECK(repaired.removed_lines == std::vector<std::size_t>{4});
  const auto clean = tel::read_jsonl(log.string(), [](auto&&, auto&&) {});
  CHECK(clean.warnings.empty());
  CHECK(clean.records == 4);
}

TEST_CASE("log rewrites running beside writers lose none of their appends", "[telemetry][reliability]") {
  const auto dir = scratch("prune_race");
  const auto log = dir / "runs.jsonl";
  tel::append_jsonl(log, tel::jsonl_line(record(9, 0)));
  constexpr int writers = 4, runs = 100;
  std::vector<pid_t> pids;
  for (int w = 0; w < writers; ++w) {
    const pid_t p = ::fork();
    REQUIRE(p >= 0);
    if (p == 0) {
      tel::jsonl_run_log jsonl(log);  // opened once, like a long solve: must follow the rewrites
      for (int k = 0; k < runs; ++k) jsonl.run_finished(record(w, k));
      ::_exit(0);
    }
    pids.push_back(p);
  }
  std::size_t rewrites = 0;
  for (int i = 0; i < 50; ++i) {  // each repair rewrites the log (temporary file + rename) under the lock
    tel::append_jsonl(log, "{\"torn\n");
    rewrites += tel::repair_log(log).removed_lines.size();
  }
  CHECK(wait_all(pids) == 0);
  std::size_t n = 0;
  const auto st = tel::read_jsonl(log.string(), [&](auto&&, auto&&) { ++n; });
  CHECK(st.warnings.empty());
  CHECK(n == 1 + writers * runs);
  CHECK(rewrites == 50);
}
