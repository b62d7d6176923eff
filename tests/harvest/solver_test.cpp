// Operators, local sanitising, weight resolution, presets/profiles and solver determinism.
#include "../test_support.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "fhops/harvest/bounds/landing_decomposition.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"

using namespace fhops::harvest;

namespace {

problem solver_demo_problem() { return problem(load_scenario(fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml")); }

std::size_t op(std::string_view name) { return static_cast<std::size_t>(operator_index(name)); }

// One machine or two, one landing (capacity 2), blocks B1..Bn with rate 1 everywhere, `days` days.
scenario toy(int machines, int days, int blocks = 2) {
  scenario sc;
  sc.name = "toy";
  sc.num_days = days;
  sc.landings = {{"L1", 2}};
  for (int b = 1; b <= blocks; ++b) sc.blocks.push_back({fmt::format("B{}", b), "L1", 10.0, 1, {}, {}, {}});
  for (int m = 1; m <= machines; ++m) {
    sc.machines.push_back({fmt::format("M{}", m), {}, {}, 24.0, 0.0, {}});
    for (int b = 1; b <= blocks; ++b) sc.production_rates.push_back({fmt::format("M{}", m), fmt::format("B{}", b), 1.0});
  }
  return sc;
}

// All moves an operator can produce from a state, by exhausting many random proposals.
std::set<std::vector<std::tuple<int, int, int>>> neighbours(const problem& pb, const schedule& plan, std::string_view name) {
  harvest_neighbourhood nbh(pb);
  incremental_evaluator state(pb);
  state.reset(plan);
  fhops::rng r(1);
  harvest_move mv;
  std::set<std::vector<std::tuple<int, int, int>>> out;
  for (int i = 0; i < 400; ++i) {
    if (!nbh.propose(op(name), state, r, mv)) continue;
    std::vector<std::tuple<int, int, int>> key;
    for (const auto& c : mv.changes) key.emplace_back(c.machine, c.slot, c.after);
    std::sort(key.begin(), key.end());
    out.insert(key);
  }
  return out;
}

}  // namespace

TEST_CASE("local sanitising equals the reference's full sanitiser", "[operators][sanitise]") {
  const problem pb = solver_demo_problem();
  harvest_neighbourhood nbh(pb);
  fhops::rng r(99);
  schedule plan = sanitised(pb, greedy_schedule(pb));
  for (int i = 0; i < 3000; ++i) {
    std::vector<cell_change> raw;
    const int n = 1 + static_cast<int>(r.below(6));
    for (int k = 0; k < n; ++k)
      raw.push_back({static_cast<int>(r.below(pb.num_machines)), static_cast<int>(r.below(pb.num_slots)), 0,
                     r.chance(0.2) ? idle : static_cast<std::int32_t>(r.below(pb.num_blocks))});
    schedule written = plan;
    for (const auto& w : raw) written.at(w.machine, w.slot) = w.after;
    const schedule expected = sanitised(pb, written);
    nbh.sanitise(plan, raw);
    schedule got = plan;
    for (const auto& c : raw) {
      REQUIRE(c.before == plan.at(c.machine, c.slot));
      REQUIRE(c.before != c.after);
      got.at(c.machine, c.slot) = c.after;
    }
    REQUIRE(got == expected);
    if (r.chance(0.3)) plan = got;
  }
}

TEST_CASE("every operator's moves keep the plan sanitised and are scored exactly", "[operators]") {
  const problem pb = solver_demo_problem();
  harvest_neighbourhood nbh(pb);
  harvest_space space(pb, /*check_delta=*/true);
  incremental_evaluator state(pb);
  state.reset(sanitised(pb, greedy_schedule(pb)));
  fhops::rng r(5);
  harvest_move mv;
  std::vector<long long> produced(operator_count, 0);
  for (int i = 0; i < 4000; ++i) {
    const std::size_t o = i % operator_count;
    if (!nbh.propose(o, state, r, mv)) continue;
    ++produced[o];
    space.evaluate(state, mv);  // throws on a delta/full mismatch
    if (r.chance(0.5)) {
      space.apply(state, mv);
      REQUIRE(sanitised(pb, state.plan()) == state.plan());
    }
  }
  for (std::size_t o = 0; o < operator_count; ++o) {
    INFO(operator_names[o]);
    CHECK(produced[o] > 0);
  }
  CHECK(space.checks() > 4000);
}

TEST_CASE("run_reorder puts a row's runs in another order, their blocks and lengths kept", "[operators][run_reorder]") {
  // One machine, seven slots: B1 B1 - B2 B2 B2 B3 (a run of B1, an idle gap, runs of B2 and B3).
  const problem pb(toy(1, 7, 3));
  schedule plan(pb);
  const std::vector<std::int32_t> row{0, 0, idle, 1, 1, 1, 2};
  for (int t = 0; t < 7; ++t) plan.at(0, t) = row[static_cast<std::size_t>(t)];
  const auto moves = neighbours(pb, plan, "run_reorder");
  REQUIRE_FALSE(moves.empty());
  const auto stretches = [](const std::vector<std::int32_t>& cells) {  // (value, length) of each stretch, sorted
    std::vector<std::pair<std::int32_t, int>> out;
    for (std::size_t a = 0; a < cells.size();) {
      std::size_t z = a + 1;
      while (z < cells.size() && cells[z] == cells[a]) ++z;
      out.emplace_back(cells[a], static_cast<int>(z - a));
      a = z;
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::set<std::vector<std::int32_t>> rows;
  for (const auto& mv : moves) {
    std::vector<std::int32_t> after = row;
    for (const auto& [m, t, block] : mv) {
      CHECK(m == 0);
      after[static_cast<std::size_t>(t)] = block;
    }
    CHECK(after != row);
    CHECK(stretches(after) == stretches(row));
    rows.insert(after);
  }
  // B1's and B3's runs trade places (the stretches between them shift), or B1..B3 is reversed
  CHECK(rows.count({2, idle, 1, 1, 1, 0, 0}) == 1);
  CHECK(rows.count({2, 1, 1, 1, idle, 0, 0}) == 1);
  // neighbouring runs: B2 and B3 trade places (the same as reversing them)
  CHECK(rows.count({0, 0, idle, 2, 1, 1, 1}) == 1);
  CHECK(rows.count({1, 1, 1, idle, 0, 0, 2}) == 1);  // B1 and B2 trade places
  CHECK(rows.count({1, 1, 1, 0, 0, idle, 2}) == 0);  // not a move: the idle gap would move out of the span
}

namespace {
// An operator of the test's own (the search_library.md example): clears one random assignment.
struct clear_one_operator {
  static constexpr std::string_view name = "clear_one";
  bool propose(operator_kernel& kern, const schedule& plan, fhops::rng& r, harvest_move& mv) const {
    int m = 0, t = 0;
    if (!kern.random_assignment(plan, r, m, t)) return false;
    mv.changes.push_back({m, t, 0, idle});
    return kern.finish(plan, mv);
  }
};
static_assert(harvest_operator<clear_one_operator>);
}  // namespace

TEST_CASE("operators compose: a union of built-ins and an operator of one's own", "[operators][union]") {
  const problem pb = solver_demo_problem();
  using mixed = operator_union<row_rebuild_operator, clear_one_operator, swap_operator>;
  mixed nbh(pb);
  CHECK(nbh.operator_count() == 3);
  CHECK(nbh.operator_name(0) == "row_rebuild");
  CHECK(nbh.operator_name(1) == "clear_one");
  CHECK(nbh.operator_name(2) == "swap");
  harvest_neighbourhood all(pb);
  harvest_space space(pb, /*check_delta=*/true);
  incremental_evaluator state(pb);
  state.reset(sanitised(pb, greedy_schedule(pb)));
  fhops::rng r1(11), r2(11);
  harvest_move mv, mv_all;
  int cleared = 0;
  for (int i = 0; i < 600; ++i) {
    const std::size_t o = i % 3;
    // A built-in in a union proposes what it proposes in harvest_neighbourhood (same rng draws).
    const std::size_t same = o == 0 ? op("row_rebuild") : op("swap");
    const bool ok = nbh.propose(o, state, r1, mv);
    if (o != 1) {
      const bool ok_all = all.propose(same, state, r2, mv_all);
      REQUIRE(ok == ok_all);
      if (ok) REQUIRE(mv.changes == mv_all.changes);
    } else {
      r2 = r1;  // clear_one drew from r1 only
    }
    if (!ok) continue;
    if (o == 1) {
      REQUIRE(!mv.changes.empty());
      CHECK(mv.changes.front().after == idle);
      ++cleared;
    }
    space.evaluate(state, mv);  // throws on a delta/full mismatch
    space.apply(state, mv);
    REQUIRE(sanitised(pb, state.plan()) == state.plan());
  }
  CHECK(cleared > 0);
  CHECK_FALSE(nbh.propose(3, state, r1, mv));  // out of range: no move
}

TEST_CASE("reference operator cases (test_operators.py)", "[operators]") {
  SECTION("block_insertion: no target when the only other day-1 slot is unavailable") {
    scenario sc = toy(2, 1, 1);
    sc.blocks[0].latest_finish = 1;
    sc.calendar = {{"M2", 1, 0}};
    const problem pb(sc);
    schedule s(pb);
    s.at(0, 0) = 0;
    CHECK(neighbours(pb, s, "block_insertion").empty());
    SECTION("with a window of days 1-2 exactly one neighbour: M1@1 idle, M1@2 = B1") {
      sc.num_days = 2;
      sc.blocks[0].latest_finish = 2;
      sc.calendar = {{"M2", 1, 0}, {"M2", 2, 0}};
      const problem pb2(sc);
      schedule s2(pb2);
      s2.at(0, 0) = 0;
      const auto n = neighbours(pb2, s2, "block_insertion");
      REQUIRE(n.size() == 1);
      CHECK(*n.begin() == std::vector<std::tuple<int, int, int>>{{0, 0, idle}, {0, 1, 0}});
    }
  }
  SECTION("cross_exchange: none when each machine can work only its own block") {
    scenario sc = toy(2, 1, 2);
    sc.production_rates = {{"M1", "B1", 1.0}, {"M2", "B2", 1.0}};
    const problem pb(sc);
    schedule s(pb);
    s.at(0, 0) = 0;
    s.at(1, 0) = 1;
    CHECK(neighbours(pb, s, "cross_exchange").empty());
    scenario all = toy(2, 1, 2);
    const problem pa(all);
    const auto n = neighbours(pa, s, "cross_exchange");
    REQUIRE(n.size() == 1);  // M1 gets B2 and M2 gets B1
    CHECK(*n.begin() == std::vector<std::tuple<int, int, int>>{{0, 0, 1}, {1, 0, 0}});
  }
  SECTION("mobilisation_shake: a locked assignment does not move; otherwise the largest day shift wins") {
    scenario sc = toy(1, 3, 1);
    sc.locked_assignments = {{"M1", "B1", 1}};
    const problem locked(sc);
    schedule s(locked);
    s.at(0, 0) = 0;
    CHECK(neighbours(locked, s, "mobilisation_shake").empty());
    sc.locked_assignments.clear();
    const problem free(sc);
    const auto n = neighbours(free, s, "mobilisation_shake");
    REQUIRE(n.size() == 1);
    CHECK(*n.begin() == std::vector<std::tuple<int, int, int>>{{0, 0, idle}, {0, 2, 0}});  // day 1 -> day 3
  }
}

TEST_CASE("tabu attributes make the reversal of a move tabu", "[operators][tabu]") {
  const problem pb(toy(2, 2));
  harvest_neighbourhood nbh(pb);
  incremental_evaluator state(pb);
  harvest_move there{{{0, 0, idle, 1}}}, back{{{0, 0, 1, idle}}}, other{{{0, 0, idle, 0}}};
  std::vector<std::uint64_t> made, used_back, used_other;
  nbh.tabu_made(state, there, made);
  nbh.tabu_used(state, back, used_back);
  nbh.tabu_used(state, other, used_other);
  fhops::search::tabu_list list(3);
  list.push(made);
  CHECK(list.tabu(used_back));
  CHECK_FALSE(list.tabu(used_other));
}

TEST_CASE("operator weights resolve as the reference's merge", "[solver][weights]") {
  operator_settings none;
  CHECK(resolve_weights(solver_kind::sa, nullptr, none) == default_weights);
  CHECK(resolve_weights(solver_kind::tabu, nullptr, none) == default_tabu_weights);
  SECTION("presets merge later-wins; the operator list is their union") {
    operator_settings s{{"swap-only", "move-only"}, {}, {}};
    const auto w = resolve_weights(solver_kind::sa, nullptr, s);
    CHECK(w[op("swap")] == 0.0);
    CHECK(w[op("move")] == 1.0);
    CHECK(w[op("run_fill")] == 0.0);
  }
  SECTION("a weight re-enables an operator the list disabled; NaN and negative weights become 0") {
    operator_settings s{{}, {"swap"}, {{"move", 2.5}, {"run_fill", std::nan("")}, {"run_clear", -3.0}}};
    const auto w = resolve_weights(solver_kind::sa, nullptr, s);
    CHECK(w[op("swap")] == 1.0);
    CHECK(w[op("move")] == 2.5);
    CHECK(w[op("run_fill")] == 0.0);
    CHECK(w[op("run_clear")] == 0.0);
  }
  SECTION("explore profile + swap=2 + move: all five reference operators, swap 2 (test_cli_profiles)") {
    operator_settings s{{}, {"move"}, {{"swap", 2.0}}};
    const auto w = resolve_weights(solver_kind::sa, &find_profile("explore").sa, s);
    CHECK(w[op("swap")] == 2.0);
    CHECK(w[op("move")] == 1.0);
    CHECK(w[op("block_insertion")] == 0.6);
    CHECK(w[op("cross_exchange")] == 0.6);
    CHECK(w[op("mobilisation_shake")] == 0.2);
  }
  SECTION("an --operator whose weight would be 0 is enabled (the reference left nothing enabled)") {
    operator_settings s{{}, {"block_insertion"}, {}};
    const auto w = resolve_weights(solver_kind::sa, nullptr, s);
    CHECK(w[op("block_insertion")] == 1.0);
    CHECK(w[op("swap")] == 0.0);
  }
  SECTION("errors name what is unknown") {
    operator_settings bad_ops{{}, {"Zap", "blip"}, {}};
    CHECK_THROWS_WITH(resolve_weights(solver_kind::sa, nullptr, bad_ops), "Unknown operators requested: blip, zap");
    operator_settings bad_weight{{}, {}, {{"zap", 1.0}}};
    CHECK_THROWS_WITH(resolve_weights(solver_kind::sa, nullptr, bad_weight), "Unknown operator 'zap' in weights configuration");
    operator_settings bad_preset{{"default"}, {}, {}};
    CHECK_THROWS_WITH(resolve_weights(solver_kind::sa, nullptr, bad_preset), Catch::StartsWith("Unknown operator preset 'default'. Available: balanced, "));
    CHECK_THROWS_WITH(find_profile("nope"), Catch::StartsWith("Unknown profile 'nope'. Available: default, explore, intense-diversify"));
  }
}

TEST_CASE("operator weights by name: weights_of sets the named operators, every other one 0 or the base's", "[solver][weights]") {
  // Compile-time checks (weights_of is consteval; an unknown name would not compile).
  static_assert(weights_of({{"swap", 1}, {"move", 1}}) == operator_weights{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  static_assert(reference_tabu_weights == operator_weights{1, 1, 0.6, 0.6, 0.4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  static_assert(default_weights == operator_weights{1, 1, 0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.05, 0, 0, 0, 1});
  static_assert(default_tabu_weights == operator_weights{1, 1, 0.6, 0.6, 0.4, 1, 1, 1, 0.5, 0.5, 0.05, 0, 0, 0, 0.5});
  static_assert(weights_of(default_weights, {{"swap", 3}})[static_cast<std::size_t>(operator_id::swap)] == 3.0);
  // The presets as the reference lists them (heuristics.md §2.3), position by position.
  const std::map<std::string_view, operator_weights> expected{
      {"balanced", {1, 1}}, {"swap-only", {1}}, {"move-only", {0, 1}}, {"swap-heavy", {2, 0.5}}, {"diversify", {1.5, 1.5}},
      {"explore", {1, 1, 0.6, 0.6, 0.2}}, {"mobilisation", {0.8, 0.8, 0.4, 0.4, 1.2}}, {"stabilise", {0.5, 1.5, 0.2, 0.2}},
      {"runs", {0, 0, 0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.05}}, {"fhops-default", default_weights},
      {"lns", {1, 1, 0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.05, 0.02, 0, 0, 1}}, {"price", {1, 1, 0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.05, 0, 0.02, 0, 1}},
      {"landings", {1, 1, 0.6, 0.6, 0.4, 1, 1, 1, 0.5, 0.5, 0.05, 0, 0, 0.05, 0.5}}};
  REQUIRE(operator_presets().size() == expected.size());
  for (const auto& p : operator_presets()) {
    INFO(p.name);
    REQUIRE(expected.count(p.name) == 1);
    CHECK(p.weights == expected.at(p.name));
  }
}

TEST_CASE("the solver registry: one entry per solver, found by kind and label, its defaults those resolve_weights gives", "[solver][registry]") {
  REQUIRE(solver_registry.size() == 3);
  const operator_settings none;
  operator_settings swap2{{}, {}, {{"swap", 2.0}}};
  const scenario_traits hard{};  // hard capacity, no sequencing
  const solver_profile& intense = find_profile("intense-diversify");
  for (const solver_kind k : {solver_kind::sa, solver_kind::ils, solver_kind::tabu}) {
    const solver_info& info = solver_info_of(k);
    INFO(info.label);
    CHECK(info.kind == k);
    REQUIRE(find_solver(info.label) != nullptr);
    CHECK(find_solver(info.label)->kind == k);
    CHECK(solver_of_label(info.label) == k);
    CHECK(std::string(solver_label(k)) == info.label);
    CHECK(resolve_weights(k, nullptr, none) == solver_defaults(k));
    CHECK(resolve_weights(k, nullptr, none, &hard) == solver_defaults(k, &hard));
    auto base = *info.configured_base;
    base[op("swap")] = 2.0;
    CHECK(resolve_weights(k, nullptr, swap2) == base);
    CHECK(profile_for(&intense, k) == &(intense.*info.profile));
    CHECK(profile_for(nullptr, k) == nullptr);
  }
  CHECK(find_solver("heuristic") == nullptr);
  CHECK(find_solver("") == nullptr);
  // What each entry says, against the reference (heuristics.md §8, telemetry §1.7).
  CHECK(std::string(solver_info_of(solver_kind::sa).command) == "solve-heur");
  CHECK(std::string(solver_info_of(solver_kind::ils).command) == "solve-ils");
  CHECK(std::string(solver_info_of(solver_kind::tabu).command) == "solve-tabu");
  CHECK(solver_info_of(solver_kind::ils).default_iterations == 250);
  CHECK(solver_info_of(solver_kind::sa).step_interval == 100);
  CHECK(solver_info_of(solver_kind::tabu).step_interval == 25);
  CHECK(solver_defaults(solver_kind::sa, &hard) == default_weights_for(hard));
  CHECK(solver_defaults(solver_kind::ils, &hard) == default_weights_for(hard));
  CHECK(solver_defaults(solver_kind::tabu, &hard) == default_tabu_weights_for(hard));
  CHECK(solver_defaults(solver_kind::ils) == default_weights);  // without a scenario, the registry's defaults
  CHECK(solver_defaults(solver_kind::tabu) == default_tabu_weights);
  CHECK(profile_for(&intense, solver_kind::ils)->extra.at("perturbation_strength") == 5.0);
}

TEST_CASE("the name=value weight syntax (test_cli_utils)", "[solver][weights]") {
  CHECK(parse_operator_weight("swap=2") == std::pair<std::string, double>{"swap", 2.0});
  CHECK(parse_operator_weight(" Move = 0 ") == std::pair<std::string, double>{"move", 0.0});
  CHECK(parse_operator_weight("swap=1_0").second == 10.0);
  CHECK(parse_operator_weight("swap=1e3").second == 1000.0);
  // nan and negative weights were taken as 0 while inf was refused later (issue 24): all are refused here.
  CHECK_THROWS_WITH(parse_operator_weight("swap=nan"), "Operator weight for 'swap' must be a finite number >= 0 (got 'nan')");
  CHECK_THROWS_WITH(parse_operator_weight("swap=-1"), "Operator weight for 'swap' must be a finite number >= 0 (got '-1')");
  CHECK_THROWS_WITH(parse_operator_weight("swap=inf"), "Operator weight for 'swap' must be a finite number >= 0 (got 'inf')");
  CHECK_THROWS_WITH(parse_operator_weight("swap=-inf"), "Operator weight for 'swap' must be a finite number >= 0 (got '-inf')");
  CHECK_THROWS_AS(parse_operator_weight("swap=NaN"), std::invalid_argument);
  CHECK_THROWS_WITH(parse_operator_weight("swap"), "Operator weight must be in name=value format (got 'swap')");
  CHECK_THROWS_WITH(parse_operator_weight("=1.0"), "Operator weight missing operator name in '=1.0'");
  CHECK_THROWS_WITH(parse_operator_weight("swap="), "Operator weight for 'swap' must be numeric (got '')");
  CHECK_THROWS_WITH(parse_operator_weight("swap=abc"), "Operator weight for 'swap' must be numeric (got 'abc')");
}

TEST_CASE("preset and profile listings have the reference's layout", "[solver]") {
  const std::string presets = preset_listing();
  CHECK_THAT(presets, Catch::StartsWith("Operator presets:\nbalanced: swap=1.0, move=1.0, block_insertion=0.0, "
                                        "cross_exchange=0.0, mobilisation_shake=0.0, run_fill=0.0"));
  CHECK_THAT(presets, Catch::Contains(" \u2014 Default swap/move weights (1.0 each).\n"));
  CHECK_THAT(presets, Catch::Contains("\nexplore: swap=1.0, move=1.0, block_insertion=0.6, cross_exchange=0.6, mobilisation_shake=0.2,"));
  CHECK(profile_listing() ==
        "Solver profiles:\n"
        "default: Balanced SA configuration (swap/move) with conservative batching.\n"
        "explore: Enable advanced neighbourhoods to diversify search.\n"
        "intense-diversify: Aggressive diversification plus mobilisation shake for large scenarios.\n"
        "mobilisation: Bias towards mobilisation-aware moves to escape distance constraints.\n"
        "parallel-explore: Parallel multi-start SA with diversified neighbourhoods.\n"
        "stabilise: Focus on consolidation/minimal mobilisation; good for cleanup passes.\n");
}

TEST_CASE("Tabu's automatic tenure: resolve_tabu_tenure gives max(10, machines) and lifts a restart range; solve() resolves it too",
          "[solver][tabu]") {
  solve_options o;
  o.kind = solver_kind::tabu;
  o.tabu.tenure = 0;
  o.tabu.restart_stall = 50;
  o.tabu.tenure_max = 5;
  resolve_tabu_tenure(o, 12);
  CHECK(o.tabu.tenure == 12);
  CHECK(o.tabu.tenure_max == 12);  // the range's top lifted to the automatic tenure
  resolve_tabu_tenure(o, 30);      // resolved once: a tenure >= 1 is kept
  CHECK(o.tabu.tenure == 12);
  solve_options few;
  few.tabu.tenure = 0;
  resolve_tabu_tenure(few, 3);
  CHECK(few.tabu.tenure == 10);
  CHECK(few.tabu.tenure_max == 0);  // no range: none made

  const problem pb = solver_demo_problem();
  solve_options automatic;
  automatic.kind = solver_kind::tabu;
  automatic.weights = default_tabu_weights;
  automatic.stop = {300, 0.0, 0, std::nullopt};
  automatic.tabu.tenure = 0;
  solve_options explicit_tenure = automatic;
  explicit_tenure.tabu.tenure = automatic_tabu_tenure(pb.num_machines);
  const auto a = solve(pb, automatic), b = solve(pb, explicit_tenure);
  CHECK(a.search.best == b.search.best);
  CHECK(a.search.evaluations == b.search.evaluations);
}

TEST_CASE("solves are deterministic for a seed, also as a parallel multi-start", "[solver][determinism]") {
  const problem pb = solver_demo_problem();
  for (const auto kind : {solver_kind::sa, solver_kind::ils, solver_kind::tabu}) {
    solve_options o;
    o.kind = kind;
    o.weights = kind == solver_kind::tabu ? default_tabu_weights : default_weights;
    // an ILS iteration is a whole local search: 60 of them make as long a run as 3000 SA steps
    o.stop = {kind == solver_kind::ils ? 60 : 3000, 0.0, 0, std::nullopt};
    o.tabu.tenure = 10;
    const auto a = solve(pb, o), b = solve(pb, o);
    CHECK(a.search.best == b.search.best);
    CHECK(a.best == b.best);
    CHECK(a.search.evaluations == b.search.evaluations);
    CHECK(a.search.accepted == b.search.accepted);
    CHECK(a.best.score == evaluate(pb, a.search.best).score);
    CHECK(a.best.score > a.initial.score);
  }
  solve_options o;
  o.stop = {2000, 0.0, 0, std::nullopt};
  const auto [one, best1] = solve_multistart(pb, o, 4, 1);
  const auto [two, best2] = solve_multistart(pb, o, 4, 2);
  CHECK(best1 == best2);
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(one[k].seed == two[k].seed);
    CHECK(one[k].result->search.best == two[k].result->search.best);
  }
  CHECK(one[0].seed == o.seed);
  CHECK(one[1].seed == fhops::derive_seed(o.seed, 1));
}

TEST_CASE("the default SA reaches the minitoy optimum 45.25 in a fixed iteration budget", "[solver][quality][reference]") {
  if (!fhops_test::have_reference()) return;
  const problem pb(load_scenario(fhops_test::reference("scenarios/minitoy/scenario.yaml")));
  solve_options o;
  o.stop = {200000, 0.0, 0, std::nullopt};
  o.cooling = "budget";
  o.restart_period = 0;
  const auto out = solve(pb, o);
  CHECK(out.best.score == 45.25);
  CHECK(out.initial.score == -4021.5);
}

TEST_CASE("ILS: the local search's patience and acceptance reach the run", "[solver][ils]") {
  const problem pb = solver_demo_problem();
  solve_options o;
  o.kind = solver_kind::ils;
  o.stop = {30, 0.0, 0, std::nullopt};
  // the documented defaults (docs/compatibility.md): patience 100, 2 moves from the better optimum
  CHECK(o.ils.patience == 100);
  CHECK(o.ils.perturbation_strength == 2);
  CHECK_FALSE(o.ils.accept_worse);
  const auto tuned = solve(pb, o);
  solve_options ref = o;  // the reference's ILS
  ref.ils.patience = 1;
  ref.ils.perturbation_strength = 3;
  ref.ils.accept_worse = true;
  const auto reference = solve(pb, ref);
  // a local search that stops at its first non-improving step evaluates far fewer candidates
  CHECK(reference.search.evaluations * 5 < tuned.search.evaluations);
  CHECK(tuned.best.score >= reference.best.score);
  CHECK(tuned.best.score == evaluate(pb, tuned.search.best).score);
}

TEST_CASE("ILS and Tabu on a wall-clock budget start from SA's best plan; with iterations or share 0 from the greedy seed",
          "[solver][warm_start]") {
  const problem pb = solver_demo_problem();
  const double greedy = evaluate(pb, sanitised(pb, greedy_schedule(pb))).score;
  for (const solver_kind kind : {solver_kind::ils, solver_kind::tabu}) {
    INFO(solver_label(kind));
    solve_options o;
    o.kind = kind;
    use_time_budget(o, 0.4);  // as the solve commands' --time-limit alone
    o.stop.max_iterations = 0;
    CHECK(o.sa_warm_start == default_sa_warm_start);
    REQUIRE(sa_warm_started(o));
    const auto warm = solve(pb, o);
    CHECK(warm.warm_start_evaluations > 0);
    CHECK(warm.search.initial_score > greedy);  // ILS or Tabu began where SA left off, not at the greedy seed
    CHECK(warm.best.score >= warm.search.initial_score);
    CHECK(warm.best.score == evaluate(pb, warm.search.best).score);
    CHECK(warm.initial.score == evaluate(pb, greedy_schedule(pb)).score);  // "initial" stays the greedy seed's

    solve_options cold = o;
    cold.sa_warm_start = 0.0;
    CHECK_FALSE(sa_warm_started(cold));
    const auto from_greedy = solve(pb, cold);
    CHECK(from_greedy.warm_start_evaluations == 0);
    CHECK(from_greedy.search.initial_score == greedy);

    solve_options counted = o;  // an iteration budget: no warm start, whatever the share
    counted.stop.max_iterations = 20;
    CHECK_FALSE(sa_warm_started(counted));
    const auto iterated = solve(pb, counted);
    CHECK(iterated.warm_start_evaluations == 0);
    CHECK(iterated.search.initial_score == greedy);

    for (const double bad : {1.0, -0.5, std::nan("")}) {
      solve_options wrong = o;
      wrong.sa_warm_start = bad;
      CHECK_THROWS_WITH(solve(pb, wrong), Catch::Contains("solve_options.sa_warm_start must be in [0, 1)"));
    }
  }
  solve_options sa;  // SA has no warm start of its own
  use_time_budget(sa, 0.2);
  CHECK_FALSE(sa_warm_started(sa));
  CHECK(solve(pb, sa).warm_start_evaluations == 0);
}

TEST_CASE("--check-delta mode verifies every evaluation during a solve", "[solver][delta]") {
  const problem pb = solver_demo_problem();
  for (const auto kind : {solver_kind::sa, solver_kind::ils, solver_kind::tabu}) {
    solve_options o;
    o.kind = kind;
    o.weights = default_tabu_weights;
    o.stop = {400, 0.0, 0, std::nullopt};
    o.check_delta = true;
    o.tabu.tenure = 10;
    CHECK_NOTHROW(solve(pb, o));
  }
  // Tabu with elite restarts (the state goes back to the best plan every 20 stalled iterations).
  solve_options o;
  o.kind = solver_kind::tabu;
  o.weights = default_tabu_weights;
  o.stop = {400, 0.0, 0, std::nullopt};
  o.check_delta = true;
  o.tabu = {.tenure = 5, .restart_stall = 20, .tenure_max = 15};
  const auto out = solve(pb, o);
  CHECK(out.search.restarts > 0);
  CHECK(out.best.score == evaluate(pb, out.search.best).score);
}

TEST_CASE("row_rebuild finds the best row of a lone machine (brute force over every row)", "[operators][row_rebuild]") {
  // One machine, three blocks with different windows, work, rates and distances; a move costs a
  // setup plus walking or a flat fee. The DP is exact when no other machine shares the blocks.
  scenario sc;
  sc.name = "row";
  sc.num_days = 7;
  sc.landings = {{"L1", 1}};
  sc.blocks = {{"B1", "L1", 2.5, 1, 3, {}, {}}, {"B2", "L1", 6.0, 2, 7, {}, {}}, {"B3", "L1", 3.0, 4, 6, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 1.0}, {"M1", "B2", 1.5}, {"M1", "B3", 2.0}};
  sc.calendar = {{"M1", 5, 0}};
  mobilisation_config mob;
  mob.machine_params = {{"M1", 0.01, 2.0, 100.0, 0.25}};
  mob.distances = {{"B1", "B2", 50.0}, {"B1", "B3", 300.0}, {"B2", "B3", 80.0}};
  sc.mobilisation = mob;
  sc.weights.transitions = 0.1;
  const problem pb(sc);
  const int S = pb.num_slots, B = pb.num_blocks;
  evaluator eval(pb);
  double best = -1e300;
  schedule s(pb);
  for (int code = 0; code < static_cast<int>(std::pow(B + 1, S)); ++code) {
    int c = code;
    for (int t = 0; t < S; ++t, c /= B + 1) s.at(0, t) = c % (B + 1) - 1;
    best = std::max(best, eval(s).score);
  }
  // The DP starts from every row: the empty one and some random ones.
  harvest_neighbourhood nbh(pb);
  fhops::rng r(3);
  harvest_move mv;
  for (int start = 0; start < 5; ++start) {
    schedule plan(pb);
    if (start > 0)
      for (int t = 0; t < S; ++t) plan.at(0, t) = static_cast<std::int32_t>(r.below(B + 1)) - 1;
    plan = sanitised(pb, plan);
    incremental_evaluator state(pb);
    state.reset(plan);
    double found = -1e300;
    for (int i = 0; i < 20; ++i) {
      schedule after = plan;
      if (nbh.propose(op("row_rebuild"), state, r, mv))
        for (const auto& ch : mv.changes) after.at(ch.machine, ch.slot) = ch.after;
      found = std::max(found, eval(after).score);
    }
    INFO("start " << start);
    CHECK(found == Approx(best).epsilon(1e-12));
  }
  CHECK(best > 0.0);
}

TEST_CASE("row_rebuild improves a poor plan on the reference's med42", "[operators][row_rebuild][reference]") {
  if (!fhops_test::have_reference()) return;
  const problem pb(load_scenario(fhops_test::reference("scenarios/med42/scenario.yaml")));
  harvest_neighbourhood nbh(pb);
  harvest_space space(pb, /*check_delta=*/true);
  incremental_evaluator state(pb);
  state.reset(schedule(pb));  // nothing scheduled: every machine's best row is a gain
  fhops::rng r(8);
  harvest_move mv;
  int improving = 0;
  for (int i = 0; i < 60; ++i) {
    if (!nbh.propose(op("row_rebuild"), state, r, mv)) continue;  // that row is already the DP's best
    const double delta = space.evaluate(state, mv) - state.score();
    if (delta > 0.0) {
      ++improving;
      space.apply(state, mv);
    }
  }
  CHECK(improving >= 8);  // at least each of the 8 machines got a productive row
  CHECK(state.score() > 254.534);  // better than the reference's "never move" plan
}

namespace {

// One landing, three blocks of 10 units, three machines; machine i works block i at rate 1 and
// block i+1 at rate 2 (the third block is out of its reach). The plan own_blocks has every machine
// on its own block (15 units); the best plan rotates all three (each finishes a block: 30 units).
scenario rotate_scenario() {
  scenario sc;
  sc.name = "rotate";
  sc.num_days = 5;
  sc.landings = {{"L1", 3}};
  sc.blocks = {{"B1", "L1", 10.0, 1, 5, {}, {}}, {"B2", "L1", 10.0, 1, 5, {}, {}}, {"B3", "L1", 10.0, 1, 5, {}, {}}};
  sc.machines = {{"M1", {}, {}, 24.0, 0.0, {}}, {"M2", {}, {}, 24.0, 0.0, {}}, {"M3", {}, {}, 24.0, 0.0, {}}};
  sc.production_rates = {{"M1", "B1", 1.0}, {"M1", "B2", 2.0}, {"M2", "B2", 1.0},
                         {"M2", "B3", 2.0}, {"M3", "B3", 1.0}, {"M3", "B1", 2.0}};
  return sc;
}

schedule own_blocks(const problem& pb) {
  schedule own(pb);
  for (int m = 0; m < pb.num_machines; ++m)
    for (int t = 0; t < pb.num_slots; ++t) own.at(m, t) = m;
  return own;
}

}  // namespace

TEST_CASE("landing_rebuild rotates a landing's crew onto their best blocks in one move", "[operators][landing_rebuild]") {
  const problem pb(rotate_scenario());
  const schedule own = own_blocks(pb);
  harvest_neighbourhood nbh(pb);
  harvest_space space(pb, /*check_delta=*/true);
  incremental_evaluator state(pb);
  state.reset(own);
  REQUIRE(state.score() == 15.0);
  fhops::rng r(11);
  harvest_move mv;
  int proposed = 0, turns = 0;
  double found = state.score();
  for (; proposed < 10 && turns < 200; ++turns)  // it declines most turns (turn_share)
    if (nbh.propose(op("landing_rebuild"), state, r, mv)) {
      ++proposed;
      std::set<int> rows;
      for (const auto& c : mv.changes) rows.insert(c.machine);
      CHECK(rows.size() == 3);  // the whole crew at once
      found = std::max(found, space.evaluate(state, mv));
    }
  INFO("turns " << turns);
  CHECK(proposed == 10);
  CHECK(found == 30.0);
}

TEST_CASE("landing_rebuild proposes on about turn_share of its turns and declines the others", "[operators][landing_rebuild]") {
  // From the rotate scenario's own-block plan the crew always has a better rotation, so every
  // turn it does not decline proposes a move.
  const problem pb(rotate_scenario());
  harvest_neighbourhood nbh(pb);
  incremental_evaluator state(pb);
  state.reset(own_blocks(pb));
  fhops::rng r(5);
  harvest_move mv;
  constexpr int turns = 2000;
  int proposed = 0;
  for (int i = 0; i < turns; ++i) {
    mv.changes.clear();
    if (nbh.propose(op("landing_rebuild"), state, r, mv)) {
      ++proposed;
      CHECK_FALSE(mv.changes.empty());
    }
  }
  const double share = static_cast<double>(proposed) / turns;
  CHECK(share == Approx(landing_rebuild_operator::turn_share).margin(0.05));
}

TEST_CASE("landing_rebuild changes the rows of one landing's crew and at most one more machine", "[operators][landing_rebuild][reference]") {
  if (!fhops_test::have_reference()) return;
  const problem pb(load_scenario(fhops_test::reference("scenarios/med42/scenario.yaml")));
  harvest_neighbourhood nbh(pb);
  harvest_space space(pb, /*check_delta=*/true);
  incremental_evaluator state(pb);
  state.reset(sanitised(pb, greedy_schedule(pb)));
  fhops::rng r(21);
  harvest_move mv;
  int made = 0;
  for (int i = 0; i < 200; ++i) {
    if (!nbh.propose(op("landing_rebuild"), state, r, mv)) continue;
    std::set<int> rows;
    for (const auto& c : mv.changes) rows.insert(c.machine);
    CHECK(rows.size() <= 7);
    // some landing was worked by all but at most one of the changed machines before the move
    bool crew = false;
    for (int l = 0; l < pb.num_landings && !crew; ++l) {
      std::size_t on = 0;
      for (const int m : rows) {
        bool works = false;
        for (int t = 0; t < pb.num_slots && !works; ++t) works = state.plan().at(m, t) >= 0 && pb.landing_of[state.plan().at(m, t)] == l;
        on += works;
      }
      crew = on + 1 >= rows.size();
    }
    CHECK(crew);
    if (space.evaluate(state, mv) >= state.score()) {
      space.apply(state, mv);
      ++made;
    }
  }
  CHECK(made > 0);
  CHECK(state.score() > 254.534);  // better than the reference's "never move" plan
}

TEST_CASE("the landings preset is the Tabu defaults plus landing_swap; --check-delta solves with it verify every evaluation",
          "[solver][delta][landing_swap]") {
  const std::size_t ls = static_cast<std::size_t>(operator_id::landing_swap);
  CHECK(default_weights[ls] == 0.0);
  CHECK(default_tabu_weights[ls] == 0.0);
  const operator_weights w = resolve_weights(solver_kind::tabu, nullptr, {{"landings"}, {}, {}});
  for (std::size_t i = 0; i < operator_count; ++i) {
    INFO(operator_names[i]);
    CHECK(w[i] == (i == ls ? 0.05 : default_tabu_weights[i]));
  }
  const problem pb = solver_demo_problem();
  for (const auto kind : {solver_kind::sa, solver_kind::tabu}) {
    solve_options o;
    o.kind = kind;
    o.weights = w;
    o.stop = {300, 0.0, 0, std::nullopt};
    o.check_delta = true;
    o.tabu = {.tenure = 10, .restart_stall = 30, .tenure_max = 20};
    const auto out = solve(pb, o);
    CHECK(out.search.operators[ls].generated > 0);
    CHECK(out.best.score == evaluate(pb, out.search.best).score);
  }
}

TEST_CASE("the lns and price presets are the defaults plus landing_rebuild or price_rebuild; the defaults leave them off",
          "[solver][landing_rebuild][price_rebuild]") {
  const std::pair<const char*, operator_id> presets[] = {{"lns", operator_id::landing_rebuild}, {"price", operator_id::price_rebuild}};
  for (const auto& [preset, id] : presets) {
    INFO(preset);
    const std::size_t lr = static_cast<std::size_t>(id);
    CHECK(default_weights[lr] == 0.0);
    CHECK(default_tabu_weights[lr] == 0.0);
    const operator_weights w = resolve_weights(solver_kind::sa, nullptr, {{preset}, {}, {}});
    for (std::size_t i = 0; i < operator_count; ++i) {
      INFO(operator_names[i]);
      CHECK(w[i] == (i == lr ? 0.02 : default_weights[i]));
    }
  }
}

TEST_CASE("the defaults add landing_rebuild where landing capacity is hard and there is no sequencing", "[solver][landing_rebuild]") {
  const std::size_t lr = static_cast<std::size_t>(operator_id::landing_rebuild);
  const scenario_traits hard{.priced_slack = false, .sequencing = false}, soft{.priced_slack = true, .sequencing = false},
      hard_seq{.priced_slack = false, .sequencing = true}, soft_seq{.priced_slack = true, .sequencing = true};
  for (std::size_t i = 0; i < operator_count; ++i) {
    INFO(operator_names[i]);
    CHECK(default_weights_for(hard)[i] == (i == lr ? 0.02 : default_weights[i]));
    CHECK(default_tabu_weights_for(hard)[i] == (i == lr ? 0.02 : default_tabu_weights[i]));
    for (const scenario_traits& t : {soft, hard_seq, soft_seq}) {
      CHECK(default_weights_for(t)[i] == default_weights[i]);
      CHECK(default_tabu_weights_for(t)[i] == default_tabu_weights[i]);
    }
  }
  // the scenario decides the defaults only, not over any setting
  CHECK(resolve_weights(solver_kind::sa, nullptr, {}, &hard) == default_weights_for(hard));
  CHECK(resolve_weights(solver_kind::sa, nullptr, {}, &soft) == default_weights);
  CHECK(resolve_weights(solver_kind::sa, nullptr, {}) == default_weights);
  CHECK(resolve_weights(solver_kind::tabu, nullptr, {}, &hard) == default_tabu_weights_for(hard));
  CHECK(resolve_weights(solver_kind::tabu, nullptr, {}, &hard_seq) == default_tabu_weights);
  CHECK(resolve_weights(solver_kind::ils, nullptr, {}, &hard) == default_weights_for(hard));
  CHECK(resolve_weights(solver_kind::sa, nullptr, {}, &hard_seq) == default_weights);
  CHECK(resolve_weights(solver_kind::ils, nullptr, {}, &soft) == default_weights);
  CHECK(resolve_weights(solver_kind::sa, nullptr, {{"fhops-default"}, {}, {}}, &hard) == default_weights);
  CHECK(resolve_weights(solver_kind::ils, nullptr, {{"fhops-default"}, {}, {}}, &hard) == default_weights);
  CHECK(resolve_weights(solver_kind::sa, nullptr, {{}, {}, {{"swap", 2.0}}}, &hard)[lr] == 0.0);
  CHECK(resolve_weights(solver_kind::tabu, nullptr, {{}, {}, {{"swap", 2.0}}}, &hard)[lr] == 0.0);
}

TEST_CASE("a problem's traits: priced slack and sequencing", "[solver][landing_rebuild]") {
  const scenario demo_sc = load_scenario(fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml");
  const problem demo(demo_sc);
  const scenario_traits t = traits_of(demo);
  CHECK(t.priced_slack == (demo.weights.landing_slack > 0.0));
  CHECK(t.sequencing == demo.has_sequencing);
  scenario soft = demo_sc;
  soft.weights.landing_slack = 2.0;
  CHECK(traits_of(problem(soft)).priced_slack);
  soft.weights.landing_slack = 0.0;
  CHECK_FALSE(traits_of(problem(soft)).priced_slack);
}

TEST_CASE("budget cooling's automatic final temperature: 1 where capacity is hard and nothing is sequenced, else 0.05, at most T0",
          "[solver][cooling]") {
  CHECK(default_final_temperature({.priced_slack = false, .sequencing = false}) == 1.0);
  CHECK(default_final_temperature({.priced_slack = true, .sequencing = false}) == 0.05);
  CHECK(default_final_temperature({.priced_slack = false, .sequencing = true}) == 0.05);
  CHECK(default_final_temperature({.priced_slack = true, .sequencing = true}) == 0.05);

  // A solve without a final temperature runs as one given the scenario's default, and not as one
  // given the other value: synth-small without its blocks' harvest systems has hard capacity and
  // no sequencing (its default is 1).
  scenario sc = load_scenario(fhops_test::source_dir() / "examples/scenarios/synth-small/scenario.yaml");
  for (auto& b : sc.blocks) b.harvest_system_id.reset();
  const problem pb(sc);
  REQUIRE_FALSE(traits_of(pb).priced_slack);
  REQUIRE_FALSE(traits_of(pb).sequencing);
  solve_options o;
  o.cooling = "budget";
  o.restart_period = 0;
  o.stop = {.max_iterations = 3000};
  o.batch = 0;  // the reference's step: its rejected candidates make the evaluations differ too
  const auto run = [&](std::optional<double> final_temperature, std::optional<double> initial = std::nullopt) {
    solve_options x = o;
    x.final_temperature = final_temperature;
    x.initial_temperature = initial;
    const auto out = solve(pb, x);
    return std::pair{out.best.score, out.search.evaluations};
  };
  // (the automatic temperatures are in the scenario's units: times temperature_scale, below)
  const double scale = temperature_scale(pb);
  REQUIRE(scale > 0.5);
  const auto automatic = run(std::nullopt);
  CHECK(automatic == run(1.0 * scale));
  CHECK(automatic != run(0.05 * scale));
  // below the automatic final temperature the automatic value is T0 (budget_cooling refuses a final above it)
  CHECK(run(std::nullopt, 0.5) == run(0.5, 0.5));
}

TEST_CASE("SA's cooling cycles: one unless sa_cycles says otherwise; the cycles reach the run", "[solver][cooling]") {
  const problem pb = solver_demo_problem();
  const scenario_traits traits = traits_of(pb);
  solve_options timed;
  use_time_budget(timed, 0.2);
  timed.stop.max_iterations = 0;
  CHECK(sa_parameters(timed, traits).cycles == 1);
  CHECK(sa_parameters(timed, traits).cycle_evaluations == 0.0);
  solve_options given = timed;
  given.sa_cycles = 3;
  CHECK(sa_parameters(given, traits).cycles == 3);
  CHECK(sa_parameters(given, traits).cycle_evaluations == 0.0);
  solve_options zero = timed;
  zero.sa_cycles = 0;
  CHECK_THROWS_WITH(solve(pb, zero), Catch::Contains("sa_cycles"));
  // Three given cycles on a wall-clock budget restart twice (at a third and two thirds of it), one
  // never; with an iteration budget (and the time limit beside it) the same.
  CHECK(solve(pb, given).search.restarts == 2);
  CHECK(solve(pb, timed).search.restarts == 0);
  solve_options iterations = timed;
  iterations.stop.max_iterations = 5000;
  CHECK(solve(pb, iterations).search.restarts == 0);
  iterations.sa_cycles = 4;
  CHECK(solve(pb, iterations).search.restarts == 3);
}

TEST_CASE("budget cooling's automatic temperatures are in the scenario's units: the same scenario in units 4 times larger "
          "anneals alike", "[solver][cooling]") {
  // synth-large without its blocks' harvest systems (no sequencing: no penalty, which no unit
  // scales), and the same scenario with rates and work 4 times larger and every objective weight
  // but production too, so that every plan scores exactly 4 times as much (a power of two: every
  // product, sum and quotient of the evaluation and the acceptance is exactly 4 times as large).
  scenario sc = load_scenario(fhops_test::source_dir() / "examples/scenarios/synth-large/scenario.yaml");
  for (auto& b : sc.blocks) b.harvest_system_id.reset();
  scenario big = sc;
  for (auto& r : big.production_rates) r.rate *= 4.0;
  for (auto& b : big.blocks) b.work_required *= 4.0;
  big.weights.mobilisation *= 4.0;
  big.weights.transitions *= 4.0;
  const problem pb(sc), pb4(big);
  CHECK(temperature_scale(pb4) == 4.0 * temperature_scale(pb));
  // the median slot production: the median positive rate (production weight 1), over 12
  std::vector<double> rates;
  for (const auto& r : sc.production_rates)
    if (r.rate > 0.0) rates.push_back(r.rate);
  std::sort(rates.begin(), rates.end());
  CHECK(temperature_scale(pb) == rates[rates.size() / 2] / reference_slot_production);
  scenario heavier = sc;
  heavier.weights.production = 2.0;
  CHECK(temperature_scale(problem(heavier)) == 2.0 * temperature_scale(pb));

  solve_options o;
  o.cooling = "budget";
  o.restart_period = 0;
  o.stop = {.max_iterations = 4000};
  {
    const auto small = solve(pb, o), large = solve(pb4, o);
    CHECK(large.best.score == 4.0 * small.best.score);
    CHECK(large.search.best.cells == small.search.best.cells);
    CHECK(large.search.evaluations == small.search.evaluations);
    CHECK(large.temperature0 == 4.0 * small.temperature0);
  }
  // Given temperatures are taken as they are: the same T0 and end in both units anneal differently
  // (the larger scenario runs 4 times colder), which is what the automatic ones avoid.
  solve_options given = o;
  given.initial_temperature = 20.0;
  given.final_temperature = 1.0;
  const auto small = solve(pb, given), large = solve(pb4, given);
  CHECK(large.temperature0 == small.temperature0);
  CHECK(large.search.best.cells != small.search.best.cells);
}

TEST_CASE("SA's automatic candidates per step: one where a timed run meets hard capacity, else one per operator", "[solver][batch]") {
  CHECK(default_sa_batch({.priced_slack = false, .sequencing = false}, true) == 1);
  CHECK(default_sa_batch({.priced_slack = false, .sequencing = true}, true) == 1);
  CHECK(default_sa_batch({.priced_slack = true, .sequencing = false}, true) == 0);
  CHECK(default_sa_batch({.priced_slack = true, .sequencing = true}, true) == 0);
  CHECK(default_sa_batch({.priced_slack = false, .sequencing = false}, false) == 0);
  CHECK(default_sa_batch({.priced_slack = false, .sequencing = true}, false) == 0);
  // the one-candidate weights: the rebuilds drawn more often where nothing is sequenced, run_reorder
  // only where blocks are sequenced
  const std::size_t rr = static_cast<std::size_t>(operator_id::row_rebuild), lr = static_cast<std::size_t>(operator_id::landing_rebuild);
  const std::size_t ro = static_cast<std::size_t>(operator_id::run_reorder);
  CHECK(default_weights[ro] == 0.0);
  for (std::size_t i = 0; i < operator_count; ++i) {
    INFO(operator_names[i]);
    CHECK(default_one_candidate_weights_for({.priced_slack = false, .sequencing = false})[i] ==
          (i == rr ? 0.2 : i == lr ? 0.05 : default_weights[i]));
    CHECK(default_one_candidate_weights_for({.priced_slack = false, .sequencing = true})[i] == (i == ro ? 0.5 : default_weights[i]));
  }

  // synth-small without its blocks' harvest systems: hard capacity, no sequencing.
  scenario sc = load_scenario(fhops_test::source_dir() / "examples/scenarios/synth-small/scenario.yaml");
  for (auto& b : sc.blocks) b.harvest_system_id.reset();
  struct run_figures {
    double score;
    long long iterations, evaluations;
    bool operator==(const run_figures&) const = default;
  };
  const auto run = [](const problem& pb, const std::string& cooling, std::optional<long long> batch) {
    solve_options o;
    o.cooling = cooling;
    o.restart_period = 0;
    o.stop = {.max_iterations = 3000};
    o.batch = batch;
    const auto out = solve(pb, o);
    return run_figures{out.best.score, out.search.iterations, out.search.evaluations};
  };
  const problem hard(sc);
  REQUIRE_FALSE(traits_of(hard).priced_slack);
  REQUIRE_FALSE(traits_of(hard).sequencing);
  const run_figures automatic = run(hard, "budget", std::nullopt);
  CHECK(automatic == run(hard, "budget", 1));
  CHECK(automatic.evaluations == automatic.iterations);  // one candidate per step
  // with its harvest systems synth-small is sequenced: one candidate per step too
  const problem sequenced(load_scenario(fhops_test::source_dir() / "examples/scenarios/synth-small/scenario.yaml"));
  REQUIRE(traits_of(sequenced).sequencing);
  REQUIRE_FALSE(traits_of(sequenced).priced_slack);
  const run_figures automatic_seq = run(sequenced, "budget", std::nullopt);
  CHECK(automatic_seq == run(sequenced, "budget", 1));
  CHECK(automatic_seq.evaluations == automatic_seq.iterations);
  const run_figures per_operator = run(hard, "budget", 0);
  CHECK(per_operator.evaluations > per_operator.iterations);  // rejected candidates within a step
  CHECK_FALSE(automatic == per_operator);
  // geometric cooling (an untimed run) and soft capacity keep the reference's step
  CHECK(run(hard, "geometric", std::nullopt) == run(hard, "geometric", 0));
  sc.weights.landing_slack = 2.0;
  const problem soft(sc);
  REQUIRE(traits_of(soft).priced_slack);
  CHECK(run(soft, "budget", std::nullopt) == run(soft, "budget", 0));
}

namespace {

// Degenerate but valid scenarios (issue 24): no machine, no open slot, one machine on one day, no
// block, nothing anyone can produce, a machine that is never available.
std::vector<std::pair<std::string, scenario>> degenerate_scenarios() {
  std::vector<std::pair<std::string, scenario>> out;
  out.emplace_back("no machine", toy(0, 2));
  scenario closed = toy(2, 2);
  for (const char* m : {"M1", "M2"})
    for (int d = 1; d <= 2; ++d) closed.shift_calendar.push_back({m, d, "S1", 0});
  out.emplace_back("a shift calendar that opens no slot", closed);
  out.emplace_back("one machine, one day", toy(1, 1));
  out.emplace_back("no block", toy(2, 2, 0));
  scenario no_rate = toy(2, 2);
  for (auto& r : no_rate.production_rates) r.rate = 0.0;
  out.emplace_back("every rate 0", no_rate);
  scenario unavailable = toy(2, 3);
  for (int d = 1; d <= 3; ++d) unavailable.calendar.push_back({"M1", d, 0});
  out.emplace_back("a machine never available", unavailable);
  return out;
}

}  // namespace

TEST_CASE("degenerate scenarios: every solver and every operator runs; without a machine or a slot the seed is the best",
          "[solver][degenerate]") {
  operator_weights all;
  all.fill(1.0);  // every operator, the run operators that crashed included
  for (const auto& [name, sc] : degenerate_scenarios()) {
    const problem pb(sc);
    const bool empty = pb.num_machines == 0 || pb.num_slots == 0;
    const schedule seed = greedy_schedule(pb);
    for (const auto kind : {solver_kind::sa, solver_kind::ils, solver_kind::tabu}) {
      INFO(name << ", solver " << static_cast<int>(kind));
      solve_options o;
      o.kind = kind;
      o.weights = all;
      o.stop = {40, 0.0, 0, std::nullopt};
      o.tabu.tenure = 10;
      const auto out = solve(pb, o);
      CHECK(out.best.score == evaluate(pb, out.search.best).score);
      CHECK(out.best.score >= out.initial.score);
      if (empty) {
        CHECK(out.search.best == seed);
        CHECK(out.best.score == evaluate(pb, seed).score);
      }
    }
    INFO(name << ", landing decomposition");
    const auto landings = decompose_landings(pb);
    CHECK(landings.value == evaluate(pb, landings.plan).score);
    if (empty) CHECK(landings.plan == seed);
    INFO(name << ", multistart");
    solve_options o;
    o.weights = all;
    o.stop = {20, 0.0, 0, std::nullopt};
    const auto [runs, best] = solve_multistart(pb, o, 3, 2);
    REQUIRE(runs[best].result);
    CHECK(runs[best].result->best.score == evaluate(pb, runs[best].result->search.best).score);
  }
}

TEST_CASE("degenerate scenarios: every operator either proposes a sanitised move or none", "[operators][degenerate]") {
  for (const auto& [name, sc] : degenerate_scenarios()) {
    const problem pb(sc);
    harvest_neighbourhood nbh(pb);
    incremental_evaluator state(pb);
    state.reset(sanitised(pb, greedy_schedule(pb)));
    fhops::rng r(7);
    harvest_move mv;
    for (std::size_t k = 0; k < operator_count; ++k) {
      INFO(name << ", operator " << operator_names[k]);
      for (int i = 0; i < 20; ++i)
        if (nbh.propose(k, state, r, mv))
          for (const auto& c : mv.changes) {
            CHECK(c.machine >= 0);
            CHECK(c.machine < pb.num_machines);
            CHECK(c.slot >= 0);
            CHECK(c.slot < pb.num_slots);
          }
    }
  }
}
