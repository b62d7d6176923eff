/// \file
/// Loads a scenario bundle (scenario.yaml + the CSV files it names) with the defaults and every
/// validation rule of the reference loader (problem_model.md §2). Every rejection is an
/// fhops::input_error naming the file, row and column; harmless oddities become warnings.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include "fhops/harvest/registry.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/util/csv.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"
#include "fhops/util/yaml_file.hpp"

namespace fhops::harvest {

/// A loaded scenario and the warnings the loader raised (unknown harvest system ids, ignored keys,
/// missing reporting-only files, …). Warnings never change the objective.
struct loaded_scenario {
  harvest::scenario scenario;
  std::vector<std::string> warnings;
};

namespace detail {

// The rule a number breaks (non-finite, or beyond scenario_number_limit), or "" when it is fine.
inline std::string magnitude_rule(std::string_view text, double v) {
  if (std::isfinite(v) && std::fabs(v) <= scenario_number_limit) return {};
  return "'" + excerpt(fhops::detail::trim(text)) + "' is " + (std::isfinite(v) ? "out of range" : "not finite") +
         " (numbers in a scenario must be finite with |x| <= 1e12)";
}

// ---------------------------------------------------------------------------------------------
// YAML helpers: every error names the YAML file, the line and the key path.

class yaml_reader {
public:
  explicit yaml_reader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& rule) const {
    const std::size_t line = node.IsDefined() && !node.Mark().is_null() ? node.Mark().line + 1 : 0;
    throw input_error(path_, line, key, rule);
  }

  /// How PyYAML (YAML 1.1, the reference's reader) types a plain scalar.
  enum class yaml11 { null, boolean, integer, floating, timestamp, string };

  static yaml11 plain_kind(const YAML::Node& n) {
    if (!n.IsScalar() || n.Tag() != "?") return yaml11::string;  // quoted or tagged: a string
    static const std::regex null_re("~|null|Null|NULL|");
    static const std::regex bool_re("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    static const std::regex int_re(
        "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+");
    static const std::regex float_re(
        "[-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
        "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    static const std::regex time_re(
        "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
        "(([ \\t]*)Z|[-+][0-9]{1,2}(:[0-9]{2})?)?");
    const std::string& s = n.Scalar();
    // std::regex recurses per character: a long scalar is typed by hand (only integers and
    // strings are that long in practice).
    if (s.size() > 64) {
      const std::size_t start = s[0] == '-' || s[0] == '+' ? 1 : 0;
      const bool digits = s.size() > start && s[start] >= '1' && s[start] <= '9' &&
                          s.find_first_not_of("0123456789_", start) == std::string::npos;
      return digits ? yaml11::integer : yaml11::string;
    }
    if (std::regex_match(s, null_re)) return yaml11::null;
    if (std::regex_match(s, bool_re)) return yaml11::boolean;
    if (std::regex_match(s, int_re)) return yaml11::integer;
    if (std::regex_match(s, float_re)) return yaml11::floating;
    if (std::regex_match(s, time_re)) return yaml11::timestamp;
    return yaml11::string;
  }

  static bool is_null(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Tag() == "?" && (n.Scalar() == "~" || n.Scalar().empty()));
  }

  std::string string(const YAML::Node& n, const std::string& key) const {
    if (is_null(n)) fail(n, key, "is required");
    if (!n.IsScalar()) fail(n, key, "must be a string");
    if (plain_kind(n) != yaml11::string) fail(n, key, "must be a string, got '" + excerpt(n.Scalar()) + "'");
    return n.Scalar();
  }

  std::optional<std::string> optional_string(const YAML::Node& n, const std::string& key) const {
    if (is_null(n)) return std::nullopt;
    if (!n.IsScalar()) fail(n, key, "must be a string");
    return n.Scalar();
  }

  /// A number as PyYAML and pydantic read it, `.inf` and `inf` included (not NaN).
  double any_number(const YAML::Node& n, const std::string& key) const {
    if (is_null(n)) fail(n, key, "is required");
    if (!n.IsScalar()) fail(n, key, "must be a number");
    const std::string& s = n.Scalar();
    std::string_view body = fhops::detail::trim(s);
    const bool negative = !body.empty() && body.front() == '-';
    if (!body.empty() && (body.front() == '-' || body.front() == '+')) body.remove_prefix(1);
    if (body == ".inf" || body == ".Inf" || body == ".INF") return negative ? -HUGE_VAL : HUGE_VAL;
    const auto v = fhops::detail::parse_double(s);
    if (!v || std::isnan(*v)) fail(n, key, "'" + excerpt(s) + "' is not a number");
    return *v;
  }

  /// A finite number of magnitude at most scenario_number_limit.
  double number(const YAML::Node& n, const std::string& key) const {
    const double v = any_number(n, key);
    if (const std::string rule = magnitude_rule(n.Scalar(), v); !rule.empty()) fail(n, key, rule);
    return v;
  }

  double number_or(const YAML::Node& map, const char* name, const std::string& key, double fallback) const {
    const YAML::Node n = map[name];
    return is_null(n) ? fallback : number(n, key);
  }

  /// A walk threshold: any number, `.inf` included (it is only compared with distances).
  double threshold_or(const YAML::Node& map, const char* name, const std::string& key, double fallback) const {
    const YAML::Node n = map[name];
    return is_null(n) ? fallback : any_number(n, key);
  }

