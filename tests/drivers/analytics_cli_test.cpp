// fhops analytics run end to end: pages, index.html, metadata.json, page selection, failures with
// and without --keep-going, timeouts, light mode from the environment.
#include "../test_support.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>
#include <simdjson.h>

using fhops_test::driver;
using fhops_test::run;
using fhops_test::slurp;

namespace {

std::string analytics(const std::filesystem::path& out, const std::string& extra) {
  return driver() + " analytics run --out " + out.string() + " --scenarios-dir " + (fhops_test::source_dir() / "examples/scenarios").string() +
         " " + extra;
}

using fhops_test::count;

simdjson::dom::element metadata(simdjson::dom::parser& parser, const std::filesystem::path& dir) {
  simdjson::dom::element e;
  REQUIRE_FALSE(parser.load((dir / "metadata.json").string()).get(e));
  return e;
}

const char* const all_pages[] = {"stochastic_robustness", "what_if_analysis",      "landing_congestion",    "kpi_decomposition",
                                 "telemetry_diagnostics", "ensemble_resilience",   "operator_sweep",        "benchmark_summary",
                                 "tuner_report_analysis", "tuner_history_analysis"};

}  // namespace

TEST_CASE("analytics run --light: every page with charts, index.html and metadata.json", "[driver][analytics]") {
  const auto dir = fhops_test::scratch("analytics_all");
  const auto r = run(analytics(dir, "--light"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Executing kpi_decomposition...") != std::string::npos);
  CHECK(r.out.find("Metadata written to ") != std::string::npos);
  const std::string index = slurp(dir / "index.html");
  for (const char* page : all_pages) {
    INFO(page);
    const std::string html = slurp(dir / (std::string(page) + ".html"));
    REQUIRE_FALSE(html.empty());
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("light mode") != std::string::npos);
    CHECK(count(html, "<svg class=\"chart\"") >= 1);
    CHECK(count(html, "class=\"mark\"") >= 2);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);  // self-contained: nothing fetched
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("href=\"http") == std::string::npos);
    CHECK(index.find("<a href=\"" + std::string(page) + ".html\">") != std::string::npos);
  }
  simdjson::dom::parser parser;
  const auto meta = metadata(parser, dir);
  CHECK(std::regex_match(std::string(meta["generated_at"].get_string().value()),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)")));
  CHECK(meta["light_mode"].get_bool().value());
  simdjson::dom::array pages = meta["pages"].get_array();
  REQUIRE(pages.size() == std::size(all_pages));
  std::size_t i = 0;
  for (auto p : pages) {
    CHECK(std::string_view(p["page"].get_string().value()) == all_pages[i++]);
    CHECK(std::string_view(p["status"].get_string().value()) == "ok");
    CHECK(p["message"].is_null());
    const double rt = p["runtime_seconds"].get_double().value();
    CHECK(rt >= 0.0);
    CHECK(std::abs(rt * 100 - std::round(rt * 100)) < 1e-6);
  }
  CHECK(std::filesystem::exists(dir / "data/benchmark_summary/summary.csv"));
  CHECK(std::filesystem::exists(dir / "data/kpi_decomposition/by_day.csv"));
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))  // no temporary files left
    CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("analytics run --page selects pages; an unknown page is a usage error before anything runs", "[driver][analytics]") {
  const auto dir = fhops_test::scratch("analytics_select");
  auto r = run(analytics(dir / "out", "--light --page telemetry_diagnostics --page kpi_decomposition"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "out/kpi_decomposition.html"));
  CHECK(std::filesystem::exists(dir / "out/telemetry_diagnostics.html"));
  CHECK_FALSE(std::filesystem::exists(dir / "out/landing_congestion.html"));
  CHECK(r.out.find("Executing kpi_decomposition...\nExecuting telemetry_diagnostics...") != std::string::npos);
  simdjson::dom::parser parser;
  CHECK(metadata(parser, dir / "out")["pages"].get_array().size() == 2);
  const std::string kpi = slurp(dir / "out/kpi_decomposition.html");
  CHECK(kpi.find("total_production") != std::string::npos);

  r = run(analytics(dir / "bad", "--light --page kpi_decomposition --page no_such_page"));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("unknown page 'no_such_page'") != std::string::npos);
  CHECK(r.out.find("Executing") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "bad"));

  CHECK(run(driver() + " analytics --out " + (dir / "y").string()).exit_code == 2);
  CHECK(run(driver() + " analytics run").exit_code == 2);  // no --out
}

