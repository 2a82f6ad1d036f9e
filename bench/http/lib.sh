# shellcheck shell=bash
# The HTTP benchmarks' common fixture (sourced by run.sh, profile.sh and
# syscalls.sh, after bench/lib/proc.sh): free ports, the config templates of
# conf/ filled in, three nginx backends. Uses HERE (bench/http) and RUN (the
# run's scratch directory, with tmp/ made here); BACKEND_PIN, when set, is the
# command prefix the backends start under (e.g. taskset).

declare -A BPID
BPORT=()
BACKEND_PIN=()
mkdir -p "$RUN"/tmp/{body,proxy,fcgi,uwsgi,scgi}

wait_http() { python3 "$HERE/httpclient.py" wait "$1" "${2:-10}"; }

pick_ports() { # pick_ports N: N free ports into FREE; the first three are the backends' (BPORT[1..3])
  mapfile -t FREE < <(python3 "$HERE/httpclient.py" free-ports "$1")
  BPORT=("" "${FREE[0]}" "${FREE[1]}" "${FREE[2]}")
}

render() { # render TEMPLATE DEST [sed args...]: the common @...@ substitutions plus the given ones
  local t=$1 d=$2
  shift 2
  sed -e "s|@RUNDIR@|$RUN|g" -e "s|@B1@|${BPORT[1]}|g" -e "s|@B2@|${BPORT[2]}|g" -e "s|@B3@|${BPORT[3]}|g" "$@" "$t" > "$d"
}
render_gslb_lb() { # render_gslb_lb PORT ADMIN_PORT: $RUN/gslb-lb.yaml
  render "$HERE/conf/gslb-lb.yaml.in" "$RUN/gslb-lb.yaml" -e "s|@PORT@|$1|g" -e "s|@ADMIN_PORT@|$2|g"
}
render_haproxy() { # render_haproxy PORT RETRIES: $RUN/haproxy.cfg
  render "$HERE/conf/haproxy.cfg.in" "$RUN/haproxy.cfg" -e "s|@PORT@|$1|g" -e "s|@RETRIES@|$2|"
}

start_backend() { # start_backend I: nginx backend I on BPORT[I], waits until it answers
  local i=$1
  render "$HERE/conf/backend.conf.in" "$RUN/backend$i.conf" -e "s|@ID@|$i|g" -e "s|@PORT@|${BPORT[$i]}|g"
  "${BACKEND_PIN[@]}" nginx -e stderr -p "$RUN" -c "$RUN/backend$i.conf" >> "$RUN/backend$i.out" 2>&1 &
  BPID[$i]=$!
  wait_http "${BPORT[$i]}"
}
stop_backend() { # graceful (SIGQUIT: finish in-flight requests, close idle connections)
  stop_pid "${BPID[$1]}" QUIT
  unset "BPID[$1]"
}
stop_backends() {
  local i
  for i in "${!BPID[@]}"; do stop_backend "$i"; done
}
