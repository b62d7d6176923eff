/// \file
/// The Parzen estimators of the TPE strategy, as Optuna 3.1's `_ParzenEstimator` builds them with
/// its default settings (univariate, consider_prior, consider_magic_clip, no endpoints): a
/// truncated Gaussian mixture for numeric parameters and smoothed category frequencies for
/// categorical ones, each with a prior component.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <limits>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "fhops/util/rng.hpp"

namespace fhops::tune::detail {

inline constexpr double inv_sqrt2 = 0.70710678118654752440;
inline constexpr double inv_sqrt2pi = 0.39894228040143267794;

/// Standard normal CDF (std::erfc; Boost's policy checks cost more than the whole kernel).
inline double phi(double z) { return 0.5 * std::erfc(-z * inv_sqrt2); }

/// e^y for y in [-700, 0] to a relative 2e-14, branch-free so that a loop over it vectorises
/// (std::exp is a library call): y = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite), e^r by its
/// Taylor polynomial of degree 11 (remainder below 1e-14), 2^n put into the exponent bits.
inline double exp_nonpositive(double y) {
  constexpr double log2e = 1.4426950408889634, ln2_hi = 0.693147180369123816490, ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
  const double t = y * log2e + shifter;
  const double n = t - shifter;
  const double r = (y - n * ln2_hi) - n * ln2_lo;
  double p = 1.0 / 39916800.0;  // 1/11!
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // the low bits of t are n (two's complement); shifting (n + 1023) into the exponent field
  const std::uint64_t scale = (std::bit_cast<std::uint64_t>(t) + 1023u) << 52;
  return p * std::bit_cast<double>(scale);
}

/// term[j] = coef[j] * e^(-z^2 / 2) with z = (x - mu[j]) * inv_s[j], for j < m (the hot loop of the
/// Parzen estimators; a map without reductions, so it vectorises and gives the same bits at any
/// vector width: no fused multiply-adds, no reassociation).
[[gnu::always_inline]] inline void gauss_terms_body(const double* mu, const double* inv_s, const double* coef, double x, double* term,
                                                    std::size_t m) {
  for (std::size_t j = 0; j < m; ++j) {
    const double z = (x - mu[j]) * inv_s[j];
    term[j] = coef[j] * exp_nonpositive(-0.5 * z * z);
  }
}

/// e^y for y in [-80, 0] in single precision to a relative 1e-6 (the bounding pass): as
/// exp_nonpositive with a Taylor polynomial of degree 7 (remainder below 6e-9; Horner's rounding
/// in single precision adds a few 6e-8).
inline float expf_nonpositive(float y) {
  constexpr float log2e = 1.44269504f, ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
  constexpr float shifter = 0x1.8p23f;
  const float t = y * log2e + shifter;
  const float n = t - shifter;
  const float r = (y - n * ln2_hi) - n * ln2_lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::uint32_t scale = (std::bit_cast<std::uint32_t>(t) + 127u) << 23;
  return p * std::bit_cast<float>(scale);
}

/// Lower bounds of the terms of gauss_terms_body (m <= 64), from a single-precision exponential:
/// z and -z^2 / 2 in double, then e^y in single precision (y rounded to float: a relative error of
/// |y| 6e-8 <= 5e-6 in e^y; expf_nonpositive: 1e-6), so term[j] <= the exact term * (1 + 1e-5).
/// The caller scales the sum by (1 - lower_bound_shrink) and keeps |z| <= 4 2^(1/4), so y stays
/// above -12 (no clamp: a comparison stops the vectoriser). Three loops of one width each, so that
/// each vectorises.
[[gnu::always_inline]] inline void gauss_terms_lower_body(const double* mu, const double* inv_s, const double* coef, double x, double* term,
                                                          std::size_t m) {
  float y[64];
  for (std::size_t j = 0; j < m; ++j) {
    const double z = (x - mu[j]) * inv_s[j];
    y[j] = static_cast<float>(-0.5 * z * z);
  }
  for (std::size_t j = 0; j < m; ++j) y[j] = expf_nonpositive(y[j]);
  for (std::size_t j = 0; j < m; ++j) term[j] = coef[j] * static_cast<double>(y[j]);
}
inline constexpr double lower_bound_shrink = 1e-4;
/// The single-precision upper bound (parzen_numeric::density_upper_bound) is grown by this much:
/// its terms reach |z| = 13.2 (beyond, the floor at -87 only raises them), so each is within a
/// relative 1e-4 + 5e-6 of the exact one.
inline constexpr double upper_bound_grow = 3e-4;

/// Whether the processor runs AVX2 code (the Parzen sums are compiled for it as well).
inline bool has_avx2() {
#if defined(__GNUC__) && defined(__x86_64__)
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

/// Whether the processor runs AVX2 code with fused multiply-adds (the bounding pass uses them).
inline bool has_avx2_fma() {
#if defined(__GNUC__) && defined(__x86_64__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

#if defined(__GNUC__) && defined(__x86_64__)
/// exp_nonpositive on four lanes, operation for operation (the same bits).
[[gnu::target("avx2"), gnu::always_inline]] inline __m256d exp_nonpositive_avx2(__m256d y) {
  constexpr double c[12] = {1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0,
                            1.0 / 120.0,      1.0 / 24.0,      1.0 / 6.0,      0.5,            1.0,          1.0};
  const __m256d shifter = _mm256_set1_pd(0x1.8p52);
  const __m256d t = _mm256_add_pd(_mm256_mul_pd(y, _mm256_set1_pd(1.4426950408889634)), shifter);
  const __m256d n = _mm256_sub_pd(t, shifter);
  const __m256d r = _mm256_sub_pd(_mm256_sub_pd(y, _mm256_mul_pd(n, _mm256_set1_pd(0.693147180369123816490))),
                                  _mm256_mul_pd(n, _mm256_set1_pd(1.90821492927058770002e-10)));
  __m256d p = _mm256_set1_pd(c[0]);
  for (int k = 1; k < 12; ++k) p = _mm256_add_pd(_mm256_mul_pd(p, r), _mm256_set1_pd(c[k]));
  const __m256i scale = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(scale));
}

/// The sum of gauss_terms_body's terms over j < m in the order sum_body adds them (four
/// chains, j mod 4, then the rest into the first), with AVX2 and no fused multiply-adds: the same
/// bits as the plain loop. (No -ffp-contract can fuse these operations: the target has no FMA.)
[[gnu::target("avx2")]] inline double gauss_sum_avx2(const double* mu, const double* inv_s, const double* coef, double x, std::size_t m) {
  const __m256d vx = _mm256_set1_pd(x), minus_half = _mm256_set1_pd(-0.5);
  __m256d acc = _mm256_setzero_pd();
  std::size_t j = 0;
  for (; j + 4 <= m; j += 4) {
    const __m256d z = _mm256_mul_pd(_mm256_sub_pd(vx, _mm256_loadu_pd(mu + j)), _mm256_loadu_pd(inv_s + j));
    acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_loadu_pd(coef + j), exp_nonpositive_avx2(_mm256_mul_pd(_mm256_mul_pd(minus_half, z), z))));
  }
  alignas(32) double part[4];
  _mm256_store_pd(part, acc);
  if (j < m) {  // the last 1-3 terms at once (masked loads), added one by one into the first chain
    const __m256i keep = _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<long long>(m - j)), _mm256_setr_epi64x(0, 1, 2, 3));
    const __m256d z = _mm256_mul_pd(_mm256_sub_pd(vx, _mm256_maskload_pd(mu + j, keep)), _mm256_maskload_pd(inv_s + j, keep));
    alignas(32) double term[4];
    _mm256_store_pd(term, _mm256_mul_pd(_mm256_maskload_pd(coef + j, keep), exp_nonpositive_avx2(_mm256_mul_pd(_mm256_mul_pd(minus_half, z), z))));
    for (std::size_t i = 0; j + i < m; ++i) part[0] += term[i];
  }
  return (part[0] + part[1]) + (part[2] + part[3]);
}

