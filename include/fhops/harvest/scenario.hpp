/// \file
/// The FHOPS scenario as loaded from a bundle: entities with their string ids, in file order.
/// The solvers never see this type; they see the flat `problem` derived from it (problem.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fhops::harvest {

/// The largest magnitude a number in a scenario may have (weights, work, rates, costs, distances,
/// hours, stand attributes): every product and sum of the objective and the KPIs then stays
/// finite. The loader also rejects non-finite numbers, except walk thresholds (any value >= 0,
/// `.inf` included: they are only compared). See docs/compatibility.md.
inline constexpr double scenario_number_limit = 1e12;

/// A cut block on one landing with the work it needs and its inclusive day window.
struct block {
  std::string id;
  std::string landing_id;
  double work_required = 0.0;
  int earliest_start = 1;                  ///< first day work may be credited (1-based)
  std::optional<int> latest_finish;        ///< last such day; none means num_days
  std::optional<std::string> harvest_system_id;
  std::optional<std::string> salvage_processing_mode;
};

/// A machine. `role` is the raw text of the CSV; the problem normalises it.
struct machine {
  std::string id;
  std::optional<std::string> role;
  std::optional<std::string> crew;
  double daily_hours = 24.0;
  double operating_cost = 0.0;
  std::optional<int> repair_usage_hours;
};

/// A landing; `daily_capacity` is applied per shift slot (reference quirk Q7).
struct landing {
  std::string id;
  int daily_capacity = 2;
};

/// Machine-day availability (missing pairs are available; the last duplicate wins).
struct calendar_entry {
  std::string machine_id;
  int day = 1;
  int available = 1;
};

/// Machine-day-shift availability.
struct shift_calendar_entry {
  std::string machine_id;
  int day = 1;
  std::string shift_id;
  int available = 1;
};

/// Work a machine does on a block in one shift slot (missing pairs are 0).
struct production_rate {
  std::string machine_id;
  std::string block_id;
  double rate = 0.0;
};

/// One shift definition of the timeline; each gives one slot per day.
struct shift_definition {
  std::string name;
  double hours = 0.0;
  int shifts_per_day = 1;  ///< validated, never used by scheduling (reference quirk Q6)
};

/// An inclusive blackout window over all machines.
struct blackout {
  int start_day = 1;
  int end_day = 1;
  std::optional<std::string> reason;
};

/// Shifts and blackouts.
struct timeline_config {
  std::vector<shift_definition> shifts;
  std::vector<blackout> blackouts;
  int days_per_week = 7;
};

/// Per-machine move-cost parameters.
struct machine_mobilisation {
  std::string machine_id;
  double walk_cost_per_meter = 0.0;
  double move_cost_flat = 0.0;
  double walk_threshold_m = 1000.0;
  double setup_cost = 0.0;
};

/// A block-to-block distance (symmetrised by the problem; the last row wins).
struct block_distance {
  std::string from_block;
  std::string to_block;
  double distance_m = 0.0;
};

/// The mobilisation section with its (possibly back-filled) distances.
struct mobilisation_config {
  std::vector<machine_mobilisation> machine_params;
  std::vector<block_distance> distances;
  double default_walk_threshold_m = 1000.0;  ///< validated, never used (reference quirk Q25)
  std::optional<std::string> distance_csv;
};

/// A machine locked to a block for every slot of one day.
struct locked_assignment {
  std::string machine_id;
  std::string block_id;
  int day = 1;
};

/// Objective weights (defaults 1, 1, 0, 0).
struct objective_weights {
  double production = 1.0;
  double mobilisation = 1.0;
  double transitions = 0.0;
  double landing_slack = 0.0;  ///< 0 makes landing capacity a hard 1000 penalty
};

/// Reporting-only crew row (validated, ignored by the solvers).
struct crew_assignment {
  std::string crew_id;
  std::string machine_id;
  std::optional<std::string> primary_role;
  std::optional<std::string> notes;
};

/// Reporting-only road job (validated, ignored by the solvers).
struct road_job {
  std::string id;
  std::string machine_slug;
  double road_length_m = 0.0;
  bool include_mobilisation = true;
  std::vector<std::string> soil_profile_ids;
  std::optional<std::string> notes;
};

/// A whole scenario bundle. Vectors keep file order, which the objective depends on.
struct scenario {
  std::string name;
  int num_days = 1;
  std::optional<std::string> start_date;
  std::vector<block> blocks;
  std::vector<machine> machines;
  std::vector<landing> landings;
  std::vector<calendar_entry> calendar;
  std::vector<shift_calendar_entry> shift_calendar;
  std::vector<production_rate> production_rates;
  std::optional<timeline_config> timeline;
  std::optional<mobilisation_config> mobilisation;
  std::vector<locked_assignment> locked_assignments;
  objective_weights weights;
  std::vector<crew_assignment> crew_assignments;
  std::vector<road_job> road_construction;
  std::filesystem::path source;  ///< the scenario.yaml it came from (empty when built in code)
  std::vector<std::filesystem::path> files;  ///< every file the loader read, scenario.yaml first (outputs must not overwrite them)
};

}  // namespace fhops::harvest
