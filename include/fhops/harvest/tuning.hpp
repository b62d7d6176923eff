/// \file
/// What the tuners tune: the parameter space of each solver (SA, ILS, Tabu) over the generic
/// tune/ library, and the mapping of a configuration onto solve_options, so a trial's recorded
/// configuration replays exactly (same configuration + same seed + same budget = same run).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/tune/space.hpp"

namespace fhops::harvest {

/// The name of an operator's weight parameter: `weight_<operator>`.
inline std::string weight_parameter(std::size_t op) { return "weight_" + std::string(operator_names[op]); }

/// The space tune-random and tune-bayes search for a solver: the batch size (1-3, as the
/// reference), a weight in [0, 2] per operator (the reference's five and fhops-cpp's six), and
/// the solver's own knobs — SA: acceptance rule (late-acceptance length when late), initial and
/// final temperature of the budget cooling; ILS: perturbation strength and stall limit; Tabu:
/// tenure.
inline tune::parameter_space solver_tuning_space(solver_kind kind) {
  tune::parameter_space s;
  s.integer("batch_size", 1, 3);
  for (std::size_t op = 0; op < operator_count; ++op) s.real(weight_parameter(op), 0.0, 2.0);
  switch (kind) {
    case solver_kind::sa:
      s.categorical("acceptance", {"metropolis", "threshold", "record", "late"});
      s.integer("late_length", 100, 5000, true).only_when("acceptance", {std::string("late")});
      s.real("initial_temperature", 1.0, 200.0, true);
      s.real("final_temperature", 0.01, 1.0, true);
      break;
    case solver_kind::ils:
      s.integer("perturbation_strength", 1, 10);
      s.integer("stall_limit", 5, 50);
      break;
    case solver_kind::tabu:
      s.integer("tabu_tenure", 5, 50);
      break;
  }
  return s;
}

/// The space tune-grid walks: batch sizes (outer) x operator presets (inner), as the reference.
inline tune::parameter_space preset_grid_space(std::vector<long long> batches, const std::vector<std::string>& presets) {
  if (batches.empty()) throw std::invalid_argument("tune-grid needs at least one batch size");
  if (presets.empty()) throw std::invalid_argument("tune-grid needs at least one preset");
  std::vector<std::string> names;
  for (const auto& p : operator_presets()) names.emplace_back(p.name);
  tune::parameter_space s;
  long long hi = 1;
  std::vector<tune::value> b, p;
  for (const long long x : batches) {
    if (x < 1) throw std::invalid_argument("tune-grid batch sizes must be >= 1 (got " + std::to_string(x) + ")");
    hi = std::max(hi, x);
    b.emplace_back(x);
  }
  for (const auto& x : presets) p.emplace_back(std::string(find_preset(x).name));
  s.integer("batch_size", 1, hi).levels(std::move(b));
  s.categorical("preset", std::move(names)).levels(std::move(p));
  return s;
}

/// `o` with the configuration's parameters applied. Unknown parameters are an error (a record from
/// another version); weights a configuration does not name keep o's weights.
inline solve_options apply_configuration(const tune::configuration& c, solve_options o) {
  for (const auto& [name, v] : c.items()) {
    if (name == "batch_size") {
      const long long b = std::get<long long>(v);
      o.batch = b > 1 ? b : 0;
      o.ils.samples = o.batch;
      o.tabu.candidates = o.batch;
    } else if (name == "preset") {
      o.weights = find_preset(std::get<std::string>(v)).weights;
    } else if (name.rfind("weight_", 0) == 0) {
      const int op = operator_index(name.substr(7));
      if (op < 0) throw std::invalid_argument("configuration: unknown operator in '" + name + "'");
      o.weights[static_cast<std::size_t>(op)] = c.real(name);
    } else if (name == "acceptance") {
      o.acceptance = std::get<std::string>(v);
    } else if (name == "late_length") {
      o.late_length = std::get<long long>(v);
    } else if (name == "initial_temperature") {
      o.cooling = "budget";
      o.initial_temperature = std::get<double>(v);
    } else if (name == "final_temperature") {
      o.final_temperature = std::get<double>(v);
    } else if (name == "perturbation_strength") {
      o.ils.perturbation_strength = std::get<long long>(v);
    } else if (name == "stall_limit") {
      o.ils.stall_limit = std::get<long long>(v);
    } else if (name == "tabu_tenure") {
      o.tabu.tenure = std::get<long long>(v);
    } else {
      throw std::invalid_argument("configuration: unknown parameter '" + name + "'");
    }
  }
  bool any = false;
  for (const double w : o.weights) any |= w > 0.0;
  if (!any) o.weights[0] = o.weights[1] = 1.0;  // a run needs an operator: all zero falls back to swap and move
  return o;
}

}  // namespace fhops::harvest
