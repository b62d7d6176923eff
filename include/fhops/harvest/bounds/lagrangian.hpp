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
/// by the subgradient method, with tighter rows (`run_capped_row`: a stay on a block is credited
/// at most its work) and the change costs of bound_switch_costs (never above what any plan pays);
/// every L is an upper bound on the score of every plan (the proof, term by term, is at
/// lagrangian_bound), so the smallest one found bounds the optimum. fhops/harvest/bounds/bound.hpp wraps
/// it for a scenario: a target from a quick plan, a time limit, branches, the gap to a plan.
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
#include "fhops/util/deadline.hpp"

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
  /// Cost of changing from candidate j to candidate i, [j * C + i] (C = blocks.size(), 0 on the
  /// diagonal); empty: wM x move cost + wT of the direct move (see bound_switch_costs).
  std::span<const double> switch_cost;
  /// run_capped_row only: a candidate (index into blocks) every row must work at least once; -1: none.
  int required = -1;
};

namespace detail {

/// wM x move cost + wT of changing machine m from blocks[j] to blocks[i], into out[j * C + i]
/// (0 on the diagonal).
inline void direct_switch_costs(const problem& pb, int m, std::span<const int> blocks, std::vector<double>& out) {
  const std::size_t C = blocks.size();
  const double wM = pb.weights.mobilisation, wT = pb.weights.transitions;
  const bool has_params = pb.has_move_params[m] != 0;
  out.resize(C * C);
  for (std::size_t j = 0; j < C; ++j)
    for (std::size_t i = 0; i < C; ++i)
      out[j * C + i] = i == j ? 0.0 : (has_params ? wM * pb.move_cost(m, blocks[j], blocks[i]) : 0.0) + wT;
}

}  // namespace detail

