// The store-side comparison (fhops/telemetry/analysis/compare.hpp): grouping by algorithm and by
// configuration, pairing by seed, Holm across scenarios per pair, verdicts, and the three outputs.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "../test_support.hpp"
#include "fhops/pages/compare_page.hpp"
#include "fhops/telemetry/analysis/compare.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace {

namespace tel = fhops::telemetry;

int compare_run_counter = 0;

tel::run_record compare_record(const std::string& solver, const std::string& scenario, std::optional<long long> seed, double objective,
                               tel::json::object config = {}) {
  tel::run_record r;
  r.run_id = "cmp" + std::to_string(++compare_run_counter);
  r.solver = solver;
  r.scenario = scenario;
  r.seed = seed;
  r.metrics = {{"objective", objective}};
  r.config = std::move(config);
  r.started_at = r.finished_at = "2026-01-02T03:04:05+00:00";
  return r;
}

const tel::pair_comparison& find_pair(const tel::scenario_comparison& sc, const std::string& a, const std::string& b) {
  for (const auto& p : sc.pairs)
    if (p.a == a && p.b == b) return p;
  FAIL("no pair " << a << " vs " << b << " on " << sc.scenario);
  throw;
}

}  // namespace

TEST_CASE("compare: paired by seed -> Wilcoxon, else Mann-Whitney; medians decide the better group", "[compare][telemetry]") {
  std::vector<tel::compared_run> runs;
  // Scenario A: seeds 1..6 in both groups, tabu above sa on every seed: W+ of sa - tabu = 0,
  // exact two-sided p = 2/64.
  for (long long s = 1; s <= 6; ++s) {
    runs.push_back({"sa", "A", s, 100.0 + static_cast<double>(s), ""});
    runs.push_back({"tabu", "A", s, 103.0 + static_cast<double>(s), ""});
  }
  // Scenario B: no seeds -> Mann-Whitney; sa {50, 51, 52, 53} vs tabu {49, 50, 51, 52}: U = 11.5.
  for (int i = 0; i < 4; ++i) {
    runs.push_back({"sa", "B", std::nullopt, 50.0 + i, ""});
    runs.push_back({"tabu", "B", std::nullopt, 49.0 + i, ""});
  }
  const auto r = tel::compare_groups(runs, {});
  CHECK(r.runs == 20);
  REQUIRE(r.scenarios.size() == 2);
  const auto& a = find_pair(r.scenarios[0], "sa", "tabu");
  CHECK(a.paired);
  CHECK(a.test() == "wilcoxon");
  CHECK(a.n_a == 6);
  CHECK(a.statistic == 0.0);
  CHECK(a.p_value == Approx(2.0 / 64.0));
  CHECK(a.a12 == Approx(4.5 / 36.0));  // sa 101..106 vs tabu 104..109: sa above in 3 pairs, equal in 3
  CHECK(a.better == -1);
  const auto& b = find_pair(r.scenarios[1], "sa", "tabu");
  CHECK_FALSE(b.paired);
  CHECK(b.test() == "mann-whitney");
  CHECK(b.statistic == 11.5);
  CHECK(b.better == 1);
  // Holm over the pair's two scenarios: 2/64 * 2 = 0.0625 -> not significant at 0.05.
  CHECK(a.p_holm == Approx(0.0625));
  CHECK_FALSE(a.significant);
  REQUIRE(r.verdicts.size() == 1);
  const auto& v = r.verdicts[0];
  CHECK(v.scenarios == 2);
  CHECK(v.a_better == 1);
  CHECK(v.b_better == 1);
  CHECK(v.ties == 0);
  CHECK(tel::verdict_text(v) == "sa better than tabu on 1 of 2 scenarios, significant on 0; tabu better on 1, significant on 0");
  // Scenario A alone: Holm over one p leaves it, now significant.
  const auto only_a = tel::compare_groups(runs, {.scenarios = {"A"}});
  REQUIRE(only_a.scenarios.size() == 1);
  CHECK(only_a.scenarios[0].pairs[0].significant);
  CHECK(tel::verdict_text(only_a.verdicts[0]) == "tabu better than sa on 1 of 1 scenario, significant on 1");
  CHECK_THROWS_WITH(tel::compare_groups(runs, {.scenarios = {"Nowhere"}}), Catch::Contains("no run of scenario 'Nowhere'") &&
                                                                               Catch::Contains("'A', 'B'"));
  CHECK_THROWS_AS(tel::compare_groups(runs, {.alpha = 0.0}), std::invalid_argument);
}

