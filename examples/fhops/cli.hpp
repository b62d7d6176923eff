// Shared plumbing of the fhops driver: option parsing with Boost.Program_options, exit codes
// (0 ok, 1 runtime failure, 2 usage error) and one-line error messages.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "fhops/util/atomic_file.hpp"
#include "fhops/util/choice.hpp"
#include "fhops/util/input_error.hpp"

namespace fhops_cli {

namespace po = boost::program_options;

/// A bad command line: exit 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Exit codes.
inline constexpr int exit_ok = 0, exit_failure = 1, exit_usage = 2;

/// A subcommand's parsed options. `help` is set when --help was given (usage already printed).
struct parsed {
  po::variables_map vm;
  bool help = false;
};

/// One line of a command list: the name and what it does.
struct command_summary {
  std::string_view name, summary;
};

/// Prints a command list (any range of entries with `name` and `summary`): two spaces, the name
/// padded to a column two wider than the longest name (so a name never touches its text), the summary.
template <class Commands>
void print_command_list(std::ostream& out, const Commands& commands) {
  std::size_t width = 0;
  for (const auto& c : commands) width = std::max(width, std::string_view(c.name).size());
  for (const auto& c : commands)
    out << "  " << c.name << std::string(width + 2 - std::string_view(c.name).size(), ' ') << c.summary << "\n";
}

/// The example command line each command's --help shows under its usage (run from the source
/// tree; every one parses: the driver tests run them with FHOPS_CHECK_ARGS=1). Keyed by the
/// command as parse() names it ("solve-heur", "telemetry report"); empty for an unknown one.
inline std::string_view command_example(std::string_view command) {
  static constexpr std::pair<std::string_view, std::string_view> examples[] = {
      {"validate", "fhops validate examples/scenarios/demo"},
      {"evaluate", "fhops evaluate examples/scenarios/demo --assignments plan.csv --format json"},
      {"greedy", "fhops greedy examples/scenarios/demo --out greedy.csv"},
      {"solve-heur", "fhops solve-heur examples/scenarios/demo --out plan.csv --iters 5000 --seed 7"},
      {"solve-ils", "fhops solve-ils examples/scenarios/demo --out plan.csv --iters 200 --seed 7"},
      {"solve-tabu", "fhops solve-tabu examples/scenarios/demo --out plan.csv --iters 2000 --seed 7"},
      {"solve-landings", "fhops solve-landings examples/scenarios/demo --out plan.csv"},
      {"bound", "fhops bound examples/scenarios/demo --time-limit 5"},
      {"solve-mip", "fhops solve-mip examples/scenarios/synth-small --out plan.csv --time-limit 60"},
      {"tune-random", "fhops tune-random --bundle baseline --runs 3 --iters 250"},
      {"tune-grid", "fhops tune-grid --bundle baseline --preset balanced --preset explore --iters 250"},
      {"tune-bayes", "fhops tune-bayes --bundle synthetic --trials 6"},
      {"tune-race", "fhops tune-race examples/scenarios/demo examples/scenarios/synth-small --budget 100 --iters 250"},
      {"tuning-plan", "fhops tuning-plan run --plan baseline-smoke --out-dir tmp/tuning"},
      {"tuning-plan run", "fhops tuning-plan run --plan baseline-smoke --out-dir tmp/tuning"},
      {"bench", "fhops bench suite --scenario examples/scenarios/demo --include-ils --repeats 3 --out-dir tmp/bench"},
      {"telemetry", "fhops telemetry report telemetry/runs.sqlite --out-markdown tuner_report.md"},
      {"telemetry report", "fhops telemetry report telemetry/runs.sqlite --out-csv tuner_report.csv --out-markdown tuner_report.md"},
      {"telemetry prune", "fhops telemetry prune telemetry/runs.jsonl --older-than 28d --archive-dir telemetry/archive"},
      {"telemetry maintain", "fhops telemetry maintain telemetry/runs.sqlite"},
      {"telemetry import", "fhops telemetry import telemetry/runs.jsonl --into telemetry/runs.sqlite"},
      {"telemetry repair", "fhops telemetry repair telemetry/runs.jsonl"},
      {"telemetry history", "fhops telemetry history --report latest=tuner_report.csv --history-dir telemetry/history --out-history-markdown history.md"},
      {"telemetry summarize-meta", "fhops telemetry summarize-meta telemetry/runs.sqlite"},
      {"telemetry compare", "fhops telemetry compare telemetry/runs.sqlite --by algorithm --format html --out compare.html"},
      {"telemetry serve", "fhops telemetry serve telemetry/runs.jsonl --port 8050"},
      {"synth", "fhops synth --tier small --seed 7 --out tmp/synth-small"},
      {"synth batch", "fhops synth batch examples/bundles/baseline.plan.yaml --force"},
      {"ops", "fhops ops weekly --out tmp/weekly --light"},
      {"ops weekly", "fhops ops weekly --out tmp/weekly --light --seed 7"},
      {"ops pages", "fhops ops pages --from tmp/weekly --out tmp/site"},
      {"analytics", "fhops analytics run --out tmp/analytics --light"},
  };
  for (const auto& [name, example] : examples)
    if (name == command) return example;
  return {};
}

/// The usage lines of a command's --help: "Usage: ..." then "Example: ..." when it has one.
inline std::string usage_lines(const std::string& command, const std::string& synopsis) {
  std::string out = "Usage: fhops " + command + " " + synopsis + "\n";
  if (const auto example = command_example(command); !example.empty()) out += "Example: " + std::string(example) + "\n";
  return out;
}

/// Parses argv (argv[0] is the subcommand) against the options and positional names; prints usage
/// on --help. With FHOPS_CHECK_ARGS set (not 0) a valid command line prints "arguments OK" and
/// returns as if --help was given, so nothing runs. Unknown options and bad values become usage_error naming the option.
inline parsed parse(const std::string& command, const std::string& synopsis, int argc, char** argv,
                    po::options_description options, const po::positional_options_description& positional,
                    po::options_description hidden = po::options_description{}) {
  options.add_options()("help,h", "show this help and exit");
  po::options_description all;
  all.add(options).add(hidden);
  parsed p;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), p.vm);
    if (p.vm.count("help")) {
      std::cout << usage_lines(command, synopsis) << "\n" << options << "\n";
      p.help = true;
      return p;
    }
    po::notify(p.vm);
    // FHOPS_CHECK_ARGS=1: check the command line and stop (the workflow files' commands are tested this way).
    if (const char* check = std::getenv("FHOPS_CHECK_ARGS"); check && *check && std::string_view(check) != "0") {
      std::cout << "fhops " << command << ": arguments OK\n";
      p.help = true;
    }
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  return p;
}

