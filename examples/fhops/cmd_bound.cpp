// fhops bound SCENARIO: an upper bound on the score of every plan of the scenario
// (fhops/harvest/bounds/bound.hpp: the Lagrangian relaxation, started from the greedy plan's score).
#include <iostream>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/bounds/bound.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/util/json_text.hpp"

namespace fhops_cli {

int cmd_bound(int argc, char** argv) {
  return guarded("bound", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("iterations", int_value("iterations", 1)->default_value(fhops::harvest::bound_parameters{}.iterations), "subgradient steps of the relaxation at most, >= 1 (each branch adds 300)")
      ("branch-nodes", int_value("branch-nodes", 0)->default_value(fhops::harvest::bound_parameters{}.branch_nodes), "branches over machine-block pairs at most, until max(1 s, twice the relaxation's time) in all (0: the relaxation's bound only)")
      ("time-limit", seconds_value("time-limit"), "wall-clock budget in seconds; the smallest bound found by then is printed (none when not one step finished)")
      ("format", po::value<std::string>()->default_value("text"), "output: text (one 'field: value' line each) or json (one object)");
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>()->required(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const parsed p = parse("bound", "SCENARIO [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const std::string format = choice(p.vm, "format", {"text", "json"});
    fhops::harvest::bound_parameters params;
    params.iterations = p.vm["iterations"].as<int>();
    params.branch_nodes = p.vm["branch-nodes"].as<int>();
    if (p.vm.count("time-limit")) params.time_limit = p.vm["time-limit"].as<double>();
    const auto loaded = fhops::harvest::load_scenario_with_warnings(p.vm["scenario"].as<std::string>());
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    const fhops::harvest::problem pb(loaded.scenario);
    const auto r = fhops::harvest::scenario_bound(pb, params);
    if (format == "json") {
      std::cout << fmt::format("{{\"scenario\":{},\"upper_bound\":{},\"iterations\":{},\"seconds\":{},\"method\":{},\"target\":{}}}\n",
                               fhops::json_quote(pb.name), r.upper_bound ? fhops::json_number(*r.upper_bound) : "null",
                               r.iterations, fhops::json_number(r.seconds), fhops::json_quote(r.method), fhops::json_number(r.target));
    } else {
      std::cout << fmt::format("scenario: {}\nupper_bound: {}\niterations: {}\nseconds: {:.3f}\nmethod: {}\ntarget: {}\n", pb.name,
                               r.upper_bound ? fmt::format("{}", *r.upper_bound) : "", r.iterations, r.seconds, r.method,
                               r.target);
    }
    return exit_ok;
  });
}

}  // namespace fhops_cli
