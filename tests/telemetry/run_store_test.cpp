// fhops/telemetry/run_store.hpp: the JSONL log, the SQLite mirror and the step logs written as one
// sink; a failing mirror keeps the record in the log and says so; a failing log says where the
// record is.
#include <filesystem>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "../test_support.hpp"
#include "fhops/telemetry/run_store.hpp"

namespace {

namespace tel = fhops::telemetry;
using fhops_test::scratch;
using fhops_test::slurp;

tel::run_record a_record(const std::string& run_id, double objective) {
  tel::run_record r;
  r.run_id = run_id;
  r.solver = "sa";
  r.scenario = "store-test";
  r.seed = 7;
  r.metrics = {{"objective", objective}};
  r.config = {{"iters", 10}};
  r.context = {{"source", "run-store-test"}};
  r.started_at = r.finished_at = tel::utc_iso_seconds();
  return r;
}

long long sqlite_count(const std::filesystem::path& db, const std::string& table) {
  SQLite::Database d(db.string());
  return d.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

}  // namespace

TEST_CASE("run_store: steps to steps/<run_id>.jsonl, the record to the log and then the mirror, a summary to both", "[telemetry][run_store]") {
  const auto dir = scratch("run_store");
  const auto log = dir / "t" / "runs.jsonl";
  tel::run_store store(log, 1, 5000);
  static_assert(tel::telemetry_sink<tel::run_store>);
  CHECK(std::filesystem::exists(log));  // opened at construction: a log that cannot be written fails before any work
  CHECK(store.sqlite() == tel::sqlite_path_for(log));
  CHECK(store.steps_on());

  const std::string id = tel::new_run_id();
  store.run_started({id, "sa", tel::utc_iso_seconds()});
  for (long long k = 1; k <= 3; ++k) store.step({id, tel::utc_iso_seconds(), k, 1.0 * k, 1.0 * k, std::nullopt, std::nullopt, k, k});
  store.run_finished(a_record(id, 3.0));  // closes the step file first
  CHECK(store.mirror_errors().empty());
  CHECK(fhops_test::count(slurp(store.step_file(id)), "\n") == 3);
  CHECK(fhops_test::count(slurp(log), "\n") == 1);
  CHECK(slurp(log).find(id) != std::string::npos);
  CHECK(sqlite_count(store.sqlite(), "runs") == 1);

  tel::tuner_summary_record s;
  s.algorithm = "random";
  s.configurations = 2;
  s.scenario_best = {{"store-test", 3.0}};
  s.summary_id = tel::new_run_id();
  s.created_at = tel::utc_iso_seconds();
  store.tuner_summary(s);
  CHECK(store.mirror_errors().empty());
  CHECK(fhops_test::count(slurp(log), "\n") == 2);
  CHECK(sqlite_count(store.sqlite(), "tuner_summaries") == 1);

  // record(): several records in one append and one transaction; a step observer per run.
  const std::string id2 = tel::new_run_id(), id3 = tel::new_run_id();
  auto steps = store.step_observer(id2, tel::acceptance_column::accepted, 0);  // 0: this run keeps no step log
  CHECK_FALSE(steps.wants_step(1));
  CHECK_FALSE(store.record({a_record(id2, 4.0), a_record(id3, 5.0)}));
  CHECK(fhops_test::count(slurp(log), "\n") == 4);
  CHECK(sqlite_count(store.sqlite(), "runs") == 3);
  CHECK_FALSE(std::filesystem::exists(store.step_file(id2)));
}

TEST_CASE("run_store: a mirror that cannot be written leaves the record in the log and names the error", "[telemetry][run_store]") {
  const auto dir = scratch("run_store_mirror");
  const auto log = dir / "runs.jsonl";
  tel::run_store store(log, 0, 1000);
  CHECK_FALSE(store.steps_on());
  std::filesystem::create_directories(store.sqlite());  // a folder where the mirror should be
  const std::string id = tel::new_run_id();
  const auto error = store.record({a_record(id, 1.0)});
  REQUIRE(error);
  CHECK(error->find(store.sqlite().string()) != std::string::npos);
  CHECK(slurp(log).find(id) != std::string::npos);  // nothing lost: the log has it
  store.run_finished(a_record(tel::new_run_id(), 2.0));  // as a sink: the error is kept, the record logged
  CHECK(store.mirror_errors().size() == 1);
  CHECK(fhops_test::count(slurp(log), "\n") == 2);
}

TEST_CASE("run_store: a log that cannot be written throws and says the record is in the mirror", "[telemetry][run_store]") {
  const auto dir = scratch("run_store_log");
  const auto log = dir / "runs.jsonl";
  tel::run_store store(log, 0, 1000);
  std::filesystem::remove(log);
  std::filesystem::create_directories(log);  // the path now names a folder: the append cannot follow it
  const std::string id = tel::new_run_id();
  try {
    (void)store.record({a_record(id, 1.0)});
    FAIL("no error");
  } catch (const fhops::output_error& e) {
    CHECK(std::string(e.what()).find("the run record is in the SQLite mirror " + store.sqlite().string()) != std::string::npos);
  }
  CHECK(sqlite_count(store.sqlite(), "runs") == 1);
}
