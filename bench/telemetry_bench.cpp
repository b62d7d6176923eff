// Benchmark: telemetry costs and throughput (issue 4's performance targets).
// Usage: telemetry_bench [REFERENCE_DIR] [--work DIR] [--keep-work] [--import-mb N] [--report-runs N] [--repeat N]
//                        [--only SECTIONS] [--sa-iters N] [--sa-mode null|log]
//   1. SA iterations/s on med42 (demo without the reference) with the null observer vs step logging
//      every 100 steps through the async JSONL step sink;
//   2. run records/s into SQLite, batched (1,000 per transaction) and one transaction per run, and
//      SQLite alone storing the same rows (INSERT ... SELECT into a fresh store: the floor);
//   3. step records/s through the async JSONL sink (producer side and until on disk);
//   4. `telemetry report` over a store of N runs (default 100,000);
//   5. import of an N MB run log (default 1,024) into a fresh store, and the read/parse alone.
// Figures go to bench/RESULTS.md (medians of --repeat runs).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fhops/harvest/harvest.hpp"
#include "fhops/harvest/solver.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/async_sink.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/recorder.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/workflows/run_telemetry.hpp"

namespace {

namespace fs = std::filesystem;
namespace tel = fhops::telemetry;
using namespace fhops::harvest;
using clock_type = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

// A realistic solve-heur run record (the demo's payload: config, context with machine costs, KPIs).
tel::run_record sample_record(const scenario& sc, const problem& pb) {
  solve_options o;
  o.stop.max_iterations = 200;
  run_context ctx;
  ctx.source = "cli.solve-heur";
  ctx.iters = 200;
  auto r = begin_run_record(solver_kind::sa, o, ctx, &sc, 42);
  const auto out = solve(pb, o);
  finish_run_record(r, solver_kind::sa, o, out, compute_kpis(pb, out.search.best), out.search.seconds);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string ref, work = (fs::temp_directory_path() / "fhops_telemetry_bench").string();
  long long import_mb = 1024, report_runs = 100000;
  int repeat = 5;
  std::string only;  // --only 12345: the sections to run (default all)
  long long sa_iters = 200000;
  std::string sa_mode = "both";  // --sa-mode null|log: one side only (for callgrind instruction counts)
  bool keep_work = false;        // --keep-work: leave the stores in --work for inspection
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--work" && i + 1 < argc) work = argv[++i];
    else if (a == "--import-mb" && i + 1 < argc) import_mb = std::atoll(argv[++i]);
    else if (a == "--report-runs" && i + 1 < argc) report_runs = std::atoll(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--sa-iters" && i + 1 < argc) sa_iters = std::atoll(argv[++i]);
    else if (a == "--sa-mode" && i + 1 < argc) sa_mode = argv[++i];
    else if (a == "--keep-work") keep_work = true;
    else ref = a;
  }
  fs::remove_all(work);
  fs::create_directories(work);
  const auto run = [&](char section) { return only.empty() || only.find(section) != std::string::npos; };

  // 1. SA with and without step logging.
  if (run('1')) {
  const fs::path med42 = fs::path(ref) / "scenarios/med42/scenario.yaml";
  const fs::path scenario_path = !ref.empty() && fs::exists(med42) ? med42 : fs::path(FHOPS_BENCH_SOURCE_DIR) / "examples/scenarios/demo";
  const scenario sc = load_scenario(scenario_path);
  const problem pb(sc);
  solve_options o;
  o.stop.max_iterations = sa_iters;
  std::vector<double> null_rate{0.0}, log_rate{0.0};
  for (int k = 0; k < repeat; ++k) {
    if (sa_mode != "log") {
      const auto t = clock_type::now();
      auto a = solve(pb, o);
      null_rate.push_back(static_cast<double>(a.search.iterations) / seconds_since(t));
    }
    if (sa_mode != "null") {
      tel::step_log steps(fs::path(work) / "steps");
      tel::async_sink async(steps);
      const auto t = clock_type::now();
      auto b = solve(pb, o, tel::step_recorder(async, {tel::new_run_id(), 100, tel::acceptance_column::accepted}));
      async.close();
      log_rate.push_back(static_cast<double>(b.search.iterations) / seconds_since(t));
    }
  }
  if (null_rate.size() > 1) null_rate.erase(null_rate.begin());
  if (log_rate.size() > 1) log_rate.erase(log_rate.begin());
  std::printf("SA on %s, %lld iterations, median of %d: null observer %.0f it/s; step log every 100 (async JSONL) %.0f it/s (%+.1f%%)\n",
              sc.name.c_str(), o.stop.max_iterations, repeat, median(null_rate), median(log_rate),
              100.0 * (median(log_rate) / median(null_rate) - 1.0));

  }
  // 2. Run records into SQLite.
  const scenario demo_sc = load_scenario(fs::path(FHOPS_BENCH_SOURCE_DIR) / "examples/scenarios/demo");
  const problem demo_pb(demo_sc);
  const auto sample = sample_record(demo_sc, demo_pb);
  const std::string sample_line = tel::jsonl_line(sample);
  if (run('2')) {
  std::vector<double> batched, single, copy_rate, stored_bytes;
  for (int k = 0; k < repeat; ++k) {
    const fs::path db = fs::path(work) / ("batch" + std::to_string(k) + ".sqlite");
    tel::sqlite_store store(db);
    std::vector<tel::json::object> batch;
    const int n = 20000;
    auto t = clock_type::now();
    for (int i = 0; i < n; ++i) {
      auto r = sample;
      r.run_id = tel::new_run_id();
      batch.push_back(tel::to_json(r));
      if (batch.size() == 1000) {
        store.persist_runs(batch);
        batch.clear();
      }
    }
    batched.push_back(n / seconds_since(t));
    // SQLite's own floor for these rows: copy the 20,000 runs just written, table by table, into a
    // fresh store with the same schema and pragmas (INSERT ... SELECT: no code of ours per row).
    {
      const fs::path copy = fs::path(work) / ("floor" + std::to_string(k) + ".sqlite");
      tel::sqlite_store dest(copy);
      auto& d = dest.database();
      d.exec("ATTACH DATABASE '" + db.string() + "' AS src");
      const auto tf = clock_type::now();
      d.exec("BEGIN IMMEDIATE");
      for (const char* table : {"runs", "run_metrics", "run_kpis", "run_records"})
        d.exec(std::string("INSERT INTO main.") + table + " SELECT * FROM src." + table);
      d.exec("COMMIT");
      copy_rate.push_back(n / seconds_since(tf));
      const auto size = fs::file_size(db) + fs::file_size(db.string() + "-wal");
      stored_bytes.push_back(static_cast<double>(size) / n);
    }
    t = clock_type::now();
    for (int i = 0; i < 1000; ++i) {
      auto r = sample;
      r.run_id = tel::new_run_id();
      store.persist_run(tel::to_json(r));
    }
    single.push_back(1000 / seconds_since(t));
  }
  std::printf("SQLite run records (%zu-byte record, %zu metrics, %zu KPIs): batched 1000/transaction %.0f records/s; one transaction per run %.0f records/s\n",
              sample_line.size(), sample.metrics.size(), sample.kpis.size(), median(batched), median(single));
  std::printf("SQLite alone (the same 20,000 runs copied table to table by INSERT ... SELECT into a fresh store): %.0f records/s;"
              " about %.0f bytes stored per run\n",
              median(copy_rate), median(stored_bytes));

  }
  // 3. Step records through the async JSONL sink.
  if (run('3')) {
  std::vector<double> produced, landed;
  const long long steps_n = 2000000;
  for (int k = 0; k < repeat; ++k) {
    fs::remove_all(fs::path(work) / "asteps");
    tel::step_log steps(fs::path(work) / "asteps");
    tel::async_sink async(steps);
    // One record reused, as step_recorder does (its strings are not rebuilt per step).
    tel::step_record rec{tel::new_run_id(), tel::utc_iso_seconds(), 0, 0.0, 2.5, 0.5, 0.25, 0, 0};
    auto t = clock_type::now();
    for (long long i = 1; i <= steps_n; ++i) {
      rec.step = i;
      rec.objective = 1.5 * static_cast<double>(i);
      rec.proposals = i;
      rec.accepted_moves = i / 2;
      async.step(rec);
    }
    produced.push_back(static_cast<double>(steps_n) / seconds_since(t));
    async.close();
    landed.push_back(static_cast<double>(steps_n) / seconds_since(t));
  }
  std::printf("Async JSONL step sink, %lld records, median of %d: producer %.0f records/s; on disk %.0f records/s\n", steps_n, repeat,
              median(produced), median(landed));

  }
  // 4. Report over a large store.
  if (run('4')) {
    const fs::path db = fs::path(work) / "report.sqlite";
    tel::sqlite_store store(db);
    std::vector<tel::json::object> batch;
    const char* sources[] = {"cli.solve-heur", "cli.tune-random", "cli.tune-grid", "benchmark.ils"};
    for (long long i = 0; i < report_runs; ++i) {
      auto r = sample;
      r.run_id = tel::new_run_id();
      r.scenario = "scenario-" + std::to_string(i % 7);
      tel::set(r.context, "source", sources[i % 4]);
      tel::set(r.metrics, "objective", static_cast<double>(i % 1000));
      batch.push_back(tel::to_json(r));
      if (batch.size() == 5000) {
        store.persist_runs(batch);
        batch.clear();
      }
    }
    if (!batch.empty()) store.persist_runs(batch);
    std::vector<double> times;
    std::size_t rows = 0;
    for (int k = 0; k < repeat; ++k) {
      tel::sqlite_store ro(db, tel::store_options{60000, true});
      const auto t = clock_type::now();
      const auto r = tel::build_report(ro);
      const std::string csv = tel::report_csv(r) + tel::report_markdown(r);
      times.push_back(seconds_since(t));
      rows = r.size();
    }
    std::printf("Report over %lld runs (%zu rows), median of %d: %.3f s\n", report_runs, rows, repeat, median(times));
  }

  // 5. Import of a large JSONL.
  if (import_mb > 0 && run('5')) {
    const fs::path log = fs::path(work) / "big.jsonl";
    {
      std::string chunk;
      tel::jsonl_appender out(log);
      std::uintmax_t written = 0;
      while (written < static_cast<std::uintmax_t>(import_mb) << 20) {
        chunk.clear();
        for (int i = 0; i < 1000; ++i) {
          auto r = sample;
          r.run_id = tel::new_run_id();
          chunk += tel::jsonl_line(r);
        }
        out.append(chunk);
        written += chunk.size();
      }
    }
    const double mb = static_cast<double>(fs::file_size(log)) / (1 << 20);
    auto t = clock_type::now();
    std::size_t n = 0;
    tel::read_jsonl(log.string(), [&](const tel::text_line&, tel::json&&) { ++n; });
    const double read_s = seconds_since(t);
    tel::sqlite_store store(fs::path(work) / "imported.sqlite");
    t = clock_type::now();
    const auto r = tel::import_logs(store, {log});
    const double import_s = seconds_since(t);
    std::printf("JSONL of %.0f MB (%zu run records): read+parse (simdjson) %.1f MB/s; import into SQLite %.1f MB/s (%.0f records/s)\n", mb, n,
                mb / read_s, mb / import_s, static_cast<double>(r.runs) / import_s);
  }
  if (!keep_work) fs::remove_all(work);
  return 0;
}
