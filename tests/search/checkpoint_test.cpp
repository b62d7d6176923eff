// Checkpoints of a search (search/checkpoint.hpp): the archive and its refusals, each policy's
// state round trip, and the stop-and-resume property: a run stopped at random iterations,
// checkpointed, reloaded into fresh objects and resumed ends exactly as the uninterrupted run
// (best plan, objective, counters, operator statistics and every step event).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../test_support.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/search_space.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/search/search.hpp"

namespace {

namespace srch = fhops::search;
namespace hv = fhops::harvest;

// A checkpoint hook for tests: checkpoints (into a string) and stops at iteration `at`.
struct stop_at_hook {
  static constexpr bool enabled = true;
  long long at = 0;
  std::string* out = nullptr;
  bool stopping = false;
  bool due(long long iteration, double) {
    stopping = iteration == at;
    return stopping;
  }
  bool stop() const { return stopping; }
  template <class Body>
  void write(Body&& body) {
    srch::checkpoint_writer w;
    body(w);
    *out = w.text();
  }
};
static_assert(srch::checkpoint_hook<stop_at_hook>);

// The step events of a run, without the seconds.
struct ckpt_step_log {
  std::vector<std::string> lines;
};
struct ckpt_step_observer {
  ckpt_step_log* log;
  void on(const fhops::telemetry::step_event& e) {
    std::string l = std::to_string(e.iteration) + ' ' + std::to_string(std::bit_cast<std::uint64_t>(e.current)) + ' ' +
                    std::to_string(std::bit_cast<std::uint64_t>(e.best)) + ' ' +
                    (std::isnan(e.temperature) ? std::string("nan") : std::to_string(std::bit_cast<std::uint64_t>(e.temperature))) +
                    ' ' + std::to_string(e.proposals) + ' ' + std::to_string(e.accepted) + ' ' + std::to_string(e.evaluations);
    for (const auto& c : e.operators) l += ' ' + std::to_string(c.accepted) + '/' + std::to_string(c.proposals) + '/' + std::to_string(c.weight);
    log->lines.push_back(std::move(l));
  }
};

// Everything a run's result says except its seconds.
std::string ckpt_summary(const srch::search_result<hv::schedule>& r) {
  std::string s = std::to_string(std::bit_cast<std::uint64_t>(r.best_score)) + ' ' + std::to_string(std::bit_cast<std::uint64_t>(r.final_score)) +
                  ' ' + std::to_string(r.iterations) + ' ' + std::to_string(r.evaluations) + ' ' + std::to_string(r.proposals) + ' ' +
                  std::to_string(r.accepted) + ' ' + std::to_string(r.restarts) + ' ' + srch::to_string(r.reason);
  for (const auto& c : r.operators)
    s += ' ' + c.name + ':' + std::to_string(c.proposals) + ',' + std::to_string(c.generated) + ',' + std::to_string(c.skipped) + ',' +
         std::to_string(c.accepted) + ',' + std::to_string(c.improvements) + ',' + std::to_string(std::bit_cast<std::uint64_t>(c.weight));
  for (const auto c : r.best.cells) s += ' ' + std::to_string(c);
  return s;
}

// One segment of a run: fresh space, neighbourhood, selector, rng and algorithm (from `make`),
// started (resume empty) or resumed from `resume`; stops at iteration `stop_at` (0 = never).
template <class MakeAlgorithm>
srch::search_result<hv::schedule> ckpt_segment(const hv::problem& pb, bool adaptive, const srch::termination& stop, std::uint64_t seed,
                                               MakeAlgorithm make, const std::string& resume, long long stop_at, std::string& checkpoint,
                                               ckpt_step_log& log) {
  std::vector<double> w(hv::default_weights.begin(), hv::default_weights.end());
  if (!pb.has_sequencing) w[static_cast<std::size_t>(hv::operator_id::seq_fill)] = 0.0;
  hv::harvest_space space(pb);
  hv::harvest_neighbourhood nbh(pb);
  fhops::rng random(seed);
  hv::incremental_evaluator state(pb);
  state.reset(hv::sanitised(pb, hv::greedy_schedule(pb)));
  auto algo = make();
  const auto go = [&](auto& selector) {
    srch::search_run run(space, nbh, selector, random, stop, ckpt_step_observer{&log}, stop_at_hook{stop_at, &checkpoint});
    if (resume.empty()) return algo.run(run, state);
    srch::checkpoint_reader in(resume);
    auto r = algo.resume(run, state, in);
    CHECK(in.at_end());
    return r;
  };
  if (adaptive) {
    srch::adaptive_roulette selector(w);
    return go(selector);
  }
  srch::fixed_weights selector(w);
  return go(selector);
}

// The uninterrupted run versus the same run stopped at `stops` random iterations (drawn from a
// seeded rng), each time checkpointed, reloaded into fresh objects and resumed.
template <class MakeAlgorithm>
void ckpt_check_stop_and_resume(const hv::problem& pb, bool adaptive, long long iterations, int stops, std::uint64_t draw_seed,
                                MakeAlgorithm make) {
  const srch::termination stop{iterations, 0.0, 0, std::nullopt};
  ckpt_step_log whole_log, pieces_log;
  std::string unused;
  const auto whole = ckpt_segment(pb, adaptive, stop, 7, make, "", 0, unused, whole_log);
  REQUIRE(whole.reason != srch::stop_reason::interrupted);
  fhops::rng draw(draw_seed);
  std::vector<long long> at;
  for (int k = 0; k < stops; ++k) at.push_back(draw.between(1, whole.iterations - 1));
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  std::string checkpoint;
  srch::search_result<hv::schedule> last;
  for (std::size_t k = 0; k <= at.size(); ++k) {
    std::string next;
    last = ckpt_segment(pb, adaptive, stop, 7, make, checkpoint, k < at.size() ? at[k] : 0, next, pieces_log);
    if (k < at.size()) {
      INFO("stopped at " << at[k]);
      REQUIRE(last.reason == srch::stop_reason::interrupted);
      REQUIRE(last.iterations == at[k]);
      checkpoint = next;
    }
  }
  CHECK(ckpt_summary(last) == ckpt_summary(whole));
  CHECK(pieces_log.lines == whole_log.lines);
}

// A reference bundle, or a skip.
bool ckpt_load(const char* name, std::optional<hv::problem>& pb) {
  if (!fhops_test::have_reference()) return false;
  pb.emplace(hv::load_scenario(fhops_test::reference(std::string("scenarios/") + name + "/scenario.yaml")));
  return true;
}

}  // namespace

