/// \file
/// The FHOPS objective exactly as the reference evaluates it (problem_model.md §5): same order,
/// same constants, same quirks and the same floating-point operation order, so scores match the
/// reference to the last bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

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
        cnt_(cum_.size()) {}

  const problem& target() const noexcept { return *pb_; }

  /// Full evaluation of a schedule shaped for the problem.
  evaluation operator()(const schedule& s) {
    const problem& pb = *pb_;
    const int M = pb.num_machines, S = pb.num_slots, B = pb.num_blocks;
    std::copy(pb.work.begin(), pb.work.end(), remaining_.begin());
    std::fill(prev_.begin(), prev_.end(), -1);
    std::fill(cum_.begin(), cum_.end(), 0);
    const double wS = pb.weights.landing_slack;
    const bool seq = pb.has_sequencing;
    const std::int32_t* cells = s.cells.data();
    double prod = 0.0, mob = 0.0;
    long long trans = 0, slack = 0, penalties = 0;
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const int d = pb.slot_day[t];
      std::fill(used_.begin(), used_.end(), 0);
      if (seq) std::fill(cnt_.begin(), cnt_.end(), 0);
      for (int m = 0; m < M; ++m) {
        const std::size_t c = static_cast<std::size_t>(m) * S + t;
        const int b = cells[c];
        const std::int32_t lk = pb.lock[c];
        if (b < 0) {  // 1. idle: a locked day left idle is penalised, prev unchanged
          if (lk >= 0) ++penalties;
          continue;
        }
        // 2.-5. unavailable, blackout, lock mismatch, forbidden role: penalty and prev reset.
        if (!pb.available[c] || pb.blacked_out[c] || (lk >= 0 && lk != b) ||
            !pb.role_allowed[static_cast<std::size_t>(m) * B + b]) {
          ++penalties;
          prev_[m] = -1;
          continue;
        }
        const int r = pb.machine_role[m];
        if (seq && r >= 0) {  // 6.-7. prerequisites, counted in strictly earlier slots
          const auto [q0, q1] = pb.prerequisites(b, r);
          if (q0 != q1) {
            const std::size_t br = static_cast<std::size_t>(b) * pb.num_roles;
            long long avail = cum_[br + *q0];
            for (const int* q = q0 + 1; q != q1; ++q) avail = std::min<long long>(avail, cum_[br + *q]);
            const long long need = cum_[br + r] + cnt_[br + r] + 1;
            if (need > avail) {
              ++penalties;
              prev_[m] = b;  // the reference sets prev here (quirk Q12)
              continue;
            }
          }
        }
        if (d < pb.earliest[b] || d > pb.latest[b]) continue;  // 8. outside window: ignored
        if (remaining_[b] <= completion_epsilon) continue;    // 9. finished: ignored
        const int l = pb.landing_of[b];                        // 10. landing capacity per slot
        const int next = used_[l] + 1;
        const int excess = next - pb.landing_capacity[l];
        if (excess > 0) {
          if (wS == 0.0) {
            ++penalties;
            continue;
          }
          slack += excess;
        }
        used_[l] = next;
        const double rt = pb.rate[static_cast<std::size_t>(m) * B + b];  // 11. production
        const double p = rt <= remaining_[b] ? rt : remaining_[b];
        remaining_[b] -= p;
        prod += p;
        const int q = prev_[m];  // 12. mobilisation and transitions
        if (q >= 0 && q != b) {
          if (pb.has_move_params[m]) mob += pb.move_cost(m, q, b);
          ++trans;
        }
        prev_[m] = b;  // 13.
        if (seq && r >= 0) ++cnt_[static_cast<std::size_t>(b) * pb.num_roles + r];  // 14.
      }
      if (seq)
        for (std::size_t i = 0; i < cum_.size(); ++i) cum_[i] += cnt_[i];
    }
    evaluation e;
    e.production = prod;
    e.mobilisation_cost = mob;
    e.transitions = trans;
    e.landing_slack = static_cast<double>(slack);
    e.penalty_events = penalties;
    double score = pb.weights.production * prod;
    score -= pb.weights.mobilisation * mob;
    score -= pb.weights.transitions * static_cast<double>(trans);
    score -= wS * static_cast<double>(slack);
    score -= penalty_per_event * static_cast<double>(penalties);
    e.score = score;
    return e;
  }

private:
  const problem* pb_;
  std::vector<double> remaining_;
  std::vector<int> prev_;
  std::vector<int> used_;
  std::vector<int> cum_;
  std::vector<int> cnt_;
};

/// Convenience: evaluates one schedule (allocates scratch; prefer an evaluator in loops).
inline evaluation evaluate(const problem& pb, const schedule& s) { return evaluator(pb)(s); }

}  // namespace fhops::harvest
