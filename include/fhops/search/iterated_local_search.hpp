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

#include "fhops/search/checkpoint.hpp"
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
  void save(checkpoint_writer&) const noexcept {}
  void load(checkpoint_reader&) noexcept {}
};
static_assert(ils_hybrid_for<no_hybrid, int> && state_serialisable<no_hybrid>);

/// Iterated local search.
class iterated_local_search {
public:
  explicit iterated_local_search(ils_parameters p = {}) : p_(p) { p_.validate(); }

  /// Runs the search; at each stall `hybrid.template offer<solution_type>()` may give a solution
  /// (a std::optional) that replaces the current one when it beats the best.
  template <class Run, class Hybrid = no_hybrid>
  auto run(Run& r, typename Run::state_type& s, Hybrid&& hybrid = {}) {
    r.begin(s, "ils");
    return loop(r, s, hybrid, 0, false);
  }

  /// Continues a run checkpointed by run() of a search with the same parameters (and a hybrid of
  /// the same kind, whose state the checkpoint carries).
  template <class Run, class Hybrid = no_hybrid>
  auto resume(Run& r, typename Run::state_type& s, checkpoint_reader& in, Hybrid&& hybrid = {}) {
    r.resume(in, s, "ils");
    const long long stalls = in.get<long long>("ils.stalls");
    hybrid.load(in);
    return loop(r, s, hybrid, stalls, true);
  }

private:
  // The iterations; a resumed run starts after its checkpoint's end_step (`resumed`: the local
  // search is done, the perturbation is not).
  template <class Run, class Hybrid>
  auto loop(Run& r, typename Run::state_type& s, Hybrid& hybrid, long long stalls, bool resumed) {
    static_assert(ils_hybrid_for<std::remove_reference_t<Hybrid>, typename Run::solution_type>,
                  "iterated_local_search: a hybrid needs offer<Solution>() returning std::optional<Solution>");
    static_assert(!Run::checkpoints || state_serialisable<std::remove_cvref_t<Hybrid>>,
                  "iterated_local_search: a checkpointed run's hybrid needs save(checkpoint_writer&) and load(checkpoint_reader&)");
    auto& space = r.space();
    typename Run::move_type mv{}, best_mv{};
    for (;;) {
      if (!resumed && !local_search(r, s, mv, best_mv, stalls, hybrid)) break;
      resumed = false;
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

  // Local search: best of `samples` candidates per step while it improves; then the iteration
  // ends (and may be checkpointed). False when the run stops.
  template <class Run, class Hybrid>
  bool local_search(Run& r, typename Run::state_type& s, typename Run::move_type& mv, typename Run::move_type& best_mv,
                    long long& stalls, const Hybrid& hybrid) {
    auto& space = r.space();
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
    if (!r.end_step(s)) return false;
    if constexpr (Run::checkpoints) {  // no checkpoint code (nor its requirements) without a hook
      return !r.checkpoint_due() || r.checkpoint(s, [&](checkpoint_writer& w) {
        w.put("ils.stalls", stalls);
        hybrid.save(w);
      });
    }
    return true;
  }

  ils_parameters p_;
};

}  // namespace fhops::search
