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

/// A truncated Gaussian mixture on [low, high] (the transformed domain of a numeric parameter).
class parzen_numeric {
public:
  /// `xs` are the observations (oldest first) in the transformed domain, `w` their weights.
  parzen_numeric(const std::vector<double>& xs, const std::vector<double>& w, double low, double high, double prior_weight)
      : low_(low), high_(high) {
    const double range = high - low;
    mus_ = xs;
    weights_ = w;
    mus_.push_back(0.5 * (low + high));  // the prior
    weights_.push_back(prior_weight);
    double total = 0.0;
    for (const double x : weights_) total += x;
    for (double& x : weights_) x /= total;
    // bandwidths: the larger gap to a neighbour among the sorted observations and the bounds
    const std::size_t n = mus_.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mus_[a] < mus_[b]; });
    sigmas_.assign(n, range);
    const double min_sigma = range / std::min(100.0, 1.0 + static_cast<double>(n));
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = order[k];
      const double left = k == 0 ? mus_[i] - low : mus_[i] - mus_[order[k - 1]];
      const double right = k + 1 == n ? high - mus_[i] : mus_[order[k + 1]] - mus_[i];
      sigmas_[i] = std::clamp(std::max(left, right), min_sigma > 0 ? min_sigma : 1e-12, range > 0 ? range : 1e-12);
    }
    sigmas_.back() = range > 0 ? range : 1e-12;  // the prior is flat-ish over the whole domain
    for (std::size_t i = 0; i < n; ++i) {
      const boost::math::normal_distribution<double> d(mus_[i], sigmas_[i]);
      const double mass = boost::math::cdf(d, high) - boost::math::cdf(d, low);
      mass_.push_back(std::max(mass, 1e-300));
    }
  }

  /// One draw (a component by weight, then a truncated normal by inverse CDF).
  double sample(rng& r) const {
    double u = r.uniform01();
    std::size_t i = 0;
    while (i + 1 < weights_.size() && (u -= weights_[i]) >= 0.0) ++i;
    const boost::math::normal_distribution<double> d(mus_[i], sigmas_[i]);
    const double a = boost::math::cdf(d, low_), b = boost::math::cdf(d, high_);
    double p = a + r.uniform01() * (b - a);
    p = std::clamp(p, 1e-300, 1.0 - 1e-16);
    return std::clamp(boost::math::quantile(d, p), low_, high_);
  }

  /// log density at x; with `half_width` > 0, the log probability of [x - hw, x + hw] (integers).
  double log_density(double x, double half_width) const {
    double sum = 0.0;
    for (std::size_t i = 0; i < mus_.size(); ++i) {
      const boost::math::normal_distribution<double> d(mus_[i], sigmas_[i]);
      const double p = half_width > 0.0
                           ? boost::math::cdf(d, std::min(x + half_width, high_)) - boost::math::cdf(d, std::max(x - half_width, low_))
                           : boost::math::pdf(d, x);
      sum += weights_[i] * p / mass_[i];
    }
    return std::log(std::max(sum, 1e-300));
  }

private:
  double low_, high_;
  std::vector<double> mus_, sigmas_, weights_, mass_;
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
  explicit tpe(parameter_space space, tpe_parameters p = {}) : space_(std::move(space)), p_(p) { p_.validate(); }

  std::optional<trial> ask(rng& r) {
    if (next_ >= p_.max_trials) return std::nullopt;
    trial t{next_++, {}};
    std::size_t finished = 0;
    for (const auto& h : history_)
      if (h.told && std::isfinite(h.value)) ++finished;
    for (std::size_t i = 0; i < space_.size(); ++i) {
      if (!space_.active(i, t.config)) continue;
      const parameter& q = space_.parameters()[i];
      t.config.set(q.name, finished < p_.startup_trials ? detail::sample_uniform(q, r) : suggest(q, r));
    }
    history_.push_back({t.number, t.config, 0.0, false});
    return t;
  }

  void tell(const trial& t, double value) {
    for (auto& h : history_)
      if (h.number == t.number) {
        h.value = value;
        h.told = true;
        return;
      }
    throw std::invalid_argument("tpe::tell: trial " + std::to_string(t.number) + " was never asked");
  }

  const parameter_space& space() const noexcept { return space_; }

