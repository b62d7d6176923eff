/// \file
/// How the sanitisers and the plan-building operators treat a landing's capacity. The reference
/// sanitiser (problem_model.md §7.1) clears every cell over a landing's per-slot capacity, first
/// come in machine order, even when the objective prices the excess as slack (objective weight
/// landing_slack > 0): no plan it passes ever holds slack, although the objective would often
/// rather pay it. fhops-cpp honours the price by default: with landing_slack > 0 a cell over
/// capacity is kept when its slack can pay off, that is when the slack it adds costs less than the
/// most it can produce in its slot. With landing_slack == 0 both modes are the reference's.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "fhops/harvest/problem.hpp"

namespace fhops::harvest {

/// `priced`: over-capacity work is kept when it can pay its slack (fhops-cpp's default);
/// `reference`: over-capacity work is always cleared, as the reference does.
enum class landing_capacity_mode { priced, reference };

/// The name of a mode ("priced" or "reference").
inline std::string_view to_string(landing_capacity_mode mode) {
  return mode == landing_capacity_mode::priced ? "priced" : "reference";
}

/// The mode of a name; std::invalid_argument naming `field` otherwise.
inline landing_capacity_mode parse_landing_capacity_mode(std::string_view name, std::string_view field = "landing_capacity") {
  if (name == "priced") return landing_capacity_mode::priced;
  if (name == "reference") return landing_capacity_mode::reference;
  throw std::invalid_argument(std::string(field) + " must be priced or reference (got '" + std::string(name) + "')");
}

/// True when the mode lets a plan hold slack: priced mode and a slack weight > 0.
inline bool slack_allowed(const problem& pb, landing_capacity_mode mode) {
  return mode == landing_capacity_mode::priced && pb.weights.landing_slack > 0.0;
}

/// Whether a sanitiser keeps machine m on block b in a slot whose landing already holds `usage`
/// kept machines (capacity `cap`; 0 means unlimited, reference quirk Q9). Under capacity: always.
/// Over it, only when slack is allowed and the slack the cell adds (excess * landing_slack, the
/// excess growing 1, 2, 3 ... as in the objective, problem_model.md §5.2 step 10) is below the
/// production it can bring at most (production weight * rate). Constant time, no allocation.
inline bool keeps_on_landing(const problem& pb, landing_capacity_mode mode, int m, int b, int usage, int cap) {
  if (cap == 0 || usage < cap) return true;
  if (!slack_allowed(pb, mode)) return false;
  return pb.weights.landing_slack * (usage + 1 - cap) < pb.weights.production * pb.rate[pb.mb(m, b)];
}

}  // namespace fhops::harvest
