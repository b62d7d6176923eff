/// \file
/// Price-directed rows and a Lagrangian upper bound for the FHOPS objective.
///
/// Machines interact only through the work of a block (one shared pool, W_b) and the capacity of
/// a landing in a slot. Relaxing both with prices — lambda_b per unit of work, mu_(l,t) per
/// machine on landing l in slot t — leaves one independent problem per machine: its best row
/// when working block b in slot t earns max(0, wP - lambda_b) * rate(m, b) - mu_(landing(b), t)
/// and a change of block costs wM * move cost + wT (the first assignment is free; idle slots keep
/// the last block). `priced_row` solves it exactly by dynamic programming over (slot, last block).
/// `lagrangian_bound` minimises
///   L(lambda, mu) = sum_b lambda_b W_b + sum_(l,t) mu_(l,t) cap_l + sum_m best priced row of m
/// by the subgradient method; every L is an upper bound on the score of every plan without
/// penalty events (production per slot is at most the rate, a block yields at most W_b, a landing
/// takes at most cap_l productive machines), so the smallest one found bounds the optimum.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"

namespace fhops::harvest {

/// Scratch space of priced_row (reused between calls to avoid allocations).
struct priced_row_scratch {
  std::vector<double> value, next, switch_cost;
  std::vector<std::int32_t> choice;
};

/// The inputs of one machine's priced row.
struct row_prices {
  std::span<const int> blocks;           ///< candidate blocks (the row works no other)
  std::span<const double> block_price;   ///< lambda_b per unit of work, indexed by block
  std::span<const double> landing_price; ///< mu per (landing, slot), [l * num_slots + t]; empty: none
  std::span<const int> landing_room;     ///< machines landing l may still take in slot t, [l * S + t]; empty: no limit
};

/// The best row of machine m under `prices` (exact DP over slot and last block). Writes the row
/// into `row` (num_slots cells: a block or idle; a lock only bars the other blocks) and returns its
/// priced value: sum of priced gains minus mobilisation and transition costs.
inline double priced_row(const problem& pb, int m, const row_prices& prices, std::span<std::int32_t> row,
                         priced_row_scratch& s) {
  const int S = pb.num_slots;
  const int C = static_cast<int>(prices.blocks.size());
  const int n = C + 1;  // state 0: nothing worked yet; state i + 1: last block is candidate i
  const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
  const bool has_params = pb.has_move_params[m] != 0;
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  s.switch_cost.resize(static_cast<std::size_t>(C) * C);
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < C; ++i)
      s.switch_cost[static_cast<std::size_t>(j) * C + i] =
          i == j ? 0.0 : (has_params ? wM * pb.move_cost(m, prices.blocks[j], prices.blocks[i]) : 0.0) + wT;
  s.value.assign(n, minus_inf);
  s.value[0] = 0.0;
  s.next.resize(n);
  // choice[k * n + i]: the state before step k of the best path into state i; -1 - p when the
  // machine worked in step k coming from state p.
  s.choice.assign(static_cast<std::size_t>(S) * n, 0);
  for (int k = 0; k < S; ++k) {
    const int t = pb.eval_order[k];
    const std::size_t cm = pb.ms(m, t);
    std::int32_t* ch = s.choice.data() + static_cast<std::size_t>(k) * n;
    std::copy(s.value.begin(), s.value.end(), s.next.begin());  // idle keeps the state
    for (int i = 0; i < n; ++i) ch[i] = i;
    if (pb.available[cm] && !pb.blacked_out[cm]) {
      const std::int32_t lk = pb.lock[cm];
      for (int i = 0; i < C; ++i) {
        const int b = prices.blocks[i];
        if (lk >= 0 && lk != b) continue;
        const int d = pb.slot_day[t];
        if (d < pb.earliest[b] || d > pb.latest[b]) continue;
        const int l = pb.landing_of[b];
        const std::size_t lt = static_cast<std::size_t>(l) * S + t;
        if (!prices.landing_room.empty() && prices.landing_room[lt] <= 0) continue;
        double gain = std::max(0.0, wP - prices.block_price[b]) * pb.rate[pb.mb(m, b)];
        if (!prices.landing_price.empty()) gain -= prices.landing_price[lt];
        double best = s.value[0];
        int from = 0;
        for (int j = 0; j < C; ++j) {
          if (s.value[j + 1] == minus_inf) continue;
          const double v = s.value[j + 1] - s.switch_cost[static_cast<std::size_t>(j) * C + i];
          if (v > best) {
            best = v;
            from = j + 1;
          }
        }
        if (best + gain > s.next[i + 1]) {
          s.next[i + 1] = best + gain;
          ch[i + 1] = -1 - from;
        }
      }
    }
    s.value.swap(s.next);
  }
  int state = static_cast<int>(std::max_element(s.value.begin(), s.value.end()) - s.value.begin());
  const double total = s.value[state];
  for (int k = S - 1; k >= 0; --k) {
    const int t = pb.eval_order[k];
    const std::int32_t p = s.choice[static_cast<std::size_t>(k) * n + state];
    std::int32_t cell = idle;
    if (p < 0) {
      cell = prices.blocks[state - 1];
      state = -1 - p;
    } else {
      state = p;
    }
    row[t] = cell;
  }
  return total;
}

