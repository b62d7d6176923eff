/// \file
/// Nonparametric statistics for comparing samples of a score (any numbers: objectives, runtimes):
/// the Mann–Whitney U test (two independent samples), the Wilcoxon signed-rank test (paired
/// samples), the Friedman test with Conover's pairwise post-hoc comparisons (several treatments
/// over blocks, as a racing tuner uses), Holm's step-down correction of a family of p-values, the
/// Vargha–Delaney effect size A12, and quantiles. Standard library and Boost.Math only.
///
/// Ties get mid-ranks. The rank tests' p-values are exact for small samples — the permutation
/// distribution of the statistic *with the observed tie pattern*, counted by dynamic programming
/// over doubled mid-ranks (integers) — and normal approximations with the tie-corrected variance
/// and a continuity correction above (`p_method::automatic` switches at `exact_limit`).
/// Two-sided p-values are twice the smaller tail, at most 1 (SciPy's and R's convention).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace fhops::stats {

/// The alternative hypothesis: `greater` means the first sample tends to be larger.
enum class alternative { two_sided, greater, less };

/// How a rank test computes its p-value: `exact` counts the permutation distribution, `normal`
/// uses the normal approximation, `automatic` is exact up to `exact_limit` observations.
enum class p_method { automatic, exact, normal };

/// Above this many observations (n1 + n2 for Mann–Whitney, nonzero differences for Wilcoxon)
/// `p_method::automatic` uses the normal approximation. Up to it the permutation counts stay
/// below 2^53, so they are exact in a double.
inline constexpr std::size_t exact_limit = 50;

/// Options of the rank tests.
struct rank_test_options {
  stats::alternative alternative = stats::alternative::two_sided;
  p_method method = p_method::automatic;
  bool continuity = true;  ///< normal approximation: move the statistic 0.5 towards its mean
};

/// The Mann–Whitney U test's result. `u1` counts pairs (x, y) with x > y plus half the ties
/// (SciPy's `statistic`); `u2 = n1·n2 − u1`.
struct mann_whitney_result {
  double u1 = 0.0, u2 = 0.0;
  std::size_t n1 = 0, n2 = 0;
  double p_value = 1.0;
  bool exact = true;  ///< false: normal approximation
};

/// The Wilcoxon signed-rank test's result over the nonzero differences x − y (zeros are dropped,
/// SciPy's `zero_method="wilcox"`). SciPy's two-sided `statistic` is min(w_plus, w_minus).
struct wilcoxon_result {
  double w_plus = 0.0, w_minus = 0.0;  ///< rank sums of the positive and the negative differences
  std::size_t n = 0, zeros = 0;        ///< nonzero differences used; zero differences dropped
  double p_value = 1.0;
  bool exact = true;
};

/// Ranks 1..n of `values` with ties given their mid-rank (the mean of the ranks they span).
inline std::vector<double> midranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double r = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/// Σ (t³ − t) over the tie groups of `values` (0 without ties): the tie term of the variances.
inline double tie_term(std::span<const double> values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  double sum = 0.0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    const double t = static_cast<double>(j - i);
    sum += t * t * t - t;
    i = j;
  }
  return sum;
}

/// Holm's step-down adjustment of a family of p-values, in the input order: the i-th smallest
/// p becomes max over j ≤ i of min(1, (m − j + 1)·p_(j)). Rejecting where the adjusted p < α
/// controls the family-wise error rate at α.
inline std::vector<double> holm(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> out(m);
  double running = 0.0;
  for (std::size_t i = 0; i < m; ++i) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - i) * p_values[order[i]]));
    out[order[i]] = running;
  }
  return out;
}

/// The Vargha–Delaney effect size A12 = P(X > Y) + ½·P(X = Y) over all pairs of the two samples:
/// 0.5 is no effect, 1 means every x exceeds every y. NaN when a sample is empty.
inline double vargha_delaney_a(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) return std::numeric_limits<double>::quiet_NaN();
  double wins = 0.0;
  for (const double a : x)
    for (const double b : y) wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  return wins / (static_cast<double>(x.size()) * static_cast<double>(y.size()));
}

