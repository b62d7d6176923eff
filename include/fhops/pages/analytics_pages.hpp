/// \file
/// The analytics pages (telemetry_tuning.md §9.3 rebuilt as static HTML): each page computes its
/// data with the library (analytics.hpp, playback.hpp, bench_suite.hpp) under a cooperative
/// deadline and renders tables and inline SVG charts (svg_chart.hpp). `analytics_page_jobs()`
/// gives the pages in the reference runner's order for fhops::run_pages.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/playback.hpp"
#include "fhops/pages/page_runner.hpp"
#include "fhops/pages/svg_chart.hpp"
#include "fhops/util/html.hpp"
#include "fhops/workflows/analytics.hpp"
#include "fhops/workflows/bench_suite.hpp"

namespace fhops::harvest {

/// What the pages read; every input has a bundled default.
struct analytics_inputs {
  bool light = false;
  std::uint64_t seed = 42;
  std::filesystem::path scenarios_dir;  ///< the bundled scenarios (demo, synth-*): required (the driver's --scenarios-dir)
  std::optional<std::filesystem::path> scenario;      ///< replaces the scenario of the single-scenario pages
  std::optional<std::filesystem::path> assignments;   ///< a schedule of `scenario` instead of solving
  std::vector<std::filesystem::path> bench_scenarios;  ///< benchmark_summary (default: bundled)
  std::optional<std::filesystem::path> telemetry_log;  ///< telemetry_diagnostics: step or legacy JSONL
  std::optional<std::filesystem::path> tuner_report;   ///< tuner_report_analysis: a report CSV
  std::optional<std::filesystem::path> telemetry_store;  ///< tuner_report_analysis: a SQLite store
  std::optional<std::filesystem::path> history;        ///< tuner_history_analysis: a history CSV
  std::filesystem::path scratch;                      ///< a private folder for intermediate stores
};

namespace detail::pages {

namespace fs = std::filesystem;

/// Named ensembles of one schedule.
using ensemble_runs = std::vector<std::pair<std::string, std::vector<playback_sample>>>;

inline std::string f3(double v) { return fmt::format("{:.3f}", v); }

/// An HTML table; cells of `numeric` columns are right-aligned.
inline std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                         const std::set<std::size_t>& numeric = {}) {
  std::string out = "<table>\n<tr>";
  for (const auto& h : head) out += "<th>" + html::escape(h) + "</th>";
  out += "</tr>\n";
  for (const auto& r : rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < r.size(); ++i) out += (numeric.count(i) ? "<td class=\"n\">" : "<td>") + html::escape(r[i]) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

/// A grouped bar chart as SVG.
inline std::string bars(const std::string& title, svg::axis x, const std::string& y_title, std::vector<svg::bar_series> series) {
  svg::bar_chart c;
  c.title = title;
  c.x = std::move(x);
  c.y.title = y_title;
  c.series = std::move(series);
  return svg::render(c);
}

inline std::string para(const std::string& text) { return "<p>" + html::escape(text) + "</p>\n"; }
inline std::string h2(const std::string& text) { return "<h2>" + html::escape(text) + "</h2>\n"; }
inline std::string charts(const std::vector<std::string>& svgs) {
  std::string out = "<div class=\"charts\">\n";
  for (const auto& s : svgs) out += s;
  return out + "</div>\n";
}

/// The mode line every page shows.
inline std::string mode_text(bool light) {
  return light ? "Built in light mode (--light or FHOPS_ANALYTICS_LIGHT): at most 4 samples; downtime p <= 0.1, weather p <= 0.2, "
                 "landing p <= 0.2; small solver budgets."
               : "Built in full mode.";
}

inline page_output finish(const analytics_inputs& in, const std::string& title, const std::string& body,
                          std::vector<folder_file> files = {}) {
  std::string nav = "<nav><a href=\"index.html\">All pages</a></nav>\n";
  std::string data;
  if (!files.empty()) {
    data = h2("Data files") + "<ul>\n";
    for (const auto& [rel, content] : files) data += "<li><a href=\"" + html::escape(rel) + "\">" + html::escape(rel) + "</a></li>\n";
    data += "</ul>\n";
  }
  return {html::page(title, nav + "<p class=\"mode\">" + html::escape(mode_text(in.light)) + "</p>\n" + body + data,
                     in.light ? "light mode" : "full mode"),
          std::move(files)};
}

inline fs::path bundled(const analytics_inputs& in, const std::string& name) {
  if (in.scenarios_dir.empty()) throw std::invalid_argument("analytics_inputs.scenarios_dir is empty (the folder of the bundled scenarios demo, synth-*)");
  return in.scenarios_dir / name / "scenario.yaml";
}

/// The solver budget of a page solve in the current mode.
inline solve_options solve_budget(const analytics_inputs& in, const deadline& limit) {
  return page_solve_options(in.light ? 3000 : 20000, in.light ? 1.0 : 5.0, in.seed, limit);
}

/// A scenario with the schedule a page plays: `--assignments` when given, else an SA solve.
struct planned {
  std::string name;
  fs::path path;
  scenario sc;
  problem pb;
  schedule plan;
  std::string origin;  ///< how the schedule was obtained
};

inline planned plan_for(const analytics_inputs& in, const std::string& default_bundle, const deadline& limit) {
  const fs::path path = in.scenario ? *in.scenario : bundled(in, default_bundle);
  scenario sc = load_scenario(path);
  problem pb(sc);
  limit.check();
  if (in.assignments) {
    schedule s = read_assignments_csv(pb, *in.assignments);
    return {sc.name, path, std::move(sc), std::move(pb), std::move(s), "assignments " + in.assignments->string()};
  }
  const solve_options o = solve_budget(in, limit);
  solve_outcome out = solve_within(pb, o, limit);
  return {sc.name, path, std::move(sc), std::move(pb), std::move(out.search.best),
          fmt::format("simulated annealing, {} iterations, seed {} (objective {:.3f})", o.stop.max_iterations, o.seed, out.best.score)};
}

inline std::string scenario_line(const planned& p) {
  return para(fmt::format("Scenario {} ({}); schedule: {}.", p.name, p.path.string(), p.origin));
}

inline std::string samples_csv(const ensemble_runs& runs) {
  std::string out = "case,sample,production,downtime_hours,weather_hours,utilisation,landing_shock_days\n";
  for (const auto& [name, samples] : runs)
    for (std::size_t k = 0; k < samples.size(); ++k)
      out += fmt::format("{},{},{},{},{},{},{}\n", name, k, python_json_float(samples[k].production),
                         python_json_float(samples[k].downtime_hours), python_json_float(samples[k].weather_hours),
                         python_json_float(samples[k].utilisation()), samples[k].landing_shock_days);
  return out;
}

/// The ensemble summary table (mean/sd production, mean downtime, weather, utilisation, samples).
inline std::string ensemble_table(const ensemble_runs& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, samples] : runs) {
    const auto prod = summarise(sample_values(samples, [](const auto& s) { return s.production; }));
    const auto down = summarise(sample_values(samples, [](const auto& s) { return s.downtime_hours; }));
    const auto weather = summarise(sample_values(samples, [](const auto& s) { return s.weather_hours; }));
    const auto util = summarise(sample_values(samples, [](const auto& s) { return s.utilisation(); }));
    rows.push_back({name, std::to_string(samples.size()), fmt::format("{:.6f}", prod.mean), fmt::format("{:.6f}", prod.sd),
                    f3(down.mean), f3(weather.mean), fmt::format("{:.6f}", util.mean)});
  }
  return table({"case", "samples", "mean production", "sd production", "mean downtime hours", "mean weather hours", "mean utilisation"},
               rows, {1, 2, 3, 4, 5, 6});
}

