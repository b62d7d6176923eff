/// \file
/// Assembling a static site (e.g. for GitHub Pages) from generated files: sources are gathered
/// into memory with a per-file size limit checked before anything is written, then written as one
/// folder with write_directory_atomic, together with an index page linking every HTML page.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/util/atomic_file.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/html.hpp"

namespace fhops {

/// A source of the site: a file or a folder (copied recursively) and where it goes in the site.
struct site_source {
  std::filesystem::path from;
  std::string to;  ///< path relative to the site root
};

/// What was gathered: the files (relative path, content) and the sources that were absent.
struct site_files {
  std::vector<folder_file> files;
  std::vector<std::string> missing;
};

/// Reads every source; a file over `max_bytes` is refused with a message naming it, its size and
/// the limit, before anything is read or written. Absent sources are listed, not fatal. A folder's
/// symbolic links are skipped (a source named directly may be a link).
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
  for (const auto& [from, to] : plan) {
    const auto bytes = std::filesystem::file_size(from);
    if (bytes > max_bytes)
      throw std::runtime_error(fmt::format("{} is {:.1f} MB: the site refuses files over {:.0f} MB (GitHub Pages' limit); leave it out",
                                           from.string(), static_cast<double>(bytes) / 1e6, static_cast<double>(max_bytes) / 1e6));
  }
  for (const auto& [from, to] : plan) out.files.emplace_back(to, read_text_file(from));
  return out;
}

/// An index page linking every .html file of the site (except itself; a folder with its own
/// index.html is linked through that), with the other files listed as downloads.
inline std::string site_index(const std::string& title, const std::vector<folder_file>& files, const std::string& subtitle = {}) {
  // Folders with their own index.html are linked through it, not page by page.
  std::vector<std::string> indexed;
  for (const auto& [rel, content] : files) {
    const auto slash = rel.rfind('/');
    if (slash != std::string::npos && rel.compare(slash, std::string::npos, "/index.html") == 0) indexed.push_back(rel.substr(0, slash + 1));
  }
  std::vector<std::string> pages, other;
  for (const auto& [rel, content] : files) {
    if (rel == "index.html") continue;
    const bool html = rel.size() > 5 && rel.compare(rel.size() - 5, 5, ".html") == 0;
    const bool behind_index = std::any_of(indexed.begin(), indexed.end(), [&](const std::string& dir) {
      return rel.compare(0, dir.size(), dir) == 0 && rel != dir + "index.html";
    });
    if (behind_index) continue;
    (html ? pages : other).push_back(rel);
  }
  std::sort(pages.begin(), pages.end());
  std::sort(other.begin(), other.end());
  std::string body = "<h2>Pages</h2>\n<ul>\n";
  for (const auto& p : pages) body += fmt::format("<li><a href=\"{0}\">{0}</a></li>\n", html::escape(p));
  body += "</ul>\n<h2>Data</h2>\n<ul>\n";
  for (const auto& p : other) body += fmt::format("<li><a href=\"{0}\">{0}</a></li>\n", html::escape(p));
  body += "</ul>\n";
  return html::page(title, body, subtitle);
}

}  // namespace fhops
