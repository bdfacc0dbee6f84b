#!/usr/bin/env bash
# Scaling runs on a many-core machine that has no JDK (NOTES 17): unpacks what device-pack.sh put in
# .dev/, then runs sweeps one after the other (never two at once, so the timings do not share cores):
#   scale512  MNIST/MLP b = 512: SEQ, and SYNC/ASYNC/HOG/LSH at m = 1, 2, 4, 8, 16 (15 epochs)
#   tail512   ASYNC/HOG/LSH with TAIL-tau at m = 8, 16
#   elastic   ELAsyncSGD, LSH and ASYNC with m-hat = 16 (I_P = 10 m, D_P = 3 m; LSH also the defaults)
#   scale16   MNIST/MLP b = 16 (T_c/T_u ~ 4: high contention): ASYNC/HOG/LSH inf/LSH 0 at m = 1..16
#   cnn16     CNN b = 16, LSH and HOG at m = 1..16 (fixed update count: throughput)
#   gemm      CpuTimeProbe peak and gemm on every training shape (single thread)
#   variants  GemmVariantsProbe: forward and dW GEMMs in place against packed panels (NOTES 17.6)
#   panel     the production forward GEMMs at batch 512 with B packed in panels of 0 (whole k), 16, 32, 64 KiB
#   tc        MLP T_c and T_u (CpuTimeProbe gradient mlp): B packing off, on in one panel, on in 32 KiB panels;
#             alternated twice
# Results go to $RES (default /tmp/res) and, when $OUT is set, are packed to $OUT/res.tgz after every
# section, so a run stopped at its time limit keeps what it measured. SECTIONS picks sections;
# DEADLINE (seconds from start, default 520) skips the sections that would start after it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
start=$(date +%s)
res="${RES:-/tmp/res}"; mkdir -p "$res"
sections="${SECTIONS:-variants panel tc gemm scale512 tail512 elastic scale16 cnn16}"
deadline="${DEADLINE:-520}"
log="$res/device.log"
say() { echo "[$(( $(date +%s) - start ))s] $*" | tee -a "$log"; }
pack() { [[ -n "${OUT:-}" ]] || return 0
  tar -C "$res" -czf "$OUT/res.tgz.part" . && mv "$OUT/res.tgz.part" "$OUT/res.tgz"; cp "$log" "$OUT/"; }

if [[ -x .dev/rt/bin/java ]]; then java=.dev/rt/bin/java; else
  mkdir -p /tmp/leashed-rt && tar -C /tmp/leashed-rt -xJf .dev/rt.tar.xz && java=/tmp/leashed-rt/rt/bin/java; fi
data=/tmp/leashed-data; mkdir -p "$data/mnist"
for f in .dev/mnist/*.gz; do [[ -f "$data/mnist/$(basename "$f" .gz)" ]] || gunzip -c "$f" >"$data/mnist/$(basename "$f" .gz)"; done
{ nproc; lscpu; free -g; "$java" -version 2>&1; } >"$res/machine.txt" 2>&1
say "machine: $(nproc) CPUs, $(grep -m1 'Model name' "$res/machine.txt" | sed 's/ \{2,\}/ /g')"
jvm=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions -XX:MinInlineFrequencyRatio=0 -XX:PerMethodRecompilationCutoff=1000)
cli=("$java" "${jvm[@]}" -XX:+UseParallelGC -Xms32m -XX:MaxNewSize=32m -jar .dev/leashed.jar)
child=(--jvm-arg=-XX:+UseParallelGC --jvm-arg=-Xms32m --jvm-arg=-XX:MaxNewSize=32m --data-dir "$data" --run-timeout 90)

sweep() { local name=$1; shift
  if (( $(date +%s) - start > deadline )); then say "skip $name: past the deadline"; return; fi
  say "sweep $name: $*"
  "${cli[@]}" sweep --out-dir "$res/$name" "${child[@]}" "$@" >>"$res/$name.log" 2>&1 || say "sweep $name exited $?"
  say "sweep $name done: $(tail -n 1 "$res/$name.log")"; pack; }

for s in $sections; do case $s in
  scale512)
    sweep scale512 --algo SEQ --threads 1 --epochs 15
    sweep scale512 --algo SYNC,ASYNC,HOG,LSH --threads 1,2,4,8,16 --epochs 15 ;;
  tail512) sweep tail512 --algo ASYNC,HOG,LSH --threads 8,16 --stepsize TAIL --epochs 15 ;;
  elastic) # I_P = 10 m, D_P = 3 m as in NOTES 16.3: the defaults probe only twice in 1,755 updates
    sweep elastic --algo LSH,ASYNC --threads 16 --elastic --probe-interval 10 --probe-duration 3 --epochs 15
    sweep elastic --algo LSH --threads 16 --elastic --epochs 15 ;;
  scale16)
    sweep scale16 --algo ASYNC,HOG,LSH --threads 1,2,4,8,16 --batch 16 --rounds 4000 --epochs 3
    sweep scale16 --algo LSH --persistence 0 --threads 1,2,4,8,16 --batch 16 --rounds 4000 --epochs 3 ;;
  cnn16) sweep cnn16 --arch CNN --input-scale unit --init-std 0.1 --lr 0.05 --algo LSH,HOG --threads 1,2,4,8,16 \
      --batch 16 --rounds 2000 --epochs 2 ;;
  gemm)
    if (( $(date +%s) - start > deadline )); then say "skip gemm: past the deadline"; continue; fi
    probe=("$java" "${jvm[@]}" -cp .dev/leashed.jar org.leashed.perf.bench.CpuTimeProbe)
    "${probe[@]}" peak >"$res/gemm.txt" 2>&1
    "${probe[@]}" gemm >>"$res/gemm.txt" 2>&1 || say "gemm exited $?"
    "${probe[@]}" peak >>"$res/gemm.txt" 2>&1
    say "gemm done"; pack ;;
  variants)
    if (( $(date +%s) - start > deadline )); then say "skip variants: past the deadline"; continue; fi
    "$java" "${jvm[@]}" -cp .dev/leashed.jar org.leashed.perf.bench.GemmVariantsProbe >"$res/variants.txt" 2>&1 || say "variants exited $?"
    say "variants done"; pack ;;
  panel)
    if (( $(date +%s) - start > deadline )); then say "skip panel: past the deadline"; continue; fi
    for kib in 0 16 32 64; do
      "$java" "${jvm[@]}" -Dleashed.gemm.packB=true -Dleashed.gemm.panelKiB=$kib -cp .dev/leashed.jar \
        org.leashed.perf.bench.GemmVariantsProbe production fwd:512x128x784 fwd:512x128x128 >>"$res/panel.txt" 2>&1 || say "panel exited $?"
    done
    say "panel done"; pack ;;
  tc)
    if (( $(date +%s) - start > deadline )); then say "skip tc: past the deadline"; continue; fi
    for round in 1 2; do for opts in "-Dleashed.gemm.packB=false" "-Dleashed.gemm.packB=true -Dleashed.gemm.panelKiB=0" \
        "-Dleashed.gemm.packB=true -Dleashed.gemm.panelKiB=32"; do
      echo "$opts round $round" >>"$res/tc.txt"
      # shellcheck disable=SC2086 # two options in one word on purpose
      "$java" "${jvm[@]}" $opts -cp .dev/leashed.jar org.leashed.perf.bench.CpuTimeProbe gradient mlp >>"$res/tc.txt" 2>&1 || say "tc exited $?"
    done; done
    say "tc done"; pack ;;
  *) say "unknown section $s" ;;
esac; done
say "all done"; pack
