/// \file
/// Assembling a static site (e.g. for GitHub Pages) from generated files: sources are gathered
/// into memory with a per-file size limit checked before anything is written, then written as one
/// folder with write_directory_atomic, together with an index page linking every HTML page (by its
/// title and date), Markdown files rendered as pages, and a navigation bar on every page.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/pages/markdown_html.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/calendar.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/html.hpp"

namespace fhops {

/// A source of the site: a file or a folder (copied recursively) and where it goes in the site.
struct site_source {
  std::filesystem::path from;
  std::string to;  ///< path relative to the site root
};

/// What was gathered: the files (relative path, content), the sources that were absent, and the
/// date (YYYY-MM-DD, UTC) each file was last changed, by relative path.
struct site_files {
  std::vector<folder_file> files;
  std::vector<std::string> missing;
  std::map<std::string, std::string> modified;
};

namespace detail {

inline std::string file_date(const std::filesystem::path& p) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(p, ec);
  if (ec) return {};
  return iso_date(std::chrono::floor<std::chrono::days>(std::chrono::file_clock::to_sys(t)));
}

}  // namespace detail

/// Reads every source; a file over `max_bytes` is refused with a message naming it, its size and
/// the limit, before anything is read or written. Absent sources are listed, not fatal. A folder's
/// symbolic links are skipped (a source named directly may be a link). Two sources giving the same
/// site path are refused with a message naming both (nothing is silently replaced).
inline site_files gather_site(const std::vector<site_source>& sources, std::uintmax_t max_bytes) {
  namespace fs = std::filesystem;
  std::vector<std::pair<fs::path, std::string>> plan;
  site_files out;
  for (const auto& s : sources) {
    std::error_code ec;
    if (fs::is_regular_file(s.from, ec)) {
      plan.emplace_back(s.from, s.to);
    } else if (fs::is_directory(s.from, ec)) {
      std::vector<fs::path> found;
      // A symbolic link inside a folder is not published: it could name any file on the machine.
      for (const auto& e : fs::recursive_directory_iterator(s.from))
        if (e.is_regular_file() && !e.is_symlink()) found.push_back(e.path());
      std::sort(found.begin(), found.end());
      for (const auto& p : found) plan.emplace_back(p, (fs::path(s.to) / p.lexically_relative(s.from)).generic_string());
    } else {
      out.missing.push_back(s.from.string());
    }
  }
  std::map<std::string, fs::path> given_by;
  for (const auto& [from, to] : plan) {
    const std::string key = fs::path(to).lexically_normal().generic_string();
    if (const auto [at, fresh] = given_by.emplace(key, from); !fresh)
      throw std::runtime_error(fmt::format("{} is given by both {} and {}: the site would keep only one; publish them under different names",
                                           key, at->second.string(), from.string()));
  }
  for (const auto& [from, to] : plan) {
    const auto bytes = std::filesystem::file_size(from);
    if (bytes > max_bytes)
      throw std::runtime_error(fmt::format("{} is {:.1f} MB: the site refuses files over {:.0f} MB (GitHub Pages' limit); leave it out",
                                           from.string(), static_cast<double>(bytes) / 1e6, static_cast<double>(max_bytes) / 1e6));
  }
  for (const auto& [from, to] : plan) {
    out.files.emplace_back(to, read_text_file(from));
    out.modified[to] = detail::file_date(from);
  }
  return out;
}

namespace detail {

inline bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// True for a file no reader wants listed: one whose name or folder starts with a dot (.nojekyll).
inline bool hidden_site_file(const std::string& rel) {
  for (const auto& part : std::filesystem::path(rel)) {
    const std::string name = part.string();
    if (!name.empty() && name.front() == '.' && name != "." && name != "..") return true;
  }
  return false;
}

inline std::string html_unescape(std::string_view s) {
  static constexpr std::pair<std::string_view, char> entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool done = false;
    for (const auto& [entity, c] : entities)
      if (s.compare(i, entity.size(), entity) == 0) {
        out += c;
        i += entity.size();
        done = true;
        break;
      }
    if (!done) out += s[i++];
  }
  return out;
}

}  // namespace detail

/// The text of a page's <title> (entities decoded), or `fallback` when it has none.
inline std::string page_title(std::string_view page, const std::string& fallback) {
  const auto open = page.find("<title>");
  const auto close = open == std::string_view::npos ? open : page.find("</title>", open);
  if (close == std::string_view::npos || close == open + 7) return fallback;
  return detail::html_unescape(page.substr(open + 7, close - open - 7));
}

