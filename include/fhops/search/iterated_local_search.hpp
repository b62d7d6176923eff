/// \file
/// Iterated local search (heuristics.md §4): best-improvement local search over sampled
/// candidates, then a random perturbation; after `stall_limit` iterations without a new best the
/// perturbation starts from the best solution instead. An optional hybrid (the reference's
/// `hybrid_use_mip`) is asked for a solution at each stall first: when it beats the best, the
/// search continues from it without a perturbation.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "fhops/search/concepts.hpp"
#include "fhops/search/run.hpp"

namespace fhops::search {

/// ILS parameters.
struct ils_parameters {
  long long perturbation_strength = 3;  ///< random moves per perturbation (>= 1)
  long long stall_limit = 10;           ///< iterations without a new best before restarting from the best (>= 1)
  long long samples = 0;                ///< candidates per local-search step; 0 = one per enabled operator (reference)
  long long patience = 1;               ///< non-improving local-search steps before it stops (reference: 1)
  bool accept_worse = true;             ///< keep a worse local optimum (the reference's random walk); false = keep
                                        ///< the better of the old and new local optimum
  void validate() const {
    if (perturbation_strength < 1)
      throw std::invalid_argument("ils_parameters.perturbation_strength must be >= 1 (got " + std::to_string(perturbation_strength) + ")");
    if (stall_limit < 1) throw std::invalid_argument("ils_parameters.stall_limit must be >= 1 (got " + std::to_string(stall_limit) + ")");
    if (samples < 0) throw std::invalid_argument("ils_parameters.samples must be >= 0 (got " + std::to_string(samples) + ")");
    if (patience < 1) throw std::invalid_argument("ils_parameters.patience must be >= 1 (got " + std::to_string(patience) + ")");
  }
};

/// The hybrid of a run without one: never offers a solution.
struct no_hybrid {
  template <class Solution>
  std::optional<Solution> offer() const {
    return std::nullopt;
  }
};
static_assert(ils_hybrid_for<no_hybrid, int>);

/// Iterated local search.
class iterated_local_search {
public:
  explicit iterated_local_search(ils_parameters p = {}) : p_(p) { p_.validate(); }

  /// Runs the search; at each stall `hybrid.template offer<solution_type>()` may give a solution
  /// (a std::optional) that replaces the current one when it beats the best.
  template <class Run, class Hybrid = no_hybrid>
  auto run(Run& r, typename Run::state_type& s, Hybrid&& hybrid = {}) {
    static_assert(ils_hybrid_for<std::remove_reference_t<Hybrid>, typename Run::solution_type>,
                  "iterated_local_search: a hybrid needs offer<Solution>() returning std::optional<Solution>");
    auto& space = r.space();
    r.begin(s, "ils");
    typename Run::move_type mv{}, best_mv{};
    long long stalls = 0;
    for (;;) {
      // Local search: best of `samples` candidates per step while it improves.
      const double best_before = r.best_score();
      long long idle = 0;
      for (;;) {
        const auto& order = r.operator_order();
        if (order.empty()) break;
        double best_score = -std::numeric_limits<double>::infinity();
        std::size_t best_op = 0;
        bool any = false;
        r.candidates(order, s, static_cast<std::size_t>(p_.samples), mv, [&](std::size_t op, const auto& m) {
          const double sc = r.evaluate(s, m);
          if (!any || sc > best_score) {
            best_score = sc;
            best_op = op;
            best_mv = m;
            any = true;
          }
          return true;
        });
        if (any && best_score > space.score(s)) {
          r.make(best_op, s, best_mv, best_score);
          idle = 0;
        } else {
          if (any) r.rejected(best_op);
          if (!any || ++idle >= p_.patience) break;
        }
      }
      stalls = r.best_score() > best_before ? 0 : stalls + 1;
      if (!r.end_step(s)) break;
      // Perturbation (of the best after a stall).
      if (stalls >= p_.stall_limit) {
        if (auto h = hybrid.template offer<typename Run::solution_type>()) {
          space.restore(s, *h);
          if (r.note(s)) {  // the hybrid's solution is the new best: search on from it
            stalls = 0;
            r.restarted();
            continue;
          }
        }
        space.restore(s, r.best());
        stalls = 0;
        r.restarted();
      } else if (!p_.accept_worse && space.score(s) < r.best_score()) {
        space.restore(s, r.best());
      }
      for (long long k = 0; k < p_.perturbation_strength; ++k) {
        const auto made = r.candidates(r.operator_order(), s, 1, mv, [&](std::size_t op, const auto& m) {
          r.make(op, s, m, r.evaluate(s, m));
          return false;
        });
        if (made == 0) break;
      }
    }
    return r.finish(s);
  }

private:
  ils_parameters p_;
};

}  // namespace fhops::search
