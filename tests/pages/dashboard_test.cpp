// The live dashboard (fhops/pages/dashboard): request parsing, the store view's queries, the routes
// over an in-process server, the security model (no request path reaches the file system), a
// missing or locked store, runs in progress, and 200 clients polling while a writer appends runs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "dashboard_support.hpp"
#include "fhops/pages/dashboard/dashboard.hpp"
#include "fhops/pages/history_chart.hpp"
#include "fhops/pages/markdown_html.hpp"
#include "fhops/telemetry/analysis/compare.hpp"
#include "fhops/telemetry/analysis/comparisons.hpp"
#include "fhops/telemetry/analysis/history.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/workflows/history_metrics.hpp"

namespace {

namespace fs = std::filesystem;
namespace db = fhops::pages::dashboard;
namespace tel = fhops::telemetry;
using fhops_test::http_client;

// A store of `n` synthetic runs in `dir`; returns their ids in order.
std::vector<std::string> make_store(const fs::path& dir, int n) {
  std::vector<tel::run_record> runs;
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    runs.push_back(fhops_test::synthetic_run(i));
    ids.push_back(runs.back().run_id);
  }
  fhops_test::record_runs(dir, runs);
  return ids;
}

// The dashboard of `dir` served in-process on a free port.
struct running_dashboard {
  explicit running_dashboard(const fs::path& store, db::view_options v = {}, db::server_options s = {})
      : board(db::resolve_store(store), v), server((s.port = 0, s), [this](const db::http_request& r) { return board(r); }) {
    server.start();
  }
  ~running_dashboard() {
    server.stop();
    server.join();
  }
  db::dashboard board;
  db::http_server server;
};

long long number_at(const tel::json& j, const char* key) {
  const tel::json* v = j.find(key);
  REQUIRE(v);
  return static_cast<long long>(v->as_double());
}

bool flag_at(const tel::json& j, const char* key) {
  const tel::json* v = j.find(key);
  REQUIRE(v);
  REQUIRE(v->is_bool());
  return std::get<bool>(v->value);
}

std::size_t array_size(const tel::json& j, const char* key) {
  const tel::json* v = j.find(key);
  REQUIRE(v);
  REQUIRE(v->is_array());
  return v->as_array().size();
}

}  // namespace

TEST_CASE("dashboard: request targets are decoded strictly", "[dashboard]") {
  const auto r = db::parse_target("GET", "/api/runs?scenario=a%20b&algorithm=sa+x&page=2&empty=&flag#frag");
  REQUIRE(r);
  CHECK(r->path == "/api/runs");
  CHECK(r->param("scenario") == "a b");
  CHECK(r->param("algorithm") == "sa x");
  CHECK(r->param("page") == "2");
  CHECK(r->param("empty") == "");
  CHECK(r->param("flag") == "");
  CHECK(!r->param("missing"));
  CHECK(db::parse_target("GET", "/run/%2e%2e")->path == "/run/..");
  CHECK_FALSE(db::parse_target("GET", "/a%zz"));
  CHECK_FALSE(db::parse_target("GET", "/a%2"));
  CHECK_FALSE(db::parse_target("GET", "/a%00b"));
  CHECK_FALSE(db::parse_target("GET", "relative"));
  CHECK_FALSE(db::parse_target("GET", "/?q=%"));
}

TEST_CASE("dashboard: a store is named by its .sqlite, its log or its folder", "[dashboard]") {
  const auto a = db::resolve_store("/x/telemetry/runs.jsonl");
  CHECK(a.sqlite == "/x/telemetry/runs.sqlite");
  CHECK(a.steps_dir == "/x/telemetry/steps");
  const auto b = db::resolve_store("/x/telemetry/runs.sqlite");
  CHECK(b.log == "/x/telemetry/runs.jsonl");
  CHECK(b.steps_dir == "/x/telemetry/steps");
  const fs::path dir = fhops_test::scratch("dash_resolve");
  CHECK(db::resolve_store(dir).sqlite == dir / "runs.sqlite");
  CHECK(db::resolve_store("/x/store.db").log == "/x/store.jsonl");
  // one rule for every command that takes a STORE: serve and compare open the same file
  for (const fs::path& store : {fs::path("/x/telemetry/runs.jsonl"), fs::path("/x/telemetry/runs.sqlite"), dir, fs::path("/x/store.db")}) {
    INFO(store);
    CHECK(db::resolve_store(store).sqlite == tel::locate_store(store).sqlite);
    CHECK(tel::locate_store(store).steps_dir == db::resolve_store(store).steps_dir);
  }
}

