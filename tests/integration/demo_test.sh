#!/usr/bin/env bash
# The README's main command runs scripts/demo.sh: start that whole stack (gslb
# serve + three regions of gslb lb + backends on loopback) with the binary under
# test and let its --check mode assert what the demo's printed commands show:
# geo answers per client subnet, ECS echo, all/failover/static names, a request
# through the answered region's load balancer, gslb check on the demo zone, an
# operator drain, and failover when a region's backends die (and recovery).
set -euo pipefail
source_dir=${GSLB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${GSLB:?GSLB must name the gslb binary}"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GSLB=$GSLB PORT=$port ADMIN_PORT=$admin_port timeout 120 "$source_dir/scripts/demo.sh" --check
