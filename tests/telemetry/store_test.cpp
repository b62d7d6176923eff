// The SQLite store, the report, prune/rotate/repair/import, and the reference's telemetry files.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include "../test_support.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace tel = fhops::telemetry;
using fhops_test::scratch;
using fhops_test::slurp;
using fhops_test::write;

namespace {

tel::run_record run(const std::string& id, const std::string& source, double objective, const std::string& started = "2025-11-11T21:15:53+00:00") {
  tel::run_record r;
  r.run_id = id;
  r.solver = "sa";
  r.scenario = "FHOPS MiniToy";
  r.seed = 7;
  r.metrics = {{"objective", objective}, {"initial_score", -1.0}, {"deterministic", true}};
  r.config = {{"iters", 50}, {"batch_size", 2}, {"operators", tel::json::object{{"swap", 1.0}, {"move", 0.0}, {"cross_exchange", 0.767}}}};
  if (!source.empty()) r.context = {{"source", source}};
  r.started_at = r.finished_at = started;
  r.kpis = {{"total_production", 45.5}, {"completed_blocks", 3}, {"repair_usage_alert", "H1, H2"}};
  return r;
}

std::string one(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getString(); }

}  // namespace

TEST_CASE("a run is stored as the reference stores it, plus its verbatim record", "[telemetry][sqlite]") {
  const auto dir = scratch("store_schema");
  tel::sqlite_store store(dir / "runs.sqlite");
  CHECK(store.version() == tel::store_schema_version);
  store.persist_run(tel::to_json(run("r1", "cli.tune-random", 9.0)));
  auto& db = store.database();
  CHECK(one(db, "PRAGMA journal_mode") == "wal");
  CHECK(one(db, "SELECT config_json FROM runs") ==
        "{\"batch_size\": 2, \"iters\": 50, \"operators\": {\"cross_exchange\": 0.767, \"move\": 0.0, \"swap\": 1.0}}");
  CHECK(db.execAndGet("SELECT extra_json IS NULL AND artifacts_json IS NULL AND tuner_meta_json IS NULL FROM runs").getInt() == 1);
  CHECK(db.execAndGet("SELECT value FROM run_metrics WHERE name = 'deterministic'").getDouble() == 1.0);
  CHECK(one(db, "SELECT value_text FROM run_kpis WHERE name = 'repair_usage_alert'") == "\"H1, H2\"");
  CHECK(db.execAndGet("SELECT value IS NULL FROM run_kpis WHERE name = 'repair_usage_alert'").getInt() == 1);
  CHECK(one(db, "SELECT group_concat(name) FROM (SELECT name FROM run_metrics ORDER BY rowid)") == "objective,initial_score,deterministic");
  CHECK(one(db, "SELECT record_json FROM run_records") + "\n" == tel::jsonl_line(run("r1", "cli.tune-random", 9.0)));
  CHECK(one(db, "SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('runs'))") ==
        "run_id,schema_version,solver,scenario,scenario_path,seed,status,started_at,finished_at,duration_seconds,config_json,"
        "context_json,extra_json,artifacts_json,tuner_meta_json,error,"
        "fhops_algorithm,fhops_objective");  // the reference's columns in its order, then the report's two
  CHECK(one(db, "SELECT fhops_algorithm || ' ' || fhops_objective FROM runs") == "random 9.0");
  CHECK(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'runs_started_at'").getInt() == 1);

  SECTION("INSERT OR REPLACE by run_id: the second write wins and leaves no stale rows") {
    auto again = run("r1", "cli.tune-random", 11.0);
    again.kpis = {{"total_production", 1.0}};
    store.persist_run(tel::to_json(again));
    CHECK(store.count("runs") == 1);
    CHECK(store.count("run_kpis") == 1);
    CHECK(db.execAndGet("SELECT value FROM run_metrics WHERE name = 'objective'").getDouble() == 11.0);
    CHECK(store.delete_runs(std::vector<std::string>{"r1"}) == 1);
    CHECK(store.count("run_metrics") + store.count("run_kpis") + store.count("run_records") == 0);
  }
  CHECK(store.quick_check() == "ok");
}

TEST_CASE("a store the reference wrote is migrated in place, old rows kept", "[telemetry][sqlite]") {
  const auto dir = scratch("store_migrate");
  {
    SQLite::Database db((dir / "old.sqlite").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // The reference before its own tuner_meta_json migration (§1.10).
    db.exec("CREATE TABLE runs (run_id TEXT PRIMARY KEY, schema_version TEXT, solver TEXT, scenario TEXT, scenario_path TEXT,"
            " seed INTEGER, status TEXT, started_at TEXT, finished_at TEXT, duration_seconds REAL, config_json TEXT,"
            " context_json TEXT, extra_json TEXT, artifacts_json TEXT, error TEXT);"
            "INSERT INTO runs(run_id, solver, scenario) VALUES ('old', 'sa', 'FHOPS MiniToy')");
  }
  tel::sqlite_store store(dir / "old.sqlite");
  CHECK(store.version() == tel::store_schema_version);
  CHECK(store.count("runs") == 1);
  store.persist_run(tel::to_json(run("new", "", 1.0)));
  CHECK(store.count("runs") == 2);
  CHECK(store.database().execAndGet("SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'tuner_meta_json'").getInt() == 1);
}

TEST_CASE("store errors name the path and SQLite's reason", "[telemetry][sqlite]") {
  const auto dir = scratch("store_errors");
  std::filesystem::create_directories(dir / "dir.sqlite");
  CHECK_THROWS_WITH(tel::sqlite_store(dir / "dir.sqlite"), Catch::Contains("dir.sqlite") && Catch::Contains("is a directory"));
  write(dir / "junk.sqlite", std::string(4096, 'x'));
  CHECK_THROWS_WITH(tel::sqlite_store(dir / "junk.sqlite"), Catch::Contains("junk.sqlite") && Catch::Contains("not a database"));
  CHECK_THROWS_WITH(tel::sqlite_store(dir / "none.sqlite", tel::store_options{1000, true}), Catch::Contains("not found"));
  { tel::sqlite_store create(dir / "ro.sqlite"); }
  tel::sqlite_store ro(dir / "ro.sqlite", tel::store_options{1000, true});
  CHECK_THROWS_WITH(ro.persist_run(tel::to_json(run("x", "", 1.0))), Catch::Contains("readonly"));

  SECTION("a locked store fails after the busy timeout, and keeps what it had") {
    tel::sqlite_store a(dir / "locked.sqlite");
    a.persist_run(tel::to_json(run("kept", "", 1.0)));
    tel::sqlite_store b(dir / "locked.sqlite", tel::store_options{100});
    a.exec("BEGIN EXCLUSIVE");
    CHECK_THROWS_WITH(b.persist_run(tel::to_json(run("y", "", 1.0))), Catch::Contains("locked"));
    a.exec("ROLLBACK");
    CHECK(b.count("runs") == 1);
  }
}

TEST_CASE("the report covers every algorithm with the reference's columns and formats", "[telemetry][report]") {
  const auto dir = scratch("report");
  tel::sqlite_store store(dir / "runs.sqlite");
  store.persist_run(tel::to_json(run("a", "cli.tune-random", -6.0)));
  store.persist_run(tel::to_json(run("b", "cli.tune-random", 3.0)));
  auto ils = run("c", "cli.solve-ils", 5.5);
  ils.solver = "ils";
  ils.kpis.clear();
  store.persist_run(tel::to_json(ils));
  auto bench = run("d", "benchmark.tabu", 2.0);
  bench.tuner_meta = {{"algorithm", "tabu"}};
  bench.kpis.clear();
  store.persist_run(tel::to_json(bench));
  auto failed = run("e", "cli.solve-heur", 0.0);
  failed.status = "error";
  failed.metrics.clear();
  store.persist_run(tel::to_json(failed));
  tel::tuner_summary_record s{"random", 2, {{"FHOPS MiniToy", 3.0}}, "s1", "2025-11-12T00:00:00+00:00"};
  store.persist_tuner_summary(tel::to_json(s));

  const auto rows = tel::build_report(store);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].algorithm == "ils");
  CHECK(rows[1].algorithm == "random");
  CHECK(rows[2].algorithm == "tabu");
  CHECK(rows[1].runs == 2);
  CHECK(rows[1].best_objective == 3.0);
  CHECK(rows[1].mean_objective == -1.5);
  CHECK(rows[1].best_run_id == "b");
  CHECK(rows[1].best_config == "batch_size=2; iters=50; operators=(cross_exchange:0.767, swap:1.0)");
  CHECK(rows[1].summary_best == 3.0);
  CHECK(rows[1].repair_usage_alert == "\"H1, H2\"");
  const std::string csv = tel::report_csv(rows);
  CHECK(csv.rfind("algorithm,scenario,runs,best_objective,mean_objective,best_run_id,best_started_at,best_config,summary_best,"
                  "summary_configurations,summary_updated_at,machine_costs_summary,repair_usage_alert\r\n", 0) == 0);
  CHECK(csv.find("random,FHOPS MiniToy,2,3.000000,-1.500000,b,2025-11-11T21:15:53+00:00,\"batch_size=2; iters=50; "
                 "operators=(cross_exchange:0.767, swap:1.0)\",3.000000,2,2025-11-12T00:00:00+00:00,,\"\"\"H1, H2\"\"\"\r\n") !=
        std::string::npos);
  const std::string md = tel::report_markdown(rows);
  CHECK(md.find("| Algorithm | Scenario |") == 0);
  CHECK(md.find("| random | FHOPS MiniToy | 3.000 | -1.500 | 2 | 3.000 | 2 |  | \"H1, H2\" |\n") != std::string::npos);
  CHECK(tel::report_html(rows).find("<td>tabu</td>") != std::string::npos);
  // The HTML: the house style sheet, readable headers, 3 decimals, the config JSON in a wrapping cell.
  const std::string page = tel::report_html(rows);
  CHECK(page.find(std::string(fhops::html::page_css)) != std::string::npos);
  CHECK(page.find("<th>Best Objective</th>") != std::string::npos);
  CHECK(page.find("best_objective") == std::string::npos);
  CHECK(page.find("<td class=\"n\">-1.500</td>") != std::string::npos);
  CHECK(page.find("-1.500000") == std::string::npos);
  CHECK(page.find("<td class=\"config\"><code>batch_size=2; iters=50; operators=(cross_exchange:0.767, swap:1.0)</code></td>") != std::string::npos);
  CHECK(page.find("td.config code{white-space:pre-wrap") != std::string::npos);
  CHECK(tel::repair_alerts(rows) == std::vector<std::string>{"FHOPS MiniToy (random)"});
}