/// `acc` plus gauss_terms_body's terms for j < m, by lane, in single precision, eight at a time
/// (the bounds of the TPE's first pass). Centres and x are relative to the domain's centre, so z
/// is off by at most 6e-6 + 1.2e-7 |z| (widths >= range / 100); e^y by its Taylor polynomial of
/// degree 5 (remainder below 5e-6, always an underestimate), y floored at -87 (which only raises
/// a term); eight chains of fused multiply-adds. A term with |z| <= 5 (the lower bound's windows:
/// cut <= 4 widths, widths within 2^(1/4) in a band) is within a relative 5e-5 of the exact one,
/// one with |z| <= 13.2 within 1.1e-4, and a lane's sum of k terms adds k 6e-8; the callers shrink
/// the sum by lower_bound_shrink or grow it by upper_bound_grow. Reads up to 7 entries past m (the
/// bands are padded).
[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 gauss_sum_lower_avx2(__m256 acc, const float* mu, const float* inv_s,
                                                                                const float* coef, float x, std::size_t m) {
  const __m256 vx = _mm256_set1_ps(x), minus_half = _mm256_set1_ps(-0.5f), log2e = _mm256_set1_ps(1.44269504f);
  const __m256 shifter = _mm256_set1_ps(0x1.8p23f), ln2 = _mm256_set1_ps(0.693147182f), floor = _mm256_set1_ps(-87.0f);
  const __m256i bias = _mm256_set1_epi32(127), lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (std::size_t j = 0; j < m; j += 8) {
    const __m256 z = _mm256_mul_ps(_mm256_sub_ps(vx, _mm256_loadu_ps(mu + j)), _mm256_loadu_ps(inv_s + j));
    const __m256 y = _mm256_max_ps(_mm256_mul_ps(_mm256_mul_ps(z, z), minus_half), floor);
    const __m256 t = _mm256_fmadd_ps(y, log2e, shifter);
    const __m256 n = _mm256_sub_ps(t, shifter);
    const __m256 r = _mm256_fnmadd_ps(n, ln2, y);
    __m256 p = _mm256_set1_ps(1.0f / 120.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), bias), 23);
    __m256 term = _mm256_mul_ps(p, _mm256_castsi256_ps(scale));
    if (j + 8 > m) {  // the last, partial group: lanes from m on are cleared (their bits, whatever they hold)
      const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(m - j)), lane);
      term = _mm256_and_ps(term, _mm256_castsi256_ps(keep));
    }
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(coef + j), term, acc);
  }
  return acc;
}
#endif

/// The first index in [from, to) of the ascending `v` with v[i] >= x (std::lower_bound), without
/// data-dependent branches: the loop runs log2(to - from) times whatever the data.
inline std::size_t first_not_below(const double* v, std::size_t from, std::size_t to, double x) {
  std::size_t base = from, len = to - from;
  while (len > 1) {
    const std::size_t half = len / 2;
    base = v[base + half - 1] < x ? base + half : base;
    len -= half;
  }
  return base + (len == 1 && v[base] < x ? 1 : 0);
}

