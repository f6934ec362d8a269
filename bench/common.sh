# Shared helpers of the bench scripts (sourced). Every process started here is recorded and killed
# on exit, with its descendants; every wait is bounded.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
JAR="$REPO_DIR/dist/target/relay.jar"
PIDS=()

require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y $tool)" >&2; exit 2; }
  done
  [[ -f "$JAR" ]] || { echo "missing $JAR: mvn -q -B -pl dist -am package -DskipTests" >&2; exit 2; }
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start NAME LOGFILE COMMAND...: runs COMMAND in the background, remembers its pid.
start() {
  local name="$1" log="$2"; shift 2
  "$@" >"$log" 2>&1 &
  PIDS+=("$!")
  echo "started $name (pid $!)" >&2
}

kill_tree() {
  local pid="$1" child
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill_tree "$child"; done
  kill -TERM "$pid" 2>/dev/null || true
}

cleanup() {
  local pid i
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill_tree "$pid"; done
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
  local url="$1" seconds="$2" i
  for i in $(seq 1 $((seconds * 5))); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" == 200 ]]; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for $url" >&2
  return 1
}

# wait_file FILE SECONDS
wait_file() {
  local file="$1" seconds="$2" i
  for i in $(seq 1 $((seconds * 5))); do [[ -s "$file" ]] && return 0; sleep 0.2; done
  echo "timed out waiting for $file" >&2
  return 1
}

# origin LOG PORT ADMIN ARGS...: starts `java -jar relay.jar origin` on 127.0.0.1.
origin() {
  local log="$1" port="$2" admin="$3"; shift 3
  start "origin:$port" "$log" java -Xmx512m -jar "$JAR" origin --bind 127.0.0.1 \
    --port "$port" --admin-port "$admin" "$@"
}

machine_notes() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(java -version 2>&1 | head -1), $(ffmpeg -version | head -1 | cut -d' ' -f1-3), git $(git -C "$REPO_DIR" rev-parse --short HEAD)"
}
