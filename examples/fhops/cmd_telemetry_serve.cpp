// fhops telemetry serve: the live dashboard of a telemetry store (docs/howto/dashboard.md). Parses
// the options, then one library call (fhops::pages::dashboard::serve) that prints the URL and
// answers until SIGINT/SIGTERM. Exit 1 when it cannot listen (port in use); a missing store is not
// an error (its pages say so and retry).
#include <string>

#include <boost/asio/ip/address.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/pages/dashboard/dashboard.hpp"

namespace fhops_cli {

int cmd_telemetry_serve(int argc, char** argv) {
  return guarded("telemetry serve", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("port", int_value("port", 0, 65535)->default_value(8050), "TCP port (0 picks a free one; the URL is printed first)")
      ("host", po::value<std::string>()->default_value("127.0.0.1"), "address to bind (an IP address; 0.0.0.0 serves every interface)")
      ("threads", int_value("threads", 1, 64)->default_value(4), "threads answering requests")
      ("busy-timeout", busy_timeout_value("busy-timeout")->default_value(2.0), "seconds to wait for a locked store before answering 503")
      ("history-dir", po::value<std::string>(), "report snapshots for the History page (default: history/ beside the store, as ops weekly keeps them)");
    po::options_description hidden;
    hidden.add_options()("store", po::value<std::string>()->default_value("telemetry/runs.jsonl"), "store");
    po::positional_options_description pos;
    pos.add("store", 1);
    const parsed p = parse("telemetry serve", "[STORE] [--port 8050] [--host 127.0.0.1]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const std::string host = p.vm["host"].as<std::string>();
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) throw usage_error("--host must be an IP address such as 127.0.0.1 or ::1 (got '" + host + "')");
    namespace db = fhops::pages::dashboard;
    db::dashboard_options o;
    o.server.host = host;
    o.server.port = static_cast<unsigned short>(p.vm["port"].as<int>());
    o.server.threads = static_cast<unsigned>(p.vm["threads"].as<int>());
    o.view.busy_timeout_ms = busy_milliseconds(p.vm, "busy-timeout");
    if (p.vm.count("history-dir")) o.history_dir = p.vm["history-dir"].as<std::string>();
    db::serve(p.vm["store"].as<std::string>(), o);
    return exit_ok;
  });
}

}  // namespace fhops_cli
