/// \file
/// Incremental (delta) evaluation of the exact objective. The evaluator keeps a checkpoint of the
/// carried state (remaining work, previous block per machine, role counts, running sums) before
/// every slot, and the production and move-cost terms each slot added. A move is scored by
/// restarting from the checkpoint of its earliest changed slot and stopping as soon as the state
/// re-converges with the current plan's; the rest of the sums is replayed term by term, so the score
/// is bit-for-bit the full evaluation's. Where blocks are sequenced, the slots between the last
/// changed one and re-convergence that hold no diverged entry are replayed from the record too.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "fhops/harvest/detail/slot_kernel.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"

namespace fhops::harvest {

/// One cell of a move: machine m's slot t goes from `before` to `after` (block index or idle).
struct cell_change {
  int machine = 0;
  int slot = 0;
  std::int32_t before = idle;
  std::int32_t after = idle;
  friend bool operator==(const cell_change&, const cell_change&) = default;
};

/// A schedule with checkpoints for fast exact move evaluation. One per search thread.
class incremental_evaluator {
public:
  explicit incremental_evaluator(const problem& pb)
      : pb_(&pb), M_(pb.num_machines), S_(pb.num_slots), B_(pb.num_blocks),
        BR_(pb.has_sequencing ? static_cast<std::size_t>(pb.num_blocks) * pb.num_roles : 0), plan_(pb),
        pos_(pb.eval_position), sparse_(pb.has_sequencing) {
    const std::size_t positions = static_cast<std::size_t>(S_) + 1;
    ck_rem_.resize(positions * B_);
    ck_prev_.resize(positions * M_);
    ck_cum_.resize(positions * BR_);
    ck_sums_.resize(positions);
    demand_.assign(positions * B_, 0.0);
    holders_.assign(positions * B_, 0);
    last_busy_.assign(M_, -1);
    prod_terms_.resize(static_cast<std::size_t>(S_) * M_);
    mob_terms_.resize(static_cast<std::size_t>(S_) * M_);
    prod_n_.resize(S_);
    mob_n_.resize(S_);
    rem_.resize(B_);
    prev_.resize(M_);
    cum_.resize(BR_);
    cnt_.resize(BR_);
    touched_.resize(M_);
    used_.resize(pb.num_landings);
    override_.assign(static_cast<std::size_t>(M_) * S_, no_override);
    div_rem_.assign(B_, 0);
    div_block_.assign(B_, 0);
    div_prev_.resize(M_);
    div_cum_.assign(BR_, 0);
    last_noted_.assign(M_, -1);
    loaded_.assign(B_, 0);
    reset(plan_);
  }

  const problem& target() const noexcept { return *pb_; }
  /// The current plan.
  const schedule& plan() const noexcept { return plan_; }
  /// The current plan's evaluation.
  const evaluation& current() const noexcept { return current_; }
  /// The current plan's score.
  double score() const noexcept { return current_.score; }
  /// Eval position (0-based) of slot t.
  int position(int t) const { return pos_[t]; }

  /// Replaces the plan and rebuilds every checkpoint (a full evaluation).
  void reset(const schedule& s) {
    plan_ = s;
    const problem& pb = *pb_;
    std::copy(pb.work.begin(), pb.work.end(), ck_rem_.begin());
    std::fill(ck_prev_.begin(), ck_prev_.begin() + M_, -1);
    std::fill(ck_cum_.begin(), ck_cum_.begin() + static_cast<std::ptrdiff_t>(BR_), 0);
    ck_sums_[0] = {};
    refresh_demand(S_ - 1);
    for (int m = 0; m < M_; ++m) refresh_last_busy(m);
    replay(0, S_);  // no convergence stop
  }

