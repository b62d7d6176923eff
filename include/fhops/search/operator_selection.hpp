/// \file
/// Operator selection policies: the reference's fixed weights, and an adaptive roulette wheel that
/// rewards operators by the improvement their moves bring (probability matching with decay).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::search {

namespace detail {

// One weighted draw from `pool` (indices whose weights `weight(i)` sum to `total`): u*total, then
// the first whose running sum reaches it (the last when rounding leaves the sum short). Returns
// the position in `pool`.
template <class Weight>
std::size_t weighted_pick(const std::vector<std::size_t>& pool, double total, rng& r, Weight weight) {
  const double pick = r.uniform01() * total;
  double run = 0.0;
  for (std::size_t j = 0; j < pool.size(); ++j) {
    run += weight(pool[j]);
    if (run >= pick) return j;
  }
  return pool.size() - 1;
}

// Weighted sampling without replacement over the operators with weight > 0 (the reference's
// ordering: draw u*total, take the first whose running sum reaches it, remove it, repeat). Equal
// weights (within 1e-9) or a single enabled operator keep index order and draw nothing.
inline void weighted_order(const std::vector<double>& weights, rng& r, std::vector<std::size_t>& out) {
  out.clear();
  for (std::size_t i = 0; i < weights.size(); ++i)
    if (weights[i] > 0.0) out.push_back(i);
  if (out.size() < 2) return;
  const double w0 = weights[out[0]];
  if (std::all_of(out.begin(), out.end(), [&](std::size_t i) { return std::fabs(weights[i] - w0) < 1e-9; })) return;
  std::vector<std::size_t> pool = out;
  out.clear();
  while (!pool.empty()) {
    double total = 0.0;
    for (std::size_t i : pool) total += weights[i];
    const std::size_t k = weighted_pick(pool, total, r, [&](std::size_t i) { return weights[i]; });
    out.push_back(pool[k]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

inline void check_weights(const std::vector<double>& w) {
  for (std::size_t i = 0; i < w.size(); ++i)
    if (!(w[i] >= 0.0) || std::isinf(w[i]))
      throw std::invalid_argument("operator weight " + std::to_string(i) + " must be a finite number >= 0");
}

}  // namespace detail

/// Static weights, as the reference: weight 0 disables an operator.
class fixed_weights {
public:
  explicit fixed_weights(std::vector<double> weights) : weights_(std::move(weights)) { detail::check_weights(weights_); }
  void order(rng& r, std::vector<std::size_t>& out) { detail::weighted_order(weights_, r, out); }
  void reward(std::size_t, double) noexcept {}
  double weight(std::size_t op) const { return weights_[op]; }
  /// Checkpoint state: the weights (fixed; load() refuses others).
  void save(checkpoint_writer& w) const { w.put("selector.weights", weights_); }
  void load(checkpoint_reader& r) {
    if (r.get<std::vector<double>>("selector.weights") != weights_) throw checkpoint_error("operator weights differ from this run's");
  }

private:
  std::vector<double> weights_;
};
static_assert(operator_selector<fixed_weights> && state_serialisable<fixed_weights>);

/// Parameters of the adaptive selector.
struct adaptive_parameters {
  double decay = 0.95;       ///< weight kept by the old quality estimate at each reward, in [0, 1)
  double min_share = 0.05;   ///< floor of each enabled operator's share of the wheel, in [0, 1/K)
};

/// Adaptive roulette wheel (probability matching): each enabled operator keeps a decayed average of
/// the rewards of its moves; its weight is min_share + (1 - K*min_share) * quality share. Operators
/// with initial weight 0 stay disabled. Deterministic given the rng.
class adaptive_roulette {
public:
  adaptive_roulette(std::vector<double> initial, adaptive_parameters p = {}) : params_(p), weights_(std::move(initial)) {
    detail::check_weights(weights_);
    if (!(p.decay >= 0.0 && p.decay < 1.0))
      throw std::invalid_argument("adaptive_parameters.decay must be in [0, 1) (got " + std::to_string(p.decay) + ")");
    std::size_t enabled = 0;
    for (double w : weights_) enabled += w > 0.0;
    if (!(p.min_share >= 0.0 && (enabled == 0 || p.min_share * static_cast<double>(enabled) < 1.0)))
      throw std::invalid_argument("adaptive_parameters.min_share must be in [0, 1/enabled operators) (got " +
                                  std::to_string(p.min_share) + ")");
    double total = 0.0;
    for (double w : weights_) total += w;
    quality_.resize(weights_.size());
    on_.resize(weights_.size());
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      quality_[i] = total > 0.0 ? weights_[i] / total : 0.0;
      on_[i] = weights_[i] > 0.0;
    }
    enabled_ = enabled;
    refresh();
  }

  void order(rng& r, std::vector<std::size_t>& out) { detail::weighted_order(weights_, r, out); }

  /// Reports a move's reward (>= 0; larger is better) for operator op.
  void reward(std::size_t op, double value) {
    if (!on_[op]) return;
    quality_[op] = params_.decay * quality_[op] + (1.0 - params_.decay) * value;
    refresh();
  }

  double weight(std::size_t op) const { return weights_[op]; }
  /// Checkpoint state: the weights and the quality estimates.
  void save(checkpoint_writer& w) const {
    w.put("selector.weights", weights_);
    w.put("selector.quality", quality_);
  }
  void load(checkpoint_reader& r) {
    std::vector<double> w, q;
    r.get("selector.weights", w);
    r.get("selector.quality", q);
    if (w.size() != weights_.size() || q.size() != quality_.size()) throw checkpoint_error("operator count differs from this run's");
    for (std::size_t i = 0; i < w.size(); ++i)
      if ((w[i] > 0.0) != on_[i]) throw checkpoint_error("enabled operators differ from this run's");
    weights_ = std::move(w);
    quality_ = std::move(q);
  }

private:
  void refresh() {
    double total = 0.0;
    for (std::size_t i = 0; i < weights_.size(); ++i)
      if (on_[i]) total += quality_[i];
    const double free_share = 1.0 - params_.min_share * static_cast<double>(enabled_);
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (!on_[i]) continue;
      const double share = total > 0.0 ? quality_[i] / total : 1.0 / static_cast<double>(enabled_);
      weights_[i] = params_.min_share + free_share * share;
    }
  }

  adaptive_parameters params_;
  std::vector<double> weights_;
  std::vector<double> quality_;
  std::vector<bool> on_;
  std::size_t enabled_ = 0;
};
static_assert(operator_selector<adaptive_roulette> && state_serialisable<adaptive_roulette>);

}  // namespace fhops::search
