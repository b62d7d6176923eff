/// \file
/// Bayesian optimisation by a Tree-structured Parzen Estimator, the algorithm behind Optuna's
/// default sampler, as Optuna 3.1's TPESampler does it with its defaults (univariate): after
/// `startup_trials` finished trials drawn at random, the trials are split into the best
/// gamma(n) = min(ceil(0.1 n), 25) of the n finished ones ("below": the highest values, or the
/// lowest when `direction` is minimise) and the rest ("above"); each
/// parameter gets two Parzen estimators (detail/parzen.hpp) from the trials of each set in which it
/// was active, weighted by recency; `ei_candidates` values are drawn from the "below" estimator
/// l(x), and the first one with the highest log l(x) - log g(x) is taken. Parameters are sampled in
/// declaration order, a conditional one only where active.
///
/// Parallel trials use the constant liar (Optuna's constant_liar): a trial asked but not told yet
/// ranks below every finished trial, so a batch of asks spreads out. With one job at a time it
/// never applies.
///
/// Cost per ask: the split from the best 25 trials kept at tell; per parameter, l built from at most
/// 25 observations, g ("above") kept from the last ask and updated by the trials that joined or
/// left it (O(n) moves of plain arrays and O(band) work each) then reweighted in O(n); and
/// O(log n + nearby kernels) per candidate.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/detail/parzen.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::tune {

/// TPE settings (Optuna's defaults).
struct tpe_parameters {
  std::size_t startup_trials = 10;  ///< random trials before the estimators are used
  std::size_t ei_candidates = 24;   ///< draws from l(x) per parameter
  double prior_weight = 1.0;        ///< weight of the prior component
  std::size_t max_trials = std::numeric_limits<std::size_t>::max();
  tune::direction direction = tune::direction::maximise;  ///< whether tell's values are maximised or minimised
  /// Keep each numeric parameter's "above" estimator from one ask to the next and update it by the
  /// trials that joined or left the set (the same suggestions, bit for bit, as rebuilding it for
  /// every ask, which `false` does).
  bool incremental = true;

  void validate() const {
    if (ei_candidates < 1) throw std::invalid_argument("tpe_parameters.ei_candidates must be >= 1");
    if (!(prior_weight > 0.0)) throw std::invalid_argument("tpe_parameters.prior_weight must be > 0");
  }
};

/// Tree-structured Parzen Estimator.
class tpe {
public:
  explicit tpe(parameter_space space, tpe_parameters p = {}) : space_(std::move(space)), p_(p), best_(p.direction), sorted_(space_.size()), column_(space_.size()), inactive_(space_.size(), 0),
        above_(space_.size()), member_(space_.size()), seen_(space_.size(), 0) {
    p_.validate();
  }

  std::optional<trial> ask(rng& r) {
    if (next_ >= p_.max_trials) return std::nullopt;
    trial t{next_++, {}};
    const bool startup = finished_ < p_.startup_trials;
    if (!startup) split();
    shared_weights_ready_ = false;  // the split and the failed trials may have changed
    x_.assign(space_.size(), std::nan(""));
    for (std::size_t i = 0; i < space_.size(); ++i) {
      if (!space_.active(i, t.config)) continue;
      const parameter& q = space_.parameters()[i];
      const value v = startup ? detail::sample_uniform(q, r) : suggest(i, r);
      x_[i] = encode(q, v);
      t.config.set(q.name, v);
    }
    for (std::size_t i = 0; i < space_.size(); ++i) {
      column_[i].push_back(x_[i]);
      if (std::isnan(x_[i])) ++inactive_[i];
      if (!std::isnan(x_[i])) {  // keep each parameter's observations sorted
        auto& s = sorted_[i];
        const std::pair<double, std::size_t> key{x_[i], t.number};
        s.insert(std::upper_bound(s.begin(), s.end(), key), key);
      }
    }
    history_.push_back({0.0, false});
    below_.push_back(0);
    failed_.push_back(0);
    changed_.push_back(t.number);  // a pending trial ranks last: in the "above" sets
    return t;
  }

