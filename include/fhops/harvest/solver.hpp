/// \file
/// Solving FHOPS problems with the generic algorithms: operator presets and solver profiles of the
/// reference (heuristics.md §2.3, §7), the `name=value` weight syntax, the merge of profile and
/// command-line settings, and `solve()` which wires space, neighbourhood, selector, cooling,
/// acceptance and termination for SA, ILS or Tabu (optionally as a seeded multi-start).
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fhops/harvest/bounds/plan_mip.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/search_space.hpp"
#include "fhops/search/search.hpp"
#include "fhops/telemetry/events.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::harvest {

/// Operator weights in registry order.
using operator_weights = std::array<double, operator_count>;

/// One operator's weight by name, an element of weights_of's list.
struct named_weight {
  std::string_view name;
  double weight;
};

/// `base` with the named operators' weights set: `weights_of({}, {{"swap", 1}, {"move", 1}})`.
/// Evaluated by the compiler; a name that is not an operator's does not compile.
consteval operator_weights weights_of(operator_weights base, std::initializer_list<named_weight> list) {
  for (const auto& [name, weight] : list) {
    const int i = operator_index(name);
    if (i < 0) throw "weights_of: not an operator name";  // reached while compiling: a compile error
    base[static_cast<std::size_t>(i)] = weight;
  }
  return base;
}

/// The named operators' weights, every other operator 0.
consteval operator_weights weights_of(std::initializer_list<named_weight> list) { return weights_of(operator_weights{}, list); }

/// The reference's default weights (swap and move only).
inline constexpr operator_weights reference_weights = weights_of({{"swap", 1}, {"move", 1}});
/// The reference Tabu's own defaults.
inline constexpr operator_weights reference_tabu_weights =
    weights_of({{"swap", 1}, {"move", 1}, {"block_insertion", 0.6}, {"cross_exchange", 0.6}, {"mobilisation_shake", 0.4}});
/// fhops-cpp's default weights: the reference's swap and move plus the run operators, which move
/// whole block sequences (mobilisation dominates the objective, so single-slot moves stall), now
/// and then a row_rebuild (a machine's row rebuilt by dynamic programming; costly, so rare), and
/// seq_fill, which solve() drops on scenarios without sequencing (it has no move there).
inline constexpr operator_weights default_weights =
    weights_of(reference_weights, {{"run_fill", 1}, {"run_extend", 1}, {"run_clear", 1}, {"run_swap", 0.5}, {"run_replace", 0.5},
                                   {"row_rebuild", 0.05}, {"seq_fill", 1}});
/// fhops-cpp's Tabu defaults: the reference Tabu's five plus the run operators, row_rebuild and seq_fill.
inline constexpr operator_weights default_tabu_weights =
    weights_of(reference_tabu_weights, {{"run_fill", 1}, {"run_extend", 1}, {"run_clear", 1}, {"run_swap", 0.5}, {"run_replace", 0.5},
                                        {"row_rebuild", 0.05}, {"seq_fill", 0.5}});

/// What the automatic operator mix (issue 20) reads of a scenario.
struct scenario_traits {
  bool priced_slack = false;  ///< the objective prices landing slack (weight landing_slack > 0): capacity is soft
  bool sequencing = false;    ///< some block's roles have prerequisites (problem::has_sequencing)
};

/// The traits of a problem.
inline scenario_traits traits_of(const problem& pb) { return {pb.weights.landing_slack > 0.0, pb.has_sequencing}; }

/// `w` with landing_rebuild 0.02 when `on`.
inline operator_weights with_landing_rebuild(operator_weights w, bool on) {
  if (on) w[static_cast<std::size_t>(operator_id::landing_rebuild)] = 0.02;
  return w;
}

/// solve-heur's and solve-ils's defaults for a scenario: default_weights plus landing_rebuild 0.02
/// (the preset `lns`) where landing capacity is hard and no block has sequencing. At 10 s the crew
/// rebuilds gained on the crews families and large84 and lost on every soft-capacity family
/// (bench/RESULTS.md, "The SA default: landing_rebuild where landing capacity is hard"). Where
/// blocks are sequenced (the roles and mobilisation families) a landing_rebuild is never accepted,
/// yet SA's reference step reaches it whenever the cheaper moves are rejected: without it SA runs
/// ~2x the iterations in the same time, and at fixed budgets (each configuration's 10 s) the mean
/// gap of the five sequenced instances went 2.15 % -> 1.30 % (report-mobil-150: 8.70 -> 5.00;
/// RESULTS, "SA: the sequenced families"). ILS lost there too ("ILS and
/// Tabu: landing_rebuild without sequencing").
inline operator_weights default_weights_for(const scenario_traits& t) {
  return with_landing_rebuild(default_weights, !t.priced_slack && !t.sequencing);
}

/// solve-tabu's defaults for a scenario: default_tabu_weights plus landing_rebuild 0.02 under the
/// same rule as SA and ILS.
inline operator_weights default_tabu_weights_for(const scenario_traits& t) {
  return with_landing_rebuild(default_tabu_weights, !t.priced_slack && !t.sequencing);
}

/// Budget cooling's initial temperature when none is given, for a scenario whose median slot
/// production is reference_slot_production (others: times temperature_scale).
inline constexpr double default_budget_initial_temperature = 20.0;

/// The production of one slot (production weight × rate) for which budget cooling's automatic
/// temperatures were tuned: the benchmark families' median positive rate (11.9–12.8 in every
/// family of bench/families), production weight 1.
inline constexpr double reference_slot_production = 12.0;

