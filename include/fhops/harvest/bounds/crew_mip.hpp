/// \file
/// The exact mixed-integer program of one crew on one landing, written in CPLEX LP format for an
/// external MIP solver (for example Debian's coinor-cbc: `cbc crew.lp -solve`).
///
/// Under the landing decomposition (landing_decomposition.hpp) the score of a plan in which every
/// machine stays on one landing is the sum over landings of each crew's score on its own blocks.
/// One crew's best score is a small MIP, in a flow form (on large84 a crew of 3 closes at the root
/// in 0.3 s, where linking each machine's position slot to slot left a gap of 47 after 550 s):
/// each machine's row is a path through a time-expanded network (the state
/// after each step is "nothing worked yet" or the block it last worked; entering a block needs a
/// productive slot there and costs wM x move cost + wT from another block, nothing from the first
/// state), production p <= rate x in each producible slot, at most W_b on block b, and at most the
/// landing's capacity of productive machines in a slot (written only when the crew can exceed it).
///
/// The optimum bounds every plan of the crew on the landing from above: a plan's productive
/// slots are a solution of the same value, given that a plan with a penalty event does no better
/// than the same plan with that cell idle (true whenever 1000 exceeds wM x the largest move cost:
/// a penalty's only gain is a free next move). It is the crew's best score when moves between the
/// landing's blocks obey the triangle inequality (then the plan of an optimal solution scores at
/// least its value in the full evaluator). Scenarios with locks or sequencing are refused, as by
/// the decomposition.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/bounds/landing_decomposition.hpp"
#include "fhops/harvest/problem.hpp"

