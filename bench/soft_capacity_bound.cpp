// Benchmark of solution quality under soft landing capacity (objective weight landing_slack > 0):
// upper bounds, by Debian's cbc (coinor-cbc), on the score of every plan (soft) and of every plan
// without slack (hard), so that a plan of the priced search (--landing-capacity priced) scoring
// above the hard bound provably beats every plan the reference's sanitiser can produce.
//
// The model relaxes the objective: a cell (m, b, t) may produce when m is available and not
// blacked out in t, its role may work b, rate(m, b) > 0 and t's day is in b's window; each machine
// works at most one block per slot; block b yields at most W_b; landing l takes at most cap_l
// producing machines per slot, plus (soft) extra machines whose k-th costs landing_slack * k, the
// objective's triangular slack; a role with prerequisites works a block in a slot only as often, up
// to and including that slot, as each prerequisite role worked it in earlier slots (the objective's
// count-based sequencing). Mobilisation, transitions and locks are dropped (they only lower a
// plan's score or restrict it), and a cell on a finished block may still count. Every plan's score
// is at most the model's optimum, and its linear relaxation's.
// Usage: soft_capacity_bound SCENARIO [CBC_SECONDS]   (0: the linear relaxation only, default 0)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include "fhops/harvest/harvest.hpp"
#include "fhops/search/exact/lp_solver.hpp"

namespace {

namespace fh = fhops::harvest;

// Writes the model (hard: no slack columns) in CPLEX LP format.
void write_model(const fh::problem& pb, bool soft, bool integer, const std::filesystem::path& file) {
  const int M = pb.num_machines, S = pb.num_slots, B = pb.num_blocks, L = pb.num_landings, R = pb.num_roles;
  std::vector<std::string> role_slot(pb.has_sequencing ? static_cast<std::size_t>(B) * R * S : 0);  // [(b*R+r)*S+t]
  std::string obj, rows, bounds, binaries;
  std::vector<std::string> block_sum(static_cast<std::size_t>(B)), machine_slot(static_cast<std::size_t>(M) * S), landing_slot(static_cast<std::size_t>(L) * S);
  for (int m = 0; m < M; ++m)
    for (int t = 0; t < S; ++t) {
      const std::size_t c = pb.ms(m, t);
      if (!pb.available[c] || pb.blacked_out[c]) continue;
      for (int b = 0; b < B; ++b) {
        const double rate = pb.rate[pb.mb(m, b)];
        const int d = pb.slot_day[t];
        if (!pb.role_allowed[pb.mb(m, b)] || d < pb.earliest[b] || d > pb.latest[b]) continue;
        const std::string x = fmt::format("x_{}_{}_{}", m, b, t);
        if (rate > 0.0) block_sum[b] += fmt::format(" - {} {}", rate, x);  // rate 0 still counts (capacity, sequencing)
        if (pb.has_sequencing && pb.machine_role[m] >= 0) role_slot[(static_cast<std::size_t>(b) * R + pb.machine_role[m]) * S + t] += " - " + x;
        machine_slot[pb.ms(m, t)] += " + " + x;
        landing_slot[static_cast<std::size_t>(pb.landing_of[b]) * S + t] += " + " + x;
        bounds += x + " <= 1\n";
        binaries += x + "\n";
      }
    }
  for (int b = 0; b < B; ++b) {
    obj += fmt::format(" + {} y_{}", pb.weights.production, b);
    bounds += fmt::format("y_{} <= {}\n", b, pb.work[b]);
    rows += fmt::format("work_{}: y_{}{} <= 0\n", b, b, block_sum[b]);  // y_b <= what the cells produce
  }
  for (std::size_t k = 0; k < machine_slot.size(); ++k)
    if (!machine_slot[k].empty()) rows += fmt::format("one_{}: {} <= 1\n", k, machine_slot[k]);
  for (int l = 0; l < L; ++l)
    for (int t = 0; t < S; ++t) {
      const std::string& use = landing_slot[static_cast<std::size_t>(l) * S + t];
      if (use.empty()) continue;
      std::string slack;
      if (soft)
        for (int k = 1; k <= M; ++k) {
          const std::string s = fmt::format("s_{}_{}_{}", l, t, k);
          slack += " - " + s;
          obj += fmt::format(" - {} {}", pb.weights.landing_slack * k, s);
          bounds += s + " <= 1\n";
        }
      rows += fmt::format("cap_{}_{}: {}{} <= {}\n", l, t, use, slack, pb.landing_capacity[l]);
    }
  // sequencing: c_b_r_k counts role r's cells on b up to the k-th slot in evaluation order
  std::set<std::pair<int, int>> counted;
  if (pb.has_sequencing)
    for (int b = 0; b < B; ++b)
      for (int r = 0; r < R; ++r) {
        const auto [q0, q1] = pb.prerequisites(b, r);
        if (q0 == q1) continue;
        const auto count = [&](int role, int k) { return fmt::format("c_{}_{}_{}", b, role, k); };
        const auto define = [&](int role) {  // rows defining role's counts (once per block and role)
          if (!counted.insert({b, role}).second) return;
          for (int k = 0; k < S; ++k)
            rows += fmt::format("count_{}_{}_{}: {} {}{} = 0\n", b, role, k, count(role, k), k ? "- " + count(role, k - 1) : std::string(),
                                role_slot[(static_cast<std::size_t>(b) * R + role) * S + pb.eval_order[k]]);
        };
        define(r);
        for (const int* q = q0; q != q1; ++q) define(*q);
        for (int k = 0; k < S; ++k) {
          if (role_slot[(static_cast<std::size_t>(b) * R + r) * S + pb.eval_order[k]].empty()) continue;
          for (const int* q = q0; q != q1; ++q)
            rows += fmt::format("seq_{}_{}_{}_{}: {}{} <= 0\n", b, r, *q, k, count(r, k), k ? " - " + count(*q, k - 1) : std::string());
        }
      }
  std::ofstream out(file);
  out << "Maximize\n obj:" << obj << "\nSubject To\n" << rows << "Bounds\n" << bounds;
  if (integer) out << "Binaries\n" << binaries;
  out << "End\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: soft_capacity_bound SCENARIO [CBC_SECONDS]\n");
    return 2;
  }
  try {
    const fh::problem pb(fh::load_scenario(argv[1]));
    fhops::search::cbc_solver cbc;
    cbc.seconds = argc > 2 ? std::atof(argv[2]) : 0.0;
    if (!cbc.available()) {
      std::fprintf(stderr, "soft_capacity_bound: cbc not found (Debian package coinor-cbc)\n");
      return 1;
    }
    const auto dir = std::filesystem::temp_directory_path() / ("fhops_soft_capacity_bound_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const bool soft : {false, true}) {
      if (soft && pb.weights.landing_slack <= 0.0) continue;
      for (const bool integer : {false, true}) {
        if (integer && cbc.seconds <= 0.0) break;
        const auto file = dir / fmt::format("{}_{}.lp", soft ? "soft" : "hard", integer ? "mip" : "lp");
        write_model(pb, soft, integer, file);
        const auto a = cbc(file, !integer);
        const std::string label = fmt::format("{} capacity, {}", soft ? "soft" : "hard", integer ? "MIP" : "linear relaxation");
        if (integer)
          std::printf("%s: bound %.3f (its best plan %.3f%s)\n", label.c_str(), a.bound, a.objective, a.optimal ? ", optimal" : "");
        else
          std::printf("%s: bound %.3f\n", label.c_str(), a.objective);
        std::fflush(stdout);
      }
    }
    std::filesystem::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soft_capacity_bound: %s\n", e.what());
    return 1;
  }
}
