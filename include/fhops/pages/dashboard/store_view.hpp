/// \file
/// The dashboard's read-only view of a telemetry store: the runs table (filtered, sorted and paged
/// in SQL), one run's record, metrics and KPIs, its step log read incrementally, the runs still in
/// progress (step logs in the store's `steps/` folder that have no run record yet), the facets of
/// the filters and the objective samples of a comparison. Every answer is JSON text.
///
/// Connections are opened read-only (never created, never migrated) from a small pool, one per
/// concurrent request; each query runs in one read transaction, so a page of runs and its count
/// come from one snapshot of the store. A missing, locked or unreadable store throws
/// store_unavailable, which the server answers with 503. Step logs are located only from a run id
/// that is a valid_run_id *and* is known (a row of the store or a file the folder scan found),
/// under the store's own steps folder, opened without following links.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sqlite_store.hpp"
#include "fhops/util/json_text.hpp"

namespace fhops::pages::dashboard {

/// The store cannot be read now (missing, locked, corrupt): the message says why; the server
/// answers 503 and tries again on the next request.
struct store_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A request parameter out of its domain: the message names the parameter; the server answers 400.
struct bad_parameter : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// Where a store's parts are: the SQLite file, the JSONL log and the step-log folder
/// (telemetry::store_location), and the weekly report snapshots.
struct store_paths : telemetry::store_location {
  std::filesystem::path history_dir;  ///< `history/` beside the log, as ops weekly keeps them
};

/// The parts of the store named by `store` (telemetry::locate_store: a run log, a folder holding
/// `runs.jsonl`, or the `.sqlite` file), made absolute.
inline store_paths resolve_store(const std::filesystem::path& store) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(store, ec);
  if (ec) p = store;
  store_paths out{telemetry::locate_store(p), {}};
  out.history_dir = out.log.parent_path() / "history";
  return out;
}

/// The filters, order and page of the runs table (`/api/runs`).
struct runs_query {
  std::string scenario, algorithm, status;  ///< exact matches; empty = any
  std::string from, to;                     ///< started_at bounds: YYYY-MM-DD[THH:MM[:SS]], `to` inclusive
  std::string sort = "started_at";          ///< a column of runs_sort_columns
  bool descending = true;
  long long page = 1;                       ///< 1-based
  long long per_page = 50;                  ///< 1..500
};

/// The sortable columns: the API name and the SQL column.
inline constexpr std::pair<std::string_view, std::string_view> runs_sort_columns[] = {
    {"started_at", "started_at"}, {"finished_at", "finished_at"}, {"scenario", "scenario"},
    {"algorithm", "fhops_algorithm"}, {"solver", "solver"}, {"status", "status"},
    {"objective", "fhops_objective"}, {"duration", "duration_seconds"}, {"seed", "seed"}, {"run_id", "run_id"}};

/// How the view behaves.
struct view_options {
  int busy_timeout_ms = 2000;                     ///< a locked store is reported after this long
  std::chrono::milliseconds scan_interval{500};   ///< the steps folder is scanned at most this often
  std::chrono::seconds running_window{60};        ///< a step log written to within this is "running", else "unfinished"
  std::size_t max_step_bytes = 4u << 20;          ///< step-log bytes read per /steps answer
  std::size_t max_pool = 16;                      ///< idle connections kept
  long long mmap_bytes = 256ll << 20;             ///< memory-mapped I/O of each connection (PRAGMA mmap_size)
};

