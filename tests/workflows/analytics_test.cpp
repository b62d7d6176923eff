// The analytics pages' data: light-mode caps (telemetry_tuning.md §9.2), the shock model of
// playback.hpp (deterministic per seed, shocks never raise production), the per-day KPI split,
// trace reading (step and legacy logs), and the generic page runner (status, timeout, metadata).
#include "../test_support.hpp"

#include <cstdlib>
#include <sstream>

#include <simdjson.h>

#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/playback.hpp"
#include "fhops/pages/page_runner.hpp"
#include "fhops/workflows/analytics.hpp"

using namespace fhops::harvest;

namespace {

problem bundled(const std::string& name) {
  return problem(load_scenario(fhops_test::source_dir() / "examples/scenarios" / name / "scenario.yaml"));
}

}  // namespace

TEST_CASE("light mode caps samples to max(1, min(n, 4)) and each enabled shock (0.1 / 0.2 / 0.2)", "[analytics]") {
  const auto medium = light_capped(sampling_preset("medium"));
  CHECK(medium.samples == 4);
  CHECK(medium.downtime.probability == 0.1);       // 0.12 capped
  CHECK(medium.weather.day_probability == 0.2);    // 0.25 capped
  CHECK(medium.landing.probability == 0.18);       // under the cap: kept
  const auto large = light_capped(sampling_preset("large"));
  CHECK(large.samples == 4);
  CHECK(large.downtime.probability == 0.1);
  CHECK(large.weather.day_probability == 0.2);
  CHECK(large.landing.probability == 0.2);
  CHECK(light_capped(sampling_preset("base")).samples == 4);
  CHECK(light_capped(sampling_preset("small")).samples == 4);
  sampling_config c;
  c.samples = 3;
  c.downtime = {false, 0.5, 3, 1, 1};  // disabled shocks are not touched
  c.landing = {true, 0.3, 0.35, 0.7, 3};
  const auto capped = light_capped(c);
  CHECK(capped.samples == 3);
  CHECK(capped.downtime.probability == 0.5);
  CHECK(capped.landing.probability == 0.2);        // landing_congestion's 0.3 becomes 0.2 (quirk 17)
  c.samples = 0;
  CHECK(light_capped(c).samples == 1);
  CHECK(in_mode(sampling_preset("large"), false).samples == 18);

  ::setenv("FHOPS_ANALYTICS_LIGHT", "1", 1);
  CHECK(analytics_light_mode(false));
  ::setenv("FHOPS_ANALYTICS_LIGHT", "", 1);
  CHECK_FALSE(analytics_light_mode(false));
  CHECK(analytics_light_mode(true));
  ::unsetenv("FHOPS_ANALYTICS_LIGHT");
  CHECK_FALSE(analytics_light_mode(false));
}

TEST_CASE("playback: deterministic per seed; without shocks it is the KPI production", "[analytics]") {
  const problem pb = bundled("synth-medium");
  const schedule s = greedy_schedule(pb);
  sampling_config none;
  none.samples = 2;
  const auto plain = play_ensemble(pb, s, none);
  CHECK(plain[0].production == Approx(compute_kpis(pb, s).number("total_production")));
  CHECK(plain[0].production == plain[1].production);
  CHECK(plain[0].utilisation() == 1.0);
  CHECK(plain[0].downtime_hours == 0.0);

  sampling_config cfg = sampling_preset("large");
  cfg.seed = 7;
  const auto a = play_ensemble(pb, s, cfg), b = play_ensemble(pb, s, cfg);
  REQUIRE(a.size() == 18);
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].production == b[k].production);
    CHECK(a[k].downtime_hours == b[k].downtime_hours);
    CHECK(a[k].day_production == b[k].day_production);
  }
  cfg.seed = 8;
  const auto c = play_ensemble(pb, s, cfg);
  bool differs = false;
  for (std::size_t k = 0; k < a.size(); ++k) differs |= a[k].production != c[k].production;
  CHECK(differs);
  double down = 0;
  for (const auto& x : a) down += x.downtime_hours + x.weather_hours;
  CHECK(down > 0.0);
  for (const auto& x : a) CHECK(x.production <= plain[0].production + 1e-9);

  sampling_config bad;
  bad.landing = {true, 1.5, 0.3, 0.7, 1};
  CHECK_THROWS_AS(play_ensemble(pb, s, bad), std::invalid_argument);
}

