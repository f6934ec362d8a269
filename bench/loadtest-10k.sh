#!/usr/bin/env bash
# 10,000 virtual viewers from one `relay loadtest` process against one loopback edge: a fake live
# source (bench/fakelive.py replaying real x264/AAC segments, 2-s segments, 3 renditions) ->
# `relay origin` -> `relay edge` -> `relay loadtest --viewers VIEWERS --rendition lowest` (about
# 100 KiB per segment), ramped over RAMP seconds, then held for SECONDS. Reports peak viewers, heap
# per viewer (used heap after a full GC at the middle of the hold, over the viewers), the load
# tester's CPU and event-loop lag, stalls, and a per-second sampler of the load tester's, the edge's
# and the whole machine's CPU (/proc), so a bottleneck shows where it is. A class histogram of the
# load tester (jcmd GC.class_histogram) is taken late in the hold.
#
# Usage: bench/loadtest-10k.sh [SECONDS]   (hold, default 60; the run takes about RAMP+SECONDS+60 s)
# Environment: VIEWERS (10000), RAMP (60), LT_JAVA_OPTS (extra load tester JVM flags).
# Needs: java 17, ffmpeg, python3, curl, jcmd, and the jar (mvn -q -B package -DskipTests).
# Writes the results into docs/benchmarks.md (section loadtest-10k).
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/loadtest-common.sh"
require ffmpeg python3 curl jcmd

HOLD="${1:-60}"
VIEWERS="${VIEWERS:-10000}"
RAMP="${RAMP:-60}"
LT_JVM=(-Xms1g -Xmx1g -XX:+AlwaysPreTouch ${LT_JAVA_OPTS:-})
WORK="$(mktemp -d /tmp/relay-loadtest-10k.XXXXXX)"
echo "work dir $WORK" >&2
(( HOLD >= 30 )) || { echo "SECONDS must be at least 30 (the hold), not $HOLD" >&2; exit 2; }

lt_media "$WORK"
KIB=$(lt_kib "$WORK/seg/v2")
lt_network "$WORK"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2068 # LT_JVM is a list of flags
start loadtest "$WORK/loadtest.log" java ${LT_JVM[@]} "-Xlog:gc:file=$WORK/lt-gc.log" -jar "$JAR" loadtest \
  --url "$URL" --viewers "$VIEWERS" --ramp "${RAMP}s" --duration "${HOLD}s" --rendition lowest \
  --measure-heap true --out "$WORK/results.json" --report "$WORK/report.html"
LT_PID="${PIDS[-1]}"

# Per-second CPU of the load tester, the edge and the machine (percent of one core; machine: of all).
start sampler "$WORK/cpu.tsv" python3 "$BENCH_DIR/cpusample.py" $((RAMP + HOLD + 60)) "$LT_PID" "$EDGE_PID"

# The hold: from all viewers in to its end; CPU of both processes over its middle.
wait_log "$WORK/loadtest.log" "viewers $VIEWERS/$VIEWERS" $((RAMP + 90))
sleep 5
L0=$(ticks "$LT_PID"); E0=$(ticks "$EDGE_PID"); W0=$(date +%s.%N)
sleep $((HOLD - 15))
L1=$(ticks "$LT_PID"); E1=$(ticks "$EDGE_PID"); W1=$(date +%s.%N)
jcmd "$LT_PID" GC.class_histogram >"$WORK/histogram.txt" 2>&1 || true
for i in $(seq 1 $((HOLD + 60))); do kill -0 "$LT_PID" 2>/dev/null || break; sleep 1; done
wait_file "$WORK/results.json" 5

