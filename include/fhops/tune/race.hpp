/// \file
/// Iterated racing in the manner of irace (López-Ibáñez et al. 2016): each iteration samples
/// candidate configurations (uniformly in the first; later around the elites, with shrinking
/// spread), evaluates them block by block (a block is an instance: e.g. a scenario × seed), and
/// after each block — once `first_test` blocks are in — drops the candidates a Friedman test with
/// Conover's post-hoc comparisons finds worse than the best-ranked one. The survivors' best
/// become the elites, which carry over with their results (a new race starts again at block 0 and
/// never re-runs a block an elite has). The budget counts evaluations (solver runs).
///
/// The strategy asks for evaluations (configuration, block) and is told their values; asks of one
/// step (the blocks up to the next test, for every live candidate) do not depend on each other's
/// tells, so `run_race` runs a step's evaluations in parallel and tells them in ask order: the
/// same results whatever the number of threads (or processes, for a caller that distributes the
/// steps itself). Nothing here knows what is being tuned.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "fhops/tune/concepts.hpp"
#include "fhops/tune/runner.hpp"
#include "fhops/tune/space.hpp"
#include "fhops/util/rng.hpp"
#include "fhops/util/statistics.hpp"
#include "fhops/util/threads.hpp"

namespace fhops::tune {

/// Racing settings. Zero means "irace's default for this space and budget" where said.
struct race_parameters {
  std::size_t budget = 0;            ///< evaluations in all (> 0); never exceeded
  std::size_t blocks = 0;            ///< blocks available (> 0), raced in index order from 0 in every iteration
  std::size_t iterations = 0;        ///< 0 = 2 + floor(log2 d) (d parameters), fewer when the budget would leave the first < 2·elites candidates
  std::size_t first_candidates = 0;  ///< candidates of the first iteration; 0 = from the iteration's budget as irace
  std::size_t first_test = 5;        ///< blocks before the first elimination test (irace's firstTest)
  std::size_t each_test = 1;         ///< blocks between later tests (irace's eachTest)
  std::size_t elites = 0;            ///< survivors kept per iteration; 0 = 2 + floor(log2 d) (irace's N_min)
  double alpha = 0.05;               ///< significance of the Friedman test and of the post-hoc pairs
  tune::direction direction = tune::direction::maximise;

  /// Throws std::invalid_argument naming the field when a value is out of its domain.
  void validate() const {
    const auto bad = [](const char* field, const std::string& what) {
      throw std::invalid_argument(std::string("race_parameters.") + field + " " + what);
    };
    if (budget < 1) bad("budget", "must be >= 1 (got 0)");
    if (blocks < 1) bad("blocks", "must be >= 1 (got 0)");
    if (first_test < 2) bad("first_test", "must be >= 2 (got " + std::to_string(first_test) + ")");
    if (each_test < 1) bad("each_test", "must be >= 1 (got 0)");
    if (!(alpha > 0.0 && alpha < 1.0)) bad("alpha", "must be in (0, 1) (got " + std::to_string(alpha) + ")");
  }
};

/// One evaluation the race asks for: `t.config` on block `block`. `t.number` counts evaluations in
/// ask order; `candidate` is the configuration's id (creation order); `iteration` is 0-based.
struct race_trial {
  trial t;
  std::size_t candidate = 0;
  std::size_t block = 0;
  std::size_t iteration = 0;
};

/// A candidate configuration and what the race knows of it. `results[b]` is its value on block b
/// (nothing: not run; NaN: the evaluation failed, which ranks below every success).
struct race_candidate {
  std::size_t id = 0;
  configuration config;
  std::size_t born = 0;                 ///< the iteration that sampled it
  std::optional<std::size_t> parent;    ///< the elite it was sampled around (none in the first iteration)
  std::vector<std::optional<double>> results;
  bool alive = true;                    ///< still racing (or an elite between iterations)
  bool elite = false;                   ///< among the elites kept by the last finished iteration
  std::optional<std::size_t> eliminated_iteration;  ///< when it left the race
  std::size_t eliminated_blocks = 0;    ///< blocks of that race when it left
  bool eliminated_by_test = false;      ///< dropped by a test (else: not among the elites at the end)
  std::vector<double> spread;           ///< sampling model: per numeric parameter, the sd (in [0, 1] units)
  std::vector<std::vector<double>> probabilities;  ///< per categorical parameter, the choice probabilities

