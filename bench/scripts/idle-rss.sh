#!/usr/bin/env bash
# RSS and live heap per idle connection of `herald serve` as users start it, for option sets given
# as arguments, one quoted string each:
#   ""          the JVM's defaults: `java -jar herald.jar serve` with no option
#   launcher    `./herald serve` itself, with HERALD_JAVA_OPTS and MALLOC_ARENA_MAX unset: whatever
#               the launcher sets by default
#   "-Xmx256m"  JVM options; leading NAME=VALUE words are set in the hub's environment instead,
#               e.g. "MALLOC_ARENA_MAX=2 -XX:+UseSerialGC"
#
#   bench/scripts/idle-rss.sh "" launcher "MALLOC_ARENA_MAX=2 -XX:+UseSerialGC -Xmx256m -Xmn16m"
#   IDLE_CONNECTIONS=10000 REPEAT=2 bench/scripts/idle-rss.sh "" launcher
#
# Each run: a fresh hub on SQLite (the default store), loopback, anonymous subscribers spread over
# SOURCES loopback addresses (127.0.0.1..N: the hub caps new connections per address); the bench
# tool warms up with WARMUP connections (default 1,000) opened and closed, reads the hub's RSS, opens IDLE_CONNECTIONS and reads it
# again SETTLE_MS (default 20,000) later. While they are held (--hold), `jcmd GC.class_histogram` (a full GC, live objects only)
# gives the live heap; the tool is then stopped and a second histogram, with no connection, is
# the baseline. Per connection: (RSS after - RSS before) / n and (live with - live without) / n.
# The classes that grew most per connection are kept in $OUT/<run>.histo-diff.
set -euo pipefail
cd "$(dirname "$0")/../.."
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
REPEAT=${REPEAT:-1}
PORT=${PORT:-19380}
SOURCES=${SOURCES:-20}
WARMUP=${WARMUP:-1000}
# The RSS is read this long after the last connection: idle connections live for hours, and the
# launcher's JVM returns its compiler's scratch memory on a 10 s tick (docs/operations.md).
SETTLE_MS=${SETTLE_MS:-20000}
HUB_CPU=${HUB_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
OUT=${OUT:-bench/target/idle-rss/$(date -u +%Y%m%dT%H%M%SZ)}
ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"
# Built here when a source is newer, as ./herald would: a launcher run must not build while timed.
if [[ ! -f herald-hub/target/herald.jar ]] || [[ -n $(find pom.xml herald-*/pom.xml herald-*/src/main -newer herald-hub/target/herald.jar -print -quit) ]]; then
  mvn -B -ntp -q -pl herald-hub -am package -Dmaven.test.skip=true
fi
[[ -f bench/target/benchmarks.jar ]] || mvn -B -ntp -q -pl bench -am package -Dmaven.test.skip=true
TMP=$(mktemp -d /tmp/idle-rss.XXXXXX)
PID=
BENCH=
cleanup() {
  [[ -n $BENCH ]] && kill "$BENCH" 2>/dev/null
  [[ -n $PID ]] && kill "$PID" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# Live bytes in a class histogram: its Total line.
live() { awk '/^Total/ {print $3}' "$1"; }
# Bytes of int[] in it. Collectors leave dead space in place as int[] fillers that a histogram
# counts (the serial collector's full GC keeps up to MarkSweepDeadRatio, 5%, of the old
# generation's dead objects rather than move the live ones; G1 fills ends of regions and buffers):
# Herald keeps no int[] per connection, so int[] is left out of the live heap.
ints() { awk '$4 == "[I" {print $3; found = 1} END {if (!found) print 0}' "$1"; }

echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(java -version 2>&1 | head -1), Herald $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo '+changes')"
echo "launcher defaults: MALLOC_ARENA_MAX=$(sed -n 's/^export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-\([^}]*\)}"$/\1/p' herald)" \
  "$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' herald)"
