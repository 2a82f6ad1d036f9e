#!/usr/bin/env python3
"""genzone.py N [ORIGIN] > FILE: writes a syntactically valid zone of about N records.

For load-time benchmarks (zone parse + index), side by side with Knot/NSD on the
same file. The mix roughly follows a large hosting zone: mostly A records, with
AAAA, CNAME, MX, TXT, SRV and delegations (NS + glue) sprinkled in. Output is
deterministic for a given N (fixed seed) so runs are comparable.
"""
import random
import sys


def main() -> int:
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        print("usage: genzone.py N [ORIGIN] > FILE", file=sys.stderr)
        return 2
    n = int(sys.argv[1])
    origin = sys.argv[2] if len(sys.argv) > 2 else "example.com."
    if not origin.endswith("."):
        origin += "."
    rnd = random.Random(20261123)
    out = sys.stdout
    w = out.write
    w(f"$ORIGIN {origin}\n$TTL 3600\n")
    w("@ IN SOA ns1 hostmaster ( 2026112301 7200 3600 1209600 300 )\n")
    w("@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 AAAA 2001:db8::2\n")
    written = 5
    i = 0
    while written < n:
        host = f"h{i}"
        kind = rnd.random()
        if kind < 0.70:
            w(f"{host} A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
            written += 1
        elif kind < 0.82:
            w(f"{host} 300 AAAA 2001:db8:{(i >> 16) & 0xffff:x}::{i & 0xffff:x}\n")
            written += 1
        elif kind < 0.90:
            w(f"{host} CNAME h{max(i - 1, 0)}\n")
            written += 1
        elif kind < 0.94:
            w(f"{host} MX 10 mx{i % 7}.{origin}\n")
            written += 1
        elif kind < 0.97:
            w(f'{host} TXT "v=spf1 ip4:10.0.0.0/8 -all" "id={i}"\n')
            written += 1
        elif kind < 0.985:
            w(f"_sip._tcp.{host} SRV 10 60 5060 {host}\n")
            written += 1
        else:
            # A delegation with in-bailiwick glue: 3 records.
            w(f"sub{i} NS ns.sub{i}\nns.sub{i} A 198.51.100.{i % 250 + 1}\n")
            w(f"sub{i} NS ns.example.net.\n")
            written += 3
        i += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
