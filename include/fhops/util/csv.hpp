/// \file
/// A small CSV table reader with the cell semantics of pandas `read_csv` that scenario files rely on,
/// and errors that name file, row and column.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"

namespace fhops {

namespace detail {

inline std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// pandas' default NA spellings: such a cell is missing (NaN), whatever the column.
inline bool is_na_token(std::string_view s) {
  static constexpr std::array<std::string_view, 19> tokens{
      "",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
      "<NA>", "N/A",  "NA",       "NULL", "NaN",    "None",     "n/a",  "nan",  "null"};
  return std::find(tokens.begin(), tokens.end(), s) != tokens.end();
}

// Parses a decimal floating-point number the way pandas' C parser accepts it (surrounding
// blanks allowed, optional sign, exponent, inf/infinity); the result is correctly rounded.
inline std::optional<double> parse_double(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  std::string_view body = s;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return std::nullopt;
  std::string lower(body);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "inf" || lower == "infinity") return negative ? -HUGE_VAL : HUGE_VAL;
  if (!(std::isdigit(static_cast<unsigned char>(body.front())) || body.front() == '.')) return std::nullopt;
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc{} || ptr != body.data() + body.size()) return std::nullopt;
  return negative ? -value : value;
}

}  // namespace detail

/// One parsed CSV file: a header and rows of cells. Cells are kept as text; typed getters apply the
/// pandas rules (NA tokens are missing, integral floats such as `3.0` are accepted as integers) and
/// throw input_error naming the file, the spreadsheet row (header = row 1) and the column.
class csv_table {
public:
  /// Parses CSV text. Quoted fields (RFC 4180, `""` for a quote), CRLF line ends, a UTF-8 BOM and
  /// blank lines (skipped, as pandas does) are handled.
  static csv_table parse(std::string text, std::string path) {
    csv_table t;
    t.path_ = std::move(path);
    t.text_ = std::move(text);
    t.tokenise();
    return t;
  }

  /// Reads and parses a file; a missing, empty or header-less file is an input_error.
  static csv_table read(const std::filesystem::path& path) {
    csv_table t = parse(read_text_file(path), path.string());
    if (t.header_.empty()) throw input_error(path.string(), "file is empty (expected a header row)");
    return t;
  }

  const std::string& path() const noexcept { return path_; }
  const std::vector<std::string>& header() const noexcept { return header_; }
  std::size_t size() const noexcept { return rows_.size(); }

  /// Index of a column, or -1 when absent.
  int column(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
      if (header_[i] == name) return static_cast<int>(i);
    return -1;
  }

  /// Index of a required column; throws naming the file and the header row when it is absent. The
  /// header is quoted only when it looks like one (at most 40 names of letters, digits, `_`, `-`,
  /// `.` and blanks), so a file of another kind never has its first line echoed.
  int require_column(std::string_view name) const {
    const int c = column(name);
    if (c < 0) {
      const auto plain = [](const std::string& h) {
        if (h.empty() || h.size() > 40) return false;
        for (const char ch : h)
          if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.' && ch != ' ') return false;
        return true;
      };
      bool shown = header_.size() <= 40;
      std::string have;
      for (const auto& h : header_) {
        shown = shown && plain(h);
        have += (have.empty() ? "" : ",") + h;
      }
      throw input_error(path_, 1, std::string(name),
                        "required column is missing (" +
                            (shown ? "header is '" + have + "'" : std::string("the file's first line is not a CSV header of this table")) +
                            ")");
    }
    return c;
  }

  /// The spreadsheet row number of data row i (header = 1, first data row = 2, blank lines counted).
  std::size_t line_of(std::size_t i) const { return rows_[i].line; }

  /// The raw text of a cell ("" when the row is short or the column absent).
  std::string_view raw(std::size_t i, int col) const {
    if (col < 0) return {};
    const auto& r = rows_[i];
    return static_cast<std::size_t>(col) < r.cells.size() ? std::string_view(r.cells[col]) : std::string_view{};
  }

  /// True when the cell is missing: absent column, short row or a pandas NA token.
  bool missing(std::size_t i, int col) const { return col < 0 || detail::is_na_token(raw(i, col)); }

  /// A required text cell (an id): must not be missing.
  std::string text(std::size_t i, int col) const {
    if (missing(i, col)) fail(i, col, "value is missing (blank or NA)");
    return std::string(raw(i, col));
  }

  /// An optional text cell: nullopt when missing.
  std::optional<std::string> optional_text(std::size_t i, int col) const {
    if (missing(i, col)) return std::nullopt;
    return std::string(raw(i, col));
  }

