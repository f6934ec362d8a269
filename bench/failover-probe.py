#!/usr/bin/env python3
"""Used by bench/router-failover.sh. Asks the router for one viewer every 20 ms, sends SIGNAL to PID
(an edge), keeps asking for 10 s, and prints two numbers: ms from the signal to the last request
that was still redirected to EDGE (0 if none was), and ms to the first that was not.

Usage: failover-probe.py ROUTER_PORT VIEWER_IP EDGE_ID PID SIGNAL(KILL|STOP)
"""
import http.client
import os
import signal
import sys
import time

port, viewer, edge, pid, sig = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def ask():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        c.request("GET", "/live/room1/index.m3u8", headers={"X-Forwarded-For": viewer})
        r = c.getresponse()
        r.read()
        return r.getheader("X-Relay-Edge", "")
    finally:
        c.close()


if ask() != edge:
    sys.exit(f"viewer {viewer} is not sent to {edge} before the failure")
failed_at = time.monotonic()
os.kill(pid, getattr(signal, "SIG" + sig))
last_to_edge, first_elsewhere = failed_at, None
while time.monotonic() < failed_at + 10:
    sent = time.monotonic()
    if ask() == edge:
        last_to_edge = sent
    elif first_elsewhere is None:
        first_elsewhere = sent
    time.sleep(0.02)
print(round((last_to_edge - failed_at) * 1000), round(((first_elsewhere or sent) - failed_at) * 1000))
