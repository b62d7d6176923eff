/// \file
/// Bayesian optimisation by a Tree-structured Parzen Estimator, the algorithm behind Optuna's
/// default sampler (univariate, as Optuna's defaults): after `startup_trials` random trials, the
/// finished trials are split into the best gamma(n) = min(ceil(0.1 n), 25) and the rest; each
/// parameter gets two Parzen estimators (truncated Gaussian mixtures with a prior component, or
/// smoothed category frequencies), `ei_candidates` values are drawn from the good one, and the one
/// with the highest log l(x) - log g(x) is taken. Parameters are sampled in declaration order, a
/// conditional one only where active, from the trials in which it was active.
///
/// Parallel trials use the constant liar: a trial asked but not told yet counts as the worst value
/// seen so far, so a batch of asks spreads out. With one job at a time it never applies.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::tune {

/// TPE settings (Optuna's defaults).
struct tpe_parameters {
  std::size_t startup_trials = 10;  ///< random trials before the estimators are used
  std::size_t ei_candidates = 24;   ///< draws from l(x) per parameter
  double prior_weight = 1.0;        ///< weight of the prior component
  std::size_t max_trials = std::numeric_limits<std::size_t>::max();

  void validate() const {
    if (ei_candidates < 1) throw std::invalid_argument("tpe_parameters.ei_candidates must be >= 1");
    if (!(prior_weight > 0.0)) throw std::invalid_argument("tpe_parameters.prior_weight must be > 0");
  }
};

namespace detail {

inline constexpr double inv_sqrt2 = 0.70710678118654752440;
inline constexpr double inv_sqrt2pi = 0.39894228040143267794;

/// Standard normal CDF (std::erfc; the hot path avoids Boost's policy checks).
inline double phi(double z) { return 0.5 * std::erfc(-z * inv_sqrt2); }

/// A truncated Gaussian mixture on [low, high] (the transformed domain of a numeric parameter),
/// built from observations sorted by value. Kernels further than `cutoff` standard deviations from
/// a point are skipped when evaluating its density (their share is below e^-32 of a kernel's peak).
class parzen_numeric {
public:
  /// Boost.Math in double precision (no promotion to long double).
  using double_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

  /// `xs` sorted ascending with weights `w`; the prior (centre of the domain, the whole range as
  /// its width) is added.
  parzen_numeric(const std::vector<double>& xs, const std::vector<double>& w, double low, double high, double prior_weight)
      : low_(low), high_(high) {
    const double range = high - low;
    const std::size_t n = xs.size() + 1;
    const double prior_mu = 0.5 * (low + high);
    mus_.reserve(n);
    weights_.reserve(n);
    std::size_t prior_at = n - 1;
    for (std::size_t i = 0, j = 0; i < n; ++i) {  // merge the prior into the sorted order
      if (prior_at == n - 1 && (j == xs.size() || prior_mu < xs[j])) {
        prior_at = i;
        mus_.push_back(prior_mu);
        weights_.push_back(prior_weight);
      } else {
        mus_.push_back(xs[j]);
        weights_.push_back(w[j]);
        ++j;
      }
    }
    double total = 0.0;
    for (const double x : weights_) total += x;
    // bandwidths: the larger gap to a neighbour (or bound), clipped to [range / min(100, n+1), range]
    const double lo_clip = std::max(range / std::min(100.0, 1.0 + static_cast<double>(n)), 1e-12), hi_clip = std::max(range, 1e-12);
    sigmas_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double left = i == 0 ? mus_[i] - low : mus_[i] - mus_[i - 1];
      const double right = i + 1 == n ? high - mus_[i] : mus_[i + 1] - mus_[i];
      sigmas_[i] = std::clamp(std::max(left, right), lo_clip, hi_clip);
    }
    sigmas_[prior_at] = hi_clip;
    coef_.resize(n);
    inv_sigma_.resize(n);
    narrow_sigma_ = 4.0 * lo_clip;  // kernels up to this width are found by a window around x; wider ones always count
    wide_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const double s = sigmas_[i];
      const double zl = (low - mus_[i]) / s, zh = (high - mus_[i]) / s;
      const double mass = zl < -cutoff && zh > cutoff ? 1.0 : std::max(phi(zh) - phi(zl), 1e-300);
      weights_[i] /= total;
      coef_[i] = weights_[i] / mass;
      inv_sigma_[i] = 1.0 / s;
      if (s > narrow_sigma_ || i == prior_at) wide_.push_back(i);
    }
  }

  /// One draw: a kernel by weight, then its truncated normal by inverse CDF (Boost.Math).
  double sample(rng& r) const {
    double u = r.uniform01();
    std::size_t i = 0;
    while (i + 1 < weights_.size() && (u -= weights_[i]) >= 0.0) ++i;
    const boost::math::normal_distribution<double, double_policy> d(mus_[i], sigmas_[i]);
    const double a = boost::math::cdf(d, low_), b = boost::math::cdf(d, high_);
    double p = a + r.uniform01() * (b - a);
    p = std::clamp(p, 1e-300, 1.0 - 1e-16);
    return std::clamp(boost::math::quantile(d, p), low_, high_);
  }

  /// log density at x; with `half_width` > 0, the log probability of [x - hw, x + hw] (integers).
  double log_density(double x, double half_width) const {
    const double reach = cutoff * narrow_sigma_ + half_width;
    const auto first = static_cast<std::size_t>(std::lower_bound(mus_.begin(), mus_.end(), x - reach) - mus_.begin());
    double sum = 0.0;
    const auto kernel = [&](std::size_t i) {
      const double z = (x - mus_[i]) * inv_sigma_[i];
      if (half_width > 0.0) {
        const double a = std::max(x - half_width, low_), b = std::min(x + half_width, high_);
        sum += coef_[i] * (phi((b - mus_[i]) * inv_sigma_[i]) - phi((a - mus_[i]) * inv_sigma_[i]));
      } else if (z > -cutoff && z < cutoff) {
        sum += coef_[i] * inv_sigma_[i] * inv_sqrt2pi * std::exp(-0.5 * z * z);
      }
    };
    for (std::size_t i = first; i < mus_.size() && mus_[i] <= x + reach; ++i)
      if (sigmas_[i] <= narrow_sigma_) kernel(i);
    for (const std::size_t i : wide_) kernel(i);
    return std::log(std::max(sum, 1e-300));
  }

