/// \file
/// Writing JSON text the way Python's `json.dumps` does (string escaping, float spelling), for
/// outputs that must be byte-compatible with the reference.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fhops/util/hex.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops {

namespace detail {

/// Appends `\u` and the code unit u as four lowercase hex digits (json.dumps' escape).
inline void append_json_unicode_escape(std::string& out, std::uint32_t u) {
  out += "\\u";
  append_hex(out, u, 4);
}

}  // namespace detail

/// Appends json_quote(s, ensure_ascii) to `out`.
inline void append_json_quoted(std::string& out, std::string_view s, bool ensure_ascii = true) {
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (c < 0x20) {
      detail::append_json_unicode_escape(out, c);
    } else if (c < 0x80 || !ensure_ascii) {
      out += static_cast<char>(c);
    } else {
      // Decode one UTF-8 sequence (invalid bytes are written as U+FFFD).
      std::uint32_t cp = 0xFFFD;
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
      if (extra > 0) {
        cp = c & (0x3F >> extra);
        bool ok = true;
        for (int k = 1; k <= extra; ++k) {
          if (i + k >= s.size()) { ok = false; break; }
          const unsigned char cc = static_cast<unsigned char>(s[i + k]);
          if ((cc & 0xC0) != 0x80) { ok = false; break; }
          cp = (cp << 6) | (cc & 0x3F);
        }
        if (ok) i += extra; else cp = 0xFFFD;
      }
      if (cp >= 0x10000) {
        cp -= 0x10000;
        detail::append_json_unicode_escape(out, 0xD800 + (cp >> 10));
        detail::append_json_unicode_escape(out, 0xDC00 + (cp & 0x3FF));
      } else {
        detail::append_json_unicode_escape(out, cp);
      }
    }
  }
  out += '"';
}

/// A JSON string literal with quotes. With `ensure_ascii` (Python's default) every non-ASCII code
/// point is written as `\uXXXX` (surrogate pairs above U+FFFF); otherwise UTF-8 passes through.
inline std::string json_quote(std::string_view s, bool ensure_ascii = true) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_quoted(out, s, ensure_ascii);
  return out;
}

/// Appends a float as standard JSON: Python's repr for finite values (`13.0`, `1e-05`), `null`
/// for NaN and infinities, which JSON cannot spell (Python would write `NaN`, `Infinity`).
inline void append_json_number(std::string& out, double x) {
  if (std::isfinite(x)) append_python_float_repr(out, x);
  else out += "null";
}

/// json_number(x) as a string (see append_json_number).
inline std::string json_number(double x) {
  std::string out;
  append_json_number(out, x);
  return out;
}

/// Python's `json.dumps({k: v, ...}, sort_keys=True)` for a string → float mapping:
/// `{"a": 1.0, "b": 2.5}` (a non-finite value as `null`, see append_json_number).
inline std::string python_json_dict(const std::map<std::string, double>& values) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : values) {
    if (!first) out += ", ";
    first = false;
    out += json_quote(k);
    out += ": ";
    append_json_number(out, v);
  }
  out += "}";
  return out;
}

}  // namespace fhops
