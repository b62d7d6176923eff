/// \file
/// Number formatting that matches Python's `repr(float)` and `json.dumps`, for byte-compatible outputs.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace fhops {

/// Python's `repr(x)` for a float: shortest round-trip digits, `.0` on integral values,
/// exponent form below 1e-4 and from 1e16 on (`1e-05`, `1e+16`), `inf`, `-inf`, `nan`.
/// Appends python_float_repr(x) to `out` (no temporary string: the hot path of step logging).
inline void append_python_float_repr(std::string& out, double x) {
  if (std::isnan(x)) {
    out += "nan";
    return;
  }
  if (std::isinf(x)) {
    out += x < 0 ? "-inf" : "inf";
    return;
  }
  char buf[40];
  // {fmt} shortest round-trip, Python-like thresholds (a compiled format: no parsing per call)
  const std::string_view s(buf, static_cast<std::size_t>(fmt::format_to(buf, FMT_COMPILE("{}"), x) - buf));
  out += s;
  if (s.find_first_of(".en") == std::string_view::npos) out += ".0";
}

inline std::string python_float_repr(double x) {
  std::string s;
  append_python_float_repr(s, x);
  return s;
}

/// Appends python_json_float(x) to `out`.
inline void append_python_json_float(std::string& out, double x) {
  if (std::isnan(x)) out += "NaN";
  else if (std::isinf(x)) out += x < 0 ? "-Infinity" : "Infinity";
  else append_python_float_repr(out, x);
}

/// The JSON spelling Python's `json.dumps` gives a float: like repr, but `NaN`, `Infinity`.
inline std::string python_json_float(double x) {
  std::string s;
  append_python_json_float(s, x);
  return s;
}

/// Python's `round(x, ndigits)`: round half to even on the exact binary value, as CPython does
/// (via the correctly rounded decimal string of x).
inline double python_round(double x, int ndigits) {
  if (!std::isfinite(x)) return x;
  // CPython formats x with ndigits decimals (correctly rounded, half-even on the exact value)
  // and parses it back; {fmt} fixed formatting is correctly rounded the same way.
  const std::string s = fmt::format("{:.{}f}", x, ndigits);
  return std::stod(s);
}

}  // namespace fhops
