#!/usr/bin/env python3
"""Cache warming and filling for bench/edge-vs-peers.sh.

  fetch.py warm BASE_URL ROOT_DIR PATHS_FILE CACHE_HEADER
      GETs every path of PATHS_FILE twice. The first answer must be 200 with exactly the bytes of
      ROOT_DIR/PATH; the second answer's CACHE_HEADER (HIT expected) is counted.
      Prints JSON: paths, ok, mismatched (paths), second (header value -> count). Exit 1 on a
      non-200 or a mismatched segment (playlists are only reported: a cache may refresh them).

  fetch.py fill BASE_URL PREFIX COUNT SIZE
      GETs PREFIX{i}.ts for i < COUNT, 8 at a time, each checked against slow_upstream.body().
      Prints JSON: objects, bytes, ok, seconds.
"""
import concurrent.futures
import http.client
import json
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from slow_upstream import body  # noqa: E402


def get(base, path):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def warm(base, root, paths_file, header):
    paths = [p for p in Path(paths_file).read_text().split() if p]
    ok, mismatched, second, failed = 0, [], Counter(), False
    for path in paths:
        status, _, data = get(base, path)
        if status != 200:
            mismatched.append(f"{path} ({status})")
            failed = True
            continue
        if data != (Path(root) / path.lstrip("/")).read_bytes():
            mismatched.append(path)
            failed |= not path.endswith(".m3u8")
            continue
        ok += 1
        second[get(base, path)[1].get(header.lower(), "-")] += 1
    print(json.dumps({"paths": len(paths), "ok": ok, "mismatched": mismatched, "second": dict(second)}))
    return 1 if failed else 0


def fill(base, prefix, count, size):
    started = time.monotonic()

    def one(i):
        path = f"{prefix}{i}.ts"
        status, _, data = get(base, path)
        return status == 200 and data == body(path, size)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        good = sum(pool.map(one, range(count)))
    print(json.dumps({"objects": count, "bytes": count * size, "ok": good,
                      "seconds": round(time.monotonic() - started, 1)}))
    return 0 if good == count else 1


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "warm":
        sys.exit(warm(*args))
    sys.exit(fill(args[0], args[1], int(args[2]), int(args[3])))
