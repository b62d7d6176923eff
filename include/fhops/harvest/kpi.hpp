/// \file
/// The KPIs the reference reports after solving (problem_model.md §9): Production, Mobilisation,
/// Utilisation and Sequencing keys with the reference definitions. The KPI pass is independent of
/// the objective: it walks days in order, rows by (machine_id, block_id), with no feasibility filter.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::harvest {

/// A KPI value: a float, an integer, or text (JSON objects are kept as their JSON text).
using kpi_value = std::variant<double, long long, std::string>;

/// KPI totals in the reference's key order.
struct kpi_result {
  std::vector<std::pair<std::string, kpi_value>> totals;

  /// The value of a key, or nullptr.
  const kpi_value* find(const std::string& key) const {
    for (const auto& [k, v] : totals)
      if (k == key) return &v;
    return nullptr;
  }
  /// A numeric key as a double (throws std::out_of_range when absent or text).
  double number(const std::string& key) const {
    const kpi_value* v = find(key);
    if (!v || std::holds_alternative<std::string>(*v)) throw std::out_of_range("KPI '" + key + "' is not a number");
    return std::holds_alternative<double>(*v) ? std::get<double>(*v) : static_cast<double>(std::get<long long>(*v));
  }
  /// A text key (throws std::out_of_range when absent or numeric).
  const std::string& text(const std::string& key) const {
    const kpi_value* v = find(key);
    if (!v || !std::holds_alternative<std::string>(*v)) throw std::out_of_range("KPI '" + key + "' is not text");
    return std::get<std::string>(*v);
  }
};

/// One non-idle cell of a schedule as an assignment row.
struct assignment_row {
  int machine = 0;
  int block = 0;
  int slot = 0;
};

/// The non-idle cells sorted as the reference's assignment frame: by day, shift_id, machine_id,
/// block_id (string order). This is also the order of the assignments CSV.
inline std::vector<assignment_row> assignment_rows(const problem& pb, const schedule& s) {
  std::vector<assignment_row> rows;
  rows.reserve(s.assigned_count());
  for (int m = 0; m < pb.num_machines; ++m)
    for (int t = 0; t < pb.num_slots; ++t)
      if (const int b = s.at(m, t); b != idle) rows.push_back({m, b, t});
  std::sort(rows.begin(), rows.end(), [&](const assignment_row& a, const assignment_row& b) {
    const slot& sa = pb.slots[a.slot];
    const slot& sb = pb.slots[b.slot];
    return std::tie(sa.day, sa.shift_id, pb.machine_ids[a.machine], pb.block_ids[a.block]) <
           std::tie(sb.day, sb.shift_id, pb.machine_ids[b.machine], pb.block_ids[b.block]);
  });
  return rows;
}

namespace detail {

inline double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

}  // namespace detail