/// The factor on budget cooling's automatic temperatures for a scenario: its median slot
/// production (production weight × the median of the positive rates, the upper one of an even
/// count) over reference_slot_production; 1 when no rate is positive or the production weight is not. A
/// temperature is a score difference, so a scenario in other units (every plan scoring k times as
/// much: rates and work times k, the other weights too) anneals as the original does. With the
/// unscaled 20 → 1, the crews families in units 5 times larger lost 1.9–4.4 % at 10 s
/// (bench/RESULTS.md, "SA: temperatures in the scenario's units").
inline double temperature_scale(const problem& pb) {
  std::vector<double> rates;
  for (const double r : pb.rate)
    if (r > 0.0) rates.push_back(r);
  if (rates.empty() || !(pb.weights.production > 0.0)) return 1.0;
  const auto mid = rates.begin() + static_cast<std::ptrdiff_t>(rates.size() / 2);
  std::nth_element(rates.begin(), mid, rates.end());
  return pb.weights.production * *mid / reference_slot_production;
}

/// Budget cooling's final temperature for a scenario when none is given (times temperature_scale,
/// at most T0): 1 where landing capacity is hard and no block has sequencing, else 0.05 (the
/// earlier default, kept by the other families). At fixed iteration budgets, seeds 42-49, the
/// crews families' mean gap went 2.20 % -> 1.69 % with 1 (0.5: 2.07, 2: 1.87), while the roles,
/// soft-capacity and mobilisation families lost at 10 s (bench/RESULTS.md, "SA: a warmer end where
/// capacity is hard and nothing is sequenced"). With SA's one candidate per step on the sequenced
/// families, 0.5 gained on the benchmark's five sequenced instances but not on four held-out ones
/// (RESULTS, "SA: the sequenced families").
inline double default_final_temperature(const scenario_traits& t) { return !t.priced_slack && !t.sequencing ? 1.0 : 0.05; }

/// Budget cooling's automatic temperatures for a scenario of traits `t`: default_budget_initial_temperature
/// and default_final_temperature(t), both times temperature_scale(pb).
inline search::budget_cooling_parameters default_budget_temperatures(const problem& pb, const scenario_traits& t) {
  const double scale = temperature_scale(pb);
  return {default_budget_initial_temperature * scale, default_final_temperature(t) * scale};
}

/// SA's candidates per step when none is given (annealer_parameters::batch): a run with budget
/// cooling (a timed run) where landing capacity is hard takes **one** candidate per step, its
/// operator drawn by weight; every other run takes one per enabled operator in a weighted order
/// until one is accepted (0, the reference's step). In the reference's step the rare, costly
/// operators (row_rebuild 0.05, landing_rebuild 0.02) come last in the order but are still reached
/// whenever the cheap moves before them are rejected, which late in a cool run is most steps: on
/// report-crews-120 each was proposed in ~30 % of the steps, and they took ~65 % of the time.
/// Drawn by weight they are proposed as often as their weights say, and a 10 s run evaluates ~2.5
/// times more candidates. At fixed budgets (each run's budget about 10 s of its own speed), seeds
/// 42-49: the crews families' mean gap 1.69 % -> 1.06 % (with default_one_candidate_weights_for),
/// the sequenced roles and mobilisation instances' 1.30 % -> 0.81 %; soft capacity lost with one
/// candidate per step (bench/RESULTS.md, "SA: one candidate per step on the crews" and "SA: the
/// sequenced families").
inline long long default_sa_batch(const scenario_traits& t, bool budget_cooling) { return budget_cooling && !t.priced_slack ? 1 : 0; }

/// solve-heur's defaults for a timed run that takes default_sa_batch's one candidate per step:
/// default_weights_for, and where no block has sequencing row_rebuild 0.2 and landing_rebuild 0.05,
/// so that the rebuilds keep a share of the candidates (~3 % and ~0.7 %). With their step weights
/// (0.05, 0.02) instead, the smallest crews instance and large84 lost (crews-40 at fixed budgets
/// 1.09 % -> 1.62 %; large84's 10 s median ~1288 -> ~1283); with these, every crews instance but
/// crews-120 (0.75 % -> 0.77 %) gained. Where blocks are sequenced row_rebuild stays 0.05 (with 0.2
/// the sequenced instances' mean gap at fixed budgets was 0.95 % instead of 0.81 %), and run_reorder
/// (a row's runs in another order) comes in at 0.5: at 10 s, paired both ways round on the
/// mobilisation and roles instances and four held-out mobilisation instances, it gained ~0.6 % on the
/// mean; on the crews it lost 0.3-0.7 % (bench/RESULTS.md, "run_reorder").
inline operator_weights default_one_candidate_weights_for(const scenario_traits& t) {
  operator_weights w = default_weights_for(t);
  if (!t.sequencing) {
    w[static_cast<std::size_t>(operator_id::row_rebuild)] = 0.2;
    w[static_cast<std::size_t>(operator_id::landing_rebuild)] = 0.05;
  } else {
    w[static_cast<std::size_t>(operator_id::run_reorder)] = 0.5;
  }
  return w;
}

/// A named operator preset.
struct operator_preset {
  std::string_view name;
  operator_weights weights;
  std::string_view description;
};

