#!/usr/bin/env bash
# Latency of an S3-tier hit on loopback: S3Store.get of a 100 KiB and a 1 MiB object from S3Proxy
# (child JVM, filesystem backend), p50/p90/p99, with the bare SDK call and the CRC32C for
# attribution (common's S3GetBench). Bounded: ITERATIONS sequential GETs per row (default 2000).
# Usage: bench/s3-store.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ITERATIONS="${1:-2000}"
mvn -q -B -pl common test-compile dependency:copy@s3proxy-jar -DskipITs=false
CP_FILE="$(mktemp)"
trap 'rm -f "$CP_FILE"' EXIT
mvn -q -B -pl common dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
WORK="common/target/bench/s3-store"
rm -rf "$WORK" && mkdir -p "$WORK"
# INFO on stderr (logback's default is DEBUG on stdout, which would time the SDK's logging).
timeout 600 java -Xmx512m -Drelay.s3proxy.jar=common/target/s3proxy/s3proxy.jar \
  -Dlogback.configurationFile=common/src/test/resources/registry-member-logback.xml \
  -cp "common/target/test-classes:common/target/classes:$(cat "$CP_FILE")" \
  dev.segmentrelay.common.s3.S3GetBench "$WORK" "$ITERATIONS" 2> "$WORK.stderr" | tee "$WORK.md"
