#!/usr/bin/env bash
# Runs the jcstress suites of the memory/kernel protocols with the production JVM flags.
#
#   concurrency-tests/jcstress.sh [ci|long] [extra jcstress args...]
#
#   ci   (default) one JVM configuration per test (production flags, unified C2 compilation),
#        5 x 200 ms iterations: about 5.5 s per test; the 32 memory + kernel tests take ~3 min on
#        2 shared cores (179 s measured, load average 5-23).
#   long every JVM/compilation configuration jcstress auto-detects (interpreter/C1/C2 split per
#        actor, stress forks), "tough" preset: tens of minutes.
#   -t REGEX (after the mode) narrows the run to tests whose name matches, e.g. -t RoundBarrierTests.
#
# Exit status: non-zero when any test observed a FORBIDDEN outcome or failed with an error
# (jcstress 0.16 throws from its report printer then). ACCEPTABLE_INTERESTING outcomes of the
# Broken* negative controls are listed in the report but do not fail the run.
# Build first (package, not install: the reactor resolves memory and kernel):
#   mvn -B -o -q -pl concurrency-tests -am package -DskipTests
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! "$java_home/bin/java" -version 2>&1 | grep -q '"25'; then
  java_home=/usr/lib/jvm/temurin-25-jdk-amd64
fi
mode="${1:-ci}"
[[ $# -gt 0 ]] && shift
flags=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
jar="$root/concurrency-tests/target/jcstress.jar"
[[ -f "$jar" ]] || { echo "jcstress.sh: $jar missing; build concurrency-tests first" >&2; exit 2; }
out="$root/concurrency-tests/target/jcstress-$mode"
mkdir -p "$out"
cd "$out"  # jcstress writes its result blob into the working directory
case "$mode" in
  ci)   args=(-m quick -sc false -fsm 0 -iters 5 -time 200 -jvmArgs "${flags[*]}") ;;
  long) args=(-m tough -jvmArgsPrepend "${flags[*]}") ;;
  *) echo "jcstress.sh: mode must be 'ci' or 'long', got '$mode'" >&2; exit 2 ;;
esac
# A -t among the extra arguments narrows the default filter (jcstress accepts only one -t).
filter='org\.leashed\.concurrency\.'
extra=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == -t && $# -ge 2 ]]; then
    filter="org\.leashed\.concurrency\..*$2"; shift 2
  else
    extra+=("$1"); shift
  fi
done
exec "$java_home/bin/java" "${flags[@]}" -jar "$jar" -t "$filter" "${args[@]}" -r "$out/report" "${extra[@]}"
