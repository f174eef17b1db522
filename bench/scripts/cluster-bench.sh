#!/usr/bin/env bash
# Cluster mode on Redis, on loopback: one redis-server (AOF on) and three Herald hub nodes
# (herald serve --redis), for each appendfsync setting. Measures
#   latency  publish-to-receive p50/p99 at SUBSCRIBERS subscribers spread evenly over the three
#            nodes, RATE events/s published through node 1's Mercure publish API; the subscribers of
#            node 1 (same node) and of nodes 2-3 (cross-node) are also reported apart;
#   api      appends/s straight at RedisEventLog.append (1 and 256 in flight), and raw Lettuce XADDs
#            beside it (the floor without the hub's read-back), with bench's RedisAppendBench;
#   rb       redis-benchmark XADD (1 and 256 pipelined): what Redis itself takes, a C client;
#   http     publishes/s through node 1's HTTP publish API, N publishes in flight (HTTP_IN_FLIGHT),
#            one subscriber per node, every delivery checked;
# then, with CONTROL=1, the latency scenario against one hub on its in-memory store (no Redis), the
# single-node baseline of the same run. Prints a Markdown report; the raw output stays under
# bench/target/cluster-bench/<UTC time>/.
#
#   bench/scripts/cluster-bench.sh                       # everysec then always, about 10 minutes
#   FSYNCS=always HTTP_IN_FLIGHT="1 64" bench/scripts/cluster-bench.sh
#
# Nothing is pinned: three JVMs, Redis and the load tool share the machine's cores, as three nodes
# on one box would. Only the processes this script started are stopped (by PID, on exit). Every
# step runs under `timeout`, so a run ends within about 20 minutes whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

JAR=bench/target/benchmarks.jar
HUB_JAR=herald-hub/target/herald.jar
FSYNCS=${FSYNCS:-"everysec always"}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
RATE=${RATE:-100}
EVENTS=${EVENTS:-3000}
HTTP_IN_FLIGHT=${HTTP_IN_FLIGHT:-"1 16 64 256"}
HTTP_SECONDS=${HTTP_SECONDS:-10}
API_IN_FLIGHT=${API_IN_FLIGHT:-"1,256"}
API_SECONDS=${API_SECONDS:-3}
API_ROUNDS=${API_ROUNDS:-3}
PAYLOAD=${PAYLOAD:-100}
CONTROL=${CONTROL:-1}
HUB_JVM=${HUB_JVM:-"-Xms256m -Xmx512m"}
LOAD_JVM=${LOAD_JVM:-"-Xms512m -Xmx1g"}
KEY=cluster-bench-hs256-secret-0123456789abcdef
OUT=$(pwd)/bench/target/cluster-bench/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

[[ -f $HUB_JAR ]] || { echo "$HUB_JAR is missing: build it with mvn -B -ntp -q -pl herald-hub package -DskipTests"; exit 1; }
if [[ ! -f $JAR ]] || [[ -n $(find bench/src bench/pom.xml -newer "$JAR" -print -quit) ]]; then
  echo "building $JAR"
  mvn -B -ntp -o -q -pl bench -am package -Dmaven.test.skip=true > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
fi
command -v redis-server > /dev/null || { echo "redis-server is missing (apt-get install redis-server)"; exit 1; }
ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------- processes (only these are stopped)
PIDS=()
stop_pids() {
  local p
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}
cleanup() {
  stop_pids "${PIDS[@]}"
  PIDS=()
  # The AOF files hold every append of the run (hundreds of MB): keep only the logs.
  rm -rf "$OUT"/redis-*/appendonlydir
}
trap cleanup EXIT

free_ports() { # n: n distinct free loopback ports
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

wait_ready() { # port path
  for _ in $(seq 1 120); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2" 2>/dev/null) == 200 ]] && return 0
    sleep 0.5
  done
  echo "nothing ready on 127.0.0.1:$1$2"; return 1
}

start_redis() { # fsync
  local dir=$OUT/redis-$1
  mkdir -p "$dir"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync "$1" \
    --dir "$dir" --logfile "$dir/redis.log" --daemonize no &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 40); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && return 0; sleep 0.25; done
  echo "redis-server did not start"; cat "$dir/redis.log"; exit 1
}

start_node() { # index port [extra serve options...]
  local i=$1 port=$2; shift 2
  # shellcheck disable=SC2086
  java $HUB_JVM -jar "$HUB_JAR" serve --bind 127.0.0.1 --port "$port" --demo=false \
    --publisher-key "$KEY" --subscriber-key "$KEY" --data-dir "$OUT/node-$i-data" "$@" > "$OUT/node-$i-$RUN.log" 2>&1 &
  NODE_PIDS[$i]=$!
  PIDS+=("${NODE_PIDS[$i]}")
}

cpu_ticks() { # utime+stime of each PID given, in ticks (1/100 s), comma-separated
  local p t=()
  for p in "$@"; do t+=("$(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')"); done
  (IFS=,; echo "${t[*]}")
}