/// The reference presets (heuristics.md §2.3) plus `runs` and `fhops-default`.
inline const std::vector<operator_preset>& operator_presets() {
  static const std::vector<operator_preset> presets{
      {"balanced", reference_weights, "Default swap/move weights (1.0 each)."},
      {"swap-only", weights_of({{"swap", 1}}), "Disable move and rely solely on swap moves."},
      {"move-only", weights_of({{"move", 1}}), "Disable swap and allow only move operations."},
      {"swap-heavy", weights_of({{"swap", 2}, {"move", 0.5}}), "Bias toward swap moves while keeping move available."},
      {"diversify", weights_of({{"swap", 1.5}, {"move", 1.5}}), "Encourage both operators equally with higher weights."},
      {"explore", weights_of({{"swap", 1}, {"move", 1}, {"block_insertion", 0.6}, {"cross_exchange", 0.6}, {"mobilisation_shake", 0.2}}),
       "Activate block insertion/cross exchange with moderate mobilisation shake to diversify neighbourhood search."},
      {"mobilisation",
       weights_of({{"swap", 0.8}, {"move", 0.8}, {"block_insertion", 0.4}, {"cross_exchange", 0.4}, {"mobilisation_shake", 1.2}}),
       "Emphasise mobilisation_shake to escape local minima in distance-constrained scenarios."},
      {"stabilise", weights_of({{"swap", 0.5}, {"move", 1.5}, {"block_insertion", 0.2}, {"cross_exchange", 0.2}}),
       "Favour move operations to consolidate plans while keeping advanced operators at low weights."},
      {"runs",
       weights_of({{"run_fill", 1}, {"run_extend", 1}, {"run_clear", 1}, {"run_swap", 0.5}, {"run_replace", 0.5}, {"row_rebuild", 0.05}}),
       "fhops-cpp run operators only: fill, extend, clear, swap and replace whole block runs, and row_rebuild."},
      {"fhops-default", default_weights, "fhops-cpp default: swap/move plus the run operators (and seq_fill where sequencing applies)."},
      {"lns", weights_of(default_weights, {{"landing_rebuild", 0.02}}),
       "fhops-cpp default plus landing_rebuild: the rows of every machine on one landing rebuilt together (long runs on big scenarios)."},
      {"price", weights_of(default_weights, {{"price_rebuild", 0.02}}),
       "fhops-cpp default plus price_rebuild: one or two landings' crews rebuilt jointly against block and landing prices (long runs on big scenarios)."},
      {"landings", weights_of(default_tabu_weights, {{"landing_swap", 0.05}}),
       "fhops-cpp Tabu default plus landing_swap: two machines trade landings and their rows are rebuilt on the new landings (long runs on big scenarios)."},
  };
  return presets;
}

/// A solver's settings within a profile.
struct profile_solver {
  std::vector<std::string> presets;
  std::map<std::string, double> weights;
  std::optional<long long> batch_neighbours, parallel_workers, parallel_multistart;
  std::map<std::string, double> extra;  ///< perturbation_strength, tabu_tenure, ...
};

/// A named solver profile (heuristics.md §7).
struct solver_profile {
  std::string name, description, version = "1.0.0";
  profile_solver sa, ils, tabu, bench;
};

