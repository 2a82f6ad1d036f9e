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
REPO=$(cd "$HERE/../.." && pwd)
SECONDS_LOAD=3
CONNS=64
COMPARE=1
GSLB=${GSLB:-$REPO/build/gslb}
die() { echo "syscalls.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_LOAD=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --no-compare) COMPARE=0; shift ;;
    --gslb) GSLB=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ $SECONDS_LOAD =~ ^[0-9]+$ && $SECONDS_LOAD -ge 1 && $SECONDS_LOAD -le 30 ]] || die "--seconds must be 1..30"
[[ $CONNS =~ ^[0-9]+$ && $CONNS -ge 1 && $CONNS -le 1000 ]] || die "--conns must be 1..1000"
[ -x "$GSLB" ] || die "no gslb binary at $GSLB (build it first)"
for tool in perf wrk nginx python3; do
  command -v "$tool" > /dev/null || die "$tool not installed"
done
RUN=/tmp/gslb-http-syscalls-$$
mkdir -p "$RUN"/tmp/{body,proxy,fcgi,uwsgi,scgi}

PIDS=()
PROXIES=()
cleanup() {
  local p
  for p in "${PROXIES[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for p in "${PROXIES[@]}"; do wait "$p" 2> /dev/null || true; done
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

# count NAME PORT CMD...: CMD's system calls over SECONDS_LOAD s of wrk load
count() {
  local name=$1 port=$2 pid perf_pid requests
  shift 2
  "$@" > "$RUN/$name.log" 2>&1 &
  pid=$!
  PROXIES+=("$pid")
  python3 "$HERE/httpclient.py" wait "$port" 30 || { tail "$RUN/$name.log" >&2; exit 1; }
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

sed -e "s|@PORT@|${FREE[3]}|g" -e "s|@ADMIN_PORT@|${FREE[4]}|g" "$HERE/conf/gslb-lb.yaml.in" |
  render /dev/stdin "$RUN/gslb-lb.yaml"
count gslb "${FREE[3]}" "$GSLB" lb -c "$RUN/gslb-lb.yaml"
if [ "$COMPARE" = 1 ] && command -v haproxy > /dev/null; then
  render "$HERE/conf/haproxy.cfg.in" "$RUN/haproxy.cfg" -e "s|@PORT@|${FREE[5]}|g" -e "s|@RETRIES@|3|"
  count haproxy "${FREE[5]}" haproxy -db -f "$RUN/haproxy.cfg"
fi
