/// \file
/// The run object: what an algorithm sees of a search. It carries the space (problem services),
/// the neighbourhood, the operator selector, the random stream, the observer and the termination
/// rules, and it keeps every piece of bookkeeping (counters, best solution, stall, clock, events),
/// so algorithm code only decides which moves to make.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/search/concepts.hpp"
#include "fhops/search/termination.hpp"
#include "fhops/telemetry/events.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::search {

/// What a run returns.
template <class Solution>
struct search_result {
  Solution best;                 ///< the best solution found
  double best_score = 0.0;
  double initial_score = 0.0;    ///< score of the state the run started from
  double final_score = 0.0;      ///< score of the current state at the end
  long long iterations = 0;
  long long evaluations = 0;     ///< move evaluations
  long long proposals = 0;       ///< candidate moves examined
  long long accepted = 0;        ///< moves made
  long long restarts = 0;
  double seconds = 0.0;
  stop_reason reason = stop_reason::iterations;
  std::vector<telemetry::operator_counters> operators;
};

/// Rewards given to the operator selector for a move's outcome.
struct move_rewards {
  double new_best = 1.0;
  double improved = 0.5;
  double accepted = 0.1;
  double rejected = 0.0;
};

/// A search run. `Observer` is held by value (pass a small handle to a sink); the null observer
/// is an empty type and makes every event disappear at compile time.
template <search_space Space, neighbourhood_for<Space> Neighbourhood, operator_selector Selector,
          class Observer = telemetry::null_observer>
class search_run {
public:
  using state_type = typename Space::state_type;
  using move_type = typename Space::move_type;
  using solution_type = typename Space::solution_type;
  using result_type = search_result<solution_type>;

  search_run(Space& space, Neighbourhood& neighbourhood, Selector& selector, rng& random, termination stop,
             Observer observer = Observer{})
      : space_(space), nbh_(neighbourhood), selector_(selector), rng_(random), stop_(stop), observer_(std::move(observer)) {
    stop_.validate();
    ops_.resize(nbh_.operator_count());
    for (std::size_t i = 0; i < ops_.size(); ++i) ops_[i].name = std::string(nbh_.operator_name(i));
  }

  Space& space() { return space_; }
  Neighbourhood& neighbourhood() { return nbh_; }
  Selector& selector() { return selector_; }
  rng& random() { return rng_; }
  const termination& stop_rules() const { return stop_; }
  move_rewards& rewards() { return rewards_; }

  /// Starts the clock and records the initial state as the best.
  void begin(const state_type& s, std::string_view algorithm) {
    algorithm_ = algorithm;
    start_ = clock::now();
    result_.initial_score = space_.score(s);
    result_.best_score = result_.initial_score;
    result_.best = space_.snapshot(s);
    if constexpr (telemetry::observes<Observer, telemetry::run_begin_event>)
      observer_.on(telemetry::run_begin_event{algorithm_, result_.initial_score});
  }

  /// Operators in selection order for this step (weighted permutation of the enabled ones).
  const std::vector<std::size_t>& operator_order() {
    selector_.order(rng_, order_);
    return order_;
  }

  /// Proposes up to `limit` candidates (0 = one per operator in `order`), cycling through `order`
  /// and skipping operators that have no move, until `limit` are proposed, every operator failed
  /// in a row or the time budget is spent (out_of_time). Calls visit(op, move) for each; visit
  /// returns false to stop early. Returns how many candidates were visited.
  template <class Visit>
  std::size_t candidates(const std::vector<std::size_t>& order, const state_type& s, std::size_t limit, move_type& mv,
                         Visit&& visit) {
    if (order.empty()) return 0;
    if (limit == 0) limit = order.size();
    std::size_t tried = 0, failures = 0;
    for (std::size_t k = 0; tried < limit && failures < order.size(); ++k) {
      if (out_of_time()) break;
      const std::size_t op = order[k % order.size()];
      if (!propose(op, s, mv)) {
        ++failures;
        continue;
      }
      failures = 0;
      ++tried;
      if (!visit(op, mv)) break;
    }
    return tried;
  }

  /// True once the wall-clock budget (max_seconds) is spent, and from then on. candidates() asks
  /// before every proposal, so a step with many candidates (a large batch, a long perturbation)
  /// ends within `clock_stride` proposals of the deadline; the clock is read on every
  /// `clock_stride`-th ask only, which keeps the check out of the cost of a cheap proposal.
  bool out_of_time() {
    if (timed_out_) return true;
    if (stop_.max_seconds <= 0.0 || --until_clock_ > 0) return false;
    until_clock_ = clock_stride;
    timed_out_ = seconds() >= stop_.max_seconds;
    return timed_out_;
  }

  /// Proposals between two clock reads of out_of_time().
  static constexpr int clock_stride = 8;

  /// Asks operator `op` for a move; false when it has none.
  bool propose(std::size_t op, const state_type& s, move_type& mv) {
    auto& c = ops_[op];
    ++c.proposals;
    if (nbh_.propose(op, s, rng_, mv)) {
      ++c.generated;
      return true;
    }
    ++c.skipped;
    return false;
  }

  /// The exact score the state would have after the move.
  double evaluate(const state_type& s, const move_type& mv) {
    ++result_.evaluations;
    ++result_.proposals;
    return space_.evaluate(s, mv);
  }

