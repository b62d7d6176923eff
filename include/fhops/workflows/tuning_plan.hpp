/// \file
/// The tuning benchmark's plans (telemetry_tuning.md §7, `run_tuning_benchmarks`): the tier
/// budgets of the five tuners (random, grid, bayes, ILS and Tabu restarts), the named plans
/// (bundles, tiers, budget overrides), the budget resolution of a tier (module defaults ← tier
/// defaults ← plan `all` ← plan tier ← command-line flags) and the `--verbose` line.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <iterator>
#include <vector>

#include <fmt/format.h>

namespace fhops::harvest {

/// The benchmark's tuners, in the order a tier runs them.
enum class plan_tuner { random, grid, bayes, ils, tabu };

inline constexpr plan_tuner plan_tuners[] = {plan_tuner::random, plan_tuner::grid, plan_tuner::bayes, plan_tuner::ils, plan_tuner::tabu};

/// `random`, `grid`, `bayes`, `ils` or `tabu`.
inline const char* plan_tuner_name(plan_tuner t) {
  constexpr const char* names[] = {"random", "grid", "bayes", "ils", "tabu"};
  return names[static_cast<int>(t)];
}

/// The tuner named `name`; std::invalid_argument naming the choices otherwise.
inline plan_tuner parse_plan_tuner(std::string_view name) {
  for (const plan_tuner t : plan_tuners)
    if (name == plan_tuner_name(t)) return t;
  throw std::invalid_argument("unknown tuner '" + std::string(name) + "' (expected random, grid, bayes, ils or tabu)");
}

/// One tuner's budget; a layer sets some fields and leaves the others to the layers below (the
/// reference's shallow dict update per tuner). `runs` is random's runs, bayes' trials and the
/// ILS/Tabu restarts; `seed` the tuner's base seed; the rest are grid's levels and ILS/Tabu extras.
struct tuner_budget {
  std::optional<long long> runs{}, iters{}, seed{};
  std::optional<std::vector<long long>> batch_sizes{};     ///< grid
  std::optional<std::vector<std::string>> presets{};       ///< grid
  std::optional<long long> perturbation_strength{};        ///< ILS
  std::optional<long long> stall_limit{};                  ///< ILS, Tabu
  std::optional<bool> hybrid_use_mip{};                    ///< ILS (long tier); recorded only

  /// Overlays the fields `top` sets.
  void update(const tuner_budget& top) {
    const auto over = [](auto& mine, const auto& theirs) {
      if (theirs) mine = theirs;
    };
    over(runs, top.runs);
    over(iters, top.iters);
    over(seed, top.seed);
    over(batch_sizes, top.batch_sizes);
    over(presets, top.presets);
    over(perturbation_strength, top.perturbation_strength);
    over(stall_limit, top.stall_limit);
    over(hybrid_use_mip, top.hybrid_use_mip);
  }
};

/// The budgets of the five tuners (a tier's, a plan layer's or the flags').
struct tier_budget {
  tuner_budget random, grid, bayes, ils, tabu;

  tuner_budget& operator[](plan_tuner t) {
    switch (t) {
      case plan_tuner::random: return random;
      case plan_tuner::grid: return grid;
      case plan_tuner::bayes: return bayes;
      case plan_tuner::ils: return ils;
      default: return tabu;
    }
  }
  const tuner_budget& operator[](plan_tuner t) const { return const_cast<tier_budget&>(*this)[t]; }

