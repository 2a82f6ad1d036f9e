#!/usr/bin/env python3
"""Write the benchmark zone example.test as an RFC 1035 master file.

usage: genzone.py [--hosts N | --records N] [--origin NAME] [-o FILE]

Contents: SOA, two NS (in-zone, with A/AAAA glue), apex A/AAAA/MX/TXT, a
CNAME chain (ftp -> www -> host00001), a wildcard (*.wild, A and AAAA), a
delegation (sub, two NS with glue), then N hosts "hostNNNNN" with an A record
each and an AAAA record on every second host.

--hosts N     number of host names (default 1000: about 1,500 A/AAAA records)
--records N   size the zone by its A/AAAA count instead: N records need
              ceil(2N/3) hosts (1000000 -> 666667 hosts), for the load test
Output is deterministic: the same arguments always give the same bytes.
"""
import argparse
import sys

HEAD = """\
$ORIGIN {origin}.
$TTL 300
@        3600 IN SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@        3600 IN NS    ns1
@        3600 IN NS    ns2
@             IN A     192.0.2.10
@             IN AAAA  2001:db8::10
@             IN MX    10 mail
@             IN MX    20 mail2
@             IN TXT   "v=spf1 ip4:192.0.2.0/24 -all"
ns1           IN A     192.0.2.53
ns1           IN AAAA  2001:db8::53
ns2           IN A     198.51.100.53
mail          IN A     192.0.2.25
mail2         IN A     198.51.100.25
; CNAME chain: ftp -> www -> host00001
www           IN CNAME host00001
ftp           IN CNAME www
txt           IN TXT   "hello world" "second string"
; wildcard
*.wild        IN A     192.0.2.99
*.wild        IN AAAA  2001:db8::99
; delegation with glue
sub           IN NS    ns1.sub
sub           IN NS    ns2.sub
ns1.sub       IN A     192.0.2.201
ns1.sub       IN AAAA  2001:db8::201
ns2.sub       IN A     192.0.2.202
"""


def host_lines(count):
    """Yields the host records; addresses are unique per host index."""
    for i in range(1, count + 1):
        name = f"host{i:05d}"
        yield f"{name} IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n"
        if i % 2 == 0:
            yield f"{name} IN AAAA 2001:db8:{(i >> 16) & 0xFFFF:x}:{i & 0xFFFF:x}::1\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--hosts", type=int, default=1000)
    size.add_argument("--records", type=int)
    ap.add_argument("--origin", default="example.test")
    ap.add_argument("-o", "--output", help="file to write (default stdout)")
    args = ap.parse_args()
    hosts = args.hosts if args.records is None else -(-2 * args.records // 3)
    out = open(args.output, "w") if args.output else sys.stdout
    with out:
        out.write(HEAD.format(origin=args.origin.rstrip(".")))
        out.writelines(host_lines(hosts))


if __name__ == "__main__":
    main()
