#!/usr/bin/env bash
# What a segment download costs the load tester against what a request costs wrk, in one run
# against the same loopback edge and the same segment URLs (bench/loadtest-common.sh: fake live
# source -> relay origin -> relay edge; 2-s segments of the lowest rendition, about 100 KiB each).
#   1. relay loadtest: VIEWERS viewers (players: media playlist refreshes + segments), ramped over
#      20 s; over SECONDS of the hold (after a 30-s settle for the JIT: at 10 s, C2 still took
#      ~10% of the samples) its CPU (/proc/PID/stat utime+stime deltas) and the edge's request counters (relay_edge_requests_total by kind) are read.
#   2. wrk, paced to the load tester's request rate in that window (-t1 -c50, bench/paced-cycle.lua,
#      each connection waiting 50/RATE s between requests), cycling over the segments of the same
#      live window (the 6 newest segment URLs of the same rendition), for SECONDS, its whole CPU
#      taken by /usr/bin/time; requests counted by wrk and checked against the edge's counter.
# Reported: CPU microseconds per segment download and per request of each, and the two ratios.
#
# Usage: bench/loadtest-vs-wrk.sh [SECONDS]   (measured window of each, default 40)
# Environment: VIEWERS (3000), CONNECTIONS (the load tester's --connections per host and event
#   loop; default 0 = one connection per viewer, as real players).
# Needs: java 17, wrk, ffmpeg, python3, curl, /usr/bin/time, and the jar (mvn -q -B package -DskipTests).
# Writes the results into docs/benchmarks.md (section loadtest-vs-wrk).
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/loadtest-common.sh"
require wrk ffmpeg python3 curl
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

WINDOW="${1:-40}"
VIEWERS="${VIEWERS:-3000}"
CONNECTIONS="${CONNECTIONS:-0}"
RAMP=20
SETTLE=30
CONNS=50
read -r -a LT_JVM <<<"${LT_JVM_OPTS:--Xms1g -Xmx1g}"
WORK="$(mktemp -d /tmp/relay-loadtest-vs-wrk.XXXXXX)"
echo "work dir $WORK" >&2

lt_media "$WORK"
KIB=$(lt_kib "$WORK/seg/v2")
lt_network "$WORK"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# edge_counts: segment and playlist (incl. master) requests the edge has answered so far.
edge_counts() {
  curl -s "http://127.0.0.1:$EDGE_ADMIN/metrics" | awk '
    /^relay_edge_requests_total/ && /kind="segment"/ {s += $2}
    /^relay_edge_requests_total/ && /kind="(playlist|manifest)"/ {p += $2}
    END {printf "%d %d\n", s, p}'
}

# --- 1. the load tester -----------------------------------------------------------------------
start loadtest "$WORK/loadtest.log" java "${LT_JVM[@]}" -jar "$JAR" loadtest --url "$URL" \
  --viewers "$VIEWERS" --ramp "${RAMP}s" --duration "$((SETTLE + WINDOW + 5))s" --rendition lowest \
  --connections "$CONNECTIONS" --measure-heap false ${LT_ARGS:-} --out "$WORK/results.json"
LT_PID="${PIDS[-1]}"
wait_log "$WORK/loadtest.log" "viewers $VIEWERS/$VIEWERS" $((RAMP + 60))
sleep "$SETTLE"
read -r S0 P0 < <(edge_counts); L0=$(ticks "$LT_PID"); E0=$(ticks "$EDGE_PID"); W0=$(date +%s.%N)
sleep "$WINDOW"
read -r S1 P1 < <(edge_counts); L1=$(ticks "$LT_PID"); E1=$(ticks "$EDGE_PID"); W1=$(date +%s.%N)
curl -s "http://127.0.0.1:$EDGE_PORT/live/room1/v2/index.m3u8" | grep -v '^#' \
  | sed 's|^|/live/room1/v2/|' >"$WORK/segments.txt"
for i in $(seq 1 60); do kill -0 "$LT_PID" 2>/dev/null || break; sleep 1; done
wait_file "$WORK/results.json" 10
tail -3 "$WORK/loadtest.log" >&2

