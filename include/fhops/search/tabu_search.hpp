/// \file
/// Tabu search (heuristics.md §5) with move attributes: applying a move makes its reversal tabu for
/// `tenure` moves (the reference forbade repeating the same whole-plan diff, which never forbids a
/// reversal; see docs/compatibility.md). Aspiration: a tabu move that beats the best is allowed.
/// When every candidate is tabu, the best one is taken and the oldest tabu entry expires. Ties go to
/// the earlier candidate. A step keeps two candidates, not all it examines, so its memory does not
/// grow with `candidates`.
/// Optional elite restarts (off by default): after `restart_stall` iterations without a new best
/// the search goes back to the best solution with an empty tabu list and a tenure drawn from
/// [tenure, tenure_max], so the neighbourhood of the best is searched again along another path.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fhops/search/checkpoint.hpp"
#include "fhops/search/concepts.hpp"
#include "fhops/search/run.hpp"

namespace fhops::search {

/// Tabu parameters.
struct tabu_parameters {
  long long tenure = 10;        ///< moves a reversal stays tabu (>= 1)
  long long candidates = 0;     ///< candidates per step; 0 = one per enabled operator (reference)
  long long restart_stall = 0;  ///< iterations without a new best before going back to the best (0 = never)
  long long tenure_max = 0;     ///< restarts draw the tenure from [tenure, tenure_max] (0 = keep tenure)
  void validate() const {
    if (tenure < 1) throw std::invalid_argument("tabu_parameters.tenure must be >= 1 (got " + std::to_string(tenure) + ")");
    if (candidates < 0)
      throw std::invalid_argument("tabu_parameters.candidates must be >= 0 (got " + std::to_string(candidates) + ")");
    if (restart_stall < 0)
      throw std::invalid_argument("tabu_parameters.restart_stall must be >= 0 (got " + std::to_string(restart_stall) + ")");
    if (tenure_max != 0 && tenure_max < tenure)
      throw std::invalid_argument("tabu_parameters.tenure_max must be 0 or >= tenure (got " + std::to_string(tenure_max) +
                                  ", tenure " + std::to_string(tenure) + ")");
  }
};

/// A FIFO tabu list of attribute groups (one group per move made).
class tabu_list {
public:
  explicit tabu_list(std::size_t tenure) : tenure_(tenure) {
    if (tenure == 0) throw std::invalid_argument("tabu_list: tenure must be >= 1");
  }
  /// Empties the list and sets a new tenure (>= 1).
  void reset(std::size_t tenure) {
    if (tenure == 0) throw std::invalid_argument("tabu_list: tenure must be >= 1");
    tenure_ = tenure;
    groups_.clear();
    count_.clear();
  }
  std::size_t tenure() const { return tenure_; }
  bool tabu(const std::vector<std::uint64_t>& keys) const {
    for (auto k : keys)
      if (count_.count(k)) return true;
    return false;
  }
  void push(std::vector<std::uint64_t> keys) {
    while (groups_.size() >= tenure_) expire_oldest();
    for (auto k : keys) ++count_[k];
    groups_.push_back(std::move(keys));
  }
  void expire_oldest() {
    if (groups_.empty()) return;
    for (auto k : groups_.front())
      if (--count_[k] == 0) count_.erase(k);
    groups_.pop_front();
  }
  std::size_t size() const { return groups_.size(); }
  /// Checkpoint state: the tenure and the groups, oldest first.
  void save(checkpoint_writer& w) const {
    w.put("tabu.tenure", static_cast<long long>(tenure_));
    w.put("tabu.groups", static_cast<long long>(groups_.size()));
    for (const auto& g : groups_) w.put("tabu.group", g);
  }
  void load(checkpoint_reader& r) {
    const long long tenure = r.get<long long>("tabu.tenure");
    const long long n = r.get<long long>("tabu.groups");
    if (tenure < 1 || n < 0 || n > tenure) throw checkpoint_error("bad tabu list (tenure " + std::to_string(tenure) + ", " + std::to_string(n) + " groups)");
    reset(static_cast<std::size_t>(tenure));
    for (long long i = 0; i < n; ++i) push(r.get<std::vector<std::uint64_t>>("tabu.group"));
  }

private:
  std::size_t tenure_;
  std::deque<std::vector<std::uint64_t>> groups_;
  std::unordered_map<std::uint64_t, int> count_;
};

static_assert(state_serialisable<tabu_list>);

/// Tabu search.
class tabu_search {
public:
  explicit tabu_search(tabu_parameters p = {}) : p_(p) { p_.validate(); }

