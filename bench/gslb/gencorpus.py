#!/usr/bin/env python3
"""Query corpora for the GSLB benchmark, in ecsperf's "NAME TYPE SUBNET/PREFIX"
format: every query carries an EDNS Client Subnet from a pool of distinct
client /24s spread over the whole benchmark database (make_bench_mmdb.pl gives
every IPv4 /16 from 1/8 to 223/8, except 127/8, a city on one of six
continents, with /24s nested in a quarter of them).

usage: gencorpus.py --names geo,wrr,fo [--origin example.test] [--count N]
                    [--subnets N] [--seed S] -o FILE
           GSLB corpus: A queries for the names in turn (equal shares)
       gencorpus.py --static FILE [--subnets N] [--seed S] -o FILE
           the static corpus FILE ("name type" lines, bench/dns/genqueries.py)
           with a subnet added to every line

The same seed gives the same subnets in the same order for both corpora, so
the static and GSLB rows of a run differ only in the names asked.
"""
import argparse
import random


def subnets(count, seed):
    rnd = random.Random(seed)
    seen = set()
    out = []
    while len(out) < count:
        a = rnd.randint(1, 223)
        if a == 127:
            continue
        net = f"{a}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.0/24"
        if net not in seen:
            seen.add(net)
            out.append(net)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", help="comma list of GSLB owner names (relative to --origin)")
    ap.add_argument("--static", help="static corpus to add subnets to")
    ap.add_argument("--origin", default="example.test")
    ap.add_argument("--count", type=int, default=30000)
    ap.add_argument("--subnets", type=int, default=20000, help="distinct client /24s")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    if (args.names is None) == (args.static is None):
        ap.error("give exactly one of --names and --static")
    nets = subnets(args.subnets, args.seed)
    rnd = random.Random(args.seed + 1)
    if args.static:
        questions = [line.strip() for line in open(args.static) if line.strip()]
    else:
        names = args.names.split(",")
        questions = [f"{names[i % len(names)]}.{args.origin} A" for i in range(args.count)]
    with open(args.output, "w") as f:
        for q in questions:
            f.write(f"{q} {rnd.choice(nets)}\n")


if __name__ == "__main__":
    main()