# --- 2. wrk at the same request rate over the same segments -------------------------------------
while read -r path; do curl -s -o /dev/null "http://127.0.0.1:$EDGE_PORT$path"; done <"$WORK/segments.txt"
RATE=$(python3 -c "print(round(($S1 - $S0 + $P1 - $P0) / ($W1 - $W0)))")
DELAY_MS=$(python3 -c "print(max(1, round($CONNS * 1000 / max(1, $RATE))))")
read -r WS0 WP0 < <(edge_counts); WE0=$(ticks "$EDGE_PID")
/usr/bin/time -f '%U %S %e' -o "$WORK/wrk-time.txt" wrk -t1 -c"$CONNS" -d"${WINDOW}s" --timeout 10s \
  -s "$BENCH_DIR/paced-cycle.lua" "http://127.0.0.1:$EDGE_PORT" -- "$WORK/segments.txt" "$DELAY_MS" \
  >"$WORK/wrk.txt" 2>&1
read -r WS1 WP1 < <(edge_counts); WE1=$(ticks "$EDGE_PID")
cat "$WORK/wrk.txt" >&2

read -r -a F < <(python3 - "$WORK" <<PY
import json, re, sys
work = sys.argv[1]
clk = $CLK
lt_cpu = ($L1 - $L0) / clk
lt_wall = $W1 - $W0
lt_seg = $S1 - $S0
lt_req = lt_seg + $P1 - $P0
u, s, e = map(float, open(f"{work}/wrk-time.txt").read().split()[-3:])
wrk_cpu = u + s
text = open(f"{work}/wrk.txt").read()
wrk_req = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: (.*)", text)
edge_wrk = $WS1 - $WS0
per_seg_lt = lt_cpu / lt_seg * 1e6
per_req_lt = lt_cpu / lt_req * 1e6
per_req_wrk = wrk_cpu / wrk_req * 1e6
notes = (f"{bad.group(1)} non-2xx/3xx" if bad else "0 non-2xx/3xx") + (f"; socket errors {sock.group(1).replace(' ', '_')}" if sock else "")
print(f"{lt_cpu:.2f} {lt_wall:.1f} {lt_seg} {lt_req} {per_seg_lt:.0f} {per_req_lt:.0f} "
      f"{wrk_cpu:.2f} {e:.1f} {wrk_req} {edge_wrk} {per_req_wrk:.0f} "
      f"{per_seg_lt / per_req_wrk:.2f} {per_req_lt / per_req_wrk:.2f} "
      f"{($E1 - $E0) / clk / lt_wall * 100:.0f} {($WE1 - $WE0) / clk / e * 100:.0f} "
      f"{lt_req / lt_wall:.0f} {wrk_req / e:.0f} {notes.replace(' ', '~')}")
PY
)
read -r LT_CPU LT_WALL LT_SEG LT_REQ LT_PER_SEG LT_PER_REQ WRK_CPU WRK_WALL WRK_REQ EDGE_WRK WRK_PER_REQ \
  RATIO_SEG RATIO_REQ EDGE_LT_PCT EDGE_WRK_PCT LT_RPS WRK_RPS WRK_NOTES <<<"${F[*]}"
WRK_NOTES="${WRK_NOTES//\~/ }"
LT_JSON="$(python3 -c "
import json; d = json.load(open('$WORK/results.json')); lt = d['load_tester']
print(f\"stalls {d['stalls']}, errors {d['errors']}, segment p99 {d['segment_ms']['p99']:.0f} ms, loop lag p99 {lt['loop_lag_ms']['p99']:.1f} ms, bottleneck warning {'yes' if lt['warning'] else 'no'}\")")"
echo "per segment: load tester $LT_PER_SEG us, wrk $WRK_PER_REQ us: ${RATIO_SEG}x (per request ${RATIO_REQ}x)" >&2
# A starved load tester handles many events per wake-up and looks cheaper than it is: such a run
# measures the machine, not the load tester, and is not written.
if python3 -c "import json, sys; sys.exit(0 if json.load(open('$WORK/results.json'))['load_tester']['warning'] else 1)"; then
  echo "NOT WRITTEN: the load tester reported event-loop lag (the machine was busy: $LT_JSON); rerun on a quiet machine" >&2
  exit 3
fi

python3 "$BENCH_DIR/write_results.py" loadtest-vs-wrk "$REPO_DIR/docs/benchmarks.md" <<MD
### CPU per segment download against wrk (\`bench/loadtest-vs-wrk.sh\`)

