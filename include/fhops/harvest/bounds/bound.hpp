/// \file
/// An upper bound on the score of every plan of a scenario, for users: `scenario_bound` runs the
/// Lagrangian relaxation of lagrangian.hpp (block work and landing capacity priced, one exact row
/// per machine) with the score of a quick plan (greedy, sanitised greedy or empty) as the Polyak
/// target, then branches over machine-block pairs, within an iteration and time budget;
/// `relative_gap` compares a plan's score with the bound.
///
/// The bound holds for any scenario and any plan, penalty events included (the proof, term by
/// term, is at lagrangian_bound); sequencing prerequisites, locks left idle and penalties are
/// relaxed away, which can only make it looser. Whatever the budget, the smallest L found so far
/// is returned; only when not one subgradient step finished in time is there no bound.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/deadline.hpp"

namespace fhops::harvest {

/// Parameters of scenario_bound.
struct bound_parameters {
  int iterations = 2000;          ///< subgradient steps at most
  double time_limit = 0.0;        ///< seconds of wall clock at most, the greedy target included (0: no limit)
  /// a known plan's score (the Polyak target); default: the best of the greedy plan, its sanitised
  /// copy and the empty plan
  std::optional<double> target{};
  int branch_nodes = 200;         ///< branches bounded after the root at most (0: the root's bound only)
  int node_iterations = 300;      ///< subgradient steps per branch

