#!/usr/bin/python3
"""GSLB answers from the real `gslb serve` on loopback.

A zone with a policy beside it is served with the test City database
(tests/data/geo/test-city.mmdb, networks in tests/data/geo/README.md).
Clients in different countries are simulated with EDNS Client Subnet
(kdig +subnet and dnspython): the test asserts each gets its region's member,
the TTL, the ECS scope the server echoes (the database network's prefix, not
the source prefix copied back; 0 for a record whose answer does not depend on
the client), NODATA for AAAA of a v4-only pool, static names unchanged, and
queries without ECS answered from the packet source. Then SIGHUP reloads:
a changed policy changes answers; a broken one keeps the old answers and the
log names file:line.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path

import dns.edns
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

import gslbtest

GEOIP = gslbtest.geoip_test_db()

ZONE = """$ORIGIN gslb.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
static  IN A   192.0.2.99
"""

POLICY = gslbtest.REGIONS_AND_WEB_POOL + """  v4:
    members:
      - { region: eu, address: 10.0.9.1 }
      - { region: us, address: 10.0.9.2 }
records:
  geo: { pool: web, ttl: 30, steering: [geo] }
  every: { pool: web, ttl: 40, answers: 3, steering: [all] }
  fo: { pool: v4, ttl: 20, steering: [failover], failover: [FAILOVER] }