  /// The exact evaluation of the plan with `changes` made (the plan is not changed).
  evaluation evaluate(std::span<const cell_change> changes) const {
    if (changes.empty()) return current_;
    int kmin = S_, kmax = -1;
    for (const auto& c : changes) {
      override_[cell(c.machine, c.slot)] = c.after;
      kmin = std::min(kmin, pos_[c.slot]);
      kmax = std::max(kmax, pos_[c.slot]);
    }
    // Up to the last changed position every slot is simulated. Where the sparse divergence check
    // lists the window's blocks (init_divergence), they are noted here, as the slots read them,
    // and a block's state is loaded from the checkpoint when first noted (note): the later slots
    // read only the state of the window's blocks or state refresh_shared loads.
    const bool listed = sparse_ && static_cast<std::size_t>(kmax + 1 - kmin) * M_ * 2 <= static_cast<std::size_t>(B_) + BR_;
    if (listed) {
      window_blocks_.clear();
      std::fill(last_noted_.begin(), last_noted_.end(), -1);
      if (++note_stamp_ == 0) {  // wrapped: no block may look loaded
        std::fill(loaded_.begin(), loaded_.end(), 0);
        note_stamp_ = 1;
      }
      note_k_ = kmin;
      load_prev(kmin);
    } else {
      load(kmin);
    }
    detail::sums sum = ck_sums_[kmin];
    detail::carry carry{rem_.data(), prev_.data(), cum_.data()};
    detail::slot_scratch w{used_.data(), cnt_.data(), touched_.data()};
    detail::no_terms terms;
    const std::int32_t* cells = plan_.cells.data();
    const std::int32_t* over = override_.data();
    const int S = S_;
    for (int k = kmin; k <= kmax; ++k) {
      const int t = pb_->eval_order[k];
      const auto cellf = [this, cells, over, S, t, listed](int m) {
        const std::size_t i = static_cast<std::size_t>(m) * S + t;
        const std::int32_t old_b = cells[i];
        const std::int32_t b = over[i] != no_override ? over[i] : old_b;
        if (listed) {
          note(m, old_b);
          note(m, b);
        }
        return b;
      };
      detail::process_slot(*pb_, t, cellf, carry, sum, w, terms);
    }
    // After it the plan is the current one, and once nothing is diverged the rest is the record's.
    // Sparse (sparse_): a slot where no cell holds a diverged block (remaining work or role counts)
    // and no busy machine has a diverged previous block gives the terms it gave before, which are
    // added from the record; a slot that holds one is simulated, its other cells' state taken from
    // the checkpoint (the state they share with the current plan). Dense: every slot is simulated.
    if (sparse_) {
      init_divergence(kmax + 1, listed);
    } else {
      init_divergence_dense(kmax + 1);
    }
    evaluation out;
    bool converged = false;
    for (int k = kmax + 1; k <= S_; ++k) {
      if (diverged_ == 0) {
        out = finish_converged(sum, k);
        converged = true;
        break;
      }
      if (k == S_) break;
      const int t = pb_->eval_order[k];
      const auto cellf = [cells, S, t](int m) { return cells[static_cast<std::size_t>(m) * S + t]; };
      if (!sparse_) {
        detail::process_slot(*pb_, t, cellf, carry, sum, w, terms);
        update_divergence<false>(t, k + 1);
        continue;
      }
      bool involved = false;
      for (int m = 0; m < M_ && !involved; ++m) {
        const int b = cellf(m);
        involved = b >= 0 && (div_prev_[m] || div_block_[b]);
      }
      if (!involved) {
        add_terms(k, sum);
        add_counts(k, sum);
        continue;
      }
      refresh_shared(t, k);
      detail::process_slot(*pb_, t, cellf, carry, sum, w, terms);
      update_divergence<true>(t, k + 1);
    }
    if (!converged) out = evaluator::make_evaluation(*pb_, sum);
    for (const auto& c : changes) override_[cell(c.machine, c.slot)] = no_override;
    return out;
  }

  /// Makes `changes` (their `before` must match the plan) and updates the checkpoints.
  void apply(std::span<const cell_change> changes) {
    if (changes.empty()) return;
    int kmin = S_, kmax = -1;
    for (const auto& c : changes) {
      plan_.cells[cell(c.machine, c.slot)] = c.after;
      kmin = std::min(kmin, pos_[c.slot]);
      kmax = std::max(kmax, pos_[c.slot]);
    }
    refresh_demand(kmax);
    int last_machine = -1;
    for (const auto& c : changes)
      if (c.machine != last_machine) refresh_last_busy(last_machine = c.machine);
    replay(kmin, kmax);
  }

  /// Reverts `changes` previously applied.
  void undo(std::span<const cell_change> changes) {
    std::vector<cell_change> back(changes.rbegin(), changes.rend());
    for (auto& c : back) std::swap(c.before, c.after);
    apply(back);
  }

private:
  static constexpr std::int32_t no_override = std::numeric_limits<std::int32_t>::min();

