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
# A port free for both UDP and TCP (the server binds both), and one for the admin API.
free_port() {
  /usr/bin/python3 - << 'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        t.close()
        u.close()
    print(port)
    break
PY
}
port=$(free_port)
admin_port=$(free_port)
GSLB=$GSLB PORT=$port ADMIN_PORT=$admin_port timeout 120 "$source_dir/scripts/demo.sh" --check
