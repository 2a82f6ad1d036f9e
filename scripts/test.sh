#!/usr/bin/env bash
# test.sh: build and run the whole test suite — the optimised build (unit,
# integration), the ASan+UBSan build (the same tests under the sanitizers), and
# short bounded runs of the libFuzzer targets. Ends with one total line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

"$root/scripts/build.sh" "$root/build"
"$root/scripts/build.sh" "$root/build-asan" -DGSLB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# The fuzz tree builds only the fuzz targets (libFuzzer needs clang).
if [[ ! -f $root/build-fuzz/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DGSLB_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$root/build-fuzz" -j "$jobs" --target fuzz_all

status=0
run_ctest() {  # run_ctest NAME DIR [ctest args...]
  local name=$1 dir=$2
  shift 2
  echo "=== tests: $name ==="
  (cd "$dir" && ctest --output-on-failure "$@") 2>&1 | tee "$logs/$name.log" || true
  # ctest's exit status is lost through tee; its summary line is authoritative.
  if grep -q "tests failed out of" "$logs/$name.log" && ! grep -q " 0 tests failed out of" "$logs/$name.log"; then
    status=1
  fi
  if grep -q "Errors while running CTest" "$logs/$name.log"; then status=1; fi
}
run_ctest optimised "$root/build" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest sanitizers "$root/build-asan" -j "$jobs"
run_ctest fuzz "$root/build-fuzz" -L fuzz --no-tests=ignore

total=0 failed=0
for f in "$logs"/*.log; do
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$f" | tail -1 || true)
  [[ -z $line ]] && continue
  n=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  k=$(sed -E 's/.*, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  total=$((total + n))
  failed=$((failed + k))
done
echo
echo "total: $((total - failed)) passed, $failed failed"
exit $status