  /// Blocks with a result.
  std::size_t evaluated() const {
    return static_cast<std::size_t>(std::count_if(results.begin(), results.end(), [](const auto& r) { return r.has_value(); }));
  }
  /// The mean of its successful results (NaN without one).
  double mean() const {
    double s = 0.0;
    std::size_t n = 0;
    for (const auto& r : results)
      if (r && std::isfinite(*r)) s += *r, ++n;
    return n ? s / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  }
};

/// An instance tuner strategy: ask(rng) gives the next evaluation (configuration × block) or
/// nothing — either finished() or waiting for the tells of the evaluations out; tell(trial, value)
/// reports one (NaN = failed).
template <class T>
concept instance_tuner_strategy = requires(T& t, const T& ct, rng& r, const race_trial& tr, double v) {
  { t.ask(r) } -> std::same_as<std::optional<race_trial>>;
  t.tell(tr, v);
  { ct.finished() } -> std::convertible_to<bool>;
};

/// The outcome of one evaluation of a race.
struct race_result {
  race_trial t;
  double value = std::numeric_limits<double>::quiet_NaN();  ///< NaN when it failed
  std::string error;
  bool ok() const { return std::isfinite(value); }
};

/// Iterated racing over a parameter space (see the file comment).
class race {
public:
  race(parameter_space space, race_parameters p) : space_(std::move(space)), p_(p) {
    p_.validate();
    if (space_.empty()) throw std::invalid_argument("race: the parameter space is empty");
    const double d = static_cast<double>(space_.size());
    const auto log_term = static_cast<std::size_t>(std::floor(std::log2(d)));
    if (p_.elites == 0) p_.elites = 2 + log_term;
    if (p_.iterations == 0) {
      p_.iterations = 2 + log_term;
      // A first iteration needs room for more candidates than elites, or racing has nothing to drop.
      while (p_.iterations > 1 && candidates_for(p_.budget / p_.iterations, 1) < 2 * p_.elites) --p_.iterations;
    }
  }

  /// The next evaluation, or nothing: when finished() or while evaluations asked are not yet told.
  std::optional<race_trial> ask(rng& r) {
    if (queue_pos_ == queue_.size() && outstanding_ == 0 && !finished_) advance(r);
    if (queue_pos_ == queue_.size()) return std::nullopt;
    race_trial t = queue_[queue_pos_++];
    t.t.number = asked_++;
    ++outstanding_;
    return t;
  }

  /// Reports an evaluation's value (NaN: it failed). After the last tell of a step, the test.
  void tell(const race_trial& t, double value) {
    if (t.candidate >= candidates_.size() || t.block >= p_.blocks || outstanding_ == 0)
      throw std::invalid_argument("race::tell: not an evaluation this race asked for");
    candidates_[t.candidate].results[t.block] = std::isfinite(value) ? value : std::numeric_limits<double>::quiet_NaN();
    --outstanding_;
    if (outstanding_ == 0 && queue_pos_ == queue_.size()) finish_step();
  }

  /// Whether the race is over (budget, iterations or candidates exhausted).
  bool finished() const noexcept { return finished_; }
  /// Evaluations asked so far (the budget used once they are told).
  std::size_t used() const noexcept { return asked_; }
  /// The current iteration (0-based).
  std::size_t iteration() const noexcept { return iteration_; }
  /// The iterations planned (more may run when budget is left).
  std::size_t planned_iterations() const noexcept { return p_.iterations; }
  /// The blocks every live candidate has in the current race.
  std::size_t race_blocks() const noexcept { return blocks_done_; }
  const std::vector<race_candidate>& candidates() const noexcept { return candidates_; }
  const race_parameters& parameters() const noexcept { return p_; }
  const parameter_space& space() const noexcept { return space_; }
  tune::direction direction() const noexcept { return p_.direction; }

