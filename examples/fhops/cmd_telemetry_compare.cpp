// fhops telemetry compare: per scenario, rank tests between the algorithms (or configurations) of a
// telemetry store's runs, Holm-corrected across scenarios, with A12 and a verdict per pair
// (fhops/telemetry/analysis/compare.hpp; docs/howto/telemetry_tuning.md "Comparing algorithms").
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/pages/compare_page.hpp"
#include "fhops/telemetry/analysis/compare.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/file_identity.hpp"

namespace fhops_cli {

int cmd_telemetry_compare(int argc, char** argv) {
  return guarded("telemetry compare", [&] {
    namespace tel = fhops::telemetry;
    po::options_description opts("Options");
    opts.add_options()
      ("by", po::value<std::string>()->default_value("algorithm"), "group the runs by: algorithm | config (the algorithm and a hash of the run's config)")
      ("scenario,s", po::value<std::vector<std::string>>()->composing(), "compare this scenario only (repeatable; default: every scenario with runs)")
      ("format", po::value<std::string>()->default_value("text"), "text | json | html")
      ("out", po::value<std::string>(), "write to this file (default: standard output)")
      ("alpha", real_value("alpha", {0.0, true, 1.0})->default_value(0.05, "0.05"), "significance level of the Holm-adjusted p-values, in (0, 1]")
      ("busy-timeout", busy_timeout_value("busy-timeout")->default_value(60.0), "seconds to wait for other writers of the store");
    po::options_description hidden;
    hidden.add_options()("store", po::value<std::string>(), "store");
    po::positional_options_description pos;
    pos.add("store", 1);
    const parsed p = parse("telemetry compare", "STORE [--by algorithm|config] [--scenario NAME]... [--format text|json|html] [--out FILE]",
                           argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (!vm.count("store")) throw usage_error("the argument STORE is required (a telemetry .sqlite, or the .jsonl log beside it)");
    tel::compare_options o;
    o.by = *tel::parse_compare_by(choice(vm, "by", {"algorithm", "config"}));
    const std::string format = choice(vm, "format", {"text", "json", "html"});
    if (vm.count("scenario")) o.scenarios = vm["scenario"].as<std::vector<std::string>>();
    o.alpha = vm["alpha"].as<double>();
    const std::filesystem::path store = tel::locate_store(vm["store"].as<std::string>()).sqlite;
    fhops::io_paths io;
    io.input("the store", store);
    if (vm.count("out")) io.output("--out", vm["out"].as<std::string>());
    io.check();
    const auto result = parse_option("scenario", [&] { return tel::compare_store(store, o, busy_milliseconds(vm, "busy-timeout")); });
    const std::string text = format == "json" ? tel::compare_json(result) : format == "html" ? tel::compare_html(result) : tel::compare_text(result);
    if (vm.count("out")) fhops::write_file_atomic(vm["out"].as<std::string>(), text);
    else std::cout << text;
    return exit_ok;
  });
}

}  // namespace fhops_cli
