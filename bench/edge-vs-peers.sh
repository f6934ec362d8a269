#!/usr/bin/env bash
# Our edge against nginx proxy_cache and Varnish, in one run on one machine, all three in front of
# the same static nginx origin serving a 2-rendition HLS made by ffmpeg (640x360 ~1.2 Mbit/s and
# 320x180 ~300 kbit/s, 2-s TS segments, 10 each; max-age=1 on playlists). Measured per peer:
#   segments  wrk -t2 -c100 cycling over all 20 cached segments: requests/s, MiB/s, p99
#   playlist  wrk -t2 -c100 on /live/room1/stream_0/index.m3u8 (max-age=1: refreshed each second)
#   small     wrk -t2 -c100 on the smallest cached segment: request rate
#   (each in ROUNDS rounds of DURATION per peer, peers alternating, the best round reported:
#   the machine is shared, and interference only ever slows a round down)
#   burst     BURST concurrent GETs at once for a never-fetched 32-KiB segment behind a 400-ms
#             upstream (bench/edge/slow_upstream.py): upstream GETs for that path, p50/p99/max
#   edge only GC pauses during its wrk runs (-Xlog:gc), and the memory cost of caching: heap and
#             direct buffers (after a full GC) before and after caching FILL_MB of new segments.
# Every peer is warmed first: each URL fetched once and checked byte for byte against the origin's
# file, then fetched again (the cache header of that second answer is reported: HIT expected).
#
# Usage: bench/edge-vs-peers.sh [DURATION]   (one wrk round, default 8s; the whole run ~5 minutes)
# Environment: ROUNDS (3), BURST (300), REPS (3 bursts per peer), FILL_MB (384), EDGE (auto|0),
#   EDGE_JAVA_OPTS (extra JVM flags for the edge, e.g. a JFR recording).
# Needs: root (Varnish), nginx, varnishd + cc, wrk, ffmpeg, python3, curl, jcmd, and the jar
#   (mvn -q -B -DskipTests package). Writes docs/benchmarks.md (section edge-vs-peers).
source "$(dirname "$0")/common.sh"
require nginx varnishd wrk ffmpeg python3 curl jcmd

DURATION="${1:-8s}"
ROUNDS="${ROUNDS:-3}"
BURST="${BURST:-300}"
REPS="${REPS:-3}"
FILL_MB="${FILL_MB:-384}"
SLOW_SIZE=$((32 * 1024))
FILL_SIZE=$((256 * 1024))
EDGE="${EDGE:-auto}"
EDGE_JAVA_OPTS="${EDGE_JAVA_OPTS:-}"
HERE="$BENCH_DIR/edge"
WORK="$(mktemp -d /tmp/relay-edge-vs-peers.XXXXXX)"
chmod 755 "$WORK" # nginx workers run as nobody
MEDIA="$WORK/media"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
echo "work dir $WORK" >&2

if [[ "$EDGE" == auto ]]; then
  if java -jar "$JAR" edge --help 2>&1 | grep -q -- '--upstream'; then EDGE=1; else EDGE=0; fi
fi
PEERS=(nginx varnish)
[[ "$EDGE" == 1 ]] && PEERS+=(edge)
echo "peers: ${PEERS[*]}" >&2

# render TEMPLATE OUT NAME=VALUE...: replaces @NAME@ in TEMPLATE.
render() {
  local template="$1" out="$2" args=() kv; shift 2
  for kv in "$@"; do args+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${args[@]}" "$template" >"$out"
}

# --- media: one ffmpeg encode, 20 s, two renditions, master playlist ---------------------------
mkdir -p "$MEDIA/live/room1"
ffmpeg -hide_banner -nostats -loglevel error \
  -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -filter_complex '[0:v]split=2[hi][lo0];[lo0]scale=320:180[lo]' \
  -map '[hi]' -map 1:a -map '[lo]' -map 1:a -t 20 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 \
  -b:v:0 1200k -maxrate:v:0 1300k -bufsize:v:0 2400k -b:v:1 300k -maxrate:v:1 330k -bufsize:v:1 600k \
  -c:a aac -b:a 64k -ar 48000 \
  -f hls -hls_time 2 -hls_list_size 0 -hls_flags independent_segments+omit_endlist \
  -master_pl_name master.m3u8 -var_stream_map 'v:0,a:0 v:1,a:1' \
  -hls_segment_filename "$MEDIA/live/room1/stream_%v/seg_%d.ts" "$MEDIA/live/room1/stream_%v/index.m3u8"
