// fhops synth and fhops synth batch end to end: bundles that validate and solve, identical bytes
// for the same seed, one-line errors naming the option (exit 2), and no half-written bundles.
#include "../test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

using fhops_test::driver;
using fhops_test::run;
using fhops_test::slurp;

namespace {

namespace fs = std::filesystem;

std::set<std::string> files_of(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& f : fs::recursive_directory_iterator(dir))
    if (f.is_regular_file()) out.insert(f.path().lexically_relative(dir).generic_string());
  return out;
}

void require_same_files(const fs::path& a, const fs::path& b) {
  REQUIRE(files_of(a) == files_of(b));
  for (const auto& f : files_of(a)) {
    INFO(f);
    CHECK(slurp(a / f) == slurp(b / f));
  }
}

/// The one line a usage error prints, for a command that must fail with exit 2.
std::string usage_error(const std::string& args) {
  const auto r = run(driver() + " synth " + args);
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  return r.out;
}

}  // namespace

TEST_CASE("fhops synth writes a bundle that validates, evaluates and solves", "[synth][driver]") {
  const auto dir = fhops_test::scratch("synth_cli");
  const auto r = run(driver() + " synth --tier small --out " + (dir / "small").string());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "synthetic-small: 4 blocks, 2 machines, 1 landings, 6 days x 1 shifts, 0 blackouts, 0 locks -> " +
                     (dir / "small").string() + "\n");
  CHECK(files_of(dir / "small") == std::set<std::string>{"scenario.yaml", "metadata.yaml", "data/blocks.csv", "data/machines.csv",
                                                         "data/landings.csv", "data/calendar.csv", "data/prod_rates.csv",
                                                         "data/crew_assignments.csv"});
  CHECK_THAT(slurp(dir / "small/metadata.yaml"), Catch::Contains("\nseed: 101\n"));
  const auto v = run(driver() + " validate " + (dir / "small").string());
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains("Scenario: synthetic-small"));
  CHECK(v.out.find("warning") == std::string::npos);

  const auto custom = run(driver() + " synth --tier custom --seed 5 --blocks 12 --machines 5 --landings 3 --days 10 "
                                     "--shifts-per-day 2 --mobilisation true --locks 3 --objective-weights production=1,mobilisation=0.5 "
                                     "--out " + (dir / "custom").string());
  REQUIRE(custom.exit_code == 0);
  CHECK_THAT(custom.out, Catch::Contains("12 blocks, 5 machines, 3 landings, 10 days x 2 shifts"));
  CHECK_THAT(custom.out, Catch::Contains("3 locks, mobilisation"));
  const auto vc = run(driver() + " validate " + (dir / "custom").string());
  CHECK(vc.exit_code == 0);
  CHECK_THAT(vc.out, Catch::Matches("(.|\n)*Shift slots +20\n(.|\n)*"));
  const auto g = run(driver() + " greedy " + (dir / "custom").string() + " --out " + (dir / "greedy.csv").string());
  CHECK(g.exit_code == 0);
  const auto e = run(driver() + " evaluate " + (dir / "custom").string() + " --assignments " + (dir / "greedy.csv").string());
  CHECK(e.exit_code == 0);
  const auto s = run(driver() + " solve-heur " + (dir / "custom").string() + " --iters 500 --out " + (dir / "sa.csv").string());
  CHECK(s.exit_code == 0);
}

TEST_CASE("fhops synth: the same seed gives the same bytes, a config or metadata.yaml reproduces them", "[synth][driver]") {
  const auto dir = fhops_test::scratch("synth_cli_bytes");
  REQUIRE(run(driver() + " synth --tier large --seed 77 --out " + (dir / "a").string()).exit_code == 0);
  REQUIRE(run(driver() + " synth --tier large --seed 77 --out " + (dir / "b").string()).exit_code == 0);
  require_same_files(dir / "a", dir / "b");
  REQUIRE(run(driver() + " synth --tier large --seed 78 --out " + (dir / "c").string()).exit_code == 0);
  CHECK(slurp(dir / "a/data/prod_rates.csv") != slurp(dir / "c/data/prod_rates.csv"));
  REQUIRE(run(driver() + " synth --config " + (dir / "a/metadata.yaml").string() + " --out " + (dir / "d").string()).exit_code == 0);
  require_same_files(dir / "a", dir / "d");

  fhops_test::write(dir / "cfg.yaml", "tier: medium\nseed: 3\nmachines: 5\nsystem_mix: {ctl: 1}\n");
  const auto r = run(driver() + " synth --config " + (dir / "cfg.yaml").string() + " --machines 6 --out " + (dir / "e").string());
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("8 blocks, 6 machines, 2 landings, 12 days"));  // option beats config
  CHECK_THAT(slurp(dir / "e/data/blocks.csv"), Catch::Contains(",ctl\n"));
}

