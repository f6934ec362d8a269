#!/usr/bin/env python3
"""A fake live HLS source for load benchmarks: STREAMS streams x RENDITIONS renditions, replaying
pre-encoded segments in real time.

SEGDIR holds v0/, v1/, ... each with seg_K.ts files (from one ffmpeg run, see origin-cpu.sh).
Serves /s{i}/master.m3u8 and /s{i}/v{r}/index.m3u8 (a 6-segment live window that advances every
DURATION seconds by the wall clock, stream i offset by i * DURATION / STREAMS so polls spread out)
and /s{i}/v{r}/seg_{k}.ts (the bytes of file k mod N). Segment names never repeat.

Usage: fakelive.py SEGDIR PORT STREAMS DURATION
"""
import http.server
import os
import re
import sys
import time

SEGDIR, PORT, STREAMS, DURATION = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
WINDOW = 6
START = time.monotonic()
RENDITIONS = sorted(d for d in os.listdir(SEGDIR) if re.fullmatch(r"v\d+", d))
FILES = {}
for r in RENDITIONS:
    names = sorted(
        (f for f in os.listdir(os.path.join(SEGDIR, r)) if f.endswith(".ts")),
        key=lambda f: int(re.search(r"(\d+)", f).group(1)))
    FILES[r] = [open(os.path.join(SEGDIR, r, f), "rb").read() for f in names]

MEDIA = re.compile(r"^/s(\d+)/(v\d+)/index\.m3u8$")
SEGMENT = re.compile(r"^/s(\d+)/(v\d+)/seg_(\d+)\.ts$")
MASTER = re.compile(r"^/s(\d+)/master\.m3u8$")


def produced(stream):
    elapsed = time.monotonic() - START + stream * DURATION / STREAMS
    return int(elapsed / DURATION)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        m = MASTER.match(self.path)
        if m and int(m.group(1)) < STREAMS:
            lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
            for i, r in enumerate(RENDITIONS):
                lines += [f"#EXT-X-STREAM-INF:BANDWIDTH={(3 - i) * 400000}", f"{r}/index.m3u8"]
            return self.send(200, ("\n".join(lines) + "\n").encode(), "application/vnd.apple.mpegurl")
        m = MEDIA.match(self.path)
        if m and int(m.group(1)) < STREAMS and m.group(2) in FILES:
            n = produced(int(m.group(1)))
            first = max(0, n - WINDOW)
            lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{int(DURATION + 0.999)}",
                     f"#EXT-X-MEDIA-SEQUENCE:{first}"]
            for k in range(first, n):
                lines += [f"#EXTINF:{DURATION:.3f},", f"seg_{k}.ts"]
            return self.send(200, ("\n".join(lines) + "\n").encode(), "application/vnd.apple.mpegurl")
        m = SEGMENT.match(self.path)
        if m and int(m.group(1)) < STREAMS and m.group(2) in FILES:
            k = int(m.group(3))
            if k < produced(int(m.group(1))):
                files = FILES[m.group(2)]
                return self.send(200, files[k % len(files)], "video/mp2t")
        self.send(404, b"not found\n", "text/plain")


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
