// fhops telemetry report | prune | maintain | import | repair: the telemetry store's maintenance
// commands (telemetry_tuning.md §4 and the ops runbook, docs/howto/telemetry_ops.md). Errors are
// one line with exit 1; outputs are written to a temporary file and renamed.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/telemetry/analysis/report.hpp"
#include "fhops/telemetry/maintenance.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/file_identity.hpp"

namespace fhops_cli {

namespace {

namespace fs = std::filesystem;
namespace tel = fhops::telemetry;

void add_busy_timeout(po::options_description& opts) {
  opts.add_options()("busy-timeout", busy_timeout_value("busy-timeout")->default_value(60.0), "seconds to wait for other writers of the store");
}

// "28d", "12h", "90m", "30s", "2w" → seconds; a count of digits and a unit, at most 100 years
// (beyond it a cutoff leaves the clock's range), else a usage error naming the option.
std::chrono::seconds parse_age(const std::string& text, const std::string& option) {
  const long long max = tel::max_rotation_age.count();
  std::size_t used = 0;
  long long n = 0;
  for (; used < text.size() && text[used] >= '0' && text[used] <= '9' && n <= max; ++used) n = n * 10 + (text[used] - '0');
  const std::string unit = text.substr(used);
  const long long scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : unit == "w" ? 604800 : 0;
  if (used == 0 || scale == 0 || n > max / scale)
    throw usage_error(option + " must be a count and a unit s, m, h, d or w of at most 100 years (36500d), e.g. 28d (got '" + text +
                      "')");
  return std::chrono::seconds(n * scale);
}

std::string human(std::uintmax_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= (1u << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{} B", bytes);
}

int report(int argc, char** argv) {
  return guarded("telemetry report", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out-csv", po::value<std::string>(), "write the report as CSV (the reference's columns, CRLF)")
      ("out-markdown", po::value<std::string>(), "write the report as Markdown")
      ("out-html", po::value<std::string>(), "write the report as an HTML page");
    po::options_description hidden;
    hidden.add_options()("sqlite", po::value<std::string>()->default_value("telemetry/runs.sqlite"), "store");
    po::positional_options_description pos;
    pos.add("sqlite", 1);
    const parsed p = parse("telemetry report", "[SQLITE] [--out-csv PATH] [--out-markdown PATH] [--out-html PATH]", argc, argv,
                           opts, pos, hidden);
    if (p.help) return exit_ok;
    const fs::path store_path = fs::absolute(p.vm["sqlite"].as<std::string>());
    if (!fs::exists(store_path)) throw std::runtime_error("Telemetry SQLite store not found: " + store_path.string());
    fhops::io_paths io;
    io.input("the store", store_path);
    for (const char* option : {"out-csv", "out-markdown", "out-html"})
      if (p.vm.count(option)) io.output(std::string("--") + option, p.vm[option].as<std::string>());
    io.check();
    tel::sqlite_store store(store_path, tel::store_options{.read_only = true, .verify = true});
    const auto rows = tel::build_report(store);
    if (rows.empty()) {
      std::cout << "No telemetry run records found.\n";
      return exit_ok;
    }
    const bool any_out = p.vm.count("out-csv") || p.vm.count("out-markdown") || p.vm.count("out-html");
    if (p.vm.count("out-csv")) fhops::write_file_atomic(p.vm["out-csv"].as<std::string>(), tel::report_csv(rows));
    if (p.vm.count("out-markdown")) fhops::write_file_atomic(p.vm["out-markdown"].as<std::string>(), tel::report_markdown(rows));
    if (p.vm.count("out-html")) fhops::write_file_atomic(p.vm["out-html"].as<std::string>(), tel::report_html(rows));
    if (!any_out) std::cout << tel::report_markdown(rows);
    else std::cout << fmt::format("Report of {} (algorithm, scenario) row(s) from {}.\n", rows.size(), store_path.string());
    const auto alerts = tel::repair_alerts(rows);
    if (!alerts.empty()) {
      std::string list;
      for (const auto& a : alerts) list += (list.empty() ? "" : ", ") + a;
      std::cout << "WARNING: repair usage alerts detected for " << list
                << ". Review the `repair_usage_alert` column for details.\n";
    }
    return exit_ok;
  });
}

int prune(int argc, char** argv) {
  return guarded("telemetry prune", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("keep,k", integer_value("keep", 1), "keep the last N records (lines) of the log (default 5000 unless --older-than is given)")
      ("steps-dir", po::value<std::string>(), "step-log folder (default: the log's sibling steps/)")
      ("sqlite", po::value<std::string>(), "SQLite mirror to prune with the log (default: the log's sibling .sqlite, when it exists)")
      ("older-than", po::value<std::string>(), "rotation: move records older than this (e.g. 28d) to --archive-dir")
      ("archive-dir", po::value<std::string>(), "rotation: archive folder (JSONL, SQLite and steps/ appended there)")
      ("dry-run", po::bool_switch(), "say what would change and change nothing")
      ("force", po::bool_switch(), "rewrite the log even when its mode has no write bit (a read-only log is refused otherwise)");
    add_busy_timeout(opts);
    po::options_description hidden;
    hidden.add_options()("log", po::value<std::string>()->default_value("telemetry/runs.jsonl"), "log");
    po::positional_options_description pos;
    pos.add("log", 1);
    const parsed p = parse("telemetry prune", "[TELEMETRY_LOG] [--keep N] [--older-than AGE --archive-dir DIR] [--dry-run]", argc,
                           argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    const fs::path log = vm["log"].as<std::string>();
    tel::prune_options o;
    o.dry_run = vm["dry-run"].as<bool>();
    o.force = vm["force"].as<bool>();
    o.busy_timeout_ms = busy_milliseconds(vm, "busy-timeout");
    o.steps_dir = vm.count("steps-dir") ? fs::path(vm["steps-dir"].as<std::string>()) : tel::steps_dir_for(log);
    if (vm.count("sqlite")) o.sqlite = vm["sqlite"].as<std::string>();
    if (vm.count("older-than")) {
      o.older_than = parse_age(vm["older-than"].as<std::string>(), "--older-than");
      if (!vm.count("archive-dir")) throw usage_error("--older-than needs --archive-dir (records are moved, never deleted)");
      o.archive_dir = vm["archive-dir"].as<std::string>();
    } else if (vm.count("archive-dir")) {
      throw usage_error("--archive-dir needs --older-than");
    }
    if (vm.count("keep")) {
      o.keep = static_cast<std::size_t>(vm["keep"].as<long long>());
    } else if (!o.older_than) {
      o.keep = 5000;
    }
    if (!fs::exists(log)) {
      std::cout << "No telemetry log found at " << log.string() << ". Nothing to prune.\n";
      return exit_ok;
    }
    if (fs::is_directory(log)) throw std::runtime_error(log.string() + ": is a directory, not a telemetry log");
    {  // the log and its mirror are rewritten in place; the archive's copies must be other files
      const fs::path sqlite = o.sqlite ? *o.sqlite : tel::sqlite_path_for(log);
      fhops::io_paths io;
      io.output("the telemetry log", log).output(o.sqlite ? "--sqlite" : "the SQLite mirror", sqlite);
      if (o.archive_dir)
        io.output("the archived log", *o.archive_dir / log.filename()).output("the archived SQLite store", *o.archive_dir / sqlite.filename());
      io.check();
    }
    const auto r = tel::prune_log(log, o);
    if (r.removed == 0) {
      if (o.keep && !o.older_than)
        std::cout << fmt::format("Telemetry log contains {} record(s); nothing to prune (keep={}).\n", r.lines, *o.keep);
      else
        std::cout << fmt::format("Telemetry log contains {} record(s); nothing to prune or rotate.\n", r.lines);
      return exit_ok;
    }
    std::string invalid;
    for (const auto& id : r.invalid_run_ids) invalid += (invalid.empty() ? "'" : ", '") + id.substr(0, 80) + "'";
    if (o.dry_run) {
      std::cout << fmt::format("[dry-run] Would keep {} record(s) and prune {}.\n", r.kept, r.removed);
      if (r.removed_run_ids.size() > r.invalid_run_ids.size())
        std::cout << fmt::format("[dry-run] Would remove {} step log(s) in {}.\n", r.removed_run_ids.size() - r.invalid_run_ids.size(),
                                 o.steps_dir.string());
      if (!r.invalid_run_ids.empty())
        std::cout << fmt::format("[dry-run] {} run id(s) of pruned records are not a valid run id (no file would be touched for them): {}.\n",
                                 r.invalid_run_ids.size(), invalid);
      if (r.had_sqlite && !r.removed_run_ids.empty())
        std::cout << fmt::format("[dry-run] Would remove {} run(s) from the SQLite mirror.\n", r.removed_run_ids.size());
      return exit_ok;
    }
    std::cout << fmt::format("Pruned {} record(s); kept {}. Removed {} step log(s).\n", r.removed, r.kept, r.step_logs);
    if (!r.invalid_run_ids.empty())
      std::cout << fmt::format("{} run id(s) are not valid run ids, so no step log was touched for them: {}.\n", r.invalid_run_ids.size(),
                               invalid);
    if (r.had_sqlite)
      std::cout << fmt::format("SQLite mirror: removed {} run(s) and {} tuner summary(ies).\n", r.sqlite_runs, r.sqlite_summaries);
    if (o.archive_dir) std::cout << "Records older than " << vm["older-than"].as<std::string>() << " were moved to " << o.archive_dir->string() << ".\n";
    return exit_ok;
  });
}

int maintain(int argc, char** argv) {
  return guarded("telemetry maintain", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("log", po::value<std::string>(), "the store's JSONL log, whose run records count for orphan step logs (default: the store's sibling .jsonl, when it exists)")
      ("steps-dir", po::value<std::string>(), "step-log folder searched for orphans (default: the store's sibling steps/)")
      ("orphan-age", po::value<std::string>()->default_value("1h"),
       "a step log counts as an orphan only when not modified for this long (a run in progress has a step log but no record yet)")
      ("remove-orphan-steps", po::bool_switch(), "remove the orphan step logs (step logs older than --orphan-age whose run id is in no run record of the log or the store)");
    add_busy_timeout(opts);
    po::options_description hidden;
    hidden.add_options()("sqlite", po::value<std::string>()->default_value("telemetry/runs.sqlite"), "store");
    po::positional_options_description pos;
    pos.add("sqlite", 1);
    const parsed p = parse("telemetry maintain", "[SQLITE] [--remove-orphan-steps] [--orphan-age AGE]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    const fs::path store_path = p.vm["sqlite"].as<std::string>();
    const auto min_age = parse_age(p.vm["orphan-age"].as<std::string>(), "--orphan-age");
    if (!fs::exists(store_path)) throw std::runtime_error("Telemetry SQLite store not found: " + fs::absolute(store_path).string());
    const auto r = tel::maintain_store(store_path, busy_milliseconds(p.vm, "busy-timeout"));
    const auto line = [](const char* label, const tel::store_size& s) {
      return fmt::format("{}: {} (database {}, WAL {}, shared memory {})\n", label, human(s.total()), human(s.db), human(s.wal), human(s.shm));
    };
    std::cout << "PRAGMA optimize; VACUUM; wal_checkpoint(TRUNCATE) on " << store_path.string() << "\n"
              << line("Size before", r.before) << line("Size after ", r.after) << "quick_check: " << r.quick_check << "\n";
    if (!r.ok()) throw std::runtime_error(store_path.string() + ": quick_check failed: " + r.quick_check);

    std::optional<fs::path> log;
    if (p.vm.count("log")) log = p.vm["log"].as<std::string>();
    else if (fs::path sibling = fs::path(store_path).replace_extension(".jsonl"); fs::is_regular_file(sibling)) log = sibling;
    if (log && !fs::is_regular_file(*log)) throw std::runtime_error("Telemetry JSONL not found: " + log->string());
    const fs::path steps = p.vm.count("steps-dir") ? fs::path(p.vm["steps-dir"].as<std::string>()) : tel::steps_dir_for(store_path);
    tel::sqlite_store store(store_path, tel::store_options{.busy_timeout_ms = busy_milliseconds(p.vm, "busy-timeout"), .read_only = true});
    const auto orphans = tel::find_orphan_steps(steps, tel::recorded_run_ids(store, log), min_age);
    if (orphans.empty()) return exit_ok;
    std::string names;
    for (std::size_t i = 0; i < orphans.size() && i < 20; ++i) names += (i ? ", " : "") + orphans[i].filename().string();
    if (orphans.size() > 20) names += fmt::format(" and {} more", orphans.size() - 20);
    std::cout << fmt::format("Found {} orphan step log(s) in {} not modified for {} whose run id is in no run record of {}: {}.\n",
                             orphans.size(), steps.string(), p.vm["orphan-age"].as<std::string>(),
                             log ? log->string() + " or " + store_path.string() : store_path.string(), names);
    if (!p.vm["remove-orphan-steps"].as<bool>()) {
      std::cout << "Pass --remove-orphan-steps to remove them.\n";
      return exit_ok;
    }
    std::size_t removed = 0;
    for (const auto& f : orphans) {
      std::error_code ec;
      if (fs::remove(f, ec)) ++removed;
      else if (ec) throw std::runtime_error(f.string() + ": cannot remove orphan step log: " + ec.message());
    }
    std::cout << fmt::format("Removed {} orphan step log(s).\n", removed);
    return exit_ok;
  });
}

int import(int argc, char** argv) {
  return guarded("telemetry import", [&] {
    po::options_description opts("Options");
    opts.add_options()("into", po::value<std::string>(), "the SQLite store to build or merge into (required)");
    add_busy_timeout(opts);
    po::options_description hidden;
    hidden.add_options()("logs", po::value<std::vector<std::string>>(), "logs");
    po::positional_options_description pos;
    pos.add("logs", -1);
    const parsed p = parse("telemetry import", "JSONL... --into SQLITE", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    if (!p.vm.count("logs")) throw usage_error("give at least one JSONL log to import");
    if (!p.vm.count("into")) throw usage_error("the option '--into' is required");
    std::vector<fs::path> logs;
    for (const auto& l : p.vm["logs"].as<std::vector<std::string>>()) logs.emplace_back(l);
    fhops::io_paths io;
    io.inputs("the log", logs).output("--into", p.vm["into"].as<std::string>()).check();
    const auto start = std::chrono::steady_clock::now();
    const auto r = tel::import_into(p.vm["into"].as<std::string>(), logs, busy_milliseconds(p.vm, "busy-timeout"));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& w : r.warnings) std::cerr << "warning: " << w.text() << "\n";
    std::cout << fmt::format(
        "Imported {} file(s), {} line(s) ({}) into {} in {:.2f} s: {} run record(s), {} tuner summary(ies), {} legacy record(s) "
        "({} already present); {} step record(s) skipped; {} torn or invalid line(s) skipped.\n",
        r.files, r.lines, human(r.bytes), p.vm["into"].as<std::string>(), secs, r.runs, r.summaries, r.legacy, r.legacy_duplicates,
        r.steps_skipped, r.warnings.size());
    return exit_ok;
  });
}

int repair(int argc, char** argv) {
  return guarded("telemetry repair", [&] {
    po::options_description opts("Options");
    opts.add_options()("force", po::bool_switch(), "rewrite the log even when its mode has no write bit (a read-only log is refused otherwise)");
    po::options_description hidden;
    hidden.add_options()("log", po::value<std::string>(), "log");
    po::positional_options_description pos;
    pos.add("log", 1);
    const parsed p = parse("telemetry repair", "JSONL [--force]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    if (!p.vm.count("log")) throw usage_error("the argument JSONL is required");
    const fs::path log = p.vm["log"].as<std::string>();
    if (!fs::exists(log)) throw std::runtime_error("Telemetry JSONL not found: " + log.string());
    if (fs::is_directory(log)) throw std::runtime_error(log.string() + ": is a directory, not a telemetry log");
    const auto r = tel::repair_log(log, tel::repair_options{p.vm["force"].as<bool>()});
    if (r.removed_lines.empty()) {
      std::cout << fmt::format("{}: {} line(s), no torn records; nothing changed.\n", log.string(), r.lines);
      return exit_ok;
    }
    std::string which;
    for (auto n : r.removed_lines) which += (which.empty() ? "" : ", ") + std::to_string(n);
    std::cout << fmt::format("{}: removed {} torn record(s) (line {}); the original is kept at {}.\n", log.string(),
                             r.removed_lines.size(), which, r.backup.string());
    return exit_ok;
  });
}

struct subcommand {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

constexpr subcommand subcommands[] = {
    {"report", report, "best/mean objective per algorithm and scenario from a SQLite store (CSV, Markdown, HTML)"},
    {"prune", prune, "keep the last N records of a log (steps and SQLite follow); rotate old records to an archive"},
    {"maintain", maintain, "PRAGMA optimize, VACUUM and quick_check of a store; sizes before and after"},
    {"import", import, "build or merge a store from JSONL logs (deduplicated by run_id)"},
    {"repair", repair, "remove torn records from a log (a backup is kept)"},
    {"history", cmd_telemetry_history, "compare report CSVs, follow report snapshots over time, convergence to a reference"},
    {"summarize-meta", cmd_telemetry_summarize_meta, "runs with tuner_meta per algorithm: counts, a sample budget and config"},
    {"compare", cmd_telemetry_compare, "rank tests per scenario between algorithms or configurations (Wilcoxon / Mann-Whitney, Holm, A12)"},
    {"serve", cmd_telemetry_serve, "live dashboard of a store over HTTP: runs table, run pages with convergence charts, comparisons"},
};

void help(std::ostream& out) {
  out << usage_lines("telemetry", "COMMAND [OPTIONS] ...") << "\nTelemetry maintenance utilities.\n\nCommands:\n";
  print_command_list(out, subcommands);
}

}  // namespace

int cmd_telemetry(int argc, char** argv) {
  if (argc < 2) {
    help(std::cerr);
    return exit_usage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h") {
    help(std::cout);
    return exit_ok;
  }
  for (const auto& c : subcommands)
    if (name == c.name) return c.run(argc - 1, argv + 1);
  std::cerr << "fhops telemetry: unknown command '" << name << "'\n";
  help(std::cerr);
  return exit_usage;
}

}  // namespace fhops_cli