TEST_CASE("checkpoint archive: fields round trip bit for bit", "[checkpoint]") {
  srch::checkpoint_writer w;
  w.put("a", 42LL);
  w.put("b", -0.0);
  w.put("c", std::numeric_limits<double>::quiet_NaN());
  w.put("d", std::string_view("two words\nand a line"));
  w.put("e", std::vector<double>{1.5, -2.25, 1e300});
  w.put("f", std::vector<std::uint64_t>{0, ~0ULL});
  w.put("g", std::vector<std::int32_t>{});
  w.put("h", true);
  srch::checkpoint_reader r(w.text());
  CHECK(r.get<long long>("a") == 42);
  CHECK(std::signbit(r.get<double>("b")));
  CHECK(std::isnan(r.get<double>("c")));
  CHECK(r.get<std::string>("d") == "two words\nand a line");
  CHECK(r.get<std::vector<double>>("e") == std::vector<double>{1.5, -2.25, 1e300});
  CHECK(r.get<std::vector<std::uint64_t>>("f") == std::vector<std::uint64_t>{0, ~0ULL});
  CHECK(r.get<std::vector<std::int32_t>>("g").empty());
  CHECK(r.get<bool>("h"));
  CHECK(r.at_end());
}

TEST_CASE("checkpoint archive: truncated, corrupted, foreign and other-version texts are refused", "[checkpoint]") {
  srch::checkpoint_writer w;
  w.put("x", 1LL);
  w.put("y", std::string_view("payload"));
  const std::string good = w.text();
  const auto message = [](const std::string& text) {
    try {
      srch::checkpoint_reader r(text);
    } catch (const srch::checkpoint_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message(good) == "accepted");
  CHECK(message("") == "empty file");
  CHECK(message("hello\n") == "not an fhops checkpoint (no 'fhops-checkpoint' line)");
  CHECK_THAT(message(good.substr(0, good.size() - 3)), Catch::StartsWith("truncated"));
  CHECK_THAT(message(good.substr(0, 20)), Catch::StartsWith("truncated"));
  std::string flipped = good;
  flipped[flipped.size() - 3] ^= 1;
  CHECK(message(flipped) == "corrupted (checksum mismatch)");
  std::string old = good;
  old.replace(old.find("version 2"), 9, "version 0");
  CHECK(message(old) == "format version 0, this build reads version 2");
  srch::checkpoint_reader r(good);
  CHECK_THROWS_WITH(r.get<long long>("z"), "field 'z' expected, found 'x'");
}

TEST_CASE("checkpoint: each policy's state round trips (save, load into a fresh one, same outputs)", "[checkpoint]") {
  const auto same_after = [](auto a, auto b, auto&& advance, auto&& observe) {
    for (int i = 0; i < 37; ++i) advance(a, i);
    srch::checkpoint_writer w;
    a.save(w);
    srch::checkpoint_reader r(w.text());
    b.load(r);
    CHECK(r.at_end());
    for (int i = 37; i < 87; ++i) {
      advance(a, i);
      advance(b, i);
      REQUIRE(observe(a) == observe(b));
    }
  };
  SECTION("rng") {
    fhops::rng a(3), b(99);
    for (int i = 0; i < 11; ++i) a();
    srch::checkpoint_writer w;
    srch::save_rng(w, "rng", a);
    srch::checkpoint_reader r(w.text());
    srch::load_rng(r, "rng", b);
    for (int i = 0; i < 20; ++i) REQUIRE(a() == b());
  }
  SECTION("cooling") {
    srch::geometric_cooling g1, g2;
    g1.start(500.0);
    g2.start(1.0);
    same_after(g1, g2, [](auto& c, int) { c.step(0.3); }, [](auto& c) { return c.temperature(); });
    srch::budget_cooling b1, b2;
    b1.start(0.0);
    same_after(b1, b2, [](auto& c, int i) { c.step(i * 0.01); }, [](auto& c) { return c.temperature(); });
  }
  SECTION("late acceptance") {
    srch::late_acceptance a1(5), a2(5);
    a1.start(10.0);
    a2.start(0.0);
    fhops::rng unused;
    same_after(a1, a2, [](auto& a, int i) { a.commit(10.0 + (i % 7) * 0.5); }, [&](auto& a) { return a.accept(-1.0, 12.0, 12.0, 1.0, unused); });
  }
  SECTION("adaptive roulette") {
    srch::adaptive_roulette s1({1, 2, 0, 1}), s2({1, 2, 0, 1});
    same_after(s1, s2, [](auto& s, int i) { s.reward(static_cast<std::size_t>(i % 4), (i % 3) * 0.5); }, [](auto& s) {
      return std::vector<double>{s.weight(0), s.weight(1), s.weight(2), s.weight(3)};
    });
    srch::adaptive_roulette other({1, 1, 1, 1});
    srch::checkpoint_writer w;
    s1.save(w);
    srch::checkpoint_reader r(w.text());
    CHECK_THROWS_AS(other.load(r), srch::checkpoint_error);
  }
  SECTION("tabu list") {
    srch::tabu_list t1(4), t2(9);
    same_after(t1, t2, [](auto& t, int i) { t.push({static_cast<std::uint64_t>(i % 13), static_cast<std::uint64_t>(i % 7)}); }, [](auto& t) {
      std::vector<bool> v;
      for (std::uint64_t k = 0; k < 14; ++k) v.push_back(t.tabu({k}));
      v.push_back(t.size() == 4);
      return v;
    });
  }
}

TEST_CASE("checkpoint: SA stopped and resumed at random iterations ends exactly as the uninterrupted run", "[checkpoint][reference]") {
  std::optional<hv::problem> pb;
  if (!ckpt_load("med42", pb)) return;
  SECTION("geometric cooling, Metropolis, fixed weights") {
    ckpt_check_stop_and_resume(*pb, false, 1500, 4, 11, [] { return srch::annealer<>(); });
  }
  SECTION("budget cooling, late acceptance, adaptive weights") {
    ckpt_check_stop_and_resume(*pb, true, 1500, 4, 12, [] {
      return srch::annealer<srch::budget_cooling, srch::late_acceptance>({}, srch::budget_cooling{}, srch::late_acceptance(50));
    });
  }
  SECTION("budget cooling, cycles chosen by evaluations after 5 % of the budget") {
    // draw seed 39 stops at iterations 46 (before the choice at 75), 256 (the first of the three
    // cycles), 581, 723 and 924 (the second); the run ends in the third
    ckpt_check_stop_and_resume(*pb, false, 1500, 5, 39, [] {
      return srch::annealer<srch::budget_cooling, srch::metropolis>({.batch = 0, .restart_period = 0, .drawn = false, .cycles = 3,
                                                                     .cycle_evaluations = 100.0},
                                                                    srch::budget_cooling{}, srch::metropolis{});
    });
  }
  SECTION("geometric cooling, late acceptance, restarts every 20 steps") {
    ckpt_check_stop_and_resume(*pb, false, 800, 6, 13, [] {
      return srch::annealer<srch::geometric_cooling, srch::late_acceptance>({.batch = 0, .restart_period = 20}, srch::geometric_cooling{},
                                                                             srch::late_acceptance(30));
    });
  }
}

TEST_CASE("checkpoint: ILS stopped and resumed at random iterations ends exactly as the uninterrupted run", "[checkpoint][reference]") {
  std::optional<hv::problem> pb;
  if (!ckpt_load("med42", pb)) return;
  ckpt_check_stop_and_resume(*pb, false, 60, 4, 21, [] {
    return srch::iterated_local_search({.perturbation_strength = 2, .stall_limit = 3, .samples = 0, .patience = 5, .accept_worse = false});
  });
  ckpt_check_stop_and_resume(*pb, true, 60, 3, 22, [] { return srch::iterated_local_search({.perturbation_strength = 3, .stall_limit = 2}); });
}

TEST_CASE("checkpoint: Tabu stopped and resumed at random iterations ends exactly as the uninterrupted run", "[checkpoint][reference]") {
  std::optional<hv::problem> pb;
  if (!ckpt_load("med42", pb)) return;
  ckpt_check_stop_and_resume(*pb, false, 400, 5, 31, [] { return srch::tabu_search({.tenure = 12}); });
  ckpt_check_stop_and_resume(*pb, true, 400, 4, 32, [] {
    return srch::tabu_search({.tenure = 5, .candidates = 0, .restart_stall = 15, .tenure_max = 20});
  });
}

TEST_CASE("checkpoint: incremental_evaluator::reset of a plan reached by moves scores every move bit for bit alike", "[checkpoint][reference]") {
  std::optional<hv::problem> pb;
  if (!ckpt_load("med42", pb)) return;
  hv::harvest_neighbourhood nbh(*pb);
  hv::incremental_evaluator moved(*pb), fresh(*pb);
  moved.reset(hv::sanitised(*pb, hv::greedy_schedule(*pb)));
  fhops::rng r(5);
  hv::harvest_move mv;
  for (int i = 0; i < 3000; ++i)
    if (nbh.propose(r.below(11), moved, r, mv)) moved.apply(mv.changes);
  fresh.reset(moved.plan());
  REQUIRE(std::bit_cast<std::uint64_t>(fresh.score()) == std::bit_cast<std::uint64_t>(moved.score()));
  for (int i = 0; i < 2000; ++i) {
    if (!nbh.propose(r.below(11), moved, r, mv)) continue;
    REQUIRE(std::bit_cast<std::uint64_t>(fresh.evaluate(mv.changes).score) == std::bit_cast<std::uint64_t>(moved.evaluate(mv.changes).score));
    moved.apply(mv.changes);
    fresh.apply(mv.changes);
    REQUIRE(std::bit_cast<std::uint64_t>(fresh.score()) == std::bit_cast<std::uint64_t>(moved.score()));
  }
}
