#!/usr/bin/env python3
"""Markdown report of one bench/scripts/cluster-bench.sh run: python3 cluster-report.py <run dir>."""
import json
import os
import re
import sys

out = sys.argv[1]


def read(name):
    path = os.path.join(out, name)
    return open(path).read() if os.path.exists(path) else ""


def bench_json(label):
    lines = [l for l in read(label + ".json").splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else None


cpu = {}
for line in read("cpu.jsonl").splitlines():
    r = json.loads(line)
    cpu[r["label"]] = {n: (a - b) / 100.0 for n, b, a in zip(r["names"], r["before"], r["after"])}


def cpu_us_per(label, name, events):
    """CPU microseconds process `name` spent per event during run `label`."""
    c = cpu.get(label, {})
    if not events or name not in c:
        return "–"
    return "%.1f" % (c[name] * 1e6 / events)


def nodes_us_per(label, events):
    c = cpu.get(label, {})
    nodes = [v for n, v in c.items() if n.startswith("node")]
    return "%.1f" % (sum(nodes) * 1e6 / events) if nodes and events else "–"


fsyncs = [f for f in ("everysec", "always") if bench_json("latency-" + f) or read("api-%s.log" % f)]
print("machine and software (from machine.txt):\n")
for line in read("machine.txt").splitlines():
    print("- " + line)
print("- raw output: `%s`" % os.path.relpath(out, os.getcwd()))
print()

# ---------------------------------------------------------------- latency
print("**Publish-to-receive latency**, 1 publisher node, subscribers spread evenly over the nodes:\n")
print("| setup | events/s kept | deliveries expected / received / lost / dup | all p50 / p99 / p99.9 / max ms"
      " | same node p50 / p99 | cross-node p50 / p99 | first subscriber per event, same node / cross-node, p50 / p99"
      " | Redis CPU µs per event | nodes' CPU µs per event | ok |")
print("|---|---|---|---|---|---|---|---|---|---|")
for setup in fsyncs + ["memory"]:
    j = bench_json("latency-" + setup)
    if not j:
        continue
    lat = j["latencyMs"]
    by = {t["target"]: t for t in j.get("byTarget", [])}
    same = by.get("same-node", {}).get("latencyMs")
    cross = by.get("cross-node", {}).get("latencyMs")
    same_first = by.get("same-node", {}).get("firstMs")
    cross_first = by.get("cross-node", {}).get("firstMs")
    name = ("3 nodes, Redis appendfsync " + setup) if setup != "memory" else "1 hub, in-memory store (baseline)"
    fmt = lambda l: "%.1f / %.1f" % (l["p50"], l["p99"]) if l else "–"
    print("| %s | %.1f | %s / %s / %d / %d | %.1f / **%.1f** / %.1f / %.1f | %s | %s | %s / %s | %s | %s | %s |" % (
        name, j["publishRate"], f"{j['deliveriesExpected']:,}", f"{j['deliveriesReceived']:,}", j["lost"], j["duplicated"],
        lat["p50"], lat["p99"], lat["p999"], lat["max"], fmt(same), fmt(cross), fmt(same_first), fmt(cross_first),
        cpu_us_per("latency-" + setup, "redis", j["eventsPublished"]),
        nodes_us_per("latency-" + setup, j["eventsPublished"]), "yes" if j["ok"] else "**no**"))
print()

# ---------------------------------------------------------------- publish rate
SUMMARY = re.compile(r"SUMMARY \S+ mode=(\w+) inFlight=(\d+) appends/s=(\d+) min=(\d+) max=(\d+) p50=([\d.]+) p90=([\d.]+)"
                     r" p99=([\d.]+) max=([\d.]+) ms rounds=(\d+) failed=(\d+)")
RB = re.compile(r"RESULT rb-(\w+) pipeline=(\d+) .*?([\d.]+) requests per second, p50=([\d.]+) msec")
rows = {}  # (path, in flight) -> {fsync: (rate, p50, p99, note)}
for f in fsyncs:
    for m in SUMMARY.finditer(read("api-%s.log" % f)):
        path = "RedisEventLog.append (acked after read-back)" if m.group(1) == "log" else "raw XADD, Lettuce (acked at Redis's reply)"
        note = " [%s–%s]" % (f"{int(m.group(4)):,}", f"{int(m.group(5)):,}")
        if m.group(11) != "0":
            note += " (%s failed)" % m.group(11)
        rows.setdefault((path, int(m.group(2))), {})[f] = (float(m.group(3)), float(m.group(6)), float(m.group(8)), note)
    for p in (1, 256):
        m = RB.search(read("rb-%d-%s.log" % (p, f)))
        if m:
            rows.setdefault(("raw XADD, redis-benchmark (C, pipelined)", p), {})[f] = (float(m.group(3)), float(m.group(4)), None, "")
    for name in sorted(os.listdir(out)):
        m = re.match(r"http-(\d+)-%s\.json$" % f, name)
        j = bench_json(name[:-5]) if m else None
        if j:
            n = int(m.group(1))
            note = "" if j["ok"] else " (**not ok**: lost %d)" % j["lost"]
            note += "; Redis %s µs, nodes %s µs CPU per publish" % (
                cpu_us_per(name[:-5], "redis", j["eventsPublished"]), nodes_us_per(name[:-5], j["eventsPublished"]))
            rows.setdefault(("HTTP publish to node 1 (3 nodes, 1 subscriber each)", n), {})[f] = (j["publishRate"], None, None, note)
j = bench_json("http-16-memory")
if j:
    rows[("HTTP publish, 1 hub in-memory store (baseline, no Redis)", 16)] = {
        "everysec": (j["publishRate"], None, None, "; hub %s µs CPU per publish" % nodes_us_per("http-16-memory", j["eventsPublished"]))}

print("**Publish rate**, 100-byte events: the median of the rounds [lowest–highest] where there were rounds, and the"
      " acknowledgement latency p50 / p99 in ms where measured:\n")
print("| path | in flight | appendfsync everysec | appendfsync always | always / everysec |")
print("|---|---|---|---|---|")
order = ["RedisEventLog.append (acked after read-back)", "raw XADD, Lettuce (acked at Redis's reply)",
         "raw XADD, redis-benchmark (C, pipelined)", "HTTP publish to node 1 (3 nodes, 1 subscriber each)",
         "HTTP publish, 1 hub in-memory store (baseline, no Redis)"]


def cell(v):
    if not v:
        return "–"
    rate, p50, p99, note = v
    s = "**%s/s**" % f"{rate:,.0f}"
    if p50 is not None:
        s += " (%.2f" % p50 + (" / %.1f" % p99 if p99 is not None else "") + " ms)"
    return s + note


for path in order:
    for (p, k) in sorted(k for k in rows if k[0] == path):
        v = rows[(p, k)]
        e, a = v.get("everysec"), v.get("always")
        ratio = "%.2f×" % (a[0] / e[0]) if e and a and e[0] else "–"
        if path.startswith("HTTP publish, 1 hub"):
            print("| %s | %d | %s (no Redis) | – | – |" % (p, k, cell(e)))
        else:
            print("| %s | %d | %s | %s | %s |" % (p, k, cell(e), cell(a), ratio))
print()
