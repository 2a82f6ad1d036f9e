#!/usr/bin/env python3
"""UDP response rate limiting (`gslb serve --rate-limit N`).

A burst of identical queries from one client network gets N answers; of the
rest every second one comes back truncated (TC, no records: a real client
retries over TCP) and the others are dropped. Another name, another client
network (/24) and TCP are not limited; made-up names under one zone share one
allowance (NXDOMAIN is limited per zone); credit comes back with time. Without
--rate-limit the same burst is answered in full.
"""

from __future__ import annotations

import socket
import sys
import time

import dns.flags
import dns.message
import dns.rcode

import gslbtest as g

ZONE = """$ORIGIN rrl.test.
$TTL 300
@    IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@    IN NS  ns1
ns1  IN A   127.0.0.1
www  IN A   192.0.2.80
mail IN A   192.0.2.25
"""
RATE = 20
BURST = 200


def burst(port: int, qname: str, count: int, source: str = "127.0.0.1", random_labels: bool = False) -> dict:
    """Sends `count` queries from one socket as fast as it can, then collects
    replies until none has come for 0.3 s (at most 2 s). Returns counts of
    answers, truncated replies and silence, and when the sending began and
    ended (time.monotonic())."""
    tally = {"answered": 0, "truncated": 0, "silent": 0, "other": 0}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        ids = set()
        tally["first_sent"] = time.monotonic()
        for i in range(count):
            name = f"x{i}.{qname}" if random_labels else qname
            q = dns.message.make_query(name, "A")
            q.id = i
            q.flags &= ~dns.flags.RD
            ids.add(i)
            sock.sendto(q.to_wire(), ("127.0.0.1", port))
        tally["last_sent"] = time.monotonic()
        end = time.monotonic() + 2.0
        while ids and time.monotonic() < end:
            sock.settimeout(max(0.01, min(0.3, end - time.monotonic())))
            try:
                data, _ = sock.recvfrom(65535)
            except socket.timeout:
                break
            reply = dns.message.from_wire(data)
            if reply.id not in ids:
                continue
            ids.discard(reply.id)
            if reply.flags & dns.flags.TC and not reply.answer and not reply.authority:
                tally["truncated"] += 1
            elif reply.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) and not reply.flags & dns.flags.TC:
                tally["answered"] += 1
            else:
                tally["other"] += 1
        tally["silent"] = len(ids)
    return tally


def main() -> int:
    expect = g.Expectations()
    with g.WorkDir("rrl") as work:
        zones = g.zones_with(work, "rrl.test", ZONE)

        server = g.start_gslb(zones, work, ["--workers", "1", "--rate-limit", str(RATE)])
        try:
            expect("udp rate limit 20/s" in server.log(), f"start-up line lacks the rate limit:\n{server.log_tail()}")
            limited = burst(server.port, "www.rrl.test.", BURST)
            # RATE answers, plus what the burst's own duration earned back.
            expect(RATE <= limited["answered"] <= RATE + 10, f"answered {limited}")
            over = BURST - limited["answered"]
            expect(abs(limited["truncated"] - over / 2) <= 1, f"about half the rest truncated: {limited}")
            expect(abs(limited["silent"] - over / 2) <= 1, f"the other half dropped: {limited}")
            expect(limited["other"] == 0, f"unexpected replies: {limited}")

            # Another answer, another client network: their own allowance.
            other_name = burst(server.port, "mail.rrl.test.", RATE)
            expect(other_name["answered"] == RATE, f"another name: {other_name}")
            other_net = burst(server.port, "www.rrl.test.", RATE, source="127.0.1.1")
            expect(other_net["answered"] == RATE, f"another /24: {other_net}")

            # Made-up names in the zone are one stream (NXDOMAIN per zone).
            random = burst(server.port, "rrl.test.", BURST, source="127.0.2.1", random_labels=True)
            expect(RATE <= random["answered"] <= RATE + 10, f"random names: {random}")

            # TCP is never limited: the same name from the limited network.
            for _ in range(5):
                reply = g.ask(server.port, g.Query("www.rrl.test.", "A", transport="tcp"))
                expect(reply is not None and reply.rcode == "NOERROR" and reply.answer, f"TCP answer: {reply}")

            # Credit returns at the rate: spend it all from a fresh network,
            # wait, and the next burst gets what the pause earned.
            spent = burst(server.port, "www.rrl.test.", 3 * RATE, source="127.0.3.1")
            expect(RATE <= spent["answered"] <= RATE + 10, f"spending: {spent}")
            time.sleep(max(0.0, spent["last_sent"] + 0.5 - time.monotonic()))
            later = burst(server.port, "www.rrl.test.", RATE, source="127.0.3.1")
            earned = RATE * (later["first_sent"] - spent["last_sent"])
            expect(earned < RATE, f"the pause took too long to test refilling ({earned / RATE:.2f} s)")
            expect(earned - 3 <= later["answered"] <= earned + 6,
                   f"after {earned / RATE:.2f} s about {earned:.0f} answers: {later}")
        finally:
            server.stop()

        free = g.start_gslb(zones, work, ["--workers", "1"])
        try:
            unlimited = burst(free.port, "www.rrl.test.", BURST)
            expect(unlimited["answered"] == BURST, f"without --rate-limit: {unlimited}")
        finally:
            free.stop()

    return expect.report("rate limiting", "limited, slipped, dropped, per name/network/zone, TCP free, refilled")

if __name__ == "__main__":
    sys.exit(main())
