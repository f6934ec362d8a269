#!/usr/bin/env bash
# Ingest lag of the origin: time from a segment appearing in the transcoder's playlist to the
# origin serving a playlist that names it, p50/p99 over >= SEGMENTS segments, for
#   pull, default poll interval | pull, --poll-interval 200ms | push (HTTP PUT)
# against a real ffmpeg and the built dist/target/relay.jar. All three run at once on one source.
#
# Usage: bench/ingest-lag.sh [SEGMENTS]   (default 60; 2-second segments, so ~2.5 minutes)
# Needs: java 17, ffmpeg, python3, curl, and the jar (mvn -q -B -pl dist -am package -DskipTests).
# Writes the results into docs/benchmarks.md (section ingest-lag).
source "$(dirname "$0")/common.sh"
require ffmpeg python3 curl

SEGMENTS="${1:-60}"
WORK="$(mktemp -d /tmp/relay-ingest-lag.XXXXXX)"
TOKEN="bench-ingest-token-0123456789"
SRC_PORT=$(free_port); A_PORT=$(free_port); A_ADMIN=$(free_port); B_PORT=$(free_port); B_ADMIN=$(free_port)
mkdir -p "$WORK/src"
echo "work dir $WORK" >&2

start source-http "$WORK/http.log" python3 -m http.server --bind 127.0.0.1 --directory "$WORK/src" "$SRC_PORT"
origin "$WORK/origin-default.log" "$A_PORT" "$A_ADMIN" \
  --stream "room1=http://127.0.0.1:$SRC_PORT/index.m3u8" --push "room2=$TOKEN"
origin "$WORK/origin-200ms.log" "$B_PORT" "$B_ADMIN" \
  --stream "room1=http://127.0.0.1:$SRC_PORT/index.m3u8" --poll-interval 200ms
wait_http "http://127.0.0.1:$A_ADMIN/health/live" 60
wait_http "http://127.0.0.1:$B_ADMIN/health/live" 60

# One ffmpeg, two identical encodes: one written to disk (the pull source, and the reference clock
# for the push output, whose segments are cut at the same frames), one pushed by PUT.
ENC=(-c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -b:v 800k -c:a aac -b:a 64k)
HLS=(-f hls -hls_time 2 -hls_list_size 6 -hls_flags delete_segments+independent_segments)
FFMPEG_CMD=(ffmpeg -hide_banner -nostats -loglevel warning -re
  -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000
  -map 0:v -map 1:a "${ENC[@]}" "${HLS[@]}" -hls_flags delete_segments+independent_segments+temp_file
  -hls_segment_filename "$WORK/src/seg_%d.ts" "$WORK/src/index.m3u8"
  -map 0:v -map 1:a "${ENC[@]}" "${HLS[@]}" -method PUT -http_persistent 1
  -headers "Authorization: Bearer $TOKEN"$'\r\n'
  -hls_segment_filename "http://127.0.0.1:$A_PORT/ingest/room2/seg_%d.ts"
  "http://127.0.0.1:$A_PORT/ingest/room2/index.m3u8")
start ffmpeg "$WORK/ffmpeg.log" "${FFMPEG_CMD[@]}"
wait_file "$WORK/src/index.m3u8" 30
wait_http "http://127.0.0.1:$A_PORT/live/room1/index.m3u8" 60
wait_http "http://127.0.0.1:$B_PORT/live/room1/index.m3u8" 60
wait_http "http://127.0.0.1:$A_PORT/live/room2/index.m3u8" 60

RESULTS="$(python3 "$BENCH_DIR/lagmeter.py" --segments "$SEGMENTS" --timeout $((SEGMENTS * 2 + 120)) \
  "pull, default poll interval=$WORK/src/index.m3u8=http://127.0.0.1:$A_PORT/live/room1/index.m3u8" \
  "pull, --poll-interval 200ms=$WORK/src/index.m3u8=http://127.0.0.1:$B_PORT/live/room1/index.m3u8" \
  "push (HTTP PUT)=$WORK/src/index.m3u8=http://127.0.0.1:$A_PORT/live/room2/index.m3u8")"
echo "$RESULTS"

TABLE="$(echo "$RESULTS" | python3 -c '
import json, sys
print("| mode | segments | p50 | p90 | p99 | max | never published |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for line in sys.stdin:
    r = json.loads(line)
    print("| {label} | {samples} | {p50_ms} ms | {p90_ms} ms | {p99_ms} ms | {max_ms} ms | {unpublished} |".format(**r))
')"
python3 "$BENCH_DIR/write_results.py" ingest-lag "$REPO_DIR/docs/benchmarks.md" <<MD
## Ingest lag (\`bench/ingest-lag.sh\`)

Time from a segment appearing in the transcoder's playlist (ffmpeg's \`index.m3u8\` on disk, polled
every 5 ms) to the origin serving a playlist that names it (polled every 20 ms), 2-second
segments, measured $(date -u +%Y-%m-%dT%H:%MZ).

$TABLE

- Command: \`bench/ingest-lag.sh $SEGMENTS\` (real ffmpeg, \`java -Xmx512m -jar dist/target/relay.jar origin\`).
- Pull source: ffmpeg's folder served by \`python3 -m http.server\`. Push: the same ffmpeg process
  encodes the stream a second time and PUTs it to \`/ingest/room2/\` with
  \`-headers 'Authorization: Bearer …'\`; its segments are cut at the same frames as the file
  output, whose playlist is the reference clock (so push lag includes the upload of the segment
  and playlist).
- Both pull origins and the push run at once on one machine, with ffmpeg encoding twice.
- Resolution is about 5 ms on the source side and 20 ms on the origin side.
- The push row is an upper bound: its reference clock is the playlist of ffmpeg's *file* output,
  written by a different muxer than the pushed copy, plus the 20 ms polling. The push-lag section
  below measures push at the transcoder itself, at round-trip resolution.
- Machine: $(machine_notes).
MD
echo "results written to docs/benchmarks.md" >&2
