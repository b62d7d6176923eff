/// \file
/// The asynchronous buffered sink: records are queued by the caller (a search loop) and handed to
/// the wrapped sink by a background writer thread, so the caller never waits on disk. The wrapped
/// sink is only ever called from the writer thread. The queue is bounded (`max_pending` records);
/// a producer that outruns the disk by that much waits rather than dropping records.
/// A failure of the wrapped sink is kept and rethrown by flush()/close(); good() tells whether one
/// happened. The destructor closes without throwing.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <type_traits>
#include <mutex>
#include <optional>
#include <string>
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
      : sink_(sink), max_pending_(std::max<std::size_t>(max_pending, 2)), batch_(std::min<std::size_t>(4096, max_pending_)), writer_([this] { run(); }) {}
  async_sink(const async_sink&) = delete;
  async_sink& operator=(const async_sink&) = delete;
  ~async_sink() {
    try {
      close();
    } catch (...) {
    }
  }

  void run_started(const run_start& r) { push(r); }
  /// Queues a step without allocating: its numbers travel in a fixed-size slot, its run id and
  /// time stamp only when they differ from the previous step's.
  void step(const step_record& r) {
    std::unique_lock lock(mutex_);
    wait_for_room(lock, 2);  // no wait between the context and its step: another producer could slip in
    if (r.run_id != context_.run_id || r.timestamp != context_.timestamp) {
      context_.run_id = r.run_id;
      context_.timestamp = r.timestamp;
      append_locked(item(std::make_unique<step_context>(context_)));
    }
    append_locked(item(packed_step{r.step, r.objective, r.best_objective, r.temperature.value_or(0.0),
                                          r.acceptance_rate.value_or(0.0), r.proposals, r.accepted_moves,
                                          r.temperature.has_value(), r.acceptance_rate.has_value()}));
  }
  void run_finished(const run_record& r) { push(r); }
  void tuner_summary(const tuner_summary_record& r) { push(r); }

  /// Waits until every queued record has reached the wrapped sink and its flush() has run;
  /// rethrows the first failure of the wrapped sink.
  void flush() {
    std::unique_lock lock(mutex_);
    const std::size_t ticket = ++flush_requested_;
    queue_.emplace_back(flush_marker{});
    urgent_ = true;
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
  // A step's numbers (the hot path: a small fixed-size queue slot, no allocation).
  struct packed_step {
    long long step;
    double objective, best_objective, temperature, acceptance_rate;
    long long proposals, accepted_moves;
    bool has_temperature, has_acceptance_rate;
  };
  // The run id and time stamp of the packed steps that follow it.
  struct step_context {
    std::string run_id, timestamp;
  };
  // The rare big records travel by pointer, so they do not make every slot as large as a run record.
  using item = std::variant<packed_step, std::unique_ptr<step_context>, std::unique_ptr<run_start>, std::unique_ptr<run_record>,
                            std::unique_ptr<tuner_summary_record>, flush_marker>;

  template <class R>
  void push(R&& r) {
    std::unique_lock lock(mutex_);
    wait_for_room(lock, 1);
    append_locked(item(std::make_unique<std::decay_t<R>>(std::forward<R>(r))));
  }

  void wait_for_room(std::unique_lock<std::mutex>& lock, std::size_t n) {
    if (queue_.size() + n > max_pending_) room_.wait(lock, [&] { return queue_.size() + n <= max_pending_ || stopped_; });
  }

  // Wakes the writer for the first record of a batch, for a run's start or end and when a batch is
  // full; steps in between only queue (the writer lingers a moment to collect them), so a search
  // logging a step every few microseconds does not pay a wake-up per step.
  void append_locked(item&& it) {
    const bool step = std::holds_alternative<packed_step>(it) || std::holds_alternative<std::unique_ptr<step_context>>(it);
    if (!step) urgent_ = true;
    if (queue_.empty() || !step || queue_.size() + 1 == batch_) wake_.notify_one();
    queue_.push_back(std::move(it));
  }

  // The writer's step record: the current context's strings, this step's numbers.
  const step_record& unpack(const packed_step& p) {
    step_.step = p.step;
    step_.objective = p.objective;
    step_.best_objective = p.best_objective;
    step_.temperature = p.has_temperature ? std::optional<double>(p.temperature) : std::nullopt;
    step_.acceptance_rate = p.has_acceptance_rate ? std::optional<double>(p.acceptance_rate) : std::nullopt;
    step_.proposals = p.proposals;
    step_.accepted_moves = p.accepted_moves;
    return step_;
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
        if (!stop_ && !urgent_ && queue_.size() < batch_)
          wake_.wait_for(lock, linger, [&] { return stop_ || urgent_ || queue_.size() >= batch_; });
        urgent_ = false;
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
                if constexpr (std::is_same_v<R, packed_step>) sink_.step(unpack(r));
                else if constexpr (std::is_same_v<R, std::unique_ptr<step_context>>) {
                  step_.run_id = std::move(r->run_id);
                  step_.timestamp = std::move(r->timestamp);
                } else if constexpr (std::is_same_v<R, std::unique_ptr<run_start>>) sink_.run_started(*r);
                else if constexpr (std::is_same_v<R, std::unique_ptr<run_record>>) sink_.run_finished(*r);
                else if constexpr (std::is_same_v<R, std::unique_ptr<tuner_summary_record>>) sink_.tuner_summary(*r);
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
  std::size_t batch_;  // steps the writer lingers for
  mutable std::mutex mutex_;
  std::condition_variable wake_, done_, room_;
  static constexpr std::chrono::milliseconds linger{5};  // how long the writer waits to fill a batch
  std::vector<item> queue_;
  bool urgent_ = false;  // a record that should not wait for a batch is queued
  step_context context_;  // producers' side: the context of the last queued step
  step_record step_;      // writer's side
  std::size_t flush_requested_ = 0, flush_done_ = 0;
  bool stop_ = false, stopped_ = false, reported_ = false;
  std::exception_ptr error_;
  std::thread writer_;  // last: started once everything above exists
};

}  // namespace fhops::telemetry
