#!/usr/bin/env python3
"""Gaps of one solver configuration on the families benchmark's instances (issue 20).

Runs `fhops SOLVER INSTANCE --time-limit T --seed S [OPTIONS...]` for seeds 42-44 on every
instance of a split (or a comma-separated list of names) and prints one line: the mean over the
instances of the median gap, and per instance median / worst gap in % to the best known value
(negative: the run beat it). The instances are written by `build/bench/families_bench
--generate-only` into build/families/instances; the best known values are those of
bench/RESULTS.md ("Scenario families", revised 2026-12-06), fixed here so that configurations compare on one scale.

Usage: bench/families/config_gaps.py SOLVER SECONDS tune|report|NAME,... LABEL [OPTIONS...]
  e.g. bench/families/config_gaps.py solve-ils 3 tune reference --ls-patience 1 --perturbation-strength 3 --ils-acceptance walk
Environment: FHOPS (driver, default build/examples/fhops), FAMILIES (default build/families/instances),
SEEDS (comma-separated, default 42,43,44).
"""
import json
import os
import statistics
import subprocess
import sys

BEST = {
    "tune-roles-40x8x28": 827.877, "tune-softcap-60x12x21x2": 1461.329, "tune-softcap-120x20x42x2": 4409.904,
    "tune-mobil-80x16x42": 1473.652, "tune-crews-40x10x56": 4476.997, "tune-crews-90x16x70x2": 19547.100,
    "report-roles-40x8x28": 910.457, "report-roles-100x16x42x2": 4695.691, "report-softcap-60x12x21x2": 1341.584,
    "report-mobil-80x16x42": 1900.222, "report-mobil-150x24x84x2": 10423.051, "report-crews-60x12x56x2": 11349.873,
    "report-crews-120x20x84": 14560.212, "report-crews-150x24x84x2": 36655.521,
}
# 2026-12-06: eight values raised by long SA runs (400,000-870,000 iterations; bench/RESULTS.md,
# "Best known values revised"), then tune-crews-40 and tune-crews-90 by `-P lns` runs (RESULTS,
# "Crews: the row DP's start-of-run scan pruned, landing_rebuild gated"); 2026-12-07 report-mobil-80
# (1824.577 -> 1900.222, a 240 s solve-heur run: RESULTS, "SA: the sequenced families"). The tables
# dated 2026-12-05 in RESULTS used the earlier values, those before 2026-12-07's mobil-80 value 1824.577.
# 2026-12-07, night: report-mobil-150 (10215.654 -> 10423.051), report-crews-60 (11266.396 -> 11349.873),
# report-crews-120 (14337.629 -> 14528.581) and report-crews-150 (36083.625 -> 36655.521), by 10 s and
# 60 s solve-heur runs (RESULTS, "Best known values revised again"); tables before it used the old values.
# 2026-12-07, later: report-crews-120 14528.581 -> 14560.212 (a 60 s run, seed 42; RESULTS, "ILS and Tabu:
# 80 % of the budget to the SA warm start"); the tables before it used 14528.581.
SEEDS = tuple(int(x) for x in os.environ.get("SEEDS", "42,43,44").split(","))


def objective(driver, solver, instance, seconds, seed, options):
    out = subprocess.run([driver, solver, instance, "--time-limit", str(seconds), "--seed", str(seed),
                          "--out", os.devnull, "--format", "json"] + options, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{solver} {instance} seed {seed}: exit {out.returncode}: {out.stdout.strip()} {out.stderr.strip()}")
    return json.loads(out.stdout)["objective"]


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    solver, seconds, split, label, options = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
    driver = os.environ.get("FHOPS", "build/examples/fhops")
    folder = os.environ.get("FAMILIES", "build/families/instances")
    names = [n for n in BEST if n.startswith(split + "-")] if split in ("tune", "report") else split.split(",")
    unknown = [n for n in names if n not in BEST]
    if unknown:
        sys.exit(f"unknown instance(s): {', '.join(unknown)}")
    medians, cells = [], []
    for name in names:
        gaps = [100.0 * (BEST[name] - objective(driver, solver, os.path.join(folder, name), seconds, s, options)) / BEST[name]
                for s in SEEDS]
        medians.append(statistics.median(gaps))
        family, size = name.split("-")[1], name.split("-")[2].split("x")[0]
        cells.append(f"{family}{size}:{medians[-1]:.2f}/{max(gaps):.2f}")
    print(f"{solver} {seconds:g}s {label}: mean {statistics.mean(medians):.2f} | " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main()
