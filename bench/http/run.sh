#!/usr/bin/env bash
# HTTP reverse-proxy benchmark: `gslb lb` beside HAProxy and nginx, same three
# backends, same run (see bench/http/README.md).
#
# usage: bench/http/run.sh [options]
#   --proxies LIST   comma list out of gslb,haproxy,nginx (default: all three; gslb is
#                    dropped with a warning when its binary is missing)
#   --modes LIST     comma list out of bench,rolling,abrupt (default: all three)
#   --rounds N       bench: alternating rounds, every row once per round (default 3, max 10)
#   --duration S     bench: seconds of wrk per row per round (default 10, max 60)
#   --load S         rolling/abrupt: seconds of wrk load per proxy (default 20, 12..120)
#   --no-retry       HAProxy 'retries 0', nginx 'proxy_next_upstream off' (shows what
#                    the retry settings hide in the abrupt test)
#   --gslb PATH      gslb binary (default: $GSLB or build/gslb of this checkout)
#   --out DIR        raw outputs (default bench/http/results/raw/<timestamp>); the
#                    markdown summary is DIR/summary.md, printed, and copied to
#                    bench/http/results/<date>.md unless --out is given
# env: PROXY_CPU (default 0), CLIENT_CPU (default 1), CONNS (wrk -c, default 64),
#      THREADS (wrk -t, default 1)
#
# Method. Three nginx backends (one worker each, fixed 16-byte answer, keep-alive)
# and wrk run pinned to CLIENT_CPU; every proxy runs with one worker thread or
# process pinned to PROXY_CPU and keeps connections to the backends alive. All
# proxies start once, on free ports of 127.0.0.1. bench: each round runs wrk
# (--latency) against every row in turn, rotating the order each round; the
# "direct" row is wrk straight to one backend (the ceiling). Around every wrk run
# the proxy's CPU time (utime+stime of its process tree, /proc/PID/stat) is read,
# which gives CPU % and CPU µs per request, and the busy ticks of both CPUs.
# rolling: under wrk load, for each backend in turn: drain it in the proxy (gslb
# admin API / HAProxy runtime API drain+maint / nginx config "down" + reload),
# stop it gracefully, start it, re-enable it, wait until the proxy uses it again.
# abrupt: under wrk load, kill -9 backend 2 at t=5 s and restart it 3 s later.
# wrk's status script counts every response by status; socket errors come from
# wrk itself. Every process is started and stopped by PID; durations are bounded.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=run.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
PROXIES=gslb,haproxy,nginx
MODES=bench,rolling,abrupt
ROUNDS=3
DURATION=10
LOAD_S=20
NORETRY=0
OUT=""
PROXY_CPU=${PROXY_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}

parse_args "--proxies PROXIES" "--modes MODES" "--rounds ROUNDS" "--duration DURATION" "--load LOAD_S" \
  "--no-retry NORETRY=1" "--gslb GSLB" "--out OUT" -- "$@"
need_range --rounds "$ROUNDS" 1 10
need_range --duration "$DURATION" 1 60
need_range --load "$LOAD_S" 12 120
need_range CONNS "$CONNS" 1 10000
need_tools wrk nginx python3 taskset curl
IFS=, read -r -a LIST <<< "$PROXIES"
SELECTED=()
for p in "${LIST[@]}"; do
  case "$p" in
    haproxy) command -v haproxy > /dev/null || die "haproxy not installed" ;;
    nginx) ;;
    gslb)
      if ! gslb_has lb; then
        echo "run.sh: warning: $GSLB is missing or has no 'lb' command; gslb skipped" >&2
        continue
      fi ;;
    *) die "unknown proxy: $p" ;;
  esac
  SELECTED+=("$p")
done
[ ${#SELECTED[@]} -gt 0 ] || die "no proxy to run"
IFS=, read -r -a MODE_LIST <<< "$MODES"
for m in "${MODE_LIST[@]}"; do case "$m" in bench | rolling | abrupt) ;; *) die "unknown mode: $m" ;; esac; done
has_mode() { [[ ",$MODES," == *",$1,"* ]]; }

SAVE_SUMMARY=0
if [ -z "$OUT" ]; then
  OUT=$HERE/results/raw/$(date -u +%Y%m%d-%H%M%S)
  SAVE_SUMMARY=1
