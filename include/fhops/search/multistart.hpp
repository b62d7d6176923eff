/// \file
/// Multi-start and parallel runs on a Boost.Asio thread pool. Run k gets the seed
/// derive_seed(base_seed, k); the best run is chosen by score, then by the smaller run index, so the
/// outcome never depends on the thread count or on timing (for budgets that are not wall-clock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <stdexcept>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "fhops/util/rng.hpp"
#include "fhops/util/threads.hpp"

namespace fhops::search {

/// One run of a multistart: its index, seed, and what the run function returned (or the error).
template <class Result>
struct multistart_run {
  std::size_t index = 0;
  std::uint64_t seed = 0;
  std::optional<Result> result;
  std::exception_ptr error;
};

/// The index of the best successful run among `runs` (highest best_score, ties to the lower
/// index); throws std::runtime_error with the first run's error when every run failed.
template <class Result>
std::size_t best_run(const std::vector<multistart_run<Result>>& runs) {
  std::optional<std::size_t> best;
  for (std::size_t k = 0; k < runs.size(); ++k)
    if (runs[k].result && (!best || runs[k].result->best_score > runs[*best].result->best_score)) best = k;
  if (best) return *best;
  try {
    if (!runs.empty() && runs[0].error) std::rethrow_exception(runs[0].error);
    throw std::runtime_error("no run finished");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("all multistart runs failed; the first: ") + e.what());
  } catch (...) {
    throw std::runtime_error("all multistart runs failed; the first threw a non-standard exception");
  }
}

/// Runs `runs` independent searches, `threads` at a time (1 = in this thread; the pool starts
/// pool_threads(threads, runs) threads: never more than the runs nor than threads_per_core per
/// hardware thread). `run_one(index, seed)` returns a result with a `best_score` member. Returns
/// every run in index order and the index of the best successful one (highest best_score, ties to
/// the lower index); throws std::runtime_error when every run failed.
template <class RunOne>
auto multistart(std::size_t runs, std::uint64_t base_seed, std::size_t threads, RunOne&& run_one) {
  using Result = std::invoke_result_t<RunOne&, std::size_t, std::uint64_t>;
  if (runs == 0) throw std::invalid_argument("multistart: runs must be >= 1");
  std::vector<multistart_run<Result>> out(runs);
  const auto one = [&](std::size_t k) {
    out[k].index = k;
    out[k].seed = derive_seed(base_seed, k);
    try {
      out[k].result.emplace(run_one(k, out[k].seed));
    } catch (...) {
      out[k].error = std::current_exception();
    }
  };
  threads = pool_threads(threads, runs);
  if (threads <= 1) {
    for (std::size_t k = 0; k < runs; ++k) one(k);
  } else {
    boost::asio::thread_pool pool(threads);
    for (std::size_t k = 0; k < runs; ++k) boost::asio::post(pool, [&, k] { one(k); });
    pool.join();
  }
  const std::size_t best = best_run(out);
  return std::pair{std::move(out), best};
}

}  // namespace fhops::search
