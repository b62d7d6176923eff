// fhops: the command line of fhops-cpp. Each subcommand lives in its own file; this one dispatches.
#include <stdexcept>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "cli.hpp"

namespace {

struct command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

constexpr command commands[] = {
    {"validate", fhops_cli::cmd_validate, "load and validate a scenario bundle; print its counts"},
    {"evaluate", fhops_cli::cmd_evaluate, "score an assignments CSV: objective, components and KPIs"},
    {"greedy", fhops_cli::cmd_greedy, "write the reference's greedy seed schedule as an assignments CSV"},
    {"bound", fhops_cli::cmd_bound, "an upper bound on the score of every plan (Lagrangian relaxation)"},
    {"solve-heur", fhops_cli::cmd_solve_heur, "simulated annealing (optionally multi-start)"},
    {"solve-ils", fhops_cli::cmd_solve_ils, "iterated local search"},
    {"solve-tabu", fhops_cli::cmd_solve_tabu, "tabu search"},
    {"solve-landings", fhops_cli::cmd_solve_landings, "landing decomposition: best plan keeping each machine on one landing, and a bound"},
    {"solve-mip", fhops_cli::cmd_solve_mip, "the exact MIP of the whole scenario by cbc: a plan, its bound and the gap"},
    {"tune-random", fhops_cli::cmd_tune_random, "random search over a solver's configuration space"},
    {"tune-grid", fhops_cli::cmd_tune_grid, "grid over batch sizes x operator presets"},
    {"tune-bayes", fhops_cli::cmd_tune_bayes, "Bayesian optimisation (TPE) of a solver's configuration"},
    {"tune-race", fhops_cli::cmd_tune_race, "iterated racing (irace-style) of a solver's configuration over several scenarios"},
    {"tuning-plan", fhops_cli::cmd_tuning_plan, "tuning benchmark: plan tiers x tuners x scenarios, report and comparisons"},
    {"bench", fhops_cli::cmd_bench, "bench suite: scenarios x solvers x repeats -> summary.csv/json"},
    {"telemetry", fhops_cli::cmd_telemetry, "telemetry store: report, compare, serve, history, prune, maintain, import, repair, summarize-meta"},
    {"synth", fhops_cli::cmd_synth, "generate a synthetic scenario bundle (tiers, custom sizes); 'synth batch PLAN'"},
    {"ops", fhops_cli::cmd_ops, "the ops runbook executed: 'ops weekly' (analytics, tuning, report, history, maintenance)"},
    {"analytics", fhops_cli::cmd_analytics, "analytics run: static HTML analysis pages (bench, KPIs, telemetry, playback)"},
};

// The project version from CMake (examples/CMakeLists.txt defines it for this file).
#ifndef FHOPS_VERSION
#error "FHOPS_VERSION is defined by examples/CMakeLists.txt (the project() version)"
#endif

void print_help(std::ostream& out) {
  out << "Usage: fhops COMMAND [OPTIONS] ...\n"
         "       fhops --version\n"
         "Example: fhops solve-heur examples/scenarios/demo --out plan.csv --iters 5000\n\n"
         "fhops-cpp: harvest scheduling heuristics, tuners and telemetry.\n\nCommands:\n";
  fhops_cli::print_command_list(out, commands);
  out << "\nRun 'fhops COMMAND --help' for the options of a command.\n";
}

}  // namespace

namespace fhops_cli {

int run_command(std::vector<std::string> args) {
  if (args.empty()) throw std::invalid_argument("run_command: no command");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (const auto& c : commands)
    if (args[0] == c.name) return c.run(static_cast<int>(args.size()), argv.data());
  std::cerr << "fhops: unknown command '" << args[0] << "'\n";
  return exit_usage;
}

}  // namespace fhops_cli

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help(std::cerr);
    return fhops_cli::exit_usage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_help(std::cout);
    return fhops_cli::exit_ok;
  }
  if (name == "--version") {
    std::cout << "fhops " << FHOPS_VERSION << "\n";
    return fhops_cli::exit_ok;
  }
  for (const auto& c : commands)
    if (name == c.name) return c.run(argc - 1, argv + 1);
  std::cerr << "fhops: unknown command '" << name << "'\n";
  print_help(std::cerr);
  return fhops_cli::exit_usage;
}
