/// \file
/// The FHOPS neighbourhood, composed of operators by name. An operator is a type meeting
/// harvest_operator (operators/kernel.hpp): a name and propose(). operator_union<Ops...> composes
/// operators, as EasyLocal++'s neighbourhood union does: operator i of the union is Ops[i], and the
/// search's operator selector (fixed or adaptive weights, search/operator_selection.hpp) draws i.
/// All operators share one operator_kernel (the sanitiser and the large moves' scratch), and every
/// move is a short list of sanitised cell changes that the incremental evaluator prices.
/// harvest_neighbourhood is the union of the 16 built-in operators in registry order:
/// - the reference's five (operators/reference.hpp): swap, move, block_insertion, cross_exchange,
///   mobilisation_shake;
/// - run operators (operators/runs.hpp): run_fill, run_extend, run_clear, run_swap, run_replace;
/// - rebuilds by the row DP (operators/rebuild.hpp): row_rebuild, landing_rebuild, landing_swap;
/// - price_rebuild (operators/price_rebuild.hpp): landings' crews rebuilt jointly against prices;
/// - seq_fill (operators/sequencing.hpp): run fills inside the room role chains leave;
/// - run_reorder (operators/runs.hpp, added after the others so that their indices stay): a row's
///   runs in another order.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/landing_capacity.hpp"
#include "fhops/harvest/operators/kernel.hpp"
#include "fhops/harvest/operators/price_rebuild.hpp"
#include "fhops/harvest/operators/rebuild.hpp"
#include "fhops/harvest/operators/reference.hpp"
#include "fhops/harvest/operators/runs.hpp"
#include "fhops/harvest/operators/sequencing.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

/// The operators, in registry order (the reference's five first).
enum class operator_id : std::size_t {
  swap,
  move,
  block_insertion,
  cross_exchange,
  mobilisation_shake,
  run_fill,
  run_extend,
  run_clear,
  run_swap,
  run_replace,
  row_rebuild,
  landing_rebuild,
  price_rebuild,
  landing_swap,
  seq_fill,
  run_reorder,
};

/// Number of operators.
inline constexpr std::size_t operator_count = 16;

/// Operator names in registry order.
inline constexpr std::array<std::string_view, operator_count> operator_names{
    "swap", "move", "block_insertion", "cross_exchange", "mobilisation_shake",
    "run_fill", "run_extend", "run_clear", "run_swap", "run_replace", "row_rebuild", "landing_rebuild",
    "price_rebuild", "landing_swap", "seq_fill", "run_reorder"};

/// The index of an operator name (case-sensitive, lower case), or -1.
constexpr int operator_index(std::string_view name) {
  for (std::size_t i = 0; i < operator_count; ++i)
    if (operator_names[i] == name) return static_cast<int>(i);
  return -1;
}

/// A neighbourhood over an incremental_evaluator state made of the operators Ops (operator i is
/// Ops[i]); the operators are default-constructed and share one operator_kernel.
template <harvest_operator... Ops>
class operator_union {
  static_assert(sizeof...(Ops) > 0, "operator_union needs at least one operator");

public:
  /// `mode` and `attempts` configure the kernel (operators/kernel.hpp).
  explicit operator_union(const problem& pb, landing_capacity_mode mode = landing_capacity_mode::priced, int attempts = 48)
      : kernel_(pb, mode, attempts) {}

  /// The operators' names, in union order.
  static constexpr std::array<std::string_view, sizeof...(Ops)> names{Ops::name...};

  std::size_t operator_count() const { return sizeof...(Ops); }
  landing_capacity_mode capacity_mode() const { return kernel_.capacity_mode(); }
  std::string_view operator_name(std::size_t op) const { return names[op]; }

  /// Proposes a random move of operator `op`; false when the operator has no move (or op is out
  /// of range).
  bool propose(std::size_t op, const incremental_evaluator& state, rng& r, harvest_move& mv) {
    mv.changes.clear();
    if (op >= sizeof...(Ops)) return false;
    return table[op](*this, state.plan(), r, mv);
  }

  /// Tabu attributes: making (m, t) leave block x makes "(m, t) back to x" tabu.
  void tabu_made(const incremental_evaluator&, const harvest_move& mv, std::vector<std::uint64_t>& keys) const {
    for (const auto& c : mv.changes) keys.push_back(operator_kernel::key(c.machine, c.slot, c.before));
  }
  void tabu_used(const incremental_evaluator&, const harvest_move& mv, std::vector<std::uint64_t>& keys) const {
    for (const auto& c : mv.changes) keys.push_back(operator_kernel::key(c.machine, c.slot, c.after));
  }

  /// The kernel's sanitiser (operators/kernel.hpp).
  void sanitise(const schedule& plan, std::vector<cell_change>& raw) { kernel_.sanitise(plan, raw); }

  operator_kernel& kernel() { return kernel_; }

private:
  using propose_fn = bool (*)(operator_union&, const schedule&, rng&, harvest_move&);
  template <std::size_t I>
  static bool call(operator_union& u, const schedule& plan, rng& r, harvest_move& mv) {
    return std::get<I>(u.ops_).propose(u.kernel_, plan, r, mv);
  }
  static constexpr auto table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<propose_fn, sizeof...(I)>{&call<I>...};
  }(std::index_sequence_for<Ops...>{});

  operator_kernel kernel_;
  std::tuple<Ops...> ops_;
};

/// The 16 built-in operators in registry order (operator_id, operator_names).
class harvest_neighbourhood
    : public operator_union<swap_operator, move_operator, block_insertion_operator, cross_exchange_operator,
                            mobilisation_shake_operator, run_fill_operator, run_extend_operator, run_clear_operator,
                            run_swap_operator, run_replace_operator, row_rebuild_operator, landing_rebuild_operator,
                            price_rebuild_operator, landing_swap_operator, seq_fill_operator, run_reorder_operator> {
public:
  using operator_union::operator_union;
};
static_assert(harvest_neighbourhood::names == operator_names, "harvest_neighbourhood's operators are in registry order");

}  // namespace fhops::harvest