namespace fhops::harvest {

/// The machines that can produce on some block of `landing` in some slot (can_produce), in
/// scenario order: the only ones a crew of the landing needs.
inline std::vector<int> landing_workers(const problem& pb, int landing) {
  std::vector<int> out;
  for (int m = 0; m < pb.num_machines; ++m) {
    bool any = false;
    for (int b = 0; b < pb.num_blocks && !any; ++b)
      if (pb.landing_of[b] == landing)
        for (int t = 0; t < pb.num_slots && !any; ++t) any = can_produce(pb, m, b, t);
    if (any) out.push_back(m);
  }
  return out;
}

/// A productive cell named by a variable of write_crew_mip: x_m_j_k is machine m on the landing's
/// j-th block (blocks_by_landing order) at step k of the evaluation order.
struct crew_mip_cell {
  int machine = 0, block = 0, step = 0;  ///< block: index into the landing's blocks
};

/// The cell of a variable name x_m_j_k, or nothing for any other variable.
inline std::optional<crew_mip_cell> crew_mip_cell_of(const std::string& name) {
  if (name.size() < 2 || name[0] != 'x' || name[1] != '_') return std::nullopt;
  const auto a = name.find('_', 2), b = name.find('_', a + 1);
  return crew_mip_cell{std::stoi(name.substr(2, a - 2)), std::stoi(name.substr(a + 1, b - a - 1)), std::stoi(name.substr(b + 1))};
}

/// Writes the MIP of `crew` (machine indices) working the blocks of `landing` to `out` in CPLEX
/// LP format, maximising the crew's score. Variables: f_m_a_b_k (machine m goes from state a to
/// state b at step k of the evaluation order; state 0 is "nothing worked yet", state j + 1 the
/// landing's j-th block), x_m_j_k (m produces on block j at step k) and p_m_j_k (the amount).
/// With `machine_price` (indexed by machine), a machine that never produces earns its price: the
/// optimum is then the best over the crew's sub-crews C of score(C) + the prices of the others,
/// the pricing problem of a column generation over crews (landing_certificate.hpp). A machine that
/// cannot produce on the landing (see landing_workers) earns no price: leave it out.
inline void write_crew_mip(std::ostream& out, const problem& pb, int landing, std::span<const int> crew,
                           std::span<const double> machine_price = {}) {
  if (landing < 0 || landing >= pb.num_landings)
    throw std::invalid_argument("crew_mip.landing must be in [0, " + std::to_string(pb.num_landings) + ") (got " +
                                std::to_string(landing) + ")");
  for (std::size_t i = 0; i < crew.size(); ++i) {
    if (crew[i] < 0 || crew[i] >= pb.num_machines) throw std::invalid_argument("crew_mip.crew: no machine " + std::to_string(crew[i]));
    if (std::find(crew.begin(), crew.begin() + static_cast<std::ptrdiff_t>(i), crew[i]) != crew.begin() + static_cast<std::ptrdiff_t>(i))
      throw std::invalid_argument("crew_mip.crew: machine " + pb.machine_ids[crew[i]] + " appears twice");
  }
  if (!machine_price.empty() && machine_price.size() != static_cast<std::size_t>(pb.num_machines))
    throw std::invalid_argument("crew_mip.machine_price must have one price per machine (got " + std::to_string(machine_price.size()) + ")");
  if (pb.weights.landing_slack > 0.0 && static_cast<int>(crew.size()) > pb.landing_capacity[landing])
    throw std::invalid_argument("crew_mip: a crew larger than the landing's capacity needs hard capacity (objective weight landing_slack 0)");
  if (pb.has_sequencing) throw std::invalid_argument("crew_mip: scenarios with sequencing prerequisites are not supported");
  for (const auto lk : pb.lock)
    if (lk >= 0) throw std::invalid_argument("crew_mip: scenarios with locked assignments are not supported");
  const std::vector<int> blocks = std::move(blocks_by_landing(pb)[landing]);  // the order of j in x_m_j_k
  const int S = pb.num_slots, C = static_cast<int>(blocks.size());
  const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
  const auto num = [](double v) { return fmt::format("{}", v); };  // shortest text that reads back the same double
  const auto term = [&](double coef, const std::string& var) {        // " + c v" or " - c v"
    return (coef < 0.0 ? " - " + num(-coef) : " + " + num(coef)) + " " + var;
  };
  const auto f = [](int m, int a, int b, int k) {
    return "f_" + std::to_string(m) + "_" + std::to_string(a) + "_" + std::to_string(b) + "_" + std::to_string(k);
  };
  const auto xv = [](char c, int m, int j, int k) {
    return std::string(1, c) + "_" + std::to_string(m) + "_" + std::to_string(j) + "_" + std::to_string(k);
  };
  const auto can = [&](int m, int j, int k) { return can_produce(pb, m, blocks[j], pb.eval_order[k]); };
  std::vector<std::string> objective, rows, binaries;
  std::vector<std::vector<std::string>> produced(C), busy(S);
  std::vector<int> machines_at(S, 0);  // crew machines that can produce here in each step
  for (const int m : crew) {
    const bool has_params = pb.has_move_params[m] != 0;
    int prev = -1;
    for (int k = 0; k < S; ++k) {
      bool any = false;
      for (int j = 0; j < C && !any; ++j) any = can(m, j, k);
      if (!any) continue;  // the state carries over a step where nothing can be produced here
      ++machines_at[k];
      // arcs a -> b of this step: stay, enter a producible block, or stay in state 0
      std::vector<std::string> leave(C + 1), enter_all(C + 1), enter_moving(C + 1);
      for (int a = 0; a <= C; ++a)
        for (int b = 0; b <= C; ++b) {
          if (b == 0 && a != 0) continue;
          if (b != 0 && a != b && !can(m, b - 1, k)) continue;
          const std::string v = f(m, a, b, k);
          binaries.push_back(v);
          leave[a] += " + " + v;
          enter_all[b] += " - " + v;
          if (b != 0 && a != b) enter_moving[b] += " + " + v;
          if (a != 0 && b != 0 && a != b) {
            const double cost = (has_params ? wM * pb.move_cost(m, blocks[a - 1], blocks[b - 1]) : 0.0) + wT;
            if (cost != 0.0) objective.push_back(term(-cost, v));
          }
        }
      // flow conservation: what leaves state a now entered it at the previous step (state 0 at the start)
      for (int a = 0; a <= C; ++a) {
        if (leave[a].empty()) continue;
        if (prev < 0) {
          rows.push_back(leave[a] + (a == 0 ? " = 1" : " = 0"));
          continue;
        }
        std::string entered;
        for (int a2 = 0; a2 <= C; ++a2) {
          if (a == 0 && a2 != 0) continue;
          if (a != 0 && a2 != a && !can(m, a - 1, prev)) continue;
          entered += " - " + f(m, a2, a, prev);
        }
        rows.push_back(leave[a] + entered + " = 0");
      }
      for (int j = 0; j < C; ++j) {
        if (!can(m, j, k)) continue;
        const std::string x = xv('x', m, j, k), p = xv('p', m, j, k);
        binaries.push_back(x);
        objective.push_back(term(wP, p));
        rows.push_back(p + " - " + num(pb.rate[pb.mb(m, blocks[j])]) + " " + x + " <= 0");
        rows.push_back(x + enter_all[j + 1] + " <= 0");                       // produce only where the machine is
        if (!enter_moving[j + 1].empty()) rows.push_back(enter_moving[j + 1] + " - " + x + " <= 0");  // entering is producing
        produced[j].push_back(p);
        busy[k].push_back(x);
      }
      prev = k;
    }
    // still in state 0 after its last step: the machine never produced
    if (!machine_price.empty() && prev >= 0 && machine_price[m] != 0.0) objective.push_back(term(machine_price[m], f(m, 0, 0, prev)));
  }
  for (int j = 0; j < C; ++j) {
    if (produced[j].empty()) continue;
    std::string r;
    for (const auto& p : produced[j]) r += " + " + p + "\n";
    rows.push_back(r + " <= " + num(pb.work[blocks[j]]));
  }
  const int cap = pb.landing_capacity[landing];
  for (int k = 0; k < S; ++k) {
    if (machines_at[k] <= cap) continue;
    std::string r;
    for (const auto& x : busy[k]) r += " + " + x + "\n";
    rows.push_back(r + " <= " + std::to_string(cap));
  }
  out << "\\ crew MIP (fhops crew_mip.hpp): landing " << pb.landing_ids[landing] << ", machines";
  for (const int m : crew) out << ' ' << pb.machine_ids[m];
  out << "\nMaximize\n obj:";
  if (objective.empty()) out << " 0 f_none\n";  // a crew that can produce nothing here: the empty objective needs a term
  for (const auto& t : objective) out << t << '\n';
  out << "Subject To\n";
  for (std::size_t i = 0; i < rows.size(); ++i) out << " c" << i << ": " << rows[i] << '\n';
  out << "Binaries\n";
  for (const auto& v : binaries) out << ' ' << v << '\n';
  out << "End\n";
}

}  // namespace fhops::harvest
