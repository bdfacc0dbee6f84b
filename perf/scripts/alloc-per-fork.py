import json, sys, statistics
# usage: alloc-per-fork.py jmh.json [max-bytes-per-op, default 64]
# JMH's gc.alloc.rate.norm averaged over forks hides a JVM that compiled a kernel with its vectors
# boxed (one fork in three did, NOTES 16.10). This prints every fork's median B/op and exits 1 when
# any fork of any benchmark is above the limit (the harness itself leaves ~1-200 B/op), 2 when the
# file holds no -prof gc results.
if len(sys.argv) < 2:
    sys.exit("usage: alloc-per-fork.py jmh.json [max-bytes-per-op]")
try:
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 64.0
except ValueError:
    sys.exit(f"max-bytes-per-op must be a number, got {sys.argv[2]!r}")
try:
    res = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit(f"{sys.argv[1]}: not a JMH JSON result file ({e})")
bad = 0
seen = 0
for r in res:
    norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    if norm is None:
        continue
    seen += 1
    params = ",".join(f"{k}={v}" for k, v in sorted(r.get("params", {}).items()))
    name = r["benchmark"].rsplit(".", 1)[1] + (f"({params})" if params else "")
    forks = [statistics.median(f) for f in norm["rawData"]]
    over = [b for b in forks if b > limit]
    bad += bool(over)
    print(f"{'OVER ' if over else 'ok   '}{name}: B/op per fork " + ", ".join(f"{b:.1f}" for b in forks))
if seen == 0:
    print(f"{sys.argv[1]}: no gc.alloc.rate.norm results (run JMH with -prof gc)", file=sys.stderr)
    sys.exit(2)
print(f"{bad} of {seen} benchmarks have a fork above {limit:g} B/op")
sys.exit(1 if bad else 0)
