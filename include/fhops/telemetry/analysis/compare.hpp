/// \file
/// Statistical comparison of algorithms (or configurations) over the runs of a telemetry store
/// (`fhops telemetry compare`, docs/howto/telemetry_tuning.md "Comparing algorithms"): per
/// scenario, each group's objective distribution (quartiles, mean) and, for every pair of groups,
/// a rank test — the Wilcoxon signed-rank test on the runs paired by seed when the groups can be
/// paired, else the Mann–Whitney U test — with Holm's correction across the scenarios of each
/// pair, the Vargha–Delaney A12 and the better group by median (the objective is maximised, as
/// the report's "best" is the highest). Verdicts count, per pair, the scenarios each group wins,
/// and how many of those wins are significant. Written as text, JSON or an HTML page with box
/// plots. The statistics are `fhops/util/statistics.hpp`'s.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/hex.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/statistics.hpp"

namespace fhops::telemetry {

/// What a group of runs is: the algorithm (as the report names it), or the configuration —
/// the algorithm and a short hash of the run's recorded `config` (seed excluded: it is a column).
enum class compare_by { algorithm, config };

/// "algorithm" | "config" → compare_by; nullopt for anything else.
inline std::optional<compare_by> parse_compare_by(std::string_view s) {
  if (s == "algorithm") return compare_by::algorithm;
  if (s == "config") return compare_by::config;
  return std::nullopt;
}

inline std::string_view to_string(compare_by b) { return b == compare_by::algorithm ? "algorithm" : "config"; }

/// What to compare and how.
struct compare_options {
  compare_by by = compare_by::algorithm;
  std::vector<std::string> scenarios = {};  ///< only these scenarios (empty: every scenario); each must have runs
  double alpha = 0.05;                 ///< significance level of the Holm-adjusted p-values, in (0, 1]
  long long after_rowid = 0;           ///< only runs stored after this point (run_watermark), e.g. one suite's runs
};

/// One run as the comparison sees it.
struct compared_run {
  std::string group;                ///< algorithm, or algorithm#hash by configuration
  std::string scenario;             ///< `bundle:member` for bundle runs, else the scenario name
  std::optional<long long> seed;
  double objective = 0.0;
  std::string config;               ///< the configuration in the report's short form (by configuration)
};

/// One group's objectives on one scenario.
struct group_summary {
  std::string group, config;
  std::vector<double> objectives;   ///< sorted ascending
  double min = 0.0, q1 = 0.0, median = 0.0, q3 = 0.0, max = 0.0, mean = 0.0;
};

/// One pair of groups (a < b by name) on one scenario.
struct pair_comparison {
  std::string a, b;
  bool paired = false;              ///< Wilcoxon signed-rank on the common seeds, else Mann–Whitney U
  std::size_t n_a = 0, n_b = 0;     ///< runs used (paired: the common seeds, n_a == n_b)
  std::size_t zero_differences = 0; ///< paired: seeds with equal objectives (the signed-rank test drops them)
  double statistic = 0.0;           ///< paired: W+ of the differences a − b; else U of a
  double p_value = 1.0;             ///< two-sided
  double p_holm = 1.0;              ///< Holm-adjusted across the scenarios this pair is compared on
  bool exact = true;                ///< p from the exact permutation distribution
  double a12 = 0.5;                 ///< Vargha–Delaney A12 of a over b (runs used)
  double median_difference = 0.0;   ///< median(a) − median(b) over the runs used
  int better = 0;                   ///< +1: a has the higher median, −1: b, 0: equal medians (a tie)
  bool significant = false;         ///< p_holm < alpha