  std::size_t cell(int m, int t) const { return static_cast<std::size_t>(m) * S_ + t; }

  // Recomputes demand_ for positions kmax..0 (later positions are unaffected by cells at <= kmax).
  void refresh_demand(int kmax) {
    const problem& pb = *pb_;
    for (int k = std::min(kmax, S_ - 1); k >= 0; --k) {
      double* d = demand_.data() + static_cast<std::size_t>(k) * B_;
      int* h = holders_.data() + static_cast<std::size_t>(k) * B_;
      std::copy_n(d + B_, B_, d);
      std::copy_n(h + B_, B_, h);
      const int t = pb.eval_order[k];
      for (int m = 0; m < M_; ++m) {
        const int b = plan_.cells[cell(m, t)];
        if (b >= 0) {
          d[b] += pb.rate[pb.mb(m, b)];
          ++h[b];
        }
      }
    }
  }

  void refresh_last_busy(int m) {
    int k = S_ - 1;
    while (k >= 0 && plan_.cells[cell(m, pb_->eval_order[k])] < 0) --k;
    last_busy_[m] = k;
  }

  // A machine's previous block only matters while it still has a non-idle cell ahead.
  bool same_prev(int a, int b_old, int m, int k) const { return a == b_old || last_busy_[m] < k; }

  // Two remaining-work values of block b lead to the same future terms from position k when they
  // are equal, or when both exceed everything the rest of the plan can draw from b (then every
  // future draw is the full rate and the block never finishes); the final remaining work itself
  // is not part of the score.
  bool same_future(double a, double b_old, int b, int k) const {
    if (a == b_old) return true;
    if (holders_[static_cast<std::size_t>(k) * B_ + b] == 0) return true;  // nothing ahead reads b
    const double demand = demand_[static_cast<std::size_t>(k) * B_ + b];
    const double bound = demand * (1.0 + 1e-9) + 1e-6;
    return a > bound && b_old > bound;
  }

  // Two role counts of block b lead to the same future terms from position k when they are equal
  // or when no cell ahead holds b (only a cell holding b reads them).
  bool same_count(int a, int b_old, int b, int k) const {
    return a == b_old || holders_[static_cast<std::size_t>(k) * B_ + b] == 0;
  }

  // The carried state as of checkpoint k: all of it (load), the machines' previous blocks only
  // (load_prev), or one block's work left and role counts (load_block).
  void load(int k) const {
    std::copy_n(ck_rem_.begin() + static_cast<std::ptrdiff_t>(k) * B_, B_, rem_.begin());
    load_prev(k);
    if (BR_) std::copy_n(ck_cum_.begin() + static_cast<std::ptrdiff_t>(k * BR_), BR_, cum_.begin());
  }
  void load_prev(int k) const {
    std::copy_n(ck_prev_.begin() + static_cast<std::ptrdiff_t>(k) * M_, M_, prev_.begin());
  }
  void load_block(int b, int k) const {
    rem_[b] = ck_rem_[static_cast<std::size_t>(k) * B_ + b];
    if (!BR_) return;
    const std::size_t R = static_cast<std::size_t>(pb_->num_roles);
    std::copy_n(ck_cum_.begin() + static_cast<std::ptrdiff_t>(k * BR_ + b * R), R,
                cum_.begin() + static_cast<std::ptrdiff_t>(b * R));
  }

  bool equals_checkpoint(int k) const {
    return std::equal(rem_.begin(), rem_.end(), ck_rem_.begin() + static_cast<std::ptrdiff_t>(k) * B_) &&
           std::equal(prev_.begin(), prev_.end(), ck_prev_.begin() + static_cast<std::ptrdiff_t>(k) * M_) &&
           std::equal(cum_.begin(), cum_.end(), ck_cum_.begin() + static_cast<std::ptrdiff_t>(k * BR_));
  }

  void store(int k, const detail::sums& sum) {
    std::copy(rem_.begin(), rem_.end(), ck_rem_.begin() + static_cast<std::ptrdiff_t>(k) * B_);
    std::copy(prev_.begin(), prev_.end(), ck_prev_.begin() + static_cast<std::ptrdiff_t>(k) * M_);
    std::copy(cum_.begin(), cum_.end(), ck_cum_.begin() + static_cast<std::ptrdiff_t>(k * BR_));
    ck_sums_[k] = sum;
  }

