#!/usr/bin/env bash
# The replay storm: CLIENTS connections resume from `earliest` at once against a server whose
# SQLite store holds a full history of EVENTS events; every client must receive ids 1..EVENTS once,
# in order. Prints the clients' RESULT line, the server's /stats and the largest heap left after a
# collection in the server's GC log (what the replays kept reachable), under bench/target/replay-storm/.
#
#   CLIENTS=100 EVENTS=100000 bench/scripts/replay-storm.sh
#   CLIENTS=10000 EVENTS=1000 SERVER_JVM="-Xms128m -Xmx128m" bench/scripts/replay-storm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

CLIENTS=${CLIENTS:-100}
EVENTS=${EVENTS:-100000}
PAYLOAD=${PAYLOAD:-64}
PORT=${PORT:-18090}
SERVER_JVM=${SERVER_JVM:-"-Xms128m -Xmx128m"}
SERVER_ARGS=${SERVER_ARGS:-}
OUT=$PWD/bench/target/replay-storm/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

mvn -B -ntp -o -q -pl bench -am compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" \
  -Dmdep.includeScope=runtime > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
CP=bench/target/classes:$(cat "$OUT/cp.txt")

# shellcheck disable=SC2086
java $SERVER_JVM -Xlog:gc:file="$OUT/server-gc.log" -cp "$CP" dev.herald.bench.replay.ReplayStormServer \
  --port "$PORT" --events "$EVENTS" --payload "$PAYLOAD" --dir "$OUT/store" $SERVER_ARGS > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until grep -q '^ready' "$OUT/server.log"; do
  kill -0 $SERVER 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
  sleep 1
done
grep '^ready' "$OUT/server.log"
echo "machine: nproc=$(nproc) $(uptime)"
set +e
java -Xmx512m -cp "$CP" dev.herald.bench.replay.ReplayStormClients --port "$PORT" --clients "$CLIENTS" \
  --events "$EVENTS" | tee "$OUT/clients.log"
STATUS=${PIPESTATUS[0]}
echo "after: $(uptime)"
# "Pause Young (Normal) (G1 Evacuation Pause) 60M->9M(128M)": the size after each collection.
awk 'match($0, /->[0-9]+M/) { v = substr($0, RSTART + 2, RLENGTH - 3) + 0; if (v > max) max = v; n++ }
  END { printf "GC collections=%d heapAfterGcMax=%dM\n", n, max }' "$OUT/server-gc.log"
exit "$STATUS"
