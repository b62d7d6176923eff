/// \file
/// The sink contract: where telemetry records go. A sink takes four records — a run starts, a step
/// of a run, a run ends (the run record), a tuner summary — and may ignore any of them. Built-in
/// sinks: `null_sink` (costs nothing), `tee_sink` (several at once); the JSONL, step-log, SQLite and
/// asynchronous sinks have their own headers. Search events reach a sink through `step_recorder`
/// (recorder.hpp), the observer that turns events into step records.
#pragma once

#include <concepts>
#include <tuple>
#include <utility>

#include "fhops/telemetry/records.hpp"

namespace fhops::telemetry {

/// A telemetry sink: run_started, step, run_finished and tuner_summary each take a record;
/// flush() pushes buffered records to their destination and reports failures by throwing.
template <class S>
concept telemetry_sink = requires(S& s, const run_start& rs, const step_record& st, const run_record& r,
                                  const tuner_summary_record& ts) {
  s.run_started(rs);
  s.step(st);
  s.run_finished(r);
  s.tuner_summary(ts);
  s.flush();
};

/// The sink that keeps nothing.
struct null_sink {
  void run_started(const run_start&) noexcept {}
  void step(const step_record&) noexcept {}
  void run_finished(const run_record&) noexcept {}
  void tuner_summary(const tuner_summary_record&) noexcept {}
  void flush() noexcept {}
};
static_assert(telemetry_sink<null_sink>);

/// Sends every record to each of several sinks (held by reference), in order. A sink that throws
/// stops the record from reaching the sinks after it; put the most important sink first.
template <telemetry_sink... Sinks>
class tee_sink {
public:
  explicit tee_sink(Sinks&... sinks) : sinks_(sinks...) {}

  void run_started(const run_start& r) { each([&](auto& s) { s.run_started(r); }); }
  void step(const step_record& r) { each([&](auto& s) { s.step(r); }); }
  void run_finished(const run_record& r) { each([&](auto& s) { s.run_finished(r); }); }
  void tuner_summary(const tuner_summary_record& r) { each([&](auto& s) { s.tuner_summary(r); }); }
  void flush() { each([](auto& s) { s.flush(); }); }

private:
  template <class F>
  void each(F&& f) {
    std::apply([&](auto&... s) { (f(s), ...); }, sinks_);
  }
  std::tuple<Sinks&...> sinks_;
};
static_assert(telemetry_sink<tee_sink<null_sink, null_sink>>);

}  // namespace fhops::telemetry