inline std::string shocks_text(const sampling_config& c) {
  std::string s = fmt::format("{} sample(s), seed {}", c.samples, c.seed);
  if (c.downtime.enabled)
    s += fmt::format("; downtime p {} (mean {} h, sd {}, max {} concurrent)", c.downtime.probability, c.downtime.mean_hours,
                     c.downtime.sd_hours, c.downtime.max_concurrent);
  if (c.weather.enabled)
    s += fmt::format("; weather day p {} (moderate {} / severe {}, window {} d)", c.weather.day_probability, c.weather.moderate_weight,
                     c.weather.severe_weight, c.weather.window_days);
  if (c.landing.enabled)
    s += fmt::format("; landing p {} (x{}-{}, {} d)", c.landing.probability, c.landing.multiplier_lo, c.landing.multiplier_hi,
                     c.landing.duration_days);
  return s;
}

/// Plays each case on the plan, seeded with --seed and capped in light mode (the configs are
/// updated to what was played); `text` gets one paragraph per case naming its shocks.
inline ensemble_runs play_cases(const analytics_inputs& in, const planned& plan, std::vector<std::pair<std::string, sampling_config>>& cases,
                                std::string& text, const deadline& limit) {
  ensemble_runs runs;
  for (auto& [name, cfg] : cases) {
    cfg.seed = in.seed;
    cfg = in_mode(cfg, in.light);
    runs.emplace_back(name, play_ensemble(plan.pb, plan.plan, cfg, limit));
    text += para(name + ": " + shocks_text(cfg));
  }
  return runs;
}

inline std::string production_histogram(const std::string& title, const ensemble_runs& runs,
                                        std::vector<std::string> colour_domain = {}) {
  svg::histogram h;
  h.colour_domain = std::move(colour_domain);
  h.title = title;
  h.x_title = "total production per sample";
  h.y_title = "samples";
  h.bins = 10;
  for (const auto& [name, samples] : runs) h.samples.emplace_back(name, sample_values(samples, [](const auto& s) { return s.production; }));
  return svg::render(h);
}

inline std::string day_production_chart(const std::string& title, const planned& p,
                                        const ensemble_runs& runs) {
  svg::line_chart c;
  c.title = title;
  c.x.title = "day";
  c.y.title = "mean production";
  for (const auto& [name, samples] : runs) {
    svg::series s{name, {}};
    for (int d = 1; d <= p.pb.num_days; ++d) {
      double sum = 0.0;
      for (const auto& x : samples) sum += x.day_production[d];
      s.points.push_back({static_cast<double>(d), samples.empty() ? 0.0 : sum / static_cast<double>(samples.size())});
    }
    c.series.push_back(std::move(s));
  }
  return svg::render(c);
}

}  // namespace detail::pages

// --- the pages -------------------------------------------------------------------------------

