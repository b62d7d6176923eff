/// \file
/// price_rebuild: one or two landings' crews rebuilt jointly. Block work and landing room are
/// priced, every machine's row is solved against the prices at once (bounds/lagrangian.hpp), and the
/// prices follow the over- or under-use for a few rounds, so several machines change together where
/// the sequential best responses of landing_rebuild stay put.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhops/harvest/operators/kernel.hpp"

namespace fhops::harvest {

/// price_rebuild: the crews of one landing (half the time of two) are cleared; the work the
/// other machines leave (left_) and the room they leave on each landing and slot (room_) bound
/// what the crew can use. For a few rounds every crew row is solved by priced_row against block
/// prices and landing prices at once, and the prices rise where the crew asks for more than is
/// left (and fall where it asks for less), as in a subgradient step on the Lagrangian dual of
/// the crew's problem. The rows of the round with the best estimated score (production capped
/// by left_, minus mobilisation, minus the production lost to a full landing) are kept; half the
/// time each machine is then rebuilt once more by the exact row DP against the others.
struct price_rebuild_operator {
  static constexpr std::string_view name = "price_rebuild";
  bool propose(operator_kernel& kern, const schedule& plan, rng& r, harvest_move& mv) const {
    const problem& pb = *kern.pb_;
    const int S = pb.num_slots, B = pb.num_blocks, L = pb.num_landings;
    kern.group_.clear();
    if (!kern.add_landing_crew(plan, r, kern.group_limit)) return false;
    if (r.chance(0.5)) kern.add_landing_crew(plan, r, 2 * kern.group_limit);
    kern.row_plan_.assign(plan.cells.begin(), plan.cells.end());
    for (const int x : kern.group_)
      for (int t = 0; t < S; ++t) kern.row_plan_[pb.ms(x, t)] = pb.lock[pb.ms(x, t)] >= 0 ? pb.lock[pb.ms(x, t)] : idle;
    kern.work_left(-1);
    kern.room_.assign(static_cast<std::size_t>(L) * S, 0);
    for (int l = 0; l < L; ++l)
      for (int t = 0; t < S; ++t) kern.room_[static_cast<std::size_t>(l) * S + t] = pb.landing_capacity[l];
    kern.in_group_.assign(pb.num_machines, 0);
    for (const int x : kern.group_) kern.in_group_[x] = 1;
    for (int x = 0; x < pb.num_machines; ++x)
      for (int t = 0; t < S && !kern.in_group_[x]; ++t) {
        const std::int32_t v = kern.row_plan_[pb.ms(x, t)];
        if (v >= 0) --kern.room_[static_cast<std::size_t>(pb.landing_of[v]) * S + t];
      }
    // Soft capacity: the reference mode lets the crew overflow freely (its sanitiser then clears
    // the excess); the priced mode keeps the room, lets priced_row go past it and charges the
    // slack in the estimate, the landing prices starting at the price of one more machine.
    if (pb.weights.landing_slack != 0.0 && !kern.slack_) std::fill(kern.room_.begin(), kern.room_.end(), pb.num_machines);
    // candidate landings: those the crew works on now, half the time one more at random
    kern.landing_on_.assign(L, 0);
    for (const int x : kern.group_)
      for (int t = 0; t < S; ++t) {
        const std::int32_t v = plan.cells[pb.ms(x, t)];
        if (v >= 0) kern.landing_on_[pb.landing_of[v]] = 1;
      }
    if (r.chance(0.5)) kern.landing_on_[r.below(L)] = 1;
    const std::size_t G = kern.group_.size();
    kern.crew_blocks_.resize(G);
    for (std::size_t g = 0; g < G; ++g) {
      kern.crew_blocks_[g].clear();
      for (const int b : kern.blocks_for_machine_[kern.group_[g]])
        if (kern.left_[b] > 1e-9 && kern.landing_on_[pb.landing_of[b]]) kern.crew_blocks_[g].push_back(b);
    }
    const double wP = pb.weights.production;
    kern.price_.assign(B, 0.0);
    for (int b = 0; b < B; ++b) kern.price_[b] = 0.3 * wP * r.uniform01();
    kern.landing_price_.assign(kern.room_.size(), 0.0);
    if (kern.slack_)
      for (std::size_t k = 0; k < kern.room_.size(); ++k)
        if (kern.room_[k] <= 0) kern.landing_price_[k] = pb.weights.landing_slack * (1 - kern.room_[k]);
    const std::span<const int> room = kern.slack_ ? std::span<const int>{} : std::span<const int>(kern.room_);
    kern.crew_rows_.resize(G * S);
    kern.best_rows_.resize(G * S);
    double best_estimate = -1e300;
    for (int round = 0; round < kern.price_rounds; ++round) {
      kern.asked_.assign(B, 0.0);
      kern.use_.assign(kern.room_.size(), 0);
      double estimate = 0.0;
      for (std::size_t g = 0; g < G; ++g) {
        const int x = kern.group_[g];
        std::span<std::int32_t> row(kern.crew_rows_.data() + g * S, static_cast<std::size_t>(S));
        priced_row(pb, x, {kern.crew_blocks_[g], kern.price_, kern.landing_price_, room, {}}, row, kern.priced_scratch_);
        int prev = -1;
        for (int k = 0; k < S; ++k) {
          const int t = pb.eval_order[k];
          const std::int32_t b = row[t];
          if (b < 0) continue;
          kern.asked_[b] += pb.rate[pb.mb(x, b)];
          ++kern.use_[static_cast<std::size_t>(pb.landing_of[b]) * S + t];
          if (prev >= 0 && prev != b)
            estimate -= (pb.has_move_params[x] ? pb.weights.mobilisation * pb.move_cost(x, prev, b) : 0.0) + pb.weights.transitions;
          prev = b;
        }
      }
      for (int b = 0; b < B; ++b) estimate += wP * std::min(kern.asked_[b], kern.left_[b]);
      for (std::size_t k = 0; k < kern.use_.size(); ++k) {
        if (kern.slack_) estimate -= kern.added_slack(static_cast<int>(k / S), kern.room_[k], kern.use_[k]);
        else if (kern.use_[k] > std::max(kern.room_[k], 0)) estimate -= 3.0 * wP * (kern.use_[k] - std::max(kern.room_[k], 0));
      }
      if (estimate > best_estimate) {
        best_estimate = estimate;
        kern.best_rows_ = kern.crew_rows_;
      }
      // prices follow the relative over-use; the step shrinks with the rounds
      const double step = wP / (round + 2.0);
      for (int b = 0; b < B; ++b)
        if (kern.asked_[b] > 0.0 || kern.price_[b] > 0.0)
          kern.price_[b] = std::clamp(kern.price_[b] + step * (kern.asked_[b] - kern.left_[b]) / std::max(kern.left_[b], 1.0), 0.0, wP);
      for (std::size_t k = 0; k < kern.use_.size(); ++k)
        kern.landing_price_[k] = std::max(0.0, kern.landing_price_[k] + 2.0 * step * (kern.use_[k] - std::max(kern.room_[k], 0)));
    }
    for (std::size_t g = 0; g < G; ++g)
      for (int t = 0; t < S; ++t) {
        const std::size_t c = pb.ms(kern.group_[g], t);
        kern.row_plan_[c] = pb.lock[c] >= 0 ? pb.lock[c] : kern.best_rows_[g * S + t];
      }
    if (r.chance(0.5))
      for (const int x : kern.group_) kern.rebuild_row(x, r, true);
    return kern.rows_changed(plan, mv);
  }
};
static_assert(harvest_operator<price_rebuild_operator>);

}  // namespace fhops::harvest
