// Shared plumbing of the fhops driver: option parsing with Boost.Program_options, exit codes
// (0 ok, 1 runtime failure, 2 usage error) and one-line error messages.
#pragma once

#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "fhops/util/atomic_file.hpp"
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
      std::cout << "Usage: fhops " << command << " " << synopsis << "\n\n" << options << "\n";
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

/// Checks a choice option, naming it in the usage error.
inline std::string choice(const po::variables_map& vm, const std::string& option, const std::vector<std::string>& allowed) {
  const std::string v = vm[option].as<std::string>();
  for (const auto& a : allowed)
    if (v == a) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw usage_error("--" + option + " must be one of " + list + " (got '" + v + "')");
}

}  // namespace fhops_cli