thread_ticks() { # pid: "tid ticks name" per thread
  local t
  for t in /proc/"$1"/task/*; do
    echo "${t##*/} $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}') $(tr ' ' _ < "$t/comm")"
  done 2>/dev/null | sort
}

# Runs a command, recording the CPU time of Redis and each node (MEASURED_PIDS, named by
# MEASURED_NAMES) while it ran, in cpu.jsonl, and the threads that took it, in threads-<label>.txt.
measured() { # label command...
  local label=$1; shift
  local before after t0 t1 i
  for i in "${!MEASURED_PIDS[@]}"; do thread_ticks "${MEASURED_PIDS[$i]}" > "$OUT/.threads-$i"; done
  before=$(cpu_ticks "${MEASURED_PIDS[@]}"); t0=$(date +%s.%N)
  "$@" || true
  after=$(cpu_ticks "${MEASURED_PIDS[@]}"); t1=$(date +%s.%N)
  for i in "${!MEASURED_PIDS[@]}"; do
    echo "${MEASURED_NAMES[$i]}: CPU seconds per thread (top 8) during $label"
    join "$OUT/.threads-$i" <(thread_ticks "${MEASURED_PIDS[$i]}") | awk '$4 - $2 > 0 {printf "  %6.2f %s\n", ($4 - $2) / 100, $3}' |
      sort -rn | head -8
  done > "$OUT/threads-$label.txt"
  rm -f "$OUT"/.threads-*
  echo "{\"label\":\"$label\",\"seconds\":$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}'),\"names\":[$(printf '"%s",' "${MEASURED_NAMES[@]}" | sed 's/,$//')],\"before\":[$before],\"after\":[$after]}" >> "$OUT/cpu.jsonl"
}

bench() { # label args... : herald bench against the nodes, JSON on stdout
  local label=$1; shift
  echo "-- $label: herald bench $*" >> "$OUT/commands.txt"
  # shellcheck disable=SC2086
  timeout 300 java $LOAD_JVM -cp "$JAR" dev.herald.bench.load.BenchCommand --publisher-key "$KEY" --subscriber-key "$KEY" \
    --server-pid "${NODE_PIDS[1]}" --label "$label" --json "$@" > "$OUT/$label.json" 2> "$OUT/$label.log"
  grep -h 'RESULT' "$OUT/$label.log" || tail -5 "$OUT/$label.log"
}


# The JIT of the nodes and of the load tool, on both paths measured next: a wide fan-out, then
# many publishes to few subscribers. Shorter warm-ups left the C2 compiler busy during the runs.
warm_up() { # name bench-args...
  local name=$1; shift
  bench "warmup-wide-$name" "$@" --subscribers 1000 --rate 0 --in-flight 16 --duration 10 > /dev/null || true
  bench "warmup-narrow-$name" "$@" --subscribers 3 --rate 0 --in-flight 64 --duration 10 > /dev/null || true
}

# ---------------------------------------------------------------- the run
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(lscpu | sed -n 's/^Core(s) per socket: *//p') cores per socket," \
    "$(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r), $(stat -f -c %T "$OUT") under the Redis directory"
  # The nodes run herald.jar and RedisAppendBench the herald-redis inside benchmarks.jar: their
  # build times say which code was measured, HEAD may be newer.
  echo "software: $(java -version 2>&1 | head -1), $(redis-server --version | cut -d' ' -f1-3), Herald HEAD $(git rev-parse --short HEAD)," \
    "herald.jar built $(date -u -r "$HUB_JAR" +%Y-%m-%dT%H:%MZ), benchmarks.jar built $(date -u -r "$JAR" +%Y-%m-%dT%H:%MZ)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # One synchronous 4 KiB write at a time on the disk Redis writes its AOF to: the fsync cost.
  echo "disk: $(dd if=/dev/zero of="$OUT/fsync-probe" bs=4k count=300 oflag=dsync 2>&1 | tail -1 |
    awk '{printf "%.2f ms per synchronous 4 KiB write (dd oflag=dsync, 300 writes)", 1000 * $(NF-3) / 300}')"
  rm -f "$OUT/fsync-probe"
  echo "layout: redis-server + 3 herald serve --redis nodes ($HUB_JVM) + the load tool, nothing pinned"
} | tee "$OUT/machine.txt"