  // Records the terms of the slot at position k.
  struct recorder {
    double* prod;
    double* mob;
    int np = 0, nm = 0;
    void production(double p) noexcept { prod[np++] = p; }
    void mobilisation(double c) noexcept { mob[nm++] = c; }
  };

  // Re-simulates from position kmin with the (already updated) plan, rewriting checkpoints and
  // terms; after position kmax it stops at the first re-convergence with the old checkpoints and
  // re-folds the later running sums from the stored terms.
  void replay(int kmin, int kmax) {
    load(kmin);
    detail::sums sum = ck_sums_[kmin];
    detail::carry carry{rem_.data(), prev_.data(), cum_.data()};
    detail::slot_scratch w{used_.data(), cnt_.data(), touched_.data()};
    const std::int32_t* cells = plan_.cells.data();
    const int S = S_;
    int converged_at = -1;
    for (int k = kmin; k < S_; ++k) {
      const int t = pb_->eval_order[k];
      recorder rec{prod_terms_.data() + static_cast<std::size_t>(k) * M_, mob_terms_.data() + static_cast<std::size_t>(k) * M_};
      const auto cellf = [cells, S, t](int m) { return cells[static_cast<std::size_t>(m) * S + t]; };
      detail::process_slot(*pb_, t, cellf, carry, sum, w, rec);
      prod_n_[k] = rec.np;
      mob_n_[k] = rec.nm;
      if (k >= kmax && equals_checkpoint(k + 1)) {
        converged_at = k + 1;
        break;
      }
      store(k + 1, sum);
    }
    if (converged_at >= 0) {
      // The carried state is unchanged from here on; only the running sums shift. Integers shift by
      // a constant; production and move costs are re-folded term by term (same order as a full pass).
      const detail::sums old = ck_sums_[converged_at];
      ck_sums_[converged_at] = sum;
      for (int i = converged_at; i < S_; ++i) {
        const detail::sums old_next = ck_sums_[i + 1];
        detail::sums next = ck_sums_[i];
        add_terms(i, next);
        next.transitions = old_next.transitions - old.transitions + sum.transitions;
        next.slack = old_next.slack - old.slack + sum.slack;
        next.penalties = old_next.penalties - old.penalties + sum.penalties;
        ck_sums_[i + 1] = next;
      }
    }
    current_ = evaluator::make_evaluation(*pb_, ck_sums_[S_]);
  }

  // The divergence flags at position k, every entry checked (the dense evaluation).
  void init_divergence_dense(int k) const {
    diverged_ = 0;
    const double* r = ck_rem_.data() + static_cast<std::size_t>(k) * B_;
    for (int b = 0; b < B_; ++b) diverged_ += (div_rem_[b] = !same_future(rem_[b], r[b], b, k));
    const int* p = ck_prev_.data() + static_cast<std::size_t>(k) * M_;
    for (int m = 0; m < M_; ++m) diverged_ += (div_prev_[m] = !same_prev(prev_[m], p[m], m, k));
    const int* c = ck_cum_.data() + k * BR_;
    for (std::size_t i = 0; i < BR_; ++i)
      diverged_ += (div_cum_[i] = !same_count(cum_[i], c[i], static_cast<int>(i) / pb_->num_roles, k));
  }

  // A block machine m holds in the window of the move being evaluated, under the new plan or the
  // old, for init_divergence (listed once per run of it in m's row).
  void note(int m, std::int32_t b) const {
    if (b < 0 || b == last_noted_[m]) return;
    last_noted_[m] = b;
    window_blocks_.push_back({m, b});
    if (loaded_[b] == note_stamp_) return;
    loaded_[b] = note_stamp_;
    load_block(b, note_k_);  // untouched since the window's first position: the checkpoint's state
  }