read -r LT_PCT EDGE_PCT WALL < <(python3 -c "
w = $W1 - $W0
print(f'{($L1 - $L0) / $CLK / w * 100:.0f} {($E1 - $E0) / $CLK / w * 100:.0f} {w:.0f}')")
HISTO="$(awk 'NR>=4 && NR<=13 {printf "    %s\n", $0}' "$WORK/histogram.txt")"
GC_PAUSES="$(grep -c 'Pause' "$WORK/lt-gc.log" || true)"
GC_MAX="$(grep -oE '[0-9.]+ms$' "$WORK/lt-gc.log" | sort -n | tail -1 || true)"
tail -3 "$WORK/loadtest.log" >&2
echo "hold: load tester $LT_PCT % of one core, edge $EDGE_PCT % over $WALL s" >&2

ROWS="$(python3 - "$WORK/results.json" "$WORK/cpu.tsv" "$RAMP" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); lt = d["load_tester"]; ramp = int(sys.argv[3])
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
busy = [int(r[3]) for r in rows[ramp + 5:]] or [0]
kinds = d["requests_by_kind"]
def ok(k): return kinds.get(k, {}).get("ok", 0)
print(f"| peak concurrent viewers (`viewers`) | **{d['viewers']:,}** |")
print(f"| heap per viewer (after full GC at mid-hold, over viewers) | **{lt['heap_per_viewer_bytes'] / 1024:.1f} KB** (target < 20 KB) |")
print(f"| load tester CPU over the run (engine) | {lt['cpu']['one_core_percent']:.0f} % of one core |")
print(f"| event-loop lag p99 / max | {lt['loop_lag_ms']['p99']:.1f} ms / {lt['loop_lag_ms']['max']:.0f} ms |")
print(f"| stalls / rebuffer ratio | **{d['stalls']:,}** / {d['rebuffer_ratio']:.4f} |")
print(f"| segment download p50 / p99 | {d['segment_ms']['p50']:.1f} ms / {d['segment_ms']['p99']:.0f} ms |")
print(f"| startup p50 / p95 | {d['startup_ms']['p50']:.0f} ms / {d['startup_ms']['p95']:.0f} ms |")
print(f"| requests (segments, playlists) / errors | {d['requests']:,} ({d['segments']:,}, {ok('MEDIA_PLAYLIST') + ok('MASTER'):,}) / {d['errors']} |")
print(f"| bytes received | {d['bytes'] / 1e9:.1f} GB ({d['bytes'] * 8 / d['duration_s'] / 1e9:.2f} Gbit/s mean) |")
print(f"| machine CPU busy in the hold (all processes, /proc/stat) | mean {sum(busy) / len(busy):.0f} %, max {max(busy)} % |")
print(f"| bottleneck warning | {'**yes**: ' + lt['message'] if lt['warning'] else 'no'} |")
PY
)"
echo "$ROWS" >&2
SUMMARY="$(python3 -c "
import json; d = json.load(open('$WORK/results.json')); lt = d['load_tester']
print(json.dumps({'viewers': d['viewers'], 'heap_kb': round(lt['heap_per_viewer_bytes'] / 1024, 1),
  'cpu': $LT_PCT, 'stalls': d['stalls'], 'rebuffer': d['rebuffer_ratio'], 'lag_p99': lt['loop_lag_ms']['p99'],
  'warning': lt['warning']}))")"

python3 "$BENCH_DIR/write_results.py" loadtest-10k "$REPO_DIR/docs/benchmarks.md" <<MD
### 10,000 viewers from one process (\`bench/loadtest-10k.sh\`)

$VIEWERS virtual viewers (the player model: master playlist, media playlist refreshes, 2-s segments
of the lowest rendition, ~$KIB KiB each, a playback buffer) from one \`relay loadtest\` JVM against one
\`relay edge\` on loopback, which pulls from \`relay origin\`, which pulls from a fake live source
(\`bench/fakelive.py\`, real x264/AAC segments in real time). Ramp ${RAMP} s, hold ${HOLD} s. Everything
shares the 2 cores; load average before the run: $LOAD_BEFORE. Measured $(date -u +%Y-%m-%dT%H:%MZ).

| figure | value |
| --- | ---: |
$ROWS
| load tester / edge CPU over the hold (/proc, ${WALL} s) | $LT_PCT % / $EDGE_PCT % of one core |
| load tester GC pauses (whole run) | $GC_PAUSES, longest $GC_MAX |

- Command: \`bench/loadtest-10k.sh $HOLD\` (VIEWERS=$VIEWERS RAMP=$RAMP), which runs
  \`java ${LT_JVM[*]} -Xlog:gc:file=… -jar dist/target/relay.jar loadtest --url
  http://127.0.0.1:EDGE/live/room1/master.m3u8 --viewers $VIEWERS --ramp ${RAMP}s --duration ${HOLD}s
  --rendition lowest --measure-heap true --out results.json --report report.html\` (defaults:
  event loops = cores, one connection per viewer).
- Edge: \`java ${EDGE_JVM[*]} -jar dist/target/relay.jar edge --bind 127.0.0.1 --upstream
  http://127.0.0.1:ORIGIN --cache-size 256m --max-connections $EDGE_MAX_CONNECTIONS --id bench\`; origin \`java -Xmx512m
  -jar dist/target/relay.jar origin --stream room1=http://127.0.0.1:SRC/s0/master.m3u8\`.
- The machine is shared with other sessions' builds and tests (see the load average above and the
  "machine CPU busy" row: busy beyond the load tester's and the edge's share is other work). With
  10,000 viewers on the lowest rendition the load tester needs about one core (~5,000 segments/s
  and as many playlists/s, ~2.9 Gbit/s over loopback) and the edge about 0.4 core; when others
  take the rest, the event loops lag, downloads queue and viewers stall, and the bottleneck
  warning says so. The figures are what this shared machine gave, not a ceiling of the design.
- Heap per viewer is the engine's figure (\`load_tester.heap_per_viewer_bytes\`): used heap after
  \`System.gc()\` at the middle of the hold minus the same before the first viewer, over the viewers
  then playing. It includes each viewer's connection (Vert.x/Netty objects), player state and
  results sink; Netty's pooled direct buffers are outside the heap.
- The load tester's largest heap classes late in the hold (\`jcmd PID GC.class_histogram\`: rank,
  instances, bytes, class):

$HISTO

- Machine: $(machine_notes).

<!-- figures: $SUMMARY -->
MD
python3 "$BENCH_DIR/loadtest-summary.py" "$REPO_DIR/docs/benchmarks.md"
echo "results written to docs/benchmarks.md" >&2
