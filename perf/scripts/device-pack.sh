#!/usr/bin/env bash
# Packs what perf/scripts/device-scaling.sh needs on a machine without a JDK into .dev/ (git-ignored
# through .git/info/exclude): a jlink'ed Java 25 runtime (only the modules training needs) as one
# .tar.xz, the CLI jar, and the cached MNIST files gzip'ed. Together about 45 MB, under the 64 MiB a
# device call may carry. Usage: perf/scripts/device-pack.sh   (after ./leashed has built the jar and
# fetched MNIST once).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jdk="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
data="${LEASHED_DATA_DIR:-$HOME/.cache/leashed/data}/mnist"
dev="$root/.dev"
grep -qx '/.dev/' "$root/.git/info/exclude" 2>/dev/null || echo '/.dev/' >>"$root/.git/info/exclude"
rm -rf "$dev" && mkdir -p "$dev/mnist"
tmp="$(mktemp -d)"
# java.desktop (the report's charts) is left out: train, sweep and CpuTimeProbe do not load it.
"$jdk/bin/jlink" --add-modules java.base,java.sql,jdk.incubator.vector,jdk.management,jdk.unsupported \
  --strip-debug --no-man-pages --no-header-files --compress zip-9 --output "$tmp/rt"
tar -C "$tmp" -cJf "$dev/rt.tar.xz" rt
rm -rf "$tmp"
cp "$root/perf/target/leashed.jar" "$dev/"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -9 -c "$data/$f" >"$dev/mnist/$f.gz"
done
du -sh "$dev"
