/// \file
/// The FHOPS objective exactly as the reference evaluates it (problem_model.md §5): same order,
/// same constants, same quirks and the same floating-point operation order, so scores match the
/// reference to the last bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "fhops/harvest/detail/slot_kernel.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"

namespace fhops::harvest {

/// The penalty per infeasible slot event.
inline constexpr double penalty_per_event = 1000.0;
/// A block is finished when its remaining work is at most this.
inline constexpr double completion_epsilon = 1e-9;

/// The score and its components. `score = wP*production - wM*mobilisation_cost - wT*transitions
/// - wS*landing_slack - 1000*penalty_events`, evaluated in that order.
struct evaluation {
  double score = 0.0;
  double production = 0.0;
  double mobilisation_cost = 0.0;
  long long transitions = 0;
  double landing_slack = 0.0;
  long long penalty_events = 0;

  friend bool operator==(const evaluation&, const evaluation&) = default;
};

/// Evaluates schedules of one problem. Holds the scratch state so repeated calls allocate nothing;
/// one evaluator per thread.
class evaluator {
public:
  explicit evaluator(const problem& pb)
      : pb_(&pb), remaining_(pb.num_blocks), prev_(pb.num_machines), used_(pb.num_landings),
        cum_(pb.has_sequencing ? static_cast<std::size_t>(pb.num_blocks) * pb.num_roles : 0),
        cnt_(cum_.size()), touched_(pb.num_machines) {}

  const problem& target() const noexcept { return *pb_; }

  /// Full evaluation of a schedule shaped for the problem.
  evaluation operator()(const schedule& s) {
    const problem& pb = *pb_;
    std::copy(pb.work.begin(), pb.work.end(), remaining_.begin());
    std::fill(prev_.begin(), prev_.end(), -1);
    std::fill(cum_.begin(), cum_.end(), 0);
    detail::carry c{remaining_.data(), prev_.data(), cum_.data()};
    detail::sums sum;
    detail::slot_scratch w{used_.data(), cnt_.data(), touched_.data()};
    detail::no_terms terms;
    const std::int32_t* cells = s.cells.data();
    const int S = pb.num_slots;
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const auto cell = [cells, S, t](int m) { return cells[static_cast<std::size_t>(m) * S + t]; };
      detail::process_slot(pb, t, cell, c, sum, w, terms);
    }
    return make_evaluation(pb, sum);
  }

  /// The evaluation record of a set of sums.
  static evaluation make_evaluation(const problem& pb, const detail::sums& sum) {
    evaluation e;
    e.production = sum.production;
    e.mobilisation_cost = sum.mobilisation;
    e.transitions = sum.transitions;
    e.landing_slack = static_cast<double>(sum.slack);
    e.penalty_events = sum.penalties;
    e.score = detail::score_of(pb, sum);
    return e;
  }

private:
  const problem* pb_;
  std::vector<double> remaining_;
  std::vector<int> prev_;
  std::vector<int> used_;
  std::vector<int> cum_;
  std::vector<int> cnt_;
  std::vector<int> touched_;
};

/// Convenience: evaluates one schedule (allocates scratch; prefer an evaluator in loops).
inline evaluation evaluate(const problem& pb, const schedule& s) { return evaluator(pb)(s); }

}  // namespace fhops::harvest
