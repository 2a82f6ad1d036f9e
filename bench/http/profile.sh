#!/usr/bin/env bash
# Instructions per proxied request of `gslb lb` (and HAProxy, for comparison),
# counted by valgrind's callgrind: independent of machine load, so before/after
# figures of a hot-path change compare even on a busy machine.
#
# usage: bench/http/profile.sh [--requests N] [--conns C] [--no-compare] [--gslb PATH] [--out DIR]
#   --requests N   keep-alive GETs counted (default 20000), after 2000 uncounted warm-up ones
#   --conns C      client connections (default 16)
#   --no-compare   skip HAProxy
#   --out DIR      raw profiles (default bench/http/results/raw/profile-<time>)
# Prints user-space instructions per request (the whole process: event loop,
# parsing, both sockets' system call wrappers; not the kernel) and gslb's top
# functions by self cost. Open DIR/*.out with callgrind_annotate or KCachegrind.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
REQUESTS=20000
CONNS=16
COMPARE=1
GSLB=${GSLB:-$REPO/build/gslb}
OUT=""
die() { echo "profile.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) REQUESTS=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --no-compare) COMPARE=0; shift ;;
    --gslb) GSLB=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ $REQUESTS =~ ^[0-9]+$ && $REQUESTS -ge 100 && $REQUESTS -le 1000000 ]] || die "--requests must be 100..1000000"
[[ $CONNS =~ ^[0-9]+$ && $CONNS -ge 1 && $CONNS -le 1000 ]] || die "--conns must be 1..1000"
[ -x "$GSLB" ] || die "no gslb binary at $GSLB (build it first)"
for tool in valgrind callgrind_control callgrind_annotate nginx python3; do
  command -v "$tool" > /dev/null || die "$tool not installed"
done
OUT=${OUT:-$HERE/results/raw/profile-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RUN=/tmp/gslb-http-profile-$$
mkdir -p "$RUN"/tmp/{body,proxy,fcgi,uwsgi,scgi}

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -QUIT "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mapfile -t FREE < <(python3 "$HERE/httpclient.py" free-ports 6)
render() {
  sed -e "s|@RUNDIR@|$RUN|g" -e "s|@B1@|${FREE[0]}|g" -e "s|@B2@|${FREE[1]}|g" -e "s|@B3@|${FREE[2]}|g" "${@:3}" "$1" > "$2"
}
for i in 1 2 3; do
  render "$HERE/conf/backend.conf.in" "$RUN/backend$i.conf" -e "s|@ID@|$i|g" -e "s|@PORT@|${FREE[$((i - 1))]}|g"
  nginx -e stderr -p "$RUN" -c "$RUN/backend$i.conf" > /dev/null 2>&1 &
  PIDS+=($!)
  python3 "$HERE/httpclient.py" wait "${FREE[$((i - 1))]}"
done

# profile NAME PORT CMD...: CMD under callgrind, collection on only for the counted requests
profile() {
  local name=$1 port=$2 pid
  shift 2
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/$name.out" "$@" > "$OUT/$name.log" 2>&1 &
  pid=$!
  python3 "$HERE/httpclient.py" wait "$port" 60 || { tail "$OUT/$name.log" >&2; exit 1; }
  sleep 2.5 # active checks see the backends up
  python3 "$HERE/httpclient.py" load "$port" --requests 2000 --conns "$CONNS" > /dev/null
  callgrind_control -i on "$pid" > /dev/null
  python3 "$HERE/httpclient.py" load "$port" --requests "$REQUESTS" --conns "$CONNS" | tee "$OUT/$name.client"
  callgrind_control -i off "$pid" > /dev/null
  callgrind_control -d "$pid" > /dev/null
  kill -TERM "$pid"
  wait "$pid" 2> /dev/null || true
  local total=0 f ir
  for f in "$OUT/$name.out".*; do
    ir=$(callgrind_annotate "$f" 2> /dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    total=$((total + ${ir:-0}))
  done
  echo "$name: $((total / REQUESTS)) instructions per request ($total over $REQUESTS requests)" | tee -a "$OUT/summary.txt"
}

: > "$OUT/summary.txt"
sed -e "s|@PORT@|${FREE[3]}|g" -e "s|@ADMIN_PORT@|${FREE[4]}|g" "$HERE/conf/gslb-lb.yaml.in" |
  render /dev/stdin "$RUN/gslb-lb.yaml"
profile gslb "${FREE[3]}" "$GSLB" lb -c "$RUN/gslb-lb.yaml"
if [ "$COMPARE" = 1 ] && command -v haproxy > /dev/null; then
  render "$HERE/conf/haproxy.cfg.in" "$RUN/haproxy.cfg" -e "s|@PORT@|${FREE[5]}|g" -e "s|@RETRIES@|3|"
  profile haproxy "${FREE[5]}" haproxy -db -f "$RUN/haproxy.cfg"
fi
for f in "$OUT/gslb.out".*; do
  callgrind_annotate "$f" 2> /dev/null | sed -n '/file:function/,$p' | head -n 40 | cut -c1-200
done > "$OUT/top.txt"
head -n 25 "$OUT/top.txt"
cat "$OUT/summary.txt"
