#!/usr/bin/env python3
"""SIGHUP reload of `gslb serve`: a bad zone file keeps the old data serving
and is reported as file:line; a good one replaces the data atomically, also
while queries are flowing.

  1. Serve reload.test. (version 1). Replace the file by one with a syntax
     error at a known line, SIGHUP: the log must name reload.test.zone:LINE,
     and version 1 must still be answered (SOA serial, www A, TXT).
  2. Fix the file (version 2: new serial, changed data), SIGHUP: version 2 is
     answered.
  3. A client thread queries www A without pause (bounded: MAX_QUERIES or
     LOAD_SECONDS) while the main thread publishes versions 3..2+RELOADS, one
     SIGHUP each, waiting for each to be served. Every query must be answered
     NOERROR with exactly the two A records of one version (never a mix,
     never SERVFAIL or silence), and the client must have seen more than one
     version.
  4. SIGTERM: the server exits with status 0.

Zone files are replaced by rename, as an operator's deploy would, so the
server never reads a half-written file.

`--against knot` runs the same steps against Knot (except the file:line
check, Knot's wording differs) to check the test itself.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import gslbtest as g

ZONE = "reload.test."
RELOADS = 5
MAX_QUERIES = 4000
QUERIES_PER_VERSION = 300
LOAD_SECONDS = 20.0


def zone_text(version: int) -> str:
    # www has two A records whose last octet is the version: an answer mixing
    # two versions (or a partial RRset) shows as two different octets.
    return f"""$ORIGIN {ZONE}
$TTL 300
@       IN SOA ns1.{ZONE} hostmaster.{ZONE} {version} 3600 900 604800 60
@       IN NS  ns1
ns1     IN A   192.0.2.53
www     IN A   192.0.2.{version}
www     IN A   198.51.100.{version}
info    IN TXT "version {version}"
"""


BROKEN_LINE = 7


def broken_text() -> str:
    lines = zone_text(1).splitlines()
    # Line 7 of the file (1-based): an A record whose address is not one.
    lines.insert(BROKEN_LINE - 1, "broken  IN A   192.0.2.999.1")
    assert lines[BROKEN_LINE - 1].startswith("broken")
    return "\n".join(lines) + "\n"


def publish(path: Path, text: str) -> None:
    """Replace path atomically (write a sibling, then rename over it)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def serial(port: int) -> int | None:
    ans = g.ask(port, g.Query(ZONE, "SOA"), timeout=1.0)
    if ans is None or ans.rcode != "NOERROR" or not ans.answer:
        return None
    return int(ans.answer[0][4][0].split()[2])


def www_version(ans: g.Answer | None) -> int | None:
    """The version an answer to www A comes from, or None if it is not a
    whole, single-version answer."""
    if ans is None or ans.rcode != "NOERROR" or len(ans.answer) != 1:
        return None
    owner, rtype, _, _, rdatas = ans.answer[0]
    if owner != f"www.{ZONE}" or rtype != "A" or len(rdatas) != 2:
        return None
    octets = {r.rsplit(".", 1)[1] for r in rdatas}
    prefixes = {r.rsplit(".", 1)[0] for r in rdatas}
    if len(octets) != 1 or prefixes != {"192.0.2", "198.51.100"}:
        return None
    return int(octets.pop())


