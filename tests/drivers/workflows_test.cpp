// The repository's GitHub workflows: their triggers and artifacts are what the runbook promises,
// and every `fhops …` command in them is a valid command line of the built driver (checked with
// FHOPS_CHECK_ARGS=1, which parses the options exactly as a real run and stops before running).
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "../test_support.hpp"

namespace {

// Each step's `run:` script of every job, in order.
std::vector<std::string> run_scripts(const YAML::Node& workflow) {
  std::vector<std::string> scripts;
  for (const auto& job : workflow["jobs"])
    for (const auto& step : job.second["steps"])
      if (step["run"]) scripts.push_back(step["run"].as<std::string>());
  return scripts;
}

// The script's lines that call the driver, with backslash continuations joined.
std::vector<std::string> fhops_lines(const std::string& script) {
  std::vector<std::string> lines, out;
  std::string current;
  for (std::size_t i = 0, start = 0; i <= script.size(); ++i)
    if (i == script.size() || script[i] == '\n') {
      std::string line = script.substr(start, i - start);
      start = i + 1;
      if (!line.empty() && line.back() == '\\') {
        current += line.substr(0, line.size() - 1) + " ";
        continue;
      }
      lines.push_back(current + line);
      current.clear();
    }
  const std::string driver = "build/examples/fhops ";
  for (auto& l : lines) {
    const auto p = l.find_first_not_of(" \t");
    if (p != std::string::npos && l.compare(p, driver.size(), driver) == 0) out.push_back(l.substr(p + driver.size()));
  }
  return out;
}

std::vector<std::string> steps_using(const YAML::Node& workflow) {
  std::vector<std::string> uses;
  for (const auto& job : workflow["jobs"])
    for (const auto& step : job.second["steps"])
      if (step["uses"]) uses.push_back(step["uses"].as<std::string>() + (step["with"] && step["with"]["name"] ? " " + step["with"]["name"].as<std::string>() : ""));
  return uses;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

void check_commands(const YAML::Node& workflow, std::size_t at_least) {
  std::size_t n = 0;
  for (const auto& script : run_scripts(workflow))
    for (const auto& args : fhops_lines(script)) {
      ++n;
      INFO("fhops " << args);
      const auto r = fhops_test::run("cd " + fhops_test::source_dir().string() + " && FHOPS_CHECK_ARGS=1 " + fhops_test::driver() + " " + args);
      INFO(r.out);
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("arguments OK") != std::string::npos);
    }
  CHECK(n >= at_least);
}

}  // namespace

TEST_CASE("FHOPS_CHECK_ARGS checks a command line without running it", "[driver][workflows]") {
  const auto dir = fhops_test::scratch("check_args");
  const auto ok = fhops_test::run("FHOPS_CHECK_ARGS=1 " + fhops_test::driver() + " telemetry report " + (dir / "none.sqlite").string() +
                                  " --out-csv " + (dir / "r.csv").string());
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("arguments OK") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "r.csv"));  // nothing ran: the missing store was not even noticed
  CHECK(fhops_test::run("FHOPS_CHECK_ARGS=1 " + fhops_test::driver() + " telemetry report --no-such-option").exit_code == 2);
  CHECK(fhops_test::run("FHOPS_CHECK_ARGS=1 " + fhops_test::driver() + " telemetry no-such-command").exit_code == 2);
}

TEST_CASE("ci.yml: every branch push and pull request; tests, smoke tuning, report + history artifact, light analytics", "[driver][workflows]") {
  const auto wf = YAML::LoadFile((fhops_test::source_dir() / ".github/workflows/ci.yml").string());
  REQUIRE(wf["on"]["push"]);
  CHECK(wf["on"]["pull_request"]);
  // Every branch push, as the runbook says.
  REQUIRE(wf["on"]["push"]["branches"]);
  CHECK(wf["on"]["push"]["branches"][0].as<std::string>() == "**");
  const auto scripts = run_scripts(wf);
  REQUIRE(!scripts.empty());
  CHECK(scripts.front() == ".ci/run");  // install, build from scratch, the README's test command
  const auto uses = steps_using(wf);
  CHECK(contains(uses, "actions/upload-artifact@v4 telemetry-report"));
  CHECK(contains(uses, "actions/upload-artifact@v4 analytics-notebooks"));
  std::string all;
  for (const auto& s : scripts) all += s + "\n";
  CHECK(all.find("tuning-plan run --plan baseline-smoke") != std::string::npos);
  CHECK(all.find("telemetry history") != std::string::npos);
  CHECK(all.find("analytics run --light") != std::string::npos);
  check_commands(wf, 4);
}

TEST_CASE("weekly-telemetry.yml: Sunday 03:00 UTC + dispatch; the weekly run; Pages with the 100 MB guard", "[driver][workflows]") {
  const auto wf = YAML::LoadFile((fhops_test::source_dir() / ".github/workflows/weekly-telemetry.yml").string());
  REQUIRE(wf["on"]["schedule"]);
  CHECK(wf["on"]["schedule"][0]["cron"].as<std::string>() == "0 3 * * 0");
  CHECK(wf["on"]["workflow_dispatch"]);
  CHECK(wf["permissions"]["pages"].as<std::string>() == "write");
  const auto uses = steps_using(wf);
  CHECK(contains(uses, "actions/upload-pages-artifact@v3"));
  CHECK(contains(uses, "actions/deploy-pages@v4"));
  std::string all;
  for (const auto& s : run_scripts(wf)) all += s + "\n";
  CHECK(all.find("telemetry-report") != std::string::npos);  // the latest CI artifact is appended
  CHECK(all.find("ops weekly") != std::string::npos);
  CHECK(all.find("ops pages") != std::string::npos);
  CHECK(all.find("--max-file-mb 100") != std::string::npos);
  // The site is published also after a failed weekly step, and it carries the weekly store, which
  // comes back from the site when the Actions cache has evicted it.
  bool pages_always = false;
  for (const auto& step : wf["jobs"]["weekly"]["steps"])
    if (step["uses"] && step["uses"].as<std::string>() == "actions/upload-pages-artifact@v3")
      pages_always = step["if"] && step["if"].as<std::string>() == "always()";
  CHECK(pages_always);
  REQUIRE(wf["jobs"]["deploy"]["if"]);
  CHECK(wf["jobs"]["deploy"]["if"].as<std::string>().find("!cancelled()") != std::string::npos);
  CHECK(all.find("data/weekly-telemetry.tar.gz") != std::string::npos);
  CHECK(all.find("tar -czf tmp/pages/data/weekly-telemetry.tar.gz") != std::string::npos);
  check_commands(wf, 2);
}
