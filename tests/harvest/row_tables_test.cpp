// The sequencing bookkeeping that skips dense work agrees with the dense computation it replaced:
// process_slot counts only the (block, role) entries a slot touches, and the row DP's
// sequence_room reads per-block tables built on demand from work_left's log instead of a copy of
// every block's counts after every slot.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/operators/kernel.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

// The kernel's test friend: reaches the row DP's scratch.
struct kernel_probe {
  static void work_left(operator_kernel& k, const schedule& plan, int m, int only_landing = -1) {
    k.row_plan_.assign(plan.cells.begin(), plan.cells.end());
    k.work_left(m, only_landing);
  }
  static const std::vector<double>& left(const operator_kernel& k) { return k.left_; }
  static int sequence_room(operator_kernel& k, int m, int b, int slot) { return k.sequence_room(m, b, slot); }
  static std::vector<std::int32_t>& row_plan(operator_kernel& k) { return k.row_plan_; }
  static const std::vector<int>& candidates(const operator_kernel& k) { return k.cand_; }
  // whether the last rebuild_row of machine m took the prefix-maxima path
  static bool by_starts(const operator_kernel& k, int m) { return k.starts_decide(m); }
  static void rebuild_row(operator_kernel& k, int m, fhops::rng& r, bool every_block, int only_landing) {
    k.rebuild_row(m, r, every_block, only_landing);
  }
  // The row DP as it was before its second speed pass (a verbatim copy, comments dropped): it
  // marked the current blocks with one scan of the row per candidate, recounted the landing use of
  // every machine in every slot and rescanned every run length of a candidate for its best state.
  static void old_rebuild_row(operator_kernel& kern, int m, fhops::rng& r, bool every_block, int only_landing) {
    const problem& pb = *kern.pb_;
    const int S = pb.num_slots;
    kern.work_left(m);
    const auto& all = kern.blocks_for_machine_[m];
    kern.cand_.clear();
    for (const int b : all)
      if (kern.left_[b] > 1e-9 && (only_landing < 0 || pb.landing_of[b] == only_landing)) kern.cand_.push_back(b);
    if (!every_block && kern.cand_.size() > operator_kernel::row_candidates) {
      for (std::size_t i = kern.cand_.size() - 1; i > 0; --i) std::swap(kern.cand_[i], kern.cand_[r.below(i + 1)]);
      std::size_t keep = 0;
      for (std::size_t i = 0; i < kern.cand_.size(); ++i) {
        bool current = false;
        for (int t = 0; t < S && !current; ++t) current = kern.row_plan_[pb.ms(m, t)] == kern.cand_[i];
        if (current) std::swap(kern.cand_[keep++], kern.cand_[i]);
      }
      kern.cand_.resize(std::max(keep, operator_kernel::row_candidates));
      std::sort(kern.cand_.begin(), kern.cand_.end());
    } else if (!every_block && !kern.cand_.empty() && r.chance(0.3)) {
      kern.cand_.erase(kern.cand_.begin() + static_cast<std::ptrdiff_t>(r.below(kern.cand_.size())));
    }
    const int C = static_cast<int>(kern.cand_.size());
    kern.state_base_.assign(C, 1);
    kern.kmax_.assign(C, 1);
    int n = 1;
    for (int i = 0; i < C; ++i) {
      const double rate = pb.rate[pb.mb(m, kern.cand_[i])];
      const double k = std::ceil(kern.left_[kern.cand_[i]] / rate);
      kern.kmax_[i] = static_cast<int>(std::clamp(k, 1.0, static_cast<double>(S)));
      kern.state_base_[i] = n;
      n += kern.kmax_[i];
    }
    const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
    const bool has_params = pb.has_move_params[m] != 0;
    constexpr double minus_inf = -1e300;
    kern.value_.assign(n, minus_inf);
    kern.value_[0] = 0.0;
    kern.best_of_.assign(C, minus_inf);
    kern.best_state_.assign(C, -1);
    kern.pending_best_.resize(C);
    kern.pending_state_.resize(C);
    kern.dirty_.clear();
    std::vector<int> alive;  // the kernel's own DP no longer keeps this list
    if (kern.choice_.size() < static_cast<std::size_t>(S) * n) kern.choice_.resize(static_cast<std::size_t>(S) * n);
    kern.slot_stamp_.resize(S);
    if (kern.stamp_ > std::numeric_limits<std::uint32_t>::max() - static_cast<std::uint32_t>(S)) {
      std::fill(kern.choice_.begin(), kern.choice_.end(), operator_kernel::choice_entry{});
      kern.stamp_ = 0;
    }
    const auto gain = [&](int i, int k) {
      const double rate = pb.rate[pb.mb(m, kern.cand_[i])], left = kern.left_[kern.cand_[i]];
      return wP * (std::min((k + 1) * rate, left) - std::min(k * rate, left));
    };
    kern.first_gain_.resize(C);
    kern.next_gain_.resize(n);
    for (int i = 0; i < C; ++i) {
      kern.first_gain_[i] = gain(i, 0);
      for (int q = 0; q < kern.kmax_[i]; ++q) kern.next_gain_[kern.state_base_[i] + q] = gain(i, q + 1);
    }
    kern.switch_.resize(static_cast<std::size_t>(C) * C);
    for (int j = 0; j < C; ++j)
      for (int i = 0; i < C; ++i)
        kern.switch_[static_cast<std::size_t>(j) * C + i] =
            (has_params && i != j ? wM * pb.move_cost(m, kern.cand_[j], kern.cand_[i]) : 0.0) + wT;
    for (int k = 0; k < S; ++k) {
      const int t = pb.eval_order[k];
      const std::size_t cm = pb.ms(m, t);
      const std::uint32_t stamp = kern.slot_stamp_[k] = ++kern.stamp_;
      operator_kernel::choice_entry* ch = kern.choice_.data() + static_cast<std::size_t>(k) * n;
      const auto improve = [&](int to, double v, int from) {
        kern.value_[to] = v;
        ch[to] = {stamp, ~from};
      };
      const std::int32_t lk = pb.lock[cm];
      if (!pb.available[cm] || pb.blacked_out[cm]) continue;
      std::fill(kern.used_scratch_.begin(), kern.used_scratch_.end(), 0);
      for (int x = 0; x < pb.num_machines; ++x) {
        const std::int32_t v = x == m ? -1 : kern.row_plan_[pb.ms(x, t)];
        if (v >= 0) ++kern.used_scratch_[pb.landing_of[v]];
      }
      for (const int j : kern.dirty_) {
        const bool was_alive = kern.best_state_[j] >= 0;
        kern.best_of_[j] = kern.pending_best_[j];
        kern.best_state_[j] = kern.pending_state_[j];
        if (!was_alive && kern.best_state_[j] >= 0) alive.push_back(j);
      }
      kern.dirty_.clear();
      for (int i = 0; i < C; ++i) {
        const int b = kern.cand_[i];
        if (lk >= 0 && lk != b) continue;
        if (!kern.in_window(b, t)) continue;
        const int l = pb.landing_of[b];
        const int cap = pb.landing_capacity[l];
        double over = 0.0;
        if (cap > 0 && lk < 0 && kern.used_scratch_[l] >= cap) {
          if (!keeps_on_landing(pb, kern.mode_, m, b, kern.used_scratch_[l], cap)) continue;
          over = pb.weights.landing_slack * (kern.used_scratch_[l] + 1 - cap);
        }
        const int base = kern.state_base_[i], K = kern.kmax_[i];
        const int room = kern.sequence_room(m, b, k);
        if (room < 1) continue;
        double start = kern.value_[0];
        int start_from = 0;
        for (const int j : alive) {
          if (j == i) continue;
          const double v = kern.best_of_[j] - kern.switch_[static_cast<std::size_t>(j) * C + i];
          if (v > start) {
            start = v;
            start_from = kern.best_state_[j];
          }
        }
        start += kern.first_gain_[i] - over;
        if (kern.best_state_[i] >= 0) {
          const int qmax = std::min(K - 1, room - 2);
          const auto from_q = [&](int q) {
            const double v = kern.value_[base + q];
            return v <= minus_inf ? minus_inf : v + (kern.next_gain_[base + q] - over);
          };
          if (qmax >= 0) {
            const int cap_to = base + K - 1;
            const double self = K - 1 <= qmax ? from_q(K - 1) : minus_inf;
            if (K >= 2 && K - 2 <= qmax) {
              const double v = from_q(K - 2);
              if (v > minus_inf && v > kern.value_[cap_to]) improve(cap_to, v, base + K - 2);
            }
            if (self > minus_inf && self > kern.value_[cap_to]) improve(cap_to, self, cap_to);
            for (int to = std::min(K - 2, qmax + 1); to >= 1; --to) {
              const double v = from_q(to - 1);
              if (v > minus_inf && v > kern.value_[base + to]) improve(base + to, v, base + to - 1);
            }
          }
        }
        if (start > kern.value_[base]) improve(base, start, start_from);
        double best = minus_inf;
        int best_s = -1;
        for (int q = 0; q < K; ++q)
          if (kern.value_[base + q] > best) {
            best = kern.value_[base + q];
            best_s = base + q;
          }
        kern.pending_best_[i] = best;
        kern.pending_state_[i] = best_s;
        kern.dirty_.push_back(i);
      }
    }
    int s = static_cast<int>(std::max_element(kern.value_.begin(), kern.value_.end()) - kern.value_.begin());
    for (int k = S - 1; k >= 0; --k) {
      const int t = pb.eval_order[k];
      const operator_kernel::choice_entry e = kern.choice_[static_cast<std::size_t>(k) * n + s];
      std::int32_t cell = idle;
      if (e.stamp == kern.slot_stamp_[k]) {
        cell = kern.block_of_state(s);
        s = ~e.from;
      }
      const std::int32_t lk = pb.lock[pb.ms(m, t)];
      kern.row_plan_[pb.ms(m, t)] = lk >= 0 ? lk : cell;
    }
  }
};

}  // namespace fhops::harvest

