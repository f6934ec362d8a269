# Shared set-up of the load tester benchmarks (sourced after common.sh): a live source, an origin
# and one edge on loopback, as in production but on one machine.
#   lt_media WORK         60 s of a 3-rendition ladder (640x360 800k, 480x270 500k, 320x180 300k
#                         video + 64k AAC; 2-s TS segments) encoded once by ffmpeg, no -re
#   lt_network WORK       bench/fakelive.py (one stream, 2-s segments in real time) -> relay origin
#                         -> relay edge; sets EDGE_PORT, EDGE_ADMIN, EDGE_PID, ORIGIN_PORT, URL
# EDGE_JVM holds the edge's JVM flags.
EDGE_JVM=(-Xms1g -Xmx1g -XX:MaxDirectMemorySize=1g)
EDGE_MAX_CONNECTIONS=20000

lt_media() {
  local work="$1"
  mkdir -p "$work/seg/v0" "$work/seg/v1" "$work/seg/v2"
  ffmpeg -hide_banner -nostats -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
    -map 0:v -map 0:v -map 0:v -map 1:a -map 1:a -map 1:a \
    -s:v:0 640x360 -b:v:0 800k -s:v:1 480x270 -b:v:1 500k -s:v:2 320x180 -b:v:2 300k \
    -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 50 -keyint_min 50 \
    -sc_threshold 0 -c:a aac -b:a 64k \
    -f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod \
    -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2" \
    -hls_segment_filename "$work/seg/v%v/seg_%d.ts" "$work/seg/v%v/index.m3u8"
}

# lt_kib DIR: average segment size in KiB of the .ts files in DIR.
lt_kib() {
  local n bytes
  n=$(ls "$1"/seg_*.ts | wc -l)
  bytes=$(du -cb "$1"/seg_*.ts | tail -1 | cut -f1)
  echo $((bytes / n / 1024))
}

lt_network() {
  local work="$1" src_port origin_admin
  src_port=$(free_port); ORIGIN_PORT=$(free_port); origin_admin=$(free_port)
  EDGE_PORT=$(free_port); EDGE_ADMIN=$(free_port)
  start fake-source "$work/fakelive.log" python3 "$BENCH_DIR/fakelive.py" "$work/seg" "$src_port" 1 2
  wait_http "http://127.0.0.1:$src_port/s0/master.m3u8" 30
  origin "$work/origin.log" "$ORIGIN_PORT" "$origin_admin" \
    --stream "room1=http://127.0.0.1:$src_port/s0/master.m3u8"
  wait_http "http://127.0.0.1:$origin_admin/health/ready" 60
  start edge "$work/edge.log" java "${EDGE_JVM[@]}" -jar "$JAR" edge --bind 127.0.0.1 \
    --port "$EDGE_PORT" --admin-port "$EDGE_ADMIN" --upstream "http://127.0.0.1:$ORIGIN_PORT" \
    --cache-size 256m --max-connections "$EDGE_MAX_CONNECTIONS" --id bench
  EDGE_PID="${PIDS[-1]}"
  wait_http "http://127.0.0.1:$EDGE_ADMIN/health/ready" 60
  URL="http://127.0.0.1:$EDGE_PORT/live/room1/master.m3u8"
  wait_http "$URL" 30
  wait_http "http://127.0.0.1:$EDGE_PORT/live/room1/v2/index.m3u8" 30
}

# ticks PID: utime + stime of PID in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK=$(getconf CLK_TCK)

# wait_log FILE REGEX SECONDS: until a line of FILE matches REGEX.
wait_log() {
  local file="$1" regex="$2" seconds="$3" i
  for i in $(seq 1 $((seconds * 5))); do grep -qE "$regex" "$file" 2>/dev/null && return 0; sleep 0.2; done
  echo "timed out waiting for /$regex/ in $file" >&2
  return 1
}
