// fhops evaluate SCENARIO --assignments CSV: the objective, its components and the KPIs.
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/harvest.hpp"
#include "report.hpp"

namespace fhops_cli {

int cmd_evaluate(int argc, char** argv) {
  return guarded("evaluate", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("assignments,a", po::value<std::string>()->required(), "assignments CSV (machine_id,block_id,day,shift_id[,assigned][,production])")
      ("format", po::value<std::string>()->default_value("text"), "output format: text or json")
      ("kpi-mode", po::value<std::string>()->default_value("extended"), "KPI detail in text output: basic or extended");
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>()->required(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const parsed p = parse("evaluate", "SCENARIO --assignments CSV [--format text|json]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const std::string format = choice(p.vm, "format", {"text", "json"});
    const std::string mode = choice(p.vm, "kpi-mode", {"basic", "extended"});
    const auto loaded = fhops::harvest::load_scenario_with_warnings(p.vm["scenario"].as<std::string>());
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    const fhops::harvest::problem pb(loaded.scenario);
    const auto plan = fhops::harvest::read_assignments_csv(pb, p.vm["assignments"].as<std::string>());
    const auto e = fhops::harvest::evaluate(pb, plan);
    const auto k = fhops::harvest::compute_kpis(pb, plan);
    if (format == "json")
      std::cout << evaluation_json(e, k) << "\n";
    else
      std::cout << evaluation_text(e) << fhops::harvest::kpi_summary_text(
                                             k, mode == "basic" ? fhops::harvest::kpi_mode::basic : fhops::harvest::kpi_mode::extended);
    return exit_ok;
  });
}

}  // namespace fhops_cli
