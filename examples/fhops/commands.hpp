// The fhops subcommands: each takes argv with argv[0] = the subcommand name and returns the exit code.
#pragma once

#include <string>
#include <vector>

namespace fhops_cli {

int cmd_validate(int argc, char** argv);
int cmd_evaluate(int argc, char** argv);
int cmd_greedy(int argc, char** argv);
int cmd_bound(int argc, char** argv);
int cmd_solve_heur(int argc, char** argv);
int cmd_solve_ils(int argc, char** argv);
int cmd_solve_tabu(int argc, char** argv);
int cmd_solve_landings(int argc, char** argv);
int cmd_solve_mip(int argc, char** argv);
int cmd_tune_random(int argc, char** argv);
int cmd_tune_grid(int argc, char** argv);
int cmd_tune_bayes(int argc, char** argv);
int cmd_tune_race(int argc, char** argv);
int cmd_tuning_plan(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_telemetry(int argc, char** argv);
int cmd_telemetry_history(int argc, char** argv);
int cmd_telemetry_summarize_meta(int argc, char** argv);
int cmd_telemetry_compare(int argc, char** argv);
int cmd_telemetry_serve(int argc, char** argv);
int cmd_synth(int argc, char** argv);
int cmd_ops(int argc, char** argv);
int cmd_analytics(int argc, char** argv);

/// Runs a subcommand in-process: args[0] is its name (as on the command line after `fhops`).
int run_command(std::vector<std::string> args);

}  // namespace fhops_cli
