/// \file
/// The derived problem the solvers see (problem_model.md §3): integer ids, flat row-major arrays,
/// strings only at the edges. Built once from a scenario; every lookup in the objective is O(1).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "fhops/harvest/registry.hpp"
#include "fhops/harvest/scenario.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"

namespace fhops::harvest {

/// The most memory the problem's dense arrays may take by default: 8 GiB (see problem_memory).
inline constexpr std::uintmax_t default_problem_memory_limit = std::uintmax_t{8} << 30;

namespace detail {

// a * b and a + b, saturating at the largest value instead of wrapping.
inline std::uintmax_t saturating_mul(std::uintmax_t a, std::uintmax_t b) {
  return b != 0 && a > UINTMAX_MAX / b ? UINTMAX_MAX : a * b;
}
inline std::uintmax_t saturating_add(std::uintmax_t a, std::uintmax_t b) { return a > UINTMAX_MAX - b ? UINTMAX_MAX : a + b; }

}  // namespace detail

/// What the problem's dense arrays of a scenario take, estimated before anything is allocated.
struct problem_memory {
  std::uintmax_t slots = 0;            ///< shift slots (at most: a shift calendar's rows)
  std::uintmax_t distance_bytes = 0;   ///< blocks x blocks distances
  std::uintmax_t machine_slot_bytes = 0;   ///< machines x slots and machines x days arrays
  std::uintmax_t machine_block_bytes = 0;  ///< machines x blocks arrays and blocks x roles lists
  /// The whole estimate.
  std::uintmax_t total() const {
    return detail::saturating_add(detail::saturating_add(distance_bytes, machine_slot_bytes), machine_block_bytes);
  }
};

/// The memory estimate of a scenario's problem (products saturate instead of wrapping).
inline problem_memory estimate_problem_memory(const scenario& sc) {
  using detail::saturating_add, detail::saturating_mul;
  const std::uintmax_t M = sc.machines.size(), B = sc.blocks.size(), D = static_cast<std::uintmax_t>(std::max(sc.num_days, 0));
  problem_memory m;
  if (!sc.shift_calendar.empty()) m.slots = sc.shift_calendar.size();
  else if (sc.timeline && !sc.timeline->shifts.empty()) m.slots = saturating_mul(D, sc.timeline->shifts.size());
  else m.slots = D;
  m.distance_bytes = saturating_mul(saturating_mul(B, B), sizeof(double));
  m.machine_slot_bytes = saturating_add(saturating_mul(saturating_mul(M, m.slots), 2 * sizeof(std::uint8_t) + sizeof(std::int32_t)),
                                        saturating_mul(saturating_mul(M, D + 1), sizeof(std::uint8_t) + sizeof(std::int32_t)));
  std::set<std::string> roles;
  for (const auto& x : sc.machines)
    if (const auto r = x.role ? normalize_machine_role(*x.role) : std::nullopt) roles.insert(*r);
  // rate + role_allowed per machine-block; the prerequisite lists per block and role.
  m.machine_block_bytes = saturating_add(saturating_mul(saturating_mul(M, B), sizeof(double) + sizeof(std::uint8_t)),
                                         saturating_mul(saturating_mul(B, roles.size()), sizeof(std::vector<int>) + sizeof(int)));
  return m;
}

/// Throws input_error naming the scenario file, the sizes and the limit when the problem of `sc`
/// would take more than `limit` bytes (instead of failing with std::bad_alloc half-way).
inline void check_problem_memory(const scenario& sc, std::uintmax_t limit = default_problem_memory_limit) {
  const problem_memory m = estimate_problem_memory(sc);
  if (m.total() <= limit) return;
  const std::string where = sc.source.empty() ? "scenario '" + excerpt(sc.name) + "'" : sc.source.string();
  std::string biggest;
  if (m.distance_bytes >= m.machine_slot_bytes && m.distance_bytes >= m.machine_block_bytes)
    biggest = std::to_string(sc.blocks.size()) + " blocks need a " + std::to_string(sc.blocks.size()) + " x " +
              std::to_string(sc.blocks.size()) + " distance matrix of " + byte_size_text(m.distance_bytes);
  else if (m.machine_slot_bytes >= m.machine_block_bytes)
    biggest = std::to_string(sc.machines.size()) + " machines x " + std::to_string(m.slots) + " shift slots need " +
              byte_size_text(m.machine_slot_bytes);
  else
    biggest = std::to_string(sc.machines.size()) + " machines x " + std::to_string(sc.blocks.size()) + " blocks need " +
              byte_size_text(m.machine_block_bytes);
  throw input_error(where, "scenario too large: " + biggest + "; the problem would take " + byte_size_text(m.total()) +
                               ", over the " + byte_size_text(limit) + " limit");
}

/// A shift slot `(day, shift_id)`.
struct slot {
  int day = 1;
  std::string shift_id;
};

/// Mobilisation parameters of one machine in the problem.
struct move_cost_params {
  double walk_cost_per_meter = 0.0;
  double move_cost_flat = 0.0;
  double walk_threshold_m = 1000.0;
  double setup_cost = 0.0;
};

/// The flat, integer-indexed problem. Machines, blocks and landings are indexed in scenario (CSV)
/// order; slots in construction order (§3.1). Per machine-slot arrays are indexed `m * num_slots + t`,
/// per machine-block arrays `m * num_blocks + b`.
class problem {
public:
  /// Derives the problem from a scenario and the harvest-system registry to resolve
  /// `harvest_system_id` against (the reference always uses the built-in registry). Throws
  /// input_error when the dense arrays would take more than `memory_limit` bytes
  /// (check_problem_memory), before allocating them.
  explicit problem(const scenario& sc, const system_registry& systems = default_system_registry(),
                   std::uintmax_t memory_limit = default_problem_memory_limit) {
    check_problem_memory(sc, memory_limit);
    build(sc, systems);
  }