namespace detail {

// Appends `"key":` to a JSON object under construction (with a comma unless first).
inline void json_key(std::string& out, std::string_view key, bool& first) {
  if (!first) out += ',';
  first = false;
  append_json_quoted(out, key, false);
  out += ':';
}

// A column as JSON: null, integer, float or string.
inline void append_column(std::string& out, const SQLite::Column& c) {
  if (c.isNull()) out += "null";
  else if (c.isInteger()) out += std::to_string(c.getInt64());
  else if (c.isFloat()) append_json_number(out, c.getDouble());
  else append_json_quoted(out, c.getString(), false);
}

// A JSON text column (config_json, ...) re-written as standard JSON (Python's NaN becomes null); an
// unreadable one as a string, NULL as `if_null`.
inline void append_json_column(std::string& out, const SQLite::Column& c, telemetry::json_parser& parser,
                               std::string_view if_null = "{}") {
  if (c.isNull()) {
    out += if_null;
    return;
  }
  const std::string text = c.getString();
  if (auto v = parser.parse(text)) out += telemetry::dump(*v);
  else append_json_quoted(out, text, false);
}

// `YYYY-MM-DD`, optionally `THH:MM` and `:SS`: the prefix of a stored started_at.
inline bool valid_date_bound(std::string_view s) {
  static constexpr std::string_view shape = "0000-00-00T00:00:00";
  if (s.size() != 10 && s.size() != 16 && s.size() != 19) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (shape[i] == '0' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
  }
  return true;
}

// The values of a step record the dashboard draws.
struct step_point {
  long long step = 0;
  double objective = 0, best = 0;
  std::optional<double> temperature;
  std::string timestamp;
};

inline std::optional<step_point> read_step(telemetry::json_parser& parser, std::string_view line) {
  auto v = parser.parse(line);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->as_object();
  const telemetry::json* step = telemetry::find(o, "step");
  const telemetry::json* obj = telemetry::find(o, "objective");
  const telemetry::json* best = telemetry::find(o, "best_objective");
  if (!step || !step->is_number() || !obj || !obj->is_number()) return std::nullopt;
  step_point p;
  p.step = static_cast<long long>(step->as_double());
  p.objective = obj->as_double();
  p.best = best && best->is_number() ? best->as_double() : p.objective;
  if (const telemetry::json* t = telemetry::find(o, "temperature"); t && t->is_number()) p.temperature = t->as_double();
  if (const std::string* ts = telemetry::find_string(o, "timestamp")) p.timestamp = *ts;
  return p;
}

// A step log opened for reading: a regular file reached without following a link, or nothing.
class step_file {
public:
  explicit step_file(const std::filesystem::path& p) {
    fd_ = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd_ < 0) return;
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    mtime_ = st.st_mtim;
  }
  step_file(const step_file&) = delete;
  step_file& operator=(const step_file&) = delete;
  ~step_file() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  std::uint64_t size() const { return size_; }
  const timespec& mtime() const { return mtime_; }
  // Up to `n` bytes from `offset`.
  std::string read(std::uint64_t offset, std::size_t n) const {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r <= 0) break;
      got += static_cast<std::size_t>(r);
    }
    out.resize(got);
    return out;
  }

private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  timespec mtime_{};
};

}  // namespace detail

/// A run in progress: a step log without a run record.
struct live_run {
  std::string run_id;
  std::string status;            ///< "running" (written to recently) or "unfinished"
  long long steps = 0;           ///< the last step number
  double objective = 0, best = 0;
  std::string updated_at;        ///< the last step's time stamp
  std::uint64_t bytes = 0;
};

/// The read-only view of one store (thread-safe: each call borrows a connection of its own).
class store_view {
public:
  explicit store_view(store_paths paths, view_options o = {}) : paths_(std::move(paths)), options_(o) {}

  const store_paths& paths() const { return paths_; }

  /// A connection borrowed from the pool for one request.
  class lease {
  public:
    lease(store_view& v, std::unique_ptr<SQLite::Database> db) : view_(&v), db_(std::move(db)) {}
    lease(lease&&) = default;
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    ~lease() {
      if (db_) view_->give_back(std::move(db_));
    }
    SQLite::Database& operator*() { return *db_; }
    SQLite::Database* operator->() { return db_.get(); }
    /// Closes the connection instead of returning it to the pool (it saw an error).
    void discard() { db_.reset(); }

  private:
    store_view* view_;
    std::unique_ptr<SQLite::Database> db_;
  };