  /// The best candidate now: the live (or elite) one with the best rank sum over the blocks they
  /// all have (ties to the higher mean, then the lower id); nothing before any block is complete.
  std::optional<std::size_t> best() const {
    const std::vector<std::size_t> live = alive();
    if (live.empty()) return std::nullopt;
    if (live.size() == 1) return live.front();
    const std::size_t n = common_blocks(live);
    if (n == 0) return elites_.empty() ? std::nullopt : std::optional<std::size_t>(elites_.front());
    const std::vector<double> sums = rank_sums(live, n);
    std::size_t b = 0;
    for (std::size_t i = 1; i < live.size(); ++i)
      if (sums[i] > sums[b] || (sums[i] == sums[b] && better(p_.direction, mean_over(live[i], n), mean_over(live[b], n)))) b = i;
    return live[b];
  }

private:
  // irace's N_j: the candidates an iteration of `budget` evaluations races (iteration j, 1-based).
  std::size_t candidates_for(std::size_t budget, std::size_t j) const {
    return budget / (p_.first_test + p_.each_test * std::min<std::size_t>(5, j));
  }

  std::vector<std::size_t> alive() const {
    std::vector<std::size_t> out;
    for (const auto& c : candidates_)
      if (c.alive) out.push_back(c.id);
    return out;
  }

  // The first n blocks are results of every candidate in `ids` when the race reached them; an
  // elite may hold more. The count of leading blocks every one of them has.
  std::size_t common_blocks(const std::vector<std::size_t>& ids) const {
    std::size_t n = 0;
    while (n < p_.blocks && std::all_of(ids.begin(), ids.end(), [&](std::size_t i) { return candidates_[i].results[n].has_value(); })) ++n;
    return n;
  }

  // Value oriented so that larger is better; a failure is worse than any success.
  double oriented(std::size_t c, std::size_t b) const {
    const double v = *candidates_[c].results[b];
    if (std::isnan(v)) return -std::numeric_limits<double>::infinity();
    return p_.direction == tune::direction::maximise ? v : -v;
  }

  std::vector<std::vector<double>> matrix(const std::vector<std::size_t>& ids, std::size_t n) const {
    std::vector<std::vector<double>> m(n, std::vector<double>(ids.size()));
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t k = 0; k < ids.size(); ++k) m[b][k] = oriented(ids[k], b);
    return m;
  }

  // Rank sums over the first n blocks (larger = better), without a test (one block works too).
  std::vector<double> rank_sums(const std::vector<std::size_t>& ids, std::size_t n) const {
    std::vector<double> sums(ids.size(), 0.0);
    for (const auto& row : matrix(ids, n)) {
      const auto r = stats::midranks(row);
      for (std::size_t k = 0; k < ids.size(); ++k) sums[k] += r[k];
    }
    return sums;
  }

  double mean_over(std::size_t c, std::size_t n) const {
    double s = 0.0;
    for (std::size_t b = 0; b < n; ++b) s += oriented(c, b);
    return (p_.direction == tune::direction::maximise ? 1.0 : -1.0) * s / static_cast<double>(n);
  }

  // Starts the next step: the next iteration when this one is over, then the evaluations up to the
  // next test; the race finishes when no iteration can start.
  void advance(rng& r) {
    for (;;) {
      if (!in_iteration_ && !start_iteration(r)) {
        finished_ = true;
        return;
      }
      const step s = plan_step();
      if (s == step::queued) return;
      if (s == step::over) end_iteration();
    }
  }

  enum class step { queued, held, over };

  // Queues the evaluations of the next step (`held`: the elites alone already have its blocks, so
  // it is done at once), or says the iteration is over.
  step plan_step() {
    const std::vector<std::size_t> live = alive();
    if (live.size() <= std::max<std::size_t>(1, p_.elites) && blocks_done_ > 0) return step::over;
    if (blocks_done_ >= p_.blocks) return step::over;
    const std::size_t target = std::min(p_.blocks, blocks_done_ < p_.first_test ? p_.first_test : blocks_done_ + p_.each_test);
    std::vector<race_trial> evaluations;
    for (std::size_t b = blocks_done_; b < target; ++b)
      for (const std::size_t c : live)
        if (!candidates_[c].results[b]) evaluations.push_back({trial{0, candidates_[c].config}, c, b, iteration_});
    const std::size_t spent = asked_ - iteration_start_;
    const std::size_t left = std::min(p_.budget - asked_, iteration_budget_ > spent ? iteration_budget_ - spent : 0);
    if (evaluations.size() > left) return step::over;
    queue_ = std::move(evaluations);
    queue_pos_ = 0;
    step_target_ = target;
    if (!queue_.empty()) return step::queued;
    finish_step();
    return step::held;
  }

