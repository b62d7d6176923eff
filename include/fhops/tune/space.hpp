/// \file
/// A typed tuning space: integer, real (optionally log-scaled) and categorical parameters, each
/// optionally conditional on an earlier parameter's value, and the configurations drawn from it.
/// Nothing here knows what is being tuned.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

namespace fhops::tune {

/// A parameter value: an integer, a real or a category name.
using value = std::variant<long long, double, std::string>;

/// The kind of a parameter.
enum class kind { integer, real, categorical };

/// One parameter of a space.
struct parameter {
  std::string name;
  tune::kind kind = kind::real;
  double low = 0.0, high = 0.0;          ///< integer and real bounds (inclusive)
  bool log = false;                      ///< sampled uniformly in log space (low > 0)
  std::vector<std::string> choices;      ///< categorical
  std::vector<value> levels;             ///< grid levels (integer: default every value; real: required)
  std::optional<std::size_t> parent;     ///< conditional: active only when parent's value is in `when`
  std::vector<value> when;
};

/// A configuration: the values of the active parameters, in the space's declaration order.
class configuration {
public:
  void set(std::string name, value v) {
    for (auto& [n, x] : items_)
      if (n == name) {
        x = std::move(v);
        return;
      }
    items_.emplace_back(std::move(name), std::move(v));
  }
  bool has(std::string_view name) const { return find(name) != nullptr; }
  /// The value of a parameter; std::out_of_range when the configuration does not have it.
  const value& at(std::string_view name) const {
    if (const value* v = find(name)) return *v;
    throw std::out_of_range("configuration has no parameter '" + std::string(name) + "'");
  }
  /// An integer parameter's value. The typed readers throw std::invalid_argument naming the
  /// parameter, what it holds and what was asked when the kind differs (e.g. "parameter 'x' is a
  /// real (0.5), read as an integer").
  long long integer(std::string_view name) const { return typed<long long>(name, at(name), "an integer"); }
  /// A real parameter's value; an integer parameter's value converted.
  double real(std::string_view name) const {
    const value& v = at(name);
    if (const auto* i = std::get_if<long long>(&v)) return static_cast<double>(*i);
    return typed<double>(name, v, "a real");
  }
  /// A categorical parameter's value.
  const std::string& category(std::string_view name) const { return typed<std::string>(name, at(name), "a category"); }
  const std::vector<std::pair<std::string, value>>& items() const { return items_; }

