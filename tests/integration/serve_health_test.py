#!/usr/bin/python3
"""Health checks, the state file and the admin API of the real `gslb serve`.

Three members of a pool are checked over HTTP at 127.0.0.1, .2 and .3 on one
port, where the test runs real HTTP servers (interval 200ms, fall 2, rise 8:
the long rise leaves over a second to see a restored state before probes
could overturn it).
Answers are read over the wire with kdig and dnspython. The steps run in
order against one state file:

  1. every member answers; stopping one member's server drops it from the
     answers within interval x fall (plus slack), with a short TTL; starting
     it again brings it back after rise;
  2. `gslb status` and GET /status show the states, GET /metrics counts;
  3. a member that is down when serve stops is still down the moment a new
     serve starts on the same state file, although its server is back up
     (restored state; without it the first probe would mark it up), and comes
     back only after rise;
  4. an override through the admin API changes answers at once, survives a
     restart, shows in `gslb status` and `gslb explain --state`, and clears;
  5. SIGHUP with a member added and one removed re-targets the checks
     without resetting the unchanged members;
  6. a state file that is not a database stops start-up with a clear error;
  7. with every member down, when_all_down answer_all fails open (counted in
     /metrics) and servfail answers SERVFAIL;
  8. with admin_token in gslb.yaml the API wants the bearer token (and
     `gslb status -c` sends it); without one a non-loopback admin address
     is refused at start.
"""

from __future__ import annotations

import http.server
import json
import re
import signal
import socket
import subprocess
import threading
import time
import unittest
import urllib.request

import dns.message
import dns.query
import dns.rcode

import gslbtest

INTERVAL_S = 0.2
FALL = 2
RISE = 8

ZONE = """$ORIGIN gslb.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
"""

MEMBERS = {"10.0.1.1": "127.0.0.1", "10.0.2.1": "127.0.0.2", "10.0.3.1": "127.0.0.3"}


def policy_text(port: int, members: dict[str, str]) -> str:
    lines = [
        "regions:",
        "  eu: { lat: 50.1, lon: 8.7 }",
        "pools:",
        "  web:",
        f"    check: {{ type: http, port: {port}, path: /health, interval: 200ms, timeout: 150ms, "
        f"rise: {RISE}, fall: {FALL} }}",
        "    members:",
    ]
    lines += [f"      - {{ region: eu, address: {a}, check_address: {c} }}" for a, c in members.items()]
    lines += ["  plain:", "    members:", "      - { region: eu, address: 10.0.9.1 }",
              "records:",
              "  www: { pool: web, ttl: 30, answers: 4, steering: [all] }",
              "  strict: { pool: web, ttl: 30, when_all_down: servfail }",
              "  plain: { pool: plain, ttl: 60 }"]
    return "\n".join(lines) + "\n"