(cd "$MEDIA" && find live -name '*.ts' | sort -V | sed 's|^|/|') >"$WORK/segments.txt"
(cd "$MEDIA" && find live -name '*.m3u8' | sort | sed 's|^|/|') >"$WORK/playlists.txt"
cat "$WORK/segments.txt" "$WORK/playlists.txt" >"$WORK/all.txt"
SMALL="$(cd "$MEDIA" && find live -name '*.ts' -printf '%s /%p\n' | sort -n | head -1 | cut -d' ' -f2)"
SEG_COUNT=$(wc -l <"$WORK/segments.txt")
SEG_BYTES=$(cd "$MEDIA" && find live -name '*.ts' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "media: $SEG_COUNT segments, $SEG_BYTES bytes, smallest $SMALL" >&2

# --- origin: static nginx + the slow/fill upstream behind it ----------------------------------
SLOW_PORT=$(free_port); ORIGIN_PORT=$(free_port)
NGINX_PORT=$(free_port); VARNISH_PORT=$(free_port); EDGE_PORT=$(free_port); EDGE_ADMIN=$(free_port)
start slow-upstream "$WORK/slow.log" python3 "$HERE/slow_upstream.py" "$SLOW_PORT" --delay 0.4 \
  --slow-size "$SLOW_SIZE" --fill-size "$FILL_SIZE"
mkdir -p "$WORK/origin"
render "$HERE/origin-nginx.conf" "$WORK/origin/nginx.conf" PREFIX="$WORK/origin" ROOT="$MEDIA" \
  PORT="$ORIGIN_PORT" SLOW_PORT="$SLOW_PORT"
start origin-nginx "$WORK/origin/stderr.log" nginx -p "$WORK/origin" -c "$WORK/origin/nginx.conf" -e "$WORK/origin/error.log"

# --- peers ---------------------------------------------------------------------------------------
mkdir -p "$WORK/nginx"
render "$HERE/peer-nginx.conf" "$WORK/nginx/nginx.conf" PREFIX="$WORK/nginx" PORT="$NGINX_PORT" ORIGIN_PORT="$ORIGIN_PORT"
start nginx "$WORK/nginx/stderr.log" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
render "$HERE/peer-varnish.vcl" "$WORK/edge.vcl" ORIGIN_PORT="$ORIGIN_PORT"
start varnish "$WORK/varnish.log" varnishd -F -a "127.0.0.1:$VARNISH_PORT" -T none -f "$WORK/edge.vcl" \
  -s malloc,512m -n "$WORK/varnish"
if [[ "$EDGE" == 1 ]]; then
  # shellcheck disable=SC2086 # EDGE_JAVA_OPTS is a list of flags
  start edge "$WORK/edge.log" java -Xmx1g -XX:MaxDirectMemorySize=2g "-Xlog:gc:file=$WORK/gc.log" $EDGE_JAVA_OPTS -jar "$JAR" edge \
    --bind 127.0.0.1 --port "$EDGE_PORT" --admin-port "$EDGE_ADMIN" \
    --upstream "http://127.0.0.1:$ORIGIN_PORT" --cache-size 1g --id bench
  EDGE_PID="${PIDS[-1]}"
fi

declare -A PORT=([nginx]=$NGINX_PORT [varnish]=$VARNISH_PORT [edge]=$EDGE_PORT)
declare -A HEADER=([nginx]=X-Cache-Status [varnish]=X-Cache [edge]=X-Relay-Cache)
wait_http "http://127.0.0.1:$ORIGIN_PORT/live/room1/master.m3u8" 20
wait_http "http://127.0.0.1:$NGINX_PORT/live/room1/master.m3u8" 20
wait_http "http://127.0.0.1:$VARNISH_PORT/live/room1/master.m3u8" 60
[[ "$EDGE" == 1 ]] && wait_http "http://127.0.0.1:$EDGE_ADMIN/health/ready" 60

# --- warm and verify -----------------------------------------------------------------------------
for peer in "${PEERS[@]}"; do
  echo "warm $peer: $(python3 "$HERE/fetch.py" warm "http://127.0.0.1:${PORT[$peer]}" "$MEDIA" "$WORK/all.txt" "${HEADER[$peer]}")" >&2
  # unmeasured wrk pass: JIT warm-up for the edge, the same for everyone
  wrk -t2 -c100 -d5s -s "$HERE/cycle.lua" "http://127.0.0.1:${PORT[$peer]}" -- "$WORK/segments.txt" >/dev/null
done

# --- throughput: each test runs every peer back to back, ROUNDS times, order reversed each round --
# run_wrk TEST PEER ROUND WRK_ARGS...
run_wrk() {
  local test="$1" peer="$2" round="$3"; shift 3
  wrk -t2 -c100 -d"$DURATION" --timeout 10s --latency "$@" >"$WORK/wrk-$test-$peer-$round.txt"
  python3 "$HERE/report.py" wrk "$test" "$peer" <"$WORK/wrk-$test-$peer-$round.txt" | tee -a "$RESULTS" >&2
}
GC_FROM=0
[[ "$EDGE" == 1 ]] && GC_FROM=$(wc -l <"$WORK/gc.log")
ORDER=("${PEERS[@]}")
for round in $(seq 1 "$ROUNDS"); do
  for peer in "${ORDER[@]}"; do
    run_wrk segments "$peer" "$round" -s "$HERE/cycle.lua" "http://127.0.0.1:${PORT[$peer]}" -- "$WORK/segments.txt"
  done
  for peer in "${ORDER[@]}"; do
    run_wrk playlist "$peer" "$round" "http://127.0.0.1:${PORT[$peer]}/live/room1/stream_0/index.m3u8"
  done
  for peer in "${ORDER[@]}"; do
    run_wrk small "$peer" "$round" "http://127.0.0.1:${PORT[$peer]}$SMALL"
  done
  mapfile -t ORDER < <(printf '%s\n' "${ORDER[@]}" | tac)
done
if [[ "$EDGE" == 1 ]]; then
  python3 "$HERE/report.py" gc "$WORK/gc.log" "$GC_FROM" "$(wc -l <"$WORK/gc.log")" | tee -a "$RESULTS" >&2
fi

# --- coalescing: BURST clients at once on a new path behind a 400-ms upstream ---------------------
for rep in $(seq 1 "$REPS"); do
  for peer in "${PEERS[@]}"; do
    path="/live/room1/slow/r$rep-$peer-$RANDOM$RANDOM.ts"
    burst="$(python3 "$HERE/burst.py" "127.0.0.1:${PORT[$peer]}" "$path" "$BURST" "$SLOW_SIZE" "${HEADER[$peer]}")"
    # the same burst again, now a cached object: what the client side alone costs
    again="$(python3 "$HERE/burst.py" "127.0.0.1:${PORT[$peer]}" "$path" "$BURST" "$SLOW_SIZE" "${HEADER[$peer]}")"
    gets="$(curl -s "http://127.0.0.1:$SLOW_PORT/_counts" | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$path")"
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); c=json.loads(sys.argv[2]); r.update(test="burst", peer=sys.argv[3], upstream_gets=int(sys.argv[4]), cached_p50_ms=c["p50_ms"], cached_p99_ms=c["p99_ms"], cached_ok=c["ok"]); print(json.dumps(r))' \
      "$burst" "$again" "$peer" "$gets" | tee -a "$RESULTS" >&2
  done
