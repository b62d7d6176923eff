/// \file
/// An ordered JSON value for telemetry records and its writer. Objects keep their key order (the
/// reference's records are Python dicts written in insertion order), integers stay integers and
/// floats stay floats (`13.0` never becomes `13`), and the writer spells numbers and strings as
/// Python's `json.dumps` does, compact for JSONL or with Python's default separators and sorted keys
/// for the SQLite columns (telemetry_tuning.md §1.2, §1.10).
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::telemetry {

/// A JSON value: null, bool, integer, float, string, array or key-ordered object.
struct json {
  using array = std::vector<json>;
  using object = std::vector<std::pair<std::string, json>>;
  std::variant<std::nullptr_t, bool, long long, double, std::string, array, object> value{nullptr};

  json() = default;
  json(std::nullptr_t) {}
  json(bool b) : value(b) {}
  json(int i) : value(static_cast<long long>(i)) {}
  json(long i) : value(static_cast<long long>(i)) {}
  json(long long i) : value(i) {}
  json(unsigned u) : value(static_cast<long long>(u)) {}
  json(unsigned long u) : value(static_cast<long long>(u)) {}
  json(double d) : value(d) {}
  json(const char* s) : value(std::string(s)) {}
  json(std::string s) : value(std::move(s)) {}
  json(std::string_view s) : value(std::string(s)) {}
  json(array a) : value(std::move(a)) {}
  json(object o) : value(std::move(o)) {}
  template <class T>
  json(const std::optional<T>& o) {
    if (o) *this = json(*o);
  }

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(value); }
  bool is_bool() const { return std::holds_alternative<bool>(value); }
  bool is_int() const { return std::holds_alternative<long long>(value); }
  bool is_float() const { return std::holds_alternative<double>(value); }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return std::holds_alternative<std::string>(value); }
  bool is_array() const { return std::holds_alternative<array>(value); }
  bool is_object() const { return std::holds_alternative<object>(value); }

  const std::string& as_string() const { return std::get<std::string>(value); }
  const object& as_object() const { return std::get<object>(value); }
  object& as_object() { return std::get<object>(value); }
  const array& as_array() const { return std::get<array>(value); }
  /// The number as a double (ints converted; bools as 0/1); std::bad_variant_access otherwise.
  double as_double() const {
    if (const auto* d = std::get_if<double>(&value)) return *d;
    if (const auto* b = std::get_if<bool>(&value)) return *b ? 1.0 : 0.0;
    return static_cast<double>(std::get<long long>(value));
  }

  /// The member `key` of an object, or nullptr (also when this is not an object).
  const json* find(std::string_view key) const {
    const auto* o = std::get_if<object>(&value);
    if (!o) return nullptr;
    for (const auto& [k, v] : *o)
      if (k == key) return &v;
    return nullptr;
  }
  /// The string member `key`, or nullopt when absent or not a string.
  std::optional<std::string> string_at(std::string_view key) const {
    const json* v = find(key);
    if (!v || !v->is_string()) return std::nullopt;
    return v->as_string();
  }

  friend bool operator==(const json&, const json&) = default;
};

/// The member `key` of an object, or nullptr.
inline const json* find(const json::object& o, std::string_view key) {
  for (const auto& [k, v] : o)
    if (k == key) return &v;
  return nullptr;
}

/// The member `key` of an object, or nullptr (mutable).
inline json* find(json::object& o, std::string_view key) {
  for (auto& [k, v] : o)
    if (k == key) return &v;
  return nullptr;
}

/// The string member `key` of an object, or nullptr when absent or not a string.
inline const std::string* find_string(const json::object& o, std::string_view key) {
  const json* v = find(o, key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

/// Sets `key` in an object: replaces the value in place when present, appends otherwise.
inline void set(json::object& o, std::string_view key, json v) {
  for (auto& [k, old] : o)
    if (k == key) {
      old = std::move(v);
      return;
    }
  o.emplace_back(std::string(key), std::move(v));
}

/// The writer's spelling: compact (`,`/`:`, the JSONL form) or Python's default (`, `/`: `);
/// `sort_keys` sorts object keys by code point as Python does. Non-ASCII is written raw
/// (`ensure_ascii=False`, the reference's setting everywhere in telemetry).
struct json_style {
  bool compact = true;
  bool sort_keys = false;
};

namespace detail {

inline void dump_to(std::string& out, const json& v, json_style style);

inline void dump_object_to(std::string& out, const json::object& o, json_style style) {
  out += '{';
  const auto item = [&](std::size_t i, const std::pair<std::string, json>& kv) {
    if (i) out += style.compact ? "," : ", ";
    out += json_quote(kv.first, false);
    out += style.compact ? ":" : ": ";
    dump_to(out, kv.second, style);
  };
  if (style.sort_keys) {
    std::vector<const std::pair<std::string, json>*> items;
    items.reserve(o.size());
    for (const auto& kv : o) items.push_back(&kv);
    std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (std::size_t i = 0; i < items.size(); ++i) item(i, *items[i]);
  } else {
    for (std::size_t i = 0; i < o.size(); ++i) item(i, o[i]);
  }
  out += '}';
}

inline void dump_to(std::string& out, const json& v, json_style style) {
  struct visitor {
    std::string& out;
    json_style style;
    void operator()(std::nullptr_t) const { out += "null"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(long long i) const { out += std::to_string(i); }
    void operator()(double d) const { append_json_number(out, d); }
    void operator()(const std::string& s) const { out += json_quote(s, false); }
    void operator()(const json::array& a) const {
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += style.compact ? "," : ", ";
        dump_to(out, a[i], style);
      }
      out += ']';
    }
    void operator()(const json::object& o) const { dump_object_to(out, o, style); }
  };
  std::visit(visitor{out, style}, v.value);
}

}  // namespace detail

/// The JSON text of a value (numbers as Python writes them: `13.0`, `1e-05`; NaN and infinities,
/// which standard JSON cannot hold, as `null`).
inline std::string dump(const json& v, json_style style = {}) {
  std::string out;
  detail::dump_to(out, v, style);
  return out;
}

/// The JSON text of an object (no copy into a json value).
inline std::string dump(const json::object& o, json_style style = {}) {
  std::string out;
  detail::dump_object_to(out, o, style);
  return out;
}

/// Python's `json.dumps(v, sort_keys=True, ensure_ascii=False)`: the SQLite column spelling.
inline std::string dump_sorted(const json& v) { return dump(v, json_style{false, true}); }

}  // namespace fhops::telemetry
