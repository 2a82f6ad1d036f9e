#!/usr/bin/env bash
# DNS benchmark: gslb side by side with NSD, Knot DNS and gdnsd (see bench/README.md).
#
# usage: bench/dns/run.sh [options]
#   --servers LIST   comma list out of nsd,knot,gdnsd,gslb (default: all four; gslb is
#                    dropped with a warning when its binary is missing)
#   --rounds N       alternating rounds, every server once per round (default 3, max 10)
#   --duration S     seconds of dnsperf per server per round (default 10, max 60)
#   --gslb PATH      gslb binary (default: $GSLB or build/gslb of this checkout)
#   --out DIR        where raw outputs go (default bench/dns/results/raw/<timestamp>);
#                    the markdown summary is DIR/summary.md and is printed
#   --client NAME    load generator: dnsperf (default) or ecsperf (bench/gslb/ecsperf.cpp,
#                    built here: sendmmsg/recvmmsg, one connected socket, every query with
#                    an OPT RR; about twice dnsperf's rate on one core, so the servers, not
#                    the client, saturate)
#   --bigzone        instead of throughput: start each server (default gslb,knot,nsd) on
#                    a zone of --records A/AAAA records, time start -> first SOA answer,
#                    read VmRSS/VmHWM
#   --records N      size of the big zone (default 1000000)
# env: SERVER_CPU (default 0), CLIENT_CPU (default 1), CLIENTS (dnsperf -c, default 8),
#      OUTSTANDING (dnsperf -q, default 256)
#
# Method: every server runs pinned to SERVER_CPU with one worker, dnsperf pinned to
# CLIENT_CPU; all servers are started once on the same zone and free loopback ports,
# then every round runs dnsperf against each server in turn with the same query
# file. Around each dnsperf run the server's CPU time (utime+stime of its process
# tree, /proc/PID/stat) is read, so the summary can give CPU time per answered query
# even where dnsperf, not the server, is the bottleneck.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=run.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
SERVERS=""
ROUNDS=3
DURATION=10
OUT=""
MODE=qps
CLIENT=dnsperf
RECORDS=1000000
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
CLIENTS=${CLIENTS:-8}
OUTSTANDING=${OUTSTANDING:-256}

parse_args "--servers SERVERS" "--rounds ROUNDS" "--duration DURATION" "--gslb GSLB" "--out OUT" \
  "--bigzone MODE=bigzone" "--client CLIENT" "--records RECORDS" -- "$@"
need_range --rounds "$ROUNDS" 1 10
need_range --duration "$DURATION" 1 60
need_range --records "$RECORDS" 1 5000000
if [ -z "$SERVERS" ]; then
  if [ "$MODE" = bigzone ]; then SERVERS=gslb,knot,nsd; else SERVERS=nsd,knot,gdnsd,gslb; fi
fi
IFS=, read -r -a LIST <<< "$SERVERS"
SELECTED=()
for s in "${LIST[@]}"; do
  case "$s" in
    nsd) command -v nsd > /dev/null || die "nsd not installed" ;;
    knot) command -v knotd > /dev/null || die "knotd not installed" ;;
    gdnsd) command -v gdnsd > /dev/null || die "gdnsd not installed" ;;
    gslb)
      if ! gslb_has serve; then
        echo "run.sh: warning: $GSLB is missing or has no 'serve' command; gslb skipped" >&2
        continue
      fi ;;
    *) die "unknown server: $s" ;;
  esac
  SELECTED+=("$s")
