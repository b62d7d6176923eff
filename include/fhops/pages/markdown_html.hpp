/// \file
/// A small Markdown subset rendered as HTML, for the Markdown files the tools write (runbook
/// entries, report tables): ATX headings, bullet and numbered lists (with `[x]` / `[ ]` boxes),
/// pipe tables, fenced code, and inline `code`, **bold** and [links](url). Everything else is
/// escaped text; a link whose target has a scheme other than http, https or mailto is text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fhops/util/html.hpp"

namespace fhops::html {

namespace detail {

inline bool safe_link_target(std::string_view url) {
  const auto colon = url.find(':');
  const auto slash = url.find_first_of("/?#");
  if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon)) return true;  // relative
  const std::string_view scheme = url.substr(0, colon);
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

/// One line of inline Markdown: backslash escapes, `code`, **bold**, [text](url); the rest escaped.
inline std::string markdown_inline(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && std::string_view("\\`*_[]()#|-+.!<>").find(s[i + 1]) != std::string_view::npos) {
      out += escape(s.substr(i + 1, 1));
      i += 2;
    } else if (c == '`') {
      const auto end = s.find('`', i + 1);
      if (end == std::string_view::npos) { out += "`"; ++i; continue; }
      out += "<code>" + escape(s.substr(i + 1, end - i - 1)) + "</code>";
      i = end + 1;
    } else if (s.compare(i, 2, "**") == 0) {
      const auto end = s.find("**", i + 2);
      if (end == std::string_view::npos || end == i + 2) { out += "**"; i += 2; continue; }
      out += "<strong>" + markdown_inline(s.substr(i + 2, end - i - 2)) + "</strong>";
      i = end + 2;
    } else if (c == '[') {
      const auto mid = s.find("](", i + 1);
      const auto end = mid == std::string_view::npos ? mid : s.find(')', mid + 2);
      if (end == std::string_view::npos || !safe_link_target(s.substr(mid + 2, end - mid - 2))) { out += "["; ++i; continue; }
      out += "<a href=\"" + escape(s.substr(mid + 2, end - mid - 2)) + "\">" + markdown_inline(s.substr(i + 1, mid - i - 1)) + "</a>";
      i = end + 1;
    } else {
      out += escape(s.substr(i, 1));
      ++i;
    }
  }
  return out;
}

/// The cells of a table row `| a | b \| c |`: split on unescaped pipes, trimmed.
inline std::vector<std::string_view> markdown_cells(std::string_view row) {
  const auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  row = trim(row);
  if (!row.empty() && row.front() == '|') row.remove_prefix(1);
  if (!row.empty() && row.back() == '|' && (row.size() < 2 || row[row.size() - 2] != '\\')) row.remove_suffix(1);
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= row.size(); ++i) {
    if (i < row.size() && row[i] == '\\') { ++i; continue; }
    if (i == row.size() || row[i] == '|') {
      cells.push_back(trim(row.substr(start, i - start)));
      start = i + 1;
    }
  }
  return cells;
}

inline bool markdown_rule_row(std::string_view row) {
  if (row.find('-') == std::string_view::npos) return false;
  for (const char c : row)
    if (std::string_view("|-: \t").find(c) == std::string_view::npos) return false;
  return true;
}

}  // namespace detail

/// `md` as HTML (a fragment, no page around it).
inline std::string markdown(std::string_view md) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < md.size();) {
    auto end = md.find('\n', start);
    if (end == std::string_view::npos) end = md.size();
    std::string_view line = md.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  std::string out;
  std::string list;  // "ul" or "ol" while a list is open
  std::string paragraph;
  const auto close_paragraph = [&] {
    if (!paragraph.empty()) out += "<p>" + paragraph + "</p>\n";
    paragraph.clear();
  };
  const auto close_list = [&] {
    if (!list.empty()) out += "</" + list + ">\n";
    list.clear();
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    std::string_view t = line;
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    if (t.rfind("```", 0) == 0) {  // fenced code, to the closing fence or the end
      close_paragraph();
      close_list();
      out += "<pre><code>";
      for (++i; i < lines.size() && lines[i].find("```") != 0; ++i) out += escape(lines[i]) + "\n";
      out += "</code></pre>\n";
      continue;
    }
    if (t.empty()) {
      close_paragraph();
      close_list();
      continue;
    }
    std::size_t hashes = 0;
    while (hashes < t.size() && t[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < t.size() && t[hashes] == ' ') {
      close_paragraph();
      close_list();
      out += "<h" + std::to_string(hashes) + ">" + detail::markdown_inline(t.substr(hashes + 1)) + "</h" + std::to_string(hashes) + ">\n";
      continue;
    }
    if (t.front() == '|' && i + 1 < lines.size() && detail::markdown_rule_row(lines[i + 1])) {
      close_paragraph();
      close_list();
      out += "<div class=\"table-scroll\" style=\"overflow-x:auto\"><table>\n<tr>";
      for (const auto cell : detail::markdown_cells(t)) out += "<th>" + detail::markdown_inline(cell) + "</th>";
      out += "</tr>\n";
      for (i += 2; i < lines.size() && !lines[i].empty() && lines[i].find('|') != std::string_view::npos; ++i) {
        out += "<tr>";
        for (const auto cell : detail::markdown_cells(lines[i])) out += "<td>" + detail::markdown_inline(cell) + "</td>";
        out += "</tr>\n";
      }
      --i;
      out += "</table></div>\n";
      continue;
    }
    const bool bullet = t.size() > 1 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ';
    std::size_t digits = 0;
    while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
    const bool numbered = digits > 0 && digits + 1 < t.size() && t[digits] == '.' && t[digits + 1] == ' ';
    if (bullet || numbered) {
      close_paragraph();
      const std::string kind = bullet ? "ul" : "ol";
      if (list != kind) {
        close_list();
        out += "<" + kind + ">\n";
        list = kind;
      }
      std::string_view item = t.substr(bullet ? 2 : digits + 2);
      std::string box;
      if (item.rfind("[x] ", 0) == 0 || item.rfind("[X] ", 0) == 0) box = "<input type=\"checkbox\" checked disabled> ";
      if (item.rfind("[ ] ", 0) == 0) box = "<input type=\"checkbox\" disabled> ";
      if (!box.empty()) item.remove_prefix(4);
      out += "<li>" + box + detail::markdown_inline(item) + "</li>\n";
      continue;
    }
    close_list();
    if (!paragraph.empty()) paragraph += "\n";
    paragraph += detail::markdown_inline(t);
  }
  close_paragraph();
  close_list();
  return out;
}

}  // namespace fhops::html
