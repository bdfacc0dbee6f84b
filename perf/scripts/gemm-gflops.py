import json, sys, collections
# usage: gflops.py gemm.json  -> table shape | impl GFLOP/s | % of same-run peak
res = json.load(open(sys.argv[1]))
PEAK_FLOPS = None
peak = None
rows = collections.OrderedDict()
for r in res:
    name = r["benchmark"].rsplit(".", 1)[1]
    score = r["primaryMetric"]["score"]; err = r["primaryMetric"]["scoreError"]
    if name == "peakFma":
        peak = score; continue
    shape = r["params"]["shape"]
    m, n, k = map(int, shape.split(":")[1].split("/")[0].split("x"))  # kind:MxNxK or kind:MxNxK/LD (a row stride)
    rows.setdefault(shape, {})[name] = (2.0 * m * n * k / score, score)
lanes = int(sys.argv[2]) if len(sys.argv) > 2 else 16
# must match GemmBenchmark.PEAK_FLOPS: 2 * PEAK_STEPS (4096) * PEAK_ACCUMULATORS (24) * lanes
peakg = 2.0 * 4096 * 24 * lanes / peak if peak else float("nan")
print(f"peak probe: {peak:.0f} ns/op = {peakg:.1f} GFLOP/s" if peak else "peak probe: not in this run (% peak column is nan)")
print("| shape | vector GFLOP/s | % peak | scalar GFLOP/s | OpenBLAS GFLOP/s | vector/OpenBLAS |")
print("|---|---|---|---|---|---|")
for s, d in rows.items():
    v = d.get("vector", (float("nan"),))[0]; sc = d.get("scalar", (float("nan"),))[0]; b = d.get("openblas", (float("nan"),))[0]
    print(f"| {s} | {v:.1f} | {100*v/peakg:.0f}% | {sc:.2f} | {b:.1f} | {v/b:.2f} |")