/// stochastic_robustness: the `medium` sampling preset on a synthetic-medium schedule; histogram
/// of total production per sample.
inline page_output stochastic_robustness_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  const auto plan = p::plan_for(in, "synth-medium", limit);
  std::vector<std::pair<std::string, sampling_config>> cases{{"medium preset", sampling_preset("medium")}};
  std::string text;
  const auto runs = p::play_cases(in, plan, cases, text, limit);
  std::string body = p::scenario_line(plan) + p::para("Samples: " + std::to_string(cases[0].second.samples)) + text + p::ensemble_table(runs) +
                     p::charts({p::production_histogram("Total production per sample", runs),
                                p::day_production_chart("Mean production per day", plan, runs)});
  return p::finish(in, "Stochastic robustness", body, {{"data/stochastic_robustness/samples.csv", p::samples_csv(runs)}});
}

/// what_if_analysis: the medium preset with downtime p 0.1 (base) vs the what-if downtime p 0.3
/// (capped to 0.1 in light mode, which cancels the tweak, quirk 17).
inline page_output what_if_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  const auto plan = p::plan_for(in, "synth-medium", limit);
  std::vector<std::pair<std::string, sampling_config>> cases{{"base", sampling_preset("medium")}, {"downtime p 0.3", {}}};
  cases[0].second.downtime.probability = 0.1;
  cases[1].second = cases[0].second;
  cases[1].second.downtime.probability = 0.3;
  std::string text;
  const auto runs = p::play_cases(in, plan, cases, text, limit);
  const double b = summarise(sample_values(runs[0].second, [](const auto& s) { return s.production; })).mean;
  const double a = summarise(sample_values(runs[1].second, [](const auto& s) { return s.production; })).mean;
  const bool cancelled = cases[0].second.downtime.probability == cases[1].second.downtime.probability;
  std::string body = p::scenario_line(plan) + text +
                     p::para(fmt::format("Mean production per sample: base {:.2f}, adjusted {:.2f}{}", b, a,
                                         cancelled ? " (light mode caps both downtime probabilities to 0.1, so the tweak cancels)" : "")) +
                     p::ensemble_table(runs) +
                     p::charts({p::bars("Mean production per sample", {"case", {runs[0].first, runs[1].first}}, "mean production",
                                        {{"mean production", {b, a}}}),
                                p::production_histogram("Production per sample", runs)});
  return p::finish(in, "What-if analysis: downtime", body, {{"data/what_if_analysis/samples.csv", p::samples_csv(runs)}});
}

/// landing_congestion: the medium preset with landing shocks off (baseline) vs on with p 0.3,
/// x0.35-0.7, 3 days (capped to 0.2 in light mode); mean production, downtime and utilisation.
inline page_output landing_congestion_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  const auto plan = p::plan_for(in, "synth-medium", limit);
  std::vector<std::pair<std::string, sampling_config>> cases{{"baseline", sampling_preset("medium")}, {"landing_shock", {}}};
  cases[0].second.landing.enabled = false;
  cases[1].second = cases[0].second;
  cases[1].second.landing = {true, 0.3, 0.35, 0.7, 3};
  std::string text;
  const auto runs = p::play_cases(in, plan, cases, text, limit);
  svg::bar_chart per_sample;
  per_sample.title = "Production per sample";
  per_sample.y.title = "total production";
  per_sample.x.title = "sample";
  for (std::size_t k = 0; k < runs[0].second.size(); ++k) per_sample.x.categories.push_back(std::to_string(k));
  for (const auto& [name, samples] : runs)
    per_sample.series.push_back({name, sample_values(samples, [](const auto& s) { return s.production; })});
  std::string body = p::scenario_line(plan) + text + p::ensemble_table(runs) +
                     p::charts({p::production_histogram("Production per sample: baseline", {runs[0]}, {runs[0].first, runs[1].first}),
                                p::production_histogram("Production per sample: landing shock", {runs[1]}, {runs[0].first, runs[1].first}),
                                svg::render(per_sample),
                                p::day_production_chart("Mean production per day", plan, runs)});
  return p::finish(in, "Landing congestion", body, {{"data/landing_congestion/samples.csv", p::samples_csv(runs)}});
}