  // --- sizes and names -------------------------------------------------------------------------
  std::string name;
  int num_days = 0;
  int num_machines = 0;
  int num_blocks = 0;
  int num_landings = 0;
  int num_slots = 0;
  int num_roles = 0;  ///< distinct normalised roles among the machines
  std::vector<std::string> machine_ids, block_ids, landing_ids, role_names;

  // --- slots -----------------------------------------------------------------------------------
  std::vector<slot> slots;         ///< construction order (greedy, sanitiser, operators)
  std::vector<int> slot_day;       ///< day of each slot
  std::vector<int> eval_order;     ///< slot indices sorted by (day, shift_id as a string): the objective's order
  std::vector<int> eval_position;  ///< the position of each slot in eval_order (its inverse)
  std::vector<double> slot_hours;  ///< timeline shift hours per slot, or a negative value when the slot has none
  bool has_shift_calendar = false;
  bool has_timeline_shifts = false;

  // --- machines --------------------------------------------------------------------------------
  std::vector<int> machine_role;                ///< role index or -1 (no role)
  std::vector<double> machine_daily_hours;
  std::vector<std::optional<int>> machine_repair_usage_hours;
  std::vector<std::uint8_t> available;          ///< [m*S+t] day and shift available (§3.2)
  std::vector<std::uint8_t> day_available;      ///< [m*(D+1)+d] calendar value (1 when absent)
  std::vector<std::uint8_t> blacked_out;        ///< [m*S+t] in a blackout (§3.3)
  std::vector<std::int32_t> lock;               ///< [m*S+t] locked block of (m, day) or -1 (§2.11)

  // --- blocks and landings ---------------------------------------------------------------------
  std::vector<double> work;                     ///< W_b
  std::vector<int> earliest, latest;            ///< inclusive window [E_b, L_b]
  std::vector<int> landing_of;                  ///< landing index of each block
  std::vector<int> landing_capacity;            ///< per shift slot
  std::vector<std::uint8_t> has_system_id;      ///< the block names a harvest_system_id (KPI sequencing keys)
  std::vector<std::uint8_t> system_resolved;    ///< that id resolves in the registry
  std::vector<double> rate;                     ///< [m*B+b] work per slot, 0 when absent
  std::vector<std::uint8_t> role_allowed;       ///< [m*B+b] allowed(b) is none or holds role(m) (§3.4)

  // --- sequencing (§3.4): prerequisite roles of (block, role), CSR over b*R+r ---------------------
  bool has_sequencing = false;
  std::vector<int> prereq_begin;                ///< size B*R+1
  std::vector<int> prereq_roles;

