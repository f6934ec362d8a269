#!/usr/bin/env bash
# Time from an edge's death to its last new viewer, against real processes (bench/router-net.sh:
# fake live source, origin, router, 3 edges, each `java -jar relay.jar` a Hazelcast member on
# loopback). Each round: `kill -9` of the Tokyo edge while a Tokyo viewer asks the router every
# 20 ms (bench/failover-probe.py), restart, wait until it gets Tokyo viewers again; then `SIGSTOP`
# of the Bangkok edge likewise, `SIGCONT`, wait until it is back. Reports min/median/max of the
# time from the signal to the last request still redirected to the failed edge (issue 4: at most
# 3 s) and to the first one that was not.
#
# Usage: bench/router-failover.sh [ROUNDS]   (default 5; about 45 s a round)
# Needs: java 17, ffmpeg, python3, curl, and the jar (mvn -q -B package -DskipTests).
# Writes the results into docs/benchmarks.md (section router-failover).
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/router-net.sh"
require ffmpeg python3 curl

ROUNDS="${1:-5}"
WORK="$(mktemp -d /tmp/relay-router-failover.XXXXXX)"
echo "work dir $WORK" >&2
TOKYO=198.51.100.7
BANGKOK=203.0.113.9
# A frozen edge must be thawed before common.sh's cleanup can stop it.
trap 'kill -CONT "${EDGE_PID[edge-bkk]:-0}" 2>/dev/null || true; cleanup' EXIT INT TERM

net_init "$WORK"
net_start_origin
net_start_router
for i in 0 1 2; do net_start_edge "$i"; done
net_wait_routable 3 120

# until_edge VIEWER EDGE SECONDS: until the router sends VIEWER to EDGE.
until_edge() {
  local i
  for i in $(seq 1 $(($3 * 5))); do [[ "$(redirect_edge "$1")" == "$2" ]] && return 0; sleep 0.2; done
  echo "timed out: $1 is not sent to $2 again" >&2
  return 1
}

KILL_LAST=(); KILL_FIRST=(); STOP_LAST=(); STOP_FIRST=()
for round in $(seq 1 "$ROUNDS"); do
  read -r last first < <(python3 "$BENCH_DIR/failover-probe.py" "$ROUTER_PORT" "$TOKYO" edge-tyo \
    "${EDGE_PID[edge-tyo]}" KILL)
  KILL_LAST+=("$last"); KILL_FIRST+=("$first")
  echo "round $round: kill -9 edge-tyo: last viewer sent to it $last ms after, first elsewhere $first ms" >&2
  net_start_edge 1
  until_edge "$TOKYO" edge-tyo 90

  read -r last first < <(python3 "$BENCH_DIR/failover-probe.py" "$ROUTER_PORT" "$BANGKOK" edge-bkk \
    "${EDGE_PID[edge-bkk]}" STOP)
  kill -CONT "${EDGE_PID[edge-bkk]}"
  STOP_LAST+=("$last"); STOP_FIRST+=("$first")
  echo "round $round: SIGSTOP edge-bkk: last viewer sent to it $last ms after, first elsewhere $first ms" >&2
  until_edge "$BANGKOK" edge-bkk 90
done

stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%d | %d | %d", v[1], m, v[NR]}'; }
ROW_KILL="| \`kill -9\` (edge-tyo) | $(stats "${KILL_LAST[@]}") | $(stats "${KILL_FIRST[@]}") | ${KILL_LAST[*]} |"
ROW_STOP="| \`SIGSTOP\` (edge-bkk) | $(stats "${STOP_LAST[@]}") | $(stats "${STOP_FIRST[@]}") | ${STOP_LAST[*]} |"
echo "$ROW_KILL" >&2
echo "$ROW_STOP" >&2

python3 "$BENCH_DIR/write_results.py" router-failover "$REPO_DIR/docs/benchmarks.md" <<MD
### Failover: an edge's death to its last new viewer (\`bench/router-failover.sh\`)

Real processes on loopback, each \`java -jar dist/target/relay.jar\` a Hazelcast member: origin, one
router (default health settings: probes every second, \`hazelcast.max.no.heartbeat.seconds\` 3), edges in
Frankfurt, Tokyo and Bangkok. A viewer of the failing edge's city asks the router every 20 ms
(new connection each time) from the signal on, for 10 s; "last" is the time from the signal to the
last request the router still sent to the failed edge, "first" to the first it sent elsewhere.
$ROUNDS rounds, each edge restarted (\`kill -9\`) or thawed (\`SIGCONT\`) and back in the answers
before the next. Measured $(date -u +%Y-%m-%dT%H:%MZ).

| failure | last: min | median | max (ms) | first elsewhere: min | median | max (ms) | every "last" (ms) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
$ROW_KILL
$ROW_STOP

- Command: \`bench/router-failover.sh $ROUNDS\` (python \`bench/failover-probe.py\` sends the signal
  and asks the router).
- Target (issue 4): an edge killed or frozen gets no new viewer within 3 s. Resolution: 20 ms plus
  one request's time.
- Machine: $(machine_notes).
MD
echo "results written to docs/benchmarks.md" >&2