"""


def policy_text(failover: str = "eu, us") -> str:
    return POLICY.replace("FAILOVER", failover)


def ask_ecs(port: int, name: str, rdtype: str, subnet: str | None):
    """(rcode, [(address, ttl)], scope or None) from one UDP query with dnspython."""
    options = []
    if subnet is not None:
        address, prefix = subnet.split("/")
        options.append(dns.edns.ECSOption(address, int(prefix)))
    query = dns.message.make_query(name, rdtype, use_edns=0, options=options)
    reply = dns.query.udp(query, gslbtest.LOOPBACK, port=port, timeout=2.0)
    records = []
    for rrset in reply.answer:
        for rr in rrset:
            records.append((rr.to_text(), rrset.ttl))
    scope = None
    for option in reply.options:
        if isinstance(option, dns.edns.ECSOption):
            scope = option.scopelen
    return dns.rcode.to_text(reply.rcode()), records, scope


wait_for = gslbtest.wait_for


class ServeGslbTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = cls.enterClassContext(gslbtest.WorkDir("serve-gslb"))
        cls.zones = gslbtest.zones_with(cls.workdir, "gslb.test", ZONE, policy_text())
        cls.server = gslbtest.start_gslb(cls.zones, cls.workdir, ["--geoip", str(GEOIP), "--workers", "2"])
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_geo_answers_by_client_country_with_scope(self):
        # (subnet, expected A, expected scope): the scope is the database
        # network's prefix (/16 for the 100.6x networks), not the /24 sent.
        cases = [("100.66.1.0/24", "10.0.1.1", 16),    # DE -> eu
                 ("100.69.1.0/24", "10.0.2.1", 16),    # US-NY -> us
                 ("203.0.113.0/24", "10.0.3.1", 24)]   # JP -> ap
        for subnet, expected, scope in cases:
            with self.subTest(subnet=subnet):
                rcode, records, got_scope = ask_ecs(self.port, "geo.gslb.test.", "A", subnet)
                self.assertEqual(rcode, "NOERROR")
                self.assertEqual([a for a, _ in records], [expected])
                self.assertTrue(all(ttl <= 30 for _, ttl in records), records)
                self.assertEqual(got_scope, scope)
                addresses, ecs = gslbtest.kdig_ecs(self.port, "geo.gslb.test.", "A", subnet)
                self.assertEqual(addresses, [expected])
                self.assertEqual(ecs, f"{subnet}/{scope}")

    def test_geo_aaaa_by_ipv6_subnet(self):
        rcode, records, scope = ask_ecs(self.port, "geo.gslb.test.", "AAAA", "2001:db8:400::/48")  # JP
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual([a for a, _ in records], ["2001:db8:c::1"])
        self.assertEqual(scope, 48)

    def test_all_record_scope_zero(self):
        rcode, records, scope = ask_ecs(self.port, "every.gslb.test.", "A", "100.66.1.0/24")
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(sorted(a for a, _ in records), ["10.0.1.1", "10.0.2.1", "10.0.3.1"])
        self.assertTrue(all(ttl <= 40 for _, ttl in records), records)
        self.assertEqual(scope, 0)

    def test_aaaa_nodata_for_v4_only_pool(self):
        rcode, records, scope = ask_ecs(self.port, "fo.gslb.test.", "AAAA", "100.66.1.0/24")
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(records, [])
        self.assertEqual(scope, 0)

    def test_static_name_unchanged(self):
        rcode, records, scope = ask_ecs(self.port, "static.gslb.test.", "A", "100.66.1.0/24")
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(records, [("192.0.2.99", 300)])
        self.assertEqual(scope, 0)

    def test_no_ecs_uses_source_address(self):
        # 127.0.0.1 is in no network of the database: geo ranks without a
        # location, and the name is still answered with one member.
        rcode, records, scope = ask_ecs(self.port, "geo.gslb.test.", "A", None)
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(len(records), 1)
        self.assertIn(records[0][0], ["10.0.1.1", "10.0.2.1", "10.0.3.1"])
        self.assertIsNone(scope)

    def test_explain_matches_server(self):
        if not gslbtest.gslb_has_command("explain"):
            self.skipTest("gslb explain not built")
        for subnet in ["100.66.1.0/24", "203.0.113.0/24"]:
            with self.subTest(subnet=subnet):
                _, records, scope = ask_ecs(self.port, "geo.gslb.test.", "A", subnet)
                out = subprocess.run([str(gslbtest.gslb_binary()), "explain", "geo.gslb.test", "A", "--subnet", subnet,
                                      "--zones", str(self.zones), "--geoip", str(GEOIP)],
                                     capture_output=True, text=True, timeout=20)
                self.assertEqual(out.returncode, 0, out.stderr)
                answer = re.search(r"^answer: .*$", out.stdout, re.M)
                self.assertIsNotNone(answer, out.stdout)
                self.assertIn(records[0][0], answer.group(0))
                self.assertIn(f"ecs scope: /{scope}", out.stdout)
        out = subprocess.run([str(gslbtest.gslb_binary()), "explain", "static.gslb.test", "A", "--client", "192.0.2.1",
                              "--zones", str(self.zones)], capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1)
        self.assertIn("not a GSLB", out.stdout + out.stderr)
        out = subprocess.run([str(gslbtest.gslb_binary()), "explain", "geo.gslb.test", "--zones", str(self.zones)],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 2)

    def test_startup_errors_exit_1(self):
        bad = self.workdir / "bad-zones"
        bad.mkdir(exist_ok=True)
        (bad / "gslb.test.zone").write_text(ZONE)
        (bad / "gslb.test.gslb.yaml").write_text(policy_text("eu, mars"))
        argv = [str(gslbtest.gslb_binary()), "serve", "--zones", str(bad), "--listen", "127.0.0.1:0"]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertRegex(out.stdout + out.stderr, r"gslb\.test\.gslb\.yaml:\d+:\d+: error")
        argv = [str(gslbtest.gslb_binary()), "serve", "--zones", str(self.zones), "--listen", "127.0.0.1:0",
                "--geoip", str(self.workdir / "missing.mmdb")]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("missing.mmdb", out.stdout + out.stderr)

    def test_zz_reload(self):
        # Runs last (name order): it changes the served policy.
        policy = self.zones / "gslb.test.gslb.yaml"
        def fo_answer():
            return ask_ecs(self.port, "fo.gslb.test.", "A", "100.66.1.0/24")[1]
        self.assertEqual([a for a, _ in fo_answer()], ["10.0.9.1"])

        policy.write_text(policy_text("us, eu"))
        self.server.send_signal(signal.SIGHUP)
        wait_for(lambda: [a for a, _ in fo_answer()] == ["10.0.9.2"], 10, "the swapped failover order")

        log_before = len(self.server.log())
        broken = policy_text("us, eu").replace("steering: [failover]", "steering: [failover, nearest]")
        policy.write_text(broken)
        self.server.send_signal(signal.SIGHUP)
        wait_for(lambda: "keeping the zones and policies" in self.server.log()[log_before:], 10,
                 "the failed reload in the log")
        new_log = self.server.log()[log_before:]
        self.assertRegex(new_log, r"gslb\.test\.gslb\.yaml:\d+(:\d+)?: error")
        self.assertEqual([a for a, _ in fo_answer()], ["10.0.9.2"])
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    unittest.main(verbosity=2)