/// kpi_decomposition: the KPI totals of a schedule and their split per day (production,
/// mobilisation, utilisation) with a machine x day utilisation heatmap.
inline page_output kpi_decomposition_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  const auto plan = p::plan_for(in, "demo", limit);
  const auto kpis = compute_kpis(plan.pb, plan.plan);
  const auto dec = decompose_by_day(plan.pb, plan.plan);
  std::vector<std::vector<std::string>> totals;
  for (const auto& [k, v] : kpis.totals)
    totals.push_back({k, std::visit([](const auto& x) {
                        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) return x;
                        else if constexpr (std::is_same_v<std::decay_t<decltype(x)>, double>) return fmt::format("{:.6g}", x);
                        else return std::to_string(x);
                      }, v)});
  std::vector<std::vector<std::string>> days;
  std::string csv = "day,production,mobilisation_cost,worked_hours,capacity_hours,utilisation\n";
  svg::axis day_axis{"day", {}};
  for (int d = 1; d <= plan.pb.num_days; ++d) {
    day_axis.categories.push_back(std::to_string(d));
    days.push_back({std::to_string(d), p::f3(dec.production[d]), p::f3(dec.mobilisation[d]), p::f3(dec.worked_hours[d]),
                    p::f3(dec.capacity_hours[d]), fmt::format("{:.4f}", dec.utilisation(d))});
    csv += fmt::format("{},{},{},{},{},{}\n", d, python_json_float(dec.production[d]), python_json_float(dec.mobilisation[d]),
                       python_json_float(dec.worked_hours[d]), python_json_float(dec.capacity_hours[d]), python_json_float(dec.utilisation(d)));
  }
  svg::bar_chart prod;
  prod.title = "Production and mobilisation cost per day";
  prod.x = day_axis;
  prod.y.title = "production / cost";
  prod.series = {{"production", {dec.production.begin() + 1, dec.production.end()}},
                 {"mobilisation cost", {dec.mobilisation.begin() + 1, dec.mobilisation.end()}}};
  prod.width = 640;
  svg::line_chart util;
  util.title = "Utilisation per day";
  util.x = day_axis;
  util.y = {"worked / available hours", {}, 0.0, 1.0};
  svg::series us{"utilisation", {}};
  for (int d = 1; d <= plan.pb.num_days; ++d) us.points.push_back({static_cast<double>(d - 1), dec.utilisation(d)});
  util.series.push_back(std::move(us));
  svg::heatmap heat;
  heat.title = "Utilisation by machine and day";
  heat.x = day_axis;
  heat.y = {"machine", plan.pb.machine_ids};
  heat.value_title = "utilisation";
  for (const auto& row : dec.machine_utilisation) heat.values.emplace_back(row.begin() + 1, row.end());
  heat.width = 640;
  std::string body = p::scenario_line(plan) + p::h2("KPI totals") + p::table({"KPI", "value"}, totals, {1}) + p::h2("Per day") +
                     p::charts({svg::render(prod), svg::render(util), svg::render(heat)}) +
                     p::table({"day", "production", "mobilisation cost", "worked hours", "capacity hours", "utilisation"}, days,
                              {0, 1, 2, 3, 4, 5});
  return p::finish(in, "KPI decomposition", body,
                   {{"data/kpi_decomposition/by_day.csv", csv},
                    {"data/kpi_decomposition/assignments.csv", assignments_csv_text(plan.pb, plan.plan)}});
}

/// telemetry_diagnostics: objective vs iteration from a step or legacy JSONL log (`--telemetry-log`),
/// or from the step records of an SA run on the demo recorded here; table of accepted moves and
/// temperature.
inline page_output telemetry_diagnostics_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  trace_set traces;
  std::string source;
  std::vector<folder_file> files;
  if (in.telemetry_log) {
    traces = read_traces(*in.telemetry_log);
    source = "log " + in.telemetry_log->string();
  } else {
    const problem pb(load_scenario(in.scenario ? *in.scenario : p::bundled(in, "demo")));
    memory_step_sink sink;
    solve_options o = p::solve_budget(in, limit);
    const long long interval = std::max<long long>(1, o.stop.max_iterations / 50);
    solve_recorded(pb, o, sink, "analytics-sa", interval, limit);
    traces.emplace_back("analytics-sa", trace_of(sink.steps));
    std::string jsonl;
    for (const auto& s : sink.steps) telemetry::append_jsonl_line(jsonl, s);
    files.push_back({"data/telemetry_diagnostics/steps.jsonl", jsonl});
    source = fmt::format("step records of an SA run recorded here ({} iterations, every {} steps)", o.stop.max_iterations, interval);
  }
  svg::line_chart obj;
  obj.title = "Objective vs iteration";
  obj.x.title = "iteration";
  obj.y.title = "objective";
  obj.width = 960;  // a long run: wide, and (robust_y) clipped when a greedy start dwarfs the rest
  svg::line_chart temp;
  temp.title = "Temperature vs iteration";
  temp.x.title = "iteration";
  temp.y.title = "temperature";
  temp.width = 960;  // a log axis when the temperature spans over 3 decades (robust_y)
  std::vector<std::vector<std::string>> rows;
  for (const auto& [run, points] : traces) {
    svg::series cur{traces.size() > 1 ? run + " objective" : "objective", {}}, best{traces.size() > 1 ? run + " best" : "best", {}},
        t{run, {}};
    for (const auto& pt : points) {
      cur.points.push_back({static_cast<double>(pt.iteration), pt.objective});
      if (pt.best) best.points.push_back({static_cast<double>(pt.iteration), *pt.best});
      if (pt.temperature) t.points.push_back({static_cast<double>(pt.iteration), *pt.temperature});
      const auto opt = [](const std::optional<double>& v, int dec) { return v ? fmt::format("{:.{}f}", *v, dec) : std::string(); };
      rows.push_back({run, std::to_string(pt.iteration), fmt::format("{:.6g}", pt.objective), opt(pt.best, 3), opt(pt.accepted, 0),
                      opt(pt.acceptance_rate, 4), pt.temperature ? fmt::format("{:.6g}", *pt.temperature) : std::string()});
    }
    if (!best.points.empty()) obj.series.push_back(std::move(best));  // drawn first: the current objective stays visible
    obj.series.push_back(std::move(cur));
    if (!t.points.empty()) temp.series.push_back(std::move(t));
  }
  std::vector<std::string> svgs{svg::render(obj)};
  if (!temp.series.empty()) svgs.push_back(svg::render(temp));
  std::string body = p::para("Source: " + source + ".") + p::charts(svgs) +
                     p::table({"run", "iteration", "objective", "best", "accepted", "acceptance rate", "temperature"}, rows, {1, 2, 3, 4, 5, 6});
  return p::finish(in, "Telemetry diagnostics", body, std::move(files));
}

