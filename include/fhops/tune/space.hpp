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
  const value& at(std::string_view name) const {
    if (const value* v = find(name)) return *v;
    throw std::out_of_range("configuration has no parameter '" + std::string(name) + "'");
  }
  long long integer(std::string_view name) const { return std::get<long long>(at(name)); }
  double real(std::string_view name) const {
    const value& v = at(name);
    return std::holds_alternative<long long>(v) ? static_cast<double>(std::get<long long>(v)) : std::get<double>(v);
  }
  const std::string& category(std::string_view name) const { return std::get<std::string>(at(name)); }
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
  const value* find(std::string_view name) const {
    for (const auto& [n, x] : items_)
      if (n == name) return &x;
    return nullptr;
  }
  std::vector<std::pair<std::string, value>> items_;
};

/// The tuning space. Parameters are declared in order; a conditional parameter names an earlier
/// one. Declaration errors throw std::invalid_argument naming the parameter.
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
  /// The last parameter is active only when `parent` (declared earlier) takes one of `values`.
  parameter_space& only_when(const std::string& parent, std::vector<value> values) {
    parameter& p = last("only_when");
    const std::size_t k = index(parent);
    if (k >= params_.size() - 1) fail(p.name, "only_when names an unknown or later parameter '" + parent + "'");
    if (values.empty()) fail(p.name, "only_when needs at least one value");
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