TEST_CASE("analytics run: a failing page is an error; --keep-going runs the rest", "[driver][analytics]") {
  const auto dir = fhops_test::scratch("analytics_fail");
  const std::string pages = "--light --page kpi_decomposition --page telemetry_diagnostics --scenario " +
                            (fhops_test::source_dir() / "examples/scenarios/demo").string() + " --assignments " +
                            (dir / "missing.csv").string();
  auto r = run(analytics(dir / "stop", pages));
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("One or more pages failed.") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "stop/kpi_decomposition.html"));
  CHECK_FALSE(std::filesystem::exists(dir / "stop/telemetry_diagnostics.html"));
  simdjson::dom::parser parser;
  {
    const auto meta = metadata(parser, dir / "stop");
    simdjson::dom::array a = meta["pages"].get_array();
    REQUIRE(a.size() == 1);
    CHECK(std::string_view(a.at(0)["status"].get_string().value()) == "error");
    CHECK(std::string(a.at(0)["message"].get_string().value()).find("missing.csv") != std::string::npos);
  }
  CHECK(slurp(dir / "stop/index.html").find("not run") != std::string::npos);

  r = run(analytics(dir / "keep", pages + " --keep-going"));
  CHECK(r.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(dir / "keep/kpi_decomposition.html"));
  CHECK(std::filesystem::exists(dir / "keep/telemetry_diagnostics.html"));
  const auto meta = metadata(parser, dir / "keep");
  simdjson::dom::array a = meta["pages"].get_array();
  REQUIRE(a.size() == 2);
  CHECK(std::string_view(a.at(1)["status"].get_string().value()) == "ok");

  r = run(analytics(dir / "log", "--light --page telemetry_diagnostics --telemetry-log " + (dir / "nope.jsonl").string()));
  CHECK(r.exit_code == 1);
}

TEST_CASE("analytics run: --timeout marks a page still computing as timeout", "[driver][analytics]") {
  const auto dir = fhops_test::scratch("analytics_timeout");
  const auto r = run(analytics(dir, "--page benchmark_summary --timeout 0.05"));
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(dir / "benchmark_summary.html"));
  simdjson::dom::parser parser;
  const auto meta = metadata(parser, dir);
  CHECK_FALSE(meta["light_mode"].get_bool().value());
  auto p = meta["pages"].get_array().at(0);
  CHECK(std::string_view(p["status"].get_string().value()) == "timeout");
  CHECK(std::string_view(p["message"].get_string().value()) == "Timeout after 0.05s");
  CHECK(p["runtime_seconds"].get_double().value() < 5.0);  // cooperative: stopped near the deadline
}

TEST_CASE("analytics run: light mode from FHOPS_ANALYTICS_LIGHT; given inputs", "[driver][analytics]") {
  const auto dir = fhops_test::scratch("analytics_inputs");
  std::string legacy;  // the reference's telemetry_minitoy.jsonl shape: 6 rows, iteration 0..250
  for (int k = 0; k < 6; ++k)
    legacy += fmt::format("{{\"iteration\": {}, \"objective\": {}, \"accepted\": {}, \"temperature\": {}}}\n", 50 * k, 200 - 5 * k,
                          10 + k, 1.0 / (k + 1));
  fhops_test::write(dir / "legacy.jsonl", legacy);
  fhops_test::write(dir / "history.csv",
                    "snapshot,algorithm,scenario,best_objective,mean_objective,runs\n"
                    "2024-11-10T000000Z,random,SampleScenario,6.2,6.0,2\n2024-11-11T000000Z,random,SampleScenario,6.8,6.4,2\n");
  const auto r = run("FHOPS_ANALYTICS_LIGHT=1 " +
                     analytics(dir / "out", "--page telemetry_diagnostics --page tuner_history_analysis --telemetry-log " +
                                                (dir / "legacy.jsonl").string() + " --history " + (dir / "history.csv").string()));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  CHECK(metadata(parser, dir / "out")["light_mode"].get_bool().value());
  const std::string tel = slurp(dir / "out/telemetry_diagnostics.html");
  CHECK(count(tel, "<circle class=\"mark\"") == 12);  // 6 objective + 6 temperature points
  CHECK(tel.find("legacy") != std::string::npos);
  const std::string hist = slurp(dir / "out/tuner_history_analysis.html");
  CHECK(hist.find("SampleScenario") != std::string::npos);
  CHECK(hist.find("0.600") != std::string::npos);  // best_delta
}
