/// \file
/// Number formatting that matches Python's `repr(float)` and `json.dumps`, for byte-compatible outputs.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

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
  // The shortest round-trip digits in scientific form ("d.ddde+XX", std::to_chars: Ryu), then
  // Python's layout (float_repr_style 'short'): fixed when -4 <= exponent < 16, else scientific
  // with a sign and at least two exponent digits.
  char buf[40];
  const char* end = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific).ptr;
  const std::string_view sci(buf, static_cast<std::size_t>(end - buf));
  const std::size_t e = sci.find('e');
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), end, exponent);
  const bool negative = sci.front() == '-';
  std::string_view mantissa = sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0));  // "d" or "d.ddd"
  char digits[24];
  std::size_t n = 0;
  for (const char c : mantissa)
    if (c != '.') digits[n++] = c;
  if (negative) out += '-';
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-exponent - 1), '0');
      out.append(digits, n);
    } else if (static_cast<std::size_t>(exponent) + 1 >= n) {
      out.append(digits, n);
      out.append(static_cast<std::size_t>(exponent) + 1 - n, '0');
      out += ".0";
    } else {
      out.append(digits, static_cast<std::size_t>(exponent) + 1);
      out += '.';
      out.append(digits + exponent + 1, n - static_cast<std::size_t>(exponent) - 1);
    }
    return;
  }
  out += mantissa;
  out += exponent < 0 ? "e-" : "e+";
  const int magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude < 10) out += '0';
  out += std::to_string(magnitude);
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
  // and parses it back; std::to_chars' fixed formatting is correctly rounded the same way.
  if (ndigits < 0) throw std::invalid_argument("python_round: ndigits must be >= 0 (got " + std::to_string(ndigits) + ")");
  std::string text(static_cast<std::size_t>(ndigits) + 320, '\0');  // |x| < 1.8e308: at most 309 integer digits
  const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), x, std::chars_format::fixed, ndigits);
  if (ec != std::errc()) throw std::invalid_argument("python_round: cannot format the value");
  double rounded = 0.0;
  std::from_chars(text.data(), end, rounded);
  return rounded;
}

}  // namespace fhops
