/// \file
/// Landing decomposition: plans in which every machine works the blocks of one landing only.
///
/// When no machine ever leaves its landing, the objective separates: block work, landing capacity
/// and every machine's mobilisation belong to one landing, so the score is the sum over landings
/// of the score of each landing's crew on its own blocks. `crew_plan` searches one crew's rows
/// (best responses by a segment DP that knows the work the others leave, from several starts),
/// `crew_bound` and the tighter `crew_segment_bound` bound every plan of that crew from above
/// (Lagrangian: block work priced, each machine's row solved exactly for the prices), and
/// `decompose_landings` puts them together: crews of at most `max_crew` machines (and never more
/// than the landing's capacity, so capacity cannot bind), an exact set packing over machine
/// subsets (fhops/search/exact/set_packing.hpp) for the best assignment of crews to landings by searched
/// values, and the same packing over the bounds, which bounds every plan of this form. Scenarios
/// with locks or sequencing are refused: they couple machines and days across the decomposition.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/search/exact/set_packing.hpp"

namespace fhops::harvest {

/// Parameters of the landing decomposition.
struct landing_decomposition_parameters {
  int max_crew = 3;             ///< machines per landing at most (also capped by the landing's capacity)
  int bound_iterations = 100;   ///< subgradient steps of each crew's bound (0: no bounds)
  int best_response_rounds = 8; ///< best-response rounds per start in crew_plan

