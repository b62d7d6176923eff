// Output paths end to end: every command refuses, before any work, an output that is one of its
// inputs or another output (same file by device and inode: hard links, symbolic links, ./x), with
// exit 2 and one line naming both paths, leaving the victim byte for byte; outputs that are
// devices, FIFOs or symbolic links are written through, never replaced.
#include "../test_support.hpp"

#include <filesystem>
#include <string>

#include <sys/stat.h>

using fhops_test::driver;
using fhops_test::run;
using fhops_test::slurp;

namespace {

namespace fs = std::filesystem;

/// A copy of the demo bundle in a fresh scratch folder: <scratch>/B.
fs::path demo_copy(const std::string& name) {
  const auto dir = fhops_test::scratch(name);
  fs::copy(fhops_test::demo(), dir / "B", fs::copy_options::recursive);
  return dir;
}

/// Runs `cmd`, which must be refused with exit 2 and exactly the line `fhops <command>: usage
/// error: <message>`, leaving `victim` as it was.
void check_refused(const std::string& cmd, const std::string& command, const fs::path& victim, const std::string& message) {
  const bool existed = fs::exists(victim);
  const std::string before = existed ? slurp(victim) : std::string();
  const auto r = run(cmd);
  INFO(cmd);
  CHECK(r.out == "fhops " + command + ": usage error: " + message + "\n");
  CHECK(r.exit_code == 2);
  CHECK(fs::exists(victim) == existed);
  if (existed) CHECK(slurp(victim) == before);
}

std::string same(const std::string& out_role, const fs::path& out, const std::string& in_role, const fs::path& in) {
  return out_role + " " + out.string() + " is the same file as " + in_role + " " + in.string() + " (an output may not overwrite an input)";
}

std::string shared(const std::string& a_role, const fs::path& a, const std::string& b_role, const fs::path& b) {
  return a_role + " " + a.string() + " and " + b_role + " " + b.string() + " are the same file (two outputs may not share a file)";
}

}  // namespace

TEST_CASE("greedy and solve-* refuse --out naming a scenario file: by path, ./x, hard link, symbolic link", "[driver][paths]") {
  const auto dir = demo_copy("paths_scenario");
  const auto B = dir / "B";
  check_refused(driver() + " greedy " + B.string() + " --out " + (B / "scenario.yaml").string(), "greedy", B / "scenario.yaml",
                same("--out", B / "scenario.yaml", "the scenario file", B / "scenario.yaml"));
  check_refused(driver() + " solve-heur " + B.string() + " --iters 10 --out " + (B / "data/blocks.csv").string(), "solve-heur",
                B / "data/blocks.csv", same("--out", B / "data/blocks.csv", "the scenario file", B / "data/blocks.csv"));
  fs::create_hard_link(B / "data/calendar.csv", dir / "hard.csv");
  check_refused(driver() + " solve-ils " + B.string() + " --iters 5 --out " + (dir / "hard.csv").string(), "solve-ils", B / "data/calendar.csv",
                same("--out", dir / "hard.csv", "the scenario file", B / "data/calendar.csv"));
  fs::create_symlink(B / "data/block_distances.csv", dir / "soft.csv");  // read by the mobilisation back-fill
  check_refused(driver() + " solve-tabu " + B.string() + " --iters 5 --out " + (dir / "soft.csv").string(), "solve-tabu",
                B / "data/block_distances.csv", same("--out", dir / "soft.csv", "the scenario file", B / "data/block_distances.csv"));
  check_refused(driver() + " solve-landings " + B.string() + " --out " + (B / "data/./machines.csv").string(), "solve-landings",
                B / "data/machines.csv", same("--out", B / "data/./machines.csv", "the scenario file", B / "data/machines.csv"));
  CHECK(fs::is_symlink(dir / "soft.csv"));
  CHECK(run(driver() + " validate " + B.string()).exit_code == 0);
}