TEST_CASE("the report is the same from the report columns, from runs that lack them, and from a store not migrated",
          "[telemetry][report]") {
  const auto dir = scratch("report_paths");
  const auto fill = [](tel::sqlite_store& store) {
    for (int i = 0; i < 40; ++i) {
      auto r = run("r" + std::to_string(i), i % 3 == 0 ? "cli.tune-grid" : "cli.solve-heur", static_cast<double>((i * 7) % 11));
      r.scenario = i % 2 ? "S1" : "S2";
      if (i % 5 == 0) r.scenario.reset();  // NULL: reported as "unknown"
      store.persist_run(tel::to_json(r));
    }
    for (const char* id : {"tie-a", "tie-b"}) {  // equal best objectives: the first written is the best run
      auto r = run(id, "cli.tune-random", 99.0);
      r.scenario = "T";
      store.persist_run(tel::to_json(r));
    }
  };
  const auto text = [](const std::vector<tel::report_row>& rows) { return tel::report_csv(rows) + tel::report_markdown(rows); };
  tel::sqlite_store fast(dir / "fast.sqlite");
  fill(fast);
  const auto expected = tel::build_report(fast);
  REQUIRE(expected.size() >= 5);
  const auto tie = std::find_if(expected.begin(), expected.end(), [](const auto& r) { return r.scenario == "T"; });
  REQUIRE(tie != expected.end());
  CHECK(tie->best_run_id == "tie-a");
  CHECK(tie->runs == 2);

  for (const char* parity : {"0", "1"}) {
    SECTION(std::string("runs whose report columns a reference writer left NULL (rowid % 2 = ") + parity + ")") {
      tel::sqlite_store mixed(dir / (std::string("mixed") + parity + ".sqlite"));
      fill(mixed);
      mixed.exec(std::string("UPDATE runs SET fhops_algorithm = NULL, fhops_objective = NULL WHERE rowid % 2 = ") + parity);
      CHECK(text(tel::build_report(mixed)) == text(expected));
    }
  }
  SECTION("a store without the report columns (read only, never migrated)") {
    tel::sqlite_store old(dir / "old.sqlite");
    fill(old);
    old.exec("DROP INDEX runs_report");
    CHECK(text(tel::build_report(old)) == text(expected));
  }
  SECTION("migration 4 fills the columns of runs written before it") {
    tel::sqlite_store before(dir / "before.sqlite");
    fill(before);
    before.exec("UPDATE runs SET fhops_algorithm = NULL, fhops_objective = NULL");
    before.exec("DELETE FROM fhops_schema_migrations WHERE version = 4");
    before.exec("DROP INDEX runs_report");
    before.exec("ALTER TABLE runs DROP COLUMN fhops_objective");
    before.exec("ALTER TABLE runs DROP COLUMN fhops_algorithm");
    tel::sqlite_store migrated(dir / "before.sqlite");
    CHECK(migrated.version() == tel::store_schema_version);
    CHECK(migrated.count("runs") == 42);
    SQLite::Statement q(migrated.database(), "SELECT COUNT(*) FROM runs WHERE fhops_algorithm IS NULL");
    q.executeStep();
    CHECK(q.getColumn(0).getInt() == 0);
    CHECK(text(tel::build_report(migrated)) == text(expected));
  }
}

