// Benchmark of scenario families (issue 20): how far SA, ILS and Tabu with default settings stay
// from the best known value on instances like the hidden benchmark's families, at several time
// limits and seeds. The instances are bench/families/families.plan.yaml (`fhops synth` families)
// and the hand-built crews of bench/families/families.hpp, each in the tune or the report split.
//
// Per instance: the bundle is written to DIR/instances/NAME (an ordinary bundle; DIR defaults to
// build/families); where its model is not too big to write, the exact plan MIP (with move costs and
// transitions) is solved by cbc once (fhops/harvest/bounds/plan_mip.hpp, --mip-seconds of cbc CPU time; its
// optimum or best possible value is an upper bound, its plan is re-scored by the evaluator and may
// set the best known); the solvers run as `fhops solve-{heur,ils,tabu} --time-limit T --seed S` do;
// with --best-seconds, SA and Tabu run that long with seed 1 to raise the best known (not where the
// MIP is optimal); last the Lagrangian bound (lagrangian.hpp, its steps sized to --bound-seconds).
// The best known value is the best plan of every run so far (kept as DIR/plans/NAME.csv for
// `fhops evaluate`); runs and bounds are kept in DIR/runs.tsv and DIR/bounds.tsv, so a later call
// adds time limits or seeds, skips what is stored, and the best known only improves. The table
// covers every stored run of the selected instances: per solver and time limit the median and the
// worst gap (%) to the best known over the seeds, and the number of seeds.
//
// Usage: families_bench [--split tune|report|all] [--only NAME,...] [--seconds 1,10,60]
//          [--seeds 42-46|42,43] [--solvers sa,ils,tabu] [--best-seconds N] [--mip-seconds N]
//          [--bound-seconds N] [--dir DIR] [--plan FILE] [--out FILE] [--generate-only]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "families/families.hpp"
#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/bounds/lagrangian.hpp"
#include "fhops/harvest/bounds/plan_mip.hpp"
#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/search/exact/lp_solver.hpp"
#include "fhops/util/atomic_file.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fhops::harvest;
using fhops_bench::family_instance;

struct options {
  std::string split = "all";
  std::set<std::string> only;
  std::vector<double> seconds{1.0};
  std::vector<std::uint64_t> seeds{42, 43, 44, 45, 46};
  std::vector<std::string> solvers{"sa", "ils", "tabu"};
  double best_seconds = 0.0, mip_seconds = 60.0, bound_seconds = 20.0;
  fs::path dir = FHOPS_BENCH_BINARY_DIR "/families";
  fs::path plan = FHOPS_BENCH_SOURCE_DIR "/bench/families/families.plan.yaml";
  fs::path out;
  bool generate_only = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream in(s);
  for (std::string x; std::getline(in, x, ',');)
    if (!x.empty()) v.push_back(x);
  return v;
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "families_bench: %s\nusage: families_bench [--split tune|report|all] [--only NAME,...] [--seconds 1,10,60] "
                       "[--seeds 42-46] [--solvers sa,ils,tabu] [--best-seconds N] [--mip-seconds N] [--bound-seconds N] "
                       "[--dir DIR] [--plan FILE] [--out FILE] [--generate-only]\n", why.c_str());
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--generate-only") {
      o.generate_only = true;
      continue;
    }
    if (i + 1 >= argc) usage("option " + a + " needs a value");
    const std::string v = argv[++i];
    try {
      if (a == "--split") {
        if (v != "tune" && v != "report" && v != "all") usage("--split must be tune, report or all (got '" + v + "')");
        o.split = v;
      } else if (a == "--only") {
        for (const auto& n : split_list(v)) o.only.insert(n);
      } else if (a == "--seconds") {
        o.seconds.clear();
        for (const auto& x : split_list(v)) o.seconds.push_back(std::stod(x));
        for (double s : o.seconds)
          if (!(s > 0.0)) usage("--seconds: every time limit must be > 0");
      } else if (a == "--seeds") {
        o.seeds.clear();
        if (const auto dash = v.find('-'); dash != std::string::npos)
          for (auto s = std::stoull(v.substr(0, dash)); s <= std::stoull(v.substr(dash + 1)); ++s) o.seeds.push_back(s);
        else
          for (const auto& x : split_list(v)) o.seeds.push_back(std::stoull(x));
        if (o.seeds.empty()) usage("--seeds names no seed");
      } else if (a == "--solvers") {
        o.solvers = split_list(v);
        for (const auto& s : o.solvers)
          if (s != "sa" && s != "ils" && s != "tabu") usage("--solvers: '" + s + "' is not sa, ils or tabu");
      } else if (a == "--best-seconds") {
        o.best_seconds = std::stod(v);
      } else if (a == "--mip-seconds") {
        o.mip_seconds = std::stod(v);
      } else if (a == "--bound-seconds") {
        o.bound_seconds = std::stod(v);
      } else if (a == "--dir") {
        o.dir = v;
      } else if (a == "--plan") {
        o.plan = v;
      } else if (a == "--out") {
        o.out = v;
      } else {
        usage("unknown option " + a);
      }
    } catch (const std::logic_error&) {
      usage("option " + a + ": '" + v + "' is not a valid value");
    }
  }
  return o;
}

