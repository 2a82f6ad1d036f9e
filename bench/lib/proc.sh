# shellcheck shell=bash
# Process helpers shared by the benchmark scripts (sourced): stopping a process,
# CPU time and memory of a process tree, busy ticks of a CPU, callgrind totals.

stop_pid() { # stop_pid PID [SIGNAL [SECONDS]]: SIGNAL (default TERM), up to SECONDS (default 10) for the exit, then KILL
  local p=$1 _
  kill -"${2:-TERM}" "$p" 2> /dev/null || return 0
  for _ in $(seq 1 $((${3:-10} * 20))); do
    kill -0 "$p" 2> /dev/null || break
    sleep 0.05
  done
  kill -KILL "$p" 2> /dev/null || true
  wait "$p" 2> /dev/null || true
}
tree_pids() { # the process and its descendants (NSD forks a server child and xfrd; nginx a worker)
  local c
  echo "$1"
  for c in $(pgrep -P "$1" 2> /dev/null); do tree_pids "$c"; done
}
tree_ticks() { # utime+stime (clock ticks) of a process tree, all threads included; "user" for utime only
  local p sum=0 t
  for p in $(tree_pids "$1"); do
    # fields after "(comm) ": state is $1, so utime (field 14) is $12, stime $13
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2> /dev/null | awk -v u="${2:-}" '{print u == "user" ? $12 : $12 + $13}') || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
status_kb() { # status_kb PID FIELD: e.g. VmRSS of one process, in kB
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2> /dev/null || echo 0
}
tree_kb() { # tree_kb PID FIELD [max]: sum (or max) of a /proc/PID/status field over the tree
  local p total=0 v
  for p in $(tree_pids "$1"); do
    v=$(status_kb "$p" "$2")
    v=${v:-0}
    if [ "${3:-}" = max ]; then
      [ "$v" -gt "$total" ] && total=$v
    else
      total=$((total + v))
    fi
  done
  echo "$total"
}
tree_pss_kb() { # proportional set size of the tree: shared pages counted once overall
  local p total=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk '$1 == "Pss:" {print $2}' "/proc/$p/smaps_rollup" 2> /dev/null) || v=0
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
cpu_ticks() { # busy clock ticks of CPU N so far (/proc/stat: user nice system irq softirq)
  awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}
tree_cpu_ns() { # nanoseconds on CPU of a process tree, all threads (/proc/PID/task/TID/schedstat, field 1)
  local p sum=0 t
  for p in $(tree_pids "$1"); do
    t=$(cat /proc/"$p"/task/*/schedstat 2> /dev/null | awk '{s += $1} END {printf "%.0f", s}') || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
callgrind_total() { # callgrind_total FILE...: the instructions of the PROGRAM TOTALS lines, summed
  local f ir sum=0
  for f in "$@"; do
    ir=$(callgrind_annotate "$f" 2> /dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}') || ir=0
    sum=$((sum + ${ir:-0}))
  done
  echo "$sum"
}
