#!/usr/bin/python3
"""Zone transfer and NOTIFY between the real `gslb serve` and a real NSD secondary.

NSD, configured by this test in a temporary directory on a free loopback port,
transfers the zone from gslb by AXFR and then answers the same as gslb. The
test changes the zone (new serial, new address), sends SIGHUP to gslb, and
NSD - told by gslb's NOTIFY - transfers the new version. AXFR from an address
outside the allow-list is REFUSED; from an allowed one it is complete, SOA
first and last.
"""

from __future__ import annotations

import re
import signal
import socket
import tempfile
import time
import unittest
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone

import gslbtest

free_port = gslbtest.free_port
wait_for = gslbtest.wait_for

ZONE_TEMPLATE = """$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
www     IN A   {address}
www     IN AAAA 2001:db8::1
mail    IN MX  10 www
text    IN TXT "hello" "world"
{extra}"""


def zone_text(serial: int, address: str) -> str:
    # Enough records that the transfer spans several messages.
    extra = "".join(f"host{i:04d} IN A 10.0.{i // 250}.{i % 250}\n" for i in range(1500))
    return ZONE_TEMPLATE.format(serial=serial, address=address, extra=extra)


def find_tool(name: str) -> str:
    try:
        return gslbtest.find_tool(name)
    except FileNotFoundError as e:
        raise unittest.SkipTest(str(e))


def ask(address: str, port: int, name: str, rdtype: str) -> dns.message.Message | None:
    try:
        return dns.query.udp(dns.message.make_query(name, rdtype), address, port=port, timeout=1)
    except (dns.exception.Timeout, OSError):
        return None


def soa_serial(port: int) -> int | None:
    response = ask("127.0.0.1", port, "example.test.", "SOA")
    if response is None or response.rcode() != dns.rcode.NOERROR or not response.answer:
        return None
    return response.answer[0][0].serial


def answer_set(response: dns.message.Message) -> set[str]:
    return {rr.to_text() for rrset in response.answer for rr in rrset}