  // After a step's tells: the blocks are done; test when due.
  void finish_step() {
    blocks_done_ = step_target_;
    if (blocks_done_ < p_.first_test || (blocks_done_ - p_.first_test) % p_.each_test != 0) return;
    const std::vector<std::size_t> live = alive();
    if (live.size() < 2) return;
    const stats::friedman_result f = stats::friedman(matrix(live, blocks_done_));
    if (!(f.p_value < p_.alpha)) return;
    std::size_t best = 0;
    for (std::size_t k = 1; k < live.size(); ++k)
      if (f.rank_sums[k] > f.rank_sums[best]) best = k;
    for (const auto& pair : f.pairs) {
      if (pair.i != best && pair.j != best) continue;
      const std::size_t other = pair.i == best ? pair.j : pair.i;
      if (pair.p_value < p_.alpha && f.rank_sums[other] < f.rank_sums[best]) {
        race_candidate& c = candidates_[live[other]];
        c.alive = false;
        c.elite = false;
        c.eliminated_iteration = iteration_;
        c.eliminated_blocks = blocks_done_;
        c.eliminated_by_test = true;
      }
    }
  }

  // The survivors ranked (best first): the elites are kept, the rest leave the race.
  void end_iteration() {
    in_iteration_ = false;
    std::vector<std::size_t> live = alive();
    const std::size_t n = common_blocks(live);
    std::vector<std::size_t> order(live.size());
    std::iota(order.begin(), order.end(), 0);
    if (n > 0 && live.size() > 1) {
      const std::vector<double> sums = rank_sums(live, n);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (sums[a] != sums[b]) return sums[a] > sums[b];
        return better(p_.direction, mean_over(live[a], n), mean_over(live[b], n));
      });
    }
    elites_.clear();
    for (std::size_t k = 0; k < order.size(); ++k) {
      race_candidate& c = candidates_[live[order[k]]];
      if (k < p_.elites) {
        c.elite = true;
        elites_.push_back(c.id);
      } else {
        c.alive = false;
        c.elite = false;
        c.eliminated_iteration = iteration_;
        c.eliminated_blocks = blocks_done_;
      }
    }
    ++iteration_;
  }

  // Samples the next iteration's candidates, or says no iteration can start.
  bool start_iteration(rng& r) {
    const std::size_t remaining = p_.budget - asked_;
    const std::size_t j = iteration_ + 1;
    const std::size_t iterations_left = p_.iterations > iteration_ ? p_.iterations - iteration_ : 1;
    const std::size_t budget = remaining / iterations_left;
    std::size_t n = iteration_ == 0 && p_.first_candidates ? p_.first_candidates : candidates_for(budget, j);
    // At least one new candidate (two in the first iteration) while the budget pays its first test.
    n = std::max(n, std::max<std::size_t>(elites_.size() + 1, 2));
    if (remaining == 0) return false;
    // The new candidates need first_test blocks each (the elites have them).
    const std::size_t fresh = n - elites_.size();
    const std::size_t first = std::min(p_.first_test, p_.blocks);
    std::size_t owed = fresh * first;
    for (const std::size_t e : elites_)
      for (std::size_t b = 0; b < first; ++b) owed += !candidates_[e].results[b];
    if (owed > remaining) return false;
    if (iteration_ > 0) update_models(j, fresh);
    for (std::size_t k = 0; k < fresh; ++k) sample_candidate(r);
    iteration_budget_ = std::max(budget, owed);
    iteration_start_ = asked_;
    blocks_done_ = 0;
    in_iteration_ = true;
    return true;
  }

  // irace's model update at the start of iteration j: each elite's spreads shrink by
  // (1/fresh)^(1/d), its categorical probabilities move towards its own value by (j − 1)/iterations.
  void update_models(std::size_t j, std::size_t fresh) {
    const double shrink = std::pow(1.0 / static_cast<double>(std::max<std::size_t>(fresh, 1)), 1.0 / static_cast<double>(space_.size()));
    const double w = std::min(1.0, static_cast<double>(j - 1) / static_cast<double>(std::max(p_.iterations, j)));
    for (const std::size_t e : elites_) {
      race_candidate& c = candidates_[e];
      for (std::size_t i = 0; i < space_.size(); ++i) {
        const parameter& q = space_.parameters()[i];
        if (q.kind != kind::categorical) {
          c.spread[i] *= shrink;
          continue;
        }
        if (!c.config.has(q.name)) continue;
        const auto at = std::find(q.choices.begin(), q.choices.end(), c.config.category(q.name)) - q.choices.begin();
        for (auto& x : c.probabilities[i]) x *= 1.0 - w;
        c.probabilities[i][static_cast<std::size_t>(at)] += w;
      }
    }
  }

  // A parameter's value in [0, 1] units (log scale in log space; integers over [low − .5, high + .5]).
  static std::pair<double, double> unit_bounds(const parameter& q) {
    const double lo = q.kind == kind::integer ? q.low - 0.5 : q.low, hi = q.kind == kind::integer ? q.high + 0.5 : q.high;
    return q.log ? std::pair{std::log(lo), std::log(hi)} : std::pair{lo, hi};
  }
  static double to_unit(const parameter& q, const value& v) {
    const auto [lo, hi] = unit_bounds(q);
    const double x = std::holds_alternative<long long>(v) ? static_cast<double>(std::get<long long>(v)) : std::get<double>(v);
    return hi > lo ? ((q.log ? std::log(x) : x) - lo) / (hi - lo) : 0.5;
  }
  static value from_unit(const parameter& q, double u) {
    const auto [lo, hi] = unit_bounds(q);
    double x = lo + u * (hi - lo);
    if (q.log) x = std::exp(x);
    if (q.kind == kind::integer)
      return std::clamp(static_cast<long long>(std::llround(x)), static_cast<long long>(q.low), static_cast<long long>(q.high));
    return std::clamp(x, q.low, q.high);
  }
  static double normal(rng& r) {  // Box–Muller, one draw
    const double u1 = 1.0 - r.uniform01(), u2 = r.uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }

  // A new candidate: uniform in the first iteration; later around an elite chosen with weight
  // (elites − rank + 1) (the best first), numeric values from a normal truncated to the domain,
  // categorical ones from the elite's probabilities. A duplicate of a live candidate is redrawn.
  void sample_candidate(rng& r) {
    race_candidate c;
    c.id = candidates_.size();
    c.born = iteration_;
    c.results.assign(p_.blocks, std::nullopt);
    c.spread.assign(space_.size(), 0.5);
    c.probabilities.resize(space_.size());
    for (std::size_t i = 0; i < space_.size(); ++i) {
      const parameter& q = space_.parameters()[i];
      if (q.kind == kind::categorical) c.probabilities[i].assign(q.choices.size(), 1.0 / static_cast<double>(q.choices.size()));
    }
    if (!elites_.empty()) {
      const std::size_t m = elites_.size();
      std::uint64_t pick = r.below(m * (m + 1) / 2);
      std::size_t k = 0;
      while (pick >= m - k) pick -= m - k, ++k;
      c.parent = elites_[k];
      c.spread = candidates_[*c.parent].spread;
      c.probabilities = candidates_[*c.parent].probabilities;
    }
    for (int attempt = 0; attempt < 20; ++attempt) {
      c.config = {};
      for (std::size_t i = 0; i < space_.size(); ++i) {
        if (!space_.active(i, c.config)) continue;
        const parameter& q = space_.parameters()[i];
        const race_candidate* parent = c.parent ? &candidates_[*c.parent] : nullptr;
        if (!parent || !parent->config.has(q.name)) {
          c.config.set(q.name, detail::sample_uniform(q, r));
        } else if (q.kind == kind::categorical) {
          double u = r.uniform01();
          std::size_t k = 0;
          for (; k + 1 < q.choices.size() && u >= c.probabilities[i][k]; ++k) u -= c.probabilities[i][k];
          c.config.set(q.name, q.choices[k]);
        } else {
          const double centre = to_unit(q, parent->config.at(q.name));
          double u = centre;
          for (int tries = 0; tries < 100; ++tries) {
            u = centre + c.spread[i] * normal(r);
            if (u >= 0.0 && u < 1.0) break;
            u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
          }
          c.config.set(q.name, from_unit(q, u));
        }
      }
      if (std::none_of(candidates_.begin(), candidates_.end(), [&](const race_candidate& o) { return o.alive && o.config == c.config; })) break;
    }
    candidates_.push_back(std::move(c));
  }

  parameter_space space_;
  race_parameters p_;
  std::vector<race_candidate> candidates_;
  std::vector<std::size_t> elites_;  // best first
  std::vector<race_trial> queue_;
  std::size_t queue_pos_ = 0, outstanding_ = 0, asked_ = 0;
  std::size_t iteration_ = 0, blocks_done_ = 0, step_target_ = 0;
  std::size_t iteration_budget_ = 0, iteration_start_ = 0;
  bool in_iteration_ = false, finished_ = false;
};

