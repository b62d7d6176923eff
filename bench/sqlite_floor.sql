-- SQLite alone storing 20,000 run records in the store's schema, with no program in between:
-- the floor for any writer of the reference schema (a row per metric and per KPI, JSON payload
-- columns). Sizes as telemetry_bench's sample record (a solve-heur run of the demo): a 2.3 KB runs
-- row, 15 metrics, 18 KPIs, the 4 KB verbatim record. Metric and KPI tables WITHOUT ROWID (the
-- most compact form). Run on a RAM disk to see the CPU floor, on the store's disk to see the I/O:
--   cd /dev/shm && rm -f floor.db* && time sqlite3 floor.db < /path/to/bench/sqlite_floor.sql
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -65536;
PRAGMA wal_autocheckpoint = 10000;
CREATE TABLE runs (run_id TEXT PRIMARY KEY, schema_version TEXT, solver TEXT, scenario TEXT, scenario_path TEXT,
  seed INTEGER, status TEXT, started_at TEXT, finished_at TEXT, duration_seconds REAL, config_json TEXT,
  context_json TEXT, extra_json TEXT, artifacts_json TEXT, tuner_meta_json TEXT, error TEXT,
  fhops_algorithm TEXT, fhops_objective REAL);
CREATE INDEX runs_started_at ON runs(started_at);
CREATE INDEX runs_solver_scenario ON runs(solver, scenario);
CREATE INDEX runs_report ON runs(fhops_algorithm, scenario, fhops_objective);
CREATE TABLE run_metrics (run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL, value_text TEXT,
  PRIMARY KEY (run_id, name)) WITHOUT ROWID;
CREATE TABLE run_kpis (run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL, value_text TEXT,
  PRIMARY KEY (run_id, name)) WITHOUT ROWID;
CREATE TABLE run_records (run_id TEXT PRIMARY KEY, record_json TEXT NOT NULL);
.timer on
BEGIN;
INSERT INTO runs SELECT printf('018f%028x', r.value), '1.1', 'sa', 'demo', 'examples/scenarios/demo/scenario.yaml',
  r.value, 'ok', '2026-11-29T03:52:00Z', '2026-11-29T03:52:05Z', 5.0, printf('%.*c', 408, 'c'),
  printf('%.*c', 1524, 'x'), printf('%.*c', 403, 'e'), NULL, NULL, NULL, 'sa', r.value * 1.0
  FROM generate_series(1, 20000) AS r;
INSERT INTO run_metrics SELECT printf('018f%028x', r.value), 'metric_name_' || m.value, r.value * 1.5, NULL
  FROM generate_series(1, 20000) AS r, generate_series(1, 15) AS m;
INSERT INTO run_kpis SELECT printf('018f%028x', r.value), 'kpi_name_' || m.value, r.value * 1.5, NULL
  FROM generate_series(1, 20000) AS r, generate_series(1, 18) AS m;
INSERT INTO run_records SELECT printf('018f%028x', r.value), printf('%.*c', 4084, 'x') FROM generate_series(1, 20000) AS r;
COMMIT;