TEST_CASE("machine-cost summaries follow §1.4", "[telemetry][report]") {
  const tel::json costs = tel::parse_json(
      "[{\"machine_id\":\"H1\",\"role\":\"harvester\",\"ownership\":10.5,\"operating\":20.0,\"repair_maintenance\":null,"
      "\"usage_bucket_hours\":12000,\"cost_base_year\":2024},{\"machine_id\":\"F1\",\"role\":null},"
      "{\"machine_id\":\"F2\",\"repair_usage_hours\":10000}]");
  CHECK(tel::machine_costs_summary(costs) == "harvester: own=10.5, op=20.0, usage=12,000h, base=2024 CAD | F2: usage=10,000h");
}

namespace {

// A log of 10 runs (run-0 .. run-9), each with a step file, mirrored into SQLite.
std::filesystem::path ten_runs(const std::filesystem::path& dir) {
  const auto log = dir / "telemetry" / "runs.jsonl";
  tel::sqlite_store store(tel::sqlite_path_for(log));
  for (int i = 0; i < 10; ++i) {
    const auto r = run("run-" + std::to_string(i), "", i, "2025-11-" + std::to_string(10 + i) + "T00:00:00+00:00");
    tel::append_jsonl(log, tel::jsonl_line(r));
    store.persist_run(tel::to_json(r));
    write(tel::step_path_for(tel::steps_dir_for(log), r.run_id), "{}\n");
  }
  return log;
}

}  // namespace