fi
OUT=$(out_dir "$OUT")
scratch_dir /tmp/gslb-http-bench-$$
# shellcheck source=bench/http/lib.sh
. "$HERE/lib.sh"
BACKEND_PIN=(taskset -c "$CLIENT_CPU")

declare -A PID PORT
WRK_PID=""
stop_processes() {
  local k
  [ -n "$WRK_PID" ] && stop_pid "$WRK_PID"
  # nginx stops gracefully on QUIT; for gslb and HAProxy QUIT would mean a core dump
  for k in "${!PID[@]}"; do stop_pid "${PID[$k]}" "$([ "$k" = nginx ] && echo QUIT || echo TERM)"; done
  stop_backends
}

# Ports: backends 1..3, then gslb, its admin API, haproxy, nginx.
pick_ports 7
PORT[gslb]=${FREE[3]}
GSLB_ADMIN=${FREE[4]}
PORT[haproxy]=${FREE[5]}
PORT[nginx]=${FREE[6]}
PORT[direct]=${BPORT[1]}

kill9_backend() { # SIGSTOP the master first so it cannot respawn its worker, then SIGKILL both
  local m=${BPID[$1]} w
  kill -STOP "$m"
  w=$(pgrep -P "$m" | tr '\n' ' ')
  # shellcheck disable=SC2086
  kill -KILL $w "$m"
  wait "$m" 2> /dev/null || true
  unset "BPID[$1]"
}

render_nginx() { # render_nginx [I]: nginx proxy config, backend I (if given) marked down
  local d1="" d2="" d3="" next="error timeout http_502 http_503 http_504"
  case "${1:-}" in 1) d1=down ;; 2) d2=down ;; 3) d3=down ;; esac
  [ "$NORETRY" = 1 ] && next=off
  render "$HERE/conf/nginx-proxy.conf.in" "$RUN/nginx-proxy.conf" -e "s|@PORT@|${PORT[nginx]}|g" \
    -e "s|@D1@|$d1|; s|@D2@|$d2|; s|@D3@|$d3|" -e "s|@NEXT_UPSTREAM@|$next|"
}
start_proxy() {
  local name=$1 pin=(taskset -c "$PROXY_CPU")
  case "$name" in
    gslb)
      render_gslb_lb "${PORT[gslb]}" "$GSLB_ADMIN"
      "${pin[@]}" "$GSLB" lb -c "$RUN/gslb-lb.yaml" > "$RUN/gslb.log" 2>&1 &
      ;;
    haproxy)
      render_haproxy "${PORT[haproxy]}" "$([ "$NORETRY" = 1 ] && echo 0 || echo 3)"
      [ "$NORETRY" = 1 ] && sed -i -e '/option redispatch/d' -e 's|^    retry-on .*|    retry-on none|' "$RUN/haproxy.cfg"
      "${pin[@]}" haproxy -db -f "$RUN/haproxy.cfg" > "$RUN/haproxy.log" 2>&1 &
      ;;
    nginx)
      render_nginx
      "${pin[@]}" nginx -e stderr -p "$RUN" -c "$RUN/nginx-proxy.conf" > "$RUN/nginx.log" 2>&1 &
      ;;
  esac
  PID[$name]=$!
  wait_http "${PORT[$name]}" || { tail -n 20 "$RUN/$name.log" >&2; exit 1; }
}