TEST_CASE("fhops synth: out-of-range parameters are one line naming the option, exit 2, nothing written", "[synth][driver][errors]") {
  const auto dir = fhops_test::scratch("synth_cli_errors");
  const std::string out = " --out " + (dir / "x").string();
  CHECK(usage_error("--tier small --machines 0" + out) == "fhops synth: usage error: --machines: must lie within 1..10000 (got 0)\n");
  CHECK_THAT(usage_error("--availability-probability 1.5" + out),
             Catch::Contains("--availability-probability: must be a probability in [0, 1] (got 1.5)"));
  CHECK_THAT(usage_error("--blackout-probability -0.2" + out), Catch::Contains("--blackout-probability: must be a probability"));
  CHECK_THAT(usage_error("--blocks 3 --landings 4" + out), Catch::Contains("--landings: must not exceed the number of blocks"));
  CHECK_THAT(usage_error("--tier huge" + out), Catch::Contains("--tier: must be one of small, medium, large, custom, xl, xxl (got 'huge')"));
  CHECK_THAT(usage_error("--machines four" + out), Catch::Contains("--machines: 'four' is not an integer"));
  CHECK_THAT(usage_error("--blackout-biases 3:2:0.5:1" + out), Catch::Contains("--blackout-biases[0].end_day: must be >= start_day"));
  CHECK_THAT(usage_error("--system-mix nope=1" + out), Catch::Contains("--system-mix: names a system that is not in the built-in registry"));
  CHECK(!fs::exists(dir / "x"));
  const auto missing = run(driver() + " synth --tier small");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.out, Catch::Contains("--out"));

  // a value out of range in the config file is named by the file and its key
  fhops_test::write(dir / "cfg.yaml", "machines: 0\n");
  CHECK_THAT(usage_error("--config " + (dir / "cfg.yaml").string() + out),
             Catch::Contains((dir / "cfg.yaml").string() + ": machines: must lie within 1..10000 (got 0)"));
  // an unknown key is a bad input file: exit 1
  fhops_test::write(dir / "bad.yaml", "machines: 3\nmachnes: 4\n");
  const auto bad = run(driver() + " synth --config " + (dir / "bad.yaml").string() + out);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("bad.yaml:2: column 'machnes': is not a parameter of the generator"));
  CHECK(!fs::exists(dir / "x"));
}

TEST_CASE("fhops synth never replaces a folder without --force, nor a folder that is not a bundle", "[synth][driver]") {
  const auto dir = fhops_test::scratch("synth_cli_replace");
  const std::string b = (dir / "b").string();
  REQUIRE(run(driver() + " synth --tier small --out " + b).exit_code == 0);
  const std::string before = slurp(dir / "b/data/prod_rates.csv");
  const auto again = run(driver() + " synth --tier small --seed 9 --out " + b);
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.out, Catch::Contains("already exists (pass --force to replace it)"));
  CHECK(slurp(dir / "b/data/prod_rates.csv") == before);
  REQUIRE(run(driver() + " synth --tier small --seed 9 --force --out " + b).exit_code == 0);
  CHECK(slurp(dir / "b/data/prod_rates.csv") != before);
  CHECK(files_of(dir).size() == files_of(dir / "b").size());  // no temporary or old folders left

  fhops_test::write(dir / "notes/todo.txt", "keep me\n");
  const auto other = run(driver() + " synth --tier small --force --out " + (dir / "notes").string());
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.out, Catch::Contains("is not empty and holds no scenario.yaml; refusing to replace it"));
  CHECK(slurp(dir / "notes/todo.txt") == "keep me\n");
}

TEST_CASE("fhops synth batch writes every bundle and a manifest, or nothing on a bad entry", "[synth][driver][batch]") {
  const auto dir = fhops_test::scratch("synth_cli_batch");
  fhops_test::write(dir / "plans/p.plan.yaml",
                    "bundle: mine\nmanifest: ../bundles/mine.yaml\nscenarios:\n"
                    "  - name: s1\n    out: ../gen/s1\n    tier: small\n    seed: 1\n"
                    "  - name: s2\n    out: ../gen/s2\n    tier: custom\n    seed: 2\n    machines: 3\n    mobilisation: true\n");
  const auto r = run(driver() + " synth batch " + (dir / "plans/p.plan.yaml").string());
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("s1: 4 blocks, 2 machines"));
  CHECK_THAT(r.out, Catch::Contains("manifest "));
  CHECK(slurp(dir / "bundles/mine.yaml") ==
        "# Bundle manifest written by `fhops synth batch p.plan.yaml`; paths are relative to this file.\n"
        "bundle: mine\nscenarios:\n  - name: s1\n    path: \"../gen/s1/scenario.yaml\"\n"
        "  - name: s2\n    path: \"../gen/s2/scenario.yaml\"\n");
  CHECK(run(driver() + " validate " + (dir / "gen/s2").string()).exit_code == 0);
  CHECK(fs::exists(dir / "gen/s2/data/block_distances.csv"));
  // a second run needs --force
  CHECK(run(driver() + " synth batch " + (dir / "plans/p.plan.yaml").string()).exit_code == 1);
  CHECK(run(driver() + " synth batch " + (dir / "plans/p.plan.yaml").string() + " --force").exit_code == 0);

  // a bad second entry: an error naming the plan line and the key, and no bundle at all
  fhops_test::write(dir / "plans/bad.plan.yaml",
                    "scenarios:\n  - name: t1\n    out: ../gen/t1\n  - name: t2\n    out: ../gen/t2\n    machines: 0\n");
  const auto bad = run(driver() + " synth batch " + (dir / "plans/bad.plan.yaml").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("bad.plan.yaml:4: column 'scenarios[1].machines': must lie within 1..10000 (got 0)"));
  CHECK(!fs::exists(dir / "gen/t1"));
  CHECK(!fs::exists(dir / "plans/bad.yaml"));
}