  void validate() const {
    if (iterations < 1) throw std::invalid_argument("bound.iterations must be >= 1 (got " + std::to_string(iterations) + ")");
    if (!(std::isfinite(time_limit) && time_limit >= 0.0))
      throw std::invalid_argument("bound.time_limit must be a finite number of seconds >= 0 (got " + std::to_string(time_limit) + ")");
    if (target && !std::isfinite(*target)) throw std::invalid_argument("bound.target must be finite");
    if (branch_nodes < 0) throw std::invalid_argument("bound.branch_nodes must be >= 0 (got " + std::to_string(branch_nodes) + ")");
    if (node_iterations < 1)
      throw std::invalid_argument("bound.node_iterations must be >= 1 (got " + std::to_string(node_iterations) + ")");
  }
};

/// What scenario_bound found.
struct bound_result {
  std::optional<double> upper_bound;  ///< no plan scores more; empty when no step finished in time
  double target = 0.0;                ///< the plan score the steps aimed at
  int iterations = 0;                 ///< finished subgradient steps, the branches' included
  int nodes = 0;                      ///< branches bounded after the root
  double seconds = 0.0;               ///< wall clock, target included
  bool out_of_time = false;           ///< the time limit stopped the steps or the branches
  std::string method = "lagrangian";  ///< how: "lagrangian", or "lagrangian+branching" when it branched
};

namespace detail {

/// A branch of scenario_bound's search: the rows' restrictions and the Lagrangian under them.
struct bound_node {
  row_restrictions restrictions;
  lagrangian_result result;
  bool final = false;  ///< no machine-block pair left to branch on
};

/// The pair (machine, block) to branch on at a node: the block its best rows over-produce the most
/// among those two or more machines work, and the machine without a required block that gets the
/// least of it. Empty when there is none.
inline std::optional<std::pair<int, int>> branching_pair(const problem& pb, const bound_node& node) {
  const int S = pb.num_slots, M = pb.num_machines;
  run_capped_scratch scratch;
  std::vector<std::int32_t> row(S);
  std::vector<double> credited(S), produced(pb.num_blocks, 0.0);
  std::vector<std::vector<double>> share(M, std::vector<double>(pb.num_blocks, 0.0));
  std::vector<int> workers(pb.num_blocks, 0);
  const auto& r = node.result;
  for (int m = 0; m < M; ++m) {
    const auto& blocks = node.restrictions.blocks[m];
    const std::vector<double> sw = bound_switch_costs(pb, m, blocks);
    int req = -1;
    if (node.restrictions.required[m] >= 0)
      req = static_cast<int>(std::find(blocks.begin(), blocks.end(), node.restrictions.required[m]) - blocks.begin());
    run_capped_row(pb, m, {blocks, r.block_price, r.landing_price, {}, sw, req}, row, credited, scratch);
    for (int t = 0; t < S; ++t)
      if (row[t] >= 0 && credited[t] > 0.0) share[m][row[t]] += credited[t];
    for (int b = 0; b < pb.num_blocks; ++b)
      if (share[m][b] > 0.0) {
        produced[b] += share[m][b];
        ++workers[b];
      }
  }
  std::optional<std::pair<int, int>> best;
  double excess = 1e-9;
  for (int b = 0; b < pb.num_blocks; ++b) {
    if (workers[b] < 2 || produced[b] - pb.work[b] <= excess) continue;
    int pick = -1;
    for (int m = 0; m < M; ++m)
      if (share[m][b] > 0.0 && node.restrictions.required[m] < 0 && (pick < 0 || share[m][b] < share[pick][b])) pick = m;
    if (pick < 0) continue;
    excess = produced[b] - pb.work[b];
    best = std::pair{pick, b};
  }
  return best;
}

}  // namespace detail

/// The upper bound of every plan of `pb` by the Lagrangian relaxation (see the file comment),
/// within `p.iterations` steps, `p.time_limit` seconds and `stop` (whichever ends first).
///
/// Then, while the best branch's bound is above the target, it branches (best first, at most
/// `p.branch_nodes` branches, until max(1 s, twice the root's time) in all, and within the time
/// limit): where the relaxed rows share out more of a block than it holds, one of its machines
/// either never produces on it or produces on it at least once. Every plan falls in one of the
/// two, so the largest bound over the branches bounds every plan; a branch's bound is at most its
/// parent's (its plans are among the parent's).
inline bound_result scenario_bound(const problem& pb, const bound_parameters& p = {}, const deadline& stop = {}) {
  p.validate();
  const auto start = std::chrono::steady_clock::now();
  const auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const deadline own = p.time_limit > 0.0 ? deadline(stop.clamp(p.time_limit)) : stop;
  bound_result out;
  if (p.target) {
    out.target = *p.target;
  } else {  // the best of the greedy plan, its sanitised copy and the empty plan (0 without locks)
    const schedule greedy = greedy_schedule(pb);
    out.target = std::max({evaluate(pb, greedy).score, evaluate(pb, sanitised(pb, greedy)).score, evaluate(pb, schedule(pb)).score});
  }
  const lagrangian_parameters root_steps{.iterations = p.iterations, .initial_step = 2.0, .halve_after = 20, .target = out.target};
  detail::bound_node root;
  root.result = lagrangian_bound(pb, root_steps, own);
  out.iterations = root.result.iterations;
  out.out_of_time = root.result.out_of_time;
  if (root.result.iterations == 0) {
    out.seconds = since();
    return out;
  }
  for (int m = 0; m < pb.num_machines; ++m) root.restrictions.blocks.push_back(workable_blocks(pb, m));
  root.restrictions.required.assign(pb.num_machines, -1);
  std::vector<detail::bound_node> leaves;
  leaves.push_back(std::move(root));  // the empty plan is in some leaf: never all of them drop out
  const double branch_until = std::max(1.0, 2.0 * since());
  const lagrangian_parameters node_steps{.iterations = p.node_iterations, .initial_step = 2.0, .halve_after = 20, .target = out.target};
  while (out.nodes < p.branch_nodes && !own.expired() && since() < branch_until) {
    auto best = leaves.end();
    for (auto it = leaves.begin(); it != leaves.end(); ++it)
      if (best == leaves.end() || it->result.bound > best->result.bound) best = it;
    if (best->final || best->result.bound <= out.target) break;  // the best branch cannot be split, or is no better than a plan
    const auto pair = detail::branching_pair(pb, *best);
    if (!pair) {
      best->final = true;
      continue;
    }
    const auto [m, b] = *pair;
    detail::bound_node without{best->restrictions, {}, false}, with{best->restrictions, {}, false};
    std::erase(without.restrictions.blocks[m], b);
    with.restrictions.required[m] = b;
    without.result = lagrangian_bound(pb, node_steps, own, &without.restrictions, &best->result);
    with.result = lagrangian_bound(pb, node_steps, own, &with.restrictions, &best->result);
    out.iterations += without.result.iterations + with.result.iterations;
    if (without.result.iterations == 0 || with.result.iterations == 0) break;  // out of time: the parent stays
    out.nodes += 2;
    const double parent = best->result.bound;
    leaves.erase(best);
    for (auto* child : {&without, &with}) {
      if (child->result.bound == -std::numeric_limits<double>::infinity()) continue;  // no plan in this branch
      child->result.bound = std::min(child->result.bound, parent);
      leaves.push_back(std::move(*child));
    }
  }
  double bound = -std::numeric_limits<double>::infinity();
  for (const auto& leaf : leaves) bound = std::max(bound, leaf.result.bound);
  out.upper_bound = bound;
  out.out_of_time = out.out_of_time || own.expired();
  if (out.nodes > 0) out.method = "lagrangian+branching";
  out.seconds = since();
  return out;
}

/// The relative gap of a plan scoring `objective` under the bound `upper_bound`:
/// (upper_bound - objective) / |upper_bound|, the share of the bound the plan may still be short
/// of the optimum (0: the plan is optimal). Empty when the bound is 0 and the plan is not (the
/// ratio has no finite value).
inline std::optional<double> relative_gap(double upper_bound, double objective) {
  if (upper_bound == 0.0) return objective == 0.0 ? std::optional<double>(0.0) : std::nullopt;
  return (upper_bound - objective) / std::fabs(upper_bound);
}

}  // namespace fhops::harvest