  /// Python int(): integral values, floats truncated toward zero when `truncate` (num_days). A
  /// string (quoted, or not a YAML 1.1 number) must spell an integer, as int("3") does. Values
  /// beyond 9e15 (where doubles stop being exact) are out of range.
  long long integer(const YAML::Node& n, const std::string& key, bool truncate = false) const {
    if (!is_null(n) && n.IsScalar() && plain_kind(n) == yaml11::string) {
      static const std::regex int_text("[ \\t]*[-+]?[0-9](_?[0-9])*[ \\t]*");
      if (n.Scalar().size() > 64 || !std::regex_match(n.Scalar(), int_text))
        fail(n, key, "'" + excerpt(n.Scalar()) + "' is not an integer");
      truncate = false;
    }
    const double v = any_number(n, key);
    if (!std::isfinite(v)) fail(n, key, "'" + excerpt(n.Scalar()) + "' is not an integer");
    if (std::fabs(v) > 9.0e15) fail(n, key, "'" + excerpt(n.Scalar()) + "' is out of range (|value| <= 9e15)");
    if (std::trunc(v) != v && !truncate) fail(n, key, "'" + excerpt(n.Scalar()) + "' is not an integer");
    return static_cast<long long>(std::trunc(v));
  }

  long long integer_or(const YAML::Node& map, const char* name, const std::string& key, long long fallback) const {
    const YAML::Node n = map[name];
    return is_null(n) ? fallback : integer(n, key);
  }

  /// An integer that must fit the int fields of the scenario (|value| <= 2147483647).
  int int32(const YAML::Node& n, const std::string& key) const {
    const long long v = integer(n, key);
    if (v < -INT_MAX || v > INT_MAX) fail(n, key, "'" + excerpt(n.Scalar()) + "' is out of range (|value| <= 2147483647)");
    return static_cast<int>(v);
  }

  void require_map(const YAML::Node& n, const std::string& key) const {
    if (!n.IsMap()) fail(n, key, "must be a mapping");
  }

  void require_list(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence()) fail(n, key, "must be a list");
  }

  /// Entry i of a list, which must be a mapping.
  YAML::Node entry(const YAML::Node& list, std::size_t i, const std::string& key) const {
    const YAML::Node e = list[i];
    if (!e.IsMap()) fail(e, key + "[" + std::to_string(i) + "]", "each entry must be a mapping of keys");
    return e;
  }

private:
  std::string path_;
};

inline std::string index_key(const std::string& list, std::size_t i, const char* field) {
  return list + "[" + std::to_string(i) + "]." + field;
}

// ---------------------------------------------------------------------------------------------
// CSV helpers.

inline void reject_numeric_ids(const csv_table& t, int col) {
  if (col >= 0 && t.column_is_numeric(col))
    t.fail(0, col, "ids must be text, but every value in this column is a number (the reference rejects numeric ids)");
}

template <class Entity>
void reject_duplicate_ids(const csv_table& t, const std::vector<Entity>& items, const char* what) {
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto [it, fresh] = seen.emplace(items[i].id, i);
    if (!fresh)
      t.fail(i, "id", std::string("duplicate ") + what + " id '" + excerpt(items[i].id) + "' (first on row " +
                          std::to_string(t.line_of(it->second)) + ")");
  }
}

inline int checked_int(const csv_table& t, std::size_t i, int col, long long v) {
  if (v < -INT_MAX || v > INT_MAX) t.fail(i, col, "'" + excerpt(t.raw(i, col)) + "' is out of range (|value| <= 2147483647)");
  return static_cast<int>(v);
}

// A required number cell, finite and within scenario_number_limit.
inline double real_cell(const csv_table& t, std::size_t i, int col) {
  const double v = t.number(i, col);
  if (const std::string rule = magnitude_rule(t.raw(i, col), v); !rule.empty()) t.fail(i, col, rule);
  return v;
}

// An optional number cell: the default when the column is absent, otherwise as real_cell.
inline double real_cell_or(const csv_table& t, std::size_t i, int col, double fallback) {
  return col < 0 ? fallback : real_cell(t, i, col);
}

inline std::vector<block> read_blocks(const csv_table& t) {
  const int c_id = t.require_column("id");
  const int c_landing = t.require_column("landing_id");
  const int c_work = t.require_column("work_required");
  const int c_es = t.column("earliest_start");
  const int c_lf = t.column("latest_finish");
  const int c_sys = t.column("harvest_system_id");
  const int c_salvage = t.column("salvage_processing_mode");
  reject_numeric_ids(t, c_id);
  reject_numeric_ids(t, c_landing);
  static constexpr const char* stand_columns[] = {"avg_stem_size_m3",          "volume_per_ha_m3",
                                                  "volume_per_ha_m3_sigma",    "stem_density_per_ha",
                                                  "stem_density_per_ha_sigma", "ground_slope_percent"};
  std::vector<block> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    block b;
    b.id = t.text(i, c_id);
    b.landing_id = t.text(i, c_landing);
    b.work_required = real_cell(t, i, c_work);
    if (b.work_required < 0) t.fail(i, c_work, "Block.work_required must be non-negative");
    if (c_es >= 0) b.earliest_start = checked_int(t, i, c_es, t.integer(i, c_es));
    if (b.earliest_start < 1) t.fail(i, c_es, "Block.earliest_start must be >= 1");
    if (c_lf >= 0) {
      b.latest_finish = checked_int(t, i, c_lf, t.integer(i, c_lf));
      if (*b.latest_finish < b.earliest_start) t.fail(i, c_lf, "latest_finish must be >= earliest_start");
    }
    for (const char* name : stand_columns) {
      const int c = t.column(name);
      if (c < 0 || t.missing(i, c)) continue;
      if (real_cell(t, i, c) < 0) t.fail(i, c, "Block stand attribute fields must be non-negative");
    }
    if (c_sys >= 0 && !t.missing(i, c_sys)) {
      const auto v = fhops::detail::trim(t.raw(i, c_sys));
      if (!v.empty()) b.harvest_system_id = std::string(v);
    }
    if (c_salvage >= 0 && !t.missing(i, c_salvage)) {
      const auto v = fhops::detail::trim(t.raw(i, c_salvage));
      if (!v.empty()) {
        if (v != "standard_mill" && v != "portable_mill" && v != "in_woods_chipping")
          t.fail(i, c_salvage,
                 "'" + excerpt(v) + "' is not one of standard_mill, portable_mill, in_woods_chipping");
        b.salvage_processing_mode = std::string(v);
      }
    }
    out.push_back(std::move(b));
  }
  reject_duplicate_ids(t, out, "block");
  return out;
}

