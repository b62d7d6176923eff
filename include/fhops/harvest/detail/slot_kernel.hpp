/// \file
/// The objective's per-slot rules (problem_model.md §5.2), written once and shared by the full
/// evaluator and the incremental (checkpointed) evaluator, so both follow the same operation order.
#pragma once

#include <algorithm>
#include <cstdint>

#include "fhops/harvest/problem.hpp"

namespace fhops::harvest::detail {

/// The carried state of an evaluation between slots (pointers into caller-owned arrays).
struct carry {
  double* remaining;  ///< [B]
  int* prev;          ///< [M], -1 = none
  int* cum;           ///< [B*R] productive assignments in earlier slots (sequencing only)
};

/// The running sums of an evaluation.
struct sums {
  double production = 0.0;
  double mobilisation = 0.0;
  long long transitions = 0;
  long long slack = 0;
  long long penalties = 0;
};

/// Scratch for one slot: landing usage [L] and, with sequencing, the slot's role counts [B*R]
/// and the entries of cnt the slot made nonzero [M]. cnt is all zero between slots: a slot clears
/// only the entries it touched (at most one per machine), so its cost does not grow with B*R.
/// After process_slot, touched[0, num_touched) still names the entries the slot counted (the
/// entries of the carried cum that changed), for a caller that logs them.
struct slot_scratch {
  int* used;
  int* cnt;
  int* touched;
  int num_touched = 0;
};

/// A term sink that records nothing.
struct no_terms {
  void production(double) const noexcept {}
  void mobilisation(double) const noexcept {}
};

/// Processes slot t (day d) for the machines of `machines` (a range of machine indices in
/// ascending scenario order; process_slot: every machine), as if every other machine were idle
/// and unlocked. `cell(m)` gives the block in (m, t) or -1; production and move costs are added to
/// `s` in evaluation order and also reported to `terms` (so an incremental evaluator can replay
/// them bit for bit).
template <class Machines, class Cell, class Terms>
inline void process_slot_of(const problem& pb, int t, const Machines& machines, const Cell& cell, carry& c, sums& s, slot_scratch& w,
                            Terms& terms) {
  const int S = pb.num_slots;
  const int B = pb.num_blocks;
  const int d = pb.slot_day[t];
  const bool seq = pb.has_sequencing;
  const int R = pb.num_roles;
  std::fill(w.used, w.used + pb.num_landings, 0);
  w.num_touched = 0;
  for (const int m : machines) {
    const std::size_t ci = static_cast<std::size_t>(m) * S + t;
    const int b = cell(m);
    const std::int32_t lk = pb.lock[ci];
    if (b < 0) {  // 1. idle: a locked day left idle is penalised; prev unchanged
      if (lk >= 0) ++s.penalties;
      continue;
    }
    // 2.-5. unavailable, blackout, lock mismatch, forbidden role: penalty, prev reset.
    if (!pb.available[ci] || pb.blacked_out[ci] || (lk >= 0 && lk != b) ||
        !pb.role_allowed[static_cast<std::size_t>(m) * B + b]) {
      ++s.penalties;
      c.prev[m] = -1;
      continue;
    }
    const int r = pb.machine_role[m];
    if (seq && r >= 0) {  // 6.-7. prerequisites, counted in strictly earlier slots
      const auto [q0, q1] = pb.prerequisites(b, r);
      if (q0 != q1) {
        const std::size_t br = static_cast<std::size_t>(b) * R;
        int avail = c.cum[br + *q0];
        for (const int* q = q0 + 1; q != q1; ++q) avail = std::min(avail, c.cum[br + *q]);
        if (c.cum[br + r] + w.cnt[br + r] + 1 > avail) {
          ++s.penalties;
          c.prev[m] = b;  // the reference sets prev here (quirk Q12)
          continue;
        }
      }
    }
    if (d < pb.earliest[b] || d > pb.latest[b]) continue;      // 8. outside the window: ignored
    if (c.remaining[b] <= 1e-9) continue;                      // 9. finished: ignored
    const int l = pb.landing_of[b];                            // 10. landing capacity per slot
    const int next = w.used[l] + 1;
    const int excess = next - pb.landing_capacity[l];
    if (excess > 0) {
      if (pb.weights.landing_slack == 0.0) {
        ++s.penalties;
        continue;
      }
      s.slack += excess;
    }
    w.used[l] = next;
    const double rt = pb.rate[static_cast<std::size_t>(m) * B + b];  // 11. production
    const double p = rt <= c.remaining[b] ? rt : c.remaining[b];
    c.remaining[b] -= p;
    s.production += p;
    terms.production(p);
    const int q = c.prev[m];  // 12. mobilisation and transitions
    if (q >= 0 && q != b) {
      if (pb.has_move_params[m]) {
        const double cost = pb.move_cost(m, q, b);
        s.mobilisation += cost;
        terms.mobilisation(cost);
      }
      ++s.transitions;
    }
    c.prev[m] = b;  // 13.
    if (seq && r >= 0) {  // 14.
      const int i = b * R + r;
      if (w.cnt[i]++ == 0) w.touched[w.num_touched++] = i;
    }
  }
  for (int j = 0; j < w.num_touched; ++j) {  // only touched entries are nonzero: add them, clear them
    const int i = w.touched[j];
    c.cum[i] += w.cnt[i];
    w.cnt[i] = 0;
  }
}

/// The machine indices 0 .. n-1 as a range: every machine, for process_slot (a loop of its own
/// rather than std::views::iota, whose header costs every unit that includes this one ~0.3 s).
struct every_machine {
  int n;
  struct iterator {
    int m;
    int operator*() const { return m; }
    iterator& operator++() {
      ++m;
      return *this;
    }
    bool operator!=(const iterator& o) const { return m != o.m; }
  };
  iterator begin() const { return {0}; }
  iterator end() const { return {n}; }
};

/// Processes slot t (day d) for every machine in scenario order (process_slot_of).
template <class Cell, class Terms>
inline void process_slot(const problem& pb, int t, const Cell& cell, carry& c, sums& s, slot_scratch& w, Terms& terms) {
  process_slot_of(pb, t, every_machine{pb.num_machines}, cell, c, s, w, terms);
}

/// The score from the sums, in the reference's operation order.
inline double score_of(const problem& pb, const sums& s) {
  double score = pb.weights.production * s.production;
  score -= pb.weights.mobilisation * s.mobilisation;
  score -= pb.weights.transitions * static_cast<double>(s.transitions);
  score -= pb.weights.landing_slack * static_cast<double>(s.slack);
  score -= 1000.0 * static_cast<double>(s.penalties);
  return score;
}

}  // namespace fhops::harvest::detail
