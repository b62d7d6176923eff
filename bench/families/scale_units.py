#!/usr/bin/env python3
"""A copy of a scenario bundle in other units: every plan scores exactly K times as much (issue 20).

Rates (prod_rates.csv) and work (blocks.csv's work_required) are multiplied by K, and so are the
objective weights of mobilisation, transitions and landing slack (the production weight stays),
so production, mobilisation, transitions and slack all scale by K: the same problem, as a user
measuring work in other units would write it. Penalties (1000 per infeasible event) do not scale;
the search's plans hold none where nothing is sequenced. `fhops evaluate COPY --assignments PLAN`
re-scores any plan of the original at K times its score (up to rounding unless K is a power of 2).

Usage: bench/families/scale_units.py SOURCE_BUNDLE DEST_BUNDLE K
  e.g. bench/families/scale_units.py build/families/instances/tune-crews-40x10x56 /tmp/crews-40-x5 5
DEST_BUNDLE must not exist (nothing is overwritten). Reads the bundle's scenario.yaml for the
objective_weights section (absent weights take the model's defaults: production 1,
mobilisation 1, transitions 0, landing_slack 0) and data/prod_rates.csv, data/blocks.csv.
"""
import csv
import os
import re
import shutil
import sys
import tempfile

DEFAULTS = {"production": 1.0, "mobilisation": 1.0, "transitions": 0.0, "landing_slack": 0.0}
SCALED = ("mobilisation", "transitions", "landing_slack")


def scale_column(path, column, k, shown):
    """Scales `column` of the CSV at `path`; errors name `shown` (the source bundle's file)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or column not in rows[0]:
        sys.exit(f"{shown}: no column '{column}'")
    for row in rows:
        row[column] = repr(float(row[column]) * k)
    with open(path, "w", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def scale_weights(path, k):
    """Rewrites the objective_weights section of scenario.yaml (appended when absent)."""
    with open(path) as f:
        lines = f.read().splitlines()
    weights = dict(DEFAULTS)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "objective_weights:"), None)
    end = start
    if start is not None:
        end = start + 1
        while end < len(lines) and re.match(r"^\s+\S", lines[end]):
            key, _, value = lines[end].strip().partition(":")
            if key in weights:
                weights[key] = float(value)
            end += 1
    for key in SCALED:
        weights[key] *= k
    section = ["objective_weights:"] + [f"  {key}: {value!r}" for key, value in weights.items()]
    lines = lines + section if start is None else lines[:start] + section + lines[end:]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, dest, k = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if not k > 0:
        sys.exit(f"K must be > 0 (got {sys.argv[3]})")
    if os.path.exists(dest):
        sys.exit(f"{dest}: exists (nothing is overwritten)")
    if os.path.commonpath([os.path.realpath(source), os.path.realpath(dest)]) == os.path.realpath(source):
        sys.exit(f"{dest}: inside the source bundle {source} (the copy must not be one of the inputs)")
    # The copy is made and scaled in a scratch folder beside DEST, renamed to DEST only when whole:
    # a bundle that fails half-way (a missing column or file) leaves nothing behind.
    scratch = tempfile.mkdtemp(prefix=".scale_units-", dir=os.path.dirname(os.path.abspath(dest)))
    try:
        copy = os.path.join(scratch, "bundle")
        shutil.copytree(source, copy)
        for name, column in (("prod_rates.csv", "rate"), ("blocks.csv", "work_required")):
            scale_column(os.path.join(copy, "data", name), column, k, os.path.join(source, "data", name))
        scale_weights(os.path.join(copy, "scenario.yaml"), k)
        os.rename(copy, dest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
