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
PROG=profile.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
REQUESTS=20000
CONNS=16
COMPARE=1
OUT=""
parse_args "--requests REQUESTS" "--conns CONNS" "--no-compare COMPARE=0" "--gslb GSLB" "--out OUT" -- "$@"
need_range --requests "$REQUESTS" 100 1000000
need_range --conns "$CONNS" 1 1000
[ -x "$GSLB" ] || die "no gslb binary at $GSLB (build it first)"
need_tools valgrind callgrind_control callgrind_annotate nginx python3
OUT=$(out_dir "${OUT:-$HERE/results/raw/profile-$(date -u +%Y%m%d-%H%M%S)}")
scratch_dir /tmp/gslb-http-profile-$$
# shellcheck source=bench/http/lib.sh
. "$HERE/lib.sh"
stop_processes() { stop_backends; }

pick_ports 6
for i in 1 2 3; do start_backend "$i"; done

# profile NAME PORT CMD...: CMD under callgrind, collection on only for the counted requests
profile() {
  local name=$1 port=$2 pid
  shift 2
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/$name.out" "$@" > "$OUT/$name.log" 2>&1 &
  pid=$!
  wait_http "$port" 60 || { tail "$OUT/$name.log" >&2; exit 1; }
  sleep 2.5 # active checks see the backends up
  python3 "$HERE/httpclient.py" load "$port" --requests 2000 --conns "$CONNS" > /dev/null
  callgrind_control -i on "$pid" > /dev/null
  python3 "$HERE/httpclient.py" load "$port" --requests "$REQUESTS" --conns "$CONNS" | tee "$OUT/$name.client"
  callgrind_control -i off "$pid" > /dev/null
  callgrind_control -d "$pid" > /dev/null
  kill -TERM "$pid"
  wait "$pid" 2> /dev/null || true
  local total
  total=$(callgrind_total "$OUT/$name.out".*)
  echo "$name: $((total / REQUESTS)) instructions per request ($total over $REQUESTS requests)" | tee -a "$OUT/summary.txt"
}

: > "$OUT/summary.txt"
render_gslb_lb "${FREE[3]}" "${FREE[4]}"
profile gslb "${FREE[3]}" "$GSLB" lb -c "$RUN/gslb-lb.yaml"
if [ "$COMPARE" = 1 ] && command -v haproxy > /dev/null; then
  render_haproxy "${FREE[5]}" 3
  profile haproxy "${FREE[5]}" haproxy -db -f "$RUN/haproxy.cfg"
fi
for f in "$OUT/gslb.out".*; do
  callgrind_annotate "$f" 2> /dev/null | sed -n '/file:function/,$p' | sed -n 1,40p | cut -c1-200
done > "$OUT/top.txt"
head -n 25 "$OUT/top.txt"
cat "$OUT/summary.txt"
