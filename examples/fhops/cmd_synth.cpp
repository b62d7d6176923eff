// fhops synth --tier TIER --seed N --out DIR [PARAMETERS] [--config YAML]: writes a synthetic
// scenario bundle; fhops synth batch PLAN.yaml: several bundles and their manifest. The generator
// is include/fhops/harvest/synth*.hpp; this file parses options and writes.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/harvest/synth/config.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/harvest/synth/writer.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/file_identity.hpp"

namespace fhops_cli {

namespace {

namespace fh = fhops::harvest;

std::string option_name(std::string_view key) {
  std::string out(key);
  for (char& c : out)
    if (c == '_') c = '-';
  return out;
}

std::string summary(const fh::synth_bundle& g, const std::string& where) {
  const auto& sc = g.sc;
  return fmt::format("{}: {} blocks, {} machines, {} landings, {} days x {} shifts, {} blackouts, {} locks{} -> {}", sc.name,
                     sc.blocks.size(), sc.machines.size(), sc.landings.size(), sc.num_days, sc.timeline->shifts.size(),
                     sc.timeline->blackouts.size(), sc.locked_assignments.size(), sc.mobilisation ? ", mobilisation" : "", where);
}

int synth_batch(int argc, char** argv) {
  return guarded("synth batch", [&] {
    po::options_description opts("Options");
    opts.add_options()("force", po::bool_switch(), "replace bundle folders that already exist");
    po::options_description hidden;
    hidden.add_options()("plan", po::value<std::string>()->required(), "batch plan (YAML)");
    po::positional_options_description pos;
    pos.add("plan", 1);
    const parsed p = parse("synth batch", "PLAN.yaml [--force]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const fh::synth_plan plan = fh::read_synth_plan(p.vm["plan"].as<std::string>());
    // Every output is checked and everything generated before anything is written: a bad entry
    // leaves no bundle behind.
    fh::check_synth_plan_outputs(plan, p.vm["force"].as<bool>());
    std::vector<std::pair<const fh::synth_plan_entry*, fh::synth_bundle>> generated;
    for (const auto& e : plan.entries)
      if (e.parameters) generated.emplace_back(&e, fh::generate_synth(*e.parameters));
    for (const auto& [e, g] : generated) {
      fh::write_synth_bundle(e->out, g, p.vm["force"].as<bool>());
      std::cout << summary(g, e->out.lexically_normal().string()) << "\n";
    }
    fhops::write_file_atomic(plan.manifest, fh::render_synth_manifest(plan));
    std::cout << "manifest " << plan.manifest.lexically_normal().string() << " (bundle " << plan.bundle << ", "
              << plan.entries.size() << " scenarios)\n";
    return exit_ok;
  });
}

}  // namespace

int cmd_synth(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "batch") return synth_batch(argc - 1, argv + 1);
  return guarded("synth", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out", po::value<std::string>(), "bundle folder to write (required); it appears whole or not at all")
      ("config", po::value<std::string>(), "YAML file of parameters (a bundle's metadata.yaml works too); options override it")
      ("force", po::bool_switch(), "replace the --out folder if it already holds a bundle");
    po::options_description params("Generator parameters (default: the tier's; ranges as LO:HI)");
    for (const auto& e : fh::synth_parameter_table())
      params.add_options()(option_name(e.key).c_str(), po::value<std::string>(), std::string(e.help).c_str());
    opts.add(params);
    const parsed p = parse("synth",
                           "--tier TIER [--seed N] --out DIR [PARAMETERS] [--config YAML]\n"
                           "       fhops synth batch PLAN.yaml [--force]",
                           argc, argv, opts, po::positional_options_description{});
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (!vm.count("out")) throw usage_error("the option '--out' is required");
    fhops::io_paths io;
    if (vm.count("config")) io.input("--config", vm["config"].as<std::string>());
    io.output_folder("--out", vm["out"].as<std::string>()).check();

    // Tier preset, then the config file, then the options.
    fh::synth_parameters params_value = fh::synth_tier("custom");
    std::set<std::string> from_cli;
    if (vm.count("tier")) {
      try {
        params_value = fh::synth_tier(vm["tier"].as<std::string>());
      } catch (const fh::synth_parameter_error& e) {
        throw std::invalid_argument("--tier: " + e.rule());
      }
    }
    std::string config;
    if (vm.count("config")) {
      config = vm["config"].as<std::string>();
      fh::apply_synth_config(params_value, fh::read_synth_yaml(config), config,
                             vm.count("tier") ? std::set<std::string>{"tier"} : std::set<std::string>{});
    }
    for (const auto& e : fh::synth_parameter_table()) {
      const std::string opt = option_name(e.key);
      if (e.key == "tier" || !vm.count(opt)) continue;
      from_cli.insert(std::string(e.key));
      try {
        fh::set_synth_parameter(params_value, e, YAML::Node(vm[opt].as<std::string>()));
      } catch (const std::invalid_argument& err) {
        throw std::invalid_argument("--" + opt + ": " + err.what());
      }
    }
    fh::synth_bundle g;
    try {
      g = fh::generate_synth(params_value);
    } catch (const fh::synth_parameter_error& e) {
      // Name the parameter as the user can fix it: the option, or the key of the config file.
      const std::string top = e.key().substr(0, e.key().find_first_of("[."));
      const bool in_config = !config.empty() && !from_cli.count(top);
      throw std::invalid_argument((in_config ? config + ": " + e.key() : "--" + option_name(top) + e.key().substr(top.size())) +
                                  ": " + e.rule());
    }
    const std::string out = vm["out"].as<std::string>();
    fh::write_synth_bundle(out, g, vm["force"].as<bool>());
    std::cout << summary(g, out) << "\n";
    return exit_ok;
  });
}

}  // namespace fhops_cli
