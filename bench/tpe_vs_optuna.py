#!/usr/bin/python3
"""TPE quality against Optuna: the best value after N trials on Branin, Hartmann-6 and a
10-dimensional sphere with a categorical, over S seeds, for Optuna's default TPESampler (Debian's
python3-optuna) and for fhops-cpp's TPE (bench/tpe_functions_bench, default parameters), side by side.

Usage: /usr/bin/python3 bench/tpe_vs_optuna.py [--binary build/bench/tpe_functions_bench]
                                               [--trials 100] [--seeds 10] [--markdown]

The functions are defined exactly as in tpe_functions_bench.cpp (same domains, same categorical
offsets). Verdict per function: "as good" when our median is not above Optuna's; otherwise a
one-sided exact permutation test on the rank sums decides between "worse (p = ...)" (p < 0.05) and
"no significant difference (p = ...)".
"""
import argparse
import itertools
import json
import math
import statistics
import subprocess
import sys

import optuna


def branin(t):
    x1, x2 = t.suggest_float("x1", -5.0, 10.0), t.suggest_float("x2", 0.0, 15.0)
    b, c, s = 5.1 / (4.0 * math.pi ** 2), 5.0 / math.pi, 1.0 / (8.0 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6.0) ** 2 + 10.0 * (1.0 - s) * math.cos(x1) + 10.0


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(t):
    x = [t.suggest_float(f"x{j + 1}", 0.0, 1.0) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


def sphere10c(t):
    xs = [t.suggest_float(f"x{i}", -5.0, 5.0) for i in range(10)]
    c = t.suggest_categorical("c", ["a", "b", "c", "d", "e"])
    return sum(x * x for x in xs) + 2.0 * (ord(c) - ord("a"))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "sphere10c": sphere10c}


def optuna_best(fn, seed, trials):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed), direction="minimize")
    study.optimize(fn, n_trials=trials)
    return study.best_value


def worse_p_value(ours, theirs):
    """One-sided exact permutation test: P(rank sum of `ours` >= observed) under exchangeability."""
    pooled = sorted(ours + theirs)
    rank = {}
    for v in set(pooled):
        idx = [i + 1 for i, x in enumerate(pooled) if x == v]
        rank[v] = sum(idx) / len(idx)
    ranks = [rank[v] for v in ours + theirs]
    observed = sum(rank[v] for v in ours)
    hits = total = 0
    for pick in itertools.combinations(range(len(ranks)), len(ours)):
        total += 1
        hits += sum(ranks[i] for i in pick) >= observed - 1e-9
    return hits / total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default="build/bench/tpe_functions_bench")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    if args.trials < 1 or args.seeds < 1:
        ap.error("--trials and --seeds must be >= 1")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        out = subprocess.run([args.binary, str(args.trials), str(args.seeds)], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"tpe_vs_optuna: cannot run {args.binary}: {e}", file=sys.stderr)
        return 1
    ours = {name: [] for name in FUNCTIONS}
    for line in out.splitlines():
        rec = json.loads(line)
        ours[rec["function"]].append(rec["best"])
    print(f"optuna {optuna.__version__}, {args.trials} trials, seeds 0..{args.seeds - 1}; best value (minimised)\n")
    print("| function | fhops median | Optuna median | fhops mean | Optuna mean | verdict |")
    print("|---|---|---|---|---|---|")
    per_seed = []
    for name, fn in FUNCTIONS.items():
        theirs = [optuna_best(fn, seed, args.trials) for seed in range(args.seeds)]
        mine = ours[name]
        if statistics.median(mine) <= statistics.median(theirs):
            verdict = "as good"
        else:
            p = worse_p_value(mine, theirs)
            verdict = f"worse (p = {p:.3f})" if p < 0.05 else f"no significant difference (p = {p:.3f})"
        print(f"| {name} | {statistics.median(mine):.4f} | {statistics.median(theirs):.4f} | "
              f"{statistics.mean(mine):.4f} | {statistics.mean(theirs):.4f} | {verdict} |", flush=True)
        per_seed.append((name, mine, theirs))
    print("\nPer seed (fhops / Optuna):\n")
    for name, mine, theirs in per_seed:
        print(f"- {name}: " + ", ".join(f"{a:.3f}/{b:.3f}" for a, b in zip(mine, theirs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
