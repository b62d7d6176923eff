// fhops telemetry serve: the URL line first, SIGTERM/SIGINT end it with 0, exit codes 1 (cannot
// listen) and 2 (usage), a missing store served as 503, and a solver run started while serving:
// it appears as running and its step log grows (JSON API, then headless chromium on the pages).
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "../pages/dashboard_support.hpp"
#include "../test_support.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace {

namespace fs = std::filesystem;
using fhops_test::http_client;
using fhops_test::serve_process;

double number_in(const fhops::telemetry::json& j, const char* key) {
  const auto* v = j.find(key);
  REQUIRE(v);
  return v->as_double();
}

}  // namespace

TEST_CASE("telemetry serve: prints the URL first, serves the store, stops on SIGTERM and SIGINT", "[serve_cli]") {
  const fs::path dir = fhops_test::scratch("serve_cli_basic");
  std::vector<fhops::telemetry::run_record> runs;
  for (int i = 0; i < 5; ++i) runs.push_back(fhops_test::synthetic_run(i));
  fhops_test::record_runs(dir, runs);
  for (const int signal : {SIGTERM, SIGINT}) {
    serve_process p({(dir / "runs.jsonl").string(), "--port", "0"});
    INFO(p.first_line());
    CHECK(p.first_line().rfind("Serving " + (dir / "runs.sqlite").string() + " at http://127.0.0.1:", 0) == 0);
    REQUIRE(p.port() != 0);
    http_client c(p.port());
    const auto page = c.request("/");
    CHECK(page.status == 200);
    CHECK(page.body.find("Telemetry runs") != std::string::npos);
    const auto j = fhops_test::parse_json_text(c.request("/api/runs").body);
    REQUIRE(j);
    CHECK(number_in(*j, "total") == 5);
    CHECK(p.stop(signal) == 0);
  }
}

TEST_CASE("telemetry serve: a missing store is served as 503, not an error", "[serve_cli]") {
  const fs::path dir = fhops_test::scratch("serve_cli_missing");
  serve_process p({(dir / "nowhere" / "runs.jsonl").string(), "--port", "0"});
  REQUIRE(p.port() != 0);
  const auto a = http_client(p.port()).request("/");
  CHECK(a.status == 503);
  CHECK(a.body.find("telemetry store not found") != std::string::npos);
  CHECK(p.stop() == 0);
}

TEST_CASE("telemetry serve: exit 1 when it cannot listen, 2 on a bad command line", "[serve_cli]") {
  const fs::path dir = fhops_test::scratch("serve_cli_codes");
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor taken(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(taken.local_endpoint().port());
  const std::string store = (dir / "runs.jsonl").string();
  auto r = fhops_test::run(fhops_test::driver() + " telemetry serve " + store + " --port " + port);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("cannot listen on 127.0.0.1:" + port) != std::string::npos);
  for (const std::string bad : {"--port 70000", "--port -1", "--host not-an-address", "--threads 0", "--frobnicate", "a b"}) {
    INFO(bad);
    r = fhops_test::run(fhops_test::driver() + " telemetry serve " + store + " " + bad);
    CHECK(r.exit_code == 2);
  }
  r = fhops_test::run(fhops_test::driver() + " telemetry serve --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Example: fhops telemetry serve") != std::string::npos);
  CHECK(r.out.find("--port") != std::string::npos);
  r = fhops_test::run(fhops_test::driver() + " telemetry --help");
  CHECK(r.out.find("serve") != std::string::npos);
}

