/// \file
/// Simulated annealing over a cooling schedule and an acceptance rule. With the defaults
/// (geometric cooling ×0.995 from max(1, initial/10), Metropolis, one candidate per enabled operator
/// in weighted order, first acceptable taken, restart every 100 steps without acceptance) it is the
/// reference's `solve_sa` loop (heuristics.md §3).
#pragma once

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
  void validate() const {
    if (batch < 0) throw std::invalid_argument("annealer_parameters.batch must be >= 0 (got " + std::to_string(batch) + ")");
    if (restart_period < 0)
      throw std::invalid_argument("annealer_parameters.restart_period must be >= 0 (got " + std::to_string(restart_period) + ")");
  }
};

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
        cooling_.step(r.progress(1));  // the temperature after this step, as the reference logs it
        if (!r.end_step(s, cooling_.temperature())) break;
        if constexpr (Run::checkpoints) {  // no checkpoint code (nor its requirements) without a hook
          if (r.checkpoint_due() && !r.checkpoint(s, [&](checkpoint_writer& w) {
                cooling_.save(w);
                acceptance_.save(w);
                space.save_solution(w, "sa.start", start);
                w.put("sa.accepted", accepted);
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

  annealer_parameters p_;
  Cooling cooling_;
  Acceptance acceptance_;
};

}  // namespace fhops::search