private:
  static constexpr double cutoff = 8.0;
  double low_, high_, narrow_sigma_ = 0.0;
  std::vector<double> mus_, sigmas_, weights_, coef_, inv_sigma_;
  std::vector<std::size_t> wide_;
};

/// Optuna's observation weights: equal below 25, else a linear ramp for the older ones.
inline std::vector<double> recency_weights(std::size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const std::size_t ramp = n - 25;
  for (std::size_t i = 0; i < ramp; ++i)
    w[i] = ramp == 1 ? 1.0 / static_cast<double>(n)
                     : 1.0 / static_cast<double>(n) + (1.0 - 1.0 / static_cast<double>(n)) * static_cast<double>(i) / static_cast<double>(ramp - 1);
  return w;
}

}  // namespace detail

/// Tree-structured Parzen Estimator.
class tpe {
public:
  explicit tpe(parameter_space space, tpe_parameters p = {}) : space_(std::move(space)), p_(p), sorted_(space_.size()) {
    p_.validate();
  }

  std::optional<trial> ask(rng& r) {
    if (next_ >= p_.max_trials) return std::nullopt;
    trial t{next_++, {}};
    const bool startup = finished_ < p_.startup_trials;
    if (!startup) prepare_split();
    record h{0.0, false, std::vector<double>(space_.size(), std::nan(""))};
    for (std::size_t i = 0; i < space_.size(); ++i) {
      if (!space_.active(i, t.config)) continue;
      const parameter& q = space_.parameters()[i];
      const value v = startup ? detail::sample_uniform(q, r) : suggest(i, r);
      h.x[i] = encode(q, v);
      t.config.set(q.name, v);
    }
    for (std::size_t i = 0; i < space_.size(); ++i)  // keep each parameter's observations sorted
      if (!std::isnan(h.x[i])) {
        auto& s = sorted_[i];
        const std::pair<double, std::size_t> key{h.x[i], t.number};
        s.insert(std::lower_bound(s.begin(), s.end(), key), key);
      }
    history_.push_back(std::move(h));
    return t;
  }

  void tell(const trial& t, double value) {
    if (t.number >= history_.size()) throw std::invalid_argument("tpe::tell: trial " + std::to_string(t.number) + " was never asked");
    record& h = history_[t.number];
    if (h.told) throw std::invalid_argument("tpe::tell: trial " + std::to_string(t.number) + " was told twice");
    h.value = value;
    h.told = true;
    if (std::isfinite(value)) ++finished_;
  }

  const parameter_space& space() const noexcept { return space_; }

private:
  struct record {
    double value;
    bool told;
    std::vector<double> x;  ///< per parameter: the transformed value or category index; NaN = inactive
  };

  bool failed(std::size_t k) const { return history_[k].told && !std::isfinite(history_[k].value); }

  // The transformed domain: log for log scale; integers and reals as numbers; categories by index.
  static double encode(const parameter& q, const value& v) {
    switch (q.kind) {
      case kind::categorical:
        return static_cast<double>(std::find(q.choices.begin(), q.choices.end(), std::get<std::string>(v)) - q.choices.begin());
      case kind::integer: {
        const double x = static_cast<double>(std::get<long long>(v));
        return q.log ? std::log(x) : x;
      }
      case kind::real:
        return q.log ? std::log(std::get<double>(v)) : std::get<double>(v);
    }
    return 0.0;
  }

