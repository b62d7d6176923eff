/// \file
/// Exact weighted set packing over a few items by dynamic programming over subsets: every group
/// chooses at most one of its options (a set of items with a value), no item is used twice, and
/// the sum of the chosen values is maximised. With n items it costs O(groups x 2^n x options) for
/// the best packing and O(groups x 3^n) for the completion values (the best value of the other
/// groups within the items an option leaves), which branch-and-bound uses to discard options.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace fhops::search {

/// One option of a group: the items it uses (bit i = item i) and its value.
struct packing_option {
  std::uint32_t items = 0;
  double value = 0.0;
};

/// The best packing: its value and, per group, the index of the chosen option (-1: none).
struct packing_result {
  double value = 0.0;
  std::vector<int> choice;
};

namespace detail {

inline void check_packing_items(int items) {
  if (items < 0 || items > 24) throw std::invalid_argument("set_packing.items must be in [0, 24] (got " + std::to_string(items) + ")");
}

/// table[g][mask]: best value of groups [0, g) using exactly the items of mask (-inf: none).
inline std::vector<std::vector<double>> packing_prefix(int items, std::span<const std::vector<packing_option>> groups,
                                                       std::vector<std::vector<int>>* choice) {
  const std::size_t n = std::size_t{1} << items;
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> g(groups.size() + 1, std::vector<double>(n, minus_inf));
  if (choice) choice->assign(groups.size() + 1, std::vector<int>(n, -1));
  g[0][0] = 0.0;
  for (std::size_t k = 0; k < groups.size(); ++k)
    for (std::size_t mask = 0; mask < n; ++mask) {
      const double base = g[k][mask];
      if (base == minus_inf) continue;
      if (base > g[k + 1][mask]) {
        g[k + 1][mask] = base;
        if (choice) (*choice)[k + 1][mask] = -1;
      }
      for (std::size_t o = 0; o < groups[k].size(); ++o) {
        const packing_option& opt = groups[k][o];
        if (opt.items & mask) continue;
        const std::size_t to = mask | opt.items;
        if (base + opt.value > g[k + 1][to]) {
          g[k + 1][to] = base + opt.value;
          if (choice) (*choice)[k + 1][to] = static_cast<int>(o);
        }
      }
    }
  return g;
}

}  // namespace detail

/// The best packing of `groups` (each a list of options over `items` <= 24 items). Ties go to the
/// smallest item set, then to the first option found. Deterministic.
inline packing_result best_packing(int items, std::span<const std::vector<packing_option>> groups) {
  detail::check_packing_items(items);
  for (const auto& opts : groups)
    for (const auto& o : opts)
      if ((static_cast<std::uint64_t>(o.items) >> items) != 0) throw std::invalid_argument("set_packing: an option uses an item >= items");
  std::vector<std::vector<int>> choice;
  const auto g = detail::packing_prefix(items, groups, &choice);
  const auto& last = g.back();
  std::size_t best = 0;
  for (std::size_t mask = 1; mask < last.size(); ++mask)
    if (last[mask] > last[best]) best = mask;
  packing_result out;
  out.value = last[best];
  out.choice.assign(groups.size(), -1);
  for (std::size_t k = groups.size(); k > 0; --k) {
    const int c = choice[k][best];
    out.choice[k - 1] = c;
    if (c >= 0) best &= ~static_cast<std::size_t>(groups[k - 1][c].items);
  }
  return out;
}

/// For every option of every group: its value plus the best packing of the other groups within
/// the items it leaves free ([group][option]); an option whose completion value cannot reach a
/// target belongs to no packing that reaches it.
inline std::vector<std::vector<double>> completion_values(int items, std::span<const std::vector<packing_option>> groups) {
  detail::check_packing_items(items);
  const std::size_t n = std::size_t{1} << items, G = groups.size();
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  const auto prefix = detail::packing_prefix(items, groups, nullptr);
  std::vector<std::vector<packing_option>> reversed(groups.rbegin(), groups.rend());
  const auto suffix = detail::packing_prefix(items, reversed, nullptr);  // suffix[j]: the last j groups
  std::vector<std::vector<double>> out(G);
  std::vector<double> others(n);
  for (std::size_t k = 0; k < G; ++k) {
    const auto& before = prefix[k];
    const auto& after = suffix[G - 1 - k];
    // others[mask]: best of the other groups using exactly mask; then the best within mask
    for (std::size_t mask = 0; mask < n; ++mask) {
      double best = minus_inf;
      for (std::size_t sub = mask;; sub = (sub - 1) & mask) {
        if (before[sub] != minus_inf && after[mask & ~sub] != minus_inf) best = std::max(best, before[sub] + after[mask & ~sub]);
        if (sub == 0) break;
      }
      others[mask] = best;
    }
    for (int i = 0; i < items; ++i)
      for (std::size_t mask = 0; mask < n; ++mask)
        if (mask >> i & 1u) others[mask] = std::max(others[mask], others[mask & ~(std::size_t{1} << i)]);
    out[k].reserve(groups[k].size());
    for (const auto& opt : groups[k]) out[k].push_back(opt.value + others[(n - 1) & ~static_cast<std::size_t>(opt.items)]);
  }
  return out;
}

}  // namespace fhops::search