using namespace fhops::harvest;

namespace row_tables_test {  // named: the unity build joins this file with others

// A role-chain scenario (every block role-restricted, so prerequisites are live).
problem chain_problem(int blocks, int machines, int days, std::uint64_t seed) {
  synth_parameters p = synth_tier("custom");
  p.seed = seed;
  p.blocks = {blocks, blocks};
  p.machines = {machines, machines};
  p.days = {days, days};
  p.system_mix = {{"ground_fb_skid", 0.5}, {"ctl", 0.5}};
  return problem(generate_synth(p).sc);
}

// A random plan: about half the cells idle, the rest a block the machine's role may work (so many
// cells count towards sequencing, and some break it).
schedule random_plan(const problem& pb, fhops::rng& r) {
  schedule plan(pb);
  for (int m = 0; m < pb.num_machines; ++m) {
    std::vector<int> allowed;
    for (int b = 0; b < pb.num_blocks; ++b)
      if (pb.role_allowed[pb.mb(m, b)]) allowed.push_back(b);
    for (int t = 0; t < pb.num_slots; ++t)
      if (!allowed.empty() && r.chance(0.5)) plan.at(m, t) = allowed[r.below(allowed.size())];
  }
  return plan;
}

// The dense computation: the plan with row m idle evaluated slot by slot, every block's role
// counts copied before each slot ([k*B*R + b*R + r], k = S: after all). Checks process_slot's
// contract on the way: the slot counts are all zero between slots, and the entries of the carried
// counts a slot changed are exactly the ones it reports as touched.
std::vector<int> dense_cum(const problem& pb, const schedule& plan, int m, std::vector<double>& left) {
  const int S = pb.num_slots;
  const std::size_t BR = static_cast<std::size_t>(pb.num_blocks) * pb.num_roles;
  left.assign(pb.work.begin(), pb.work.end());
  std::vector<int> prev(pb.num_machines, -1), cum(BR, 0), cnt(BR, 0), touched(pb.num_machines), used(pb.num_landings);
  std::vector<int> out(static_cast<std::size_t>(S + 1) * BR);
  detail::carry c{left.data(), prev.data(), cum.data()};
  detail::sums sum;
  detail::slot_scratch w{used.data(), cnt.data(), touched.data()};
  detail::no_terms terms;
  for (int k = 0; k < S; ++k) {
    const int t = pb.eval_order[k];
    std::copy(cum.begin(), cum.end(), out.begin() + static_cast<std::ptrdiff_t>(k * BR));
    const auto cell = [&](int x) { return x == m ? idle : plan.at(x, t); };
    detail::process_slot(pb, t, cell, c, sum, w, terms);
    std::vector<char> is_touched(BR, 0);
    for (int j = 0; j < w.num_touched; ++j) is_touched[w.touched[j]] = 1;
    for (std::size_t i = 0; i < BR; ++i) {
      REQUIRE(cnt[i] == 0);
      const int before = out[k * BR + i];
      REQUIRE((cum[i] != before) == (is_touched[i] != 0));
      REQUIRE(cum[i] >= before);
    }
  }
  std::copy(cum.begin(), cum.end(), out.begin() + static_cast<std::ptrdiff_t>(S * BR));
  return out;
}

// sequence_room's definition on the dense table.
int dense_room(const problem& pb, const std::vector<int>& dense, int m, int b, int k) {
  constexpr int unrestricted = 1 << 28;
  const int r = pb.machine_role[m];
  if (r < 0) return unrestricted;
  const auto [q0, q1] = pb.prerequisites(b, r);
  if (q0 == q1) return unrestricted;
  const std::size_t BR = static_cast<std::size_t>(pb.num_blocks) * pb.num_roles;
  const int* before = dense.data() + k * BR + static_cast<std::size_t>(b) * pb.num_roles;
  int avail = before[*q0];
  for (const int* q = q0 + 1; q != q1; ++q) avail = std::min(avail, before[*q]);
  return avail - before[BR + r];
}

}  // namespace row_tables_test