  /// Borrows a connection (opening one when none is idle); store_unavailable when the store cannot
  /// be read.
  lease connect() {
    {
      std::lock_guard lock(pool_mutex_);
      if (!pool_.empty()) {
        auto db = std::move(pool_.back());
        pool_.pop_back();
        return lease(*this, std::move(db));
      }
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(paths_.sqlite, ec))
      throw store_unavailable("telemetry store not found: " + paths_.sqlite.string() +
                              " (it is created by the first run recorded with --telemetry-log " + paths_.log.string() + ")");
    try {
      auto db = std::make_unique<SQLite::Database>(telemetry::open_store_read_only(paths_.sqlite, options_.busy_timeout_ms, false));
      db->exec("PRAGMA mmap_size = " + std::to_string(options_.mmap_bytes));  // reads straight from the file's pages
      if (!db->tableExists("runs")) throw store_unavailable(paths_.sqlite.string() + " is not a telemetry store (no runs table)");
      return lease(*this, std::move(db));
    } catch (const telemetry::store_error& e) {
      throw store_unavailable(e.what());
    } catch (const SQLite::Exception& e) {
      throw store_unavailable(paths_.sqlite.string() + ": " + e.what());
    }
  }

  /// Runs `f(db)` in one read transaction on a borrowed connection; SQLite errors (a locked or
  /// damaged store) become store_unavailable and the connection is dropped.
  template <class F>
  decltype(auto) read(F&& f) {
    lease db = connect();
    try {
      SQLite::Transaction tx(*db, SQLite::TransactionBehavior::DEFERRED);
      if constexpr (std::is_void_v<decltype(f(*db))>) {
        f(*db);
        tx.commit();
      } else {
        decltype(auto) out = f(*db);
        tx.commit();
        return out;
      }
    } catch (const SQLite::Exception& e) {
      db.discard();
      throw store_unavailable(paths_.sqlite.string() + ": " + e.what());
    }
  }

  /// Checks a runs_query; bad_parameter naming the parameter and its domain.
  static void validate(const runs_query& q) {
    if (!q.from.empty() && !detail::valid_date_bound(q.from))
      throw bad_parameter("from must be YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (got '" + q.from.substr(0, 40) + "')");
    if (!q.to.empty() && !detail::valid_date_bound(q.to))
      throw bad_parameter("to must be YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (got '" + q.to.substr(0, 40) + "')");
    if (!sort_column(q.sort)) throw bad_parameter("sort must name a column of the runs table (got '" + q.sort.substr(0, 40) + "')");
    if (q.page < 1 || q.page > 1000000000) throw bad_parameter("page must be 1 or more (got " + std::to_string(q.page) + ")");
    if (q.per_page < 1 || q.per_page > 500) throw bad_parameter("per_page must be in [1, 500] (got " + std::to_string(q.per_page) + ")");
  }

  /// The SQL column behind a sort name, or nullopt.
  static std::optional<std::string_view> sort_column(std::string_view name) {
    for (const auto& [api, column] : runs_sort_columns)
      if (api == name) return column;
    return std::nullopt;
  }

