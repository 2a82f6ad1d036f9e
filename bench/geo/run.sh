#!/usr/bin/env bash
# run.sh [BUILD_DIR] [regions] [rules]: build and run the geo micro-benchmark
# against the gslb static libraries in BUILD_DIR (default build/), on the
# committed test City database. Takes a few seconds; pins itself to one CPU
# when taskset is available.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
regions=${2:-16}
rules=${3:-1000}
cmake --build "$build" --target gslb_geo gslb_base >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
c++ -std=c++20 -O2 -DNDEBUG -I"$root" "$root/bench/geo/geo_bench.cpp" \
  "$build/libgslb_geo.a" "$build/libgslb_base.a" -lmaxminddb -pthread -o "$out/geo_bench"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
echo "# geo micro-benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"${pin[@]}" "$out/geo_bench" "$root/tests/data/geo/test-city.mmdb" "$regions" "$rules"