/// The best row of machine m under `prices` (exact DP over slot and last block). Writes the row
/// into `row` (num_slots cells: a block or idle; a lock only bars the other blocks) and returns its
/// priced value: sum of priced gains minus mobilisation and transition costs.
inline double priced_row(const problem& pb, int m, const row_prices& prices, std::span<std::int32_t> row,
                         priced_row_scratch& s) {
  const int S = pb.num_slots;
  const int C = static_cast<int>(prices.blocks.size());
  const int n = C + 1;  // state 0: nothing worked yet; state i + 1: last block is candidate i
  const double wP = pb.weights.production;
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  if (prices.switch_cost.empty()) detail::direct_switch_costs(pb, m, prices.blocks, s.switch_cost);
  const double* sw = prices.switch_cost.empty() ? s.switch_cost.data() : prices.switch_cost.data();
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
          const double v = s.value[j + 1] - sw[static_cast<std::size_t>(j) * C + i];
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

/// Scratch space of run_capped_row (reused between calls to avoid allocations).
struct run_capped_scratch {
  std::vector<double> value, next, best_of, switch_cost;
  std::vector<int> first, runs;  // per candidate: its first state and its number of stay lengths
  std::vector<int> best_state;   // per candidate: its best state before this step, -1 if none
  std::vector<std::int32_t> choice;
};

/// priced_row with each stay capped at the block's work: a row that arrives on block b and works
/// it k productive slots (idle slots between them keep the stay) is credited
/// min(rate, W_b - (k - 1) rate) for the k-th, never more than W_b in one stay, since no machine
/// takes more than the block's work however long it stays. Exact DP over (slot, last block, slots
/// worked in this stay, at most min(ceil(W_b / rate), S)) and, when prices.required >= 0, whether
/// candidate `required` was worked yet (only rows that work it count). Writes the row and the
/// production credited to each cell (0 when idle, or when wP - lambda_b <= 0); returns the priced
/// value, -infinity when no row works the required candidate. Uses prices.switch_cost when given
/// (as priced_row), and never prices.landing_room.
inline double run_capped_row(const problem& pb, int m, const row_prices& prices, std::span<std::int32_t> row,
                             std::span<double> credited, run_capped_scratch& s) {
  const int S = pb.num_slots;
  const int C = static_cast<int>(prices.blocks.size());
  const double wP = pb.weights.production;
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  if (prices.switch_cost.empty()) detail::direct_switch_costs(pb, m, prices.blocks, s.switch_cost);
  const double* sw = prices.switch_cost.empty() ? s.switch_cost.data() : prices.switch_cost.data();
  // state 0: nothing worked yet; state first[i] + k - 1: on candidate i, k productive slots in this
  // stay; with a required candidate, the states + n: the same after working it
  s.first.resize(C);
  s.runs.resize(C);
  int n = 1;
  for (int i = 0; i < C; ++i) {
    const int b = prices.blocks[i];
    const double rt = pb.rate[pb.mb(m, b)];
    const double slots = rt > 0.0 ? std::ceil(pb.work[b] / rt) : 1.0;
    s.first[i] = n;
    s.runs[i] = static_cast<int>(std::clamp(slots, 1.0, static_cast<double>(S)));
    n += s.runs[i];
  }
  const int req = prices.required >= 0 && prices.required < C ? prices.required : -1;
  const int layers = prices.required >= 0 ? 2 : 1;  // a required candidate out of range: no row qualifies
  const int N = n * layers;
  // the k-th productive slot of a stay yields min(rate, W_b - (k - 1) rate), at least 0
  const auto yield = [&](int b, double rt, int k) { return std::max(0.0, std::min(rt, pb.work[b] - (k - 1) * rt)); };
  s.value.assign(N, minus_inf);
  s.value[0] = 0.0;
  s.next.resize(N);
  s.best_of.resize(static_cast<std::size_t>(C) * layers);
  s.best_state.resize(static_cast<std::size_t>(C) * layers);
  // choice[k * N + x]: the state before step k of the best path into x; -1 - p when the machine
  // worked in step k coming from state p.
  s.choice.assign(static_cast<std::size_t>(S) * N, 0);
  for (int step = 0; step < S; ++step) {
    const int t = pb.eval_order[step];
    const std::size_t cm = pb.ms(m, t);
    std::int32_t* ch = s.choice.data() + static_cast<std::size_t>(step) * N;
    std::copy(s.value.begin(), s.value.end(), s.next.begin());  // idle keeps the state
    for (int x = 0; x < N; ++x) ch[x] = x;
    if (pb.available[cm] && !pb.blacked_out[cm]) {
      for (int g = 0; g < layers; ++g)
        for (int j = 0; j < C; ++j) {
          const std::size_t gj = static_cast<std::size_t>(g) * C + j;
          s.best_state[gj] = -1;
          double v = minus_inf;
          for (int k = 0; k < s.runs[j]; ++k)
            if (s.value[g * n + s.first[j] + k] > v) {
              v = s.value[g * n + s.first[j] + k];
              s.best_state[gj] = g * n + s.first[j] + k;
            }
          s.best_of[gj] = v;
        }
      const std::int32_t lk = pb.lock[cm];
      const int d = pb.slot_day[t];
      for (int i = 0; i < C; ++i) {
        const int b = prices.blocks[i];
        if (lk >= 0 && lk != b) continue;
        if (d < pb.earliest[b] || d > pb.latest[b]) continue;
        const double rt = pb.rate[pb.mb(m, b)];
        const double margin = std::max(0.0, wP - prices.block_price[b]);
        const double mu =
            prices.landing_price.empty() ? 0.0 : prices.landing_price[static_cast<std::size_t>(pb.landing_of[b]) * S + t];
        const int f = s.first[i], K = s.runs[i];
        for (int g = 0; g < layers; ++g) {
          const int to_layer = i == req ? 1 : g;  // working the required candidate sets the flag
          // arrive: from nothing, or from another candidate's best state
          double best = s.value[g * n];
          int from = g * n;
          for (int j = 0; j < C; ++j) {
            const std::size_t gj = static_cast<std::size_t>(g) * C + j;
            if (j == i || s.best_state[gj] < 0) continue;
            const double v = s.best_of[gj] - sw[static_cast<std::size_t>(j) * C + i];
            if (v > best) {
              best = v;
              from = s.best_state[gj];
            }
          }
          const int into = to_layer * n + f;
          const double arrive = best + margin * yield(b, rt, 1) - mu;
          if (arrive > s.next[into]) {
            s.next[into] = arrive;
            ch[into] = -1 - from;
          }
          // stay: k -> k + 1 (the last length absorbs longer stays, which yield nothing more)
          for (int k = 1; k <= K; ++k) {
            const double v0 = s.value[g * n + f + k - 1];
            if (v0 == minus_inf) continue;
            const int to = to_layer * n + f + std::min(k, K - 1);
            const double v = v0 + margin * yield(b, rt, k + 1) - mu;
            if (v > s.next[to]) {
              s.next[to] = v;
              ch[to] = -1 - (g * n + f + k - 1);
            }
          }
        }
      }
    }
    s.value.swap(s.next);
  }
  const int last = (layers - 1) * n;  // with a required candidate, only the rows that worked it
  int state = last + static_cast<int>(std::max_element(s.value.begin() + last, s.value.end()) - (s.value.begin() + last));
  const double total = layers == 2 && req < 0 ? minus_inf : s.value[state];
  for (int step = S - 1; step >= 0; --step) {
    const int t = pb.eval_order[step];
    row[t] = idle;
    credited[t] = 0.0;
    if (total == minus_inf) continue;
    const std::int32_t p = s.choice[static_cast<std::size_t>(step) * N + state];
    if (p < 0) {
      const int x = state % n;
      const int i = static_cast<int>(std::upper_bound(s.first.begin(), s.first.end(), x) - s.first.begin()) - 1;
      const int b = prices.blocks[i];
      const int prev = -1 - p;
      // the k of this cell: 1 on arrival, else one more than the state it stayed from
      const int px = prev % n;
      const bool stayed = px >= s.first[i] && px < s.first[i] + s.runs[i];
      const int k = stayed ? px - s.first[i] + 2 : 1;
      row[t] = b;
      if (wP - prices.block_price[b] > 0.0) credited[t] = yield(b, pb.rate[pb.mb(m, b)], k);
      state = prev;
    } else {
      state = p;
    }
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
  double bound = 0.0;                 ///< +infinity when no step finished before the deadline
  std::vector<double> block_price;    ///< lambda per block
  std::vector<double> landing_price;  ///< mu per (landing, slot); empty when landings are not priced
  int iterations = 0;                 ///< finished subgradient steps
  bool out_of_time = false;           ///< the deadline stopped the steps early
};

/// The blocks machine m can produce on (positive rate, role allowed).
inline std::vector<int> workable_blocks(const problem& pb, int m) {
  std::vector<int> out;
  for (int b = 0; b < pb.num_blocks; ++b)
    if (pb.rate[pb.mb(m, b)] > 0.0 && pb.role_allowed[pb.mb(m, b)]) out.push_back(b);
  return out;
}

/// The cheapest the objective can ever charge machine m for ending up on candidate i after last
/// working candidate j, [j * C + i]: what priced_row needs to bound every plan, not only plans of
/// direct moves. Two effects of the objective make a direct move dearer than another way there:
/// a productive cell on a block the machine cannot produce on (rate 0) still moves it, so a plan
/// may go j -> k -> i through any block of an allowed role (the move costs need not obey the
/// triangle inequality); and a penalty event (1000) that resets the machine's last block (an
/// unavailable, blacked-out, lock-breaking or forbidden-role cell) or sets it (a failed
/// prerequisite) makes the next move free. So the cost is the shortest path over the allowed
/// blocks by wM x move cost + wT per step, capped at one penalty. O(K^3) for K allowed blocks.
inline std::vector<double> bound_switch_costs(const problem& pb, int m, std::span<const int> blocks) {
  constexpr double penalty = 1000.0;  // evaluate.hpp's penalty_per_event
  std::vector<int> all;  // the candidates first, then the other blocks of an allowed role
  all.assign(blocks.begin(), blocks.end());
  std::vector<std::uint8_t> is_candidate(pb.num_blocks, 0);
  for (const int b : blocks) is_candidate[b] = 1;
  for (int b = 0; b < pb.num_blocks; ++b)
    if (!is_candidate[b] && pb.role_allowed[pb.mb(m, b)]) all.push_back(b);
  const std::size_t K = all.size(), C = blocks.size();
  std::vector<double> d;
  detail::direct_switch_costs(pb, m, all, d);
  for (double& x : d) x = std::min(x, penalty);
  if (K > C) {  // only paths through other blocks can beat a capped direct move between candidates
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t j = 0; j < K; ++j) {
        const double djk = d[j * K + k];
        if (djk >= penalty) continue;
        for (std::size_t i = 0; i < K; ++i) d[j * K + i] = std::min(d[j * K + i], djk + d[k * K + i]);
      }
  } else {
    for (std::size_t k = 0; k < C; ++k)
      for (std::size_t j = 0; j < C; ++j) {
        const double djk = d[j * K + k];
        if (djk >= penalty) continue;
        for (std::size_t i = 0; i < C; ++i) d[j * K + i] = std::min(d[j * K + i], djk + d[k * K + i]);
      }
  }
  std::vector<double> out(C * C);
  for (std::size_t j = 0; j < C; ++j)
    for (std::size_t i = 0; i < C; ++i) out[j * C + i] = d[j * K + i];
  return out;
}

/// Restrictions of the rows in one branch of a search over machine-block pairs (bound.hpp): per
/// machine, the blocks it may produce on (a subset of workable_blocks) and a block it must produce
/// on at least once (-1: none). The bound under them holds for the plans that obey them.
struct row_restrictions {
  std::vector<std::vector<int>> blocks;
  std::vector<int> required;
};

/// Minimises the Lagrangian dual by the subgradient method (see the file comment) until
/// `p.iterations` steps are done or `stop` expires (checked between machine rows; a step cut
/// short is dropped, so every L reported is complete). Every L is an upper bound on the score of
/// every plan, penalty events included:
/// * production: a block yields at most W_b, a cell at most the rate: wP P <= sum_b lambda_b W_b
///   + sum over productive cells of max(0, wP - lambda_b) rate, for any lambda >= 0;
/// * moves: the rows pay bound_switch_costs, never more than a plan pays between productive cells;
/// * landing capacity, hard (landing_slack == 0): at most cap_l productive machines per slot (an
///   extra one is a penalty and produces nothing), so any mu >= 0 is valid;
/// * landing capacity, soft (landing_slack = wS > 0): e machines over capacity pay
///   wS (1 + ... + e) >= wS e, so -wS x slack <= mu (cap_l - use) for 0 <= mu <= wS: mu is kept there;
/// * penalties, prerequisites, idle locked cells and finished blocks only lower the score.
/// The result is rounded up by 1e-9 (1 + |L|) against rounding in the sums.
/// With `restrictions`, the rows obey them (the bound is -infinity when no row of some machine
/// can); with `start`, the steps start from its prices instead of zero.
inline lagrangian_result lagrangian_bound(const problem& pb, const lagrangian_parameters& p = {}, const deadline& stop = {},
                                          const row_restrictions* restrictions = nullptr, const lagrangian_result* start = nullptr) {
  p.validate();
  const int S = pb.num_slots, B = pb.num_blocks, L = pb.num_landings, M = pb.num_machines;
  const double wS = pb.weights.landing_slack;
  // mu's ceiling: none for a hard capacity, the slack price for a soft one
  const double mu_max = wS == 0.0 ? std::numeric_limits<double>::infinity() : wS;
  std::vector<double> lambda(B, 0.0), mu(static_cast<std::size_t>(L) * S, 0.0);
  if (start && start->block_price.size() == lambda.size()) lambda = start->block_price;
  if (start && start->landing_price.size() == mu.size()) mu = start->landing_price;
  std::vector<std::vector<int>> blocks(M);
  std::vector<std::vector<double>> switch_cost(M);
  std::vector<int> required(M, -1);
  for (int m = 0; m < M; ++m) {
    blocks[m] = restrictions ? restrictions->blocks.at(m) : workable_blocks(pb, m);
    switch_cost[m] = bound_switch_costs(pb, m, blocks[m]);
    if (restrictions && restrictions->required.at(m) >= 0) {  // its candidate index; out of range when absent
      const auto it = std::find(blocks[m].begin(), blocks[m].end(), restrictions->required[m]);
      required[m] = static_cast<int>(it - blocks[m].begin());
    }
  }
  run_capped_scratch scratch;
  std::vector<std::int32_t> row(S);
  std::vector<double> credited(S), produced(B), g_mu(mu.size());
  lagrangian_result out;
  out.bound = std::numeric_limits<double>::infinity();
  double theta = p.initial_step;
  int since_better = 0;
  for (int it = 0; it < p.iterations; ++it) {
    if (stop.expired()) {
      out.out_of_time = true;
      break;
    }
    double value = 0.0;
    for (int b = 0; b < B; ++b) value += lambda[b] * pb.work[b];
    for (int l = 0; l < L; ++l)
      for (int t = 0; t < S; ++t) {
        value += mu[static_cast<std::size_t>(l) * S + t] * pb.landing_capacity[l];
        g_mu[static_cast<std::size_t>(l) * S + t] = pb.landing_capacity[l];
      }
    std::fill(produced.begin(), produced.end(), 0.0);
    bool cut_short = false;
    for (int m = 0; m < M; ++m) {
      if (m > 0 && stop.expired()) {
        cut_short = true;
        break;
      }
      value += run_capped_row(pb, m, {blocks[m], lambda, mu, {}, switch_cost[m], required[m]}, row, credited, scratch);
      if (value == -std::numeric_limits<double>::infinity()) break;  // no plan obeys the restrictions
      for (int t = 0; t < S; ++t) {
        const std::int32_t b = row[t];
        if (b < 0) continue;
        produced[b] += credited[t];
        g_mu[static_cast<std::size_t>(pb.landing_of[b]) * S + t] -= 1.0;
      }
    }
    if (cut_short) {
      out.out_of_time = true;
      break;
    }
    out.iterations = it + 1;
    if (value == -std::numeric_limits<double>::infinity()) {
      out.bound = value;
      break;
    }
    if (value < out.bound) {
      out.bound = value;
      out.block_price = lambda;
      out.landing_price = mu;
      since_better = 0;
    } else if (++since_better >= p.halve_after) {
      theta /= 2.0;
      since_better = 0;
    }
    // subgradient of L: W_b - produced_b and cap_l - use_(l,t); step towards smaller L. A price at
    // its floor (or mu at its ceiling) whose step would push it further stays there and does not
    // count in the step's norm.
    double norm = 0.0;
    for (int b = 0; b < B; ++b) {
      const double g = pb.work[b] - produced[b];
      if (!(lambda[b] <= 0.0 && g > 0.0)) norm += g * g;
    }
    for (std::size_t k = 0; k < mu.size(); ++k) {
      const double g = g_mu[k];
      if (!(mu[k] <= 0.0 && g > 0.0) && !(mu[k] >= mu_max && g < 0.0)) norm += g * g;
    }
    if (norm <= 0.0) break;  // a zero projected subgradient: L is the dual optimum
    const double step = theta * std::max(value - p.target, 1e-9) / norm;
    for (int b = 0; b < B; ++b) lambda[b] = std::max(0.0, lambda[b] - step * (pb.work[b] - produced[b]));
    for (std::size_t k = 0; k < mu.size(); ++k) mu[k] = std::clamp(mu[k] - step * g_mu[k], 0.0, mu_max);
  }
  if (std::isfinite(out.bound)) out.bound += 1e-9 * (1.0 + std::fabs(out.bound));
  return out;
}

}  // namespace fhops::harvest
