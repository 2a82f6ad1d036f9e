#!/usr/bin/env bash
# demo.sh: build gslb, then serve the example zones of zones/ on loopback port
# 5353 (IPv4 and IPv6) and print dig commands to try. Ctrl-C stops it.
# Environment: PORT (default 5353), BUILD_DIR (default build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
port=${PORT:-5353}

echo "demo: building gslb in $build ..."
log=$(mktemp)
if ! "$root/scripts/build.sh" "$build" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
gslb=$build/gslb

zones=()
for file in "$root"/zones/*.zone; do
  [[ -e $file ]] || continue
  zones+=("$(basename "$file" .zone)")
done
if ((${#zones[@]} == 0)); then
  echo "demo: no *.zone files in $root/zones" >&2
  exit 1
fi
first=${zones[0]}

cat <<MSG

gslb serves ${zones[*]} on 127.0.0.1:$port and [::1]:$port. In another terminal, try:

  dig @127.0.0.1 -p $port $first SOA
  dig @127.0.0.1 -p $port $first NS +norec
  dig @127.0.0.1 -p $port www.$first A
  dig @::1 -p $port www.$first AAAA
  dig @127.0.0.1 -p $port www.$first A +tcp
  dig @127.0.0.1 -p $port nosuchname.$first A        # NXDOMAIN with the SOA
  dig @127.0.0.1 -p $port $first AXFR                # zone transfer (allowed from 127.0.0.1 here)
  dig @127.0.0.1 -p $port version.bind CH TXT
  kill -HUP \$(pgrep -n -f 'gslb serve')             # reload after editing zones/*.zone

Ctrl-C stops the server (it drains and exits 0).

MSG
cd "$root"
# If port 5353 is taken (mDNS responders such as avahi use it), run PORT=5354 ./scripts/demo.sh.
exec "$gslb" serve --zones zones --listen "127.0.0.1:$port" --listen "[::1]:$port" --axfr-allow 127.0.0.1/32 \
  --query-log
