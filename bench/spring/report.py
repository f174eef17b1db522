#!/usr/bin/env python3
"""Markdown report of one bench/spring/compare.sh run (its output directory as argument)."""
import json, os, statistics, sys

out = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(out, "all.jsonl")) if l.strip()]
machine = open(os.path.join(out, "machine.txt")).read().strip().splitlines()
NAMES = {"emitter": "`SseEmitter` (tutorial)", "starter-mvc": "starter, MVC/Tomcat", "starter-webflux": "starter, WebFlux",
         "starter-mvc-jetty": "starter, MVC/Jetty"}
# The ways this run had, in NAMES' order.
WAYS = [w for w in NAMES if any(r["hub"] == w for r in rows)]


def f(v, d=1):
    return "–" if v is None or v < 0 else f"{v:,.{d}f}"


def results(scenario, way):
    out = []
    for r in rows:
        if r["scenario"][0] == scenario and r["hub"] == way and r["result"]:
            x = dict(r["result"])
            x["heapPerConnection"] = r.get("heapPerConnection")
            out.append(x)
    return out


def total(x):
    """Memory per idle connection: native (RSS, the heap being pre-touched) plus live heap."""
    if x.get("heapPerConnection") is None or x["heapPerConnection"] < 0:
        return None
    return x["rssPerConnection"] + x["heapPerConnection"]


def med(scenario, way, key):
    xs = [key(x) for x in results(scenario, way)]
    xs = [x for x in xs if x is not None and x >= 0]
    return statistics.median(xs) if xs else None


def ratio(a, b, d=1):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.{d}f}×"


print(f"### Run of {machine[0].split(': ', 1)[1]}")
print()
for m in machine[1:]:
    print(f"- {m}")
print(f"- raw JSON: `bench/target/compare-spring/{os.path.basename(os.path.normpath(out))}/all.jsonl`")
print()

# The summary: one column per way, medians over the repeats.
proc = lambda x: x["processMicrosPerDelivery"]
lines = [
    ("(a) 1,000 subs, as fast as acknowledged: deliveries/s", "a", lambda x: x["deliveriesPerSecond"], 0),
    ("(a) server CPU per delivery, µs (process utime+stime)", "a", proc, 2),
    ("(a) CPU 0 busy per delivery, µs", "a", lambda x: x["cpuMicrosPerDelivery"], 2),
    ("(a) latency p50 / p99, ms", "a", None, 0),
    ("(b) wide, 10 events/s: rate kept, events/s", "b", lambda x: x["publishRate"], 1),
    ("(b) server CPU per delivery, µs", "b", proc, 2),
    ("(b) latency p50 / p99, ms", "b", None, 0),
    ("(c) idle: memory added per connection, B (native RSS + live heap)", "c", None, 0),
    ("(f) reconnect with Last-Event-ID at 5 s: lost / duplicated", "f", None, 0),
]
print("| | " + " | ".join(NAMES[w] for w in WAYS) + " |")
print("|---|" + "---|" * len(WAYS))
for title, s, key, d in lines:
    cells = []
    for w in WAYS:
        rs = results(s, w)
        if not rs:
            cells.append("–")
        elif s == "c":
            cells.append(f"**{f(med(s, w, total), 0)}** ({f(med(s, w, lambda x: x['rssPerConnection']), 0)} + "
                         f"{f(med(s, w, lambda x: x['heapPerConnection']), 0)})")
        elif "latency" in title:
            cells.append(f"{f(med(s, w, lambda x: x['latencyMs']['p50']))} / {f(med(s, w, lambda x: x['latencyMs']['p99']))}")
        elif s == "f":
            cells.append(" ; ".join(f"{x['lost']:,} / {x['duplicated']:,}" for x in rs))
        else:
            cells.append(f(med(s, w, key), d))
    print(f"| {title} | " + " | ".join(cells) + " |")
print()
sub = ", ".join(f"{NAMES[w]} {r['subscribers'] if 'subscribers' in r else r.get('connections')}"
                for w in WAYS for r in results("b", w)[:1])
print(f"Subscribers in (b): {sub or '–'}. Lost / duplicated in (a) and (b): " + "; ".join(
    f"{NAMES[w]} {sum(x['lost'] for x in results('a', w) + results('b', w)):,} / "
    f"{sum(x['duplicated'] for x in results('a', w) + results('b', w)):,}" for w in WAYS) + ".")
print()
e_cpu, e_mem = med("a", "emitter", proc), med("c", "emitter", total)
others = [w for w in WAYS if w != "emitter"]
print(f"Ratios to `SseEmitter` (medians): deliveries per core (1 / CPU per delivery, scenario a): "
      + ", ".join(f"{NAMES[w]} {ratio(e_cpu, med('a', w, proc))}" for w in others)
      + "; memory per idle connection: "
      + ", ".join(f"{NAMES[w]} {ratio(med('c', w, total), e_mem, 2)}" for w in others) + " of the emitter's.")
print()
print("Every run, in order:")
print()
print("| run | app | load avg | CPU 0 busy before | subs | events/s | deliveries/s | µs/delivery process / CPU 0 | p50 / p99 ms | expected / received / lost / dup | idle B/conn | catch-up ms | ok |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    x = r["result"]
    if not x:
        print(f"| {r['scenario']} | {r['hub']} | {r['loadavg']} | {r['cpuBusyBefore']}% | no result (timed out or failed: see its log) | | | | | | | | no |")
        continue
    if x.get("mode") == "idle":
        print(f"| {r['scenario']} | {r['hub']} | {r['loadavg']} | {r['cpuBusyBefore']}% | {x['connections']:,} | | | | | closed {x['closed']} | "
              f"{f(x['rssPerConnection'], 0)} RSS + {f(r.get('heapPerConnection', -1), 0)} heap | | {'yes' if x['ok'] else 'NO'} |")
        continue
    l = x["latencyMs"]
    print(f"| {r['scenario']} | {r['hub']} | {r['loadavg']} | {r['cpuBusyBefore']}% | {x['subscribers']:,} | {f(x['publishRate'])} | "
          f"{f(x['deliveriesPerSecond'], 0)} | {f(x['processMicrosPerDelivery'], 2)} / {f(x['cpuMicrosPerDelivery'], 2)} | "
          f"{f(l['p50'])} / {f(l['p99'])} | {x['deliveriesExpected']:,} / {x['deliveriesReceived']:,} / {x['lost']:,} / {x['duplicated']:,} | | "
          f"{f(x.get('reconnectCatchUpMs'))} | {'yes' if x['ok'] else 'NO'} |")
