#!/usr/bin/python3
"""Transport behaviour of the real `gslb serve` on loopback.

UDP and TCP on IPv4 and IPv6; several pipelined queries on one TCP connection;
the TCP idle timeout; the TCP connection cap; large responses over TCP; replies
leaving from the address the query arrived on (wildcard and per-address
binds); command-line exit codes; SIGTERM exits 0 and still answers the UDP
queries already queued.

Each server binds port 0 and the test reads the chosen ports from its
"listening on" log lines; every wait polls against a deadline.
"""

from __future__ import annotations

import re
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

import gslbtest

GSLB = str(gslbtest.gslb_binary())
wait_for = gslbtest.wait_for

ZONE = """$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
www     IN A   192.0.2.1
www     IN AAAA 2001:db8::1
"""


def big_txt_records(count: int = 120) -> str:
    """A name whose TXT RRset is far larger than any UDP answer (~30 KB)."""
    chunk = "x" * 240
    return "".join(f'big     IN TXT "{i:04d}{chunk}"\n' for i in range(count))


def tcp_frame(message: dns.message.Message) -> bytes:
    wire = message.to_wire()
    return struct.pack("!H", len(wire)) + wire


def read_frame(sock: socket.socket, timeout: float = 5.0) -> bytes | None:
    """One length-prefixed message, or None if the peer closed first."""
    sock.settimeout(timeout)
    data = b""
    while len(data) < 2:
        chunk = sock.recv(2 - len(data))
        if not chunk:
            return None
        data += chunk
    (length,) = struct.unpack("!H", data)
    body = b""
    while len(body) < length:
        chunk = sock.recv(length - len(body))
        if not chunk:
            return None
        body += chunk
    return body


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """True if the peer closes (EOF or reset) within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def family_of(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


class ServeTransportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="gslb-transport-")
        cls.dir = Path(cls.tmp.name)
        zones = cls.dir / "zones"
        zones.mkdir()
        (zones / "example.test.zone").write_text(ZONE + big_txt_records())
        cls.zones = zones
        cls.server = gslbtest.serve(cls.dir, ["--zones", str(zones), "--listen", "127.0.0.1:0", "--listen", "[::1]:0",
                                             "--workers", "2", "--tcp-idle-timeout", "1s"])
        cls.addresses = cls.server.wait_listening(2)
        cls.v4 = next(a for a in cls.addresses if a[0] == "127.0.0.1")
        cls.v6 = next(a for a in cls.addresses if a[0] == "::1")

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.tmp.cleanup()
        assert code == 0, f"gslb exited with {code} on SIGTERM"

    def check_www(self, response: dns.message.Message, rdtype: str, expected: str):
        self.assertEqual(response.rcode(), dns.rcode.NOERROR)
        self.assertTrue(response.flags & dns.flags.AA)
        rrset = response.find_rrset(response.answer, dns.name.from_text("www.example.test."), dns.rdataclass.IN,
                                    dns.rdatatype.from_text(rdtype))
        self.assertEqual([r.to_text() for r in rrset], [expected])

    def test_udp_and_tcp_on_ipv4_and_ipv6(self):
        for address, port in (self.v4, self.v6):
            for rdtype, expected in (("A", "192.0.2.1"), ("AAAA", "2001:db8::1")):
                with self.subTest(address=address, rdtype=rdtype):
                    query = dns.message.make_query("www.example.test.", rdtype)
                    self.check_www(dns.query.udp(query, address, port=port, timeout=5), rdtype, expected)
                    self.check_www(dns.query.tcp(query, address, port=port, timeout=5), rdtype, expected)

    def test_several_pipelined_queries_on_one_connection(self):
        names = ["www.example.test.", "ns1.example.test.", "www.example.test.", "example.test.", "nope.example.test."]
        types = ["A", "A", "AAAA", "SOA", "A"]
        queries = [dns.message.make_query(n, t) for n, t in zip(names, types)]
        with socket.create_connection(self.v4, timeout=5) as sock:
            sock.sendall(b"".join(tcp_frame(q) for q in queries))  # all at once: pipelined
            answers = [dns.message.from_wire(read_frame(sock)) for _ in queries]
            # And the connection stays usable afterwards.
            sock.sendall(tcp_frame(queries[0]))
            again = dns.message.from_wire(read_frame(sock))
        by_id = {a.id: a for a in answers}
        self.assertEqual(sorted(by_id), sorted(q.id for q in queries))
        for q in queries:
            self.assertEqual(by_id[q.id].question, q.question)
        self.check_www(by_id[queries[0].id], "A", "192.0.2.1")
        self.assertEqual(by_id[queries[1].id].answer[0][0].to_text(), "127.0.0.1")
        self.check_www(by_id[queries[2].id], "AAAA", "2001:db8::1")
        self.assertEqual(by_id[queries[3].id].answer[0][0].serial, 2024010101)
        self.assertEqual(by_id[queries[4].id].rcode(), dns.rcode.NXDOMAIN)
        self.check_www(again, "A", "192.0.2.1")

    def test_large_response_needs_tcp(self):
        query = dns.message.make_query("big.example.test.", "TXT", use_edns=0, payload=1232)
        udp = dns.query.udp(query, self.v4[0], port=self.v4[1], timeout=5, ignore_trailing=True)
        self.assertTrue(udp.flags & dns.flags.TC)
        tcp = dns.query.tcp(query, self.v4[0], port=self.v4[1], timeout=5)
        self.assertFalse(tcp.flags & dns.flags.TC)
        self.assertEqual(len(tcp.answer[0]), 120)
        self.assertGreater(len(tcp.to_wire()), 16384)

    def test_sigterm_answers_queries_already_queued(self):
        # Stopped with SIGSTOP, the server cannot read: the queries wait in its
        # socket buffers (spread over both workers' sockets) when SIGTERM
        # arrives. After SIGCONT it must answer every one before exiting 0.
        server = gslbtest.serve(self.dir, ["--zones", str(self.zones), "--listen", "127.0.0.1:0", "--workers", "2"],
                                name="drain")
        try:
            [(address, port)] = server.wait_listening(1)
            count = 200
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((address, port))
                server.proc.send_signal(signal.SIGSTOP)
                for i in range(count):
                    query = dns.message.make_query("www.example.test.", "A")
                    query.id = i
                    sock.send(query.to_wire())
                server.proc.send_signal(signal.SIGTERM)
                server.proc.send_signal(signal.SIGCONT)
                answered = set()
                sock.settimeout(5)
                while len(answered) < count:
                    response = dns.message.from_wire(sock.recv(65535))
                    self.check_www(response, "A", "192.0.2.1")
                    answered.add(response.id)
                self.assertEqual(len(answered), count)
            self.assertEqual(server.stop(), 0)
        finally:
            server.stop()

    def test_idle_connection_is_closed(self):
        with socket.create_connection(self.v6, timeout=5) as sock:
            # Busy connections stay open: three exchanges half a second apart
            # span longer than the 1 s idle timeout.
            for _ in range(3):
                sock.sendall(tcp_frame(dns.message.make_query("www.example.test.", "A")))
                self.assertIsNotNone(read_frame(sock))
                self.assertFalse(closed_by_peer(sock, 0.5))
            started = time.monotonic()
            self.assertTrue(closed_by_peer(sock, 5.0), "idle connection still open after 5 s")
            self.assertLess(time.monotonic() - started, 4.0)

    def test_second_server_on_the_same_address_is_refused(self):
        # SO_REUSEPORT would let it share the port silently; gslb checks first.
        result = subprocess.run([GSLB, "serve", "--zones", str(self.zones), "--listen", f"127.0.0.1:{self.v4[1]}"],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"cannot listen on udp 127.0.0.1:{self.v4[1]}: Address already in use", result.stderr)
        # The first server is unaffected.
        response = dns.query.udp(dns.message.make_query("www.example.test.", "A"), self.v4[0], port=self.v4[1], timeout=5)
        self.check_www(response, "A", "192.0.2.1")


class ConnectionCapTest(unittest.TestCase):
    """A server of its own: closed connections free their slots asynchronously,
    which would race with other tests sharing a capped server."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gslb-cap-")
        self.dir = Path(self.tmp.name)
        (self.dir / "zones").mkdir()
        (self.dir / "zones" / "example.test.zone").write_text(ZONE)
        self.server = gslbtest.serve(self.dir, ["--zones", "zones", "--listen", "127.0.0.1:0", "--workers", "2",
                                               "--tcp-max-connections", "3"])
        (self.address,) = self.server.wait_listening(1)

    def tearDown(self):
        code = self.server.stop()
        self.tmp.cleanup()
        self.assertEqual(code, 0)

    def test_connection_cap(self):
        query = dns.message.make_query("www.example.test.", "A")
        held = []
        try:
            for _ in range(3):
                sock = socket.create_connection(self.address, timeout=5)
                held.append(sock)
                sock.sendall(tcp_frame(query))
                self.assertIsNotNone(read_frame(sock), "a connection under the cap got no answer")
            extra = socket.create_connection(self.address, timeout=5)
            try:
                extra.sendall(tcp_frame(query))
            except OSError:
                pass  # reset before we could even send: closed, as expected
            self.assertTrue(closed_by_peer(extra, 5.0), "a connection over the cap was kept open")
            extra.close()
            held.pop().close()

            def served_again():
                with socket.create_connection(self.address, timeout=5) as s:
                    try:
                        s.sendall(tcp_frame(query))
                        return read_frame(s, timeout=2) is not None
                    except OSError:
                        return False

            wait_for(served_again, 10, "a slot to free up after closing a connection", interval=0.1)
        finally:
            for sock in held:
                sock.close()



