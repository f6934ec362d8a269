#!/usr/bin/env bash
# DNS throughput of the real router: dnsperf against `relay router --dns-port P --dns-name
# live.bench.test` in a real network (bench/router-net.sh: origin, router, 3 edges as Hazelcast
# members) with 100 more edges reported by FakeEdges, so every answer is a real selection over 103
# edges (router-side location of the ECS subnet, or of the resolver's address without ECS).
# A 10-s warm-up, then A/AAAA without EDNS and with ECS (Sydney, 198.18.128.0/24).
# Compare bench/dns-qps.sh (the DNS server alone with a fixed selector).
#
# Usage: bench/router-dns-qps.sh [SECONDS]   (default 15 per measured run)
# Needs: java 17, dnsperf, ffmpeg, python3, curl, and the jar (mvn -q -B package -DskipTests).
# Writes the results into docs/benchmarks.md (section router-dns-live).
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/router-net.sh"
require dnsperf dig ffmpeg python3 curl

SECONDS_MEASURED="${1:-15}"
CLIENTS=4
OUTSTANDING=200
ROUTER_JVM=(-Xms512m -Xmx512m)
WORK="$(mktemp -d /tmp/relay-router-dns.XXXXXX)"
echo "work dir $WORK" >&2
DNS_PORT=$(free_port)

net_init "$WORK"
net_start_origin
net_start_router --dns-port "$DNS_PORT" --dns-name live.bench.test
for i in 0 1 2; do net_start_edge "$i"; done
net_start_fakes 100
net_wait_routable 103 120
SAMPLE="$(dig @127.0.0.1 -p "$DNS_PORT" live.bench.test A +subnet=198.18.128.0/24 +short +time=2 +tries=1)"
echo "sample answer for a Sydney subnet: $SAMPLE" >&2

printf 'live.bench.test A\nlive.bench.test AAAA\n' > "$WORK/queries.txt"
ECS="8:00011800c61280" # family 1, source 24, scope 0, 198.18.128 (Sydney in the demo database)
perf() {
  local name="$1" seconds="$2"; shift 2
  timeout $((seconds + 30)) dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$WORK/queries.txt" \
    -l "$seconds" -c "$CLIENTS" -T 1 -q "$OUTSTANDING" "$@" > "$WORK/$name.txt" 2>&1
}
field() { grep "$2" "$WORK/$1.txt" | head -1 | sed 's/.*: *//' ; }
row() {
  local name="$1" label="$2" qps lat lost codes
  qps="$(field "$name" 'Queries per second' | awk '{printf "%.0f", $1}')"
  lat="$(field "$name" 'Average Latency' | awk '{printf "%.2f ms (max %.2f ms)", $1 * 1000, $5 * 1000}' FS='[ ,()]+')"
  lost="$(field "$name" 'Queries lost' | awk '{print $1}')"
  codes="$(field "$name" 'Response codes')"
  echo "| $label | **$qps** | $lat | $lost | $codes | $4 |"
}
L0="$(cut -d' ' -f1 /proc/loadavg)"; perf warmup 10 -E "$ECS"
L1="$(cut -d' ' -f1 /proc/loadavg)"; perf plain "$SECONDS_MEASURED"
L2="$(cut -d' ' -f1 /proc/loadavg)"; perf ecs "$SECONDS_MEASURED" -E "$ECS"
PLAIN_ROW="$(row plain 'A/AAAA, no EDNS' x "$L1")"
ECS_ROW="$(row ecs 'A/AAAA with ECS 198.18.128.0/24' x "$L2")"
echo "$PLAIN_ROW" >&2
echo "$ECS_ROW" >&2

python3 "$BENCH_DIR/write_results.py" router-dns-live "$REPO_DIR/docs/benchmarks.md" <<MD
### DNS through the real router (\`bench/router-dns-qps.sh\`)

\`dnsperf\` against \`relay router --dns-port P --dns-name live.bench.test\` (\`java ${ROUTER_JVM[*]} -jar\`)
in a real network on loopback: origin, 3 \`relay edge\` processes and 100 fake edges (\`FakeEdges\`), all
Hazelcast members, so each answer is a real selection over 103 edges with the demo GeoIP database.
A and AAAA alternating (the edges have IPv4 addresses only: AAAA answers are NOERROR without
records), $CLIENTS dnsperf clients, $OUTSTANDING outstanding, $SECONDS_MEASURED s per run after a 10-s warm-up,
dnsperf on the same 2 cores. A Sydney subnet is answered \`$SAMPLE\`. Measured $(date -u +%Y-%m-%dT%H:%MZ).

| queries | answers/s | average latency | lost | response codes | load avg before |
| --- | ---: | ---: | ---: | --- | ---: |
$PLAIN_ROW
$ECS_ROW

- Command: \`bench/router-dns-qps.sh $SECONDS_MEASURED\`, which runs \`dnsperf -s 127.0.0.1 -p PORT -d queries.txt
  -l $SECONDS_MEASURED -c $CLIENTS -T 1 -q $OUTSTANDING [-E $ECS]\`.
- Target (issue 4): at least 20,000 answers/s.
- Machine: $(machine_notes), dnsperf $(dnsperf -h 2>&1 | grep -m1 Version | awk '{print $2}').
MD
echo "results written to docs/benchmarks.md" >&2
