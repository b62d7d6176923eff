/// \file
/// The live telemetry dashboard: the routes of `fhops telemetry serve` over a store_view, and
/// serve(), which binds, prints the URL and answers until SIGINT or SIGTERM.
///
/// | route | answer |
/// |---|---|
/// | `/` | the runs table (HTML; rows from /api/runs) |
/// | `/api/runs?scenario=&algorithm=&status=&from=&to=&sort=&order=&page=&per_page=` | a page of runs and the runs in progress (JSON) |
/// | `/api/facets` | distinct scenarios, algorithms, statuses (JSON) |
/// | `/run/<id>` | one run: summary, convergence chart, configuration, KPIs (HTML) |
/// | `/api/run/<id>`, `/api/run/<id>/steps?after=N&offset=B&min_gap=G` | its record; its step records (JSON) |
/// | `/compare?a=&b=&scenario=`, `/api/compare?...` | two algorithms' objective distributions (HTML box plots; JSON) |
/// | `/report` | the store's report (best/mean objective per algorithm and scenario) |
/// | `/tuning`, `/api/tuning` | the tuner summaries, newest first, and each scenario's best objective over them; the site's comparison, leaderboard and difficulty tables |
/// | `/history` | the weekly snapshots' history and latest-vs-previous charts (the site's pages' code) |
///
/// Nothing else is served: a request path is matched against these routes only, never mapped to a
/// file. Run ids are checked (valid_run_id) and looked up before a step log is opened. A store
/// that cannot be read gives 503 with the reason; bad parameters 400; unknown routes and runs 404.
#pragma once

#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "fhops/pages/dashboard/pages.hpp"
#include "fhops/pages/dashboard/server.hpp"
#include "fhops/pages/dashboard/store_view.hpp"
#include "fhops/pages/history_chart.hpp"
#include "fhops/pages/markdown_html.hpp"
#include "fhops/telemetry/analysis/comparisons.hpp"
#include "fhops/telemetry/analysis/history.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/workflows/history_metrics.hpp"

namespace fhops::pages::dashboard {

/// What serve() needs: the server's address and limits, and the view's.
struct dashboard_options {
  server_options server;
  view_options view;
  std::filesystem::path history_dir;  ///< the report snapshots for /history; empty: `history/` beside the store's log
};

/// The dashboard's request handler over one store.
class dashboard {
public:
  explicit dashboard(store_paths paths, view_options o = {}) : view_(std::move(paths), o) {}

  store_view& view() { return view_; }

  /// Answers one request (called concurrently by the server's threads).
  http_response operator()(const http_request& r) {
    const std::string& p = r.path;
    const bool api = p.rfind("/api/", 0) == 0;
    try {
      if (p == "/" || p == "/index.html") return html(200, index_page_checked());
      if (p == "/api/runs") return json(200, view_.runs_json(runs_query_of(r)));
      if (p == "/api/facets") return json(200, view_.facets_json());
      if (p == "/compare") return html(200, compare(r));
      if (p == "/api/compare") return json(200, compare_json(r));
      if (p == "/report") return html(200, report());
      if (p == "/tuning") return html(200, tuning());
      if (p == "/history") return html(200, history());
      if (p == "/api/tuning") return json(200, view_.tuning_json());
      if (p.rfind("/api/run/", 0) == 0) {
        const std::string_view rest = std::string_view(p).substr(9);
        const std::size_t slash = rest.find('/');
        const std::string_view id = rest.substr(0, slash);
        if (slash == std::string_view::npos) {
          if (auto body = view_.run_json(id)) return json(200, std::move(*body));
          return json_error(404, "no run " + std::string(id.substr(0, 140)));
        }
        if (rest.substr(slash) == "/steps") {
          const long long after = integer_param(r, "after", 0, -1, 1LL << 62);
          const long long offset = integer_param(r, "offset", 0, 0, 1LL << 62);
          const long long min_gap = integer_param(r, "min_gap", 0, 0, 1LL << 62);
          if (auto body = view_.steps_json(id, after, static_cast<std::uint64_t>(offset), min_gap)) return json(200, std::move(*body));
          return json_error(404, "no run " + std::string(id.substr(0, 140)));
        }
        return json_error(404, "no such route");
      }
      if (p.rfind("/run/", 0) == 0) {
        const std::string_view id = std::string_view(p).substr(5);
        if (!telemetry::valid_run_id(id)) return html(404, error_page(404, "not a run id"));
        if (!view_.is_recorded(std::string(id)) && !view_.is_live(std::string(id)))
          return html(404, error_page(404, "no run " + std::string(id) + " in this store"));
        return html(200, run_page(id));
      }
      if (p == "/healthz") return text_response(200, "ok");
      return api ? json_error(404, "no such route") : html(404, error_page(404, "no such page"));
    } catch (const store_unavailable& e) {
      if (api) return json_error(503, e.what());
      return html(503, unavailable_page(view_.paths().sqlite.string(), e.what()));
    } catch (const bad_parameter& e) {
      if (api) return json_error(400, e.what());
      return html(400, error_page(400, e.what()));
    }
  }

