// Opening generated pages in a real browser (Debian's chromium, headless): the DOM the browser
// built, its console messages, and checks that every chart has data marks and every link resolves.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "../test_support.hpp"

namespace fhops_test {

/// The browser: $FHOPS_CHROMIUM, else /usr/bin/chromium; empty when neither exists.
inline std::string chromium() {
  if (const char* env = std::getenv("FHOPS_CHROMIUM"); env && *env) return env;
  return std::filesystem::exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "";
}

/// True when a browser is available; otherwise the calling test is skipped with a message.
inline bool have_browser() {
  if (!chromium().empty()) return true;
  WARN("skipped: no chromium (install Debian's chromium, or set FHOPS_CHROMIUM) — the pages were not opened in a browser");
  return false;
}

struct browser_view {
  std::string dom;      ///< the DOM after load (--dump-dom)
  std::string console;  ///< the page's console messages, one per line
  int exit_code = -1;
};

namespace detail {

/// `path` as a file:// URL (the characters a URL cannot hold as they are, percent-encoded).
inline std::string file_url(const std::filesystem::path& path) {
  std::string url = "file://";
  for (const unsigned char c : std::filesystem::absolute(path).string()) {
    if (std::isalnum(c) || std::string_view("/-_.~").find(static_cast<char>(c)) != std::string_view::npos) {
      url += static_cast<char>(c);
    } else {
      constexpr char hex[] = "0123456789ABCDEF";
      url += '%';
      url += hex[c >> 4];
      url += hex[c & 15];
    }
  }
  return url;
}

/// The text of an element as the browser serialised it (&amp; &lt; &gt; &quot; &nbsp; decoded).
inline std::string html_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool decoded = false;
    if (s[i] == '&')
      for (const auto& [entity, text] : {std::pair<std::string_view, std::string_view>{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
                                         {"&quot;", "\""}, {"&nbsp;", "\xC2\xA0"}})
        if (s.substr(i, entity.size()) == entity) {
          out += text;
          i += entity.size() - 1;
          decoded = true;
          break;
        }
    if (!decoded) out += s[i];
  }
  return out;
}

}  // namespace detail

/// What one headless chromium run left: its exit code, the DOM it dumped, its console messages.
struct chromium_dump {
  int exit_code = -1;
  std::string dom;
  std::vector<std::string> console;  ///< the log's console lines, one message each
};

/// Runs headless chromium on `url` with a fresh profile (files `base`.dom, .log, .rc; the profile
/// `base`-profile, removed after), `extra` options before --dump-dom.
inline chromium_dump dump_dom(const std::string& url, const std::string& base, const std::string& extra) {
  run("timeout 120 " + chromium() +
      " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
      " --disable-sync --no-first-run --enable-logging=stderr --v=0 --user-data-dir=" + base + "-profile " + extra +
      " --dump-dom '" + url + "' > " + base + ".dom 2> " + base + ".log; echo $? > " + base + ".rc");
  std::filesystem::remove_all(base + "-profile");
  chromium_dump d;
  const std::string rc = slurp(base + ".rc");
  d.exit_code = rc.empty() ? -1 : std::atoi(rc.c_str());
  d.dom = slurp(base + ".dom");
  const std::string log = slurp(base + ".log");
  for (std::size_t start = 0; start < log.size();) {
    const auto end = std::min(log.find('\n', start), log.size());
    std::string line = log.substr(start, end - start);
    if (line.find(":CONSOLE") != std::string::npos) d.console.push_back(std::move(line));
    start = end + 1;
  }
  return d;
}