inline std::vector<machine> read_machines(const csv_table& t) {
  const int c_id = t.require_column("id");
  const int c_role = t.column("role");
  const int c_crew = t.column("crew");
  const int c_hours = t.column("daily_hours");
  const int c_cost = t.column("operating_cost");
  const int c_repair = t.column("repair_usage_hours");
  reject_numeric_ids(t, c_id);
  reject_numeric_ids(t, c_role);
  reject_numeric_ids(t, c_crew);
  std::vector<machine> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    machine m;
    m.id = t.text(i, c_id);
    // Optional text columns: a blank cell is NaN to pandas, which the reference rejects.
    if (c_role >= 0) m.role = t.text(i, c_role);
    if (c_crew >= 0) m.crew = t.text(i, c_crew);
    m.daily_hours = real_cell_or(t, i, c_hours, 24.0);
    if (m.daily_hours < 0) t.fail(i, c_hours, "Machine numerical fields must be non-negative");
    m.operating_cost = real_cell_or(t, i, c_cost, 0.0);
    if (m.operating_cost < 0) t.fail(i, c_cost, "Machine numerical fields must be non-negative");
    if (c_repair >= 0) {
      m.repair_usage_hours = checked_int(t, i, c_repair, t.integer(i, c_repair));
      if (*m.repair_usage_hours < 0) t.fail(i, c_repair, "Machine.repair_usage_hours must be non-negative");
    }
    out.push_back(std::move(m));
  }
  reject_duplicate_ids(t, out, "machine");
  return out;
}

inline std::vector<landing> read_landings(const csv_table& t) {
  const int c_id = t.require_column("id");
  const int c_cap = t.column("daily_capacity");
  reject_numeric_ids(t, c_id);
  std::vector<landing> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    landing l;
    l.id = t.text(i, c_id);
    if (c_cap >= 0) l.daily_capacity = checked_int(t, i, c_cap, t.integer(i, c_cap));
    if (l.daily_capacity < 0) t.fail(i, c_cap, "Landing.daily_capacity must be non-negative");
    out.push_back(std::move(l));
  }
  reject_duplicate_ids(t, out, "landing");
  return out;
}

inline std::vector<calendar_entry> read_calendar(const csv_table& t) {
  const int c_m = t.require_column("machine_id");
  const int c_day = t.require_column("day");
  const int c_av = t.column("available");
  reject_numeric_ids(t, c_m);
  std::vector<calendar_entry> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    calendar_entry e;
    e.machine_id = t.text(i, c_m);
    e.day = checked_int(t, i, c_day, t.integer(i, c_day));
    if (e.day < 1) t.fail(i, c_day, "CalendarEntry.day must be >= 1");
    if (c_av >= 0) e.available = checked_int(t, i, c_av, t.integer(i, c_av));
    if (e.available != 0 && e.available != 1) t.fail(i, c_av, "CalendarEntry.available must be 0 or 1");
    out.push_back(std::move(e));
  }
  return out;
}

inline std::vector<shift_calendar_entry> read_shift_calendar(const csv_table& t) {
  const int c_m = t.require_column("machine_id");
  const int c_day = t.require_column("day");
  const int c_shift = t.require_column("shift_id");
  const int c_av = t.column("available");
  reject_numeric_ids(t, c_m);
  reject_numeric_ids(t, c_shift);
  std::vector<shift_calendar_entry> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    shift_calendar_entry e;
    e.machine_id = t.text(i, c_m);
    e.day = checked_int(t, i, c_day, t.integer(i, c_day));
    if (e.day < 1) t.fail(i, c_day, "ShiftCalendarEntry.day must be >= 1");
    if (t.missing(i, c_shift) || fhops::detail::trim(t.raw(i, c_shift)).empty())
      t.fail(i, c_shift, "ShiftCalendarEntry.shift_id must be non-empty");
    e.shift_id = std::string(t.raw(i, c_shift));
    if (c_av >= 0) e.available = checked_int(t, i, c_av, t.integer(i, c_av));
    if (e.available != 0 && e.available != 1) t.fail(i, c_av, "ShiftCalendarEntry.available must be 0 or 1");
    out.push_back(std::move(e));
  }
  return out;
}

inline std::vector<production_rate> read_rates(const csv_table& t) {
  const int c_m = t.require_column("machine_id");
  const int c_b = t.require_column("block_id");
  const int c_r = t.require_column("rate");
  reject_numeric_ids(t, c_m);
  reject_numeric_ids(t, c_b);
  std::vector<production_rate> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    production_rate r;
    r.machine_id = t.text(i, c_m);
    r.block_id = t.text(i, c_b);
    r.rate = real_cell(t, i, c_r);
    if (r.rate < 0) t.fail(i, c_r, "ProductionRate.rate must be non-negative");
    out.push_back(std::move(r));
  }
  return out;
}

inline std::vector<block_distance> read_distances(const csv_table& t) {
  const int c_from = t.column("from_block");
  const int c_to = t.column("to_block");
  const int c_d = t.column("distance_m");
  if (c_from < 0 || c_to < 0 || c_d < 0) {
    std::string missing;
    for (const auto& [c, name] : {std::pair{c_d, "distance_m"}, {c_from, "from_block"}, {c_to, "to_block"}})
      if (c < 0) missing += std::string(missing.empty() ? "" : ", ") + "'" + name + "'";
    throw input_error(t.path(), 1, {},
                      "Mobilisation distance file " + t.path() + " is missing required columns {" + missing + "}");
  }
  std::vector<block_distance> out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    block_distance d;
    d.from_block = t.text(i, c_from);
    d.to_block = t.text(i, c_to);
    d.distance_m = real_cell(t, i, c_d);
    if (d.distance_m < 0) t.fail(i, c_d, "distance_m must be non-negative");
    out.push_back(std::move(d));
  }
  return out;
}