# Proxy-specific backend control for the rolling deploy. hap: one HAProxy runtime API command.
hap() {
  python3 - "$RUN/haproxy.sock" "$1" << 'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode().strip())
PY
}
gslb_admin() { # gslb_admin drain|undrain I
  curl -s -m 5 -X POST "http://127.0.0.1:$GSLB_ADMIN/pools/be/backends/127.0.0.1:${BPORT[$2]}/$1" | tr -d '\n'
}
gslb_member_up() { # whether /status shows backend I available (healthy, not draining or ejected)
  curl -s -m 2 "http://127.0.0.1:$GSLB_ADMIN/status" | python3 -c '
import json, sys
want = sys.argv[1]
for pool in json.load(sys.stdin).get("pools", {}).values():
    for b in pool.get("backends", []):
        if b.get("address") == want:
            sys.exit(0 if b.get("state") == "up" else 1)
sys.exit(1)' "127.0.0.1:${BPORT[$1]}"
}
nginx_reload() { # nginx_reload [I]: config with backend I down, SIGHUP, wait until the old worker is gone
  local old
  old=$(pgrep -P "${PID[nginx]}" | tr '\n' ' ')
  render_nginx "${1:-}"
  kill -HUP "${PID[nginx]}"
  for _ in $(seq 1 100); do
    local now
    now=$(pgrep -P "${PID[nginx]}" | tr '\n' ' ')
    [ -n "$now" ] && [[ " $now " != *" ${old%% *} "* ]] && return 0
    sleep 0.05
  done
  echo "nginx reload: old worker still running after 5 s" >&2
}
disable_backend() { # take backend I out of the proxy's rotation before it is stopped
  case "$1" in
    gslb) ev "drain s$2: $(gslb_admin drain "$2")"; sleep 1 ;;
    haproxy)
      ev "drain s$2: $(hap "set server be/s$2 state drain")"; sleep 1
      ev "maint s$2: $(hap "set server be/s$2 state maint")"; sleep 0.5 ;;
    nginx) nginx_reload "$2"; ev "nginx reloaded with s$2 down"; sleep 1 ;;
  esac
}
enable_backend() { # put backend I back and wait (≤ 5 s) until the proxy considers it up
  local ok=0
  case "$1" in
    gslb)
      ev "undrain s$2: $(gslb_admin undrain "$2")"
      for _ in $(seq 1 100); do gslb_member_up "$2" && { ok=1; break; }; sleep 0.05; done ;;
    haproxy)
      ev "ready s$2: $(hap "set server be/s$2 state ready")"
      for _ in $(seq 1 100); do
        [ "$(hap "show servers state be" | awk -v s="s$2" '$4 == s {print $6 "/" $7}')" = "2/0" ] && { ok=1; break; }
        sleep 0.05
      done ;;
    nginx) nginx_reload; ok=1 ;;
  esac
  ev "s$2 back in rotation: $([ $ok = 1 ] && echo yes || echo 'not within 5 s')"
}

ev() { echo "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN {printf "%6.2f", b - a}') $*" >> "$EVLOG"; }
run_wrk() { # run_wrk SECONDS PORT [extra wrk args]: wrk pinned to CLIENT_CPU, bounded by timeout
  local s=$1 p=$2
  shift 2
  timeout $((s + 30)) taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${s}s" --latency "$@" "http://127.0.0.1:$p/"
}
start_load() { # start_load MODE PROXY: LOAD_S s of wrk with the status script in the background; events log restarted
  EVLOG="$OUT/$1-$2.events"
  : > "$EVLOG"
  run_wrk "$LOAD_S" "${PORT[$2]}" -s "$HERE/status.lua" > "$OUT/$1-$2.txt" 2>&1 &
  WRK_PID=$!
  T0=$(date +%s.%N)
}
end_load() { # waits for the wrk of start_load
  wait "$WRK_PID" || true
  WRK_PID=""
}

versions() {
  {
    host_info
    echo "haproxy: $(haproxy -v 2>&1 | head -n1)"
    echo "nginx: $(nginx -v 2>&1)"
    echo "wrk: $(dpkg-query -W -f '${Version}' wrk 2> /dev/null || echo unknown)"
    if [ -x "$GSLB" ]; then
      echo "gslb: $(gslb_version "$GSLB")"
    fi
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  } > "$OUT/versions.txt"
}

