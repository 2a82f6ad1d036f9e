#!/usr/bin/env bash
# Installs everything gslb needs to build, test, demo and benchmark on Debian 12.
# Idempotent; used by both README commands and by .ci/run.
set -euo pipefail
packages=(
  # build
  cmake ninja-build g++ pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  # libraries (DESIGN.md "Libraries")
  libldns-dev libboost1.81-dev libssl-dev libmaxminddb-dev libsqlite3-dev libyaml-cpp-dev doctest-dev
  # tests: real clients and reference servers on loopback
  knot-dnsutils dnsutils knot nsd curl sqlite3 libmaxmind-db-writer-perl openssl procps iproute2 python3 python3-dnspython dnsperf gdnsd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's nsd/knot packages may start daemons on port 53 on systemd hosts; the
# tests start their own instances on free loopback ports and never need these.
if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
  systemctl disable --now nsd knot >/dev/null 2>&1 || true
fi
