// fhops solve-heur | solve-ils | solve-tabu --checkpoint FILE / --resume FILE end to end: a run
// stopped by SIGTERM (exit 143) and SIGINT (exit 130) and resumed ends with the plan, output and
// step log of the uninterrupted run; refused checkpoints (another scenario, solver or option,
// truncated, corrupted, another format version) give one line, exit 1, the file untouched.
#include "../test_support.hpp"

#include <regex>

using fhops_test::driver;
using fhops_test::run;

namespace {

// A large enough scenario for a run of a few seconds, or a skip.
std::string ckpt_cli_bundle(const char* name) {
  return fhops_test::reference(std::string("scenarios/") + name + "/scenario.yaml").string();
}

// stdout without its wall-clock parts (folders, seconds, rates) and the step logs' file names.
std::string ckpt_cli_stable(std::string text, const std::string& dir) {
  text = std::regex_replace(text, std::regex(dir + "/[a-z0-9]+/"), "DIR/");
  text = std::regex_replace(text, std::regex("in [0-9.]+ s"), "in X s");
  return std::regex_replace(text, std::regex("\\([0-9]+/s\\)"), "(N/s)");
}

// A step log without its wall-clock column and run id (a resumed run keeps its id; two separate
// runs have two).
std::string ckpt_cli_steps(const std::filesystem::path& steps_dir) {
  std::string all;
  for (const auto& f : std::filesystem::directory_iterator(steps_dir)) all += fhops_test::slurp(f.path());
  all = std::regex_replace(all, std::regex("\"timestamp\":\"[^\"]*\""), "");
  return std::regex_replace(all, std::regex("\"run_id\":\"[^\"]*\""), "");
}

// Runs `command` in the background, sends `signal` once the shell test `wait_while` turns false
// (a checkpoint is there: the search is under way) and 0.3 s more have passed (at most 20 s in
// all), and returns the command's exit code.
int ckpt_cli_interrupt(const std::string& command, const std::string& wait_while, const char* signal) {
  const auto r = run("( " + command + " & pid=$!; n=0; while " + wait_while + " && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done; " +
                     "sleep 0.3; kill -" + signal + " $pid; wait $pid; echo rc=$? )");
  const auto at = r.out.rfind("rc=");
  return at == std::string::npos ? -1 : std::stoi(r.out.substr(at + 3));
}

}  // namespace

TEST_CASE("solve-heur stopped by SIGTERM and SIGINT and resumed ends exactly as the uninterrupted run", "[checkpoint][driver]") {
  if (!fhops_test::have_reference()) return;
  const auto dir = fhops_test::scratch("ckpt_cli");
  const std::string bundle = ckpt_cli_bundle("large84");
  const std::string common = " solve-heur " + bundle + " --iters 60000 --seed 7 --show-operator-stats";
  const auto whole = run(driver() + common + " --out " + (dir / "a/plan.csv").string() + " --telemetry-log " +
                             (dir / "a/runs.jsonl").string() + " 2>/dev/null",
                         false);
  REQUIRE(whole.exit_code == 0);

  const auto ckpt = dir / "b/run.ckpt";
  const std::string pieces = driver() + common + " --out " + (dir / "b/plan.csv").string() + " --telemetry-log " +
                             (dir / "b/runs.jsonl").string();
  std::filesystem::create_directories(dir / "b");
  CHECK(ckpt_cli_interrupt(pieces + " --checkpoint " + ckpt.string() + " --checkpoint-every 0.2 >" + (dir / "b/1.out").string() +
                               " 2>" + (dir / "b/1.err").string(),
                           "[ ! -s " + ckpt.string() + " ]", "TERM") == 143);
  CHECK(fhops_test::slurp(dir / "b/1.err") == "checkpoint written to " + ckpt.string() + "; resume with --resume " + ckpt.string() + "\n");
  CHECK_FALSE(std::filesystem::exists(dir / "b/plan.csv"));   // an interrupted run writes no plan
  CHECK(fhops_test::slurp(dir / "b/runs.jsonl").empty());      // nor a run record (the log is opened first)
  const std::string first = ckpt.string() + ".first";
  std::filesystem::copy_file(ckpt, first);
  // A resumed run checkpoints to the same file and stops on SIGINT too (once it has replaced it).
  CHECK(ckpt_cli_interrupt(pieces + " --resume " + ckpt.string() + " --checkpoint-every 0.2 >/dev/null 2>&1",
                           "cmp -s " + ckpt.string() + " " + first, "INT") == 130);
  const auto last = run(pieces + " --resume " + ckpt.string() + " 2>/dev/null", false);
  REQUIRE(last.exit_code == 0);
  CHECK(fhops_test::slurp(dir / "b/plan.csv") == fhops_test::slurp(dir / "a/plan.csv"));
  CHECK(ckpt_cli_stable(last.out, dir.string()) == ckpt_cli_stable(whole.out, dir.string()));
  CHECK(ckpt_cli_steps(dir / "b/steps") == ckpt_cli_steps(dir / "a/steps"));
  const std::string record = fhops_test::slurp(dir / "b/runs.jsonl");
  CHECK(fhops_test::count(record, "\n") == 1);
  CHECK(record.find("\"resumes\":2") != std::string::npos);
  CHECK(fhops_test::slurp(dir / "a/runs.jsonl").find("resumes") == std::string::npos);

  SECTION("refused checkpoints: one line, exit 1, the file untouched") {
    const std::string good = fhops_test::slurp(first);
    const auto refused = [&](const std::string& command, const std::string& text, const std::string& reason) {
      const auto f = dir / "bad.ckpt";
      fhops_test::write(f, text);
      const auto r = run(driver() + command + " --out " + (dir / "bad.csv").string() + " --resume " + f.string());
      INFO(r.out);
      CHECK(r.exit_code == 1);
      CHECK(fhops_test::count(r.out, "\n") == 1);
      CHECK(r.out.find("cannot resume from " + f.string() + ": " + reason) != std::string::npos);
      CHECK(fhops_test::slurp(f) == text);
      CHECK_FALSE(std::filesystem::exists(dir / "bad.csv"));
    };
    const std::string plain = " solve-heur " + bundle + " --iters 60000 --seed 7 --show-operator-stats";
    refused(" solve-heur " + ckpt_cli_bundle("med42") + " --iters 60000 --seed 7", good, "checkpoint is for another scenario");
    refused(" solve-tabu " + bundle + " --iters 60000 --seed 7", good, "checkpoint is for solver sa, not tabu");
    refused(" solve-heur " + bundle + " --iters 60000 --seed 8", good, "checkpoint was made with seed=7, this run has seed=8");
    // the checkpoint was made without --cycles: one cycle, which --cycles 1 matches and 2 does not
    refused(" solve-heur " + bundle + " --iters 60000 --seed 7 --cycles 2", good, "checkpoint was made with cycles=1, this run has cycles=2");
    refused(plain, good, "checkpoint was written with --telemetry-log and step interval 100; resume with them");
    refused(plain, good.substr(0, good.size() - 40), "truncated");
    std::string flipped = good;
    flipped[good.size() / 2] = flipped[good.size() / 2] == 'a' ? 'b' : 'a';
    refused(plain, flipped, "corrupted (checksum mismatch)");
    std::string old = good;
    old.replace(old.find("version 2"), 9, "version 0");
    refused(plain, old, "format version 0, this build reads version 2");
  }
}

