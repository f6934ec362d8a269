#!/usr/bin/env python3
"""Synthetic upstream for bench/edge-vs-peers.sh, behind the static nginx origin.

  GET /live/{stream}/slow/{name}.ts   waits DELAY seconds, then answers SLOW_SIZE deterministic bytes
  GET /live/{stream}/fill/{name}.ts   answers FILL_SIZE deterministic bytes at once (to fill caches)
  GET /_counts                        JSON {path: number of GETs received}

Bodies depend only on the path (body(path, size) below), so a client can check every byte.
Segments carry `Cache-Control: max-age=3600`.

Usage: slow_upstream.py PORT [--delay 0.4] [--slow-size 32768] [--fill-size 262144]
"""
import argparse
import hashlib
import http.server
import json
import threading
import time
from collections import Counter


def body(path: str, size: int) -> bytes:
    """size bytes derived from path: a 32-byte SHA-256 block repeated."""
    block = hashlib.sha256(path.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--delay", type=float, default=0.4)
    parser.add_argument("--slow-size", type=int, default=32 * 1024)
    parser.add_argument("--fill-size", type=int, default=256 * 1024)
    args = parser.parse_args()
    counts: Counter = Counter()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_GET(self):  # noqa: N802 (http.server naming)
            path = self.path.split("?", 1)[0]
            if path == "/_counts":
                with lock:
                    data = json.dumps(dict(counts)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            parts = path.split("/")
            kind = parts[3] if len(parts) == 5 and parts[1] == "live" else ""
            if kind not in ("slow", "fill") or not path.endswith(".ts"):
                self.send_error(404)
                return
            with lock:
                counts[path] += 1
            if kind == "slow":
                time.sleep(args.delay)
            data = body(path, args.slow_size if kind == "slow" else args.fill_size)
            self.send_response(200)
            self.send_header("Content-Type", "video/mp2t")
            self.send_header("Cache-Control", "max-age=3600")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024  # 300 peers' connections may arrive at once

    Server(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
