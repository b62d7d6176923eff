/// \file
/// Each solver's own options of the solve commands (`fhops solve-heur | solve-ils | solve-tabu`),
/// as data: name, value type, default, domain, choices and help, in the order a command lists
/// them; and `apply_solver_options`, which sets a solve_options from their values. A driver makes
/// one command-line option of each entry and hands the values back: the choice of solver is made
/// once, when the table is picked (`solver_options_of`). Nothing here parses a command line.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "fhops/harvest/solver.hpp"
#include "fhops/util/choice.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::harvest {

/// The value an option takes.
enum class option_type { integer, real, text, flag };

/// One option of a solver's command.
struct solver_option {
  const char* name;                      ///< without the leading "--"
  option_type type;
  const char* default_text;              ///< the default as written ("0.05", "auto"); nullptr: none (a flag: off)
  long long min = 0;                     ///< integer: the values it takes, [min, max]
  long long max = std::numeric_limits<long long>::max();
  bool positive = false;                 ///< real: > 0 (else >= 0)
  std::vector<const char*> choices = {}; ///< text: the values it takes
  const char* help = "";
};

/// The most runs of a multistart: every run is kept (plan, counters, record) until the best is chosen.
inline constexpr long long max_multistart_runs = 10'000;

namespace detail {

inline std::vector<solver_option> sa_options() {
  return {
      {"parallel-multistart", option_type::integer, "1", 1, max_multistart_runs, false, {},
       "independent runs with derived seeds, at most 10000; the best is kept"},
      {"cooling", option_type::text, "auto", 0, 0, false, {"auto", "geometric", "budget"},
       "geometric (reference, x0.995 per step), budget (exponential over the budget) or auto (budget when --time-limit is given)"},
      {"acceptance", option_type::text, "metropolis", 0, 0, false, {"metropolis", "threshold", "record", "late"},
       "metropolis, threshold, record (record-to-record) or late (late acceptance)"},
      {"initial-temperature", option_type::real, nullptr, 0, 0, true, {},
       "T0 (default: geometric max(1, initial/10); budget 20 x the scenario's median slot production / 12)"},
      {"final-temperature", option_type::real, nullptr, 0, 0, true, {},
       "budget cooling: temperature at the end of the budget (default 0.05; 1 where landing capacity is hard and no block has "
       "sequencing; either times the scenario's median slot production / 12; at most T0)"},
      {"late-length", option_type::integer, "1000", 1, 1'000'000, false, {}, "late acceptance history length (1..1000000)"},
      {"restart-period", option_type::integer, nullptr, 0, std::numeric_limits<long long>::max(), false, {},
       "restart from the start plan when a step accepts nothing every N steps (default 100; 0 with --time-limit)"},
      {"cycles", option_type::integer, nullptr, 1, 1000, false, {},
       "cooling cycles over the budget (--iters or --time-limit), each from the start plan, the best of all kept; each new "
       "cycle counts as a restart (1..1000; default 1)"},
      {"debug", option_type::flag, nullptr, 0, 0, false, {}, "accepted for compatibility (errors are always one line)"},
  };
}

// ILS's and Tabu's --sa-warm-start (solve_options::sa_warm_start).
inline solver_option sa_warm_start_option() {
  return {"sa-warm-start", option_type::real, nullptr, 0, 0, false, {},
          "share of --time-limit that simulated annealing (its timed defaults) spends first, its best plan then being the start "
          "(default 0.8 with --time-limit and no --iters, else 0: the greedy seed, as the reference; in [0, 1))"};
}

inline std::vector<solver_option> ils_options() {
  constexpr long long any = std::numeric_limits<long long>::max();
  return {
      {"perturbation-strength", option_type::integer, "2", 1, any, false, {}, "random moves per perturbation (reference: 3)"},
      {"stall-limit", option_type::integer, "10", 1, any, false, {}, "iterations without a new best before perturbing the best"},
      {"ls-samples", option_type::integer, "0", 0, any, false, {}, "candidates per local-search step (0 = one per enabled operator)"},
      {"ls-patience", option_type::integer, "100", 1, any, false, {},
       "non-improving local-search steps before the local search stops (reference: 1)"},
      {"ils-acceptance", option_type::text, "better", 0, 0, false, {"better", "walk"},
       "better (perturb the best local optimum) or walk (perturb the latest, as the reference)"},
      {"hybrid-use-mip", option_type::flag, nullptr, 0, 0, false, {},
       "at each stall, offer the exact MIP's plan (solve-mip, by cbc; solved once, at the first stall)"},
      {"hybrid-mip-time-limit", option_type::integer, "60", 0, any, false, {}, "cbc's time limit of that MIP in seconds (0 = none)"},
      sa_warm_start_option(),
  };
}

inline std::vector<solver_option> tabu_options() {
  constexpr long long any = std::numeric_limits<long long>::max();
  return {
      {"tabu-tenure", option_type::integer, "0", 0, any, false, {}, "moves a reversal stays tabu (0 = max(10, machines))"},
      {"stall-limit", option_type::integer, "1000000", 1, any, false, {}, "stop after this many iterations without a new best"},
      {"restart-stall", option_type::integer, "0", 0, any, false, {},
       "elite restarts: after N iterations without a new best, go back to the best plan with an empty tabu list (0 = never; see "
       "docs/howto/search_library.md)"},
      {"tabu-tenure-max", option_type::integer, "0", 0, any, false, {},
       "with --restart-stall: each restart draws the tenure from [tabu-tenure, this] (0 = keep the tenure)"},
      {"candidates", option_type::integer, "0", 0, any, false, {}, "candidates per iteration (0 = --batch-neighbours rule)"},
      sa_warm_start_option(),
  };
}

}  // namespace detail