  /// The query of /api/runs from request parameters (bad_parameter on a malformed one).
  static runs_query runs_query_of(const http_request& r) {
    runs_query q;
    q.scenario = r.param("scenario").value_or("");
    q.algorithm = r.param("algorithm").value_or("");
    q.status = r.param("status").value_or("");
    q.from = r.param("from").value_or("");
    q.to = r.param("to").value_or("");
    q.sort = r.param("sort").value_or("started_at");
    if (q.sort.empty()) q.sort = "started_at";
    const std::string order = r.param("order").value_or("desc");
    if (order != "asc" && order != "desc" && !order.empty()) throw bad_parameter("order must be asc or desc (got '" + order.substr(0, 40) + "')");
    q.descending = order != "asc";
    q.page = integer_param(r, "page", 1, 1, 1000000000);
    q.per_page = integer_param(r, "per_page", 50, 1, 500);
    return q;
  }

  /// An integer parameter in [lo, hi], `fallback` when absent or empty; bad_parameter otherwise.
  static long long integer_param(const http_request& r, std::string_view name, long long fallback, long long lo, long long hi) {
    const auto v = r.param(name);
    if (!v || v->empty()) return fallback;
    long long x = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || end != v->data() + v->size() || x < lo || x > hi)
      throw bad_parameter(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] (got '" +
                          v->substr(0, 40) + "')");
    return x;
  }

private:
  static http_response html(unsigned status, std::string body) {
    http_response res{status, "text/html; charset=utf-8", std::move(body), {}};
    res.headers.emplace_back("Content-Security-Policy", std::string(page_csp));
    return res;
  }
  static http_response json(unsigned status, std::string body) {
    return http_response{status, "application/json", std::move(body), {}};
  }
  static http_response json_error(unsigned status, const std::string& message) {
    std::string body = "{\"error\":";
    append_json_quoted(body, message, false);
    return json(status, body + "}");
  }

  // The runs page, after checking that the store can be read (store_unavailable otherwise).
  std::string index_page_checked() {
    view_.read([](SQLite::Database& db) { db.execAndGet("SELECT COUNT(*) FROM (SELECT 1 FROM runs LIMIT 1)"); });
    return index_page(view_.paths().sqlite.string());
  }

  // The two algorithms of a comparison: as asked, else the first two the store has.
  std::pair<std::string, std::string> algorithms_of(const http_request& r, const store_view::facet_lists& f) {
    std::string a = r.param("a").value_or(""), b = r.param("b").value_or("");
    if (a.empty() && !f.algorithms.empty()) a = f.algorithms[0];
    if (b.empty() && !f.algorithms.empty()) b = f.algorithms[f.algorithms.size() > 1 ? 1 : 0];
    return {a, b};
  }

  std::string compare(const http_request& r) {
    const auto f = view_.facets();
    const auto [a, b] = algorithms_of(r, f);
    const std::string scenario = r.param("scenario").value_or("");
    store_view::comparison c;
    if (!a.empty() && !b.empty()) c = view_.compare(a, b, scenario);
    return compare_page(f.algorithms, f.scenarios, a, b, scenario, c.scenarios, c.samples);
  }

  std::string compare_json(const http_request& r) {
    const auto [a, b] = algorithms_of(r, view_.facets());
    const auto c = view_.compare(a, b, r.param("scenario").value_or(""));
    std::string out = "{\"a\":";
    append_json_quoted(out, a, false);
    out += ",\"b\":";
    append_json_quoted(out, b, false);
    out += ",\"scenarios\":[";
    for (std::size_t i = 0; i < c.scenarios.size(); ++i) {
      out += i ? ",{\"scenario\":" : "{\"scenario\":";
      append_json_quoted(out, c.scenarios[i], false);
      for (const auto& [key, v] : {std::pair<const char*, const std::vector<double>*>{"a", &c.samples[i].first}, {"b", &c.samples[i].second}}) {
        const box_stats s = summarise(*v);
        out += std::string(",\"") + key + "\":{\"n\":" + std::to_string(s.n);
        for (const auto& [name, x] : {std::pair<const char*, double>{"min", s.min}, {"q1", s.q1}, {"median", s.median}, {"q3", s.q3},
                                      {"max", s.max}, {"mean", s.mean}}) {
          out += std::string(",\"") + name + "\":";
          if (s.n) append_json_number(out, x);
          else out += "null";
        }
        out += '}';
      }
      out += '}';
    }
    return out + "]}";
  }

