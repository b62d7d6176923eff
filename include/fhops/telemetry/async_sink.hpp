/// \file
/// The asynchronous buffered sink: records are queued by the caller (a search loop) and handed to
/// the wrapped sink by a background writer thread, so the caller never waits on disk. The wrapped
/// sink is only ever called from the writer thread. The queue is bounded (`max_pending` records);
/// a producer that outruns the disk by that much waits rather than dropping records.
/// A failure of the wrapped sink is kept and rethrown by flush()/close(); good() tells whether one
/// happened. The destructor closes without throwing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sink.hpp"

namespace fhops::telemetry {

template <telemetry_sink Sink>
class async_sink {
public:
  explicit async_sink(Sink& sink, std::size_t max_pending = std::size_t{1} << 20)
      : sink_(sink), max_pending_(max_pending), writer_([this] { run(); }) {}
  async_sink(const async_sink&) = delete;
  async_sink& operator=(const async_sink&) = delete;
  ~async_sink() {
    try {
      close();
    } catch (...) {
    }
  }

  void run_started(const run_start& r) { push(r); }
  void step(const step_record& r) { push(r); }
  void step(step_record&& r) { push(std::move(r)); }
  void run_finished(const run_record& r) { push(r); }
  void tuner_summary(const tuner_summary_record& r) { push(r); }

  /// Waits until every queued record has reached the wrapped sink and its flush() has run;
  /// rethrows the first failure of the wrapped sink.
  void flush() {
    std::unique_lock lock(mutex_);
    const std::size_t ticket = ++flush_requested_;
    queue_.emplace_back(flush_marker{});
    wake_.notify_one();
    done_.wait(lock, [&] { return flush_done_ >= ticket || stopped_; });
    rethrow_locked();
  }

  /// Flushes, stops the writer thread and rethrows the first failure. Idempotent.
  void close() {
    if (!writer_.joinable()) {
      std::unique_lock lock(mutex_);
      rethrow_locked();
      return;
    }
    {
      std::unique_lock lock(mutex_);
      stop_ = true;
      wake_.notify_one();
    }
    writer_.join();
    std::unique_lock lock(mutex_);
    rethrow_locked();
  }

  /// False once the wrapped sink has failed.
  bool good() const {
    std::unique_lock lock(mutex_);
    return !error_;
  }

private:
  struct flush_marker {};
  using item = std::variant<run_start, step_record, run_record, tuner_summary_record, flush_marker>;

  template <class R>
  void push(R&& r) {
    std::unique_lock lock(mutex_);
    if (queue_.size() >= max_pending_) room_.wait(lock, [&] { return queue_.size() < max_pending_ || stopped_; });
    const bool was_empty = queue_.empty();
    queue_.emplace_back(std::forward<R>(r));
    if (was_empty) wake_.notify_one();
  }

  void rethrow_locked() {
    if (error_ && !reported_) {
      reported_ = true;
      std::rethrow_exception(error_);
    }
  }

  void run() {
    std::vector<item> work;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return !queue_.empty() || stop_; });
        if (queue_.empty() && stop_) break;
        work.swap(queue_);
        room_.notify_all();
      }
      std::size_t flushes = 0;
      for (auto& it : work) {
        try {
          std::visit(
              [&](auto& r) {
                using R = std::decay_t<decltype(r)>;
                if constexpr (std::is_same_v<R, run_start>) sink_.run_started(r);
                else if constexpr (std::is_same_v<R, step_record>) sink_.step(r);
                else if constexpr (std::is_same_v<R, run_record>) sink_.run_finished(r);
                else if constexpr (std::is_same_v<R, tuner_summary_record>) sink_.tuner_summary(r);
                else {
                  ++flushes;
                  sink_.flush();
                }
              },
              it);
        } catch (...) {
          std::unique_lock lock(mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
      work.clear();
      bool idle;
      {
        std::unique_lock lock(mutex_);
        idle = queue_.empty();
      }
      if (idle) {  // nothing more waiting: let buffered records reach the disk now
        try {
          sink_.flush();
        } catch (...) {
          std::unique_lock lock(mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
      if (flushes) {
        std::unique_lock lock(mutex_);
        flush_done_ += flushes;
        done_.notify_all();
      }
    }
    try {
      sink_.flush();
    } catch (...) {
      std::unique_lock lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    std::unique_lock lock(mutex_);
    stopped_ = true;
    flush_done_ = flush_requested_;
    done_.notify_all();
    room_.notify_all();
  }

  Sink& sink_;
  std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, done_, room_;
  std::vector<item> queue_;
  std::size_t flush_requested_ = 0, flush_done_ = 0;
  bool stop_ = false, stopped_ = false, reported_ = false;
  std::exception_ptr error_;
  std::thread writer_;  // last: started once everything above exists
};

}  // namespace fhops::telemetry