/// Runs a subcommand body, mapping exceptions to one line on stderr and the exit code.
inline int guarded(const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const usage_error& e) {
    std::cerr << "fhops " << command << ": usage error: " << e.what() << "\n"
              << "Try 'fhops " << command << " --help'.\n";
    return exit_usage;
  } catch (const std::invalid_argument& e) {
    std::cerr << "fhops " << command << ": usage error: " << e.what() << "\n";
    return exit_usage;
  } catch (const fhops::input_error& e) {
    std::cerr << "fhops " << command << ": error: " << e.what() << "\n";
    return exit_failure;
  } catch (const fhops::output_error& e) {
    std::cerr << "fhops " << command << ": error: " << e.what() << "\n";
    return exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "fhops " << command << ": error: " << e.what() << "\n";
    return exit_failure;
  }
}

/// The values an integer option takes: [lo, hi].
struct integer_domain {
  long long lo = std::numeric_limits<long long>::min();
  long long hi = std::numeric_limits<long long>::max();
};

/// The values a real option takes: finite, >= lo (> lo when `open`) and <= hi, counting `unit`.
/// lo = any_real: every finite number.
struct real_domain {
  static constexpr double any_real = std::numeric_limits<double>::lowest();
  double lo = 0.0;
  bool open = false;
  double hi = std::numeric_limits<double>::max();
  const char* unit = "";  ///< e.g. " of seconds", spliced after "a finite number"
};

/// The longest wall-clock budget an option takes (about 31 years): long enough to mean "no limit",
/// short enough that every conversion to clock ticks stays in range.
inline constexpr double max_option_seconds = 1e9;

/// Seconds: finite, > 0 (or >= 0 when `zero_ok`), at most `hi`.
inline real_domain seconds_domain(bool zero_ok = false, double hi = max_option_seconds) { return {0.0, !zero_ok, hi, " of seconds"}; }

/// Throws usage_error "--option must be <domain> (got 'value')" unless `v` is in `d`; returns `v`.
inline long long check_option(const std::string& option, long long v, const integer_domain& d) {
  if (v >= d.lo && v <= d.hi) return v;
  const std::string domain = d.hi == std::numeric_limits<long long>::max() ? fmt::format(">= {}", d.lo)
                             : d.lo == std::numeric_limits<long long>::min() ? fmt::format("<= {}", d.hi)
                                                                               : fmt::format("in [{}, {}]", d.lo, d.hi);
  throw usage_error(fmt::format("--{} must be an integer {} (got '{}')", option, domain, v));
}

