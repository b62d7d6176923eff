// KPIs against the reference fixture deterministic.json (problem_model.md §9, §12.1).
#include "../test_support.hpp"

#include <simdjson.h>

#include "fhops/harvest/harvest.hpp"

using namespace fhops::harvest;
using fhops_test::reference;

TEST_CASE("KPIs of the MIP fixtures equal deterministic.json", "[kpi][reference]") {
  if (!fhops_test::have_reference()) return;
  simdjson::dom::parser parser;
  const simdjson::dom::element fixture = parser.load(reference("fixtures/deterministic.json").string());
  for (const std::string name : {"minitoy", "med42"}) {
    INFO(name);
    const problem pb(load_scenario(reference("scenarios/" + name + "/scenario.yaml")));
    const schedule s = read_assignments_csv(pb, reference("fixtures/" + name + "_assignments.csv"));
    const kpi_result k = compute_kpis(pb, s);
    std::size_t compared = 0;
    for (auto field : fixture[name].get_object()) {
      const std::string key(field.key);
      INFO(key);
      REQUIRE(k.find(key) != nullptr);
      double number = 0;
      int64_t integer = 0;
      std::string_view text;
      if (!field.value.get(text)) {
        CHECK(k.text(key) == std::string(text));
      } else if (!field.value.get(integer)) {
        CHECK(k.number(key) == static_cast<double>(integer));
      } else {
        REQUIRE_FALSE(field.value.get(number));
        CHECK(k.number(key) == Approx(number).margin(1e-6));  // the fixture keeps 6 decimals
      }
      ++compared;
    }
    CHECK(compared == 13);
  }
}

TEST_CASE("KPI production ignores feasibility and walks days then machine ids", "[kpi]") {
  scenario sc;
  sc.name = "kpi toy";
  sc.num_days = 2;
  sc.landings = {{"L1", 1}};
  sc.blocks = {{"B1", "L1", 5.0, 1, 1, {}, {}}};
  sc.machines = {{"M2", {}, {}, 24.0, 0.0, {}}, {"M1", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 3.0}, {"M2", "B1", 4.0}};
  const problem pb(sc);
  schedule s(pb);
  s.at(0, 1) = 0;  // M2 on B1 on day 2: outside the window, still credited by the KPI pass
  s.at(1, 1) = 0;  // M1 on B1 on day 2: first in machine-id order
  const kpi_result k = compute_kpis(pb, s);
  CHECK(k.number("total_production") == 5.0);  // M1 takes 3, M2 the remaining 2
  CHECK(k.number("completed_blocks") == 1.0);
  CHECK(k.find("mobilisation_cost") == nullptr);  // no mobilisation section
  CHECK(k.find("sequencing_violation_count") == nullptr);
  CHECK(evaluate(pb, s).production == 0.0);  // the objective credits nothing outside the window
  CHECK(k.number("makespan_day") == 2);
}

TEST_CASE("an all-idle schedule has KPIs instead of the reference's crash", "[kpi]") {
  scenario sc;
  sc.name = "idle";
  sc.num_days = 1;
  sc.landings = {{"L1", 1}};
  sc.blocks = {{"B1", "L1", 5.0, 1, {}, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}};
  const problem pb(sc);
  const kpi_result k = compute_kpis(pb, schedule(pb));
  CHECK(k.number("total_production") == 0.0);
  CHECK(k.number("makespan_day") == 0);
  CHECK(k.text("makespan_shift") == "N/A");
  CHECK(k.find("utilisation_ratio_mean_shift") == nullptr);
}
