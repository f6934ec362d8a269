#!/usr/bin/env bash
# Router DNS throughput: dnsperf against the authoritative DNS server on loopback, a warm-up run,
# then one run of A/AAAA queries without ECS and one with an EDNS Client Subnet option. The server
# is DnsBenchServer (test scope of geo-router): DnsServer with a fixed selector over 100 fake edges,
# a stand-in until `relay router` exists. dnsperf shares the 2 cores with the server.
#
# Usage: bench/dns-qps.sh [SECONDS]   (default 15 per measured run)
# Needs: java 17, maven, dnsperf (apt-get install -y dnsperf).
# Writes the results into docs/benchmarks.md (section router-dns).
source "$(dirname "$0")/common.sh"
command -v dnsperf >/dev/null || { echo "missing dnsperf (apt-get install -y dnsperf)" >&2; exit 2; }

SECONDS_MEASURED="${1:-15}"
CLIENTS=4
OUTSTANDING=200
WORK="$(mktemp -d /tmp/relay-dns-qps.XXXXXX)"
echo "work dir $WORK" >&2

(cd "$REPO_DIR" && mvn -q -B -pl common,geo-router test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt")
CP="$REPO_DIR/geo-router/target/classes:$REPO_DIR/geo-router/target/test-classes:$(cat "$WORK/cp.txt")"

start dns-bench-server "$WORK/server.log" \
  java -Xmx256m -cp "$CP" dev.segmentrelay.georouter.dns.DnsBenchServer 0 live.bench.test
PORT=""
for _ in $(seq 1 100); do
  PORT="$(grep -o 'DNS_PORT=[0-9]*' "$WORK/server.log" | cut -d= -f2 || true)"
  [[ -n "$PORT" ]] && break
  sleep 0.2
done
[[ -n "$PORT" ]] || { echo "server did not start:" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
echo "DNS server on 127.0.0.1 port $PORT" >&2

printf 'live.bench.test A\nlive.bench.test AAAA\n' > "$WORK/queries.txt"
# ECS option 8: family 1, source 24, scope 0, 198.51.100 (dnsperf -E takes code:hex).
ECS="8:00011800c63364"

# perf NAME SECONDS [EXTRA...]: one dnsperf run, output kept in $WORK/NAME.txt
perf() {
  local name="$1" seconds="$2"; shift 2
  timeout $((seconds + 30)) dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/queries.txt" \
    -l "$seconds" -c "$CLIENTS" -T 1 -q "$OUTSTANDING" "$@" > "$WORK/$name.txt" 2>&1
}
field() { grep "$2" "$WORK/$1.txt" | head -1 | sed 's/.*: *//' ; }

perf warmup 10 -E "$ECS"
perf plain "$SECONDS_MEASURED"
perf ecs "$SECONDS_MEASURED" -E "$ECS"

row() {
  local name="$1" label="$2" qps lat lost codes
  qps="$(field "$name" 'Queries per second' | awk '{printf "%.0f", $1}')"
  lat="$(field "$name" 'Average Latency' | awk '{printf "%.2f ms (max %.2f ms)", $1 * 1000, $5 * 1000}' FS='[ ,()]+')"
  lost="$(field "$name" 'Queries lost' | awk '{print $1}')"
  codes="$(field "$name" 'Response codes')"
  echo "| $label | **$qps** | $lat | $lost | $codes |"
}
PLAIN_ROW="$(row plain 'A/AAAA, no EDNS')"
ECS_ROW="$(row ecs 'A/AAAA with ECS 198.51.100.0/24')"
echo "$PLAIN_ROW" >&2
echo "$ECS_ROW" >&2
EPOLL="$(grep -o 'epoll\|nio' "$WORK/server.log" | head -1)"

python3 "$BENCH_DIR/write_results.py" router-dns "$REPO_DIR/docs/benchmarks.md" <<MD
## Router: DNS (\`bench/dns-qps.sh\`)

\`dnsperf\` against the router's authoritative DNS server on 127.0.0.1 (UDP, $EPOLL transport, one
socket per core with SO_REUSEPORT), answering A and AAAA (alternating) for one name with a
selector over 100 fake edges, $CLIENTS dnsperf clients with $OUTSTANDING queries outstanding, $SECONDS_MEASURED s
per run after a 10-s warm-up, dnsperf on the same 2 cores. Measured $(date -u +%Y-%m-%dT%H:%MZ).

| queries | answers/s | average latency | lost | response codes |
| --- | ---: | ---: | ---: | --- |
$PLAIN_ROW
$ECS_ROW

- Command: \`bench/dns-qps.sh $SECONDS_MEASURED\`, which runs
  \`dnsperf -s 127.0.0.1 -p PORT -d queries.txt -l $SECONDS_MEASURED -c $CLIENTS -T 1 -q $OUTSTANDING [-E $ECS]\`
  against \`java -Xmx256m -cp … dev.segmentrelay.georouter.dns.DnsBenchServer\` (test scope of
  geo-router: \`DnsServer\` with a fixed selector, until \`relay router\` serves DNS).
- Target (issue 4): at least 20,000 answers/s on this 2-core machine.
- dnsperf reports no latency percentiles; latency here is mostly queueing inside dnsperf's window
  of $OUTSTANDING outstanding queries on a saturated machine.
- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(java -version 2>&1 | head -1), dnsperf $(dnsperf -h 2>&1 | grep -m1 Version | awk "{print \$2}"), git $(git -C "$REPO_DIR" rev-parse --short HEAD).
MD
echo "results written to docs/benchmarks.md" >&2
