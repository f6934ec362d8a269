#!/usr/bin/env bash
# Registry failure detection: how long after a `kill -9` or a `SIGSTOP` of an edge's JVM a watcher
# in another JVM (a router, in production) is told the edge is gone, and how long after `SIGCONT`
# the edge is back. Runs HazelcastRegistryIT RUNS times (about 40 s each) and prints its
# [cluster-figures] lines. The edge reports with a 30 s time to live, so removals within seconds
# come from the membership listener, not from expiry.
#
# Usage: bench/cluster-failover.sh [RUNS]   (default 3)
# Needs: java 17, maven. Bounded: each IT run has a 90 s timeout per test.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
for i in $(seq "$RUNS"); do
  mvn -B -q verify -pl common -Dit.test=HazelcastRegistryIT -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | grep '\[cluster-figures\]' || {
    echo "run $i failed; see common/target/failsafe-reports" >&2
    exit 1
  }
done
