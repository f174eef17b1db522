#!/usr/bin/env bash
# One Spring Boot app served four ways, side by side in one run on loopback: the tutorial's
# SseEmitter hub, Herald's starter on MVC (Tomcat), Herald's starter on WebFlux (Reactor Netty),
# Herald's starter on MVC on Jetty (the same sources built without Tomcat: bench/spring-jetty).
# Each app is its own JVM pinned to CPU 0 (taskset), the load tool (./herald bench's
# BenchCommand) runs on CPU 1, the same scenarios against each, alternating which goes first.
# Prints a Markdown report (bench/spring/report.py) and keeps every run's JSON under
# bench/target/compare-spring/<time>/.
#
#   bench/spring/compare.sh                          # scenarios a b c f, once each (about 10 minutes)
#   SCENARIOS="c f" REPEAT=2 SUBSCRIBERS_WIDE=5000 bench/spring/compare.sh
#
# Scenarios (docs/benchmarks.md, "Spring"):
#   a  1,000 subscribers, 4 publishes in flight, as fast as the app acknowledges, 10 s
#   b  SUBSCRIBERS_WIDE (default 2,000; the issue's 10,000 with SUBSCRIBERS_WIDE=10000) subscribers,
#      10 events/s for 10 s
#   c  IDLE_CONNECTIONS (default 2,000) idle connections: the server's memory added per connection,
#      RSS (native; the heap is fixed and pre-touched) plus live heap after a full GC
#   f  1,000 subscribers, 100 events/s for 10 s; at 5 s every subscriber reconnects at once with
#      Last-Event-ID: the events published while it was away are lost where there is no history
# Every delivery is checked: lost, duplicated, out of order. Only the PIDs started here are killed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

SCENARIOS=${SCENARIOS:-"a b c f"}
REPEAT=${REPEAT:-1}
HUB_CPU=${HUB_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SUBSCRIBERS_WIDE=${SUBSCRIBERS_WIDE:-2000}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-2000}
# The same JVM settings for every way, as docs/benchmarks.md's server runs: a fixed, pre-touched
# heap, so that RSS moves with native memory only; the live heap a connection keeps is read apart
# (jcmd GC.run, then GC.heap_info), and memory per idle connection is the sum.
APP_JVM=${APP_JVM:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch"}
BASE_PORT=${BASE_PORT:-18380}
# Extra arguments for the starter-on-MVC app only, e.g. "--herald.tomcat.socket-buffer-bytes=1024".
STARTER_MVC_ARGS=${STARTER_MVC_ARGS:-}
# The same for the starter-on-MVC-on-Jetty app only, e.g. "--server.jetty.max-http-response-header-size=2KB".
STARTER_MVC_JETTY_ARGS=${STARTER_MVC_JETTY_ARGS:-}
WAYS=${WAYS:-"emitter starter-mvc starter-webflux starter-mvc-jetty"}
OUT=$ROOT/bench/target/compare-spring/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------- build
newer() { # jar, then what it is built from
  local jar=$1; shift
  [[ ! -f $jar ]] || [[ -n $(find pom.xml herald-*/pom.xml herald-*/src/main "$@" -newer "$jar" -print -quit) ]]
}
if newer bench/target/benchmarks.jar bench/pom.xml bench/src/main; then
  mvn -B -ntp -q -pl bench -am package -Dmaven.test.skip=true
fi
if newer bench/spring/target/spring-bench.jar bench/spring/pom.xml bench/spring/src; then
  mvn -B -ntp -q -pl bench/spring -am package -Dmaven.test.skip=true -Dmaven.javadoc.skip=true
fi
if [[ " $WAYS " == *" starter-mvc-jetty "* ]] \
    && newer bench/spring-jetty/target/spring-bench-jetty.jar bench/spring-jetty/pom.xml bench/spring/src; then
  mvn -B -ntp -q -pl bench/spring-jetty -am package -Dmaven.test.skip=true -Dmaven.javadoc.skip=true
fi

# ---------------------------------------------------------------- apps
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 240); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "nothing listens on $1"; return 1
}