/// The first index in [from, to) of the ascending `v` with v[i] > x (std::upper_bound), branch-free
/// as first_not_below.
inline std::size_t first_above(const double* v, std::size_t from, std::size_t to, double x) {
  std::size_t base = from, len = to - from;
  while (len > 1) {
    const std::size_t half = len / 2;
    base = !(x < v[base + half - 1]) ? base + half : base;
    len -= half;
  }
  return base + (len == 1 && !(x < v[base]) ? 1 : 0);
}

/// Probability of [za, zb] under the standard normal, without cancellation in the right tail.
inline double normal_mass(double za, double zb) { return za > 0.0 ? phi(-za) - phi(-zb) : phi(zb) - phi(za); }

/// Optuna's default_weights(n): 1 for the newest 25, before them a linear ramp from 1/n to 1
/// (NumPy's linspace: first + pos * step). `at(pos)` is the weight at chronological position pos.
struct recency_weights {
  std::size_t ramp = 0;
  double first = 1.0, step = 0.0;
  explicit recency_weights(std::size_t n) {
    if (n < 26) return;
    ramp = n - 25;
    first = 1.0 / static_cast<double>(n);
    step = ramp == 1 ? 0.0 : (1.0 - first) / static_cast<double>(ramp - 1);
  }
  double at(std::size_t pos) const { return pos >= ramp ? 1.0 : first + static_cast<double>(pos) * step; }
};

/// recency_weights(n).at(pos).
inline double recency_weight(std::size_t pos, std::size_t n) { return recency_weights(n).at(pos); }

/// A truncated Gaussian mixture on [low, high] (the transformed domain of a numeric parameter):
/// one kernel per observation plus the prior (centre of the domain, the whole range as its width).
/// A kernel's width is the larger gap to its neighbours among the sorted centres (the prior
/// included; the outermost two take their only gap), clipped to [range / min(100, n + 1), range].
///
/// The density is Optuna 3.1's: its truncated normal log pdf leaves out the -log(sigma) term, so
/// each kernel is weighted by (its mixture weight) / (its truncation mass) * phi((x - mu) / sigma)
/// without the 1 / sigma factor (wide kernels count more than in a normalised mixture). Interval
/// probabilities (integer parameters) are proper: weight / mass * P(interval).
///
/// Evaluation is O(log n + kernels near x): kernels are kept in width bands sorted by centre, and
/// a kernel further than `cutoff()` of its widths from x is skipped. The cutoff is chosen at build
/// time so that the skipped kernels together weigh less than 1e-13 of the prior's share at any x of
/// the domain, so the log density is exact to a relative 1e-13 (`log_density_direct` sums them all).
class parzen_numeric {
public:
  /// Rebuilds from `xs` sorted ascending with (unnormalised) weights `w`; reuses its storage.
  void build(std::span<const double> xs, std::span<const double> w, double low, double high, double prior_weight) {
    low_ = low, high_ = high, centre_ = 0.5 * (low + high), prior_weight_ = prior_weight;
    const std::size_t n = xs.size() + 1;
    const double prior_mu = 0.5 * (low + high);
    mus_.resize(n), weights_.resize(n);
    prior_at_ = static_cast<std::size_t>(std::upper_bound(xs.begin(), xs.end(), prior_mu) - xs.begin());  // merged into the sorted order
    std::copy(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(prior_at_), mus_.begin());
    std::copy(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(prior_at_), weights_.begin());
    mus_[prior_at_] = prior_mu, weights_[prior_at_] = prior_weight;
    std::copy(xs.begin() + static_cast<std::ptrdiff_t>(prior_at_), xs.end(), mus_.begin() + static_cast<std::ptrdiff_t>(prior_at_) + 1);
    std::copy(w.begin() + static_cast<std::ptrdiff_t>(prior_at_), w.end(), weights_.begin() + static_cast<std::ptrdiff_t>(prior_at_) + 1);
    double total = 0.0;
    for (const double x : weights_) total += x;
    const double inv_total = 1.0 / total;
    for (double& x : weights_) x *= inv_total;
    set_cutoffs(weights_[prior_at_], lo_clip_for(n));
    place_all<false>();
    built_ = true;
  }

  /// Incremental use, for an estimator kept from one ask to the next while its observations change
  /// by a few: `reset` to no observations, `insert` and `erase` observations, each under a distinct
  /// key (a trial number), then `reweigh` with the weights by key before evaluating. An insert or
  /// erase changes only the widths of the neighbours (and their bands, truncation masses): O(n)
  /// moves of plain arrays and O(band) work, instead of a build's sort-free but O(n) constants with
  /// erfc. The result is build()'s over the observations sorted by (x, key), bit for bit.
  void reset(double low, double high, double prior_weight) {
    low_ = low, high_ = high, centre_ = 0.5 * (low + high), prior_weight_ = prior_weight;
    mus_.assign(1, 0.5 * (low + high)), keys_.assign(1, prior_key), sigmas_.assign(1, high - low), band_of_.assign(1, 0);
    prior_at_ = 0, full_ = true, built_ = false;
  }

