// The weekly loop's rough edges (issue 22 §3): the runbook entry states the analytics mode that
// metadata.json records, the shipped bundles resolve by name in the tuners, `ops weekly` seeds its
// runs from the ISO week (--seed overrides), failed analytics pages are named on the console, and
// the help texts: aligned command lists, defaults as written, --version, an example per command.
#include "../test_support.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

using fhops_test::driver;
using fhops_test::run;
using fhops_test::slurp;

namespace fs = std::filesystem;

namespace {

// `ops weekly` in `dir` with every step left out but those named in `run_steps`; `env` goes before
// the driver (`FHOPS_ANALYTICS_LIGHT=1 `, `env -u NAME `).
std::string weekly_only(const fs::path& dir, const std::vector<std::string>& run_steps, const std::string& extra,
                        const std::string& env = "") {
  std::string cmd = "cd " + dir.string() + " && " + env + driver() + " ops weekly --out out --scenarios-dir " +
                    (fhops_test::source_dir() / "examples/scenarios").string() + " " + extra;
  for (const char* step : {"analytics", "tuning", "report", "snapshot", "history", "maintain", "archive"})
    if (std::find(run_steps.begin(), run_steps.end(), step) == run_steps.end()) cmd += std::string(" --skip ") + step;
  return cmd;
}

// The project version of the top-level CMakeLists.txt: `project(fhops VERSION x.y.z`.
std::string project_version() {
  const std::string cmake = slurp(fhops_test::source_dir() / "CMakeLists.txt");
  std::smatch m;
  REQUIRE(std::regex_search(cmake, m, std::regex(R"(project\(fhops VERSION ([0-9.]+))")));
  return m[1];
}

}  // namespace

TEST_CASE("ops weekly: FHOPS_ANALYTICS_LIGHT=1 gives a light entry, as analytics/metadata.json says (issue 22)", "[driver][ops][weekly-loop]") {
  const auto dir = fhops_test::scratch("weekly_light_env");
  const auto r = run(weekly_only(dir, {"analytics"}, "--date 2026-11-26", "FHOPS_ANALYTICS_LIGHT=1 "));
  INFO(r.out);
  REQUIRE(fs::is_regular_file(dir / "out/analytics/metadata.json"));
  simdjson::dom::parser parser;
  simdjson::dom::element meta;
  REQUIRE_FALSE(parser.load((dir / "out/analytics/metadata.json").string()).get(meta));
  CHECK(bool(meta["light_mode"].get_bool()) == true);
  const std::string entry = slurp(dir / "out/runbook_entry.md");
  CHECK(entry.find("analytics in light mode") != std::string::npos);
  CHECK(entry.find("analytics in full mode") == std::string::npos);
  CHECK(entry.find("Run the analytics pages (light mode") != std::string::npos);
  CHECK(entry.find("analytics run --out") != std::string::npos);
  CHECK(entry.find("--light") != std::string::npos);  // passed on explicitly

  // Without the variable (and with the analytics skipped) the entry says full mode.
  const auto full = run(weekly_only(dir, {}, "--date 2026-11-26", "env -u FHOPS_ANALYTICS_LIGHT "));
  INFO(full.out);
  CHECK(full.exit_code == 0);
  CHECK(slurp(dir / "out/runbook_entry.md").find("analytics in full mode") != std::string::npos);
}

TEST_CASE("ops weekly: the seed is year*100 + ISO week of --date, --seed overrides, both recorded (issue 22)", "[driver][ops][weekly-loop]") {
  const auto dir = fhops_test::scratch("weekly_seed");
  const auto entry_of = [&](const std::string& extra) {
    const auto r = run(weekly_only(dir, {}, extra));
    INFO(r.out);
    CHECK(r.exit_code == 0);
    return slurp(dir / "out/runbook_entry.md");
  };
  // 2026-11-26 is the Thursday of 2026-W48; 2027-01-01 (a Friday) is in 2026-W53 (2026 starts on a
  // Thursday); 2024-12-30 (a Monday) starts 2025-W01.
  CHECK(entry_of("--date 2026-11-26").find("seed 202648 (ISO week 2026-W48)") != std::string::npos);
  CHECK(entry_of("--date 2027-01-01").find("seed 202653 (ISO week 2026-W53)") != std::string::npos);
  CHECK(entry_of("--date 2024-12-30").find("seed 202501 (ISO week 2025-W01)") != std::string::npos);
  const std::string a = entry_of("--date 2026-11-26 --seed 11"), b = entry_of("--date 2026-11-26 --seed 12");
  CHECK(a.find("seed 11 (--seed)") != std::string::npos);
  CHECK(b.find("seed 12 (--seed)") != std::string::npos);

  // The seed reaches the tuning run (the command in the entry's table).
  const auto r = run(weekly_only(dir, {"tuning"}, "--date 2026-11-26 --seed 12 --trials 1 --iters 10 --bundle " +
                                                      (fhops_test::source_dir() / "examples/bundles/demo.yaml").string()));
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(slurp(dir / "out/runbook_entry.md").find("--trials 1 --iters 10 --seed 12 --telemetry-log") != std::string::npos);
  CHECK(run(weekly_only(dir, {}, "--seed x")).exit_code == 2);
}

