/// \file
/// How many threads a pool may start. Whatever a caller asks (a `--jobs` or `--parallel-workers`
/// option), a pool starts no more threads than it has tasks and no more than `threads_per_core`
/// per hardware thread: more threads only add stacks and contention, never throughput.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <thread>

namespace fhops {

/// Threads per hardware thread a pool starts at most.
inline constexpr std::size_t threads_per_core = 4;

/// The most threads a pool starts: threads_per_core × std::thread::hardware_concurrency() (taken
/// as 1 when the hardware does not say).
inline std::size_t max_pool_threads() noexcept {
  return threads_per_core * std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

/// The threads to start for `requested` threads over `tasks` tasks: at least 1, at most each of
/// `requested`, `tasks` and max_pool_threads().
inline std::size_t pool_threads(std::size_t requested, std::size_t tasks = std::numeric_limits<std::size_t>::max()) noexcept {
  return std::max<std::size_t>(1, std::min({requested, tasks, max_pool_threads()}));
}

}  // namespace fhops
