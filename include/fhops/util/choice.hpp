#pragma once
// A text option restricted to a fixed list of values: one check and one message for the driver's
// choice options and the solver options' choices.

#include <stdexcept>
#include <string>
#include <string_view>

namespace fhops {

/// `value` when it is one of `allowed`; else std::invalid_argument
/// "--OPTION must be one of a, b, c (got 'value')".
template <class Allowed>
const std::string& one_of(std::string_view option, const std::string& value, const Allowed& allowed) {
  std::string list;
  for (const auto& a : allowed) {
    if (value == a) return value;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw std::invalid_argument("--" + std::string(option) + " must be one of " + list + " (got '" + value + "')");
}

}  // namespace fhops
