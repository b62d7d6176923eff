#!/usr/bin/env python3
"""Evaluations per CPU-second of the whole SA loop, old driver vs new (issue 20 §7).

Runs `DRIVER solve-heur SCENARIO --iters N --seed 42 --out /dev/null --format json` under
`/usr/bin/time -f %U` and divides the run's evaluations by its user CPU seconds (the clock of a
shared machine matters less than with wall time); old and new alternate, REPEATS runs each, and
the medians go into a markdown table. The user seconds include loading the scenario (a few ms).

Usage: bench/families/sa_speed.py OLD_DRIVER NEW_DRIVER [REPEATS]
Environment: FAMILIES (default build/families/instances), REFERENCE (default ../shared/reference/scenarios).
"""
import json
import os
import statistics
import subprocess
import sys

FAMILIES = os.environ.get("FAMILIES", "build/families/instances")
REFERENCE = os.environ.get("REFERENCE", "../shared/reference/scenarios")
# (scenario, iterations): budgets of about 1-5 CPU-seconds with the old driver.
CASES = (
    (os.path.join(REFERENCE, "med42"), 300000),
    (os.path.join(REFERENCE, "large84"), 50000),
    (os.path.join(FAMILIES, "report-crews-150x24x84x2"), 20000),
    (os.path.join(FAMILIES, "report-mobil-150x24x84x2"), 8000),
    (os.path.join(FAMILIES, "report-roles-100x16x42x2"), 20000),
)


def rate(driver, scenario, iters):
    args = ["/usr/bin/time", "-f", "%U", driver, "solve-heur", scenario, "--iters", str(iters), "--seed", "42",
            "--out", "/dev/null", "--format", "json"]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    user = float(done.stderr.strip().splitlines()[-1])
    evaluations = json.loads(done.stdout)["evaluations"]
    return evaluations / user, user, evaluations


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    old, new = sys.argv[1:3]
    repeats = int(sys.argv[3]) if len(sys.argv) == 4 else 3
    print("| scenario | --iters | evaluations | old user-s | new user-s | old evals/s | new evals/s | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario, iters in CASES:
        runs = {old: [], new: []}
        for _ in range(repeats):
            for driver in (old, new):
                runs[driver].append(rate(driver, scenario, iters))
        med = {d: (statistics.median(r[0] for r in runs[d]), statistics.median(r[1] for r in runs[d])) for d in runs}
        evaluations = runs[new][0][2]
        print(f"| {os.path.basename(scenario)} | {iters} | {evaluations} | {med[old][1]:.2f} | {med[new][1]:.2f} | "
              f"{med[old][0]:,.0f} | {med[new][0]:,.0f} | {med[new][0] / med[old][0]:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
