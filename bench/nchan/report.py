#!/usr/bin/env python3
"""Markdown report of one bench/compare-nchan.sh run (its output directory as argument)."""
import datetime, json, os, re, statistics, sys

out = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(out, "all.jsonl")) if l.strip()]
machine = open(os.path.join(out, "machine.txt")).read().strip().splitlines()
names = {"a": "(a) 1,000 subscribers, 100 events/s, 30 s", "b": "(b) 10,000 subscribers, 10 events/s, 30 s",
         "c": "(c) idle connections: server RSS added per connection",
         "d": "(d) 1,000 subscribers, 4 publishes in flight, as fast as acknowledged, 10 s",
         "e": "(e) publish throughput: 100 subscribers, 16 publishes in flight, 10 s",
         "f": "(f) 1,000 subscribers, 100 events/s for 20 s, all reconnecting at once with Last-Event-ID at 10 s",
         "g": "(g) 1,000 subscribers, 1 publish in flight, as fast as acknowledged, 10 s"}
GC_LOGS = {"herald": "gc-herald-sqlite.log", "herald-memory": "gc-herald-memory.log"}
PAUSE = re.compile(r"^\[([^\]]+)\].*Pause.* ([0-9.]+)ms$")


def pauses(hub):
    """(epoch seconds, pause ms) of every collector pause in the hub's GC log."""
    path = os.path.join(out, GC_LOGS.get(hub, "-"))
    if not os.path.exists(path):
        return []
    result = []
    for line in open(path):
        m = PAUSE.match(line.strip())
        if m:
            t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
            result.append((t, float(m.group(2))))
    return result


def ack(x):
    a = x.get("ackMs")
    return "–" if not a else f"{a['p50']:,.2f} / {a['p99']:,.2f}"


def gc_in(r):
    """The pauses inside one run's window: 'count, total / max ms', or '–' for a hub without a GC log."""
    if r["hub"] not in GC_LOGS or "start" not in r:
        return "–"
    ps = [ms for t, ms in pauses(r["hub"]) if r["start"] <= t <= r["end"]]
    return f"{len(ps)}, {sum(ps):,.0f} / {max(ps, default=0):,.1f}"

def f(v, d=1):
    return "–" if v is None else f"{v:,.{d}f}"

print(f"### Run of {machine[0].split(': ', 1)[1]}")
print()
for m in machine[1:]:
    print(f"- {m}")
print(f"- raw JSON of every run: `{os.path.relpath(out, os.path.join(os.path.dirname(__file__), '..', '..'))}/all.jsonl`")
print()
for s in "cabgdef":
    rs = [r for r in rows if r["scenario"][0] == s]
    if not rs:
        continue
    print(f"**{names[s]}**")
    print()
    if s == "c":
        print("| hub | run | connections | RSS before → after | bytes per connection | closed early | CPU 0 busy before |")
        print("|---|---|---|---|---|---|---|")
        for r in rs:
            x = r["result"] or {}
            print(f"| {r['hub']} | {r['scenario']} | {x.get('connections', '–')} | "
                  f"{f(x.get('rssBefore', 0) / 1048576)} → {f(x.get('rssAfter', 0) / 1048576)} MiB | "
                  f"**{f(x.get('rssPerConnection'), 0)}** | {x.get('closed', 'failed: see its log')} | {r['cpuBusyBefore']}% |")
        print()
        continue
    print("| hub | run | events/s kept | deliveries/s | latency ms p50 / p90 / p99 / p99.9 / max | CPU 0 µs per delivery | publish ack ms p50 / p99 | expected / received / lost / dup | GC pauses: count, total / max ms | CPU 0 busy before | RSS MiB | ok |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rs:
        x = r["result"]
        if not x:
            print(f"| {r['hub']} | {r['scenario']} | no result (timed out or failed) | | | | | | {gc_in(r)} | {r['cpuBusyBefore']}% | | no |")
            continue
        l = x["latencyMs"]
        print(f"| {r['hub']} | {r['scenario']} | {f(x['publishRate'])} | {f(x['deliveriesPerSecond'], 0)} | "
              f"{f(l['p50'])} / {f(l['p90'])} / {f(l['p99'])} / {f(l['p999'])} / {f(l['max'])} | "
              f"**{f(x['cpuMicrosPerDelivery'], 2)}** | {ack(x)} | {x['deliveriesExpected']:,} / {x['deliveriesReceived']:,} / "
              f"{x['lost']} / {x['duplicated']} | {gc_in(r)} | {r['cpuBusyBefore']}% | {f(x['serverRssBytes'] / 1048576)} | "
              f"{'yes' if x['ok'] else 'NO'} |")
    med = {}
    for hub in sorted({r["hub"] for r in rs}):
        xs = [r["result"] for r in rs if r["hub"] == hub and r["result"]]
        if xs:
            med[hub] = {k: statistics.median(v(x) for x in xs) for k, v in
                        {"dps": lambda x: x["deliveriesPerSecond"], "p99": lambda x: x["latencyMs"]["p99"],
                         "p50": lambda x: x["latencyMs"]["p50"], "cpu": lambda x: x["cpuMicrosPerDelivery"]}.items()}
    if s == "f":
        print()
        print("Time from the reconnection until every subscriber had every event sent before it: "
              + ", ".join(f"{r['hub']} {r['scenario']} {f(r['result'].get('reconnectCatchUpMs'))} ms" for r in rs if r["result"]) + ".")
    for other in ("nchan", "floor"):
        if other in med and "herald" in med:
            n, h = med[other], med["herald"]
            print()
            print(f"Herald / {other} (medians): deliveries/s {h['dps'] / n['dps']:.2f}×, p50 {h['p50'] / n['p50']:.2f}×, "
                  f"p99 {h['p99'] / n['p99']:.2f}×, CPU per delivery {h['cpu'] / n['cpu']:.2f}×.")
    print()
