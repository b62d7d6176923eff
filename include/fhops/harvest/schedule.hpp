/// \file
/// A schedule: machine × slot → block or idle, stored flat (`m * num_slots + t`, slots in
/// construction order) so copying and scanning it is cheap.
#pragma once

#include <cstdint>
#include <vector>

#include "fhops/harvest/problem.hpp"

namespace fhops::harvest {

/// The block index used for an idle slot.
inline constexpr std::int32_t idle = -1;

/// A total plan over every machine and every slot of a problem.
struct schedule {
  int num_machines = 0;
  int num_slots = 0;
  std::vector<std::int32_t> cells;  ///< [m*S+t] block index or `idle`

  schedule() = default;
  /// An all-idle schedule shaped for `pb`.
  explicit schedule(const problem& pb)
      : num_machines(pb.num_machines), num_slots(pb.num_slots),
        cells(static_cast<std::size_t>(pb.num_machines) * pb.num_slots, idle) {}

  std::int32_t& at(int m, int t) { return cells[static_cast<std::size_t>(m) * num_slots + t]; }
  std::int32_t at(int m, int t) const { return cells[static_cast<std::size_t>(m) * num_slots + t]; }

  /// Number of non-idle cells.
  std::size_t assigned_count() const {
    std::size_t n = 0;
    for (auto c : cells) n += c != idle;
    return n;
  }

  friend bool operator==(const schedule&, const schedule&) = default;
};

}  // namespace fhops::harvest
