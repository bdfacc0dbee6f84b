#!/usr/bin/env python3
"""Markdown table of a sweep directory: one row per setting, medians over seeds.

usage: sweep-table.py DIR [DIR ...]

Reads every run result (*.json other than summary.json) in the directories. Per setting (algo,
persistence, threads, step size, elastic): seconds per full epoch (mean over full epochs after the
first, whose time includes JIT warm-up), time to each epsilon (median over seeds, a miss counting as
+inf, so a median is shown only where most seeds reached it; "(k/n)" = seeds that reached it),
final loss in % of L0, staleness mean and p99, test accuracy: medians over seeds.
"""
import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def percentile(hist, q):
    items = sorted((int(k), v) for k, v in hist.items())
    total = sum(v for _, v in items)
    if total == 0:
        return float("nan")
    seen = 0
    for value, count in items:
        seen += count
        if seen >= q * total:
            return value
    return items[-1][0]


def mean_of(hist):
    total = sum(hist.values())
    return sum(int(k) * v for k, v in hist.items()) / total if total else float("nan")


def seconds_per_epoch(run):
    epochs = run.get("epochs") or []
    per = run["config"].get("rounds") or 0
    times = []
    for prev, cur in zip(epochs, epochs[1:]):
        if cur["updates"] - prev["updates"] == per or per == 0:
            times.append(cur["wall_s"] - prev["wall_s"])
    return statistics.mean(times) if times else float("nan")


def median_tte(values):
    n = len(values)
    reached = sorted(v for v in values if v is not None)
    k = len(reached)
    if k * 2 <= n:
        return f"— ({k}/{n})" if k < n else "—"
    padded = reached + [math.inf] * (n - k)
    m = statistics.median(padded)
    return f"{m:.2f}" + (f" ({k}/{n})" if k < n else "")


def main(dirs):
    runs = []
    for d in dirs:
        for p in sorted(Path(d).glob("*.json")):
            if p.name in ("summary.json", "sweep.json"):
                continue
            runs.append(json.loads(p.read_text()))
    groups = defaultdict(list)
    for r in runs:
        c = r["config"]
        key = (c["algo"], str(c.get("persistence")) if c["algo"] == "LSH" else "-", c["threads"], c.get("stepsize") or "NONE",
               bool(c.get("elastic")))
        groups[key].append(r)
    eps = sorted({float(e) for r in runs for e in r["time_to_epsilon"]}, reverse=True)
    order = {"SEQ": 0, "SYNC": 1, "ASYNC": 2, "HOG": 3, "LSH": 4}
    head = ["algo", "T_p", "m", "step", "seeds", "s/epoch"] + [f"t({e * 100:g}%)" for e in eps] + [
        "final % L0", "staleness mean", "p99", "test acc."]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in sorted(groups, key=lambda k: (order.get(k[0], 9), k[1], k[2], k[3], k[4])):
        rs = groups[key]
        algo, tp, m, step, elastic = key
        spe = statistics.median(seconds_per_epoch(r) for r in rs)
        ttes = [median_tte([r["time_to_epsilon"].get(str(e)) for r in rs]) for e in eps]
        final = statistics.median(r["epoch_loss"][-1] / r["initial_loss"] * 100 for r in rs if r["epoch_loss"])
        st_mean = statistics.median(mean_of(r["staleness_hist"]) for r in rs)
        st_p99 = statistics.median(percentile(r["staleness_hist"], 0.99) for r in rs)
        acc = statistics.median(r["test"]["accuracy"] * 100 for r in rs if r.get("test"))
        row = [algo, tp, f"{m}{' el.' if elastic else ''}", step, str(len(rs)), "—" if math.isnan(spe) else f"{spe:.3f}"] + ttes + [
            f"{final:.1f}", f"{st_mean:.2f}", f"{st_p99:g}", f"{acc:.2f}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: sweep-table.py DIR [DIR ...]")
    main(sys.argv[1:])
