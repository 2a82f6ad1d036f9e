#!/usr/bin/env python3
"""Write a dnsperf query file ("name type" per line) for the genzone.py zone.

usage: genqueries.py [--hosts N] [--count N] [--seed S] [-o FILE]

Mix (fixed seed, so every run and every server sees the same file):
  60 % A of an existing host            15 % AAAA of an existing host
                                             (half of the hosts have none: NODATA)
  10 % A of a name that does not exist   5 % A via the CNAME chain (www, ftp)
   5 % A/AAAA under the wildcard          3 % apex MX / TXT / SOA / NS / A
   2 % names at or below the delegation (referrals)
"""
import argparse
import random
import sys

MIX = [  # (cumulative probability, generator)
    (0.60, lambda r, h, o: f"{host(r, h)}.{o} A"),
    (0.75, lambda r, h, o: f"{host(r, h)}.{o} AAAA"),
    (0.85, lambda r, h, o: f"nx{r.randint(1, 10**6)}.{o} A"),
    (0.90, lambda r, h, o: f"{r.choice(['www', 'ftp'])}.{o} A"),
    (0.95, lambda r, h, o: f"w{r.randint(1, 10**6)}.wild.{o} {r.choice(['A', 'AAAA'])}"),
    (0.98, lambda r, h, o: f"{o} {r.choice(['MX', 'TXT', 'SOA', 'NS', 'A'])}"),
    (1.00, lambda r, h, o: f"{r.choice(['', 'www.', 'a.b.'])}sub.{o} A"),
]


def host(rnd, hosts):
    return f"host{rnd.randint(1, hosts):05d}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=1000, help="hosts in the zone (genzone.py --hosts)")
    ap.add_argument("--count", type=int, default=20000, help="queries to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--origin", default="example.test")
    ap.add_argument("-o", "--output", help="file to write (default stdout)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    origin = args.origin.rstrip(".")
    out = open(args.output, "w") if args.output else sys.stdout
    with out:
        for _ in range(args.count):
            x = rnd.random()
            make = next(g for p, g in MIX if x < p)
            out.write(make(rnd, args.hosts, origin) + "\n")


if __name__ == "__main__":
    main()
