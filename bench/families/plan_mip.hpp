/// \file
/// The exact MIP of a whole scenario without move costs (no mobilisation, or weight 0) and without
/// a transitions weight, in CPLEX LP format for cbc: the families benchmark's upper bound (and
/// often its optimum) where the Lagrangian bound is loose.
///
/// x_m_b_k = 1 when machine m produces on block b at step k of the evaluation order (only where
/// can_produce holds), p_m_b_k <= rate x its amount; one block per machine and step; at most W_b
/// per block; per landing and step at most its capacity of productive machines (hard), or with a
/// landing_slack weight the excess priced as the evaluator does (the k-th extra machine adds k);
/// sequencing as the evaluator counts it: a role's productive assignments on b up to and including
/// step k never exceed a prerequisite role's in steps before k (cumulative counts c_b_r_k).
/// Every plan without penalty events maps to a solution of the same value, so the optimum (or
/// cbc's best possible value when stopped) bounds every plan from above; the solution's cells are a
/// plan to re-score with the evaluator.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/landing_decomposition.hpp"
#include "fhops/harvest/problem.hpp"

namespace fhops_bench {

namespace fh = fhops::harvest;

/// Why the plan MIP does not apply to `pb`, or nothing when it does.
inline std::optional<std::string> plan_mip_refusal(const fh::problem& pb) {
  if (pb.weights.transitions != 0.0) return "a transitions weight";
  if (pb.weights.mobilisation != 0.0)
    for (int m = 0; m < pb.num_machines; ++m)
      if (pb.has_move_params[m]) return "move costs";
  for (const auto lk : pb.lock)
    if (lk >= 0) return "locked assignments";
  return std::nullopt;
}

/// The number of x variables of the plan MIP (its size).
inline std::size_t plan_mip_cells(const fh::problem& pb) {
  std::size_t n = 0;
  for (int m = 0; m < pb.num_machines; ++m)
    for (int b = 0; b < pb.num_blocks; ++b)
      for (int t = 0; t < pb.num_slots; ++t) n += fh::can_produce(pb, m, b, t);
  return n;
}

/// A cell named by a variable x_m_b_k, or nothing for any other variable.
struct plan_mip_cell {
  int machine = 0, block = 0, step = 0;
};
inline std::optional<plan_mip_cell> plan_mip_cell_of(const std::string& name) {
  if (name.size() < 2 || name[0] != 'x' || name[1] != '_') return std::nullopt;
  const auto a = name.find('_', 2), b = name.find('_', a + 1);
  return plan_mip_cell{std::stoi(name.substr(2, a - 2)), std::stoi(name.substr(a + 1, b - a - 1)), std::stoi(name.substr(b + 1))};
}

/// Writes the plan MIP (see the file comment); call only when plan_mip_refusal gives nothing.
inline void write_plan_mip(std::ostream& out, const fh::problem& pb) {
  const int M = pb.num_machines, B = pb.num_blocks, S = pb.num_slots, L = pb.num_landings, R = pb.num_roles;
  const double wP = pb.weights.production, wS = pb.weights.landing_slack;
  const auto num = [](double v) { return fmt::format("{}", v); };
  const auto var = [](char c, int a, int b, int k) { return fmt::format("{}_{}_{}_{}", c, a, b, k); };
  std::vector<std::string> objective, rows, binaries, bounds;
  std::vector<std::string> work(static_cast<std::size_t>(B));
  std::vector<std::vector<std::string>> on_landing(static_cast<std::size_t>(L) * S);
  // role r's productive count on block b at step k, negated (" - x ..."): [(b * R + r) * S + k]
  std::vector<std::string> count(static_cast<std::size_t>(B) * R * S);
  for (int m = 0; m < M; ++m)
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      std::string one;
      int options = 0;
      for (int b = 0; b < B; ++b) {
        if (!fh::can_produce(pb, m, b, t)) continue;
        const std::string x = var('x', m, b, k), p = var('p', m, b, k);
        binaries.push_back(x);
        objective.push_back(" + " + num(wP) + " " + p);
        rows.push_back(p + " - " + num(pb.rate[pb.mb(m, b)]) + " " + x + " <= 0");
        work[static_cast<std::size_t>(b)] += " + " + p + "\n";
        on_landing[static_cast<std::size_t>(pb.landing_of[b]) * S + k].push_back(x);
        if (pb.machine_role[m] >= 0) count[(static_cast<std::size_t>(b) * R + pb.machine_role[m]) * S + k] += " - " + x + "\n";
        one += " + " + x + "\n";
        ++options;
      }
      if (options > 1) rows.push_back(one + " <= 1");
    }
  for (int b = 0; b < B; ++b)
    if (!work[static_cast<std::size_t>(b)].empty()) rows.push_back(work[static_cast<std::size_t>(b)] + " <= " + num(pb.work[b]));
  for (int l = 0; l < L; ++l)
    for (int k = 0; k < S; ++k) {
      const auto& xs = on_landing[static_cast<std::size_t>(l) * S + k];
      const int cap = pb.landing_capacity[l];
      if (static_cast<int>(xs.size()) <= cap) continue;
      std::string r;
      for (const auto& x : xs) r += " + " + x + "\n";
      if (wS > 0.0)  // the j-th machine over capacity adds j to the slack: e_l_k_j in [0, 1] costs wS j
        for (int j = 1; j <= static_cast<int>(xs.size()) - cap; ++j) {
          const std::string e = var('e', l, k, j);
          r += " - " + e + "\n";
          objective.push_back(" - " + num(wS * j) + " " + e);
          bounds.push_back(" 0 <= " + e + " <= 1");
        }
      rows.push_back(r + " <= " + std::to_string(cap));
    }
  // sequencing: c_b_r_k = c_b_r_(k-1) + count(b, r, k); count(b, r, k) + c_b_r_(k-1) <= c_b_q_(k-1)
  for (int b = 0; b < B && pb.has_sequencing; ++b) {
    std::vector<bool> needed(static_cast<std::size_t>(R), false);
    for (int r = 0; r < R; ++r) {
      const auto [first, last] = pb.prerequisites(b, r);
      if (first == last) continue;
      needed[static_cast<std::size_t>(r)] = true;
      for (auto q = first; q != last; ++q) needed[static_cast<std::size_t>(*q)] = true;
    }
    const auto terms = [&](int r, int k) -> const std::string& { return count[(static_cast<std::size_t>(b) * R + r) * S + k]; };
    for (int r = 0; r < R; ++r) {
      if (!needed[static_cast<std::size_t>(r)]) continue;
      for (int k = 0; k < S; ++k) {  // c = previous c + this step's count
        rows.push_back(var('c', b, r, k) + (k > 0 ? " - " + var('c', b, r, k - 1) : std::string()) + terms(r, k) + " = 0");
      }
    }
    for (int r = 0; r < R; ++r) {
      const auto [first, last] = pb.prerequisites(b, r);
      for (auto q = first; q != last; ++q)
        for (int k = 0; k < S; ++k) {
          if (terms(r, k).empty()) continue;  // the count only grows where the role works
          std::string row = var('c', b, r, k);
          if (k > 0) row += " - " + var('c', b, *q, k - 1);
          rows.push_back(row + " <= 0");
        }
    }
  }
  out << "\\ plan MIP (bench/families/plan_mip.hpp): " << pb.name << "\nMaximize\n obj:";
  if (objective.empty()) out << " 0 x_none\n";
  for (const auto& t : objective) out << t << '\n';
  out << "Subject To\n";
  for (std::size_t i = 0; i < rows.size(); ++i) out << " r" << i << ": " << rows[i] << '\n';
  if (!bounds.empty()) {
    out << "Bounds\n";
    for (const auto& b : bounds) out << b << '\n';
  }
  out << "Binaries\n";
  for (const auto& v : binaries) out << ' ' << v << '\n';
  out << "End\n";
}

}  // namespace fhops_bench