class _Health(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        body = b"ok\n"
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HealthServer:
    """A real HTTP server on host:port answering /health with 200, in a thread."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.server = None

    def start(self) -> "HealthServer":
        deadline = time.monotonic() + 5
        while True:
            try:
                self.server = http.server.ThreadingHTTPServer((self.host, self.port), _Health)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # the old socket of a just-stopped server may linger
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def free_shared_port(hosts) -> int:
    """A TCP port free on every one of the loopback hosts."""
    for _ in range(50):
        probe = socket.socket()
        probe.bind((hosts[0], 0))
        port = probe.getsockname()[1]
        probe.close()
        ok = True
        for host in hosts:
            s = socket.socket()
            try:
                s.bind((host, port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return port
    raise RuntimeError("no shared free port")


def answer(port: int, name: str = "www.gslb.test."):
    """(rcode, sorted addresses, min TTL) from one UDP query (dnspython)."""
    query = dns.message.make_query(name, "A", use_edns=0)
    reply = dns.query.udp(query, gslbtest.LOOPBACK, port=port, timeout=2.0)
    addresses, ttls = [], []
    for rrset in reply.answer:
        ttls.append(rrset.ttl)
        addresses += [rr.to_text() for rr in rrset]
    return dns.rcode.to_text(reply.rcode()), sorted(addresses), min(ttls) if ttls else None


def kdig(port: int, name: str = "www.gslb.test."):
    out = subprocess.run([gslbtest.find_tool("kdig"), f"@{gslbtest.LOOPBACK}", "-p", str(port), name, "A",
                          "+noall", "+answer", "+timeout=2", "+retry=1"],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    return sorted(line.split()[-1] for line in out.splitlines() if re.search(r"\sIN\s+A\s", line))


wait_for = gslbtest.wait_for


class ServeHealthTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = cls.enterClassContext(gslbtest.WorkDir("serve-health"))
        cls.state = cls.workdir / "state.db"
        cls.check_port = free_shared_port(list(MEMBERS.values()) + ["127.0.0.4"])
        cls.zones = gslbtest.zones_with(cls.workdir, "gslb.test", ZONE, policy_text(cls.check_port, MEMBERS))
        cls.backends = {a: HealthServer(c, cls.check_port).start() for a, c in MEMBERS.items()}
        cls.server = None

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
        for b in cls.backends.values():
            b.stop()

    # ------------------------------------------------------------- helpers

    def start_serve(self):
        self.__class__.admin_port = gslbtest.free_port()
        self.__class__.server = gslbtest.start_gslb(
            self.zones, self.workdir,
            ["--state", str(self.state), "--admin", f"127.0.0.1:{self.admin_port}", "--workers", "2"])
        return self.server

    def stop_serve(self):
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())
        self.__class__.server = None

    def admin(self, method: str, path: str, body: bytes = b""):
        request = urllib.request.Request(f"http://127.0.0.1:{self.admin_port}{path}", data=body or None,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def members(self):
        status, body = self.admin("GET", "/status")
        self.assertEqual(status, 200, body)
        return {m["id"]: m for m in json.loads(body)["members"]}

    def status_cli(self):
        out = subprocess.run([str(gslbtest.gslb_binary()), "status", "--admin", f"127.0.0.1:{self.admin_port}"],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        return {line.split()[0]: line.split() for line in out.stdout.splitlines()[1:]}

    def addresses(self):
        return answer(self.server.port)[1]

    # --------------------------------------------------------------- steps

    def test_1_down_and_up_follow_the_backends(self):
        self.start_serve()
        all3 = sorted(MEMBERS)
        wait_for(lambda: self.addresses() == all3, 5, "all three members up")
        self.assertEqual(kdig(self.server.port), all3)

        self.backends["10.0.2.1"].stop()
        started = time.monotonic()
        wait_for(lambda: "10.0.2.1" not in self.addresses(), 5, "10.0.2.1 dropped")
        took = time.monotonic() - started
        # interval x fall = 0.4 s (+10% jitter); generous slack for ASan and a busy machine.
        self.assertLess(took, INTERVAL_S * FALL * 1.1 + 1.5, f"drop took {took:.2f}s")
        self.assertEqual(kdig(self.server.port), ["10.0.1.1", "10.0.3.1"])
        # Health-aware TTL: the state could change within ~0.4 s, so not the record's 30.
        _, _, ttl = answer(self.server.port)
        self.assertLessEqual(ttl, 1)

        self.backends["10.0.2.1"].start()
        started = time.monotonic()
        wait_for(lambda: "10.0.2.1" in self.addresses(), 6, "10.0.2.1 back")
        took = time.monotonic() - started
        # rise successes need at least (rise - 1) waits of interval x 0.9.
        self.assertGreaterEqual(took, (RISE - 1) * INTERVAL_S * 0.9 - 0.2, f"came back after {took:.2f}s")

    def test_2_status_and_metrics(self):
        self.backends["10.0.3.1"].stop()
        wait_for(lambda: self.members()["web/10.0.3.1"]["state"] == "down", 5, "10.0.3.1 down in /status")
        members = self.members()
        self.assertEqual(members["web/10.0.1.1"]["state"], "up")
        self.assertEqual(members["web/10.0.1.1"]["probed"], "up")
        self.assertIsNotNone(members["web/10.0.1.1"]["rtt_ms"])
        self.assertTrue(members["web/10.0.1.1"]["since"].endswith("Z"))
        self.assertIn("refused", members["web/10.0.3.1"]["detail"])
        self.assertFalse(members["plain/10.0.9.1"]["checked"])

        table = self.status_cli()
        self.assertEqual(table["web/10.0.1.1"][1:3], ["up", "up"])
        self.assertEqual(table["web/10.0.3.1"][1:3], ["down", "down"])
        self.assertEqual(table["plain/10.0.9.1"][1], "up")

        status, metrics = self.admin("GET", "/metrics")
        self.assertEqual(status, 200)
        answered = int(re.search(r'^gslb_answers_total\{record="www.gslb.test."\} (\d+)$', metrics, re.M).group(1))
        self.assertGreater(answered, 3)
        self.assertIn('gslb_members{state="down"} 1\n', metrics)
        self.assertIn('gslb_member_up{member="web/10.0.3.1",pool="web",zone="gslb.test."} 0\n', metrics)

    def test_3_restart_keeps_a_down_member_down(self):
        self.assertNotIn("10.0.3.1", self.addresses())
        self.stop_serve()
        # The member's server is back: a fresh start would mark it up at the
        # first probe. The stored "down" must hold until rise successes.
        self.backends["10.0.3.1"].start()
        started = time.monotonic()
        self.start_serve()
        first = self.addresses()
        elapsed = time.monotonic() - started
        self.assertNotIn("10.0.3.1", first, f"restored down member answered {elapsed:.2f}s after start")
        self.assertEqual(first, ["10.0.1.1", "10.0.2.1"])
        self.assertIn(self.members()["web/10.0.3.1"]["probed"], ("down",))
        wait_for(lambda: "10.0.3.1" in self.addresses(), 6, "10.0.3.1 back after rise")

    def test_4_override_changes_answers_and_survives_restart(self):
        status, body = self.admin("POST", "/members/web/10.0.1.1/down", b"maintenance window")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.addresses(), ["10.0.2.1", "10.0.3.1"])
        status, body = self.admin("POST", "/members/web/10.9.9.9/down")
        self.assertEqual(status, 404, body)

        self.stop_serve()
        out = subprocess.run([str(gslbtest.gslb_binary()), "explain", "www.gslb.test", "--client", "192.0.2.1",
                              "--zones", str(self.zones), "--state", str(self.state)],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"(?m)^web/10\.0\.1\.1\s+down\s+up\s+down\s.*override: maintenance window$")
        answer_line = re.search(r"(?m)^answer: .*$", out.stdout).group(0)
        self.assertNotIn("10.0.1.1", answer_line)

        self.start_serve()
        self.assertEqual(self.addresses(), ["10.0.2.1", "10.0.3.1"])
        table = self.status_cli()
        self.assertEqual(table["web/10.0.1.1"][1:4], ["down", "up", "down"])

        status, body = self.admin("POST", "/members/web/10.0.1.1/clear")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.addresses(), sorted(MEMBERS))

    def test_5_sighup_retargets_without_reset(self):
        before = self.members()
        changed = dict(MEMBERS)
        del changed["10.0.2.1"]
        changed["10.0.4.1"] = "127.0.0.4"  # nothing listens there
        (self.zones / "gslb.test.gslb.yaml").write_text(policy_text(self.check_port, changed))
        self.server.send_signal(signal.SIGHUP)
        wait_for(lambda: "web/10.0.4.1" in self.members(), 5, "the new member in /status")
        wait_for(lambda: self.members()["web/10.0.4.1"]["state"] == "down", 5, "the new member probed down")
        after = self.members()
        self.assertNotIn("web/10.0.2.1", after)
        for kept in ("web/10.0.1.1", "web/10.0.3.1"):
            self.assertEqual(after[kept]["state"], "up")
            self.assertEqual(after[kept]["since"], before[kept]["since"], kept)
        self.assertEqual(self.addresses(), ["10.0.1.1", "10.0.3.1"])
        (self.zones / "gslb.test.gslb.yaml").write_text(policy_text(self.check_port, MEMBERS))
        self.server.send_signal(signal.SIGHUP)
        wait_for(lambda: self.addresses() == sorted(MEMBERS), 5, "the original members after a second SIGHUP")

    def test_6_broken_state_file_is_a_clear_error(self):
        broken = self.workdir / "broken.db"
        broken.write_bytes(b"this is not an SQLite database\n" * 64)
        port = gslbtest.free_port()
        out = subprocess.run([str(gslbtest.gslb_binary()), "serve", "--zones", str(self.zones), "--listen",
                              f"127.0.0.1:{port}", "--state", str(broken)],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(str(broken), out.stderr)
        self.assertIn("not a database", out.stderr)

    def test_7_all_down_fails_open_visibly(self):
        def fail_open_count():
            _, metrics = self.admin("GET", "/metrics")
            return int(re.search(r"^gslb_fail_open_answers_total (\d+)$", metrics, re.M).group(1))

        self.assertEqual(answer(self.server.port, "strict.gslb.test.")[0], "NOERROR")
        for b in self.backends.values():
            b.stop()
        wait_for(lambda: all(self.members()[f"web/{a}"]["state"] == "down" for a in MEMBERS), 5, "all members down")
        before = fail_open_count()
        # when_all_down: answer_all (the default) serves every member...
        self.assertEqual(kdig(self.server.port), sorted(MEMBERS))
        self.assertEqual(fail_open_count(), before + 1)
        # ...and servfail says so.
        self.assertEqual(answer(self.server.port, "strict.gslb.test.")[0], "SERVFAIL")
        self.assertIn("every member of pool gslb.test. web is down", self.server.log())
        for b in self.backends.values():
            b.start()

    def test_8_admin_token_and_loopback_rule(self):
        self.stop_serve()
        token = "test-token-0123456789"
        admin_port = gslbtest.free_port()
        config = self.workdir / "gslb.yaml"
        config.write_text(f'state: state.db\nadmin: "127.0.0.1:{admin_port}"\nadmin_token: "{token}"\n')
        self.__class__.admin_port = admin_port
        self.__class__.server = gslbtest.start_gslb(self.zones, self.workdir, ["-c", str(config)])
        status, body = self.admin("GET", "/status")
        self.assertEqual(status, 401, body)
        request = urllib.request.Request(f"http://127.0.0.1:{admin_port}/status",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            self.assertIn("web/10.0.1.1", [m["id"] for m in json.loads(response.read())["members"]])

        def status_cli():
            out = subprocess.run([str(gslbtest.gslb_binary()), "status", "-c", str(config)],
                                 capture_output=True, text=True, timeout=10)
            self.assertEqual(out.returncode, 0, out.stderr)
            return out.stdout

        # All three were down when the last serve stopped (step 7): restored
        # down, they come back after rise successes.
        self.assertRegex(status_cli(), r"(?m)^web/10\.0\.1\.1\s+down\s+down\s")
        wait_for(lambda: re.search(r"(?m)^web/10\.0\.1\.1\s+up\s+up\s", status_cli()), 6, "10.0.1.1 up")

        port = gslbtest.free_port()
        out = subprocess.run([str(gslbtest.gslb_binary()), "serve", "--zones", str(self.zones), "--listen",
                              f"127.0.0.1:{port}", "--admin", f"0.0.0.0:{gslbtest.free_port()}"],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("not a loopback address", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
