// The FHOPS tuning spaces and the replay of a configuration onto solve options.
#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"
#include "fhops/tune/tune.hpp"
#include "fhops/workflows/tuner_runs.hpp"
#include "fhops/workflows/tuning.hpp"

using namespace fhops::harvest;

TEST_CASE("each solver's tuning space covers weights, batch and its own knobs", "[tuning]") {
  const auto sa = solver_tuning_space(solver_kind::sa), ils = solver_tuning_space(solver_kind::ils),
             tabu = solver_tuning_space(solver_kind::tabu);
  for (std::size_t op = 0; op < operator_count; ++op) {
    INFO(operator_names[op]);
    CHECK((sa.index(weight_parameter(op)) < sa.size()) == tuned_by_default(op));
    CHECK((tabu.index(weight_parameter(op)) < tabu.size()) == tuned_by_default(op));
  }
  CHECK_FALSE(tuned_by_default(static_cast<std::size_t>(operator_id::landing_rebuild)));
  CHECK_FALSE(tuned_by_default(static_cast<std::size_t>(operator_id::price_rebuild)));
  CHECK_FALSE(tuned_by_default(static_cast<std::size_t>(operator_id::landing_swap)));
  CHECK_FALSE(tuned_by_default(static_cast<std::size_t>(operator_id::seq_fill)));
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
    for (std::size_t op = 0; op < operator_count; ++op)
      if (tuned_by_default(op)) CHECK(o.weights[op] == t->config.real(weight_parameter(op)));
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

TEST_CASE("a space file restricts the tuned parameters; unknown names and bad types are named", "[tuning]") {
  const auto dir = fhops_test::scratch("space_file");
  fhops_test::write(dir / "ok.yaml",
                    "parameters:\n"
                    "  batch_size: {type: int, low: 1, high: 2}\n"
                    "  weight_row_rebuild: {type: real, low: 0.01, high: 1.0, log: true}\n"
                    "  acceptance: {type: categorical, choices: [metropolis, late]}\n"
                    "  late_length: {type: int, low: 200, high: 400, when: {acceptance: [late]}}\n");
  const auto s = load_tuning_space(dir / "ok.yaml", solver_kind::sa);
  REQUIRE(s.size() == 4);
  CHECK(s.parameters()[1].log);
  CHECK(s.parameters()[2].choices == std::vector<std::string>{"metropolis", "late"});
  fhops::tune::random_search rs(s);
  fhops::rng r(3);
  for (int i = 0; i < 100; ++i) {
    const auto t = rs.ask(r);
    CHECK(t->config.integer("batch_size") <= 2);
    CHECK(t->config.has("late_length") == (t->config.category("acceptance") == "late"));
    const solve_options o = apply_configuration(t->config, solve_options{});
    CHECK(o.weights[0] == 1.0);  // swap keeps the base weight: it is not tuned
  }
  fhops_test::write(dir / "unknown.yaml", "parameters:\n  batch_size: {type: int}\n  weight_teleport: {type: real}\n");
  CHECK_THROWS_WITH(load_tuning_space(dir / "unknown.yaml", solver_kind::sa),
                    Catch::Contains("unknown.yaml:3: unknown parameter 'weight_teleport'"));
  fhops_test::write(dir / "tenure.yaml", "parameters:\n  tabu_tenure: {type: int, low: 5, high: 9}\n");
  CHECK_THROWS_WITH(load_tuning_space(dir / "tenure.yaml", solver_kind::sa), Catch::Contains("unknown parameter 'tabu_tenure'"));
  CHECK(load_tuning_space(dir / "tenure.yaml", solver_kind::tabu).size() == 1);
  fhops_test::write(dir / "type.yaml", "parameters:\n  batch_size: {type: real}\n");
  CHECK_THROWS_WITH(load_tuning_space(dir / "type.yaml", solver_kind::sa), Catch::Contains("type.yaml:2: parameter 'batch_size' must have type: int"));
  fhops_test::write(dir / "choice.yaml", "parameters:\n  acceptance: {type: categorical, choices: [metropolis, greedy]}\n");
  CHECK_THROWS_WITH(load_tuning_space(dir / "choice.yaml", solver_kind::sa), Catch::Contains("unknown choice 'greedy'"));
  fhops_test::write(dir / "bounds.yaml", "parameters:\n  batch_size: {type: int, low: 3, high: 1}\n");
  CHECK_THROWS_WITH(load_tuning_space(dir / "bounds.yaml", solver_kind::sa), Catch::Contains("bounds.yaml:2: parameter 'batch_size': low must be <= high"));
  CHECK_THROWS_WITH(load_tuning_space(dir / "missing.yaml", solver_kind::sa), Catch::Contains("missing.yaml: file not found"));
}

TEST_CASE("a space file is read as PyYAML reads it (last repeated key wins); a FIFO is refused", "[tuning][input]") {
  const auto dir = fhops_test::scratch("space_file_dup");
  fhops_test::write(dir / "dup.yaml", "parameters:\n  batch_size: {type: int, low: 1, high: 2}\n  batch_size: {type: int, low: 3, high: 4}\n");
  const auto s = load_tuning_space(dir / "dup.yaml", solver_kind::sa);
  REQUIRE(s.size() == 1);
  CHECK(s.parameters()[0].low == 3);
  fhops_test::make_fifo(dir / "fifo.yaml");
  const std::string what = fhops_test::without_hang(dir / "fifo.yaml", [&] {
    try {
      (void)load_tuning_space(dir / "fifo.yaml", solver_kind::sa);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  CHECK_THAT(what, Catch::Contains("fifo.yaml: is not a regular file"));
}

namespace {

// An observer that throws at a given step: a solver failing in the middle of its run.
struct failing_observer {
  long long at = 0;
  void on(const fhops::telemetry::step_event& e) {
    if (e.iteration == at) throw std::runtime_error("step " + std::to_string(at) + " failed on purpose");
  }
};

}  // namespace

TEST_CASE("a solve that throws mid-run leaves its run record with status error and the message (issue 24)", "[tuning][telemetry]") {
  const problem pb(load_scenario(fhops_test::demo()));
  solve_options o;
  o.stop = {200, 0.0, 0, std::nullopt};
  auto rec = begin_run_record(o.kind, o, run_context{}, nullptr, 42);
  CHECK_THROWS_WITH(recorded_solve(pb, o, rec, failing_observer{50}), "step 50 failed on purpose");
  CHECK(rec.status == "error");
  CHECK(rec.error == std::optional<std::string>("step 50 failed on purpose"));
  auto ok = begin_run_record(o.kind, o, run_context{}, nullptr, 42);
  recorded_solve(pb, o, ok, failing_observer{1000});
  CHECK(ok.status == "ok");
}