def wait_for_serial(server: g.Server, want: int, deadline_s: float = 10.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if serial(server.port) == want:
            return
        if not server.alive():
            break
        time.sleep(0.02)  # polling interval, bounded by the deadline
    raise AssertionError(f"serial {want} not served within {deadline_s}s (serving {serial(server.port)}); "
                         f"log:\n{server.log_tail()}")


def wait_for_log(server: g.Server, pattern: str, deadline_s: float = 10.0) -> str:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        match = re.search(pattern, server.log())
        if match:
            return match.group(0)
        time.sleep(0.02)
    raise AssertionError(f"log never matched {pattern!r} within {deadline_s}s; log:\n{server.log_tail()}")


def wait_for_progress(loop: "QueryLoop", count: int, deadline_s: float = 10.0) -> None:
    start = len(loop.results)
    end = time.monotonic() + deadline_s
    while len(loop.results) < start + count and loop.is_alive() and time.monotonic() < end:
        time.sleep(0.01)


def check_version(port: int, version: int) -> None:
    assert serial(port) == version, f"SOA serial {serial(port)}, expected {version}"
    www = g.ask(port, g.Query(f"www.{ZONE}", "A"))
    assert www_version(www) == version, f"www A: expected version {version}, got:\n{www and www.text()}"
    txt = g.ask(port, g.Query(f"info.{ZONE}", "TXT"), timeout=1.0)
    assert txt is not None and txt.answer and txt.answer[0][4] == (f'"version {version}"',), \
        f"info TXT: expected version {version}, got:\n{txt and txt.text()}"


class QueryLoop(threading.Thread):
    """Queries www A back to back until stopped or bounded out; records every
    reply's version (None for a bad or missing reply)."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.stop_event = threading.Event()
        self.results: list[tuple[int | None, str]] = []

    def run(self) -> None:
        end = time.monotonic() + LOAD_SECONDS
        n = 0
        while not self.stop_event.is_set() and n < MAX_QUERIES and time.monotonic() < end:
            transport = "tcp" if n % 10 == 9 else "udp"
            ans = g.ask(self.port, g.Query(f"www.{ZONE}", "A", transport=transport), timeout=2.0)
            self.results.append((www_version(ans), "(no reply)" if ans is None else ans.text()))
            n += 1


def start(kind: str, zones: Path, work: Path) -> g.Server:
    return {"gslb": g.start_gslb, "knot": g.start_knot, "nsd": g.start_nsd}[kind](zones, work)


def main() -> int:
    kind = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else "gslb"
    if kind == "gslb":
        g.require_gslb_command("serve")
    with g.WorkDir("reload") as work:
        zones = work / "zones"
        zones.mkdir()
        zone_file = zones / f"{ZONE}zone"
        publish(zone_file, zone_text(1))
        with start(kind, zones, work) as server:
            check_version(server.port, 1)

            # 1. A broken file: reported with file:line, old data kept.
            publish(zone_file, broken_text())
            server.send_signal(signal.SIGHUP)
            if kind == "gslb":
                where = wait_for_log(server, rf"{re.escape(zone_file.name)}:{BROKEN_LINE}\b[^\n]*")
                print(f"reported: {where}")
            else:
                wait_for_log(server, rf"error[^\n]*line {BROKEN_LINE}\b")
            check_version(server.port, 1)
            assert server.alive(), "server exited after a bad reload"
            print("bad reload: old data still served")

            # 2. Fixed file with a new serial and new data.
            publish(zone_file, zone_text(2))
            server.send_signal(signal.SIGHUP)
            wait_for_serial(server, 2)
            check_version(server.port, 2)
            print("good reload: new data served")

            # 3. Reloads under a continuous query load.
            loop = QueryLoop(server.port)
            loop.start()
            for version in range(3, 3 + RELOADS):
                publish(zone_file, zone_text(version))
                server.send_signal(signal.SIGHUP)
                wait_for_serial(server, version)
                # Let the client run against each version before the next
                # reload, so reloads and queries overlap for a while.
                wait_for_progress(loop, QUERIES_PER_VERSION)
            loop.stop_event.set()
            loop.join(timeout=LOAD_SECONDS + 10)
            last = 2 + RELOADS
            check_version(server.port, last)

            bad = [(i, text) for i, (version, text) in enumerate(loop.results) if version is None]
            seen = sorted({v for v, _ in loop.results if v is not None})
            print(f"under load: {len(loop.results)} queries, {len(bad)} bad, versions seen {seen}")
            for i, text in bad[:5]:
                print(f"query #{i} got a bad reply:\n{text}")
            assert not bad, f"{len(bad)} of {len(loop.results)} queries unanswered or not a whole version"
            assert set(seen) <= set(range(2, last + 1)), f"versions {seen} outside 2..{last}"
            assert len(seen) >= 2, f"client saw only versions {seen}: the reloads did not happen under load"
            assert len(loop.results) >= QUERIES_PER_VERSION * RELOADS, f"only {len(loop.results)} queries sent under load"
            assert server.alive(), "server exited during the reloads"
            # SIGTERM drains and exits 0 (DESIGN.md, signals).
            status = server.stop()
            assert status == 0, f"exit status {status} after SIGTERM; log:\n{server.log_tail()}"
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