/// Vargha and Delaney's (2000) magnitude of an A12: "negligible" when |A − 0.5| < 0.06, "small"
/// below 0.14, "medium" below 0.21, else "large".
inline std::string_view a12_magnitude(double a) {
  const double d = std::abs(a - 0.5);
  return d < 0.06 ? "negligible" : d < 0.14 ? "small" : d < 0.21 ? "medium" : "large";
}

/// The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between order statistics
/// (NumPy's default, Hyndman–Fan type 7). NaN when empty.
inline double quantile(std::span<const double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile: q must be in [0, 1] (got " + std::to_string(q) + ")");
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// The median (the 0.5-quantile). NaN when empty.
inline double median(std::span<const double> values) { return quantile(values, 0.5); }

namespace detail {

// Mid-ranks doubled, so they are integers: a tie group spanning ranks a..b has mid-rank (a + b) / 2.
inline std::vector<long long> doubled_ranks(std::span<const double> values) {
  const auto r = midranks(values);
  std::vector<long long> out(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) out[i] = std::llround(2.0 * r[i]);
  return out;
}

// P(S <= s) and P(S >= s) of a count distribution `ways` (index = statistic) and the p-value.
inline double tail_p(const std::vector<double>& ways, long long s, alternative alt) {
  const double total = std::accumulate(ways.begin(), ways.end(), 0.0);
  double lower = 0.0, upper = 0.0;
  for (std::size_t k = 0; k < ways.size(); ++k) {
    if (static_cast<long long>(k) <= s) lower += ways[k];
    if (static_cast<long long>(k) >= s) upper += ways[k];
  }
  lower /= total;
  upper /= total;
  if (alt == alternative::greater) return std::min(1.0, upper);
  if (alt == alternative::less) return std::min(1.0, lower);
  return std::min(1.0, 2.0 * std::min(lower, upper));
}

// The normal approximation's p-value of statistic `s` with mean `mu` and standard deviation `sd`.
inline double normal_p(double s, double mu, double sd, alternative alt, bool continuity) {
  if (!(sd > 0.0)) return 1.0;  // every observation tied: no evidence either way
  const double c = continuity ? 0.5 : 0.0;
  const boost::math::normal_distribution<double> n01;
  if (alt == alternative::greater) return boost::math::cdf(boost::math::complement(n01, (s - mu - c) / sd));
  if (alt == alternative::less) return boost::math::cdf(n01, (s - mu + c) / sd);
  const double z = std::max(std::abs(s - mu) - c, 0.0) / sd;
  return std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(n01, z)));
}

inline bool use_exact(p_method m, std::size_t n) { return m == p_method::exact || (m == p_method::automatic && n <= exact_limit); }

}  // namespace detail

/// The Mann–Whitney U test (Wilcoxon rank-sum) of two independent samples: does x tend to be
/// larger (or smaller) than y? The exact p-value enumerates how the C(n1 + n2, n1) splits of the
/// pooled mid-ranks distribute the rank sum of x (O((n1 + n2)³·n1) time); the normal
/// approximation uses σ² = n1·n2/12 · ((N + 1) − Σ(t³ − t)/(N(N − 1))). Throws
/// std::invalid_argument when a sample is empty or holds a NaN.
inline mann_whitney_result mann_whitney_u(std::span<const double> x, std::span<const double> y, rank_test_options o = {}) {
  if (x.empty() || y.empty()) throw std::invalid_argument("mann_whitney_u: both samples need at least one value");
  std::vector<double> pooled(x.begin(), x.end());
  pooled.insert(pooled.end(), y.begin(), y.end());
  for (const double v : pooled)
    if (std::isnan(v)) throw std::invalid_argument("mann_whitney_u: a sample holds NaN");
  const std::size_t n1 = x.size(), n2 = y.size(), n = n1 + n2;
  const auto r2 = detail::doubled_ranks(pooled);
  long long s = 0;  // doubled rank sum of x
  for (std::size_t i = 0; i < n1; ++i) s += r2[i];
  mann_whitney_result res;
  res.n1 = n1;
  res.n2 = n2;
  res.u1 = static_cast<double>(s) / 2.0 - static_cast<double>(n1 * (n1 + 1)) / 2.0;
  res.u2 = static_cast<double>(n1 * n2) - res.u1;
  res.exact = detail::use_exact(o.method, n);
  if (res.exact) {
    // ways[j][t]: subsets of j of the values seen so far with doubled rank sum t.
    const auto total = static_cast<std::size_t>(std::accumulate(r2.begin(), r2.end(), 0LL));
    std::vector<std::vector<double>> ways(n1 + 1, std::vector<double>(total + 1, 0.0));
    ways[0][0] = 1.0;
    for (std::size_t k = 0; k < n; ++k) {
      const auto r = static_cast<std::size_t>(r2[k]);
      for (std::size_t j = std::min(n1, k + 1); j >= 1; --j)
        for (std::size_t t = total; t >= r; --t) ways[j][t] += ways[j - 1][t - r];
    }
    res.p_value = detail::tail_p(ways[n1], s, o.alternative);
  } else {
    const double N = static_cast<double>(n), a = static_cast<double>(n1), b = static_cast<double>(n2);
    const double var = a * b / 12.0 * ((N + 1.0) - tie_term(pooled) / (N * (N - 1.0)));
    res.p_value = detail::normal_p(res.u1, a * b / 2.0, std::sqrt(std::max(var, 0.0)), o.alternative, o.continuity);
  }
  return res;
}