TEST_CASE("dashboard: the runs query filters, sorts and pages in SQL", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_query");
  const auto ids = make_store(dir, 30);
  db::store_view v(db::resolve_store(dir / "runs.jsonl"));
  const auto get = [&](db::runs_query q) {
    const auto j = fhops_test::parse_json_text(v.runs_json(q));
    REQUIRE(j);
    return *j;
  };
  db::runs_query q;
  q.per_page = 7;
  auto j = get(q);
  CHECK(number_at(j, "total") == 30);
  CHECK(number_at(j, "pages") == 5);
  CHECK(array_size(j, "runs") == 7);
  q.page = 5;
  CHECK(array_size(get(q), "runs") == 2);

  q = {};
  q.scenario = "s1";
  CHECK(number_at(get(q), "total") == 10);
  q.algorithm = "ils";
  CHECK(number_at(get(q), "total") == 5);  // i % 3 == 1 and i odd: 1, 7, 13, 19, 25
  q = {};
  q.status = "error";
  CHECK(number_at(get(q), "total") == 4);  // 6, 13, 20, 27
  q = {};
  q.from = "2026-11-02";
  q.to = "2026-11-03";
  CHECK(number_at(get(q), "total") == 3);  // day i % 28 + 1 in [2, 3]: i = 1, 2, 29
  q.to = "2026-11-02";
  CHECK(number_at(get(q), "total") == 2);

  q = {};
  q.sort = "objective";
  q.descending = false;
  q.per_page = 3;
  j = get(q);
  const auto& rows = j.find("runs")->as_array();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].find("objective")->as_double() == 0.0);
  CHECK(rows[2].find("objective")->as_double() == 2.0);

  for (auto bad : {+[](db::runs_query& x) { x.sort = "run_id; DROP TABLE runs"; }, +[](db::runs_query& x) { x.per_page = 501; },
                   +[](db::runs_query& x) { x.page = 0; }, +[](db::runs_query& x) { x.from = "yesterday"; },
                   +[](db::runs_query& x) { x.to = "2026-11-02' OR 1=1 --"; }}) {
    db::runs_query b;
    bad(b);
    CHECK_THROWS_AS(v.runs_json(b), db::bad_parameter);
  }
  // A scenario filter is bound, never spliced into the SQL.
  q = {};
  q.scenario = "s1' OR '1'='1";
  CHECK(number_at(get(q), "total") == 0);
}