/// ensemble_resilience: per synthetic tier (small, medium, large) its sampling preset on the tier's
/// scenario: mean/sd production, mean downtime, sample count; histograms and downtime statistics.
inline page_output ensemble_resilience_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  p::ensemble_runs runs;
  std::vector<std::string> svgs;
  std::string lines;
  for (const std::string tier : {"small", "medium", "large"}) {
    analytics_inputs one = in;
    one.scenario.reset();
    one.assignments.reset();
    const auto plan = p::plan_for(one, "synth-" + tier, limit);
    sampling_config cfg = in_mode(sampling_preset(tier), in.light);
    cfg.seed = in.seed;
    runs.emplace_back(tier, play_ensemble(plan.pb, plan.plan, cfg, limit));
    lines += "<li>" + html::escape(tier + ": " + plan.name + " (" + plan.path.string() + "), " + p::shocks_text(cfg)) + "</li>\n";
    svgs.push_back(p::production_histogram("Production per sample: " + tier, {runs.back()}));
  }
  std::vector<std::vector<std::string>> down;
  for (const auto& [tier, samples] : runs) {
    auto v = sample_values(samples, [](const auto& s) { return s.downtime_hours; });
    const auto ms = summarise(v);
    std::sort(v.begin(), v.end());
    down.push_back({tier, std::to_string(v.size()), p::f3(ms.mean), p::f3(ms.sd), p::f3(v.front()), p::f3(v.back())});
  }
  std::string body = "<ul>\n" + lines + "</ul>\n" + p::ensemble_table(runs) + p::charts(svgs) + p::h2("Downtime hours per sample") +
                     p::table({"tier", "count", "mean", "std", "min", "max"}, down, {1, 2, 3, 4, 5});
  return p::finish(in, "Ensemble resilience", body, {{"data/ensemble_resilience/samples.csv", p::samples_csv(runs)}});
}

namespace detail::pages {

/// The bench suite over `scenarios` and `runs` into a scratch folder; the records with comparisons.
inline std::vector<record> bench(const analytics_inputs& in, const std::vector<named_scenario>& scenarios, std::vector<bench_run> runs,
                                 std::size_t repeats, const std::string& tag, const deadline& limit) {
  std::vector<problem> problems;
  for (const auto& s : scenarios) problems.emplace_back(load_scenario(s.path));
  std::vector<record> rows;
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    for (auto run : runs) {
      limit.check();
      run.options.stop.max_seconds = limit.clamp(run.options.stop.max_seconds);
      if (run.solver == "tabu") resolve_tabu_tenure(run.options, problems[i].num_machines);
      rows.push_back(run_bench_cell(problems[i], scenarios[i].name, scenarios[i].path, run, repeats, in.scratch / tag / scenarios[i].name));
      limit.check();
    }
  add_bench_comparisons(rows);
  return bench_csv_order(rows);
}

inline std::string text_of(const record& r, const char* k) {
  const auto* s = std::get_if<std::string>(r.find(k));
  return s ? *s : std::string();
}

inline bench_run sa_run(const analytics_inputs& in, const std::string& label, const operator_weights& w, const std::string& csv) {
  bench_run r{"sa", label, {}, csv};
  r.options.weights = w;
  r.options.seed = in.seed;
  r.options.stop.max_iterations = in.light ? 1500 : 10000;
  r.options.stop.max_seconds = in.light ? 1.0 : 10.0;
  return r;
}

}  // namespace detail::pages

/// operator_sweep: the bench suite on synthetic-medium with SA default and the compare presets
/// explore and stabilise (full mode adds mobilisation); objective and runtime by preset.
inline page_output operator_sweep_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  const std::filesystem::path path = in.scenario ? *in.scenario : p::bundled(in, "synth-medium");
  std::vector<bench_run> runs{p::sa_run(in, "default", solver_defaults(solver_kind::sa), "sa_assignments.csv")};
  runs.front().scenario_defaults = true;
  std::vector<std::string> presets{"explore", "stabilise"};
  if (!in.light) presets.push_back("mobilisation");
  for (const auto& name : presets) runs.push_back(p::sa_run(in, name, find_preset(name).weights, "sa_assignments_" + name + ".csv"));
  const std::size_t repeats = in.light ? 1 : 3;
  const auto rows = p::bench(in, {{"user-1", path}}, runs, repeats, "operator_sweep", limit);
  svg::axis presets_axis{"preset", {}};
  svg::bar_series o{"median", {}}, lo{"min", {}}, hi{"max", {}}, r{"runtime_s", {}};
  std::vector<std::vector<std::string>> table;
  for (const auto& row : rows) {
    const std::string label = p::text_of(row, "preset_label");
    presets_axis.categories.push_back(label);
    o.values.push_back(row.number("objective"));
    lo.values.push_back(row.number("objective_min"));
    hi.values.push_back(row.number("objective_max"));
    r.values.push_back(row.number("runtime_s"));
    table.push_back({label, p::f3(row.number("objective")), p::f3(row.number("objective_min")), p::f3(row.number("objective_max")),
                     fmt::format("{:.3f}", row.number("runtime_s")), fmt::format("{:.0f}", row.number("evaluations_per_second")),
                     p::f3(row.number("kpi_total_production")), p::f3(row.number("objective_gap_vs_best_heuristic"))});
  }
  if (repeats == 1) o.name = "objective";
  const std::string charts =
      p::charts({p::bars("Objective by preset", presets_axis, "objective (median)",
                         repeats > 1 ? std::vector<svg::bar_series>{lo, o, hi} : std::vector<svg::bar_series>{o}),
                 p::bars("Runtime by preset", presets_axis, "runtime (s)", {r})});
  std::string body = p::para(fmt::format("Bench suite on {}: SA, {} iterations (at most {} s), seed {}, {} repeat(s).", path.string(),
                                         runs[0].options.stop.max_iterations, runs[0].options.stop.max_seconds, in.seed, repeats)) +
                     charts +
                     p::table({"preset", "objective (median)", "min", "max", "runtime (s)", "evaluations/s", "KPI production", "gap vs best"},
                              table, {1, 2, 3, 4, 5, 6, 7});
  return p::finish(in, "Operator sweep", body,
                   {{"data/operator_sweep/summary.csv", records_csv(rows, record_columns(rows))},
                    {"data/operator_sweep/summary.json", records_json(rows) + "\n"}});
}