class AxfrNotifyTest(unittest.TestCase):
    def setUp(self):
        self.nsd_binary = find_tool("nsd")
        self.tmp = tempfile.TemporaryDirectory(prefix="gslb-axfr-")
        self.dir = Path(self.tmp.name)
        self.zones = self.dir / "zones"
        self.zones.mkdir()
        self.zone_file = self.zones / "example.test.zone"
        self.zone_file.write_text(zone_text(2024010101, "192.0.2.1"))
        self.processes: list[gslbtest.Server] = []

    def tearDown(self):
        for p in self.processes:
            p.stop()
        self.tmp.cleanup()

    def start_gslb(self, notify_port: int) -> int:
        gslb = gslbtest.serve(self.dir, ["--zones", str(self.zones), "--listen", "127.0.0.1:0", "--workers", "2",
                                         "--axfr-allow", "127.0.0.1/32", "--axfr-allow", "::1", "--notify",
                                         f"127.0.0.1:{notify_port}"])
        self.processes.append(gslb)
        self.gslb = gslb
        [(_, port)] = gslb.wait_listening(1)
        return port

    def start_nsd(self, port: int, primary_port: int):
        run = self.dir / "nsd"
        run.mkdir()
        conf = run / "nsd.conf"
        conf.write_text("\n".join([
            "server:",
            f"    ip-address: 127.0.0.1@{port}",
            "    server-count: 1",
            '    username: ""',
            '    chroot: ""',
            f'    zonesdir: "{run}"',
            '    database: ""',
            f'    pidfile: "{run}/nsd.pid"',
            f'    xfrdfile: "{run}/xfrd.state"',
            f'    xfrdir: "{run}"',
            f'    zonelistfile: "{run}/zone.list"',
            "    verbosity: 2",
            "    rrl-ratelimit: 0",
            "remote-control:",
            "    control-enable: no",
            "zone:",
            "    name: example.test",
            f'    zonefile: "{run}/example.test.secondary"',
            f"    request-xfr: AXFR 127.0.0.1@{primary_port} NOKEY",
            "    allow-notify: 127.0.0.1 NOKEY",
        ]) + "\n")
        nsd = gslbtest.Server("nsd", [self.nsd_binary, "-d", "-c", str(conf)], run, port).start()
        self.processes.append(nsd)
        self.nsd = nsd

    def test_secondary_transfers_and_follows_notify(self):
        nsd_port = free_port()
        gslb_port = self.start_gslb(nsd_port)
        self.start_nsd(nsd_port, gslb_port)

        # The secondary transfers the zone and answers as the primary does.
        wait_for(lambda: soa_serial(nsd_port) == 2024010101, 30, "NSD to transfer serial 2024010101")
        for name, rdtype in (("www.example.test.", "A"), ("www.example.test.", "AAAA"), ("mail.example.test.", "MX"),
                             ("text.example.test.", "TXT"), ("host1234.example.test.", "A"),
                             ("example.test.", "NS"), ("example.test.", "SOA")):
            ours = ask("127.0.0.1", gslb_port, name, rdtype)
            theirs = ask("127.0.0.1", nsd_port, name, rdtype)
            self.assertIsNotNone(ours)
            self.assertIsNotNone(theirs)
            self.assertEqual(answer_set(ours), answer_set(theirs), f"{name} {rdtype}")
            self.assertTrue(answer_set(ours), f"{name} {rdtype} has no answer")

        # A new serial, SIGHUP: gslb reloads, sends NOTIFY, NSD transfers again.
        # Write-then-rename: the reload never sees a half-written file.
        staged = self.zones / "example.test.zone.new"
        staged.write_text(zone_text(2024010102, "192.0.2.2"))
        staged.rename(self.zone_file)
        self.gslb.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: soa_serial(gslb_port) == 2024010102, 10, "gslb to serve serial 2024010102")
        # NSD's refresh timer is 7200 s: only the NOTIFY makes it transfer this soon.
        wait_for(lambda: soa_serial(nsd_port) == 2024010102, 30, "NSD to transfer serial 2024010102 after NOTIFY")
        response = ask("127.0.0.1", nsd_port, "www.example.test.", "A")
        self.assertEqual(answer_set(response), {"192.0.2.2"})
        wait_for(lambda: re.search(r"notify: example\.test\. serial 2024010102 to 127\.0\.0\.1:\d+: acknowledged",
                                   self.gslb.log()), 10, "gslb to log the acknowledged NOTIFY")
        self.assertRegex(self.gslb.log(), r"reload: zone example\.test\. serial 2024010101 -> 2024010102")

    def test_notify_retries_until_answered(self):
        # A stand-in secondary that ignores the first NOTIFY: gslb must retry
        # (RFC 1996 §3.6) and stop once answered.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as secondary:
            secondary.bind(("127.0.0.1", 0))
            secondary.settimeout(10)
            gslb_port = self.start_gslb(secondary.getsockname()[1])
            staged = self.zones / "example.test.zone.new"
            staged.write_text(zone_text(2024010105, "192.0.2.5"))
            staged.rename(self.zone_file)
            self.gslb.proc.send_signal(signal.SIGHUP)

            notifies = []
            for _ in range(2):
                data, source = secondary.recvfrom(65535)
                message = dns.message.from_wire(data)
                self.assertEqual(message.opcode(), dns.opcode.NOTIFY)
                self.assertTrue(message.flags & dns.flags.AA)
                self.assertEqual(message.question[0].to_text(), "example.test. IN SOA")
                self.assertEqual(message.answer[0][0].serial, 2024010105)
                notifies.append((time.monotonic(), message))
            # The retry came after the first attempt's timeout (1 s), not at once.
            self.assertGreater(notifies[1][0] - notifies[0][0], 0.5)
            secondary.sendto(dns.message.make_response(notifies[1][1]).to_wire(), source)
            wait_for(lambda: re.search(r"notify: example\.test\. serial 2024010105 to 127\.0\.0\.1:\d+: acknowledged",
                                       self.gslb.log()), 10, "gslb to log the acknowledged NOTIFY")
            # Answered: no further attempt (the next would come 2 s after the second).
            secondary.settimeout(3)
            with self.assertRaises(socket.timeout):
                secondary.recvfrom(65535)
            self.assertEqual(soa_serial(gslb_port), 2024010105)

    def test_axfr_acl_and_content(self):
        gslb_port = self.start_gslb(free_port())

        # From an allowed address: the whole zone, SOA first and last.
        messages = list(dns.query.xfr("127.0.0.1", "example.test.", port=gslb_port, timeout=10, lifetime=30))
        self.assertGreater(len(messages), 1, "1500+ records should span several messages")
        records = [(rrset.name.to_text(), rrset.rdtype, rr) for m in messages for rrset in m.answer for rr in rrset]
        self.assertEqual(records[0][1], dns.rdatatype.SOA)
        self.assertEqual(records[-1][1], dns.rdatatype.SOA)
        self.assertEqual(records[0][2].serial, 2024010101)
        self.assertEqual(len(records), 1 + 1 + 1 + 2 + 1 + 1 + 1500 + 1)  # SOA NS ns1 www×2 mail text hosts SOA
        zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", "example.test.", port=gslb_port, timeout=10))
        self.assertEqual(zone.find_rdataset("www", "A")[0].to_text(), "192.0.2.1")
        self.assertEqual(zone.find_rdataset("host0999", "A")[0].to_text(), "10.0.3.249")

        # From 127.0.0.2, outside the allow-list: REFUSED, and nothing else.
        query = dns.message.make_query("example.test.", "AXFR")
        response = dns.query.tcp(query, "127.0.0.1", port=gslb_port, source="127.0.0.2", timeout=5)
        self.assertEqual(response.rcode(), dns.rcode.REFUSED)
        self.assertEqual(len(response.answer), 0)
        wait_for(lambda: re.search(r"axfr: refused example\.test\. AXFR to 127\.0\.0\.2:\d+ "
                                   r"\(not in the transfer allow-list\)", self.gslb.log()),
                 5, "gslb to log the refused transfer")
        # IXFR too, also the SOA-only reply over UDP: the allow-list covers every transfer.
        ixfr = dns.message.make_query("example.test.", "IXFR")
        for ask in (dns.query.udp, dns.query.tcp):
            response = ask(ixfr, "127.0.0.1", port=gslb_port, source="127.0.0.2", timeout=5)
            self.assertEqual(response.rcode(), dns.rcode.REFUSED, ask.__name__)
            self.assertEqual(len(response.answer), 0)
        response = dns.query.udp(ixfr, "127.0.0.1", port=gslb_port, timeout=5)  # allowed: our SOA
        self.assertEqual(response.rcode(), dns.rcode.NOERROR)
        self.assertEqual(response.answer[0].rdtype, dns.rdatatype.SOA)

        # AXFR over UDP is not a thing (RFC 5936 §4.2): no zone data comes back.
        response = dns.query.udp(query, "127.0.0.1", port=gslb_port, timeout=5)
        self.assertNotEqual(response.rcode(), dns.rcode.NOERROR)
        self.assertEqual(len(response.answer), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
