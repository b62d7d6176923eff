/// \file
/// The FHOPS KPIs followed by the telemetry history (telemetry_tuning.md §6.4): the `run_metrics`
/// name looked up for each snapshot's best run, its history column and its label, in the
/// reference's order. Passed to `fhops::telemetry::load_history` and the history reports.
#pragma once

#include "fhops/telemetry/analysis/history.hpp"

namespace fhops::harvest {

/// The reference's metric → history column map and Markdown / chart labels.
inline constexpr telemetry::history_metric history_metrics[] = {
    {"total_production", "best_total_production", "Total Production"},
    {"mobilisation_cost", "best_mobilisation_cost", "Mobilisation Cost"},
    {"utilisation_ratio_mean_shift", "best_utilisation_ratio_shift", "Utilisation (Shift)"},
    {"utilisation_ratio_mean_day", "best_utilisation_ratio_day", "Utilisation (Day)"},
    {"downtime_hours_total", "best_downtime_hours", "Downtime Hours"},
    {"downtime_event_count", "best_downtime_events", "Downtime Events"},
    {"downtime_production_loss_est", "best_downtime_loss", "Downtime Loss (Est.)"},
    {"weather_severity_total", "best_weather_severity", "Weather Severity"},
    {"weather_hours_est", "best_weather_hours", "Weather Hours (Est.)"},
    {"weather_production_loss_est", "best_weather_loss", "Weather Loss (Est.)"},
};

}  // namespace fhops::harvest