/// The options of `kind`'s command, in the order it lists them.
inline const std::vector<solver_option>& solver_options_of(solver_kind kind) {
  static const std::array<std::vector<solver_option>, 3> tables{detail::sa_options(), detail::ils_options(), detail::tabu_options()};
  return tables[static_cast<std::size_t>(kind)];
}

/// A value of an option.
using option_value = std::variant<long long, double, std::string, bool>;

/// The values of a command's solver options: every option that has one (given, or its default),
/// and which of them took their default.
struct solver_option_values {
  std::map<std::string, option_value> values;
  std::map<std::string, bool> defaulted;

  bool has(const std::string& name) const { return values.count(name) > 0; }
  bool is_default(const std::string& name) const {
    const auto it = defaulted.find(name);
    return it != defaulted.end() && it->second;
  }
  /// The value of `name`, which must have one of type T (std::invalid_argument naming it otherwise).
  template <class T>
  const T& get(const std::string& name) const {
    const auto it = values.find(name);
    if (it == values.end()) throw std::invalid_argument("--" + name + " has no value");
    if (const T* v = std::get_if<T>(&it->second)) return *v;
    throw std::invalid_argument("--" + name + " has a value of another type");
  }
  /// A flag's value: false when absent.
  bool flag(const std::string& name) const { return has(name) && get<bool>(name); }
};

/// What the solver options' defaults depend on besides their values.
struct solver_option_context {
  bool timed = false;                       ///< a wall-clock budget was given (SA: budget cooling, no restarts)
  long long batch = 1;                      ///< candidates per iteration (--batch-neighbours or the profile's)
  const profile_solver* profile = nullptr;  ///< the solver's part of the chosen profile, if any
};