done
[ ${#SELECTED[@]} -gt 0 ] || die "no server to run"
command -v dnsperf > /dev/null || [ "$MODE" = bigzone ] || die "dnsperf not installed"

OUT=$(out_dir "${OUT:-$HERE/results/raw/$(date -u +%Y%m%d-%H%M%S)}")
scratch_dir /tmp/gslb-bench-$$

declare -A PID PORT
stop_processes() {
  local s
  for s in "${!PID[@]}"; do stop_pid "${PID[$s]}"; done
}

render() { # render TEMPLATE DEST DIR PORT ZONEFILE
  sed -e "s|@RUNDIR@|$3|g" -e "s|@PORT@|$4|g" -e "s|@ZONEFILE@|$5|g" "$1" > "$2"
}

# start_server NAME ZONEFILE: starts NAME pinned to SERVER_CPU with one worker on a
# free port, waits (bounded) for its first SOA answer and appends
# "NAME load_s cpu_s VmRSS_kB VmHWM_kB tree_RSS_kB tree_PSS_kB" to $OUT/memory.txt, where
# VmRSS/VmHWM are those of the largest process of the tree (NSD forks its server).
start_server() {
  local name=$1 zone=$2 dir="$RUN/$1" port t0 t1 pid
  rm -rf "$dir"
  mkdir -p "$dir/zones"
  port=$(python3 "$HERE/dnsprobe.py" free-port)
  local pin=(taskset -c "$SERVER_CPU")
  case "$name" in
    nsd)
      render "$HERE/conf/nsd.conf.in" "$dir/nsd.conf" "$dir" "$port" "$zone"
      t0=$(date +%s%N)
      "${pin[@]}" nsd -d -c "$dir/nsd.conf" > "$dir/out.log" 2>&1 &
      ;;
    knot)
      render "$HERE/conf/knot.conf.in" "$dir/knot.conf" "$dir" "$port" "$zone"
      t0=$(date +%s%N)
      "${pin[@]}" knotd -c "$dir/knot.conf" > "$dir/out.log" 2>&1 &
      ;;
    gdnsd)
      render "$HERE/conf/gdnsd.conf.in" "$dir/config" "$dir" "$port" "$zone"
      # gdnsd reads every file in config/zones/, named after the zone
      ln -s "$zone" "$dir/zones/example.test"
      t0=$(date +%s%N)
      "${pin[@]}" gdnsd -c "$dir" start > "$dir/out.log" 2>&1 &
      ;;
    gslb)
      # gslb serves every <origin>.zone file in --zones DIR
      ln -s "$zone" "$dir/zones/example.test.zone"
      t0=$(date +%s%N)
      "${pin[@]}" "$GSLB" serve --zones "$dir/zones" --listen "127.0.0.1:$port" --workers 1 \
        > "$dir/out.log" 2>&1 &
      ;;
  esac
  pid=$!
  PID[$name]=$pid
  PORT[$name]=$port
  if ! python3 "$HERE/dnsprobe.py" wait-soa "$port" 300 > /dev/null; then
    echo "run.sh: $name did not answer on 127.0.0.1:$port within 300 s; its log:" >&2
    tail -n 20 "$dir/out.log" >&2 || true
    return 1
  fi
  t1=$(date +%s%N)
  kill -0 "$pid" 2> /dev/null || { echo "run.sh: $name exited" >&2; return 1; }
  # CPU time spent so far (mostly loading), which unlike the wall time does not grow
  # when other processes compete for the CPU
  echo "$name $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
    "$(awk -v t="$(tree_ticks "$pid")" -v h="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / h}')" \
    "$(tree_kb "$pid" VmRSS max) $(tree_kb "$pid" VmHWM max) $(tree_kb "$pid" VmRSS) $(tree_pss_kb "$pid")" \
    >> "$OUT/memory.txt"
}
stop_server() {
  stop_pid "${PID[$1]}"
  unset "PID[$1]"
}

versions() {
  {
    host_info
    echo "nsd: $(nsd -v 2>&1 | head -n1)"
    echo "knot: $(knotd -V 2>&1 | head -n1)"
    echo "gdnsd: $(gdnsd -V 2>&1 | grep -m1 version)"
    echo "dnsperf: $(dpkg-query -W -f '${Version}' dnsperf 2> /dev/null || echo unknown)"
    if [ -x "$GSLB" ]; then
      echo "gslb: $(gslb_version "$GSLB")"
    fi
  } > "$OUT/versions.txt"
}

sanity() { # a few answers from every server, to show they serve the same data
  local s q
  for s in "${SELECTED[@]}"; do
    echo "== $s"
    for q in "host00002.example.test AAAA" "host00003.example.test AAAA" "ftp.example.test A" \
      "nx1.example.test A" "a.wild.example.test A" "www.sub.example.test A" "example.test MX"; do
      # shellcheck disable=SC2086
      echo "$q: $(kdig @127.0.0.1 -p "${PORT[$s]}" $q +norec +time=2 +retry=1 2>&1 |
        awk 'match($0, /status: [A-Z]+/) {st = substr($0, RSTART + 8, RLENGTH - 8)} /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION/ {sec = $2}
             /^[^;]/ && NF >= 5 {n[sec]++} END {printf "%s answer=%d authority=%d additional=%d", st,
             n["ANSWER"], n["AUTHORITY"], n["ADDITIONAL"]}')"
    done
  done > "$OUT/sanity.txt"
}

versions
: > "$OUT/memory.txt"

if [ "$MODE" = bigzone ]; then
  zone="$RUN/big/example.test.zone"
  mkdir -p "$RUN/big"
  python3 "$HERE/genzone.py" --records "$RECORDS" -o "$zone"
  echo "zone: $RECORDS A/AAAA records, $(wc -l < "$zone") lines, $(du -m "$zone" | cut -f1) MB" > "$OUT/bigzone.txt"
  last=$(awk '$1 ~ /^host/ {n = $1} END {print n}' "$zone")
  for s in "${SELECTED[@]}"; do
    echo "bigzone: $s" >&2
    if start_server "$s" "$zone"; then
      echo "$s $last A: $(kdig @127.0.0.1 -p "${PORT[$s]}" "$last.example.test" A +short +time=5 +retry=1)" \
        >> "$OUT/bigzone.txt"
    else
      echo "$s failed" >> "$OUT/bigzone.txt"
    fi
    stop_server "$s"
  done
  python3 "$HERE/summarize.py" --bigzone "$OUT" | tee "$OUT/summary.md"
  exit 0
