// fhops telemetry prune | repair | import | maintain | report under faults (issue 24): run ids that
// are not file names, a locked, missing, read-only or corrupt store, a read-only log, numbers
// simdjson rejects, out-of-range durations, failed commands leaving files behind, orphan step logs.
// Every failure is one line naming the file, a non-zero exit, and nothing lost.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test_support.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace fs = std::filesystem;
namespace tel = fhops::telemetry;
using fhops_test::driver;
using fhops_test::run;
using fhops_test::scratch;
using fhops_test::slurp;
using fhops_test::write;

namespace {

tel::run_record run_of(const std::string& id, int k) {
  tel::run_record r;
  r.run_id = id;
  r.solver = "sa";
  r.scenario = "FHOPS MiniToy";
  r.seed = k;
  r.metrics = {{"objective", 40.0 + k}, {"initial_score", -1.0}};
  r.config = {{"iters", 50}};
  r.context = {{"source", "cli.tune-random"}};
  r.started_at = r.finished_at = "2025-11-" + std::to_string(10 + k) + "T00:00:00+00:00";
  return r;
}

// A log of `n` runs (run-0 ...) with their step files, mirrored into the sibling store.
fs::path store_of(const fs::path& dir, int n) {
  const auto log = dir / "runs.jsonl";
  tel::sqlite_store store(tel::sqlite_path_for(log));
  for (int k = 0; k < n; ++k) {
    const auto r = run_of("run-" + std::to_string(k), k);
    tel::append_jsonl(log, tel::jsonl_line(r));
    store.persist_run(tel::to_json(r));
    write(tel::step_path_for(tel::steps_dir_for(log), r.run_id), "{}\n");
  }
  return log;
}

long long runs_in(const fs::path& db) {
  SQLite::Database d(db.string(), SQLite::OPEN_READONLY);
  return d.execAndGet("SELECT COUNT(*) FROM runs").getInt64();
}

std::string quick_check(const fs::path& db) {
  try {
    SQLite::Database d(db.string(), SQLite::OPEN_READONLY);
    return d.execAndGet("PRAGMA quick_check").getString();
  } catch (const std::exception& e) {
    return e.what();
  }
}

// Flips the bits of `n` bytes at `offset` (XOR 0x5A): on a page header, a store whose page no longer parses.
void flip(const fs::path& f, std::size_t offset, std::size_t n) {
  std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
  std::string bytes(n, '\0');
  io.seekg(static_cast<std::streamoff>(offset));
  io.read(bytes.data(), static_cast<std::streamsize>(n));
  for (char& c : bytes) c = static_cast<char>(c ^ 0x5A);
  io.seekp(static_cast<std::streamoff>(offset));
  io.write(bytes.data(), static_cast<std::streamsize>(n));
}

// "runuser -u nobody -- " when running as root (root ignores file modes), "" otherwise; nullopt
// (with a warning) when root has no runuser.
std::optional<std::string> as_other_user() {
  if (::geteuid() != 0) return std::string();
  if (!fs::exists("/usr/sbin/runuser")) {
    WARN("skipped: running as root without runuser");
    return std::nullopt;
  }
  return std::string("/usr/sbin/runuser -u nobody -- ");
}

// One line of output (the command's error line), for "one clear line" checks.
bool one_line(const std::string& out) { return !out.empty() && out.find('\n') == out.size() - 1; }

}  // namespace