private:
  struct record {
    std::size_t number;
    configuration config;
    double value;
    bool told;
  };

  // The estimator-based draw for parameter q.
  value suggest(const parameter& q, rng& r) const {
    // observations of q: finished trials, plus pending ones at the worst finished value (liar)
    double worst = std::numeric_limits<double>::infinity();
    for (const auto& h : history_)
      if (h.told && std::isfinite(h.value)) worst = std::min(worst, h.value);
    struct obs {
      std::size_t number;
      double score;
      const value* v;
    };
    std::vector<obs> all;
    for (const auto& h : history_) {
      if (h.told && !std::isfinite(h.value)) continue;  // failed trials are left out
      if (!h.config.has(q.name)) continue;
      all.push_back({h.number, h.told ? h.value : worst, &h.config.at(q.name)});
    }
    if (all.empty()) return detail::sample_uniform(q, r);
    // split: the best gamma(n) (ties to the earlier trial) are "good"
    std::vector<std::size_t> rank(all.size());
    for (std::size_t i = 0; i < rank.size(); ++i) rank[i] = i;
    std::stable_sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) { return all[a].score > all[b].score; });
    const std::size_t n_good = std::min<std::size_t>(static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(all.size()))), 25);
    std::vector<char> good(all.size(), 0);
    for (std::size_t k = 0; k < n_good; ++k) good[rank[k]] = 1;
    std::vector<const value*> gv, bv;  // in trial order (history_ is in ask order)
    for (std::size_t i = 0; i < all.size(); ++i) (good[i] ? gv : bv).push_back(all[i].v);

    if (q.kind == kind::categorical) {
      const std::size_t k = q.choices.size();
      const auto probs = [&](const std::vector<const value*>& vs) {
        std::vector<double> p(k, p_.prior_weight / static_cast<double>(k));
        const auto w = detail::recency_weights(vs.size());
        for (std::size_t i = 0; i < vs.size(); ++i) {
          const auto& s = std::get<std::string>(*vs[i]);
          p[static_cast<std::size_t>(std::find(q.choices.begin(), q.choices.end(), s) - q.choices.begin())] += w[i];
        }
        double total = 0.0;
        for (const double x : p) total += x;
        for (double& x : p) x /= total;
        return p;
      };
      const auto l = probs(gv), g = probs(bv);
      std::size_t best = 0;
      double best_score = -std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < p_.ei_candidates; ++c) {
        double u = r.uniform01();
        std::size_t j = 0;
        while (j + 1 < k && (u -= l[j]) >= 0.0) ++j;
        const double s = std::log(l[j]) - std::log(g[j]);
        if (s > best_score) {
          best_score = s;
          best = j;
        }
      }
      return q.choices[best];
    }

    // numeric: work in the transformed domain (log when log-scaled; integers widened by 0.5)
    const bool integer = q.kind == kind::integer;
    const auto fwd = [&](double x) { return q.log ? std::log(x) : x; };
    const double lo = integer ? (q.log ? std::log(q.low - 0.5) : q.low - 0.5) : fwd(q.low);
    const double hi = integer ? (q.log ? std::log(q.high + 0.5) : q.high + 0.5) : fwd(q.high);
    const auto xs = [&](const std::vector<const value*>& vs) {
      std::vector<double> out;
      for (const value* v : vs) out.push_back(fwd(integer ? static_cast<double>(std::get<long long>(*v)) : std::get<double>(*v)));
      return out;
    };
    const auto gx = xs(gv), bx = xs(bv);
    const detail::parzen_numeric l(gx, detail::recency_weights(gx.size()), lo, hi, p_.prior_weight);
    const detail::parzen_numeric g(bx, detail::recency_weights(bx.size()), lo, hi, p_.prior_weight);
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
  std::vector<record> history_;
  std::size_t next_ = 0;
};

static_assert(tuner_strategy<tpe>);

}  // namespace fhops::tune
