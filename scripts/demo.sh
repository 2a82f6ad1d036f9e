#!/usr/bin/env bash
# demo.sh [--check]: build gslb, then run a whole GSLB stack on loopback:
#
#   gslb serve on 127.0.0.1:$PORT and [::1]:$PORT: the zone demo.test of
#     deploy/demo/zones, whose GSLB names (demo.test.gslb.yaml) are answered by
#     the client's location (synthetic MaxMind DB tests/data/geo/test-city.mmdb)
#     and the health of three regions;
#   per region (us-east 127.0.0.11, eu-west 127.0.0.12, ap-northeast 127.0.0.13):
#     `gslb lb` on :8080 (admin API on :9100) in front of two backends on :8081
#     and :8082 (python3 http.server, each saying which it is).
#
# Prints commands to try and runs until Ctrl-C. With --check it instead asserts
# what the printed commands show (used by tests/integration/demo_test.sh) and exits.
# Environment: PORT (DNS port, default 5353), ADMIN_PORT (gslb serve's admin API on
# 127.0.0.1, default 8053), BUILD_DIR (default build/), GSLB (use this binary
# instead of building).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
port=${PORT:-5353}
admin_port=${ADMIN_PORT:-8053}
check=0
[[ ${1:-} == --check ]] && check=1

if [[ -z ${GSLB:-} ]]; then
  echo "demo: building gslb in $build ..."
  log=$(mktemp)
  if ! "$root/scripts/build.sh" "$build" > "$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  GSLB=$build/gslb
fi
gslb=$GSLB
zones=$root/deploy/demo/zones
geoip=$root/tests/data/geo/test-city.mmdb