/// The Wilcoxon signed-rank test of paired differences d (alternative `greater`: the
/// differences tend to be positive). Zero differences are dropped; the others are ranked by
/// |d| with mid-ranks. The exact p-value counts the 2^n sign patterns of the ranks (O(n³)); the
/// normal approximation uses σ² = n(n + 1)(2n + 1)/24 − Σ(t³ − t)/48. With no nonzero difference
/// the p-value is 1. Throws std::invalid_argument on a NaN.
inline wilcoxon_result wilcoxon_signed_rank(std::span<const double> d, rank_test_options o = {}) {
  std::vector<double> nonzero, magnitude;
  wilcoxon_result res;
  for (const double v : d) {
    if (std::isnan(v)) throw std::invalid_argument("wilcoxon_signed_rank: a difference is NaN");
    if (v == 0.0) ++res.zeros;
    else nonzero.push_back(v), magnitude.push_back(std::abs(v));
  }
  res.n = nonzero.size();
  if (res.n == 0) return res;
  const auto r2 = detail::doubled_ranks(magnitude);
  long long s = 0, total = 0;
  for (std::size_t i = 0; i < res.n; ++i) {
    total += r2[i];
    if (nonzero[i] > 0) s += r2[i];
  }
  res.w_plus = static_cast<double>(s) / 2.0;
  res.w_minus = static_cast<double>(total - s) / 2.0;
  res.exact = detail::use_exact(o.method, res.n);
  if (res.exact) {
    std::vector<double> ways(static_cast<std::size_t>(total) + 1, 0.0);  // sign patterns by doubled W+
    ways[0] = 1.0;
    long long reach = 0;
    for (const long long r : r2) {
      reach += r;
      for (long long t = reach; t >= r; --t) ways[static_cast<std::size_t>(t)] += ways[static_cast<std::size_t>(t - r)];
    }
    res.p_value = detail::tail_p(ways, s, o.alternative);
  } else {
    const double n = static_cast<double>(res.n);
    const double var = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_term(magnitude) / 48.0;
    res.p_value = detail::normal_p(res.w_plus, n * (n + 1.0) / 4.0, std::sqrt(std::max(var, 0.0)), o.alternative, o.continuity);
  }
  return res;
}

/// The Wilcoxon signed-rank test of paired samples: the differences x[i] − y[i]. Throws
/// std::invalid_argument when the lengths differ.
inline wilcoxon_result wilcoxon_signed_rank(std::span<const double> x, std::span<const double> y, rank_test_options o = {}) {
  if (x.size() != y.size())
    throw std::invalid_argument("wilcoxon_signed_rank: paired samples differ in length (" + std::to_string(x.size()) + " and " +
                                std::to_string(y.size()) + ")");
  std::vector<double> d(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) d[i] = x[i] - y[i];
  return wilcoxon_signed_rank(std::span<const double>(d), o);
}