  /// `/api/runs`: {"total", "page", "per_page", "pages", "runs": [...], "running": [...]}. `total`
  /// counts the recorded runs matching the filters (never the ones in progress, so it never
  /// decreases while runs are only added); `running` lists the runs in progress (unless the status
  /// filter excludes them).
  std::string runs_json(const runs_query& q) {
    validate(q);
    std::string where;
    std::vector<std::string> binds;
    const auto add = [&](const char* clause, const std::string& value) {
      where += where.empty() ? " WHERE " : " AND ";
      where += clause;
      binds.push_back(value);
    };
    if (!q.scenario.empty()) add("scenario = ?", q.scenario);
    if (!q.algorithm.empty()) add("fhops_algorithm = ?", q.algorithm);
    if (!q.status.empty() && q.status != "running" && q.status != "unfinished") add("status = ?", q.status);
    if (!q.from.empty()) add("started_at >= ?", q.from);
    if (!q.to.empty()) add("started_at <= ?", q.to + "~");  // '~' sorts after every character of a time stamp
    const bool live_only = q.status == "running" || q.status == "unfinished";
    const std::string dir = q.descending ? " DESC" : " ASC";
    // The page's rowids first (the ORDER BY column's index covers them: a deep OFFSET skips index
    // entries, not table rows), then those rows; rowid breaks ties, so pages never overlap.
    const std::string order = std::string(*sort_column(q.sort)) + dir + ", rowid" + dir;
    const std::string sql = "SELECT run_id, solver, scenario, status, started_at, finished_at, duration_seconds, fhops_algorithm,"
                            " fhops_objective, seed FROM runs WHERE rowid IN (SELECT rowid FROM runs" + where + " ORDER BY " +
                            order + " LIMIT ? OFFSET ?) ORDER BY " + order;
    std::string out = "{";
    std::set<std::string> page_ids;
    read([&](SQLite::Database& db) {
      long long total = 0;
      if (!live_only) {
        SQLite::Statement count(db, "SELECT COUNT(*) FROM runs" + where);
        for (std::size_t i = 0; i < binds.size(); ++i) count.bind(static_cast<int>(i + 1), binds[i]);
        if (count.executeStep()) total = count.getColumn(0).getInt64();
      }
      const long long pages = std::max<long long>(1, (total + q.per_page - 1) / q.per_page);
      out += "\"total\":" + std::to_string(total) + ",\"page\":" + std::to_string(q.page) + ",\"per_page\":" +
             std::to_string(q.per_page) + ",\"pages\":" + std::to_string(pages) + ",\"sort\":";
      append_json_quoted(out, q.sort, false);
      out += std::string(",\"order\":\"") + (q.descending ? "desc" : "asc") + "\",\"runs\":[";
      if (!live_only) {
        SQLite::Statement st(db, sql);
        int i = 1;
        for (const auto& b : binds) st.bind(i++, b);
        st.bind(i++, static_cast<std::int64_t>(q.per_page));
        st.bind(i, static_cast<std::int64_t>((q.page - 1) * q.per_page));
        static constexpr const char* names[] = {"run_id", "solver", "scenario", "status", "started_at", "finished_at",
                                                "duration_seconds", "algorithm", "objective", "seed"};
        bool first_row = true;
        while (st.executeStep()) {
          out += first_row ? "{" : ",{";
          first_row = false;
          bool first = true;
          for (int c = 0; c < 10; ++c) {
            detail::json_key(out, names[c], first);
            detail::append_column(out, st.getColumn(c));
          }
          out += '}';
          if (!st.getColumn(0).isNull()) page_ids.insert(st.getColumn(0).getString());
        }
      }
      out += "]";
    });
    out += ",\"running\":[";
    if (q.status.empty() || live_only) {
      bool first_row = true;
      for (const live_run& r : live_runs()) {
        if (page_ids.count(r.run_id) || (live_only && r.status != q.status)) continue;
        out += first_row ? "" : ",";
        first_row = false;
        append_live(out, r);
      }
    }
    out += "]}";
    return out;
  }

  /// The distinct scenarios, algorithms and statuses of the recorded runs (at most 1000 each).
  struct facet_lists {
    std::vector<std::string> scenarios, algorithms, statuses;
  };

  /// facet_lists, cached for a few seconds.
  facet_lists facets() {
    {
      std::lock_guard lock(facets_mutex_);
      if (facets_at_ && std::chrono::steady_clock::now() - *facets_at_ < std::chrono::seconds(5)) return facets_;
    }
    facet_lists f;
    read([&](SQLite::Database& db) {
      for (auto [list, column] : {std::pair{&f.scenarios, "scenario"}, {&f.algorithms, "fhops_algorithm"}, {&f.statuses, "status"}}) {
        SQLite::Statement st(db, std::string("SELECT DISTINCT ") + column + " FROM runs WHERE " + column + " IS NOT NULL ORDER BY 1 LIMIT 1000");
        while (st.executeStep()) list->push_back(st.getColumn(0).getString());
      }
    });
    std::lock_guard lock(facets_mutex_);
    facets_ = f;
    facets_at_ = std::chrono::steady_clock::now();
    return f;
  }

