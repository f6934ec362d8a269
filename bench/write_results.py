#!/usr/bin/env python3
"""Replaces the section between <!-- NAME:begin --> and <!-- NAME:end --> in docs/benchmarks.md
with stdin (creating the file and the section if needed)."""
import pathlib
import sys

name, path = sys.argv[1], pathlib.Path(sys.argv[2])
body = sys.stdin.read().rstrip() + "\n"
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
text = path.read_text() if path.exists() else (
    "# Benchmarks\n\nMeasured with the scripts in `bench/`; each section is rewritten by its script"
    " (exact command, machine, date). The machines are shared and noisy: compare figures measured"
    " in one run, not across runs.\n\n")
block = f"{begin}\n{body}{end}\n"
if begin in text and end in text:
    text = text[: text.index(begin)] + block + text[text.index(end) + len(end) + 1 :]
else:
    text = text.rstrip() + "\n\n" + block
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(text)
