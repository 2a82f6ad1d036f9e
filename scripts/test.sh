#!/usr/bin/env bash
# test.sh: build and run the whole test suite — the optimised build (unit,
# integration, short fuzz runs), then the ASan+UBSan build (unit and
# integration tests again, under the sanitizers).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/build.sh" "$root/build"
"$root/scripts/build.sh" "$root/build-asan" -DGSLB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# The fuzz tree builds only the fuzz targets (libFuzzer needs clang).
if [[ ! -f $root/build-fuzz/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DGSLB_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$root/build-fuzz" -j "$jobs" --target fuzz_all
status=0
echo "=== tests: optimised build ==="
(cd "$root/build" && ctest --output-on-failure -j "$jobs") || status=1
echo "=== tests: ASan+UBSan build ==="
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs") || status=1
echo "=== tests: fuzz targets (short runs) ==="
(cd "$root/build-fuzz" && ctest --output-on-failure -L fuzz --no-tests=ignore) || status=1
exit $status