  /// `{"name": value, ...}` in declaration order, numbers as Python's json.dumps writes them.
  std::string json() const {
    std::string out = "{";
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (i) out += ", ";
      out += json_quote(items_[i].first) + ": " + json_value(items_[i].second);
    }
    return out + "}";
  }
  static std::string json_value(const value& v) {
    if (const auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return json_number(*d);
    return json_quote(std::get<std::string>(v));
  }

  friend bool operator==(const configuration&, const configuration&) = default;

private:
  // v (parameter `name`'s value) as a T, or std::invalid_argument saying what it holds.
  template <class T>
  static const T& typed(std::string_view name, const value& v, const char* asked) {
    if (const T* x = std::get_if<T>(&v)) return *x;
    static constexpr const char* holds[] = {"an integer", "a real", "a category"};
    throw std::invalid_argument("parameter '" + std::string(name) + "' is " + holds[v.index()] + " (" + json_value(v) + "), read as " + asked);
  }
  const value* find(std::string_view name) const {
    for (const auto& [n, x] : items_)
      if (n == name) return &x;
    return nullptr;
  }
  std::vector<std::pair<std::string, value>> items_;
};

/// The tuning space. Parameters are declared in order; a conditional parameter has an earlier one
/// as its parent (only_when). Declaration errors throw std::invalid_argument naming the parameter.
class parameter_space {
public:
  /// An integer in [low, high].
  parameter_space& integer(std::string name, long long low, long long high, bool log = false) {
    parameter p{std::move(name), kind::integer, static_cast<double>(low), static_cast<double>(high), log, {}, {}, {}, {}};
    if (low > high) fail(p.name, "low must be <= high");
    for (long long v = low; v <= high && high - low <= 1000; ++v) p.levels.emplace_back(v);
    return add(std::move(p));
  }
  /// A real in [low, high].
  parameter_space& real(std::string name, double low, double high, bool log = false) {
    if (!(low <= high) || !std::isfinite(low) || !std::isfinite(high)) fail(name, "bounds must be finite with low <= high");
    return add({std::move(name), kind::real, low, high, log, {}, {}, {}, {}});
  }
  /// One of `choices`.
  parameter_space& categorical(std::string name, std::vector<std::string> choices) {
    if (choices.empty()) fail(name, "needs at least one choice");
    parameter p{std::move(name), kind::categorical, 0.0, 0.0, false, std::move(choices), {}, {}, {}};
    for (const auto& c : p.choices) p.levels.emplace_back(c);
    return add(std::move(p));
  }
  /// Makes parameter `name` conditional: active only when its parent `parent` (declared before
  /// it) takes one of `values`, at least one of which must be in the parent's domain (else it would
  /// never be active). A parameter has at most one parent.
  parameter_space& only_when(std::string_view name, std::string_view parent, std::vector<value> values) {
    const std::size_t i = index(name), k = index(parent);
    if (i == params_.size()) fail(std::string(name), "only_when names a parameter that is not declared");
    parameter& p = params_[i];
    if (k == params_.size()) fail(p.name, "only_when names an unknown parent '" + std::string(parent) + "'");
    if (k >= i) fail(p.name, "the parent '" + std::string(parent) + "' must be declared before it");
    if (p.parent) fail(p.name, "already conditional on '" + params_[*p.parent].name + "'");
    if (values.empty()) fail(p.name, "only_when needs at least one value of '" + std::string(parent) + "'");
    if (std::none_of(values.begin(), values.end(), [&](const value& v) { return contains(params_[k], v); }))
      fail(p.name, "would never be active: no value of only_when is in the domain of '" + std::string(parent) + "' (the first: " +
                       configuration::json_value(values.front()) + ")");
    p.parent = k;
    p.when = std::move(values);
    return *this;
  }
  /// The values grid search visits for the last parameter.
  parameter_space& levels(std::vector<value> levels) {
    parameter& p = last("levels");
    if (levels.empty()) fail(p.name, "levels must not be empty");
    for (const auto& v : levels)
      if (!contains(p, v)) fail(p.name, "level " + configuration::json_value(v) + " is outside the parameter's domain");
    p.levels = std::move(levels);
    return *this;
  }

  const std::vector<parameter>& parameters() const noexcept { return params_; }
  std::size_t size() const noexcept { return params_.size(); }
  bool empty() const noexcept { return params_.empty(); }

  /// The index of a parameter, or size() when absent.
  std::size_t index(std::string_view name) const {
    for (std::size_t i = 0; i < params_.size(); ++i)
      if (params_[i].name == name) return i;
    return params_.size();
  }

  /// Whether parameter i is active given the values chosen so far.
  bool active(std::size_t i, const configuration& c) const {
    const parameter& p = params_[i];
    if (!p.parent) return true;
    const parameter& q = params_[*p.parent];
    if (!c.has(q.name)) return false;
    const value& v = c.at(q.name);
    return std::find(p.when.begin(), p.when.end(), v) != p.when.end();
  }

  /// Whether v is a legal value of p.
  static bool contains(const parameter& p, const value& v) {
    switch (p.kind) {
      case kind::integer: {
        const auto* i = std::get_if<long long>(&v);
        return i && *i >= p.low && *i <= p.high;
      }
      case kind::real: {
        const auto* d = std::get_if<double>(&v);
        return d && *d >= p.low && *d <= p.high;
      }
      case kind::categorical: {
        const auto* s = std::get_if<std::string>(&v);
        return s && std::find(p.choices.begin(), p.choices.end(), *s) != p.choices.end();
      }
    }
    return false;
  }

private:
  [[noreturn]] static void fail(const std::string& name, const std::string& what) {
    throw std::invalid_argument("parameter '" + name + "': " + what);
  }
  parameter& last(const char* call) {
    if (params_.empty()) throw std::invalid_argument(std::string("parameter_space::") + call + " needs a parameter declared first");
    return params_.back();
  }
  parameter_space& add(parameter p) {
    if (p.name.empty()) fail(p.name, "the name must not be empty");
    if (index(p.name) != params_.size()) fail(p.name, "declared twice");
    if (p.log && !(p.low > 0.0)) fail(p.name, "a log-scaled parameter needs low > 0");
    params_.push_back(std::move(p));
    return *this;
  }

  std::vector<parameter> params_;
};

}  // namespace fhops::tune
