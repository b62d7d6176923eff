/// \file
/// Lowercase hexadecimal digits, the spelling of escapes (`\uXXXX`, `\xHH`) and random names.
#pragma once

#include <cstdint>
#include <string>

namespace fhops {

/// Appends the low `digits` hex digits of `value` to `out`, most significant first, lowercase.
inline void append_hex(std::string& out, std::uint64_t value, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += hex[(value >> shift) & 0xF];
}

}  // namespace fhops