TEST_CASE("playback: a landing shock lowers or keeps every sample's production", "[analytics]") {
  const problem pb = bundled("synth-medium");
  const schedule s = greedy_schedule(pb);
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    sampling_config base = sampling_preset("medium");
    base.seed = seed;
    base.landing.enabled = false;
    sampling_config shock = base;
    shock.landing = {true, 0.3, 0.35, 0.7, 3};
    const auto b = play_ensemble(pb, s, base), l = play_ensemble(pb, s, shock);
    double total_b = 0, total_l = 0;
    for (std::size_t k = 0; k < b.size(); ++k) {
      CHECK(l[k].production <= b[k].production + 1e-9);
      CHECK(l[k].downtime_hours == b[k].downtime_hours);  // other shocks draw from their own streams
      CHECK(l[k].utilisation() == b[k].utilisation());     // congestion limits throughput, not hours
      total_b += b[k].production;
      total_l += l[k].production;
    }
    CHECK(total_l < total_b);
  }
}

TEST_CASE("per-day KPI decomposition sums to the KPI totals", "[analytics]") {
  const problem pb = bundled("demo");
  const schedule s = greedy_schedule(pb);
  const auto k = compute_kpis(pb, s);
  const auto d = decompose_by_day(pb, s);
  double prod = 0, mob = 0;
  for (int day = 1; day <= pb.num_days; ++day) prod += d.production[day], mob += d.mobilisation[day];
  CHECK(prod == Approx(k.number("total_production")));
  if (k.find("mobilisation_cost")) CHECK(mob == Approx(k.number("mobilisation_cost")));
  REQUIRE(d.machine_utilisation.size() == static_cast<std::size_t>(pb.num_machines));
  for (const auto& row : d.machine_utilisation)
    for (std::size_t day = 1; day < row.size(); ++day) CHECK((std::isnan(row[day]) || (row[day] >= 0.0 && row[day] <= 1.0 + 1e-12)));
}

TEST_CASE("per-day KPI decomposition of the minitoy fixture (§11.7 kpi_decomposition)", "[analytics][reference]") {
  if (!fhops_test::have_reference()) return;
  const problem pb(load_scenario(fhops_test::reference("scenarios/minitoy/scenario.yaml")));
  const schedule s = read_assignments_csv(pb, fhops_test::reference("fixtures/minitoy_assignments.csv"));
  const auto d = decompose_by_day(pb, s);
  // The notebook's recorded series (6.5, 3, 3, 2.5, ..., 5.5) sums the fixture's MIP `production`
  // column; the KPI pass (rate capped by the work left, day by day) moves 1.0 from day 14 to day 4.
  // The total is the same: 54.
  const std::vector<double> expected{6.5, 3, 3, 3.5, 5.5, 2, 1.5, 4.5, 4.5, 4.5, 0, 5.5, 5.5, 4.5};
  REQUIRE(pb.num_days == static_cast<int>(expected.size()));
  double total = 0;
  for (int day = 1; day <= pb.num_days; ++day) {
    INFO("day " << day);
    CHECK(d.production[day] == Approx(expected[day - 1]).margin(1e-9));
    total += d.production[day];
  }
  CHECK(total == Approx(54.0));
}

TEST_CASE("traces from step records and from the legacy {iteration, objective, accepted, temperature} shape", "[analytics]") {
  const auto dir = fhops_test::scratch("analytics_traces");
  std::string lines;  // two legacy rows, then a run record (ignored)
  for (const char* l : {R"({"iteration": 0, "objective": 200, "accepted": 10, "temperature": 1.0})",
                        R"({"iteration": 50, "objective": 195, "accepted": 11, "temperature": 0.5})", R"({"record_type": "run", "run_id": "x"})"})
    lines += std::string(l) + "\n";
  fhops_test::write(dir / "legacy.jsonl", lines);
  const auto legacy = read_traces(dir / "legacy.jsonl");
  REQUIRE(legacy.size() == 1);
  CHECK(legacy[0].first == "legacy");
  REQUIRE(legacy[0].second.size() == 2);
  CHECK(legacy[0].second[1].iteration == 50);
  CHECK(legacy[0].second[1].objective == 195);
  CHECK(*legacy[0].second[1].accepted == 11);
  CHECK(*legacy[0].second[1].temperature == 0.5);

  memory_step_sink sink;
  const problem pb = bundled("demo");
  solve_options o;
  o.stop.max_iterations = 300;
  solve_recorded(pb, o, sink, "r1", 100, {});
  std::string jsonl;
  for (const auto& st : sink.steps) fhops::telemetry::append_jsonl_line(jsonl, st);
  fhops_test::write(dir / "steps.jsonl", jsonl);
  const auto steps = read_traces(dir / "steps.jsonl");
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].first == "r1");
  CHECK(steps[0].second.size() == sink.steps.size());
  CHECK(steps[0].second.front().iteration == 1);
  CHECK(steps[0].second.back().iteration == 300);

  fhops_test::write(dir / "empty.jsonl", "{\"record_type\": \"run\"}\n");
  CHECK_THROWS_AS(read_traces(dir / "empty.jsonl"), fhops::input_error);
  CHECK_THROWS_AS(read_traces(dir / "missing.jsonl"), fhops::input_error);
}

