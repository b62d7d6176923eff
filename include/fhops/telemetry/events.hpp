/// \file
/// Search events and the observer contract. Telemetry sinks observe a search through these events;
/// an observer declares which events it wants by having `on(const E&)` for them, and the search
/// builds an event only under `if constexpr (observes<O, E>)`, so a null observer costs nothing.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace fhops::telemetry {

/// Counters of one neighbourhood operator.
struct operator_counters {
  std::string name;
  double weight = 0.0;          ///< current selection weight (adaptive selectors change it)
  long long proposals = 0;      ///< times the operator was asked for a move
  long long generated = 0;      ///< moves it produced (the reference's "accepted")
  long long skipped = 0;        ///< times it had no move
  long long accepted = 0;       ///< its moves the algorithm accepted
  long long improvements = 0;   ///< its moves that raised the best score
};

/// How a step's acceptance rate is reported (the reference differs per solver, §1.7).
enum class acceptance_column {
  accepted,      ///< cumulative accepted / proposals, 0 without proposals (SA)
  improvements,  ///< cumulative improvements / proposals, null without proposals (Tabu)
  none,          ///< always null (ILS)
};

/// Emitted once before the first iteration.
struct run_begin_event {
  std::string_view algorithm;   ///< "sa", "ils", "tabu", ...
  double initial_score = 0.0;
};

/// Emitted after every iteration.
struct step_event {
  long long iteration = 0;      ///< 1-based
  double current = 0.0;         ///< score of the current state
  double best = 0.0;            ///< best score so far
  double temperature = 0.0;     ///< NaN when the algorithm has none
  long long proposals = 0;      ///< cumulative candidate moves examined
  long long accepted = 0;       ///< cumulative moves made
  long long evaluations = 0;    ///< cumulative move evaluations
  double seconds = 0.0;         ///< since the run began
  std::span<const operator_counters> operators;
};

/// Emitted once after the last iteration.
struct run_end_event {
  std::string_view algorithm;
  double best = 0.0;
  long long iterations = 0;
  long long evaluations = 0;
  double seconds = 0.0;
  std::string_view stop_reason;
};

/// An observer that wants event E.
template <class O, class E>
concept observes = requires(O& o, const E& e) { o.on(e); };

/// An observer that samples steps: asked with the iteration number before a step event is built,
/// it sees only the steps it wants, plus the run's last step just before `run_end_event`.
template <class O>
concept samples_steps = requires(const O& o, long long iteration) {
  { o.wants_step(iteration) } -> std::convertible_to<bool>;
};

/// The observer that observes nothing: an empty type, every event compiles away.
struct null_observer {};

static_assert(!observes<null_observer, step_event>);

}  // namespace fhops::telemetry