TEST_CASE("--checkpoint does not change a run; ILS and Tabu resume from a checkpoint", "[checkpoint][driver]") {
  if (!fhops_test::have_reference()) return;
  const auto dir = fhops_test::scratch("ckpt_cli_kinds");
  const std::string bundle = ckpt_cli_bundle("med42");
  for (const std::string solver : {"solve-ils", "solve-tabu"}) {
    const std::string common = " " + solver + " " + bundle + " --iters " + (solver == "solve-ils" ? "40" : "3000") + " --seed 3";
    const auto plain = run(driver() + common + " --out " + (dir / "plain.csv").string(), false);
    const auto ckpt = dir / (solver + ".ckpt");
    const auto with = run(driver() + common + " --out " + (dir / "with.csv").string() + " --checkpoint " + ckpt.string() +
                              " --checkpoint-every 0.001",
                          false);
    REQUIRE(plain.exit_code == 0);
    REQUIRE(with.exit_code == 0);
    CHECK(fhops_test::slurp(dir / "with.csv") == fhops_test::slurp(dir / "plain.csv"));
    CHECK(with.out.substr(0, with.out.find("Saved")) == plain.out.substr(0, plain.out.find("Saved")));
    REQUIRE(std::filesystem::exists(ckpt));  // the last periodic checkpoint, a few iterations before the end
    const auto resumed = run(driver() + common + " --out " + (dir / "resumed.csv").string() + " --resume " + ckpt.string(), false);
    REQUIRE(resumed.exit_code == 0);
    CHECK(fhops_test::slurp(dir / "resumed.csv") == fhops_test::slurp(dir / "plain.csv"));
  }
}

TEST_CASE("--checkpoint usage errors exit 2", "[checkpoint][driver]") {
  const auto dir = fhops_test::scratch("ckpt_cli_usage");
  const std::string out = " --out " + (dir / "p.csv").string();
  auto r = run(driver() + " solve-heur " + fhops_test::demo() + out + " --checkpoint-every 5");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("--checkpoint-every needs --checkpoint or --resume FILE") != std::string::npos);
  r = run(driver() + " solve-heur " + fhops_test::demo() + out + " --checkpoint " + (dir / "c").string() + " --parallel-multistart 2");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("not with a multistart") != std::string::npos);
  r = run(driver() + " solve-ils " + fhops_test::demo() + out + " --resume " + (dir / "missing").string());
  CHECK(r.exit_code == 1);
  CHECK(fhops_test::count(r.out, "\n") == 1);
}

TEST_CASE("solve-tabu with --checkpoint records the tenure as given (null: automatic)", "[checkpoint][driver]") {
  const auto dir = fhops_test::scratch("ckpt_cli_tenure");
  const std::string cmd = driver() + " solve-tabu " + fhops_test::demo() + " --iters 50 --out " + (dir / "p.csv").string() + " --telemetry-log ";
  REQUIRE(run(cmd + (dir / "a.jsonl").string() + " --checkpoint " + (dir / "c").string()).exit_code == 0);
  CHECK(fhops_test::slurp(dir / "a.jsonl").find("\"tabu_tenure\":null") != std::string::npos);
  REQUIRE(run(cmd + (dir / "b.jsonl").string() + " --tabu-tenure 7").exit_code == 0);
  CHECK(fhops_test::slurp(dir / "b.jsonl").find("\"tabu_tenure\":7") != std::string::npos);
}