TEST_CASE("compare: seeds pair only when no group repeats one and most runs share them", "[compare][telemetry]") {
  std::vector<tel::compared_run> runs;
  // x: seeds 1..4; y: seeds 1, 1, 2, 3 (a repeated seed) -> unpaired.
  for (long long s = 1; s <= 4; ++s) runs.push_back({"x", "S", s, static_cast<double>(s), ""});
  for (long long s : {1, 1, 2, 3}) runs.push_back({"y", "S", s, static_cast<double>(s) + 0.5, ""});
  CHECK_FALSE(tel::compare_groups(runs, {}).scenarios[0].pairs[0].paired);
  // z: seeds 3..8 -> common {3, 4} is 2 of x's 4 but 2 of z's 6 runs: unpaired.
  runs.clear();
  for (long long s = 1; s <= 4; ++s) runs.push_back({"x", "S", s, static_cast<double>(s), ""});
  for (long long s = 3; s <= 8; ++s) runs.push_back({"z", "S", s, static_cast<double>(s), ""});
  CHECK_FALSE(tel::compare_groups(runs, {}).scenarios[0].pairs[0].paired);
  // w: seeds 2..5 -> common {2, 3, 4} is 3 of 4 in each: paired on the 3 common seeds.
  for (long long s = 2; s <= 5; ++s) runs.push_back({"w", "S", s, static_cast<double>(s) + 1.0, ""});
  const auto& p = find_pair(tel::compare_groups(runs, {}).scenarios[0], "w", "x");
  CHECK(p.paired);
  CHECK(p.n_a == 3);
  CHECK(p.statistic == 6.0);  // every difference is +1: W+ = 1 + 2 + 3 (mid-ranks 2, 2, 2)
}

TEST_CASE("compare_store: algorithms, configurations, failed runs, the watermark and a .jsonl path", "[compare][telemetry]") {
  const auto dir = fhops_test::scratch("compare_store");
  const auto path = dir / "runs.sqlite";
  {
    tel::sqlite_store store(path);
    std::vector<tel::json::object> recs;
    for (long long s = 1; s <= 5; ++s) {
      recs.push_back(tel::to_json(compare_record("sa", "Demo", s, 10.0 + static_cast<double>(s), {{"iters", 100LL}})));
      recs.push_back(tel::to_json(compare_record("sa", "Demo", s, 20.0 + static_cast<double>(s), {{"iters", 900LL}})));
      recs.push_back(tel::to_json(compare_record("tabu", "Demo", s, 15.0 + static_cast<double>(s), {{"iters", 100LL}})));
    }
    auto failed = compare_record("tabu", "Demo", 9, 1e6);
    failed.status = "error";
    recs.push_back(tel::to_json(failed));
    store.persist_runs(recs);
  }
  const auto by_algorithm = tel::compare_store(path, {});
  CHECK(by_algorithm.runs == 15);  // the failed run is left out
  CHECK(by_algorithm.source == path.string());
  REQUIRE(by_algorithm.scenarios.size() == 1);
  const auto& groups = by_algorithm.scenarios[0].groups;
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].group == "sa");
  CHECK(groups[0].objectives.size() == 10);
  CHECK(groups[1].max == 20.0);
  // sa repeats each seed (two configurations): unpaired.
  CHECK_FALSE(by_algorithm.scenarios[0].pairs[0].paired);

  const auto by_config = tel::compare_store(path, {.by = tel::compare_by::config});
  const auto& cg = by_config.scenarios[0].groups;
  REQUIRE(cg.size() == 3);
  for (const auto& g : cg) {
    CHECK(g.objectives.size() == 5);
    CHECK(g.group.find('#') + 9 == g.group.size());  // algorithm#8 hex digits
  }
  CHECK(cg[0].config.find("iters=") != std::string::npos);
  REQUIRE(by_config.scenarios[0].pairs.size() == 3);
  for (const auto& p : by_config.scenarios[0].pairs) CHECK(p.paired);  // one seed each per configuration
  // Every configuration pair is separated on all 5 seeds: exact two-sided p = 2/32.
  for (const auto& p : by_config.scenarios[0].pairs) CHECK(p.p_value == Approx(0.0625));
  const std::string text = tel::compare_text(by_config);
  CHECK(text.find("Configurations:") != std::string::npos);
  CHECK(text.find("iters=900") != std::string::npos);

  // The watermark: runs stored later only.
  const long long mark = tel::run_watermark(path);
  CHECK(mark >= 16);
  {
    tel::sqlite_store store(path);
    store.persist_run(tel::to_json(compare_record("ils", "Later", 1, 3.0)));
    store.persist_run(tel::to_json(compare_record("sa", "Later", 1, 2.0)));
  }
  const auto later = tel::compare_store(dir / "runs.jsonl", {.after_rowid = mark});  // the log's sibling store
  CHECK(later.runs == 2);
  REQUIRE(later.scenarios.size() == 1);
  CHECK(later.scenarios[0].scenario == "Later");
  CHECK(tel::run_watermark(dir / "absent.sqlite") == 0);
  CHECK_THROWS_WITH(tel::compare_store(dir / "absent.sqlite", {}), Catch::Contains("absent.sqlite") && Catch::Contains("not found"));
}

