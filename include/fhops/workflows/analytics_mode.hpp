/// \file
/// The analytics pages' mode (telemetry_tuning.md §9.2): light or full. One function decides it
/// for `fhops analytics run` (which records it as `light_mode` in metadata.json) and for
/// `fhops ops weekly` (which states it in the runbook entry), so the two never disagree.
#pragma once

#include <cstdlib>

namespace fhops::harvest {

/// Light mode (§9.2): requested by the flag or by a non-empty `FHOPS_ANALYTICS_LIGHT`.
inline bool analytics_light_mode(bool flag) {
  const char* env = std::getenv("FHOPS_ANALYTICS_LIGHT");
  return flag || (env && *env);
}

}  // namespace fhops::harvest
