/// \file
/// The reports of a tuning plan (telemetry_tuning.md §7; `fhops tuning-plan run`), written once
/// after every tier from the plan's store: `tuner_report.{csv,md}`; `tuner_summary.{csv,md}`, the
/// per-scenario summary of that report under a label (as `fhops telemetry history --report
/// LABEL=tuner_report.csv` writes it); and the comparison tables `tuner_comparison`,
/// `tuner_leaderboard` and `tuner_difficulty` (`.csv` and `.md`) over every run and, with the
/// suffix `_<bundle>`, over each bundle's runs. Every file is written atomically.
#pragma once

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "fhops/telemetry/analysis/comparisons.hpp"
#include "fhops/telemetry/analysis/history.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/atomic_file.hpp"

namespace fhops::harvest {

namespace detail {

inline void write_plan_table(const std::filesystem::path& dir, const std::string& stem, const telemetry::data_table& t,
                             std::vector<std::filesystem::path>& written) {
  write_file_atomic(dir / (stem + ".csv"), telemetry::table_csv(t));
  write_file_atomic(dir / (stem + ".md"), telemetry::table_markdown(t));
  written.push_back(dir / (stem + ".csv"));
  written.push_back(dir / (stem + ".md"));
}

inline void write_plan_comparisons(const std::filesystem::path& dir, const std::string& suffix, const telemetry::comparison_tables& c,
                                   std::vector<std::filesystem::path>& written) {
  write_plan_table(dir, "tuner_comparison" + suffix, telemetry::comparison_table(c.comparison), written);
  write_plan_table(dir, "tuner_leaderboard" + suffix, telemetry::leaderboard_table(c.leaderboard), written);
  write_plan_table(dir, "tuner_difficulty" + suffix, telemetry::difficulty_table(c.difficulty), written);
}

}  // namespace detail

/// Writes the plan's reports from the store at `sqlite` into `out_dir` (see the file comment);
/// `label` names the summary's column. Returns the files written, in order.
inline std::vector<std::filesystem::path> write_plan_reports(const std::filesystem::path& sqlite, const std::filesystem::path& out_dir,
                                                             const std::string& label, int busy_timeout_ms = 60000) {
  namespace tel = telemetry;
  std::vector<std::filesystem::path> written;
  tel::sqlite_store store(sqlite, tel::store_options{busy_timeout_ms});
  const auto rows = tel::build_report(store);
  write_file_atomic(out_dir / "tuner_report.csv", tel::report_csv(rows));
  write_file_atomic(out_dir / "tuner_report.md", tel::report_markdown(rows));
  written.push_back(out_dir / "tuner_report.csv");
  written.push_back(out_dir / "tuner_report.md");
  const auto reports = tel::load_reports({{label, out_dir / "tuner_report.csv"}});
  const auto summary = tel::summarise_reports(tel::compare_reports(reports), {label});
  write_file_atomic(out_dir / "tuner_summary.csv", tel::frame_csv(summary));
  write_file_atomic(out_dir / "tuner_summary.md", tel::summary_markdown(summary, {label}));
  written.push_back(out_dir / "tuner_summary.csv");
  written.push_back(out_dir / "tuner_summary.md");
  const auto scored = tel::load_scored_runs(store);
  detail::write_plan_comparisons(out_dir, "", tel::compare_runs(scored), written);
  std::set<std::string> bundle_names;
  for (const auto& r : scored) bundle_names.insert(r.bundle);
  for (const auto& b : bundle_names) {
    std::vector<tel::scored_run> mine;
    std::copy_if(scored.begin(), scored.end(), std::back_inserter(mine), [&](const tel::scored_run& r) { return r.bundle == b; });
    const auto tables = tel::compare_runs(mine);
    if (!tables.comparison.empty()) detail::write_plan_comparisons(out_dir, "_" + tel::sanitise_bundle_name(b), tables, written);
  }
  return written;
}

}  // namespace fhops::harvest
