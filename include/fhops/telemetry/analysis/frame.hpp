/// \file
/// A small column-typed table for the telemetry analysis reports (telemetry_tuning.md §6, §7): rows
/// of `fhops::record` with an explicit column order, read from CSV with pandas' dtype inference and
/// written back as pandas writes it (integers stay integers until a missing value makes the column
/// float, floats in shortest repr, NA empty), plus the Markdown cell spellings the reference's
/// scripts use (`%.3f`, the literal `+` before a delta, percentages ×100, NA empty or `nan`).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "fhops/util/csv.hpp"
#include "fhops/util/flat_records.hpp"

namespace fhops::telemetry {

/// A table: column names in order and rows (a row may lack a column: that cell is NA).
struct frame {
  std::vector<std::string> columns;
  std::vector<record> rows;

  bool has(std::string_view name) const {
    for (const auto& c : columns)
      if (c == name) return true;
    return false;
  }
  /// Appends a column name unless present.
  void add_column(const std::string& name) {
    if (!has(name)) columns.push_back(name);
  }
};

/// True when a cell value is NA (absent, monostate or a NaN float).
inline bool is_na(const record_value* v) {
  if (!v || std::holds_alternative<std::monostate>(*v)) return true;
  if (const auto* d = std::get_if<double>(v)) return std::isnan(*d);
  return false;
}

/// A cell as text ("" when NA; numbers in Python's `str()` spelling).
inline std::string cell_text(const record& r, const std::string& column) {
  const record_value* v = r.find(column);
  if (is_na(v)) return "";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<long long>(v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(v)) return python_float_repr(*d);
  return std::get<bool>(*v) ? "True" : "False";
}

namespace detail {

inline bool is_integer_literal(std::string_view s) {
  s = fhops::detail::trim(s);
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace detail

/// Reads a parsed CSV as pandas' `read_csv` types it: a column whose cells are all integer literals
/// (none missing) holds integers, one whose present cells are all numbers holds floats (missing →
/// NaN), any other column holds text (missing → NA).
inline frame read_frame(const csv_table& t) {
  frame f;
  f.columns = t.header();
  f.rows.resize(t.size());
  for (std::size_t c = 0; c < t.header().size(); ++c) {
    const int col = static_cast<int>(c);
    bool all_int = true, all_num = true;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t.missing(i, col)) {
        all_int = false;
        continue;
      }
      const std::string_view raw = t.raw(i, col);
      if (!detail::is_integer_literal(raw)) all_int = false;
      if (!fhops::detail::parse_double(raw)) all_num = all_int = false;
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
      record_value v;
      if (!t.missing(i, col)) {
        const std::string_view raw = t.raw(i, col);
        if (all_int) v = std::stoll(std::string(fhops::detail::trim(raw)));
        else if (all_num) v = *fhops::detail::parse_double(raw);
        else v = std::string(raw);
      } else if (all_num) {
        v = std::nan("");
      }
      f.rows[i].set(f.columns[c], std::move(v));
    }
  }
  return f;
}

/// pandas' upcasting after joins and concatenations: a column holding integers and any missing
/// value or float becomes a float column (NaN for the missing cells).
inline void normalise_dtypes(frame& f) {
  for (const auto& c : f.columns) {
    bool ints = false, floats_or_na = false, text = false;
    for (const auto& r : f.rows) {
      const record_value* v = r.find(c);
      if (is_na(v) || std::holds_alternative<double>(*v)) floats_or_na = true;
      else if (std::holds_alternative<long long>(*v)) ints = true;
      else text = true;
    }
    if (!ints || !floats_or_na || text) continue;
    for (auto& r : f.rows) {
      const record_value* v = r.find(c);
      if (const auto* i = v ? std::get_if<long long>(v) : nullptr) r.set(c, static_cast<double>(*i));
      else if (is_na(v)) r.set(c, std::nan(""));
    }
  }
}

/// The table as pandas' `to_csv(index=False)` writes it: LF, minimal quoting, NA empty. A table with
/// no columns is the empty text pandas writes for an empty frame (one empty line).
inline std::string frame_csv(const frame& f) {
  if (f.columns.empty()) return "\n";
  return records_csv(f.rows, f.columns);
}

/// A number of a cell, NaN when NA or text.
inline double cell_number(const record& r, const std::string& column) { return r.number(column); }

/// `%.3f`, or "" for NaN.
inline std::string md_number(double v) { return std::isnan(v) ? "" : fmt::format("{:.3f}", v); }

/// A delta: `+` then `%.3f`, the `+` literal even before a minus (`+-0.500`, telemetry_tuning.md
/// §14 quirk 15); "" for NaN.
inline std::string md_delta(double v) { return std::isnan(v) ? "" : "+" + fmt::format("{:.3f}", v); }

/// A fraction shown as a percentage: `value·100` as `%.3f%`; "" for NaN.
inline std::string md_percent(double v) { return std::isnan(v) ? "" : fmt::format("{:.3f}%", v * 100.0); }

/// A count: the integer, "" for NaN.
inline std::string md_count(double v) { return std::isnan(v) ? "" : fmt::format("{}", static_cast<long long>(v)); }

/// A Markdown table: header row, `| --- |` separator, one line per row, each ending in `\n`.
inline std::string markdown_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  const auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& c : cells) out += " " + c + " |";
    return out + "\n";
  };
  std::string out = line(header);
  out += "|";
  for (std::size_t i = 0; i < header.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

/// Every column of a table as Markdown (the convergence and tuner-meta tables): floats `%.3f` with
/// NaN as `nan`, integers as integers, text as is, NA as `na_text`; `empty_text` when there are no rows.
inline std::string frame_markdown(const frame& f, const std::string& empty_text, const std::string& na_text = "nan") {
  if (f.rows.empty()) return empty_text + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : f.rows) {
    std::vector<std::string> cells;
    for (const auto& c : f.columns) {
      const record_value* v = r.find(c);
      if (const auto* d = v ? std::get_if<double>(v) : nullptr) cells.push_back(std::isnan(*d) ? "nan" : fmt::format("{:.3f}", *d));
      else if (is_na(v)) cells.push_back(na_text);
      else cells.push_back(cell_text(r, c));
    }
    rows.push_back(std::move(cells));
  }
  return markdown_table(f.columns, rows);
}

}  // namespace fhops::telemetry