/// benchmark_summary: the bench suite (SA, ILS, Tabu) on the bundled demo and synthetic scenarios
/// (full mode adds synthetic medium and large) or `--bench-scenario`s; objective pivot by scenario
/// and solver, runtime table.
inline page_output benchmark_summary_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  std::vector<named_scenario> scenarios;
  if (!in.bench_scenarios.empty()) {
    for (std::size_t i = 0; i < in.bench_scenarios.size(); ++i) scenarios.push_back({fmt::format("user-{}", i + 1), in.bench_scenarios[i]});
  } else {
    std::vector<std::string> names{"demo", "synth-small"};
    if (!in.light) names.insert(names.end(), {"synth-medium", "synth-large"});
    for (const auto& n : names) scenarios.push_back({n, p::bundled(in, n)});
  }
  std::vector<bench_run> runs{p::sa_run(in, "default", solver_defaults(solver_kind::sa), "sa_assignments.csv")};
  runs.front().scenario_defaults = true;
  bench_run ils{"ils", "", {}, "ils_assignments.csv"};
  ils.options.kind = solver_kind::ils;
  ils.options.weights = solver_defaults(solver_kind::ils);
  ils.scenario_defaults = true;
  ils.options.seed = in.seed;
  ils.options.stop.max_iterations = in.light ? 20 : 150;
  ils.options.stop.max_seconds = in.light ? 1.0 : 10.0;
  bench_run tabu{"tabu", "", {}, "tabu_assignments.csv"};
  tabu.options.kind = solver_kind::tabu;
  tabu.options.weights = solver_defaults(solver_kind::tabu);
  tabu.scenario_defaults = true;
  tabu.options.seed = in.seed;
  tabu.options.stop.max_iterations = in.light ? 300 : 3000;
  tabu.options.stop.max_seconds = in.light ? 1.0 : 10.0;
  tabu.options.stop.stall_limit = 200;
  runs.push_back(ils);
  runs.push_back(tabu);
  const std::size_t repeats = in.light ? 1 : 3;
  const auto rows = p::bench(in, scenarios, runs, repeats, "benchmark_summary", limit);
  std::vector<std::string> solvers{"sa", "ils", "tabu"};
  svg::axis scenario_axis{"scenario", {}};
  for (const auto& s : scenarios) scenario_axis.categories.push_back(s.name);
  std::vector<svg::bar_series> objective_series, runtime_series;
  std::vector<std::vector<std::string>> pivot;
  for (const auto& s : scenarios) pivot.push_back({s.name, "", "", ""});
  for (std::size_t k = 0; k < solvers.size(); ++k) {
    svg::bar_series so{solvers[k], std::vector<double>(scenarios.size(), std::nan(""))}, sr = so;
    for (const auto& row : rows)
      if (p::text_of(row, "solver") == solvers[k])
        for (std::size_t i = 0; i < scenarios.size(); ++i)
          if (p::text_of(row, "scenario") == scenarios[i].name) {
            so.values[i] = row.number("objective");
            sr.values[i] = row.number("runtime_s");
            pivot[i][k + 1] = p::f3(row.number("objective"));
          }
    objective_series.push_back(std::move(so));
    runtime_series.push_back(std::move(sr));
  }
  std::vector<std::vector<std::string>> runtime;
  for (const auto& row : rows)
    runtime.push_back({p::text_of(row, "scenario"), p::text_of(row, "solver"), fmt::format("{:.3f}", row.number("runtime_s")),
                       fmt::format("{:.0f}", row.number("evaluations_per_second")), p::f3(row.number("objective_gap_vs_best_heuristic")),
                       std::to_string(static_cast<long long>(row.number("assignments")))});
  std::string body = p::para(fmt::format("Bench suite: {} scenario(s) x SA, ILS, Tabu, seed {}, {} repeat(s) (median objective).",
                                         scenarios.size(), in.seed, repeats)) +
                     p::charts({p::bars("Objective by scenario and solver", scenario_axis, "objective (median)", objective_series),
                                p::bars("Runtime by scenario and solver", scenario_axis, "runtime (s)", runtime_series)}) +
                     p::h2("Objective by scenario") +
                     p::table({"scenario", "sa", "ils", "tabu"}, pivot, {1, 2, 3}) + p::h2("Runtime") +
                     p::table({"scenario", "solver", "runtime (s)", "evaluations/s", "gap vs best heuristic", "assignments"}, runtime,
                              {2, 3, 4, 5});
  return p::finish(in, "Benchmark summary", body,
                   {{"data/benchmark_summary/summary.csv", records_csv(rows, record_columns(rows))},
                    {"data/benchmark_summary/summary.json", records_json(rows) + "\n"}});
}