  // Scores of this ask: finished trials their value, pending ones the worst finished value (liar).
  void prepare_split() {
    double worst = std::numeric_limits<double>::infinity();
    for (const auto& h : history_)
      if (h.told && std::isfinite(h.value)) worst = std::min(worst, h.value);
    score_.resize(history_.size());
    for (std::size_t k = 0; k < history_.size(); ++k) score_[k] = history_[k].told ? history_[k].value : worst;
  }

  // The estimator-based draw for parameter i.
  value suggest(std::size_t i, rng& r) {
    const parameter& q = space_.parameters()[i];
    // the observations of parameter i, in trial order; the best gamma(n) (ties: earlier) are good
    obs_.clear();
    for (std::size_t k = 0; k < history_.size(); ++k)
      if (!std::isnan(history_[k].x[i]) && !failed(k)) obs_.push_back(k);
    if (obs_.empty()) return detail::sample_uniform(q, r);
    const std::size_t n_good =
        std::min<std::size_t>(static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(obs_.size()))), 25);
    rank_ = obs_;
    const auto better = [&](std::size_t a, std::size_t b) { return score_[a] > score_[b] || (score_[a] == score_[b] && a < b); };
    std::partial_sort(rank_.begin(), rank_.begin() + static_cast<std::ptrdiff_t>(n_good), rank_.end(), better);
    good_.assign(history_.size(), 0);
    for (std::size_t k = 0; k < n_good; ++k) good_[rank_[k]] = 1;
    // recency weights by position in trial order within each set
    const auto wg = detail::recency_weights(n_good), wb = detail::recency_weights(obs_.size() - n_good);
    weight_.assign(history_.size(), 0.0);
    for (std::size_t k = 0, g = 0, b = 0; k < obs_.size(); ++k) weight_[obs_[k]] = good_[obs_[k]] ? wg[g++] : wb[b++];

    if (q.kind == kind::categorical) {
      const std::size_t c = q.choices.size();
      std::vector<double> l(c, p_.prior_weight / static_cast<double>(c)), g(c, p_.prior_weight / static_cast<double>(c));
      for (const std::size_t k : obs_) (good_[k] ? l : g)[static_cast<std::size_t>(history_[k].x[i])] += weight_[k];
      double tl = 0.0, tg = 0.0;
      for (std::size_t j = 0; j < c; ++j) tl += l[j], tg += g[j];
      std::size_t best = 0;
      double best_score = -std::numeric_limits<double>::infinity();
      for (std::size_t n = 0; n < p_.ei_candidates; ++n) {
        double u = r.uniform01() * tl;
        std::size_t j = 0;
        while (j + 1 < c && (u -= l[j]) >= 0.0) ++j;
        const double s = std::log(l[j] / tl) - std::log(g[j] / tg);
        if (s > best_score) {
          best_score = s;
          best = j;
        }
      }
      return q.choices[best];
    }

    // numeric: kernels on the transformed domain (integers widened by 0.5 on each side)
    const bool integer = q.kind == kind::integer;
    const double lo = integer ? (q.log ? std::log(q.low - 0.5) : q.low - 0.5) : (q.log ? std::log(q.low) : q.low);
    const double hi = integer ? (q.log ? std::log(q.high + 0.5) : q.high + 0.5) : (q.log ? std::log(q.high) : q.high);
    gx_.clear(), gw_.clear(), bx_.clear(), bw_.clear();
    for (const auto& [x, k] : sorted_[i]) {  // already sorted by value
      if (failed(k)) continue;
      (good_[k] ? gx_ : bx_).push_back(x);
      (good_[k] ? gw_ : bw_).push_back(weight_[k]);
    }
    const detail::parzen_numeric l(gx_, gw_, lo, hi, p_.prior_weight);
    const detail::parzen_numeric g(bx_, bw_, lo, hi, p_.prior_weight);
    double best_x = 0.0, best_score = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < p_.ei_candidates; ++c) {
      double x = l.sample(r);
      double hw = 0.0;
      if (integer) {  // snap to an integer (in the original domain) and score its probability mass
        const double v = std::clamp(std::round(q.log ? std::exp(x) : x), q.low, q.high);
        x = q.log ? std::log(v) : v;
        hw = q.log ? 0.0 : 0.5;
      }
      const double s = l.log_density(x, hw) - g.log_density(x, hw);
      if (s > best_score) {
        best_score = s;
        best_x = x;
      }
    }
    if (integer) return static_cast<long long>(std::llround(std::clamp(q.log ? std::exp(best_x) : best_x, q.low, q.high)));
    return std::clamp(q.log ? std::exp(best_x) : best_x, q.low, q.high);
  }

  parameter_space space_;
  tpe_parameters p_;
  std::vector<record> history_;  ///< by trial number
  std::vector<std::vector<std::pair<double, std::size_t>>> sorted_;  ///< per parameter: (value, trial), sorted
  std::size_t next_ = 0, finished_ = 0;
  // scratch of one ask
  std::vector<double> score_, weight_, gx_, gw_, bx_, bw_;
  std::vector<std::size_t> obs_, rank_;
  std::vector<char> good_;
};

static_assert(tuner_strategy<tpe>);

}  // namespace fhops::tune
