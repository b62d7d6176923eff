// Delta evaluation == full evaluation, exactly, on every reference scenario and the demo.
#include <algorithm>
#include <array>

#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/harvest/synth/generator.hpp"
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

namespace {

// Proposes `moves` random change sets on `pb` from its greedy plan, making some of them; checks
// delta == full evaluation on each, and after each apply and undo.
void check_random_moves(const problem& pb, int moves, std::uint64_t seed) {
  incremental_evaluator inc(pb);
  evaluator full(pb);
  fhops::rng r(seed);
  inc.reset(greedy_schedule(pb));
  REQUIRE(inc.current() == full(inc.plan()));
  int checked = 0;
  for (int i = 0; i < moves; ++i) {
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
  CHECK(checked == moves);
}

}  // namespace

TEST_CASE("delta evaluation equals full evaluation on random moves", "[incremental][delta]") {
  for (const auto& path : scenarios()) {
    INFO(path.string());
    check_random_moves(problem(load_scenario(path)), 6000, 12345);
  }
}

namespace {

// A role-chain scenario: every block role-restricted (ground_fb_skid's four roles, ctl's three),
// so sequencing prerequisites are live; no mobilisation.
problem chain_problem(int blocks = 12, int machines = 6, int days = 10, std::uint64_t seed = 11) {
  synth_parameters p = synth_tier("custom");
  p.seed = seed;
  p.blocks = {blocks, blocks};
  p.machines = {machines, machines};
  p.days = {days, days};
  p.mobilisation = false;
  p.system_mix = {{"ground_fb_skid", 0.5}, {"ctl", 0.5}};
  return problem(generate_synth(p).sc);
}

// Proposes `steps` moves on every reference scenario and a role-chain scenario, every other one by
// a rebuild operator (cycling through `rebuilds`) and the others by run_fill, run_clear or swap,
// which keep the plan moving so the rebuilds start from many plans; checks delta == full
// evaluation on each.
void check_rebuild_moves(const problem& pb, const std::vector<std::size_t>& rebuilds, int steps, std::uint64_t seed);

void check_rebuild_moves(const std::vector<std::size_t>& rebuilds, int steps, std::uint64_t seed) {
  for (const auto& path : scenarios()) {
    INFO(path.string());
    check_rebuild_moves(problem(load_scenario(path)), rebuilds, steps, seed);
  }
  INFO("role-chain scenario");
  const problem chain = chain_problem();
  REQUIRE(chain.has_sequencing);
  check_rebuild_moves(chain, rebuilds, steps, seed);
}

void check_rebuild_moves(const problem& pb, const std::vector<std::size_t>& rebuilds, int steps, std::uint64_t seed) {
  const std::size_t shakers[] = {static_cast<std::size_t>(operator_id::run_fill), static_cast<std::size_t>(operator_id::run_clear),
                                 static_cast<std::size_t>(operator_id::swap)};
  {
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
    // landing_swap has no move on a scenario with a single landing, seq_fill none without
    // sequencing; the other rebuilds always do.
    const bool possible = std::any_of(rebuilds.begin(), rebuilds.end(), [&](std::size_t op) {
      if (op == static_cast<std::size_t>(operator_id::landing_swap)) return pb.num_landings > 1;
      if (op == static_cast<std::size_t>(operator_id::seq_fill)) return pb.has_sequencing;
      return true;
    });
    CHECK((rebuilt > 0) == possible);
    CHECK(changed_rows >= rebuilt);
  }
}

}  // namespace

TEST_CASE("delta evaluation equals full evaluation on random moves where blocks are sequenced", "[incremental][delta]") {
  // The evaluator checks only the (block, role) entries a move's window can have changed when the
  // window is narrow, and every entry when it is wide: single cells and runs of up to 12 slots
  // exercise both, on role chains with live prerequisites.
  for (const std::uint64_t seed : {11, 12}) {
    const problem pb = chain_problem(30, 8, 14, seed);
    REQUIRE(pb.has_sequencing);
    check_random_moves(pb, 6000, seed);
  }
}

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

TEST_CASE("delta evaluation equals full evaluation on seq_fill's moves", "[incremental][delta][seq_fill]") {
  // Sequencing-aware run fills (followers after their prerequisites, leaders before their dependants).
  check_rebuild_moves({static_cast<std::size_t>(operator_id::seq_fill)}, 3000, 779);
}

TEST_CASE("seq_fill finds improving moves on a role-chain scenario more often than run_fill", "[neighbourhood][seq_fill]") {
  // A descent from the empty plan that makes only improving moves, drawing run_fill, run_clear and
  // seq_fill alike: a follower's cells gain only where its prerequisites worked earlier, which a
  // blind run_fill seldom hits (its follower runs are penalised), while seq_fill's follower runs
  // stay inside the room the prerequisites leave and its leader runs open room for followers.
  const problem pb = chain_problem(16, 8, 14, 12);
  REQUIRE(pb.has_sequencing);
  const std::size_t ops[] = {static_cast<std::size_t>(operator_id::run_fill), static_cast<std::size_t>(operator_id::run_clear),
                             static_cast<std::size_t>(operator_id::seq_fill)};
  harvest_neighbourhood nbh(pb);
  incremental_evaluator inc(pb);
  inc.reset(schedule(pb));
  fhops::rng r(99);
  harvest_move mv;
  std::array<int, 3> proposed{}, improving{};
  for (int i = 0; i < 3000; ++i) {
    const std::size_t k = r.below(3);
    if (!nbh.propose(ops[k], inc, r, mv)) continue;
    ++proposed[k];
    if (inc.evaluate(mv.changes).score > inc.score()) {
      inc.apply(mv.changes);
      ++improving[k];
    }
  }
  CHECK(inc.current() == evaluator(pb)(inc.plan()));
  INFO("run_fill " << improving[0] << "/" << proposed[0] << ", seq_fill " << improving[2] << "/" << proposed[2]);
  CHECK(improving[2] > 10);
  CHECK(improving[2] * proposed[0] > improving[0] * proposed[2]);  // a higher rate of improving moves
}
