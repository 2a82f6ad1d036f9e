#!/usr/bin/env python3
"""UDP receive coalescing (`gslb serve --udp-coalesce-us N`, default 30).

After a receive that took 4 or more queries (the listener is under load) the
worker waits N µs before the next receive; a lone query (light load) is
answered at once. With N set to 100 ms the pause is long enough to observe:

  * 20 queries queued while the server is stopped (SIGSTOP) are taken in
    one receive and answered in full; a query sent as soon as they are
    answered waits out the pause that follows that batch;
  * a lone query to an idle server is answered without that pause;
  * with N = 0 the same burst is answered in full.

The lower bound after the batch is deterministic (the server sleeps); the
bound on the lone query is generous (the best of three tries) and only tells
"paused" from "not paused".
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from pathlib import Path

import dns.message

import gslbtest as g

ZONE = """$ORIGIN co.test.
$TTL 300
@    IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@    IN NS  ns1
ns1  IN A   127.0.0.1
www  IN A   192.0.2.80
"""
PAUSE_S = 0.1
BURST = 20


def all_stopped(pid: int) -> bool:
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
        except (OSError, IndexError):
            return False
    return bool(states) and all(state in ("T", "t") for state in states)


def queued_burst(server: g.Server, count: int) -> tuple[int, float]:
    """Stops the server, queues `count` queries in its socket, lets it go: its
    first receive takes them all at once. Then asks one more query as soon
    as the burst is answered. Returns how many of the burst were answered
    and the seconds the follow-up query took."""
    wires = []
    for i in range(count):
        q = dns.message.make_query("www.co.test.", "A")
        q.id = i
        wires.append(q.to_wire())
    follow = dns.message.make_query("www.co.test.", "A")
    follow.id = count
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        server.send_signal(signal.SIGSTOP)
        try:
            # The stop is asynchronous: wait until every thread has stopped,
            # so that no query of the burst is taken before all are queued.
            g.wait_for(lambda: all_stopped(server.pid), 5, "the server to stop")
            for wire in wires:
                sock.sendto(wire, ("127.0.0.1", server.port))
        finally:
            server.send_signal(signal.SIGCONT)
        answered = set()
        deadline = time.monotonic() + 5
        while len(answered) < count and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, _ = sock.recvfrom(65535)
            except socket.timeout:
                break
            answered.add(dns.message.from_wire(data).id)
        start = time.monotonic()
        sock.sendto(follow.to_wire(), ("127.0.0.1", server.port))
        sock.settimeout(5)
        try:
            while dns.message.from_wire(sock.recvfrom(65535)[0]).id != count:
                pass
        except socket.timeout:
            return len(answered), 10.0
        return len(answered), time.monotonic() - start


def lone_query_seconds(port: int) -> float:
    best = 10.0
    for _ in range(3):
        time.sleep(3 * PAUSE_S)  # idle: any pause is over
        start = time.monotonic()
        reply = g.ask(port, g.Query("www.co.test.", "A"), timeout=2)
        if reply is not None and reply.answer:
            best = min(best, time.monotonic() - start)
    return best


def main() -> int:
    expect = g.Expectations()
    with g.WorkDir("coalesce") as work:
        zones = g.zones_with(work, "co.test", ZONE)

        server = g.start_gslb(zones, work, ["--workers", "1", "--udp-coalesce-us", str(int(PAUSE_S * 1e6))])
        try:
            lone = lone_query_seconds(server.port)
            expect(lone < PAUSE_S * 0.6, f"a lone query to an idle server took {lone * 1000:.0f} ms: it was paused")
            answered, follow = queued_burst(server, BURST)
            expect(answered == BURST, f"coalescing: {answered} of {BURST} answered")
            expect(follow >= PAUSE_S * 0.5, f"the query after a batch of {BURST} took {follow * 1000:.0f} ms: no pause")
        finally:
            server.stop()

        off = g.start_gslb(zones, work, ["--workers", "1", "--udp-coalesce-us", "0"])
        try:
            answered, _ = queued_burst(off, BURST)
            expect(answered == BURST, f"without coalescing: {answered} of {BURST} answered")
        finally:
            off.stop()

    return expect.report("coalescing", f"lone query {lone * 1000:.1f} ms, the query after a batch "
                                       f"{follow * 1000:.0f} ms; off: all answered")

if __name__ == "__main__":
    sys.exit(main())