declare -A PID PORT
i=0
for w in $WAYS; do
  PORT[$w]=$((BASE_PORT + i)); i=$((i + 1))
  type=servlet; [[ $w == starter-webflux ]] && type=reactive
  jar=bench/spring/target/spring-bench.jar; [[ $w == starter-mvc-jetty ]] && jar=bench/spring-jetty/target/spring-bench-jetty.jar
  extra=""; [[ $w == starter-mvc ]] && extra=$STARTER_MVC_ARGS; [[ $w == starter-mvc-jetty ]] && extra=$STARTER_MVC_JETTY_ARGS
  # shellcheck disable=SC2086
  taskset -c "$HUB_CPU" java $APP_JVM -jar "$jar" --server.port="${PORT[$w]}" \
    --spring.main.web-application-type=$type $extra > "$OUT/app-$w.log" 2>&1 &
  PID[$w]=$!
  PIDS+=("${PID[$w]}")
done
for w in $WAYS; do wait_port "${PORT[$w]}"; done

urls() { # way -> the load tool's URL options
  local p=${PORT[$1]}
  if [[ $1 == emitter ]]; then
    echo "--subscribe-url http://127.0.0.1:$p/emitter/events --publish-url http://127.0.0.1:$p/emitter/publish --publish-format nchan-raw"
  else
    echo "--subscribe-url http://127.0.0.1:$p/events?topic={topic} --publish-url http://127.0.0.1:$p/publish?topic={topic} --publish-format nchan-raw"
  fi
}