# Every connection is an event stream: raise the stream cap (default 90% of 10,000) above the count.
CAPS=(--max-connections $((IDLE_CONNECTIONS + 2000)) --max-streams $((IDLE_CONNECTIONS + 1500)))
run=0
for ((r = 1; r <= REPEAT; r++)); do
  for opts in "$@"; do
    run=$((run + 1))
    rm -rf "$TMP/data"
    hub_args=(serve --bind 127.0.0.1 --port "$PORT" --data-dir "$TMP/data" --demo=false "${CAPS[@]}")
    if [[ $opts == launcher ]]; then
      env -u HERALD_JAVA_OPTS -u MALLOC_ARENA_MAX taskset -c "$HUB_CPU" ./herald "${hub_args[@]}" > "$OUT/$run.hub.log" 2>&1 &
    else
      envs=() jvm=()
      for w in $opts; do
        if [[ ${#jvm[@]} == 0 && $w =~ ^[A-Z_]+= ]]; then envs+=("$w"); else jvm+=("$w"); fi
      done
      env -u MALLOC_ARENA_MAX "${envs[@]}" taskset -c "$HUB_CPU" java "${jvm[@]}" -jar herald-hub/target/herald.jar \
        "${hub_args[@]}" > "$OUT/$run.hub.log" 2>&1 &
    fi
    PID=$!
    for _ in $(seq 1 240); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.5; done
    taskset -c "$LOAD_CPU" java -Xms512m -Xmx1g -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
      --preset herald --port "$PORT" --mode idle --subscribers "$IDLE_CONNECTIONS" --sources "$SOURCES" --warmup-connections "$WARMUP" --settle-ms "$SETTLE_MS" --hold 600 \
      --server-pid "$PID" --server-cpu "$HUB_CPU" --load-cpu "$LOAD_CPU" > "$OUT/$run.bench.log" 2>&1 &
    BENCH=$!
    for _ in $(seq 1 600); do grep -q 'RESULT' "$OUT/$run.bench.log" && break; kill -0 "$BENCH" 2>/dev/null || break; sleep 1; done
    result=$(grep 'RESULT\|server RSS before' "$OUT/$run.bench.log" | sed 's/^ *//' | tr '\n' ' ')
    jcmd "$PID" GC.class_histogram > "$OUT/$run.histo-with" 2>&1 || true
    rss_held=$(awk '/VmRSS/ {print $2 * 1024}' "/proc/$PID/status")
    kill "$BENCH" 2>/dev/null || true; wait "$BENCH" 2>/dev/null || true; BENCH=
    sleep 5
    jcmd "$PID" GC.class_histogram > "$OUT/$run.histo-without" 2>&1 || true
    with=$(live "$OUT/$run.histo-with"); without=$(live "$OUT/$run.histo-without")
    fillers=$(( $(ints "$OUT/$run.histo-with") - $(ints "$OUT/$run.histo-without") ))
    heap=$(( (with - without - fillers) / IDLE_CONNECTIONS ))
    # Per class: bytes per connection, largest first.
    awk -v n="$IDLE_CONNECTIONS" 'FNR == NR && $1 ~ /^[0-9]+:$/ {b[$4] = $3; c[$4] = $2; next}
      $1 ~ /^[0-9]+:$/ {b[$4] -= $3; c[$4] -= $2}
      END {for (k in b) if (b[k] / n >= 4) printf "%8.1f B %6.2f objects  %s\n", b[k] / n, c[k] / n, k}' \
      "$OUT/$run.histo-with" "$OUT/$run.histo-without" | sort -rn > "$OUT/$run.histo-diff"
    echo "opts='${opts}' run $r: $result liveHeapPerConn=$heap (int[] fillers $((fillers / IDLE_CONNECTIONS)) left out) rssHeld=$((rss_held / 1048576)) MiB (histograms: $OUT/$run.*)"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
