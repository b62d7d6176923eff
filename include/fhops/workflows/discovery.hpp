/// \file
/// Finding scenarios for the tuners and the benchmark suite (telemetry_tuning.md §2): explicit
/// paths (a file, a bundle directory, a folder of YAML files or of bundles), bundle specs
/// (`alias` or `alias=target`), built-in aliases resolved under a bundle root, and manifests.
///
/// A manifest is a YAML file. The reference's form is a mapping whose keys name sub-folders of the
/// manifest's folder holding a scenario.yaml (its synthetic `metadata.yaml`). fhops-cpp also reads
/// `scenarios:` followed by a list of paths or `{name, path}` entries, relative to the manifest,
/// with an optional `bundle:` name (used unless the spec was `alias=manifest`).
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "fhops/util/input_error.hpp"
#include "fhops/util/yaml_file.hpp"

namespace fhops::harvest {

/// One scenario to run: its scenario.yaml (absolute), and the bundle and member it came from.
struct scenario_entry {
  std::filesystem::path path;
  std::string bundle;  ///< empty for an explicit path
  std::string member;
};

namespace detail {

inline std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline std::filesystem::path absolute_normal(const std::filesystem::path& p) {
  return std::filesystem::weakly_canonical(std::filesystem::absolute(p));
}

/// Built-in aliases: member name -> path under the bundle root (the reference's examples layout).
inline const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& bundle_aliases() {
  static const std::map<std::string, std::vector<std::pair<std::string, std::string>>> aliases{
      {"baseline", {{"minitoy", "minitoy/scenario.yaml"}, {"small21", "small21/scenario.yaml"}, {"med42", "med42/scenario.yaml"}}},
      {"minitoy", {{"minitoy", "minitoy/scenario.yaml"}}},
      {"small21", {{"small21", "small21/scenario.yaml"}}},
      {"med42", {{"med42", "med42/scenario.yaml"}}},
      {"large84", {{"large84", "large84/scenario.yaml"}}},
      {"synthetic-small", {{"synthetic-small", "synthetic/small/scenario.yaml"}}},
      {"synthetic-medium", {{"synthetic-medium", "synthetic/medium/scenario.yaml"}}},
      {"synthetic-large", {{"synthetic-large", "synthetic/large/scenario.yaml"}}},
      {"synthetic",
       {{"synthetic-small", "synthetic/small/scenario.yaml"},
        {"synthetic-medium", "synthetic/medium/scenario.yaml"},
        {"synthetic-large", "synthetic/large/scenario.yaml"}}},
  };
  return aliases;
}

inline std::vector<scenario_entry> manifest_members_of(const YAML::Node& doc, const std::filesystem::path& file,
                                                       const std::string& bundle, bool named) {
  namespace fs = std::filesystem;
  const fs::path dir = file.parent_path();
  std::vector<scenario_entry> out;
  if (doc.IsMap() && doc["scenarios"]) {  // fhops-cpp manifest (its `bundle:` names it unless the spec did)
    const YAML::Node list = doc["scenarios"];
    const std::string name_of_bundle =
        !named && doc["bundle"] && doc["bundle"].IsScalar() ? doc["bundle"].as<std::string>() : bundle;
    if (!list.IsSequence()) throw input_error(file.string(), "'scenarios' must be a list");
    for (const auto& item : list) {
      std::string name, rel;
      if (item.IsScalar()) {
        rel = item.as<std::string>();
      } else if (item.IsMap() && item["path"]) {
        rel = item["path"].as<std::string>();
        if (item["name"]) name = item["name"].as<std::string>();
      } else {
        throw input_error(file.string(), yaml_line(item), {}, "a 'scenarios' entry must be a path or {name, path}");
      }
      fs::path p = dir / rel;
      if (fs::is_directory(p)) p /= "scenario.yaml";
      if (!fs::is_regular_file(p))
        throw input_error(file.string(), yaml_line(item), {}, "scenario '" + excerpt(rel, 200) + "' not found");
      if (name.empty()) name = p.parent_path().filename().string();
      out.push_back({absolute_normal(p), name_of_bundle, name});
    }
    return out;
  }
  if (doc.IsMap()) {  // the reference's form: keys naming sub-folders with a scenario.yaml
    std::vector<std::string> keys;
    for (const auto& kv : doc) keys.push_back(kv.first.as<std::string>());
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys)
      if (fs::is_regular_file(dir / k / "scenario.yaml")) out.push_back({absolute_normal(dir / k / "scenario.yaml"), bundle, k});
  }
  if (out.empty()) out.push_back({absolute_normal(file), bundle, file.stem().string()});
  return out;
}

// The members a manifest file lists (read as PyYAML reads it: regular file, last repeated key wins).
inline std::vector<scenario_entry> manifest_members(const std::filesystem::path& file, const std::string& bundle, bool named) {
  const YAML::Node doc = read_yaml_file(file);
  try {
    return manifest_members_of(doc, file, bundle, named);
  } catch (const YAML::Exception& e) {
    throw yaml_input_error(e, file.string(), "not a manifest of this form");
  }
}

}  // namespace detail

