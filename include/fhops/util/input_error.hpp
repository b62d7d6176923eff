/// \file
/// The one exception type for bad input files: it names the file, the row and the column at fault.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace fhops {

/// Thrown when an input file (CSV, YAML, JSONL) is missing or breaks a rule. `what()` is one line:
/// `path:row: column 'name': rule` (row 1-based as a spreadsheet shows it, the header is row 1),
/// with the row and column parts left out when they do not apply.
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
    std::string out = path;
    if (row > 0) out += ":" + std::to_string(row);
    out += ": ";
    if (!column.empty()) out += "column '" + column + "': ";
    out += rule;
    return out;
  }

  std::string path_;
  std::size_t row_;
  std::string column_;
  std::string rule_;
};

}  // namespace fhops
