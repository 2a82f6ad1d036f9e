#!/usr/bin/env bash
# GSLB benchmark: gslb's steered answers next to gdnsd's geoip/weighted/simplefo
# plugins and PowerDNS LUA records, every query with its own EDNS Client Subnet
# (see bench/README.md, "GSLB: gslb/run.sh").
#
# usage: bench/gslb/run.sh [options]
#   --rows LIST      comma list of rows, SERVER-CORPUS with SERVER gslb, gdnsd or
#                    pdns and CORPUS static or gslb (default:
#                    gslb-static,gslb-gslb,gdnsd-static,gdnsd-gslb,pdns-gslb)
#   --rounds N       alternating rounds, every row once per round (default 3, max 10)
#   --duration S     seconds of load per row per round (default 10, max 60)
#   --subnets N      distinct client /24s the ECS options are drawn from (default 20000)
#   --gslb PATH      gslb binary (default: $GSLB or build/gslb of this checkout)
#   --out DIR        raw outputs (default bench/gslb/results/raw/<timestamp>); the
#                    markdown summary is DIR/summary.md and is printed
# env: SERVER_CPU (default 0), CLIENT_CPU (default 1), OUTSTANDING (queries in
#      flight, default 256)
#
# Method. One zone, example.test (bench/dns/genzone.py: 1000 hosts, CNAME chain,
# wildcard, delegation), plus three GSLB names with the same members on every
# server: geo (nearest of five regions), wrr (weighted 50/30/20), fo (failover
# us-east -> eu-west, health-checked over HTTP against httpok.py on 127.0.1.1
# and 127.0.2.1). gslb reads conf/example.test.gslb.yaml.in, gdnsd
# conf/gdnsd.config.in (geoip auto_dc_coords, weighted, simplefo), PowerDNS
# conf/pdns.conf.in + conf/pdns-lua.rrs.in (bind backend, LUA pickclosest,
# pickwrandom, ifurlup; geoip backend for pickclosest's database). All three
# read the same synthetic GeoIP2-City database (make_bench_mmdb.pl, ~110k
# networks on six continents). Every server runs pinned to SERVER_CPU with one
# worker; the load tool (ecsperf.cpp, built here) pinned to CLIENT_CPU keeps
# OUTSTANDING queries in flight, each query with its own ECS /24 drawn from
# --subnets distinct client networks (dnsperf can only send one fixed -E
# option per run). Corpora (gencorpus.py, fixed seeds): "static" = the
# bench/dns query mix, "gslb" = geo/wrr/fo A in equal shares; both carry ECS.
# All servers start once; every round runs each row in turn, the order rotated
# every round, after an unrecorded 1 s warm-up per row. Around every run the
# server's time on CPU is read (process tree, all threads: the scheduler's
# nanosecond sum_exec_runtime from /proc/PID/task/*/schedstat, and utime/stime
# ticks from /proc/PID/stat for the user/system split): CPU per answer = that
# time / answers received, the figure that measures the server when the
# client's core, not the server's, is the bottleneck.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=gslb/run.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
DNS=$REPO/bench/dns
ROWS=gslb-static,gslb-gslb,gdnsd-static,gdnsd-gslb,pdns-gslb
ROUNDS=3
DURATION=10
SUBNETS=20000
OUT=""
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUTSTANDING=${OUTSTANDING:-256}

parse_args "--rows ROWS" "--rounds ROUNDS" "--duration DURATION" "--subnets SUBNETS" "--gslb GSLB" "--out OUT" -- "$@"
need_range --rounds "$ROUNDS" 1 10
need_range --duration "$DURATION" 1 60
need_range --subnets "$SUBNETS" 1 1000000
IFS=, read -r -a ROW_LIST <<< "$ROWS"
declare -A WANT
for row in "${ROW_LIST[@]}"; do
  [[ $row =~ ^(gslb|gdnsd|pdns)-(static|gslb)$ ]] || die "unknown row: $row"
  WANT[${row%-*}]=1
