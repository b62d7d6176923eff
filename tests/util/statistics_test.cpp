// The rank tests, Holm, A12, quantiles and Friedman of fhops/util/statistics.hpp against values
// computed elsewhere: SciPy's documented examples, hand counts of tiny tied samples, and a brute
// force over every permutation.
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "fhops/util/statistics.hpp"

namespace {

namespace st = fhops::stats;
using span = std::span<const double>;

// P-value of the exact two-sided rank-sum test by enumerating every split of the pooled values
// into |x| and |y| (bit masks): the reference the dynamic program must match, ties included.
double brute_force_rank_sum_p(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> pooled(x);
  pooled.insert(pooled.end(), y.begin(), y.end());
  const auto ranks = st::midranks(pooled);
  double observed = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) observed += ranks[i];
  double lower = 0.0, upper = 0.0, total = 0.0;
  for (unsigned mask = 0; mask < (1u << pooled.size()); ++mask) {
    if (static_cast<std::size_t>(__builtin_popcount(mask)) != x.size()) continue;
    double s = 0.0;
    for (std::size_t i = 0; i < pooled.size(); ++i)
      if (mask >> i & 1u) s += ranks[i];
    total += 1;
    if (s <= observed + 1e-9) lower += 1;
    if (s >= observed - 1e-9) upper += 1;
  }
  return std::min(1.0, 2.0 * std::min(lower, upper) / total);
}

}  // namespace

TEST_CASE("mid-ranks and the tie term", "[stats]") {
  const std::vector<double> v{3, 1, 2, 2, 5, 2};
  CHECK(st::midranks(v) == std::vector<double>{5, 1, 3, 3, 6, 3});
  CHECK(st::tie_term(v) == 24.0);  // one group of 3: 27 - 3
  CHECK(st::tie_term(std::vector<double>{1, 2, 3}) == 0.0);
}

TEST_CASE("Mann-Whitney U: SciPy's documented example (exact and asymptotic)", "[stats]") {
  // scipy.stats.mannwhitneyu docs: males vs females, U1 = 17, exact p = 0.1111111111111111,
  // asymptotic (continuity-corrected) p = 0.11134688653314041.
  const std::vector<double> males{19, 22, 16, 29, 24}, females{20, 11, 17, 12};
  const auto r = st::mann_whitney_u(males, females);
  CHECK(r.u1 == 17.0);
  CHECK(r.u2 == 3.0);
  CHECK(r.exact);
  CHECK(r.p_value == Approx(0.1111111111111111).epsilon(1e-12));
  const auto a = st::mann_whitney_u(males, females, {.method = st::p_method::normal});
  CHECK_FALSE(a.exact);
  CHECK(a.p_value == Approx(0.11134688653314041).epsilon(1e-9));
  // One-sided: 7 of the 126 splits give U >= 17.
  CHECK(st::mann_whitney_u(males, females, {.alternative = st::alternative::greater}).p_value == Approx(7.0 / 126.0));
  CHECK(st::mann_whitney_u(males, females, {.alternative = st::alternative::less}).p_value == Approx(1.0 - 4.0 / 126.0));
}

TEST_CASE("Mann-Whitney U: exact with ties, by hand and by brute force", "[stats]") {
  // x = {1, 2, 2}, y = {2, 3}: pooled mid-ranks 1, 3, 3, 3, 5; the rank sum of x is 7 (U1 = 1).
  // The 10 ways to choose x's three ranks give sums 7 (3 ways: 1+3+3), 9 (4 ways: 1+3+5 x3,
  // 3+3+3) and 11 (3 ways: 3+3+5): P(S <= 7) = 0.3, two-sided p = 0.6.
  const std::vector<double> x{1, 2, 2}, y{2, 3};
  const auto r = st::mann_whitney_u(x, y);
  CHECK(r.u1 == 1.0);
  CHECK(r.p_value == Approx(0.6));
  CHECK(st::mann_whitney_u(x, y, {.alternative = st::alternative::less}).p_value == Approx(0.3));
  // Heavier ties and unequal sizes against the enumeration.
  const std::vector<std::vector<double>> xs{{1, 1, 2, 3, 3, 3}, {5, 5, 5, 5}, {0.5, 2, 2, 7, 9, 9, 9}};
  const std::vector<std::vector<double>> ys{{1, 3, 4, 4, 2}, {5, 5, 6}, {2, 9, 9, 1, 0.5, 7}};
  for (std::size_t i = 0; i < xs.size(); ++i) {
    INFO("case " << i);
    CHECK(st::mann_whitney_u(xs[i], ys[i]).p_value == Approx(brute_force_rank_sum_p(xs[i], ys[i])).epsilon(1e-12));
  }
  // Identical samples: no evidence.
  CHECK(st::mann_whitney_u(std::vector<double>{4, 4}, std::vector<double>{4, 4, 4}).p_value == 1.0);
  CHECK(st::mann_whitney_u(std::vector<double>{4, 4}, std::vector<double>{4, 4, 4}, {.method = st::p_method::normal}).p_value == 1.0);
}

