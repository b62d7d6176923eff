// Helpers of the dashboard tests: a small blocking HTTP client (Beast), a synthetic telemetry store
// written through the library's writers, the driver's `telemetry serve` as a child process, and
// URLs opened in headless chromium.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "../drivers/browser.hpp"
#include "../test_support.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"

namespace fhops_test {

/// An HTTP answer.
struct http_answer {
  int status = 0;
  std::string body, content_type;
};

/// A keep-alive HTTP/1.1 connection to 127.0.0.1:port (reconnects when the server closed it).
class http_client {
public:
  explicit http_client(unsigned short port) : port_(port) {}

  /// GET (or another method) `target`; status 0 when the connection failed.
  http_answer request(const std::string& target, boost::beast::http::verb method = boost::beast::http::verb::get,
                      const std::string& body = {}) {
    namespace http = boost::beast::http;
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) connect();
        http::request<http::string_body> req(method, target, 11);
        req.set(http::field::host, "127.0.0.1");
        req.keep_alive(true);
        if (!body.empty()) {
          req.body() = body;
          req.prepare_payload();
        }
        http::write(*stream_, req);
        boost::beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        http::read(*stream_, buf, parser);
        auto res = parser.release();
        http_answer a{static_cast<int>(res.result_int()), std::move(res.body()), std::string(res[http::field::content_type])};
        if (!res.keep_alive()) stream_.reset();
        return a;
      } catch (const std::exception&) {
        stream_.reset();
      }
    }
    return {};
  }

  /// Sends raw bytes on a fresh connection and returns what comes back (until the server closes
  /// or 2 s pass).
  std::string raw(const std::string& bytes) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    boost::asio::write(s, boost::asio::buffer(bytes));
    std::string out;
    char buf[4096];
    timeval tv{2, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
      const ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

private:
  void connect() {
    stream_.emplace(ioc_);
    stream_->connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
  }
  unsigned short port_;
  boost::asio::io_context ioc_;
  std::optional<boost::beast::tcp_stream> stream_;
};

/// Parses JSON text; nullopt when it is not JSON.
inline std::optional<fhops::telemetry::json> parse_json_text(const std::string& text) {
  fhops::telemetry::json_parser p;
  return p.parse(text);
}

/// A run record of the synthetic store: scenario s<i % 3>, algorithm sa or ils by i, objective i.
inline fhops::telemetry::run_record synthetic_run(int i, const std::string& run_id = fhops::telemetry::new_run_id()) {
  namespace tel = fhops::telemetry;
  tel::run_record r;
  r.run_id = run_id;
  r.solver = i % 2 ? "ils" : "sa";
  r.scenario = "s" + std::to_string(i % 3);
  r.seed = i;
  r.status = i % 7 == 6 ? "error" : "ok";
  r.metrics = tel::json::object{{"objective", static_cast<double>(i)}, {"iterations", 100LL}};
  r.config = tel::json::object{{"iters", 100LL}, {"cooling", "geometric"}};
  r.kpis = tel::json::object{{"total_production", 10.0 * i}};
  r.started_at = "2026-11-" + std::string(i % 28 + 1 < 10 ? "0" : "") + std::to_string(i % 28 + 1) + "T10:00:00+00:00";
  r.finished_at = r.started_at;
  r.duration_seconds = 0.5;
  return r;
}

/// Appends `runs` to the store at `dir` as a solver does: the JSONL line, then the SQLite mirror.
inline void record_runs(const std::filesystem::path& dir, const std::vector<fhops::telemetry::run_record>& runs) {
  namespace tel = fhops::telemetry;
  std::string lines;
  std::vector<tel::json::object> objects;
  for (const auto& r : runs) {
    objects.push_back(tel::to_json(r));
    lines += tel::jsonl_line(objects.back());
  }
  tel::append_jsonl(dir / "runs.jsonl", lines);
  tel::sqlite_store store(dir / "runs.sqlite");
  store.persist_runs(objects);
}

/// Appends step records `from..to` (every `every`) of `run_id` to `dir/steps/<run_id>.jsonl`.
inline void write_steps(const std::filesystem::path& dir, const std::string& run_id, long long from, long long to, long long every = 1) {
  namespace tel = fhops::telemetry;
  std::string lines;
  for (long long k = from; k <= to; k += every) {
    tel::step_record s;
    s.run_id = run_id;
    s.timestamp = tel::utc_iso_seconds();
    s.step = k;
    s.objective = 100.0 - static_cast<double>(k % 17);
    s.best_objective = 100.0 + static_cast<double>(k) / 10.0;
    s.proposals = k;
    tel::append_jsonl_line(lines, s);
  }
  tel::append_jsonl(dir / "steps" / (run_id + ".jsonl"), lines);
}

/// The driver's `telemetry serve` as a child process: started with `args`, its first stdout line
/// read (the "Serving ... at URL" line); stopped with SIGTERM.
class serve_process {
public:
  explicit serve_process(const std::vector<std::string>& args) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<std::string> all{driver(), "telemetry", "serve"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
    char line[4096];
    if (std::fgets(line, sizeof line, out_)) first_line_ = line;
    const auto at = first_line_.find("http://127.0.0.1:");
    if (at != std::string::npos) port_ = static_cast<unsigned short>(std::stoi(first_line_.substr(at + 17)));
  }
  serve_process(const serve_process&) = delete;
  serve_process& operator=(const serve_process&) = delete;
  ~serve_process() {
    if (pid_ > 0) stop();
    if (out_) std::fclose(out_);
  }

  const std::string& first_line() const { return first_line_; }
  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  /// SIGTERM, then the exit code (-1 when it did not exit normally within 10 s; then SIGKILL).
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, signal);
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return exit_code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return exit_code_ = -1;
  }

private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string first_line_;
  unsigned short port_ = 0;
  int exit_code_ = -1;
};

/// Loads `url` in headless chromium (fresh profile; scripts run for `budget_ms` of virtual time)
/// and returns the DOM it built (--dump-dom) and its console messages.
inline browser_view open_url_in_browser(const std::string& url, const std::filesystem::path& scratch_dir, int budget_ms = 3000) {
  static int n = 0;
  const std::string base = (scratch_dir / ("chromium-url-" + std::to_string(n++))).string();
  chromium_dump d = dump_dom(url, base, "--virtual-time-budget=" + std::to_string(budget_ms));
  browser_view v;
  v.exit_code = d.exit_code;
  v.dom = std::move(d.dom);
  for (const std::string& line : d.console) v.console += line + "\n";
  return v;
}

}  // namespace fhops_test