done

# --- memory cost of caching (edge): heap + direct after a full GC, before and after a fill --------
if [[ "$EDGE" == 1 ]]; then
  snapshot() {
    jcmd "$EDGE_PID" GC.run >/dev/null
    sleep 1
    python3 "$HERE/report.py" metrics "http://127.0.0.1:$EDGE_ADMIN/metrics" "$EDGE_PID"
  }
  COUNT=$((FILL_MB * 1024 * 1024 / FILL_SIZE))
  BEFORE="$(snapshot)"
  FILL="$(python3 "$HERE/fetch.py" fill "http://127.0.0.1:$EDGE_PORT" /live/room1/fill/obj- "$COUNT" "$FILL_SIZE")"
  echo "fill: $FILL" >&2
  HITS="$(python3 "$HERE/fetch.py" warm "http://127.0.0.1:$EDGE_PORT" "$MEDIA" "$WORK/segments.txt" X-Relay-Cache)"
  echo "segments still cached after the fill: $HITS" >&2
  AFTER="$(snapshot)"
  python3 - "$BEFORE" "$AFTER" "$FILL" <<'PY' | tee -a "$RESULTS" >&2
import json, sys
b, a, f = (json.loads(x) for x in sys.argv[1:4])
n = f["bytes"]
cache = (a["cache_bytes"] - b["cache_bytes"]) if a["cache_bytes"] is not None else None
print(json.dumps({"test": "memory", "peer": "edge", "n": n, "objects": f["objects"], "fill_ok": f["ok"],
                  "cache_delta_mib": "n/a" if cache is None else f"{cache / 1048576:.1f} MiB",
                  "heap_delta": a["heap"] - b["heap"], "direct_delta": a["direct"] - b["direct"],
                  "rss_delta": a["rss"] - b["rss"],
                  "ratio": (a["heap"] - b["heap"] + a["direct"] - b["direct"]) / n,
                  "before": b, "after": a}))
