/// \file
/// The contracts of the neighbourhood-search library. Algorithms (annealer, iterated_local_search,
/// tabu_search) are class templates over small policies; each policy is checked against one of
/// these concepts in its own header. Nothing here knows what is being optimised. Scores are
/// maximised.
#pragma once

#include <concepts>
#include <optional>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fhops/search/checkpoint.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::search {

/// A search space: a mutable state with a cached score, exact move evaluation (the score the state
/// would have after the move, the state left unchanged), apply, and light snapshots of the
/// solution for keeping the best (restore puts one back).
template <class S>
concept search_space = requires(S& sp, const S& csp, typename S::state_type& st, const typename S::state_type& cst,
                                const typename S::move_type& mv, const typename S::solution_type& sol) {
  typename S::state_type;
  typename S::move_type;
  typename S::solution_type;
  { csp.score(cst) } -> std::convertible_to<double>;
  { sp.evaluate(cst, mv) } -> std::convertible_to<double>;
  sp.apply(st, mv);
  { csp.snapshot(cst) } -> std::convertible_to<typename S::solution_type>;
  sp.restore(st, sol);
};

/// A search space whose solutions a checkpoint can carry: save_solution(writer, name, solution)
/// and load_solution(reader, name). A checkpointed run saves the current state as its snapshot and
/// resumes with restore(state, snapshot), so restore(s, snapshot(s)) must rebuild a state that
/// behaves exactly as s (bit for bit the same scores).
template <class S>
concept checkpointable_space = search_space<S> && requires(const S& csp, const typename S::solution_type& sol,
                                                           checkpoint_writer& w, checkpoint_reader& r, std::string_view name) {
  csp.save_solution(w, name, sol);
  { csp.load_solution(r, name) } -> std::same_as<typename S::solution_type>;
};

/// A neighbourhood of space S: a fixed set of named operators, each proposing a random move
/// (false when the operator has no move from this state).
template <class N, class S>
concept neighbourhood_for = search_space<S> && requires(N& n, const N& cn, const typename S::state_type& st, rng& r,
                                                        typename S::move_type& mv, std::size_t op) {
  { cn.operator_count() } -> std::convertible_to<std::size_t>;
  { cn.operator_name(op) } -> std::convertible_to<std::string_view>;
  { n.propose(op, st, r, mv) } -> std::convertible_to<bool>;
};

/// A neighbourhood whose moves carry tabu attributes: keys a move makes tabu when applied, and keys
/// that make it tabu when present (for reversal tabu: applying x→y makes "back to x" tabu).
template <class N, class S>
concept tabu_neighbourhood_for = neighbourhood_for<N, S> &&
    requires(const N& cn, const typename S::state_type& st, const typename S::move_type& mv, std::vector<std::uint64_t>& keys) {
      cn.tabu_made(st, mv, keys);
      cn.tabu_used(st, mv, keys);
    };

/// A cooling schedule: start(initial score, budget) once; temperature() now; step(progress in [0,1]).
template <class C>
concept cooling_schedule = requires(C& c, const C& cc, double x) {
  c.start(x);
  { cc.temperature() } -> std::convertible_to<double>;
  c.step(x);
};

/// An acceptance rule: accept(delta, current, best, temperature, rng) for a maximised score.
template <class A>
concept acceptance_rule = requires(A& a, double d, rng& r) {
  a.start(d);
  { a.accept(d, d, d, d, r) } -> std::convertible_to<bool>;
  a.commit(d);
};

/// An operator selector: weights over the neighbourhood's operators; order() draws a permutation
/// (weighted, without replacement) of the enabled operators; reward() reports a move's outcome.
template <class S>
concept operator_selector = requires(S& s, const S& cs, rng& r, std::vector<std::size_t>& out, std::size_t op, double x) {
  s.order(r, out);
  s.reward(op, x);
  { cs.weight(op) } -> std::convertible_to<double>;
};

/// An ILS hybrid: offer<Solution>() may give a solution to continue from at a stall (or nothing).
template <class H, class Solution>
concept ils_hybrid_for = requires(H& h) {
  { h.template offer<Solution>() } -> std::same_as<std::optional<Solution>>;
};

}  // namespace fhops::search
