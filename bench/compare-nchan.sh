#!/usr/bin/env bash
# Herald vs Nchan and the floor, side by side, in one run on loopback: every hub pinned to CPU 0,
# the load tool (./herald bench) on CPU 1, the same scenarios against each, alternating. Herald runs
# as shipped: `./herald serve` with the launcher's JVM options and the default SQLite store. Installs
# nginx and Nchan from Debian when missing; builds the floor (bench/floor/floor.c) with gcc. Appends
# a Markdown section to docs/benchmarks.md (APPEND=0: no).
#
#   bench/compare-nchan.sh                       # scenarios c a b g d e, once each (about 20 minutes)
#   SCENARIOS="a d" REPEAT=3 bench/compare-nchan.sh
#   HUBS="nchan herald herald-memory" bench/compare-nchan.sh
#
# Scenarios: a (1,000 subscribers, 100 events/s for 30 s), b (10,000 subscribers, 10 events/s
# for 30 s), c (idle server RSS per connection at IDLE_CONNECTIONS, default 10,000, read 20 s after the last one
# connected: idle connections live for hours, and the JVM returns its compiler's memory within 10 s), d (1,000
# subscribers, 4 publishes in flight, as fast as the hub acknowledges, 10 s), g (the same with one
# publish in flight: each event goes out alone), e (publish
# throughput, 100 subscribers, 16 in flight: Nchan, Herald on memory, Herald on SQLite), f (1,000
# subscribers at 100 events/s for 20 s; at 10 s all reconnect at once with Last-Event-ID: time until
# every subscriber has every event sent before the reconnection, nothing lost). Not in the default set: f.
# Every delivery is checked (lost, duplicated); each run's JSON is kept under bench/target/compare-nchan/.
# HUBS: which hubs (default "nchan floor herald"): nchan, floor (the C server of shared/anchors.md:
# one epoll thread, one write per connection per loop turn), herald (SQLite, the default store),
# herald-memory (--store memory). Scenario e always adds herald-memory beside herald.
# HERALD_JVM: replaces the launcher's JVM options (HERALD_JAVA_OPTS), for instance to measure a
# tuned JVM; unset, Herald runs with what ./herald sets. Each Herald hub logs its collector's pauses
# (-Xlog:gc through JAVA_TOOL_OPTIONS, so the launcher's options stay) and the report gives the
# pauses inside each run. NCHAN=0: no Nchan (nothing installed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCENARIOS=${SCENARIOS:-"c a b g d e"}
REPEAT=${REPEAT:-1}
HUB_CPU=${HUB_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
# BOTH_CORES=1: the second table. Each hub may use both cores (Nchan: a master and 2 workers;
# Herald: its default of one event loop per core), and so may the load tool. CPU per delivery is
# then not meaningful (the tool shares the cores, Nchan's work is spread over processes): compare
# deliveries/s and latency only.
BOTH_CORES=${BOTH_CORES:-0}
HUB_CPUS=$HUB_CPU
LOAD_CPUS=$LOAD_CPU
NCHAN_WORKERS=1
if [[ $BOTH_CORES == 1 ]]; then HUB_CPUS=0,1; LOAD_CPUS=0,1; NCHAN_WORKERS=2; fi
NCHAN_PORT=${NCHAN_PORT:-18290}
FLOOR_PORT=${FLOOR_PORT:-18291}
HERALD_PORT=${HERALD_PORT:-18280}
HERALD_MEMORY_PORT=${HERALD_MEMORY_PORT:-18282}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
APPEND=${APPEND:-1}
NCHAN=${NCHAN:-1}
HUBS=${HUBS:-"nchan floor herald"}
[[ $NCHAN == 1 ]] || HUBS=${HUBS//nchan/}
has_hub() { [[ " $HUBS " == *" $1 "* ]]; }
KEY=compare-nchan-publisher-key-0123456789abcdef
OUT=$ROOT/bench/target/compare-nchan/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/compare-nchan.XXXXXX)

ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------- install, build
if has_hub nchan && { ! command -v nginx > /dev/null || [[ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]]; }; then
  echo "installing nginx-light and libnginx-mod-nchan"
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends nginx-light libnginx-mod-nchan > "$OUT/apt.log" 2>&1
fi
if has_hub floor; then gcc -O2 -Wall -std=gnu11 -o "$TMP/floor" bench/floor/floor.c; fi
# ./herald builds the hub's jar when a source is newer than it; build it here, not inside a timed start.
[[ -f herald-hub/target/herald.jar ]] && [[ -z $(find pom.xml herald-*/pom.xml herald-*/src/main -newer herald-hub/target/herald.jar -print -quit) ]] \
  || mvn -B -ntp -q -pl herald-hub -am package -DskipTests
if [[ ! -f bench/target/benchmarks.jar ]] || [[ -n $(find bench/src bench/pom.xml -newer bench/target/benchmarks.jar -print -quit) ]]; then
  mvn -B -ntp -q -pl bench -am package -Dmaven.test.skip=true
fi

# ---------------------------------------------------------------- hubs (only the PIDs started here are killed)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 120); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "nothing listens on $1"; return 1
}