/// Parameters of the subgradient method.
struct lagrangian_parameters {
  int iterations = 300;           ///< subgradient steps
  double initial_step = 1.0;      ///< theta of the Polyak step theta * (L - target) / |g|^2
  int halve_after = 20;           ///< halve theta after this many steps without a smaller L
  double target = 0.0;            ///< score of a known plan (a lower bound on the optimum)

  void validate() const {
    if (iterations < 1) throw std::invalid_argument("lagrangian.iterations must be >= 1 (got " + std::to_string(iterations) + ")");
    if (!(initial_step > 0.0 && initial_step <= 2.0))
      throw std::invalid_argument("lagrangian.initial_step must be in (0, 2] (got " + std::to_string(initial_step) + ")");
    if (halve_after < 1) throw std::invalid_argument("lagrangian.halve_after must be >= 1 (got " + std::to_string(halve_after) + ")");
    if (!std::isfinite(target)) throw std::invalid_argument("lagrangian.target must be finite");
  }
};

/// The smallest L found and the prices that gave it.
struct lagrangian_result {
  double bound = 0.0;
  std::vector<double> block_price;    ///< lambda per block
  std::vector<double> landing_price;  ///< mu per (landing, slot)
  int iterations = 0;
};

/// The blocks machine m can produce on (positive rate, role allowed).
inline std::vector<int> workable_blocks(const problem& pb, int m) {
  std::vector<int> out;
  for (int b = 0; b < pb.num_blocks; ++b)
    if (pb.rate[pb.mb(m, b)] > 0.0 && pb.role_allowed[pb.mb(m, b)]) out.push_back(b);
  return out;
}

/// Minimises the Lagrangian dual by the subgradient method (see the file comment). Landing
/// capacity is priced only when the objective makes it a hard 1000 penalty (landing_slack == 0).
inline lagrangian_result lagrangian_bound(const problem& pb, const lagrangian_parameters& p = {}) {
  p.validate();
  const int S = pb.num_slots, B = pb.num_blocks, L = pb.num_landings, M = pb.num_machines;
  const bool price_landings = pb.weights.landing_slack == 0.0;
  std::vector<double> lambda(B, 0.0), mu(price_landings ? static_cast<std::size_t>(L) * S : 0, 0.0);
  std::vector<std::vector<int>> blocks(M);
  for (int m = 0; m < M; ++m) blocks[m] = workable_blocks(pb, m);
  priced_row_scratch scratch;
  std::vector<std::int32_t> row(S);
  std::vector<double> produced(B), g_mu(mu.size());
  lagrangian_result out;
  out.bound = std::numeric_limits<double>::infinity();
  double theta = p.initial_step;
  int since_better = 0;
  for (int it = 0; it < p.iterations; ++it) {
    double value = 0.0;
    for (int b = 0; b < B; ++b) value += lambda[b] * pb.work[b];
    for (int l = 0; l < L && price_landings; ++l)
      for (int t = 0; t < S; ++t) value += mu[static_cast<std::size_t>(l) * S + t] * pb.landing_capacity[l];
    std::fill(produced.begin(), produced.end(), 0.0);
    for (int l = 0; l < L && price_landings; ++l)
      for (int t = 0; t < S; ++t) g_mu[static_cast<std::size_t>(l) * S + t] = pb.landing_capacity[l];
    for (int m = 0; m < M; ++m) {
      value += priced_row(pb, m, {blocks[m], lambda, mu, {}}, row, scratch);
      for (int t = 0; t < S; ++t) {
        const std::int32_t b = row[t];
        if (b < 0) continue;
        if (pb.weights.production - lambda[b] > 0.0) produced[b] += pb.rate[pb.mb(m, b)];
        if (price_landings) g_mu[static_cast<std::size_t>(pb.landing_of[b]) * S + t] -= 1.0;
      }
    }
    out.iterations = it + 1;
    if (value < out.bound) {
      out.bound = value;
      out.block_price = lambda;
      out.landing_price = mu;
      since_better = 0;
    } else if (++since_better >= p.halve_after) {
      theta /= 2.0;
      since_better = 0;
    }
    // subgradient of L: W_b - produced_b and cap_l - use_(l,t); step towards smaller L
    double norm = 0.0;
    for (int b = 0; b < B; ++b) norm += (pb.work[b] - produced[b]) * (pb.work[b] - produced[b]);
    for (const double g : g_mu) norm += g * g;
    if (norm <= 0.0) break;  // the priced rows are feasible and complementary: L is optimal
    const double step = theta * std::max(value - p.target, 1e-9) / norm;
    for (int b = 0; b < B; ++b) lambda[b] = std::max(0.0, lambda[b] - step * (pb.work[b] - produced[b]));
    for (std::size_t k = 0; k < mu.size(); ++k) mu[k] = std::max(0.0, mu[k] - step * g_mu[k]);
  }
  return out;
}

}  // namespace fhops::harvest
