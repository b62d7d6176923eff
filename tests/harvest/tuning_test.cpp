// The FHOPS tuning spaces and the replay of a configuration onto solve options.
#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/tuning.hpp"
#include "fhops/tune/tune.hpp"

using namespace fhops::harvest;

TEST_CASE("each solver's tuning space covers weights, batch and its own knobs", "[tuning]") {
  const auto sa = solver_tuning_space(solver_kind::sa), ils = solver_tuning_space(solver_kind::ils),
             tabu = solver_tuning_space(solver_kind::tabu);
  for (std::size_t op = 0; op < operator_count; ++op) {
    CHECK(sa.index(weight_parameter(op)) < sa.size());
    CHECK(tabu.index(weight_parameter(op)) < tabu.size());
  }
  CHECK(sa.index("acceptance") < sa.size());
  CHECK(sa.index("perturbation_strength") == sa.size());
  CHECK(ils.index("perturbation_strength") < ils.size());
  CHECK(tabu.index("tabu_tenure") < tabu.size());

  fhops::tune::random_search rs(sa);
  fhops::rng r(4);
  for (int i = 0; i < 50; ++i) {
    const auto t = rs.ask(r);
    const solve_options o = apply_configuration(t->config, solve_options{});
    const long long b = t->config.integer("batch_size");
    CHECK(o.batch == (b > 1 ? b : 0));
    CHECK(o.acceptance == t->config.category("acceptance"));
    CHECK(o.cooling == "budget");
    CHECK(*o.initial_temperature == t->config.real("initial_temperature"));
    for (std::size_t op = 0; op < operator_count; ++op) CHECK(o.weights[op] == t->config.real(weight_parameter(op)));
    if (o.acceptance == "late") CHECK(o.late_length == t->config.integer("late_length"));
  }
}

TEST_CASE("tune-grid's space: batch outer, preset inner, unknown presets named", "[tuning]") {
  fhops::tune::grid_search g(preset_grid_space({1, 2, 3}, {"balanced", "Explore", "mobilisation"}));
  REQUIRE(g.size() == 9);
  fhops::rng r(1);
  const auto first = g.ask(r), second = g.ask(r);
  CHECK(first->config.json() == R"({"batch_size": 1, "preset": "balanced"})");
  CHECK(second->config.json() == R"({"batch_size": 1, "preset": "explore"})");
  const solve_options o = apply_configuration(second->config, solve_options{});
  CHECK(o.weights == find_preset("explore").weights);
  CHECK(o.batch == 0);
  CHECK_THROWS_WITH(preset_grid_space({1}, {"nope"}), Catch::Contains("Unknown operator preset 'nope'. Available: balanced"));
  CHECK_THROWS_WITH(preset_grid_space({0}, {"balanced"}), Catch::Contains("batch sizes must be >= 1"));
}

TEST_CASE("a configuration replays: same configuration and seed, same run", "[tuning]") {
  const problem pb(load_scenario(fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml"));
  for (const solver_kind kind : {solver_kind::sa, solver_kind::ils, solver_kind::tabu}) {
    fhops::tune::random_search rs(solver_tuning_space(kind));
    fhops::rng r(static_cast<std::uint64_t>(kind) + 10);
    const auto t = rs.ask(r);
    solve_options base;
    base.kind = kind;
    base.stop = {300, 0.0, 0, std::nullopt};
    base.seed = 77;
    const auto a = solve(pb, apply_configuration(t->config, base));
    const auto b = solve(pb, apply_configuration(t->config, base));
    CHECK(a.best == b.best);
    CHECK(a.search.best == b.search.best);
  }
  fhops::tune::configuration bad;
  bad.set("weight_teleport", 1.0);
  CHECK_THROWS_WITH(apply_configuration(bad, solve_options{}), Catch::Contains("unknown operator in 'weight_teleport'"));
  fhops::tune::configuration odd;
  odd.set("colour", std::string("red"));
  CHECK_THROWS_WITH(apply_configuration(odd, solve_options{}), Catch::Contains("unknown parameter 'colour'"));
}
