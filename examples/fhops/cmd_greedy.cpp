// fhops greedy SCENARIO --out CSV: the reference's greedy seed schedule.
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/util/atomic_file.hpp"
#include "io_check.hpp"
#include "report.hpp"

namespace fhops_cli {

int cmd_greedy(int argc, char** argv) {
  return guarded("greedy", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out,o", po::value<std::string>()->required(), "assignments CSV to write (folders are created)")
      ("format", po::value<std::string>()->default_value("text"), "summary format on stdout: text or json");
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>()->required(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const parsed p = parse("greedy", "SCENARIO --out CSV", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const std::string format = choice(p.vm, "format", {"text", "json"});
    const auto loaded = fhops::harvest::load_scenario_with_warnings(p.vm["scenario"].as<std::string>());
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    const std::string out = p.vm["out"].as<std::string>();
    fhops::io_paths io;
    scenario_inputs(io, loaded.scenario).output("--out", out).check();
    const fhops::harvest::problem pb(loaded.scenario);
    const auto plan = fhops::harvest::greedy_schedule(pb);
    fhops::write_file_atomic(out, fhops::harvest::assignments_csv_text(pb, plan));
    const auto e = fhops::harvest::evaluate(pb, plan);
    if (format == "json")
      std::cout << evaluation_json(e, fhops::harvest::compute_kpis(pb, plan)) << "\n";
    else
      std::cout << "Greedy schedule saved to " << out << "\n" << evaluation_text(e);
    return exit_ok;
  });
}

}  // namespace fhops_cli
