/// \file
/// The SQLite telemetry store (SQLiteCpp): the reference schema of telemetry_tuning.md §1.10 (runs,
/// run_metrics, run_kpis, tuner_summaries; the same columns, so reference tools read it) plus
/// secondary indexes for reports and pruning, the verbatim record of every run and summary (so an
/// imported log loses nothing, not even `13` vs `13.0`), and a table for legacy records without a
/// run id. The schema is versioned (`fhops_schema_migrations`) and migrated on open; a store the
/// reference wrote is migrated in place. WAL journal, a busy timeout, one IMMEDIATE transaction
/// per run (or per batch), `INSERT OR REPLACE` by run_id: many processes may write at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sink.hpp"

namespace fhops::telemetry {

/// A store failure: names the database path and carries SQLite's message and result code.
class store_error : public std::runtime_error {
public:
  store_error(const std::filesystem::path& path, const std::string& what, int code = 0)
      : std::runtime_error(path.string() + ": " + what), code_(code) {}
  /// SQLite's (extended) result code, 0 when the error is not SQLite's.
  int code() const noexcept { return code_; }

private:
  int code_;
};

/// How a store is opened.
struct store_options {
  int busy_timeout_ms = 60000;   ///< wait this long for other writers before failing "database is locked"
  bool read_only = false;        ///< open an existing store for reading only (no migration)
  bool create = true;            ///< create the file when absent (read_only stores are never created)
  bool verify = false;           ///< refuse a store whose PRAGMA quick_check fails (before anything is written)
};

/// The message of a store that fails its integrity check: what SQLite found and the way back.
inline std::string corrupt_store_message(std::string_view found) {
  return "database disk image is malformed (PRAGMA quick_check: " + std::string(found.substr(0, found.find('\n'))) +
         "); move the store aside and rebuild it from its JSONL log with fhops telemetry import";
}

namespace detail {

// A `file:` URI naming `p` (SQLite's URI syntax: percent-encode all but unreserved characters and '/').
inline std::string sqlite_file_uri(const std::filesystem::path& p) {
  std::string out = "file:";
  for (const unsigned char c : std::filesystem::absolute(p).string()) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
                       c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += "0123456789ABCDEF"[c >> 4];
      out += "0123456789ABCDEF"[c & 15];
    }
  }
  return out;
}

// SQLite's error as a store_error naming the store; a corrupt file gets the way back.
inline store_error sqlite_store_error(const std::filesystem::path& path, const SQLite::Exception& e) {
  const int code = e.getErrorCode();
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    return store_error(path, corrupt_store_message(e.what()), e.getExtendedErrorCode());
  return store_error(path, std::string("SQLite error: ") + e.what() + " (code " + std::to_string(e.getExtendedErrorCode()) + ")",
                     e.getExtendedErrorCode());
}

// PRAGMA quick_check of an open database; store_error unless it says "ok".
inline void verify_store(SQLite::Database& db, const std::filesystem::path& path) {
  SQLite::Statement q(db, "PRAGMA quick_check(1)");
  const std::string found = q.executeStep() ? q.getColumn(0).getString() : std::string("no answer");
  if (found != "ok") throw store_error(path, corrupt_store_message(found), SQLITE_CORRUPT);
}

}  // namespace detail

/// Opens an existing store (or any SQLite file) for reading only, as the report and the other
/// readers do. A store in a folder the user cannot write (its WAL index `-shm` cannot be created)
/// is opened immutable (`?immutable=1`: no lock, no shared memory) when it has no WAL content; with
/// WAL content it cannot be read consistently without the index and the error says so. With
/// `verify`, PRAGMA quick_check must pass. Errors are store_error naming the file.
inline SQLite::Database open_store_read_only(const std::filesystem::path& path, int busy_timeout_ms = 60000, bool verify = true) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw store_error(path, "Telemetry SQLite store not found");
  const auto ready = [&](SQLite::Database& db) {
    db.execAndGet("SELECT COUNT(*) FROM sqlite_master");  // reads the schema (and the WAL index)
    if (verify) detail::verify_store(db, path);
  };
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY, busy_timeout_ms);
    ready(db);
    return db;
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() != SQLITE_READONLY && e.getErrorCode() != SQLITE_CANTOPEN) throw detail::sqlite_store_error(path, e);
    const fs::path wal = path.string() + "-wal";
    if (fs::exists(wal, ec) && fs::file_size(wal, ec) > 0)
      throw store_error(path, std::string("cannot read: ") + e.what() + "; its folder cannot be written and its WAL " + wal.string() +
                                  " holds changes not yet in the database (its owner's fhops telemetry maintain merges them)",
                        e.getExtendedErrorCode());
    try {
      SQLite::Database db(detail::sqlite_file_uri(path) + "?immutable=1", SQLite::OPEN_READONLY | SQLite::OPEN_URI, busy_timeout_ms);
      ready(db);
      return db;
    } catch (const SQLite::Exception& again) {
      throw detail::sqlite_store_error(path, again);
    }
  }
}