static_assert(instance_tuner_strategy<race>);

/// Options of run_race.
struct race_run_options {
  std::uint64_t seed = 0;  ///< the strategy's rng
  std::size_t jobs = 1;    ///< evaluations at the same time, on pool_threads(jobs) threads
};

/// Runs an instance tuner strategy to the end: each step's evaluations (everything ask gives before
/// it waits) run on a thread pool, then are told in ask order, so the results are the same whatever
/// `jobs`. `objective(const race_trial&)` returns the value (an exception or a non-finite value
/// marks the evaluation failed) and must be safe to call from several threads when jobs > 1;
/// `on_result(const race_result&)` is called in ask order from the calling thread. Returns every
/// evaluation in ask order.
template <instance_tuner_strategy Strategy, class Objective, class OnResult>
std::vector<race_result> run_race(Strategy& strategy, Objective&& objective, const race_run_options& o, OnResult&& on_result) {
  if (o.jobs < 1) throw std::invalid_argument("race_run_options.jobs must be >= 1 (got 0)");
  rng r(o.seed);
  std::vector<race_result> all;
  const std::size_t threads = pool_threads(o.jobs);
  std::optional<boost::asio::thread_pool> pool;
  if (threads > 1) pool.emplace(threads);
  for (;;) {
    std::vector<race_result> step;
    while (auto t = strategy.ask(r)) step.push_back({std::move(*t), std::numeric_limits<double>::quiet_NaN(), {}});
    if (step.empty()) {
      if (strategy.finished()) break;
      throw std::logic_error("run_race: the strategy asked for nothing but is not finished");
    }
    detail::run_batch(pool, step, [&](race_result& res) { detail::evaluate_into(res, [&] { return objective(std::as_const(res.t)); }); });
    detail::tell_batch(strategy, step, on_result, all);
  }
  return all;
}

