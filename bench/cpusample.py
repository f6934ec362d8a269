#!/usr/bin/env python3
"""Prints once a second, until the first PID exits or SECONDS pass: the elapsed seconds, the CPU of
each PID (utime+stime from /proc/PID/stat, percent of one core) and the whole machine's busy
percent (/proc/stat, all cores).

Usage: cpusample.py SECONDS PID [PID...]
"""
import os
import sys
import time

limit, pids = float(sys.argv[1]), sys.argv[2:]
clk = os.sysconf("SC_CLK_TCK")


def ticks(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])
    except OSError:
        return None


def machine():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, idle


start = last = time.monotonic()
prev = [ticks(p) for p in pids]
mprev = machine()
while time.monotonic() - start < limit:
    time.sleep(1)
    now = time.monotonic()
    cur = [ticks(p) for p in pids]
    m = machine()
    if cur[0] is None:
        break
    cols = [f"{now - start:.0f}"]
    for a, b in zip(prev, cur):
        cols.append("-" if a is None or b is None else f"{(b - a) * 100 / clk / (now - last):.0f}")
    busy, idle = m[0] - mprev[0], m[1] - mprev[1]
    cols.append(f"{100 * busy / max(1, busy + idle):.0f}")
    print(" ".join(cols), flush=True)
    prev, mprev, last = cur, m, now
