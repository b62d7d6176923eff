/// \file
/// The exact time-indexed MIP of a whole scenario (every term of problem_model.md §5), written in
/// CPLEX LP format and solved by an lp_solver (Debian's cbc): `fhops solve-mip`, the MIP rows of
/// `bench suite`, the ILS hybrid, and the families benchmark's upper bound.
///
/// Steps k follow the evaluation order (pb.eval_order). x_m_b_k = 1 when machine m produces on
/// block b at step k (only where can_produce holds), p_m_b_k <= rate x its amount; one block per
/// machine and step; at most W_b per block; per landing and step at most its capacity of productive
/// machines (hard), or with a landing_slack weight the excess priced as the evaluator does (the
/// j-th machine over capacity adds j); sequencing as the evaluator counts it: a role's productive
/// assignments on b up to and including step k never exceed a prerequisite role's in steps before
/// k (cumulative counts c_b_r_k).
///
/// Moves, charged exactly as the evaluator charges them (unlike the reference's MIP, which links
/// consecutive slots only, quirk Q11): per machine with a switch price (wM x move cost where it has
/// move parameters, plus wT), a state "the last block worked" y_m_b_k or "none yet" n_m_k, kept
/// through idle steps, set by the step's x; the first assignment is free; a change from a to b
/// costs s(a, b) = wM move_cost(m, a, b) + wT, taken by v_m_k >= sum_a s(a, b) y_m_a_(k-1) -
/// max_a s(a, b) (1 - x_m_b_k) and v_m_k >= min_a s(a, b) (x_m_b_k - y_m_b_(k-1) - n_m_(k-1)) (the
/// second alone when s(., b) is one value). A visit cut (u_m_b, below) tightens the branching.
///
/// Locks: a locked cell whose block can produce is forced (x = 1); one outside the block's window
/// is idle in the model and written back as the lock (the evaluator ignores it); one that cannot
/// avoid a penalty (machine unavailable, blacked out, role not allowed) costs 1000 in the model's
/// constant and resets the state to "none", as the evaluator does.
///
/// Every plan without penalty events maps to a solution of the same value (its cells the
/// evaluator ignores become idle steps), so the optimum (or cbc's best possible value when stopped)
/// bounds every such plan from above; a solution's cells are a plan to re-score with the evaluator,
/// which gives the MIP's value at an optimum. Not modelled (a plan using them is not covered by the
/// bound): cells of rate 0 (they produce nothing, yet count for sequencing and reset the last
/// block), and the prev-reset of an avoidable penalty event (a move cost above 1000).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/bounds/landing_decomposition.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/search/exact/lp_solver.hpp"
#include "fhops/util/atomic_file.hpp"

