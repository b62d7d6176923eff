// The families benchmark's instances (bench/families): the plan and the crews generator give
// bundles that load back as generated, with the properties the family promises, the same bytes for
// the same seed, and a split for every instance. No solves.
#include "../test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "../../bench/families/families.hpp"
#include "fhops/harvest/bounds/plan_mip.hpp"
#include "fhops/harvest/harvest.hpp"

using namespace fhops::harvest;

namespace {

const std::filesystem::path families_plan_file = std::filesystem::path(FHOPS_SOURCE_DIR) / "bench/families/families.plan.yaml";

}  // namespace

TEST_CASE("families: every instance loads back as written, 6+ per split, sizes up to 150x24x84x2", "[families]") {
  const auto instances = fhops_bench::family_instances(families_plan_file);
  REQUIRE(instances.size() >= 12);
  std::map<std::string, int> per_split;
  std::set<std::string> families;
  int largest_cells = 0;
  const auto dir = fhops_test::scratch("families");
  for (const auto& fi : instances) {
    INFO(fi.name);
    ++per_split[fi.split];
    families.insert(fi.family);
    const auto where = dir / fi.name;
    fhops::write_directory_atomic(where, fi.files, true, "scenario.yaml");
    const auto loaded = load_scenario_with_warnings(where / "scenario.yaml");
    CHECK(loaded.warnings.empty());
    const problem pb(loaded.scenario);
    const problem built(fi.bundle.sc);
    CHECK(pb.num_blocks == built.num_blocks);
    CHECK(pb.num_slots == built.num_slots);
    CHECK(pb.rate == built.rate);
    CHECK(pb.available == built.available);
    CHECK(pb.work == built.work);
    CHECK(pb.distance == built.distance);
    // the greedy plan scores the same on the written and the in-memory scenario
    CHECK(evaluate(pb, greedy_schedule(pb)).score == evaluate(built, greedy_schedule(built)).score);
    largest_cells = std::max(largest_cells, pb.num_blocks * pb.num_machines * pb.num_slots);
  }
  CHECK(per_split["tune"] >= 6);
  CHECK(per_split["report"] >= 6);
  CHECK(families == std::set<std::string>{"crews", "mobil", "roles", "softcap"});
  CHECK(largest_cells == 150 * 24 * 84 * 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("families: the crews generator is deterministic and keeps its promises", "[families]") {
  fhops_bench::crews_parameters p;
  p.name = "tune-crews-test";
  p.seed = 7;
  p.blocks = 30;
  p.machines = 8;
  p.days = 28;
  p.shifts = 2;
  p.landings = 5;
  const auto a = fhops_bench::render_crews(p, fhops_bench::generate_crews(p));
  const auto b = fhops_bench::render_crews(p, fhops_bench::generate_crews(p));
  CHECK(a == b);
  p.seed = 8;
  CHECK(fhops_bench::render_crews(p, fhops_bench::generate_crews(p)) != a);
  p.seed = 7;

  const problem pb(fhops_bench::generate_crews(p).sc);
  CHECK(pb.num_slots == 56);
  CHECK_FALSE(pb.has_sequencing);
  // 5-on-2-off: no machine works more than 5 days in any 7
  for (int m = 0; m < pb.num_machines; ++m)
    for (int d0 = 1; d0 + 6 <= pb.num_days; ++d0) {
      int up = 0;
      for (int d = d0; d < d0 + 7; ++d) up += pb.available[pb.ms(m, pb.slot_index(d, "day"))];
      CHECK(up <= 5);
    }
  // rate-0 pairs, walks within a landing and flat moves between
  int zero = 0;
  for (double r : pb.rate) zero += r == 0.0;
  CHECK(zero > 0);
  CHECK(zero < static_cast<int>(pb.rate.size()) / 2);
  for (int m = 0; m < pb.num_machines; ++m)
    for (int x = 0; x < pb.num_blocks; ++x)
      for (int y = 0; y < pb.num_blocks; ++y) {
        const double d = pb.distance[static_cast<std::size_t>(x) * pb.num_blocks + y];
        CHECK((pb.landing_of[x] == pb.landing_of[y]) == (d <= pb.move_params[m].walk_threshold_m));
      }
  // the plan MIP charges its moves (move costs and transitions)
  std::ostringstream lp;
  CHECK(write_plan_mip(lp, pb).cells == plan_mip_cells(pb));
  CHECK(lp.str().find("\n - v_") != std::string::npos);
}