  void validate(const problem& pb) const {
    if (max_crew < 1 || max_crew > 8)
      throw std::invalid_argument("landing_decomposition.max_crew must be in [1, 8] (got " + std::to_string(max_crew) + ")");
    if (bound_iterations < 0)
      throw std::invalid_argument("landing_decomposition.bound_iterations must be >= 0 (got " +
                                  std::to_string(bound_iterations) + ")");
    if (best_response_rounds < 1)
      throw std::invalid_argument("landing_decomposition.best_response_rounds must be >= 1 (got " +
                                  std::to_string(best_response_rounds) + ")");
    if (pb.num_machines > 20)
      throw std::invalid_argument("landing_decomposition: at most 20 machines (got " + std::to_string(pb.num_machines) + ")");
    if (pb.has_sequencing)
      throw std::invalid_argument("landing_decomposition: scenarios with sequencing prerequisites are not supported");
    for (const auto lk : pb.lock)
      if (lk >= 0) throw std::invalid_argument("landing_decomposition: scenarios with locked assignments are not supported");
  }
};

namespace detail {

/// Scratch of segment_row.
struct segment_scratch {
  std::vector<int> count;         // [i * (S + 1) + k] slots < k (evaluation order) where the machine can produce on block i
  std::vector<double> end_value;  // [e * C + i] best path whose last segment is block i and ends at step e
  std::vector<int> end_start;     // its segment's first step
  std::vector<int> start_from;    // [s * C + i] predecessor block of a segment of i starting at s (-1: first)
  std::vector<double> start_value;
  std::vector<int> first, last;   // per candidate: the steps it may be worked in (segment_row's revisit repair)
};

}  // namespace detail

/// The slots (evaluation order) in which machine m can produce on block b: available, not blacked
/// out, inside the block's window, allowed role and positive rate.
inline bool can_produce(const problem& pb, int m, int b, int t) {
  const std::size_t c = pb.ms(m, t);
  const int d = pb.slot_day[t];
  return pb.available[c] && !pb.blacked_out[c] && d >= pb.earliest[b] && d <= pb.latest[b] &&
         pb.rate[pb.mb(m, b)] > 0.0 && pb.role_allowed[pb.mb(m, b)];
}

/// Machine m's best row over `blocks` when block b yields at most residual[b] (indexed by block;
/// with `price`, a unit of block b earns wP - price[b] instead of wP), over rows made of segments
/// (a block worked in every producible slot of a run of steps; production min(residual, rate x
/// producible slots); a change of block costs wM * move cost + wT; the first segment is free), by
/// dynamic programming over (segment end, block) in O(S^2 C + S C^2). A row may come back to a
/// block, and each visit is capped on its own, so the value is an upper bound on every row of m
/// over `blocks`, and exact for a row that visits each block in one run. Writes the row
/// (producible slots only, idle elsewhere) and returns its value.
inline double segment_bound_row(const problem& pb, int m, std::span<const int> blocks, std::span<const double> residual,
                                std::span<std::int32_t> row, detail::segment_scratch& s, std::span<const double> price = {}) {
  const int S = pb.num_slots;
  const int C = static_cast<int>(blocks.size());
  const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
  const bool has_params = pb.has_move_params[m] != 0;
  std::fill(row.begin(), row.end(), idle);
  if (C == 0 || S == 0) return 0.0;
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  s.count.assign(static_cast<std::size_t>(C) * (S + 1), 0);
  for (int i = 0; i < C; ++i) {
    int* cnt = s.count.data() + static_cast<std::size_t>(i) * (S + 1);
    const int lo = s.first.empty() ? 0 : s.first[i], hi = s.first.empty() ? S - 1 : s.last[i];
    for (int k = 0; k < S; ++k)
      cnt[k + 1] = cnt[k] + (k >= lo && k <= hi && can_produce(pb, m, blocks[i], pb.eval_order[k]) ? 1 : 0);
  }
  const auto seg = [&](int i, int a, int e) {  // value of a segment of block i over steps [a, e]
    const int* cnt = s.count.data() + static_cast<std::size_t>(i) * (S + 1);
    const double attempts = pb.rate[pb.mb(m, blocks[i])] * (cnt[e + 1] - cnt[a]);
    const double unit = price.empty() ? wP : std::max(0.0, wP - price[blocks[i]]);
    return unit * std::min(std::max(0.0, residual[blocks[i]]), attempts);
  };
  const auto cost = [&](int j, int i) {
    return (has_params ? wM * pb.move_cost(m, blocks[j], blocks[i]) : 0.0) + wT;
  };
  s.end_value.assign(static_cast<std::size_t>(S) * C, minus_inf);
  s.end_start.assign(static_cast<std::size_t>(S) * C, 0);
  s.start_value.assign(static_cast<std::size_t>(S) * C, 0.0);
  s.start_from.assign(static_cast<std::size_t>(S) * C, -1);
  for (int e = 0; e < S; ++e) {
    // segments starting at e: free as a first segment, or after a segment ending at e - 1
    for (int i = 0; i < C; ++i) {
      double best = 0.0;
      int from = -1;
      if (e > 0)
        for (int j = 0; j < C; ++j) {
          if (j == i) continue;
          const double v = s.end_value[static_cast<std::size_t>(e - 1) * C + j] - cost(j, i);
          if (v > best) best = v, from = j;
        }
      s.start_value[static_cast<std::size_t>(e) * C + i] = best;
      s.start_from[static_cast<std::size_t>(e) * C + i] = from;
    }
    for (int i = 0; i < C; ++i) {
      double best = minus_inf;
      int arg = 0;
      for (int a = 0; a <= e; ++a) {
        const double v = s.start_value[static_cast<std::size_t>(a) * C + i] + seg(i, a, e);
        if (v > best) best = v, arg = a;
      }
      s.end_value[static_cast<std::size_t>(e) * C + i] = best;
      s.end_start[static_cast<std::size_t>(e) * C + i] = arg;
    }
  }
  int i = 0;
  for (int j = 1; j < C; ++j)
    if (s.end_value[static_cast<std::size_t>(S - 1) * C + j] > s.end_value[static_cast<std::size_t>(S - 1) * C + i]) i = j;
  const double total = s.end_value[static_cast<std::size_t>(S - 1) * C + i];
  if (!(total > 0.0)) return 0.0;
  int e = S - 1;
  while (i >= 0) {
    const int a = s.end_start[static_cast<std::size_t>(e) * C + i];
    const int* cnt = s.count.data() + static_cast<std::size_t>(i) * (S + 1);
    for (int k = a; k <= e; ++k)
      if (cnt[k + 1] > cnt[k]) row[pb.eval_order[k]] = blocks[i];
    const int j = s.start_from[static_cast<std::size_t>(a) * C + i];
    e = a - 1;
    i = j;
  }
  return total;
}

/// The exact value of machine m's row when block b yields at most residual[b]: production
/// min(rate, what is left) per producible cell, a change of block charged at the first productive
/// cell on the new block, the first one free (the evaluator's rules for one machine).
inline double row_value(const problem& pb, int m, std::span<const std::int32_t> row, std::span<const double> residual) {
  const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
  std::vector<std::pair<int, double>> used;  // block, production so far
  double value = 0.0;
  int prev = -1;
  for (int k = 0; k < pb.num_slots; ++k) {
    const int t = pb.eval_order[k];
    const std::int32_t b = row[t];
    if (b < 0 || !can_produce(pb, m, b, t)) continue;
    auto it = std::find_if(used.begin(), used.end(), [b](const auto& u) { return u.first == b; });
    if (it == used.end()) it = used.insert(used.end(), {b, 0.0});
    const double left = residual[b] - it->second;
    if (left <= completion_epsilon) continue;
    const double p = std::min(pb.rate[pb.mb(m, b)], left);
    it->second += p;
    value += wP * p;
    if (prev >= 0 && prev != b) value -= (pb.has_move_params[m] ? wM * pb.move_cost(m, prev, b) : 0.0) + wT;
    prev = b;
  }
  return value;
}

/// Machine m's best row over `blocks` against `residual`, as segment_bound_row, but a row that
/// comes back to a block it left (which the DP over-values: each visit is capped on its own) is
/// repaired by branching: the block is confined to the steps up to the end of its first visit, or
/// from the start of its second, and the DP runs again (three levels at most). Returns the row of
/// highest exact value (row_value) among those found, and that value.
inline double segment_row(const problem& pb, int m, std::span<const int> blocks, std::span<const double> residual,
                          std::span<std::int32_t> row, detail::segment_scratch& s) {
  const int S = pb.num_slots, C = static_cast<int>(blocks.size());
  s.first.clear();
  s.last.clear();
  segment_bound_row(pb, m, blocks, residual, row, s);
  const auto revisit = [&](std::span<const std::int32_t> r, int& which, int& end_first, int& start_second) {
    std::vector<int> last_step(C, -1);
    int prev = -1;
    for (int k = 0; k < S; ++k) {
      const std::int32_t b = r[pb.eval_order[k]];
      if (b < 0) continue;
      const int i = static_cast<int>(std::find(blocks.begin(), blocks.end(), b) - blocks.begin());
      if (i != prev && last_step[i] >= 0) {
        which = i, end_first = last_step[i], start_second = k;
        return true;
      }
      last_step[i] = k;
      prev = i;
    }
    return false;
  };
  int which = 0, end_first = 0, start_second = 0;
  if (!revisit(row, which, end_first, start_second)) return row_value(pb, m, row, residual);
  std::vector<std::int32_t> best_row(row.begin(), row.end()), trial(S);
  double best = row_value(pb, m, row, residual);
  struct branch {
    std::vector<int> first, last;
    int depth;
  };
  std::vector<branch> todo;
  const auto split = [&](std::vector<int> f, std::vector<int> l, int depth) {
    auto f2 = f, l2 = l;
    l[which] = std::min(l[which], end_first);
    f2[which] = std::max(f2[which], start_second);
    todo.push_back({std::move(f), std::move(l), depth});
    todo.push_back({std::move(f2), std::move(l2), depth});
  };
  split(std::vector<int>(C, 0), std::vector<int>(C, S - 1), 1);
  while (!todo.empty()) {
    branch br = std::move(todo.back());
    todo.pop_back();
    s.first = br.first;
    s.last = br.last;
    segment_bound_row(pb, m, blocks, residual, trial, s);
    const bool again = revisit(trial, which, end_first, start_second);
    const double exact = row_value(pb, m, trial, residual);
    if (exact > best) best = exact, best_row = trial;
    if (again && br.depth < 3) split(br.first, br.last, br.depth + 1);
  }
  s.first.clear();
  s.last.clear();
  std::copy(best_row.begin(), best_row.end(), row.begin());
  return best;
}

/// One crew's rows on one landing and their exact score.
struct crew_result {
  double value = 0.0;               ///< score of the crew's rows alone (the full evaluator's score)
  std::vector<std::int32_t> rows;   ///< [i * S + t] row of the i-th crew machine
};

/// The machines of each landing in a plan that keeps every machine on one landing: each machine
/// under the landing of the first block it is given (scenario order; idle machines nowhere).
inline std::vector<std::vector<int>> crews_of_plan(const problem& pb, const schedule& plan) {
  std::vector<std::vector<int>> out(pb.num_landings);
  for (int m = 0; m < pb.num_machines; ++m)
    for (int t = 0; t < pb.num_slots; ++t)
      if (const int b = plan.at(m, t); b >= 0) {
        out[pb.landing_of[b]].push_back(m);
        break;
      }
  return out;
}

/// The blocks of each landing.
inline std::vector<std::vector<int>> blocks_by_landing(const problem& pb) {
  std::vector<std::vector<int>> out(pb.num_landings);
  for (int b = 0; b < pb.num_blocks; ++b) out[pb.landing_of[b]].push_back(b);
  return out;
}

/// Each machine's best segment row on each subset of `blocks` (at most 12) with the whole work:
/// [m << |blocks| | subset], bit j of subset = blocks[j]. A crew that splits the blocks (no block
/// shared) scores the sum of its machines' entries.
inline std::vector<double> solo_values(const problem& pb, std::span<const int> blocks) {
  if (blocks.size() > 12) return {};
  const std::size_t n = std::size_t{1} << blocks.size();
  std::vector<double> out(static_cast<std::size_t>(pb.num_machines) * n, 0.0);
  std::vector<double> residual(pb.num_blocks, 0.0);
  std::vector<std::int32_t> row(pb.num_slots);
  std::vector<int> chosen;
  detail::segment_scratch seg;
  for (int m = 0; m < pb.num_machines; ++m)
    for (std::size_t sub = 1; sub < n; ++sub) {
      chosen.clear();
      for (std::size_t j = 0; j < blocks.size(); ++j)
        if (sub >> j & 1u) chosen.push_back(blocks[j]), residual[blocks[j]] = pb.work[blocks[j]];
      out[m * n + sub] = segment_row(pb, m, chosen, residual, row, seg);
    }
  return out;
}

/// Searches the rows of `crew` (machine indices, scenario order) on the blocks `blocks`: from
/// every order of the crew, the rows are built one by one by segment_row against the work the
/// rows before leave, then improved by rounds of best responses (each machine's row rebuilt
/// against all the others) while the score rises. Every candidate is scored by the full evaluator
/// on a schedule holding only the crew's rows. Deterministic.
inline crew_result crew_plan(const problem& pb, std::span<const int> crew, std::span<const int> blocks, int rounds,
                             evaluator& eval, schedule& scratch_plan, std::span<const double> solo = {}) {
  const int S = pb.num_slots;
  const int k = static_cast<int>(crew.size());
  crew_result best;
  best.rows.assign(static_cast<std::size_t>(k) * S, idle);
  if (k == 0) return best;
  detail::segment_scratch seg;
  std::vector<double> residual(pb.num_blocks);
  std::vector<std::int32_t> rows(best.rows.size(), idle), trial(S), old;
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  const auto score = [&](const std::vector<std::int32_t>& r) {
    std::fill(scratch_plan.cells.begin(), scratch_plan.cells.end(), idle);
    for (int i = 0; i < k; ++i)
      std::copy_n(r.begin() + static_cast<std::ptrdiff_t>(i) * S, S, scratch_plan.cells.begin() + pb.ms(crew[i], 0));
    return eval(scratch_plan).score;
  };
  const auto respond = [&](int i, int barred) {  // row i against the attempts of the other rows
    for (const int b : blocks) residual[b] = b == barred ? 0.0 : pb.work[b];
    for (int j = 0; j < k; ++j) {
      if (j == i) continue;
      for (int t = 0; t < S; ++t)
        if (const std::int32_t b = rows[static_cast<std::size_t>(j) * S + t]; b >= 0) residual[b] -= pb.rate[pb.mb(crew[j], b)];
    }
    segment_row(pb, crew[i], blocks, residual, trial, seg);
  };
  best.value = score(best.rows);
  // one start: the rows built in `order` (machine bar_i never works block bar_b in this first
  // build; solo: each row against the whole work), then best-response rounds
  const auto start = [&](int bar_i, int bar_b, bool solo, const unsigned* own) {
    std::fill(rows.begin(), rows.end(), idle);
    for (const int i : order) {
      if (solo || own) {
        for (std::size_t j = 0; j < blocks.size(); ++j)
          residual[blocks[j]] = !own || (own[i] >> j & 1u) ? pb.work[blocks[j]] : 0.0;
        segment_row(pb, crew[i], blocks, residual, trial, seg);
      } else {
        respond(i, i == bar_i ? bar_b : -1);
      }
      std::copy(trial.begin(), trial.end(), rows.begin() + static_cast<std::ptrdiff_t>(i) * S);
    }
    double current = score(rows);
    for (int r = 0; r < rounds; ++r) {
      bool improved = false;
      for (const int i : order) {
        respond(i, -1);
        const auto at = rows.begin() + static_cast<std::ptrdiff_t>(i) * S;
        old.assign(at, at + S);
        std::copy(trial.begin(), trial.end(), at);
        const double v = score(rows);
        if (v > current + 1e-9) {
          current = v;
          improved = true;
        } else {
          std::copy(old.begin(), old.end(), at);
        }
      }
      if (!improved) break;
    }
    if (current > best.value + 1e-9) {
      best.value = current;
      best.rows = rows;
    }
  };
  do start(-1, -1, false, nullptr);
  while (std::next_permutation(order.begin(), order.end()));
  start(-1, -1, true, nullptr);
  for (int i = 0; i < k; ++i)
    for (const int b : blocks) start(i, b, false, nullptr);
  if (!solo.empty()) {  // the best split of the blocks among the crew (no block shared)
    const unsigned full = (1u << blocks.size()) - 1u;
    std::vector<double> f(static_cast<std::size_t>(k + 1) << blocks.size(), -std::numeric_limits<double>::infinity());
    std::vector<unsigned> pick(f.size(), 0);
    const auto at = [&](int i, unsigned mask) -> std::size_t { return (static_cast<std::size_t>(i) << blocks.size()) + mask; };
    for (unsigned mask = 0; mask <= full; ++mask) f[at(0, mask)] = 0.0;
    for (int i = 0; i < k; ++i)
      for (unsigned mask = 0; mask <= full; ++mask)
        for (unsigned sub = mask;; sub = (sub - 1) & mask) {  // machine i takes sub
          const double v = f[at(i, mask & ~sub)] + solo[(static_cast<std::size_t>(crew[i]) << blocks.size()) + sub];
          if (v > f[at(i + 1, mask)]) f[at(i + 1, mask)] = v, pick[at(i + 1, mask)] = sub;
          if (sub == 0) break;
        }
    std::vector<unsigned> own(k);
    unsigned mask = full;
    for (int i = k; i > 0; --i) own[i - 1] = pick[at(i, mask)], mask &= ~own[i - 1];
    std::iota(order.begin(), order.end(), 0);
    start(-1, -1, false, own.data());
  }
  return best;
}

namespace detail {

// The subgradient method shared by the crew bounds: min over block prices lambda in [0, wP] of
// sum_b lambda_b W_b + the crew's priced rows, where `rows(lambda, value, produced)` adds each
// row's value to `value` (in the crew's order) and what it produces on each block to `produced`
// (zeroed before each call); Polyak steps towards `target`, theta halved after 10 steps without a
// smaller value.
template <class Rows>
double crew_dual(const problem& pb, std::span<const int> blocks, int iterations, double target, Rows rows) {
  std::vector<double> lambda(pb.num_blocks, 0.0), produced(pb.num_blocks);
  double bound = std::numeric_limits<double>::infinity();
  double theta = 1.0;
  int since_better = 0;
  for (int it = 0; it <= iterations; ++it) {
    double value = 0.0;
    for (const int b : blocks) value += lambda[b] * pb.work[b];
    std::fill(produced.begin(), produced.end(), 0.0);
    rows(lambda, value, produced);
    if (value < bound) {
      bound = value;
      since_better = 0;
    } else if (++since_better >= 10) {
      theta /= 2.0;
      since_better = 0;
    }
    double norm = 0.0;
    for (const int b : blocks) norm += (pb.work[b] - produced[b]) * (pb.work[b] - produced[b]);
    if (norm <= 0.0 || it == iterations) break;
    const double step = theta * std::max(value - target, 1e-6) / norm;
    for (const int b : blocks)
      lambda[b] = std::clamp(lambda[b] - step * (pb.work[b] - produced[b]), 0.0, pb.weights.production);
  }
  return bound;
}

}  // namespace detail

/// The tighter bound of crew_bound: the same prices, but each machine's row is solved by
/// segment_row (a segment of block b earns (wP - lambda_b) x min(W_b, its attempts)), which also
/// knows that one machine alone cannot produce more than W_b on a block. A row with revisits
/// counts W_b once per segment, so the value stays an upper bound. Costs O(S^2 C) per row.
inline double crew_segment_bound(const problem& pb, std::span<const int> crew, std::span<const int> blocks,
                                 int iterations, double target) {
  std::vector<double> mine(pb.num_blocks);
  std::vector<std::int32_t> row(pb.num_slots);
  detail::segment_scratch seg;
  return detail::crew_dual(pb, blocks, iterations, target, [&](const std::vector<double>& lambda, double& value, std::vector<double>& produced) {
    for (const int m : crew) {
      value += segment_bound_row(pb, m, blocks, pb.work, row, seg, lambda);
      for (const int b : blocks) mine[b] = 0.0;
      for (int t = 0; t < pb.num_slots; ++t)
        if (const std::int32_t b = row[t]; b >= 0) mine[b] += pb.rate[pb.mb(m, b)];
      for (const int b : blocks)
        if (pb.weights.production - lambda[b] > 0.0) produced[b] += std::min(mine[b], pb.work[b]);
    }
  });
}

/// An upper bound on the score of every plan in which `crew` works only `blocks` (and nobody else
/// does), valid when the crew fits the landing's capacity: min over block prices lambda in
/// [0, wP] of sum_b lambda_b W_b + sum of each machine's best priced row (exact), by `iterations`
/// subgradient steps with Polyak steps towards `target` (a known crew score). With no steps,
/// the prices stay 0 (the sum of the machines' best rows alone).
inline double crew_bound(const problem& pb, std::span<const int> crew, std::span<const int> blocks, int iterations,
                         double target, priced_row_scratch& scratch) {
  std::vector<std::int32_t> row(pb.num_slots);
  std::vector<std::vector<int>> usable(crew.size());
  for (std::size_t i = 0; i < crew.size(); ++i)
    for (const int b : blocks)
      if (pb.rate[pb.mb(crew[i], b)] > 0.0 && pb.role_allowed[pb.mb(crew[i], b)]) usable[i].push_back(b);
  return detail::crew_dual(pb, blocks, iterations, target, [&](const std::vector<double>& lambda, double& value, std::vector<double>& produced) {
    for (std::size_t i = 0; i < crew.size(); ++i) {
      value += priced_row(pb, crew[i], {usable[i], lambda, {}, {}, {}}, row, scratch);
      for (int t = 0; t < pb.num_slots; ++t)
        if (const std::int32_t b = row[t]; b >= 0 && pb.weights.production - lambda[b] > 0.0)
          produced[b] += pb.rate[pb.mb(crew[i], b)];
    }
  });
}

/// What decompose_landings found.
struct landing_decomposition_result {
  double value = 0.0;                 ///< score of `plan` (full evaluator)
  evaluation eval;                    ///< its evaluation
  schedule plan;                      ///< the best assignment's rows
  double bound = 0.0;                 ///< no plan of the searched form scores more (see decompose_landings)
  std::vector<std::vector<int>> crews; ///< machines of each landing in `plan`
  std::size_t crews_searched = 0;     ///< crews whose rows were searched
  std::size_t crews_tightened = 0;    ///< crews given the segment bound
  std::vector<std::vector<search::packing_option>> crew_values;  ///< every searched crew's score, per landing (machine bit masks)
};

/// Progress of decompose_landings, reported after each crew searched and each crew bound tightened.
struct landing_decomposition_progress {
  std::size_t crews_searched = 0, crews_tightened = 0;
  double best = 0.0;  ///< the best plan's score so far (0 while crews are being searched)
};

/// No progress reports (decompose_landings's default).
struct no_landing_progress {
  void operator()(const landing_decomposition_progress&) const noexcept {}
};

/// Decomposes by landing: for every landing and every crew of at most min(max_crew, capacity)
/// machines that can work there, searches the crew's rows (crew_plan) and bounds them
/// (crew_bound, then crew_segment_bound for every crew that a packing above the best value could
/// still use, until none is left); the best packing of crews into landings (each machine on at
/// most one landing; search::best_packing) gives `plan`, and the best packing of the bounds gives
/// `bound`: an upper bound on the score of every plan in which each machine works the blocks of
/// one landing only and no landing has more machines than min(max_crew, capacity). Deterministic.
/// `progress` (a callable taking landing_decomposition_progress) hears of each crew.
template <class Progress = no_landing_progress>
landing_decomposition_result decompose_landings(const problem& pb, const landing_decomposition_parameters& p = {}, Progress progress = {}) {
  p.validate(pb);
  const int M = pb.num_machines, L = pb.num_landings, S = pb.num_slots;
  const auto by_landing = blocks_by_landing(pb);
  evaluator eval(pb);
  schedule scratch(pb);
  priced_row_scratch priced;
  std::vector<std::vector<search::packing_option>> values(L), bounds(L);
  std::vector<std::vector<std::vector<std::int32_t>>> rows(L);
  std::vector<std::vector<std::uint8_t>> tight(L);
  landing_decomposition_result out;
  std::vector<int> crew;
  for (int l = 0; l < L; ++l) {
    const auto& blocks = by_landing[l];
    const int most = std::min(p.max_crew, pb.landing_capacity[l]);
    if (blocks.empty() || most < 1) continue;
    const auto solo = solo_values(pb, blocks);
    const std::size_t full = (std::size_t{1} << blocks.size()) - 1;
    for (std::uint32_t mask = 1; mask < (std::uint32_t{1} << M); ++mask) {
      if (std::popcount(mask) > most) continue;
      crew.clear();
      bool useful = true;
      for (int m = 0; m < M && useful; ++m) {
        if (!(mask >> m & 1u)) continue;
        crew.push_back(m);
        useful = std::any_of(blocks.begin(), blocks.end(), [&](int b) {
          return pb.rate[pb.mb(m, b)] > 0.0 && pb.role_allowed[pb.mb(m, b)];
        });
      }
      if (!useful) continue;  // a machine that cannot produce here adds nothing
      auto found = crew_plan(pb, crew, blocks, p.best_response_rounds, eval, scratch, solo);
      ++out.crews_searched;
      progress(landing_decomposition_progress{out.crews_searched, 0, 0.0});
      double ub = std::numeric_limits<double>::infinity();
      if (!solo.empty()) {
        ub = 0.0;
        for (const int m : crew) ub += solo[(static_cast<std::size_t>(m) << blocks.size()) + full];
      }
      if (p.bound_iterations > 0) ub = std::min(ub, crew_bound(pb, crew, blocks, p.bound_iterations, found.value, priced));
      values[l].push_back({mask, found.value});
      bounds[l].push_back({mask, std::max(ub, found.value)});
      rows[l].push_back(std::move(found.rows));
      tight[l].push_back(0);
    }
  }
  const auto best = search::best_packing(M, values);
  out.value = best.value;
  out.crew_values = values;
  out.plan = schedule(pb);
  out.crews.assign(L, {});
  for (int l = 0; l < L; ++l) {
    if (best.choice[l] < 0) continue;
    const auto& opt = values[l][best.choice[l]];
    int i = 0;
    for (int m = 0; m < M; ++m) {
      if (!(opt.items >> m & 1u)) continue;
      out.crews[l].push_back(m);
      std::copy_n(rows[l][best.choice[l]].begin() + static_cast<std::ptrdiff_t>(i) * S, S, out.plan.cells.begin() + pb.ms(m, 0));
      ++i;
    }
  }
  out.eval = eval(out.plan);
  out.value = out.eval.score;
  if (p.bound_iterations == 0) {
    out.bound = std::numeric_limits<double>::infinity();
    return out;
  }
  // branch and bound on the crews: tighten every crew a packing above the best value could use
  for (;;) {
    const auto reach = search::completion_values(M, bounds);
    bool changed = false;
    for (int l = 0; l < L; ++l)
      for (std::size_t c = 0; c < bounds[l].size(); ++c) {
        if (tight[l][c] || reach[l][c] <= out.value + 1e-9) continue;
        crew.clear();
        for (int m = 0; m < M; ++m)
          if (bounds[l][c].items >> m & 1u) crew.push_back(m);
        const double ub = crew_segment_bound(pb, crew, by_landing[l], p.bound_iterations, values[l][c].value);
        bounds[l][c].value = std::max(values[l][c].value, std::min(bounds[l][c].value, ub));
        tight[l][c] = 1;
        ++out.crews_tightened;
        progress(landing_decomposition_progress{out.crews_searched, out.crews_tightened, out.value});
        changed = true;
      }
    if (!changed) break;
  }
  out.bound = std::max(out.value, search::best_packing(M, bounds).value);
  return out;
}

}  // namespace fhops::harvest