TEST_CASE("dashboard: routes answer HTML and JSON; every answer of the API parses", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_routes");
  const auto ids = make_store(dir, 12);
  fhops_test::write_steps(dir, ids[3], 1, 500, 10);
  running_dashboard d(dir / "runs.jsonl");
  http_client c(d.server.port());

  auto a = c.request("/");
  CHECK(a.status == 200);
  CHECK(a.content_type.find("text/html") == 0);
  CHECK(a.body.find("<table id=\"runs\"") != std::string::npos);
  CHECK(a.body.find("http://") == std::string::npos);  // nothing external (the SVG namespace is in the script as a string)
  CHECK(a.body.find("https://") == std::string::npos);

  a = c.request("/api/runs?per_page=5&sort=seed&order=asc");
  REQUIRE(a.status == 200);
  CHECK(a.content_type == "application/json");
  auto j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  CHECK(number_at(*j, "total") == 12);
  CHECK(j->find("runs")->as_array()[0].find("seed")->as_double() == 0);

  a = c.request("/api/facets");
  REQUIRE(a.status == 200);
  j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  CHECK(array_size(*j, "scenarios") == 3);
  CHECK(array_size(*j, "algorithms") == 2);

  a = c.request("/run/" + ids[3]);
  CHECK(a.status == 200);
  CHECK(a.body.find("data-run=\"" + ids[3] + "\"") != std::string::npos);
  a = c.request("/api/run/" + ids[3]);
  REQUIRE(a.status == 200);
  j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  CHECK(j->find("objective")->as_double() == 3.0);
  CHECK(j->find("kpis")->find("total_production")->as_double() == 30.0);
  CHECK(j->find("config")->find("cooling")->as_string() == "geometric");
  CHECK(j->find("has_steps")->is_bool());

  a = c.request("/api/run/" + ids[3] + "/steps");
  REQUIRE(a.status == 200);
  j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  CHECK(array_size(*j, "step") == 50);
  CHECK(array_size(*j, "best") == 50);
  const long long offset = number_at(*j, "next_offset");
  CHECK(offset == static_cast<long long>(fs::file_size(dir / "steps" / (ids[3] + ".jsonl"))));
  a = c.request("/api/run/" + ids[3] + "/steps?after=250");
  CHECK(array_size(*fhops_test::parse_json_text(a.body), "step") == 25);
  a = c.request("/api/run/" + ids[3] + "/steps?after=0&offset=" + std::to_string(offset));
  CHECK(array_size(*fhops_test::parse_json_text(a.body), "step") == 0);
  a = c.request("/api/run/" + ids[3] + "/steps?min_gap=100");  // steps 1, 11, ..., 491 thinned: 101, 201, 301, 401 and the newest
  j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  REQUIRE(array_size(*j, "step") == 5);
  CHECK(j->find("step")->as_array()[0].as_double() == 101);
  CHECK(j->find("step")->as_array()[4].as_double() == 491);
  a = c.request("/api/run/" + ids[3] + "/steps?offset=99999999");  // beyond the end: read from the start
  CHECK(array_size(*fhops_test::parse_json_text(a.body), "step") == 50);
  a = c.request("/api/run/" + ids[4] + "/steps");  // recorded, no step log
  REQUIRE(a.status == 200);
  CHECK(flag_at(*fhops_test::parse_json_text(a.body), "has_steps") == false);

  a = c.request("/compare?a=sa&b=ils");
  CHECK(a.status == 200);
  CHECK(fhops_test::count(a.body, "class=\"mark\"") == 6);  // 3 scenarios x 2 algorithms
  a = c.request("/api/compare?a=sa&b=ils&scenario=s0");
  j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  REQUIRE(array_size(*j, "scenarios") == 1);
  CHECK(number_at(*j->find("scenarios")->as_array()[0].find("a"), "n") == 2);  // i = 0, 6
  a = c.request("/report");
  CHECK(a.status == 200);
  CHECK(a.body.find("s0") != std::string::npos);

  // Bad parameters: 400 with a JSON message naming the parameter.
  for (const char* t : {"/api/runs?page=abc", "/api/runs?per_page=0", "/api/runs?order=sideways", "/api/runs?sort=secret",
                        "/api/runs?from=2026-13", "/api/run/" "x/steps?after=1e3"}) {
    INFO(t);
    a = c.request(t);  // (the steps parameters are checked before the run is looked up)
    CHECK(a.status == 400);
    REQUIRE(fhops_test::parse_json_text(a.body));
    CHECK(fhops_test::parse_json_text(a.body)->find("error"));
  }
  CHECK(d.server.requests() > 15);
}

