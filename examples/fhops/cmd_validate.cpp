// fhops validate SCENARIO: load, validate and print the counts of a scenario bundle.
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"

namespace fhops_cli {

int cmd_validate(int argc, char** argv) {
  return guarded("validate", [&] {
    po::options_description opts("Options");
    opts.add_options()("quiet,q", po::bool_switch(), "do not print warnings");
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>()->required(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const parsed p = parse("validate", "SCENARIO", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto loaded = fhops::harvest::load_scenario_with_warnings(p.vm["scenario"].as<std::string>());
    if (!p.vm["quiet"].as<bool>())
      for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    const fhops::harvest::problem pb(loaded.scenario);
    std::set<std::string> systems;
    for (const auto& b : loaded.scenario.blocks)
      if (b.harvest_system_id) systems.insert(*b.harvest_system_id);
    std::cout << "Scenario: " << pb.name << "\n";
    const auto row = [](const char* label, auto value) { std::cout << fmt::format("{:<17}{:>8}\n", label, value); };
    row("Entities", "Count");
    row("Days", pb.num_days);
    row("Shift slots", pb.num_slots);
    row("Blocks", pb.num_blocks);
    row("Machines", pb.num_machines);
    row("Landings", pb.num_landings);
    row("Harvest systems", systems.size());
    return exit_ok;
  });
}

}  // namespace fhops_cli