  // The sparse evaluation's divergence flags at position k, after a move whose changed cells lie
  // at positions before k. The carried state can differ from the checkpoint's only in entries the
  // window (the positions from the first changed one to k-1) wrote, under the new plan or the old:
  // the blocks and (block, role) pairs of its non-idle cells. `listed`: those are in
  // window_blocks_ (evaluate noted them) and are checked; every other flag is 0. Otherwise (the
  // window holds more cells than there are entries) every entry is checked.
  void init_divergence(int k, bool listed) const {
    for (const int b : dirty_rem_) div_rem_[b] = div_block_[b] = 0;
    for (const int i : dirty_cum_) div_cum_[i] = div_block_[i / pb_->num_roles] = 0;
    dirty_rem_.clear();
    dirty_cum_.clear();
    diverged_ = 0;
    const double* r = ck_rem_.data() + static_cast<std::size_t>(k) * B_;
    const int* c = ck_cum_.data() + k * BR_;
    const auto check_block = [&](int b) {
      if (div_rem_[b] || same_future(rem_[b], r[b], b, k)) return;
      div_rem_[b] = 1;
      ++div_block_[b];
      dirty_rem_.push_back(b);
      ++diverged_;
    };
    const auto check_count = [&](std::size_t i, int b) {  // role count i, of block b
      if (div_cum_[i] || same_count(cum_[i], c[i], b, k)) return;
      div_cum_[i] = 1;
      ++div_block_[b];
      dirty_cum_.push_back(static_cast<int>(i));
      ++diverged_;
    };
    if (listed) {
      for (const auto& [m, b] : window_blocks_) {
        check_block(b);
        const int role = pb_->machine_role[m];
        if (BR_ && role >= 0) check_count(static_cast<std::size_t>(b) * pb_->num_roles + role, b);
      }
    } else {
      for (int b = 0; b < B_; ++b) check_block(b);
      for (std::size_t i = 0; i < BR_; ++i) check_count(i, static_cast<int>(i) / pb_->num_roles);
    }
    const int* p = ck_prev_.data() + static_cast<std::size_t>(k) * M_;
    for (int m = 0; m < M_; ++m) diverged_ += (div_prev_[m] = !same_prev(prev_[m], p[m], m, k));
  }

  // After slot t (position k-1), only the entries its non-idle cells touch can change status.
  // Sparse: div_block_ and the dirty lists are kept too.
  template <bool Sparse>
  void update_divergence(int t, int k) const {
    const double* r = ck_rem_.data() + static_cast<std::size_t>(k) * B_;
    const int* p = ck_prev_.data() + static_cast<std::size_t>(k) * M_;
    const int* c = ck_cum_.data() + k * BR_;
    const std::int32_t* cells = plan_.cells.data();
    for (int m = 0; m < M_; ++m) {
      const int b = cells[static_cast<std::size_t>(m) * S_ + t];
      if (b < 0) continue;
      const std::uint8_t dp = !same_prev(prev_[m], p[m], m, k);
      diverged_ += dp - div_prev_[m];
      div_prev_[m] = dp;
      const std::uint8_t dr = !same_future(rem_[b], r[b], b, k);
      diverged_ += dr - div_rem_[b];
      if constexpr (Sparse) {
        div_block_[b] += dr - div_rem_[b];
        if (dr && !div_rem_[b]) dirty_rem_.push_back(b);
      }
      div_rem_[b] = dr;
      if (BR_ && pb_->machine_role[m] >= 0) {
        const std::size_t i = static_cast<std::size_t>(b) * pb_->num_roles + pb_->machine_role[m];
        const std::uint8_t dc = !same_count(cum_[i], c[i], b, k);
        diverged_ += dc - div_cum_[i];
        if constexpr (Sparse) {
          div_block_[b] += dc - div_cum_[i];
          if (dc && !div_cum_[i]) dirty_cum_.push_back(static_cast<int>(i));
        }
        div_cum_[i] = dc;
      }
    }
  }

  // Adds the production and move-cost terms recorded for position i, in evaluation order.
  void add_terms(int i, detail::sums& sum) const {
    const double* pt = prod_terms_.data() + static_cast<std::size_t>(i) * M_;
    for (int j = 0; j < prod_n_[i]; ++j) sum.production += pt[j];
    const double* mt = mob_terms_.data() + static_cast<std::size_t>(i) * M_;
    for (int j = 0; j < mob_n_[i]; ++j) sum.mobilisation += mt[j];
  }

  // Adds the transitions, slack and penalties the slot at position i counted (the checkpoints'
  // difference: integers, exact).
  void add_counts(int i, detail::sums& sum) const {
    const detail::sums& a = ck_sums_[i];
    const detail::sums& b = ck_sums_[i + 1];
    sum.transitions += b.transitions - a.transitions;
    sum.slack += b.slack - a.slack;
    sum.penalties += b.penalties - a.penalties;
  }