start_nchan() {
  mkdir -p "$TMP/nchan"
  sed -e "s#@PORT@#$NCHAN_PORT#g" -e "s#@DIR@#$TMP/nchan#g" bench/nchan/nginx.conf > "$TMP/nchan/nginx.conf"
  if [[ $NCHAN_WORKERS != 1 ]]; then
    # Several workers need the master process; $! is then the master (daemon off keeps it in front).
    sed -i -e "s#^master_process off;#master_process on;#" -e "s#^worker_processes 1;#worker_processes $NCHAN_WORKERS;#" \
      "$TMP/nchan/nginx.conf"
  fi
  # master_process off: one process, the worker itself, whose PID is $!.
  taskset -c "$HUB_CPUS" nginx -c "$TMP/nchan/nginx.conf" -p "$TMP/nchan" > "$OUT/nchan.log" 2>&1 &
  NCHAN_PID=$!
  PIDS+=("$NCHAN_PID")
  wait_port "$NCHAN_PORT"
}

start_floor() {
  taskset -c "$HUB_CPUS" "$TMP/floor" "$FLOOR_PORT" > "$OUT/floor.log" 2>&1 &
  FLOOR_PID=$!
  PIDS+=("$FLOOR_PID")
  wait_port "$FLOOR_PORT"
}

start_herald() { # port store pid-variable
  local port=$1 store=$2
  # As shipped: ./herald with its JVM options (HERALD_JVM replaces them), plus a GC log. Every
  # subscriber comes from 127.0.0.1: the per-address caps are for real clients, and on a busy CPU
  # requests wait past their 2 s grace, so they are lifted here. ./herald execs java: $! is the JVM.
  if [[ -n ${HERALD_JVM+set} ]]; then export HERALD_JAVA_OPTS=$HERALD_JVM; fi
  JAVA_TOOL_OPTIONS="-Xlog:gc:file=$OUT/gc-herald-$store.log:time,uptime" \
    taskset -c "$HUB_CPUS" ./herald serve --store "$store" \
    --data-dir "$TMP/herald-$store" --demo=false --bind 127.0.0.1 --port "$port" --publisher-key "$KEY" \
    --anonymous --max-connections-per-address 100000 --max-new-connections-per-address 100000 \
    > "$OUT/herald-$store.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_port "$port"
  eval "$3=$pid"
}

cpu_busy_pct() { # CPU $1's busy share over 2 s: user+nice+system+irq+softirq
  local a b
  a=$(awk -v c="cpu$1" '$1==c{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  sleep 2
  b=$(awk -v c="cpu$1" '$1==c{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  echo "$a $b" | awk '{printf "%.0f", 100*($3-$1)/(($4-$2)>0?($4-$2):1)}'
}

bench() { # label hub-name pid port ... (herald bench options)
  local label=$1 hub=$2 pid=$3 port=$4; shift 4
  local preset=$hub auth=()
  [[ $hub == herald* ]] && preset=herald && auth=(--publisher-key "$KEY")
  [[ $hub == nchan || $hub == floor ]] && preset=nchan
  local bg; bg=$(cpu_busy_pct "$HUB_CPU")
  echo "-- $label $hub: cpu$HUB_CPU ${bg}% busy before, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/runs.txt"
  local start; start=$(date +%s.%N)
  timeout 240 taskset -c "$LOAD_CPUS" java -Xms1g -Xmx1g -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
    --preset "$preset" --port "$port" "${auth[@]}" --server-pid "$pid" --server-cpu "$HUB_CPU" --load-cpu "$LOAD_CPU" \
    --label "$label-$hub" --json "$@" > "$OUT/$label-$hub.json" 2> "$OUT/$label-$hub.log" || true
  echo "{\"scenario\":\"$label\",\"hub\":\"$hub\",\"start\":$start,\"end\":$(date +%s.%N),\"cpuBusyBefore\":$bg,\"result\":$(cat "$OUT/$label-$hub.json" 2>/dev/null | tail -1 | grep . || echo null)}" >> "$OUT/all.jsonl"
  grep 'RESULT' "$OUT/$label-$hub.log" || tail -3 "$OUT/$label-$hub.log"
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
  echo "software: $(java -version 2>&1 | head -1), $(nginx -v 2>&1), Nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null), Herald $(git rev-parse --short HEAD)"
  echo "layout: hubs on CPU $HUB_CPUS (taskset), herald bench on CPU $LOAD_CPUS, Nchan workers $NCHAN_WORKERS; Herald JVM options: ${HERALD_JVM-as ./herald sets them ($(sed -n 's/^default_java_opts="\(.*\)"/\1/p' herald), MALLOC_ARENA_MAX=2)}; open files $(ulimit -n)"
} | tee "$OUT/machine.txt"

has_hub nchan && start_nchan
has_hub floor && start_floor
has_hub herald && start_herald "$HERALD_PORT" sqlite HERALD_PID
has_hub herald-memory && start_herald "$HERALD_MEMORY_PORT" memory HERALD_MEMORY_PID
echo "nchan pid ${NCHAN_PID:-none}, floor pid ${FLOOR_PID:-none}, herald pid ${HERALD_PID:-none}, herald-memory pid ${HERALD_MEMORY_PID:-none}"

hub_args() { # name -> "pid port"
  case $1 in
    nchan) echo "$NCHAN_PID $NCHAN_PORT" ;;
    floor) echo "$FLOOR_PID $FLOOR_PORT" ;;
    herald) echo "$HERALD_PID $HERALD_PORT" ;;
    herald-memory) echo "$HERALD_MEMORY_PID $HERALD_MEMORY_PORT" ;;
  esac
}