/// One migration step of the store schema.
struct store_migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

/// The schema history; a store records each applied version.
inline constexpr store_migration store_migrations[] = {
    {1, "reference schema (telemetry_tuning.md 1.10)",
     "CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, schema_version TEXT, solver TEXT, scenario TEXT,"
     " scenario_path TEXT, seed INTEGER, status TEXT, started_at TEXT, finished_at TEXT, duration_seconds REAL,"
     " config_json TEXT, context_json TEXT, extra_json TEXT, artifacts_json TEXT, tuner_meta_json TEXT, error TEXT);"
     "CREATE TABLE IF NOT EXISTS run_metrics (run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL, value_text TEXT,"
     " PRIMARY KEY (run_id, name), FOREIGN KEY (run_id) REFERENCES runs(run_id) ON DELETE CASCADE);"
     "CREATE TABLE IF NOT EXISTS run_kpis (run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL, value_text TEXT,"
     " PRIMARY KEY (run_id, name), FOREIGN KEY (run_id) REFERENCES runs(run_id) ON DELETE CASCADE);"
     "CREATE TABLE IF NOT EXISTS tuner_summaries (summary_id TEXT PRIMARY KEY, schema_version TEXT, algorithm TEXT,"
     " scenarios_evaluated INTEGER, configurations INTEGER, scenario_best_json TEXT, created_at TEXT);"},
    {2, "indexes for report, prune and rotation",
     "CREATE INDEX IF NOT EXISTS runs_started_at ON runs(started_at);"
     "CREATE INDEX IF NOT EXISTS runs_solver_scenario ON runs(solver, scenario);"
     "CREATE INDEX IF NOT EXISTS tuner_summaries_created_at ON tuner_summaries(created_at);"},
    {3, "verbatim records (lossless import and export) and legacy records",
     "CREATE TABLE IF NOT EXISTS run_records (run_id TEXT PRIMARY KEY REFERENCES runs(run_id) ON DELETE CASCADE,"
     " record_json TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS tuner_summary_records (summary_id TEXT PRIMARY KEY"
     " REFERENCES tuner_summaries(summary_id) ON DELETE CASCADE, record_json TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS legacy_records (id INTEGER PRIMARY KEY, record_json TEXT NOT NULL UNIQUE,"
     " source_path TEXT, source_line INTEGER, imported_at TEXT);"},
    {4, "report columns: each run's reported algorithm and objective, indexed by (algorithm, scenario)",
     "ALTER TABLE runs ADD COLUMN fhops_algorithm TEXT;"
     "ALTER TABLE runs ADD COLUMN fhops_objective REAL;"
     "CREATE INDEX IF NOT EXISTS runs_report ON runs(fhops_algorithm, scenario, fhops_objective);"},
};

/// The newest schema version this header writes.
inline constexpr int store_schema_version = 4;

/// A SQLite telemetry store. Not thread-safe: use one per thread (or the async sink).
class sqlite_store {
public:
  /// Runs `f`, turning SQLite exceptions into store_error naming the store.
  template <class F>
  decltype(auto) guard(F&& f) {
    try {
      return f();
    } catch (const SQLite::Exception& e) {
      throw detail::sqlite_store_error(path_, e);
    }
  }

