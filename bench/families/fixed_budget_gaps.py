#!/usr/bin/env python3
"""Gaps of one SA configuration on the crews instances at fixed iteration budgets (issue 20).

A timed run's trajectory depends on the machine's speed, so two configurations run side by side
differ by up to a point per instance from the clock alone. At fixed iteration budgets (about what
10 s gives on one core) with the budget cooling a timed run uses, every run is deterministic:
configurations meet the same seeds and only the configuration differs.

Usage: bench/families/fixed_budget_gaps.py LABEL [OPTIONS...]
  e.g. bench/families/fixed_budget_gaps.py warm -P lns --final-temperature 1
Prints the mean over the instances of each one's mean gap % to the best known value
(config_gaps.py's), per instance, then the gaps of every run as JSON (for paired comparisons).
Environment: FHOPS (driver, default build/examples/fhops), FAMILIES (default
build/families/instances), SEEDS (default 42-49), INSTANCES (comma-separated subset), BUDGETS
(name=iterations,... : other budgets, e.g. for a configuration whose iterations cost less).
With no --time-limit but --cooling budget, the driver takes SA's timed defaults: on these
instances one candidate per step (`--batch-neighbours 1` gives the reference's step).
"""
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from config_gaps import BEST  # noqa: E402

BUDGET = {"tune-crews-40x10x56": 200000, "tune-crews-90x16x70x2": 60000, "report-crews-60x12x56x2": 80000,
          "report-crews-120x20x84": 60000, "report-crews-150x24x84x2": 25000}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    label, options = sys.argv[1], sys.argv[2:]
    driver = os.environ.get("FHOPS", "build/examples/fhops")
    folder = os.environ.get("FAMILIES", "build/families/instances")
    seeds = [int(s) for s in os.environ.get("SEEDS", "42,43,44,45,46,47,48,49").split(",")]
    names = os.environ.get("INSTANCES", ",".join(BUDGET)).split(",")
    for item in filter(None, os.environ.get("BUDGETS", "").split(",")):  # name=iterations,...
        name, iters = item.split("=")
        BUDGET[name] = int(iters)
    means, cells, gaps = [], [], {}
    for name in names:
        gaps[name] = []
        for seed in seeds:
            out = subprocess.run([driver, "solve-heur", os.path.join(folder, name), "--iters", str(BUDGET[name]), "--cooling", "budget",
                                  "--restart-period", "0", "--seed", str(seed), "--out", os.devnull, "--format", "json"] + options,
                                 capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"{name} seed {seed}: exit {out.returncode}: {out.stdout.strip()} {out.stderr.strip()}")
            gaps[name].append(100.0 * (BEST[name] - json.loads(out.stdout)["objective"]) / BEST[name])
        means.append(statistics.mean(gaps[name]))
        cells.append(f"{name.split('-')[1]}{name.split('-')[2].split('x')[0]}:{means[-1]:.2f}")
    print(f"{label}: mean {statistics.mean(means):.2f} | " + " ".join(cells), flush=True)
    print(json.dumps(gaps))


if __name__ == "__main__":
    main()