TEST_CASE("prune makes no file operation for a run id that is not a safe file name", "[driver][telemetry][prune]") {
  const auto dir = scratch("cli_bad_ids");
  const auto log = dir / "telemetry" / "runs.jsonl";
  const auto victim = dir / "victim";
  write(victim.string() + ".jsonl", "precious\n");
  write(dir / "telemetry" / "outside.jsonl", "precious\n");
  std::string text;
  for (const std::string& id : std::vector<std::string>{"../outside", victim.string(), "../runs", "ok-1", "ok-2"})
    text += tel::jsonl_line(run_of(id, 1));
  write(log, text);
  write(dir / "telemetry" / "steps" / "ok-1.jsonl", "{}\n");
  write(dir / "telemetry" / "steps" / "ok-2.jsonl", "{}\n");

  const auto dry = run(driver() + " telemetry prune " + log.string() + " --keep 1 --dry-run");
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("not a valid run id") != std::string::npos);
  const auto r = run(driver() + " telemetry prune " + log.string() + " --keep 1");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Pruned 4 record(s); kept 1. Removed 1 step log(s).") != std::string::npos);
  CHECK(r.out.find("3 run id(s) are not valid run ids") != std::string::npos);
  CHECK(slurp(victim.string() + ".jsonl") == "precious\n");
  CHECK(slurp(dir / "telemetry" / "outside.jsonl") == "precious\n");
  REQUIRE(fs::exists(log));
  CHECK(slurp(log) == tel::jsonl_line(run_of("ok-2", 1)));
  CHECK_FALSE(fs::exists(dir / "telemetry" / "steps" / "ok-1.jsonl"));
  CHECK(fs::exists(dir / "telemetry" / "steps" / "ok-2.jsonl"));

  // Rotation moves step files: none for the bad ids either.
  write(log, tel::jsonl_line(run_of("../outside", 1)) + tel::jsonl_line(run_of("../runs", 1)) + tel::jsonl_line(run_of("ok-2", 1)));
  const auto rot = run(driver() + " telemetry prune " + log.string() + " --older-than 1d --archive-dir " + (dir / "archive").string());
  CHECK(rot.exit_code == 0);
  CHECK(slurp(dir / "telemetry" / "outside.jsonl") == "precious\n");
  CHECK_FALSE(fs::exists(dir / "archive" / "outside.jsonl"));
  CHECK(fs::exists(dir / "archive" / "steps" / "ok-2.jsonl"));
  CHECK(tel::read_jsonl((dir / "archive" / "runs.jsonl").string(), [](auto&&, auto&&) {}).records == 3);
}

TEST_CASE("prune --older-than rejects ages beyond 100 years instead of overflowing", "[driver][telemetry][prune]") {
  const auto dir = scratch("cli_age_overflow");
  const auto log = store_of(dir, 3);
  const std::string before = slurp(log);
  for (const char* age : {"1000000d", "9223372036854775807s", "36501d", "99999999999999999999s", "5300w"}) {
    const auto r = run(driver() + " telemetry prune " + log.string() + " --older-than " + age + " --archive-dir " + (dir / "archive").string());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--older-than") != std::string::npos);
    CHECK(slurp(log) == before);
    CHECK_FALSE(fs::exists(dir / "archive"));
  }
  const auto ok = run(driver() + " telemetry prune " + log.string() + " --older-than 36500d --archive-dir " + (dir / "archive").string());
  CHECK(ok.exit_code == 0);
  CHECK(slurp(log) == before);
}

TEST_CASE("prune leaves the log unchanged when the store step fails", "[driver][telemetry][prune]") {
  const auto dir = scratch("cli_prune_store_fails");
  const auto log = store_of(dir, 6);
  const auto sqlite = tel::sqlite_path_for(log);
  const std::string before = slurp(log);
  const auto unchanged = [&] {
    CHECK(slurp(log) == before);
    for (int k = 0; k < 6; ++k) CHECK(fs::exists(dir / "steps" / ("run-" + std::to_string(k) + ".jsonl")));
  };
  SECTION("a locked store") {
    SQLite::Database holder(sqlite.string(), SQLite::OPEN_READWRITE);
    holder.exec("BEGIN EXCLUSIVE");
    const auto r = run(driver() + " telemetry prune " + log.string() + " --keep 2 --busy-timeout 0.2");
    holder.exec("ROLLBACK");
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.out));
    CHECK(r.out.find(sqlite.string()) != std::string::npos);
    CHECK(r.out.find("locked") != std::string::npos);
    unchanged();
    CHECK(runs_in(sqlite) == 6);
  }
  SECTION("a corrupt store") {
    flip(sqlite, 4096, 4096);  // page 2, header and all
    REQUIRE(quick_check(sqlite) != "ok");
    const auto r = run(driver() + " telemetry prune " + log.string() + " --keep 2");
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.out));
    CHECK(r.out.find(sqlite.string()) != std::string::npos);
    unchanged();
  }
  SECTION("an explicit --sqlite that does not exist") {
    const auto r = run(driver() + " telemetry prune " + log.string() + " --keep 2 --sqlite " + (dir / "typo.sqlite").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find((dir / "typo.sqlite").string()) != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "typo.sqlite"));
    unchanged();
  }
}