/// A domain bound as a person writes it: 1000000000, not 1e+09.
inline std::string bound_text(double x) {
  return std::isfinite(x) && std::trunc(x) == x && std::fabs(x) < 1e15 ? fmt::format("{:.0f}", x) : fmt::format("{}", x);
}

/// Throws usage_error "--option must be a finite number... (got 'value')" unless `v` is in `d`; returns `v`.
inline double check_option(const std::string& option, double v, const real_domain& d) {
  if (std::isfinite(v) && (d.open ? v > d.lo : v >= d.lo) && v <= d.hi) return v;
  const bool above = d.lo != real_domain::any_real, below = d.hi != std::numeric_limits<double>::max();
  const std::string domain = above && below ? fmt::format(" in {}{}, {}]", d.open ? "(" : "[", bound_text(d.lo), bound_text(d.hi))
                             : above        ? fmt::format(" {} {}", d.open ? ">" : ">=", bound_text(d.lo))
                             : below        ? fmt::format(" <= {}", bound_text(d.hi))
                                            : "";
  throw usage_error(fmt::format("--{} must be a finite number{}{} (got '{}')", option, d.unit, domain, v));
}

/// An option value of type T checked against `d` as the command line is parsed (before
/// FHOPS_CHECK_ARGS answers and before any work), so every use of the option sees a valid value.
template <class T, class Domain>
po::typed_value<T>* checked_value(const std::string& option, Domain d) {
  return po::value<T>()->notifier([option, d](const T& v) {
    if constexpr (std::is_floating_point_v<T>) check_option(option, static_cast<double>(v), d);
    else check_option(option, static_cast<long long>(v), d);
  });
}

/// A long long option in [lo, hi].
inline po::typed_value<long long>* integer_value(const std::string& option, long long lo,
                                                 long long hi = std::numeric_limits<long long>::max()) {
  return checked_value<long long>(option, integer_domain{lo, hi});
}

/// A repeatable long long option whose every value is in [lo, hi].
inline po::typed_value<std::vector<long long>>* integer_list_value(const std::string& option, long long lo,
                                                                   long long hi = std::numeric_limits<long long>::max()) {
  return po::value<std::vector<long long>>()->notifier([option, d = integer_domain{lo, hi}](const std::vector<long long>& values) {
    for (const long long v : values) check_option(option, v, d);
  });
}

/// An int option in [lo, hi] (the parser itself refuses values beyond int).
inline po::typed_value<int>* int_value(const std::string& option, int lo, int hi = std::numeric_limits<int>::max()) {
  return checked_value<int>(option, integer_domain{lo, hi == std::numeric_limits<int>::max() ? std::numeric_limits<long long>::max() : hi});
}

/// A seconds option (see seconds_domain).
inline po::typed_value<double>* seconds_value(const std::string& option, bool zero_ok = false, double hi = max_option_seconds) {
  return checked_value<double>(option, seconds_domain(zero_ok, hi));
}

/// A real option in `d`.
inline po::typed_value<double>* real_value(const std::string& option, real_domain d) { return checked_value<double>(option, d); }

/// The most runs or trials a count option takes where every one is kept in memory until the end.
inline constexpr long long max_option_runs = 100'000;

/// The longest SQLite busy timeout in seconds: it becomes an int of milliseconds.
inline constexpr double max_busy_seconds = std::numeric_limits<int>::max() / 1000;

/// A busy timeout option's milliseconds (the option is a busy_timeout_value).
inline int busy_milliseconds(const po::variables_map& vm, const std::string& option) {
  return static_cast<int>(vm[option].as<double>() * 1000.0);
}

/// A busy timeout in seconds, >= 0, whose milliseconds fit an int.
inline po::typed_value<double>* busy_timeout_value(const std::string& option) {
  return seconds_value(option, true, max_busy_seconds);
}

/// What `parse()` returns for a value of `--option`; an std::invalid_argument it throws becomes a
/// usage error that starts with the option's name.
template <class Parse>
auto parse_option(const std::string& option, Parse&& parse) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw usage_error("--" + option + ": " + e.what());
  }
}

/// Runs `check`; an std::invalid_argument it throws (a library's check of option values, whose
/// message names the options) becomes a usage error with the same message.
template <class Check>
void usage_checked(Check&& check) {
  try {
    check();
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
}

/// Checks a choice option, naming it in the usage error.
inline std::string choice(const po::variables_map& vm, const std::string& option, const std::vector<std::string>& allowed) {
  const std::string& v = vm[option].as<std::string>();
  try {
    return fhops::one_of(option, v, allowed);
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
}

}  // namespace fhops_cli