done
[ -z "${WANT[gdnsd]:-}" ] || command -v gdnsd > /dev/null || die "gdnsd not installed (apt-get install gdnsd)"
if [ -n "${WANT[pdns]:-}" ]; then
  command -v pdns_server > /dev/null || die "pdns_server not installed (see bench/README.md)"
  ls /usr/lib/*/pdns/libgeoipbackend.so > /dev/null 2>&1 ||
    die "PowerDNS geoip backend missing (apt-get install pdns-backend-geoip): LUA pickclosest needs it"
fi
if [ -n "${WANT[gslb]:-}" ]; then
  if ! gslb_has serve; then die "$GSLB missing (./scripts/build.sh)"; fi
fi
perl -MMaxMind::DB::Writer::Tree -e 1 2> /dev/null || die "perl MaxMind::DB::Writer missing (libmaxmind-db-writer-perl)"
command -v kdig > /dev/null || die "kdig missing (knot-dnsutils)"
CXX=${CXX:-$(command -v c++ || command -v g++ || true)}
[ -n "$CXX" ] || die "no C++ compiler for ecsperf"

OUT=$(out_dir "${OUT:-$HERE/results/raw/$(date -u +%Y%m%d-%H%M%S)}")
scratch_dir /tmp/gslb-gslbbench-$$

declare -A PID PORT
HTTP_PID=""
stop_processes() {
  local s
  for s in "${!PID[@]}"; do stop_pid "${PID[$s]}"; done
  [ -z "$HTTP_PID" ] || stop_pid "$HTTP_PID"
}

echo "preparing: ecsperf, database, zone, corpora" >&2
"$CXX" -O2 -std=c++20 -Wall -o "$RUN/ecsperf" "$HERE/ecsperf.cpp"
MMDB=$RUN/bench.mmdb
perl "$HERE/make_bench_mmdb.pl" "$MMDB" 2> "$OUT/mmdb.txt"
zone=$RUN/example.test.zone
python3 "$DNS/genzone.py" --hosts 1000 -o "$zone"
python3 "$DNS/genqueries.py" --hosts 1000 --count 20000 --seed 1 -o "$RUN/static-names.txt"
python3 "$HERE/gencorpus.py" --static "$RUN/static-names.txt" --subnets "$SUBNETS" -o "$OUT/static.txt"
python3 "$HERE/gencorpus.py" --names geo,wrr,fo --count 30000 --subnets "$SUBNETS" -o "$OUT/gslb.txt"

# Health-check target for `fo` on every server: HTTP 200 on 127.0.1.1 and 127.0.2.1.
python3 "$HERE/httpok.py" "$RUN/http.port" 127.0.1.1 127.0.2.1 > "$RUN/http.log" 2>&1 &
HTTP_PID=$!
for _ in $(seq 1 100); do [ -s "$RUN/http.port" ] && break; sleep 0.05; done
[ -s "$RUN/http.port" ] || die "httpok.py did not start: $(cat "$RUN/http.log")"
HCPORT=$(cat "$RUN/http.port")

render() { # render TEMPLATE DEST DIR PORT
  sed -e "s|@RUNDIR@|$3|g" -e "s|@PORT@|$4|g" -e "s|@GEOIPDB@|$MMDB|g" -e "s|@HCPORT@|$HCPORT|g" "$1" > "$2"
}

start_server() { # start_server NAME: pinned, one worker, free port; waits for its first SOA answer
  local name=$1 dir="$RUN/$1" port pin=(taskset -c "$SERVER_CPU")
  mkdir -p "$dir/zones"
  port=$(python3 "$DNS/dnsprobe.py" free-port)
  case "$name" in
    gslb)
      ln -s "$zone" "$dir/zones/example.test.zone"
      render "$HERE/conf/example.test.gslb.yaml.in" "$dir/zones/example.test.gslb.yaml" "$dir" "$port"
      "${pin[@]}" "$GSLB" serve --zones "$dir/zones" --listen "127.0.0.1:$port" --workers 1 --geoip "$MMDB" \
        > "$dir/out.log" 2>&1 &
      ;;
    gdnsd)
      render "$HERE/conf/gdnsd.config.in" "$dir/config" "$dir" "$port"
      cat "$zone" "$HERE/conf/gdnsd-gslb.rrs" > "$dir/zones/example.test"
      "${pin[@]}" gdnsd -c "$dir" start > "$dir/out.log" 2>&1 &
      ;;
    pdns)
      render "$HERE/conf/pdns.conf.in" "$dir/pdns.conf" "$dir" "$port"
      render "$HERE/conf/pdns-lua.rrs.in" "$dir/lua.rrs" "$dir" "$port"
      cat "$zone" "$dir/lua.rrs" > "$dir/example.test.zone"
      echo "zone \"example.test\" { type master; file \"$dir/example.test.zone\"; };" > "$dir/named.conf"
      echo "domains: []" > "$dir/geo.yaml"
      "${pin[@]}" pdns_server --config-dir="$dir" > "$dir/out.log" 2>&1 &
      ;;
  esac
  PID[$name]=$!
  PORT[$name]=$port
  if ! python3 "$DNS/dnsprobe.py" wait-soa "$port" 60 > /dev/null; then
    echo "gslb/run.sh: $name did not answer on 127.0.0.1:$port within 60 s; its log:" >&2
    tail -n 20 "$dir/out.log" >&2 || true
    exit 1
  fi
}

ask() { # ask SERVER NAME [SUBNET]: the answer's addresses, space-separated
  local extra=()
  [ -z "${3:-}" ] || extra=("+subnet=$3")
  kdig @127.0.0.1 -p "${PORT[$1]}" "$2.example.test" A +short +norec +time=2 +retry=1 "${extra[@]}" 2>&1 |
    tr '\n' ' ' | sed 's/ $//'
}

SERVERS=()
for s in gslb gdnsd pdns; do [ -z "${WANT[$s]:-}" ] || SERVERS+=("$s"); done
for s in "${SERVERS[@]}"; do
  echo "starting $s" >&2
  start_server "$s"
done

# Every server's checker must have seen the primary up before measuring, or
# `fo` would be measured in a start-up state (PowerDNS checks only after the
# first query for a name: its first answers treat every address as down).
for s in "${SERVERS[@]}"; do
  ok=""
  for _ in $(seq 1 150); do
    if [ "$(ask "$s" fo 192.0.2.0/24)" = 127.0.1.1 ]; then ok=1; break; fi
    sleep 0.2
  done
  [ -n "$ok" ] || die "$s: fo.example.test did not settle on 127.0.1.1 within 30 s (got: $(ask "$s" fo))"
done

{
  host_info
  echo "gdnsd: $({ gdnsd -V 2>&1 || true; } | grep -m1 version || echo -)"
  echo "pdns: $(dpkg-query -W -f '${Version}' pdns-server 2> /dev/null || echo -)"
  [ -z "${WANT[gslb]:-}" ] ||
    echo "gslb: $(gslb_version "$GSLB")"
  echo "database: $(cat "$OUT/mmdb.txt")"
} > "$OUT/versions.txt"

# Same questions to every server: the geo choice for one client /24 per
# continent (addresses from the corpus), the weighted and failover answers.
{
  printf '| question |'
  for s in "${SERVERS[@]}"; do printf ' %s |' "$s"; done
  printf '\n|---|'
  for s in "${SERVERS[@]}"; do printf -- '---|'; done
  printf '\n'
  for net in $(awk '$1 ~ /^geo\./ {print $3}' "$OUT/gslb.txt" | head -n 12); do
    printf '| geo ECS %s |' "$net"
    for s in "${SERVERS[@]}"; do printf ' %s |' "$(ask "$s" geo "$net")"; done
    printf '\n'
  done
  for q in wrr fo host00001; do
    printf '| %s |' "$q"
    for s in "${SERVERS[@]}"; do printf ' %s |' "$(ask "$s" "$q" 192.0.2.0/24)"; done
    printf '\n'
  done
} > "$OUT/sanity.md"

load_args() { # load_args SERVER CORPUS SECONDS
  echo -s 127.0.0.1 -p "${PORT[$1]}" -d "$OUT/$2.txt" -l "$3" -q "$OUTSTANDING" -t 2000
}
echo "servers: taskset -c $SERVER_CPU <server> (one worker); client: taskset -c $CLIENT_CPU ecsperf" \
  "$(load_args gslb CORPUS "$DURATION" 2> /dev/null | sed 's/-p [0-9]*/-p PORT/')" > "$OUT/commands.txt"