  /// Adds observation x under `key` (not present).
  void insert(double x, std::size_t key) {
    const std::size_t p = upper(mus_, keys_, x, key);
    mus_.insert(mus_.begin() + static_cast<std::ptrdiff_t>(p), x);
    keys_.insert(keys_.begin() + static_cast<std::ptrdiff_t>(p), key);
    sigmas_.insert(sigmas_.begin() + static_cast<std::ptrdiff_t>(p), 0.0);
    band_of_.insert(band_of_.begin() + static_cast<std::ptrdiff_t>(p), 0);
    if (p <= prior_at_) ++prior_at_;
    full_ = full_ || lo_clip_for(mus_.size()) != lo_clip_;
    if (full_) return;  // every width changes: placed again by reweigh
    place(p);
    if (p > 0) replace(p - 1);
    if (p + 1 < mus_.size()) replace(p + 1);
  }

  /// Removes observation x inserted under `key`.
  void erase(double x, std::size_t key) {
    const std::size_t p = upper(mus_, keys_, x, key) - 1;
    if (!full_) unplace(p);
    mus_.erase(mus_.begin() + static_cast<std::ptrdiff_t>(p));
    keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(p));
    sigmas_.erase(sigmas_.begin() + static_cast<std::ptrdiff_t>(p));
    band_of_.erase(band_of_.begin() + static_cast<std::ptrdiff_t>(p));
    if (p < prior_at_) --prior_at_;
    full_ = full_ || lo_clip_for(mus_.size()) != lo_clip_;
    if (full_) return;
    if (p > 0) replace(p - 1);
    if (p < mus_.size()) replace(p);
  }

  /// Sets the mixture weights (`weight_by_key[key]`, unnormalised; the prior's is prior_weight)
  /// after inserts and erases; the estimator is then ready to evaluate (not to sample: weights()
  /// is kept by build only).
  void reweigh(std::span<const double> weight_by_key) {
    const std::size_t n = mus_.size();
    double total = 0.0;  // in the sorted order, as build sums (the normalised weights are not stored)
    for (std::size_t i = 0; i < prior_at_; ++i) total += weight_by_key[keys_[i]];
    total += prior_weight_;
    for (std::size_t i = prior_at_ + 1; i < n; ++i) total += weight_by_key[keys_[i]];
    const double inv_total = 1.0 / total;
    set_cutoffs(prior_weight_ * inv_total, lo_clip_for(n));
    if (full_) place_all<true>(), full_ = false;
    else list_used_bands();  // inserts and erases may have filled or emptied bands
    for (const std::size_t used : used_bands_) {
      band& b = bands_[used];
      for (std::size_t j = 0; j < b.mu.size(); ++j) {
        const std::size_t k = b.key[j];
        b.set_coef(j, coef_of((k == prior_key ? prior_weight_ : weight_by_key[k]) * inv_total, b.zmin[j], b.mass[j]));
      }
    }
  }

  /// Whether to sum with AVX2 where the processor has it (the default); false: the portable loops,
  /// which give the same log densities bit for bit and bounds as valid (for tests).
  void use_simd(bool on) noexcept { simd_ = on; }

  /// Observations (the prior excluded).
  std::size_t size() const noexcept { return mus_.size() - 1; }

  /// Prepares sample(): each kernel's CDF at the bounds, once per build (phi: std::erfc, a third
  /// of the instructions of Boost.Math's cdf, which agrees with it to a few ulps); build keeps
  /// those of the truncation masses it computed.
  void prepare_sampling() {
    cdf_low_.resize(mus_.size(), std::numeric_limits<double>::quiet_NaN()), cdf_high_.resize(mus_.size());
    for (std::size_t i = 0; i < mus_.size(); ++i) {
      if (built_ && !std::isnan(cdf_low_[i])) continue;  // kept by build
      const double inv_s = 1.0 / sigmas_[i];
      cdf_low_[i] = phi((low_ - mus_[i]) * inv_s), cdf_high_[i] = phi((high_ - mus_[i]) * inv_s);
    }
  }

  /// One draw (after prepare_sampling): a kernel by weight, then its truncated normal by inverse
  /// CDF (Boost.Math).
  double sample(rng& r) const {
    double u = r.uniform01();
    std::size_t i = 0;
    while (i + 1 < weights_.size() && (u -= weights_[i]) >= 0.0) ++i;
    const boost::math::normal_distribution<double, double_policy> d(mus_[i], sigmas_[i]);
    const double a = cdf_low_[i], b = cdf_high_[i];
    const double p = std::clamp(a + r.uniform01() * (b - a), 1e-300, 1.0 - 1e-16);
    return std::clamp(boost::math::quantile(d, p), low_, high_);
  }

  /// log density at x; with `half_width` > 0, the log probability of [x - hw, x + hw] within the
  /// domain (integer parameters).
  double log_density(double x, double half_width) const { return std::log(density(x, half_width)); }

  /// e^log_density (at least the smallest normal double).
  double density(double x, double half_width) const { return mixture(x, half_width, half_width > 0.0 ? cutoff_mass_ : cutoff_, false); }

  /// A lower bound of log_density (up to rounding): only the kernels within `cut` widths of x;
  /// densities with cut <= 4 in single precision, shrunk by 1e-4 to stay below.
  double log_density_lower_bound(double x, double half_width, double cut) const { return std::log(density_lower_bound(x, half_width, cut)); }

  /// e^log_density_lower_bound.
  double density_lower_bound(double x, double half_width, double cut) const {
    return mixture(x, half_width, std::min(cut, half_width > 0.0 ? cutoff_mass_ : cutoff_), half_width == 0.0 && cut <= 4.0);
  }

  /// density_lower_bound at each of `xs`, into `out` (as many): the same bounds; with AVX2 computed
  /// band by band for blocks of points, so that the searches for the windows of different points,
  /// each a chain of dependent loads, overlap.
  void density_lower_bounds(std::span<const double> xs, double half_width, double cut, std::span<double> out) const {
#if defined(__GNUC__) && defined(__x86_64__)
    if (simd_ && half_width == 0.0 && cut <= 4.0 && has_avx2_fma()) return sum_lower_avx2(xs, std::min(cut, cutoff_), out);
#endif
    for (std::size_t i = 0; i < xs.size(); ++i) out[i] = density_lower_bound(xs[i], half_width, cut);
  }

  /// An upper bound of density (up to rounding): with AVX2 and half_width = 0, every kernel in
  /// single precision, grown by 3e-4 (cheaper than density for small mixtures: no windows, no
  /// chains by band); else density itself.
  double density_upper_bound(double x, double half_width) const {
#if defined(__GNUC__) && defined(__x86_64__)
    if (simd_ && half_width == 0.0 && has_avx2_fma()) return sum_upper_avx2(x);
#endif
    return density(x, half_width);
  }

  /// The same log density summed over every kernel with Boost.Math (the reference for tests).
  double log_density_direct(double x, double half_width) const {
    double sum = 0.0;
    for (std::size_t i = 0; i < mus_.size(); ++i) {
      const boost::math::normal_distribution<double, double_policy> d(mus_[i], sigmas_[i]);
      const double mass = boost::math::cdf(d, high_) - boost::math::cdf(d, low_);
      const double p = half_width > 0.0 ? boost::math::cdf(d, std::min(x + half_width, high_)) - boost::math::cdf(d, std::max(x - half_width, low_))
                                        : boost::math::pdf(d, x) * sigmas_[i];  // Optuna 3.1: no 1 / sigma
      sum += weights_[i] * p / mass;
    }
    return std::log(std::max(sum, std::numeric_limits<double>::min()));
  }

  const std::vector<double>& mus() const noexcept { return mus_; }
  const std::vector<double>& sigmas() const noexcept { return sigmas_; }
  /// Normalised mixture weights (after build; reweigh does not store them).
  const std::vector<double>& weights() const noexcept { return weights_; }
  /// Kernels further than this many widths from x are skipped (densities; intervals: cutoff_mass).
  double cutoff() const noexcept { return cutoff_; }
  double cutoff_mass() const noexcept { return cutoff_mass_; }