/// Computes the KPIs of a schedule.
inline kpi_result compute_kpis(const problem& pb, const schedule& s) {
  constexpr double kpi_epsilon = 1e-6;
  kpi_result out;
  auto& totals = out.totals;
  const std::vector<assignment_row> frame = assignment_rows(pb, s);

  // Day-major, then (machine_id, block_id) within a day; shift order and scenario order ignored.
  std::vector<assignment_row> rows = frame;
  std::stable_sort(rows.begin(), rows.end(), [&](const assignment_row& a, const assignment_row& b) {
    const int da = pb.slot_day[a.slot], db = pb.slot_day[b.slot];
    if (da != db) return da < db;
    return std::tie(pb.machine_ids[a.machine], pb.block_ids[a.block]) <
           std::tie(pb.machine_ids[b.machine], pb.block_ids[b.block]);
  });

  // Production: min(rate, remaining) per row, no feasibility filtering.
  std::vector<double> remaining = pb.work;
  double production = 0.0;
  for (const auto& r : rows) {
    const double rate = pb.rate[pb.mb(r.machine, r.block)];
    const double p = rate <= remaining[r.block] ? rate : remaining[r.block];
    const double left = remaining[r.block] - p;
    remaining[r.block] = left > 0.0 ? left : 0.0;
    production += p;
  }
  double completed = 0.0;
  for (double r : remaining)
    if (r <= kpi_epsilon) completed += 1.0;
  totals.emplace_back("total_production", production);
  totals.emplace_back("completed_blocks", completed);

  // Mobilisation: prev tracked over all rows, never reset; landing = destination's landing.
  if (pb.has_mobilisation) {
    double total = 0.0;
    std::map<std::string, double> by_machine, by_landing;
    bool charged = false;
    std::vector<int> prev(pb.num_machines, -1);
    for (const auto& r : rows) {
      const int q = prev[r.machine];
      if (q >= 0 && q != r.block && pb.has_move_params[r.machine]) {
        const double cost = pb.move_cost(r.machine, q, r.block);
        total += cost;
        by_machine[pb.machine_ids[r.machine]] += cost;
        by_landing[pb.landing_ids[pb.landing_of[r.block]]] += cost;
        charged = true;
      }
      prev[r.machine] = r.block;
    }
    totals.emplace_back("mobilisation_cost", total);
    if (charged) {
      for (auto& [k, v] : by_machine) v = python_round(v, 3);
      for (auto& [k, v] : by_landing) v = python_round(v, 3);
      totals.emplace_back("mobilisation_cost_by_machine", python_json_dict(by_machine));
      totals.emplace_back("mobilisation_cost_by_landing", python_json_dict(by_landing));
    }
  }

  // Sequencing: day-granular re-check, present when any block names a harvest system.
  if (std::any_of(pb.has_system_id.begin(), pb.has_system_id.end(), [](auto v) { return v != 0; })) {
    const int R = pb.num_roles;
    std::vector<long long> cum(static_cast<std::size_t>(pb.num_blocks) * std::max(R, 1), 0);
    std::vector<long long> today(cum.size(), 0);
    std::map<std::string, long long> reasons;
    std::set<int> bad_blocks, bad_days;
    long long violations = 0;
    std::size_t i = 0;
    while (i < rows.size()) {
      const int day = pb.slot_day[rows[i].slot];
      std::fill(today.begin(), today.end(), 0);
      for (; i < rows.size() && pb.slot_day[rows[i].slot] == day; ++i) {
        const auto& r = rows[i];
        if (!pb.system_resolved[r.block]) continue;
        const int role = pb.machine_role[r.machine];
        const char* reason = nullptr;
        if (!pb.role_allowed[pb.mb(r.machine, r.block)]) {
          reason = role < 0 ? "unknown_role" : "forbidden_role";
        } else if (role >= 0) {
          const std::size_t br = static_cast<std::size_t>(r.block) * R;
          const auto [q0, q1] = pb.prerequisites(r.block, role);
          if (q0 != q1) {
            long long avail = cum[br + *q0];
            for (const int* q = q0 + 1; q != q1; ++q) avail = std::min(avail, cum[br + *q]);
            if (avail < cum[br + role] + today[br + role] + 1) reason = "missing_prereq";
          }
          ++today[br + role];
        }
        if (reason) {
          ++violations;
          ++reasons[reason];
          bad_blocks.insert(r.block);
          bad_days.insert(day);
        }
      }
      for (std::size_t k = 0; k < cum.size(); ++k) cum[k] += today[k];
    }
    long long system_blocks = 0;
    for (int b = 0; b < pb.num_blocks; ++b) system_blocks += pb.system_resolved[b];
    std::string breakdown;
    for (const auto& [k, v] : reasons) breakdown += (breakdown.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    totals.emplace_back("sequencing_violation_count", violations);
    totals.emplace_back("sequencing_violation_blocks", static_cast<long long>(bad_blocks.size()));
    totals.emplace_back("sequencing_violation_days", static_cast<long long>(bad_days.size()));
    totals.emplace_back("sequencing_clean_blocks", system_blocks - static_cast<long long>(bad_blocks.size()));
    totals.emplace_back("sequencing_violation_breakdown", breakdown.empty() ? std::string("none") : breakdown);
  }

  // Repair-usage alert: machines off the default 10,000 h bucket.
  {
    std::string alert;
    for (int m = 0; m < pb.num_machines; ++m) {
      const auto& h = pb.machine_repair_usage_hours[m];
      if (h && *h != 10000) alert += (alert.empty() ? "" : ", ") + pb.machine_ids[m];
    }
    if (!alert.empty()) totals.emplace_back("repair_usage_alert", alert);
  }

  // Utilisation (deterministic playback): worked vs available hours per shift and per day.
  const auto row_hours = [&](int m, int t) {
    return pb.slot_hours[t] >= 0.0 ? pb.slot_hours[t] : pb.machine_daily_hours[m];
  };
  const auto slot_available_hours = [&](int m, int t) {
    return pb.available[pb.ms(m, t)] ? row_hours(m, t) : 0.0;
  };
  if (!frame.empty()) {
    // Shift summaries: one per (day, shift, machine) with work.
    std::vector<double> ratios;
    std::map<int, std::vector<double>> by_machine;
    std::map<int, std::vector<double>> by_role;
    std::vector<double> day_worked(pb.num_days + 1, 0.0), day_summary_available(pb.num_days + 1, 0.0);
    double worked_sum = 0.0, available_sum = 0.0;
    for (const auto& r : frame) {
      const double worked = row_hours(r.machine, r.slot);
      const double avail = slot_available_hours(r.machine, r.slot);
      const double ratio = avail > 0.0 ? worked / avail : 0.0;
      ratios.push_back(ratio);
      by_machine[r.machine].push_back(ratio);
      if (pb.machine_role[r.machine] >= 0) by_role[pb.machine_role[r.machine]].push_back(ratio);
      worked_sum += worked;
      available_sum += avail;
      day_worked[pb.slot_day[r.slot]] += worked;
      day_summary_available[pb.slot_day[r.slot]] += avail;
    }
    std::map<std::string, double> machine_json, role_json;
    for (const auto& [m, v] : by_machine) machine_json[pb.machine_ids[m]] = python_round(detail::mean_of(v), 4);
    for (const auto& [r, v] : by_role) role_json[pb.role_names[r]] = python_round(detail::mean_of(v), 4);
    totals.emplace_back("utilisation_ratio_mean_shift", detail::mean_of(ratios));
    totals.emplace_back("utilisation_ratio_weighted_shift", available_sum > 0.0 ? worked_sum / available_sum : 0.0);
    totals.emplace_back("utilisation_ratio_by_machine", python_json_dict(machine_json));
    totals.emplace_back("utilisation_ratio_by_role", python_json_dict(role_json));
    // Days: worked / max(summary availability, availability of every machine that day).
    std::vector<double> day_capacity(pb.num_days + 1, 0.0);
    for (int m = 0; m < pb.num_machines; ++m)
      for (int t = 0; t < pb.num_slots; ++t) day_capacity[pb.slot_day[t]] += slot_available_hours(m, t);
    std::vector<double> day_ratios;
    double day_worked_sum = 0.0, day_denominator_sum = 0.0;
    for (int d = 1; d <= pb.num_days; ++d) {
      // The reference's availability map holds only days with available hours (plus days with work).
      if (day_capacity[d] <= 0.0 && day_worked[d] <= 0.0 && day_summary_available[d] <= 0.0) continue;
      const double denominator = std::max(day_summary_available[d], day_capacity[d]);
      day_ratios.push_back(denominator > 0.0 ? day_worked[d] / denominator : 0.0);
      day_worked_sum += day_worked[d];
      day_denominator_sum += denominator;
    }
    totals.emplace_back("utilisation_ratio_mean_day", detail::mean_of(day_ratios));
    totals.emplace_back("utilisation_ratio_weighted_day",
                        day_denominator_sum > 0.0 ? day_worked_sum / day_denominator_sum : 0.0);
  }

  // Makespan: the latest slot (construction order) where playback credits production.
  {
    std::vector<assignment_row> playback = frame;
    std::stable_sort(playback.begin(), playback.end(),
                     [](const assignment_row& a, const assignment_row& b) { return a.slot < b.slot; });
    std::vector<double> left = pb.work;
    int last_slot = -1;
    for (const auto& r : playback) {
      const double rate = pb.rate[pb.mb(r.machine, r.block)];
      const double p = rate <= left[r.block] ? rate : left[r.block];
      left[r.block] = std::max(0.0, left[r.block] - p);
      if (p > 0.0) last_slot = std::max(last_slot, r.slot);
    }
    if (last_slot >= 0) {
      totals.emplace_back("makespan_day", static_cast<long long>(pb.slot_day[last_slot]));
      totals.emplace_back("makespan_shift", pb.slots[last_slot].shift_id);
    } else {
      totals.emplace_back("makespan_day", 0LL);
      totals.emplace_back("makespan_shift", std::string("N/A"));
    }
  }
  return out;
}

}  // namespace fhops::harvest
