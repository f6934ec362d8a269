#!/usr/bin/env python3
"""Ingest lag meter: time from a segment appearing in the transcoder's playlist to the origin
serving a playlist that names it.

Each target is SOURCE_PLAYLIST_FILE=ORIGIN_PLAYLIST_URL with a label. The source file is polled
every 5 ms (a tight loop: no inotify here), the origin every 20 ms, both in this process on one
monotonic clock. The origin republishes segments as {epoch}-{msn}-{source file name}; the source
file name links the two sides.

Usage: lagmeter.py --segments N --timeout S LABEL=FILE=URL [LABEL=FILE=URL ...]
Prints one JSON object per target: label, samples, p50/p90/p99/max in ms.
"""
import argparse
import json
import re
import sys
import threading
import time
import urllib.request

PUBLISHED = re.compile(r"^(?:.*/)?[a-z0-9]+-\d+-(.+)$")


def names(text):
    return [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class Target:
    def __init__(self, label, source_file, origin_url):
        self.label = label
        self.source_file = source_file
        self.origin_url = origin_url
        self.appeared = {}
        self.published = {}
        self.baseline = None
        self.lock = threading.Lock()

    def watch_source(self, stop):
        last = None
        while not stop.is_set():
            try:
                with open(self.source_file, "r") as f:
                    text = f.read()
            except OSError:
                text = None
            now = time.monotonic()
            if text and text != last:
                last = text
                with self.lock:
                    current = names(text)
                    if self.baseline is None:
                        # Segments already listed at start have no known appearance time.
                        self.baseline = set(current)
                    for n in current:
                        if n not in self.baseline and n not in self.appeared:
                            self.appeared[n] = now
            time.sleep(0.005)

    def watch_origin(self, stop):
        while not stop.is_set():
            try:
                with urllib.request.urlopen(self.origin_url, timeout=5) as r:
                    text = r.read().decode("utf-8", "replace")
                now = time.monotonic()
                with self.lock:
                    for n in names(text):
                        m = PUBLISHED.match(n)
                        if m and m.group(1) not in self.published:
                            self.published[m.group(1)] = now
            except Exception:
                pass
            time.sleep(0.02)

    def lags(self):
        with self.lock:
            return [
                (self.published[n] - t) * 1000.0
                for n, t in self.appeared.items()
                if n in self.published
            ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, default=60)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("targets", nargs="+")
    a = ap.parse_args()
    targets = []
    for spec in a.targets:
        label, source, url = spec.split("=", 2)
        targets.append(Target(label, source, url))
    stop = threading.Event()
    threads = []
    for t in targets:
        for fn in (t.watch_source, t.watch_origin):
            th = threading.Thread(target=fn, args=(stop,), daemon=True)
            th.start()
            threads.append(th)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if all(len(t.lags()) >= a.segments for t in targets):
            break
        time.sleep(0.5)
    time.sleep(0.3)
    stop.set()
    for th in threads:
        th.join(timeout=6)
    for t in targets:
        lags = t.lags()
        print(json.dumps({
            "label": t.label,
            "samples": len(lags),
            "p50_ms": round(percentile(lags, 50), 1) if lags else None,
            "p90_ms": round(percentile(lags, 90), 1) if lags else None,
            "p99_ms": round(percentile(lags, 99), 1) if lags else None,
            "max_ms": round(max(lags), 1) if lags else None,
            "unpublished": len([n for n in t.appeared if n not in t.published]),
        }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
