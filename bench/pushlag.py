#!/usr/bin/env python3
"""Push ingest lag, measured at the transcoder: acts as an HLS transcoder pushing by HTTP PUT
(keep-alive, as ffmpeg -method PUT -http_persistent 1 does), replaying real ffmpeg segments.

For each segment it records the time from the start of the segment's PUT (the moment the segment
exists at the transcoder and leaves it) to the first GET of the origin's published playlist that
names it. The origin is polled on its own keep-alive connection as fast as it answers, so the
resolution is one loopback round trip (well under 1 ms).

Usage: pushlag.py ORIGIN_PORT STREAM TOKEN SEGMENT_DIR COUNT INTERVAL_S
Prints one JSON line: samples, p50_ms, p90_ms, p99_ms, max_ms.
"""
import http.client
import json
import pathlib
import sys
import time

port, stream, token, seg_dir, count, interval = (
    int(sys.argv[1]), sys.argv[2], sys.argv[3], pathlib.Path(sys.argv[4]), int(sys.argv[5]),
    float(sys.argv[6]))
segments = sorted(seg_dir.glob("*.ts"))
if not segments:
    sys.exit(f"no .ts files in {seg_dir}")
auth = {"Authorization": f"Bearer {token}"}
push = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
watch = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
WINDOW = 5
lags = []
names = []
for n in range(count):
    body = segments[n % len(segments)].read_bytes()
    name = f"seg_{n}.ts"
    started = time.perf_counter()
    push.request("PUT", f"/ingest/{stream}/{name}", body=body, headers=auth)
    r = push.getresponse(); r.read()
    assert r.status == 201, (r.status, name)
    names.append(name)
    window = names[-WINDOW:]
    playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    playlist += f"#EXT-X-MEDIA-SEQUENCE:{len(names) - len(window)}\n"
    playlist += "".join(f"#EXTINF:2.000000,\n{w}\n" for w in window)
    push.request("PUT", f"/ingest/{stream}/index.m3u8", body=playlist.encode(), headers=auth)
    r = push.getresponse(); r.read()
    assert r.status == 201, r.status
    # The origin publishes under its own name: {epoch}-{sequence}-seg_N.ts
    suffix = f"-{name}\n"
    deadline = started + 5
    while True:
        watch.request("GET", f"/live/{stream}/index.m3u8")
        r = watch.getresponse(); text = r.read().decode()
        if r.status == 200 and suffix in text:
            lags.append((time.perf_counter() - started) * 1000)
            break
        if time.perf_counter() > deadline:
            lags.append(float("inf"))
            break
    time.sleep(max(0.0, interval - (time.perf_counter() - started)))

ok = sorted(l for l in lags if l != float("inf"))
def pct(p):
    return round(ok[min(len(ok) - 1, int(p / 100 * len(ok)))], 2)
print(json.dumps({"samples": len(lags), "unpublished": len(lags) - len(ok), "p50_ms": pct(50),
                  "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": round(ok[-1], 2)}))