TEST_CASE("dashboard: the tuning history lists tuner summaries and charts each scenario's best", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_tuning");
  make_store(dir, 2);
  {
    tel::sqlite_store store(dir / "runs.sqlite");
    for (int k = 0; k < 3; ++k) {
      tel::tuner_summary_record s;
      s.algorithm = k == 1 ? "grid" : "random";
      s.configurations = 4 + k;
      s.scenario_best = {{"s0", 10.0 + k}, {"s1", 20.0 + k}};
      s.summary_id = tel::new_run_id();
      s.created_at = "2026-11-0" + std::to_string(k + 1) + "T00:00:00+00:00";
      store.persist_tuner_summary(tel::to_json(s));
    }
  }
  running_dashboard d(dir);
  http_client c(d.server.port());
  auto a = c.request("/tuning");
  REQUIRE(a.status == 200);
  CHECK(fhops_test::count(a.body, "<svg class=\"chart\"") == 2);  // s0, s1
  CHECK(fhops_test::count(a.body, "class=\"mark\"") == 6);       // 3 summaries x 2 scenarios
  CHECK(a.body.find("<td>grid</td>") != std::string::npos);
  a = c.request("/api/tuning");
  const auto j = fhops_test::parse_json_text(a.body);
  REQUIRE(j);
  REQUIRE(j->as_array().size() == 3);
  CHECK(j->as_array()[0].find("algorithm")->as_string() == "random");  // newest first
  CHECK(j->as_array()[0].find("best")->find("s1")->as_double() == 22.0);
  // A store without summaries says so.
  const fs::path empty = fhops_test::scratch("dash_tuning_none");
  make_store(empty, 1);
  running_dashboard e(empty);
  a = http_client(e.server.port()).request("/tuning");
  CHECK(a.status == 200);
  CHECK(a.body.find("No tuner summaries") != std::string::npos);
}

TEST_CASE("dashboard: /tuning has the site's tuning tables, /history its history and delta charts, by the same code", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_history");
  make_store(dir, 6);
  // Two weekly snapshots as ops weekly keeps them (<stamp>.csv report + <stamp>.sqlite store), the
  // second after more runs.
  const fs::path history = dir / "history";
  fs::create_directories(history);
  const auto snapshot = [&](const std::string& stamp) {
    tel::sqlite_store store(dir / "runs.sqlite");
    fhops_test::write(history / (stamp + ".csv"), tel::report_csv(tel::build_report(store)));
    tel::snapshot_store(dir / "runs.sqlite", history / (stamp + ".sqlite"));
  };
  snapshot("2026-11-16T000000Z");
  fhops_test::record_runs(dir, {fhops_test::synthetic_run(20), fhops_test::synthetic_run(21)});
  snapshot("2026-11-23T000000Z");

  running_dashboard d(dir);
  http_client c(d.server.port());
  auto a = c.request("/history");
  REQUIRE(a.status == 200);
  const auto h = tel::load_history(history, "*.csv", fhops::harvest::history_metrics);
  REQUIRE_FALSE(h.table.rows.empty());
  // the bodies of the site's history_summary.html and history_delta.html, as they are
  const std::string history_body = tel::history_chart_body(h.table, fhops::harvest::history_metrics);
  const std::string delta_body =
      tel::delta_chart_body(tel::history_deltas(h.table, fhops::harvest::history_metrics), h.table, fhops::harvest::history_metrics);
  CHECK(tel::history_chart_html(h.table, fhops::harvest::history_metrics).find(history_body) != std::string::npos);
  CHECK(a.body.find(history_body) != std::string::npos);
  CHECK(a.body.find(delta_body) != std::string::npos);
  CHECK(delta_body.find("Not enough history") == std::string::npos);  // two snapshots: a real delta
  CHECK(a.body.find("<a href=\"/history\">History</a>") != std::string::npos);

  a = c.request("/tuning");
  REQUIRE(a.status == 200);
  for (const char* heading : {"<h2>Leaderboard</h2>", "<h2>Scenario difficulty</h2>", "<h2>Algorithms per scenario</h2>"}) {
    INFO(heading);
    CHECK(a.body.find(heading) != std::string::npos);
  }
  // the leaderboard as the site renders tuning-plan's tuner_leaderboard.md
  tel::sqlite_store store(dir / "runs.sqlite");
  const auto tables = tel::compare_runs(tel::load_scored_runs(store));
  REQUIRE(tables.leaderboard.size() == 2);  // sa and ils
  CHECK(a.body.find(fhops::html::markdown(tel::table_markdown(tel::leaderboard_table(tables.leaderboard)))) != std::string::npos);

  // No history folder, or an empty one: the page says so.
  running_dashboard e(fhops_test::scratch("dash_history_none"));
  a = http_client(e.server.port()).request("/history");
  CHECK(a.status == 200);
  CHECK(a.body.find("id=\"no-history\"") != std::string::npos);
}

