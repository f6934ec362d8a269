#!/usr/bin/env bash
# Regenerates the demo GeoIP database shipped inside relay.jar from demo-geoip.json, with
# MaxMind's own writer (apt-get install libmaxmind-db-writer-perl). Run from anywhere:
#   infra/geoip/make-demo-db.sh [OUT.mmdb]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/dist/src/main/resources/dev/segmentrelay/dist/demo/demo-geoip.mmdb}"
if ! perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null; then
  echo "MaxMind::DB::Writer is missing: apt-get install libmaxmind-db-writer-perl" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
perl "$here/write-mmdb.pl" "$here/demo-geoip.json" "$out"