  template <class Run>
  auto run(Run& r, typename Run::state_type& s) {
    r.begin(s, "tabu");
    tabu_list list(static_cast<std::size_t>(p_.tenure));
    return loop(r, s, list, 0);
  }

  /// Continues a run checkpointed by run() of a tabu search with the same parameters.
  template <class Run>
  auto resume(Run& r, typename Run::state_type& s, checkpoint_reader& in) {
    r.resume(in, s, "tabu");
    tabu_list list(static_cast<std::size_t>(p_.tenure));
    list.load(in);
    return loop(r, s, list, in.get<long long>("tabu.since_restart"));
  }

private:
  template <class Run>
  auto loop(Run& r, typename Run::state_type& s, tabu_list& list, long long since_restart) {
    static_assert(tabu_neighbourhood_for<std::remove_reference_t<decltype(r.neighbourhood())>, std::remove_reference_t<decltype(r.space())>>,
                  "tabu_search needs a neighbourhood with tabu_made(state, move, keys) and tabu_used(state, move, keys)");
    using move_type = typename Run::move_type;
    auto& nbh = r.neighbourhood();
    // The candidates of a step are streamed, not stored (a step may have millions): only the best
    // candidate and the best admissible one (not tabu, or beating the best: aspiration) are kept,
    // ties to the earlier candidate, and how many candidates each operator gave.
    move_type mv{}, top_mv{}, pick_mv{};
    std::vector<long long> per_operator(nbh.operator_count(), 0);
    std::vector<std::uint64_t> keys;
    for (;;) {
      if (p_.restart_stall > 0 && r.stall() >= p_.restart_stall && since_restart >= p_.restart_stall) {
        r.space().restore(s, r.best());
        const long long hi = std::max(p_.tenure, p_.tenure_max);
        list.reset(static_cast<std::size_t>(p_.tenure) + r.random().below(static_cast<std::uint64_t>(hi - p_.tenure + 1)));
        r.restarted();
        since_restart = 0;
      }
      ++since_restart;
      const auto& order = r.operator_order();
      std::fill(per_operator.begin(), per_operator.end(), 0);
      bool any = false, admissible = false;
      double top = 0.0, pick = 0.0;
      std::size_t top_op = 0, pick_op = 0;
      r.candidates(order, s, static_cast<std::size_t>(p_.candidates), mv, [&](std::size_t op, const auto& m) {
        const double score = r.evaluate(s, m);
        ++per_operator[op];
        if (!any || score > top) {
          top = score;
          top_op = op;
          top_mv = m;
          any = true;
        }
        if (!admissible || score > pick) {  // only a candidate that would be picked needs the tabu test
          keys.clear();
          nbh.tabu_used(s, m, keys);
          if (score > r.best_score() || !list.tabu(keys)) {
            pick = score;
            pick_op = op;
            pick_mv = m;
            admissible = true;
          }
        }
        return true;
      });
      if (!any) {
        r.exhausted();
        break;
      }
      if (!admissible) {  // all tabu: take the best, expire the oldest entry
        pick = top;
        pick_op = top_op;
        std::swap(pick_mv, top_mv);
        list.expire_oldest();
      }
      --per_operator[pick_op];
      for (std::size_t op = 0; op < per_operator.size(); ++op)
        for (long long k = 0; k < per_operator[op]; ++k) r.rejected(op);
      keys.clear();
      nbh.tabu_made(s, pick_mv, keys);
      r.make(pick_op, s, pick_mv, pick);
      list.push(keys);
      if (!r.end_step(s)) break;
      if constexpr (Run::checkpoints) {  // no checkpoint code (nor its requirements) without a hook
        if (r.checkpoint_due() && !r.checkpoint(s, [&](checkpoint_writer& w) {
              list.save(w);
              w.put("tabu.since_restart", since_restart);
            }))
          break;
      }
    }
    return r.finish(s);
  }

  tabu_parameters p_;
};

}  // namespace fhops::search
