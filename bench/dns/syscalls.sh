#!/usr/bin/env bash
# System calls per answered query: strace -c -f on gslb (and gdnsd for
# comparison) while dnsperf offers a fixed rate for a few seconds.
#
# usage: bench/dns/syscalls.sh [--rate QPS] [--seconds S] [--servers gslb,gdnsd] [--gslb PATH]
# Prints, per server, the queries answered and the calls of each socket system
# call, then syscalls per query and queries per receive batch. strace slows the
# traced server, so use a rate it keeps up with; the count of calls per batch
# does not depend on it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=syscalls.sh
# shellcheck source=bench/lib/script.sh
. "$HERE/../lib/script.sh"
RATE=30000
SECONDS_=3
SERVERS=gslb,gdnsd
parse_args "--rate RATE" "--seconds SECONDS_" "--servers SERVERS" "--gslb GSLB" -- "$@"
need_range --rate "$RATE" 1 1000000
need_range --seconds "$SECONDS_" 1 60
need_tools strace

scratch_dir /tmp/gslb-syscalls-$$
PIDS=()
stop_processes() {
  local p
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
}

python3 "$HERE/genzone.py" --hosts 1000 -o "$RUN/example.test.zone"
python3 "$HERE/genqueries.py" --hosts 1000 -o "$RUN/queries.txt"

free_port() { python3 "$HERE/dnsprobe.py" free-port; }

printf '| server | queries answered | recvmmsg | sendmmsg | epoll_wait | epoll_ctl | other | syscalls per query | queries per batch |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for name in ${SERVERS//,/ }; do
  dir=$RUN/$name
  mkdir -p "$dir/zones"
  port=$(free_port)
  case "$name" in
    gslb)
      ln -s "$RUN/example.test.zone" "$dir/zones/example.test.zone"
      taskset -c 0 "$GSLB" serve --zones "$dir/zones" --listen "127.0.0.1:$port" --workers 1 > "$dir/out.log" 2>&1 &
      ;;
    gdnsd)
      sed -e "s|@RUNDIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@ZONEFILE@|$RUN/example.test.zone|g" \
        "$HERE/conf/gdnsd.conf.in" > "$dir/config"
      ln -s "$RUN/example.test.zone" "$dir/zones/example.test"
      taskset -c 0 gdnsd -c "$dir" start > "$dir/out.log" 2>&1 &
      ;;
    *) die "unknown server $name" ;;
  esac
  pid=$!
  PIDS+=("$pid")
  python3 "$HERE/dnsprobe.py" wait-soa "$port" 60 > /dev/null || die "$name did not start"
  strace -c -f -o "$dir/strace.txt" -p "$pid" 2> /dev/null &
  spid=$!
  # let strace attach to every thread before the load starts (bounded poll)
  for _ in $(seq 100); do
    [ "$(grep -c TracerPid:.[1-9] /proc/"$pid"/task/*/status 2> /dev/null | awk -F: '{s+=$2} END {print s+0}')" -ge \
      "$(ls /proc/"$pid"/task | wc -l)" ] && break
    sleep 0.05
  done
  taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$RUN/queries.txt" -l "$SECONDS_" -Q "$RATE" -c 8 -t 2 \
    > "$dir/dnsperf.txt" 2>&1 || true
  kill -INT "$spid"
  wait "$spid" 2> /dev/null || true
  answered=$(awk '/Queries completed:/ {print $3}' "$dir/dnsperf.txt")
  awk -v name="$name" -v answered="$answered" '
    $NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" {
      # columns: % time, seconds, usecs/call, calls, [errors], syscall
      c[$NF] = $4; total += $4
    }
    END {
      other = total - c["recvmmsg"] - c["sendmmsg"] - c["epoll_wait"] - c["epoll_ctl"]
      printf "| %s | %d | %d | %d | %d | %d | %d | %.2f | %.1f |\n", name, answered, c["recvmmsg"], c["sendmmsg"],
        c["epoll_wait"], c["epoll_ctl"], other, total / answered, (c["recvmmsg"] ? answered / c["recvmmsg"] : 0)
    }' "$dir/strace.txt"
done
