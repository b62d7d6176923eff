/// \file
/// A certificate for the landing decomposition: an upper bound on the score of every plan in which
/// each machine works the blocks of one landing only, for crews of any size (over a landing's
/// capacity too), by column generation over crews with an external MIP solver
/// (fhops/search/exact/lp_solver.hpp); and a check of when moving a machine between landings can never
/// pay, so that the bound covers every plan.
///
/// Master: the linear relaxation of the set packing over the known crews (at most one crew per
/// landing, each machine in at most one crew), whose duals price the machines (pi) and landings.
/// Pricing: for each landing, the best crew by score(C) - pi(C), an exact MIP (crew_mip.hpp) over
/// every machine that can work there. For any pi >= 0, sum pi + sum over landings of
/// max(0, best priced crew) bounds every such plan; the priced crews join the master as columns
/// until none improves it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/bounds/crew_mip.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/search/exact/lp_solver.hpp"
#include "fhops/search/exact/set_packing.hpp"

namespace fhops::harvest {

/// Parameters of certify_landings.
struct landing_certificate_parameters {
  int max_iterations = 50;  ///< master/pricing rounds at most
  double tolerance = 1e-6;  ///< a priced crew improves the master when it beats the landing's dual by more

  void validate() const {
    if (max_iterations < 1)
      throw std::invalid_argument("landing_certificate.max_iterations must be >= 1 (got " + std::to_string(max_iterations) + ")");
    if (!(tolerance >= 0.0)) throw std::invalid_argument("landing_certificate.tolerance must be >= 0 (got " + fmt::format("{}", tolerance) + ")");
  }
};

/// What certify_landings proved.
struct landing_certificate {
  double bound = std::numeric_limits<double>::infinity();  ///< no plan keeping every machine on one landing scores more
  double master = 0.0;       ///< the last master relaxation's value
  double packing = 0.0;      ///< best packing of the columns' values (the MIP values of priced crews are upper
                             ///< bounds of their scores, exact when moves within a landing obey the triangle inequality)
  int iterations = 0;        ///< master/pricing rounds
  std::size_t columns = 0;   ///< crews in the master at the end
  bool converged = false;    ///< the last round priced no improving crew: bound == master (within the solver's tolerances)
  schedule plan;             ///< the best packing's crews, each planned by its exact MIP (productive cells only)
  double plan_value = 0.0;   ///< its score by the full evaluator
};

/// Progress of certify_landings: after each landing's pricing.
struct landing_certificate_progress {
  int iteration = 0, landing = 0;
  double bound = 0.0;  ///< the best bound so far (infinite until a round is complete)
};

/// No progress reports (certify_landings's default).
struct no_certificate_progress {
  void operator()(const landing_certificate_progress&) const noexcept {}
};

/// Column generation over crews (see the file comment). `columns[l]` holds known crews of landing
/// l with their scores (for example decompose_landings's crew_values; may be empty); the models
/// are written to `work_dir`; `solve` answers them. Needs a scenario without locks or sequencing
/// and with hard landing capacity (landing_slack weight 0).
template <search::lp_solver Solver, class Progress = no_certificate_progress>
landing_certificate certify_landings(const problem& pb, std::vector<std::vector<search::packing_option>> columns, Solver& solve,
                                     const std::filesystem::path& work_dir, const landing_certificate_parameters& p = {},
                                     Progress progress = {}) {
  p.validate();
  const int M = pb.num_machines, L = pb.num_landings;
  if (static_cast<int>(columns.size()) != L)
    throw std::invalid_argument("landing_certificate.columns must have one list per landing (got " + std::to_string(columns.size()) + ")");
  if (pb.weights.landing_slack > 0.0)
    throw std::invalid_argument("landing_certificate: needs hard landing capacity (objective weight landing_slack 0)");
  if (M > 24) throw std::invalid_argument("landing_certificate: at most 24 machines (got " + std::to_string(M) + ")");
  std::filesystem::create_directories(work_dir);
  const auto by_landing = blocks_by_landing(pb);
  std::vector<std::vector<int>> workers(L);
  for (int l = 0; l < L; ++l) workers[l] = landing_workers(pb, l);
  landing_certificate out;
  std::vector<double> pi(M), sigma(L);
  for (int it = 0; it < p.max_iterations; ++it) {
    out.iterations = it + 1;
    // master: the relaxed packing of the columns, for the duals
    std::fill(pi.begin(), pi.end(), 0.0);
    std::fill(sigma.begin(), sigma.end(), 0.0);
    out.master = 0.0;
    if (std::any_of(columns.begin(), columns.end(), [](const auto& c) { return !c.empty(); })) {
      const auto model = work_dir / "master.lp";
      {
        std::ofstream o(model);
        o << "Maximize\n obj:";
        for (int l = 0; l < L; ++l)
          for (std::size_t i = 0; i < columns[l].size(); ++i) {
            const double v = columns[l][i].value;
            o << (v < 0.0 ? " - " : " + ") << fmt::format("{}", std::abs(v)) << " y_" << l << '_' << i << '\n';
          }
        o << "Subject To\n";
        for (int m = 0; m < M; ++m) {
          std::string row;
          for (int l = 0; l < L; ++l)
            for (std::size_t i = 0; i < columns[l].size(); ++i)
              if (columns[l][i].items >> m & 1u) row += " + y_" + std::to_string(l) + '_' + std::to_string(i) + '\n';
          if (!row.empty()) o << " m" << m << ':' << row << " <= 1\n";
        }
        for (int l = 0; l < L; ++l) {
          if (columns[l].empty()) continue;
          o << " l" << l << ':';
          for (std::size_t i = 0; i < columns[l].size(); ++i) o << " + y_" << l << '_' << i << '\n';
          o << " <= 1\n";
        }
        o << "End\n";
      }
      const search::lp_answer a = solve(model, true);
      if (!a.optimal) throw std::runtime_error("landing_certificate: the master relaxation " + model.string() + " was not solved to optimality");
      out.master = a.objective;
      for (int m = 0; m < M; ++m)
        if (const auto d = a.duals.find("m" + std::to_string(m)); d != a.duals.end()) pi[m] = std::max(0.0, d->second);
      for (int l = 0; l < L; ++l)
        if (const auto d = a.duals.find("l" + std::to_string(l)); d != a.duals.end()) sigma[l] = std::max(0.0, d->second);
    }
    // pricing: each landing's best crew against the machines' prices
    double bound = 0.0;
    for (const double v : pi) bound += v;
    bool added = false;
    for (int l = 0; l < L; ++l) {
      if (workers[l].empty()) continue;
      double priced_all = 0.0;
      for (const int m : workers[l]) priced_all += pi[m];
      const auto model = work_dir / ("price_" + std::to_string(l) + ".lp");
      {
        std::ofstream o(model);
        write_crew_mip(o, pb, l, workers[l], pi);
      }
      const search::lp_answer a = solve(model, false);
      bound += std::max(0.0, a.bound - priced_all);  // the best crew's priced value, bounded
      std::uint32_t used = 0;
      for (const auto& [name, v] : a.values)
        if (const auto cell = crew_mip_cell_of(name); cell && v > 0.5) used |= 1u << cell->machine;
      double value = a.objective;  // the crew's score: the objective less the prices of the machines left out
      for (const int m : workers[l])
        if (!(used >> m & 1u)) value -= pi[m];
      double priced = value;
      for (const int m : workers[l])
        if (used >> m & 1u) priced -= pi[m];
      if (used != 0 && priced > sigma[l] + p.tolerance) {
        auto at = std::find_if(columns[l].begin(), columns[l].end(), [&](const search::packing_option& o) { return o.items == used; });
        if (at == columns[l].end()) columns[l].push_back({used, value}), added = true;
        else if (value > at->value + p.tolerance) at->value = value, added = true;
      }
      progress(landing_certificate_progress{it, l, out.bound});
    }
    out.bound = std::min(out.bound, bound);
    if (!added) {
      out.converged = true;
      break;
    }
  }
  std::size_t count = 0;
  for (const auto& c : columns) count += c.size();
  out.columns = count;
  const auto best = search::best_packing(M, columns);
  out.packing = best.value;
  // the best packing as a plan: each chosen crew's MIP again, without prices, for its rows
  out.plan = schedule(pb);
  for (int l = 0; l < L; ++l) {
    if (best.choice[l] < 0) continue;
    std::vector<int> crew;
    for (int m = 0; m < M; ++m)
      if (columns[l][best.choice[l]].items >> m & 1u) crew.push_back(m);
    const auto model = work_dir / ("crew_" + std::to_string(l) + ".lp");
    {
      std::ofstream o(model);
      write_crew_mip(o, pb, l, crew);
    }
    for (const auto& [name, v] : solve(model, false).values)
      if (const auto cell = crew_mip_cell_of(name); cell && v > 0.5)
        out.plan.at(cell->machine, pb.eval_order[cell->step]) = by_landing[l][cell->block];
  }
  out.plan_value = evaluator(pb)(out.plan).score;
  return out;
}

/// Whether a plan that moves a machine between landings can never beat the best plan that keeps
/// every machine on one landing, and if not, why.
struct landing_change_check {
  bool never_pays = false;
  std::string reason;  ///< the first condition that fails (empty when never_pays)
};

/// Checks sufficient conditions for "moving a machine between landings never pays", so that a
/// bound over plans that keep every machine on one landing bounds every plan:
/// - no locks and no sequencing (dropping a machine's work then never lowers another's), and hard
///   landing capacity;
/// - a penalty (1000) costs more than any move saves (wM x the largest move cost + wT), so a best
///   plan has no penalty event;
/// - for every machine, P < 2 c_x - c_i, where P bounds all it can produce (the sum over slots of
///   its best rate there), c_x is its cheapest move between landings and c_i its dearest within
///   one (both weighted, + wT). Then dropping the machine's work on every landing but the one
///   where it produces most loses at most P (j - 1) / j over j landings, and saves at least
///   k c_x - floor(k / 2) c_i over its k >= j - 1 landing changes: more, for every k >= 1.
inline landing_change_check landing_changes_never_pay(const problem& pb) {
  landing_change_check r;
  if (pb.has_sequencing) return {false, "the scenario has sequencing prerequisites"};
  for (const auto lk : pb.lock)
    if (lk >= 0) return {false, "the scenario has locked assignments"};
  if (pb.weights.landing_slack > 0.0) return {false, "landing capacity is soft (objective weight landing_slack > 0)"};
  const double wM = pb.weights.mobilisation, wT = pb.weights.transitions, wP = pb.weights.production;
  for (int m = 0; m < pb.num_machines; ++m) {
    const bool params = pb.has_move_params[m] != 0;
    double cross = std::numeric_limits<double>::infinity(), within = 0.0, largest = 0.0;
    for (int a = 0; a < pb.num_blocks; ++a)
      for (int b = 0; b < pb.num_blocks; ++b) {
        if (a == b) continue;
        const double c = (params ? wM * pb.move_cost(m, a, b) : 0.0) + wT;
        largest = std::max(largest, c);
        if (pb.landing_of[a] == pb.landing_of[b]) within = std::max(within, c);
        else cross = std::min(cross, c);
      }
    if (largest >= 1000.0)
      return {false, fmt::format("machine {}: a move can cost {} (weighted), as much as a penalty", pb.machine_ids[m], largest)};
    double most = 0.0;
    for (int t = 0; t < pb.num_slots; ++t) {
      double best = 0.0;
      for (int b = 0; b < pb.num_blocks; ++b)
        if (can_produce(pb, m, b, t)) best = std::max(best, pb.rate[pb.mb(m, b)]);
      most += wP * best;
    }
    if (cross == std::numeric_limits<double>::infinity()) continue;  // one landing only: nothing to move between
    if (!(most < 2.0 * cross - within))
      return {false, fmt::format("machine {}: it can produce up to {:.3f} (weighted), not less than 2 x {:.3f} - {:.3f} (twice its "
                                 "cheapest move between landings less its dearest within one)",
                                 pb.machine_ids[m], most, cross, within)};
  }
  r.never_pays = true;
  return r;
}

}  // namespace fhops::harvest