  /// A required number. Missing cells are rejected (pandas would read NaN; see docs/compatibility.md).
  double number(std::size_t i, int col) const {
    if (missing(i, col)) fail(i, col, "value is missing (blank or NA), expected a number");
    const auto v = detail::parse_double(raw(i, col));
    if (!v) fail(i, col, "'" + excerpt(raw(i, col)) + "' is not a number");
    if (std::isnan(*v)) fail(i, col, "value is NaN, expected a number");
    return *v;
  }

  /// An optional number: the default when the column is absent, otherwise as number().
  double number_or(std::size_t i, int col, double fallback) const {
    if (col < 0) return fallback;
    return number(i, col);
  }

  /// A required integer; integral floats (`3.0`) are accepted as pandas/pydantic do.
  long long integer(std::size_t i, int col) const {
    if (missing(i, col)) fail(i, col, "value is missing (blank or NA), expected an integer");
    const auto v = detail::parse_double(raw(i, col));
    if (!v || !std::isfinite(*v) || std::trunc(*v) != *v) fail(i, col, "'" + excerpt(raw(i, col)) + "' is not an integer");
    if (std::fabs(*v) > 9.0e15) fail(i, col, "'" + excerpt(raw(i, col)) + "' is out of range (|value| <= 9e15)");
    return static_cast<long long>(*v);
  }

  /// An optional integer: nullopt when missing.
  std::optional<long long> optional_integer(std::size_t i, int col) const {
    if (missing(i, col)) return std::nullopt;
    return integer(i, col);
  }

  /// True when every present cell of the column parses as a number: pandas then gives the column a
  /// numeric dtype, which the reference rejects for id fields.
  bool column_is_numeric(int col) const {
    if (col < 0) return false;
    bool any = false;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      if (missing(i, col)) continue;
      if (!detail::parse_double(raw(i, col))) return false;
      any = true;
    }
    return any;
  }

  /// Throws input_error for data row i and column col.
  [[noreturn]] void fail(std::size_t i, int col, const std::string& rule) const {
    throw input_error(path_, rows_[i].line, col >= 0 ? header_[col] : std::string{}, rule);
  }

  /// Throws input_error for data row i naming a column by name (which may be absent).
  [[noreturn]] void fail(std::size_t i, std::string_view column, const std::string& rule) const {
    throw input_error(path_, rows_[i].line, std::string(column), rule);
  }

private:
  struct row {
    std::size_t line;
    std::vector<std::string> cells;
  };

  void tokenise() {
    std::string_view s = text_;
    if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
    std::size_t pos = 0;
    std::size_t line = 1;
    bool have_header = false;
    std::vector<std::string> cells;
    std::string cell;
    while (pos < s.size()) {
      const std::size_t start_line = line;
      cells.clear();
      bool blank = true;
      // One record: fields separated by ',' up to an unquoted line end.
      for (;;) {
        cell.clear();
        if (pos < s.size() && s[pos] == '"') {
          ++pos;
          for (;;) {
            if (pos >= s.size()) throw input_error(path_, start_line, {}, "unterminated quoted field");
            const char c = s[pos++];
            if (c == '"') {
              if (pos < s.size() && s[pos] == '"') {
                cell += '"';
                ++pos;
              } else {
                break;
              }
            } else {
              if (c == '\n') ++line;
              cell += c;
            }
          }
          blank = false;
          // Text after a closing quote up to the separator is kept, as pandas does.
          while (pos < s.size() && s[pos] != ',' && s[pos] != '\n' && s[pos] != '\r') cell += s[pos++];
        } else {
          const std::size_t end = s.find_first_of(",\r\n", pos);
          const std::size_t stop = end == std::string_view::npos ? s.size() : end;
          cell.assign(s.substr(pos, stop - pos));
          pos = stop;
          if (!cell.empty()) blank = false;
        }
        cells.push_back(cell);
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          blank = false;
          continue;
        }
        break;
      }
      if (pos < s.size() && s[pos] == '\r') ++pos;
      if (pos < s.size() && s[pos] == '\n') ++pos;
      ++line;
      if (blank) continue;
      if (!have_header) {
        header_ = cells;
        have_header = true;
        header_line_ = start_line;
      } else {
        if (cells.size() > header_.size())
          throw input_error(path_, start_line, {},
                            "row has " + std::to_string(cells.size()) + " fields, the header has " +
                                std::to_string(header_.size()));
        rows_.push_back(row{start_line, cells});
      }
    }
  }

  std::string path_;
  std::string text_;
  std::vector<std::string> header_;
  std::size_t header_line_ = 1;
  std::vector<row> rows_;
};

}  // namespace fhops
