// Delta evaluation == full evaluation, exactly, on every reference scenario and the demo.
#include <algorithm>

#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/util/rng.hpp"

using namespace fhops::harvest;

namespace {

std::vector<std::filesystem::path> scenarios() {
  std::vector<std::filesystem::path> out{fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml"};
  if (std::filesystem::exists(fhops_test::reference_dir()))
    for (const char* name : {"minitoy", "small21", "med42", "large84", "synthetic/small", "synthetic/medium",
                             "synthetic/large", "typical"})
      out.push_back(fhops_test::reference(std::string("scenarios/") + name + "/scenario.yaml"));
  return out;
}

// A random change set: 1-3 cells anywhere, or a run of one machine (what the operators produce).
std::vector<cell_change> random_changes(const problem& pb, const schedule& plan, fhops::rng& r) {
  std::vector<cell_change> out;
  const auto block_or_idle = [&] { return r.chance(0.25) ? idle : static_cast<std::int32_t>(r.below(pb.num_blocks)); };
  if (r.chance(0.7)) {
    const int n = 1 + static_cast<int>(r.below(3));
    for (int i = 0; i < n; ++i) {
      const int m = static_cast<int>(r.below(pb.num_machines)), t = static_cast<int>(r.below(pb.num_slots));
      bool dup = false;
      for (const auto& c : out) dup |= c.machine == m && c.slot == t;
      if (!dup) out.push_back({m, t, plan.at(m, t), block_or_idle()});
    }
  } else {
    const int m = static_cast<int>(r.below(pb.num_machines));
    const int t1 = static_cast<int>(r.below(pb.num_slots));
    const int len = 1 + static_cast<int>(r.below(std::min(pb.num_slots - t1, 12)));
    const std::int32_t b = block_or_idle();
    for (int t = t1; t < t1 + len; ++t) out.push_back({m, t, plan.at(m, t), b});
  }
  return out;
}

}  // namespace

TEST_CASE("delta evaluation equals full evaluation on random moves", "[incremental][delta]") {
  for (const auto& path : scenarios()) {
    INFO(path.string());
    const problem pb(load_scenario(path));
    incremental_evaluator inc(pb);
    evaluator full(pb);
    fhops::rng r(12345);
    inc.reset(greedy_schedule(pb));
    REQUIRE(inc.current() == full(inc.plan()));
    std::size_t checked = 0;
    for (int i = 0; i < 6000; ++i) {
      const auto changes = random_changes(pb, inc.plan(), r);
      schedule next = inc.plan();
      for (const auto& c : changes) next.at(c.machine, c.slot) = c.after;
      const evaluation expected = full(next);
      const evaluation got = inc.evaluate(changes);
      if (!(got == expected)) {
        FAIL_CHECK("move " << i << ": delta score " << got.score << " != full " << expected.score);
        break;
      }
      ++checked;
      if (r.chance(0.4)) {  // make some of the moves so the checkpoints move along
        inc.apply(changes);
        REQUIRE(inc.plan() == next);
        if (!(inc.current() == expected)) {
          FAIL_CHECK("apply " << i << ": " << inc.current().score << " != " << expected.score);
          break;
        }
        if (r.chance(0.1)) {
          inc.undo(changes);
          for (const auto& c : changes) next.at(c.machine, c.slot) = c.before;
          REQUIRE(inc.plan() == next);
          REQUIRE(inc.current() == full(next));
        }
      }
    }
    CHECK(checked == 6000);
  }
}

namespace {

// Proposes `steps` moves on every reference scenario, every other one by a rebuild operator
// (cycling through `rebuilds`) and the others by run_fill, run_clear or swap, which keep the plan
// moving so the rebuilds start from many plans; checks delta == full evaluation on each.
void check_rebuild_moves(const std::vector<std::size_t>& rebuilds, int steps, std::uint64_t seed) {
  const std::size_t shakers[] = {static_cast<std::size_t>(operator_id::run_fill), static_cast<std::size_t>(operator_id::run_clear),
                                 static_cast<std::size_t>(operator_id::swap)};
  for (const auto& path : scenarios()) {
    INFO(path.string());
    const problem pb(load_scenario(path));
    harvest_neighbourhood nbh(pb);
    incremental_evaluator inc(pb);
    evaluator full(pb);
    fhops::rng r(seed);
    inc.reset(sanitised(pb, greedy_schedule(pb)));
    harvest_move mv;
    std::size_t checked = 0, rebuilt = 0, changed_rows = 0;
    for (int i = 0; i < steps; ++i) {
      const bool rebuild = i % 2 == 0;
      const std::size_t op = rebuild ? rebuilds[static_cast<std::size_t>(i / 2) % rebuilds.size()] : shakers[r.below(3)];
      if (!nbh.propose(op, inc, r, mv)) continue;
      schedule next = inc.plan();
      std::vector<int> rows;
      for (const auto& c : mv.changes) {
        REQUIRE(c.before == inc.plan().at(c.machine, c.slot));
        next.at(c.machine, c.slot) = c.after;
        if (std::find(rows.begin(), rows.end(), c.machine) == rows.end()) rows.push_back(c.machine);
      }
      const evaluation expected = full(next);
      const evaluation got = inc.evaluate(mv.changes);
      if (!(got == expected)) {
        FAIL_CHECK(operator_names[op] << " move " << i << ": delta score " << got.score << " != full " << expected.score);
        break;
      }
      ++checked;
      if (rebuild) {
        ++rebuilt;
        changed_rows += rows.size();
      }
      // Rebuilds are made when they do not lose (as a descent would), the other moves half the time.
      if (rebuild ? got.score >= inc.score() : r.chance(0.5)) {
        inc.apply(mv.changes);
        REQUIRE(inc.plan() == next);
        REQUIRE(inc.current() == expected);
        REQUIRE(sanitised(pb, inc.plan()) == inc.plan());
      }
    }
    CHECK(checked > static_cast<std::size_t>(steps) / 3);
    // landing_swap has no move on a scenario with a single landing; the other rebuilds always do.
    const bool possible = pb.num_landings > 1 || std::any_of(rebuilds.begin(), rebuilds.end(), [](std::size_t op) {
                            return op != static_cast<std::size_t>(operator_id::landing_swap);
                          });
    CHECK((rebuilt > 0) == possible);
    CHECK(changed_rows >= rebuilt);
  }
}

}  // namespace

TEST_CASE("delta evaluation equals full evaluation on the rebuild operators' moves", "[incremental][delta][rebuild]") {
  // row_rebuild, landing_rebuild and price_rebuild change whole rows of several machines at once.
  check_rebuild_moves({static_cast<std::size_t>(operator_id::row_rebuild), static_cast<std::size_t>(operator_id::landing_rebuild),
                       static_cast<std::size_t>(operator_id::price_rebuild)},
                      3000, 777);
}

TEST_CASE("delta evaluation equals full evaluation on landing_swap's moves", "[incremental][delta][rebuild][landing_swap]") {
  // Two machines trade landings (or one moves): both rows, sometimes their new crews' too, rebuilt.
  check_rebuild_moves({static_cast<std::size_t>(operator_id::landing_swap)}, 4000, 778);
}