TEST_CASE("sequence_room equals its dense recomputation on random plans, also after work_left restricted to a landing",
          "[speed][seq_fill][rebuild]") {
  for (const auto& [blocks, machines, days, seed] : {std::array<int, 4>{12, 6, 10, 11}, std::array<int, 4>{20, 9, 7, 5}}) {
    const problem pb = row_tables_test::chain_problem(blocks, machines, days, static_cast<std::uint64_t>(seed));
    REQUIRE(pb.has_sequencing);
    operator_kernel kern(pb);
    fhops::rng r(static_cast<std::uint64_t>(seed) * 7 + 1);
    int restricted = 0, binding = 0, crowded = 0;
    for (int round = 0; round < 6; ++round) {
      const schedule plan = row_tables_test::random_plan(pb, r);
      for (int m = -1; m < pb.num_machines; ++m) {
        kernel_probe::work_left(kern, plan, m);
        std::vector<double> left;
        const std::vector<int> dense = row_tables_test::dense_cum(pb, plan, m, left);
        REQUIRE(kernel_probe::left(kern) == left);
        if (m < 0) continue;
        // ask the blocks in a random order, some twice, as the operators do
        for (int q = 0; q < 2 * pb.num_blocks; ++q) {
          const int b = static_cast<int>(r.below(pb.num_blocks));
          for (int k = 0; k < pb.num_slots; ++k) {
            const int want = row_tables_test::dense_room(pb, dense, m, b, k);
            REQUIRE(kernel_probe::sequence_room(kern, m, b, k) == want);
            restricted += want < (1 << 28);
            binding += want < 1;
          }
        }
        // restricted to one landing (seq_fill's): that landing's blocks have the same work left and room
        for (int l = 0; l < pb.num_landings; ++l) {
          kernel_probe::work_left(kern, plan, m, l);
          for (int b = 0; b < pb.num_blocks; ++b) {
            if (pb.landing_of[b] != l) continue;
            REQUIRE(kernel_probe::left(kern)[b] == left[b]);
            for (int k = 0; k < pb.num_slots; ++k)
              REQUIRE(kernel_probe::sequence_room(kern, m, b, k) == row_tables_test::dense_room(pb, dense, m, b, k));
          }
          // the landing's room binds somewhere: more of the other machines on it in a slot than it takes
          for (int t = 0; t < pb.num_slots; ++t) {
            int on = 0;
            for (int x = 0; x < pb.num_machines; ++x)
              if (const std::int32_t v = plan.at(x, t); x != m && v >= 0 && pb.landing_of[v] == l) ++on;
            crowded += pb.landing_capacity[l] > 0 && on > pb.landing_capacity[l];
          }
        }
      }
    }
    CHECK(restricted > 0);  // the check saw prerequisites ...
    CHECK(binding > 0);     // ... and room that runs out ...
    CHECK(crowded > 0);     // ... and landings over their capacity
  }
}