TEST_CASE("dashboard: no request path reaches the file system", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_security");
  const auto ids = make_store(dir / "t", 3);
  fhops_test::write(dir / "secret.txt", "TOP-SECRET\n");
  fhops_test::write(dir / "t" / "secret.jsonl", "{\"step\":1,\"objective\":1}\n");
  // A step log that is a link to a file outside the folder: never followed.
  const std::string linked = "0123456789abcdef0123456789abcdef";
  fs::create_directories(dir / "t" / "steps");
  fs::create_symlink(dir / "secret.txt", dir / "t" / "steps" / (linked + ".jsonl"));
  fs::create_symlink(dir / "secret.txt", dir / "t" / "steps" / (ids[0] + ".jsonl"));
  running_dashboard d(dir / "t" / "runs.jsonl");
  http_client c(d.server.port());
  for (const std::string& t : std::vector<std::string>{"/../secret.txt", "/%2e%2e/secret.txt", "/run/..", "/run/%2e%2e", "/run/..%2fsecret.txt", "/run/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/api/run/..%2f..%2fsecret.txt", "/api/run/%2e%2e/steps", "/api/run/secret/steps", "/api/run/../secret/steps",
        "/run/" + (dir / "secret.txt").string(), "/api/run/%2f" + (dir / "secret.txt").string().substr(1) + "/steps", "//etc/passwd",
        "/etc/passwd", "/runs.sqlite", "/steps/" + ids[0] + ".jsonl", "/api/run/" + linked, "/api/run/" + linked + "/steps",
        "/run/" + linked, "/api/run/" + ids[0] + "/steps/../../secret.txt", "/static/../../secret.txt", "/index.html/.."}) {
    INFO(t);
    const auto a = c.request(t);
    CHECK((a.status == 404 || a.status == 400));
    CHECK(a.body.find("TOP-SECRET") == std::string::npos);
    CHECK(a.body.find("root:") == std::string::npos);
  }
  // The recorded run whose step log is a link: the run is served, the link is not followed.
  const auto a = c.request("/api/run/" + ids[0] + "/steps");
  REQUIRE(a.status == 200);
  CHECK(a.body.find("TOP-SECRET") == std::string::npos);
  CHECK(flag_at(*fhops_test::parse_json_text(a.body), "has_steps") == false);
  // An absolute-form target is not a path: 400.
  CHECK(c.raw("GET http://127.0.0.1/../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(c.raw("GET ../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("dashboard: bad requests get 4xx and the server keeps serving", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_bad");
  make_store(dir, 2);
  running_dashboard d(dir);
  http_client c(d.server.port());
  namespace http = boost::beast::http;
  CHECK(c.request("/nowhere").status == 404);
  CHECK(c.request("/api/nowhere").status == 404);
  CHECK(c.request("/run/" + std::string(32, 'f')).status == 404);
  CHECK(c.request("/api/run/" + std::string(32, 'f')).status == 404);
  CHECK(c.request("/", http::verb::post, "x=1").status == 405);
  CHECK(c.request("/", http::verb::delete_).status == 405);
  CHECK(c.request("/", http::verb::post, std::string(100000, 'x')).status == 413);
  CHECK(c.raw("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 431", 0) == 0);
  CHECK(c.raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'b') + "\r\n\r\n").rfind("HTTP/1.1 431", 0) == 0);
  CHECK(c.raw("NONSENSE\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(c.raw("GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(c.raw("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  const auto head = c.raw("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.find("<table") == std::string::npos);
  // Still serving, on a new connection and on the old one.
  CHECK(http_client(d.server.port()).request("/api/runs").status == 200);
  CHECK(c.request("/api/runs").status == 200);
}

TEST_CASE("dashboard: a missing or locked store answers 503 with the reason, then recovers", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_missing");
  running_dashboard d(dir / "telemetry" / "runs.jsonl", db::view_options{.busy_timeout_ms = 100});
  http_client c(d.server.port());
  auto a = c.request("/");
  CHECK(a.status == 503);
  CHECK(a.body.find("telemetry store not found") != std::string::npos);
  CHECK(a.body.find("http-equiv=\"refresh\"") != std::string::npos);
  a = c.request("/api/runs");
  CHECK(a.status == 503);
  REQUIRE(fhops_test::parse_json_text(a.body));
  CHECK(c.request("/run/" + std::string(32, 'a')).status == 503);
  CHECK(c.request("/compare").status == 503);
  CHECK(c.request("/report").status == 503);

  // The first run recorded creates the store: the next request sees it.
  make_store(dir / "telemetry", 4);
  a = c.request("/api/runs");
  REQUIRE(a.status == 200);
  CHECK(number_at(*fhops_test::parse_json_text(a.body), "total") == 4);

  // A writer holding an exclusive lock (a store in rollback-journal mode: readers are shut out while
  // it writes): readers wait busy_timeout, then 503; when it is released the server reads again.
  const fs::path locked = dir / "locked";
  make_store(locked, 3);
  {
    SQLite::Database conv(locked / "runs.sqlite", SQLite::OPEN_READWRITE);
    conv.exec("PRAGMA journal_mode = DELETE");
  }
  running_dashboard ld(locked / "runs.sqlite", db::view_options{.busy_timeout_ms = 100});
  http_client lc(ld.server.port());
  CHECK(lc.request("/api/runs").status == 200);
  {
    SQLite::Database lock(locked / "runs.sqlite", SQLite::OPEN_READWRITE);
    lock.exec("BEGIN EXCLUSIVE");
    lock.exec("DELETE FROM run_kpis WHERE run_id = 'none'");
    a = lc.request("/api/runs?scenario=s1");
    CHECK(a.status == 503);
    REQUIRE(fhops_test::parse_json_text(a.body));
    CHECK(a.body.find("locked") != std::string::npos);
    a = lc.request("/");
    CHECK(a.status == 503);
    CHECK(a.body.find("locked") != std::string::npos);
    lock.exec("ROLLBACK");
  }
  CHECK(lc.request("/api/runs").status == 200);

  // Not a store at all.
  fhops_test::write(dir / "junk" / "runs.sqlite", std::string(5000, 'j'));
  running_dashboard junk(dir / "junk" / "runs.sqlite", db::view_options{.busy_timeout_ms = 100});
  a = http_client(junk.server.port()).request("/api/runs");
  CHECK(a.status == 503);
  REQUIRE(fhops_test::parse_json_text(a.body));
}

TEST_CASE("dashboard: a run in progress appears from its step log, grows, and becomes a recorded run", "[dashboard]") {
  const fs::path dir = fhops_test::scratch("dash_live");
  make_store(dir, 5);
  running_dashboard d(dir / "runs.jsonl", db::view_options{.scan_interval = std::chrono::milliseconds(0)});
  http_client c(d.server.port());
  const tel::run_record finished_later = fhops_test::synthetic_run(40);
  const std::string& id = finished_later.run_id;
  fhops_test::write_steps(dir, id, 1, 100, 1);
  auto j = *fhops_test::parse_json_text(c.request("/api/runs").body);
  CHECK(number_at(j, "total") == 5);
  REQUIRE(array_size(j, "running") == 1);
  const auto& live = j.find("running")->as_array()[0];
  CHECK(live.find("run_id")->as_string() == id);
  CHECK(live.find("status")->as_string() == "running");
  CHECK(number_at(live, "steps") == 100);
  CHECK(c.request("/run/" + id).status == 200);
  j = *fhops_test::parse_json_text(c.request("/api/run/" + id).body);
  CHECK(flag_at(j, "live"));

  j = *fhops_test::parse_json_text(c.request("/api/run/" + id + "/steps").body);
  CHECK(array_size(j, "step") == 100);
  CHECK(flag_at(j, "finished") == false);
  const long long offset = number_at(j, "next_offset");
  // A torn last line (a writer mid-append) is left for the next call.
  tel::append_jsonl(dir / "steps" / (id + ".jsonl"), "{\"record_type\":\"step\",\"step\":101,\"objec");
  j = *fhops_test::parse_json_text(c.request("/api/run/" + id + "/steps?after=100&offset=" + std::to_string(offset)).body);
  CHECK(array_size(j, "step") == 0);
  CHECK(number_at(j, "next_offset") == offset);
  {
    std::ofstream out(dir / "steps" / (id + ".jsonl"), std::ios::app);
    out << "tive\":5,\"best_objective\":200}\n";
  }
  fhops_test::write_steps(dir, id, 102, 150, 1);
  j = *fhops_test::parse_json_text(c.request("/api/run/" + id + "/steps?after=100&offset=" + std::to_string(offset)).body);
  CHECK(array_size(j, "step") == 50);
  CHECK(j.find("step")->as_array()[0].as_double() == 101);

  // The status filter: running rows only, or none.
  j = *fhops_test::parse_json_text(c.request("/api/runs?status=running").body);
  CHECK(array_size(j, "running") == 1);
  CHECK(array_size(j, "runs") == 0);
  j = *fhops_test::parse_json_text(c.request("/api/runs?status=ok").body);
  CHECK(array_size(j, "running") == 0);

  fhops_test::record_runs(dir, {finished_later});
  j = *fhops_test::parse_json_text(c.request("/api/runs").body);
  CHECK(number_at(j, "total") == 6);
  CHECK(array_size(j, "running") == 0);
  j = *fhops_test::parse_json_text(c.request("/api/run/" + id + "/steps").body);
  CHECK(flag_at(j, "finished"));
  CHECK(array_size(j, "step") == 150);
}

TEST_CASE("dashboard: 200 clients poll while a writer appends runs; every answer parses, counts never decrease",
          "[dashboard][load]") {
  const fs::path dir = fhops_test::scratch("dash_load");
  make_store(dir, 50);
  running_dashboard d(dir / "runs.jsonl", db::view_options{}, db::server_options{.threads = 4});
  constexpr int clients = 200;
  std::atomic<bool> stop{false};
  std::atomic<long long> answers{0}, failures{0}, not_json{0}, decreases{0}, written{0};
  std::atomic<int> ready{0};
  std::vector<std::thread> pool;
  for (int k = 0; k < clients; ++k)
    pool.emplace_back([&, k] {
      http_client c(d.server.port());
      long long last = -1;
      ++ready;
      while (!stop.load()) {
        const std::string target = k % 4 == 0 ? "/api/runs?scenario=s1&per_page=10" : k % 4 == 1 ? "/api/runs?sort=objective&page=2"
                                   : k % 4 == 2 ? "/api/runs?per_page=100" : "/api/facets";
        const auto a = c.request(target);
        if (a.status != 200) {
          ++failures;
          continue;
        }
        ++answers;
        const auto j = fhops_test::parse_json_text(a.body);
        if (!j || !j->is_object()) {
          ++not_json;
          continue;
        }
        if (k % 4 == 3) continue;
        const long long total = static_cast<long long>(j->find("total")->as_double());
        if (total < last) ++decreases;
        last = total;
      }
    });
  while (ready.load() < clients) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  std::thread writer([&] {
    for (int i = 0; std::chrono::steady_clock::now() - start < std::chrono::seconds(4); ++i) {
      fhops_test::record_runs(dir, {fhops_test::synthetic_run(100 + i)});
      ++written;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  writer.join();
  stop = true;
  for (auto& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("dashboard load: " << clients << " clients, " << answers.load() << " answers in " << seconds << " s ("
                          << static_cast<long long>(answers.load() / seconds) << " requests/s), " << written.load()
                          << " runs appended meanwhile");
  CHECK(failures.load() == 0);
  CHECK(not_json.load() == 0);
  CHECK(decreases.load() == 0);
  CHECK(written.load() > 0);
  CHECK(answers.load() >= clients);
  const auto j = fhops_test::parse_json_text(http_client(d.server.port()).request("/api/runs").body);
  REQUIRE(j);
  CHECK(number_at(*j, "total") == 50 + written.load());
}