/// The reference profiles.
inline const std::vector<solver_profile>& solver_profiles() {
  static const std::vector<solver_profile> profiles = [] {
    std::vector<solver_profile> p;
    const auto simple = [](std::string name, std::string description, std::vector<std::string> presets) {
      solver_profile s{std::move(name), std::move(description), "1.0.0", {}, {}, {}, {}};
      s.sa.presets = s.ils.presets = s.tabu.presets = std::move(presets);
      return s;
    };
    p.push_back(simple("default", "Balanced SA configuration (swap/move) with conservative batching.", {"balanced"}));
    p.push_back(simple("explore", "Enable advanced neighbourhoods to diversify search.", {"explore"}));
    auto mob = simple("mobilisation", "Bias towards mobilisation-aware moves to escape distance constraints.", {"mobilisation"});
    mob.ils.parallel_workers = 2;
    p.push_back(mob);
    p.push_back(simple("stabilise", "Focus on consolidation/minimal mobilisation; good for cleanup passes.", {"stabilise"}));
    solver_profile pe{"parallel-explore", "Parallel multi-start SA with diversified neighbourhoods.", "1.0.0", {}, {}, {}, {}};
    pe.sa.presets = {"explore"};
    pe.sa.batch_neighbours = 4;
    pe.sa.parallel_workers = 4;
    pe.sa.parallel_multistart = 4;
    pe.bench = pe.sa;
    p.push_back(pe);
    solver_profile id{"intense-diversify", "Aggressive diversification plus mobilisation shake for large scenarios.", "1.0.0", {}, {}, {}, {}};
    id.sa.presets = {"explore", "mobilisation"};
    id.sa.batch_neighbours = 8;
    id.sa.parallel_workers = 4;
    id.ils.presets = {"explore", "mobilisation"};
    id.ils.batch_neighbours = 4;
    id.ils.parallel_workers = 4;
    id.ils.extra["perturbation_strength"] = 5;
    id.tabu.presets = {"explore", "mobilisation"};
    id.tabu.extra["tabu_tenure"] = 30;
    p.push_back(id);
    std::sort(p.begin(), p.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return p;
  }();
  return profiles;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// The preset with this name (case-insensitive); std::invalid_argument lists the names otherwise.
inline const operator_preset& find_preset(std::string_view name) {
  const std::string n = lower(name);
  for (const auto& p : operator_presets())
    if (p.name == n) return p;
  std::string names;
  for (const auto& p : operator_presets()) names += (names.empty() ? "" : ", ") + std::string(p.name);
  throw std::invalid_argument("Unknown operator preset '" + std::string(name) + "'. Available: " + names);
}

/// The profile with this name (case-insensitive); std::invalid_argument lists the names otherwise.
inline const solver_profile& find_profile(std::string_view name) {
  const std::string n = lower(name);
  for (const auto& p : solver_profiles())
    if (p.name == n) return p;
  std::string names;
  for (const auto& p : solver_profiles()) names += (names.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("Unknown profile '" + std::string(name) + "'. Available: " + names);
}

/// Parses `name=value` (the reference's syntax; the value is a Python-style float, finite and >= 0:
/// 0 disables the operator). Errors use the reference's messages where it has one.
inline std::pair<std::string, double> parse_operator_weight(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos)
    throw std::invalid_argument("Operator weight must be in name=value format (got '" + std::string(text) + "')");
  std::string name = lower(fhops::detail::trim(text.substr(0, eq)));
  if (name.empty()) throw std::invalid_argument("Operator weight missing operator name in '" + std::string(text) + "'");
  std::string value(fhops::detail::trim(text.substr(eq + 1)));
  value.erase(std::remove(value.begin(), value.end(), '_'), value.end());
  const auto v = fhops::detail::parse_double(value);
  const std::string given(fhops::detail::trim(text.substr(eq + 1)));
  const bool nan = !v && (lower(value) == "nan" || lower(value) == "+nan" || lower(value) == "-nan");
  if (!v && !nan) throw std::invalid_argument("Operator weight for '" + name + "' must be numeric (got '" + given + "')");
  // The reference took nan and negative weights as 0 and refused inf only later: all three are refused here.
  if (nan || !std::isfinite(*v) || *v < 0.0)
    throw std::invalid_argument("Operator weight for '" + name + "' must be a finite number >= 0 (got '" + given + "')");
  return {name, *v};
}

/// The operator index of a name, or std::invalid_argument with the reference's message.
inline std::size_t require_operator(const std::string& name) {
  const int i = operator_index(lower(name));
  if (i < 0) throw std::invalid_argument("Unknown operator '" + name + "' in weights configuration");
  return static_cast<std::size_t>(i);
}

/// Which solver a configuration is for (Tabu starts from its own default weights).
enum class solver_kind { sa, ils, tabu };

/// One solver of the product: how the commands, run records, profiles and tuners name it and what
/// it does without settings. solver_registry holds one per solver_kind, in the enum's order, so a
/// runtime choice is a lookup, not a switch.
struct solver_info {
  solver_kind kind;
  const char* label;                            ///< the reference's label: run records, checkpoints, --solver
  const char* command;                          ///< the driver's command
  const char* objective_label;                  ///< the console's "Objective (...)"
  long long default_iterations;                 ///< --iters without a value
  long long step_interval;                      ///< telemetry step cadence of the reference (§1.7)
  telemetry::acceptance_column acceptance;      ///< how a step reports its acceptance rate (§1.7)
  profile_solver solver_profile::*profile;      ///< its part of a solver profile
  const operator_weights* defaults;             ///< weights without any operator setting (fhops-cpp's)
  const operator_weights* configured_base;      ///< weights a preset or weight setting starts from (the reference's)
  /// the weights without settings on a scenario of known traits (`defaults` when the traits are unknown)
  operator_weights (*defaults_for)(const scenario_traits&);
};

/// The solvers, in solver_kind order.
inline constexpr std::array<solver_info, 3> solver_registry{{
    {solver_kind::sa, "sa", "solve-heur", "heuristic", 2000, 100, telemetry::acceptance_column::accepted, &solver_profile::sa,
     &default_weights, &reference_weights, &default_weights_for},
    {solver_kind::ils, "ils", "solve-ils", "ils", 250, 25, telemetry::acceptance_column::none, &solver_profile::ils, &default_weights,
     &reference_weights, &default_weights_for},
    {solver_kind::tabu, "tabu", "solve-tabu", "tabu", 2000, 25, telemetry::acceptance_column::improvements, &solver_profile::tabu,
     &default_tabu_weights, &reference_tabu_weights, &default_tabu_weights_for},
}};

/// The registry's entry of `k`.
constexpr const solver_info& solver_info_of(solver_kind k) { return solver_registry[static_cast<std::size_t>(k)]; }
static_assert(solver_info_of(solver_kind::sa).kind == solver_kind::sa && solver_info_of(solver_kind::ils).kind == solver_kind::ils &&
                  solver_info_of(solver_kind::tabu).kind == solver_kind::tabu,
              "solver_registry must list the solvers in solver_kind order");

/// The entry whose label is `label` (`sa`, `ils`, `tabu`), or nullptr.
inline const solver_info* find_solver(std::string_view label) {
  for (const auto& s : solver_registry)
    if (label == s.label) return &s;
  return nullptr;
}

/// The solver label of the reference (`sa`, `ils`, `tabu`): run records, checkpoints, commands.
inline const char* solver_label(solver_kind k) { return solver_info_of(k).label; }

/// The solver a label names (`ils`, `tabu`; anything else is SA: check the label first).
inline solver_kind solver_of_label(std::string_view s) {
  const solver_info* info = find_solver(s);
  return info ? info->kind : solver_kind::sa;
}

/// The weights `k` uses without operator settings: on a scenario of known traits its defaults_for
/// them (in SA's automatic one-candidate step, `one_candidate_step`: default_one_candidate_weights_for
/// them), else its defaults.
inline operator_weights solver_defaults(solver_kind k, const scenario_traits* traits = nullptr, bool one_candidate_step = false) {
  const solver_info& info = solver_info_of(k);
  if (!traits) return *info.defaults;
  return one_candidate_step ? default_one_candidate_weights_for(*traits) : info.defaults_for(*traits);
}

/// A profile's settings for `k` (nullptr without a profile).
inline const profile_solver* profile_for(const solver_profile* profile, solver_kind k) {
  return profile ? &(profile->*solver_info_of(k).profile) : nullptr;
}

/// Operator settings gathered from a profile and the command line.
struct operator_settings {
  std::vector<std::string> presets;                       ///< --operator-preset, in order
  std::vector<std::string> operators;                     ///< --operator
  std::vector<std::pair<std::string, double>> weights;    ///< --operator-weight, in order
};

/// Resolves the operator weights as the reference's merge_profile_with_cli + registry configuration
/// (heuristics.md §2.1, §7): the operator list is the union of the profile's and the CLI's presets'
/// enabled operators and --operator names; weights are merged profile presets, profile weights, CLI
/// presets, then --operator-weight. Without any setting the fhops-cpp defaults apply; with settings
/// the reference's base weights do (Tabu: the reference Tabu's own). Fix of the reference quirk: an --operator whose weight would be 0 is
/// enabled with weight 1 instead of leaving nothing enabled. Given the scenario's `traits`, the
/// defaults are solver_defaults for them (default_weights_for and its ILS and Tabu kin, or with
/// `one_candidate_step` default_one_candidate_weights_for).
inline operator_weights resolve_weights(solver_kind kind, const profile_solver* profile, const operator_settings& cli,
                                        const scenario_traits* traits = nullptr, bool one_candidate_step = false) {
  std::vector<std::string> ops;
  std::map<std::size_t, double> merged;
  const auto add_preset = [&](const std::string& name) {
    const auto& p = find_preset(name);
    for (std::size_t i = 0; i < operator_count; ++i) {
      merged[i] = p.weights[i];
      if (p.weights[i] > 0 && std::find(ops.begin(), ops.end(), operator_names[i]) == ops.end())
        ops.emplace_back(operator_names[i]);
    }
  };
  if (profile) {
    for (const auto& p : profile->presets) add_preset(p);
    for (const auto& [k, v] : profile->weights) merged[require_operator(k)] = v;
  }
  for (const auto& p : cli.presets) add_preset(p);
  std::vector<std::string> unknown;
  for (const auto& o : cli.operators) {
    const std::string n = lower(o);
    if (operator_index(n) < 0) unknown.push_back(n);
    else if (std::find(ops.begin(), ops.end(), n) == ops.end()) ops.push_back(n);
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    throw std::invalid_argument("Unknown operators requested: " + list);
  }
  for (const auto& [k, v] : cli.weights) merged[require_operator(k)] = v;
  const bool configured = !ops.empty() || !merged.empty();
  operator_weights w = configured ? *solver_info_of(kind).configured_base : solver_defaults(kind, traits, one_candidate_step);
  if (!ops.empty()) {
    for (std::size_t i = 0; i < operator_count; ++i) {
      const bool listed = std::find(ops.begin(), ops.end(), operator_names[i]) != ops.end();
      if (!listed) w[i] = 0.0;
      else if (w[i] <= 0.0) w[i] = 1.0;
    }
  }
  for (const auto& [i, v] : merged) w[i] = std::isnan(v) ? 0.0 : std::max(0.0, v);
  return w;
}

/// The `--list-operator-presets` text of the reference (Python float repr, em dash).
inline std::string preset_listing() {
  std::vector<const operator_preset*> sorted;
  for (const auto& p : operator_presets()) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->name < b->name; });
  std::string out = "Operator presets:\n";
  for (const auto* p : sorted) {
    out += std::string(p->name) + ": ";
    for (std::size_t i = 0; i < operator_count; ++i)
      out += (i ? ", " : "") + std::string(operator_names[i]) + "=" + python_float_repr(p->weights[i]);
    out += " \u2014 " + std::string(p->description) + "\n";
  }
  return out;
}