  // --- mobilisation ----------------------------------------------------------------------------
  bool has_mobilisation = false;                ///< a mobilisation section exists
  std::vector<std::uint8_t> has_move_params;    ///< per machine
  std::vector<move_cost_params> move_params;    ///< per machine (valid where has_move_params)
  std::vector<double> distance;                 ///< [a*B+b] symmetrised, 0 when absent

  // --- objective weights -----------------------------------------------------------------------
  objective_weights weights;

  // --- lookups ---------------------------------------------------------------------------------
  int machine_index(const std::string& id) const { return find(machine_lookup_, id); }
  int block_index(const std::string& id) const { return find(block_lookup_, id); }
  int landing_index(const std::string& id) const { return find(landing_lookup_, id); }
  /// Index of slot (day, shift_id) or -1.
  int slot_index(int day, const std::string& shift_id) const {
    const auto it = slot_lookup_.find({day, shift_id});
    return it == slot_lookup_.end() ? -1 : it->second;
  }

  /// The prerequisite roles of role r on block b (empty: no check).
  std::pair<const int*, const int*> prerequisites(int b, int r) const {
    const std::size_t k = static_cast<std::size_t>(b) * num_roles + r;
    return {prereq_roles.data() + prereq_begin[k], prereq_roles.data() + prereq_begin[k + 1]};
  }

  /// Cost of moving machine m from block p to block b (p != b), for a machine with parameters.
  double move_cost(int m, int p, int b) const {
    const move_cost_params& q = move_params[m];
    const double d = distance[static_cast<std::size_t>(p) * num_blocks + b];
    return q.setup_cost + (d <= q.walk_threshold_m ? q.walk_cost_per_meter * d : q.move_cost_flat);
  }

  std::size_t ms(int m, int t) const { return static_cast<std::size_t>(m) * num_slots + t; }
  std::size_t mb(int m, int b) const { return static_cast<std::size_t>(m) * num_blocks + b; }

private:
  static int find(const std::unordered_map<std::string, int>& map, const std::string& id) {
    const auto it = map.find(id);
    return it == map.end() ? -1 : it->second;
  }