versions
for i in 1 2 3; do start_backend "$i"; done
for p in "${SELECTED[@]}"; do start_proxy "$p"; done
# Active checks (HAProxy and gslb: rise 2 at 1 s) must have seen the backends up.
sleep 2.5
cp "$RUN"/*.conf "$RUN"/*.cfg "$RUN"/*.yaml "$OUT/" 2> /dev/null || true
{
  for p in direct "${SELECTED[@]}"; do echo "$p: $(python3 "$HERE/httpclient.py" sample "${PORT[$p]}")"; done
} > "$OUT/sanity.txt"
{
  echo "proxies: taskset -c $PROXY_CPU, one worker each; backends and wrk: taskset -c $CLIENT_CPU"
  echo "bench: taskset -c $CLIENT_CPU wrk -t$THREADS -c$CONNS -d${DURATION}s --latency http://127.0.0.1:PORT/"
  echo "rolling/abrupt: taskset -c $CLIENT_CPU wrk -t$THREADS -c$CONNS -d${LOAD_S}s --latency -s bench/http/status.lua http://127.0.0.1:PORT/"
} > "$OUT/commands.txt"

clk_tck=$(getconf CLK_TCK)
if has_mode bench; then
  ROWS=(direct "${SELECTED[@]}")
  n=${#ROWS[@]}
  # warm-up, not recorded: connection pools filled, caches touched
  for row in "${ROWS[@]}"; do run_wrk 1 "${PORT[$row]}" > /dev/null 2>&1 || true; done
  for r in $(seq 1 "$ROUNDS"); do
    # rotate the order every round so that no row always runs right after another one
    for i in $(seq 0 $((n - 1))); do
      row=${ROWS[$(((i + r - 1) % n))]}
      echo "round $r/$ROUNDS: $row" >&2
      f="$OUT/$row.r$r.txt"
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      target=${PID[$row]:-${BPID[1]}}
      k0=$(tree_ticks "$target")
      pc0=$(cpu_ticks "$PROXY_CPU")
      cc0=$(cpu_ticks "$CLIENT_CPU")
      w0=$(date +%s%N)
      run_wrk "$DURATION" "${PORT[$row]}" > "$f" 2>&1 || echo "run.sh: wrk failed against $row" >&2
      w1=$(date +%s%N)
      k1=$(tree_ticks "$target")
      pc1=$(cpu_ticks "$PROXY_CPU")
      cc1=$(cpu_ticks "$CLIENT_CPU")
      kill -0 "$target" 2> /dev/null || { echo "run.sh: $row died during round $r" >&2; exit 1; }
      echo "BENCH row=$row round=$r ticks=$((k1 - k0)) clk_tck=$clk_tck" \
        "wall_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
        "proxy_core_ticks=$((pc1 - pc0)) client_core_ticks=$((cc1 - cc0)) loadavg_before=${load// /,}" >> "$f"
    done
  done
fi

if has_mode rolling; then
  for p in "${SELECTED[@]}"; do
    echo "rolling deploy through $p" >&2
    start_load rolling "$p"
    sleep 2
    for i in 1 2 3; do
      disable_backend "$p" "$i"
      ev "stop s$i (SIGQUIT, graceful)"
      stop_backend "$i"
      start_backend "$i"
      ev "s$i started and answering"
      enable_backend "$p" "$i"
      sleep 1
    done
    ev "deploy done; waiting for wrk"
    end_load
    sleep 2
  done
fi

if has_mode abrupt; then
  for p in "${SELECTED[@]}"; do
    echo "abrupt kill -9 through $p" >&2
    start_load abrupt "$p"
    sleep 5
    ev "kill -9 backend 2 (master and worker)"
    kill9_backend 2
    sleep 3
    ev "restart backend 2"
    start_backend 2
    ev "backend 2 answering"
    end_load
    # Evidence that the proxy saw the failure (HAProxy and nginx: their logs).
    [ "$p" = gslb ] && ev "gslb /status: $(curl -s -m 2 "http://127.0.0.1:$GSLB_ADMIN/status" | tr -d '\n')"
    # let every proxy take backend 2 back before the next one's run
    sleep 3
  done
fi

for p in "${SELECTED[@]}"; do cp "$RUN/$p.log" "$OUT/$p.log" 2> /dev/null || true; done
cp "$RUN/nginx-proxy.error.log" "$OUT/" 2> /dev/null || true
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
if [ "$SAVE_SUMMARY" = 1 ]; then
  dest=$HERE/results/$(date -u +%Y-%m-%d).md
  k=2
  while [ -e "$dest" ]; do dest=$HERE/results/$(date -u +%Y-%m-%d)-$k.md; k=$((k + 1)); done
  cp "$OUT/summary.md" "$dest"
  echo "summary saved as ${dest#"$REPO"/}" >&2
fi
