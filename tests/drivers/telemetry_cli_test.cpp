// solve-* --telemetry-log and fhops telemetry report|prune|maintain|import|repair end to end,
// including the failure cases: a folder in place of the log, a failing output, a locked or
// read-only mirror, a full disk, a driver killed mid-run.
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../test_support.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace tel = fhops::telemetry;
using fhops_test::driver;
using fhops_test::run;
using fhops_test::scratch;

namespace {

using fhops_test::demo;

std::vector<tel::json> records(const std::filesystem::path& log) {
  std::vector<tel::json> out;
  tel::read_jsonl(log.string(), [&](const tel::text_line&, tel::json&& v) { out.push_back(std::move(v)); });
  return out;
}

long long count(const std::filesystem::path& db, const std::string& sql) {
  SQLite::Database d(db.string());
  return d.execAndGet(sql).getInt64();
}

}  // namespace

TEST_CASE("solve commands record one run per solve: JSONL, SQLite mirror and step log", "[driver][telemetry]") {
  const auto dir = scratch("cli_record");
  const auto log = dir / "telemetry" / "runs.jsonl";
  const std::string common = " --out " + (dir / "plan.csv").string() + " --telemetry-log " + log.string();
  REQUIRE(run(driver() + " solve-heur " + demo() + " --iters 250 --profile explore --tier-label short" + common).exit_code == 0);
  REQUIRE(run(driver() + " solve-ils " + demo() + " --iters 30 --step-interval 10" + common).exit_code == 0);
  REQUIRE(run(driver() + " solve-tabu " + demo() + " --iters 30" + common).exit_code == 0);
  const auto rs = records(log);
  REQUIRE(rs.size() == 3);
  const auto& sa = rs[0];
  CHECK(*sa.string_at("record_type") == "run");
  CHECK(*sa.string_at("schema_version") == "1.1");
  CHECK(*sa.string_at("solver") == "sa");
  CHECK(*sa.string_at("status") == "ok");
  CHECK(*sa.string_at("profile") == "explore");
  CHECK(*sa.string_at("tier") == "short");
  CHECK(*sa.string_at("source") == "cli.solve-heur");
  CHECK(sa.find("seed")->is_int());
  CHECK(sa.find("metrics")->find("objective")->is_float());
  CHECK(sa.find("context")->find("machine_costs")->is_array());
  CHECK(*rs[1].find("context")->find("scenario_features")->find("num_machines") == tel::json(5));
  std::vector<std::string> keys;
  for (const auto& [k, v] : sa.as_object()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"record_type", "schema_version", "run_id", "solver", "scenario", "scenario_path", "seed",
                                         "status", "metrics", "config", "context", "extra", "artifacts", "error", "started_at",
                                         "finished_at", "duration_seconds", "tuner_meta", "source", "profile", "profile_version",
                                         "tier", "kpis"});
  const auto sqlite = dir / "telemetry" / "runs.sqlite";
  CHECK(count(sqlite, "SELECT COUNT(*) FROM runs") == 3);
  CHECK(count(sqlite, "SELECT COUNT(*) FROM run_kpis") > 0);

  const auto steps_of = [&](const tel::json& r) {
    std::vector<long long> steps;
    tel::read_jsonl((dir / "telemetry" / "steps" / (*r.string_at("run_id") + ".jsonl")).string(),
                    [&](const tel::text_line&, tel::json&& v) { steps.push_back(std::get<long long>(v.find("step")->value)); });
    return steps;
  };
  CHECK(steps_of(rs[0]) == std::vector<long long>{1, 100, 200, 250});
  CHECK(steps_of(rs[1]) == std::vector<long long>{1, 10, 20, 30});
  CHECK(steps_of(rs[2]) == std::vector<long long>{1, 25, 30});

  SECTION("report covers every algorithm") {
    const auto csv = dir / "report.csv";
    const auto r = run(driver() + " telemetry report " + sqlite.string() + " --out-csv " + csv.string() + " --out-markdown " +
                       (dir / "report.md").string() + " --out-html " + (dir / "report.html").string());
    REQUIRE(r.exit_code == 0);
    const std::string text = fhops_test::slurp(csv);
    CHECK(text.find("\r\nils,Demo Valley,1,") != std::string::npos);
    CHECK(text.find("\r\nsa,Demo Valley,1,") != std::string::npos);
    CHECK(text.find("\r\ntabu,Demo Valley,1,") != std::string::npos);
    CHECK(fhops_test::slurp(dir / "report.md").find("| sa | Demo Valley |") != std::string::npos);
    CHECK(std::filesystem::exists(dir / "report.html"));
    const auto md = run(driver() + " telemetry report " + sqlite.string());
    CHECK(md.out.find("| Algorithm | Scenario |") == 0);
  }
  SECTION("prune keeps the last run in the log, the steps and the mirror") {
    const auto r = run(driver() + " telemetry prune " + log.string() + " --keep 1");
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Pruned 2 record(s); kept 1. Removed 2 step log(s).") != std::string::npos);
    CHECK(records(log).size() == 1);
    CHECK(count(sqlite, "SELECT COUNT(*) FROM runs") == 1);
    CHECK(run(driver() + " telemetry prune " + (dir / "none.jsonl").string()).out.find("Nothing to prune") != std::string::npos);
    CHECK(run(driver() + " telemetry prune " + log.string() + " --older-than 28d").exit_code == 2);
    CHECK(run(driver() + " telemetry prune " + log.string() + " --older-than soon --archive-dir x").exit_code == 2);
  }
  SECTION("maintain, import and repair") {
    const auto m = run(driver() + " telemetry maintain " + sqlite.string());
    CHECK(m.exit_code == 0);
    CHECK(m.out.find("quick_check: ok") != std::string::npos);
    CHECK(m.out.find("Size before: ") != std::string::npos);
    const auto merged = dir / "merged.sqlite";
    const auto i = run(driver() + " telemetry import " + log.string() + " " + log.string() + " --into " + merged.string());
    CHECK(i.exit_code == 0);
    CHECK(count(merged, "SELECT COUNT(*) FROM runs") == 3);
    std::ofstream(log, std::ios::app) << "{\"record_type\":\"run\",\"run_id\":\"to";
    const auto rep = run(driver() + " telemetry repair " + log.string());
    CHECK(rep.exit_code == 0);
    CHECK(rep.out.find("removed 1 torn record(s) (line 4)") != std::string::npos);
    CHECK(records(log).size() == 3);
    CHECK(run(driver() + " telemetry maintain " + (dir / "none.sqlite").string()).exit_code == 1);
    CHECK(run(driver() + " telemetry report " + (dir / "none.sqlite").string()).out.find("Telemetry SQLite store not found") !=
          std::string::npos);
  }
}