  // Before slot t (position k) is simulated: the state its cells read that is not diverged is the
  // checkpoint's (skipped slots did not keep it up to date).
  void refresh_shared(int t, int k) const {
    const double* r = ck_rem_.data() + static_cast<std::size_t>(k) * B_;
    const int* p = ck_prev_.data() + static_cast<std::size_t>(k) * M_;
    const int* c = ck_cum_.data() + k * BR_;
    const int R = pb_->num_roles;
    const std::int32_t* cells = plan_.cells.data();
    for (int m = 0; m < M_; ++m) {
      const int b = cells[static_cast<std::size_t>(m) * S_ + t];
      if (b < 0) continue;
      if (!div_prev_[m]) prev_[m] = p[m];
      if (!div_block_[b]) {
        rem_[b] = r[b];
        if (BR_) std::copy_n(c + static_cast<std::size_t>(b) * R, R, cum_.begin() + static_cast<std::ptrdiff_t>(b) * R);
        continue;
      }
      if (!div_rem_[b]) rem_[b] = r[b];
      for (std::size_t i = static_cast<std::size_t>(b) * R, e = i + (BR_ ? R : 0); i < e; ++i)
        if (!div_cum_[i]) cum_[i] = c[i];
    }
  }

  evaluation finish_converged(detail::sums sum, int k) const {
    const detail::sums& old_k = ck_sums_[k];
    const detail::sums& old_end = ck_sums_[S_];
    for (int i = k; i < S_; ++i) add_terms(i, sum);
    sum.transitions += old_end.transitions - old_k.transitions;
    sum.slack += old_end.slack - old_k.slack;
    sum.penalties += old_end.penalties - old_k.penalties;
    return evaluator::make_evaluation(*pb_, sum);
  }

  const problem* pb_;
  int M_, S_, B_;
  std::size_t BR_;
  schedule plan_;
  evaluation current_{};
  std::vector<int> pos_;
  // checkpoints: state before eval position k, k = 0..S
  std::vector<double> ck_rem_;
  std::vector<int> ck_prev_;
  std::vector<int> ck_cum_;
  std::vector<detail::sums> ck_sums_;
  // demand_[k*B+b]: the sum of rate(m, b) over the plan's cells holding b at positions >= k, an
  // upper bound of what the rest of the evaluation can draw from b
  std::vector<double> demand_;
  // holders_[k*B+b]: how many cells at positions >= k hold b (a rate-0 cell draws nothing but
  // still reads the remaining work: a finished block is skipped, an open one costs a move)
  std::vector<int> holders_;
  // last_busy_[m]: the last eval position where machine m has a non-idle cell (-1: none)
  std::vector<int> last_busy_;
  // terms added by the slot at position k, in evaluation order
  std::vector<double> prod_terms_, mob_terms_;
  std::vector<int> prod_n_, mob_n_;
  // scratch (mutable: evaluate() is logically const; one evaluator per thread)
  mutable std::vector<double> rem_;
  mutable std::vector<int> prev_, cum_, cnt_, touched_, used_;
  mutable std::vector<std::int32_t> override_;
  // divergence flags (all 0 outside dirty_rem_ / dirty_cum_, the entries flagged since the last
  // init_divergence, which clears them)
  mutable std::vector<std::uint8_t> div_rem_, div_prev_, div_cum_;
  mutable std::vector<int> dirty_rem_, dirty_cum_;
  // the (machine, block) pairs of the evaluated move's window, and each machine's last one (note)
  mutable std::vector<std::pair<int, std::int32_t>> window_blocks_;
  mutable std::vector<std::int32_t> last_noted_;
  // loaded_[b] == note_stamp_: block b's state was loaded in this evaluation (from position note_k_)
  mutable std::vector<std::uint32_t> loaded_;
  mutable std::uint32_t note_stamp_ = 0;
  mutable int note_k_ = 0;
  // sparse_: evaluate() simulates after the last changed slot only the slots that hold a diverged
  // entry (where blocks are sequenced: there each block is held by few cells of few machines, and
  // 10-14 % of a run's time is saved; elsewhere most slots hold one and the dense loop is faster)
  bool sparse_;
  // div_block_[b]: how many of block b's entries (remaining work, role counts) are diverged
  mutable std::vector<int> div_block_;
  mutable long long diverged_ = 0;
};

}  // namespace fhops::harvest
