// fhops/workflows/solver_options.hpp: each solver's own options as data, and the solve_options
// their values give — the defaults' rules (timed SA, batch fallbacks, a profile's values) and the
// one-line errors naming the options.
#include <set>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "fhops/workflows/solver_options.hpp"

namespace {

namespace fh = fhops::harvest;

// The values a command line without any solver option gives: every default (flags off).
fh::solver_option_values defaults_of(fh::solver_kind kind) {
  fh::solver_option_values v;
  for (const auto& opt : fh::solver_options_of(kind)) {
    if (opt.type == fh::option_type::flag) v.values[opt.name] = false;
    else if (!opt.default_text) continue;
    else if (opt.type == fh::option_type::integer) v.values[opt.name] = std::stoll(opt.default_text);
    else if (opt.type == fh::option_type::real) v.values[opt.name] = std::stod(opt.default_text);
    else v.values[opt.name] = std::string(opt.default_text);
    v.defaulted[opt.name] = true;
  }
  return v;
}

void set(fh::solver_option_values& v, const std::string& name, fh::option_value value) {
  v.values[name] = std::move(value);
  v.defaulted[name] = false;
}

fh::solve_options applied(fh::solver_kind kind, const fh::solver_option_values& v, const fh::solver_option_context& ctx = {}) {
  fh::solve_options o;
  o.kind = kind;
  fh::apply_solver_options(o, v, ctx);
  return o;
}

std::string error_of(fh::solver_kind kind, const fh::solver_option_values& v) {
  try {
    applied(kind, v);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("solver options: one table per solver, names unique, defaults of their own type and domain", "[options]") {
  for (const auto kind : {fh::solver_kind::sa, fh::solver_kind::ils, fh::solver_kind::tabu}) {
    std::set<std::string> names;
    for (const auto& opt : fh::solver_options_of(kind)) {
      CAPTURE(opt.name);
      CHECK(names.insert(opt.name).second);
      CHECK(std::string(opt.help).size() > 10);
      if (opt.type == fh::option_type::integer && opt.default_text) {
        const long long d = std::stoll(opt.default_text);
        CHECK(d >= opt.min);
        CHECK(d <= opt.max);
      }
      if (opt.type == fh::option_type::text && opt.default_text && !opt.choices.empty()) {
        bool known = false;
        for (const char* c : opt.choices) known = known || std::string(c) == opt.default_text;
        CHECK(known);
      }
    }
  }
  CHECK(fh::solver_options_of(fh::solver_kind::sa).front().name == std::string("parallel-multistart"));
  CHECK(fh::solver_options_of(fh::solver_kind::tabu).front().name == std::string("tabu-tenure"));
}

TEST_CASE("solver options: SA's defaults follow the budget; a value outside its choices is named", "[options]") {
  auto v = defaults_of(fh::solver_kind::sa);
  const auto untimed = applied(fh::solver_kind::sa, v, {false, 1, nullptr});
  CHECK(untimed.cooling == "geometric");
  CHECK(untimed.restart_period == 100);
  CHECK(untimed.acceptance == "metropolis");
  CHECK_FALSE(untimed.final_temperature);  // the scenario's default (default_final_temperature)
  CHECK(untimed.late_length == 1000);
  CHECK_FALSE(untimed.initial_temperature);
  const auto timed = applied(fh::solver_kind::sa, v, {true, 1, nullptr});
  CHECK(timed.cooling == "budget");
  CHECK(timed.restart_period == 0);

  set(v, "cooling", std::string("geometric"));
  set(v, "restart-period", 7LL);
  set(v, "initial-temperature", 3.5);
  set(v, "acceptance", std::string("late"));
  const auto given = applied(fh::solver_kind::sa, v, {true, 1, nullptr});
  CHECK(given.cooling == "geometric");
  CHECK(given.restart_period == 7);
  CHECK(given.initial_temperature == 3.5);
  CHECK(given.acceptance == "late");

  set(v, "acceptance", std::string("greedy"));
  CHECK(error_of(fh::solver_kind::sa, v) == "--acceptance must be one of metropolis, threshold, record, late (got 'greedy')");
  set(v, "cooling", std::string("linear"));  // the table's order: --cooling is named first
  CHECK(error_of(fh::solver_kind::sa, v) == "--cooling must be one of auto, geometric, budget (got 'linear')");
}

TEST_CASE("solver options: ILS and Tabu take the batch size for their candidates and a profile's value where an option took its default",
          "[options]") {
  fh::profile_solver profile;
  profile.extra = {{"perturbation_strength", 5.0}, {"tabu_tenure", 17.0}};

  auto ils = defaults_of(fh::solver_kind::ils);
  const auto plain = applied(fh::solver_kind::ils, ils, {false, 1, nullptr});
  CHECK(plain.ils.perturbation_strength == 2);
  CHECK(plain.ils.samples == 0);
  CHECK(plain.ils.patience == 100);
  CHECK_FALSE(plain.ils.accept_worse);
  CHECK(plain.hybrid_mip_time_limit == 60);
  const auto profiled = applied(fh::solver_kind::ils, ils, {false, 4, &profile});
  CHECK(profiled.ils.perturbation_strength == 5);
  CHECK(profiled.ils.samples == 4);
  set(ils, "perturbation-strength", 3LL);  // given: the profile does not override it
  set(ils, "ls-samples", 9LL);
  set(ils, "ils-acceptance", std::string("walk"));
  const auto given = applied(fh::solver_kind::ils, ils, {false, 4, &profile});
  CHECK(given.ils.perturbation_strength == 3);
  CHECK(given.ils.samples == 9);
  CHECK(given.ils.accept_worse);

  auto tabu = defaults_of(fh::solver_kind::tabu);
  const auto automatic = applied(fh::solver_kind::tabu, tabu, {false, 1, nullptr});
  CHECK(automatic.tabu.tenure == 0);  // automatic: resolve_tabu_tenure once the machines are known
  CHECK(automatic.tabu.candidates == 0);
  CHECK(automatic.stop.stall_limit == 1000000);
  const auto from_profile = applied(fh::solver_kind::tabu, tabu, {false, 6, &profile});
  CHECK(from_profile.tabu.tenure == 17);
  CHECK(from_profile.tabu.candidates == 6);

  set(tabu, "tabu-tenure-max", 20LL);
  CHECK(error_of(fh::solver_kind::tabu, tabu) == "--tabu-tenure-max needs --restart-stall");
  set(tabu, "restart-stall", 50LL);
  set(tabu, "tabu-tenure", 30LL);
  CHECK(error_of(fh::solver_kind::tabu, tabu) == "--tabu-tenure-max must be >= --tabu-tenure (got 20 < 30)");
  set(tabu, "tabu-tenure", 12LL);
  const auto restarts = applied(fh::solver_kind::tabu, tabu);
  CHECK(restarts.tabu.tenure == 12);
  CHECK(restarts.tabu.tenure_max == 20);
  CHECK(restarts.tabu.restart_stall == 50);
}

TEST_CASE("solver options: a value missing or of another type is named", "[options]") {
  auto v = defaults_of(fh::solver_kind::tabu);
  v.values.erase("stall-limit");
  CHECK(error_of(fh::solver_kind::tabu, v) == "--stall-limit has no value");
  v = defaults_of(fh::solver_kind::tabu);
  v.values["candidates"] = std::string("many");
  CHECK(error_of(fh::solver_kind::tabu, v) == "--candidates has a value of another type");
}

TEST_CASE("solver options: ILS's and Tabu's SA warm start is on for a wall-clock budget alone; a share is checked", "[options][warm_start]") {
  for (const auto kind : {fh::solver_kind::ils, fh::solver_kind::tabu}) {
    CAPTURE(fh::solver_label(kind));
    const auto warm = [&](const fh::solver_option_values& v, bool timed, long long iterations) {
      fh::solve_options o;
      o.kind = kind;
      o.stop.max_iterations = iterations;
      fh::apply_solver_options(o, v, {timed, 1, nullptr});
      return o.sa_warm_start;
    };
    auto v = defaults_of(kind);
    CHECK(warm(v, true, 0) == fh::default_sa_warm_start);  // --time-limit alone
    CHECK(warm(v, true, 200) == 0.0);                       // --time-limit and --iters
    CHECK(warm(v, false, 200) == 0.0);                      // --iters
    set(v, "sa-warm-start", 0.25);
    CHECK(warm(v, true, 0) == 0.25);
    CHECK_THROWS_WITH(warm(v, true, 200), "--sa-warm-start needs --time-limit without --iters");
    CHECK_THROWS_WITH(warm(v, false, 200), "--sa-warm-start needs --time-limit without --iters");
    set(v, "sa-warm-start", 0.0);
    CHECK(warm(v, true, 0) == 0.0);
    CHECK(warm(v, false, 200) == 0.0);  // 0 asks for nothing: accepted anywhere
    set(v, "sa-warm-start", 1.0);
    CHECK_THROWS_WITH(warm(v, true, 0), "--sa-warm-start must be in [0, 1) (got 1.0)");
  }
  bool sa_has_it = false;
  for (const auto& opt : fh::solver_options_of(fh::solver_kind::sa)) sa_has_it = sa_has_it || std::string(opt.name) == "sa-warm-start";
  CHECK_FALSE(sa_has_it);
}
