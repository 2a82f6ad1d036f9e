#!/usr/bin/python3
"""UDP answers are never fragmented (RFC 9715 §3.1).

gslb marks its UDP replies DF and never fragments them locally. An answer that
fits the client's EDNS buffer but not the interface MTU therefore cannot leave
as IP fragments: the server sends header + question with TC set instead, and
the client gets the whole answer over TCP.

To have an MTU smaller than the answer on loopback, the test runs the server
and the client in a network namespace of its own whose `lo` has MTU 1280.
Without the DF handling the kernel would fragment the ~2 kB answer and dig
would receive it whole over UDP, so the test would fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

GSLB = os.environ.get("GSLB") or str(Path(__file__).resolve().parents[2] / "build" / "gslb")
PORT = 5300  # inside a namespace of our own: nothing else listens there

ZONE = """$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
small   IN TXT "fits in any datagram"
"""
# Eight 250-octet strings: ~2.1 kB of RDATA, over 1280 and under 4096.
BIG = "big     IN TXT " + " ".join('"' + chr(ord("a") + i) * 250 + '"' for i in range(8)) + "\n"


def run(argv: list[str], timeout: float = 10.0) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


class DontFragmentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.netns = f"gslb-frag-{os.getpid()}"
        created = run(["ip", "netns", "add", cls.netns])
        if created.returncode != 0:
            raise RuntimeError(f"ip netns add failed (the test needs root): {created.stderr}")
        cls.addClassCleanup(run, ["ip", "netns", "del", cls.netns])
        up = run(["ip", "-n", cls.netns, "link", "set", "lo", "up", "mtu", "1280"])
        if up.returncode != 0:
            raise RuntimeError(f"cannot set lo up in {cls.netns}: {up.stderr}")

        cls.tmp = tempfile.TemporaryDirectory(prefix="gslb-frag-")
        cls.addClassCleanup(cls.tmp.cleanup)
        zones = Path(cls.tmp.name) / "zones"
        zones.mkdir()
        (zones / "example.test.zone").write_text(ZONE + BIG)
        cls.log = open(Path(cls.tmp.name) / "gslb.log", "w+")
        cls.addClassCleanup(cls.log.close)
        cls.server = subprocess.Popen(
            ["ip", "netns", "exec", cls.netns, GSLB, "serve", "--zones", str(zones), "--listen",
             f"127.0.0.1:{PORT}", "--edns-size", "4096", "--workers", "1"],
            stdout=cls.log, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stop_server)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if cls.server.poll() is not None:
                raise RuntimeError("gslb exited: " + cls.server_log())
            if "status: NOERROR" in cls.dig("example.test", "SOA", tcp=False):
                return
            time.sleep(0.1)
        raise RuntimeError("gslb did not answer in the namespace: " + cls.server_log())

    @classmethod
    def stop_server(cls) -> None:
        cls.server.terminate()
        try:
            cls.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.wait()

    @classmethod
    def server_log(cls) -> str:
        cls.log.flush()
        cls.log.seek(0)
        return cls.log.read()[-2000:]

    @classmethod
    def dig(cls, name: str, qtype: str, tcp: bool) -> str:
        argv = ["ip", "netns", "exec", cls.netns, "dig", "@127.0.0.1", "-p", str(PORT), "+bufsize=4096",
                "+tries=1", "+time=2", "+tcp" if tcp else "+ignore", name, qtype]
        return run(argv).stdout

    @staticmethod
    def flags(output: str) -> set[str]:
        match = re.search(r";; flags: ([a-z ]+);", output)
        if match is None:
            raise AssertionError("no header in dig output:\n" + output)
        return set(match.group(1).split())

    @staticmethod
    def answers(output: str) -> int:
        match = re.search(r"ANSWER: (\d+)", output)
        if match is None:
            raise AssertionError("no counts in dig output:\n" + output)
        return int(match.group(1))

    def test_answer_over_the_mtu_is_truncated_not_fragmented(self) -> None:
        out = self.dig("big.example.test", "TXT", tcp=False)
        self.assertIn("status: NOERROR", out)
        self.assertIn("tc", self.flags(out), out)
        self.assertEqual(self.answers(out), 0, out)
        self.assertRegex(out, r"MSG SIZE\s+rcvd: (2[0-9]|3[0-9])\b", "header + question only")

    def test_the_same_answer_arrives_whole_over_tcp(self) -> None:
        out = self.dig("big.example.test", "TXT", tcp=True)
        self.assertNotIn("tc", self.flags(out), out)
        self.assertEqual(self.answers(out), 1, out)
        self.assertIn("a" * 250, out.replace('"', ""))
        self.assertIn("h" * 250, out.replace('"', ""))

    def test_answers_under_the_mtu_are_unchanged(self) -> None:
        out = self.dig("small.example.test", "TXT", tcp=False)
        self.assertNotIn("tc", self.flags(out), out)
        self.assertEqual(self.answers(out), 1, out)
        self.assertIn("fits in any datagram", out)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
