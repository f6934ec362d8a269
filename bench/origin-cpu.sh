#!/usr/bin/env bash
# Origin CPU under ingest load: STREAMS streams x 3 renditions of 2-second segments pulled from a
# fake live source that replays real x264/AAC segments in real time (encoded once by ffmpeg; ten
# live ffmpeg ABR encoders would not fit on two cores). Measures the origin JVM's CPU time
# (utime + stime from /proc/PID/stat) over SECONDS seconds after a warm-up, as % of one core.
#
# Usage: bench/origin-cpu.sh [STREAMS] [SECONDS]   (defaults 10 and 60)
# Needs: java 17, ffmpeg, python3, curl, and the jar (mvn -q -B -pl dist -am package -DskipTests).
# Writes the results into docs/benchmarks.md (section origin-cpu).
source "$(dirname "$0")/common.sh"
require ffmpeg python3 curl

STREAMS="${1:-10}"
SECONDS_MEASURED="${2:-60}"
WARMUP=25
WORK="$(mktemp -d /tmp/relay-origin-cpu.XXXXXX)"
echo "work dir $WORK" >&2

# 60 s of a three-rendition ladder, encoded as fast as possible (no -re).
mkdir -p "$WORK/seg/v0" "$WORK/seg/v1" "$WORK/seg/v2"
ffmpeg -hide_banner -nostats -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
  -map 0:v -map 0:v -map 0:v -map 1:a -map 1:a -map 1:a \
  -s:v:0 640x360 -b:v:0 800k -s:v:1 480x270 -b:v:1 500k -s:v:2 320x180 -b:v:2 300k \
  -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 50 -keyint_min 50 \
  -sc_threshold 0 -c:a aac -b:a 64k \
  -f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod \
  -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2" \
  -hls_segment_filename "$WORK/seg/v%v/seg_%d.ts" "$WORK/seg/v%v/index.m3u8"
SEGMENT_FILES=$(ls "$WORK"/seg/v*/seg_*.ts | wc -l)
AVG_BYTES=$(du -cb "$WORK"/seg/v*/seg_*.ts | tail -1 | cut -f1)
AVG_BYTES=$((AVG_BYTES / SEGMENT_FILES))

SRC_PORT=$(free_port); PORT=$(free_port); ADMIN=$(free_port)
start fake-source "$WORK/fakelive.log" python3 "$BENCH_DIR/fakelive.py" "$WORK/seg" "$SRC_PORT" "$STREAMS" 2
wait_http "http://127.0.0.1:$SRC_PORT/s0/master.m3u8" 30
ARGS=()
for i in $(seq 0 $((STREAMS - 1))); do ARGS+=(--stream "room$i=http://127.0.0.1:$SRC_PORT/s$i/master.m3u8"); done
origin "$WORK/origin.log" "$PORT" "$ADMIN" "${ARGS[@]}"
ORIGIN_PID="${PIDS[-1]}"
FAKE_PID="${PIDS[-2]}"
wait_http "http://127.0.0.1:$ADMIN/health/ready" 60
sleep "$WARMUP"

published() {
  curl -s "http://127.0.0.1:$PORT/api/v1/streams" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(sum(x["segmentsPublished"] for x in s), sum(1 for x in s if x["state"] == "live"), len(s))'
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK=$(getconf CLK_TCK)

read -r P0 LIVE0 TOTAL0 < <(published)
T0=$(ticks "$ORIGIN_PID"); F0=$(ticks "$FAKE_PID"); W0=$(date +%s.%N)
sleep "$SECONDS_MEASURED"
T1=$(ticks "$ORIGIN_PID"); F1=$(ticks "$FAKE_PID"); W1=$(date +%s.%N)
read -r P1 LIVE1 TOTAL1 < <(published)
RSS_KB=$(awk '/VmRSS/{print $2}' "/proc/$ORIGIN_PID/status")
STORE_MIB=$(curl -s "http://127.0.0.1:$ADMIN/metrics" \
  | awk '/^relay_origin_store_bytes/{printf "%.1f", $2 / 1048576; exit}')

read -r WALL CPU_PCT FAKE_PCT SEG_RATE MBPS < <(python3 -c "
w = $W1 - $W0
cpu = ($T1 - $T0) / $CLK / w * 100
fake = ($F1 - $F0) / $CLK / w * 100
segs = ($P1 - $P0) / w
print(f'{w:.1f} {cpu:.1f} {fake:.1f} {segs:.2f} {segs * $AVG_BYTES * 8 / 1e6:.1f}')")

echo "origin CPU: $CPU_PCT % of one core over $WALL s; $SEG_RATE segments/s (~$MBPS Mbit/s); live streams $LIVE1/$TOTAL1; RSS $((RSS_KB / 1024)) MiB; store $STORE_MIB MiB; fake source $FAKE_PCT %"

python3 "$BENCH_DIR/write_results.py" origin-cpu "$REPO_DIR/docs/benchmarks.md" <<MD
## Origin CPU under ingest (\`bench/origin-cpu.sh\`)

$STREAMS streams x 3 renditions (640x360 800k, 480x270 500k, 320x180 300k; 2-second TS segments,
average $((AVG_BYTES / 1024)) KiB) pulled from a fake live source (\`bench/fakelive.py\`, replaying
real ffmpeg segments in real time), default poll interval, nobody watching. Measured
$(date -u +%Y-%m-%dT%H:%MZ) over $WALL s after a ${WARMUP}-s warm-up.

| figure | value |
| --- | ---: |
| origin JVM CPU (utime+stime) | **$CPU_PCT % of one core** |
| segments published | $SEG_RATE /s (~$MBPS Mbit/s ingested) |
| streams live at the end | $LIVE1 of $TOTAL1 |
| origin RSS at the end (\`-Xmx512m\`) | $((RSS_KB / 1024)) MiB |
| relay_origin_store_bytes at the end | $STORE_MIB MiB (30 segments x 30 renditions by default) |
| fake source CPU (python, same machine) | $FAKE_PCT % of one core |

- Command: \`bench/origin-cpu.sh $STREAMS $SECONDS_MEASURED\` (\`java -Xmx512m -jar dist/target/relay.jar origin\`
  with $STREAMS \`--stream roomN=http://127.0.0.1:P/sN/master.m3u8\`).
- CPU from \`/proc/PID/stat\` fields 14+15 (clock ticks of $CLK/s) of the origin JVM, sampled at the
  start and end of the window; includes JIT and GC threads.
- Machine: $(machine_notes).
MD
echo "results written to docs/benchmarks.md" >&2