TEST_CASE("Mann-Whitney U: the normal approximation takes over above the exact limit", "[stats]") {
  std::vector<double> x, y;
  for (int i = 0; i < 30; ++i) x.push_back(i), y.push_back(i + 10.5);
  const auto r = st::mann_whitney_u(x, y);  // 60 values: normal
  CHECK_FALSE(r.exact);
  // By hand: U1 = #(x > y) = sum over x = i of max(0, i - 10) pairs = 0 + ... + 19 = 190;
  // mu = 450, sigma^2 = 30*30*61/12 = 4575; z = (450 - 190 - 0.5) / 67.6387 = 3.83656.
  CHECK(r.u1 == 190.0);
  const double z = (450.0 - 190.0 - 0.5) / std::sqrt(4575.0);
  CHECK(r.p_value == Approx(std::erfc(z / std::sqrt(2.0))).epsilon(1e-10));
  CHECK(st::mann_whitney_u(x, y, {.method = st::p_method::exact}).exact);
  CHECK_THROWS_AS(st::mann_whitney_u(std::vector<double>{}, y), std::invalid_argument);
  CHECK_THROWS_AS(st::mann_whitney_u(std::vector<double>{NAN}, y), std::invalid_argument);
}

TEST_CASE("Wilcoxon signed-rank: SciPy's documented example", "[stats]") {
  // scipy.stats.wilcoxon docs: d = the 15 differences below; statistic min(W+, W-) = 24, exact
  // two-sided p = 0.041259765625, alternative "greater" p = 0.0206298828125.
  const std::vector<double> d{6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
  const auto r = st::wilcoxon_signed_rank(span(d));
  CHECK(r.w_minus == 24.0);
  CHECK(r.w_plus == 96.0);
  CHECK(r.n == 15);
  CHECK(r.exact);
  CHECK(r.p_value == 0.041259765625);  // 1352 / 2^15, exact in binary
  CHECK(st::wilcoxon_signed_rank(span(d), {.alternative = st::alternative::greater}).p_value == 0.0206298828125);
  // Normal approximation without continuity correction (SciPy method="approx"): mean 60, variance
  // 15*16*31/24 = 310, z = 36 / sqrt(310).
  const auto a = st::wilcoxon_signed_rank(span(d), {.method = st::p_method::normal, .continuity = false});
  CHECK(a.p_value == Approx(std::erfc(36.0 / std::sqrt(310.0) / std::sqrt(2.0))).epsilon(1e-12));
  // The same differences as two paired samples.
  std::vector<double> x(d.size()), y(d.size(), 100.0);
  for (std::size_t i = 0; i < d.size(); ++i) x[i] = 100.0 + d[i];
  CHECK(st::wilcoxon_signed_rank(span(x), span(y)).p_value == 0.041259765625);
  CHECK_THROWS_AS(st::wilcoxon_signed_rank(span(x), span(d).first(3)), std::invalid_argument);
}

TEST_CASE("Wilcoxon signed-rank: ties and zeros, by hand", "[stats]") {
  // d = {1, -1, 2, 2, 0}: the zero is dropped; |d| ranks 1.5, 1.5, 3.5, 3.5; W+ = 8.5, W- = 1.5.
  // Of the 16 sign patterns, W+ >= 8.5 in 3 (8.5 twice, 10 once): two-sided p = 6/16.
  const std::vector<double> d{1, -1, 2, 2, 0};
  const auto r = st::wilcoxon_signed_rank(span(d));
  CHECK(r.zeros == 1);
  CHECK(r.n == 4);
  CHECK(r.w_plus == 8.5);
  CHECK(r.w_minus == 1.5);
  CHECK(r.p_value == Approx(0.375));
  CHECK(st::wilcoxon_signed_rank(span(d), {.alternative = st::alternative::greater}).p_value == Approx(3.0 / 16.0));
  // All zeros: nothing to test.
  const std::vector<double> zeros{0, 0, 0};
  CHECK(st::wilcoxon_signed_rank(span(zeros)).p_value == 1.0);
  // Five positive differences: the smallest two-sided p of n = 5 is 2/32.
  const std::vector<double> up{1, 2, 3, 4, 5};
  CHECK(st::wilcoxon_signed_rank(span(up)).p_value == 0.0625);
}

TEST_CASE("Holm's step-down adjustment against a hand computation", "[stats]") {
  // Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max so far 0.06.
  const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  const auto h = st::holm(p);
  REQUIRE(h.size() == 4);
  CHECK(h[0] == Approx(0.03));
  CHECK(h[1] == Approx(0.06));
  CHECK(h[2] == Approx(0.06));
  CHECK(h[3] == Approx(0.02));
  CHECK(st::holm(std::vector<double>{0.6, 0.5}) == std::vector<double>{1.0, 1.0});
  CHECK(st::holm(std::vector<double>{0.2}) == std::vector<double>{0.2});
  CHECK(st::holm(std::vector<double>{}).empty());
}

TEST_CASE("Vargha-Delaney A12 on small sets", "[stats]") {
  // x = {1, 2, 3}, y = {2, 2}: pairs with x > y: 3 > 2 twice = 2; ties: 2 = 2 twice = 1 -> 3 / 6.
  CHECK(st::vargha_delaney_a(std::vector<double>{1, 2, 3}, std::vector<double>{2, 2}) == 0.5);
  CHECK(st::vargha_delaney_a(std::vector<double>{5, 6}, std::vector<double>{1, 2, 3}) == 1.0);
  CHECK(st::vargha_delaney_a(std::vector<double>{1}, std::vector<double>{1, 2, 3, 4}) == Approx(0.5 / 4));
  // A12 = U1 / (n1 n2).
  const std::vector<double> males{19, 22, 16, 29, 24}, females{20, 11, 17, 12};
  CHECK(st::vargha_delaney_a(males, females) == Approx(17.0 / 20.0));
  CHECK(st::a12_magnitude(0.85) == "large");
  CHECK(st::a12_magnitude(0.45) == "negligible");
  CHECK(st::a12_magnitude(0.36) == "medium");
  CHECK(std::isnan(st::vargha_delaney_a(std::vector<double>{}, males)));
}

TEST_CASE("quantiles interpolate between order statistics", "[stats]") {
  const std::vector<double> v{4, 1, 3, 2};
  CHECK(st::median(v) == 2.5);
  CHECK(st::quantile(v, 0.25) == 1.75);
  CHECK(st::quantile(v, 1.0) == 4.0);
  CHECK(std::isnan(st::median(std::vector<double>{})));
  CHECK_THROWS_AS(st::quantile(v, 1.5), std::invalid_argument);
}

TEST_CASE("Friedman test: SciPy's documented example and Conover's pairs", "[stats]") {
  // scipy.stats.friedmanchisquare docs (before, immediately after, five minutes after; 7 people):
  // statistic 10.571428571428571, p 0.005063414171757498. Rank sums 10, 21, 11.
  const std::vector<std::vector<double>> blocks{{72, 120, 76}, {96, 120, 95}, {88, 132, 104}, {92, 120, 96},
                                                {74, 101, 84}, {76, 96, 72},  {82, 112, 76}};
  const auto r = st::friedman(blocks);
  CHECK(r.rank_sums == std::vector<double>{10, 21, 11});
  CHECK(r.statistic == Approx(10.571428571428571).epsilon(1e-12));
  CHECK(r.df == 2);
  CHECK(r.p_value == Approx(0.005063414171757498).epsilon(1e-9));
  // Conover: A = 7 * 14 = 98, sum R^2 = 662, 2 (7*98 - 662) / 12 = 4 -> t = |dR| / 2 on 12 df.
  REQUIRE(r.pairs.size() == 3);
  CHECK(r.pairs[0].i == 0);
  CHECK(r.pairs[0].j == 1);
  CHECK(r.pairs[0].rank_sum_difference == -11.0);
  CHECK(r.pairs[0].t == Approx(5.5));
  CHECK(r.pairs[1].t == Approx(0.5));
  CHECK(r.pairs[2].t == Approx(5.0));
  CHECK(r.pairs[1].p_value > 0.5);
  CHECK(r.pairs[0].p_value < 0.001);
  // Every block tied: no variation, p = 1 everywhere.
  const auto flat = st::friedman({{1, 1, 1}, {2, 2, 2}});
  CHECK(flat.statistic == 0.0);
  CHECK(flat.p_value == 1.0);
  CHECK(flat.pairs[0].p_value == 1.0);
  CHECK_THROWS_AS(st::friedman({{1, 2}}), std::invalid_argument);
  CHECK_THROWS_AS(st::friedman({{1, 2}, {1, 2, 3}}), std::invalid_argument);
}
