#!/usr/bin/env bash
# System calls per proxied request of `gslb lb` (and HAProxy, for comparison),
# counted by perf's syscall tracepoints on the proxy process while wrk drives
# keep-alive load through it: counts, not times, so before/after figures of a
# change compare even on a busy machine (batching in epoll_wait still varies
# a little with load).
#
# usage: bench/http/syscalls.sh [--seconds S] [--conns C] [--no-compare] [--gslb PATH]
#   --seconds S    seconds of counted wrk load per proxy (default 3), after 1 s of warm-up
#   --conns C      wrk connections (default 64, as run.sh)
#   --no-compare   skip HAProxy
# Needs perf (root or perf_event_paranoid <= 1 for the tracepoints), wrk, nginx.
# Prints, per proxy, the requests wrk completed and each system call per request.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=syscalls.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
SECONDS_LOAD=3
CONNS=64
COMPARE=1
parse_args "--seconds SECONDS_LOAD" "--conns CONNS" "--no-compare COMPARE=0" "--gslb GSLB" -- "$@"
need_range --seconds "$SECONDS_LOAD" 1 30
need_range --conns "$CONNS" 1 1000
[ -x "$GSLB" ] || die "no gslb binary at $GSLB (build it first)"
need_tools perf wrk nginx python3
scratch_dir /tmp/gslb-http-syscalls-$$
# shellcheck source=bench/http/lib.sh
. "$HERE/lib.sh"
PROXIES=()
stop_processes() {
  local p
  for p in "${PROXIES[@]}"; do stop_pid "$p"; done
  stop_backends
}

pick_ports 6
for i in 1 2 3; do start_backend "$i"; done

# count NAME PORT CMD...: CMD's system calls over SECONDS_LOAD s of wrk load
count() {
  local name=$1 port=$2 pid perf_pid requests
  shift 2
  "$@" > "$RUN/$name.log" 2>&1 &
  pid=$!
  PROXIES+=("$pid")
  wait_http "$port" 30 || { tail "$RUN/$name.log" >&2; exit 1; }
  sleep 2.5 # active checks see the backends up
  timeout 10 wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:$port/" > /dev/null
  perf stat -x, -e 'syscalls:sys_enter_*' -p "$pid" -o "$RUN/$name.perf" &
  perf_pid=$!
  sleep 0.5
  timeout $((SECONDS_LOAD + 10)) wrk -t1 -c"$CONNS" -d"${SECONDS_LOAD}s" "http://127.0.0.1:$port/" > "$RUN/$name.wrk"
  sleep 0.5
  kill -INT "$perf_pid"
  wait "$perf_pid" 2> /dev/null || true
  requests=$(awk '/requests in/ {print $1}' "$RUN/$name.wrk")
  echo "$name: $requests requests ($(grep -E 'Socket errors|Non-2xx' "$RUN/$name.wrk" | tr '\n' ' '))"
  awk -F, -v n="$requests" '$3 ~ /sys_enter_/ && $1 + 0 > 0 {
      sub("syscalls:sys_enter_", "", $3); total += $1; printf "  %-16s %8.3f per request\n", $3, $1 / n }
    END { printf "  %-16s %8.3f per request\n", "TOTAL", total / n }' "$RUN/$name.perf" | sort -k2 -rn
}

render_gslb_lb "${FREE[3]}" "${FREE[4]}"
count gslb "${FREE[3]}" "$GSLB" lb -c "$RUN/gslb-lb.yaml"
if [ "$COMPARE" = 1 ] && command -v haproxy > /dev/null; then
  render_haproxy "${FREE[5]}" 3
  count haproxy "${FREE[5]}" haproxy -db -f "$RUN/haproxy.cfg"
fi