/// The scenario files an explicit path stands for (§2, tried in order): a file; a folder's
/// scenario.yaml; the folder's own *.yaml files (sorted); its children's scenario.yaml (sorted).
inline std::vector<std::filesystem::path> discover_scenarios(const std::filesystem::path& p) {
  namespace fs = std::filesystem;
  if (!fs::exists(p)) throw std::runtime_error(p.string() + ": no such file or directory");
  if (!fs::is_directory(p)) return {detail::absolute_normal(p)};
  if (fs::is_regular_file(p / "scenario.yaml")) return {detail::absolute_normal(p / "scenario.yaml")};
  std::vector<fs::path> own, children;
  for (const auto& e : fs::directory_iterator(p)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") own.push_back(e.path());
    if (e.is_directory() && fs::is_regular_file(e.path() / "scenario.yaml")) children.push_back(e.path() / "scenario.yaml");
  }
  std::vector<fs::path>& chosen = own.empty() ? children : own;
  if (chosen.empty()) throw std::runtime_error(p.string() + ": No scenario.yaml discovered under directory");
  std::sort(chosen.begin(), chosen.end());
  for (auto& c : chosen) c = detail::absolute_normal(c);
  return chosen;
}

/// Where the project's shipped bundles are: `examples/bundles/<name>.yaml` manifests (baseline,
/// demo, synthetic) under the working directory when it is the source tree; else beside the
/// running program: `<bin>/../../examples/bundles` from a build tree (build/examples/fhops),
/// `<bin>/../share/fhops/bundles` where the driver is installed. `examples/bundles` when none is.
inline std::filesystem::path shipped_bundles_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path here = "examples/bundles";
  if (fs::is_directory(here, ec)) return here;
  const fs::path program = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (const fs::path& dir : {program.parent_path() / "../../examples/bundles", program.parent_path() / "../share/fhops/bundles"})
      if (fs::is_directory(dir, ec)) return dir.lexically_normal();
  return here;
}

/// A bundle spec with a bare shipped bundle name made explicit: `name` becomes
/// `name=<shipped>/<name>.yaml` when it has no `=`, is not an existing path, the manifest exists
/// (name matched case-insensitively, kept as typed as the bundle's name), and the name is not a
/// built-in alias that `bundle_root` resolves (with a root, `synthetic` is the reference's).
/// Every other spec is returned as it is. resolve_bundle() applies it, so each command that takes
/// --bundle resolves the shipped bundles by name.
inline std::string shipped_bundle_spec(const std::string& spec, const std::optional<std::filesystem::path>& bundle_root,
                                       const std::filesystem::path& shipped = shipped_bundles_dir()) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (spec.empty() || spec.find('=') != std::string::npos || fs::exists(spec, ec)) return spec;
  const std::string name = detail::lower_ascii(spec);
  if (bundle_root && detail::bundle_aliases().count(name)) return spec;
  if (name.find('/') != std::string::npos || name == "." || name == "..") return spec;
  const fs::path manifest = shipped / (name + ".yaml");
  return fs::is_regular_file(manifest, ec) ? spec + "=" + manifest.string() : spec;
}