TEST_CASE("prune keeps the last N lines, their step files and their SQLite rows", "[telemetry][prune]") {
  const auto dir = scratch("prune");
  const auto log = ten_runs(dir);
  tel::prune_options o;
  o.keep = 3;
  o.steps_dir = tel::steps_dir_for(log);
  o.dry_run = true;
  const std::string before = slurp(log);
  auto r = tel::prune_log(log, o);
  CHECK(r.removed == 7);
  CHECK(slurp(log) == before);
  CHECK(std::filesystem::exists(o.steps_dir / "run-0.jsonl"));
  o.dry_run = false;
  r = tel::prune_log(log, o);
  CHECK(r.kept == 3);
  CHECK(r.step_logs == 7);
  CHECK(r.sqlite_runs == 7);
  const auto lines = tel::read_log_lines(log);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].run_id == "run-7");
  CHECK_FALSE(std::filesystem::exists(o.steps_dir / "run-6.jsonl"));
  CHECK(std::filesystem::exists(o.steps_dir / "run-7.jsonl"));
  tel::sqlite_store store(tel::sqlite_path_for(log));
  CHECK(store.count("runs") == 3);
  CHECK(store.count("run_metrics") == 9);
}

TEST_CASE("rotation moves old records to the archive and deletes nothing", "[telemetry][prune]") {
  const auto dir = scratch("rotate");
  const auto log = ten_runs(dir);
  tel::prune_options o;
  o.older_than = std::chrono::hours(24 * 28);
  o.archive_dir = dir / "archive";
  o.steps_dir = tel::steps_dir_for(log);
  o.now = *tel::parse_utc_iso("2025-12-12T12:00:00+00:00");  // cutoff 2025-11-14T12:00: run-0..run-4 are older
  const auto r = tel::prune_log(log, o);
  CHECK(r.removed == 5);
  CHECK(tel::read_log_lines(log).size() == 5);
  const auto archived = tel::read_log_lines(dir / "archive" / "runs.jsonl");
  REQUIRE(archived.size() == 5);
  CHECK(archived[0].run_id == "run-0");
  CHECK(std::filesystem::exists(dir / "archive" / "steps" / "run-4.jsonl"));
  CHECK_FALSE(std::filesystem::exists(o.steps_dir / "run-4.jsonl"));
  tel::sqlite_store archive(dir / "archive" / "runs.sqlite"), main(tel::sqlite_path_for(log));
  CHECK(archive.count("runs") == 5);
  CHECK(main.count("runs") == 5);
  CHECK(archive.count("runs") + main.count("runs") == 10);
}

