#!/usr/bin/env python3
"""Rewrites the head of the "Load tester: 10,000 viewers, cost against wrk" section of
docs/benchmarks.md (between <!-- loadtest-summary:begin/end -->): the heading and a 4-line table of
the figures found in the `<!-- figures: {...} -->` lines that bench/loadtest-10k.sh and
bench/loadtest-vs-wrk.sh leave in their own sections. The head is kept in front of both sections.

Usage: loadtest-summary.py docs/benchmarks.md
"""
import json
import pathlib
import re
import sys

path = pathlib.Path(sys.argv[1])
text = path.read_text()


def section(name):
    m = re.search(r"<!-- %s:begin -->\n(.*?)<!-- %s:end -->\n" % (name, name), text, re.S)
    return m


def figures(name):
    m = section(name)
    f = m and re.search(r"<!-- figures: (\{.*?\}) -->", m.group(1))
    return json.loads(f.group(1)) if f else None


big, wrk = figures("loadtest-10k"), figures("loadtest-vs-wrk")
rows = []
if big:
    rows.append(f"| concurrent virtual viewers from one process (2 cores, loopback edge) | **{big['viewers']:,}** |")
    rows.append(f"| heap per viewer (target < 20 KB) | **{big['heap_kb']:.1f} KB** |")
    rows.append(f"| stalls at 10k viewers (rebuffer ratio; load tester CPU in the hold) | {big['stalls']:,} ({big['rebuffer']:.4f}; {big['cpu']} % of one core) |")
else:
    rows.append("| 10k viewers | not measured yet: `bench/loadtest-10k.sh` |")
if wrk:
    rows.append(f"| CPU per segment download, load tester / wrk (target <= 2x) | **{wrk['per_segment']:.2f}x** ({wrk['per_request']:.2f}x per request) |")
else:
    rows.append("| CPU per segment against wrk | not measured yet: `bench/loadtest-vs-wrk.sh` |")

body = (
    "## Load tester: 10,000 viewers, cost against wrk\n\n"
    "| load tester | measured |\n| --- | ---: |\n" + "\n".join(rows) + "\n\n"
    "Details, commands and caveats in the two subsections below (each rewritten by its script).\n"
)
block = f"<!-- loadtest-summary:begin -->\n{body}<!-- loadtest-summary:end -->\n"
old = section("loadtest-summary")
if old:
    text = text[: old.start()] + text[old.end():]
firsts = [m.start() for m in (section("loadtest-10k"), section("loadtest-vs-wrk")) if m]
at = min(firsts) if firsts else len(text)
text = text[:at] + block + ("\n" if firsts else "") + text[at:]
path.write_text(text)