/// FNV-1a of the bundle's files: a stored run or bound counts only for the same instance.
std::string fingerprint(const std::vector<fhops::folder_file>& files) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& [path, text] : files)
    for (const std::string* s : {&path, &text})
      for (unsigned char c : *s) h = (h ^ c) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

/// A stored run: instance, fingerprint, solver, seconds, seed -> score.
struct run_key {
  std::string name, solver;
  double seconds = 0;
  std::uint64_t seed = 0;
  auto operator<=>(const run_key&) const = default;
};

/// What is known of an instance across calls: bounds (each the best of its kind) and the best plan.
struct known {
  std::string fingerprint;
  double lagrangian = INFINITY, mip_bound = INFINITY, best = -INFINITY;
  std::string best_source;  ///< which run found the best plan
  bool mip_optimal = false;
};

struct store {
  fs::path dir;
  std::map<run_key, double> runs;
  std::map<std::string, known> instances;

  void load() {
    std::ifstream k(dir / "bounds.tsv");
    for (std::string line; std::getline(k, line);) {
      std::istringstream in(line);
      known v;
      std::string name, lagrangian, mip, optimal, best;  // numbers by stod: operator>> reads no "inf"
      if (in >> name >> v.fingerprint >> lagrangian >> mip >> optimal >> best >> v.best_source) {
        v.lagrangian = std::stod(lagrangian);
        v.mip_bound = std::stod(mip);
        v.mip_optimal = optimal != "0";
        v.best = std::stod(best);
        instances[name] = v;
      }
    }
    std::ifstream r(dir / "runs.tsv");
    for (std::string line; std::getline(r, line);) {
      std::istringstream in(line);
      run_key key;
      std::string fp;
      double score = 0;
      if (in >> key.name >> fp >> key.solver >> key.seconds >> key.seed >> score && instances.count(key.name) &&
          instances[key.name].fingerprint == fp)
        runs[key] = score;
    }
  }

  void save() const {
    std::string k, r;
    for (const auto& [name, v] : instances)
      k += fmt::format("{}\t{}\t{:.17g}\t{:.17g}\t{}\t{:.17g}\t{}\n", name, v.fingerprint, v.lagrangian, v.mip_bound, v.mip_optimal ? 1 : 0,
                       v.best, v.best_source.empty() ? "-" : v.best_source);
    for (const auto& [key, score] : runs)
      r += fmt::format("{}\t{}\t{}\t{}\t{}\t{:.17g}\n", key.name, instances.at(key.name).fingerprint, key.solver, key.seconds, key.seed, score);
    fhops::write_file_atomic(dir / "bounds.tsv", k);
    fhops::write_file_atomic(dir / "runs.tsv", r);
  }
};