/// The `--list-profiles` text.
inline std::string profile_listing() {
  std::string out = "Solver profiles:\n";
  for (const auto& p : solver_profiles()) out += p.name + ": " + p.description + "\n";
  return out;
}

/// Everything a solve needs.
struct solve_options {
  solver_kind kind = solver_kind::sa;
  operator_weights weights = default_weights;
  search::termination stop{2000, 0.0, 0, std::nullopt};
  std::uint64_t seed = 42;
  bool adaptive = false;                    ///< adaptive roulette operator selection
  // SA
  /// candidates per step (0 = one per enabled operator, the reference); empty: default_sa_batch of
  /// the scenario's traits and the cooling
  std::optional<long long> batch;
  std::string cooling = "geometric";        ///< geometric | budget
  double cooling_ratio = 0.995;
  /// the temperature at the start; empty: geometric cooling's own default, budget cooling's
  /// default_budget_temperatures of the scenario
  std::optional<double> initial_temperature;
  /// budget cooling's temperature at the end; empty: default_budget_temperatures of the scenario,
  /// at most the initial temperature
  std::optional<double> final_temperature;
  std::string acceptance = "metropolis";    ///< metropolis | threshold | record | late
  long long late_length = 1000;
  long long restart_period = 100;
  /// cooling cycles over the budget, each from the start plan, the best of all kept
  /// (annealer_parameters::cycles, >= 1); empty: 1. Not on by default: two cycles on a timed run
  /// gained nothing measurable on the families benchmark (bench/RESULTS.md, "SA: cooling cycles")
  std::optional<long long> sa_cycles;
  // ILS / Tabu
  /// ILS: 2 perturbation moves, 10 stalls, a local search that stops after 100 non-improving steps
  /// and perturbs the better local optimum (the reference: 3 moves, stops at the first
  /// non-improving step, perturbs the latest; see docs/compatibility.md and bench/RESULTS.md).
  search::ils_parameters ils{.perturbation_strength = 2, .stall_limit = 10, .samples = 0, .patience = 100, .accept_worse = false};
  bool hybrid_use_mip = false;              ///< ILS: at each stall, offer the plan MIP's plan (plan_mip.hpp, solved once)
  long long hybrid_mip_time_limit = 60;     ///< ILS: cbc's time limit of that MIP, seconds
  search::tabu_parameters tabu{};
  /// ILS / Tabu: the share of a wall-clock budget (stop.max_seconds with no max_iterations) that SA
  /// with its timed defaults spends first; ILS or Tabu then starts from SA's best plan instead of
  /// the greedy seed and has the rest of the budget. 0 = no warm start (the reference); in [0, 1).
  double sa_warm_start = 0.0;
  // both
  bool check_delta = false;
  /// Whether moves may put work over a landing's capacity when landing_slack > 0 (priced) or the
  /// reference sanitiser clears it (reference); the same with landing_slack == 0.
  landing_capacity_mode landing_capacity = landing_capacity_mode::priced;
};