  void build(const scenario& sc, const system_registry& systems) {
    name = sc.name;
    num_days = sc.num_days;
    num_machines = static_cast<int>(sc.machines.size());
    num_blocks = static_cast<int>(sc.blocks.size());
    num_landings = static_cast<int>(sc.landings.size());
    weights = sc.weights;
    const int M = num_machines, B = num_blocks, D = num_days;

    for (int i = 0; i < M; ++i) machine_lookup_.emplace(sc.machines[i].id, i);
    for (int i = 0; i < B; ++i) block_lookup_.emplace(sc.blocks[i].id, i);
    for (int i = 0; i < num_landings; ++i) landing_lookup_.emplace(sc.landings[i].id, i);
    for (const auto& m : sc.machines) machine_ids.push_back(m.id);
    for (const auto& b : sc.blocks) block_ids.push_back(b.id);
    for (const auto& l : sc.landings) landing_ids.push_back(l.id);
    const auto must = [](int i, const std::string& what, const std::string& id) {
      if (i < 0) throw std::invalid_argument("scenario: unknown " + what + " '" + id + "'");
      return i;
    };

    // Slots (§3.1).
    has_shift_calendar = !sc.shift_calendar.empty();
    has_timeline_shifts = sc.timeline && !sc.timeline->shifts.empty();
    std::map<std::string, double> shift_hours;
    if (sc.timeline)
      for (const auto& s : sc.timeline->shifts) shift_hours.emplace(s.name, s.hours);
    if (has_shift_calendar) {
      std::set<std::pair<int, std::string>> open;
      for (const auto& e : sc.shift_calendar)
        if (e.available == 1) open.emplace(e.day, e.shift_id);
      for (const auto& [d, s] : open) slots.push_back({d, s});
    } else if (has_timeline_shifts) {
      for (int d = 1; d <= D; ++d)
        for (const auto& s : sc.timeline->shifts) slots.push_back({d, s.name});
    } else {
      for (int d = 1; d <= D; ++d) slots.push_back({d, "S1"});
    }
    num_slots = static_cast<int>(slots.size());
    const int S = num_slots;
    for (int t = 0; t < S; ++t) {
      slot_day.push_back(slots[t].day);
      slot_lookup_.emplace(std::pair{slots[t].day, slots[t].shift_id}, t);
      const auto h = shift_hours.find(slots[t].shift_id);
      slot_hours.push_back(h == shift_hours.end() ? -1.0 : h->second);
    }
    eval_order.resize(S);
    std::iota(eval_order.begin(), eval_order.end(), 0);
    std::stable_sort(eval_order.begin(), eval_order.end(), [&](int a, int b) {
      if (slots[a].day != slots[b].day) return slots[a].day < slots[b].day;
      return slots[a].shift_id < slots[b].shift_id;
    });
    eval_position.resize(S);
    for (int k = 0; k < S; ++k) eval_position[eval_order[k]] = k;

    // Availability (§3.2): day calendar and shift calendar, last duplicate wins.
    day_available.assign(static_cast<std::size_t>(M) * (D + 1), 1);
    for (const auto& e : sc.calendar) {
      const int m = must(machine_index(e.machine_id), "machine", e.machine_id);
      if (e.day >= 1 && e.day <= D) day_available[static_cast<std::size_t>(m) * (D + 1) + e.day] = static_cast<std::uint8_t>(e.available);
    }
    std::map<std::tuple<int, int, std::string>, int> shift_avail;
    std::set<std::tuple<int, int, std::string>> shift_rows;
    for (const auto& e : sc.shift_calendar) {
      const int m = must(machine_index(e.machine_id), "machine", e.machine_id);
      shift_avail[{m, e.day, e.shift_id}] = e.available;
      shift_rows.emplace(m, e.day, e.shift_id);
    }
    available.assign(static_cast<std::size_t>(M) * S, 1);
    blacked_out.assign(static_cast<std::size_t>(M) * S, 0);
    std::vector<std::uint8_t> blackout_day(D + 1, 0);
    if (sc.timeline)
      for (const auto& w : sc.timeline->blackouts)
        for (int d = std::max(1, w.start_day); d <= std::min(D, w.end_day); ++d) blackout_day[d] = 1;
    for (int m = 0; m < M; ++m) {
      for (int t = 0; t < S; ++t) {
        const int d = slot_day[t];
        bool ok = day_available[static_cast<std::size_t>(m) * (D + 1) + d] == 1;
        if (has_shift_calendar) {
          const auto it = shift_avail.find({m, d, slots[t].shift_id});
          if (it != shift_avail.end() && it->second == 0) ok = false;
        }
        available[ms(m, t)] = ok ? 1 : 0;
        // §3.3: with a shift calendar only the machine's own rows of that day are blacked out.
        if (blackout_day[d])
          blacked_out[ms(m, t)] = !has_shift_calendar || shift_rows.count({m, d, slots[t].shift_id}) ? 1 : 0;
      }
    }

    // Locks: (machine, day) -> block, a later duplicate overwrites; covers every slot of the day.
    std::vector<std::int32_t> lock_day(static_cast<std::size_t>(M) * (D + 1), -1);
    for (const auto& l : sc.locked_assignments) {
      const int m = must(machine_index(l.machine_id), "machine", l.machine_id);
      const int b = must(block_index(l.block_id), "block", l.block_id);
      if (l.day >= 1 && l.day <= D) lock_day[static_cast<std::size_t>(m) * (D + 1) + l.day] = b;
    }
    lock.assign(static_cast<std::size_t>(M) * S, -1);
    for (int m = 0; m < M; ++m)
      for (int t = 0; t < S; ++t) lock[ms(m, t)] = lock_day[static_cast<std::size_t>(m) * (D + 1) + slot_day[t]];

    // Blocks and landings.
    for (const auto& l : sc.landings) landing_capacity.push_back(l.daily_capacity);
    for (const auto& b : sc.blocks) {
      work.push_back(b.work_required);
      earliest.push_back(b.earliest_start);
      latest.push_back(b.latest_finish.value_or(D));
      landing_of.push_back(must(landing_index(b.landing_id), "landing", b.landing_id));
      has_system_id.push_back(b.harvest_system_id ? 1 : 0);
      system_resolved.push_back(b.harvest_system_id && find_system(systems, *b.harvest_system_id) ? 1 : 0);
    }
    rate.assign(static_cast<std::size_t>(M) * B, 0.0);
    for (const auto& r : sc.production_rates)
      rate[mb(must(machine_index(r.machine_id), "machine", r.machine_id), must(block_index(r.block_id), "block", r.block_id))] = r.rate;

    // Roles (§3.4).
    std::map<std::string, int> role_lookup;
    for (const auto& m : sc.machines) {
      const auto role = m.role ? normalize_machine_role(*m.role) : std::nullopt;
      if (role && !role_lookup.count(*role)) {
        role_lookup.emplace(*role, num_roles++);
        role_names.push_back(*role);
      }
      machine_role.push_back(role ? role_lookup.at(*role) : -1);
      machine_daily_hours.push_back(m.daily_hours);
      machine_repair_usage_hours.push_back(m.repair_usage_hours);
    }
    const int R = num_roles;
    role_allowed.assign(static_cast<std::size_t>(M) * B, 1);
    std::vector<std::vector<int>> prereq(static_cast<std::size_t>(B) * R);
    if (R > 0) {
      for (int b = 0; b < B; ++b) {
        const auto& id = sc.blocks[b].harvest_system_id;
        const harvest_system* sys = id ? find_system(systems, *id) : nullptr;
        if (!sys) continue;
        std::set<int> allowed;  // allowedRaw ∩ availableRoles
        std::map<std::string, std::optional<std::string>> job_role;
        for (const auto& j : sys->jobs) job_role[j.name] = normalize_machine_role(j.machine_role);
        for (const auto& j : sys->jobs) {
          const auto r = job_role[j.name];
          if (r && role_lookup.count(*r)) allowed.insert(role_lookup.at(*r));
        }
        if (!allowed.empty())
          for (int m = 0; m < M; ++m) role_allowed[mb(m, b)] = machine_role[m] >= 0 && allowed.count(machine_role[m]) ? 1 : 0;
        for (const auto& j : sys->jobs) {  // the last job with a role wins
          const auto r = job_role[j.name];
          if (!r || !role_lookup.count(*r)) continue;
          std::set<int> q;
          for (const auto& p : j.prerequisites) {
            const auto it = job_role.find(p);
            if (it != job_role.end() && it->second && role_lookup.count(*it->second)) q.insert(role_lookup.at(*it->second));
          }
          prereq[static_cast<std::size_t>(b) * R + role_lookup.at(*r)].assign(q.begin(), q.end());
        }
      }
    }
    prereq_begin.assign(static_cast<std::size_t>(B) * R + 1, 0);
    for (std::size_t k = 0; k < prereq.size(); ++k) {
      prereq_begin[k + 1] = prereq_begin[k] + static_cast<int>(prereq[k].size());
      prereq_roles.insert(prereq_roles.end(), prereq[k].begin(), prereq[k].end());
    }
    has_sequencing = !prereq_roles.empty();

    // Mobilisation (§2.10).
    has_mobilisation = sc.mobilisation.has_value();
    has_move_params.assign(M, 0);
    move_params.assign(M, {});
    distance.assign(static_cast<std::size_t>(B) * B, 0.0);
    if (sc.mobilisation) {
      for (const auto& p : sc.mobilisation->machine_params) {
        const int m = machine_index(p.machine_id);
        if (m < 0) continue;  // the reference never looks such params up
        has_move_params[m] = 1;
        move_params[m] = {p.walk_cost_per_meter, p.move_cost_flat, p.walk_threshold_m, p.setup_cost};
      }
      for (const auto& d : sc.mobilisation->distances) {
        const int a = block_index(d.from_block), b = block_index(d.to_block);
        if (a < 0 || b < 0) continue;
        distance[static_cast<std::size_t>(a) * B + b] = d.distance_m;
        distance[static_cast<std::size_t>(b) * B + a] = d.distance_m;
      }
    }
  }

  struct pair_hash {
    std::size_t operator()(const std::pair<int, std::string>& p) const {
      return std::hash<std::string>{}(p.second) * 31u + static_cast<std::size_t>(p.first);
    }
  };

  std::unordered_map<std::string, int> machine_lookup_, block_lookup_, landing_lookup_;
  std::unordered_map<std::pair<int, std::string>, int, pair_hash> slot_lookup_;
};

}  // namespace fhops::harvest