namespace row_tables_test {

// A crews-like scenario: many blocks (so row_rebuild samples its candidates), landings of
// capacity 1, move costs or none, and slack priced or a hard cap.
problem crews_problem(bool mobilisation, double landing_slack, std::uint64_t seed) {
  synth_parameters p = synth_tier("custom");
  p.seed = seed;
  p.blocks = {40, 40};
  p.machines = {8, 8};
  p.days = {14, 14};
  p.landings = {6, 6};
  p.shifts_per_day = 2;
  p.landing_capacity = {1, 1};
  p.mobilisation = mobilisation;
  p.weights = objective_weights{1.0, 0.5, 2.0, landing_slack};
  return problem(generate_synth(p).sc);
}

// The row DP's own measure of machine m's row in `cells`, against `left` (the work the other rows
// leave): each run of one block (idle slots inside it allowed) earns min(length * rate, left) of
// production, and each change of block costs the move and the transition weight. `allowed`: the
// blocks the DP could choose (its candidates); a cell on any other block (a lock) earns nothing.
double dp_value(const problem& pb, const std::vector<double>& left, const std::vector<std::int32_t>& cells, int m,
                const std::vector<int>& allowed) {
  const double wP = pb.weights.production, wM = pb.weights.mobilisation, wT = pb.weights.transitions;
  double value = 0.0;
  int block = -1, length = 0;
  const auto close = [&] {
    if (block >= 0) value += wP * std::min(length * pb.rate[pb.mb(m, block)], left[block]);
  };
  for (int k = 0; k < pb.num_slots; ++k) {
    const std::int32_t b = cells[pb.ms(m, pb.eval_order[k])];
    if (b < 0 || std::find(allowed.begin(), allowed.end(), b) == allowed.end()) continue;
    if (b == block) {
      ++length;
      continue;
    }
    close();
    if (block >= 0) value -= (pb.has_move_params[m] ? wM * pb.move_cost(m, block, b) : 0.0) + wT;
    block = b;
    length = 1;
  }
  close();
  return value;
}

// Runs the row DP three ways side by side over a sequence of rebuilds (random machines, sampled
// or every block, any landing or one, rows cleared now and then as the operators do): by its
// state tables (use_state_tables) and as the old copy above, which must build the same rows and
// consume the same random draws; and by default, which where starts decide (no sequencing room,
// no slack) finds the optimum from the starts' prefix maxima instead: a row of the same worth in
// the DP's own measure (ties may pick another row), elsewhere the very same row. Returns how many
// rebuilds took the prefix-maxima path.
int same_rows(const problem& pb, std::uint64_t seed) {
  operator_kernel fast(pb), tables(pb), old(pb);
  tables.use_state_tables(true);
  fhops::rng pick(seed), plans(seed + 1), r_fast(seed + 2), r_tables(seed + 2), r_old(seed + 2);
  int by_starts = 0;
  for (int round = 0; round < 8; ++round) {
    const schedule plan = random_plan(pb, plans);
    kernel_probe::row_plan(tables).assign(plan.cells.begin(), plan.cells.end());
    for (int call = 0; call < 3 * pb.num_machines; ++call) {
      const int m = static_cast<int>(pick.below(pb.num_machines));
      const bool every_block = pick.chance(0.3);
      const int only_landing = pick.chance(0.3) ? static_cast<int>(pick.below(pb.num_landings)) : -1;
      if (pick.chance(0.3))  // start from an empty row (its locks stay), as the rebuild operators do
        for (int t = 0; t < pb.num_slots; ++t) {
          const std::size_t c = pb.ms(m, t);
          kernel_probe::row_plan(tables)[c] = pb.lock[c] >= 0 ? pb.lock[c] : idle;
        }
      kernel_probe::row_plan(fast) = kernel_probe::row_plan(tables);  // all three from the same plan
      kernel_probe::row_plan(old) = kernel_probe::row_plan(tables);
      kernel_probe::rebuild_row(fast, m, r_fast, every_block, only_landing);
      kernel_probe::rebuild_row(tables, m, r_tables, every_block, only_landing);
      kernel_probe::old_rebuild_row(old, m, r_old, every_block, only_landing);
      REQUIRE(kernel_probe::row_plan(tables) == kernel_probe::row_plan(old));
      const std::uint32_t draw = r_tables.below(1u << 30);
      REQUIRE(r_old.below(1u << 30) == draw);
      REQUIRE(r_fast.below(1u << 30) == draw);
      REQUIRE(kernel_probe::candidates(fast) == kernel_probe::candidates(tables));
      const auto& left = kernel_probe::left(tables);
      const auto& cand = kernel_probe::candidates(tables);
      const double want = dp_value(pb, left, kernel_probe::row_plan(tables), m, cand);
      const double got = dp_value(pb, left, kernel_probe::row_plan(fast), m, cand);
      REQUIRE(got == Approx(want).epsilon(1e-9).margin(1e-6));
      if (kernel_probe::by_starts(fast, m)) ++by_starts;
      else REQUIRE(kernel_probe::row_plan(fast) == kernel_probe::row_plan(tables));
      for (int x = 0; x < pb.num_machines; ++x)  // the other rows are untouched either way
        if (x != m)
          for (int t = 0; t < pb.num_slots; ++t) REQUIRE(kernel_probe::row_plan(fast)[pb.ms(x, t)] == kernel_probe::row_plan(tables)[pb.ms(x, t)]);
    }
  }
  return by_starts;
}

}  // namespace row_tables_test

TEST_CASE("rebuild_row builds the rows of its pre-speed-up version, or rows of the same worth from the starts", "[speed][rebuild]") {
  for (const bool mobilisation : {true, false})
    for (const double slack : {0.0, 3.0}) {
      // hard capacity: the rebuilds of machines without prerequisites on their candidates from the starts
      const int by_starts = row_tables_test::same_rows(row_tables_test::crews_problem(mobilisation, slack, mobilisation ? 17 : 29), 101);
      if (slack == 0.0) CHECK(by_starts > 50);
      else CHECK(by_starts == 0);
    }
  // sequencing: the machines whose candidates have prerequisites keep the state tables
  const int by_starts = row_tables_test::same_rows(row_tables_test::chain_problem(20, 9, 7, 5), 202);
  CHECK(by_starts < 8 * 3 * 9);
  if (fhops_test::have_reference()) {
    const problem med42(load_scenario(fhops_test::reference("scenarios/med42/scenario.yaml")));
    CHECK(row_tables_test::same_rows(med42, 303) > 0);
  }
}
