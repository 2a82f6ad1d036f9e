# shellcheck shell=bash
# The frame every benchmark script shares (sourced, after the script sets PROG to
# the name its messages start with): stopping with an error, options, checks of
# values and tools, the output and scratch directories, the host description.
# Sets REPO (the checkout) and GSLB (the binary under test: $GSLB, else
# build/gslb) and sources proc.sh beside it.
# Usage text is the script's own header: the comment lines from line 2 up to
# `set -euo pipefail`.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GSLB=${GSLB:-$REPO/build/gslb}
# shellcheck source=bench/lib/proc.sh
. "$REPO/bench/lib/proc.sh"

die() { # die MESSAGE: the message on stderr, exit status 2
  echo "$PROG: $*" >&2
  exit 2
}

# parse_args SPEC... -- ARG...: SPEC "--opt VAR" stores the option's value in VAR,
# "--flag VAR=VALUE" sets VAR to VALUE; -h/--help prints the usage text and exits 0,
# anything else dies.
parse_args() {
  local -A takes=() sets=()
  local spec
  while [ "$1" != -- ]; do
    spec=$1
    shift
    case "${spec#* }" in
      *=*) sets[${spec%% *}]=${spec#* } ;;
      *) takes[${spec%% *}]=${spec#* } ;;
    esac
  done
  shift
  while [ $# -gt 0 ]; do
    if [ -z "$1" ]; then
      die "unknown argument: '' (see --help)"
    elif [ -n "${takes[$1]:-}" ]; then
      [ $# -ge 2 ] || die "$1 needs a value"
      printf -v "${takes[$1]}" '%s' "$2"
      shift 2
    elif [ -n "${sets[$1]:-}" ]; then
      printf -v "${sets[$1]%%=*}" '%s' "${sets[$1]#*=}"
      shift
    else
      case "$1" in
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
      esac
    fi
  done
}

need_range() { # need_range NAME VALUE MIN MAX: dies unless VALUE is a whole number in MIN..MAX
  [[ $2 =~ ^[0-9]+$ && $2 -ge $3 && $2 -le $4 ]] || die "$1 must be $3..$4"
}

need_tools() { # need_tools TOOL...: dies naming the first one not on PATH
  local tool
  for tool in "$@"; do
    command -v "$tool" > /dev/null || die "$tool not installed"
  done
}

out_dir() { # out_dir DIR: creates DIR and prints its absolute path
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# scratch_dir DIR: creates DIR as RUN; on exit the script's stop_processes (when it
# defines one) runs, then DIR is removed. INT and TERM exit with status 130.
scratch_dir() {
  RUN=$1
  mkdir -p "$RUN"
  trap at_exit EXIT
  trap 'exit 130' INT TERM
}
at_exit() {
  if declare -F stop_processes > /dev/null; then stop_processes; fi
  rm -rf "$RUN"
}

host_info() { # the date, kernel and CPU lines of a run's versions.txt
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "kernel: $(uname -r)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') ($(nproc) CPUs)"
}

gslb_has() { # gslb_has COMMAND: whether $GSLB is an executable whose --help lists COMMAND
  [ -x "$GSLB" ] && "$GSLB" --help 2>&1 | grep -Eq "^ +$1"
}

gslb_version() { # gslb_version BINARY: its version line and the checkout's commit
  echo "$("$1" version 2>&1 | head -n1) ($(git -C "$REPO" rev-parse --short HEAD 2> /dev/null || echo '?'))"
}