TEST_CASE("a failing run is recorded with status error and its message", "[driver][telemetry]") {
  const auto dir = scratch("cli_error");
  const auto log = dir / "runs.jsonl";
  std::filesystem::create_directories(dir / "plan.csv");  // the assignments output cannot be written
  const auto r = run(driver() + " solve-heur " + demo() + " --iters 50 --out " + (dir / "plan.csv").string() + " --telemetry-log " +
                     log.string());
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("is a directory") != std::string::npos);
  auto rs = records(log);
  REQUIRE(rs.size() == 1);
  CHECK(*rs[0].string_at("status") == "error");
  CHECK(rs[0].string_at("error")->find("plan.csv") != std::string::npos);
  CHECK(count(dir / "runs.sqlite", "SELECT COUNT(*) FROM runs WHERE status = 'error'") == 1);

  const auto bad = run(driver() + " solve-tabu " + (dir / "missing").string() + " --out " + (dir / "p.csv").string() +
                       " --telemetry-log " + log.string());
  CHECK(bad.exit_code == 1);
  rs = records(log);
  REQUIRE(rs.size() == 2);
  CHECK(*rs[1].string_at("status") == "error");
  CHECK(rs[1].find("scenario")->is_null());
}

TEST_CASE("telemetry failures are one clear line, exit non-zero, and lose nothing stored", "[driver][telemetry]") {
  const auto dir = scratch("cli_failures");
  const std::string solve = driver() + " solve-heur " + demo() + " --iters 20 --out " + (dir / "plan.csv").string();

  SECTION("a folder in place of the log file") {
    std::filesystem::create_directories(dir / "runs.jsonl");
    const auto r = run(solve + " --telemetry-log " + (dir / "runs.jsonl").string());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--telemetry-log") != std::string::npos);
    CHECK(r.out.find("is a directory") != std::string::npos);
  }
  SECTION("a log that cannot grow (a full disk): the record still reaches the mirror, and the message says so") {
    // The log fills the file-size limit (RLIMIT_FSIZE, 600 blocks of 512 bytes in sh; SIGXFSZ
    // ignored), so its append fails with EFBIG while the small mirror can still be written.
    fhops_test::write(dir / "runs.jsonl", std::string(600 * 512, '\n'));
    const auto r = run("sh -c \"ulimit -f 600; trap '' XFSZ; exec " + solve + " --telemetry-log " + (dir / "runs.jsonl").string() + "\"");
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("runs.jsonl: cannot append telemetry record: File too large") != std::string::npos);
    CHECK(r.out.find("the run record is in the SQLite mirror") != std::string::npos);
    CHECK(count(dir / "runs.sqlite", "SELECT COUNT(*) FROM runs") == 1);
  }
  SECTION("a locked mirror: the JSONL keeps the record and the message says how to rebuild the mirror") {
    const auto log = dir / "runs.jsonl";
    REQUIRE(run(solve + " --telemetry-log " + log.string()).exit_code == 0);
    SQLite::Database holder((dir / "runs.sqlite").string(), SQLite::OPEN_READWRITE);
    holder.exec("BEGIN EXCLUSIVE");
    const auto r = run(solve + " --telemetry-log " + log.string() + " --telemetry-busy-timeout 0.2");
    holder.exec("ROLLBACK");
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("the SQLite mirror failed") != std::string::npos);
    CHECK(r.out.find("locked") != std::string::npos);
    CHECK(r.out.find("fhops telemetry import") != std::string::npos);
    CHECK(records(log).size() == 2);
    CHECK(count(dir / "runs.sqlite", "SELECT COUNT(*) FROM runs") == 1);
    REQUIRE(run(driver() + " telemetry import " + log.string() + " --into " + (dir / "runs.sqlite").string()).exit_code == 0);
    CHECK(count(dir / "runs.sqlite", "SELECT COUNT(*) FROM runs") == 2);
  }
  SECTION("a read-only mirror") {
    const auto log = dir / "runs.jsonl";
    REQUIRE(run(solve + " --telemetry-log " + log.string()).exit_code == 0);
    std::string as_user;  // root ignores file modes: run the driver as nobody
    if (::geteuid() == 0) {
      if (!std::filesystem::exists("/usr/sbin/runuser")) {
        WARN("skipped: running as root without runuser");
        return;
      }
      as_user = "/usr/sbin/runuser -u nobody -- ";
    }
    namespace fs = std::filesystem;
    fs::permissions(dir, fs::perms::all);
    fs::permissions(log, fs::perms::owner_all | fs::perms::group_all | fs::perms::others_all);
    fs::permissions(dir / "runs.sqlite", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    for (const char* side : {"runs.sqlite-wal", "runs.sqlite-shm"})
      if (fs::exists(dir / side)) fs::permissions(dir / side, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(dir / "steps", fs::perms::all);
    const auto r = run(as_user + driver() + " solve-heur " + demo() + " --iters 20 --out " + (dir / "plan2.csv").string() +
                       " --telemetry-log " + log.string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("the SQLite mirror failed") != std::string::npos);
    CHECK(r.out.find("readonly") != std::string::npos);
    CHECK(records(log).size() == 2);
    CHECK(count(dir / "runs.sqlite", "SELECT COUNT(*) FROM runs") == 1);
  }
}

TEST_CASE("a solve killed mid-run leaves earlier runs intact and the store healthy", "[driver][telemetry]") {
  const auto dir = scratch("cli_kill");
  const auto log = dir / "runs.jsonl";
  const std::string args = " --out " + (dir / "plan.csv").string() + " --telemetry-log " + log.string();
  REQUIRE(run(driver() + " solve-heur " + demo() + " --iters 100" + args).exit_code == 0);
  const pid_t p = ::fork();
  REQUIRE(p >= 0);
  if (p == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + driver() + " solve-heur " + demo() + " --time-limit 30 --step-interval 1000" + args + " >/dev/null 2>&1").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the run has written steps (it is mid-run), then kill it.
  for (int i = 0; i < 200; ++i) {
    std::size_t files = 0;
    if (std::filesystem::exists(dir / "steps"))
      for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "steps")) ++files;
    if (files >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(p, SIGKILL);
  int status = 0;
  ::waitpid(p, &status, 0);
  CHECK(WIFSIGNALED(status));
  const auto rs = records(log);
  CHECK(rs.size() == 1);
  tel::sqlite_store store(dir / "runs.sqlite");
  CHECK(store.quick_check() == "ok");
  CHECK(store.count("runs") == 1);
  CHECK(run(driver() + " telemetry repair " + log.string()).out.find("no torn records") != std::string::npos);
}

TEST_CASE("tune-* with a read-only mirror: one line naming the mirror and how to rebuild it, exit 1, every record in the JSONL",
          "[driver][telemetry]") {
  namespace fs = std::filesystem;
  const auto dir = scratch("cli_tune_mirror");
  const auto log = dir / "runs.jsonl";
  const std::string tune = driver() + " tune-random " + demo() + " --runs 1 --iters 20 --telemetry-log " + log.string();
  REQUIRE(run(tune).exit_code == 0);
  const std::size_t before = records(log).size();  // a run record and the tuner summary
  REQUIRE(before == 2);
  std::string as_user;  // root ignores file modes: run the driver as nobody
  if (::geteuid() == 0) {
    if (!fs::exists("/usr/sbin/runuser")) {
      WARN("skipped: running as root without runuser");
      return;
    }
    as_user = "/usr/sbin/runuser -u nobody -- ";
  }
  fs::permissions(dir, fs::perms::all);
  fs::permissions(log, fs::perms::owner_all | fs::perms::group_all | fs::perms::others_all);
  fs::permissions(dir / "runs.sqlite", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  for (const char* side : {"runs.sqlite-wal", "runs.sqlite-shm"})
    if (fs::exists(dir / side)) fs::permissions(dir / side, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  if (fs::exists(dir / "steps")) fs::permissions(dir / "steps", fs::perms::all);
  const auto r = run(as_user + tune);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("fhops tune-random: error: the SQLite mirror " + (dir / "runs.sqlite").string() + " failed") != std::string::npos);
  CHECK(r.out.find("fhops telemetry import") != std::string::npos);
  CHECK(records(log).size() == 2 * before);  // nothing lost: the log has this run's records too
  CHECK(count(dir / "runs.sqlite", "SELECT COUNT(*) FROM runs") == 1);
}