  void update(const tier_budget& top) {
    for (const plan_tuner t : plan_tuners) (*this)[t].update(top[t]);
  }
};

/// The tiers, in the reference's order.
inline const std::vector<std::string>& plan_tiers() {
  static const std::vector<std::string> tiers{"short", "medium", "long"};
  return tiers;
}

/// The reference's module defaults, used for keys no layer sets: random 3×250 (seed 123); grid 250
/// iterations, seed 123, batches [1, 2] × presets [balanced, explore]; bayes 20×250 (seed 123, the
/// CLI default); ILS 2×250 (seed 321); Tabu 2×1500 (seed 555).
inline tier_budget module_default_budget() {
  tier_budget b;
  b.random = {.runs = 3, .iters = 250, .seed = 123};
  b.grid = {.iters = 250, .seed = 123, .batch_sizes = std::vector<long long>{1, 2},
            .presets = std::vector<std::string>{"balanced", "explore"}};
  b.bayes = {.runs = 20, .iters = 250, .seed = 123};
  b.ils = {.runs = 2, .iters = 250, .seed = 321};
  b.tabu = {.runs = 2, .iters = 1500, .seed = 555};
  return b;
}

namespace detail {

/// The numbers of one budget layer that sets every tuner's size (as the reference's tables do).
struct layer_numbers {
  long long random_runs, iters, bayes_trials, ils_runs, ils_iters, ils_perturbation, ils_stall, tabu_runs, tabu_iters, tabu_stall;
};

inline tier_budget budget_layer(const layer_numbers& n) {
  tier_budget b;
  b.random = {.runs = n.random_runs, .iters = n.iters};
  b.grid = {.iters = n.iters};
  b.bayes = {.runs = n.bayes_trials, .iters = n.iters};
  b.ils = {.runs = n.ils_runs, .iters = n.ils_iters, .perturbation_strength = n.ils_perturbation, .stall_limit = n.ils_stall};
  b.tabu = {.runs = n.tabu_runs, .iters = n.tabu_iters, .stall_limit = n.tabu_stall};
  return b;
}

/// `b` with the grid's levels: batch sizes [1, 2] x presets [balanced, explore].
inline tier_budget with_grid_levels(tier_budget b) {
  b.grid.batch_sizes = std::vector<long long>{1, 2};
  b.grid.presets = std::vector<std::string>{"balanced", "explore"};
  return b;
}

}  // namespace detail

/// The tier budgets (`TIER_BUDGETS`); std::invalid_argument for an unknown tier.
inline tier_budget tier_default_budget(std::string_view tier) {
  if (tier == "short") return detail::with_grid_levels(detail::budget_layer({2, 150, 20, 2, 200, 3, 10, 2, 1200, 150}));
  if (tier == "medium") return detail::with_grid_levels(detail::budget_layer({3, 300, 40, 3, 350, 3, 12, 3, 2000, 180}));
  if (tier == "long") {
    tier_budget b = detail::with_grid_levels(detail::budget_layer({5, 600, 75, 5, 700, 4, 15, 5, 3000, 220}));
    b.ils.hybrid_use_mip = true;
    return b;
  }
  throw std::invalid_argument("unknown tier '" + std::string(tier) + "' (expected short, medium or long)");
}

/// A named benchmark plan (`BENCHMARK_PLANS`): bundles, tiers, tuners and budget overrides.
struct benchmark_plan {
  std::string name;
  std::vector<std::string> bundles, tiers;
  std::vector<plan_tuner> tuners;
  tier_budget all;                            ///< applied to every tier
  std::map<std::string, tier_budget> by_tier; ///< then the tier's own overrides
};

/// The reference's plans: baseline-smoke, synthetic-smoke, full-spectrum (each runs all five tuners).
inline const std::vector<benchmark_plan>& benchmark_plans() {
  static const std::vector<benchmark_plan> plans = [] {
    const std::vector<plan_tuner> every(std::begin(plan_tuners), std::end(plan_tuners));
    // baseline-smoke also names the grid's levels; the other layers set its iterations only.
    const tier_budget baseline_short = detail::with_grid_levels(detail::budget_layer({3, 250, 30, 2, 260, 3, 10, 2, 1600, 160}));
    const tier_budget synthetic_short = detail::budget_layer({3, 300, 30, 2, 320, 3, 12, 2, 1800, 180});
    const tier_budget medium = detail::budget_layer({4, 450, 45, 3, 520, 3, 14, 3, 2200, 200});
    return std::vector<benchmark_plan>{
        {"baseline-smoke", {"baseline"}, {"short"}, every, {}, {{"short", baseline_short}}},
        {"synthetic-smoke", {"synthetic"}, {"short"}, every, {}, {{"short", synthetic_short}}},
        {"full-spectrum", {"baseline", "synthetic"}, {"short", "medium"}, every, {}, {{"short", synthetic_short}, {"medium", medium}}},
    };
  }();
  return plans;
}

/// The plan named `name`; std::invalid_argument naming the plans otherwise.
inline const benchmark_plan& find_benchmark_plan(std::string_view name) {
  for (const auto& p : benchmark_plans())
    if (p.name == name) return p;
  throw std::invalid_argument("unknown plan '" + std::string(name) + "' (expected baseline-smoke, synthetic-smoke or full-spectrum)");
}

/// A tier's budget: the module defaults, the tier's defaults, the plan's `all` and tier overrides
/// (when a plan is given), then the flags, which override every tier.
inline tier_budget resolve_tier_budget(std::string_view tier, const benchmark_plan* plan, const tier_budget& flags) {
  tier_budget b = module_default_budget();
  b.update(tier_default_budget(tier));
  if (plan) {
    b.update(plan->all);
    if (const auto it = plan->by_tier.find(std::string(tier)); it != plan->by_tier.end()) b.update(it->second);
  }
  b.update(flags);
  return b;
}

namespace detail {

template <class T>
std::string python_list(const std::vector<T>& xs) {
  std::string out = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i) out += ", ";
    if constexpr (std::is_same_v<T, std::string>) out += "'" + xs[i] + "'";
    else out += std::to_string(xs[i]);
  }
  return out + "]";
}

}  // namespace detail

/// The `--verbose` line of a tier: `[tier:<t>] random(runs=…, iters=…) grid(iters=…, batches=[…],
/// presets=[…]) bayes(trials=…, iters=…)`, then ` ils(runs=…, iters=…)` and ` tabu(runs=…, iters=…)`
/// when those tuners run (lists in Python's repr, as the reference prints them).
inline std::string plan_verbose_line(std::string_view tier, const tier_budget& b, const std::vector<plan_tuner>& tuners) {
  const auto has = [&](plan_tuner t) { return std::find(tuners.begin(), tuners.end(), t) != tuners.end(); };
  std::string out = fmt::format("[tier:{}] random(runs={}, iters={}) grid(iters={}, batches={}, presets={}) bayes(trials={}, iters={})",
                                tier, b.random.runs.value_or(0), b.random.iters.value_or(0), b.grid.iters.value_or(0),
                                detail::python_list(b.grid.batch_sizes.value_or(std::vector<long long>{})),
                                detail::python_list(b.grid.presets.value_or(std::vector<std::string>{})), b.bayes.runs.value_or(0),
                                b.bayes.iters.value_or(0));
  if (has(plan_tuner::ils)) out += fmt::format(" ils(runs={}, iters={})", b.ils.runs.value_or(0), b.ils.iters.value_or(0));
  if (has(plan_tuner::tabu)) out += fmt::format(" tabu(runs={}, iters={})", b.tabu.runs.value_or(0), b.tabu.iters.value_or(0));
  return out;
}

}  // namespace fhops::harvest