TEST_CASE("telemetry serve: a solver run started while serving appears as running, its chart grows; pages render in chromium",
          "[serve_cli][browser]") {
  const fs::path dir = fhops_test::scratch("serve_cli_live");
  std::vector<fhops::telemetry::run_record> runs;
  for (int i = 0; i < 3; ++i) runs.push_back(fhops_test::synthetic_run(i));
  fhops_test::record_runs(dir / "telemetry", runs);
  // Two weekly report snapshots in a folder of our own (--history-dir) for the History page.
  const fs::path snapshots = dir / "weekly";
  fs::create_directories(snapshots);
  for (const std::string stamp : {"2026-11-16T000000Z", "2026-11-23T000000Z"}) {
    fhops::telemetry::sqlite_store store(dir / "telemetry" / "runs.sqlite");
    fhops_test::write(snapshots / (stamp + ".csv"), fhops::telemetry::report_csv(fhops::telemetry::build_report(store)));
    fhops::telemetry::snapshot_store(dir / "telemetry" / "runs.sqlite", snapshots / (stamp + ".sqlite"));
  }
  serve_process server({(dir / "telemetry" / "runs.jsonl").string(), "--port", "0", "--history-dir", snapshots.string()});
  REQUIRE(server.port() != 0);
  http_client c(server.port());

  // The solver, in the background: 8 s of simulated annealing logging a step every 1000 iterations.
  fhops_test::command_result solved;
  std::thread solver([&] {
    solved = fhops_test::run(fhops_test::driver() + " solve-heur " + fhops_test::demo() + " --out " + (dir / "plan.csv").string() +
                             " --time-limit 8 --seed 3 --step-interval 1000 --telemetry-log " + (dir / "telemetry" / "runs.jsonl").string());
  });
  std::string id;
  long long first_steps = 0;
  for (int k = 0; k < 100 && id.empty(); ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto j = fhops_test::parse_json_text(c.request("/api/runs").body);
    REQUIRE(j);
    for (const auto& r : j->find("running")->as_array())
      if (r.find("status")->as_string() == "running") id = r.find("run_id")->as_string();
  }
  INFO("run in progress: " << id);
  REQUIRE(!id.empty());
  auto steps = fhops_test::parse_json_text(c.request("/api/run/" + id + "/steps").body);
  REQUIRE(steps);
  first_steps = static_cast<long long>(steps->find("step")->as_array().size());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  steps = fhops_test::parse_json_text(c.request("/api/run/" + id + "/steps").body);
  REQUIRE(steps);
  CHECK(static_cast<long long>(steps->find("step")->as_array().size()) > first_steps);  // the chart's data grows
  CHECK(c.request("/run/" + id).status == 200);

  if (fhops_test::have_browser()) {
    const fs::path scratch = dir / "browser";
    fs::create_directories(scratch);
    const auto index = fhops_test::open_url_in_browser(server.url(), scratch);
    CHECK(index.exit_code == 0);
    CHECK(fhops_test::count(index.dom, "<tr data-run=") >= 3);  // the recorded runs rendered by the script
    CHECK(index.dom.find("data-run=\"" + id + "\"") != std::string::npos);  // and the run started during the test
    CHECK(index.console.find("Uncaught") == std::string::npos);
    const auto run_page = fhops_test::open_url_in_browser(server.url() + "run/" + id, scratch);
    CHECK(run_page.exit_code == 0);
    CHECK(run_page.dom.find("<svg class=\"chart\"") != std::string::npos);
    CHECK(fhops_test::count(run_page.dom, "class=\"mark\"") > 0);  // the convergence chart has data marks
    CHECK(run_page.console.find("Uncaught") == std::string::npos);
  }
  solver.join();
  CHECK(solved.exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the next scan of the steps folder
  const auto j = fhops_test::parse_json_text(c.request("/api/runs").body);
  REQUIRE(j);
  CHECK(number_in(*j, "total") == 4);
  CHECK(j->find("running")->as_array().empty());
  const auto run = fhops_test::parse_json_text(c.request("/api/run/" + id).body);
  REQUIRE(run);
  CHECK(run->find("scenario")->as_string() != "");
  CHECK(run->find("live")->is_bool());
  if (fhops_test::have_browser()) {
    const auto compare = fhops_test::open_url_in_browser(server.url() + "compare", dir / "browser", 1000);
    CHECK(compare.dom.find("<svg class=\"chart\"") != std::string::npos);
    const auto history = fhops_test::open_url_in_browser(server.url() + "history", dir / "browser");
    CHECK(history.exit_code == 0);
    CHECK(history.dom.find("Latest vs previous snapshot") != std::string::npos);
    CHECK(fhops_test::count(history.dom, "<svg class=\"chart\"") >= 2);  // the delta bars and the history panels
    CHECK(history.console.find("Uncaught") == std::string::npos);
    const auto tuning = fhops_test::open_url_in_browser(server.url() + "tuning", dir / "browser");
    CHECK(tuning.dom.find("<h2>Leaderboard</h2>") != std::string::npos);
  }
  CHECK(server.stop() == 0);
}