One run, one loopback \`relay edge\` (fed by \`relay origin\` and \`bench/fakelive.py\`), the same 2-s
segments of the lowest rendition (~$KIB KiB each). First \`relay loadtest\` with $VIEWERS viewers
(each a player: media playlist every ~2 s, one segment every 2 s), measured over $WINDOW s of its
hold; then \`wrk\` paced to the same request rate, cycling over the 6 segment URLs of the same live
window, for $WINDOW s. CPU = utime+stime of each process (load tester: \`/proc/PID/stat\` deltas over
the window, after the ramp and a ${SETTLE}-s settle for JIT warm-up; wrk: \`/usr/bin/time\` over its whole life). Requests counted
by the edge (\`relay_edge_requests_total\`). Load average before: $LOAD_BEFORE. Measured $(date -u +%Y-%m-%dT%H:%MZ).

| | relay loadtest | wrk |
| --- | ---: | ---: |
| requests in the window (edge's count) | $LT_REQ ($LT_RPS/s) | $WRK_REQ ($WRK_RPS/s; edge counted $EDGE_WRK) |
| of which segment downloads | $LT_SEG | $WRK_REQ |
| CPU time (utime+stime) | $LT_CPU s over $LT_WALL s | $WRK_CPU s over $WRK_WALL s |
| **CPU per segment download** | **$LT_PER_SEG µs** | **$WRK_PER_REQ µs** |
| CPU per request (segments + playlists) | $LT_PER_REQ µs | $WRK_PER_REQ µs |
| edge CPU meanwhile | $EDGE_LT_PCT % of one core | $EDGE_WRK_PCT % of one core |

- **Ratio, load tester / wrk: ${RATIO_SEG}x per segment download** (the load tester's CPU over its
  segment downloads only, its playlist requests counted as overhead; target ≤ 2x), **${RATIO_REQ}x per
  request** (playlists counted as requests too).
- Load tester in this run: $LT_JSON. wrk: $WRK_NOTES.
- Where the time goes (perf, 10 s of the hold, this version): about half in the kernel (\`send\` of
  the request, which on loopback includes the edge's receive path and wake-up; sleeping and waking in
  \`epoll_pwait2\`; \`recv\`), the same work wrk's request costs; about a quarter in Java on the
  event loop (player model, playlist parsing, results, the HTTP client); the rest JIT compiler and GC
  threads.
- How it got here (issue 5), µs per segment in this script: 199 with Vert.x's HTTP client on a loop
  per core; 172 with one loop per 5,000 viewers, request timeouts in one swept list per loop and
  URL origins parsed once; 108-125 with the load tester's own HTTP/1.1 client on Netty
  (\`Http1Client\`: requests written as bytes, answers read for the status and the six headers a
  player needs, bodies counted in place; Vert.x's client built a header map, futures and message
  objects per request); then one ticker per event loop for the players' once-a-second ticks
  instead of a timer per player, plain segment names resolved by string instead of \`URI\`. Runs
  on this shared machine vary by ±15% (85-125 µs for the same build). Tried and dropped: player
  timers aligned on a 10-ms grid (segment p99 from 7 to 45 ms from synchronised bursts),
  \`-XX:+UseParallelGC\`.
- What the load tester does per viewer that wrk does not: parse each media playlist, run the
  player model (buffer, ABR estimate, stall accounting), record latency histograms and per-viewer
  results.
- Commands: \`bench/loadtest-vs-wrk.sh $WINDOW\` (VIEWERS=$VIEWERS CONNECTIONS=$CONNECTIONS), which runs \`java ${LT_JVM[*]} -jar
  dist/target/relay.jar loadtest --url http://127.0.0.1:EDGE/live/room1/master.m3u8 --viewers $VIEWERS
  --ramp ${RAMP}s --duration $((SETTLE + WINDOW + 5))s --rendition lowest --connections $CONNECTIONS --measure-heap false\`, then \`wrk -t1
  -c$CONNS -d${WINDOW}s --timeout 10s -s bench/paced-cycle.lua http://127.0.0.1:EDGE -- segments.txt $DELAY_MS\`.
- Machine: $(machine_notes), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}').

<!-- figures: {"per_segment": $RATIO_SEG, "per_request": $RATIO_REQ, "lt_us": $LT_PER_SEG, "wrk_us": $WRK_PER_REQ} -->
MD
python3 "$BENCH_DIR/loadtest-summary.py" "$REPO_DIR/docs/benchmarks.md"
echo "results written to docs/benchmarks.md" >&2
