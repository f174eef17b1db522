#!/usr/bin/env bash
# RSS per idle connection of `herald serve` as users start it, for JVM option sets given as
# arguments (one quoted string each; "" is the JVM's defaults, what `java -jar herald.jar serve`
# and `./herald serve` without HERALD_JAVA_OPTS get). SQLite store, loopback, anonymous subscribers.
#
#   bench/scripts/idle-rss.sh "" "-XX:+UseSerialGC" "-XX:+UseSerialGC -Xss256k"
#   IDLE_CONNECTIONS=10000 REPEAT=2 bench/scripts/idle-rss.sh "" "-Xmx256m"
#
# Prints one line per run: options, connections, RSS before and after, bytes per connection, and
# the hub's live heap after a full GC (jcmd GC.heap_info is not used: the tool reports RSS).
set -euo pipefail
cd "$(dirname "$0")/../.."
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
REPEAT=${REPEAT:-1}
PORT=${PORT:-18380}
HUB_CPU=${HUB_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
ulimit -n "$(ulimit -Hn)"
[[ -f herald-hub/target/herald.jar ]] || mvn -B -ntp -q -pl herald-hub -am package -Dmaven.test.skip=true
[[ -f bench/target/benchmarks.jar ]] || mvn -B -ntp -q -pl bench -am package -Dmaven.test.skip=true
TMP=$(mktemp -d /tmp/idle-rss.XXXXXX)
PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1), Herald $(git rev-parse --short HEAD)"
for ((r = 1; r <= REPEAT; r++)); do
  for opts in "$@"; do
    rm -rf "$TMP/data"
    # shellcheck disable=SC2086
    taskset -c "$HUB_CPU" java $opts -jar herald-hub/target/herald.jar serve --bind 127.0.0.1 --port "$PORT" \
      --data-dir "$TMP/data" --demo=false > "$TMP/hub.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.5; done
    result=$(timeout 300 taskset -c "$LOAD_CPU" java -Xms512m -Xmx1g -cp bench/target/benchmarks.jar \
      dev.herald.bench.load.BenchCommand --preset herald --port "$PORT" --mode idle --subscribers "$IDLE_CONNECTIONS" \
      --sources 4 --server-pid "$PID" --server-cpu "$HUB_CPU" --load-cpu "$LOAD_CPU" 2>&1 | grep -i 'RESULT\|per connection' | tail -2 | tr '\n' ' ')
    echo "opts='${opts}' run $r: $result"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