TEST_CASE("solve-heur refuses a telemetry log that is a scenario file, --out, or has --out as its mirror", "[driver][paths]") {
  const auto dir = demo_copy("paths_telemetry");
  const auto B = dir / "B";
  const std::string solve = driver() + " solve-heur " + B.string() + " --iters 10";
  check_refused(solve + " --out " + (dir / "plan.csv").string() + " --telemetry-log " + (B / "scenario.yaml").string(), "solve-heur",
                B / "scenario.yaml", same("--telemetry-log", B / "scenario.yaml", "the scenario file", B / "scenario.yaml"));
  CHECK(!fs::exists(B / "scenario.sqlite"));
  CHECK(!fs::exists(dir / "plan.csv"));
  check_refused(solve + " --out " + (dir / "x.csv").string() + " --telemetry-log " + (dir / "x.csv").string(), "solve-heur", dir / "x.csv",
                shared("--out", dir / "x.csv", "--telemetry-log", dir / "x.csv"));
  check_refused(solve + " --out " + (dir / "runs.sqlite").string() + " --telemetry-log " + (dir / "runs.jsonl").string(), "solve-heur",
                dir / "runs.sqlite", shared("--out", dir / "runs.sqlite", "the SQLite mirror of --telemetry-log", dir / "runs.sqlite"));
  CHECK(!fs::exists(dir / "runs.jsonl"));
  CHECK(!fs::exists(dir / "steps"));
  check_refused(driver() + " tune-random " + B.string() + " --runs 1 --iters 10 --telemetry-log " + (B / "data/blocks.csv").string(),
                "tune-random", B / "data/blocks.csv",
                same("--telemetry-log", B / "data/blocks.csv", "the scenario file", B / "data/blocks.csv"));
  check_refused(driver() + " bench suite -s " + B.string() + " --sa-iters 10 --out-dir " + (dir / "bench").string() + " --telemetry-log " +
                    (B / "data/landings.csv").string(),
                "bench suite", B / "data/landings.csv",
                same("--telemetry-log", B / "data/landings.csv", "the scenario file", B / "data/landings.csv"));
  CHECK(!fs::exists(dir / "bench"));
  check_refused(driver() + " tuning-plan run -s " + B.string() + " --tuner random --random-runs 1 --random-iters 10 --out-dir " +
                    (dir / "plan").string() + " --telemetry-log " + (B / "scenario.yaml").string(),
                "tuning-plan run", B / "scenario.yaml", same("--telemetry-log", B / "scenario.yaml", "the scenario file", B / "scenario.yaml"));
  CHECK(!fs::exists(dir / "plan"));
}

TEST_CASE("telemetry commands refuse an output that is their store, log or report", "[driver][paths][telemetry]") {
  const auto dir = fhops_test::scratch("paths_telemetry_store");
  REQUIRE(run(driver() + " solve-heur " + fhops_test::demo() + " --iters 10 --out " + (dir / "plan.csv").string() + " --telemetry-log " +
              (dir / "S.jsonl").string()).exit_code == 0);
  const auto S = dir / "S.sqlite";
  check_refused(driver() + " telemetry report " + S.string() + " --out-csv " + S.string(), "telemetry report", S,
                same("--out-csv", S, "the store", S));
  fhops_test::write(dir / "runs.jsonl", "{}\n");
  const auto L = dir / "runs.jsonl";
  check_refused(driver() + " telemetry import " + L.string() + " --into " + L.string(), "telemetry import", L,
                same("--into", L, "the log", L));
  check_refused(driver() + " telemetry prune " + L.string() + " --older-than 1d --archive-dir " + dir.string(), "telemetry prune", L,
                shared("the telemetry log", L, "the archived log", dir / "runs.jsonl"));
  check_refused(driver() + " telemetry prune " + L.string() + " --sqlite " + L.string(), "telemetry prune", L,
                shared("the telemetry log", L, "--sqlite", L));
  fhops_test::write(dir / "report.csv", "algorithm,scenario,best_objective,mean_objective,runs\nsa,demo,1,1,1\n");
  const auto R = dir / "report.csv";
  check_refused(driver() + " telemetry history --report " + R.string() + " --out-csv " + R.string(), "telemetry history", R,
                same("--out-csv", R, "--report", R));
  check_refused(driver() + " telemetry summarize-meta " + S.string() + " --out-markdown " + (dir / "./S.sqlite").string(),
                "telemetry summarize-meta", S, same("--out-markdown", dir / "./S.sqlite", "the store", S));
}

