/// \file
/// A 0/1 knapsack problem written against the generic search library (fhops/search/concepts.hpp):
/// an instance, a search space (state = the items taken, exact O(1) move evaluation) and a
/// neighbourhood of two operators, "flip" (take or drop one item) and "swap" (drop one item, take
/// another). Every move keeps the load within the capacity, so every state is a feasible packing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/search/concepts.hpp"
#include "fhops/util/rng.hpp"

namespace knapsack {

struct item {
  long long weight = 0, value = 0;
};

/// Items and the knapsack's capacity (weights and values are positive integers).
struct instance {
  std::vector<item> items;
  long long capacity = 0;
};

/// n items with weights in [1, 1000] and value = weight + 100 ("strongly correlated": the hard
/// case, where the greedy by value per weight leaves a few percent; with independent values it is
/// nearly optimal); the capacity is half the total weight.
inline instance random_instance(std::size_t n, std::uint64_t seed) {
  fhops::rng r(seed);
  instance in;
  for (std::size_t i = 0; i < n; ++i) {
    const long long w = r.between(1, 1000);
    in.items.push_back({w, w + 100});
    in.capacity += w;
  }
  in.capacity /= 2;
  return in;
}

/// The item indices by decreasing value per unit of weight (ties: lower index first).
inline std::vector<std::size_t> by_ratio(const instance& in) {
  std::vector<std::size_t> order(in.items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return in.items[a].value * in.items[b].weight > in.items[b].value * in.items[a].weight;
  });
  return order;
}

/// The greedy packing's value: items by ratio, each taken when it still fits.
inline long long greedy_value(const instance& in) {
  long long load = 0, value = 0;
  for (const std::size_t i : by_ratio(in))
    if (load + in.items[i].weight <= in.capacity) load += in.items[i].weight, value += in.items[i].value;
  return value;
}

/// An upper bound of the optimum: the LP relaxation (items by ratio, the first that does not fit
/// taken in part).
inline double lp_bound(const instance& in) {
  long long load = 0;
  double value = 0.0;
  for (const std::size_t i : by_ratio(in)) {
    const item& it = in.items[i];
    if (load + it.weight > in.capacity)
      return value + static_cast<double>(it.value) * static_cast<double>(in.capacity - load) / static_cast<double>(it.weight);
    load += it.weight, value += static_cast<double>(it.value);
  }
  return value;
}

/// A move: drop item `out` and/or take item `in` (-1: none). Flip sets one of them, swap both.
struct move {
  int out = -1, in = -1;
};

/// The items taken, with the load and value kept up to date.
struct state {
  std::vector<char> taken;
  long long load = 0, value = 0;
};

/// The search space: scores are the packing's value (maximised).
class space {
public:
  using state_type = state;
  using move_type = move;
  using solution_type = std::vector<char>;

  explicit space(const instance& in) : in_(&in) {}

  /// The state of a packing (1 = taken).
  state make_state(std::vector<char> taken) const {
    state s{std::move(taken), 0, 0};
    for (std::size_t i = 0; i < s.taken.size(); ++i)
      if (s.taken[i]) s.load += in_->items[i].weight, s.value += in_->items[i].value;
    return s;
  }
  /// The empty knapsack.
  state empty() const { return make_state(std::vector<char>(in_->items.size(), 0)); }

  double score(const state& s) const { return static_cast<double>(s.value); }
  /// The value after the move, in O(1) (the delta evaluation every algorithm relies on).
  double evaluate(const state& s, const move& m) const {
    return static_cast<double>(s.value - (m.out >= 0 ? at(m.out).value : 0) + (m.in >= 0 ? at(m.in).value : 0));
  }
  void apply(state& s, const move& m) const {
    if (m.out >= 0) s.taken[static_cast<std::size_t>(m.out)] = 0, s.load -= at(m.out).weight, s.value -= at(m.out).value;
    if (m.in >= 0) s.taken[static_cast<std::size_t>(m.in)] = 1, s.load += at(m.in).weight, s.value += at(m.in).value;
  }
  solution_type snapshot(const state& s) const { return s.taken; }
  void restore(state& s, const solution_type& taken) const { s = make_state(taken); }

  const instance& problem() const { return *in_; }

private:
  const item& at(int i) const { return in_->items[static_cast<std::size_t>(i)]; }
  const instance* in_;
};

/// Operators: 0 = "flip" (a random item: dropped if taken, taken if it fits), 1 = "swap" (a random
/// taken item out, a random other item in, when the load stays within the capacity). Each makes up
/// to n draws before it says it has no move.
class neighbourhood {
public:
  explicit neighbourhood(const instance& in) : in_(&in) {}

  std::size_t operator_count() const { return 2; }
  std::string_view operator_name(std::size_t op) const { return op == 0 ? "flip" : "swap"; }

  bool propose(std::size_t op, const state& s, fhops::rng& r, move& m) const {
    const std::size_t n = s.taken.size();
    for (std::size_t attempt = 0; attempt < n; ++attempt) {
      const auto i = static_cast<int>(r.below(n));
      if (op == 0) {
        if (s.taken[static_cast<std::size_t>(i)]) m = {i, -1};
        else if (s.load + weight(i) <= in_->capacity) m = {-1, i};
        else continue;
        return true;
      }
      const auto j = static_cast<int>(r.below(n));
      if (s.taken[static_cast<std::size_t>(i)] && !s.taken[static_cast<std::size_t>(j)] && s.load - weight(i) + weight(j) <= in_->capacity) {
        m = {i, j};
        return true;
      }
    }
    return false;
  }

private:
  long long weight(int i) const { return in_->items[static_cast<std::size_t>(i)].weight; }
  const instance* in_;
};

static_assert(fhops::search::search_space<space>);
static_assert(fhops::search::neighbourhood_for<neighbourhood, space>);

}  // namespace knapsack