namespace detail::pages {

/// The recorded rounds of the tuner pages (a store in the scratch folder).
inline telemetry_rounds_result rounds(const analytics_inputs& in, const std::string& tag, const deadline& limit) {
  const std::vector<named_scenario> scenarios{{"demo", bundled(in, "demo")}, {"synth-small", bundled(in, "synth-small")}};
  round_budget b;
  if (!in.light) b = {500, 10, 100, 5.0};
  const fs::path store = in.scratch / tag / "runs.sqlite";
  std::error_code ec;
  fs::remove_all(store.parent_path(), ec);
  fs::create_directories(store.parent_path());
  return telemetry_rounds(scenarios, in.light ? 2 : 4, b, in.seed, store, limit);
}

inline std::string report_table(const std::vector<tuner_report_entry>& rows) {
  std::vector<std::vector<std::string>> t;
  for (const auto& r : rows) t.push_back({r.algorithm, r.scenario, std::to_string(r.runs), f3(r.best), f3(r.mean), r.best_config});
  return table({"algorithm", "scenario", "runs", "best objective", "mean objective", "best config"}, t, {2, 3, 4});
}

inline std::string history_csv(const std::vector<history_entry>& rows) {
  std::string out = "snapshot,algorithm,scenario,best_objective,mean_objective,runs,best_delta\n";
  for (const auto& r : rows)
    out += fmt::format("{},{},{},{},{},{},{}\n", r.snapshot, csv_field(r.algorithm), csv_field(r.scenario), python_json_float(r.best),
                       python_json_float(r.mean), r.runs, r.best_delta ? python_json_float(*r.best_delta) : "");
  return out;
}

}  // namespace detail::pages

/// tuner_report_analysis: a tuner report (from `--tuner-report` CSV, `--telemetry-store`, or a
/// store recorded here in rounds), the best-objective chart by scenario and algorithm, and the
/// delta between the first and the last snapshot when recorded here.
inline page_output tuner_report_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  std::vector<tuner_report_entry> report;
  std::optional<std::vector<tuner_report_entry>> first;
  std::string source;
  std::vector<folder_file> files;
  if (in.tuner_report) {
    report = read_report_csv(*in.tuner_report);
    source = "report " + in.tuner_report->string();
  } else if (in.telemetry_store) {
    if (!std::filesystem::exists(*in.telemetry_store)) throw input_error(in.telemetry_store->string(), "no such telemetry store");
    telemetry::sqlite_store store(*in.telemetry_store, telemetry::store_options{.read_only = true, .verify = true});
    report = report_entries(telemetry::build_report(store));
    source = "store " + in.telemetry_store->string();
  } else {
    auto r = p::rounds(in, "tuner_report_analysis", limit);
    report = r.snapshots.back();
    first = r.snapshots.front();
    source = fmt::format("a telemetry store recorded here: {} round(s) of SA, ILS and Tabu runs on demo and synth-small", r.snapshots.size());
    files.push_back({"data/tuner_report_analysis/runs.jsonl", r.jsonl});
  }
  std::vector<std::string> scen, algos;
  for (const auto& r : report) {
    if (std::find(scen.begin(), scen.end(), r.scenario) == scen.end()) scen.push_back(r.scenario);
    if (std::find(algos.begin(), algos.end(), r.algorithm) == algos.end()) algos.push_back(r.algorithm);
  }
  std::vector<svg::bar_series> best_series, mean_series;
  for (const auto& a : algos) {
    svg::bar_series b{a, std::vector<double>(scen.size(), std::nan(""))}, m = b;
    for (const auto& r : report)
      if (r.algorithm == a) {
        const auto i = static_cast<std::size_t>(std::find(scen.begin(), scen.end(), r.scenario) - scen.begin());
        b.values[i] = r.best;
        m.values[i] = r.mean;
      }
    best_series.push_back(std::move(b));
    mean_series.push_back(std::move(m));
  }
  std::string report_csv_text = "algorithm,scenario,runs,best_objective,mean_objective,best_config\n";
  for (const auto& r : report)
    report_csv_text += fmt::format("{},{},{},{},{},{}\n", detail::csv_field(r.algorithm), detail::csv_field(r.scenario), r.runs,
                                   python_json_float(r.best), python_json_float(r.mean), detail::csv_field(r.best_config));
  files.push_back({"data/tuner_report_analysis/report.csv", report_csv_text});
  std::string body = p::para("Source: " + source + ".") +
                     p::charts({p::bars("Best objective by scenario and algorithm", {"scenario", scen}, "best objective", best_series),
                                p::bars("Mean objective by scenario and algorithm", {"scenario", scen}, "mean objective", mean_series)}) +
                     p::h2("Report") +
                     p::report_table(report);
  if (first) {
    std::vector<std::vector<std::string>> delta;
    for (const auto& r : report)
      for (const auto& f : *first)
        if (f.algorithm == r.algorithm && f.scenario == r.scenario)
          delta.push_back({r.algorithm, r.scenario, p::f3(f.best), p::f3(r.best), p::f3(r.best - f.best), p::f3(r.mean - f.mean)});
    body += p::h2("Delta: first round vs latest") +
            p::table({"algorithm", "scenario", "best (first)", "best (latest)", "best delta", "mean delta"}, delta, {2, 3, 4, 5});
  }
  return p::finish(in, "Tuner report analysis", body, std::move(files));
}