cpu_busy_pct() { # CPU $1's busy share over 2 s: user+nice+system+irq+softirq
  local a b
  a=$(awk -v c="cpu$1" '$1==c{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  sleep 2
  b=$(awk -v c="cpu$1" '$1==c{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  echo "$a $b" | awk '{printf "%.0f", 100*($3-$1)/(($4-$2)>0?($4-$2):1)}'
}

live_heap() { # the app's live heap in bytes, after a full GC
  jcmd "$1" GC.run > /dev/null
  # Every generation's (Serial, Parallel: one app per core picks Serial) or G1's heap line: their used KiB.
  jcmd "$1" GC.heap_info | awk '/(generation|heap) +total/ {for (i = 1; i < NF; i++) if ($i == "used") {sub("K,?", "", $(i+1)); kb += $(i+1)}}
    END {print kb * 1024}'
}

idle() { # label way: RSS (the load tool) and live heap (jcmd) added per idle connection
  local label=$1 way=$2 pid=${PID[$2]} n=$IDLE_CONNECTIONS
  local bg; bg=$(cpu_busy_pct "$HUB_CPU")
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "-- $label $way: cpu$HUB_CPU ${bg}% busy before, load average $load" | tee -a "$OUT/runs.txt"
  local before; before=$(live_heap "$pid")
  # The tool holds the connections for --settle-ms after the last one opened: the heap is read then.
  # No warm-up connections of the tool's own (the apps were warmed up above): Tomcat notices that an
  # idle stream's client left only at the stream's next write (the heartbeat, 1 h here), so the
  # tool's 1,000 warm-up streams, opened after "before" was read, stayed in the heap and were
  # counted as the measured connections' (1.5x at 2,000).
  # shellcheck disable=SC2046
  timeout 240 taskset -c "$LOAD_CPU" java -Xms512m -Xmx1g -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
    $(urls "$way") --server-pid "$pid" --server-cpu "$HUB_CPU" --load-cpu "$LOAD_CPU" --label "$label-$way" --json \
    --mode idle --subscribers "$n" --warmup-connections 0 --settle-ms 20000 > "$OUT/$label-$way.json" 2> "$OUT/$label-$way.log" &
  local tool=$!
  local after=-1
  for _ in $(seq 1 240); do
    if grep -q "connected $n/$n" "$OUT/$label-$way.log" 2>/dev/null; then after=$(live_heap "$pid"); break; fi
    kill -0 "$tool" 2>/dev/null || break
    sleep 0.5
  done
  wait "$tool" || true
  local heap=$(( after < 0 ? -1 : (after - before) / n ))
  echo "{\"scenario\":\"$label\",\"hub\":\"$way\",\"cpuBusyBefore\":$bg,\"loadavg\":\"$load\",\"heapPerConnection\":$heap,\"result\":$(tail -1 "$OUT/$label-$way.json" 2>/dev/null | grep . || echo null)}" >> "$OUT/all.jsonl"
  echo "  live heap added per connection: $heap B" | tee -a "$OUT/runs.txt"
  grep 'RESULT' "$OUT/$label-$way.log" || tail -3 "$OUT/$label-$way.log"
}

bench() { # label way ... (BenchCommand options)
  local label=$1 way=$2; shift 2
  local bg; bg=$(cpu_busy_pct "$HUB_CPU")
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "-- $label $way: cpu$HUB_CPU ${bg}% busy before, load average $load" | tee -a "$OUT/runs.txt"
  # shellcheck disable=SC2046
  timeout 240 taskset -c "$LOAD_CPU" java -Xms512m -Xmx1g -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
    $(urls "$way") --server-pid "${PID[$way]}" --server-cpu "$HUB_CPU" --load-cpu "$LOAD_CPU" \
    --label "$label-$way" --json "$@" > "$OUT/$label-$way.json" 2> "$OUT/$label-$way.log" || true
  echo "{\"scenario\":\"$label\",\"hub\":\"$way\",\"cpuBusyBefore\":$bg,\"loadavg\":\"$load\",\"result\":$(tail -1 "$OUT/$label-$way.json" 2>/dev/null | grep . || echo null)}" >> "$OUT/all.jsonl"
  grep 'RESULT\|reconnection:' "$OUT/$label-$way.log" || tail -3 "$OUT/$label-$way.log"
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
  echo "software: $(java -version 2>&1 | head -1), Spring Boot 4.0.7 (Tomcat 11, Reactor Netty, Jetty 12), Herald $(git rev-parse --short HEAD)"
  echo "ways: $WAYS"
  echo "starter-mvc extra arguments: ${STARTER_MVC_ARGS:-none}"
  echo "starter-mvc-jetty extra arguments: ${STARTER_MVC_JETTY_ARGS:-none}"
  echo "layout: each app a JVM ($APP_JVM, otherwise defaults) on CPU $HUB_CPU (taskset), the load tool on CPU $LOAD_CPU; open files $(ulimit -n)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

# Warm-up: the JIT of each app, with the publish path and a few hundred streams.
for w in $WAYS; do
  # shellcheck disable=SC2046
  timeout 120 taskset -c "$LOAD_CPU" java -cp bench/target/benchmarks.jar dev.herald.bench.load.BenchCommand \
    $(urls "$w") --subscribers 500 --rate 0 --in-flight 4 --duration 5 --label warmup > "$OUT/warmup-$w.log" 2>&1 || true
done

turn=0
for run in $(seq 1 "$REPEAT"); do
  for s in $SCENARIOS; do
    # Rotate which app goes first, scenario by scenario.
    order=$(echo $WAYS | awk -v k=$turn '{for (i = 0; i < NF; i++) printf "%s ", $((i + k) % NF + 1)}')
    turn=$((turn + 1))
    for w in $order; do
      case $s in
        a) bench "a$run" "$w" --subscribers 1000 --rate 0 --in-flight 4 --duration 10 ;;
        b) bench "b$run" "$w" --subscribers "$SUBSCRIBERS_WIDE" --rate 10 --events 100 --in-flight 4 --drain 60 ;;
        c) idle "c$run" "$w" ;;
        f) bench "f$run" "$w" --subscribers 1000 --rate 100 --events 1000 --in-flight 4 --reconnect-at 5 ;;
      esac
    done
  done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
python3 bench/spring/report.py "$OUT" | tee "$OUT/report.md"