/// Whether a solve with `o` on a scenario of traits `t` takes SA's automatic one candidate per step
/// (no batch given, default_sa_batch 1); its default weights are then default_one_candidate_weights_for.
inline bool one_candidate_step(const solve_options& o, const scenario_traits& t) {
  return o.kind == solver_kind::sa && !o.batch && default_sa_batch(t, o.cooling == "budget") == 1;
}

/// The share of a timed ILS or Tabu run that SA spends first (solve_options::sa_warm_start). ILS
/// and Tabu from the greedy seed were 4-6 % short of the best known values at 10 s on the families
/// benchmark's report split, where SA was ~1.5 %: both take the best plan of each step, so a step
/// costs every operator's candidate and they descend slowly from a poor start. With half the
/// budget spent by SA first, ILS and Tabu ended near SA's level on the benchmark (bench/RESULTS.md,
/// "ILS and Tabu: a warm start by SA"). 80 % is better again on the large instances (up to 5 % on
/// 140-150 blocks x 22-24 machines), where the SA phase still gains much in its last seconds and
/// ILS's or Tabu's few steps do not make up for them; no worse on the small ones (RESULTS, "ILS
/// and Tabu: 80 % of the budget to the SA warm start").
inline constexpr double default_sa_warm_start = 0.8;

/// Whether a solve with `o` starts ILS or Tabu from an SA warm start: a share is set and the
/// budget is wall-clock time alone.
inline bool sa_warm_started(const solve_options& o) {
  return o.kind != solver_kind::sa && o.sa_warm_start > 0.0 && o.stop.max_seconds > 0.0 && o.stop.max_iterations == 0;
}

/// A wall-clock budget of `seconds` for `o`, with the schedule a timed SA run uses: cooling over the
/// budget and no restarts (the reference's restart after 100 steps without an accepted move assumes
/// an iteration budget). The solve commands apply the same rule unless --cooling or
/// --restart-period say otherwise; the iteration budget is left to the caller. ILS and Tabu get
/// the SA warm start (default_sa_warm_start), which runs when no iteration budget is set.
inline void use_time_budget(solve_options& o, double seconds) {
  o.stop.max_seconds = seconds;
  o.cooling = "budget";
  o.restart_period = 0;
  o.sa_warm_start = default_sa_warm_start;
}

/// Tabu's automatic tenure, the reference's `--tabu-tenure 0`: max(10, machines).
inline long long automatic_tabu_tenure(int num_machines) { return std::max<long long>(10, num_machines); }

/// Resolves an automatic Tabu tenure (tabu.tenure < 1, as `--tabu-tenure 0` leaves it) for a
/// problem with `num_machines` machines, and raises the top of a restart range (tenure_max, when
/// set) to it; a tenure >= 1 is kept. solve() resolves it itself; a caller that records the tenure
/// resolves it first.
inline void resolve_tabu_tenure(solve_options& o, int num_machines) {
  if (o.tabu.tenure >= 1) return;
  o.tabu.tenure = automatic_tabu_tenure(num_machines);
  if (o.tabu.tenure_max > 0) o.tabu.tenure_max = std::max(o.tabu.tenure_max, o.tabu.tenure);
}

/// What a solve returns.
struct solve_outcome {
  search::search_result<schedule> search;  ///< best schedule, counters, operator stats
  evaluation best;                         ///< full evaluation of the best schedule
  evaluation initial;                      ///< the greedy seed's evaluation (the reference's initial score)
  std::uint64_t seed = 0;
  double best_score = 0.0;                 ///< = best.score (for multistart ranking)
  double temperature0 = 0.0;               ///< SA only
  long long warm_start_evaluations = 0;    ///< ILS / Tabu: the SA warm start's move evaluations (0: none ran)
};

/// The annealer's parameters of an SA solve with `o` on a problem of traits `traits`: the step
/// (batch, or one drawn candidate: one_candidate_step), the restart period and the cooling cycles.
inline search::annealer_parameters sa_parameters(const solve_options& o, const scenario_traits& traits) {
  if (o.sa_cycles && *o.sa_cycles < 1)
    throw std::invalid_argument("solve_options.sa_cycles must be >= 1 (got " + std::to_string(*o.sa_cycles) + ")");
  return {o.batch.value_or(default_sa_batch(traits, o.cooling == "budget")), o.restart_period, one_candidate_step(o, traits),
          o.sa_cycles.value_or(1), 0.0};
}