fi

zone="$RUN/example.test.zone"
queries="$OUT/queries.txt"
python3 "$HERE/genzone.py" --hosts 1000 -o "$zone"
python3 "$HERE/genqueries.py" --hosts 1000 --count 20000 --seed 1 -o "$queries"
for s in "${SELECTED[@]}"; do start_server "$s" "$zone"; done
sanity

dnsperf_args() { # dnsperf_args PORT SECONDS
  echo -s 127.0.0.1 -p "$1" -d "$queries" -l "$2" -c "$CLIENTS" -q "$OUTSTANDING" -t 2
}
case "$CLIENT" in
  dnsperf) ;;
  ecsperf)
    cxx=${CXX:-$(command -v c++ || command -v g++ || true)}
    [ -n "$cxx" ] || die "no C++ compiler for ecsperf"
    "$cxx" -O2 -std=c++20 -Wall -o "$RUN/ecsperf" "$REPO/bench/gslb/ecsperf.cpp"
    ;;
  *) die "--client must be dnsperf or ecsperf" ;;
esac
# load PORT SECONDS: one bounded run of the client pinned to CLIENT_CPU;
# ecsperf's key=value line is restated in dnsperf's words so that summarize.py
# reads either.
load() {
  local pin=(timeout $(($2 + 30)) taskset -c "$CLIENT_CPU")
  if [ "$CLIENT" = dnsperf ]; then
    # shellcheck disable=SC2046
    "${pin[@]}" dnsperf $(dnsperf_args "$1" "$2")
    return
  fi
  "${pin[@]}" "$RUN/ecsperf" -s 127.0.0.1 -p "$1" -d "$queries" -l "$2" -q "$OUTSTANDING" -t 2000 | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END {
      printf "  Queries sent:         %d\n  Queries completed:    %d\n  Queries lost:         %d\n", v["sent"], v["completed"], v["lost"]
      printf "  Response codes:       NOERROR %d, NXDOMAIN %d, SERVFAIL %d\n", v["noerror"], v["nxdomain"], v["servfail"]
      printf "  Run time (s):         %s\n  Queries per second:   %s\n", v["seconds"], v["qps"]
      printf "  Average Latency (s):  %.6f\n", v["avg_latency_us"] / 1e6
    }'
}
if [ "$CLIENT" = dnsperf ]; then
  echo "server: taskset -c $SERVER_CPU <server> (one worker); client: taskset -c $CLIENT_CPU dnsperf" \
    "$(dnsperf_args PORT "$DURATION")" > "$OUT/commands.txt"
else
  echo "server: taskset -c $SERVER_CPU <server> (one worker); client: taskset -c $CLIENT_CPU ecsperf" \
    "-s 127.0.0.1 -p PORT -d $queries -l $DURATION -q $OUTSTANDING -t 2000 (no ECS: OPT only)" > "$OUT/commands.txt"
fi
# warm-up, not recorded: first touches of the zone data and socket buffers
for s in "${SELECTED[@]}"; do
  (load "${PORT[$s]}" 1 > /dev/null 2>&1 || true)
done
clk_tck=$(getconf CLK_TCK)
n=${#SELECTED[@]}
for r in $(seq 1 "$ROUNDS"); do
  # rotate the order every round so that no server always runs right after another one
  for i in $(seq 0 $((n - 1))); do
    s=${SELECTED[$(((i + r - 1) % n))]}
    echo "round $r/$ROUNDS: $s" >&2
    f="$OUT/$s.r$r.txt"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    sc0=$(cpu_ticks "$SERVER_CPU")
    cc0=$(cpu_ticks "$CLIENT_CPU")
    k0=$(tree_ticks "${PID[$s]}")
    u0=$(tree_ticks "${PID[$s]}" user)
    w0=$(date +%s%N)
    load "${PORT[$s]}" "$DURATION" > "$f" 2>&1 || echo "run.sh: $CLIENT failed against $s" >&2
    w1=$(date +%s%N)
    k1=$(tree_ticks "${PID[$s]}")
    u1=$(tree_ticks "${PID[$s]}" user)
    sc1=$(cpu_ticks "$SERVER_CPU")
    cc1=$(cpu_ticks "$CLIENT_CPU")
    kill -0 "${PID[$s]}" 2> /dev/null || { echo "run.sh: $s died during round $r" >&2; exit 1; }
    echo "BENCH server=$s round=$r ticks=$((k1 - k0)) user_ticks=$((u1 - u0)) clk_tck=$clk_tck" \
      "wall_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
      "server_cpu_ticks=$((sc1 - sc0)) client_cpu_ticks=$((cc1 - cc0)) loadavg_before=${load// /,}" >> "$f"
  done
done
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