TEST_CASE("repair and prune keep the log's mode and owner and refuse a read-only log", "[driver][telemetry][repair]") {
  const auto dir = scratch("cli_log_mode");
  const auto log = store_of(dir, 4);
  std::ofstream(log, std::ios::app) << "{\"torn";
  const std::string before = slurp(log);

  fs::permissions(log, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  for (const std::string& cmd : std::vector<std::string>{" telemetry repair ", " telemetry prune --keep 2 "}) {
    const auto r = run(driver() + cmd + log.string());
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.out));
    CHECK(r.out.find(log.string()) != std::string::npos);
    CHECK(r.out.find("read-only") != std::string::npos);
    CHECK(r.out.find("--force") != std::string::npos);
    CHECK(slurp(log) == before);
    CHECK(runs_in(tel::sqlite_path_for(log)) == 4);
  }
  for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().extension() != ".bak");

  const auto forced = run(driver() + " telemetry repair --force " + log.string());
  CHECK(forced.exit_code == 0);
  CHECK(fhops_test::file_mode(log) == 0444);
  CHECK(tel::read_jsonl(log.string(), [](auto&&, auto&&) {}).warnings.empty());

  ::chmod(log.c_str(), 0640);
  if (::geteuid() == 0) REQUIRE(::chown(log.c_str(), 65534, 65534) == 0);
  std::ofstream(log, std::ios::app) << "{\"torn again";
  CHECK(run(driver() + " telemetry repair " + log.string()).exit_code == 0);
  CHECK(fhops_test::file_mode(log) == 0640);
  CHECK(run(driver() + " telemetry prune --keep 2 " + log.string()).exit_code == 0);
  CHECK(fhops_test::file_mode(log) == 0640);
  struct stat st {};
  ::stat(log.c_str(), &st);
  if (::geteuid() == 0) {
    CHECK(st.st_uid == 65534u);
    CHECK(st.st_gid == 65534u);
  }
}

TEST_CASE("repair keeps and import stores well-formed lines with huge numbers or a lone surrogate", "[driver][telemetry][repair]") {
  const auto dir = scratch("cli_big_numbers");
  const auto log = dir / "runs.jsonl";
  const std::vector<std::string> lines = {
      R"({"record_type":"run","run_id":"big-1","solver":"sa","metrics":{"objective":18446744073709551616},"started_at":"2025-11-11T00:00:00+00:00"})",
      R"({"record_type":"run","run_id":"big-2","solver":"sa","metrics":{"objective":1e999,"other":-1E+400},"started_at":"2025-11-11T00:00:00+00:00"})",
      R"({"record_type":"run","run_id":"big-3","solver":"sa","scenario":"x\ud800y","metrics":{"objective":2.5},"started_at":"2025-11-11T00:00:00+00:00"})",
      R"({"legacy":123456789012345678901234567890})",
      R"({"record_type":"run","run_id":"torn","solver":"sa","metrics":{"objective":1e99)",
  };
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write(log, text);
  const auto rep = run(driver() + " telemetry repair " + log.string());
  CHECK(rep.exit_code == 0);
  CHECK(rep.out.find("removed 1 torn record(s) (line 5)") != std::string::npos);
  std::string kept;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) kept += lines[i] + "\n";
  CHECK(slurp(log) == kept);

  const auto store = dir / "runs.sqlite";
  const auto imp = run(driver() + " telemetry import " + log.string() + " --into " + store.string());
  CHECK(imp.exit_code == 0);
  CHECK(imp.out.find("3 run record(s)") != std::string::npos);
  CHECK(imp.out.find("1 legacy record(s)") != std::string::npos);
  CHECK(imp.out.find("0 torn or invalid line(s) skipped") != std::string::npos);
  SQLite::Database db(store.string(), SQLite::OPEN_READONLY);
  for (int i = 0; i < 3; ++i) {
    SQLite::Statement q(db, "SELECT record_json FROM run_records WHERE run_id = ?");
    q.bind(1, "big-" + std::to_string(i + 1));
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == lines[static_cast<std::size_t>(i)]);
  }
  CHECK(db.execAndGet("SELECT record_json FROM legacy_records").getString() == lines[3]);
  CHECK(run(driver() + " telemetry report " + store.string()).exit_code == 0);
}

TEST_CASE("report and summarize-meta read a store in a read-only folder", "[driver][telemetry][report]") {
  const auto user = as_other_user();
  if (!user) return;
  const auto dir = scratch("cli_ro_folder");
  const auto log = store_of(dir / "ro", 3);
  fs::permissions(dir, fs::perms::all);
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(tel::sqlite_path_for(log), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  REQUIRE_FALSE(fs::exists(tel::sqlite_path_for(log).string() + "-wal"));
  const auto r = run(*user + driver() + " telemetry report " + tel::sqlite_path_for(log).string());
  const auto m = run(*user + driver() + " telemetry summarize-meta " + tel::sqlite_path_for(log).string());
  fs::permissions(dir / "ro", fs::perms::all);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("| random | FHOPS MiniToy | 42.000 | 41.000 | 3 |") != std::string::npos);
  CHECK(m.exit_code == 0);
}