TEST_CASE("repair removes torn records and keeps a backup", "[telemetry][repair]") {
  const auto dir = scratch("repair");
  const auto log = dir / "runs.jsonl";
  const std::string good = tel::jsonl_line(run("a", "", 1.0));
  write(log, good + "\n" + good.substr(0, 40));
  const auto r = tel::repair_log(log);
  CHECK(r.removed_lines == std::vector<std::size_t>{3});
  CHECK(slurp(log) == good + "\n");
  CHECK(slurp(r.backup) == good + "\n" + good.substr(0, 40));
  CHECK(tel::repair_log(log).removed_lines.empty());
}

TEST_CASE("prune and rotation report invalid run ids and touch no file for them", "[telemetry][prune]") {
  const auto dir = scratch("prune_bad_ids");
  const auto log = dir / "t" / "runs.jsonl";
  write(dir / "t" / "outside.jsonl", "precious\n");
  std::string text;
  for (const char* id : {"../outside", "../runs", "good-1", "good-2"}) {
    tel::run_record r;
    r.run_id = id;
    r.solver = "sa";
    r.started_at = "2025-01-01T00:00:00+00:00";
    text += tel::jsonl_line(r);
  }
  write(log, text);
  write(dir / "t" / "steps" / "good-1.jsonl", "{}\n");
  tel::prune_options o;
  o.keep = 1;
  o.steps_dir = tel::steps_dir_for(log);
  const auto r = tel::prune_log(log, o);
  CHECK(r.removed == 3);
  CHECK(r.step_logs == 1);
  CHECK(r.invalid_run_ids == std::vector<std::string>{"../outside", "../runs"});
  CHECK(slurp(dir / "t" / "outside.jsonl") == "precious\n");
  REQUIRE(std::filesystem::exists(log));
  CHECK(tel::read_log_lines(log).size() == 1);
}

TEST_CASE("a repair that fails leaves the log as it was and no backup", "[telemetry][repair]") {
  const auto dir = scratch("repair_fails");
  const auto log = dir / "runs.jsonl";
  write(log, "{\"a\":1}\n{\"torn");
  const std::string before = slurp(log);
  // The temporary file of the rewrite cannot be created: a folder is in its place.
  std::filesystem::create_directories(log.string() + ".tmp." + std::to_string(::getpid()));
  CHECK_THROWS(tel::repair_log(log));
  CHECK(slurp(log) == before);
  for (const auto& e : std::filesystem::directory_iterator(dir)) CHECK(e.path().extension() != ".bak");
}

TEST_CASE("repairs within one second keep every backup", "[telemetry][repair]") {
  const auto dir = scratch("repair_backups");
  const auto log = dir / "runs.jsonl";
  std::set<std::string> backups;
  for (int i = 0; i < 3; ++i) {
    fhops::telemetry::append_jsonl(log, "{\"a\":" + std::to_string(i) + "}\n{\"torn " + std::to_string(i) + "\n");
    const auto r = tel::repair_log(log);
    REQUIRE(r.removed_lines.size() == 1);
    backups.insert(r.backup.string());
    CHECK(slurp(r.backup).find("torn " + std::to_string(i)) != std::string::npos);
  }
  CHECK(backups.size() == 3);
  for (const auto& b : backups) CHECK(std::filesystem::exists(b));
}

