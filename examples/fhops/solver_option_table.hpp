// A solver's own options (fhops/workflows/solver_options.hpp) as command-line options: one
// Boost.Program_options entry per table entry, checked as its type and domain say, and the parsed
// values handed back as the library's solver_option_values.
#pragma once

#include <string>
#include <vector>

#include "cli.hpp"
#include "fhops/workflows/solver_options.hpp"

namespace fhops_cli {

/// Adds every option of `table` to `opts`, in table order. The table's strings must outlive
/// `opts` (solver_options_of's tables live as long as the program).
inline void add_solver_options(po::options_description& opts, const std::vector<fhops::harvest::solver_option>& table) {
  using fhops::harvest::option_type;
  for (const auto& opt : table) {
    const std::string name = opt.name;
    po::value_semantic* value = nullptr;
    switch (opt.type) {
      case option_type::integer: {
        auto* v = integer_value(name, opt.min, opt.max);
        if (opt.default_text) v->default_value(std::stoll(opt.default_text));
        value = v;
        break;
      }
      case option_type::real: {
        auto* v = real_value(name, {0.0, opt.positive});
        if (opt.default_text) v->default_value(std::stod(opt.default_text), opt.default_text);
        value = v;
        break;
      }
      case option_type::text: {
        auto* v = po::value<std::string>();
        if (opt.default_text) v->default_value(opt.default_text);
        value = v;
        break;
      }
      case option_type::flag:
        value = po::bool_switch();
        break;
    }
    opts.add_options()(opt.name, value, opt.help);
  }
}

/// The values `vm` holds for `table`'s options (given or defaulted).
inline fhops::harvest::solver_option_values solver_option_values_of(const po::variables_map& vm,
                                                                    const std::vector<fhops::harvest::solver_option>& table) {
  using fhops::harvest::option_type;
  fhops::harvest::solver_option_values out;
  for (const auto& opt : table) {
    if (!vm.count(opt.name)) continue;
    const auto& v = vm[opt.name];
    switch (opt.type) {
      case option_type::integer: out.values[opt.name] = v.as<long long>(); break;
      case option_type::real: out.values[opt.name] = v.as<double>(); break;
      case option_type::text: out.values[opt.name] = v.as<std::string>(); break;
      case option_type::flag: out.values[opt.name] = v.as<bool>(); break;
    }
    out.defaulted[opt.name] = v.defaulted();
  }
  return out;
}

}  // namespace fhops_cli
