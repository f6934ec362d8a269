#!/usr/bin/env python3
"""Parsing and tables for bench/edge-vs-peers.sh. Results are JSON lines, one per measurement.

  report.py wrk TEST PEER            wrk --latency output on stdin -> one JSON line
  report.py gc GC_LOG FROM_LINE TO_LINE
                                     pauses of a -Xlog:gc log between two line numbers (System.gc()
                                     pauses excluded) -> one JSON line
  report.py metrics URL PID          heap used, direct buffers used, edge cache bytes (if exposed)
                                     from a Prometheus /metrics page, and RSS of PID -> JSON line
  report.py tables RESULTS_JSONL     markdown tables of everything measured
"""
import json
import re
import sys
import urllib.request
from collections import defaultdict

PEERS = ["nginx", "varnish", "edge"]
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
SIZES = {"B": 1 / 1048576, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1048576.0}


def wrk(test, peer):
    out = sys.stdin.read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    tps = re.search(r"Transfer/sec:\s+([\d.]+)([KMGT]?B)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    print(json.dumps({
        "test": test, "peer": peer,
        "rps": float(rps.group(1)) if rps else 0.0,
        "mib_s": round(float(tps.group(1)) * SIZES[tps.group(2)], 1) if tps else 0.0,
        "p99_ms": round(float(p99.group(1)) * UNITS[p99.group(2)], 2) if p99 else None,
        "requests": int(total.group(1)) if total else 0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }))


def gc(path, start, end):
    pauses = []
    with open(path) as f:
        lines = f.readlines()[int(start):int(end)]
    for line in lines:
        m = re.search(r"\bPause (.*) ([\d.]+)ms$", line.strip())
        if m and "System.gc()" not in m.group(1) and "Diagnostic Command" not in m.group(1):
            pauses.append(float(m.group(2)))
    pauses.sort()

    def pct(p):
        return round(pauses[min(len(pauses) - 1, max(0, int(round(p / 100 * len(pauses))) - 1))], 2)

    print(json.dumps({"test": "gc", "peer": "edge", "pauses": len(pauses),
                      "p50_ms": pct(50) if pauses else 0, "p99_ms": pct(99) if pauses else 0,
                      "max_ms": pauses[-1] if pauses else 0, "total_ms": round(sum(pauses), 1)}))


def metrics(url, pid):
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    heap = direct = 0.0
    cache = None
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith("jvm_memory_used_bytes{") and 'area="heap"' in name:
            heap += float(value)
        elif name.startswith("jvm_buffer_memory_used_bytes{") and 'id="direct"' in name:
            direct += float(value)
        elif re.match(r"relay_edge_cache_bytes(\{|$)", name):
            cache = (cache or 0.0) + float(value)
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    print(json.dumps({"heap": heap, "direct": direct, "cache_bytes": cache, "rss": rss}))


def tables(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = {}  # (test, peer) -> the round with the most requests/s
    for r in rows:
        if r["test"] in ("segments", "playlist", "small"):
            best = by.get((r["test"], r["peer"]))
            if best is None or r["rps"] > best["rps"]:
                by[(r["test"], r["peer"])] = r
    peers = [p for p in PEERS if any(k[1] == p for k in by)]
    out = []
    out.append("| peer | segments req/s | segments MiB/s | segments p99 | playlist req/s | "
               "small segment req/s | non-2xx / socket errors |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in peers:
        s, pl, sm = by.get(("segments", p), {}), by.get(("playlist", p), {}), by.get(("small", p), {})
        errs = sum(r.get("non2xx", 0) for r in (s, pl, sm)), sum(r.get("socket_errors", 0) for r in (s, pl, sm))
        out.append(f"| {p} | {s.get('rps', 0):,.0f} | {s.get('mib_s', 0):,.1f} | {s.get('p99_ms')} ms | "
                   f"{pl.get('rps', 0):,.0f} | {sm.get('rps', 0):,.0f} | {errs[0]} / {errs[1]} |")
    if "edge" in peers:
        for other in ("nginx", "varnish"):
            if other not in peers:
                continue

            def ratio(test, key):
                a, b = by.get((test, "edge"), {}).get(key, 0), by.get((test, other), {}).get(key, 0)
                return f"{a / b:.2f}x" if b else "-"
            out.append(f"| **edge / {other}** | {ratio('segments', 'rps')} | {ratio('segments', 'mib_s')} | | "
                       f"{ratio('playlist', 'rps')} | {ratio('small', 'rps')} | |")
    out.append("")
    bursts = [r for r in rows if r["test"] == "burst"]
    if bursts:
        out.append("| peer | run | upstream GETs for the path | 200 + exact body | cache header | "
                   "p50 | p99 | max | same burst, cached: p50 / p99 |")
        out.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
        runs = defaultdict(int)
        for r in bursts:
            runs[r["peer"]] += 1
            cache = ", ".join(f"{k} {v}" for k, v in sorted(r["cache"].items()))
            out.append(f"| {r['peer']} | {runs[r['peer']]} | {r['upstream_gets']} | {r['ok']}/{r['n']} | {cache} | "
                       f"{r['p50_ms']} ms | {r['p99_ms']} ms | {r['max_ms']} ms | "
                       f"{r['cached_p50_ms']} / {r['cached_p99_ms']} ms |")
        out.append("")
    gcs = [r for r in rows if r["test"] == "gc"]
    mem = [r for r in rows if r["test"] == "memory"]
    if gcs or mem:
        out.append("| edge figure | value |")
        out.append("| --- | ---: |")
        for g in gcs:
            out.append(f"| GC pauses during the wrk runs | {g['pauses']} (total {g['total_ms']} ms) |")
            out.append(f"| GC pause p50 / p99 / max | {g['p50_ms']} / {g['p99_ms']} / {g['max_ms']} ms |")
        for m in mem:
            mib = 1048576
            out.append(f"| bytes cached by the fill (N) | {m['n'] / mib:.1f} MiB "
                       f"({m['objects']} objects; cache metric delta {m['cache_delta_mib']}) |")
            out.append(f"| heap used delta (after GC) | {m['heap_delta'] / mib:.1f} MiB |")
            out.append(f"| direct buffers delta | {m['direct_delta'] / mib:.1f} MiB |")
            out.append(f"| **(heap + direct) delta / N** | **{m['ratio']:.3f}** (limit 1.1) |")
            out.append(f"| RSS delta / N | {m['rss_delta'] / m['n']:.3f} |")
    print("\n".join(out))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "wrk":
        wrk(sys.argv[2], sys.argv[3])
    elif cmd == "gc":
        gc(*sys.argv[2:5])
    elif cmd == "metrics":
        metrics(sys.argv[2], sys.argv[3])
    else:
        tables(sys.argv[2])
