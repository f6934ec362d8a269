#!/usr/bin/env bash
# What an S3-tier hit costs over a memory hit at the edge (issue 6: at most 2 ms more at p50 on
# loopback): a real edge (EdgeMain.start) with the overflow tier in front of a loopback S3Proxy,
# 100 KiB and 1 MiB segments, each requested twice in a row (S3, then HIT), sequential, keep-alive
# (edge's EdgeS3HitBench), after 2,000 untimed pairs that warm the edge's S3 path. Bounded:
# ITERATIONS pairs per size (default 1500) and a 600 s timeout.
# Usage: bench/edge-s3-hit.sh [ITERATIONS] [SIZES in bytes, comma-separated]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ITERATIONS="${1:-1500}"
SIZES="${2:-102400,1048576}"
CP_FILE="$(mktemp)"
trap 'rm -f "$CP_FILE"' EXIT
# One reactor run (common and origin resolve from their target folders, nothing is installed); the
# classpath file is written per module in reactor order, so edge's comes last.
mvn -q -B -pl common,origin,edge test-compile dependency:copy@s3proxy-jar \
  dependency:build-classpath -DskipITs=false -Dspotless.check.skip=true \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
WORK="edge/target/bench/edge-s3-hit"
S3PROXY_JAR="$(ls edge/target/s3proxy/s3proxy.jar common/target/s3proxy/s3proxy.jar \
  dist/target/lib/s3proxy.jar 2>/dev/null | head -1 || true)"
[[ -n "$S3PROXY_JAR" ]] || { echo "no s3proxy.jar: run mvn -q -B -DskipTests package first" >&2; exit 2; }
rm -rf "$WORK" && mkdir -p "$WORK"
timeout 600 java -Xmx512m -XX:MaxDirectMemorySize=512m \
  -Drelay.s3proxy.jar="$S3PROXY_JAR" \
  -Dlogback.configurationFile=${LOGBACK:-common/src/test/resources/registry-member-logback.xml} \
  -cp "edge/target/test-classes:edge/target/classes:common/target/test-classes:common/target/classes:$(cat "$CP_FILE")" \
  dev.segmentrelay.edge.EdgeS3HitBench "$WORK" "$ITERATIONS" "$SIZES" 2> "$WORK.stderr" | tee "$WORK.md"
