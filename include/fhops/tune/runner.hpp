/// \file
/// Running a tuner strategy: trials asked in batches of `jobs`, run on a Boost.Asio thread pool,
/// told back in trial order. For strategies whose asks do not depend on tells (random, grid) the
/// results are the same whatever `jobs`; for TPE a batch is asked under the constant liar, and with
/// jobs = 1 the run is strictly sequential. Results never depend on timing.
#pragma once

#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "fhops/tune/concepts.hpp"
#include "fhops/util/rng.hpp"
#include "fhops/util/threads.hpp"

namespace fhops::tune {

/// What the objective receives: the trial and the seed derived for it from the run's seed.
struct trial_context {
  const trial& t;
  std::uint64_t seed;
};

namespace detail {

/// Sets `res.value` to what `f()` returns, or `res.error` when it throws or returns a non-finite value.
template <class Result, class F>
void evaluate_into(Result& res, F&& f) {
  try {
    const double v = f();
    if (std::isfinite(v)) res.value = v;
    else res.error = "the objective returned a non-finite value";
  } catch (const std::exception& e) {
    res.error = e.what();
  } catch (...) {
    res.error = "unknown exception";
  }
}

/// Runs `one(item)` for every item of `batch` on `pool` (in the calling thread when there is no
/// pool or one item) and returns when all are done.
template <class Item, class One>
void run_batch(std::optional<boost::asio::thread_pool>& pool, std::vector<Item>& batch, const One& one) {
  if (!pool || batch.size() == 1) {
    for (auto& item : batch) one(item);
    return;
  }
  std::size_t done = 0;
  std::mutex m;
  std::condition_variable cv;
  for (auto& item : batch)
    boost::asio::post(*pool, [&, p = &item] {
      one(*p);
      std::lock_guard lock(m);
      ++done;
      cv.notify_one();
    });
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return done == batch.size(); });
}

/// Tells a finished batch to the strategy in order, passing each result to on_result and then to `all`.
template <class Strategy, class Result, class OnResult>
void tell_batch(Strategy& strategy, std::vector<Result>& batch, OnResult& on_result, std::vector<Result>& all) {
  for (auto& res : batch) {
    strategy.tell(res.t, res.value);
    on_result(std::as_const(res));
    all.push_back(std::move(res));
  }
}

}  // namespace detail

/// Options of a tuning run.
struct run_options {
  std::size_t max_trials = 0;  ///< 0 = until the strategy is exhausted (must be set for unbounded ones)
  std::uint64_t seed = 0;      ///< the strategy's rng and, derived per trial, the objective's seeds
  std::size_t jobs = 1;        ///< trials asked per batch, run on pool_threads(jobs, max_trials) threads
};

/// Runs the strategy. `objective(const trial_context&)` returns the trial's value (maximised or
/// minimised as the strategy's direction says; the runner only passes it on) and must be safe to
/// call from several threads at once when jobs > 1. An exception (or a non-finite value)
/// marks the trial failed; the run goes on. `on_result(const trial_result&)` is called in trial
/// order from the calling thread (progress, telemetry). Returns every trial in order.
template <tuner_strategy Strategy, class Objective, class OnResult>
std::vector<trial_result> run_trials(Strategy& strategy, Objective&& objective, const run_options& o, OnResult&& on_result) {
  if (o.jobs < 1) throw std::invalid_argument("run_options.jobs must be >= 1");
  rng r(o.seed);
  std::vector<trial_result> all;
  // The batch (what TPE's constant liar sees) is `jobs` trials whatever the hardware; only the
  // threads that run it are capped.
  const std::size_t threads = pool_threads(o.jobs, o.max_trials == 0 ? o.jobs : o.max_trials);
  std::optional<boost::asio::thread_pool> pool;
  if (threads > 1) pool.emplace(threads);
  for (;;) {
    std::vector<trial_result> batch;
    while (batch.size() < o.jobs && (o.max_trials == 0 || all.size() + batch.size() < o.max_trials)) {
      auto t = strategy.ask(r);
      if (!t) break;
      batch.push_back({std::move(*t), std::numeric_limits<double>::quiet_NaN(), {}});
    }
    if (batch.empty()) break;
    detail::run_batch(pool, batch, [&](trial_result& res) {
      detail::evaluate_into(res, [&] { return objective(trial_context{res.t, derive_seed(o.seed, res.t.number)}); });
    });
    detail::tell_batch(strategy, batch, on_result, all);
  }
  return all;
}

/// run_trials without a result callback.
template <tuner_strategy Strategy, class Objective>
std::vector<trial_result> run_trials(Strategy& strategy, Objective&& objective, const run_options& o) {
  return run_trials(strategy, std::forward<Objective>(objective), o, [](const trial_result&) {});
}

/// The index of the best successful trial (the highest value, or the lowest when minimising; ties
/// to the lower trial number), or none.
inline std::optional<std::size_t> best_trial(const std::vector<trial_result>& results, direction d = direction::maximise) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < results.size(); ++i)
    if (results[i].ok() && (!best || better(d, results[i].value, results[*best].value))) best = i;
  return best;
}

}  // namespace fhops::tune
