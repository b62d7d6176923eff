#!/usr/bin/env python3
"""Old driver vs new driver: the same search trajectories, bit for bit (issue 20 §7).

A speed change to the search loop must not change what the search does. For every instance of
the families benchmark plus the reference scenarios med42 and large84, runs `solve-heur`,
`solve-ils` and `solve-tabu` with an iteration budget (so the clock plays no part) and seed 42
under both drivers, and checks that the plans are byte-identical and the JSON results equal
apart from the timing fields (seconds, evaluations_per_second). Prints one line per run and
exits 1 on any difference.

Usage: bench/families/same_trajectories.py OLD_DRIVER NEW_DRIVER
  e.g. bench/families/same_trajectories.py /work/fhops-base build/examples/fhops
Environment: FAMILIES (default build/families/instances, written by `build/bench/families_bench
--generate-only`), REFERENCE (default ../shared/reference/scenarios).
"""
import json
import os
import subprocess
import sys
import tempfile

# Budgets that take a few seconds per run on the largest instances.
RUNS = (("solve-heur", 20000), ("solve-ils", 20), ("solve-tabu", 2000))
TIMING = {"seconds", "evaluations_per_second"}


def scenarios():
    families = os.environ.get("FAMILIES", "build/families/instances")
    reference = os.environ.get("REFERENCE", "../shared/reference/scenarios")
    out = [os.path.join(families, name) for name in sorted(os.listdir(families))]
    return out + [os.path.join(reference, name) for name in ("med42", "large84")]


def without_timing(value):
    if isinstance(value, dict):
        return {k: without_timing(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


def run(driver, command, iters, scenario, plan):
    args = [driver, command, scenario, "--iters", str(iters), "--seed", "42", "--out", plan, "--format", "json"]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    with open(plan, "rb") as f:
        return without_timing(json.loads(done.stdout)), f.read()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = sys.argv[1:]
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        plan = os.path.join(tmp, "plan.csv")  # one path: the JSON may name it
        for scenario in scenarios():
            for command, iters in RUNS:
                json_old, csv_old = run(old, command, iters, scenario, plan)
                json_new, csv_new = run(new, command, iters, scenario, plan)
                same = json_old == json_new and csv_old == csv_new
                differ += not same
                what = "identical" if same else ("plans differ" if csv_old != csv_new else "JSON differs")
                print(f"{os.path.basename(scenario):28s} {command:10s} --iters {iters:<6d} {what}", flush=True)
    print(f"{differ} run(s) differ" if differ else "all runs identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