/// tuner_history_analysis: report snapshots over time (`--history` CSV, or the reports of the
/// rounds recorded here), best_delta per (scenario, algorithm) and a trend chart faceted by scenario.
inline page_output tuner_history_page(const analytics_inputs& in, const deadline& limit) {
  namespace p = detail::pages;
  std::vector<history_entry> rows;
  std::string source;
  if (in.history) {
    rows = read_history_csv(*in.history);
    source = "history " + in.history->string();
  } else {
    const auto r = p::rounds(in, "tuner_history_analysis", limit);
    for (std::size_t k = 0; k < r.snapshots.size(); ++k) {
      const auto snap = history_rows(fmt::format("round-{:02}", k + 1), r.snapshots[k]);
      rows.insert(rows.end(), snap.begin(), snap.end());
    }
    add_best_deltas(rows);
    source = fmt::format("the report of a telemetry store after each of {} recorded round(s)", r.snapshots.size());
  }
  std::vector<std::string> snapshots, scenarios, algos;
  const auto add = [](std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const auto& r : rows) add(snapshots, r.snapshot), add(scenarios, r.scenario), add(algos, r.algorithm);
  std::vector<std::pair<std::string, std::string>> panels;
  for (const auto& sc : scenarios) {
    svg::line_chart c;
    c.title = "Best objective: " + sc;
    c.x = {"snapshot", snapshots};
    c.y.title = "best objective";
    c.colour_domain = algos;
    for (const auto& a : algos) {
      svg::series s{a, {}};
      for (const auto& r : rows)
        if (r.scenario == sc && r.algorithm == a)
          s.points.push_back({static_cast<double>(std::find(snapshots.begin(), snapshots.end(), r.snapshot) - snapshots.begin()), r.best});
      if (!s.points.empty()) c.series.push_back(std::move(s));
    }
    panels.emplace_back("", svg::render(c));  // the chart's title names the scenario
  }
  std::vector<std::vector<std::string>> t;
  for (const auto& r : rows)
    t.push_back({r.snapshot, r.algorithm, r.scenario, p::f3(r.best), p::f3(r.mean), std::to_string(r.runs),
                 r.best_delta ? p::f3(*r.best_delta) : ""});
  std::string body = p::para("Source: " + source + ".") + svg::facets(panels) +
                     p::table({"snapshot", "algorithm", "scenario", "best", "mean", "runs", "best_delta"}, t, {3, 4, 5, 6});
  return p::finish(in, "Tuner history", body, {{"data/tuner_history_analysis/history.csv", p::history_csv(rows)}});
}

/// The pages in the reference runner's order (§9.1), then the two tuner pages it leaves out.
inline std::vector<std::pair<std::string, std::string>> analytics_page_names() {
  return {{"stochastic_robustness", "Stochastic robustness"}, {"what_if_analysis", "What-if analysis: downtime"},
          {"landing_congestion", "Landing congestion"},       {"kpi_decomposition", "KPI decomposition"},
          {"telemetry_diagnostics", "Telemetry diagnostics"}, {"ensemble_resilience", "Ensemble resilience"},
          {"operator_sweep", "Operator sweep"},               {"benchmark_summary", "Benchmark summary"},
          {"tuner_report_analysis", "Tuner report analysis"}, {"tuner_history_analysis", "Tuner history"}};
}

/// The page jobs for `names` (all pages when empty), in the order of analytics_page_names().
/// Throws std::invalid_argument naming an unknown page and listing the known ones.
inline std::vector<page_job> analytics_page_jobs(const analytics_inputs& in, const std::vector<std::string>& names = {}) {
  using fn = page_output (*)(const analytics_inputs&, const deadline&);
  const std::map<std::string, fn> table{
      {"stochastic_robustness", stochastic_robustness_page}, {"what_if_analysis", what_if_page},
      {"landing_congestion", landing_congestion_page},       {"kpi_decomposition", kpi_decomposition_page},
      {"telemetry_diagnostics", telemetry_diagnostics_page}, {"ensemble_resilience", ensemble_resilience_page},
      {"operator_sweep", operator_sweep_page},               {"benchmark_summary", benchmark_summary_page},
      {"tuner_report_analysis", tuner_report_page},          {"tuner_history_analysis", tuner_history_page}};
  const auto all = analytics_page_names();
  for (const auto& n : names)
    if (!table.count(n)) {
      std::string known;
      for (const auto& [k, t] : all) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown page '" + n + "' (pages: " + known + ")");
    }
  std::vector<page_job> jobs;
  for (const auto& [name, title] : all)
    if (names.empty() || std::find(names.begin(), names.end(), name) != names.end()) {
      const fn f = table.at(name);
      jobs.push_back({name, title, [f, in](const deadline& limit) { return f(in, limit); }});
    }
  return jobs;
}

}  // namespace fhops::harvest