  /// Opens (or creates) a store; read_only stores are opened as open_store_read_only does, and
  /// `verify` checks the store before anything is written (migration included).
  explicit sqlite_store(std::filesystem::path path, store_options o = {}) : path_(std::move(path)) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path_, ec)) throw store_error(path_, "cannot open telemetry store: is a directory");
    // SQLite would open a FIFO or device and then block reading it.
    if (fs::exists(path_, ec) && !fs::is_regular_file(path_, ec))
      throw store_error(path_, "cannot open telemetry store: not a regular file (a device, FIFO or socket)");
    if (o.read_only && !fs::exists(path_, ec)) throw store_error(path_, "Telemetry SQLite store not found");
    if (!o.read_only && !o.create && !fs::exists(path_, ec)) throw store_error(path_, "Telemetry SQLite store not found");
    if (!o.read_only && path_.has_parent_path()) fs::create_directories(path_.parent_path(), ec);
    if (o.read_only) db_.emplace(open_store_read_only(path_, o.busy_timeout_ms, o.verify));
    guard([&] {
      if (!o.read_only) db_.emplace(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, o.busy_timeout_ms);
      db_->exec("PRAGMA foreign_keys = ON");
      // A batch of runs touches pages all over the run-id indexes; with SQLite's default 2 MB
      // page cache a 1,000-run transaction spills to the WAL and reads its own pages back.
      db_->exec("PRAGMA cache_size = -65536");
      if (o.read_only) return;
      if (o.verify) detail::verify_store(*db_, path_);
      retry_busy(o.busy_timeout_ms, [&] { db_->exec("PRAGMA journal_mode = WAL"); });
      db_->exec("PRAGMA synchronous = NORMAL");
      // Checkpoint (copy the WAL into the database and sync both) every ~40 MB of WAL rather than
      // SQLite's 4 MB: a batch of runs re-dirties the same index pages, copied once per checkpoint.
      db_->exec("PRAGMA wal_autocheckpoint = 10000");
      migrate();
    });
  }

  const std::filesystem::path& path() const { return path_; }
  SQLite::Database& database() { return *db_; }

  /// The schema version recorded in the store (0 for a store the reference wrote, before migration).
  int version() {
    return guard([&] {
      if (!db_->tableExists("fhops_schema_migrations")) return 0;
      return db_->execAndGet("SELECT COALESCE(MAX(version), 0) FROM fhops_schema_migrations").getInt();
    });
  }

  /// Writes one run record (a JSON object with the fields of §1.3) in one transaction:
  /// INSERT OR REPLACE the runs row, replace its metric and KPI rows, keep the verbatim record.
  void persist_run(const json::object& record) { persist_runs(std::span<const json::object>(&record, 1)); }

  /// Writes several run records in one transaction (batched import and the asynchronous sink).
  void persist_runs(std::span<const json::object> records) {
    guard([&] { in_transaction_scope([&] { for (const auto& r : records) write_run(r); }); });
  }

  /// Writes one tuner summary (INSERT OR REPLACE by summary_id).
  void persist_tuner_summary(const json::object& record) {
    guard([&] { in_transaction_scope([&] { write_summary(record); }); });
  }

  /// Keeps a record that has no run id (the legacy bench / multi-start / demo lines) verbatim;
  /// false when the same text is already stored.
  bool persist_legacy(std::string_view line, const std::string& source_path, std::size_t source_line) {
    return guard([&] {
      auto& st = stmt(legacy_, "INSERT OR IGNORE INTO legacy_records(record_json, source_path, source_line, imported_at)"
                               " VALUES (?, ?, ?, ?)");
      st.bind(1, std::string(line));
      st.bind(2, source_path);
      st.bind(3, static_cast<std::int64_t>(source_line));
      st.bind(4, utc_iso_seconds());
      st.exec();
      st.reset();
      return db_->getChanges() > 0;
    });
  }

  /// Writes any record object by its kind: run records and tuner summaries go to their tables,
  /// objects without `record_type` to legacy_records. `raw` is the line as read: it is the
  /// verbatim record kept (so a line holding numbers or escapes that read approximately, e.g.
  /// `1e999` or a lone `\ud800`, is stored byte for byte); empty means the record's own JSON.
  /// Step records are never stored (the reference does not mirror them), nor are work-unit markers
  /// (`record_type: "work_unit"`, a scale-out run's completion lines); returns false for them.
  bool persist_any(const json::object& record, std::string_view raw, const std::string& source, std::size_t line) {
    const std::string* type = find_string(record, "record_type");
    if (type && *type == "run" && find_string(record, "run_id")) {
      guard([&] { write_run(record, raw); });
      return true;
    }
    if (type && *type == "tuner_summary" && find_string(record, "summary_id")) {
      guard([&] { write_summary(record, raw); });
      return true;
    }
    if (type && (*type == "step" || *type == "work_unit")) return false;
    return persist_legacy(raw, source, line);
  }

  /// Removes runs (their metrics, KPIs and verbatim records go with them), in one transaction or
  /// in the caller's open one. Returns rows removed.
  std::size_t delete_runs(std::span<const std::string> run_ids) {
    return delete_ids("DELETE FROM runs WHERE run_id = ?", run_ids);
  }

  /// Removes tuner summaries by id. Returns rows removed.
  std::size_t delete_tuner_summaries(std::span<const std::string> ids) {
    return delete_ids("DELETE FROM tuner_summaries WHERE summary_id = ?", ids);
  }

  /// True inside a transaction opened by begin() (or any BEGIN on this connection).
  bool in_transaction() const { return db_ && sqlite3_get_autocommit(db_->getHandle()) == 0; }

  /// Throws store_error (corrupt_store_message) unless PRAGMA quick_check says "ok".
  void verify() {
    guard([&] { detail::verify_store(*db_, path_); });
  }

  /// `PRAGMA quick_check`: "ok" or the problems found, one per line.
  std::string quick_check() {
    return guard([&] {
      SQLite::Statement q(*db_, "PRAGMA quick_check");
      std::string out;
      while (q.executeStep()) out += (out.empty() ? "" : "\n") + q.getColumn(0).getString();
      return out;
    });
  }

  /// Number of rows in a table of the store.
  long long count(std::string_view table) {
    return guard([&] { return db_->execAndGet("SELECT COUNT(*) FROM " + std::string(table)).getInt64(); });
  }

  /// Runs one statement (with the store's error wrapping).
  void exec(const std::string& sql) {
    guard([&] { db_->exec(sql); });
  }

  /// Begins / commits a batch transaction spanning several persist_any calls (import).
  void begin() { exec("BEGIN IMMEDIATE"); }
  void commit() { exec("COMMIT"); }
  void rollback() noexcept {
    try {
      db_->exec("ROLLBACK");
    } catch (...) {
    }
  }