TEST_CASE("report refuses a store whose quick_check fails, naming it and the way back", "[driver][telemetry][report]") {
  const auto dir = scratch("cli_flipped");
  const auto log = store_of(dir, 40);
  const auto sqlite = tel::sqlite_path_for(log);
  const std::size_t pages = fs::file_size(sqlite) / 4096;
  REQUIRE(pages > 8);
  int corrupt = 0;
  for (std::size_t k = 0; k < 15; ++k) {
    const auto copy = dir / ("flipped-" + std::to_string(k) + ".sqlite");
    fs::copy_file(sqlite, copy);
    // Deterministic flips of page headers spread over the file (the first page, the schema, stays).
    flip(copy, (1 + (k * 7) % (pages - 1)) * 4096 + 1 + k % 4, 6);
    if (quick_check(copy) == "ok") continue;
    ++corrupt;
    const auto r = run(driver() + " telemetry report " + copy.string());
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.out));
    CHECK(r.out.find(copy.string()) != std::string::npos);
    CHECK(r.out.find("fhops telemetry import") != std::string::npos);
  }
  CHECK(corrupt >= 10);
}

TEST_CASE("failed commands leave no empty files behind; maintain finds orphan step logs", "[driver][telemetry][import]") {
  const auto dir = scratch("cli_leftovers");
  SECTION("import of a log that cannot be read creates no store") {
    fs::create_directories(dir / "folder.jsonl");
    const auto r = run(driver() + " telemetry import " + (dir / "folder.jsonl").string() + " --into " + (dir / "new.sqlite").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("folder.jsonl") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "new.sqlite"));
    write(dir / "good.jsonl", tel::jsonl_line(run_of("a", 1)));
    const auto r2 = run(driver() + " telemetry import " + (dir / "good.jsonl").string() + " " + (dir / "missing.jsonl").string() +
                        " --into " + (dir / "new.sqlite").string());
    CHECK(r2.exit_code == 1);
    CHECK(r2.out.find("missing.jsonl") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "new.sqlite"));
  }
  SECTION("orphan step logs are reported, and removed only on request and only when old") {
    const auto log = store_of(dir, 3);
    const auto steps = dir / "steps";
    write(steps / "orphan-old.jsonl", "{}\n");
    write(steps / "orphan-new.jsonl", "{}\n");
    write(steps / "notes.txt", "not a step log\n");
    fs::last_write_time(steps / "orphan-old.jsonl", fs::file_time_type::clock::now() - std::chrono::hours(3));
    fs::last_write_time(steps / "run-0.jsonl", fs::file_time_type::clock::now() - std::chrono::hours(3));
    const auto sqlite = tel::sqlite_path_for(log).string();
    const auto m = run(driver() + " telemetry maintain " + sqlite);
    CHECK(m.exit_code == 0);
    CHECK(m.out.find("1 orphan step log(s)") != std::string::npos);
    CHECK(m.out.find("orphan-old.jsonl") != std::string::npos);
    CHECK(m.out.find("--remove-orphan-steps") != std::string::npos);
    CHECK(fs::exists(steps / "orphan-old.jsonl"));
    const auto rm = run(driver() + " telemetry maintain " + sqlite + " --remove-orphan-steps");
    CHECK(rm.exit_code == 0);
    CHECK(rm.out.find("Removed 1 orphan step log(s)") != std::string::npos);
    CHECK_FALSE(fs::exists(steps / "orphan-old.jsonl"));
    for (const char* kept : {"orphan-new.jsonl", "notes.txt", "run-0.jsonl", "run-1.jsonl", "run-2.jsonl"}) CHECK(fs::exists(steps / kept));
    const auto younger = run(driver() + " telemetry maintain " + sqlite + " --remove-orphan-steps --orphan-age 0s");
    CHECK(younger.exit_code == 0);
    CHECK_FALSE(fs::exists(steps / "orphan-new.jsonl"));
    CHECK(fs::exists(steps / "run-0.jsonl"));
    CHECK(run(driver() + " telemetry maintain " + sqlite + " --orphan-age forever").exit_code == 2);
  }
}

