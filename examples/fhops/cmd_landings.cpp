// fhops solve-landings SCENARIO --out CSV: the landing decomposition (fhops/harvest/bounds/landing_decomposition.hpp):
// the best plan it finds among plans that keep every machine on one landing, and an upper bound on
// every such plan; with --certify, the certificate of fhops/harvest/bounds/landing_certificate.hpp (crews
// of any size, by Debian's cbc) and whether it covers every plan.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include <unistd.h>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/bounds/landing_certificate.hpp"
#include "fhops/harvest/bounds/landing_decomposition.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"
#include "io_check.hpp"
#include "report.hpp"

namespace fhops_cli {

// solve-landings' options.
po::options_description landings_option_table() {
  po::options_description opts("Options");
  opts.add_options()
    ("out", po::value<std::string>(), "assignments CSV to write (required; folders are created)")
    ("max-crew", int_value("max-crew", 1, 8)->default_value(3), "machines per landing at most, 1..8 (also at most the landing's capacity)")
    ("bound-iterations", int_value("bound-iterations", 0)->default_value(100), "subgradient steps of each crew's upper bound (0 = no bound)")
    ("certify", po::bool_switch(), "also bound plans of any crew size (over capacity too) by column generation with cbc, "
                                   "and check whether moving machines between landings can pay")
    ("cbc", po::value<std::string>()->default_value("cbc"), "the cbc program of --certify (Debian package coinor-cbc)")
    ("format", po::value<std::string>()->default_value("text"), "output: text or json (one object)");
  return opts;
}

// The crews per landing: "  L1: M1 M2\n" lines, or the members of a JSON object ("L1":["M1","M2"]).
std::string crews_text(const fhops::harvest::problem& pb, const std::vector<std::vector<int>>& crew_of, bool json) {
  std::string crews;
  for (int l = 0; l < pb.num_landings; ++l) {
    if (json) crews += fmt::format("{}\"{}\":[", l ? "," : "", pb.landing_ids[l]);
    else crews += fmt::format("  {}:", pb.landing_ids[l]);
    for (std::size_t i = 0; i < crew_of[l].size(); ++i)
      crews += json ? fmt::format("{}\"{}\"", i ? "," : "", pb.machine_ids[crew_of[l][i]]) : " " + pb.machine_ids[crew_of[l][i]];
    crews += json ? "]" : "\n";
  }
  return crews;
}

// The certificate's lines: its bound and gap to the plan written (score `written`), and whether
// moving machines between landings could pay.
std::string certificate_text(const fhops::harvest::landing_certificate& cert, const fhops::harvest::landing_change_check& check,
                             double written) {
  // a bound below the plan's score by the solver's tolerance (1e-6 relative) is no gap: print 0.000, not -0.000
  double gap = cert.bound - written;
  if (gap < 0.0 && gap > -1e-6 * std::max(1.0, std::abs(written))) gap = 0.0;
  std::string out = fmt::format("Certificate (cbc): no plan that keeps every machine on one landing scores more than {:.3f}, whatever "
                                "the crews' sizes (gap {:.3f}; {} round(s), {} crews{})\n",
                                cert.bound, gap, cert.iterations, cert.columns, cert.converged ? "" : ", not converged");
  if (check.never_pays)
    return out + fmt::format("Moving a machine between landings never pays here: no plan at all scores more than {:.3f}\n", cert.bound);
  return out + "The certificate covers only plans that keep every machine on one landing: " + check.reason + "\n";
}

int cmd_solve_landings(int argc, char** argv) {
  return guarded("solve-landings", [&] {
    const po::options_description opts = landings_option_table();
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>(), "scenario.yaml or bundle folder");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    const parsed p = parse("solve-landings", "SCENARIO --out CSV [OPTIONS]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (!vm.count("scenario")) throw usage_error("the argument SCENARIO is required");
    if (!vm.count("out")) throw usage_error("the option '--out' is required");
    const std::string format = choice(vm, "format", {"text", "json"});
    fhops::harvest::landing_decomposition_parameters params;
    params.max_crew = vm["max-crew"].as<int>();
    params.bound_iterations = vm["bound-iterations"].as<int>();
    const bool certify = vm["certify"].as<bool>();
    fhops::search::cbc_solver cbc;
    cbc.program = vm["cbc"].as<std::string>();
    if (certify && !cbc.available())
      throw std::runtime_error("--certify needs cbc (Debian package coinor-cbc): '" + cbc.program + "' was not found");
    const auto loaded = fhops::harvest::load_scenario_with_warnings(vm["scenario"].as<std::string>());
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
    fhops::io_paths io;
    scenario_inputs(io, loaded.scenario).output("--out", vm["out"].as<std::string>());
    if (cbc.program.find('/') != std::string::npos) io.input("--cbc", cbc.program);
    io.check();
    const fhops::harvest::problem pb(loaded.scenario);
    const auto start = std::chrono::steady_clock::now();
    const auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    // a progress line on a terminal once the run has lasted a second, at most every 0.25 s
    const bool tty = ::isatty(2);
    double shown = 0.0;
    const auto r = fhops::harvest::decompose_landings(pb, params, [&](const fhops::harvest::landing_decomposition_progress& e) {
      const double s = since();
      if (!tty || s < 1.0 || s - shown < 0.25) return;
      shown = s;
      std::cerr << fmt::format("\r  {:6.1f}s  crews searched {:<8} bounds tightened {:<8}", s, e.crews_searched, e.crews_tightened);
      if (e.crews_tightened > 0) std::cerr << fmt::format(" best {:.3f}", e.best);
      std::cerr << std::flush;
    });
    if (shown > 0.0) std::cerr << fmt::format("\r{:80}\r", "");
    std::optional<fhops::harvest::landing_certificate> cert;
    fhops::harvest::landing_change_check check;
    if (certify) {
      const fhops::private_temp_folder work("fhops_certify_");  // the LP files; removed on every exit
      cert = fhops::harvest::certify_landings(pb, r.crew_values, cbc, work.path(), {}, [&](const fhops::harvest::landing_certificate_progress& e) {
        const double s = since();
        if (!tty || s < 1.0 || s - shown < 0.25) return;
        shown = s;
        std::cerr << fmt::format("\r  {:6.1f}s  certificate: round {}, landing {} priced{:20}", s, e.iteration + 1, e.landing + 1, "") << std::flush;
      });
      if (shown > 0.0) std::cerr << fmt::format("\r{:80}\r", "");
      check = fhops::harvest::landing_changes_never_pay(pb);
    }
    const double seconds = since();
    const std::string out = vm["out"].as<std::string>();
    // the certificate's plan (crews of any size) when it scores more than the decomposition's
    const bool certificate_plan = cert && cert->plan_value > r.value;
    const auto& plan = certificate_plan ? cert->plan : r.plan;
    const fhops::harvest::evaluation eval = certificate_plan ? fhops::harvest::evaluate(pb, plan) : r.eval;
    fhops::write_file_atomic(out, fhops::harvest::assignments_csv_text(pb, plan));
    const auto crew_of = certificate_plan ? fhops::harvest::crews_of_plan(pb, plan) : r.crews;
    const std::string crews = crews_text(pb, crew_of, format == "json");
    const bool bounded = params.bound_iterations > 0;
    if (format == "json") {
      using fhops::json_number;
      const std::string certificate =
          cert ? fmt::format("{{\"bound\":{},\"plan_objective\":{},\"plan_written\":{},\"converged\":{},\"rounds\":{},\"columns\":{},"
                             "\"covers_all_plans\":{},\"reason\":{}}}",
                             json_number(cert->bound), json_number(cert->plan_value), certificate_plan, cert->converged,
                             cert->iterations, cert->columns, check.never_pays,
                             check.never_pays ? std::string("null") : fhops::json_quote(check.reason))
               : std::string("null");
      std::cout << fmt::format("{{\"command\":\"solve-landings\",\"objective\":{},\"bound\":{},\"crews\":{{{}}},"
                               "\"crews_searched\":{},\"crews_tightened\":{},\"certificate\":{},\"seconds\":{}}}\n",
                               json_number(eval.score), bounded ? json_number(r.bound) : std::string("null"), crews,
                               r.crews_searched, r.crews_tightened, certificate, json_number(seconds));
      return exit_ok;
    }
    if (certificate_plan)
      std::cout << fmt::format("Certificate's plan (crews of any size) scores {:.3f}, more than the decomposition's {:.3f}: saved to {}\n",
                               eval.score, r.value, out);
    else
      std::cout << fmt::format("Landing decomposition: plan saved to {}\n", out);
    std::cout << evaluation_text(eval);
    if (bounded)
      std::cout << fmt::format("Upper bound over plans that keep every machine on one landing (crews of at most {}): {:.3f} "
                               "(the decomposition's gap {:.3f})\n", params.max_crew, r.bound, r.bound - r.value);
    if (cert) std::cout << certificate_text(*cert, check, eval.score);
    std::cout << "Crews:\n" << crews
              << fmt::format("{} crews searched, {} given the segment bound, in {:.2f} s\n", r.crews_searched, r.crews_tightened, seconds);
    return exit_ok;
  });
}

}  // namespace fhops_cli