TEST_CASE("tune-bayes --bundle synthetic (the runbook's command) resolves the shipped bundle by name (issue 22)", "[driver][tune][weekly-loop]") {
  const auto dir = fhops_test::scratch("weekly_shipped_bundle");
  const std::string in_tree = "cd " + fhops_test::source_dir().string() + " && " + driver();
  const auto r = run(in_tree + " tune-bayes --bundle synthetic --trials 1 --iters 10 --telemetry-log " + (dir / "runs.jsonl").string());
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("(bundle=synthetic, trials=1)") != std::string::npos);
  // The other commands taking --bundle resolve it the same way (one library function).
  const auto random = run(in_tree + " tune-random --bundle demo --runs 1 --iters 10 --telemetry-log " + (dir / "r.jsonl").string());
  INFO(random.out);
  CHECK(random.exit_code == 0);
  CHECK(random.out.find("(bundle=demo, runs=1)") != std::string::npos);
  const auto grid = run(in_tree + " tune-grid --bundle demo --batch-size 1 --preset balanced --iters 10 --telemetry-log " +
                        (dir / "g.jsonl").string());
  INFO(grid.out);
  CHECK(grid.exit_code == 0);
  const auto bench = run(in_tree + " bench suite --bundle demo --sa-iters 10 --out-dir " + (dir / "bench").string());
  INFO(bench.out);
  CHECK(bench.exit_code == 0);
  // From another working directory the driver finds the bundles beside itself
  // (<bin>/../../examples/bundles in the build tree; share/fhops/bundles when installed).
  const auto elsewhere = run("cd " + dir.string() + " && " + driver() + " tune-bayes --bundle synthetic --trials 1 --iters 10 --telemetry-log " +
                             (dir / "e.jsonl").string());
  INFO(elsewhere.out);
  CHECK(elsewhere.exit_code == 0);
  CHECK(elsewhere.out.find("(bundle=synthetic, trials=1)") != std::string::npos);
  // A reference alias that is not shipped still asks for --bundle-dir.
  const auto alias = run(in_tree + " tune-bayes --bundle minitoy --trials 1 --iters 10 --telemetry-log " + (dir / "m.jsonl").string());
  CHECK(alias.exit_code == 1);
  CHECK(alias.out.find("--bundle-dir") != std::string::npos);
}

TEST_CASE("analytics run: each failed page and its reason on the console, exit 1 (issue 22)", "[driver][analytics][weekly-loop]") {
  const auto dir = fhops_test::scratch("weekly_analytics_fail");
  const std::string cmd = driver() + " analytics run --out " + (dir / "out").string() + " --light --page telemetry_diagnostics --telemetry-log " +
                          (dir / "missing.jsonl").string();
  const auto quiet = run(cmd, false);  // stdout alone: the failures go to stderr
  CHECK(quiet.exit_code == 1);
  CHECK(quiet.out.find("page telemetry_diagnostics") == std::string::npos);
  const auto r = run(cmd);
  INFO(r.out);
  CHECK(r.exit_code == 1);
  const auto at = r.out.find("page telemetry_diagnostics error: ");
  REQUIRE(at != std::string::npos);
  CHECK(r.out.substr(at, r.out.find('\n', at) - at).find("missing.jsonl") != std::string::npos);
  CHECK(r.out.find("One or more pages failed.") > at);
}

TEST_CASE("fhops --version prints the project version, exit 0 (issue 22)", "[driver][help][weekly-loop]") {
  const auto r = run(driver() + " --version", false);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "fhops " + project_version() + "\n");
  CHECK(run(driver() + " --help", false).out.find("fhops --version") != std::string::npos);
}

TEST_CASE("help: command lists keep a space between name and text; defaults as written; an example per command that parses (issue 22)",
          "[driver][help][weekly-loop]") {
  // Every command list: each entry is "  NAME  TEXT" with at least one space after the name. The
  // commands listed (and the groups' subcommands) are the ones whose --help is checked below.
  std::vector<std::string> commands{"", "synth batch"};  // the top level; synth batch is in no list
  const auto listed = [&](const std::string& group) {
    const auto r = run(driver() + (group.empty() ? "" : " " + group) + " --help", false);
    INFO("fhops " << group << " --help\n" << r.out);
    CHECK(r.exit_code == 0);
    const auto list = r.out.find("Commands:\n");
    REQUIRE(list != std::string::npos);
    std::istringstream lines(r.out.substr(list + 10));
    std::vector<std::string> names;
    for (std::string line; std::getline(lines, line) && !line.empty();) {
      INFO(line);
      std::smatch m;
      CHECK(std::regex_match(line, m, std::regex("  ([a-z-]+) +[^ ].*")));
      if (!m.empty()) names.push_back(m[1]);
    }
    CHECK_FALSE(names.empty());
    return names;
  };
  for (const auto& name : listed("")) {
    commands.push_back(name);
    if (name == "telemetry" || name == "ops" || name == "tuning-plan")
      for (const auto& sub : listed(name)) commands.push_back(name + " " + sub);
  }
  CHECK(commands.size() >= 28);  // 16 commands, 7 + 2 + 1 subcommands, the top level, synth batch
  const auto top = run(driver() + " --help", false).out;
  CHECK(top.find("  solve-landings  landing decomposition") != std::string::npos);

  // Every command's --help: exit 0, no double spelled 0.050000000000000003, an example that parses.
  const std::regex long_decimal(R"([0-9]\.[0-9]{9,})");
  for (const auto& c : commands) {
    const auto r = run(driver() + (c.empty() ? "" : " " + c) + " --help", false);
    INFO("fhops " << c << " --help\n" << r.out);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(std::regex_search(r.out, long_decimal));
    const auto at = r.out.find("\nExample: fhops ");
    REQUIRE(at != std::string::npos);
    CHECK(r.out.find("Usage: fhops") < at);  // the example follows the usage
    const std::string example = r.out.substr(at + 10, r.out.find('\n', at + 1) - at - 10);
    const auto parsed = run("cd " + fhops_test::source_dir().string() + " && FHOPS_CHECK_ARGS=1 " + driver() + example.substr(5));
    INFO(example << "\n" << parsed.out);
    CHECK(parsed.exit_code == 0);
    CHECK(parsed.out.find("arguments OK") != std::string::npos);
  }
}
