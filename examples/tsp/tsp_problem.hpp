/// \file
/// A symmetric travelling-salesman problem written against the generic search library
/// (fhops/search/concepts.hpp): an instance, a search space (state = tour, moves = 2-opt reversal
/// or swap, exact move evaluation) and a neighbourhood with tabu attributes. The library's
/// algorithms (SA, ILS, Tabu) solve it with nothing but these two types; examples/tsp/main.cpp
/// shows how, and the test suite (tests/search/search_test.cpp) checks the algorithms on it.
/// Distances are Euclidean distances in hundredths, rounded to whole numbers (stored as doubles),
/// so every tour length is an exact integer whatever the order of summation: scores compare
/// exactly, and a tour found twice has bit-identical scores.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numbers>
#include <numeric>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/search/concepts.hpp"
#include "fhops/util/rng.hpp"

namespace tsp {

struct point {
  double x = 0.0, y = 0.0;
};

/// A symmetric instance: integral distances d(a, b) = round(100 * |a - b|).
class instance {
public:
  explicit instance(std::vector<point> pts) : n_(pts.size()), d_(n_ * n_, 0.0), pts_(std::move(pts)) {
    for (std::size_t a = 0; a < n_; ++a)
      for (std::size_t b = a + 1; b < n_; ++b) {
        const double d = std::round(100.0 * std::hypot(pts_[a].x - pts_[b].x, pts_[a].y - pts_[b].y));
        d_[a * n_ + b] = d;
        d_[b * n_ + a] = d;
      }
  }

  std::size_t size() const { return n_; }
  double dist(int a, int b) const { return d_[static_cast<std::size_t>(a) * n_ + static_cast<std::size_t>(b)]; }

  /// Length of the closed tour whose city at position p is city_at(p).
  template <class CityAt>
  double length_by(CityAt city_at) const {
    double len = 0.0;
    for (std::size_t p = 0; p < n_; ++p) len += dist(city_at(p), city_at((p + 1) % n_));
    return len;
  }
  double length(const std::vector<int>& tour) const {
    return length_by([&](std::size_t p) { return tour[p]; });
  }

  /// True when `tour` visits every city exactly once.
  bool is_tour(const std::vector<int>& tour) const {
    if (tour.size() != n_) return false;
    std::vector<int> t = tour;
    std::sort(t.begin(), t.end());
    for (std::size_t i = 0; i < n_; ++i)
      if (t[i] != static_cast<int>(i)) return false;
    return true;
  }

private:
  std::size_t n_;
  std::vector<double> d_;
  std::vector<point> pts_;
};

/// n cities evenly spaced on a circle: the optimum is the polygon (cities in index order), of length
/// n * round(100 * 2 r sin(pi / n)).
inline instance circle(std::size_t n, double radius = 10.0) {
  std::vector<point> pts;
  for (std::size_t k = 0; k < n; ++k) {
    const double a = 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
    pts.push_back({radius * std::cos(a), radius * std::sin(a)});
  }
  return instance(std::move(pts));
}

inline double circle_optimum(std::size_t n, double radius = 10.0) {
  return static_cast<double>(n) * std::round(100.0 * 2.0 * radius * std::sin(std::numbers::pi / static_cast<double>(n)));
}

/// n cities uniform in [0, side)^2.
inline instance random_instance(std::size_t n, std::uint64_t seed, double side = 10.0) {
  fhops::rng r(seed);
  std::vector<point> pts;
  for (std::size_t k = 0; k < n; ++k) {
    const double x = r.uniform(0.0, side);
    const double y = r.uniform(0.0, side);
    pts.push_back({x, y});
  }
  return instance(std::move(pts));
}

/// The identity tour 0, 1, ..., n-1.
inline std::vector<int> identity_tour(std::size_t n) {
  std::vector<int> t(n);
  std::iota(t.begin(), t.end(), 0);
  return t;
}

/// A uniformly random tour (Fisher-Yates over fhops::rng, so it is the same on every platform).
inline std::vector<int> random_tour(std::size_t n, std::uint64_t seed) {
  fhops::rng r(seed);
  std::vector<int> t = identity_tour(n);
  for (std::size_t i = n; i > 1; --i) std::swap(t[i - 1], t[r.below(i)]);
  return t;
}

/// The optimum tour length by enumeration (city 0 fixed first): fine up to ~10 cities.
inline double brute_force_optimum(const instance& in) {
  std::vector<int> t = identity_tour(in.size());
  double best = std::numeric_limits<double>::infinity();
  do best = std::min(best, in.length(t));
  while (std::next_permutation(t.begin() + 1, t.end()));
  return best;
}

// ---------------------------------------------------------------------------------------------
// The search space.

enum class move_kind : std::uint8_t { two_opt, swap };

/// two_opt: reverse the tour positions i..j (i < j); swap: exchange the cities at positions i and j.
struct move {
  move_kind kind = move_kind::two_opt;
  int i = 0, j = 0;
};

struct state {
  std::vector<int> tour;
  double length = 0.0;  ///< cached, always instance::length(tour)
};

class space {
public:
  using state_type = state;
  using move_type = move;
  using solution_type = std::vector<int>;

