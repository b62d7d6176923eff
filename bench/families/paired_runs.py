#!/usr/bin/env python3
"""Two configurations side by side, one per core, on the same instances and seeds (issue 20).

Timed runs depend on the machine's speed, and two configurations measured one after the other
meet different loads. Here each (instance, seed) runs configuration A pinned to CPU 0 and
configuration B pinned to CPU 1 at the same time, so both see the same machine. Prints per
instance the median (and lowest) objective of each, B's median relative to A's, and in how many
seeds B did better; then the mean of the relative differences. Needs no best known value (for
held-out instances). The two cores of the benchmark machine need not be equally fast (on report-mobil-150
the side on CPU 0 won whichever driver it was): run a comparison both ways round.

Usage: bench/families/paired_runs.py SECONDS INSTANCE[,INSTANCE...] SEED[,SEED...] -- A-OPTIONS... -- B-OPTIONS...
  e.g. bench/families/paired_runs.py 10 held/held-roles-60x10x35 42,43,44 -- --sa-warm-start 0 --
Environment: SOLVER (default solve-heur), FHOPS_A and FHOPS_B (drivers; default
build/examples/fhops, B defaults to A's), ENV_A and ENV_B ("NAME=VALUE,..." added to that side's
environment).
"""
import json
import os
import statistics
import subprocess
import sys


def environment(spec):
    env = dict(os.environ)
    for pair in filter(None, spec.split(",")):
        name, value = pair.split("=", 1)
        env[name] = value
    return env


def main():
    args = sys.argv[1:]
    if len(args) < 5 or args.count("--") != 2:
        sys.exit(__doc__)
    seconds, instances, seeds = args[0], args[1].split(","), args[2].split(",")
    rest = args[args.index("--") + 1:]
    split = rest.index("--")
    options = (rest[:split], rest[split + 1:])
    solver = os.environ.get("SOLVER", "solve-heur")
    driver_a = os.environ.get("FHOPS_A", "build/examples/fhops")
    drivers = (driver_a, os.environ.get("FHOPS_B", driver_a))
    envs = (environment(os.environ.get("ENV_A", "")), environment(os.environ.get("ENV_B", "")))
    relative = []
    for instance in instances:
        results = ([], [])
        for seed in seeds:
            procs = [subprocess.Popen(["taskset", "-c", str(side), drivers[side], solver, instance, "--time-limit", seconds, "--seed", seed,
                                       "--out", os.devnull, "--format", "json"] + options[side],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=envs[side], text=True) for side in (0, 1)]
            for side, proc in enumerate(procs):
                out, err = proc.communicate()
                if proc.returncode != 0:
                    sys.exit(f"{solver} {instance} seed {seed} ({'AB'[side]}): exit {proc.returncode}: {out.strip()} {err.strip()}")
                results[side].append(json.loads(out)["objective"])
        a, b = results
        ma, mb = statistics.median(a), statistics.median(b)
        relative.append(100.0 * (mb - ma) / abs(ma))
        better = sum(y > x for x, y in zip(a, b))
        print(f"{os.path.basename(instance)}: A median {ma:.1f} (lowest {min(a):.1f}) | B median {mb:.1f} (lowest {min(b):.1f}) | "
              f"B - A {relative[-1]:+.2f} % | B better in {better} of {len(seeds)}", flush=True)
    print(f"mean B - A {statistics.mean(relative):+.2f} %")


if __name__ == "__main__":
    main()