run=$(mktemp -d /tmp/gslb-demo.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

regions=(us-east:127.0.0.11 eu-west:127.0.0.12 ap-northeast:127.0.0.13)
declare -A backend_pid

start_backend() { # start_backend REGION IP N
  local dir=$run/$1-backend-$3
  mkdir -p "$dir/www"
  echo "hello from $1 backend $3" > "$dir/www/index.html"
  echo ok > "$dir/www/health"
  python3 -m http.server --bind "$2" "$((8080 + $3))" --directory "$dir/www" > "$dir/log" 2>&1 &
  pids+=($!)
  backend_pid[$1-$3]=$!
}

for entry in "${regions[@]}"; do
  name=${entry%%:*} ip=${entry#*:}
  start_backend "$name" "$ip" 1
  start_backend "$name" "$ip" 2
  cat > "$run/$name.yaml" << YAML
# region $name: what \`gslb lb -c\` reads (see regional-lb/README.md)
server: { workers: 1 }
admin: { address: "$ip:9100" }
listeners: [ { address: "$ip:8080" } ]
pools:
  app:
    balancer: round_robin
    backends: [ { address: "$ip:8081" }, { address: "$ip:8082" } ]
    check: { path: /health, interval: 500ms, timeout: 400ms, rise: 1, fall: 1 }
routes: [ { pool: app } ]
YAML
  "$gslb" lb -c "$run/$name.yaml" > "$run/$name.log" 2>&1 &
  pids+=($!)
done

"$gslb" serve --zones "$zones" --listen "127.0.0.1:$port" --listen "[::1]:$port" --geoip "$geoip" \
  --state "$run/state.db" --admin "127.0.0.1:$admin_port" > "$run/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")

# Bounded readiness waits: the DNS server answers, every region reports healthy.
ready=0
for _ in $(seq 1 150); do
  if dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" demo.test SOA 2> /dev/null | grep -q hostmaster; then
    ready=1
    break
  fi
  kill -0 "$serve_pid" 2> /dev/null || break
  sleep 0.1
done
if ((!ready)); then
  echo "demo: gslb serve did not start; its log:" >&2
  cat "$run/serve.log" >&2
  exit 1
fi
for entry in "${regions[@]}"; do
  name=${entry%%:*} ip=${entry#*:}
  ok=0
  for _ in $(seq 1 150); do
    if curl -fs -o /dev/null --max-time 1 "http://$ip:9100/health"; then
      ok=1
      break
    fi
    sleep 0.1
  done
  if ((!ok)); then
    echo "demo: region $name ($ip) did not become healthy; its log:" >&2
    cat "$run/$name.log" >&2
    exit 1
  fi
done

# ... and gslb serve's own checks see every region up (rise 2 at 1 s).
all_up() { [[ $("$gslb" status --admin "127.0.0.1:$admin_port" 2> /dev/null | grep -c ' up ') -eq 3 ]]; }
for _ in $(seq 1 100); do
  all_up && break
  sleep 0.1
done
all_up || {
  echo "demo: gslb serve's health checks did not see the three regions up:" >&2
  "$gslb" status --admin "127.0.0.1:$admin_port" >&2 || true
  exit 1
}

# The clients of the commands below: ECS subnets that the synthetic DB places
# in New York, Frankfurt and Tokyo.
ny=100.69.0.0/24 fra=100.66.0.0/24 tyo=203.0.113.0/24

if ((!check)); then
  cat << MSG

The stack is up: gslb serve on 127.0.0.1:$port and [::1]:$port, three regions
(us-east 127.0.0.11, eu-west 127.0.0.12, ap-northeast 127.0.0.13), each a gslb lb
on :8080 with two backends. In another terminal, try:

  # the nearest region for a client in New York, Frankfurt, Tokyo (EDNS Client Subnet)
  dig @127.0.0.1 -p $port www.demo.test A +subnet=$ny +noall +answer +opt
  dig @127.0.0.1 -p $port www.demo.test A +subnet=$fra +short
  dig @127.0.0.1 -p $port www.demo.test A +subnet=$tyo +short
  # why: every candidate, its distance and the ECS scope
  $gslb explain www.demo.test A --subnet $fra --zones $zones --geoip $geoip
  # through the answered region's load balancer to a backend
  curl http://\$(dig @127.0.0.1 -p $port www.demo.test A +subnet=$fra +short):8080/
  # every region, shuffled; a failover record; static data next to GSLB names
  dig @127.0.0.1 -p $port all.demo.test A +short
  dig @127.0.0.1 -p $port eu.demo.test A +short
  dig @127.0.0.1 -p $port static.demo.test A +short
  # the regional load balancer's view: health, backends, metrics, drain
  curl http://127.0.0.12:9100/health
  curl http://127.0.0.12:9100/status
  curl -X POST http://127.0.0.12:9100/pools/app/backends/127.0.0.12:8081/drain
  # the DNS side's health table; take a region out by hand and watch answers move
  $gslb status --admin 127.0.0.1:$admin_port
  curl -X POST -d maintenance http://127.0.0.1:$admin_port/members/web/127.0.0.12/drain
  dig @127.0.0.1 -p $port www.demo.test A +subnet=$fra +short      # now us-east
  curl -X POST http://127.0.0.1:$admin_port/members/web/127.0.0.12/clear
  # or kill eu-west's backends (PIDs ${backend_pid[eu-west-1]} ${backend_pid[eu-west-2]}): its lb's /health turns 503,
  # gslb serve marks the region down within ~2 s and Frankfurt goes to us-east
  # validate the zone and its policy as a zone repository's CI would
  $gslb check $zones
  kill -HUP $serve_pid    # reload after editing deploy/demo/zones (all or nothing)

Logs are in $run. Ctrl-C stops everything.

MSG
  wait "$serve_pid"
  exit $?
fi

# --check: what the commands above show, asserted.
fail() {
  echo "demo --check: $*" >&2
  exit 1
}
answer() { # answer NAME SUBNET -> the A records, sorted, space-separated
  dig +short +time=2 +tries=2 @127.0.0.1 -p "$port" "$1" A ${2:+"+subnet=$2"} | sort | tr '\n' ' ' | sed 's/ $//'
}
[[ $(answer www.demo.test $ny) == 127.0.0.11 ]] || fail "New York client: expected us-east, got '$(answer www.demo.test $ny)'"
[[ $(answer www.demo.test $fra) == 127.0.0.12 ]] || fail "Frankfurt client: expected eu-west, got '$(answer www.demo.test $fra)'"
[[ $(answer www.demo.test $tyo) == 127.0.0.13 ]] || fail "Tokyo client: expected ap-northeast, got '$(answer www.demo.test $tyo)'"
[[ $(answer all.demo.test "") == "127.0.0.11 127.0.0.12 127.0.0.13" ]] || fail "all: got '$(answer all.demo.test "")'"
[[ $(answer eu.demo.test "") == 127.0.0.12 ]] || fail "eu (failover): got '$(answer eu.demo.test "")'"
[[ $(answer static.demo.test "") == 127.0.0.10 ]] || fail "static: got '$(answer static.demo.test "")'"
scope=$(dig +time=2 +tries=2 @127.0.0.1 -p "$port" www.demo.test A "+subnet=$fra" | grep -o 'CLIENT-SUBNET: [^ ]*' || true)
[[ $scope == "CLIENT-SUBNET: 100.66.0.0/24/"* ]] || fail "no ECS option echoed: '$scope'"
body=$(curl -fs --max-time 5 "http://$(answer www.demo.test $fra):8080/") || fail "curl through eu-west's gslb lb failed"
[[ $body == "hello from eu-west backend "[12] ]] || fail "unexpected body through eu-west: '$body'"
seen=""
for _ in 1 2 3 4; do seen+=$(curl -fs --max-time 5 http://127.0.0.12:8080/ | awk '{print $NF}'); done
[[ $seen == *1* && $seen == *2* ]] || fail "eu-west's lb did not spread requests over both backends: '$seen'"
"$gslb" check "$zones" > /dev/null || fail "gslb check $zones failed"

wait_for() { # wait_for NAME SUBNET EXPECTED: bounded poll until the answer is EXPECTED
  local _
  for _ in $(seq 1 100); do
    [[ $(answer "$1" "$2") == "$3" ]] && return 0
    sleep 0.1
  done
  fail "$1 for ${2:-no subnet}: expected '$3', still '$(answer "$1" "$2")'"
}
# An operator drains eu-west at the DNS side: Frankfurt goes to the next nearest.
curl -fs -X POST -d demo "http://127.0.0.1:$admin_port/members/web/127.0.0.12/drain" > /dev/null ||
  fail "drain through the admin API failed"
[[ $(answer www.demo.test $fra) == 127.0.0.11 ]] || fail "drained eu-west still answered for Frankfurt"
curl -fs -X POST "http://127.0.0.1:$admin_port/members/web/127.0.0.12/clear" > /dev/null || fail "clear failed"
[[ $(answer www.demo.test $fra) == 127.0.0.12 ]] || fail "eu-west not back after clear"
# eu-west loses both backends: its lb's /health turns 503, gslb serve's check
# marks the region down and Frankfurt (and the eu failover record) move to us-east.
for b in 1 2; do kill "${backend_pid[eu-west-$b]}"; done
wait_for www.demo.test $fra 127.0.0.11
wait_for eu.demo.test "" 127.0.0.11
"$gslb" status --admin "127.0.0.1:$admin_port" | grep -q 'web/127.0.0.12 *down' || fail "gslb status does not show eu-west down"
# The backends return: the region comes back after rise successes.
start_backend eu-west 127.0.0.12 1
start_backend eu-west 127.0.0.12 2
wait_for www.demo.test $fra 127.0.0.12
echo "demo --check: ok (geo answers, ECS echo, all/failover/static, curl through the regional lb, check," \
  "operator drain, health failover and recovery)"