namespace detail {

/// The ILS hybrid (the reference's hybrid_use_mip, heuristics.md §4): the plan MIP's plan, offered
/// at every stall. The reference solves the MIP again at each stall; its answer does not change,
/// so it is solved at the first stall only. A failure (no cbc, no plan) offers nothing, as the
/// reference ignores any error.
struct mip_hybrid {
  const problem* pb;
  plan_mip_options mip;
  landing_capacity_mode mode;
  bool tried = false;
  std::optional<schedule> plan;

  template <class Solution>
  std::optional<Solution> offer() {
    if (!tried) {
      tried = true;
      try {
        const plan_mip_result r = solve_plan_mip(*pb, mip);
        if (r.source == "mip") plan = sanitised(*pb, r.plan, mode);
      } catch (const std::exception&) {
      }
    }
    return plan;
  }

  /// Checkpoint state: whether the MIP was tried and its plan, if any.
  void save(search::checkpoint_writer& w) const {
    w.put("mip.tried", tried);
    w.put("mip.plan", plan ? plan->cells : std::vector<std::int32_t>{});
  }
  void load(search::checkpoint_reader& r) {
    r.get("mip.tried", tried);
    schedule s(*pb);
    r.get("mip.plan", s.cells);
    if (s.cells.empty()) plan.reset();
    else if (s.cells.size() == static_cast<std::size_t>(s.num_machines) * s.num_slots) plan = std::move(s);
    else throw search::checkpoint_error("the hybrid's plan has another shape than this scenario's");
  }
};

// The weights an operator selector draws with: `w`, but seq_fill 0 where nothing is sequenced
// (it has no move there: dropping it keeps the other runs' trajectories).
inline std::vector<double> selector_weights(const problem& pb, const operator_weights& w) {
  std::vector<double> out(w.begin(), w.end());
  if (!pb.has_sequencing) out[static_cast<std::size_t>(operator_id::seq_fill)] = 0.0;
  return out;
}

// The SA warm start of an ILS or Tabu run (sa_warm_started): SA with a timed run's defaults for
// the scenario (solver_defaults' weights, one candidate per step where capacity is hard, budget
// cooling between default_budget_temperatures) for
// o.sa_warm_start of the budget, from `state`; leaves its best plan in `state` and returns its
// move evaluations. It has no observer: the step log and progress are the ILS or Tabu run's.
inline long long sa_warm_start(const problem& pb, const solve_options& o, harvest_space& space, harvest_neighbourhood& nbh, rng& random,
                               incremental_evaluator& state) {
  const scenario_traits traits = traits_of(pb);
  const long long batch = default_sa_batch(traits, true);
  search::fixed_weights selector(selector_weights(pb, solver_defaults(solver_kind::sa, &traits, batch == 1)));
  search::termination stop{.max_iterations = 0, .max_seconds = o.stop.max_seconds * o.sa_warm_start, .stall_limit = 0, .target = std::nullopt};
  const search::budget_cooling cooling(default_budget_temperatures(pb, traits));
  search::annealer<search::budget_cooling, search::metropolis> sa({batch, 0, batch == 1}, cooling, {});
  search::search_run run(space, nbh, selector, random, stop, telemetry::null_observer{}, search::no_checkpoint{});
  const auto result = sa.run(run, state);
  state.reset(result.best);
  return result.evaluations;
}

// Runs `algo` from the sanitised greedy seed (or, for a warm-started ILS or Tabu run, from SA's
// best plan: sa_warm_start), or (a checkpointing hook and `resume`) from a checkpoint.
template <class Algorithm, class Selector, class Observer, class Hook, class... Hybrid>
solve_outcome run_with(const problem& pb, const solve_options& o, Algorithm& algo, Selector& selector, Observer obs, Hook hook,
                       search::checkpoint_reader* resume, std::uint64_t seed, Hybrid&... hybrid) {
  harvest_space space(pb, o.check_delta);
  harvest_neighbourhood nbh(pb, o.landing_capacity);
  rng random(seed);
  const schedule seed_plan = greedy_schedule(pb);
  incremental_evaluator state(pb);
  state.reset(sanitised(pb, seed_plan, o.landing_capacity));  // every operator output is sanitised; so is the start
  solve_outcome out;
  search::termination stop = o.stop;
  if (sa_warm_started(o)) {
    if (resume) {  // the warm start ran before the checkpoint: the ILS or Tabu phase has its share
      stop.max_seconds = o.stop.max_seconds * (1.0 - o.sa_warm_start);
    } else {
      const auto started = std::chrono::steady_clock::now();
      out.warm_start_evaluations = sa_warm_start(pb, o, space, nbh, random, state);
      const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      stop.max_seconds = std::max(o.stop.max_seconds - spent, 1e-3);
    }
  }
  search::search_run run(space, nbh, selector, random, stop, std::move(obs), std::move(hook));
  if constexpr (Hook::enabled) {
    out.search = resume ? algo.resume(run, state, *resume, hybrid...) : algo.run(run, state, hybrid...);
  } else {
    out.search = algo.run(run, state, hybrid...);
  }
  out.best = evaluate(pb, out.search.best);
  out.initial = evaluate(pb, seed_plan);
  out.seed = seed;
  out.best_score = out.best.score;
  if constexpr (requires { algo.cooling().initial_temperature(); }) out.temperature0 = algo.cooling().initial_temperature();
  return out;
}

template <class Selector, class Observer, class Hook>
solve_outcome dispatch(const problem& pb, const solve_options& o, Selector& selector, Observer obs, std::uint64_t seed, Hook hook,
                       search::checkpoint_reader* resume) {
  const auto run = [&](auto& algo, auto&... hybrid) {
    return run_with(pb, o, algo, selector, std::move(obs), std::move(hook), resume, seed, hybrid...);
  };
  if (!(o.sa_warm_start >= 0.0 && o.sa_warm_start < 1.0))
    throw std::invalid_argument("solve_options.sa_warm_start must be in [0, 1) (got " + std::to_string(o.sa_warm_start) + ")");
  switch (o.kind) {
    case solver_kind::ils: {
      search::iterated_local_search algo(o.ils);
      if (o.hybrid_use_mip) {
        if (o.hybrid_mip_time_limit < 0)
          throw std::invalid_argument("solve_options.hybrid_mip_time_limit must be >= 0 (got " + std::to_string(o.hybrid_mip_time_limit) + ")");
        plan_mip_options mip;
        mip.seconds = static_cast<double>(o.hybrid_mip_time_limit);
        mip_hybrid hybrid{.pb = &pb, .mip = mip, .mode = o.landing_capacity, .tried = false, .plan = std::nullopt};
        return run(algo, hybrid);
      }
      return run(algo);
    }
    case solver_kind::tabu: {
      solve_options resolved = o;  // an automatic tenure (< 1) becomes max(10, machines)
      resolve_tabu_tenure(resolved, pb.num_machines);
      search::tabu_search algo(resolved.tabu);
      return run(algo);
    }
    case solver_kind::sa: break;
  }
  // The automatic one candidate per step draws its operator by weight (annealer_parameters::drawn),
  // also when the weights are equal: the reference's order would then always start with the
  // first operator, and a timed `-w swap=1 -w move=1` run would propose nothing but swaps.
  const scenario_traits traits = traits_of(pb);
  const search::annealer_parameters ap = sa_parameters(o, traits);
  const auto with_cooling = [&](auto cooling) {
    const auto with_acceptance = [&](auto acceptance) {
      search::annealer<decltype(cooling), decltype(acceptance)> algo(ap, cooling, acceptance);
      return run(algo);
    };
    if (o.acceptance == "metropolis") return with_acceptance(search::metropolis{});
    if (o.acceptance == "threshold") return with_acceptance(search::threshold_accepting{});
    if (o.acceptance == "record") return with_acceptance(search::record_to_record{});
    if (o.acceptance == "late") return with_acceptance(search::late_acceptance(static_cast<std::size_t>(o.late_length)));
    throw std::invalid_argument("acceptance must be metropolis, threshold, record or late (got '" + o.acceptance + "')");
  };
  if (o.cooling == "geometric") return with_cooling(search::geometric_cooling({o.cooling_ratio, o.initial_temperature}));
  if (o.cooling == "budget") {
    const search::budget_cooling_parameters automatic = default_budget_temperatures(pb, traits);
    const double t0 = o.initial_temperature.value_or(automatic.initial_temperature);
    const double t1 = o.final_temperature.value_or(std::min(t0, automatic.final_temperature));
    return with_cooling(search::budget_cooling({t0, t1}));
  }
  throw std::invalid_argument("cooling must be geometric or budget (got '" + o.cooling + "')");
}

// The selector of `o`, then the algorithm (dispatch).
template <class Observer, class Hook>
solve_outcome solve_with(const problem& pb, const solve_options& o, Observer obs, std::uint64_t seed, Hook hook,
                         search::checkpoint_reader* resume) {
  const std::vector<double> w = selector_weights(pb, o.weights);
  if (o.adaptive) {
    search::adaptive_roulette selector(w);
    return dispatch(pb, o, selector, std::move(obs), seed, std::move(hook), resume);
  }
  search::fixed_weights selector(w);
  return dispatch(pb, o, selector, std::move(obs), seed, std::move(hook), resume);
}

}  // namespace detail

