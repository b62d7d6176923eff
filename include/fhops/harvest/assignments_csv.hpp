/// \file
/// The reference's assignments CSV: `machine_id,block_id,day,shift_id,assigned`, one row per
/// non-idle slot, sorted by day, shift_id, machine_id, block_id (heuristics.md §8.2). Reading also
/// accepts the MIP format with a `production` column.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fhops/harvest/kpi.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/input_error.hpp"

namespace fhops::harvest {

namespace detail {

// pandas to_csv quoting (QUOTE_MINIMAL): quote fields holding the separator, a quote or a line end.
inline std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace detail

/// The CSV text of a schedule in the reference format (`\n` line ends, header always present).
inline std::string assignments_csv_text(const problem& pb, const schedule& s) {
  std::string out = "machine_id,block_id,day,shift_id,assigned\n";
  for (const auto& r : assignment_rows(pb, s)) {
    out += detail::csv_field(pb.machine_ids[r.machine]);
    out += ',';
    out += detail::csv_field(pb.block_ids[r.block]);
    out += ',';
    out += std::to_string(pb.slots[r.slot].day);
    out += ',';
    out += detail::csv_field(pb.slots[r.slot].shift_id);
    out += ",1\n";
  }
  return out;
}

/// Parses assignments CSV text into a schedule. Rows with `assigned` = 0 are skipped; a
/// `production` column is accepted and ignored. Unknown machine or block ids, a (day, shift_id)
/// that is not a slot of the problem and a second row for the same machine-slot are input_errors
/// naming the row. `shift_id` may be omitted when every day has exactly one slot.
inline schedule parse_assignments_csv(const problem& pb, std::string text, const std::string& path) {
  const csv_table t = csv_table::parse(std::move(text), path);
  if (t.header().empty()) throw input_error(path, "file is empty (expected the header machine_id,block_id,day,shift_id,assigned)");
  const int c_m = t.require_column("machine_id");
  const int c_b = t.require_column("block_id");
  const int c_day = t.require_column("day");
  const int c_shift = t.column("shift_id");
  const int c_assigned = t.column("assigned");
  if (c_shift < 0 && pb.num_slots != pb.num_days)
    t.require_column("shift_id");  // several slots per day: the shift must be named
  schedule s(pb);
  std::vector<std::size_t> row_of(s.cells.size(), 0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (c_assigned >= 0 && t.integer(i, c_assigned) == 0) continue;
    const std::string mid = t.text(i, c_m);
    const int m = pb.machine_index(mid);
    if (m < 0) t.fail(i, c_m, "unknown machine_id '" + excerpt(mid) + "'");
    const std::string bid = t.text(i, c_b);
    const int b = pb.block_index(bid);
    if (b < 0) t.fail(i, c_b, "unknown block_id '" + excerpt(bid) + "'");
    const long long day = t.integer(i, c_day);
    if (day < 1 || day > pb.num_days)
      t.fail(i, c_day, "day " + std::to_string(day) + " is outside the horizon 1.." + std::to_string(pb.num_days));
    int slot_ix = -1;
    if (c_shift >= 0) {
      const std::string shift = t.text(i, c_shift);
      slot_ix = pb.slot_index(static_cast<int>(day), shift);
      if (slot_ix < 0)
        t.fail(i, c_shift, "(day " + std::to_string(day) + ", shift '" + excerpt(shift) + "') is not a shift slot of the scenario");
    } else {
      for (int k = 0; k < pb.num_slots && slot_ix < 0; ++k)
        if (pb.slots[k].day == day) slot_ix = k;
      if (slot_ix < 0) t.fail(i, c_day, "day " + std::to_string(day) + " has no shift slot");
    }
    const std::size_t c = pb.ms(m, slot_ix);
    if (s.cells[c] != idle)
      t.fail(i, c_m, "machine '" + excerpt(mid) + "' is already assigned in this slot (row " + std::to_string(row_of[c]) + ")");
    s.cells[c] = b;
    row_of[c] = t.line_of(i);
  }
  return s;
}

/// Reads an assignments CSV file into a schedule (see parse_assignments_csv); only a regular file
/// of at most 1 GiB is read (read_text_file).
inline schedule read_assignments_csv(const problem& pb, const std::filesystem::path& path) {
  return parse_assignments_csv(pb, read_text_file(path), path.string());
}

}  // namespace fhops::harvest
