// The sequencing bookkeeping that skips dense work agrees with the dense computation it replaced:
// process_slot counts only the (block, role) entries a slot touches, and the row DP's
// sequence_room reads per-block tables built on demand from work_left's log instead of a copy of
// every block's counts after every slot.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/operators/kernel.hpp"
#include "fhops/harvest/synth/generator.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::harvest {

// The kernel's test friend: reaches the row DP's scratch.
struct kernel_probe {
  static void work_left(operator_kernel& k, const schedule& plan, int m) {
    k.row_plan_.assign(plan.cells.begin(), plan.cells.end());
    k.work_left(m);
  }
  static const std::vector<double>& left(const operator_kernel& k) { return k.left_; }
  static int sequence_room(operator_kernel& k, int m, int b, int slot) { return k.sequence_room(m, b, slot); }
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

TEST_CASE("sequence_room equals its dense recomputation on random plans", "[speed][seq_fill][rebuild]") {
  for (const auto& [blocks, machines, days, seed] : {std::array<int, 4>{12, 6, 10, 11}, std::array<int, 4>{20, 9, 7, 5}}) {
    const problem pb = row_tables_test::chain_problem(blocks, machines, days, static_cast<std::uint64_t>(seed));
    REQUIRE(pb.has_sequencing);
    operator_kernel kern(pb);
    fhops::rng r(static_cast<std::uint64_t>(seed) * 7 + 1);
    int restricted = 0, binding = 0;
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
      }
    }
    CHECK(restricted > 0);  // the check saw prerequisites ...
    CHECK(binding > 0);     // ... and room that runs out
  }
}
