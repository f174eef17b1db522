#!/usr/bin/env bash
# Loopback fan-out benchmark of herald-server: BenchServer pinned to CPU 0, LoadGenerator pinned
# to CPU 1, every delivery checked. Prints one RESULT line per scenario and keeps the full output
# under bench/target/server-bench/<time>/.
#
#   bench/scripts/server-bench.sh                 # every scenario once (about 4 minutes)
#   SCENARIOS="fast rate100" REPEAT=3 bench/scripts/server-bench.sh
#   SERVER_JFR=1 SCENARIOS=fast bench/scripts/server-bench.sh   # with a JFR recording of the server
#   SERVER_CP=/tmp/changed-server-classes:bench/target/benchmarks.jar bench/scripts/server-bench.sh
#                                     # try a herald-server change before it is installed
#
# Scenarios: idle (10,000 idle connections, memory), fast (1,000 subscribers, publishing as fast
# as publishes complete, 4 in flight; BenchServer acknowledges once Herald's loop wrote and
# flushed the event to every subscriber, which is when Nchan acknowledges), rate100 (1,000 x
# 100/s), rate10 (1,000 x 10/s), wide (10,000 x 10/s), fastpublishack (4 in flight, acknowledged
# as soon as broker.publish completes, before the fan-out: nothing holds publishers back, an
# overload test, run last). Not in the default set: fastdelivered (in flight until every
# subscriber received the event).
set -euo pipefail
cd "$(dirname "$0")/../.."

JAR=bench/target/benchmarks.jar
SERVER_CP=${SERVER_CP:-$JAR}
PORT=${PORT:-18080}
CONTROL_PORT=${CONTROL_PORT:-18081}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
REPEAT=${REPEAT:-1}
SCENARIOS=${SCENARIOS:-"idle fast rate100 rate10 wide fastpublishack"}
# A fixed, pre-touched heap: the heap's pages are resident from the start, so RSS moves only with
# native memory (direct buffers, stacks, metaspace); live heap is read after a full GC instead.
SERVER_JVM=${SERVER_JVM:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch"}
LOAD_JVM=${LOAD_JVM:-"-Xms1g -Xmx1g"}
OUT=bench/target/server-bench/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

if [[ ! -f $JAR ]] || [[ -n $(find bench/src bench/pom.xml -newer "$JAR" -print -quit) ]]; then
  echo "building $JAR"
  mvn -B -ntp -q -pl bench -am package -Dmaven.test.skip=true > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
fi

# Each process may hold up to the hard limit of open files (20,000 here).
ulimit -n "$(ulimit -Hn)"

SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
trap cleanup EXIT

start_server() {
  local name=$1 jfr=
  if [[ -n ${SERVER_JFR:-} ]]; then
    # SERVER_JFR=1 uses the JDK's profile settings; SERVER_JFR=path.jfc uses that file.
    local settings=profile
    [[ $SERVER_JFR == *.jfc ]] && settings=$SERVER_JFR
    jfr="-XX:StartFlightRecording=filename=$OUT/server-$name.jfr,settings=$settings,dumponexit=true"
  fi
  # taskset execs java, so $! is the JVM's own PID.
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" java $SERVER_JVM $jfr -cp "$SERVER_CP" dev.herald.bench.load.BenchServer \
    --port "$PORT" --control-port "$CONTROL_PORT" --io-threads 1 > "$OUT/server-$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    grep -q '^pid=' "$OUT/server-$name.log" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server-$name.log"; exit 1; }
    sleep 0.5
  done
  grep '^pid=' "$OUT/server-$name.log" || { echo "server did not start"; exit 1; }
}

stop_server() {
  local name=$1 log
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  log=$OUT/server-$name.log
  echo "server log: $(grep -c 'closing slow consumer' "$log" || true) slow-consumer closes logged"
  # An overload can log one line per event per subscriber: keep the ends of the log only.
  if [[ $(stat -c %s "$log") -gt 20000000 ]]; then
    { head -c 10000000 "$log"; echo; echo "[... cut ...]"; tail -c 10000000 "$log"; } > "$log.cut" && mv "$log.cut" "$log"
  fi
}

loadgen() {
  local label=$1; shift
  echo "-- $label: LoadGenerator $*" | tee -a "$OUT/commands.txt"
  # shellcheck disable=SC2086
  timeout 300 taskset -c "$LOAD_CPU" java $LOAD_JVM -cp "$JAR" dev.herald.bench.load.LoadGenerator \
    --port "$PORT" --control-port "$CONTROL_PORT" --server-pid "$SERVER_PID" \
    --server-cpu "$SERVER_CPU" --load-cpu "$LOAD_CPU" --label "$label" "$@" > "$OUT/$label.log" 2>&1 || true
  sed -n '/^== /,$p' "$OUT/$label.log"
}

{
  echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB," \
    "$(java -version 2>&1 | head -1), kernel $(uname -r), open files $(ulimit -Hn)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "server: taskset -c $SERVER_CPU java $SERVER_JVM ... BenchServer --io-threads 1; load: taskset -c $LOAD_CPU"
} | tee "$OUT/machine.txt"

for run in $(seq 1 "$REPEAT"); do
  for s in $SCENARIOS; do
    if [[ $s == idle ]]; then
      # A fresh server: memory added by 10,000 idle subscribers, nothing else run before.
      start_server "idle-$run"
      loadgen "idle-$run" --mode idle --subscribers 10000 --sources 4
      stop_server "idle-$run"
    fi
  done
  start_server "load-$run"
  loadgen "warmup-$run" --subscribers 1000 --rate 0 --in-flight 4 --duration-s 5 > /dev/null
  for s in $SCENARIOS; do
    case $s in
      fast) loadgen "fast-$run" --subscribers 1000 --rate 0 --in-flight 4 --duration-s 10 ;;
      fastdelivered) loadgen "fastdelivered-$run" --subscribers 1000 --rate 0 --in-flight 4 --window delivered --duration-s 10 ;;
      fastpublishack) loadgen "fastpublishack-$run" --subscribers 1000 --rate 0 --in-flight 4 --ack publish --duration-s 5 --drain-s 10 ;;
      # Fixed rates: 16 publisher connections, so the rate is held back only by a server that
      # has 16 events not yet fanned out.
      rate100) loadgen "rate100-$run" --subscribers 1000 --rate 100 --events 1500 --in-flight 16 ;;
      rate10) loadgen "rate10-$run" --subscribers 1000 --rate 10 --events 150 --in-flight 16 ;;
      wide) loadgen "wide-$run" --subscribers 10000 --sources 4 --rate 10 --events 150 --in-flight 16 ;;
      idle) ;;
      *) echo "unknown scenario $s" ;;
    esac
  done
  stop_server "load-$run"
done

echo
echo "== summary ($OUT)"
grep -h 'RESULT' "$OUT"/*.log | grep -v warmup | sed 's/^ *//'