/// Solves with one seed. The run starts from the sanitised greedy seed.
template <class Observer = telemetry::null_observer>
solve_outcome solve(const problem& pb, const solve_options& o, Observer obs = {}, std::optional<std::uint64_t> seed = {}) {
  return detail::solve_with(pb, o, std::move(obs), seed.value_or(o.seed), search::no_checkpoint{}, nullptr);
}

/// Runs `runs` solves (run 0 with the base seed, run k with derive_seed(seed, k)), `threads` at a
/// time, and returns every outcome in run order with the index of the best (ties: lower index).
/// `make_observer(k)` gives run k its observer (called on the run's thread).
template <class ObserverFactory>
std::pair<std::vector<search::multistart_run<solve_outcome>>, std::size_t> solve_multistart(
    const problem& pb, const solve_options& o, std::size_t runs, std::size_t threads, ObserverFactory make_observer) {
  auto [all, best] = search::multistart(runs, o.seed, threads, [&](std::size_t k, std::uint64_t derived) {
    return solve(pb, o, make_observer(k), k == 0 ? o.seed : derived);
  });
  for (auto& r : all)
    if (r.result) r.seed = r.result->seed;
  return {std::move(all), best};
}

/// solve_multistart without observers.
inline std::pair<std::vector<search::multistart_run<solve_outcome>>, std::size_t> solve_multistart(
    const problem& pb, const solve_options& o, std::size_t runs, std::size_t threads) {
  return solve_multistart(pb, o, runs, threads, [](std::size_t) { return telemetry::null_observer{}; });
}

}  // namespace fhops::harvest
