/// \file
/// The run object: what an algorithm sees of a search. It carries the space (problem services),
/// the neighbourhood, the operator selector, the random stream, the observer and the termination
/// rules, and it keeps every piece of bookkeeping (counters, best solution, stall, clock, events),
/// so algorithm code only decides which moves to make. A checkpoint hook (checkpoint.hpp; none by
/// default) lets a run save its whole state at an iteration boundary and continue from it later.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/search/operator_selection.hpp"
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
/// is an empty type and makes every event disappear at compile time. `Hook` decides when the run
/// writes a checkpoint (no_checkpoint: never, and no code for it).
template <search_space Space, neighbourhood_for<Space> Neighbourhood, operator_selector Selector,
          class Observer = telemetry::null_observer, checkpoint_hook Hook = no_checkpoint>
class search_run {
public:
  using state_type = typename Space::state_type;
  using move_type = typename Space::move_type;
  using solution_type = typename Space::solution_type;
  using result_type = search_result<solution_type>;
  /// Whether this run can write checkpoints (algorithms compile their checkpoint code only then).
  static constexpr bool checkpoints = Hook::enabled;

  search_run(Space& space, Neighbourhood& neighbourhood, Selector& selector, rng& random, termination stop,
             Observer observer = Observer{}, Hook hook = Hook{})
      : space_(space), nbh_(neighbourhood), selector_(selector), rng_(random), stop_(stop), observer_(std::move(observer)),
        hook_(std::move(hook)) {
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

  /// Continues a checkpointed run instead of begin(): reads the fields checkpoint() wrote before
  /// the algorithm's own (counters, best, stall, operator statistics, random stream, selector,
  /// elapsed seconds) and puts the saved current state into `s`. The clock continues from the
  /// saved seconds; no run_begin event (the run began before). Throws checkpoint_error.
  void resume(checkpoint_reader& in, state_type& s, std::string_view algorithm)
    requires checkpointable_space<Space> && state_serialisable<Selector>
  {
    if (const auto saved = in.get<std::string>("run.algorithm"); saved != algorithm)
      throw checkpoint_error("checkpoint is for algorithm " + saved + ", not " + std::string(algorithm));
    algorithm_ = algorithm;
    in.get("run.seconds", offset_);
    fields(*this, [&](std::string_view name, auto& value) { in.get(name, value); });
    std::vector<long long> counts;
    in.get("run.operators", counts);
    if (counts.size() != 5 * ops_.size()) throw checkpoint_error("checkpoint has another number of operators");
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const long long* c = counts.data() + 5 * i;
      ops_[i].proposals = c[0];
      ops_[i].generated = c[1];
      ops_[i].skipped = c[2];
      ops_[i].accepted = c[3];
      ops_[i].improvements = c[4];
    }
    load_rng(in, "run.rng", rng_);
    selector_.load(in);
    result_.best = space_.load_solution(in, "run.best");
    space_.restore(s, space_.load_solution(in, "run.current"));
    start_ = clock::now();
  }

  /// Whether the hook wants a checkpoint now (asked by the algorithm after each end_step that
  /// continues the run; always false without a hook).
  bool checkpoint_due() {
    if constexpr (checkpoints) return hook_.due(result_.iterations, seconds());
    else return false;
  }

  /// Writes a checkpoint: the run's fields (see resume()), then the algorithm's, which
  /// `save_algorithm(checkpoint_writer&)` adds. Returns false when the run must stop after it (the
  /// hook was asked to stop: the run ends with stop_reason::interrupted).
  template <class SaveAlgorithm>
  bool checkpoint(const state_type& s, SaveAlgorithm&& save_algorithm) {
    if constexpr (checkpoints) {
      static_assert(checkpointable_space<Space>, "a checkpointed run needs a checkpointable_space (save_solution, load_solution)");
      static_assert(state_serialisable<Selector>, "a checkpointed run needs a selector with save() and load()");
      hook_.write([&](checkpoint_writer& w) {
        w.put("run.algorithm", algorithm_);
        w.put("run.seconds", seconds());
        fields(*this, [&](std::string_view name, const auto& value) { w.put(name, value); });
        std::vector<long long> counts;
        for (const auto& c : ops_) counts.insert(counts.end(), {c.proposals, c.generated, c.skipped, c.accepted, c.improvements});
        w.put("run.operators", counts);
        save_rng(w, "run.rng", rng_);
        selector_.save(w);
        space_.save_solution(w, "run.best", result_.best);
        space_.save_solution(w, "run.current", space_.snapshot(s));
        save_algorithm(w);
      });
      if (hook_.stop()) return halt(stop_reason::interrupted);
    }
    return true;
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

  /// One candidate, its operator drawn by weight: an enabled operator is drawn in proportion to its
  /// weight (also when all weights are equal, where operator_order() keeps registry order and so
  /// always starts with the same operator); should it have no move, the next is drawn from the
  /// others, and so on. Calls visit(op, move) for the first move proposed. Returns 1 when a move was
  /// visited, 0 when no operator had one (or the time budget is spent), -1 when no operator is
  /// enabled. One uniform draw per operator asked, not a whole weighted order.
  template <class Visit>
  int drawn_candidate(const state_type& s, move_type& mv, Visit&& visit) {
    draw_pool_.clear();
    double total = 0.0;
    for (std::size_t op = 0; op < ops_.size(); ++op)
      if (const double w = selector_.weight(op); w > 0.0) {
        draw_pool_.push_back(op);
        total += w;
      }
    if (draw_pool_.empty()) return -1;
    while (!draw_pool_.empty()) {
      if (out_of_time()) return 0;
      const std::size_t k = detail::weighted_pick(draw_pool_, total, rng_, [this](std::size_t op) { return selector_.weight(op); });
      const std::size_t op = draw_pool_[k];
      if (propose(op, s, mv)) {
        visit(op, mv);
        return 1;
      }
      total -= selector_.weight(op);
      draw_pool_.erase(draw_pool_.begin() + static_cast<std::ptrdiff_t>(k));
    }
    return 0;
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
  /// Candidates evaluated so far.
  long long evaluations() const { return result_.evaluations; }
  /// Iterations since the last new best.
  long long stall() const { return stall_; }
  /// Seconds since begin() (a resumed run counts the seconds before its checkpoint too).
  double seconds() const { return offset_ + std::chrono::duration<double>(clock::now() - start_).count(); }

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
    if (reason_ == stop_reason::interrupted) return std::move(result_);  // it goes on after a resume: no end events
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

  // The run's scalar checkpoint fields in file order; `field(name, member)` saves or loads each.
  template <class Self, class Field>
  static void fields(Self& self, Field&& field) {
    field("run.last_seconds", self.last_seconds_);
    field("run.initial_score", self.result_.initial_score);
    field("run.best_score", self.result_.best_score);
    field("run.iterations", self.result_.iterations);
    field("run.evaluations", self.result_.evaluations);
    field("run.proposals", self.result_.proposals);
    field("run.accepted", self.result_.accepted);
    field("run.restarts", self.result_.restarts);
    field("run.stall", self.stall_);
    field("run.until_clock", self.until_clock_);
    field("run.timed_out", self.timed_out_);
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
  [[no_unique_address]] Hook hook_;
  std::string_view algorithm_;
  clock::time_point start_{};
  double offset_ = 0.0;  // seconds run before the checkpoint this run resumed from
  result_type result_{};
  std::vector<telemetry::operator_counters> ops_;
  std::vector<std::size_t> order_;
  std::vector<std::size_t> draw_pool_;  // drawn_candidate's operators not yet drawn
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
