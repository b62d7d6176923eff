// Opening generated pages in a real browser (Debian's chromium, headless): the DOM the browser
// built, its console messages, and checks that every chart has data marks and every link resolves.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
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

/// Loads each of `pages` (files) headless, each in a fresh profile, and returns the DOMs and console
/// messages in the order of `pages`. Up to `at_once` browsers run side by side: a headless load is
/// mostly start-up waiting (about 2.5 s of wall time for 1.3 s of CPU), so a site's pages load in a
/// fraction of the time one after the other would take.
inline std::vector<browser_view> open_in_browser(const std::vector<std::filesystem::path>& pages,
                                                 const std::filesystem::path& scratch_dir, std::size_t at_once = 4) {
  namespace fs = std::filesystem;
  static int n = 0;
  const int first = n;
  const auto file = [&](std::size_t i, const char* what) { return scratch_dir / ("chromium-" + std::to_string(first + i) + what); };
  std::vector<browser_view> views(pages.size());
  for (std::size_t begin = 0; begin < pages.size(); begin += at_once) {
    std::string cmd;
    for (std::size_t i = begin; i < std::min(pages.size(), begin + at_once); ++i)
      cmd += "(timeout 120 " + chromium() +
             " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
             " --disable-sync --no-first-run --enable-logging=stderr --v=0 --user-data-dir=" + file(i, "-profile").string() +
             " --dump-dom 'file://" + fs::absolute(pages[i]).string() + "' > " + file(i, ".dom").string() + " 2> " +
             file(i, ".log").string() + "; echo $? > " + file(i, ".rc").string() + ") & ";
    run(cmd + "wait");
  }
  n += static_cast<int>(pages.size());
  for (std::size_t i = 0; i < pages.size(); ++i) {
    browser_view& v = views[i];
    const std::string rc = slurp(file(i, ".rc"));
    v.exit_code = rc.empty() ? -1 : std::atoi(rc.c_str());
    v.dom = slurp(file(i, ".dom"));
    const std::string text = slurp(file(i, ".log"));
    for (std::size_t start = 0; start < text.size();) {
      const auto end = std::min(text.find('\n', start), text.size());
      const std::string line = text.substr(start, end - start);
      if (line.find(":CONSOLE") != std::string::npos) v.console += line + "\n";
      start = end + 1;
    }
    fs::remove_all(file(i, "-profile"));
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