class ArrivalAddressTest(unittest.TestCase):
    """Replies leave from the address the query was sent to."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gslb-arrival-")
        self.dir = Path(self.tmp.name)
        (self.dir / "zones").mkdir()
        (self.dir / "zones" / "example.test.zone").write_text(ZONE)
        self.servers = []

    def tearDown(self):
        codes = [s.stop() for s in self.servers]
        self.tmp.cleanup()
        self.assertEqual(codes, [0] * len(codes))

    def ask_from(self, destination: str, port: int) -> tuple[str, dns.message.Message]:
        """Sends a UDP query on an unconnected socket; returns the reply's source address."""
        family = family_of(destination)
        query = dns.message.make_query("www.example.test.", "A")
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            sock.sendto(query.to_wire(), (destination, port))
            data, source = sock.recvfrom(65535)
        response = dns.message.from_wire(data)
        self.assertEqual(response.id, query.id)
        return source[0], response

    def test_wildcard_bind_replies_from_arrival_address(self):
        server = gslbtest.serve(self.dir, ["--zones", "zones", "--listen", "0.0.0.0:0", "--listen", "[::]:0",
                                           "--workers", "2"])
        self.servers.append(server)
        ports = dict(server.wait_listening(2))
        for destination in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.1.2.3"):
            source, response = self.ask_from(destination, ports["0.0.0.0"])
            self.assertEqual(source, destination)
            self.assertEqual(response.answer[0][0].to_text(), "192.0.2.1")
        source, _ = self.ask_from("::1", ports["::"])
        self.assertEqual(source, "::1")

    def test_several_specific_addresses_on_one_port(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.2", 0))
            port = probe.getsockname()[1]
        server = gslbtest.serve(self.dir, ["--zones", "zones", "--listen", f"127.0.0.2:{port}", "--listen",
                                          f"127.0.0.3:{port}", "--workers", "1"])
        self.servers.append(server)
        server.wait_listening(2)
        for destination in ("127.0.0.2", "127.0.0.3"):
            source, response = self.ask_from(destination, port)
            self.assertEqual(source, destination)
            self.assertEqual(response.rcode(), dns.rcode.NOERROR)
        # Nothing listens on 127.0.0.4 at that port.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.5)
            sock.sendto(dns.message.make_query("www.example.test.", "A").to_wire(), ("127.0.0.4", port))
            with self.assertRaises((socket.timeout, ConnectionRefusedError)):
                sock.recvfrom(512)


class CommandLineTest(unittest.TestCase):
    """Exit codes and messages of `gslb serve` for bad input."""

    def run_serve(self, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([GSLB, "serve", *args], cwd=cwd, capture_output=True, text=True, timeout=30)

    def test_exit_codes(self):
        with tempfile.TemporaryDirectory(prefix="gslb-cli-") as tmp:
            tmp = Path(tmp)
            (tmp / "zones").mkdir()
            (tmp / "zones" / "example.test.zone").write_text(ZONE)

            result = self.run_serve(["--zones", "zones", "--listen", "127.0.0.1"], tmp)
            self.assertEqual(result.returncode, 2)
            self.assertIn("--listen: '127.0.0.1' is not IP:PORT", result.stderr)
            self.assertEqual(self.run_serve(["--zones", "zones", "--bogus", "1"], tmp).returncode, 2)
            self.assertEqual(self.run_serve(["--listen", "127.0.0.1:0"], tmp).returncode, 2)

            result = self.run_serve(["--zones", "missing", "--listen", "127.0.0.1:0"], tmp)
            self.assertEqual(result.returncode, 1)
            self.assertIn("zone directory missing does not exist", result.stderr)

            # An address another socket holds (without SO_REUSEPORT) cannot be bound.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
                holder.bind(("127.0.0.1", 0))
                port = holder.getsockname()[1]
                result = self.run_serve(["--zones", "zones", "--listen", f"127.0.0.1:{port}"], tmp)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f"cannot listen on udp 127.0.0.1:{port}: Address already in use", result.stderr)

            (tmp / "gslb.yaml").write_text("zones: zones\nlisten: [\"127.0.0.1:0\"]\ntcp:\n  idle: 5s\n")
            result = self.run_serve(["-c", str(tmp / "gslb.yaml")], tmp)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f"{tmp}/gslb.yaml:4:3: error: unknown key 'tcp.idle'", result.stderr)

    def test_config_file_with_flag_override(self):
        with tempfile.TemporaryDirectory(prefix="gslb-cli-") as tmp:
            tmp = Path(tmp)
            (tmp / "conf" / "zones").mkdir(parents=True)
            (tmp / "conf" / "zones" / "example.test.zone").write_text(ZONE)
            # zones: is relative to the config file; --listen replaces the file's list.
            (tmp / "conf" / "gslb.yaml").write_text(
                "zones: zones\nlisten: [\"127.0.0.1:1\"]\nworkers: 1\nquery_log: true\nedns_udp_size: 1400\n"
                "chaos: {version: \"test-version-7\"}\n")
            server = gslbtest.serve(tmp, ["-c", "conf/gslb.yaml", "--listen", "127.0.0.1:0", "--edns-size", "1300"])
            try:
                (address, port), = server.wait_listening(1)
                self.assertEqual(address, "127.0.0.1")
                response = dns.query.udp(dns.message.make_query("www.example.test.", "A"), address, port=port,
                                         timeout=5)
                self.assertEqual(response.answer[0][0].to_text(), "192.0.2.1")
                # From the file: the CHAOS version; from the flag (winning over the file): the EDNS size.
                chaos = dns.query.udp(dns.message.make_query("version.bind.", "TXT", "CH"), address, port=port,
                                      timeout=5)
                self.assertEqual(chaos.answer[0][0].strings, (b"test-version-7",))
                edns = dns.query.udp(dns.message.make_query("www.example.test.", "A", use_edns=0), address,
                                     port=port, timeout=5)
                self.assertEqual(edns.payload, 1300)
                wait_for(lambda: re.search(r"query: 127\.0\.0\.1:\d+ udp www\.example\.test\. A NOERROR \d+",
                                           server.log()), 5, "the query log line")
            finally:
                self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
