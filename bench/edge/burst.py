#!/usr/bin/env python3
"""Fires N concurrent GETs for one path at once and times each full response.

Opens N HTTP/1.1 connections first, then writes all N requests back to back, so the requests reach
the server within a few milliseconds of each other. Latency is from a request's write to the last
byte of its body. Every body is checked against slow_upstream.body(path, size).

Usage: burst.py HOST:PORT PATH N SIZE CACHE_HEADER
Prints one JSON line: n, ok (200 and exact body), statuses, cache (values of CACHE_HEADER),
p50_ms, p99_ms, max_ms, min_ms, spread_ms (time between the first and the last request written).
"""
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from slow_upstream import body  # noqa: E402


async def one(reader, writer, request, sent, header):
    await sent.wait()
    started = sent.at
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        data = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        data = b"".join(c[:-2] for c in chunks)
    else:
        data = await reader.read()
    done = time.perf_counter()
    writer.close()
    return status, headers.get(header.lower(), "-"), data, (done - started) * 1000


class Start(asyncio.Event):
    at = 0.0


async def main():
    hostport, path, n, size, header = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    host, port = hostport.rsplit(":", 1)
    conns = []
    for _ in range(n):
        conns.append(await asyncio.open_connection(host, int(port), limit=1 << 20))
    request = f"GET {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n".encode()
    events = [Start() for _ in conns]
    tasks = [asyncio.create_task(one(r, w, request, e, header)) for (r, w), e in zip(conns, events)]
    await asyncio.sleep(0.05)
    first = time.perf_counter()
    for (_, w), e in zip(conns, events):
        w.write(request)
        e.at = time.perf_counter()
        e.set()
    spread = (time.perf_counter() - first) * 1000
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    expected = body(path, size)
    lat = sorted(r[3] for r in results)

    def pct(p):
        return round(lat[min(len(lat) - 1, max(0, int(round(p / 100 * len(lat))) - 1))], 1)

    print(json.dumps({
        "path": path, "n": n,
        "ok": sum(1 for s, _, d, _ in results if s == 200 and d == expected),
        "statuses": dict(Counter(r[0] for r in results)),
        "cache": dict(Counter(r[1] for r in results)),
        "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": round(lat[-1], 1), "min_ms": round(lat[0], 1),
        "spread_ms": round(spread, 1),
    }))


if __name__ == "__main__":
    asyncio.run(main())
