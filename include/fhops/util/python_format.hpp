/// \file
/// Number formatting that matches Python's `repr(float)` and `json.dumps`, for byte-compatible outputs.
#pragma once

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace fhops {

/// Python's `repr(x)` for a float: shortest round-trip digits, `.0` on integral values,
/// exponent form below 1e-4 and from 1e16 on (`1e-05`, `1e+16`), `inf`, `-inf`, `nan`.
inline std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  std::string s = fmt::format("{}", x);  // {fmt} shortest round-trip, Python-like thresholds
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

/// The JSON spelling Python's `json.dumps` gives a float: like repr, but `NaN`, `Infinity`.
inline std::string python_json_float(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x < 0 ? "-Infinity" : "Infinity";
  return python_float_repr(x);
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