TEST_CASE("synth, analytics and ops refuse outputs over their inputs", "[driver][paths]") {
  const auto dir = fhops_test::scratch("paths_folders");
  REQUIRE(run(driver() + " synth --tier small --seed 3 --out " + (dir / "b").string()).exit_code == 0);
  const auto meta = dir / "b/metadata.yaml";
  check_refused(driver() + " synth --config " + meta.string() + " --force --out " + (dir / "b").string(), "synth", meta,
                "--out " + (dir / "b").string() + " holds --config " + meta.string() + " (an output folder may not hold an input)");
  fhops_test::write(dir / "a/index.html", "<p>keep</p>\n");
  check_refused(driver() + " analytics run --light --page kpi_decomposition --out " + (dir / "a").string() + " --history " +
                    (dir / "a/index.html").string(),
                "analytics run", dir / "a/index.html", same("the index page", dir / "a/index.html", "--history", dir / "a/index.html"));
  fhops_test::write(dir / "site/index.html", "old site\n");
  fhops_test::write(dir / "site/week/tuner_report.csv", "keep\n");
  check_refused(driver() + " ops pages --from " + (dir / "site/week").string() + " --out " + (dir / "site").string(), "ops pages",
                dir / "site/week/tuner_report.csv",
                "--out " + (dir / "site").string() + " holds --from " + (dir / "site/week").string() + " (an output folder may not hold an input)");
  check_refused(driver() + " ops weekly --out " + (dir / "w").string() + " --telemetry-log " + (dir / "w/tuner_report.csv").string(),
                "ops weekly", dir / "w/tuner_report.csv",
                shared("--telemetry-log", dir / "w/tuner_report.csv", "the weekly output", dir / "w/tuner_report.csv"));
  CHECK(!fs::exists(dir / "w"));
}

TEST_CASE("--out naming a device, a FIFO or a symbolic link: written through, never replaced", "[driver][paths][atomic]") {
  const auto dir = fhops_test::scratch("paths_special");
  const std::string greedy = driver() + " greedy " + fhops_test::demo() + " --out ";
  const auto full = run(greedy + "/dev/full");
  CHECK(full.exit_code == 1);
  CHECK(full.out == "fhops greedy: error: /dev/full: cannot write: No space left on device\n");
  CHECK(fs::is_character_file(fs::symlink_status("/dev/full")));
  const auto null = run(greedy + "/dev/null");
  CHECK(null.exit_code == 0);
  CHECK(fs::is_character_file(fs::symlink_status("/dev/null")));
  const auto out = run(greedy + "/dev/stdout", false);
  CHECK(out.exit_code == 0);
  CHECK(out.out.rfind("machine_id,block_id,day,shift_id", 0) == 0);  // the plan first, then the summary
  CHECK(out.out.find("Greedy schedule saved to /dev/stdout") != std::string::npos);

  const auto fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const auto f = run("timeout 60 " + greedy + fifo.string());  // a hang would be exit 124
  CHECK(f.exit_code == 1);
  CHECK(f.out == "fhops greedy: error: " + fifo.string() + ": cannot write: no process is reading the FIFO\n");
  CHECK(fs::is_fifo(fs::symlink_status(fifo)));

  fhops_test::write(dir / "plans/latest.csv", "old\n");
  fs::create_symlink("plans/latest.csv", dir / "plan.csv");
  REQUIRE(run(greedy + (dir / "plan.csv").string()).exit_code == 0);
  CHECK(fs::is_symlink(dir / "plan.csv"));
  CHECK(slurp(dir / "plans/latest.csv").rfind("machine_id,block_id,day,shift_id", 0) == 0);
}