TEST_CASE("rotation ages are bounded: no overflow selects every record", "[telemetry][prune]") {
  const auto dir = scratch("rotate_overflow");
  const auto log = dir / "runs.jsonl";
  write(log, "{\"record_type\":\"run\",\"run_id\":\"a\",\"started_at\":\"2025-01-01T00:00:00+00:00\"}\n");
  const std::string before = slurp(log);
  tel::prune_options o;
  o.archive_dir = dir / "archive";
  o.steps_dir = dir / "steps";
  for (const auto age : {std::chrono::seconds(std::chrono::hours(24) * 1000000), std::chrono::seconds(9223372036854775807LL),
                         std::chrono::seconds(-1)}) {
    o.older_than = age;
    CHECK_THROWS_AS(tel::prune_log(log, o), std::invalid_argument);
    CHECK(slurp(log) == before);
    CHECK_FALSE(std::filesystem::exists(dir / "archive"));
  }
  o.older_than = tel::max_rotation_age;
  CHECK(tel::prune_log(log, o).removed == 0);
}

TEST_CASE("import merges logs deduplicated by run_id and keeps legacy lines verbatim", "[telemetry][import]") {
  const auto dir = scratch("import");
  const std::string a = tel::jsonl_line(run("a", "", 1.0)), b = tel::jsonl_line(run("b", "", 2.0));
  write(dir / "m1.jsonl", a + b + "{\"type\":\"multi_start_summary\",\"best_objective\":2.0}\n");
  write(dir / "m2.jsonl", b + "{\"record_type\":\"step\",\"run_id\":\"b\"}\n{\"record_type\":\"run\",\"run");
  tel::sqlite_store store(dir / "merged.sqlite");
  const auto r = tel::import_logs(store, {dir / "m1.jsonl", dir / "m2.jsonl"});
  CHECK(r.runs == 3);
  CHECK(r.legacy == 1);
  CHECK(r.steps_skipped == 1);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].line == 3);
  CHECK(store.count("runs") == 2);
  std::multiset<std::string> records;
  SQLite::Statement q(store.database(), "SELECT record_json FROM run_records");
  while (q.executeStep()) records.insert(q.getColumn(0).getString() + "\n");
  CHECK(records == std::multiset<std::string>{a, b});
  const auto again = tel::import_logs(store, {dir / "m1.jsonl"});
  CHECK(again.legacy_duplicates == 1);
  CHECK(store.count("legacy_records") == 1);
}

TEST_CASE("the reference's telemetry files read and import without loss", "[telemetry][reference]") {
  if (!fhops_test::have_reference()) return;
  const auto ref = fhops_test::reference("telemetry/telemetry_minitoy.jsonl");
  std::vector<std::string> raw;
  tel::for_each_line(ref.string(), [&](const tel::text_line& l) { raw.emplace_back(l.text); });
  std::vector<tel::json> values;
  const auto st = tel::read_jsonl(ref.string(), [&](const tel::text_line&, tel::json&& v) { values.push_back(std::move(v)); });
  CHECK(st.warnings.empty());
  REQUIRE(values.size() == raw.size());
  REQUIRE(values.size() == 6);
  CHECK(values[0].find("objective")->is_int());   // 200, not 200.0
  CHECK(values[0].find("temperature")->is_float());
  CHECK(std::get<double>(values[2].find("temperature")->value) == 1.0 / 3.0);
  for (std::size_t i = 0; i < values.size(); ++i)  // the reference's spacing aside, the values round-trip
    CHECK(tel::dump(values[i], tel::json_style{false, false}) == raw[i]);

  const auto dir = scratch("reference_import");
  tel::sqlite_store store(dir / "ref.sqlite");
  const auto r = tel::import_logs(store, {ref});
  CHECK(r.legacy == 6);
  CHECK(r.warnings.empty());
  std::vector<std::string> stored;
  SQLite::Statement q(store.database(), "SELECT record_json FROM legacy_records ORDER BY source_line");
  while (q.executeStep()) stored.push_back(q.getColumn(0).getString());
  CHECK(stored == raw);

  // The reference's report CSV has the older column set (no machine costs / alert); our columns
  // are a superset in the same order.
  const std::string csv = slurp(fhops_test::reference("telemetry/demo_tuner_report.csv"));
  const std::string header = csv.substr(0, csv.find("\r\n"));
  std::string ours;
  for (auto c : tel::report_csv_columns) ours += (ours.empty() ? "" : ",") + std::string(c);
  CHECK(ours.rfind(header, 0) == 0);
}