private:
  template <class F>
  static void retry_busy(int timeout_ms, F&& f) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      try {
        f();
        return;
      } catch (const SQLite::Exception& e) {
        if ((e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) || std::chrono::steady_clock::now() > until)
          throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

  void migrate() {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    db_->exec("CREATE TABLE IF NOT EXISTS fhops_schema_migrations (version INTEGER PRIMARY KEY,"
              " description TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const int have = db_->execAndGet("SELECT COALESCE(MAX(version), 0) FROM fhops_schema_migrations").getInt();
    if (have > store_schema_version)
      throw store_error(path_, "store schema version " + std::to_string(have) + " is newer than this fhops supports (" +
                                   std::to_string(store_schema_version) + ")");
    for (const auto& m : store_migrations) {
      if (m.version <= have) continue;
      db_->exec(std::string(m.sql));
      if (m.version == 1 && !has_column("runs", "tuner_meta_json"))  // the reference's own migration
        db_->exec("ALTER TABLE runs ADD COLUMN tuner_meta_json TEXT");
      if (m.version == 4) backfill_report_columns();
      SQLite::Statement ins(*db_, "INSERT INTO fhops_schema_migrations(version, description, applied_at) VALUES (?, ?, ?)");
      ins.bind(1, m.version);
      ins.bind(2, std::string(m.description));
      ins.bind(3, utc_iso_seconds());
      ins.exec();
    }
    tx.commit();
  }

  // Fills fhops_algorithm / fhops_objective of runs written before migration 4 (or by the reference).
  void backfill_report_columns() {
    SQLite::Statement q(*db_, "SELECT runs.rowid, solver, context_json, tuner_meta_json, m.value FROM runs"
                              " LEFT JOIN run_metrics m ON m.run_id = runs.run_id AND m.name = 'objective'"
                              " WHERE fhops_algorithm IS NULL");
    SQLite::Statement up(*db_, "UPDATE runs SET fhops_algorithm = ?, fhops_objective = ? WHERE rowid = ?");
    json_parser parser;
    const auto object = [&](const SQLite::Column& c) {
      std::optional<json> v;
      if (!c.isNull()) v = parser.parse(c.getString());
      return v && v->is_object() ? v : std::nullopt;
    };
    while (q.executeStep()) {
      const auto context = object(q.getColumn(2)), tuner = object(q.getColumn(3));
      const std::string solver = q.getColumn(1).isNull() ? "" : q.getColumn(1).getString();
      up.bind(1, algorithm_of(context ? &context->as_object() : nullptr, tuner ? &tuner->as_object() : nullptr, solver));
      if (q.getColumn(4).isNull()) up.bind(2);
      else up.bind(2, q.getColumn(4).getDouble());
      up.bind(3, q.getColumn(0).getInt64());
      up.exec();
      up.reset();
    }
  }

  static std::string algorithm_of(const json::object* context, const json::object* tuner_meta, std::string_view solver) {
    const auto field = [](const json::object* o, std::string_view key) -> std::string_view {
      const std::string* v = o ? find_string(*o, key) : nullptr;
      return v ? std::string_view(*v) : std::string_view();
    };
    return report_algorithm(field(context, "source"), field(context, "algorithm"), field(tuner_meta, "algorithm"), solver);
  }

  bool has_column(const std::string& table, std::string_view column) {
    SQLite::Statement q(*db_, "PRAGMA table_info(" + table + ")");
    while (q.executeStep())
      if (q.getColumn(1).getString() == column) return true;
    return false;
  }

  SQLite::Statement& stmt(std::optional<SQLite::Statement>& slot, const char* sql) {
    if (!slot) slot.emplace(*db_, sql);
    return *slot;
  }

  // Binds a JSON scalar as the reference's sqlite3 driver would store the Python value.
  static void bind_scalar(SQLite::Statement& st, int i, const json* v) {
    if (!v || v->is_null()) st.bind(i);
    else if (v->is_string()) st.bind(i, v->as_string());
    else if (v->is_int()) st.bind(i, static_cast<std::int64_t>(std::get<long long>(v->value)));
    else if (v->is_float()) st.bind(i, std::get<double>(v->value));
    else if (v->is_bool()) st.bind(i, std::get<bool>(v->value) ? 1 : 0);
    else st.bind(i, dump(*v));
  }

  // config/context/extra/tuner_meta/artifacts: sorted-key Python JSON, NULL when empty or absent.
  static void bind_payload(SQLite::Statement& st, int i, const json* v) {
    if (!v || v->is_null() || (v->is_object() && v->as_object().empty()) || (v->is_array() && v->as_array().empty()))
      st.bind(i);
    else
      st.bind(i, dump_sorted(*v));
  }

  void write_values(std::optional<SQLite::Statement>& ins, std::optional<SQLite::Statement>& del, bool metrics,
                    const std::string& run_id, const json* values) {
    auto& d = stmt(del, metrics ? "DELETE FROM run_metrics WHERE run_id = ?" : "DELETE FROM run_kpis WHERE run_id = ?");
    d.bind(1, run_id);
    d.exec();
    d.reset();
    if (!values || !values->is_object()) return;
    auto& st = stmt(ins, metrics ? "INSERT OR REPLACE INTO run_metrics(run_id, name, value, value_text) VALUES (?, ?, ?, ?)"
                                         : "INSERT OR REPLACE INTO run_kpis(run_id, name, value, value_text) VALUES (?, ?, ?, ?)");
    for (const auto& [name, v] : values->as_object()) {
      st.bind(1, run_id);
      st.bind(2, name);
      if (v.is_bool() || v.is_number()) {
        st.bind(3, v.as_double());
        st.bind(4);
      } else {
        st.bind(3);
        st.bind(4, dump(v, json_style{false, false}));
      }
      st.exec();
      st.reset();
    }
  }

  // Runs `f` in one IMMEDIATE transaction, or inside the caller's (begin() ... commit()) when one is open.
  template <class F>
  void in_transaction_scope(F&& f) {
    if (in_transaction()) {
      f();
      return;
    }
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    f();
    tx.commit();
  }

  void write_run(const json::object& r, std::string_view raw = {}) {
    const std::string* run_id = find_string(r, "run_id");
    if (!run_id) throw store_error(path_, "run record without a run_id");
    auto& st = stmt(run_, "INSERT OR REPLACE INTO runs(run_id, schema_version, solver, scenario, scenario_path, seed, status,"
                          " started_at, finished_at, duration_seconds, config_json, context_json, extra_json, artifacts_json,"
                          " tuner_meta_json, error, fhops_algorithm, fhops_objective)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, *run_id);
    bind_scalar(st, 2, find(r, "schema_version"));
    bind_scalar(st, 3, find(r, "solver"));
    bind_scalar(st, 4, find(r, "scenario"));
    bind_scalar(st, 5, find(r, "scenario_path"));
    bind_scalar(st, 6, find(r, "seed"));
    bind_scalar(st, 7, find(r, "status"));
    bind_scalar(st, 8, find(r, "started_at"));
    bind_scalar(st, 9, find(r, "finished_at"));
    bind_scalar(st, 10, find(r, "duration_seconds"));
    bind_payload(st, 11, find(r, "config"));
    bind_payload(st, 12, find(r, "context"));
    bind_payload(st, 13, find(r, "extra"));
    bind_payload(st, 14, find(r, "artifacts"));
    bind_payload(st, 15, find(r, "tuner_meta"));
    bind_scalar(st, 16, find(r, "error"));
    const auto object_at = [&](std::string_view key) -> const json::object* {
      const json* v = find(r, key);
      return v && v->is_object() ? &v->as_object() : nullptr;
    };
    const std::string* solver = find_string(r, "solver");
    st.bind(17, algorithm_of(object_at("context"), object_at("tuner_meta"), solver ? std::string_view(*solver) : std::string_view()));
    const json* objective = object_at("metrics") ? find(*object_at("metrics"), "objective") : nullptr;
    if (objective && (objective->is_bool() || objective->is_number())) st.bind(18, objective->as_double());
    else st.bind(18);
    st.exec();
    st.reset();
    write_values(metric_, del_metric_, true, *run_id, find(r, "metrics"));
    write_values(kpi_, del_kpi_, false, *run_id, find(r, "kpis"));
    write_verbatim(stmt(raw_, "INSERT OR REPLACE INTO run_records(run_id, record_json) VALUES (?, ?)"), *run_id, r, raw);
  }

  // The record as written in the JSONL: the line as read, else its compact JSON in its own key order.
  static void write_verbatim(SQLite::Statement& st, const std::string& id, const json::object& r, std::string_view raw) {
    st.bind(1, id);
    if (raw.empty()) st.bind(2, dump(r));
    else st.bind(2, std::string(raw));
    st.exec();
    st.reset();
  }

  void write_summary(const json::object& r, std::string_view raw = {}) {
    const std::string* id = find_string(r, "summary_id");
    if (!id) throw store_error(path_, "tuner summary without a summary_id");
    auto& st = stmt(summary_, "INSERT OR REPLACE INTO tuner_summaries(summary_id, schema_version, algorithm, scenarios_evaluated,"
                              " configurations, scenario_best_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, *id);
    bind_scalar(st, 2, find(r, "schema_version"));
    bind_scalar(st, 3, find(r, "algorithm"));
    bind_scalar(st, 4, find(r, "scenarios_evaluated"));
    bind_scalar(st, 5, find(r, "configurations"));
    const json* best = find(r, "scenario_best");
    if (best) st.bind(6, dump_sorted(*best));
    else st.bind(6);
    bind_scalar(st, 7, find(r, "created_at"));
    st.exec();
    st.reset();
    write_verbatim(stmt(summary_raw_, "INSERT OR REPLACE INTO tuner_summary_records(summary_id, record_json) VALUES (?, ?)"), *id, r,
                   raw);
  }

  std::size_t delete_ids(const char* sql, std::span<const std::string> ids) {
    return guard([&] {
      std::size_t n = 0;
      in_transaction_scope([&] {
        SQLite::Statement st(*db_, sql);
        for (const auto& id : ids) {
          st.bind(1, id);
          n += static_cast<std::size_t>(st.exec());
          st.reset();
        }
      });
      return n;
    });
  }

  std::filesystem::path path_;
  std::optional<SQLite::Database> db_;
  std::optional<SQLite::Statement> run_, metric_, kpi_, del_metric_, del_kpi_, raw_, summary_, summary_raw_, legacy_;
};

/// The SQLite sink: run records and tuner summaries go to a store, one transaction each.
class sqlite_sink {
public:
  explicit sqlite_sink(sqlite_store& store) : store_(&store) {}
  void run_started(const run_start&) {}
  void step(const step_record&) {}
  void run_finished(const run_record& r) { store_->persist_run(to_json(r)); }
  void tuner_summary(const tuner_summary_record& s) { store_->persist_tuner_summary(to_json(s)); }
  void flush() {}

private:
  sqlite_store* store_;
};
static_assert(telemetry_sink<sqlite_sink>);

}  // namespace fhops::telemetry
