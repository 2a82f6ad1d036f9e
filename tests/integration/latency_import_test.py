#!/usr/bin/python3
"""The latency table end to end: `gslb latency import` with the real binary,
`gslb serve --state`, clients in different prefixes asked with ECS.

The policy's `fast` record steers by [latency]. The imported table
contradicts geography on purpose (Frankfurt's /20 measures Tokyo fastest),
so an answer that matches the table and not the map proves the table
decided; the ECS scope must be the table row's prefix length (/20, /18,
/40), not the database network's (/16, /48). Then: an upsert + SIGHUP
changes answers; --replace drops rows (their clients fall back to the
distance estimate); a CSV with one bad line exits 1 naming file:line:col
and leaves the table as it was (the next SIGHUP serves the same answers);
a row broken by hand in the state file makes the SIGHUP fail whole;
explain --state names the source and the RTTs; a state file that is not
SQLite fails start-up with exit 1.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

import dns.edns
import dns.message
import dns.query
import dns.rcode

import gslbtest

GEOIP = gslbtest.geoip_test_db()

ZONE = """$ORIGIN lat.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
"""

POLICY = gslbtest.REGIONS_AND_WEB_POOL + """records:
  fast: { pool: web, ttl: 30, steering: [latency] }
"""

MEMBER = {"eu": "10.0.1.1", "us": "10.0.2.1", "ap": "10.0.3.1"}

# Frankfurt (100.66/16 in the test database) measures Tokyo fastest; New
# York (100.69/16) measures Frankfurt fastest; Tokyo's IPv6 /48 measures New
# York fastest. "mars" is a region no policy has: a warning, not an error.
TABLE = """# synthetic RUM export
prefix,region,rtt_ms,samples
100.66.0.0/20,ap,8,120
100.66.0.0/20,eu,40.5,120
100.66.0.0/20,us,60,118
100.69.0.0/18,eu,10,50
100.69.0.0/18,us,50,50
100.69.0.0/18,ap,90,
2001:db8:400::/40,us,5,9
2001:db8:400::/40,ap,30,9
2001:db8:400::/40,eu,100,9
100.69.0.0/18,mars,1,
"""


def ask_ecs(port: int, name: str, rdtype: str, subnet: str):
    """([addresses], scope or None) from one UDP query with ECS (dnspython)."""
    address, prefix = subnet.split("/")
    query = dns.message.make_query(name, rdtype, use_edns=0, options=[dns.edns.ECSOption(address, int(prefix))])
    reply = dns.query.udp(query, gslbtest.LOOPBACK, port=port, timeout=2.0)
    assert reply.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(reply.rcode())
    addresses = [rr.to_text() for rrset in reply.answer for rr in rrset]
    scope = next((o.scopelen for o in reply.options if isinstance(o, dns.edns.ECSOption)), None)
    return addresses, scope


wait_for = gslbtest.wait_for


def gslb(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([str(gslbtest.gslb_binary()), *args], capture_output=True, text=True, timeout=timeout)


class LatencyImportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        gslbtest.require_gslb_command("latency")
        cls.workdir = cls.enterClassContext(gslbtest.WorkDir("latency"))
        cls.zones = gslbtest.zones_with(cls.workdir, "lat.test", ZONE, POLICY)
        cls.state = cls.workdir / "state.db"
        csv = cls.workdir / "rtt.csv"
        csv.write_text(TABLE)
        out = gslb("latency", "import", str(csv), "--state", str(cls.state))
        assert out.returncode == 0, out.stdout + out.stderr
        cls.import_output = out.stdout
        cls.server = gslbtest.start_gslb(cls.zones, cls.workdir,
                                         ["--geoip", str(GEOIP), "--workers", "2", "--state", str(cls.state)])
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def reload(self, expect: str = "done") -> str:
        """SIGHUP, wait for this reload's outcome line in the log; returns the new log."""
        mark = len(self.server.log())
        self.server.send_signal(signal.SIGHUP)
        outcome = wait_for(lambda: re.search(r"reload.*(done|failed)", self.server.log()[mark:]), 10,
                           "the reload to finish")
        self.assertIn(expect, outcome.group(0), self.server.log_tail())
        return self.server.log()[mark:]

    def import_csv(self, text: str, *extra: str) -> subprocess.CompletedProcess:
        csv = self.workdir / "next.csv"
        csv.write_text(text)
        return gslb("latency", "import", str(csv), "--state", str(self.state), *extra)

    def test_a_import_summary_and_load_log(self):
        self.assertRegex(self.import_output, r"imported 10 rows \(3 prefixes, 4 regions\) .* the table now has 10 rows")
        log = self.server.log()
        self.assertIn("latency table: 3 prefixes, 10 RTTs, 4 regions", log)
        self.assertRegex(log, r"warning: latency table: region 'mars' \(in 1 row\) is not a region of any policy")

    def test_b_table_decides_not_geography(self):
        # (subnet, rdtype, expected, scope): scope = the table row's length.
        cases = [("100.66.1.0/24", "A", "10.0.3.1", 20),          # Frankfurt -> ap by the table (geo: eu)
                 ("100.69.1.0/24", "A", "10.0.1.1", 18),          # New York -> eu by the table (geo: us)
                 ("2001:db8:400::/48", "AAAA", "2001:db8:a::1", 40)]  # Tokyo -> us by the table (geo: ap)
        for subnet, rdtype, expected, scope in cases:
            with self.subTest(subnet=subnet):
                self.assertEqual(ask_ecs(self.port, "fast.lat.test.", rdtype, subnet), ([expected], scope))
                addresses, ecs = gslbtest.kdig_ecs(self.port, "fast.lat.test.", rdtype, subnet)
                self.assertEqual(addresses, [expected])
                self.assertEqual(ecs, f"{subnet}/{scope}")
        # Not in the table: the distance estimate (Tokyo -> ap), the
        # database network's scope.
        self.assertEqual(ask_ecs(self.port, "fast.lat.test.", "A", "203.0.113.0/24"), (["10.0.3.1"], 24))
        # An ECS /16 does not reveal the /20: no row that short for it; the
        # distance estimate decides (Frankfurt -> eu) and the scope stays <= 16.
        addresses, scope = ask_ecs(self.port, "fast.lat.test.", "A", "100.66.0.0/16")
        self.assertEqual(addresses, ["10.0.1.1"])
        self.assertLessEqual(scope, 16)

    def test_c_explain_shows_source_and_rtts(self):
        out = gslb("explain", "fast.lat.test", "A", "--subnet", "100.66.1.0/24", "--zones", str(self.zones),
                   "--geoip", str(GEOIP), "--state", str(self.state))
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("latency table: 3 prefixes, 10 RTTs", out.stdout)
        self.assertIn("source: latency table; row 100.66.0.0/20 (table scope /20); "
                      "RTT: ap 8.0 ms (table), eu 40.5 ms (table), us 60.0 ms (table)", out.stdout)
        self.assertRegex(out.stdout, r"answer: answer 10\.0\.3\.1\n")
        self.assertIn("ecs scope: /20", out.stdout)
        out = gslb("explain", "fast.lat.test", "A", "--subnet", "203.0.113.0/24", "--zones", str(self.zones),
                   "--geoip", str(GEOIP), "--state", str(self.state))
        self.assertIn("source: distance estimate (no table row)", out.stdout)
        self.assertIn("estimated RTT: ap", out.stdout)

    def test_d_usage_and_bad_state(self):
        csv = self.workdir / "rtt.csv"
        out = gslb("latency", "import", str(csv))
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("--state", out.stderr)
        out = gslb("latency", "frobnicate")
        self.assertEqual(out.returncode, 2)
        not_sqlite = self.workdir / "not-sqlite.db"
        not_sqlite.write_text("this is not a database\n" * 200)
        out = gslb("latency", "import", str(csv), "--state", str(not_sqlite))
        self.assertEqual(out.returncode, 1)
        self.assertIn(str(not_sqlite), out.stderr)
        out = gslb("serve", "--zones", str(self.zones), "--listen", "127.0.0.1:0", "--state", str(not_sqlite))
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(str(not_sqlite), out.stdout + out.stderr)

    def test_z_reimport_reload_and_bad_csv(self):
        # Runs last (name order): it changes the table.
        def answer(subnet: str):
            return ask_ecs(self.port, "fast.lat.test.", "A", subnet)

        self.assertEqual(answer("100.66.1.0/24"), (["10.0.3.1"], 20))
        # Upsert: Frankfurt's /20 now measures New York fastest.
        out = self.import_csv("prefix,region,rtt_ms\n100.66.0.0/20,us,3\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("the table now has 10 rows", out.stdout)
        self.assertEqual(answer("100.66.1.0/24"), (["10.0.3.1"], 20))  # not before SIGHUP
        self.reload()
        self.assertEqual(answer("100.66.1.0/24"), (["10.0.2.1"], 20))
        self.assertEqual(answer("100.69.1.0/24"), (["10.0.1.1"], 18))  # kept by the upsert

        # A bad CSV: exit 1, every error as file:line:col, the table untouched.
        bad = ("prefix,region,rtt_ms\n"
               "100.66.0.0/20,eu,1\n"            # would change Frankfurt's answer
               "100.69.1.0/18,eu,5\n"            # host bits set
               "100.70.0.0/16,eu,-4\n")          # negative
        out = self.import_csv(bad)
        self.assertEqual(out.returncode, 1, out.stdout)
        csv = self.workdir / "next.csv"
        self.assertIn(f"{csv}:3:1: error: bad prefix: '100.69.1.0/18' has host bits set", out.stderr)
        self.assertIn(f"{csv}:4:18: error: negative RTT '-4'", out.stderr)
        self.assertIn("is unchanged", out.stderr)
        self.reload()
        self.assertEqual(answer("100.66.1.0/24"), (["10.0.2.1"], 20))

        # --replace: only New York's row is left; Frankfurt falls back to
        # the distance estimate (eu) over the database network's /16.
        out = self.import_csv("prefix,region,rtt_ms\n100.69.0.0/18,ap,2\n", "--replace")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("replaced 1 rows", out.stdout)
        self.assertIn("the table now has 1 rows", out.stdout)
        self.reload()
        self.assertEqual(answer("100.69.1.0/24"), (["10.0.3.1"], 18))
        self.assertEqual(answer("100.66.1.0/24"), (["10.0.1.1"], 16))

        # A row broken by hand in the state file: the reload is refused whole
        # (zones, policies and table), the old answers keep coming, and the
        # log names the state file and the row.
        with sqlite3.connect(self.state) as db:
            db.execute("INSERT INTO latency VALUES ('100.66.1.0/16', 'us', 1, NULL, 0)")
        log = self.reload(expect="failed")
        self.assertIn(f"{self.state}: error: table latency: bad prefix '100.66.1.0/16'", log)
        self.assertEqual(answer("100.69.1.0/24"), (["10.0.3.1"], 18))
        with sqlite3.connect(self.state) as db:
            db.execute("DELETE FROM latency WHERE prefix = '100.66.1.0/16'")
        self.reload()
        self.assertEqual(answer("100.69.1.0/24"), (["10.0.3.1"], 18))
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    unittest.main(verbosity=2)