inline std::vector<crew_assignment> read_crews(const csv_table& t) {
  const int c_crew = t.require_column("crew_id");
  const int c_m = t.require_column("machine_id");
  const int c_role = t.column("primary_role");
  const int c_notes = t.column("notes");
  reject_numeric_ids(t, c_crew);
  reject_numeric_ids(t, c_m);
  std::vector<crew_assignment> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    crew_assignment c;
    c.crew_id = t.text(i, c_crew);
    c.machine_id = t.text(i, c_m);
    if (c_role >= 0) c.primary_role = t.text(i, c_role);
    if (c_notes >= 0) c.notes = t.text(i, c_notes);
    out.push_back(std::move(c));
  }
  return out;
}

inline std::vector<std::string> split_profiles(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    const auto v = fhops::detail::trim(cur);
    if (!v.empty()) out.emplace_back(v);
    cur.clear();
  };
  for (char c : s) {
    if (c == '|' || c == ',') flush();
    else cur += c;
  }
  flush();
  return out;
}

inline std::optional<bool> parse_bool(std::string_view raw) {
  std::string s(fhops::detail::trim(raw));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes" || s == "y" || s == "on" || s == "t" || s == "1.0") return true;
  if (s == "false" || s == "0" || s == "no" || s == "n" || s == "off" || s == "f" || s == "0.0") return false;
  return std::nullopt;
}

inline road_job make_road_job(std::string id, std::string slug, double length, std::optional<bool> include,
                              std::string profiles, std::optional<std::string> notes,
                              const std::function<void(const std::string&, const std::string&)>& fail) {
  road_job r;
  r.id = std::string(fhops::detail::trim(id));
  r.machine_slug = std::string(fhops::detail::trim(slug));
  if (r.id.empty()) fail("id", "RoadConstruction id/machine_slug must be non-empty");
  if (r.machine_slug.empty()) fail("machine_slug", "RoadConstruction id/machine_slug must be non-empty");
  r.road_length_m = length;
  if (!(length > 0)) fail("road_length_m", "RoadConstruction.road_length_m must be > 0");
  r.include_mobilisation = include.value_or(true);
  r.soil_profile_ids = split_profiles(profiles);
  r.notes = std::move(notes);
  return r;
}

inline std::vector<road_job> read_roads(const csv_table& t) {
  const int c_id = t.require_column("id");
  const int c_slug = t.require_column("machine_slug");
  const int c_len = t.require_column("road_length_m");
  const int c_inc = t.column("include_mobilisation");
  const int c_soil = t.column("soil_profile_ids");
  const int c_notes = t.column("notes");
  std::vector<road_job> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::optional<bool> include;
    if (c_inc >= 0 && !t.missing(i, c_inc)) {
      include = parse_bool(t.raw(i, c_inc));
      if (!include) t.fail(i, c_inc, "'" + excerpt(t.raw(i, c_inc)) + "' is not a boolean");
    }
    const auto fail = [&](const std::string& col, const std::string& rule) { t.fail(i, col, rule); };
    out.push_back(make_road_job(std::string(t.raw(i, c_id)), std::string(t.raw(i, c_slug)), real_cell(t, i, c_len),
                                include, c_soil >= 0 && !t.missing(i, c_soil) ? std::string(t.raw(i, c_soil)) : "",
                                c_notes >= 0 ? t.optional_text(i, c_notes) : std::nullopt, fail));
  }
  return out;
}

// Validates a GeoJSON FeatureCollection against the scenario ids (problem_model.md §2.13).
inline void validate_geojson(const std::filesystem::path& path, const char* property,
                             const std::vector<std::string>& ids) {
  const std::string p = path.string();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = read_text_file(path);
  if (parser.parse(text).get(doc)) throw input_error(p, "GeoJSON " + p + " is not valid JSON");
  std::string_view type;
  if (doc["type"].get(type) || type != "FeatureCollection")
    throw input_error(p, "GeoJSON " + p + " must be a FeatureCollection");
  simdjson::dom::array features;
  if (doc["features"].get(features) || features.size() == 0)
    throw input_error(p, "GeoJSON " + p + " must contain feature entries");
  const std::unordered_set<std::string> known(ids.begin(), ids.end());
  std::unordered_set<std::string> seen;
  for (simdjson::dom::element f : features) {
    std::string id;
    std::string_view sv;
    int64_t iv = 0;
    simdjson::dom::element prop;
    if (!f["properties"][property].get(prop) && !prop.is_null()) {
      if (!prop.get(sv)) id = std::string(sv);
      else if (!prop.get(iv)) id = std::to_string(iv);
    } else if (!f["id"].get(prop) && !prop.is_null()) {
      if (!prop.get(sv)) id = std::string(sv);
      else if (!prop.get(iv)) id = std::to_string(iv);
    }
    if (id.empty()) throw input_error(p, "GeoJSON " + p + " missing '" + property + "' property on feature");
    if (!known.count(id)) throw input_error(p, "GeoJSON " + p + " feature id '" + excerpt(id) + "' not found in scenario IDs");
    seen.insert(id);
  }
  std::vector<std::string> missing;
  for (const auto& id : ids)
    if (!seen.count(id)) missing.push_back("'" + excerpt(id) + "'");
  if (!missing.empty()) {
    std::string list;
    for (std::size_t k = 0; k < missing.size() && k < 10; ++k) list += (list.empty() ? "" : ", ") + missing[k];
    if (missing.size() > 10) list += ", ... (" + std::to_string(missing.size()) + " ids)";
    throw input_error(p, "GeoJSON " + p + " missing features for ids: [" + list + "]");
  }
}