namespace fhops::harvest {

/// The number of x variables of the plan MIP (its size in cells).
inline std::size_t plan_mip_cells(const problem& pb) {
  std::size_t n = 0;
  for (int m = 0; m < pb.num_machines; ++m)
    for (int b = 0; b < pb.num_blocks; ++b)
      for (int t = 0; t < pb.num_slots; ++t) n += can_produce(pb, m, b, t);
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

/// What writing the model found: its size and the score of what no plan avoids.
struct plan_mip_stats {
  std::size_t cells = 0;      ///< x variables
  std::size_t variables = 0;  ///< all variables
  std::size_t rows = 0;
  double constant = 0.0;      ///< added to the model's objective: -1000 per unavoidable penalty event
};

namespace detail {

/// A lock whose cell cannot escape a penalty: idle, another block and the lock all cost one.
inline bool unavoidable_lock(const problem& pb, int m, int t) {
  const std::size_t c = pb.ms(m, t);
  const int lk = pb.lock[c];
  return lk >= 0 && (!pb.available[c] || pb.blacked_out[c] || !pb.role_allowed[pb.mb(m, lk)]);
}

/// The price of changing machine m's last block from a to b (a != b): wM x move cost + wT.
inline double switch_price(const problem& pb, int m, int a, int b) {
  double s = pb.weights.transitions;
  if (pb.has_move_params[m] && pb.weights.mobilisation != 0.0) s += pb.weights.mobilisation * pb.move_cost(m, a, b);
  return s;
}

}  // namespace detail

/// Writes the plan MIP of `pb` (see the file comment) and returns its size and constant.
inline plan_mip_stats write_plan_mip(std::ostream& out, const problem& pb) {
  const int M = pb.num_machines, B = pb.num_blocks, S = pb.num_slots, L = pb.num_landings, R = pb.num_roles;
  const double wP = pb.weights.production, wS = pb.weights.landing_slack;
  plan_mip_stats st;
  const auto num = [](double v) { return fmt::format("{}", v); };
  const auto term = [&](double c, const std::string& v) { return (c < 0.0 ? " - " : " + ") + num(std::abs(c)) + " " + v; };
  const auto var = [](char c, int a, int b, int k) { return fmt::format("{}_{}_{}_{}", c, a, b, k); };
  std::vector<std::string> objective, rows, binaries, bounds;
  std::vector<std::string> work(static_cast<std::size_t>(B));
  std::vector<std::vector<std::string>> on_landing(static_cast<std::size_t>(L) * S);
  // role r's productive count on block b at step k, negated (" - x ..."): [(b * R + r) * S + k]
  std::vector<std::string> count(static_cast<std::size_t>(B) * R * S);
  for (int m = 0; m < M; ++m) {
    // the switch prices of m, and whether any is nonzero
    bool priced = false;
    for (int a = 0; a < B && !priced; ++a)
      for (int b = 0; b < B && !priced; ++b) priced = a != b && detail::switch_price(pb, m, a, b) != 0.0;
    // the state after the last step that changed it: y names by block ("" = 0), n name ("" = 1)
    std::vector<std::string> y(static_cast<std::size_t>(B));
    std::string n;
    bool none = true;  // no block worked yet (or a reset since): every y is 0
    // for the visit cut: m's charges, its x names per block, and whether a reset breaks the cut
    std::string charges;
    std::vector<std::string> on_block(static_cast<std::size_t>(B));
    bool reset = false;
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const std::size_t ci = pb.ms(m, t);
      const int lk = pb.lock[ci];
      if (lk >= 0 && detail::unavoidable_lock(pb, m, t)) {
        st.constant -= penalty_per_event;
        std::fill(y.begin(), y.end(), std::string());
        n.clear();
        none = true;
        reset = true;
        continue;
      }
      std::vector<int> options;
      for (int b = 0; b < B; ++b)
        if ((lk < 0 || lk == b) && can_produce(pb, m, b, t)) options.push_back(b);
      if (options.empty()) continue;
      std::string one;
      for (const int b : options) {
        const std::string x = var('x', m, b, k), p = var('p', m, b, k);
        binaries.push_back(x);
        st.cells += 1;
        st.variables += 2;
        objective.push_back(term(wP, p));
        rows.push_back(p + term(-pb.rate[pb.mb(m, b)], x) + " <= 0");
        work[static_cast<std::size_t>(b)] += " + " + p + "\n";
        on_landing[static_cast<std::size_t>(pb.landing_of[b]) * S + k].push_back(x);
        if (pb.machine_role[m] >= 0) count[(static_cast<std::size_t>(b) * R + pb.machine_role[m]) * S + k] += " - " + x + "\n";
        one += " + " + x + "\n";
      }
      if (lk >= 0) rows.push_back(var('x', m, lk, k) + " = 1");  // the lock is worked
      else if (options.size() > 1) rows.push_back(one + " <= 1");
      if (!priced) continue;
      for (const int b : options) on_block[static_cast<std::size_t>(b)] += " " + var('x', m, b, k);
      // the charge of this step: moving onto b from another last block
      if (!none) {
        const std::string v = fmt::format("v_{}_{}", m, k);
        ++st.variables;
        objective.push_back(" - " + v);
        charges += " + " + v;
        for (const int b : options) {
          double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
          for (int a = 0; a < B; ++a)
            if (a != b && !y[static_cast<std::size_t>(a)].empty()) {
              const double s = detail::switch_price(pb, m, a, b);
              lo = std::min(lo, s);
              hi = std::max(hi, s);
            }
          if (hi <= 0.0) continue;  // no other last block is possible
          const std::string x = var('x', m, b, k);
          std::string row = v;
          // v >= lo (x - y_b - n): exact when every price into b is lo, and valid (tight) always
          std::string tight = row + term(-lo, x);
          if (!y[static_cast<std::size_t>(b)].empty()) tight += term(lo, y[static_cast<std::size_t>(b)]);
          if (!n.empty()) tight += term(lo, n);
          rows.push_back(tight + " >= 0");
          if (lo == hi) continue;
          // else also v >= sum_a s(a, b) y_a - hi (1 - x)
          for (int a = 0; a < B; ++a)
            if (a != b && !y[static_cast<std::size_t>(a)].empty()) row += term(-detail::switch_price(pb, m, a, b), y[static_cast<std::size_t>(a)]);
          rows.push_back(row + term(-hi, x) + " >= " + num(-hi));
        }
      }
      // the new state: y'_b <= y_b + x_b, y'_b >= x_b, sum y' + n' = 1, n' <= n
      std::string total;
      for (int b = 0; b < B; ++b) {
        std::string& yb = y[static_cast<std::size_t>(b)];
        const bool worked = std::find(options.begin(), options.end(), b) != options.end();
        if (yb.empty() && !worked) continue;
        const std::string next = var('y', m, b, k);
        ++st.variables;
        std::string row = next;
        if (!yb.empty()) row += " - " + yb;
        if (worked) {
          row += " - " + var('x', m, b, k);
          rows.push_back(next + " - " + var('x', m, b, k) + " >= 0");
        }
        rows.push_back(row + " <= 0");
        yb = next;
        total += " + " + next;
      }
      const std::string next_n = fmt::format("n_{}_{}", m, k);
      ++st.variables;
      rows.push_back(total + " + " + next_n + " = 1");
      if (!n.empty()) rows.push_back(next_n + " - " + n + " <= 0");
      n = next_n;
      none = false;
    }
    // The visit cuts (valid, redundant for integer x; they tighten the relaxation, where a machine
    // split over several blocks pays no move): u_m_b = 1 when m works on b at all; m produces at
    // most min(W_b, rate x its steps) on b times u_m_b; every block visited but the first is
    // entered at least once, at a price of at least min_a s(a, b), so sum_k v_m_k >= sum_b smin_b
    // (u_m_b - f_m_b) where f_m_b (f <= u, sum_b f <= 1) marks the first block.
    std::vector<int> visited;
    for (int b = 0; b < B; ++b)
      if (!on_block[static_cast<std::size_t>(b)].empty()) visited.push_back(b);
    if (!priced || reset || visited.size() < 2 || charges.empty()) continue;
    std::string cut = charges, first;
    bool any = false;
    for (const int b : visited) {
      double lo = std::numeric_limits<double>::infinity();
      for (const int a : visited)
        if (a != b) lo = std::min(lo, detail::switch_price(pb, m, a, b));
      const std::string u = fmt::format("u_{}_{}", m, b);
      binaries.push_back(u);
      ++st.variables;
      std::istringstream xs(on_block[static_cast<std::size_t>(b)]);
      std::string made;  // m's production on b: at most min(W_b, rate x steps) when it visits b
      long long steps = 0;
      for (std::string x; xs >> x; ++steps) {
        rows.push_back(x + " - " + u + " <= 0");
        made += " + p" + x.substr(1);
      }
      rows.push_back(made + term(-std::min(pb.work[b], pb.rate[pb.mb(m, b)] * static_cast<double>(steps)), u) + " <= 0");
      if (lo <= 0.0) continue;
      const std::string f = fmt::format("f_{}_{}", m, b);  // b is m's first block (at most one)
      ++st.variables;
      rows.push_back(f + " - " + u + " <= 0");
      first += " + " + f;
      cut += term(-lo, u) + term(lo, f);
      any = true;
    }
    if (!any) continue;
    rows.push_back(first + " <= 1");
    rows.push_back(cut + " >= 0");
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
          ++st.variables;
          r += " - " + e + "\n";
          objective.push_back(term(-wS * j, e));
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
        ++st.variables;
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
  out << "\\ plan MIP (fhops/harvest/bounds/plan_mip.hpp): " << pb.name << "\nMaximize\n obj:";
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
  st.rows = rows.size();
  return st;
}

/// The plan of a solution's values: its x cells, plus every lock the model leaves idle (outside
/// the window, or a penalty no plan avoids), written as the lock.
inline schedule plan_mip_schedule(const problem& pb, const std::unordered_map<std::string, double>& values) {
  schedule plan(pb);
  for (const auto& [name, v] : values)
    if (const auto cell = plan_mip_cell_of(name); cell && v > 0.5) plan.at(cell->machine, pb.eval_order[cell->step]) = cell->block;
  for (int m = 0; m < pb.num_machines; ++m)
    for (int t = 0; t < pb.num_slots; ++t)
      if (const int lk = pb.lock[pb.ms(m, t)]; lk >= 0 && plan.at(m, t) == idle) plan.at(m, t) = lk;
  return plan;
}

/// Drops cells of `plan` while that raises its score (a cell the MIP counts but the evaluator
/// penalises, for example a sequencing count the evaluator does not credit on a block finished
/// earlier); returns the final evaluation.
inline evaluation drop_penalised_cells(const problem& pb, schedule& plan) {
  evaluator full(pb);
  evaluation e = full(plan);
  for (bool better = e.penalty_events > 0; better;) {
    better = false;
    for (auto& cell : plan.cells) {
      if (cell == idle) continue;
      const std::int32_t was = std::exchange(cell, idle);
      const evaluation f = full(plan);
      if (f.score > e.score) {
        e = f;
        better = true;
      } else {
        cell = was;
      }
    }
  }
  return e;
}

/// What solve_plan_mip found.
struct plan_mip_result {
  schedule plan;                     ///< the best plan (the MIP's, or the greedy plan, see source)
  evaluation eval;                   ///< the plan re-scored by the evaluator
  std::string source = "mip";        ///< "mip", or "greedy" when the MIP gave no better plan
  bool optimal = false;              ///< the solver proved the MIP optimal
  bool incumbent = false;            ///< the solver returned a plan
  double mip_objective = std::numeric_limits<double>::quiet_NaN();  ///< the model's value of its plan (+ constant)
  double bound = std::numeric_limits<double>::infinity();           ///< no plan without penalty events scores more
  double seconds = 0.0;              ///< wall-clock time: writing, solving, reading
  double build_seconds = 0.0;        ///< of which writing the model
  plan_mip_stats size;
  std::string note;                  ///< why the MIP's plan is not the answer (no incumbent, solver error)

  /// bound - score (0 at a proven optimum; +inf without a bound).
  double gap() const { return optimal ? 0.0 : bound - eval.score; }
  /// gap() / max(1, |bound|).
  double relative_gap() const { return gap() / std::max(1.0, std::abs(bound)); }
};

/// Solves the plan MIP of `pb` with `solver`, the model written as `model` (and the solver's files
/// beside it). When the solver gives no plan (a time limit before any incumbent, an error) or a
/// plan worse than the greedy plan, the greedy plan is the answer and `source`/`note` say so.
template <class Solver>
  requires search::lp_solver<Solver>
plan_mip_result solve_plan_mip(const problem& pb, Solver& solver, const std::filesystem::path& model) {
  const auto t0 = std::chrono::steady_clock::now();
  plan_mip_result r;
  r.plan = schedule(pb);
  {
    std::ofstream lp(model);
    if (!lp) throw std::runtime_error(model.string() + ": cannot write the MIP model");
    r.size = write_plan_mip(lp, pb);
    lp.flush();
    if (!lp) throw std::runtime_error(model.string() + ": cannot write the MIP model");
  }
  r.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  try {
    const search::lp_answer a = solver(model, false);
    r.bound = a.bound + r.size.constant;
    if (std::isnan(a.objective)) {  // stopped before any plan: the bound only
      r.note = "the solver found no plan within its limits";
    } else {
      r.incumbent = true;
      r.optimal = a.optimal;
      r.mip_objective = a.objective + r.size.constant;
      r.plan = plan_mip_schedule(pb, a.values);
      r.eval = drop_penalised_cells(pb, r.plan);
    }
  } catch (const std::runtime_error& e) {
    r.note = e.what();
  }
  schedule seed = greedy_schedule(pb);
  const evaluation g = evaluate(pb, seed);
  // the greedy plan only when it is better by more than rounding (the same value summed in
  // another order)
  if (!r.incumbent || g.score > r.eval.score + 1e-9 * std::max(1.0, std::abs(r.eval.score))) {
    if (r.incumbent) r.note = fmt::format("the MIP's plan scores {} < the greedy plan's {}", r.eval.score, g.score);
    r.plan = std::move(seed);
    r.eval = g;
    r.source = "greedy";
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

/// Options of the cbc run of solve_plan_mip.
struct plan_mip_options {
  double seconds = 0.0;       ///< cbc's time limit (`-sec`; 0: none)
  long long seed = -1;        ///< cbc's random seed (`-randomCbcSeed`; < 0: cbc's default)
  std::string program = "cbc";
  std::filesystem::path dir{};  ///< where the model and cbc's files go (empty: a private temporary folder, removed after)
};

/// Solves the plan MIP of `pb` with Debian's cbc (see solve_plan_mip above).
inline plan_mip_result solve_plan_mip(const problem& pb, const plan_mip_options& o = {}) {
  if (!(o.seconds >= 0.0)) throw std::invalid_argument("plan_mip_options.seconds must be >= 0 (got " + std::to_string(o.seconds) + ")");
  search::cbc_solver cbc;
  cbc.program = o.program;
  cbc.seconds = o.seconds;
  if (o.seed >= 0) cbc.arguments = "-randomCbcSeed " + std::to_string(o.seed);
  if (!cbc.available()) throw std::runtime_error("the plan MIP needs cbc (Debian package coinor-cbc): '" + o.program + "' was not found");
  if (!o.dir.empty()) {
    std::filesystem::create_directories(o.dir);
    return solve_plan_mip(pb, cbc, o.dir / "plan_mip.lp");
  }
  const fhops::private_temp_folder tmp("fhops-mip-");
  return solve_plan_mip(pb, cbc, tmp.path() / "plan_mip.lp");
}

}  // namespace fhops::harvest
