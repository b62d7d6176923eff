/// \file
/// The FHOPS problem as a search space for the generic algorithms: the state is an
/// incremental_evaluator (plan + checkpoints), moves are sanitised cell changes, snapshots are
/// schedules. With `check_delta` every delta evaluation and every applied move is compared with a
/// full evaluation (the opt-in checking mode; a mismatch throws std::logic_error).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/incremental.hpp"
#include "fhops/harvest/neighbourhood.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/harvest/schedule.hpp"
#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"

namespace fhops::harvest {

/// The search space of one problem (one per search thread).
class harvest_space {
public:
  using state_type = incremental_evaluator;
  using move_type = harvest_move;
  using solution_type = schedule;

  explicit harvest_space(const problem& pb, bool check_delta = false) : pb_(&pb), full_(pb), check_(check_delta) {}

  double score(const state_type& s) const { return s.score(); }

  double evaluate(const state_type& s, const move_type& mv) {
    const evaluation e = s.evaluate(mv.changes);
    if (check_) {
      ++checks_;
      schedule next = s.plan();
      for (const auto& c : mv.changes) next.at(c.machine, c.slot) = c.after;
      verify(e, full_(next), "move evaluation");
    }
    return e.score;
  }

  void apply(state_type& s, const move_type& mv) {
    s.apply(mv.changes);
    if (check_) {
      ++checks_;
      verify(s.current(), full_(s.plan()), "applied move");
    }
  }

  solution_type snapshot(const state_type& s) const { return s.plan(); }

  /// Puts a plan back; reset() rebuilds every checkpoint and sum exactly as the moves that led
  /// to the plan left them, so a run resumed from a saved plan continues bit for bit.
  void restore(state_type& s, const solution_type& sol) { s.reset(sol); }

  /// Saves a plan into a checkpoint (its shape and cells).
  void save_solution(search::checkpoint_writer& w, std::string_view name, const solution_type& sol) const {
    w.put(name, std::vector<long long>{sol.num_machines, sol.num_slots});
    w.put(name, sol.cells);
  }
  /// Reads a plan saved by save_solution(); refuses one of another shape or with a cell that is no block.
  solution_type load_solution(search::checkpoint_reader& r, std::string_view name) const {
    const auto shape = r.get<std::vector<long long>>(name);
    schedule sol(*pb_);
    if (shape.size() != 2 || shape[0] != sol.num_machines || shape[1] != sol.num_slots)
      throw search::checkpoint_error("plan '" + std::string(name) + "' has another shape than this scenario's");
    r.get(name, sol.cells);
    if (sol.cells.size() != static_cast<std::size_t>(sol.num_machines) * sol.num_slots)
      throw search::checkpoint_error("plan '" + std::string(name) + "' has another number of cells");
    for (const auto c : sol.cells)
      if (c != idle && (c < 0 || c >= pb_->num_blocks)) throw search::checkpoint_error("plan '" + std::string(name) + "' names no block");
    return sol;
  }

  /// Delta checks made so far (check mode only).
  long long checks() const { return checks_; }

private:
  static void verify(const evaluation& delta, const evaluation& full, const char* what) {
    if (!(delta == full))
      throw std::logic_error(fmt::format("--check-delta: {} gave score {} but a full evaluation gives {} "
                                         "(production {} vs {}, mobilisation {} vs {}, penalties {} vs {})",
                                         what, delta.score, full.score, delta.production, full.production,
                                         delta.mobilisation_cost, full.mobilisation_cost, delta.penalty_events,
                                         full.penalty_events));
  }

  const problem* pb_;
  evaluator full_;
  bool check_;
  long long checks_ = 0;
};

static_assert(search::search_space<harvest_space> && search::checkpointable_space<harvest_space>);
static_assert(search::tabu_neighbourhood_for<harvest_neighbourhood, harvest_space>);

}  // namespace fhops::harvest
