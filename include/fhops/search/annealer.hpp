/// \file
/// Simulated annealing over a cooling schedule and an acceptance rule. With the defaults
/// (geometric cooling ×0.995 from max(1, initial/10), Metropolis, one candidate per enabled operator
/// in weighted order, first acceptable taken, restart every 100 steps without acceptance, one
/// cooling cycle) it is the reference's `solve_sa` loop (heuristics.md §3).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "fhops/search/acceptance.hpp"
#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/search/cooling.hpp"
#include "fhops/search/run.hpp"

namespace fhops::search {

/// Annealer parameters.
struct annealer_parameters {
  long long batch = 0;             ///< candidates per step; 0 = one per enabled operator (reference)
  long long restart_period = 100;  ///< restart from the start state when a step accepts nothing and
                                   ///< iteration % period == 0; 0 = never
  bool drawn = false;              ///< one candidate per step, its operator drawn by weight even when
                                   ///< the weights are equal (Run::drawn_candidate); `batch` is then unused
  /// Cooling cycles: the budget is cut into this many equal shares, each cooled from the start
  /// (the state goes back to the start state, the cooling and the acceptance rule start again);
  /// the result is the best of all. With cycle_evaluations, the most cycles. Needs a budget.
  long long cycles = 1;
  /// > 0: the number of cycles is chosen once cycle_decision of the budget has passed, from the
  /// evaluations so far: as many as the whole budget's projected evaluations give this many each,
  /// at least 1 and at most `cycles`. 0: exactly `cycles`.
  double cycle_evaluations = 0.0;
  void validate() const {
    if (batch < 0) throw std::invalid_argument("annealer_parameters.batch must be >= 0 (got " + std::to_string(batch) + ")");
    if (restart_period < 0)
      throw std::invalid_argument("annealer_parameters.restart_period must be >= 0 (got " + std::to_string(restart_period) + ")");
    if (cycles < 1) throw std::invalid_argument("annealer_parameters.cycles must be >= 1 (got " + std::to_string(cycles) + ")");
    if (!(cycle_evaluations >= 0.0 && std::isfinite(cycle_evaluations)))
      throw std::invalid_argument("annealer_parameters.cycle_evaluations must be finite and >= 0");
  }
};

/// The share of the budget after which annealer_parameters::cycle_evaluations chooses the cycles.
inline constexpr double cycle_decision = 0.05;

/// Simulated annealing.
template <cooling_schedule Cooling = geometric_cooling, acceptance_rule Acceptance = metropolis>
class annealer {
public:
  explicit annealer(annealer_parameters p = {}, Cooling cooling = Cooling{}, Acceptance acceptance = Acceptance{})
      : p_(p), cooling_(std::move(cooling)), acceptance_(std::move(acceptance)) {
    p_.validate();
  }

  /// Runs from state `s` (left as the final current state) and returns the result.
  template <class Run>
  auto run(Run& r, typename Run::state_type& s) {
    auto& space = r.space();
    r.begin(s, "sa");
    const auto start = space.snapshot(s);
    cooling_.start(space.score(s));
    acceptance_.start(space.score(s));
    cycles_ = 0;
    cycle_ = 0;
    return loop(r, s, start, false, false);
  }

  /// Continues a run checkpointed by run() of an annealer with the same parameters and policies
  /// (the checkpoint's cooling and acceptance state replace this annealer's).
  template <class Run>
  auto resume(Run& r, typename Run::state_type& s, checkpoint_reader& in) {
    r.resume(in, s, "sa");
    cooling_.load(in);
    acceptance_.load(in);
    const auto start = r.space().load_solution(in, "sa.start");
    const bool accepted = in.get<bool>("sa.accepted");
    in.get("sa.cycles", cycles_);
    in.get("sa.cycle", cycle_);
    return loop(r, s, start, true, accepted);
  }

  const Cooling& cooling() const { return cooling_; }

private:
  // The steps; a resumed run starts after its checkpoint's end_step (`resumed`: the step is done,
  // its restart test is not; `accepted`: whether that step accepted a move).
  template <class Run>
  auto loop(Run& r, typename Run::state_type& s, const typename Run::solution_type& start, bool resumed, bool accepted) {
    auto& space = r.space();
    typename Run::move_type mv{};
    for (;;) {
      if (!resumed) {
        accepted = false;
        const auto visit = [&](std::size_t op, const auto& m) {
          const double current = space.score(s);
          const double candidate = r.evaluate(s, m);
          if (acceptance_.accept(candidate - current, current, r.best_score(), cooling_.temperature(), r.random())) {
            r.make(op, s, m, candidate);
            accepted = true;
            return false;
          }
          r.rejected(op);
          return true;
        };
        if (p_.drawn) {
          if (r.drawn_candidate(s, mv, visit) < 0) {
            r.exhausted();
            break;
          }
        } else {
          const auto& order = r.operator_order();
          if (order.empty()) {
            r.exhausted();
            break;
          }
          r.candidates(order, s, static_cast<std::size_t>(p_.batch), mv, visit);
        }
        acceptance_.commit(space.score(s));
        cooling_.step(cycle_progress(r, s, start));  // the temperature after this step, as the reference logs it
        if (!r.end_step(s, cooling_.temperature())) break;
        if constexpr (Run::checkpoints) {  // no checkpoint code (nor its requirements) without a hook
          if (r.checkpoint_due() && !r.checkpoint(s, [&](checkpoint_writer& w) {
                cooling_.save(w);
                acceptance_.save(w);
                space.save_solution(w, "sa.start", start);
                w.put("sa.accepted", accepted);
                w.put("sa.cycles", cycles_);
                w.put("sa.cycle", cycle_);
              }))
            break;
        }
      }
      resumed = false;
      if (!accepted && p_.restart_period > 0 && r.iteration() % p_.restart_period == 0) {
        space.restore(s, start);
        r.restarted();
      }
    }
    return r.finish(s);
  }

  // The cooling's progress after the step now ending: the budget's share, or with cycles the
  // share of the current cycle. Where a cycle begins, the state goes back to `start` and the
  // cooling and the acceptance rule start again (a restart). Chooses the cycles first when
  // cycle_evaluations asks for it and cycle_decision of the budget has passed.
  template <class Run>
  double cycle_progress(Run& r, typename Run::state_type& s, const typename Run::solution_type& start) {
    const double p = r.progress(1);
    if (p_.cycles <= 1) return p;
    if (cycles_ == 0) {  // not chosen yet
      if (p_.cycle_evaluations <= 0.0) {
        cycles_ = p_.cycles;
      } else {
        if (p < cycle_decision) return p;
        const double projected = static_cast<double>(r.evaluations()) / p;
        cycles_ = static_cast<long long>(std::clamp(std::floor(projected / p_.cycle_evaluations), 1.0, static_cast<double>(p_.cycles)));
      }
    }
    const long long c = std::min(cycles_ - 1, static_cast<long long>(p * static_cast<double>(cycles_)));
    if (c > cycle_) {
      cycle_ = c;
      auto& space = r.space();
      space.restore(s, start);
      cooling_.start(space.score(s));
      acceptance_.start(space.score(s));
      r.restarted();
    }
    return p * static_cast<double>(cycles_) - static_cast<double>(c);
  }

  annealer_parameters p_;
  Cooling cooling_;
  Acceptance acceptance_;
  long long cycles_ = 0;  // the cycles chosen (0: not yet)
  long long cycle_ = 0;   // the current cycle, from 0
};

}  // namespace fhops::search