PY
fi

# --- report ----------------------------------------------------------------------------------------
TABLES="$(python3 "$HERE/report.py" tables "$RESULTS")"
echo "$TABLES"
EDGE_NOTE="- Our edge: \`java -Xmx1g -XX:MaxDirectMemorySize=2g -Xlog:gc:file=… -jar dist/target/relay.jar edge --bind 127.0.0.1 --port P --admin-port M --upstream http://127.0.0.1:ORIGIN --cache-size 1g --id bench\`."
[[ "$EDGE" == 1 ]] || EDGE_NOTE="- Our edge: not measured in this run (\`relay edge\` was not in the jar)."
python3 "$BENCH_DIR/write_results.py" edge-vs-peers "$REPO_DIR/docs/benchmarks.md" <<MD
## Edge against nginx and Varnish (\`bench/edge-vs-peers.sh\`)

Three caches in front of one static nginx origin serving a 2-rendition HLS made by ffmpeg
($SEG_COUNT TS segments of 2 s, $((SEG_BYTES / 1024)) KiB in all; 640x360 ~1.2 Mbit/s and 320x180
~300 kbit/s; \`Cache-Control: max-age=1\` on playlists, a day on segments), measured
$(date -u +%Y-%m-%dT%H:%MZ), all in one run. wrk with 2 threads and 100 connections, $ROUNDS rounds
of $DURATION per peer and test, the peers taking turns (order reversed each round); each cell is
the peer's best round (other jobs share this machine, and they only ever slow a round down).
Every peer was warmed first: every URL fetched once and compared byte for byte with the origin's
file, and a second fetch answered from the cache.

$TABLES

- Command: \`bench/edge-vs-peers.sh $DURATION\` (ROUNDS=$ROUNDS, BURST=$BURST, REPS=$REPS,
  FILL_MB=$FILL_MB).
- *segments*: \`wrk -t2 -c100 -d$DURATION --latency -s bench/edge/cycle.lua\`, cycling over all
  $SEG_COUNT segments of both renditions; MiB/s is wrk's Transfer/sec (response bytes and headers).
  *playlist*: \`/live/room1/stream_0/index.m3u8\`, which every cache refreshes about once a second.
  *small*: the smallest segment alone (\`$SMALL\`, $(stat -c %s "$MEDIA$SMALL") bytes).
- Burst: $BURST HTTP/1.1 connections opened first, then one GET each written back to back
  (\`bench/edge/burst.py\`) for a path never fetched before; the origin forwards it to
  \`bench/edge/slow_upstream.py\`, which waits 400 ms, answers $((SLOW_SIZE / 1024)) KiB and counts
  GETs per path. Latency is from each write to the last body byte; every body is checked. The
  same burst is then repeated on the now cached path: the last column is what delivering $BURST
  bodies to one python client costs by itself.
- nginx $(nginx -v 2>&1 | cut -d/ -f2): \`bench/edge/peer-nginx.conf\` (\`worker_processes auto\`,
  \`proxy_cache\` in the work dir, \`proxy_cache_lock on\`, \`proxy_cache_use_stale … updating\`,
  \`proxy_cache_background_update on\`, keep-alive upstream, \`open_file_cache\`, \`sendfile\`;
  \`tcp_nopush off\`: with it on, as in Debian's default nginx.conf, every cached response stalled
  ~40 ms here, 2.4k instead of 42k requests/s).
- Varnish $(varnishd -V 2>&1 | head -1 | sed 's/varnishd (varnish-\([^ ]*\) .*/\1/'):
  \`varnishd -F -a 127.0.0.1:P -T none -f bench/edge/peer-varnish.vcl -s malloc,512m\`, default
  parameters; TTLs from the origin's Cache-Control.
$EDGE_NOTE
- GC: pauses logged by \`-Xlog:gc\` during the edge's wrk runs (explicit \`System.gc()\` and
  \`jcmd\` collections excluded).
  Memory: \`jcmd PID GC.run\`, then \`jvm_memory_used_bytes{area="heap"}\` summed and
  \`jvm_buffer_memory_used_bytes{id="direct"}\` from the admin \`/metrics\`, before and after caching
  N bytes of new $((FILL_SIZE / 1024))-KiB segments (\`/live/room1/fill/…\`); RSS from \`/proc\`.
- The load generator, the origin and all three caches share the machine's cores: compare the
  peers within this run, not with other runs. Machine: $(machine_notes), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2).
MD
echo "results written to docs/benchmarks.md" >&2
