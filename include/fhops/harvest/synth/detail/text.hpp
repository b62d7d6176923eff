/// \file
/// Text helpers of the synthetic generator's writers: YAML scalars and numbers, all
/// spelled the same on every machine (no locale, shortest round-trip floats).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhops/harvest/assignments_csv.hpp"  // detail::csv_field (pandas QUOTE_MINIMAL)
#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::harvest::detail {

/// A float as Python's repr writes it (`24.0`, `17.361`): what the reference's CSV files hold.
inline std::string num(double x) { return python_float_repr(x); }

/// True when `s` can be written as a plain YAML scalar and still reads back as the same string in
/// both YAML 1.1 (PyYAML) and 1.2 (yaml-cpp): letters first, then letters, digits and `_-./ `,
/// and not a word YAML 1.1 reads as a boolean or null.
inline bool yaml_plain_safe(std::string_view s) {
  if (s.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s.front()) || s.back() == ' ') return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.' && c != '/' && c != ' ') return false;
  std::string lower;
  for (char c : s) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  static const char* const reserved[] = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
  for (const char* r : reserved)
    if (lower == r) return false;
  return true;
}

/// A YAML scalar for a string: plain when safe, else double-quoted (a JSON string literal is a
/// valid YAML double-quoted scalar).
inline std::string yaml_string(std::string_view s) { return yaml_plain_safe(s) ? std::string(s) : json_quote(s, false); }

/// A YAML flow list `[a, b]` of already formatted scalars.
inline std::string yaml_flow(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

}  // namespace fhops::harvest::detail