  /// `/api/facets`: {"scenarios": [...], "algorithms": [...], "statuses": [...]}.
  std::string facets_json() {
    const facet_lists f = facets();
    std::string out = "{";
    bool first = true;
    for (const auto& [name, list] : {std::pair<const char*, const std::vector<std::string>*>{"scenarios", &f.scenarios},
                                     {"algorithms", &f.algorithms}, {"statuses", &f.statuses}}) {
      detail::json_key(out, name, first);
      out += '[';
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (i) out += ',';
        append_json_quoted(out, (*list)[i], false);
      }
      out += ']';
    }
    return out + "}";
  }

  /// `/api/run/<id>`: the run's record columns, config, context, extra, tuner_meta, metrics and
  /// KPIs, whether it has a step log; a run in progress as its live_run. nullopt when the id is
  /// neither recorded nor in progress (the caller answers 404).
  std::optional<std::string> run_json(std::string_view run_id) {
    if (!telemetry::valid_run_id(run_id)) return std::nullopt;
    const std::string id(run_id);
    std::optional<std::string> out;
    read([&](SQLite::Database& db) {
      SQLite::Statement st(db, "SELECT run_id, solver, scenario, scenario_path, seed, status, started_at, finished_at,"
                               " duration_seconds, fhops_algorithm, fhops_objective, error, schema_version, config_json,"
                               " context_json, extra_json, tuner_meta_json, artifacts_json FROM runs WHERE run_id = ?");
      st.bind(1, id);
      if (!st.executeStep()) return;
      std::string o = "{";
      bool first = true;
      static constexpr const char* names[] = {"run_id", "solver", "scenario", "scenario_path", "seed", "status",
                                              "started_at", "finished_at", "duration_seconds", "algorithm", "objective",
                                              "error", "schema_version"};
      for (int c = 0; c < 13; ++c) {
        detail::json_key(o, names[c], first);
        detail::append_column(o, st.getColumn(c));
      }
      telemetry::json_parser parser;
      static constexpr const char* payloads[] = {"config", "context", "extra", "tuner_meta", "artifacts"};
      for (int c = 0; c < 5; ++c) {
        detail::json_key(o, payloads[c], first);
        detail::append_json_column(o, st.getColumn(13 + c), parser, c == 4 ? "[]" : "{}");
      }
      for (const auto& [name, table] : {std::pair<const char*, const char*>{"metrics", "run_metrics"}, {"kpis", "run_kpis"}}) {
        detail::json_key(o, name, first);
        o += '{';
        SQLite::Statement v(db, std::string("SELECT name, value, value_text FROM ") + table + " WHERE run_id = ? ORDER BY name");
        v.bind(1, id);
        bool first_value = true;
        while (v.executeStep()) {
          detail::json_key(o, v.getColumn(0).getString(), first_value);
          if (!v.getColumn(1).isNull()) append_json_number(o, v.getColumn(1).getDouble());
          else if (!v.getColumn(2).isNull()) detail::append_json_column(o, v.getColumn(2), parser);
          else o += "null";
        }
        o += '}';
      }
      detail::json_key(o, "live", first);
      o += "false}";
      out = std::move(o);
    });
    if (out) {
      const bool steps = detail::step_file(telemetry::step_path_for(paths_.steps_dir, id)).ok();
      out->pop_back();
      *out += std::string(",\"has_steps\":") + (steps ? "true" : "false") + "}";
      return out;
    }
    for (const live_run& r : live_runs())
      if (r.run_id == id) {
        std::string o;
        append_live(o, r);
        o.pop_back();
        o += ",\"live\":true,\"has_steps\":true}";
        return o;
      }
    return std::nullopt;
  }

  /// `/api/run/<id>/steps?after=N&offset=B&min_gap=G`: the step records with step > N in columns
  /// {"step", "objective", "best"}, reading the log from byte B (a `next_offset` of an earlier
  /// answer; 0 or beyond the end reads from the start) up to max_step_bytes of whole lines; with
  /// G > 0 only records at least G steps after the previous one kept (and the newest one), so a
  /// long run's chart stays a few thousand points.
  /// `more` says a further call has data now; `finished` that the run has its record. nullopt for
  /// an unknown run (404).
  std::optional<std::string> steps_json(std::string_view run_id, long long after, std::uint64_t offset, long long min_gap = 0) {
    if (!telemetry::valid_run_id(run_id)) return std::nullopt;
    const std::string id(run_id);
    const bool recorded = is_recorded(id);
    if (!recorded && !is_live(id)) return std::nullopt;
    std::string out = "{\"run_id\":";
    append_json_quoted(out, id, false);
    std::string steps = "[", objective = "[", best = "[";
    std::uint64_t next = offset;
    bool more = false;
    const detail::step_file f(telemetry::step_path_for(paths_.steps_dir, id));
    if (f.ok()) {
      if (offset > f.size()) offset = 0;
      std::string text = f.read(offset, options_.max_step_bytes);
      const std::size_t end = text.rfind('\n');  // whole lines only: a line being written waits for the next call
      const std::size_t used = end == std::string::npos ? 0 : end + 1;
      next = offset + used;
      more = next < f.size() && text.size() == options_.max_step_bytes;
      telemetry::json_parser parser;
      bool first = true;
      long long kept = after;
      for (std::size_t at = 0; at < used;) {
        const std::size_t nl = text.find('\n', at);
        const std::string_view line(text.data() + at, nl - at);
        at = nl + 1;
        const auto p = detail::read_step(parser, line);
        if (!p || p->step <= after) continue;
        // Thinned to one record per min_gap steps, but the newest record read is always kept.
        if (min_gap > 0 && p->step < kept + min_gap && !(at == used && !more)) continue;
        kept = p->step;
        const char* sep = first ? "" : ",";
        first = false;
        steps += sep + std::to_string(p->step);
        objective += sep;
        append_json_number(objective, p->objective);
        best += sep;
        append_json_number(best, p->best);
      }
    }
    out += ",\"step\":" + steps + "],\"objective\":" + objective + "],\"best\":" + best + "]";
    out += ",\"next_offset\":" + std::to_string(next) + ",\"more\":" + (more ? "true" : "false");
    out += std::string(",\"finished\":") + (recorded ? "true" : "false") + ",\"has_steps\":" + (f.ok() ? "true" : "false") + "}";
    return out;
  }

  /// True when the store has a record of `run_id`.
  bool is_recorded(const std::string& run_id) {
    return read([&](SQLite::Database& db) {
      SQLite::Statement st(db, "SELECT 1 FROM runs WHERE run_id = ?");
      st.bind(1, run_id);
      return st.executeStep();
    });
  }

  /// True when `run_id` is a run in progress found by the folder scan.
  bool is_live(const std::string& run_id) {
    for (const live_run& r : live_runs())
      if (r.run_id == run_id) return true;
    return false;
  }

  /// The runs in progress: step logs `<valid run id>.jsonl` (regular files) in the steps folder
  /// without a run record, newest first. The folder is listed again when its modification time
  /// changes (a file added or removed) and at least every few seconds; the candidates are checked
  /// against the store and their last step read at most every scan_interval.
  std::vector<live_run> live_runs() {
    std::lock_guard lock(scan_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (scanned_once_ && now - scanned_at_ < options_.scan_interval) return live_;
    scanned_once_ = true;
    scanned_at_ = now;
    scan();
    return live_;
  }

  /// `/api/compare?a=ALG&b=ALG[&scenario=S]`: per scenario, the objectives of the two algorithms'
  /// recorded runs: {"a", "b", "scenarios": [{"scenario", "a": [...], "b": [...]}]}.
  struct comparison {
    std::string a, b;
    std::vector<std::string> scenarios;
    std::vector<std::pair<std::vector<double>, std::vector<double>>> samples;  ///< per scenario: a's, b's
  };
  comparison compare(const std::string& a, const std::string& b, const std::string& scenario, std::size_t max_scenarios = 24) {
    comparison c{a, b, {}, {}};
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by;
    read([&](SQLite::Database& db) {
      SQLite::Statement st(db, std::string("SELECT scenario, fhops_algorithm, fhops_objective FROM runs WHERE fhops_algorithm IN (?, ?)"
                                           " AND fhops_objective IS NOT NULL AND scenario IS NOT NULL") +
                                   (scenario.empty() ? "" : " AND scenario = ?") + " LIMIT 200000");
      st.bind(1, a);
      st.bind(2, b);
      if (!scenario.empty()) st.bind(3, scenario);
      while (st.executeStep()) {
        auto& cell = by[st.getColumn(0).getString()];
        const double v = st.getColumn(2).getDouble();
        if (!std::isfinite(v)) continue;
        (st.getColumn(1).getString() == a ? cell.first : cell.second).push_back(v);
        if (a == b) cell.second.push_back(v);
      }
    });
    for (auto& [s, cell] : by) {
      if (c.scenarios.size() >= max_scenarios) break;
      c.scenarios.push_back(s);
      c.samples.push_back(std::move(cell));
    }
    return c;
  }

  /// One tuner summary (`tuner_summaries`): when, which tuner, how many configurations, and the
  /// best objective it found per scenario.
  struct tuning_row {
    std::string created_at, algorithm;
    long long configurations = 0, scenarios = 0;
    std::vector<std::pair<std::string, double>> best;
  };

  /// The newest `limit` tuner summaries, newest first (none when the store has no such table).
  std::vector<tuning_row> tuning(std::size_t limit = 500) {
    std::vector<tuning_row> rows;
    read([&](SQLite::Database& db) {
      if (!db.tableExists("tuner_summaries")) return;
      SQLite::Statement st(db, "SELECT created_at, algorithm, configurations, scenarios_evaluated, scenario_best_json"
                               " FROM tuner_summaries ORDER BY created_at DESC, rowid DESC LIMIT ?");
      st.bind(1, static_cast<std::int64_t>(limit));
      telemetry::json_parser parser;
      while (st.executeStep()) {
        tuning_row r;
        const auto text = [&](int c) { return st.getColumn(c).isNull() ? std::string() : st.getColumn(c).getString(); };
        r.created_at = text(0);
        r.algorithm = text(1);
        r.configurations = st.getColumn(2).getInt64();
        r.scenarios = st.getColumn(3).getInt64();
        if (const auto best = parser.parse(text(4)); best && best->is_object())
          for (const auto& [k, v] : best->as_object())
            if (v.is_number()) r.best.emplace_back(k, v.as_double());
        rows.push_back(std::move(r));
      }
    });
    return rows;
  }

  /// `/api/tuning`: [{"created_at", "algorithm", "configurations", "scenarios", "best": {...}}].
  std::string tuning_json() {
    std::string out = "[";
    for (const tuning_row& r : tuning()) {
      out += out.size() > 1 ? ",{" : "{";
      bool first = true;
      detail::json_key(out, "created_at", first);
      append_json_quoted(out, r.created_at, false);
      detail::json_key(out, "algorithm", first);
      append_json_quoted(out, r.algorithm, false);
      out += ",\"configurations\":" + std::to_string(r.configurations) + ",\"scenarios\":" + std::to_string(r.scenarios) + ",\"best\":{";
      bool first_best = true;
      for (const auto& [k, v] : r.best) {
        detail::json_key(out, k, first_best);
        append_json_number(out, v);
      }
      out += "}}";
    }
    return out + "]";
  }

private:
  void give_back(std::unique_ptr<SQLite::Database> db) {
    std::lock_guard lock(pool_mutex_);
    if (pool_.size() < options_.max_pool) pool_.push_back(std::move(db));
  }

  static void append_live(std::string& out, const live_run& r) {
    out += "{\"run_id\":";
    append_json_quoted(out, r.run_id, false);
    out += ",\"status\":";
    append_json_quoted(out, r.status, false);
    out += ",\"steps\":" + std::to_string(r.steps) + ",\"objective\":";
    append_json_number(out, r.objective);
    out += ",\"best\":";
    append_json_number(out, r.best);
    out += ",\"updated_at\":";
    append_json_quoted(out, r.updated_at, false);
    out += ",\"bytes\":" + std::to_string(r.bytes) + "}";
  }

  // Called under scan_mutex_.
  void scan() {
    namespace fs = std::filesystem;
    std::error_code ec;
    struct stat dir {};
    if (::stat(paths_.steps_dir.c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode)) {
      known_.clear();
      candidates_.clear();
      live_.clear();
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool changed = dir.st_mtim.tv_sec != dir_mtime_.tv_sec || dir.st_mtim.tv_nsec != dir_mtime_.tv_nsec;
    std::vector<std::string> fresh;
    if (changed || now - listed_at_ > std::chrono::seconds(5)) {
      dir_mtime_ = dir.st_mtim;
      listed_at_ = now;
      std::set<std::string> seen;
      for (fs::directory_iterator it(paths_.steps_dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= 6 || name.compare(name.size() - 6, 6, ".jsonl") != 0) continue;
        std::string id = name.substr(0, name.size() - 6);
        if (!telemetry::valid_run_id(id)) continue;
        if (!known_.count(id)) fresh.push_back(id);
        seen.insert(std::move(id));
      }
      known_ = std::move(seen);
      for (auto it = candidates_.begin(); it != candidates_.end();) it = known_.count(*it) ? std::next(it) : candidates_.erase(it);
    }
    // New files and old candidates: those without a record are in progress.
    try {
      read([&](SQLite::Database& db) {
        SQLite::Statement st(db, "SELECT 1 FROM runs WHERE run_id = ?");
        const auto recorded = [&](const std::string& id) {
          st.bind(1, id);
          const bool r = st.executeStep();
          st.reset();
          return r;
        };
        for (const auto& id : fresh)
          if (!recorded(id)) candidates_.insert(id);
        for (auto it = candidates_.begin(); it != candidates_.end();) it = recorded(*it) ? candidates_.erase(it) : std::next(it);
      });
    } catch (const store_unavailable&) {
      for (const auto& id : fresh) candidates_.insert(id);  // no store yet: every step log is a run in progress
    }
    live_.clear();
    const auto wall = std::chrono::system_clock::now();
    for (const auto& id : candidates_) {
      const detail::step_file f(telemetry::step_path_for(paths_.steps_dir, id));
      if (!f.ok()) continue;
      live_run r;
      r.run_id = id;
      r.bytes = f.size();
      const auto modified = std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(f.mtime().tv_sec) + std::chrono::nanoseconds(f.mtime().tv_nsec)));
      r.status = wall - modified <= options_.running_window ? "running" : "unfinished";
      const std::uint64_t tail = std::min<std::uint64_t>(f.size(), 4096);
      const std::string text = f.read(f.size() - tail, static_cast<std::size_t>(tail));
      const std::size_t end = text.rfind('\n');
      if (end != std::string::npos) {
        const std::size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
        const std::size_t from = begin == std::string::npos || begin >= end ? 0 : begin + 1;
        if (from > 0 || tail == f.size()) {
          telemetry::json_parser parser;
          if (const auto p = detail::read_step(parser, std::string_view(text).substr(from, end - from))) {
            r.steps = p->step;
            r.objective = p->objective;
            r.best = p->best;
            r.updated_at = p->timestamp;
          }
        }
      }
      live_.push_back(std::move(r));
    }
    std::sort(live_.begin(), live_.end(), [](const live_run& x, const live_run& y) { return x.run_id > y.run_id; });
  }

  store_paths paths_;
  view_options options_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SQLite::Database>> pool_;
  std::mutex facets_mutex_;
  facet_lists facets_;
  std::optional<std::chrono::steady_clock::time_point> facets_at_;
  std::mutex scan_mutex_;
  bool scanned_once_ = false;
  std::chrono::steady_clock::time_point scanned_at_{}, listed_at_{};
  timespec dir_mtime_{};
  std::set<std::string> known_, candidates_;
  std::vector<live_run> live_;
};

}  // namespace fhops::pages::dashboard