solve_options cli_defaults(const std::string& solver, const problem& pb, double seconds, std::uint64_t seed) {
  // what `fhops solve-{heur,ils,tabu} --time-limit T --seed S` sets (examples/fhops/cmd_solve.cpp)
  const solver_kind kind = solver == "sa" ? solver_kind::sa : solver == "ils" ? solver_kind::ils : solver_kind::tabu;
  solve_options o;
  o.kind = kind;
  o.weights = resolve_weights(kind, nullptr, {});
  o.seed = seed;
  o.stop.max_iterations = 0;
  o.stop.max_seconds = seconds;
  if (kind == solver_kind::sa) {
    o.cooling = "budget";
    o.restart_period = 0;
  } else if (kind == solver_kind::tabu) {
    o.tabu.tenure = std::max(10, pb.num_machines);
    o.stop.stall_limit = 1000000;
  }
  return o;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Keeps `plan` as the best known when it scores more.
void offer(known& k, const problem& pb, const schedule& plan, double score, const std::string& source, const fs::path& plans) {
  if (!(score > k.best + 1e-9)) return;
  k.best = score;
  k.best_source = source;
  fhops::write_file_atomic(plans / (pb.name + ".csv"), assignments_csv_text(pb, plan));
}

/// The exact plan MIP by cbc (fhops/harvest/bounds/plan_mip.hpp), time-limited; tightens the MIP bound and
/// offers its plan.
void mip_bound(known& k, const problem& pb, const options& o, const fs::path& plans) {
  if (o.mip_seconds <= 0.0 || std::isfinite(k.mip_bound)) return;  // once per instance (a stored bound stays)
  // the switch-charge rows have up to B terms per cell: skip models too big to write in seconds
  const bool priced = pb.weights.transitions != 0.0 || (pb.weights.mobilisation != 0.0 && pb.has_mobilisation);
  if (const double terms = static_cast<double>(fhops::harvest::plan_mip_cells(pb)) * (priced ? pb.num_blocks : 1); terms > 2e7) {
    std::fprintf(stderr, "  %s: no plan MIP (about %.0f million terms)\n", pb.name.c_str(), terms / 1e6);
    return;
  }
  fhops::search::cbc_solver cbc;
  cbc.seconds = o.mip_seconds;
  if (!cbc.available()) {
    std::fprintf(stderr, "  %s: cbc not found (Debian package coinor-cbc): no plan MIP\n", pb.name.c_str());
    return;
  }
  const fs::path model = o.dir / "mip" / (pb.name + ".lp");
  fs::create_directories(model.parent_path());
  const auto r = fhops::harvest::solve_plan_mip(pb, cbc, model);
  if (!r.incumbent) {
    std::fprintf(stderr, "  %s: plan MIP failed: %s\n", pb.name.c_str(), r.note.c_str());
    return;
  }
  k.mip_bound = std::min(k.mip_bound, r.bound);
  k.mip_optimal = r.optimal;
  offer(k, pb, r.plan, r.eval.score, r.source, plans);
  std::fprintf(stderr, "  %s: plan MIP %s, value %.3f, bound %.3f, its plan (%s) re-scores %.3f (%lld penalties left), %.0f s\n", pb.name.c_str(),
               r.optimal ? "optimal" : "stopped", r.mip_objective, r.bound, r.source.c_str(), r.eval.score, r.eval.penalty_events, r.seconds);
}

/// The Lagrangian bound within about `bound_seconds` (its iterations sized by a timed probe).
void lagrangian(known& k, const problem& pb, const options& o) {
  if (o.bound_seconds <= 0.0 || std::isfinite(k.lagrangian)) return;
  const auto t0 = std::chrono::steady_clock::now();
  const double target = std::isfinite(k.best) ? k.best : 0.0;
  const auto probe = lagrangian_bound(pb, {.iterations = 3, .target = target});
  const double per = std::max(since(t0) / 3.0, 1e-6);
  const int iterations = static_cast<int>(std::clamp(o.bound_seconds / per, 3.0, 300.0));
  const auto r = iterations > 3 ? lagrangian_bound(pb, {.iterations = iterations, .target = target}) : probe;
  k.lagrangian = std::min(r.bound, probe.bound);
  std::fprintf(stderr, "  %s: Lagrangian bound %.3f (%d steps, %.0f s)\n", pb.name.c_str(), k.lagrangian, r.iterations, since(t0));
}

std::string size_of(const problem& pb) {
  const int shifts = pb.num_days > 0 ? pb.num_slots / pb.num_days : 1;
  return fmt::format("{}×{}×{}{}", pb.num_blocks, pb.num_machines, pb.num_days, shifts > 1 ? fmt::format("×{}", shifts) : "");
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  try {
    std::vector<family_instance> all = fhops_bench::family_instances(o.plan);
    std::vector<family_instance*> chosen;
    for (auto& fi : all)
      if ((o.split == "all" || fi.split == o.split) && (o.only.empty() || o.only.count(fi.name))) chosen.push_back(&fi);
    for (const auto& n : o.only)
      if (std::none_of(all.begin(), all.end(), [&](const auto& fi) { return fi.name == n; })) usage("--only: no instance '" + n + "'");
    fs::create_directories(o.dir / "plans");
    store st{o.dir, {}, {}};
    st.load();
    std::vector<std::pair<family_instance*, problem>> problems;
    for (family_instance* fi : chosen) {
      const fs::path where = o.dir / "instances" / fi->name;
      fhops::write_directory_atomic(where, fi->files, true, "scenario.yaml");
      const std::string fp = fingerprint(fi->files);
      if (st.instances[fi->name].fingerprint != fp) {  // new or changed: forget what was known
        st.instances[fi->name] = known{fp};
        std::erase_if(st.runs, [&](const auto& r) { return r.first.name == fi->name; });
      }
      problems.emplace_back(fi, problem(load_scenario(where / "scenario.yaml")));
      std::fprintf(stderr, "%s (%s, %s): %s\n", fi->name.c_str(), fi->family.c_str(), fi->split.c_str(), where.c_str());
    }
    if (o.generate_only) return 0;

    const fs::path plans = o.dir / "plans";
    for (auto& [fi, pb] : problems) {
      known& k = st.instances[fi->name];
      const schedule greedy = greedy_schedule(pb);
      offer(k, pb, greedy, evaluate(pb, greedy).score, "greedy", plans);
      mip_bound(k, pb, o, plans);
      st.save();
      for (const auto& solver : o.solvers)
        for (double seconds : o.seconds)
          for (const auto seed : o.seeds) {
            const run_key key{fi->name, solver, seconds, seed};
            if (st.runs.count(key)) continue;
            const solve_outcome r = solve(pb, cli_defaults(solver, pb, seconds, seed));
            st.runs[key] = r.best.score;
            offer(k, pb, r.search.best, r.best.score, fmt::format("{}-{}s-{}", solver, seconds, seed), plans);
            std::fprintf(stderr, "  %s %s %gs seed %llu: %.3f (best known %.3f)\n", fi->name.c_str(), solver.c_str(), seconds,
                         static_cast<unsigned long long>(seed), r.best.score, k.best);
            st.save();
          }
      if (o.best_seconds > 0.0 && !k.mip_optimal)
        for (const std::string solver : {"sa", "tabu"}) {  // the longer runs that set the best known
          const run_key key{fi->name, solver + "-long", o.best_seconds, 1};
          if (st.runs.count(key)) continue;
          const solve_outcome r = solve(pb, cli_defaults(solver, pb, o.best_seconds, 1));
          st.runs[key] = r.best.score;
          offer(k, pb, r.search.best, r.best.score, fmt::format("{}-{}s-1", solver, o.best_seconds), plans);
          std::fprintf(stderr, "  %s long %s %gs: %.3f (best known %.3f)\n", fi->name.c_str(), solver.c_str(), o.best_seconds, r.best.score, k.best);
          st.save();
        }
      lagrangian(k, pb, o);
      st.save();
    }

    // The table: every stored run of the chosen instances, by solver and time limit.
    std::set<std::pair<std::string, double>> columns;  // (solver, seconds), solvers in sa, ils, tabu order below
    for (const auto& [key, score] : st.runs)
      if (!key.solver.ends_with("-long") && std::any_of(problems.begin(), problems.end(), [&](const auto& p) { return p.first->name == key.name; }))
        columns.insert({key.solver, key.seconds});
    std::vector<std::pair<std::string, double>> cols;
    for (const std::string s : {"sa", "ils", "tabu"})
      for (const auto& c : columns)
        if (c.first == s) cols.push_back(c);
    std::string table = "| instance | split | B×M×D(×S) | upper bound | best known | bound gap % |";
    std::string rule = "|---|---|---|---|---|---|";
    for (const auto& [s, sec] : cols) {
      table += fmt::format(" {} {}s |", s == "sa" ? "SA" : s == "ils" ? "ILS" : "Tabu", sec);
      rule += "---|";
    }
    table += "\n" + rule + "\n";
    for (const auto& [fi, pb] : problems) {
      const known& k = st.instances.at(fi->name);
      const double ub = std::min(k.lagrangian, k.mip_bound);
      const std::string ub_text = !std::isfinite(ub) ? "–"
                                  : k.mip_optimal    ? fmt::format("{:.3f} (MIP, optimal)", ub)
                                                     : fmt::format("{:.3f} ({})", ub, k.mip_bound <= k.lagrangian ? "MIP" : "Lagr.");
      // >= 0: the best known is at least every run (max: no "-0.00" from rounding)
      const auto gap = [&](double score) { return std::max(0.0, 100.0 * (k.best - score) / std::max(1e-9, std::abs(k.best))); };
      table += fmt::format("| {} | {} | {} | {} | {:.3f} | {} |", fi->name, fi->split, size_of(pb), ub_text, k.best,
                           std::isfinite(ub) ? fmt::format("{:.2f}", 100.0 * (ub - k.best) / std::max(1e-9, std::abs(ub))) : "–");
      for (const auto& [s, sec] : cols) {
        std::vector<double> gaps;
        for (const auto& [key, score] : st.runs)
          if (key.name == fi->name && key.solver == s && key.seconds == sec) gaps.push_back(gap(score));
        if (gaps.empty()) {
          table += " |";
          continue;
        }
        std::sort(gaps.begin(), gaps.end());
        const double median = gaps.size() % 2 ? gaps[gaps.size() / 2] : (gaps[gaps.size() / 2 - 1] + gaps[gaps.size() / 2]) / 2.0;
        table += fmt::format(" {:.2f} / {:.2f} ({}) |", median, gaps.back(), gaps.size());
      }
      table += "\n";
    }
    std::fputs(table.c_str(), stdout);
    if (!o.out.empty()) fhops::write_file_atomic(o.out, table);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "families_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