  explicit space(const instance& in) : in_(&in) {}

  const instance& problem() const { return *in_; }

  state make_state(std::vector<int> tour) const {
    state s{std::move(tour), 0.0};
    s.length = in_->length(s.tour);
    return s;
  }

  /// Scores are maximised: minus the tour length.
  double score(const state& s) const { return -s.length; }

  /// The city at position p of the tour the move would produce.
  static int city_after(const state& s, const move& m, std::size_t p) {
    const auto i = static_cast<std::size_t>(m.i), j = static_cast<std::size_t>(m.j);
    if (m.kind == move_kind::two_opt) return p >= i && p <= j ? s.tour[i + j - p] : s.tour[p];
    return p == i ? s.tour[j] : p == j ? s.tour[i] : s.tour[p];
  }

  /// The exact score after the move (the state is not touched): the new tour summed in tour order,
  /// exactly as apply() computes the cached length.
  double evaluate(const state& s, const move& m) {
    ++evaluations;
    return -in_->length_by([&](std::size_t p) { return city_after(s, m, p); });
  }

  /// Makes the move (both moves are their own inverse: applying one twice gives the tour back).
  void apply(state& s, const move& m) {
    ++applied;
    flip(s, m);
  }

  solution_type snapshot(const state& s) const { return s.tour; }
  void restore(state& s, const solution_type& sol) {
    s.tour = sol;
    s.length = in_->length(s.tour);
  }

  // Call counters, to check the run's bookkeeping against what really happened.
  long long evaluations = 0;
  long long applied = 0;

private:
  void flip(state& s, const move& m) const {
    if (m.kind == move_kind::two_opt)
      std::reverse(s.tour.begin() + m.i, s.tour.begin() + m.j + 1);
    else
      std::swap(s.tour[static_cast<std::size_t>(m.i)], s.tour[static_cast<std::size_t>(m.j)]);
    s.length = in_->length(s.tour);
  }

  const instance* in_;
};

/// Operators: 0 = "two_opt" (a random segment reversal not touching position 0), 1 = "swap" (two
/// random positions). Tabu attributes are edges: a move makes the edges it removes tabu (adding one
/// back would undo part of it) and is tabu when it adds a tabu edge (none when tabu_attributes is
/// false, for comparison). No move when fewer than 4 cities.
class neighbourhood {
public:
  std::size_t operator_count() const { return 2; }
  std::string_view operator_name(std::size_t op) const { return op == 0 ? "two_opt" : "swap"; }

  bool propose(std::size_t op, const state& s, fhops::rng& r, move& m) {
    ++proposals;
    const auto n = s.tour.size();
    if (n < 4) return false;
    if (op == 0) {
      // i in [1, n-2], j in [i+1, n-1], but not (1, n-1): reversing everything after position 0
      // gives the same cycle.
      const auto i = 1 + r.below(n - 2);
      const auto j = i + 1 + r.below(n - 1 - i - (i == 1 ? 1 : 0));
      m = {move_kind::two_opt, static_cast<int>(i), static_cast<int>(j)};
    } else {
      auto i = r.below(n), j = r.below(n - 1);
      if (j >= i) ++j;
      if (i > j) std::swap(i, j);
      m = {move_kind::swap, static_cast<int>(i), static_cast<int>(j)};
    }
    return true;
  }

  static std::uint64_t edge_key(int a, int b) {
    if (a > b) std::swap(a, b);
    return (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint64_t>(b);
  }

  /// Edges of the current tour that the move removes.
  void tabu_made(const state& s, const move& m, std::vector<std::uint64_t>& keys) const {
    if (tabu_attributes) edge_diff(s, m, keys, /*removed=*/true);
  }
  /// Edges the move adds.
  void tabu_used(const state& s, const move& m, std::vector<std::uint64_t>& keys) const {
    if (tabu_attributes) edge_diff(s, m, keys, /*removed=*/false);
  }

  bool tabu_attributes = true;
  long long proposals = 0;

private:
  static void edge_diff(const state& s, const move& m, std::vector<std::uint64_t>& keys, bool removed) {
    const std::size_t n = s.tour.size();
    std::vector<std::uint64_t> before, after;
    for (std::size_t p = 0; p < n; ++p) {
      before.push_back(edge_key(s.tour[p], s.tour[(p + 1) % n]));
      after.push_back(edge_key(space::city_after(s, m, p), space::city_after(s, m, (p + 1) % n)));
    }
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    if (removed)
      std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(keys));
    else
      std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(keys));
  }
};

static_assert(fhops::search::search_space<space>);
static_assert(fhops::search::neighbourhood_for<neighbourhood, space>);
static_assert(fhops::search::tabu_neighbourhood_for<neighbourhood, space>);

}  // namespace tsp