/// Loads every one of `pages` (files) in one headless browser and returns the DOMs and console
/// messages in the order of `pages`. A harness page holds each page as a frame and, once all have
/// loaded, copies every frame's DOM into itself (--allow-file-access-from-files lets a file:// page
/// read its frames); the browser dumps the harness. A console message belongs to the page its
/// `source:` names; one that names none of them is given to every page, so none goes unseen. One
/// browser for a site: a headless start costs ~2 s of CPU, so a 17-page site took ~35 s of CPU
/// one browser per page and takes ~3 s so.
inline std::vector<browser_view> open_in_browser(const std::vector<std::filesystem::path>& pages,
                                                 const std::filesystem::path& scratch_dir) {
  namespace fs = std::filesystem;
  static int n = 0;
  const std::string base = (scratch_dir / ("chromium-" + std::to_string(n++))).string();
  std::string harness = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>pages</title></head><body>\n";
  for (const auto& page : pages) harness += "<iframe src=\"" + detail::file_url(page) + "\"></iframe>\n";
  harness +=
      "<script>window.addEventListener('load', () => {\n"
      "  document.querySelectorAll('iframe').forEach((frame, i) => {\n"
      "    const dump = document.createElement('textarea');\n"
      "    dump.id = 'frame-' + i;\n"
      "    try { dump.textContent = frame.contentDocument.documentElement.outerHTML; } catch (e) { dump.textContent = 'unreadable: ' + e; }\n"
      "    document.body.appendChild(dump);\n"
      "  });\n"
      "});</script></body></html>\n";
  fs::create_directories(scratch_dir);
  write(base + "-harness.html", harness);
  const chromium_dump d = dump_dom(detail::file_url(base + "-harness.html"), base, "--allow-file-access-from-files");
  std::vector<browser_view> views(pages.size());
  for (std::size_t i = 0; i < pages.size(); ++i) {
    browser_view& v = views[i];
    v.exit_code = d.exit_code;
    const std::string open = "<textarea id=\"frame-" + std::to_string(i) + "\">";
    if (const auto at = d.dom.find(open); at != std::string::npos) {
      const auto begin = at + open.size();
      const auto end = d.dom.find("</textarea>", begin);
      if (end != std::string::npos) v.dom = detail::html_text(std::string_view(d.dom).substr(begin, end - begin));
    }
  }
  for (const std::string& line : d.console) {
    bool placed = false;
    for (std::size_t i = 0; i < pages.size(); ++i)
      if (line.find("source: " + detail::file_url(pages[i]) + " (") != std::string::npos) {
        views[i].console += line + "\n";
        placed = true;
      }
    if (!placed)
      for (auto& v : views) v.console += line + "\n";
  }
  return views;
}

/// One page: open_in_browser({page}, scratch_dir).
inline browser_view open_in_browser(const std::filesystem::path& page, const std::filesystem::path& scratch_dir) {
  return open_in_browser(std::vector<std::filesystem::path>{page}, scratch_dir).front();
}

/// Opens every .html file under `site` in the browser and checks: it loads, no console message,
/// every <svg class="chart"> has data marks (or says "no data" when `allow_empty`), every local
/// href/src resolves to a file. Returns the number of charts seen.
inline std::size_t check_pages_in_browser(const std::filesystem::path& site, const std::filesystem::path& scratch_dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> pages;
  for (const auto& e : fs::recursive_directory_iterator(site))
    if (e.is_regular_file() && e.path().extension() == ".html") pages.push_back(e.path());
  std::sort(pages.begin(), pages.end());
  std::size_t charts = 0;
  // Plain scans, not std::regex: libstdc++'s regex recurses per character and overflows the stack
  // on a long chart under AddressSanitizer.
  const auto links = [](const std::string& dom) {
    std::vector<std::string> out;
    for (const char* attr : {"href=\"", "src=\""})
      for (auto at = dom.find(attr); at != std::string::npos; at = dom.find(attr, at + 1)) {
        const auto begin = at + std::char_traits<char>::length(attr);
        const auto end = dom.find_first_of("\"#", begin);
        if (end != std::string::npos) out.push_back(dom.substr(begin, end - begin));
      }
    return out;
  };
  const std::vector<browser_view> views = open_in_browser(pages, scratch_dir);
  for (std::size_t k = 0; k < pages.size(); ++k) {
    const fs::path& page = pages[k];
    const browser_view& v = views[k];
    INFO("page " << page.string());
    CHECK(v.exit_code == 0);
    CHECK(v.dom.find("</html>") != std::string::npos);
    CHECK(v.console.empty());
    for (auto at = v.dom.find("<svg class=\"chart\""); at != std::string::npos; at = v.dom.find("<svg class=\"chart\"", at)) {
      const auto end = v.dom.find("</svg>", at);
      if (end == std::string::npos) break;
      ++charts;
      const std::string svg = v.dom.substr(at, end + 6 - at);
      at = end + 6;
      INFO("chart " << svg.substr(0, 300));
      CHECK((svg.find("class=\"mark\"") != std::string::npos || svg.find("class=\"no-data\"") != std::string::npos));
    }
    for (const std::string& target : links(v.dom)) {
      if (target.empty() || target.find("://") != std::string::npos || target.rfind("mailto:", 0) == 0 || target.rfind("data:", 0) == 0)
        continue;
      INFO("link " << target);
      CHECK(fs::exists(page.parent_path() / target));
    }
  }
  return charts;
}

}  // namespace fhops_test
