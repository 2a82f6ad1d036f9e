#!/usr/bin/env bash
# Where does `gslb serve` spend its time answering the benchmark queries?
#
# usage: bench/dns/profile.sh [--tool callgrind|perf] [--queries N] [--gslb PATH] [--out DIR]
#   --tool callgrind   (default) run gslb under valgrind's callgrind with collection
#                      switched on only while dnsperf sends exactly --queries queries
#                      (rate-limited so none are dropped): deterministic instruction counts
#   --tool perf        run gslb normally (pinned to CPU 0) and sample it with
#                      `perf record -g` during a 10 s dnsperf run
#   --queries N        queries sent under callgrind (default 20000: the query file once)
#   --no-compare       callgrind: skip the same measurement on Knot DNS (done by default,
#                      so that gslb's instructions per query come with a reference figure)
#   --out DIR          keep the raw profile there (default bench/dns/results/raw/profile-<time>)
# Prints the top functions by self cost (file:function) and writes them to DIR/top.txt.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=profile.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
TOOL=callgrind
QUERIES=20000
OUT=""
COMPARE=1
parse_args "--tool TOOL" "--queries QUERIES" "--gslb GSLB" "--out OUT" "--no-compare COMPARE=0" -- "$@"
need_range --queries "$QUERIES" 1 1000000
[ -x "$GSLB" ] || die "no gslb binary at $GSLB (build it first)"
case "$TOOL" in
  callgrind) need_tools valgrind ;;
  perf) need_tools perf ;;
  *) die "--tool must be callgrind or perf" ;;
esac
OUT=$(out_dir "${OUT:-$HERE/results/raw/profile-$(date -u +%Y%m%d-%H%M%S)}")
scratch_dir /tmp/gslb-bench-$$
mkdir -p "$RUN/zones"

SERVER_PID=""
stop_processes() { [ -z "$SERVER_PID" ] || stop_pid "$SERVER_PID"; }

python3 "$HERE/genzone.py" --hosts 1000 -o "$RUN/zones/example.test.zone"
python3 "$HERE/genqueries.py" --hosts 1000 --count 20000 --seed 1 -o "$RUN/queries.txt"
port=$(python3 "$HERE/dnsprobe.py" free-port)
serve=("$GSLB" serve --zones "$RUN/zones" --listen "127.0.0.1:$port" --workers 1)

# callgrind_run NAME PORT CMD...: NAME's user-space instructions for QUERIES queries
callgrind_run() {
  local name=$1 p=$2 rounds
  shift 2
  # instrumentation starts off so that start-up and zone loading are not counted
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/$name.callgrind" \
    "$@" > "$RUN/$name.log" 2>&1 &
  SERVER_PID=$!
  python3 "$HERE/dnsprobe.py" wait-soa "$p" 120 > /dev/null || die "$name did not answer under valgrind"
  callgrind_control -i on "$SERVER_PID" > /dev/null 2>&1
  # whole passes over the query file, at a bounded rate so that the slowed server drops none
  rounds=$(((QUERIES + 19999) / 20000))
  head -n "$QUERIES" "$RUN/queries.txt" > "$RUN/q.txt"
  timeout 900 dnsperf -s 127.0.0.1 -p "$p" -d "$RUN/q.txt" -n "$rounds" -c 1 -q 20 -Q 2000 -t 5 \
    > "$OUT/$name.dnsperf.txt" 2>&1 || die "dnsperf failed (see $OUT/$name.dnsperf.txt)"
  callgrind_control -i off "$SERVER_PID" > /dev/null 2>&1
  stop_pid "$SERVER_PID" TERM 60 # valgrind writes the profile as it exits
  SERVER_PID=""
  local answered ir
  answered=$(awk '/Queries completed:/ {print $3}' "$OUT/$name.dnsperf.txt")
  ir=$(callgrind_total "$OUT/$name.callgrind")
  echo "$name: $answered queries answered, $ir instructions, $((ir / (answered > 0 ? answered : 1))) instructions/query (user space)" \
    | tee -a "$OUT/summary.txt"
}

if [ "$TOOL" = callgrind ]; then
  : > "$OUT/summary.txt"
  callgrind_run gslb "$port" "${serve[@]}"
  if [ "$COMPARE" = 1 ] && command -v knotd > /dev/null; then
    kport=$(python3 "$HERE/dnsprobe.py" free-port)
    mkdir -p "$RUN/knot"
    sed -e "s|@RUNDIR@|$RUN/knot|g" -e "s|@PORT@|$kport|g" -e "s|@ZONEFILE@|$RUN/zones/example.test.zone|g" \
      "$HERE/conf/knot.conf.in" > "$RUN/knot/knot.conf"
    callgrind_run knot "$kport" knotd -c "$RUN/knot/knot.conf"
  fi
  callgrind_annotate --inclusive=no "$OUT/gslb.callgrind" 2> /dev/null | sed -n 1,50p > "$OUT/top.txt"
  callgrind_annotate --inclusive=yes "$OUT/gslb.callgrind" 2> /dev/null | sed -n 1,50p > "$OUT/top-inclusive.txt"
else
  taskset -c 0 "${serve[@]}" > "$RUN/server.log" 2>&1 &
  SERVER_PID=$!
  python3 "$HERE/dnsprobe.py" wait-soa "$port" 60 > /dev/null || die "gslb did not answer"
  perf record -F 999 -g -o "$OUT/perf.data" -p "$SERVER_PID" -- sleep 10 > /dev/null 2>&1 &
  perf_pid=$!
  timeout 40 taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$RUN/queries.txt" -l 9 -c 8 -q 256 -t 2 \
    > "$OUT/dnsperf.txt" 2>&1 || die "dnsperf failed"
  wait "$perf_pid" || true
  grep -E 'Queries (sent|completed|lost)|Queries per second' "$OUT/dnsperf.txt"
  perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio 2> /dev/null |
    grep -E '^ +[0-9]' | sed -n 1,40p > "$OUT/top.txt"
fi
cat "$OUT/top.txt"
echo "profile: $OUT" >&2
