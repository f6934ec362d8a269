# A router test network for the router benchmarks (sourced after common.sh): a fake live source, an
# origin, a router and edges, each `java -jar relay.jar` a Hazelcast member on 127.0.0.1, with the
# demo GeoIP database and loopback as trusted proxy (viewers pose as cities by X-Forwarded-For,
# ranges in infra/geoip/README.md). Every process goes through `start`, so common.sh's trap ends it.
#
#   net_init WORK [FAKE_EDGES]   ports, members list and a 12-s one-rendition source
#   net_start_origin; net_start_router [EXTRA ROUTER ARGS...]; net_start_edge INDEX
#   net_start_fakes COUNT        FakeEdges (dist test scope): COUNT edges reported by one member
#   net_wait_routable N SECONDS  until the router routes to N edges and redirects room1
GEOIP="$REPO_DIR/dist/src/main/resources/dev/segmentrelay/dist/demo/demo-geoip.mmdb"
SERVICE_JVM=(-Xmx192m -XX:MaxDirectMemorySize=128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
ROUTER_JVM=(${ROUTER_JVM:--Xmx512m})
# Edge id, site, loopback address, latitude, longitude (as in RouterClusterIT).
EDGE_SITES=("edge-fra fra 127.0.0.11 50.11 8.68" "edge-tyo tyo 127.0.0.12 35.68 139.69"
  "edge-bkk bkk 127.0.0.13 13.75 100.50")
declare -A CLUSTER EDGE_PORT EDGE_PID

net_init() {
  NET_WORK="$1"
  local name
  for name in origin router edge-fra edge-tyo edge-bkk fakes; do CLUSTER[$name]=$(free_port); done
  MEMBERS="127.0.0.1:${CLUSTER[origin]},127.0.0.1:${CLUSTER[router]}"
  MEMBERS="$MEMBERS,127.0.0.1:${CLUSTER[edge-fra]},127.0.0.1:${CLUSTER[edge-tyo]}"
  MEMBERS="$MEMBERS,127.0.0.1:${CLUSTER[edge-bkk]},127.0.0.1:${CLUSTER[fakes]}"
  ORIGIN_PORT=$(free_port); ORIGIN_ADMIN=$(free_port)
  ROUTER_PORT=$(free_port); ROUTER_ADMIN=$(free_port)
  mkdir -p "$NET_WORK/seg/v0"
  ffmpeg -hide_banner -nostats -loglevel error -f lavfi -i testsrc2=size=320x180:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -c:a aac -b:a 64k \
    -f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod \
    -hls_segment_filename "$NET_WORK/seg/v0/seg_%d.ts" "$NET_WORK/seg/v0/index.m3u8"
  SRC_PORT=$(free_port)
  start fake-source "$NET_WORK/fakelive.log" python3 "$BENCH_DIR/fakelive.py" "$NET_WORK/seg" "$SRC_PORT" 1 2
  wait_http "http://127.0.0.1:$SRC_PORT/s0/master.m3u8" 30
}

cluster_args() { echo --cluster-port "${CLUSTER[$1]}" --members "$MEMBERS"; }

net_start_origin() {
  start origin "$NET_WORK/origin.log" java "${SERVICE_JVM[@]}" -jar "$JAR" origin \
    --bind 127.0.0.1 --port "$ORIGIN_PORT" --admin-port "$ORIGIN_ADMIN" \
    --stream "room1=http://127.0.0.1:$SRC_PORT/s0/master.m3u8" $(cluster_args origin)
}

net_start_router() {
  start router "$NET_WORK/router.log" ${ROUTER_TASKSET:-} java "${ROUTER_JVM[@]}" -jar "$JAR" router \
    --bind 127.0.0.1 --port "$ROUTER_PORT" --admin-port "$ROUTER_ADMIN" --geoip "$GEOIP" \
    --trusted-proxy 127.0.0.1/32 "$@" $(cluster_args router)
  ROUTER_PID="${PIDS[-1]}"
}

# net_start_edge INDEX (0 fra, 1 tyo, 2 bkk); keeps its port across restarts.
net_start_edge() {
  local id site addr lat lon
  read -r id site addr lat lon <<<"${EDGE_SITES[$1]}"
  [[ -n "${EDGE_PORT[$id]:-}" ]] || EDGE_PORT[$id]=$(free_port)
  start "$id" "$NET_WORK/$id.log" java "${SERVICE_JVM[@]}" -jar "$JAR" edge --bind "$addr" \
    --port "${EDGE_PORT[$id]}" --admin-port 0 --upstream "http://127.0.0.1:$ORIGIN_PORT" \
    --cache-size 32m --id "$id" --site "$site" --lat "$lat" --lon "$lon" $(cluster_args "$id")
  EDGE_PID[$id]="${PIDS[-1]}"
}

net_start_fakes() {
  local hz_flags=(--add-exports java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.management/sun.management=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
  [[ -f "$REPO_DIR/dist/target/test-classes/dev/segmentrelay/dist/router/FakeEdges.class" ]] \
    || { echo "missing FakeEdges.class: mvn -q -B package -DskipTests" >&2; exit 2; }
  start fake-edges "$NET_WORK/fakes.log" java "${SERVICE_JVM[@]}" "${hz_flags[@]}" \
    -cp "$REPO_DIR/dist/target/test-classes:$JAR" dev.segmentrelay.dist.router.FakeEdges \
    "${CLUSTER[fakes]}" "$MEMBERS" "$1"
}

routable() {
  curl -s "http://127.0.0.1:$ROUTER_PORT/api/v1/edges" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["routable"])' 2>/dev/null || echo 0
}

# redirect_edge VIEWER: the X-Relay-Edge of the router's answer for a viewer (empty if none).
redirect_edge() {
  curl -s -o /dev/null -m 2 -H "X-Forwarded-For: $1" -w '%header{x-relay-edge}' \
    "http://127.0.0.1:$ROUTER_PORT/live/room1/index.m3u8" || true
}

net_wait_routable() {
  local want="$1" seconds="$2" i
  for i in $(seq 1 $((seconds * 2))); do
    if [[ "$(routable)" == "$want" && -n "$(redirect_edge 192.0.2.1)" ]]; then return 0; fi
    sleep 0.5
  done
  echo "timed out: router routes to $(routable) edges, wanted $want" >&2
  tail -20 "$NET_WORK/router.log" >&2
  return 1
}
