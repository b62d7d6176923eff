/// \file
/// An external LP/MIP solver behind one call: a model in CPLEX LP format goes in, the optimum, a
/// bound, the solution's values and (for a linear relaxation) the rows' duals come out. The
/// project ships one such solver, `cbc_solver`, which runs Debian's `cbc` (package coinor-cbc) as
/// a separate program; any callable of the same shape can stand in (lp_solver).
#pragma once

#include <concepts>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <sys/wait.h>

namespace fhops::search {

/// What a solver found for one model (maximisation).
struct lp_answer {
  bool optimal = false;                                  ///< proven optimal (within the solver's tolerances)
  double objective = std::numeric_limits<double>::quiet_NaN();  ///< the best solution's value
  double bound = std::numeric_limits<double>::quiet_NaN();      ///< no solution is worth more (the objective when optimal)
  std::unordered_map<std::string, double> values;        ///< the solution's variables (at least the nonzero ones)
  std::unordered_map<std::string, double> duals;         ///< each row's dual, by row name (relaxations only)
};

/// Solves the LP file `model`; `relaxation` asks for the linear relaxation and its duals.
template <class S>
concept lp_solver = requires(S& s, const std::filesystem::path& model, bool relaxation) {
  { s(model, relaxation) } -> std::same_as<lp_answer>;
};

/// Runs `cbc MODEL` (coinor-cbc) and reads its log and solution file, written beside the model.
/// A MIP stopped by the time limit is not optimal, and its bound is cbc's best possible value.
struct cbc_solver {
  std::string program = "cbc";  ///< the cbc executable
  double seconds = 0.0;         ///< time limit of a MIP (0: none)
  std::string arguments;        ///< more cbc options for a MIP, before `-solve` (e.g. "-randomCbcSeed 7")

  /// True when `program` can be run (a shell finds it).
  [[nodiscard]] bool available() const { return std::system(("command -v " + program + " > /dev/null 2>&1").c_str()) == 0; }

  lp_answer operator()(const std::filesystem::path& model, bool relaxation) const {
    if (seconds < 0.0) throw std::invalid_argument("cbc_solver.seconds must be >= 0 (got " + std::to_string(seconds) + ")");
    const std::filesystem::path sol = model.string() + ".sol", log = model.string() + ".log";
    std::string cmd = program + " '" + model.string() + "'";
    if (relaxation) cmd += " -primalS -printingOptions all";
    else cmd += (seconds > 0.0 ? " -sec " + std::to_string(seconds) : std::string()) + (arguments.empty() ? std::string() : " " + arguments) + " -solve";
    cmd += " -solu '" + sol.string() + "' > '" + log.string() + "' 2>&1";
    std::filesystem::remove(sol);
    const int status = std::system(cmd.c_str());
    lp_answer a;
    std::ifstream lin(log);
    std::string last;  // the log's last line, for the error message
    for (std::string line; std::getline(lin, line);) {
      if (!line.empty()) last = line;
      if (line.find("Result - Optimal solution found") != std::string::npos) a.optimal = true;
      if (line.rfind("Objective value:", 0) == 0) a.objective = std::stod(line.substr(16));
      // cbc minimises the negated objective: its "best possible" is the negated bound
      if (const auto at = line.find("best possible "); at != std::string::npos) a.bound = -std::stod(line.substr(at + 14));
    }
    std::ifstream sin(sol);
    std::string head;
    if (status != 0 || !std::getline(sin, head))
      throw std::runtime_error("'" + program + "' gave no solution for " + model.string() + " (exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                               (last.empty() ? std::string(", no output)") : ", last output: " + last + ")"));
    if (relaxation) {
      a.optimal = head.rfind("Optimal", 0) == 0;
      if (const auto at = head.find("objective value"); at != std::string::npos) a.objective = std::stod(head.substr(at + 15));
    }
    if (!relaxation && head.rfind("Infeasible", 0) == 0) throw std::runtime_error("cbc: " + model.string() + " is infeasible");
    // lines "index name value [dual or cost]": with printingOptions all the rows come first, then
    // the columns (the index starts again at 0); otherwise the nonzero columns only
    bool rows = relaxation;
    bool seen = false;
    for (std::string line; std::getline(sin, line);) {
      std::istringstream in(line);
      std::string first;
      if (!(in >> first)) continue;
      if (first == "**") in >> first;  // cbc marks a value outside its bounds
      std::string name;
      double value = 0.0, second = 0.0;
      if (!(in >> name >> value)) continue;
      in >> second;
      if (rows && seen && first == "0") rows = false;
      seen = true;
      if (rows) a.duals[name] = second;
      else a.values[name] = value;
    }
    if (a.optimal) a.bound = a.objective;
    else if (a.bound != a.bound) a.bound = std::numeric_limits<double>::infinity();  // no bound reported
    return a;
  }
};
static_assert(lp_solver<cbc_solver>);

}  // namespace fhops::search
