/// \file
/// The telemetry record schemas of the reference (telemetry_tuning.md §1.3, §1.7, §1.8): the run
/// record (schema_version "1.1"), the step record and the tuner summary, with the reference's field
/// order and number formats; run ids (time-ordered UUIDs in hex) and UTC timestamps; where a log's SQLite mirror
/// and step files live (§1.1).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "fhops/telemetry/json_value.hpp"
#include "fhops/util/python_format.hpp"
#include "fhops/util/rng.hpp"

namespace fhops::telemetry {

/// The record schema version written (and the only one the reference wrote).
inline constexpr std::string_view schema_version = "1.1";

/// A fresh run id: a UUID version 7 as 32 lowercase hex digits — the same spelling as the
/// reference's `uuid4().hex`, but time-ordered (48 bits of Unix milliseconds, then 74 random bits),
/// so the store's run-id indexes grow at their end instead of taking every insert at a random page.
/// Thread-safe; the generator is seeded per thread from the operating system and reseeded in a
/// forked child, so threads and processes never share a stream.
inline std::string new_run_id() {
  thread_local rng gen;
  thread_local pid_t owner = 0;
  if (owner != ::getpid()) {
    owner = ::getpid();
    std::random_device rd;
    const std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    gen.reseed(seed ^ static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (static_cast<std::uint64_t>(owner) << 40));
  }
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::uint64_t hi = (ms << 16) | 0x7000ULL | (gen() & 0x0FFFULL);          // unix_ts_ms, version 7, rand_a
  const std::uint64_t lo = (gen() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 9562 variant, rand_b
  return fmt::format("{:016x}{:016x}", hi, lo);
}

/// The calendar fields of a UTC time (whole seconds).
inline std::tm utc_fields(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&s, &tm);
  return tm;
}

/// A UTC time as the reference writes it: `YYYY-MM-DDTHH:MM:SS+00:00` (whole seconds).
inline std::string utc_iso_seconds(std::chrono::system_clock::time_point t = std::chrono::system_clock::now()) {
  const std::tm tm = utc_fields(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

/// Parses the leading `YYYY-MM-DDTHH:MM:SS` of an ISO-8601 UTC timestamp (offset and fractions
/// ignored; the reference always writes UTC). nullopt when it does not start that way.
inline std::optional<std::chrono::system_clock::time_point> parse_utc_iso(std::string_view s) {
  int v[6];
  const int widths[6] = {4, 2, 2, 2, 2, 2};
  const char seps[6] = {'-', '-', 'T', ':', ':', '\0'};
  std::size_t pos = 0;
  for (int k = 0; k < 6; ++k) {
    if (pos + widths[k] > s.size()) return std::nullopt;
    v[k] = 0;
    for (int d = 0; d < widths[k]; ++d) {
      const char c = s[pos + d];
      if (c < '0' || c > '9') return std::nullopt;
      v[k] = v[k] * 10 + (c - '0');
    }
    pos += widths[k];
    if (seps[k]) {
      if (pos >= s.size() || (s[pos] != seps[k] && !(k == 2 && s[pos] == ' '))) return std::nullopt;
      ++pos;
    }
  }
  std::tm tm{};
  tm.tm_year = v[0] - 1900;
  tm.tm_mon = v[1] - 1;
  tm.tm_mday = v[2];
  tm.tm_hour = v[3];
  tm.tm_min = v[4];
  tm.tm_sec = v[5];
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

/// The SQLite mirror of a run log: the log path with its last suffix replaced by `.sqlite`
/// (Python's `with_suffix`), e.g. `telemetry/runs.jsonl` → `telemetry/runs.sqlite`.
inline std::filesystem::path sqlite_path_for(const std::filesystem::path& log) {
  std::filesystem::path p = log;
  return p.replace_extension(".sqlite");
}

/// The step-log folder of a run log: the sibling `steps/`.
inline std::filesystem::path steps_dir_for(const std::filesystem::path& log) { return log.parent_path() / "steps"; }

/// The files of a telemetry store.
struct store_location {
  std::filesystem::path log, sqlite, steps_dir;
};

/// The store one path names, the same for every command that takes a STORE: a run log (`.jsonl`:
/// its sibling `.sqlite` and `steps/`), a folder (its `runs.jsonl`), or else the SQLite file itself
/// (its log the sibling `.jsonl`).
inline store_location locate_store(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path p = path;
  if (std::filesystem::is_directory(p, ec)) p /= "runs.jsonl";
  store_location out;
  if (p.extension() == ".jsonl") {
    out.log = p;
    out.sqlite = sqlite_path_for(p);
  } else {
    out.sqlite = p;
    out.log = std::filesystem::path(p).replace_extension(".jsonl");
  }
  out.steps_dir = steps_dir_for(out.log);
  return out;
}

/// The longest run id used as a file name (the writers' ids have 32 characters).
inline constexpr std::size_t max_run_id_length = 128;

/// True when a run id may become a file name (`steps/<run_id>.jsonl`): 1 to 128 characters of
/// `[A-Za-z0-9._-]`, starting with a letter or digit, without `..` — the writers' 32 hex digits
/// and the reference's `uuid4().hex` among them; never a path (`/`, `..`) or a hidden file. A run
/// id read from a log or a store is data: an invalid one stays in its record, but no file is
/// named after it.
inline bool valid_run_id(std::string_view id) {
  const auto alnum = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (id.empty() || id.size() > max_run_id_length || !alnum(id[0]) || id.find("..") != std::string_view::npos) return false;
  for (const char c : id)
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

/// Why `id` is not a valid_run_id, naming it (one line).
inline std::string invalid_run_id_message(std::string_view id) {
  return "invalid run id '" + std::string(id.substr(0, 2 * max_run_id_length)) +
         "': a run id names its step log, so it must be 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter or "
         "digit, without '..'";
}

/// The step log of one run: `<steps dir>/<run_id>.jsonl`. Throws std::runtime_error naming the id
/// when it is not a valid_run_id (callers reading ids from files check first and skip).
inline std::filesystem::path step_path_for(const std::filesystem::path& steps_dir, std::string_view run_id) {
  if (!valid_run_id(run_id)) throw std::runtime_error(invalid_run_id_message(run_id));
  return steps_dir / (std::string(run_id) + ".jsonl");
}

/// A run record (`record_type: "run"`). Fields are written in the reference's order (§1.3).
struct run_record {
  std::string run_id;
  std::string solver;                       ///< sa | ils | tabu | playback | mip | ...
  std::optional<std::string> scenario;      ///< the scenario's YAML name
  std::optional<std::string> scenario_path;
  std::optional<long long> seed;
  std::string status = "ok";                ///< ok | error
  json::object metrics;                     ///< numeric scalars (objective, initial_score, ...)
  json::object config;                      ///< solver configuration snapshot
  json::object context;                     ///< caller context + scenario descriptors
  json::object extra;                       ///< solver bookkeeping
  json::array artifacts;                    ///< output paths
  std::optional<std::string> error;
  std::string started_at, finished_at;      ///< utc_iso_seconds()
  double duration_seconds = 0.0;            ///< rounded to 3 decimals when written
  json::object tuner_meta;
  json::object kpis;
  std::string schema = std::string(schema_version);
};

/// The record as a JSON object in the reference's key order: the 18 fixed fields, then each of
/// `source, command, profile, profile_version, tier` present in the context (promoted), `kpis`,
/// then each of `export, scenario_features, export_metrics` present in `extra`.
inline json::object to_json(const run_record& r) {
  json::object o;
  o.reserve(24);
  o.emplace_back("record_type", "run");
  o.emplace_back("schema_version", r.schema);
  o.emplace_back("run_id", r.run_id);
  o.emplace_back("solver", r.solver);
  o.emplace_back("scenario", json(r.scenario));
  o.emplace_back("scenario_path", json(r.scenario_path));
  o.emplace_back("seed", json(r.seed));
  o.emplace_back("status", r.status);
  o.emplace_back("metrics", r.metrics);
  o.emplace_back("config", r.config);
  o.emplace_back("context", r.context);
  o.emplace_back("extra", r.extra);
  o.emplace_back("artifacts", r.artifacts);
  o.emplace_back("error", json(r.error));
  o.emplace_back("started_at", r.started_at);
  o.emplace_back("finished_at", r.finished_at);
  o.emplace_back("duration_seconds", python_round(r.duration_seconds, 3));
  o.emplace_back("tuner_meta", r.tuner_meta);
  for (std::string_view key : {"source", "command", "profile", "profile_version", "tier"})
    for (const auto& [k, v] : r.context)
      if (k == key) {
        o.emplace_back(k, v);
        break;
      }
  o.emplace_back("kpis", r.kpis);
  for (std::string_view key : {"export", "scenario_features", "export_metrics"})
    for (const auto& [k, v] : r.extra)
      if (k == key) {
        o.emplace_back(k, v);
        break;
      }
  return o;
}

/// One JSONL line (compact JSON and '\n') for any record object.
inline std::string jsonl_line(const json::object& record) {
  std::string s = dump(record);
  s += '\n';
  return s;
}

/// The JSONL line of a run record.
inline std::string jsonl_line(const run_record& r) { return jsonl_line(to_json(r)); }

/// A step record (`record_type: "step"`, §1.7). Optional fields are written as null.
struct step_record {
  std::string run_id;
  std::string timestamp;                    ///< utc_iso_seconds()
  long long step = 0;                       ///< 1-based iteration
  double objective = 0.0;                   ///< current score
  double best_objective = 0.0;
  std::optional<double> temperature;
  std::optional<double> acceptance_rate;
  long long proposals = 0;
  long long accepted_moves = 0;
};

/// Appends the JSONL line of a step record (no intermediate JSON tree: this is the hot path of
/// step logging).
inline void append_jsonl_line(std::string& out, const step_record& s) {
  const auto integer = [&](long long v) {
    const fmt::format_int digits(v);
    out.append(digits.data(), digits.size());
  };
  const auto optional = [&](const std::optional<double>& v) {
    if (v) append_json_number(out, *v);
    else out += "null";
  };
  out += "{\"record_type\":\"step\",\"schema_version\":\"";
  out += schema_version;
  out += "\",\"run_id\":";
  append_json_quoted(out, s.run_id, false);
  out += ",\"timestamp\":\"";
  out += s.timestamp;
  out += "\",\"step\":";
  integer(s.step);
  out += ",\"objective\":";
  append_json_number(out, s.objective);
  out += ",\"best_objective\":";
  append_json_number(out, s.best_objective);
  out += ",\"temperature\":";
  optional(s.temperature);
  out += ",\"acceptance_rate\":";
  optional(s.acceptance_rate);
  out += ",\"proposals\":";
  integer(s.proposals);
  out += ",\"accepted_moves\":";
  integer(s.accepted_moves);
  out += "}\n";
}

/// The algorithm a run is reported under (§4.1, every run covered): the tuner of `context.source`
/// (cli.tune-*), else `context.algorithm`, else `tuner_meta.algorithm`, else the solver, else
/// "unknown". Empty arguments are absent fields.
inline std::string report_algorithm(std::string_view source, std::string_view context_algorithm, std::string_view tuner_algorithm,
                                    std::string_view solver) {
  if (source == "cli.tune-random") return "random";
  if (source == "cli.tune-grid") return "grid";
  if (source == "cli.tune-bayes") return "bayes";
  if (!context_algorithm.empty()) return std::string(context_algorithm);
  if (!tuner_algorithm.empty()) return std::string(tuner_algorithm);
  if (!solver.empty()) return std::string(solver);
  return "unknown";
}

/// A tuner summary (`record_type: "tuner_summary"`, §1.8).
struct tuner_summary_record {
  std::string algorithm;
  long long configurations = 0;
  std::vector<std::pair<std::string, double>> scenario_best;  ///< scenario key → best objective
  std::string summary_id;                                      ///< new_run_id(), like a run id
  std::string created_at;                                      ///< utc_iso_seconds()
};

/// The summary as a JSON object in the reference's key order.
inline json::object to_json(const tuner_summary_record& s) {
  json::object best;
  for (const auto& [k, v] : s.scenario_best) best.emplace_back(k, v);
  return json::object{{"record_type", "tuner_summary"},
                      {"schema_version", std::string(schema_version)},
                      {"algorithm", s.algorithm},
                      {"scenarios_evaluated", static_cast<long long>(s.scenario_best.size())},
                      {"configurations", s.configurations},
                      {"scenario_best", std::move(best)},
                      {"summary_id", s.summary_id},
                      {"created_at", s.created_at}};
}

/// The start of a run, as announced to sinks.
struct run_start {
  std::string run_id;
  std::string solver;
  std::string started_at;
};

}  // namespace fhops::telemetry