TEST_CASE("fhops synth batch: names from the plan are plain, outputs are checked for every entry before any write",
          "[synth][driver][batch][paths]") {
  const auto dir = fhops_test::scratch("synth_cli_batch_paths");
  const auto plans = dir / "a/b/plans";
  fhops_test::write(dir / "a/b/victim.txt", "keep me\n");
  const auto refused = [&](const std::string& file, const std::string& text, const std::string& message, const std::string& flags = "") {
    fhops_test::write(plans / file, text);
    const auto r = run(driver() + " synth batch " + (plans / file).string() + flags);
    INFO(text);
    CHECK(r.exit_code == 1);
    CHECK(r.out == "fhops synth batch: error: " + (plans / file).string() + message + "\n");
    CHECK(slurp(plans / file) == text);
    CHECK(slurp(dir / "a/b/victim.txt") == "keep me\n");
    CHECK(files_of(dir) == std::set<std::string>{"a/b/victim.txt", "a/b/plans/" + file});  // nothing written
    fs::remove(plans / file);
  };
  const std::string small = "    tier: small\n";
  for (const std::string flags : {"", " --force"}) {
    refused("m.plan.yaml", "manifest: ../victim.txt\nscenarios:\n  - name: s1\n    out: ../gen/s1\n" + small,
            ":1: column 'manifest': " + (plans / "../victim.txt").string() +
                " exists and is not a manifest written by synth batch; refusing to replace it", flags);
    refused("self.plan.yaml", "manifest: self.plan.yaml\nscenarios:\n  - name: s1\n    out: ../gen/s1\n" + small,
            ":1: column 'manifest': " + (plans / "self.plan.yaml").string() + " is the plan itself", flags);
    refused("n.plan.yaml", "scenarios:\n  - name: ../../x\n" + small,
            ":2: column 'scenarios[0].name': '../../x' is not a plain name (it names a folder: no '/', '\\' or control character, "
            "not starting with '.' or '-')", flags);
    refused("twice.plan.yaml", "scenarios:\n  - name: s1\n    out: ../gen/same\n" + small + "  - name: s2\n    out: ../gen/same\n" + small,
            ":5: column 'scenarios[1].out': the folder " + (plans / "../gen/same").string() + " overlaps the folder of scenarios[0] (" +
                (plans / "../gen/same").string() + ")", flags);
    refused("dot.plan.yaml", "scenarios:\n  - name: s1\n    out: .\n" + small,
            ":2: column 'scenarios[0].out': the folder " + (plans / ".").string() + " holds the manifest " + (plans / "dot.yaml").string(),
            flags);
    refused("abs.plan.yaml", "scenarios:\n  - name: s1\n    out: " + (dir / "abs").string() + "\n" + small,
            ":3: column 'scenarios[0].out': must be a path relative to the plan's folder (got '" + (dir / "abs").string() + "')", flags);
  }
  // an unrelated folder in the second entry's place: the first bundle is not written either
  fhops_test::write(dir / "a/b/gen/t2/notes.txt", "mine\n");
  fhops_test::write(plans / "p.plan.yaml", "scenarios:\n  - name: t1\n    out: ../gen/t1\n" + small + "  - name: t2\n    out: ../gen/t2\n" + small);
  const auto r = run(driver() + " synth batch " + (plans / "p.plan.yaml").string() + " --force");
  CHECK(r.exit_code == 1);
  CHECK(r.out == "fhops synth batch: error: " + (plans / "p.plan.yaml").string() + ":5: column 'scenarios[1].out': " +
                     (plans / "../gen/t2").string() + ": is not empty and holds no scenario.yaml; refusing to replace it\n");
  CHECK(!fs::exists(dir / "a/b/gen/t1"));
  CHECK(slurp(dir / "a/b/gen/t2/notes.txt") == "mine\n");
}
