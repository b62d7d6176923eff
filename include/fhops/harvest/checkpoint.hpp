/// \file
/// Checkpoint and resume of a harvest solve (`--checkpoint FILE`, `--resume FILE`): a checkpoint
/// starts with the solver, the scenario's identity, the options that decide the trajectory and
/// how many times the run was resumed; then the caller's own fields; then the search's state
/// (search/checkpoint.hpp). A checkpoint is written atomically (a temporary file, then a rename)
/// every `every_seconds` and when a stop is requested (the driver's SIGTERM/SIGINT handler sets
/// the flag); the run then stops with stop_reason::interrupted. With an iteration budget a run
/// resumed any number of times ends exactly as the uninterrupted run.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/search/checkpoint.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/input_file.hpp"

namespace fhops::harvest {

/// The options that decide a solve's trajectory, as space-separated `name=value` items (compared
/// item by item on resume; a difference names the option).
inline std::string trajectory_options(const solve_options& o) {
  std::string weights;
  for (const double w : o.weights) weights += fmt::format("{}{}", weights.empty() ? "" : ",", w);
  const auto optional = [](const auto& v, const char* none) { return v ? fmt::format("{}", *v) : std::string(none); };
  std::string out = fmt::format("weights={} seed={} iterations={} seconds={} stall_limit={} target={} adaptive={} landing_capacity={}", weights,
                                o.seed, o.stop.max_iterations, o.stop.max_seconds, o.stop.stall_limit, optional(o.stop.target, "none"),
                                o.adaptive, static_cast<int>(o.landing_capacity));
  switch (o.kind) {
    case solver_kind::sa:
      return out + fmt::format(" batch={} cooling={} cooling_ratio={} initial_temperature={} final_temperature={} acceptance={} "
                               "late_length={} restart_period={} cycles={}",
                               optional(o.batch, "auto"), o.cooling, o.cooling_ratio, optional(o.initial_temperature, "auto"),
                               optional(o.final_temperature, "auto"), o.acceptance, o.late_length, o.restart_period,
                               o.sa_cycles.value_or(1));  // unset runs as 1
    case solver_kind::ils:
      return out + fmt::format(" perturbation_strength={} ils_stall_limit={} samples={} patience={} accept_worse={} hybrid_use_mip={} "
                               "hybrid_mip_time_limit={}",
                               o.ils.perturbation_strength, o.ils.stall_limit, o.ils.samples, o.ils.patience, o.ils.accept_worse,
                               o.hybrid_use_mip, o.hybrid_mip_time_limit);
    case solver_kind::tabu:
      return out + fmt::format(" tenure={} candidates={} restart_stall={} tenure_max={}", o.tabu.tenure, o.tabu.candidates,
                               o.tabu.restart_stall, o.tabu.tenure_max);
  }
  return out;
}

/// Where and when a solve writes checkpoints.
struct checkpoint_options {
  std::filesystem::path file;                        ///< the checkpoint (replaced atomically each time)
  double every_seconds = 0.0;                        ///< a checkpoint every this many seconds (0 = only on a stop request)
  const std::atomic<bool>* stop_request = nullptr;   ///< when set: checkpoint, then stop (a signal handler sets it)
  std::string scenario_id;                           ///< the scenario's identity (e.g. a hash of its files)
  long long resumes = 0;                             ///< how many times the run was resumed so far
  /// The caller's fields, written after the solve's header (run id, step log length, ...).
  std::function<void(search::checkpoint_writer&)> extra;
};

/// The checkpoint hook of a harvest solve (search::checkpoint_hook).
class checkpoint_to_file {
public:
  static constexpr bool enabled = true;

  checkpoint_to_file(const checkpoint_options& c, const solve_options& o) : c_(&c), o_(&o) {
    if (!(c.every_seconds >= 0.0)) throw std::invalid_argument("checkpoint_options.every_seconds must be >= 0");
  }