/// The members of a bundle spec `alias` or `alias=target`. A shipped bundle's name resolves to its
/// manifest (shipped_bundle_spec). A known alias without a target is resolved under `bundle_root`
/// (e.g. ../shared/reference/scenarios); without a root it is an error naming the option.
/// Otherwise the target (or the alias itself) is a path: a YAML manifest, another file (one
/// member), or a folder (its metadata.yaml manifest, its scenario.yaml, or its children's).
inline std::vector<scenario_entry> resolve_bundle(std::string_view typed, const std::optional<std::filesystem::path>& bundle_root) {
  namespace fs = std::filesystem;
  const std::string resolved = shipped_bundle_spec(std::string(typed), bundle_root);
  const std::string_view spec = resolved;
  const auto eq = spec.find('=');
  const std::string alias(spec.substr(0, eq));
  const std::optional<std::string> target = eq == std::string_view::npos ? std::nullopt : std::optional<std::string>(spec.substr(eq + 1));
  if (alias.empty() || (target && target->empty())) throw std::runtime_error("bundle '" + std::string(spec) + "': empty alias or target");
  if (!target) {
    const auto& aliases = detail::bundle_aliases();
    const auto it = aliases.find(detail::lower_ascii(alias));
    if (it != aliases.end()) {
      if (!bundle_root)
        throw std::runtime_error("bundle '" + alias + "' is a built-in alias of the reference's examples: pass --bundle-dir ROOT "
                                 "(e.g. ../shared/reference/scenarios) or a manifest or folder path (the shipped bundles baseline, "
                                 "demo and synthetic resolve by name from the source tree: " + shipped_bundles_dir().string() + ")");
      std::vector<scenario_entry> out;
      for (const auto& [member, rel] : it->second) {
        const fs::path p = *bundle_root / rel;
        if (!fs::is_regular_file(p)) throw std::runtime_error("bundle '" + alias + "': " + p.string() + " not found");
        out.push_back({detail::absolute_normal(p), alias, member});
      }
      return out;
    }
  }
  const fs::path path = target ? fs::path(*target) : fs::path(alias);
  const std::string bundle = target ? alias : path.filename().string();
  if (!fs::exists(path)) throw std::runtime_error("bundle '" + std::string(spec) + "': " + path.string() + " not found");
  if (!fs::is_directory(path)) {
    const auto ext = path.extension();
    if (ext == ".yaml" || ext == ".yml") return detail::manifest_members(path, bundle, target.has_value());
    return {{detail::absolute_normal(path), bundle, path.stem().string()}};
  }
  if (fs::is_regular_file(path / "metadata.yaml")) {
    auto members = detail::manifest_members(path / "metadata.yaml", bundle, target.has_value());
    // a bundle's own metadata.yaml (no sub-bundles listed) is not a scenario: use its scenario.yaml
    const bool only_itself = members.size() == 1 && members[0].path.filename() == "metadata.yaml";
    if (!only_itself || !fs::is_regular_file(path / "scenario.yaml")) return members;
  }
  if (fs::is_regular_file(path / "scenario.yaml")) return {{detail::absolute_normal(path / "scenario.yaml"), bundle, path.filename().string()}};
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(path))
    if (e.is_directory() && fs::is_regular_file(e.path() / "scenario.yaml")) children.push_back(e.path());
  if (children.empty()) throw std::runtime_error("bundle '" + std::string(spec) + "': Bundle target does not contain scenarios");
  std::sort(children.begin(), children.end());
  std::vector<scenario_entry> out;
  for (const auto& c : children) out.push_back({detail::absolute_normal(c / "scenario.yaml"), bundle, c.filename().string()});
  return out;
}

/// Explicit paths first, then bundle members; duplicates (same resolved file) keep their first
/// position, and a later bundle spec's bundle/member label wins (§2, collection).
inline std::vector<scenario_entry> collect_scenarios(const std::vector<std::filesystem::path>& paths,
                                                     const std::vector<std::string>& bundles,
                                                     const std::optional<std::filesystem::path>& bundle_root = std::nullopt) {
  std::vector<scenario_entry> out;
  const auto add = [&](scenario_entry e, bool relabel) {
    for (auto& x : out)
      if (x.path == e.path) {
        if (relabel) {
          x.bundle = std::move(e.bundle);
          x.member = std::move(e.member);
        }
        return;
      }
    out.push_back(std::move(e));
  };
  for (const auto& p : paths)
    for (auto& f : discover_scenarios(p)) add({f, {}, {}}, false);
  for (const auto& spec : bundles)
    for (auto& e : resolve_bundle(spec, bundle_root)) add(std::move(e), true);
  return out;
}

/// The display name of a scenario: its YAML `name`, else its folder's name, else the file stem.
inline std::string scenario_display_name(const std::filesystem::path& scenario_yaml) {
  try {
    const YAML::Node doc = read_yaml_file(scenario_yaml);
    if (doc.IsMap() && doc["name"] && doc["name"].IsScalar() && !doc["name"].Scalar().empty()) return doc["name"].Scalar();
  } catch (const YAML::Exception&) {
  } catch (const input_error&) {  // unreadable: the folder or file name serves
  }
  const auto parent = scenario_yaml.parent_path().filename().string();
  return parent.empty() ? scenario_yaml.stem().string() : parent;
}

}  // namespace fhops::harvest