  /// Makes a move of operator `op` whose evaluated score is `new_score`, updates the best and
  /// rewards the operator.
  void make(std::size_t op, state_type& s, const move_type& mv, double new_score) {
    const double old = space_.score(s);
    space_.apply(s, mv);
    ++result_.accepted;
    if (op < ops_.size()) ++ops_[op].accepted;
    const bool best = note(s);
    if (op < ops_.size()) {
      if (best) ++ops_[op].improvements;
      selector_.reward(op, best ? rewards_.new_best : new_score > old ? rewards_.improved : rewards_.accepted);
    }
  }

  /// Reports a move that was evaluated but not made.
  void rejected(std::size_t op) { selector_.reward(op, rewards_.rejected); }

  /// Records the state as the best when it beats it (strictly). Returns true on a new best.
  bool note(const state_type& s) {
    const double sc = space_.score(s);
    if (sc > result_.best_score) {
      result_.best_score = sc;
      result_.best = space_.snapshot(s);
      improved_ = true;
      return true;
    }
    return false;
  }

  /// Counts a restart.
  void restarted() { ++result_.restarts; }

  /// The best score so far.
  double best_score() const { return result_.best_score; }
  /// The best solution so far.
  const solution_type& best() const { return result_.best; }
  /// Iterations completed.
  long long iteration() const { return result_.iterations; }
  /// Iterations since the last new best.
  long long stall() const { return stall_; }
  /// Seconds since begin().
  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

  /// Progress toward the iteration or time budget, in [0, 1] (0 when neither is set), counting
  /// `ahead` more iterations than completed (1 = the iteration now ending).
  double progress(long long ahead = 0) const {
    double p = 0.0;
    if (stop_.max_iterations > 0)
      p = static_cast<double>(result_.iterations + ahead) / static_cast<double>(stop_.max_iterations);
    if (stop_.max_seconds > 0.0) p = std::max(p, last_seconds_ / stop_.max_seconds);
    return std::min(p, 1.0);
  }

  /// Ends an iteration: counts it, updates the stall counter, emits the step event and applies
  /// the termination rules. Returns false when the run must stop.
  bool end_step(const state_type& s, double temperature = std::numeric_limits<double>::quiet_NaN()) {
    ++result_.iterations;
    stall_ = improved_ ? 0 : stall_ + 1;
    improved_ = false;
    const long long it = result_.iterations;
    if (stop_.max_seconds > 0.0 && (it < 64 || (it & 7) == 0)) last_seconds_ = seconds();
    if constexpr (telemetry::observes<Observer, telemetry::step_event>) {
      // The counters are kept for every step (a few stores); the clock and the operator weights
      // are read only for a step the observer wants (a sampling observer skips most of them).
      step_ = telemetry::step_event{it, space_.score(s), result_.best_score, temperature, result_.proposals,
                                    result_.accepted, result_.evaluations, 0.0, {}};
      step_pending_ = true;
      if constexpr (telemetry::samples_steps<Observer>) {
        if (observer_.wants_step(it)) deliver_step();
      } else {
        deliver_step();
      }
    }
    if (stop_.target && result_.best_score >= *stop_.target) return halt(stop_reason::target);
    if (stop_.max_iterations > 0 && it >= stop_.max_iterations) return halt(stop_reason::iterations);
    if (stop_.stall_limit > 0 && stall_ >= stop_.stall_limit) return halt(stop_reason::stall);
    if (stop_.max_seconds > 0.0 && (timed_out_ || last_seconds_ >= stop_.max_seconds)) return halt(stop_reason::seconds);
    return true;
  }

  /// Stops because no move is possible (or, when the deadline cut the step short before any
  /// candidate, because time is up).
  void exhausted() { reason_ = timed_out_ ? stop_reason::seconds : stop_reason::exhausted; }

  /// Finishes the run and returns the result.
  result_type finish(const state_type& s) {
    result_.final_score = space_.score(s);
    result_.seconds = seconds();
    result_.reason = reason_;
    for (std::size_t i = 0; i < ops_.size(); ++i) ops_[i].weight = selector_.weight(i);
    result_.operators = ops_;
    if constexpr (telemetry::observes<Observer, telemetry::step_event> && telemetry::samples_steps<Observer>)
      if (step_pending_) deliver_step();  // the last step, which a sampling observer did not take
    if constexpr (telemetry::observes<Observer, telemetry::run_end_event>)
      observer_.on(telemetry::run_end_event{algorithm_, result_.best_score, result_.iterations, result_.evaluations,
                                            result_.seconds, to_string(reason_)});
    return std::move(result_);
  }

  Observer& observer() { return observer_; }

private:
  using clock = std::chrono::steady_clock;

  void deliver_step() {
    for (std::size_t i = 0; i < ops_.size(); ++i) ops_[i].weight = selector_.weight(i);
    step_.seconds = seconds();
    step_.operators = ops_;
    step_pending_ = false;
    observer_.on(step_);
  }

  bool halt(stop_reason r) {
    reason_ = r;
    return false;
  }

  Space& space_;
  Neighbourhood& nbh_;
  Selector& selector_;
  rng& rng_;
  termination stop_;
  [[no_unique_address]] Observer observer_;
  std::string_view algorithm_;
  clock::time_point start_{};
  result_type result_{};
  std::vector<telemetry::operator_counters> ops_;
  std::vector<std::size_t> order_;
  move_rewards rewards_{};
  long long stall_ = 0;
  bool improved_ = false;
  telemetry::step_event step_{};  // the last step's event (delivered or pending)
  bool step_pending_ = false;
  double last_seconds_ = 0.0;
  int until_clock_ = clock_stride;  // asks of out_of_time() until its next clock read
  bool timed_out_ = false;
  stop_reason reason_ = stop_reason::iterations;
};

}  // namespace fhops::search