/// Sets `o` from the solver options of `o.kind`: their choices are checked in table order, then
/// each solver's rules (a profile's value where an option took its default; ILS and Tabu fall back
/// to the batch size for their candidates). A value outside its choices, or two values that do
/// not go together, throw std::invalid_argument with one line naming the options.
inline void apply_solver_options(solve_options& o, const solver_option_values& v, const solver_option_context& ctx) {
  for (const auto& opt : solver_options_of(o.kind)) {
    if (opt.type != option_type::text || opt.choices.empty() || !v.has(opt.name)) continue;
    fhops::one_of(opt.name, v.get<std::string>(opt.name), opt.choices);
  }
  const auto profile_extra = [&](const char* option, const char* key, long long value) {
    if (v.is_default(option) && ctx.profile && ctx.profile->extra.count(key)) return static_cast<long long>(ctx.profile->extra.at(key));
    return value;
  };
  const long long batch = ctx.batch > 1 ? ctx.batch : 0;
  // ILS and Tabu: the SA warm start, by default on a wall-clock budget alone (sa_warm_started).
  const auto warm_start = [&] {
    const bool timed_alone = ctx.timed && o.stop.max_iterations == 0;
    if (!v.has("sa-warm-start")) return timed_alone ? default_sa_warm_start : 0.0;
    const double share = v.get<double>("sa-warm-start");
    if (!(share < 1.0)) throw std::invalid_argument("--sa-warm-start must be in [0, 1) (got " + python_float_repr(share) + ")");
    if (share > 0.0 && !timed_alone) throw std::invalid_argument("--sa-warm-start needs --time-limit without --iters");
    return share;
  };
  switch (o.kind) {
    case solver_kind::sa: {
      const std::string& cooling = v.get<std::string>("cooling");
      o.cooling = cooling == "auto" ? (ctx.timed ? "budget" : "geometric") : cooling;
      o.acceptance = v.get<std::string>("acceptance");
      if (v.has("initial-temperature")) o.initial_temperature = v.get<double>("initial-temperature");
      if (v.has("final-temperature")) o.final_temperature = v.get<double>("final-temperature");
      o.late_length = v.get<long long>("late-length");
      o.restart_period = v.has("restart-period") ? v.get<long long>("restart-period") : (ctx.timed ? 0 : 100);
      if (v.has("cycles")) o.sa_cycles = v.get<long long>("cycles");
      break;
    }
    case solver_kind::ils: {
      o.hybrid_use_mip = v.flag("hybrid-use-mip");
      o.hybrid_mip_time_limit = v.get<long long>("hybrid-mip-time-limit");
      o.ils.perturbation_strength =
          profile_extra("perturbation-strength", "perturbation_strength", v.get<long long>("perturbation-strength"));
      o.ils.stall_limit = v.get<long long>("stall-limit");
      const long long samples = v.get<long long>("ls-samples");
      o.ils.samples = samples > 0 ? samples : batch;
      o.ils.patience = v.get<long long>("ls-patience");
      o.ils.accept_worse = v.get<std::string>("ils-acceptance") == "walk";
      o.sa_warm_start = warm_start();
      break;
    }
    case solver_kind::tabu: {
      o.tabu.tenure = profile_extra("tabu-tenure", "tabu_tenure", v.get<long long>("tabu-tenure"));  // 0: automatic (resolve_tabu_tenure)
      const long long candidates = v.get<long long>("candidates");
      o.tabu.candidates = candidates > 0 ? candidates : batch;
      o.stop.stall_limit = v.get<long long>("stall-limit");
      o.tabu.restart_stall = v.get<long long>("restart-stall");
      o.tabu.tenure_max = v.get<long long>("tabu-tenure-max");
      if (o.tabu.tenure_max > 0 && o.tabu.restart_stall == 0) throw std::invalid_argument("--tabu-tenure-max needs --restart-stall");
      if (o.tabu.tenure_max > 0 && o.tabu.tenure > 0 && o.tabu.tenure_max < o.tabu.tenure)
        throw std::invalid_argument("--tabu-tenure-max must be >= --tabu-tenure (got " + std::to_string(o.tabu.tenure_max) + " < " +
                                    std::to_string(o.tabu.tenure) + ")");
      o.sa_warm_start = warm_start();
      break;
    }
  }
}

}  // namespace fhops::harvest
