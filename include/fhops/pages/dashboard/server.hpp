/// \file
/// A small HTTP/1.1 server on Boost.Beast for the dashboard: one listening socket, asynchronous
/// sessions with keep-alive run by a pool of threads, and one synchronous handler that turns a
/// parsed GET/HEAD request into a response. The server knows nothing of files: what a request may
/// see is whatever the handler returns. Oversized headers (431), bodies (413), malformed requests
/// (400) and methods other than GET/HEAD (405) are answered here; a handler's exception becomes a
/// 500 with its message, and the server keeps serving.
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace fhops::pages::dashboard {

namespace net = boost::asio;
namespace beast = boost::beast;

/// A request as the handler sees it: the method, the raw target, its percent-decoded path and its
/// decoded query parameters in order.
struct http_request {
  std::string method;                                       ///< "GET" or "HEAD"
  std::string target;                                       ///< as sent, e.g. "/api/runs?page=2"
  std::string path;                                         ///< decoded, e.g. "/api/runs"
  std::vector<std::pair<std::string, std::string>> query;   ///< decoded `name=value` pairs

  /// The first value of query parameter `name`, if given.
  std::optional<std::string> param(std::string_view name) const {
    for (const auto& [k, v] : query)
      if (k == name) return v;
    return std::nullopt;
  }
};

/// A response: status, content type, body and any extra headers.
struct http_response {
  unsigned status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// A plain-text response with `status`.
inline http_response text_response(unsigned status, std::string body) {
  return http_response{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}

/// How the server listens and what it accepts.
struct server_options {
  std::string host = "127.0.0.1";               ///< the address to bind (loopback unless told)
  unsigned short port = 8050;                   ///< 0 picks a free port (see http_server::port())
  unsigned threads = 4;                         ///< threads running sessions and the handler
  std::size_t max_header_bytes = 8192;          ///< larger request heads get 431
  std::size_t max_body_bytes = 1024;            ///< larger request bodies get 413 (the routes take none)
  std::chrono::seconds idle_timeout{30};        ///< a connection silent this long is closed
  std::size_t max_requests_per_connection = 10000;  ///< then the connection closes (keep-alive bound)
};

/// Percent-decodes `s` (`+` is a space when `plus_is_space`, as in query strings); nullopt on a
/// malformed escape or a decoded NUL byte.
inline std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

/// Splits a request target into its decoded path and query; nullopt when either is malformed.
inline std::optional<http_request> parse_target(std::string method, std::string_view target) {
  http_request r;
  r.method = std::move(method);
  r.target = std::string(target);
  const std::size_t q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path || path->empty() || (*path)[0] != '/') return std::nullopt;
  r.path = std::move(*path);
  if (q == std::string_view::npos) return r;
  std::string_view rest = target.substr(q + 1);
  const std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto k = percent_decode(pair.substr(0, eq), true);
    auto v = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!k || !v) return std::nullopt;
    r.query.emplace_back(std::move(*k), std::move(*v));
  }
  return r;
}

/// The HTTP server. Construction binds and listens (throws std::runtime_error naming the address
/// when it cannot, e.g. the port is in use); start() runs the threads; stop() ends them. The
/// handler is called concurrently from several threads.
class http_server {
public:
  using handler = std::function<http_response(const http_request&)>;

  http_server(server_options o, handler h)
      : options_(std::move(o)), handler_(std::move(h)), acceptor_(net::make_strand(ioc_)), signals_(ioc_) {
    if (options_.threads == 0) throw std::invalid_argument("server_options.threads must be at least 1 (got 0)");
    beast::error_code ec;
    const auto address = net::ip::make_address(options_.host, ec);
    if (ec) throw std::runtime_error("cannot listen on " + options_.host + ": not an IP address (" + ec.message() + ")");
    const tcp::endpoint endpoint(address, options_.port);
    const auto fail = [&](const char* what) {
      throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + what + ": " +
                               ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) fail("open");
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) fail("bind");
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) fail("listen");
    port_ = acceptor_.local_endpoint().port();
  }
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  ~http_server() {
    stop();
    join();
  }

  /// The bound port (the chosen one when the options asked for 0).
  unsigned short port() const { return port_; }
  /// `http://HOST:PORT/` (IPv6 hosts in brackets).
  std::string url() const {
    const bool v6 = options_.host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(port_) + "/";
  }

  /// Accepts connections on the server's threads; returns at once.
  void start() {
    accept();
    for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  /// SIGINT and SIGTERM stop the server (call before start()).
  void stop_on_signals() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) stop();
    });
  }

  /// Stops accepting and ends every session; the threads return. Idempotent, thread-safe.
  void stop() {
    if (stopped_.exchange(true)) return;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      signals_.cancel(ec);
    });
    ioc_.stop();
  }

  /// Waits for the threads to return (after stop(), or a signal).
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

  /// Requests answered so far (all statuses).
  std::size_t requests() const { return requests_.load(); }

private:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::beast::error_code;

  // One connection: read a request, answer it, repeat while keep-alive.
  class session : public std::enable_shared_from_this<session> {
  public:
    session(tcp::socket&& socket, http_server& server) : stream_(std::move(socket)), server_(server) {}

    void start() { read(); }

  private:
    void read() {
      parser_.emplace();
      parser_->header_limit(static_cast<std::uint32_t>(server_.options_.max_header_bytes));
      parser_->body_limit(server_.options_.max_body_bytes);
      stream_.expires_after(server_.options_.idle_timeout);
      boost::beast::http::async_read(stream_, buffer_, *parser_,
                                     [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(error_code ec) {
      namespace http = boost::beast::http;
      if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted || ec == boost::beast::error::timeout) {
        close();
        return;
      }
      if (ec == http::error::header_limit) return reply_error(431, "request header fields too large");
      if (ec == http::error::body_limit) return reply_error(413, "request body too large");
      if (ec) {
        if (ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) return close();
        return reply_error(400, "bad request: " + ec.message());
      }
      const auto& req = parser_->get();
      ++served_;
      const bool keep = req.keep_alive() && served_ < server_.options_.max_requests_per_connection;
      http_response r;
      const std::string method(req.method_string());
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        r = text_response(405, "method not allowed: only GET and HEAD");
        r.headers.emplace_back("Allow", "GET, HEAD");
      } else if (auto parsed = parse_target(method, std::string_view(req.target().data(), req.target().size()))) {
        try {
          r = server_.handler_(*parsed);
        } catch (const std::exception& e) {
          r = text_response(500, std::string("internal error: ") + e.what());
        } catch (...) {
          r = text_response(500, "internal error");
        }
      } else {
        r = text_response(400, "bad request: malformed request target");
      }
      write(std::move(r), keep, req.method() == http::verb::head, req.version());
    }

    // An error found while reading: answer and close (the rest of the stream is not trusted).
    void reply_error(unsigned status, std::string message) { write(text_response(status, std::move(message)), false, false, 11); }

    void write(http_response r, bool keep_alive, bool head, unsigned version) {
      namespace http = boost::beast::http;
      ++server_.requests_;
      auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
      res->set(http::field::server, "fhops-dashboard");
      res->set(http::field::content_type, r.content_type);
      res->set(http::field::cache_control, "no-store");
      res->set("X-Content-Type-Options", "nosniff");
      for (const auto& [k, v] : r.headers) res->set(k, v);
      const std::size_t size = r.body.size();
      if (!head) res->body() = std::move(r.body);
      res->content_length(size);
      res->keep_alive(keep_alive);
      if (head) res->body().clear();
      stream_.expires_after(server_.options_.idle_timeout);
      http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](error_code ec, std::size_t) {
        if (ec || !keep_alive) return self->close();
        self->read();
      });
    }

    void close() {
      error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream_.socket().close(ec);
    }

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    http_server& server_;
    std::size_t served_ = 0;
  };

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
      if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) std::make_shared<session>(std::move(socket), *this)->start();
      accept();  // a failed accept (e.g. too many open files) does not stop the server
    });
  }

  server_options options_;
  handler handler_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  std::vector<std::thread> threads_;
  unsigned short port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<std::size_t> requests_{0};
};

}  // namespace fhops::pages::dashboard