  // The tuning history and, from the runs of the store, the site's comparison tables (the same
  // Markdown as `tuning-plan run` writes and `ops pages` renders).
  std::string tuning() {
    auto summaries = view_.tuning();
    std::string tables;
    with_store([&](telemetry::sqlite_store& store) {
      const auto c = telemetry::compare_runs(telemetry::load_scored_runs(store));
      if (c.comparison.empty()) return;
      tables = "<h2>Leaderboard</h2>\n" + html::markdown(telemetry::table_markdown(telemetry::leaderboard_table(c.leaderboard))) +
               "\n<h2>Scenario difficulty</h2>\n" + html::markdown(telemetry::table_markdown(telemetry::difficulty_table(c.difficulty))) +
               "\n<h2>Algorithms per scenario</h2>\n" + html::markdown(telemetry::table_markdown(telemetry::comparison_table(c.comparison)));
    });
    return tuning_page(summaries, tables);
  }

  // The weekly snapshots of the history folder: the delta and history charts of the site's pages.
  std::string history() {
    namespace fs = std::filesystem;
    const fs::path& dir = view_.paths().history_dir;
    std::error_code ec;
    const std::string where = "<code>" + html::escape(dir.string()) + "</code>";
    if (!fs::is_directory(dir, ec))
      return page_shell("History", "<p class=\"muted\" id=\"no-history\">No history folder at " + where +
                                       " (fhops ops weekly keeps a snapshot of the report there each week; "
                                       "<code>--history-dir</code> names another).</p>");
    telemetry::history_result h;
    try {
      h = telemetry::load_history(dir, "*.csv", harvest::history_metrics);
    } catch (const std::exception& e) {
      throw store_unavailable(e.what());
    }
    std::string body;
    for (const auto& s : h.skipped) body += "<p class=\"banner\">skipped " + html::escape(s) + "</p>\n";
    if (h.table.rows.empty())
      return page_shell("History", body + "<p class=\"muted\" id=\"no-history\">No report snapshots in " + where + ".</p>");
    const auto& metrics = harvest::history_metrics;
    body += "<p class=\"muted\">Snapshots in " + where + ".</p>\n<h2>Latest vs previous snapshot</h2>\n" +
            telemetry::delta_chart_body(telemetry::history_deltas(h.table, metrics), h.table, metrics) +
            "<h2>Every snapshot</h2>\n" + telemetry::history_chart_body(h.table, metrics);
    return page_shell("History", body);
  }

  // Runs `f` on a read-only connection to the store; store_unavailable when it cannot be read.
  template <class F>
  void with_store(F&& f) {
    view_.read([](SQLite::Database& db) { db.execAndGet("SELECT COUNT(*) FROM (SELECT 1 FROM runs LIMIT 1)"); });  // store_unavailable when it cannot be read
    try {
      telemetry::sqlite_store store(view_.paths().sqlite, telemetry::store_options{.busy_timeout_ms = 2000, .read_only = true});
      f(store);
    } catch (const std::exception& e) {
      throw store_unavailable(e.what());
    }
  }

  std::string report() {
    std::string page;
    with_store([&](telemetry::sqlite_store& store) { page = telemetry::report_html(telemetry::build_report(store)); });
    return page;
  }

  store_view view_;
};

/// Serves `store` until SIGINT or SIGTERM: binds (std::runtime_error when it cannot, e.g. the
/// port is taken), writes "Serving <store> at http://HOST:PORT/" and a newline to `out` first,
/// then answers requests. A missing or unreadable store is not an error: its pages say so.
inline void serve(const std::filesystem::path& store, dashboard_options o, std::ostream& out = std::cout) {
  store_paths paths = resolve_store(store);
  if (!o.history_dir.empty()) paths.history_dir = o.history_dir;
  dashboard d(paths, o.view);
  http_server server(o.server, [&d](const http_request& r) { return d(r); });
  server.stop_on_signals();
  out << "Serving " << paths.sqlite.string() << " at " << server.url() << std::endl;
  server.start();
  server.join();
}

}  // namespace fhops::pages::dashboard