  bool due(long long, double seconds) {
    if (c_->stop_request && c_->stop_request->load(std::memory_order_relaxed)) {
      stop_ = true;
      return true;
    }
    if (c_->every_seconds <= 0.0) return false;
    if (next_ < 0.0) next_ = seconds + c_->every_seconds;  // the first ask: the period starts now
    if (seconds < next_) return false;
    next_ = seconds + c_->every_seconds;
    return true;
  }

  bool stop() const { return stop_; }

  template <class Body>
  void write(Body&& body) {
    search::checkpoint_writer w;
    w.put("fhops.solver", solver_label(o_->kind));
    w.put("fhops.scenario", c_->scenario_id);
    w.put("fhops.options", trajectory_options(*o_));
    w.put("fhops.resumes", c_->resumes);
    if (c_->extra) c_->extra(w);
    body(w);
    write_file_atomic(c_->file, w.text());
  }

private:
  const checkpoint_options* c_;
  const solve_options* o_;
  double next_ = -1.0;
  bool stop_ = false;
};
static_assert(search::checkpoint_hook<checkpoint_to_file>);

/// A checkpoint opened for resuming: its reader (positioned at the caller's fields) and how many
/// times the run was resumed before.
struct checkpoint_resume {
  search::checkpoint_reader reader;
  long long resumes = 0;
};

/// Opens a checkpoint's text for resuming a solve with options `o` on the scenario `scenario_id`:
/// checks the format (search::checkpoint_reader), the solver, the scenario and every trajectory
/// option. Throws search::checkpoint_error with one line saying what differs.
inline checkpoint_resume open_checkpoint(std::string text, const solve_options& o, std::string_view scenario_id) {
  checkpoint_resume r{search::checkpoint_reader(std::move(text)), 0};
  const auto solver = r.reader.get<std::string>("fhops.solver");
  if (solver != solver_label(o.kind)) throw search::checkpoint_error("checkpoint is for solver " + solver + ", not " + solver_label(o.kind));
  if (r.reader.get<std::string>("fhops.scenario") != scenario_id) throw search::checkpoint_error("checkpoint is for another scenario");
  const auto items = [](const std::string& text) {
    std::vector<std::string> v;
    for (std::size_t i = 0, j; i < text.size(); i = j + 1) {
      j = std::min(text.find(' ', i), text.size());
      if (j > i) v.push_back(text.substr(i, j - i));
    }
    return v;
  };
  const auto was = items(r.reader.get<std::string>("fhops.options"));
  const auto now = items(trajectory_options(o));
  for (std::size_t i = 0; i < now.size(); ++i)
    if (i >= was.size() || was[i] != now[i])
      throw search::checkpoint_error("checkpoint was made with " + (i < was.size() ? was[i] : "fewer options") + ", this run has " + now[i]);
  if (was.size() != now.size()) throw search::checkpoint_error("checkpoint was made with other options");
  r.reader.get("fhops.resumes", r.resumes);
  return r;
}

/// solve() with checkpoints as `c` says; with `resume` (from open_checkpoint(), its caller's
/// fields read) the run continues from that checkpoint instead of the greedy seed.
template <class Observer = telemetry::null_observer>
solve_outcome solve_checkpointed(const problem& pb, const solve_options& o, const checkpoint_options& c, Observer obs = {},
                                 search::checkpoint_reader* resume = nullptr) {
  return detail::solve_with(pb, o, std::move(obs), o.seed, checkpoint_to_file(c, o), resume);
}

/// FNV-1a 64 of the contents of `files`, in order, as 16 hex digits: a scenario's identity for
/// checkpoints (the same bundle copied elsewhere has the same identity).
inline std::string files_fingerprint(const std::vector<std::filesystem::path>& files) {
  std::uint64_t h = search::fnv1a64_basis;
  for (const auto& f : files) {
    h = search::fnv1a64(read_text_file(f), h);
    h = search::fnv1a64(std::string_view("\0", 1), h);
  }
  return fmt::format("{:016x}", h);
}

}  // namespace fhops::harvest
