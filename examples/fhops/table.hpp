// A plain text table for the console: a title, a header row and left-aligned columns.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace fhops_cli {

class text_table {
public:
  text_table(std::string title, std::vector<std::string> header) : title_(std::move(title)), header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  std::string str() const {
    std::vector<std::size_t> w(header_.size(), 0);
    const auto widen = [&](const std::vector<std::string>& r) {
      for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
    };
    widen(header_);
    for (const auto& r : rows_) widen(r);
    const auto line = [&](const std::vector<std::string>& r) {
      std::string out;
      for (std::size_t i = 0; i < w.size(); ++i) {
        const std::string cell = i < r.size() ? r[i] : "";
        out += (i ? "  " : "") + cell + (i + 1 < w.size() ? std::string(w[i] - cell.size(), ' ') : "");
      }
      return out + "\n";
    };
    std::string rule;
    for (std::size_t i = 0; i < w.size(); ++i) rule += (i ? "  " : "") + std::string(w[i], '-');
    std::string out = title_ + "\n" + line(header_) + rule + "\n";
    for (const auto& r : rows_) out += line(r);
    return out;
  }

private:
  std::string title_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fhops_cli