/// One pairwise comparison after a Friedman test: treatments i < j, the difference of their rank
/// sums (R_i − R_j; positive = i ranks higher, i.e. larger values), Conover's t and its two-sided p.
struct friedman_pair {
  std::size_t i = 0, j = 0;
  double rank_sum_difference = 0.0, t = 0.0, p_value = 1.0;
};

/// The Friedman test's result: the rank sum of each treatment (larger values get larger ranks),
/// the tie-corrected statistic (χ² with k − 1 degrees of freedom) and Conover's post-hoc pairs.
struct friedman_result {
  std::vector<double> rank_sums;
  double statistic = 0.0;
  std::size_t df = 0;
  double p_value = 1.0;
  std::vector<friedman_pair> pairs;  ///< every i < j, in (i, j) order
};

/// The Friedman test of k ≥ 2 treatments over b ≥ 2 blocks: `blocks[b][k]` is treatment k's value
/// in block b (rows of equal length). Values are ranked within each block (mid-ranks); with
/// A = Σ r², C = b·k(k + 1)²/4 and rank sums R_j, the statistic is (k − 1)(Σ R_j² − b·C)/(A − C),
/// compared with χ²(k − 1). The post-hoc pairs are Conover's (1999, as in F-Race/irace):
/// t = |R_i − R_j| / sqrt(2(b·A − Σ R_j²)/((b − 1)(k − 1))) against Student's t with
/// (b − 1)(k − 1) degrees of freedom, two-sided. When every block ranks alike or all values tie,
/// p-values are 0 for separated pairs and 1 for equal rank sums, or all 1 (no variation).
/// Throws std::invalid_argument on ragged rows, fewer than 2 blocks or treatments, or a NaN.
inline friedman_result friedman(const std::vector<std::vector<double>>& blocks) {
  if (blocks.size() < 2) throw std::invalid_argument("friedman: need at least 2 blocks (got " + std::to_string(blocks.size()) + ")");
  const std::size_t k = blocks.front().size();
  if (k < 2) throw std::invalid_argument("friedman: need at least 2 treatments (got " + std::to_string(k) + ")");
  friedman_result res;
  res.rank_sums.assign(k, 0.0);
  double a = 0.0;
  for (const auto& row : blocks) {
    if (row.size() != k)
      throw std::invalid_argument("friedman: every block needs " + std::to_string(k) + " values (got " + std::to_string(row.size()) + ")");
    for (const double v : row)
      if (std::isnan(v)) throw std::invalid_argument("friedman: a value is NaN");
    const auto r = midranks(row);
    for (std::size_t j = 0; j < k; ++j) {
      res.rank_sums[j] += r[j];
      a += r[j] * r[j];
    }
  }
  const double b = static_cast<double>(blocks.size()), kk = static_cast<double>(k);
  const double c = b * kk * (kk + 1.0) * (kk + 1.0) / 4.0;
  double sum_r2 = 0.0;
  for (const double r : res.rank_sums) sum_r2 += r * r;
  res.df = k - 1;
  const bool varied = a - c > 1e-9 * a;
  if (varied) {
    res.statistic = (kk - 1.0) * (sum_r2 - b * c) / (a - c);
    res.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(kk - 1.0), std::max(res.statistic, 0.0)));
  }
  const double df2 = (b - 1.0) * (kk - 1.0);
  const double spread = 2.0 * (b * a - sum_r2) / df2;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i + 1; j < k; ++j) {
      friedman_pair p{i, j, res.rank_sums[i] - res.rank_sums[j], 0.0, 1.0};
      const double diff = std::abs(p.rank_sum_difference);
      if (spread > 1e-12 * std::max(1.0, b * a)) {
        p.t = diff / std::sqrt(spread);
        p.p_value = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df2), p.t)));
      } else if (varied && diff > 0.0) {  // identical rankings in every block: separated without doubt
        p.t = std::numeric_limits<double>::infinity();
        p.p_value = 0.0;
      }
      res.pairs.push_back(p);
    }
  return res;
}

}  // namespace fhops::stats
