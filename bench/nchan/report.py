#!/usr/bin/env python3
"""Markdown report of one bench/compare-nchan.sh run (its output directory as argument)."""
import json, os, statistics, sys

out = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(out, "all.jsonl")) if l.strip()]
machine = open(os.path.join(out, "machine.txt")).read().strip().splitlines()
names = {"a": "(a) 1,000 subscribers, 100 events/s, 30 s", "b": "(b) 10,000 subscribers, 10 events/s, 30 s",
         "c": "(c) idle connections: server RSS added per connection",
         "d": "(d) 1,000 subscribers, 4 publishes in flight, as fast as acknowledged, 10 s",
         "e": "(e) publish throughput: 100 subscribers, 16 publishes in flight, 10 s",
         "f": "(f) 1,000 subscribers, 100 events/s for 20 s, all reconnecting at once with Last-Event-ID at 10 s"}

def f(v, d=1):
    return "–" if v is None else f"{v:,.{d}f}"

print(f"### Run of {machine[0].split(': ', 1)[1]}")
print()
for m in machine[1:]:
    print(f"- {m}")
print(f"- raw JSON of every run: `{os.path.relpath(out, os.path.join(os.path.dirname(__file__), '..', '..'))}/all.jsonl`")
print()
for s in "cabdef":
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
    print("| hub | run | events/s kept | deliveries/s | latency ms p50 / p90 / p99 / p99.9 / max | CPU 0 µs per delivery | expected / received / lost / dup | CPU 0 busy before | RSS MiB | ok |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rs:
        x = r["result"]
        if not x:
            print(f"| {r['hub']} | {r['scenario']} | no result (timed out or failed) | | | | | {r['cpuBusyBefore']}% | | no |")
            continue
        l = x["latencyMs"]
        print(f"| {r['hub']} | {r['scenario']} | {f(x['publishRate'])} | {f(x['deliveriesPerSecond'], 0)} | "
              f"{f(l['p50'])} / {f(l['p90'])} / {f(l['p99'])} / {f(l['p999'])} / {f(l['max'])} | "
              f"**{f(x['cpuMicrosPerDelivery'], 2)}** | {x['deliveriesExpected']:,} / {x['deliveriesReceived']:,} / "
              f"{x['lost']} / {x['duplicated']} | {r['cpuBusyBefore']}% | {f(x['serverRssBytes'] / 1048576)} | "
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
    if "nchan" in med and "herald" in med:
        n, h = med["nchan"], med["herald"]
        print()
        print(f"Herald / Nchan (medians): deliveries/s {h['dps'] / n['dps']:.2f}×, p50 {h['p50'] / n['p50']:.2f}×, "
              f"p99 {h['p99'] / n['p99']:.2f}×, CPU per delivery {h['cpu'] / n['cpu']:.2f}×.")
    print()
