// The live dashboard under load (issue 22): `fhops telemetry serve` pinned to one core
// (taskset -c 0) answers N clients polling the runs table (/api/runs, keep-alive) while a writer
// appends runs to the store it serves (`fhops solve-heur ... --telemetry-log`, one run after the
// other). Prints requests/s and the latency percentiles of the answers, and checks that every
// answer was a 200 with a JSON body and that no client saw the run count go down.
//
//   dashboard_bench [--clients 200] [--seconds 10] [--cpu 0]
//
// Needs the driver (build/examples/fhops) and taskset (util-linux); the store is a scratch folder.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <fmt/format.h>

namespace fs = std::filesystem;
namespace http = boost::beast::http;

namespace {

const fs::path driver = fs::path(FHOPS_BENCH_BINARY_DIR) / "examples" / "fhops";
const fs::path demo = fs::path(FHOPS_BENCH_SOURCE_DIR) / "examples" / "scenarios" / "demo";

int shell(const std::string& cmd) { return std::system(cmd.c_str()); }

// The runs total of an /api/runs answer ("total":N), or -1.
long long total_of(const std::string& body) {
  const auto p = body.find("\"total\":");
  if (p == std::string::npos) return -1;
  return std::atoll(body.c_str() + p + 8);
}

struct client_stats {
  std::vector<double> latencies_ms;
  long long bad = 0, decreases = 0;
};

void client(unsigned short port, const std::atomic<bool>& stop, client_stats& st) {
  boost::asio::io_context ioc;
  std::optional<boost::beast::tcp_stream> s;
  long long last_total = -1;
  while (!stop.load(std::memory_order_relaxed)) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      if (!s) {
        s.emplace(ioc);
        s->connect({boost::asio::ip::make_address("127.0.0.1"), port});
      }
      http::request<http::string_body> req(http::verb::get, "/api/runs?per_page=50", 11);
      req.set(http::field::host, "127.0.0.1");
      req.keep_alive(true);
      http::write(*s, req);
      boost::beast::flat_buffer buf;
      http::response<http::string_body> res;
      http::read(*s, buf, res);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      st.latencies_ms.push_back(ms);
      const long long total = total_of(res.body());
      if (res.result_int() != 200 || total < 0 || res.body().back() != '}') ++st.bad;
      if (total >= 0 && total < last_total) ++st.decreases;
      last_total = std::max(last_total, total);
      if (!res.keep_alive()) s.reset();
    } catch (const std::exception&) {
      ++st.bad;
      s.reset();
    }
  }
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0.0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 200, cpu = 0;
  double seconds = 10.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--clients") clients = std::atoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (a == "--cpu") cpu = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: dashboard_bench [--clients N] [--seconds S] [--cpu K]\n");
      return 2;
    }
  }
  if (!fs::exists(driver)) {
    std::fprintf(stderr, "dashboard_bench: no driver at %s (build fhops_cli)\n", driver.c_str());
    return 1;
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("fhops_dashboard_bench_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path log = dir / "runs.jsonl";
  // A store with some runs before the clients start.
  for (int k = 0; k < 20; ++k)
    if (shell(fmt::format("'{}' solve-heur '{}' --out '{}' --iters 300 --seed {} --telemetry-log '{}' > /dev/null", driver.string(),
                          demo.string(), (dir / "plan.csv").string(), k, log.string())) != 0)
      return 1;

  // The server, pinned to one core; its first stdout line names the port.
  const fs::path url_file = dir / "serve.out";
  const pid_t server = ::fork();
  if (server == 0) {
    const std::string cpu_list = std::to_string(cpu);
    std::freopen(url_file.c_str(), "w", stdout);
    ::execlp("taskset", "taskset", "-c", cpu_list.c_str(), driver.c_str(), "telemetry", "serve", log.c_str(), "--port", "0",
             static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  unsigned short port = 0;
  for (int i = 0; i < 200 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::FILE* f = std::fopen(url_file.c_str(), "r");
    if (!f) continue;
    char line[512] = {0};
    if (std::fgets(line, sizeof line, f)) {
      const std::string s = line;
      const auto p = s.find("http://127.0.0.1:");
      if (p != std::string::npos) port = static_cast<unsigned short>(std::atoi(s.c_str() + p + 17));
    }
    std::fclose(f);
  }
  if (port == 0) {
    std::fprintf(stderr, "dashboard_bench: the server did not start\n");
    ::kill(server, SIGTERM);
    return 1;
  }

  std::atomic<bool> stop{false};
  std::vector<client_stats> stats(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) threads.emplace_back(client, port, std::cref(stop), std::ref(stats[static_cast<std::size_t>(c)]));
  // The writer: runs appended one after the other while the clients poll.
  long long written = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  while (elapsed() < seconds) {
    if (shell(fmt::format("'{}' solve-heur '{}' --out '{}' --iters 300 --seed {} --telemetry-log '{}' > /dev/null", driver.string(),
                          demo.string(), (dir / "plan.csv").string(), 100 + written, log.string())) == 0)
      ++written;
  }
  stop = true;
  const double wall = elapsed();
  for (auto& t : threads) t.join();
  ::kill(server, SIGTERM);
  int status = 0;
  ::waitpid(server, &status, 0);

  std::vector<double> all;
  long long bad = 0, decreases = 0;
  for (auto& s : stats) {
    all.insert(all.end(), s.latencies_ms.begin(), s.latencies_ms.end());
    bad += s.bad;
    decreases += s.decreases;
  }
  const auto n = static_cast<double>(all.size());
  std::printf("dashboard_bench: %d clients polling /api/runs?per_page=50 for %.1f s, the server on cpu %d, a writer appending %lld runs\n",
              clients, wall, cpu, written);
  std::printf("  answers %.0f  requests/s %.0f  latency ms p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", n, n / wall, percentile(all, 0.50),
              percentile(all, 0.90), percentile(all, 0.99), percentile(all, 1.0));
  std::printf("  bad answers %lld  count decreases %lld\n", bad, decreases);
  fs::remove_all(dir);
  return bad == 0 && decreases == 0 ? 0 : 1;
}