TEST_CASE("compare outputs: text tables, stable JSON keys, an escaped HTML page with one box per group", "[compare][telemetry]") {
  std::vector<tel::compared_run> runs;
  for (long long s = 1; s <= 4; ++s) {
    runs.push_back({"<sa>", "A&B", s, 10.0 + static_cast<double>(s), ""});
    runs.push_back({"ils", "A&B", s, 12.0 + static_cast<double>(s), ""});
    runs.push_back({"ils", "C", s, 1.0, ""});
    runs.push_back({"<sa>", "C", s, 1.0, ""});
  }
  const auto r = tel::compare_groups(runs, {});
  const std::string text = tel::compare_text(r);
  CHECK(text.find("Scenario: A&B\n") != std::string::npos);
  CHECK(text.find("  group  runs  median") != std::string::npos);
  CHECK(text.find("<sa> vs ils  wilcoxon") != std::string::npos);
  CHECK(text.find("Verdicts (better = higher median") != std::string::npos);
  CHECK(text.find("  ils better than <sa> on 1 of 2 scenarios, significant on 0; 1 tie\n") != std::string::npos);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string json = tel::compare_json(r);
  REQUIRE_FALSE(parser.parse(json).get(doc));
  CHECK(std::string_view(doc["by"]) == "algorithm");
  CHECK(std::string_view(doc["objective"]) == "maximise");
  CHECK(int64_t(doc["runs"]) == 16);
  simdjson::dom::array scenarios = doc["scenarios"];
  REQUIRE(scenarios.size() == 2);
  simdjson::dom::element pair = scenarios.at(0)["pairs"].at(0);
  for (const char* key : {"a", "b", "test", "n_a", "n_b", "zero_differences", "statistic", "p_value", "p_holm", "exact", "a12", "median_difference", "better",
                          "significant"})
    CHECK(pair[key].error() == simdjson::SUCCESS);
  CHECK(std::string_view(pair["better"]) == "ils");
  CHECK(int64_t(scenarios.at(1)["pairs"].at(0)["zero_differences"]) == 4);  // C: equal on every seed
  CHECK(text.find("<sa> vs ils  wilcoxon  4 (4 equal)") != std::string::npos);
  CHECK(scenarios.at(1)["pairs"].at(0)["better"].is_null());  // equal medians
  simdjson::dom::element verdict = doc["verdicts"].at(0);
  CHECK(int64_t(verdict["ties"]) == 1);
  CHECK(std::string_view(verdict["text"]).find("ils better than <sa>") == 0);
  CHECK(double(scenarios.at(0)["groups"].at(1)["median"]) == 14.5);  // ils 13..16

  const std::string html = tel::compare_html(r);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<sa>") == std::string::npos);  // escaped everywhere
  CHECK(html.find("&lt;sa&gt;") != std::string::npos);
  CHECK(html.find("A&B") == std::string::npos);
  CHECK(fhops_test::count(html, "<svg class=\"chart\"") == 2);
  CHECK(fhops_test::count(html, "class=\"mark box\"") == 4);
  CHECK(html.find("<script") == std::string::npos);
}
