/// \file
/// Flat records (ordered name -> value) and their CSV and JSON texts, written the way pandas'
/// `DataFrame.to_csv` (LF, union of columns in first-appearance order, floats in shortest repr,
/// NA empty) and Python's `json.dump(records, indent=2)` write them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops {

/// One value: NA, a float, an integer, text or a boolean.
using record_value = std::variant<std::monostate, double, long long, std::string, bool>;

/// A record: values by column name, in insertion order.
class record {
public:
  /// Sets a column (replacing its value if present).
  record& set(const std::string& name, record_value v) {
    for (auto& [n, x] : items_)
      if (n == name) {
        x = std::move(v);
        return *this;
      }
    items_.emplace_back(name, std::move(v));
    return *this;
  }
  const record_value* find(const std::string& name) const {
    for (const auto& [n, x] : items_)
      if (n == name) return &x;
    return nullptr;
  }
  /// A numeric column as a double; NaN when absent, NA or text.
  double number(const std::string& name) const {
    const record_value* v = find(name);
    if (!v) return std::nan("");
    if (const auto* d = std::get_if<double>(v)) return *d;
    if (const auto* i = std::get_if<long long>(v)) return static_cast<double>(*i);
    return std::nan("");
  }
  const std::vector<std::pair<std::string, record_value>>& items() const noexcept { return items_; }

private:
  std::vector<std::pair<std::string, record_value>> items_;
};

namespace detail {

inline std::string csv_cell(const record_value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const auto* d = std::get_if<double>(&v)) return std::isnan(*d) ? "" : python_float_repr(*d);
  if (const auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "True" : "False";
  const std::string& s = std::get<std::string>(v);
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

inline std::string json_cell(const record_value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const auto* d = std::get_if<double>(&v)) return json_number(*d);
  if (const auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return json_quote(std::get<std::string>(v));
}

}  // namespace detail

/// The columns of a record set: every name, in order of first appearance.
inline std::vector<std::string> record_columns(const std::vector<record>& rows) {
  std::vector<std::string> cols;
  for (const auto& r : rows)
    for (const auto& [n, v] : r.items())
      if (std::find(cols.begin(), cols.end(), n) == cols.end()) cols.push_back(n);
  return cols;
}

/// CSV text of a record set with the given columns (header + one line per record; a missing
/// column is empty).
inline std::string records_csv(const std::vector<record>& rows, const std::vector<std::string>& cols) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + detail::csv_cell(cols[i]);
  out += "\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const record_value* v = r.find(cols[i]);
      out += (i ? "," : "") + (v ? detail::csv_cell(*v) : std::string());
    }
    out += "\n";
  }
  return out;
}

/// CSV text of a record set with every column, in order of first appearance.
inline std::string records_csv(const std::vector<record>& rows) { return records_csv(rows, record_columns(rows)); }

/// JSON text of a record set: a list of objects with each record's own keys, indented by 2.
inline std::string records_json(const std::vector<record>& rows) {
  if (rows.empty()) return "[]";
  std::string out = "[\n";
  for (std::size_t k = 0; k < rows.size(); ++k) {
    out += "  {";
    const auto& items = rows[k].items();
    for (std::size_t i = 0; i < items.size(); ++i)
      out += std::string(i ? "," : "") + "\n    " + json_quote(items[i].first) + ": " + detail::json_cell(items[i].second);
    out += items.empty() ? "}" : "\n  }";
    out += k + 1 < rows.size() ? ",\n" : "\n";
  }
  return out + "]";
}

}  // namespace fhops
