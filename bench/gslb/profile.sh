#!/usr/bin/env bash
# Instructions per answer of `gslb serve` on the GSLB benchmark's data, under
# valgrind's callgrind: static names vs GSLB names, both with per-query ECS.
# Instruction counts do not depend on machine load, so this is the figure to
# compare between commits on a busy machine.
#
# usage: bench/gslb/profile.sh [--queries N] [--subnets N] [--gslb PATH] [--out DIR]
#   --queries N   answers counted per corpus (default 20000, max 200000)
#   --subnets N   distinct client /24s in the corpora (default 20000, as run.sh)
#   --out DIR     keep callgrind.<corpus>.out there (default: a temporary directory)
# Prints, per corpus, user-space instructions per answered query and the top
# functions by self cost. Kernel work (the socket path) is not counted.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=gslb/profile.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
DNS=$REPO/bench/dns
QUERIES=20000
SUBNETS=20000
OUT=""
parse_args "--queries QUERIES" "--subnets SUBNETS" "--gslb GSLB" "--out OUT" -- "$@"
need_range --queries "$QUERIES" 1 200000
need_range --subnets "$SUBNETS" 1 1000000
[ -x "$GSLB" ] || die "no gslb binary at $GSLB (build it first)"
need_tools valgrind
scratch_dir "$(mktemp -d /tmp/gslb-profile-XXXXXX)"
OUT=${OUT:-$RUN/out}
mkdir -p "$OUT"
SERVER_PID=""
stop_processes() { [ -z "$SERVER_PID" ] || stop_pid "$SERVER_PID"; }

"${CXX:-c++}" -O2 -std=c++20 -o "$RUN/ecsperf" "$HERE/ecsperf.cpp"
perl "$HERE/make_bench_mmdb.pl" "$RUN/bench.mmdb" 2> /dev/null
mkdir -p "$RUN/zones"
python3 "$DNS/genzone.py" --hosts 1000 -o "$RUN/zones/example.test.zone"
python3 "$DNS/genqueries.py" --hosts 1000 --count 20000 --seed 1 -o "$RUN/static-names.txt"
python3 "$HERE/gencorpus.py" --static "$RUN/static-names.txt" --subnets "$SUBNETS" -o "$RUN/static.txt"
python3 "$HERE/gencorpus.py" --names geo,wrr,fo --count 30000 --subnets "$SUBNETS" -o "$RUN/gslb.txt"
# No health-check target here: `fo` members stay up until a check fails,
# and the checker's work is not on the query path anyway.
sed -e "s|@HCPORT@|9|g" "$HERE/conf/example.test.gslb.yaml.in" > "$RUN/zones/example.test.gslb.yaml"

for corpus in static gslb; do
  # A fresh server per corpus, instrumentation off until warmed up (start-up,
  # loading and the first touches of the per-thread caches are not counted),
  # then exactly QUERIES answers sent a few at a time (none dropped under
  # valgrind); the profile is written when the server exits.
  port=$(python3 "$DNS/dnsprobe.py" free-port)
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.$corpus.out" \
    "$GSLB" serve --zones "$RUN/zones" --listen "127.0.0.1:$port" --workers 1 --geoip "$RUN/bench.mmdb" \
    > "$RUN/server.log" 2>&1 &
  SERVER_PID=$!
  python3 "$DNS/dnsprobe.py" wait-soa "$port" 120 > /dev/null || die "gslb did not start: $(tail -5 "$RUN/server.log")"
  "$RUN/ecsperf" -s 127.0.0.1 -p "$port" -d "$RUN/$corpus.txt" -n 30000 -q 4 -t 5000 -l 120 > /dev/null
  callgrind_control -i on "$SERVER_PID" > /dev/null
  result=$("$RUN/ecsperf" -s 127.0.0.1 -p "$port" -d "$RUN/$corpus.txt" -n "$QUERIES" -q 4 -t 5000 -l 120)
  callgrind_control -i off "$SERVER_PID" > /dev/null
  stop_pid "$SERVER_PID" TERM 60 # valgrind writes the profile as it exits
  SERVER_PID=""
  answered=${result#*completed=}
  answered=${answered%% *}
  total=$(callgrind_total "$OUT/callgrind.$corpus.out")
  echo "== $corpus: $answered answers, $(awk -v t="$total" -v n="$answered" 'BEGIN {printf "%.0f", t / n}') instructions per answer"
  callgrind_annotate "$OUT/callgrind.$corpus.out" 2> /dev/null | awk '/file:function/ {on = 1; next} on && NF' |
    head -n 20 | sed -E 's/\[[^]]*\]$//; s/\(([^()]|\([^()]*\))*\)//g' | cut -c1-150 || true # head ends the pipe early
done