// load_scenario_with_warnings for a scenario.yaml file; yaml-cpp exceptions escape.
inline loaded_scenario load_scenario_file(const std::filesystem::path& yaml_path) {
  namespace fs = std::filesystem;
  loaded_scenario out;
  scenario& sc = out.scenario;
  auto& warnings = out.warnings;
  const std::string ypath = yaml_path.string();
  std::error_code ec;
  // PyYAML's reading: a repeated key keeps its last value.
  const YAML::Node root = parse_yaml(read_text_file(yaml_path), ypath);
  const detail::yaml_reader y(ypath);
  if (detail::yaml_reader::is_null(root)) throw input_error(ypath, "file is empty (expected a scenario mapping)");
  if (!root.IsMap()) throw input_error(ypath, 1, {}, "top level must be a mapping of scenario keys");
  const fs::path root_dir = yaml_path.parent_path();
  sc.source = yaml_path;
  sc.files.push_back(yaml_path);

  static const std::set<std::string> known_keys{
      "name", "num_days", "start_date", "schema_version", "data", "mobilisation", "timeline",
      "locked_assignments", "objective_weights", "shift_calendar", "road_construction", "geo_block_path",
      "geo_landing_path", "geo_crs", "harvest_systems"};
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) y.fail(kv.first, {}, "a mapping key must be a plain value (the reference cannot use a list or mapping as a key)");
    const std::string& key = kv.first.Scalar();
    if (!known_keys.count(key)) warnings.push_back(ypath + ": key '" + excerpt(key) + "' is not used by FHOPS (ignored)");
  }

  sc.name = y.string(root["name"], "name");
  {
    const long long n = y.integer(root["num_days"], "num_days", /*truncate=*/true);
    if (n < 1) y.fail(root["num_days"], "num_days", "Scenario.num_days must be >= 1");
    if (n > 100000) y.fail(root["num_days"], "num_days", "num_days is implausibly large (> 100000)");
    sc.num_days = static_cast<int>(n);
  }
  if (!detail::yaml_reader::is_null(root["start_date"])) sc.start_date = y.optional_string(root["start_date"], "start_date");

  const YAML::Node data = root["data"];
  if (!data.IsDefined() || data.IsNull()) throw input_error(ypath, 0, "data", "the 'data' section is required");
  y.require_map(data, "data");
  const auto data_path = [&](const char* key, bool required) -> std::optional<fs::path> {
    const YAML::Node n = data[key];
    if (detail::yaml_reader::is_null(n)) {
      if (required) y.fail(data, std::string("data.") + key, "is required");
      return std::nullopt;
    }
    return root_dir / y.string(n, std::string("data.") + key);
  };
  const auto open_csv = [&](const fs::path& p, const char* key) {
    if (!fs::exists(p, ec))
      throw input_error(p.string(), 0, {}, std::string("file not found (named by data.") + key + " in " + ypath + ")");
    sc.files.push_back(p);
    return csv_table::read(p);
  };

  // 1. The entity tables with their per-row rules.
  const fs::path blocks_path = *data_path("blocks", true);
  const fs::path machines_path = *data_path("machines", true);
  const fs::path landings_path = *data_path("landings", true);
  const fs::path calendar_path = *data_path("calendar", true);
  const fs::path rates_path = *data_path("prod_rates", true);
  const csv_table blocks_csv = open_csv(blocks_path, "blocks");
  sc.blocks = detail::read_blocks(blocks_csv);
  const csv_table machines_csv = open_csv(machines_path, "machines");
  sc.machines = detail::read_machines(machines_csv);
  const csv_table landings_csv = open_csv(landings_path, "landings");
  sc.landings = detail::read_landings(landings_csv);
  const csv_table calendar_csv = open_csv(calendar_path, "calendar");
  sc.calendar = detail::read_calendar(calendar_csv);
  std::optional<csv_table> shift_csv;
  if (const auto p = data_path("shift_calendar", false)) {
    shift_csv = open_csv(*p, "shift_calendar");
    sc.shift_calendar = detail::read_shift_calendar(*shift_csv);
  } else if (const YAML::Node inline_cal = root["shift_calendar"]; !detail::yaml_reader::is_null(inline_cal)) {
    y.require_list(inline_cal, "shift_calendar");
    for (std::size_t i = 0; i < inline_cal.size(); ++i) {
      const YAML::Node e = y.entry(inline_cal, i, "shift_calendar");
      shift_calendar_entry s;
      s.machine_id = y.string(e["machine_id"], detail::index_key("shift_calendar", i, "machine_id"));
      s.day = y.int32(e["day"], detail::index_key("shift_calendar", i, "day"));
      if (s.day < 1) y.fail(e["day"], detail::index_key("shift_calendar", i, "day"), "ShiftCalendarEntry.day must be >= 1");
      const auto shift = y.optional_string(e["shift_id"], detail::index_key("shift_calendar", i, "shift_id"));
      if (!shift || fhops::detail::trim(*shift).empty())
        y.fail(e, detail::index_key("shift_calendar", i, "shift_id"), "ShiftCalendarEntry.shift_id must be non-empty");
      s.shift_id = *shift;
      const long long available = y.integer_or(e, "available", detail::index_key("shift_calendar", i, "available"), 1);
      s.available = available == 0 ? 0 : 1;
      if (available != 0 && available != 1)
        y.fail(e["available"], detail::index_key("shift_calendar", i, "available"), "ShiftCalendarEntry.available must be 0 or 1");
      sc.shift_calendar.push_back(std::move(s));
    }
  }
  const csv_table rates_csv = open_csv(rates_path, "prod_rates");
  sc.production_rates = detail::read_rates(rates_csv);

  // 2. The scenario cross-checks, in the reference's order.
  std::unordered_map<std::string, int> block_index, machine_index, landing_index;
  for (std::size_t i = 0; i < sc.blocks.size(); ++i) block_index.emplace(sc.blocks[i].id, static_cast<int>(i));
  for (std::size_t i = 0; i < sc.machines.size(); ++i) machine_index.emplace(sc.machines[i].id, static_cast<int>(i));
  for (std::size_t i = 0; i < sc.landings.size(); ++i) landing_index.emplace(sc.landings[i].id, static_cast<int>(i));
  const std::string horizon = "num_days=" + std::to_string(sc.num_days);
  for (std::size_t i = 0; i < sc.blocks.size(); ++i) {
    const block& b = sc.blocks[i];
    if (!landing_index.count(b.landing_id))
      blocks_csv.fail(i, "landing_id", "Block " + excerpt(b.id) + " references unknown landing_id=" + excerpt(b.landing_id));
    if (b.earliest_start > sc.num_days)
      blocks_csv.fail(i, "earliest_start", "Block " + excerpt(b.id) + " earliest_start exceeds " + horizon);
    if (b.latest_finish && *b.latest_finish > sc.num_days)
      blocks_csv.fail(i, "latest_finish", "Block " + excerpt(b.id) + " latest_finish exceeds " + horizon);
  }
  for (std::size_t i = 0; i < sc.calendar.size(); ++i) {
    const auto& e = sc.calendar[i];
    if (!machine_index.count(e.machine_id))
      calendar_csv.fail(i, "machine_id", "Calendar entry references unknown machine_id=" + excerpt(e.machine_id));
    if (e.day > sc.num_days)
      calendar_csv.fail(i, "day", "Calendar entry day " + std::to_string(e.day) + " exceeds scenario horizon " + horizon);
  }
  for (std::size_t i = 0; i < sc.shift_calendar.size(); ++i) {
    const auto& e = sc.shift_calendar[i];
    const auto fail = [&](const char* col, const std::string& rule) {
      if (shift_csv) shift_csv->fail(i, col, rule);
      throw input_error(ypath, 0, detail::index_key("shift_calendar", i, col), rule);
    };
    if (!machine_index.count(e.machine_id))
      fail("machine_id", "Shift calendar entry references unknown machine_id=" + excerpt(e.machine_id));
    if (e.day > sc.num_days)
      fail("day", "Shift calendar entry day " + std::to_string(e.day) + " exceeds scenario horizon " + horizon);
  }
  for (std::size_t i = 0; i < sc.production_rates.size(); ++i) {
    const auto& r = sc.production_rates[i];
    if (!machine_index.count(r.machine_id))
      rates_csv.fail(i, "machine_id", "Production rate references unknown machine_id=" + excerpt(r.machine_id));
    if (!block_index.count(r.block_id))
      rates_csv.fail(i, "block_id", "Production rate references unknown block_id=" + excerpt(r.block_id));
  }

  // 3. Attachments, in the reference's order: roads, mobilisation, timeline, crews, geo, locks, weights.
  if (const auto p = data_path("road_construction", false)) {
    sc.road_construction = detail::read_roads(open_csv(*p, "road_construction"));
  } else if (const YAML::Node roads = root["road_construction"]; !detail::yaml_reader::is_null(roads)) {
    y.require_list(roads, "road_construction");
    for (std::size_t i = 0; i < roads.size(); ++i) {
      const YAML::Node r = y.entry(roads, i, "road_construction");
      const auto key = [&](const char* f) { return detail::index_key("road_construction", i, f); };
      std::optional<bool> include;
      if (!detail::yaml_reader::is_null(r["include_mobilisation"])) {
        include = detail::parse_bool(r["include_mobilisation"].Scalar());
        if (!include) y.fail(r["include_mobilisation"], key("include_mobilisation"), "is not a boolean");
      }
      std::string profiles;
      if (const YAML::Node soil = r["soil_profile_ids"]; detail::yaml_reader::is_null(soil)) {
        // optional
      } else if (soil.IsSequence()) {
        for (const auto& s : soil) profiles += (s.IsScalar() ? s.Scalar() : std::string()) + "|";
      } else if (soil.IsScalar()) {
        profiles = soil.Scalar();
      } else {
        y.fail(soil, key("soil_profile_ids"), "must be a list or a '|'-separated string");
      }
      const auto fail = [&](const std::string& f, const std::string& rule) { y.fail(r, key(f.c_str()), rule); };
      sc.road_construction.push_back(detail::make_road_job(
          y.optional_string(r["id"], key("id")).value_or(""), y.optional_string(r["machine_slug"], key("machine_slug")).value_or(""),
          y.number(r["road_length_m"], key("road_length_m")), include, profiles,
          y.optional_string(r["notes"], key("notes")), fail));
    }
  }

  if (const YAML::Node mob = root["mobilisation"]; !detail::yaml_reader::is_null(mob)) {
    y.require_map(mob, "mobilisation");
    mobilisation_config cfg;
    const YAML::Node params = mob["machine_params"];
    if (detail::yaml_reader::is_null(params)) y.fail(mob, "mobilisation.machine_params", "is required");
    y.require_list(params, "mobilisation.machine_params");
    for (std::size_t i = 0; i < params.size(); ++i) {
      const YAML::Node p = y.entry(params, i, "mobilisation.machine_params");
      const auto key = [&](const char* f) { return detail::index_key("mobilisation.machine_params", i, f); };
      machine_mobilisation m;
      m.machine_id = y.string(p["machine_id"], key("machine_id"));
      m.walk_cost_per_meter = y.number(p["walk_cost_per_meter"], key("walk_cost_per_meter"));
      m.move_cost_flat = y.number(p["move_cost_flat"], key("move_cost_flat"));
      m.walk_threshold_m = y.threshold_or(p, "walk_threshold_m", key("walk_threshold_m"), 1000.0);
      m.setup_cost = y.number_or(p, "setup_cost", key("setup_cost"), 0.0);
      for (const auto& [v, f] : {std::pair{m.walk_cost_per_meter, "walk_cost_per_meter"}, {m.move_cost_flat, "move_cost_flat"},
                                 {m.walk_threshold_m, "walk_threshold_m"}, {m.setup_cost, "setup_cost"}})
        if (v < 0) y.fail(p[f].IsDefined() ? p[f] : p, key(f), "mobilisation parameters must be non-negative");
      if (!machine_index.count(m.machine_id))
        warnings.push_back(ypath + ": " + key("machine_id") + ": unknown machine_id=" + excerpt(m.machine_id) + " (ignored)");
      cfg.machine_params.push_back(std::move(m));
    }
    cfg.default_walk_threshold_m = y.threshold_or(mob, "default_walk_threshold_m", "mobilisation.default_walk_threshold_m", 1000.0);
    if (cfg.default_walk_threshold_m < 0)
      y.fail(mob["default_walk_threshold_m"], "mobilisation.default_walk_threshold_m", "mobilisation parameters must be non-negative");
    if (const YAML::Node d = mob["distances"]; !detail::yaml_reader::is_null(d)) {
      y.require_list(d, "mobilisation.distances");
      for (std::size_t i = 0; i < d.size(); ++i) {
        const auto key = [&](const char* f) { return detail::index_key("mobilisation.distances", i, f); };
        const YAML::Node e = y.entry(d, i, "mobilisation.distances");
        block_distance bd;
        bd.from_block = y.string(e["from_block"], key("from_block"));
        bd.to_block = y.string(e["to_block"], key("to_block"));
        bd.distance_m = y.number(e["distance_m"], key("distance_m"));
        if (bd.distance_m < 0) y.fail(e["distance_m"], key("distance_m"), "distance_m must be non-negative");
        cfg.distances.push_back(std::move(bd));
      }
    }
    cfg.distance_csv = y.optional_string(mob["distance_csv"], "mobilisation.distance_csv");
    if (cfg.distances.empty()) {
      // Back-fill: the first existing file among the four candidates (problem_model.md §2.10).
      std::vector<fs::path> candidates;
      if (cfg.distance_csv) candidates.push_back(root_dir / *cfg.distance_csv);
      if (const auto p = data_path("mobilisation_distances", false)) candidates.push_back(*p);
      std::string slug = sc.name;
      std::transform(slug.begin(), slug.end(), slug.begin(), [](unsigned char c) { return std::tolower(c); });
      std::replace(slug.begin(), slug.end(), ' ', '_');
      candidates.push_back(root_dir / (slug + "_block_distances.csv"));
      candidates.push_back(root_dir / "mobilisation_distances.csv");
      for (const auto& c : candidates) {
        if (fs::is_regular_file(c, ec)) {
          sc.files.push_back(c);
          cfg.distances = detail::read_distances(csv_table::read(c));
          std::size_t unknown = 0;
          for (const auto& bd : cfg.distances)
            if (!block_index.count(bd.from_block) || !block_index.count(bd.to_block)) ++unknown;
          if (unknown > 0)
            warnings.push_back(c.string() + ": " + std::to_string(unknown) +
                               " distance rows name unknown blocks (ignored; their moves cost only setup_cost)");
          break;
        }
      }
    }
    sc.mobilisation = std::move(cfg);
  }

  if (const YAML::Node tl = root["timeline"]; !detail::yaml_reader::is_null(tl)) {
    y.require_map(tl, "timeline");
    timeline_config t;
    const YAML::Node shifts = tl["shifts"];
    if (detail::yaml_reader::is_null(shifts)) y.fail(tl, "timeline.shifts", "is required");
    y.require_list(shifts, "timeline.shifts");
    std::set<std::string> names;
    for (std::size_t i = 0; i < shifts.size(); ++i) {
      const auto key = [&](const char* f) { return detail::index_key("timeline.shifts", i, f); };
      const YAML::Node sh = y.entry(shifts, i, "timeline.shifts");
      shift_definition s;
      s.name = y.string(sh["name"], key("name"));
      s.hours = y.number(sh["hours"], key("hours"));
      if (!(s.hours > 0)) y.fail(sh["hours"], key("hours"), "hours must be positive");
      // shifts_per_day is never used (§2.9): any positive integer is accepted, kept at most INT_MAX.
      const long long per_day = y.integer_or(sh, "shifts_per_day", key("shifts_per_day"), 1);
      if (per_day <= 0) y.fail(sh["shifts_per_day"], key("shifts_per_day"), "shifts_per_day must be positive");
      s.shifts_per_day = static_cast<int>(std::min<long long>(per_day, INT_MAX));
      if (!names.insert(s.name).second) y.fail(sh["name"], key("name"), "duplicate shift name '" + excerpt(s.name) + "'");
      t.shifts.push_back(std::move(s));
    }
    if (const YAML::Node bo = tl["blackouts"]; !detail::yaml_reader::is_null(bo)) {
      y.require_list(bo, "timeline.blackouts");
      for (std::size_t i = 0; i < bo.size(); ++i) {
        const auto key = [&](const char* f) { return detail::index_key("timeline.blackouts", i, f); };
        const YAML::Node e = y.entry(bo, i, "timeline.blackouts");
        blackout b;
        const long long start = y.integer(e["start_day"], key("start_day"));
        const long long end = y.integer(e["end_day"], key("end_day"));
        if (end < start) y.fail(e["end_day"], key("end_day"), "end_day must be >= start_day");
        // Days outside 1..num_days have no effect (§2.9): a day beyond the int range is kept as
        // 0 or num_days + 1, which covers the same days of the horizon.
        const auto day = [&](long long d) { return d < -INT_MAX ? 0 : d > INT_MAX ? sc.num_days + 1 : static_cast<int>(d); };
        b.start_day = day(start);
        b.end_day = day(end);
        b.reason = y.optional_string(e["reason"], key("reason"));
        t.blackouts.push_back(std::move(b));
      }
    }
    const long long per_week = y.integer_or(tl, "days_per_week", "timeline.days_per_week", 7);
    if (per_week <= 0) y.fail(tl["days_per_week"], "timeline.days_per_week", "days_per_week must be positive");
    t.days_per_week = static_cast<int>(std::min<long long>(per_week, INT_MAX));  // never used (§2.9)
    sc.timeline = std::move(t);
  }

  if (const auto p = data_path("crew_assignments", false)) sc.crew_assignments = detail::read_crews(open_csv(*p, "crew_assignments"));

  for (const auto& [key, property, is_block] : {std::tuple{"geo_block_path", "block_id", true},
                                                std::tuple{"geo_landing_path", "landing_id", false}}) {
    std::optional<std::string> rel = y.optional_string(root[key], key);
    if (!rel) rel = y.optional_string(data[key], std::string("data.") + key);
    if (!rel) continue;
    const fs::path gp = root_dir / *rel;
    if (!fs::exists(gp, ec)) {
      warnings.push_back(ypath + ": " + key + " " + gp.string() + " not found (reporting-only; skipped)");
      continue;
    }
    sc.files.push_back(gp);
    std::vector<std::string> ids;
    if (is_block)
      for (const auto& b : sc.blocks) ids.push_back(b.id);
    else
      for (const auto& l : sc.landings) ids.push_back(l.id);
    detail::validate_geojson(gp, property, ids);
  }

  if (const YAML::Node locks = root["locked_assignments"]; !detail::yaml_reader::is_null(locks)) {
    y.require_list(locks, "locked_assignments");
    for (std::size_t i = 0; i < locks.size(); ++i) {
      const auto key = [&](const char* f) { return detail::index_key("locked_assignments", i, f); };
      const YAML::Node e = y.entry(locks, i, "locked_assignments");
      locked_assignment l;
      l.machine_id = y.string(e["machine_id"], key("machine_id"));
      l.block_id = y.string(e["block_id"], key("block_id"));
      const long long day = y.integer(e["day"], key("day"));
      if (!machine_index.count(l.machine_id))
        y.fail(e["machine_id"], key("machine_id"), "lock references unknown machine_id=" + excerpt(l.machine_id));
      if (!block_index.count(l.block_id))
        y.fail(e["block_id"], key("block_id"), "lock references unknown block_id=" + excerpt(l.block_id));
      if (day < 1 || day > sc.num_days)
        y.fail(e["day"], key("day"), "lock day " + std::to_string(day) + " is outside 1.." + std::to_string(sc.num_days));
      l.day = static_cast<int>(day);
      sc.locked_assignments.push_back(std::move(l));
    }
  }

  if (const YAML::Node w = root["objective_weights"]; !detail::yaml_reader::is_null(w)) {
    y.require_map(w, "objective_weights");
    objective_weights ow;
    ow.production = y.number_or(w, "production", "objective_weights.production", 1.0);
    ow.mobilisation = y.number_or(w, "mobilisation", "objective_weights.mobilisation", 1.0);
    ow.transitions = y.number_or(w, "transitions", "objective_weights.transitions", 0.0);
    ow.landing_slack = y.number_or(w, "landing_slack", "objective_weights.landing_slack", 0.0);
    for (const auto& [v, f] : {std::pair{ow.production, "production"}, {ow.mobilisation, "mobilisation"},
                               {ow.transitions, "transitions"}, {ow.landing_slack, "landing_slack"}})
      if (v < 0) y.fail(w[f], std::string("objective_weights.") + f, "Objective weight components must be non-negative");
    for (const auto& kv : w) {
      if (!kv.first.IsScalar())
        y.fail(kv.first, "objective_weights", "a mapping key must be a plain value (the reference cannot use a list or mapping as a key)");
      const std::string& k = kv.first.Scalar();
      if (k != "production" && k != "mobilisation" && k != "transitions" && k != "landing_slack")
        warnings.push_back(ypath + ": objective_weights." + excerpt(k) + " is not a weight of this objective (ignored, as the reference does)");
    }
    sc.weights = ow;
  }

  for (const auto& b : sc.blocks)
    if (b.harvest_system_id && !find_system(default_system_registry(), *b.harvest_system_id))
      warnings.push_back(blocks_path.string() + ": block " + excerpt(b.id) + ": harvest_system_id '" + excerpt(*b.harvest_system_id) +
                         "' is not in the built-in registry (block is unrestricted, as in the reference)");
  return out;
}

}  // namespace detail

/// Loads `scenario.yaml` (or a bundle folder's) and every file it names, validating as the
/// reference does, plus the stricter checks listed in docs/compatibility.md. Only regular files
/// of at most 1 GiB are read; a key repeated in a YAML mapping keeps its last value, as in the
/// reference. Throws input_error (file, row, column, rule; one line).
inline loaded_scenario load_scenario_with_warnings(const std::filesystem::path& yaml_path) {
  std::error_code ec;
  if (std::filesystem::is_directory(yaml_path, ec)) {
    // A bundle folder: use its scenario.yaml.
    const std::filesystem::path inner = yaml_path / "scenario.yaml";
    if (!std::filesystem::exists(inner, ec)) throw input_error(yaml_path.string(), "is a directory without a scenario.yaml");
    return load_scenario_with_warnings(inner);
  }
  try {
    return detail::load_scenario_file(yaml_path);
  } catch (const YAML::Exception& e) {
    throw yaml_input_error(e, yaml_path.string(), "unexpected YAML value");
  }
}

/// Loads a scenario (see load_scenario_with_warnings); warnings are dropped.
inline scenario load_scenario(const std::filesystem::path& yaml_path) {
  return load_scenario_with_warnings(yaml_path).scenario;
}

}  // namespace fhops::harvest
