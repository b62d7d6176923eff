/// \file
/// The project's random-number generator: xoshiro256** seeded through splitmix64, with its own
/// distributions, so a seed gives the same stream on every platform and standard library
/// (`std::uniform_*_distribution` output differs between libraries). Randomness is always passed
/// in: algorithms take an `rng&`, nothing draws from hidden state.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace fhops {

/// splitmix64: the seed expander (and a good 64-bit mixer for deriving seeds).
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A seed derived from a base seed and a stream index (multistart run k, tuner trial k, ...):
/// independent of thread count and of the order in which streams are used.
constexpr std::uint64_t derive_seed(std::uint64_t base, std::uint64_t stream) noexcept {
  std::uint64_t s = base ^ (0xD1B54A32D192ED03ULL * (stream + 1));
  return splitmix64(s);
}

/// xoshiro256** 1.0 (Blackman & Vigna): a UniformRandomBitGenerator with fixed, documented output.
class rng {
public:
  using result_type = std::uint64_t;

  explicit rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

  /// Restarts the stream for `seed` (the four state words are splitmix64 of the seed).
  void reseed(std::uint64_t seed) noexcept {
    std::uint64_t s = seed;
    for (auto& w : s_) w = splitmix64(s);
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// The next 64 random bits.
  result_type operator()() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// A uniform integer in [0, n) (n > 0), by Lemire's multiply-and-reject method: unbiased.
  std::uint64_t below(std::uint64_t n) noexcept {
    std::uint64_t x = (*this)();
    __uint128_t m = static_cast<__uint128_t>(x) * n;
    std::uint64_t low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        x = (*this)();
        m = static_cast<__uint128_t>(x) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  /// A uniform int in [lo, hi] (lo <= hi).
  long long between(long long lo, long long hi) noexcept {
    return lo + static_cast<long long>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  /// A uniform double in [0, 1) with 53 random bits.
  double uniform01() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// A uniform double in [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform01(); }

  /// True with probability p.
  bool chance(double p) noexcept { return uniform01() < p; }

  /// The four state words (a checkpoint saves them; set_state() continues the stream exactly).
  std::array<std::uint64_t, 4> state() const noexcept { return s_; }
  /// Puts back state words from state().
  void set_state(const std::array<std::uint64_t, 4>& s) noexcept { s_ = s; }

private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace fhops
