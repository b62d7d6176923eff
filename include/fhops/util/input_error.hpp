/// \file
/// The one exception type for bad input files: it names the file, the row and the column at fault.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "fhops/util/hex.hpp"

namespace fhops {

namespace detail {

// The length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 when there is none.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

// Appends s with control characters and invalid UTF-8 escaped, stopping before `max` output bytes;
// returns how many input bytes were used.
inline std::size_t append_escaped(std::string& out, std::string_view s, std::size_t max) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::string piece;
    std::size_t used = 1;
    if (c == '\n') piece = "\\n";
    else if (c == '\r') piece = "\\r";
    else if (c == '\t') piece = "\\t";
    else if (c >= 0x20 && c < 0x7F) piece = std::string(1, static_cast<char>(c));
    else if (const std::size_t n = c >= 0x80 ? utf8_sequence(s, i) : 0) {
      piece = std::string(s.substr(i, n));
      used = n;
    } else {  // other control characters, DEL and invalid UTF-8 bytes
      piece = "\\x";
      append_hex(piece, c, 2);
    }
    if (out.size() + piece.size() > max) break;
    out += piece;
    i += used;
  }
  return i;
}

}  // namespace detail

/// A value as error messages quote it: control characters and invalid UTF-8 escaped (`\n`,
/// `\x1b`), cut to about `max` characters with `...` and the full length when longer, so a
/// message stays one short line whatever a file holds.
inline std::string excerpt(std::string_view s, std::size_t max = 40) {
  std::string out;
  const std::size_t used = detail::append_escaped(out, s, max);
  if (used < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

/// The text on one line: control characters escaped, nothing cut.
inline std::string one_line(std::string_view s) {
  std::string out;
  detail::append_escaped(out, s, std::string::npos);
  return out;
}

/// Thrown when an input file (CSV, YAML, JSONL) is missing or breaks a rule. `what()` is one line:
/// `path:row: column 'name': rule` (row 1-based as a spreadsheet shows it, the header is row 1),
/// with the row and column parts left out when they do not apply. Control characters in any part
/// are escaped and a very long rule is cut (rule() keeps it whole); values quoted in a rule should
/// go through excerpt().
class input_error : public std::runtime_error {
public:
  input_error(std::string path, std::size_t row, std::string column, std::string rule)
      : std::runtime_error(compose(path, row, column, rule)), path_(std::move(path)), row_(row),
        column_(std::move(column)), rule_(std::move(rule)) {}

  input_error(std::string path, std::string rule) : input_error(std::move(path), 0, {}, std::move(rule)) {}

  /// The file at fault.
  const std::string& path() const noexcept { return path_; }
  /// The 1-based row (header = 1), or 0 when the error is about the whole file.
  std::size_t row() const noexcept { return row_; }
  /// The column or key at fault, or empty.
  const std::string& column() const noexcept { return column_; }
  /// The rule that was broken, without the location.
  const std::string& rule() const noexcept { return rule_; }

private:
  static std::string compose(const std::string& path, std::size_t row, const std::string& column,
                             const std::string& rule) {
    std::string out = excerpt(path, 1024);
    if (row > 0) out += ":" + std::to_string(row);
    out += ": ";
    if (!column.empty()) out += "column '" + excerpt(column, 80) + "': ";
    out += excerpt(rule, 1000);
    return out;
  }

  std::string path_;
  std::size_t row_;
  std::string column_;
  std::string rule_;
};

}  // namespace fhops