# Warm-up: the JVM's compiler, Nchan's shared memory.
for h in $HUBS; do
  read -r p port <<< "$(hub_args "$h")"
  preset=nchan auth=
  [[ $h == herald* ]] && preset=herald auth="--publisher-key $KEY"
  # shellcheck disable=SC2086
  timeout 120 taskset -c "$LOAD_CPUS" java -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
    --preset $preset --port "$port" $auth --subscribers 1000 --rate 0 --in-flight 4 \
    --duration 5 --label warmup > "$OUT/warmup-$h.log" 2>&1 || true
done

for run in $(seq 1 "$REPEAT"); do
  # Alternate the order of the hubs.
  if (( run % 2 == 1 )); then order=$HUBS; else order=$(echo $HUBS | tr ' ' '\n' | tac | tr '\n' ' '); fi
  for s in $SCENARIOS; do
    for h in $order; do
      read -r pid port <<< "$(hub_args $h)"
      case $s in
        a) bench "a$run" "$h" "$pid" "$port" --subscribers 1000 --rate 100 --events 3000 --in-flight 16 ;;
        b) bench "b$run" "$h" "$pid" "$port" --subscribers 10000 --sources 4 --rate 10 --events 300 --in-flight 16 --drain 60 ;;
        c) bench "c$run" "$h" "$pid" "$port" --mode idle --subscribers "$IDLE_CONNECTIONS" --sources 4 --settle-ms 20000 ;;
        d) bench "d$run" "$h" "$pid" "$port" --subscribers 1000 --rate 0 --in-flight 4 --duration 10 ;;
        g) bench "g$run" "$h" "$pid" "$port" --subscribers 1000 --rate 0 --in-flight 1 --duration 10 ;;
        e) [[ $h == floor ]] || bench "e$run" "$h" "$pid" "$port" --subscribers 100 --rate 0 --in-flight 16 --duration 10 ;;
        f) bench "f$run" "$h" "$pid" "$port" --subscribers 1000 --rate 100 --events 2000 --in-flight 16 --reconnect-at 10 ;;
      esac
    done
    # e compares the stores: the other one of the pair beside the hubs above.
    if [[ $s == e ]] && ! has_hub herald-memory; then
      if [[ -z ${HERALD_MEMORY_PID:-} ]]; then
        start_herald "$HERALD_MEMORY_PORT" memory HERALD_MEMORY_PID
        timeout 60 taskset -c "$LOAD_CPU" java -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
          --preset herald --port $HERALD_MEMORY_PORT --publisher-key $KEY --subscribers 100 --rate 0 --in-flight 16 \
          --duration 5 --label warmup > "$OUT/warmup-memory.log" 2>&1 || true
      fi
      read -r pid port <<< "$(hub_args herald-memory)"
      bench "e$run" herald-memory "$pid" "$port" --subscribers 100 --rate 0 --in-flight 16 --duration 10
    fi
  done
done

# ---------------------------------------------------------------- report
python3 bench/nchan/report.py "$OUT" > "$OUT/report.md"
cat "$OUT/report.md"
if [[ $APPEND == 1 ]]; then
  { echo; cat "$OUT/report.md"; } >> docs/benchmarks.md
  echo "appended to docs/benchmarks.md"
fi
