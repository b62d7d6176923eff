/// \file
/// The generator's parameters by name: one table drives the YAML config (`--config`), the options
/// of `fhops synth` (the same keys with `-` for `_`), the `parameters:` section of metadata.yaml
/// (which is itself a valid config) and the entries of a batch plan (`fhops synth batch`).
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "fhops/harvest/synth/detail/text.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/file_identity.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"
#include "fhops/util/yaml_file.hpp"

namespace fhops::harvest {

/// A member of synth_parameters, by type.
using synth_field =
    std::variant<int synth_parameters::*, std::uint64_t synth_parameters::*, double synth_parameters::*,
                 bool synth_parameters::*, std::string synth_parameters::*, std::optional<std::string> synth_parameters::*,
                 int_range synth_parameters::*, real_range synth_parameters::*, std::vector<std::string> synth_parameters::*,
                 std::vector<double> synth_parameters::*, std::vector<system_weight> synth_parameters::*,
                 std::vector<blackout_bias> synth_parameters::*, std::optional<objective_weights> synth_parameters::*>;

/// One named parameter: YAML key, member, help text (also the option's help).
struct synth_parameter_info {
  std::string_view key;
  synth_field field;
  std::string_view help;
};

/// Every parameter, in the order metadata.yaml lists them.
inline const std::vector<synth_parameter_info>& synth_parameter_table() {
  using P = synth_parameters;
  static const std::vector<synth_parameter_info> table{
      {"tier", &P::tier, "preset the other parameters start from: small, medium, large, custom, xl, xxl"},
      {"seed", &P::seed, "random seed (tier default: small 101, medium 202, large 303, custom 123, xl 404, xxl 505)"},
      {"name", &P::name, "scenario name (default synthetic-TIER)"},
      {"start_date", &P::start_date, "start date written to scenario.yaml (reporting only)"},
      {"blocks", &P::blocks, "number of blocks: N or LO:HI (drawn)"},
      {"days", &P::days, "horizon in days: N or LO:HI"},
      {"machines", &P::machines, "number of machines: N or LO:HI"},
      {"landings", &P::landings, "number of landings: N or LO:HI (at most the number of blocks)"},
      {"shifts_per_day", &P::shifts_per_day, "shifts S1..Sk per day; each is a slot of the schedule"},
      {"shift_hours", &P::shift_hours, "hours of a shift: H or LO:HI (drawn once)"},
      {"machine_daily_hours", &P::machine_daily_hours, "machines' daily_hours"},
      {"availability_probability", &P::availability_probability, "probability that a machine-day is available"},
      {"blackout_probability", &P::blackout_probability, "probability that a blackout starts on a day"},
      {"blackout_duration", &P::blackout_duration, "blackout length in days: N or LO:HI"},
      {"blackout_biases", &P::blackout_biases, "windows with their own blackout odds: START:END:P:DLO:DHI, ';'-separated"},
      {"landing_capacity", &P::landing_capacity, "machines per landing and slot: N or LO:HI"},
      {"work_required", &P::work_required, "work of a block: W or LO:HI"},
      {"production_rate", &P::production_rate, "work per slot of a machine on a block: R or LO:HI"},
      {"operating_cost", &P::operating_cost, "machines' operating_cost (reporting only): C or LO:HI"},
      {"system_mix", &P::system_mix, "harvest-system weights ID=W,... (empty: registry round robin)"},
      {"role_pool", &P::role_pool, "machine roles cycled over the machines, a,b,... (empty: from the systems)"},
      {"terrain_pool", &P::terrain_pool, "terrain values (reporting only), a,b,..."},
      {"terrain_weights", &P::terrain_weights, "weights of the terrain values (empty: uniform)"},
      {"prescription_pool", &P::prescription_pool, "prescription values (reporting only)"},
      {"prescription_weights", &P::prescription_weights, "weights of the prescription values (empty: uniform)"},
      {"crew_pool", &P::crew_pool, "crew ids cycled over the machines"},
      {"capability_pool", &P::capability_pool, "crew capabilities (reporting only)"},
      {"crew_capability_span", &P::crew_capability_span, "capabilities per crew: N or LO:HI"},
      {"mobilisation", &P::mobilisation, "write move costs and a distance file from block coordinates (true/false)"},
      {"area_m", &P::area_m, "side in metres of the square holding the landings (0: 1500*sqrt(landings))"},
      {"block_radius_m", &P::block_radius_m, "blocks lie within this many metres of their landing"},
      {"walk_cost_per_meter", &P::walk_cost_per_meter, "mobilisation: cost per metre walked: C or LO:HI"},
      {"move_cost_flat", &P::move_cost_flat, "mobilisation: cost of a move beyond the walk threshold: C or LO:HI"},
      {"walk_threshold_m", &P::walk_threshold_m, "mobilisation: longest walk in metres: M or LO:HI"},
      {"setup_cost", &P::setup_cost, "mobilisation: cost added to every move: C or LO:HI"},
      {"objective_weights", &P::weights, "objective weights production=W,mobilisation=W,transitions=W,landing_slack=W"},
      {"locks", &P::locks, "number of (machine, day) locks to place (feasible ones only; at most this many)"},
  };
  return table;
}

/// The table entry for a key (`-` and `_` are the same), or nullptr.
inline const synth_parameter_info* find_synth_parameter(std::string_view key) {
  std::string k(key);
  for (char& c : k)
    if (c == '-') c = '_';
  for (const auto& e : synth_parameter_table())
    if (e.key == k) return &e;
  return nullptr;
}

namespace detail {

inline bool yaml_null(const YAML::Node& n) {
  return !n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Tag() == "?" && (n.Scalar() == "~" || n.Scalar() == "null"));
}

inline std::string scalar(const YAML::Node& n) {
  if (!n.IsScalar()) throw std::invalid_argument("must be a single value");
  return n.Scalar();
}

inline double real_value(const YAML::Node& n) {
  const std::string s = scalar(n);
  const auto v = fhops::detail::parse_double(s);
  if (!v || std::isnan(*v)) throw std::invalid_argument("'" + excerpt(s) + "' is not a number");
  return *v;
}

inline long long int_value(const YAML::Node& n) {
  const std::string s = scalar(n);
  const auto v = fhops::detail::parse_double(s);
  if (!v || !std::isfinite(*v) || std::trunc(*v) != *v || s.find_first_of("eE") != std::string::npos)
    throw std::invalid_argument("'" + excerpt(s) + "' is not an integer");
  if (std::fabs(*v) > 9.0e15) throw std::invalid_argument("'" + excerpt(s) + "' is out of range (|value| <= 9e15)");
  return static_cast<long long>(*v);
}

// An integer that must fit an int field (a day).
inline int int32_value(const YAML::Node& n) {
  const long long v = int_value(n);
  if (v < -2147483647LL || v > 2147483647LL) throw std::invalid_argument("'" + excerpt(n.Scalar()) + "' is out of range (|value| <= 2147483647)");
  return static_cast<int>(v);
}

inline bool bool_value(const YAML::Node& n) {
  std::string s = scalar(n);
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  throw std::invalid_argument("'" + excerpt(n.Scalar()) + "' is not true or false");
}

/// A range: one value (lo = hi), a two-element list, or the text `LO:HI`.
template <class Range, class Parse>
Range range_value(const YAML::Node& n, Parse parse) {
  if (n.IsSequence()) {
    if (n.size() != 2) throw std::invalid_argument("a range is [LO, HI]");
    return {parse(n[0]), parse(n[1])};
  }
  const std::string s = scalar(n);
  const auto colon = s.find(':');
  if (colon == std::string::npos) {
    const auto v = parse(n);
    return {v, v};
  }
  return {parse(YAML::Node(s.substr(0, colon))), parse(YAML::Node(s.substr(colon + 1)))};
}

/// A list: a YAML sequence or comma-separated text (an empty text is the empty list).
inline std::vector<YAML::Node> list_items(const YAML::Node& n) {
  std::vector<YAML::Node> out;
  if (yaml_null(n)) return out;
  if (n.IsSequence()) {
    for (const auto& x : n) out.push_back(x);
    return out;
  }
  const std::string s = scalar(n);
  std::size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    const auto comma = s.find(',', start);
    const std::string item(fhops::detail::trim(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (item.empty()) throw std::invalid_argument("empty item in the list '" + excerpt(s) + "'");
    out.emplace_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// A mapping: a YAML map or the text `k=v,k=v`, as (key, value) pairs in order.
inline std::vector<std::pair<std::string, YAML::Node>> map_items(const YAML::Node& n) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  if (yaml_null(n)) return out;
  if (n.IsMap()) {
    for (const auto& kv : n) out.emplace_back(kv.first.Scalar(), kv.second);
    return out;
  }
  for (const auto& item : list_items(n)) {
    const std::string s = item.Scalar();
    const auto eq = s.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("'" + excerpt(s) + "' is not KEY=VALUE");
    out.emplace_back(std::string(fhops::detail::trim(s.substr(0, eq))), YAML::Node(std::string(fhops::detail::trim(s.substr(eq + 1)))));
  }
  return out;
}

inline std::vector<blackout_bias> biases_value(const YAML::Node& n) {
  std::vector<blackout_bias> out;
  if (yaml_null(n)) return out;
  const auto make = [](const YAML::Node& start, const YAML::Node& end, const YAML::Node& p, const YAML::Node& dur) {
    return blackout_bias{int32_value(start), int32_value(end), real_value(p),
                         range_value<int_range>(dur, int_value)};
  };
  if (n.IsSequence()) {
    for (const auto& b : n) {
      if (!b.IsMap()) throw std::invalid_argument("each bias is {start_day, end_day, probability, duration}");
      for (const char* k : {"start_day", "end_day", "probability", "duration"})
        if (!b[k]) throw std::invalid_argument(std::string("a bias needs '") + k + "'");
      out.push_back(make(b["start_day"], b["end_day"], b["probability"], b["duration"]));
    }
    return out;
  }
  std::string s = scalar(n);
  std::size_t start = 0;
  while (!s.empty()) {
    const auto semi = s.find(';', start);
    const std::string item = s.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    std::vector<std::string> f;
    std::size_t a = 0;
    for (;;) {
      const auto c = item.find(':', a);
      f.emplace_back(fhops::detail::trim(item.substr(a, c == std::string::npos ? std::string::npos : c - a)));
      if (c == std::string::npos) break;
      a = c + 1;
    }
    if (f.size() != 4 && f.size() != 5) throw std::invalid_argument("'" + excerpt(item) + "' is not START:END:P:DLO[:DHI]");
    out.push_back(make(YAML::Node(f[0]), YAML::Node(f[1]), YAML::Node(f[2]),
                       YAML::Node(f[3] + ":" + (f.size() == 5 ? f[4] : f[3]))));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return out;
}

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace detail

/// Sets parameter `key` from a YAML value (or the option's text, given as a YAML scalar). Throws
/// std::invalid_argument (the message without the key) when the value does not parse; domains are
/// checked later by validate_synth_parameters. Setting `tier` does not load the tier's preset.
inline void set_synth_parameter(synth_parameters& p, const synth_parameter_info& info, const YAML::Node& v) {
  using namespace detail;
  using P = synth_parameters;
  std::visit(overloaded{
                 [&](int P::*f) {
                   const long long x = int_value(v);
                   if (x < -2147483647LL || x > 2147483647LL) throw std::invalid_argument("'" + excerpt(v.Scalar()) + "' is out of range");
                   p.*f = static_cast<int>(x);
                 },
                 [&](std::uint64_t P::*f) {
                   const std::string s = scalar(v);
                   std::size_t used = 0;
                   unsigned long long x = 0;
                   try {
                     x = std::stoull(s, &used);
                   } catch (const std::exception&) {
                     used = 0;
                   }
                   if (used == 0 || used != s.size() || s.front() == '-') throw std::invalid_argument("'" + excerpt(s) + "' is not a seed (an integer 0..2^64-1)");
                   p.*f = x;
                 },
                 [&](double P::*f) { p.*f = real_value(v); },
                 [&](bool P::*f) { p.*f = bool_value(v); },
                 [&](std::string P::*f) { p.*f = yaml_null(v) ? std::string() : scalar(v); },
                 [&](std::optional<std::string> P::*f) { p.*f = yaml_null(v) ? std::nullopt : std::optional(scalar(v)); },
                 [&](int_range P::*f) { p.*f = range_value<int_range>(v, int_value); },
                 [&](real_range P::*f) { p.*f = range_value<real_range>(v, real_value); },
                 [&](std::vector<std::string> P::*f) {
                   (p.*f).clear();
                   for (const auto& x : list_items(v)) (p.*f).push_back(scalar(x));
                 },
                 [&](std::vector<double> P::*f) {
                   (p.*f).clear();
                   for (const auto& x : list_items(v)) (p.*f).push_back(real_value(x));
                 },
                 [&](std::vector<system_weight> P::*f) {
                   (p.*f).clear();
                   for (const auto& [k, w] : map_items(v)) (p.*f).push_back({k, real_value(w)});
                 },
                 [&](std::vector<blackout_bias> P::*f) { p.*f = biases_value(v); },
                 [&](std::optional<objective_weights> P::*f) {
                   if (yaml_null(v)) {
                     p.*f = std::nullopt;
                     return;
                   }
                   objective_weights w;
                   for (const auto& [k, x] : map_items(v)) {
                     if (k == "production") w.production = real_value(x);
                     else if (k == "mobilisation") w.mobilisation = real_value(x);
                     else if (k == "transitions") w.transitions = real_value(x);
                     else if (k == "landing_slack") w.landing_slack = real_value(x);
                     else throw std::invalid_argument("'" + excerpt(k) + "' is not a weight (production, mobilisation, transitions, landing_slack)");
                   }
                   p.*f = w;
                 },
             },
             info.field);
}

/// The parameter's value as YAML text (flow style; a valid config value).
inline std::string synth_parameter_yaml(const synth_parameters& p, const synth_parameter_info& info) {
  using namespace detail;
  using P = synth_parameters;
  const auto strings = [](const std::vector<std::string>& v) {
    std::vector<std::string> items;
    for (const auto& s : v) items.push_back(yaml_string(s));
    return yaml_flow(items);
  };
  return std::visit(overloaded{
                        [&](int P::*f) { return std::to_string(p.*f); },
                        [&](std::uint64_t P::*f) { return std::to_string(p.*f); },
                        [&](double P::*f) { return num(p.*f); },
                        [&](bool P::*f) { return std::string(p.*f ? "true" : "false"); },
                        [&](std::string P::*f) { return (p.*f).empty() ? std::string("\"\"") : yaml_string(p.*f); },
                        [&](std::optional<std::string> P::*f) { return p.*f ? yaml_string(*(p.*f)) : std::string("null"); },
                        [&](int_range P::*f) { return yaml_flow({std::to_string((p.*f).lo), std::to_string((p.*f).hi)}); },
                        [&](real_range P::*f) { return yaml_flow({num((p.*f).lo), num((p.*f).hi)}); },
                        [&](std::vector<std::string> P::*f) { return strings(p.*f); },
                        [&](std::vector<double> P::*f) {
                          std::vector<std::string> items;
                          for (double x : p.*f) items.push_back(num(x));
                          return yaml_flow(items);
                        },
                        [&](std::vector<system_weight> P::*f) {
                          std::string s = "{";
                          for (std::size_t i = 0; i < (p.*f).size(); ++i)
                            s += (i ? ", " : "") + yaml_string((p.*f)[i].system_id) + ": " + num((p.*f)[i].weight);
                          return s + "}";
                        },
                        [&](std::vector<blackout_bias> P::*f) {
                          std::vector<std::string> items;
                          for (const auto& b : p.*f)
                            items.push_back("{start_day: " + std::to_string(b.start_day) + ", end_day: " + std::to_string(b.end_day) +
                                            ", probability: " + num(b.probability) + ", duration: [" + std::to_string(b.duration.lo) +
                                            ", " + std::to_string(b.duration.hi) + "]}");
                          return yaml_flow(items);
                        },
                        [&](std::optional<objective_weights> P::*f) {
                          if (!(p.*f)) return std::string("null");
                          const objective_weights& w = *(p.*f);
                          return "{production: " + num(w.production) + ", mobilisation: " + num(w.mobilisation) +
                                 ", transitions: " + num(w.transitions) + ", landing_slack: " + num(w.landing_slack) + "}";
                        },
                    },
                    info.field);
}

/// Applies a config mapping (keys of synth_parameter_table) onto `p`. A mapping with a
/// `parameters:` key (a bundle's metadata.yaml) uses that section. A `tier` key restarts from the
/// tier's preset before the other keys apply. Unknown keys and unparsable values throw
/// input_error naming `source`, the line and the key. Keys in `ignore_keys` are skipped.
inline void apply_synth_config(synth_parameters& p, YAML::Node doc, const std::string& source,
                               const std::set<std::string>& ignore_keys = {}) {
  if (doc.IsMap() && doc["parameters"] && doc["parameters"].IsMap()) doc = doc["parameters"];
  if (!doc.IsMap()) throw input_error(source, doc.IsDefined() ? doc.Mark().line + 1 : 0, {}, "must be a mapping of generator parameters");
  const auto line = [](const YAML::Node& n) { return n.Mark().is_null() ? std::size_t{0} : static_cast<std::size_t>(n.Mark().line + 1); };
  if (const YAML::Node t = doc["tier"]; t && !detail::yaml_null(t) && !ignore_keys.count("tier")) {
    if (!t.IsScalar()) throw input_error(source, line(t), "tier", "must be a tier name");
    try {
      p = synth_tier(t.Scalar());
    } catch (const synth_parameter_error& e) {
      throw input_error(source, line(t), "tier", e.rule());
    }
  }
  for (const auto& kv : doc) {
    const std::string key = kv.first.Scalar();
    if (key == "tier" || ignore_keys.count(key)) continue;
    const synth_parameter_info* info = find_synth_parameter(key);
    if (!info)
      throw input_error(source, line(kv.first), key, "is not a parameter of the generator (see fhops synth --help)");
    try {
      set_synth_parameter(p, *info, kv.second);
    } catch (const std::invalid_argument& e) {
      throw input_error(source, line(kv.second), key, e.what());
    } catch (const YAML::Exception& e) {
      throw input_error(source, line(kv.second), key, "unexpected YAML value: " + e.msg);
    }
  }
}

/// Reads a YAML file (a regular file of at most 1 GiB; a repeated key keeps its last value, as
/// PyYAML reads it), naming it in any error.
inline YAML::Node read_synth_yaml(const std::filesystem::path& file) { return read_yaml_file(file); }

/// The `parameters:` section of metadata.yaml: every parameter, one per line.
inline std::string synth_parameters_yaml(const synth_parameters& p, const std::string& indent = "  ") {
  std::string out;
  for (const auto& e : synth_parameter_table()) out += indent + std::string(e.key) + ": " + synth_parameter_yaml(p, e) + "\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Batch plans.

/// One entry of a batch plan: a bundle to generate (parameters set) or an existing bundle to list
/// in the manifest as it is (parameters empty).
struct synth_plan_entry {
  std::string name;                              ///< member name in the manifest (a plain name)
  std::filesystem::path out;                     ///< the bundle folder (absolute or relative to the cwd)
  std::optional<synth_parameters> parameters;
  std::size_t line = 0;                          ///< the entry's line in the plan
};

/// A batch plan: bundles to generate and the manifest listing them.
struct synth_plan {
  std::filesystem::path file;
  std::string bundle;                            ///< the manifest's bundle name
  std::filesystem::path manifest;                ///< where the manifest goes
  std::size_t manifest_line = 0;                 ///< the line of `manifest:` in the plan (0 when defaulted)
  std::vector<synth_plan_entry> entries;
};

/// How every manifest `fhops synth batch` writes begins: an existing file is replaced by a
/// manifest only when it begins so.
inline constexpr std::string_view synth_manifest_header = "# Bundle manifest written by `fhops synth batch ";

namespace detail {

/// A path read from a plan (`out:`, `manifest:`): relative to the plan's folder, not empty.
inline std::filesystem::path plan_relative_path(const std::filesystem::path& dir, const YAML::Node& n, const std::string& src,
                                                const std::string& key) {
  const std::string text = n.IsScalar() ? n.Scalar() : std::string();
  if (text.empty() || std::filesystem::path(text).is_absolute())
    throw input_error(src, n.Mark().line + 1, key, "must be a path relative to the plan's folder (got '" + text + "')");
  return dir / text;
}

}  // namespace detail

/// Reads a batch plan:
/// ```yaml
/// bundle: synthetic                 # default: the manifest's stem
/// manifest: synthetic.yaml          # relative to the plan; default: NAME.yaml for NAME.plan.yaml
/// scenarios:
///   - name: synth-small             # member name, also the scenario's name
///     out: ../scenarios/synth-small # relative to the plan; default: the member name
///     tier: small                   # any generator parameter may follow
///     seed: 101
///   - name: demo
///     path: ../scenarios/demo       # an existing bundle, listed as it is
/// ```
/// Every generated entry's parameters are validated here (input_error naming the plan, the line
/// and the key), so a bad entry fails before anything is written. Member names are plain names
/// (is_plain_name: they name folders); `out:` and `manifest:` are relative to the plan's folder.
inline synth_plan read_synth_plan(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  synth_plan plan;
  plan.file = file;
  const std::string src = file.string();
  const YAML::Node doc = read_synth_yaml(file);
  if (!doc.IsMap()) throw input_error(src, 1, {}, "a plan is a mapping with 'scenarios:'");
  const fs::path dir = file.parent_path();
  for (const auto& kv : doc) {
    const std::string k = kv.first.Scalar();
    if (k != "bundle" && k != "manifest" && k != "scenarios")
      throw input_error(src, kv.first.Mark().line + 1, k, "is not a plan key (bundle, manifest, scenarios)");
  }
  std::string stem = file.stem().string();  // x.plan.yaml -> x.yaml; x.yaml -> x.manifest.yaml
  stem = stem.size() > 5 && stem.ends_with(".plan") ? stem.substr(0, stem.size() - 5) + ".yaml" : stem + ".manifest.yaml";
  plan.manifest = doc["manifest"] ? detail::plan_relative_path(dir, doc["manifest"], src, "manifest") : dir / stem;
  plan.manifest_line = doc["manifest"] ? doc["manifest"].Mark().line + 1 : 0;
  plan.bundle = doc["bundle"] ? doc["bundle"].Scalar() : plan.manifest.stem().string();
  const YAML::Node list = doc["scenarios"];
  if (!list || !list.IsSequence() || list.size() == 0)
    throw input_error(src, list ? list.Mark().line + 1 : 0, "scenarios", "must be a non-empty list of bundles");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node e = list[i];
    const std::string key = "scenarios[" + std::to_string(i) + "]";
    const std::size_t ln = e.Mark().line + 1;
    if (!e.IsMap() || !e["name"] || !e["name"].IsScalar() || e["name"].Scalar().empty())
      throw input_error(src, ln, key, "each entry is a mapping with a 'name'");
    synth_plan_entry entry;
    entry.name = e["name"].Scalar();
    entry.line = ln;
    if (!is_plain_name(entry.name))
      throw input_error(src, ln, key + ".name",
                        "'" + entry.name + "' is not a plain name (it names a folder: no '/', '\\' or control character, "
                        "not starting with '.' or '-')");
    if (!names.insert(entry.name).second) throw input_error(src, ln, key, "the name '" + entry.name + "' is used twice");
    if (e["path"]) {
      if (e.size() != 2) throw input_error(src, ln, key, "an existing bundle ('path') takes only 'name' and 'path'");
      entry.out = dir / e["path"].Scalar();
      if (!fs::is_regular_file(entry.out / "scenario.yaml"))
        throw input_error(src, ln, key + ".path", entry.out.string() + " holds no scenario.yaml");
    } else {
      entry.out = e["out"] ? detail::plan_relative_path(dir, e["out"], src, key + ".out") : dir / entry.name;
      synth_parameters p = synth_tier("custom");
      apply_synth_config(p, e, src, {"out"});  // `name` is the member's and the scenario's name
      try {
        validate_synth_parameters(p);
      } catch (const synth_parameter_error& err) {
        throw input_error(src, ln, key + "." + err.key(), err.rule());
      }
      entry.parameters = std::move(p);
    }
    plan.entries.push_back(std::move(entry));
  }
  return plan;
}

/// Checks, before anything is written, that every output of a plan can be written, so that a bad
/// entry leaves nothing behind: no two entries' folders overlap; no generated folder holds the
/// plan or the manifest, and an existing one is replaced only with `replace` when it holds a
/// scenario.yaml (replaceable_folder); the manifest is not the plan, lies in no entry's folder, and
/// replaces only a manifest written by synth batch. Throws input_error naming the plan's line.
inline void check_synth_plan_outputs(const synth_plan& plan, bool replace) {
  namespace fs = std::filesystem;
  const std::string src = plan.file.string();
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    const synth_plan_entry& e = plan.entries[i];
    const std::string key = "scenarios[" + std::to_string(i) + "]" + (e.parameters ? ".out" : ".path");
    for (std::size_t j = 0; j < i; ++j)
      if (is_within(e.out, plan.entries[j].out) || is_within(plan.entries[j].out, e.out))
        throw input_error(src, e.line, key, "the folder " + e.out.string() + " overlaps the folder of scenarios[" + std::to_string(j) +
                                                "] (" + plan.entries[j].out.string() + ")");
    if (is_within(plan.manifest, e.out))
      throw input_error(src, e.line, key, "the folder " + e.out.string() + " holds the manifest " + plan.manifest.string());
    if (!e.parameters) continue;
    if (is_within(plan.file, e.out)) throw input_error(src, e.line, key, "the folder " + e.out.string() + " holds the plan itself");
    try {
      (void)replaceable_folder(e.out, replace, "scenario.yaml");
    } catch (const output_error& err) {
      throw input_error(src, e.line, key, err.what());
    }
  }
  const std::string where = plan.manifest.string();
  if (same_file(plan.manifest, plan.file)) throw input_error(src, plan.manifest_line, "manifest", where + " is the plan itself");
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(plan.manifest, ec))) return;
  std::string head(synth_manifest_header.size(), '\0');
  if (fs::is_regular_file(plan.manifest, ec)) {
    std::ifstream in(plan.manifest, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
  }
  if (head != synth_manifest_header)
    throw input_error(src, plan.manifest_line, "manifest",
                      where + " exists and is not a manifest written by synth batch; refusing to replace it");
}

/// The bundle manifest of a plan (the `scenarios:` form read by fhops' bundle resolution): member
/// names with their scenario.yaml, relative to the manifest's folder.
inline std::string render_synth_manifest(const synth_plan& plan) {
  namespace fs = std::filesystem;
  const fs::path base = fs::absolute(plan.manifest).lexically_normal().parent_path();
  std::string out = std::string(synth_manifest_header) + plan.file.filename().string() +
                    "`; paths are relative to this file.\nbundle: " + detail::yaml_string(plan.bundle) + "\nscenarios:\n";
  for (const auto& e : plan.entries) {
    const fs::path target = (fs::absolute(e.out).lexically_normal() / "scenario.yaml").lexically_relative(base);
    out += "  - name: " + detail::yaml_string(e.name) + "\n    path: " + detail::yaml_string(target.generic_string()) + "\n";
  }
  return out;
}

}  // namespace fhops::harvest
