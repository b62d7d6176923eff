// fhops solve-mip SCENARIO --out CSV: the exact time-indexed MIP of the whole scenario
// (fhops/harvest/bounds/plan_mip.hpp) solved by Debian's cbc; the plan re-scored by the evaluator, cbc's
// best bound and the gap.
#include <cmath>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/bounds/plan_mip.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/kpi_report.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/json_text.hpp"
#include "io_check.hpp"

namespace fhops_cli {

int cmd_solve_mip(int argc, char** argv) {
  return guarded("solve-mip", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out", po::value<std::string>(), "assignments CSV to write (required; folders are created)")
      ("time-limit", seconds_value("time-limit"), "cbc's time limit in seconds (default: none); when it stops cbc, the best plan and bound found so far are reported")
      ("seed", po::value<long long>(), "cbc's random seed (-randomCbcSeed; default: cbc's own)")
      ("cbc", po::value<std::string>()->default_value("cbc"), "the cbc program (Debian package coinor-cbc)")
      ("kpi-mode", po::value<std::string>()->default_value("extended"), "KPI printout: basic or extended")
      ("format", po::value<std::string>()->default_value("text"), "output: text or json (one object)");
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const parsed p = parse("solve-mip", "SCENARIO --out CSV [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (!vm.count("scenario")) throw usage_error("the argument SCENARIO is required");
    if (!vm.count("out")) throw usage_error("the option '--out' is required");
    const std::string format = choice(vm, "format", {"text", "json"});
    const std::string kpi_mode = choice(vm, "kpi-mode", {"basic", "extended"});
    fhops::harvest::plan_mip_options o;
    if (vm.count("time-limit")) o.seconds = vm["time-limit"].as<double>();
    if (vm.count("seed")) {
      o.seed = vm["seed"].as<long long>();
      if (o.seed < 0) throw usage_error("--seed must be >= 0 (got " + std::to_string(o.seed) + ")");
    }
    o.program = vm["cbc"].as<std::string>();
    const auto loaded = fhops::harvest::load_scenario_with_warnings(vm["scenario"].as<std::string>());
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    const std::string csv = vm["out"].as<std::string>();
    fhops::io_paths io;
    scenario_inputs(io, loaded.scenario).output("--out", csv);
    if (o.program.find('/') != std::string::npos) io.input("--cbc", o.program);
    io.check();
    const fhops::harvest::problem pb(loaded.scenario);
    const auto r = fhops::harvest::solve_plan_mip(pb, o);
    fhops::write_file_atomic(csv, fhops::harvest::assignments_csv_text(pb, r.plan));
    const auto kpis = fhops::harvest::compute_kpis(pb, r.plan);
    const std::string status = r.optimal ? "optimal" : r.incumbent ? "stopped" : "no_incumbent";
    if (format == "json") {
      using fhops::json_number;
      std::cout << fmt::format("{{\"command\":\"solve-mip\",\"objective\":{},\"mip_objective\":{},\"bound\":{},\"gap\":{},\"status\":\"{}\","
                               "\"source\":\"{}\",\"cells\":{},\"variables\":{},\"rows\":{},\"seconds\":{},\"note\":{}}}\n",
                               json_number(r.eval.score), std::isnan(r.mip_objective) ? std::string("null") : json_number(r.mip_objective),
                               std::isfinite(r.bound) ? json_number(r.bound) : std::string("null"),
                               std::isfinite(r.gap()) ? json_number(r.gap()) : std::string("null"), status, r.source, r.size.cells,
                               r.size.variables, r.size.rows, json_number(r.seconds),
                               r.note.empty() ? std::string("null") : fhops::json_quote(r.note));
      return exit_ok;
    }
    std::cout << fmt::format("Objective (mip): {:.3f}. Saved to {}\n", r.eval.score, csv);
    std::cout << fhops::harvest::kpi_summary_text(kpis, kpi_mode == "basic" ? fhops::harvest::kpi_mode::basic : fhops::harvest::kpi_mode::extended);
    const std::string bound = std::isfinite(r.bound) ? fmt::format("{:.3f}", r.bound) : std::string("none");
    if (r.optimal)
      std::cout << fmt::format("MIP: optimal; bound {}, gap 0.000\n", bound);
    else if (r.incumbent)
      std::cout << fmt::format("MIP: stopped by the time limit before proving optimality (the model is too big for {} s); best bound {}, gap {:.3f} ({:.2f}%)\n",
                               o.seconds, bound, r.gap(), 100.0 * r.relative_gap());
    else
      std::cout << fmt::format("MIP: no plan found ({}{}); best bound {}\n", r.note,
                               o.seconds > 0.0 ? fmt::format(": the model is too big for {} s", o.seconds) : std::string(), bound);
    if (r.source == "greedy") std::cout << "Plan: the greedy plan (" << (r.incumbent ? r.note : std::string("cbc found no incumbent")) << ")\n";
    std::cout << fmt::format("Model: {} cells, {} variables, {} rows; {:.2f} s\n", r.size.cells, r.size.variables, r.size.rows, r.seconds);
    return exit_ok;
  });
}

}  // namespace fhops_cli