echo "this run: $0 --rows $ROWS --rounds $ROUNDS --duration $DURATION --subnets $SUBNETS" >> "$OUT/commands.txt"

for row in "${ROW_LIST[@]}"; do # warm-up, not recorded
  # shellcheck disable=SC2046
  taskset -c "$CLIENT_CPU" "$RUN/ecsperf" $(load_args "${row%-*}" "${row#*-}" 1) > /dev/null 2>&1 || true
done
clk_tck=$(getconf CLK_TCK)
n=${#ROW_LIST[@]}
for r in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n - 1))); do
    row=${ROW_LIST[$(((i + r - 1) % n))]}
    s=${row%-*}
    echo "round $r/$ROUNDS: $row" >&2
    f="$OUT/$row.r$r.txt"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    sc0=$(cpu_ticks "$SERVER_CPU")
    cc0=$(cpu_ticks "$CLIENT_CPU")
    k0=$(tree_ticks "${PID[$s]}")
    u0=$(tree_ticks "${PID[$s]}" user)
    n0=$(tree_cpu_ns "${PID[$s]}")
    # shellcheck disable=SC2046
    timeout $((DURATION + 30)) taskset -c "$CLIENT_CPU" "$RUN/ecsperf" $(load_args "$s" "${row#*-}" "$DURATION") \
      > "$f" 2>&1 || echo "gslb/run.sh: ecsperf failed against $row" >&2
    n1=$(tree_cpu_ns "${PID[$s]}")
    k1=$(tree_ticks "${PID[$s]}")
    u1=$(tree_ticks "${PID[$s]}" user)
    sc1=$(cpu_ticks "$SERVER_CPU")
    cc1=$(cpu_ticks "$CLIENT_CPU")
    kill -0 "${PID[$s]}" 2> /dev/null || die "$s died during round $r"
    echo "BENCH row=$row round=$r cpu_ns=$((n1 - n0)) ticks=$((k1 - k0)) user_ticks=$((u1 - u0)) clk_tck=$clk_tck" \
      "server_cpu_ticks=$((sc1 - sc0)) client_cpu_ticks=$((cc1 - cc0)) loadavg_before=${load// /,}" >> "$f"
  done
done
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
