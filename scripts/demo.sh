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
# Environment: PORT (DNS port, default 5353), BUILD_DIR (default build/), GSLB (use
# this binary instead of building).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
port=${PORT:-5353}
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
  > "$run/serve.log" 2>&1 &
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
echo "demo --check: ok (geo answers, ECS echo, all/failover/static, curl through the regional lb, check)"