/// Adds, for each Markdown file of the site that has no .html of the same name, that page: the
/// Markdown rendered by html::markdown, titled by its first heading, dated like its source.
inline void add_markdown_pages(std::vector<folder_file>& files, std::map<std::string, std::string>& modified) {
  std::vector<folder_file> added;
  for (const auto& [rel, content] : files) {
    if (!detail::ends_with(rel, ".md")) continue;
    const std::string target = rel.substr(0, rel.size() - 3) + ".html";
    if (std::any_of(files.begin(), files.end(), [&](const folder_file& f) { return f.first == target; })) continue;
    std::string_view body = content;
    std::string title = std::filesystem::path(rel).filename().string();
    if (body.rfind("# ", 0) == 0) {
      const auto eol = std::min(body.find('\n'), body.size());
      title = std::string(body.substr(2, eol - 2));
      body.remove_prefix(std::min(eol + 1, body.size()));
    }
    const std::string source = std::filesystem::path(rel).filename().string();
    added.emplace_back(target, html::page(title, fmt::format("<p class=\"subtitle\">Rendered from <a href=\"{0}\">{0}</a>.</p>\n{1}",
                                                             html::escape(source), html::markdown(body))));
    if (const auto at = modified.find(rel); at != modified.end()) modified[target] = at->second;
  }
  for (auto& f : added) files.push_back(std::move(f));
}

/// A section of the site's navigation bar: its label and the page it opens (relative to the root).
struct site_link {
  std::string label;
  std::string path;
};

/// Puts a navigation bar at the top of every .html page of the site: a link to each of `sections`
/// whose page is in the site (relative to the page, so the site works from any folder), the
/// page's own section marked as current.
inline void add_site_navigation(std::vector<folder_file>& files, const std::vector<site_link>& sections) {
  std::vector<const site_link*> present;
  for (const auto& s : sections)
    if (std::any_of(files.begin(), files.end(), [&](const folder_file& f) { return f.first == s.path; })) present.push_back(&s);
  for (auto& [rel, content] : files) {
    if (!detail::ends_with(rel, ".html")) continue;
    const auto body = content.find("<body");
    const auto open_end = body == std::string::npos ? body : content.find('>', body);
    if (open_end == std::string::npos) continue;
    std::string up;
    for (const char c : rel) up += c == '/' ? "../" : "";
    std::string nav = "\n<nav class=\"site\" style=\"display:flex;flex-wrap:wrap;gap:.4em 1.2em;padding:.5em 0;margin-bottom:1em;"
                      "border-bottom:1px solid #ddd;font-family:system-ui,sans-serif\">";
    for (const site_link* s : present) {
      const bool here = s->path == rel;
      nav += fmt::format("<a href=\"{}{}\"{}>{}</a>", up, html::escape(s->path), here ? " aria-current=\"page\" style=\"font-weight:700\"" : "",
                         html::escape(s->label));
    }
    nav += "</nav>";
    content.insert(open_end + 1, nav);
  }
}

/// An index page linking every .html file of the site (except itself; a folder with its own
/// index.html is linked through that) by its title, with the date of `modified` when known; the
/// other files are listed as data, except hidden ones (a name starting with a dot, e.g. .nojekyll).
inline std::string site_index(const std::string& title, const std::vector<folder_file>& files, const std::string& subtitle = {},
                              const std::map<std::string, std::string>& modified = {}) {
  // Folders with their own index.html are linked through it, not page by page.
  std::vector<std::string> indexed;
  for (const auto& [rel, content] : files) {
    const auto slash = rel.rfind('/');
    if (slash != std::string::npos && rel.compare(slash, std::string::npos, "/index.html") == 0) indexed.push_back(rel.substr(0, slash + 1));
  }
  std::vector<const folder_file*> pages, other;
  for (const auto& f : files) {
    const std::string& rel = f.first;
    if (rel == "index.html" || detail::hidden_site_file(rel)) continue;
    const bool behind_index = std::any_of(indexed.begin(), indexed.end(), [&](const std::string& dir) {
      return rel.compare(0, dir.size(), dir) == 0 && rel != dir + "index.html";
    });
    if (behind_index) continue;
    (detail::ends_with(rel, ".html") ? pages : other).push_back(&f);
  }
  const auto by_path = [](const folder_file* a, const folder_file* b) { return a->first < b->first; };
  std::sort(pages.begin(), pages.end(), by_path);
  std::sort(other.begin(), other.end(), by_path);
  const auto date = [&](const std::string& rel) {
    const auto at = modified.find(rel);
    return at == modified.end() ? std::string() : html::escape(at->second);
  };
  std::string body = "<h2>Pages</h2>\n<table>\n<tr><th>Page</th><th>Updated</th><th>Section</th></tr>\n";
  for (const folder_file* p : pages) {
    const auto slash = p->first.find('/');
    body += fmt::format("<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>\n", html::escape(p->first),
                        html::escape(page_title(p->second, p->first)), date(p->first),
                        slash == std::string::npos ? std::string() : html::escape(p->first.substr(0, slash)));
  }
  body += "</table>\n<h2>Data</h2>\n<table>\n<tr><th>File</th><th>Updated</th><th>Size</th></tr>\n";
  for (const folder_file* p : other)
    body += fmt::format("<tr><td><a href=\"{0}\">{0}</a></td><td>{1}</td><td class=\"n\">{2:.1f} kB</td></tr>\n", html::escape(p->first),
                        date(p->first), static_cast<double>(p->second.size()) / 1e3);
  body += "</table>\n";
  return html::page(title, body, subtitle);
}

}  // namespace fhops