private:
  // The mixture at x (at least the smallest normal double) summed over the kernels within `cut`
  // widths (band by band, by centre); with `lower`, a lower bound (cut <= 4 keeps the exponents
  // above -80: a band's widths differ by less than 2^(1/4)). With AVX2 the sums run on explicit
  // vectors (asked once per call): the bound in single precision with fused multiply-adds, the
  // exact sum with the plain loop's bits.
  double mixture(double x, double half_width, double cut, bool lower) const {
#if defined(__GNUC__) && defined(__x86_64__)
    if (simd_ && lower && has_avx2_fma()) {
      double out = 0.0;
      sum_lower_avx2({&x, 1}, cut, {&out, 1});
      return out;
    }
    if (simd_ && has_avx2()) return lower ? sum_avx2<true>(x, half_width, cut) : sum_avx2<false>(x, half_width, cut);
#endif
    return lower ? sum_body<true, false>(x, half_width, cut) : sum_body<false, false>(x, half_width, cut);
  }

#if defined(__GNUC__) && defined(__x86_64__)
  template <bool lower>
  [[gnu::target("avx2")]] double sum_avx2(double x, double half_width, double cut) const {
    return sum_body<lower, true>(x, half_width, cut);
  }

  [[gnu::target("avx2,fma")]] void sum_lower_avx2(std::span<const double> xs, double cut, std::span<double> out) const {
    constexpr std::size_t block = 32;
    __m256 acc[block];  // per point: eight chains over all bands, added in double at the end
    float fx[block];
    std::size_t first[block], end[block];
    for (std::size_t from = 0; from < xs.size(); from += block) {
      const std::size_t m = std::min(block, xs.size() - from);
      for (std::size_t i = 0; i < m; ++i) acc[i] = _mm256_setzero_ps(), fx[i] = static_cast<float>(xs[from + i] - centre_);
      for (const std::size_t used : used_bands_) {
        const band& b = bands_[used];
        const double reach = cut * b.max_sigma;
        for (std::size_t i = 0; i < m; ++i) std::tie(first[i], end[i]) = window(b, xs[from + i], reach);
        for (std::size_t i = 0; i < m; ++i)
          if (first[i] < end[i])
            acc[i] = gauss_sum_lower_avx2(acc[i], b.fmu.data() + first[i], b.finv.data() + first[i], b.fcoef.data() + first[i], fx[i], end[i] - first[i]);
      }
      for (std::size_t i = 0; i < m; ++i) out[from + i] = reduce_single(acc[i], 1.0 - lower_bound_shrink);
    }
  }

  // The eight chains of `acc` added in double, times inv_sqrt2pi and `factor` (at least the
  // smallest normal double).
  [[gnu::target("avx2,fma")]] static double reduce_single(__m256 acc, double factor) {
    alignas(32) double part[4];
    _mm256_store_pd(part, _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(acc)), _mm256_cvtps_pd(_mm256_extractf128_ps(acc, 1))));
    return std::max(((part[0] + part[1]) + (part[2] + part[3])) * inv_sqrt2pi * factor, std::numeric_limits<double>::min());
  }

  [[gnu::target("avx2,fma")]] double sum_upper_avx2(double x) const {
    const float fx = static_cast<float>(x - centre_);
    __m256 acc = _mm256_setzero_ps();
    for (const std::size_t used : used_bands_) {
      const band& b = bands_[used];
      acc = gauss_sum_lower_avx2(acc, b.fmu.data(), b.finv.data(), b.fcoef.data(), fx, b.mu.size());
    }
    return reduce_single(acc, 1.0 + upper_bound_grow);
  }
