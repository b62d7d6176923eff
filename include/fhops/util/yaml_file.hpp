/// \file
/// Reading YAML files as the reference's PyYAML reads them where yaml-cpp differs: a key repeated
/// in a mapping keeps its **last** value (yaml-cpp's lookups find the first). Files are read
/// through read_text_file (regular files, size limit) and every error is an fhops::input_error
/// naming the file and the line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"

namespace fhops {

/// The 1-based line of a node, or 0 when it has none (an absent key, a node built in code).
inline std::size_t yaml_line(const YAML::Node& n) {
  return n.IsDefined() && !n.Mark().is_null() ? static_cast<std::size_t>(n.Mark().line) + 1 : 0;
}

/// A yaml-cpp exception as an input_error naming `path`, the line and `what` (e.g. "malformed YAML").
inline input_error yaml_input_error(const YAML::Exception& e, const std::string& path, std::string_view what) {
  return input_error(path, e.mark.is_null() ? 0 : static_cast<std::size_t>(e.mark.line) + 1, {}, std::string(what) + ": " + e.msg);
}

/// Removes the earlier entries of every repeated scalar key of every mapping in the tree, so that
/// lookups see the last value, as PyYAML's dict construction does. A node shared through aliases
/// is visited once. Throws input_error naming `path` when a mapping repeats keys so often that
/// removing them would take quadratic time (more than 5e7 entry moves in one document).
inline void keep_last_duplicate_keys(YAML::Node root, const std::string& path) {
  std::vector<YAML::Node> stack{root};
  // Parsed nodes are identified by where they start (an alias shares its anchor's node and mark).
  std::set<std::tuple<int, int, int, int>> seen;
  std::size_t budget = 50'000'000;
  while (!stack.empty()) {
    YAML::Node n = stack.back();
    stack.pop_back();
    if (!n.IsMap() && !n.IsSequence()) continue;
    const YAML::Mark m = n.Mark();
    if (!seen.emplace(m.pos, m.line, m.column, static_cast<int>(n.Type())).second) continue;
    if (n.IsSequence()) {
      for (YAML::Node child : n) stack.push_back(child);
      continue;
    }
    std::vector<YAML::Node> keys;
    std::unordered_map<std::string, std::size_t> left;  // occurrences of each key not yet passed
    for (auto kv : n) {
      stack.push_back(kv.second);
      if (kv.first.IsScalar()) {
        keys.push_back(kv.first);
        ++left[kv.first.Scalar()];
      }
    }
    if (left.size() == keys.size()) continue;
    const std::size_t entries = n.size();
    for (const YAML::Node& k : keys) {
      std::size_t& count = left[k.Scalar()];
      if (count-- <= 1) continue;
      if (budget < entries)
        throw input_error(path, yaml_line(n), {}, "a mapping repeats its keys too often (" + std::to_string(keys.size()) + " keys)");
      budget -= entries;
      n.remove(k);
    }
  }
}

/// Parses YAML text (the first document) as PyYAML would map it (keep_last_duplicate_keys);
/// throws input_error naming `path` and the line when the text is not valid YAML.
inline YAML::Node parse_yaml(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw yaml_input_error(e, path, "malformed YAML");
  }
  keep_last_duplicate_keys(root, path);
  return root;
}

/// Reads a YAML file through read_text_file (a regular file of at most `limit` bytes) and parses it
/// with parse_yaml.
inline YAML::Node read_yaml_file(const std::filesystem::path& path, std::uintmax_t limit = default_input_size_limit) {
  return parse_yaml(read_text_file(path, limit), path.string());
}

}  // namespace fhops