TEST_CASE("telemetry commands on a locked, missing, read-only or corrupt store: one line, non-zero, nothing lost", "[driver][telemetry]") {
  const auto dir = scratch("cli_store_matrix");
  const auto log = store_of(dir, 5);
  const auto sqlite = tel::sqlite_path_for(log);
  const std::string before = slurp(log);
  std::ofstream(dir / "more.jsonl") << tel::jsonl_line(run_of("extra", 9));
  const std::string prune = driver() + " telemetry prune " + log.string() + " --keep 2 --busy-timeout 0.2";
  const std::string import = driver() + " telemetry import " + (dir / "more.jsonl").string() + " --into " + sqlite.string() + " --busy-timeout 0.2";
  const std::string maintain = driver() + " telemetry maintain " + sqlite.string() + " --busy-timeout 0.2";
  const std::string report = driver() + " telemetry report " + sqlite.string();
  const auto fails = [&](const std::string& cmd, const std::string& what) {
    const auto r = run(cmd);
    INFO(cmd << "\n" << r.out);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.out));
    CHECK(r.out.find(sqlite.string()) != std::string::npos);
    CHECK(r.out.find(what) != std::string::npos);
    CHECK(slurp(log) == before);
  };

  SECTION("locked: writers fail after the busy timeout, the report still reads") {
    SQLite::Database holder(sqlite.string(), SQLite::OPEN_READWRITE);
    holder.exec("BEGIN EXCLUSIVE");
    fails(prune, "locked");
    fails(import, "locked");
    fails(maintain, "locked");
    const auto r = run(report);
    CHECK(r.exit_code == 0);
    holder.exec("ROLLBACK");
    CHECK(runs_in(sqlite) == 5);
  }
  SECTION("missing") {
    fs::remove(sqlite);
    fails(maintain, "not found");
    fails(report, "not found");
    fails(prune + " --sqlite " + sqlite.string(), "not found");
    CHECK_FALSE(fs::exists(sqlite));
  }
  SECTION("read-only (another user's store)") {
    const auto user = as_other_user();
    if (!user) return;
    fs::permissions(dir, fs::perms::all);
    fs::permissions(log, fs::perms::all);
    fs::permissions(dir / "steps", fs::perms::all);
    for (const auto& e : fs::directory_iterator(dir / "steps")) fs::permissions(e.path(), fs::perms::all);
    fs::permissions(sqlite, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fails(*user + prune, "readonly");
    fails(*user + import, "readonly");
    fails(*user + maintain, "readonly");
    CHECK(run(*user + report).exit_code == 0);
    CHECK(runs_in(sqlite) == 5);
  }
  SECTION("corrupt") {
    flip(sqlite, 4096, 4096);  // page 2, header and all
    REQUIRE(quick_check(sqlite) != "ok");
    fails(prune, "quick_check");
    fails(import, "quick_check");
    fails(maintain, "quick_check");
    fails(report, "quick_check");
  }
  SECTION("repair never opens the store") {
    SQLite::Database holder(sqlite.string(), SQLite::OPEN_READWRITE);
    holder.exec("BEGIN EXCLUSIVE");
    const auto r = run(driver() + " telemetry repair " + log.string());
    holder.exec("ROLLBACK");
    CHECK(r.exit_code == 0);
    CHECK(slurp(log) == before);
  }
}

TEST_CASE("a FIFO or a device as a telemetry log or store is refused at once, never waited on", "[driver][telemetry][faults]") {
  const auto dir = scratch("tel_fifo");
  const auto pipe = dir / "pipe.jsonl";
  fhops_test::make_fifo(pipe);
  // `timeout` turns a hang into exit 124; every command must answer at once with one line.
  const std::string t = "timeout 60 ";
  for (const char* cmd : {" telemetry repair ", " telemetry prune --keep 1 "}) {
    const auto r = run(t + driver() + cmd + pipe.string());
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains(pipe.string() + ": not a regular file"));
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  }
  const auto log = store_of(dir, 2);
  const auto into = run(t + driver() + " telemetry import " + log.string() + " --into " + pipe.string());
  CHECK(into.exit_code == 1);
  CHECK_THAT(into.out, Catch::Contains(pipe.string()));
  CHECK_THAT(into.out, Catch::Contains("not a regular file"));
  const auto report = run(t + driver() + " telemetry report " + pipe.string());
  CHECK(report.exit_code == 1);
  CHECK(fs::is_fifo(fs::symlink_status(pipe)));

  // A solve recording into a FIFO or /dev/null: refused (no /dev/null.sqlite is ever created).
  for (const std::string& target : {pipe.string(), std::string("/dev/null")}) {
    const auto s = run(t + driver() + " solve-heur " + fhops_test::demo() + " --iters 50 --out " + (dir / "plan.csv").string() +
                       " --telemetry-log " + target);
    CHECK(s.exit_code == 1);
    CHECK_THAT(s.out, Catch::Contains(target + ": cannot write telemetry log: not a regular file"));
  }
  CHECK_FALSE(fs::exists("/dev/null.sqlite"));
  CHECK(fs::is_character_file("/dev/null"));
  CHECK(runs_in(tel::sqlite_path_for(log)) == 2);
}