#endif

  template <bool lower, bool simd>
  [[gnu::always_inline]] inline double sum_body(double x, double half_width, double cut) const {
    const double a = std::max(x - half_width, low_), b = std::min(x + half_width, high_);
    double sum = 0.0;
    for (const std::size_t used : used_bands_) {
      const band& band = bands_[used];
      auto [k, end] = window(band, x, cut * band.max_sigma + half_width);
      const double* mu = band.mu.data();
      if (half_width > 0.0) {
        for (; k < end; ++k) sum += band.coef[k] * normal_mass((a - band.mu[k]) * band.inv_sigma[k], (b - band.mu[k]) * band.inv_sigma[k]);
      } else {
        // in chunks: the map over a chunk vectorises, the sum stays in order
        double term[64];
        while (k < end) {
          const std::size_t m = std::min<std::size_t>(end - k, 64);
#if defined(__GNUC__) && defined(__x86_64__)
          if constexpr (simd && !lower) {
            sum += gauss_sum_avx2(mu + k, band.inv_sigma.data() + k, band.coef.data() + k, x, m) * inv_sqrt2pi;
            k += m;
            continue;
          }
#endif
          if constexpr (lower) gauss_terms_lower_body(mu + k, band.inv_sigma.data() + k, band.coef.data() + k, x, term, m);
          else gauss_terms_body(mu + k, band.inv_sigma.data() + k, band.coef.data() + k, x, term, m);
          double part[4] = {0.0, 0.0, 0.0, 0.0};  // four chains: the adds do not wait on each other
          std::size_t j = 0;
          for (; j + 4 <= m; j += 4) part[0] += term[j], part[1] += term[j + 1], part[2] += term[j + 2], part[3] += term[j + 3];
          for (; j < m; ++j) part[0] += term[j];
          sum += ((part[0] + part[1]) + (part[2] + part[3])) * inv_sqrt2pi;
          k += m;
        }
      }
    }
    if constexpr (lower) sum *= 1.0 - lower_bound_shrink;
    return std::max(sum, std::numeric_limits<double>::min());
  }

  /// Boost.Math in double precision (no promotion to long double).
  using double_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

  // Kernels whose widths lie within a factor 2^(1/4) of each other, by (centre, key) ascending;
  // per kernel the constants of its width (zmin: the nearer bound in widths; mass: the truncation
  // mass, computed where zmin <= the mass threshold of the placing, else 1).
  // The bounding pass reads single-precision copies of mu (relative to the domain's centre),
  // inv_sigma and coef, padded by 8 for its eight-wide loads.
  struct band {
    std::vector<double> mu, coef, inv_sigma, sigma, zmin, mass;  // coef = weight / truncation mass
    std::vector<std::size_t> key;
    std::vector<float> fmu, finv, fcoef;
    double max_sigma = 0.0;
    void resize(std::size_t n) { resize_evaluated(n), sigma.resize(n), zmin.resize(n), mass.resize(n), key.resize(n); }
    void resize_evaluated(std::size_t n) {  // build: what mixture reads
      mu.resize(n), coef.resize(n), inv_sigma.resize(n), fmu.resize(n + 8), finv.resize(n + 8), fcoef.resize(n + 8), max_sigma = 0.0;
    }
    void set(std::size_t j, double m, double inv_s, double centre) {
      mu[j] = m, inv_sigma[j] = inv_s, fmu[j] = static_cast<float>(m - centre), finv[j] = static_cast<float>(inv_s);
    }
    void set_coef(std::size_t j, double c) { coef[j] = c, fcoef[j] = static_cast<float>(c); }
  };

  // The kernels [first, end) of band b within `reach` of x; the searches only where the window ends
  // inside the band (small mixtures: rarely).
  [[gnu::always_inline]] static std::pair<std::size_t, std::size_t> window(const band& b, double x, double reach) {
    const double* mu = b.mu.data();
    const std::size_t size = b.mu.size();
    if (mu[size - 1] < x - reach || mu[0] > x + reach) return {0, 0};  // out of reach
    const std::size_t k = mu[0] >= x - reach ? 0 : first_not_below(mu, 1, size, x - reach);
    return {k, mu[size - 1] <= x + reach ? size : first_above(mu, k, size, x + reach)};
  }

  static constexpr std::size_t prior_key = std::numeric_limits<std::size_t>::max();  // sorts after equal centres

  double lo_clip_for(std::size_t n) const { return (high_ - low_) / std::min(100.0, 1.0 + static_cast<double>(n)); }

  // Cutoffs: a skipped kernel is at least c widths away from x, and its truncation mass is at
  // least Phi(1) - Phi(0) (centre inside the domain, width <= range), so all skipped kernels add
  // at most (1 - w_p) / 0.3413 * e^(-c^2/2) / sqrt(2 pi), while the prior adds at least
  // w_p e^(-1/8) / sqrt(2 pi) anywhere in the domain. For the probability of an interval inside
  // the domain the same holds point by point with the 1 / sigma factors: a factor
  // range / sigma_min more. Capped so that exponents stay above -0.5 (2 * 13)^2 (a band's widths
  // differ by < 2x); the cap binds only for prior_weight below 1e-14 of the observations' weight.
  // At least 1, so that the prior (width = range, centre mid-domain) is always summed.
  // `wp`: the prior's normalised weight.
  void set_cutoffs(double wp, double lo_clip) {
    const double ratio = std::max((1.0 - wp) / wp, 1e-300) * std::exp(0.125) / 0.3413;
    const auto cutoff_for = [](double r) { return std::clamp(std::sqrt(std::max(2.0 * (std::log(r) + 13.0 * std::log(10.0)), 0.0)), 1.0, max_cutoff); };
    cutoff_ = cutoff_for(ratio);
    cutoff_mass_ = cutoff_for(ratio * (high_ - low_) / lo_clip);
  }

  // A kernel's coefficient: its normalised weight over its truncation mass (1 where both bounds lie
  // beyond cutoff_mass widths).
  double coef_of(double weight, double zmin, double mass) const { return zmin > cutoff_mass_ ? weight : weight / std::max(mass, 1e-300); }

  // Band of a width: floor(log2((s / lo_clip)^4)) from the exponent bits.
  unsigned char band_index(double s) const {
    const double r = s * inv_lo_clip_, r4 = (r * r) * (r * r);
    const auto e = static_cast<long long>((std::bit_cast<std::uint64_t>(r4) >> 52) & 0x7ff) - 1023;
    return static_cast<unsigned char>(std::clamp<long long>(e, 0, band_count - 1));
  }

  // Kernel i's width: the larger gap to a neighbour (the ends: their only gap), clipped to
  // [lo_clip, range]; the prior's is the range.
  double sigma_at(std::size_t i) const {
    const std::size_t n = mus_.size();
    if (i == prior_at_) return high_ - low_;
    const double s = n == 1 ? std::max(mus_[0] - low_, high_ - mus_[0])
                     : i == 0 ? mus_[1] - mus_[0]
                     : i + 1 == n ? mus_[n - 1] - mus_[n - 2]
                                  : std::max(mus_[i] - mus_[i - 1], mus_[i + 1] - mus_[i]);
    return std::clamp(s, lo_clip_, high_ - low_);
  }

  // Writes kernel i (width sigmas_[i]) at place j of band b, with its constants.
  void put(band& b, std::size_t j, std::size_t i, double mass_threshold) {
    const double s = sigmas_[i], inv_s = 1.0 / s;
    const double zl = (low_ - mus_[i]) * inv_s, zh = (high_ - mus_[i]) * inv_s, zmin = std::min(-zl, zh);
    b.set(j, mus_[i], inv_s, centre_), b.sigma[j] = s, b.zmin[j] = zmin, b.key[j] = keys_[i];
    b.mass[j] = zmin <= mass_threshold ? normal_mass(zl, zh) : 1.0;
    b.max_sigma = std::max(b.max_sigma, s);
  }

  void list_used_bands() {
    used_bands_.clear();
    for (std::size_t b = 0; b < band_count; ++b)
      if (!bands_[b].mu.empty()) used_bands_.push_back(b);
  }

  // All widths and bands from mus_ and keys_: for `incremental` use with each kernel's constants
  // (put), else only what evaluation needs, the coefficients from weights_ included.
  template <bool incremental>
  void place_all() {
    const std::size_t n = mus_.size();
    lo_clip_ = lo_clip_for(n), inv_lo_clip_ = 1.0 / lo_clip_;
    // widths in a loop that vectorises (sigma_at's cases)
    sigmas_.resize(n);
    if (n == 1) sigmas_[0] = std::max(mus_[0] - low_, high_ - mus_[0]);
    else {
      sigmas_[0] = mus_[1] - mus_[0], sigmas_[n - 1] = mus_[n - 1] - mus_[n - 2];
      for (std::size_t i = 1; i + 1 < n; ++i) sigmas_[i] = std::max(mus_[i] - mus_[i - 1], mus_[i + 1] - mus_[i]);
    }
    for (double& x : sigmas_) x = std::clamp(x, lo_clip_, high_ - low_);
    sigmas_[prior_at_] = high_ - low_;
    std::array<std::size_t, band_count> fill{};
    band_of_.resize(n);
    if constexpr (!incremental) cdf_low_.resize(n), cdf_high_.resize(n);
    for (std::size_t i = 0; i < n; ++i) ++fill[band_of_[i] = band_index(sigmas_[i])];
    for (std::size_t b = 0; b < band_count; ++b) {
      if (fill[b] || !bands_[b].mu.empty()) incremental ? bands_[b].resize(fill[b]) : bands_[b].resize_evaluated(fill[b]);
      fill[b] = 0;
    }
    for (std::size_t i = 0; i < n; ++i) {
      band& b = bands_[band_of_[i]];
      const std::size_t j = fill[band_of_[i]]++;
      if constexpr (incremental) put(b, j, i, max_cutoff);
      else {  // the bound CDFs of a truncation mass are kept for prepare_sampling (NaN: not computed)
        const double s = sigmas_[i], inv_s = 1.0 / s;
        const double zl = (low_ - mus_[i]) * inv_s, zh = (high_ - mus_[i]) * inv_s, zmin = std::min(-zl, zh);
        double mass = 1.0;
        cdf_low_[i] = cdf_high_[i] = std::numeric_limits<double>::quiet_NaN();
        if (zmin <= cutoff_mass_ && zl <= 0.0) cdf_low_[i] = phi(zl), cdf_high_[i] = phi(zh), mass = cdf_high_[i] - cdf_low_[i];  // = normal_mass
        else if (zmin <= cutoff_mass_) mass = normal_mass(zl, zh);
        b.set(j, mus_[i], inv_s, centre_), b.set_coef(j, coef_of(weights_[i], zmin, mass));
        b.max_sigma = std::max(b.max_sigma, s);
      }
    }
    list_used_bands();
  }

  // The place of (x, key) among centres `mu` with keys `keys` in (centre, key) order: the first
  // one after it.
  static std::size_t upper(const std::vector<double>& mu, const std::vector<std::size_t>& keys, double x, std::size_t key) {
    std::size_t lo = 0, hi = mu.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (x < mu[mid] || (x == mu[mid] && key < keys[mid])) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  // Kernel i (new, or removed from its band) into the band of its width now.
  void place(std::size_t i) {
    sigmas_[i] = sigma_at(i);
    band& b = bands_[band_of_[i] = band_index(sigmas_[i])];
    const std::size_t j = upper(b.mu, b.key, mus_[i], keys_[i]);
    const auto at = [j](auto& v) { return v.begin() + static_cast<std::ptrdiff_t>(j); };
    b.mu.insert(at(b.mu), 0.0), b.coef.insert(at(b.coef), 0.0), b.inv_sigma.insert(at(b.inv_sigma), 0.0), b.sigma.insert(at(b.sigma), 0.0);
    b.zmin.insert(at(b.zmin), 0.0), b.mass.insert(at(b.mass), 0.0), b.key.insert(at(b.key), 0);
    b.fmu.insert(at(b.fmu), 0.0f), b.finv.insert(at(b.finv), 0.0f), b.fcoef.insert(at(b.fcoef), 0.0f);
    if (b.fmu.size() < b.mu.size() + 8) b.fmu.resize(b.mu.size() + 8), b.finv.resize(b.mu.size() + 8), b.fcoef.resize(b.mu.size() + 8);  // a band new to place(): the padding
    put(b, j, i, max_cutoff);
  }

  // Kernel i out of its band.
  void unplace(std::size_t i) {
    band& b = bands_[band_of_[i]];
    const std::size_t j = upper(b.mu, b.key, mus_[i], keys_[i]) - 1;
    const auto at = [j](auto& v) { return v.begin() + static_cast<std::ptrdiff_t>(j); };
    b.mu.erase(at(b.mu)), b.coef.erase(at(b.coef)), b.inv_sigma.erase(at(b.inv_sigma)), b.sigma.erase(at(b.sigma));
    b.zmin.erase(at(b.zmin)), b.mass.erase(at(b.mass)), b.key.erase(at(b.key));
    b.fmu.erase(at(b.fmu)), b.finv.erase(at(b.finv)), b.fcoef.erase(at(b.fcoef));
    b.max_sigma = 0.0;
    for (const double s : b.sigma) b.max_sigma = std::max(b.max_sigma, s);
  }

  // Kernel i after a neighbour changed: placed again if its width changed.
  void replace(std::size_t i) {
    if (sigma_at(i) == sigmas_[i]) return;
    unplace(i);
    place(i);
  }

  static constexpr double max_cutoff = 13.0;
  double low_ = 0.0, high_ = 0.0, centre_ = 0.0, prior_weight_ = 1.0, cutoff_ = 0.0, cutoff_mass_ = 0.0, lo_clip_ = 0.0, inv_lo_clip_ = 0.0;
  std::size_t prior_at_ = 0;
  bool full_ = true;  // incremental use: the widths and bands are placed again by the next reweigh
  bool simd_ = true;  // the AVX2 sums where the processor has them (use_simd)
  bool built_ = false;  // by build (not reset): cdf_low_ and cdf_high_ hold the bound CDFs it computed
  std::vector<double> mus_, sigmas_, weights_, cdf_low_, cdf_high_;  // by (centre, key), the prior included
  std::vector<std::size_t> keys_;
  std::vector<std::size_t> used_bands_;  // the non-empty bands
  static constexpr std::size_t band_count = 28;  // widths span at most a factor 100 = 2^6.6
  std::array<band, band_count> bands_;
  std::vector<unsigned char> band_of_;
};

/// Optuna's categorical estimator as one distribution: each observation's kernel puts
/// prior_weight / (n + 1) on every category and 1 on its own, normalised; the prior kernel is
/// uniform; the mixture weights are the observations' weights and prior_weight, normalised.
/// Writes P(category) into `out`.
inline void categorical_probabilities(std::span<const std::size_t> cats, std::span<const double> w, std::size_t choices,
                                      double prior_weight, std::vector<double>& out) {
  const double c = static_cast<double>(choices);
  const double smooth = prior_weight / (static_cast<double>(cats.size()) + 1.0), row = 1.0 + c * smooth;
  double total = prior_weight, own = 0.0;
  out.assign(choices, 0.0);
  for (std::size_t k = 0; k < cats.size(); ++k) {
    total += w[k];
    own += w[k];
    out[cats[k]] += w[k] / row;
  }
  for (double& p : out) p = (p + own * smooth / row + prior_weight / c) / total;
}

}  // namespace fhops::tune::detail