TEST_CASE("history deltas per (scenario, algorithm) in snapshot order", "[analytics]") {
  std::vector<history_entry> rows{{"s2", "random", "A", 6.8, 6.4, 2, {}},
                                  {"s1", "random", "A", 6.2, 6.0, 2, {}},
                                  {"s3", "grid", "A", 7.1, 6.8, 2, {}},
                                  {"s4", "grid", "A", 7.5, 7.1, 2, {}}};
  add_best_deltas(rows);
  CHECK(rows[0].snapshot == "s1");
  CHECK_FALSE(rows[0].best_delta);
  CHECK(*rows[1].best_delta == Approx(0.6));
  CHECK_FALSE(rows[2].best_delta);
  CHECK(*rows[3].best_delta == Approx(0.4));
}

TEST_CASE("page runner: statuses, stop at the first failure unless keep-going, timeout, metadata", "[analytics]") {
  const auto dir = fhops_test::scratch("analytics_runner");
  const auto ok = [](const fhops::deadline&) { return fhops::page_output{"<p>ok</p>", {{"data/a.csv", "x\n"}}}; };
  const auto bad = [](const fhops::deadline&) -> fhops::page_output { throw std::runtime_error("boom"); };
  const auto slow = [](const fhops::deadline& d) -> fhops::page_output {
    for (;;) d.check();
  };
  std::vector<fhops::page_job> jobs{{"one", "One", ok}, {"two", "Two", bad}, {"three", "Three", ok}};
  std::ostringstream log;
  auto st = fhops::run_pages(dir, jobs, {}, log);
  REQUIRE(st.size() == 2);
  CHECK(st[0].status == "ok");
  CHECK(st[1].status == "error");
  CHECK(*st[1].message == "boom");
  CHECK(log.str() == "Executing one...\nExecuting two...\n");
  CHECK(std::filesystem::exists(dir / "one.html"));
  CHECK(std::filesystem::exists(dir / "data/a.csv"));
  CHECK_FALSE(std::filesystem::exists(dir / "two.html"));
  CHECK_FALSE(std::filesystem::exists(dir / "three.html"));
  st = fhops::run_pages(dir, jobs, {std::nullopt, true}, log);
  REQUIRE(st.size() == 3);
  CHECK(std::filesystem::exists(dir / "three.html"));

  st = fhops::run_pages(dir, {{"slow", "Slow", slow}}, {0.05, false}, log);
  REQUIRE(st.size() == 1);
  CHECK(st[0].status == "timeout");
  CHECK(*st[0].message == "Timeout after 0.05s");

  st[0].runtime_seconds = 0.056;
  const std::string meta = fhops::pages_metadata_json("2026-01-01T00:00:00+00:00", true, st);
  CHECK(meta.find("\"runtime_seconds\": 0.06") != std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE_FALSE(parser.parse(meta).get(e));
  CHECK(std::string_view(e["generated_at"].get_string().value()) == "2026-01-01T00:00:00+00:00");
  CHECK(e["light_mode"].get_bool().value());
  CHECK(std::string_view(e["pages"].at(0)["page"].get_string().value()) == "slow");
  CHECK(std::string_view(e["pages"].at(0)["status"].get_string().value()) == "timeout");
  const std::string index = fhops::pages_index_html("T", "sub", jobs, {{"one", "ok", 1.0, std::nullopt}});
  CHECK(index.find("<a href=\"one.html\">") != std::string::npos);
  CHECK(index.find("not run") != std::string::npos);
}