/// run_race without a result callback.
template <instance_tuner_strategy Strategy, class Objective>
std::vector<race_result> run_race(Strategy& strategy, Objective&& objective, const race_run_options& o) {
  return run_race(strategy, std::forward<Objective>(objective), o, [](const race_result&) {});
}

/// One iteration of a finished race, as its account lists it.
struct race_iteration_account {
  std::size_t candidates = 0;  ///< raced in it: sampled by then, not eliminated before it
  std::size_t fresh = 0;       ///< sampled in it
  std::size_t blocks = 0;      ///< the blocks its evaluations reached
  std::size_t eliminated = 0;  ///< dropped by a test in it
  std::size_t discarded = 0;   ///< not among its elites at its end
  std::size_t runs = 0;        ///< its evaluations
};

/// The account of `r` per iteration, from its candidates and its `results` (every iteration up to
/// the last result's).
inline std::vector<race_iteration_account> race_iterations(const race& r, const std::vector<race_result>& results) {
  const std::size_t iterations = results.empty() ? 0 : results.back().t.iteration + 1;
  std::vector<race_iteration_account> out(iterations);
  for (std::size_t i = 0; i < iterations; ++i) {
    auto& a = out[i];
    for (const auto& c : r.candidates()) {
      if (c.born > i || (c.eliminated_iteration && *c.eliminated_iteration < i)) continue;
      ++a.candidates;
      a.fresh += c.born == i;
      if (c.eliminated_iteration == i) (c.eliminated_by_test ? a.eliminated : a.discarded) += 1;
    }
    for (const auto& res : results)
      if (res.t.iteration == i) ++a.runs, a.blocks = std::max(a.blocks, res.t.block + 1);
  }
  return out;
}

}  // namespace fhops::tune
