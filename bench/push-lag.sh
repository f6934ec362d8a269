#!/usr/bin/env bash
# Push ingest lag measured at the transcoder: from the start of a segment's PUT to the origin
# serving a playlist that names it (bench/pushlag.py), over COUNT real ffmpeg segments.
#
# Usage: bench/push-lag.sh [COUNT] [INTERVAL_S]   (default 500 segments, one every 0.1 s)
# Needs: java 17, ffmpeg, python3, curl, and the jar (mvn -q -B -pl dist -am package -DskipTests).
# Writes the results into docs/benchmarks.md (section push-lag).
source "$(dirname "$0")/common.sh"
require ffmpeg python3 curl

COUNT="${1:-500}"
INTERVAL="${2:-0.1}"
WORK="$(mktemp -d /tmp/relay-push-lag.XXXXXX)"
TOKEN="bench-push-token-0123456789"
PORT=$(free_port); ADMIN=$(free_port)
mkdir -p "$WORK/segs"
echo "work dir $WORK" >&2

# Ten real 2-second segments (640x360, 800 kbit/s), encoded once and replayed.
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine \
  -t 20 -c:v libx264 -preset ultrafast -g 50 -keyint_min 50 -sc_threshold 0 -b:v 800k -c:a aac \
  -f hls -hls_time 2 -hls_list_size 0 -hls_segment_filename "$WORK/segs/s%02d.ts" "$WORK/segs/x.m3u8"

origin "$WORK/origin.log" "$PORT" "$ADMIN" --push "room2=$TOKEN"
wait_http "http://127.0.0.1:$ADMIN/health/live" 60

RESULT="$(python3 "$BENCH_DIR/pushlag.py" "$PORT" room2 "$TOKEN" "$WORK/segs" "$COUNT" "$INTERVAL")"
echo "$RESULT"
TABLE="$(echo "$RESULT" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
print("| segments | p50 | p90 | p99 | max | never published |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
print("| {samples} | {p50_ms} ms | {p90_ms} ms | {p99_ms} ms | {max_ms} ms | {unpublished} |".format(**r))
')"
python3 "$BENCH_DIR/write_results.py" push-lag "$REPO_DIR/docs/benchmarks.md" <<MD
## Push ingest lag at the transcoder (\`bench/push-lag.sh\`)

From the start of a segment's \`PUT\` (the segment leaves the transcoder) through the playlist
\`PUT\` to the first \`GET\` of the origin's playlist that names it, polled back to back on a
keep-alive connection (resolution: one loopback round trip). Real ffmpeg segments (640x360,
800 kbit/s, ~200 KiB), one every ${INTERVAL} s, measured $(date -u +%Y-%m-%dT%H:%MZ).

$TABLE

- Command: \`bench/push-lag.sh $COUNT $INTERVAL\` (\`java -Xmx512m -jar dist/target/relay.jar origin --push room2=…\`).
- The pusher is \`bench/pushlag.py\` (python http.client, keep-alive, like \`ffmpeg -method PUT -http_persistent 1\`).
- Machine: $(machine_notes).
MD
echo "results written to docs/benchmarks.md" >&2