declare -a NODE_PIDS
RUN=
for fsync in $FSYNCS; do
  RUN=$fsync
  read -r REDIS_PORT P1 P2 P3 <<< "$(free_ports 4)"
  NODE_PIDS=()
  echo "== appendfsync $fsync: redis 127.0.0.1:$REDIS_PORT, nodes $P1 $P2 $P3" | tee -a "$OUT/commands.txt"
  start_redis "$fsync"
  MEASURED_PIDS=("$REDIS_PID"); MEASURED_NAMES=(redis)

  # Straight at the API, before the nodes start: only Redis and this process run. Raw XADD and
  # RedisEventLog.append interleaved, API_ROUNDS rounds of API_SECONDS each.
  echo "-- api-$fsync: RedisAppendBench --mode xadd,log --in-flight $API_IN_FLIGHT --rounds $API_ROUNDS --duration-s $API_SECONDS" >> "$OUT/commands.txt"
  # shellcheck disable=SC2086
  measured "api-$fsync" timeout 300 java $LOAD_JVM -cp "$JAR" dev.herald.bench.cluster.RedisAppendBench \
    --redis "redis://127.0.0.1:$REDIS_PORT" --mode xadd,log --in-flight "$API_IN_FLIGHT" --rounds "$API_ROUNDS" \
    --duration-s "$API_SECONDS" --warmup-s 3 --payload "$PAYLOAD" --label "api-$fsync" > "$OUT/api-$fsync.log" 2>&1
  grep -h '^SUMMARY' "$OUT/api-$fsync.log" || tail -5 "$OUT/api-$fsync.log"
  data=$(printf 'x%.0s' $(seq 1 "$PAYLOAD"))
  for p in 1 256; do
    n=$(( p == 1 ? 10000 : 300000 ))
    echo "-- rb-$p-$fsync: redis-benchmark -c 1 -P $p -n $n XADD herald:rb MAXLEN ~ 100000 * data <$PAYLOAD bytes>" >> "$OUT/commands.txt"
    timeout 120 redis-benchmark -p "$REDIS_PORT" -c 1 -P "$p" -n "$n" -q XADD herald:rb MAXLEN '~' 100000 '*' data "$data" \
      2>&1 | tr '\r' '\n' | grep 'requests per second' | tail -1 | sed "s/^/RESULT rb-$fsync pipeline=$p /" | tee "$OUT/rb-$p-$fsync.log" || true
  done

  start_node 1 "$P1" --redis "redis://127.0.0.1:$REDIS_PORT"
  start_node 2 "$P2" --redis "redis://127.0.0.1:$REDIS_PORT"
  start_node 3 "$P3" --redis "redis://127.0.0.1:$REDIS_PORT"
  for p in $P1 $P2 $P3; do wait_ready "$p" /readyz; done
  echo "node pids ${NODE_PIDS[*]}, redis pid $REDIS_PID"
  MEASURED_PIDS=("$REDIS_PID" "${NODE_PIDS[1]}" "${NODE_PIDS[2]}" "${NODE_PIDS[3]}"); MEASURED_NAMES=(redis node1 node2 node3)
  # Subscribers in turn on nodes 1, 2, 3; every publish through node 1.
  set -- --subscribe-url "http://127.0.0.1:$P1/.well-known/mercure?topic={topic}" \
    --subscribe-url "http://127.0.0.1:$P2/.well-known/mercure?topic={topic}" \
    --subscribe-url "http://127.0.0.1:$P3/.well-known/mercure?topic={topic}" \
    --publish-url "http://127.0.0.1:$P1/.well-known/mercure" --publish-format herald-form
  warm_up "$fsync" "$@"
  measured "latency-$fsync" bench "latency-$fsync" "$@" --subscribers "$SUBSCRIBERS" --rate "$RATE" --events "$EVENTS" --in-flight 16
  grep -h 'RESULT-NODES' "$OUT/latency-$fsync.log" || true
  for n in $HTTP_IN_FLIGHT; do
    measured "http-$n-$fsync" bench "http-$n-$fsync" "$@" --subscribers 3 --rate 0 --in-flight "$n" --duration "$HTTP_SECONDS" --payload "$PAYLOAD"
  done
  stop_pids "$REDIS_PID" "${NODE_PIDS[@]:1}"
  PIDS=()
  rm -rf "$OUT/redis-$fsync/appendonlydir"
done

if [[ $CONTROL == 1 ]]; then
  # The baseline: one hub, in-memory history, the same latency scenario (all subscribers on it).
  RUN=memory
  read -r P1 <<< "$(free_ports 1)"
  NODE_PIDS=()
  start_node 1 "$P1" --store memory
  wait_ready "$P1" /readyz
  MEASURED_PIDS=("${NODE_PIDS[1]}"); MEASURED_NAMES=(node1)
  set -- --subscribe-url "http://127.0.0.1:$P1/.well-known/mercure?topic={topic}" \
    --publish-url "http://127.0.0.1:$P1/.well-known/mercure" --publish-format herald-form
  warm_up memory "$@"
  measured "latency-memory" bench "latency-memory" "$@" --subscribers "$SUBSCRIBERS" --rate "$RATE" --events "$EVENTS" --in-flight 16
  measured "http-16-memory" bench "http-16-memory" "$@" --subscribers 1 --rate 0 --in-flight 16 --duration "$HTTP_SECONDS" --payload "$PAYLOAD"
  stop_pids "${NODE_PIDS[@]:1}"
  PIDS=()
fi
echo "end: $(date -u +%Y-%m-%dT%H:%M:%SZ), load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

python3 bench/scripts/cluster-report.py "$OUT" | tee "$OUT/report.md"
