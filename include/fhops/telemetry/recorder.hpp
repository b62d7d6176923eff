/// \file
/// From search events to telemetry records. `step_recorder` is an observer (events.hpp) that writes
/// a step record at step 1, at every multiple of `step_interval` and at the last step of a run
/// (telemetry_tuning.md §1.7) to a sink; every other step costs a counter test. `fanout` lets one
/// search feed several observers (a recorder and a progress line).
#pragma once

#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "fhops/telemetry/events.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sink.hpp"

namespace fhops::telemetry {

/// Passes each event to every observer that wants it, in order.
template <class... Observers>
class fanout {
public:
  explicit fanout(Observers... os) : os_(std::move(os)...) {}

  template <class E>
    requires(observes<Observers, E> || ...)
  void on(const E& e) {
    std::apply([&](auto&... o) { (deliver(o, e), ...); }, os_);
  }

  /// Samples steps only when every observer that takes steps samples them (then: any wants it).
  bool wants_step(long long iteration) const
    requires((!observes<Observers, step_event> || samples_steps<Observers>) && ...)
  {
    return std::apply([&](const auto&... o) { return (wants(o, iteration) || ...); }, os_);
  }

  template <std::size_t I>
  auto& get() { return std::get<I>(os_); }

private:
  template <class O>
  static bool wants(const O& o, long long iteration) {
    if constexpr (samples_steps<O>) return o.wants_step(iteration);
    else return false;  // takes no steps at all
  }
  template <class O, class E>
  static void deliver(O& o, const E& e) {
    if constexpr (observes<O, E>) o.on(e);
  }
  std::tuple<Observers...> os_;
};

/// Settings of a step recorder.
struct step_recorder_parameters {
  std::string run_id;
  long long step_interval = 100;   ///< <= 0 disables step records
  acceptance_column acceptance = acceptance_column::accepted;
};

/// An observer writing step records to `Sink` (held by pointer; the recorder is a small value the
/// search may copy). Announces run_started on the begin event.
template <telemetry_sink Sink>
class step_recorder {
public:
  step_recorder(Sink& sink, step_recorder_parameters p) : sink_(&sink), p_(std::move(p)) {}
  /// A recorder without a sink records nothing (its step_interval is forced to 0).
  step_recorder(Sink* sink, step_recorder_parameters p) : sink_(sink), p_(std::move(p)) {
    if (!sink_) p_.step_interval = 0;
  }

  void on(const run_begin_event& e) {
    if (p_.step_interval > 0) sink_->run_started(run_start{p_.run_id, std::string(e.algorithm), utc_iso_seconds()});
  }

  /// Step 1 and every multiple of step_interval (the last step comes anyway, see samples_steps).
  bool wants_step(long long iteration) const {
    return p_.step_interval > 0 && (iteration == 1 || iteration % p_.step_interval == 0);
  }

  void on(const step_event& e) {
    if (p_.step_interval <= 0) return;
    if (e.iteration == 1 || e.iteration % p_.step_interval == 0) {
      write(e);
      last_written_ = e.iteration;
      return;
    }
    last_event_ = e;
    have_last_ = true;
  }

  void on(const run_end_event&) {
    if (p_.step_interval <= 0 || !have_last_ || last_event_.iteration <= last_written_) return;
    write(last_event_);
    last_written_ = last_event_.iteration;
  }

  const std::string& run_id() const { return p_.run_id; }

private:
  struct pending {
    long long iteration;
    double current, best, temperature;
    long long proposals, accepted, improvements;
  };

  static long long improvements(const step_event& e) {
    long long n = 0;
    for (const auto& c : e.operators) n += c.improvements;
    return n;
  }

  void write(const step_event& e) {
    emit(pending{e.iteration, e.current, e.best, e.temperature, e.proposals, e.accepted,
                 p_.acceptance == acceptance_column::improvements ? improvements(e) : 0});
  }

  void emit(const pending& s) {
    step_record& r = record_;  // reused: its strings are not rebuilt per step
    if (r.run_id != p_.run_id) r.run_id = p_.run_id;
    if (const std::string& stamp = timestamp(); r.timestamp != stamp) r.timestamp = stamp;
    r.temperature.reset();
    r.acceptance_rate.reset();
    r.step = s.iteration;
    r.objective = s.current;
    r.best_objective = s.best;
    if (!std::isnan(s.temperature)) r.temperature = s.temperature;
    const double props = static_cast<double>(s.proposals);
    switch (p_.acceptance) {
      case acceptance_column::accepted:
        r.acceptance_rate = s.proposals > 0 ? static_cast<double>(s.accepted) / props : 0.0;
        r.accepted_moves = s.accepted;
        break;
      case acceptance_column::improvements:
        if (s.proposals > 0) r.acceptance_rate = static_cast<double>(s.improvements) / props;
        r.accepted_moves = s.improvements;
        break;
      case acceptance_column::none:
        r.accepted_moves = s.accepted;
        break;
    }
    r.proposals = s.proposals;
    sink_->step(std::as_const(r));
  }

  // The ISO timestamp, formatted once per second.
  const std::string& timestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t s = std::chrono::system_clock::to_time_t(now);
    if (s != stamp_second_) {
      stamp_second_ = s;
      stamp_ = utc_iso_seconds(now);
    }
    return stamp_;
  }

  Sink* sink_;
  step_recorder_parameters p_;
  step_event last_event_{};  // the operator span points into the run, alive until run_end
  bool have_last_ = false;
  long long last_written_ = 0;
  std::time_t stamp_second_ = -1;
  std::string stamp_;
  step_record record_;
};

static_assert(observes<step_recorder<null_sink>, step_event> && samples_steps<step_recorder<null_sink>>);

}  // namespace fhops::telemetry