  std::string_view test() const { return paired ? "wilcoxon" : "mann-whitney"; }
};

/// One scenario: its groups (by name) and their pairs.
struct scenario_comparison {
  std::string scenario;
  std::vector<group_summary> groups;
  std::vector<pair_comparison> pairs;
};

/// One pair of groups across the scenarios where both ran.
struct pair_verdict {
  std::string a, b;
  std::size_t scenarios = 0, a_better = 0, b_better = 0, ties = 0, a_significant = 0, b_significant = 0;
};

/// The whole comparison.
struct comparison_result {
  compare_by by = compare_by::algorithm;
  double alpha = 0.05;
  std::string source;               ///< the store's path (empty when built from runs)
  std::size_t runs = 0;             ///< runs compared
  std::vector<scenario_comparison> scenarios;
  std::vector<pair_verdict> verdicts;
};

/// The verdict as a sentence, the group with more wins first: "tabu better than sa on 5 of 7
/// scenarios, significant on 3; sa better on 1, significant on 0; 1 tie".
inline std::string verdict_text(const pair_verdict& v) {
  const bool a_first = v.a_better >= v.b_better;
  const std::string& w = a_first ? v.a : v.b;
  const std::string& l = a_first ? v.b : v.a;
  const std::size_t won = a_first ? v.a_better : v.b_better, lost = a_first ? v.b_better : v.a_better;
  const std::size_t won_sig = a_first ? v.a_significant : v.b_significant, lost_sig = a_first ? v.b_significant : v.a_significant;
  const char* noun = v.scenarios == 1 ? "scenario" : "scenarios";
  if (won == 0) return fmt::format("{} and {} tie on {} of {} {} (equal medians)", v.a, v.b, v.ties, v.scenarios, noun);
  std::string out = fmt::format("{} better than {} on {} of {} {}, significant on {}", w, l, won, v.scenarios, noun, won_sig);
  if (lost) out += fmt::format("; {} better on {}, significant on {}", l, lost, lost_sig);
  if (v.ties) out += fmt::format("; {} {}", v.ties, v.ties == 1 ? "tie" : "ties");
  return out;
}

namespace detail {

// FNV-1a, 32 bits: a short stable label for a configuration's JSON text.
inline std::uint32_t fnv1a32(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (const unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

inline group_summary summarise_group(std::string name, std::string config, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  group_summary g{std::move(name), std::move(config), std::move(v)};
  g.min = g.objectives.front();
  g.max = g.objectives.back();
  g.q1 = stats::quantile(g.objectives, 0.25);
  g.median = stats::quantile(g.objectives, 0.5);
  g.q3 = stats::quantile(g.objectives, 0.75);
  double sum = 0.0;
  for (const double x : g.objectives) sum += x;
  g.mean = sum / static_cast<double>(g.objectives.size());
  return g;
}

// The seed → objective map of a group when every run has a seed and no seed repeats.
inline std::optional<std::map<long long, double>> by_seed(const std::vector<const compared_run*>& runs) {
  std::map<long long, double> out;
  for (const auto* r : runs)
    if (!r->seed || !out.emplace(*r->seed, r->objective).second) return std::nullopt;
  return out;
}

// The rank test of a against b: paired on the common seeds when neither group repeats a seed and
// the common seeds are at least 2 and at least half of each group's runs; else unpaired.
inline pair_comparison compare_pair(const std::string& a, const std::vector<const compared_run*>& ra, const std::string& b,
                                    const std::vector<const compared_run*>& rb) {
  pair_comparison p;
  p.a = a;
  p.b = b;
  std::vector<double> xa, xb;
  const auto sa = by_seed(ra), sb = by_seed(rb);
  if (sa && sb) {
    for (const auto& [seed, v] : *sa)
      if (const auto it = sb->find(seed); it != sb->end()) xa.push_back(v), xb.push_back(it->second);
    p.paired = xa.size() >= 2 && 2 * xa.size() >= ra.size() && 2 * xa.size() >= rb.size();
  }
  if (p.paired) {
    const auto w = stats::wilcoxon_signed_rank(std::span<const double>(xa), std::span<const double>(xb));
    p.statistic = w.w_plus;
    p.zero_differences = w.zeros;
    p.p_value = w.p_value;
    p.exact = w.exact;
  } else {
    xa.clear();
    xb.clear();
    for (const auto* r : ra) xa.push_back(r->objective);
    for (const auto* r : rb) xb.push_back(r->objective);
    const auto u = stats::mann_whitney_u(xa, xb);
    p.statistic = u.u1;
    p.p_value = u.p_value;
    p.exact = u.exact;
  }
  p.n_a = xa.size();
  p.n_b = xb.size();
  p.a12 = stats::vargha_delaney_a(xa, xb);
  p.median_difference = stats::median(xa) - stats::median(xb);
  p.better = p.median_difference > 0 ? 1 : p.median_difference < 0 ? -1 : 0;
  return p;
}

}  // namespace detail

/// The comparison of runs already loaded (see compare_store): groups and pairs per scenario,
/// Holm across scenarios per pair, verdicts per pair. Scenarios, groups and pairs are sorted by
/// name. Throws std::invalid_argument when alpha is not in (0, 1] or a scenario named in the
/// options has no run.
inline comparison_result compare_groups(const std::vector<compared_run>& runs, const compare_options& o) {
  if (!(o.alpha > 0.0 && o.alpha <= 1.0))
    throw std::invalid_argument("compare_options.alpha must be in (0, 1] (got " + std::to_string(o.alpha) + ")");
  std::map<std::string, std::map<std::string, std::vector<const compared_run*>>> cells;  // scenario → group → runs
  const std::set<std::string> wanted(o.scenarios.begin(), o.scenarios.end());
  comparison_result res;
  res.by = o.by;
  res.alpha = o.alpha;
  for (const auto& r : runs)
    if (wanted.empty() || wanted.count(r.scenario)) cells[r.scenario][r.group].push_back(&r), ++res.runs;
  for (const auto& s : wanted)
    if (!cells.count(s)) {
      std::string known;
      std::set<std::string> names;
      for (const auto& r : runs) names.insert(r.scenario);
      for (const auto& n : names) known += (known.empty() ? "'" : ", '") + n + "'";
      throw std::invalid_argument("no run of scenario '" + s + "' to compare (scenarios with runs: " + (known.empty() ? "none" : known) + ")");
    }
  std::map<std::pair<std::string, std::string>, std::vector<pair_comparison*>> families;
  for (const auto& [scenario, groups] : cells) {
    scenario_comparison sc{scenario, {}, {}};
    for (const auto& [name, rs] : groups) {
      std::vector<double> v;
      for (const auto* r : rs) v.push_back(r->objective);
      sc.groups.push_back(detail::summarise_group(name, rs.front()->config, std::move(v)));
    }
    for (auto a = groups.begin(); a != groups.end(); ++a)
      for (auto b = std::next(a); b != groups.end(); ++b) sc.pairs.push_back(detail::compare_pair(a->first, a->second, b->first, b->second));
    res.scenarios.push_back(std::move(sc));
  }
  for (auto& sc : res.scenarios)
    for (auto& p : sc.pairs) families[{p.a, p.b}].push_back(&p);
  for (auto& [key, family] : families) {
    std::vector<double> p;
    for (const auto* c : family) p.push_back(c->p_value);
    const auto adjusted = stats::holm(p);
    pair_verdict v{key.first, key.second};
    for (std::size_t i = 0; i < family.size(); ++i) {
      auto& c = *family[i];
      c.p_holm = adjusted[i];
      c.significant = c.p_holm < o.alpha;
      ++v.scenarios;
      if (c.better > 0) ++v.a_better, v.a_significant += c.significant;
      else if (c.better < 0) ++v.b_better, v.b_significant += c.significant;
      else ++v.ties;
    }
    res.verdicts.push_back(v);
  }
  return res;
}

/// The highest row id of the store's runs (0 when the store does not exist or has no run): runs
/// stored later have larger ids, so `compare_options.after_rowid = run_watermark(store)` taken
/// before a suite compares that suite's runs alone (and whatever else was written meanwhile).
inline long long run_watermark(const std::filesystem::path& store) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(store, ec)) return 0;
  sqlite_store s(store, store_options{.read_only = true});
  return s.guard([&] { return s.database().execAndGet("SELECT COALESCE(MAX(rowid), 0) FROM runs").getInt64(); });
}

/// The runs of a store with an objective (status not `error`) after `o.after_rowid`, grouped as
/// `o.by` says; the algorithm is the report's (context.source tuner, context.algorithm,
/// tuner_meta.algorithm, solver).
inline std::vector<compared_run> load_compared_runs(sqlite_store& store, const compare_options& o) {
  return store.guard([&] {
    SQLite::Statement q(store.database(),
                        "SELECT runs.solver, runs.scenario, runs.seed, runs.config_json, runs.context_json, runs.tuner_meta_json, m.value"
                        " FROM runs JOIN run_metrics m ON m.run_id = runs.run_id AND m.name = 'objective'"
                        " WHERE runs.rowid > ? AND (runs.status IS NULL OR runs.status != 'error') ORDER BY runs.rowid");
    q.bind(1, static_cast<std::int64_t>(o.after_rowid));
    json_parser parser;
    std::vector<compared_run> out;
    const auto text = [&](int i) { return q.getColumn(i).isNull() ? std::string() : q.getColumn(i).getString(); };
    const auto object = [&](int i) -> std::optional<json> {
      std::optional<json> v;
      if (const std::string t = text(i); !t.empty()) v = parser.parse(t);
      return v && v->is_object() ? v : std::nullopt;
    };
    while (q.executeStep()) {
      if (q.getColumn(6).isNull()) continue;
      const auto context = object(4), meta = object(5);
      const auto string_in = [](const std::optional<json>& j, const char* key) {
        const auto s = j ? j->string_at(key) : std::nullopt;
        return s ? *s : std::string();
      };
      compared_run r;
      const std::string algorithm = report_algorithm(string_in(context, "source"), string_in(context, "algorithm"),
                                                     string_in(meta, "algorithm"), text(0));
      std::string bundle = string_in(meta, "bundle"), member = string_in(meta, "bundle_member");
      if (bundle.empty()) bundle = string_in(context, "bundle");
      if (member.empty()) member = string_in(context, "bundle_member");
      const std::string name = text(1).empty() ? "unknown" : text(1);
      r.scenario = bundle.empty() ? name : bundle + ":" + (member.empty() ? name : member);
      if (q.getColumn(2).isInteger()) r.seed = q.getColumn(2).getInt64();
      r.objective = q.getColumn(6).getDouble();
      r.group = algorithm;
      if (o.by == compare_by::config) {
        const std::string config = text(3);
        r.group += "#";
        append_hex(r.group, detail::fnv1a32(config), 8);
        if (const auto c = object(3)) r.config = best_config_text(*c);
      }
      out.push_back(std::move(r));
    }
    return out;
  });
}

/// Opens the store a path names read-only (its SQLite file, as locate_store finds it: a run log,
/// a folder or the file) and compares its runs. Errors (a missing, corrupt or locked store — after
/// waiting `busy_timeout_ms` for writers) are store_error naming the file.
inline comparison_result compare_store(const std::filesystem::path& path, const compare_options& o, int busy_timeout_ms = 60000) {
  const std::filesystem::path store_path = locate_store(path).sqlite;
  sqlite_store store(store_path, store_options{.busy_timeout_ms = busy_timeout_ms, .read_only = true, .verify = true});
  auto res = compare_groups(load_compared_runs(store, o), o);
  res.source = store_path.string();
  return res;
}

namespace detail {

inline std::string objective_text(double v) { return fmt::format("{:.3f}", v); }

inline std::string p_text(double p) { return p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p); }

inline std::string statistic_text(const pair_comparison& p) {
  return fmt::format("{}={}", p.paired ? "W+" : "U", fhops::python_float_repr(p.statistic));
}

// Paired: the pairs (and how many of them are equal); unpaired: the two sample sizes.
inline std::string n_text(const pair_comparison& p) {
  if (!p.paired) return fmt::format("{}+{}", p.n_a, p.n_b);
  return p.zero_differences ? fmt::format("{} ({} equal)", p.n_a, p.zero_differences) : std::to_string(p.n_a);
}

inline std::string better_text(const pair_comparison& p) {
  if (p.better == 0) return "tie";
  return (p.better > 0 ? p.a : p.b) + (p.significant ? " *" : "");
}

// Rows of cells as columns padded to their widest cell, two spaces apart, a dashed rule under the header.
inline std::string aligned(const std::vector<std::vector<std::string>>& rows, std::string_view indent = "  ") {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::string out;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    std::string line(indent);
    for (std::size_t i = 0; i < rows[k].size(); ++i) line += rows[k][i] + std::string(i + 1 < rows[k].size() ? width[i] - rows[k][i].size() + 2 : 0, ' ');
    out += line + "\n";
    if (k == 0) {
      line = indent;
      for (std::size_t i = 0; i < width.size(); ++i) line += std::string(width[i], '-') + (i + 1 < width.size() ? "  " : "");
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace detail

/// The comparison as text: a header line, per scenario a table of the groups and a table of the
/// pairs ("better" names the group with the higher median, `*` when significant after Holm), then
/// the configurations (by configuration) and one verdict line per pair.
inline std::string compare_text(const comparison_result& r) {
  std::string out = fmt::format("Comparison by {} of {} run(s){} (objective maximised)\nPairs: Wilcoxon signed-rank when paired by seed, "
                                "else Mann-Whitney U; two-sided p, Holm-adjusted across scenarios per pair; alpha {}\n",
                                to_string(r.by), r.runs, r.source.empty() ? "" : " in " + r.source, fhops::python_float_repr(r.alpha));
  if (r.scenarios.empty()) return out + "No runs with an objective to compare.\n";
  std::map<std::string, std::string> configs;
  for (const auto& sc : r.scenarios) {
    out += "\nScenario: " + sc.scenario + "\n";
    std::vector<std::vector<std::string>> g{{"group", "runs", "median", "q1", "q3", "min", "max", "mean"}};
    for (const auto& x : sc.groups) {
      g.push_back({x.group, std::to_string(x.objectives.size()), detail::objective_text(x.median), detail::objective_text(x.q1),
                   detail::objective_text(x.q3), detail::objective_text(x.min), detail::objective_text(x.max), detail::objective_text(x.mean)});
      if (r.by == compare_by::config) configs.emplace(x.group, x.config);
    }
    out += detail::aligned(g);
    if (sc.pairs.empty()) continue;
    std::vector<std::vector<std::string>> p{{"pair", "test", "n", "statistic", "p", "p_holm", "A12", "better"}};
    for (const auto& x : sc.pairs)
      p.push_back({x.a + " vs " + x.b, std::string(x.test()) + (x.exact ? "" : " (normal)"),
                   detail::n_text(x), detail::statistic_text(x), detail::p_text(x.p_value),
                   detail::p_text(x.p_holm), fmt::format("{:.3f}", x.a12), detail::better_text(x)});
    out += "\n" + detail::aligned(p);
  }
  if (!configs.empty()) {
    out += "\nConfigurations:\n";
    for (const auto& [group, text] : configs) out += "  " + group + ": " + (text.empty() ? "(no config recorded)" : text) + "\n";
  }
  if (!r.verdicts.empty()) {
    out += "\nVerdicts (better = higher median; significant = Holm-adjusted p < alpha):\n";
    for (const auto& v : r.verdicts) out += "  " + verdict_text(v) + "\n";
  }
  return out;
}

/// The comparison as JSON (keys in this order, numbers as Python writes them, non-finite as null):
/// `{"by", "alpha", "objective": "maximise", "source", "runs", "scenarios": [{"scenario", "groups":
/// [{"group", "config", "runs", "min", "q1", "median", "q3", "max", "mean", "objectives": [...]}],
/// "pairs": [{"a", "b", "test", "n_a", "n_b", "zero_differences", "statistic", "p_value", "p_holm", "exact", "a12",
/// "median_difference", "better", "significant"}]}], "verdicts": [{"a", "b", "scenarios",
/// "a_better", "b_better", "ties", "a_significant", "b_significant", "text"}]}`. `better` is the
/// better group's name or null for a tie; `statistic` is W+ (wilcoxon) or U of a (mann-whitney).
inline std::string compare_json(const comparison_result& r) {
  const auto q = [](std::string_view s) { return fhops::json_quote(s); };
  const auto n = [](double x) { return fhops::json_number(x); };
  std::string out = "{\n  \"by\": " + q(to_string(r.by)) + ",\n  \"alpha\": " + n(r.alpha) + ",\n  \"objective\": \"maximise\",\n  \"source\": " +
                    q(r.source) + ",\n  \"runs\": " + std::to_string(r.runs) + ",\n  \"scenarios\": [";
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    const auto& sc = r.scenarios[s];
    out += std::string(s ? "," : "") + "\n    {\"scenario\": " + q(sc.scenario) + ",\n     \"groups\": [";
    for (std::size_t i = 0; i < sc.groups.size(); ++i) {
      const auto& g = sc.groups[i];
      out += std::string(i ? "," : "") + "\n       {\"group\": " + q(g.group) + ", \"config\": " + q(g.config) +
             ", \"runs\": " + std::to_string(g.objectives.size()) + ", \"min\": " + n(g.min) + ", \"q1\": " + n(g.q1) +
             ", \"median\": " + n(g.median) + ", \"q3\": " + n(g.q3) + ", \"max\": " + n(g.max) + ", \"mean\": " + n(g.mean) +
             ", \"objectives\": [";
      for (std::size_t k = 0; k < g.objectives.size(); ++k) out += (k ? ", " : "") + n(g.objectives[k]);
      out += "]}";
    }
    out += "],\n     \"pairs\": [";
    for (std::size_t i = 0; i < sc.pairs.size(); ++i) {
      const auto& p = sc.pairs[i];
      out += std::string(i ? "," : "") + "\n       {\"a\": " + q(p.a) + ", \"b\": " + q(p.b) + ", \"test\": " + q(p.test()) +
             ", \"n_a\": " + std::to_string(p.n_a) + ", \"n_b\": " + std::to_string(p.n_b) +
             ", \"zero_differences\": " + std::to_string(p.zero_differences) + ", \"statistic\": " + n(p.statistic) +
             ", \"p_value\": " + n(p.p_value) + ", \"p_holm\": " + n(p.p_holm) + ", \"exact\": " + (p.exact ? "true" : "false") +
             ", \"a12\": " + n(p.a12) + ", \"median_difference\": " + n(p.median_difference) +
             ", \"better\": " + (p.better == 0 ? std::string("null") : q(p.better > 0 ? p.a : p.b)) +
             ", \"significant\": " + (p.significant ? "true" : "false") + "}";
    }
    out += "]}";
  }
  out += "],\n  \"verdicts\": [";
  for (std::size_t i = 0; i < r.verdicts.size(); ++i) {
    const auto& v = r.verdicts[i];
    out += std::string(i ? "," : "") + "\n    {\"a\": " + q(v.a) + ", \"b\": " + q(v.b) + ", \"scenarios\": " + std::to_string(v.scenarios) +
           ", \"a_better\": " + std::to_string(v.a_better) + ", \"b_better\": " + std::to_string(v.b_better) +
           ", \"ties\": " + std::to_string(v.ties) + ", \"a_significant\": " + std::to_string(v.a_significant) +
           ", \"b_significant\": " + std::to_string(v.b_significant) + ", \"text\": " + q(verdict_text(v)) + "}";
  }
  return out + "]\n}\n";
}

}  // namespace fhops::telemetry