  void tell(const trial& t, double value) {
    if (t.number >= history_.size()) throw std::invalid_argument("tpe::tell: trial " + std::to_string(t.number) + " was never asked");
    record& h = history_[t.number];
    if (h.told) throw std::invalid_argument("tpe::tell: trial " + std::to_string(t.number) + " was told twice");
    h.value = value;
    h.told = true;
    best_.tell(t, value);
    if (std::isfinite(value)) ++finished_, rank_finished(t.number);
    else failed_[t.number] = 1, changed_.push_back(t.number);
  }

  /// The best trial told so far (see best_so_far), or nothing.
  const std::optional<trial_result>& best() const noexcept { return best_.best(); }
  tune::direction direction() const noexcept { return p_.direction; }
  const parameter_space& space() const noexcept { return space_; }

private:
  struct record {
    double value;
    bool told;
  };

  bool failed(std::size_t k) const { return failed_[k] != 0; }

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

  // Marks the best gamma(n) trials of this ask (n finished; better value first, ties: earlier;
  // pending trials rank last), over all trials whatever their parameters, as Optuna does. As
  // gamma(n) <= 25 and <= n, these are the first gamma(n) of ranked_ (pending ones never qualify).
  void split() {
    const std::size_t n_below =
        std::min<std::size_t>(static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(finished_))), max_below);
    // log only the trials that join or leave (2: in both lists)
    for (std::size_t j = 0; j < n_below; ++j) {
      const std::size_t k = ranked_[j];
      if (below_[k]) below_[k] = 2;
      else changed_.push_back(k);
    }
    for (const std::size_t k : below_list_)
      if (below_[k] == 1) below_[k] = 0, changed_.push_back(k);
    below_list_.assign(ranked_.begin(), ranked_.begin() + static_cast<std::ptrdiff_t>(n_below));
    for (const std::size_t k : below_list_) below_[k] = 1;
  }

  // Keeps ranked_: the best (at most max_below) finished trials, best first.
  void rank_finished(std::size_t k) {
    const auto ahead = [&](std::size_t a, std::size_t b) {
      return better(p_.direction, history_[a].value, history_[b].value) || (history_[a].value == history_[b].value && a < b);
    };
    std::size_t at = ranked_.size();
    while (at > 0 && ahead(k, ranked_[at - 1])) --at;
    if (at == max_below) return;
    ranked_.insert(ranked_.begin() + static_cast<std::ptrdiff_t>(at), k);
    if (ranked_.size() > max_below) ranked_.pop_back();
  }

  // Recency weights of parameter i's observations within each set, by trial (chronological order).
  // They depend only on which trials have the parameter, so the parameters active in every trial
  // share one set per ask.
  const std::vector<double>& weigh(std::size_t i) {
    const bool always = inactive_[i] == 0;
    if (always && shared_weights_ready_) return shared_weight_;
    std::vector<double>& out = always ? shared_weight_ : weight_;
    std::size_t n[2] = {0, 0}, pos[2] = {0, 0};
    const std::vector<double>& x = column_[i];
    for (std::size_t k = 0; k < history_.size(); ++k)
      if (!std::isnan(x[k]) && !failed(k)) ++n[below_[k]];
    out.resize(history_.size());
    const detail::recency_weights w[2] = {detail::recency_weights(n[0]), detail::recency_weights(n[1])};
    for (std::size_t k = 0; k < history_.size(); ++k)
      if (!std::isnan(x[k]) && !failed(k)) {
        const unsigned char s = below_[k];
        out[k] = w[s].at(pos[s]++);
      }
    shared_weights_ready_ = shared_weights_ready_ || always;
    return out;
  }

  // The estimator-based draw for parameter i.
  value suggest(std::size_t i, rng& r) {
    const parameter& q = space_.parameters()[i];
    const std::vector<double>& weight = weigh(i);
    if (q.kind == kind::categorical) {
      gc_.clear(), gw_.clear(), bc_.clear(), bw_.clear();
      for (std::size_t k = 0; k < history_.size(); ++k) {
        if (std::isnan(column_[i][k]) || failed(k)) continue;
        (below_[k] ? gc_ : bc_).push_back(static_cast<std::size_t>(column_[i][k]));
        (below_[k] ? gw_ : bw_).push_back(weight[k]);
      }
      detail::categorical_probabilities(gc_, gw_, q.choices.size(), p_.prior_weight, pl_);
      detail::categorical_probabilities(bc_, bw_, q.choices.size(), p_.prior_weight, pg_);
      std::size_t best = 0;
      double best_score = -std::numeric_limits<double>::infinity();
      for (std::size_t n = 0; n < p_.ei_candidates; ++n) {
        double u = r.uniform01();
        std::size_t j = 0;
        while (j + 1 < pl_.size() && (u -= pl_[j]) >= 0.0) ++j;
        const double s = std::log(pl_[j]) - std::log(pg_[j]);
        if (s > best_score) best_score = s, best = j;
      }
      return q.choices[best];
    }

    // numeric: kernels on the transformed domain (integers widened by 0.5 on each side)
    const bool integer = q.kind == kind::integer;
    const double lo = integer ? (q.log ? std::log(q.low - 0.5) : q.low - 0.5) : (q.log ? std::log(q.low) : q.low);
    const double hi = integer ? (q.log ? std::log(q.high + 0.5) : q.high + 0.5) : (q.log ? std::log(q.high) : q.high);
    // l from the best trials (at most 25), sorted by (value, trial) as sorted_ holds them
    below_obs_.clear();
    for (const std::size_t k : below_list_)
      if (!std::isnan(column_[i][k])) below_obs_.emplace_back(column_[i][k], k);
    std::sort(below_obs_.begin(), below_obs_.end());
    gx_.resize(below_obs_.size()), gw_.resize(below_obs_.size());
    for (std::size_t j = 0; j < below_obs_.size(); ++j) gx_[j] = below_obs_[j].first, gw_[j] = weight[below_obs_[j].second];
    l_.build(gx_, gw_, lo, hi, p_.prior_weight);
    l_.prepare_sampling();
    const detail::parzen_numeric& g = above(i, weight, lo, hi);
    // The first candidate with the highest log l - log g. Exact, but l and g are summed in full
    // only where it matters: an upper bound of each score from an upper bound of l (single
    // precision) and g's kernels within `near_cut` widths (a lower bound of g), then candidates by
    // decreasing bound until the bound falls below the best score.
    const double hw = integer && !q.log ? 0.5 : 0.0;
    cand_x_.resize(p_.ei_candidates), cand_l_.resize(p_.ei_candidates), cand_g_.resize(p_.ei_candidates), cand_bound_.resize(p_.ei_candidates), cand_order_.resize(p_.ei_candidates);
    for (std::size_t c = 0; c < p_.ei_candidates; ++c) {
      double x = l_.sample(r);
      if (integer) {  // snap to an integer (in the original domain, half to even) and score its mass
        const double v = std::clamp(q.log ? std::nearbyint(std::exp(x)) : std::nearbyint(x - q.low) + q.low, q.low, q.high);
        x = q.log ? std::log(v) : v;
      }
      cand_x_[c] = x;
      cand_l_[c] = l_.density_upper_bound(x, hw);
    }
    g.density_lower_bounds(cand_x_, hw, near_cut, cand_g_);
    for (std::size_t c = 0; c < p_.ei_candidates; ++c) cand_bound_[c] = std::log(cand_l_[c] / cand_g_[c]) + bound_slack, cand_order_[c] = c;
    for (std::size_t a = 1; a < cand_order_.size(); ++a) {  // insertion sort (stable; no buffer), by shifts
      const std::size_t c = cand_order_[a];
      const double bound = cand_bound_[c];
      std::size_t b = a;
      for (; b > 0 && bound > cand_bound_[cand_order_[b - 1]]; --b) cand_order_[b] = cand_order_[b - 1];
      cand_order_[b] = c;
    }
    double best_score = -std::numeric_limits<double>::infinity();
    std::size_t best = p_.ei_candidates;
    for (const std::size_t c : cand_order_) {
      if (cand_bound_[c] < best_score) break;
      const double s = l_.log_density(cand_x_[c], hw) - g.log_density(cand_x_[c], hw);
      if (best == p_.ei_candidates || s > best_score || (s == best_score && c < best)) best_score = s, best = c;
    }
    const double best_x = cand_x_[best];
    if (integer) return static_cast<long long>(std::llround(std::clamp(q.log ? std::exp(best_x) : best_x, q.low, q.high)));
    return std::clamp(q.log ? std::exp(best_x) : best_x, q.low, q.high);
  }

  // Parameter i's estimator of the other trials ("above"): rebuilt, or (incremental) brought up
  // to date by the trials whose membership changed since its last use (changed_ from seen_[i] on).
  const detail::parzen_numeric& above(std::size_t i, const std::vector<double>& weight, double lo, double hi) {
    const auto member = [&](std::size_t k) { return !std::isnan(column_[i][k]) && !failed(k) && !below_[k]; };
    if (!p_.incremental) {
      bx_.clear(), bw_.clear();
      for (const auto& [x, k] : sorted_[i])
        if (member(k)) bx_.push_back(x), bw_.push_back(weight[k]);
      g_.build(bx_, bw_, lo, hi, p_.prior_weight);
      return g_;
    }
    detail::parzen_numeric& g = above_[i];
    std::vector<unsigned char>& in = member_[i];
    in.resize(history_.size(), 0);
    const bool first = seen_[i] == 0;
    flips_.clear();
    for (std::size_t e = seen_[i]; e < changed_.size(); ++e)
      if (const std::size_t k = changed_[e]; member(k) != (in[k] != 0)) in[k] ^= 1, flips_.push_back(k);
    seen_[i] = changed_.size();
    if (first || flips_.size() > rebuild_after) {  // first use, or many changes: all again
      g.reset(lo, hi, p_.prior_weight);
      for (const auto& [x, k] : sorted_[i])
        if (in[k]) g.insert(x, k);
    } else {
      for (const std::size_t k : flips_) in[k] ? g.insert(column_[i][k], k) : g.erase(column_[i][k], k);
    }
    g.reweigh(weight);
    return g;
  }

  parameter_space space_;
  tpe_parameters p_;
  best_so_far best_;
  std::vector<record> history_;  ///< by trial number
  std::vector<unsigned char> failed_;  ///< by trial: told a non-finite value
  std::vector<std::vector<std::pair<double, std::size_t>>> sorted_;  ///< per parameter: (value, trial), sorted
  std::vector<std::vector<double>> column_;  ///< per parameter, by trial: the transformed value or category index; NaN = inactive
  std::vector<std::size_t> inactive_;  ///< per parameter: trials in which it was inactive
  std::vector<detail::parzen_numeric> above_;  ///< incremental: per numeric parameter, its "above" estimator
  std::vector<std::vector<unsigned char>> member_;  ///< incremental: per parameter, by trial: in above_[i]
  std::vector<std::size_t> changed_;  ///< trials whose membership may have changed, in order (repeats allowed)
  std::vector<std::size_t> seen_;  ///< per parameter: the part of changed_ applied to above_[i]
  std::vector<std::size_t> below_list_;  ///< the best gamma(n) trials of this ask
  std::size_t next_ = 0, finished_ = 0;
  // scratch of one ask, kept to avoid allocations
  std::vector<unsigned char> below_;  ///< by trial: 1 = in the best gamma(n) of this ask
  std::vector<std::size_t> ranked_, gc_, bc_, flips_;
  std::vector<std::pair<double, std::size_t>> below_obs_;
  std::vector<double> weight_, shared_weight_, gx_, gw_, bx_, bw_, pl_, pg_;
  detail::parzen_numeric l_, g_;
  // per candidate: x, an upper bound of l, a lower bound of g, the bound of the score; x_: this ask's values
  std::vector<double> cand_x_, cand_l_, cand_g_, cand_bound_, x_;
  std::vector<std::size_t> cand_order_;
  bool shared_weights_ready_ = false;  ///< shared_weight_ holds this ask's weights of the parameters active in every trial
  // The first pass sums g's kernels within 3 widths; the bound is widened by 1e-9 so that
  // rounding (the sums run in other orders, the ratio is taken before the log) never hides a tie.
  static constexpr double near_cut = 3.0, bound_slack = 1e-9;
  static constexpr std::size_t max_below = 25;  // Optuna's gamma(n) = min(ceil(0.1 n), 25)
  static constexpr std::size_t rebuild_after = 16;  // more membership changes than this: rebuild
};

static_assert(tuner_strategy<tpe>);

}  // namespace fhops::tune
