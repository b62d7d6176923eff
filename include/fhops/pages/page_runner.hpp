/// \file
/// Runs a list of page jobs into a folder of static HTML pages: each job computes its page under a
/// cooperative deadline; the runner records per page a status (`ok`, `timeout`, `error`), its
/// runtime and message, writes the successful pages (and their data files) with temp-file+rename,
/// stops at the first failure unless told to keep going, and writes `index.html` and
/// `metadata.json`. Nothing here knows what the pages are about.
#pragma once

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/util/atomic_file.hpp"
#include "fhops/util/deadline.hpp"
#include "fhops/util/html.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops {

/// What a page job produces: the page's HTML and any data files (paths relative to the output
/// folder, e.g. `data/summary.csv`).
struct page_output {
  std::string html;
  std::vector<folder_file> files;
};

/// A named page: `run` computes it, checking the deadline between units of work.
struct page_job {
  std::string name;   ///< file stem and identifier (`<name>.html`)
  std::string title;  ///< shown in the index
  std::function<page_output(const deadline&)> run;
};

/// The outcome of one page.
struct page_status {
  std::string page;
  std::string status;              ///< "ok", "timeout" or "error"
  double runtime_seconds = 0.0;
  std::optional<std::string> message;  ///< `Timeout after <t>s` or the error; none when ok
};

/// How the runner behaves.
struct page_run_options {
  std::optional<double> timeout;   ///< seconds per page (none = no limit)
  bool keep_going = false;         ///< run the remaining pages after a failure
};

/// `<t>` of `Timeout after <t>s`: the shortest form of the number (`5`, `2.5`).
inline std::string timeout_text(double seconds) { return fmt::format("Timeout after {}s", seconds); }

/// Runs the jobs in order into `out`. Prints `Executing <name>...` before each job to `log`. A job
/// that throws deadline_exceeded, or that finishes after its deadline, is a `timeout`; any other
/// exception is an `error` with its message. Only successful pages are written (data files first,
/// then the page); a failed page's stale `<name>.html` from an earlier run is removed so the index
/// never links to old output. Returns one status per job that ran.
inline std::vector<page_status> run_pages(const std::filesystem::path& out, const std::vector<page_job>& jobs,
                                          const page_run_options& options, std::ostream& log) {
  std::vector<page_status> statuses;
  for (const auto& job : jobs) {
    log << "Executing " << job.name << "..." << std::endl;
    const auto t0 = std::chrono::steady_clock::now();
    const deadline limit = options.timeout ? deadline(*options.timeout) : deadline();
    page_status st{job.name, "ok", 0.0, std::nullopt};
    try {
      page_output page = job.run(limit);
      if (limit.expired()) throw deadline_exceeded("finished after the deadline");
      for (const auto& [rel, content] : page.files) write_file_atomic(out / rel, content);
      write_file_atomic(out / (job.name + ".html"), page.html);
    } catch (const deadline_exceeded&) {
      st.status = "timeout";
      st.message = timeout_text(*options.timeout);
    } catch (const std::exception& e) {
      st.status = "error";
      st.message = e.what();
    }
    st.runtime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (st.status != "ok") {
      std::error_code ignored;
      std::filesystem::remove(out / (job.name + ".html"), ignored);
    }
    statuses.push_back(st);
    if (st.status != "ok" && !options.keep_going) break;
  }
  return statuses;
}

/// `metadata.json` (indent 2, as Python's json.dump): generated_at, light_mode and one entry per
/// page that ran with page, status, runtime_seconds (rounded to 2 decimals) and message (null when
/// ok).
inline std::string pages_metadata_json(const std::string& generated_at, bool light_mode, const std::vector<page_status>& pages) {
  std::string out = "{\n  \"generated_at\": " + json_quote(generated_at) + ",\n  \"light_mode\": " + (light_mode ? "true" : "false") +
                    ",\n  \"pages\": [";
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const auto& p = pages[i];
    out += (i ? ",\n" : "\n");
    out += "    {\n      \"page\": " + json_quote(p.page) + ",\n      \"status\": " + json_quote(p.status) +
           ",\n      \"runtime_seconds\": " + json_number(python_round(p.runtime_seconds, 2)) +
           ",\n      \"message\": " + (p.message ? json_quote(*p.message) : std::string("null")) + "\n    }";
  }
  out += pages.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

/// `index.html`: a table linking every selected page with its status, runtime and message; pages
/// that did not run (an earlier failure without keep-going) are listed as `not run`.
inline std::string pages_index_html(const std::string& title, const std::string& subtitle, const std::vector<page_job>& jobs,
                                    const std::vector<page_status>& statuses) {
  std::string body = "<table class=\"pages\">\n<tr><th>page</th><th>status</th><th>runtime (s)</th><th>message</th></tr>\n";
  for (const auto& job : jobs) {
    const page_status* st = nullptr;
    for (const auto& s : statuses)
      if (s.page == job.name) st = &s;
    const std::string label = html::escape(job.title) + " <small>(" + html::escape(job.name) + ")</small>";
    if (!st) {
      body += "<tr><td>" + label + "</td><td class=\"skipped\">not run</td><td class=\"n\"></td><td></td></tr>\n";
      continue;
    }
    const std::string link = st->status == "ok" ? "<a href=\"" + html::escape(job.name) + ".html\">" + label + "</a>" : label;
    body += "<tr><td>" + link + "</td><td class=\"" + html::escape(st->status) + "\">" + html::escape(st->status) +
            "</td><td class=\"n\">" + fmt::format("{:.2f}", st->runtime_seconds) + "</td><td>" +
            html::escape(st->message.value_or("")) + "</td></tr>\n";
  }
  body += "</table>\n";
  return html::page(title, body, subtitle);
}

}  // namespace fhops
