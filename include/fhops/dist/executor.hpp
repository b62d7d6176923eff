/// \file
/// Work-unit execution: the contract of an executor and the local one (a Boost.Asio thread pool).
/// A run is a stream of jobs — a unit id and a payload string — produced on demand by the
/// coordinator; each job is run by `work(job) -> std::string` somewhere (a thread, an MPI rank);
/// the coordinator receives every unit's result, in completion order, and is the only place where
/// results are handled (telemetry is written by one writer). Nothing here knows what a unit does.
#pragma once

#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "fhops/util/threads.hpp"

namespace fhops::dist {

/// One job: the unit's stable id and what the worker needs to run it (may be empty when every
/// process can rebuild the unit from its id).
struct job {
  std::size_t unit = 0;
  std::string payload;
};

/// A finished unit: its id, its serialized result, or the message of the exception it threw (the
/// unit is then *lost*: it produced nothing), and the worker (rank or thread slot) that ran it.
struct unit_result {
  std::size_t unit = 0;
  std::string result;
  std::optional<std::string> error;
  int worker = 0;
  bool ok() const { return !error.has_value(); }
};

/// The callables of a run: `next()` gives the next job or nothing (called on the coordinator
/// only, whenever a worker is free, so it may depend on results told so far); `work(job)` runs a
/// unit (on any process or thread); `on_result(unit_result)` is called on the coordinator, in the
/// calling thread, once per job handed out, in completion order.
using next_fn = std::function<std::optional<job>()>;
using work_fn = std::function<std::string(const job&)>;
using result_fn = std::function<void(const unit_result&)>;

/// An executor: run(next, work, on_result) runs every job `next` hands out exactly once;
/// coordinator() says whether this process handles results; workers() counts who runs units.
template <class E>
concept executor = requires(E& e, const E& ce, next_fn next, work_fn work, result_fn on_result) {
  e.run(next, work, on_result);
  { ce.coordinator() } -> std::convertible_to<bool>;
  { ce.workers() } -> std::convertible_to<std::size_t>;
};

/// Runs one job, turning an exception into a lost unit.
inline unit_result run_job(const work_fn& work, const job& j, int worker) {
  unit_result r{j.unit, {}, std::nullopt, worker};
  try {
    r.result = work(j);
  } catch (const std::exception& e) {
    r.error = e.what();
  } catch (...) {
    r.error = "unknown exception";
  }
  return r;
}

/// A job list from fixed unit ids (payloads empty): the `next` of a static plan.
inline next_fn units_of(std::vector<std::size_t> units) {
  return [units = std::move(units), i = std::size_t{0}]() mutable -> std::optional<job> {
    if (i >= units.size()) return std::nullopt;
    return job{units[i++], {}};
  };
}

/// The local executor: `threads` units at a time on a thread pool (1 = in the calling thread,
/// strictly next → work → on_result in turn), at most pool_threads(threads) of them (workers()).
/// Always the coordinator.
class local_executor {
public:
  explicit local_executor(std::size_t threads = 1) : threads_(pool_threads(threads)) {
    if (threads < 1) throw std::invalid_argument("local_executor threads must be >= 1 (got 0)");
  }

  bool coordinator() const noexcept { return true; }
  std::size_t workers() const noexcept { return threads_; }

  void run(const next_fn& next, const work_fn& work, const result_fn& on_result) {
    if (threads_ == 1) {
      while (auto j = next()) on_result(run_job(work, *j, 0));
      return;
    }
    std::mutex m;
    std::condition_variable cv;
    std::deque<unit_result> done;
    boost::asio::thread_pool pool(threads_);  // declared last: joined before what its jobs use goes
    std::size_t in_flight = 0;
    bool exhausted = false;
    for (;;) {
      while (!exhausted && in_flight < threads_) {
        auto j = next();
        if (!j) {
          exhausted = true;
          break;
        }
        ++in_flight;
        boost::asio::post(pool, [&, j = std::move(*j)] {
          unit_result r = run_job(work, j, 0);
          std::lock_guard lock(m);
          done.push_back(std::move(r));
          cv.notify_one();
        });
      }
      if (in_flight == 0) break;
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return !done.empty(); });
      unit_result r = std::move(done.front());
      done.pop_front();
      lock.unlock();
      --in_flight;
      on_result(r);
    }
    pool.join();
  }

private:
  std::size_t threads_;
};

static_assert(executor<local_executor>);

}  // namespace fhops::dist
