/// \file
/// The MPI executor (Boost.MPI): rank 0 coordinates — it asks `next()` for jobs, hands them out
/// one at a time to whichever worker rank is free (dynamic load balancing), receives each finished
/// unit's result and calls `on_result` (so rank 0 is the single place results are handled); ranks
/// 1..N-1 run units. With one rank, rank 0 runs the units itself, strictly in turn. Every rank
/// calls run() with the same arguments' shape (SPMD); `next` and `on_result` are only called on
/// rank 0. Waiting polls with a short back-off instead of MPI's busy wait, so an idle coordinator
/// leaves its core to the workers. Needs an initialised MPI environment (boost::mpi::environment);
/// `mpi_session` opens one and is the executor as a dist::session (session.hpp).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/mpi/status.hpp>
#include <boost/serialization/string.hpp>

#include "fhops/dist/executor.hpp"
#include "fhops/dist/session.hpp"

namespace fhops::dist {

namespace detail {

/// What travels between ranks: a job (unit, payload) or a result (unit, failed?, result or error).
struct wire {
  std::uint64_t unit = 0;
  bool failed = false;
  std::string text;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & unit & failed & text;
  }
};

inline constexpr int tag_job = 1, tag_stop = 2, tag_result = 3;

/// Waits for a message from `source` with `tag` (any_source / any_tag allowed): probes for 100 µs
/// (a reply to a short unit arrives within that), then sleeps growing from 20 µs to 500 µs between
/// probes, so a waiting rank leaves its core to the ranks at work.
inline boost::mpi::status wait_for(const boost::mpi::communicator& comm, int source, int tag) {
  const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    if (auto s = comm.iprobe(source, tag)) return *s;
    if (std::chrono::steady_clock::now() < spin_until) continue;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(500));
  }
}

}  // namespace detail

/// Distributes jobs over the ranks of a communicator (see the file comment).
class mpi_executor {
public:
  explicit mpi_executor(boost::mpi::communicator comm) : comm_(std::move(comm)) {}

  bool coordinator() const { return comm_.rank() == 0; }
  /// Ranks that run units: N - 1, or 1 when N = 1.
  std::size_t workers() const { return comm_.size() > 1 ? static_cast<std::size_t>(comm_.size() - 1) : 1; }
  int rank() const { return comm_.rank(); }
  int size() const { return comm_.size(); }
  const boost::mpi::communicator& communicator() const noexcept { return comm_; }

  /// Runs the stream of jobs; returns when every handed-out job's result has been handled (rank 0)
  /// or when rank 0 says stop (workers). An exception from next or on_result on rank 0 stops the
  /// hand-out, lets the jobs in flight finish (their results are dropped), releases the workers
  /// and is rethrown.
  void run(const next_fn& next, const work_fn& work, const result_fn& on_result) {
    if (comm_.rank() != 0) return serve(work);
    if (comm_.size() == 1) {
      while (auto j = next()) on_result(run_job(work, *j, 0));
      return;
    }
    std::exception_ptr failure;
    const auto hand_out = [&](int worker) {
      std::optional<job> j;
      if (!failure) {
        try {
          j = next();
        } catch (...) {
          failure = std::current_exception();
        }
      }
      if (!j) {
        comm_.send(worker, detail::tag_stop);
        return false;
      }
      comm_.send(worker, detail::tag_job, detail::wire{j->unit, false, std::move(j->payload)});
      return true;
    };
    int busy = 0;
    for (int w = 1; w < comm_.size(); ++w) busy += hand_out(w);
    while (busy > 0) {
      const boost::mpi::status s = detail::wait_for(comm_, boost::mpi::any_source, detail::tag_result);
      detail::wire msg;
      comm_.recv(s.source(), detail::tag_result, msg);
      --busy;
      if (!failure) {
        unit_result r{static_cast<std::size_t>(msg.unit), {}, std::nullopt, s.source()};
        if (msg.failed) r.error = std::move(msg.text);
        else r.result = std::move(msg.text);
        try {
          on_result(r);
        } catch (...) {
          failure = std::current_exception();
        }
      }
      busy += hand_out(s.source());
    }
    if (failure) std::rethrow_exception(failure);
  }

private:
  void serve(const work_fn& work) {
    for (;;) {
      const boost::mpi::status s = detail::wait_for(comm_, 0, boost::mpi::any_tag);
      if (s.tag() == detail::tag_stop) {
        comm_.recv(0, detail::tag_stop);
        return;
      }
      detail::wire msg;
      comm_.recv(0, detail::tag_job, msg);
      unit_result r = run_job(work, job{static_cast<std::size_t>(msg.unit), std::move(msg.text)}, comm_.rank());
      comm_.send(0, detail::tag_result, detail::wire{r.unit, !r.ok(), r.ok() ? std::move(r.result) : std::move(*r.error)});
    }
  }

  boost::mpi::communicator comm_;
};

static_assert(executor<mpi_executor>);

/// A session on the ranks of an MPI job: MPI is initialised when the session opens (unless the
/// process did already) and finalised when it closes; one distributed session per process.
class mpi_session final : public session {
public:
  mpi_session() {
    if (boost::mpi::environment::finalized())
      throw std::runtime_error("MPI was already finalised in this process: one distributed command per process");
    if (!boost::mpi::environment::initialized()) env_.emplace(/*abort_on_exception=*/false);
    mpi_.emplace(boost::mpi::communicator());
  }
  bool distributed() const override { return true; }
  bool coordinator() const override { return mpi_->coordinator(); }
  int ranks() const override { return mpi_->size(); }
  void run(const next_fn& next, const work_fn& work, const result_fn& on_result) override { mpi_->run(next, work, on_result); }
  void barrier() override { mpi_->communicator().barrier(); }
  bool agree(bool value) override {
    boost::mpi::broadcast(mpi_->communicator(), value, 0);
    return value;
  }

private:
  std::optional<boost::mpi::environment> env_;  // declared first: finalised after the executor goes
  std::optional<mpi_executor> mpi_;
};

/// The session of a command: on the MPI ranks when an MPI launcher started the process
/// (launched_by_mpi()), else on this process with `threads` units at a time.
inline std::unique_ptr<session> open_session(std::size_t threads) {
  if (launched_by_mpi()) return std::make_unique<mpi_session>();
  return std::make_unique<local_session>(threads);
}

}  // namespace fhops::dist
