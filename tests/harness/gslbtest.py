"""gslbtest: the shared harness of gslb's integration tests.

Everything here drives real processes on loopback: the `gslb` binary under
test and the reference servers NSD and Knot, started on free ports with their
configuration written into a private temporary directory. Nothing is mocked.

What it offers:
  * run_gslb / Expectations: one run of the binary; failures collected over
    a table of cases and reported together.
  * free_port(): a port free for both UDP and TCP on 127.0.0.1.
  * Server: one child process (stdout+stderr captured to a file), readiness by
    probing SOA over UDP and TCP with a bounded deadline, stop by PID
    (SIGTERM, then SIGKILL).
  * start_gslb / start_nsd / start_knot: a Server for each implementation,
    serving every `<origin>.zone` file of a directory; serve: `gslb serve`
    with any arguments, its bound ports read from its log (wait_listening).
  * geoip_test_db / REGIONS_AND_WEB_POOL / zones_with / kdig_ecs: the pieces
    the GSLB steering tests share (test database, policy head, zone
    directory, an ECS query by kdig).
  * Query / exchange / ask: build a query (EDNS payload and version, options,
    flags, malformed question counts, other opcodes), send it over UDP or TCP,
    and parse the reply into an Answer.
  * Answer / compare / matches_any: the normalised, order-independent view of
    a reply and a readable field-by-field diff between two replies.

Imported by the tests in tests/integration (CTest sets PYTHONPATH). Every
wait is a poll against a deadline; no sleep stands in for synchronisation.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Optional

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype

LOOPBACK = "127.0.0.1"


# ---------------------------------------------------------------- environment


def source_dir() -> Path:
    """The repository root: $GSLB_SOURCE_DIR, else two levels above this file."""
    env = os.environ.get("GSLB_SOURCE_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2]


def gslb_binary() -> Path:
    """The gslb executable under test: $GSLB, else build/gslb in the source tree."""
    env = os.environ.get("GSLB")
    return Path(env) if env else source_dir() / "build" / "gslb"


def gslb_has_command(command: str) -> bool:
    """True when `gslb --help` lists the subcommand (each registered command
    prints its synopsis there, starting with its name)."""
    binary = gslb_binary()
    if not binary.exists():
        return False
    proc = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=10)
    return any(line.split()[:1] == [command] for line in (proc.stdout + proc.stderr).splitlines())


def require_gslb_command(command: str) -> None:
    """Exit the test with a failure unless the binary under test has the command."""
    if not gslb_has_command(command):
        raise SystemExit(f"FAIL: {gslb_binary()} has no '{command}' command (see `gslb --help`)")


def geoip_test_db() -> Path:
    """The committed test GeoIP2-City database (tests/data/geo/test-city.mmdb)."""
    return source_dir() / "tests" / "data" / "geo" / "test-city.mmdb"


# Regions and the dual-stack `web` pool that the steering tests share (one
# IPv4 and one IPv6 member per region; the test database places its client
# prefixes near them). It ends inside `pools:`, so a policy can add pools
# before its `records:`.
REGIONS_AND_WEB_POOL = """regions:
  eu: { lat: 50.1, lon: 8.7, country: DE, continent: EU }
  us: { lat: 40.7, lon: -74.0, country: US, continent: NA }
  ap: { lat: 35.7, lon: 139.7, country: JP, continent: AS }
pools:
  web:
    members:
      - { region: eu, address: 10.0.1.1 }
      - { region: eu, address: "2001:db8:e::1" }
      - { region: us, address: 10.0.2.1 }
      - { region: us, address: "2001:db8:a::1" }
      - { region: ap, address: 10.0.3.1 }
      - { region: ap, address: "2001:db8:c::1" }
"""


def zones_with(workdir: Path, origin: str, zone: str, policy: Optional[str] = None) -> Path:
    """workdir/zones, made, holding <origin>.zone and (if given) <origin>.gslb.yaml."""
    zones = workdir / "zones"
    zones.mkdir()
    (zones / f"{origin}.zone").write_text(zone)
    if policy is not None:
        (zones / f"{origin}.gslb.yaml").write_text(policy)
    return zones


def find_tool(name: str) -> str:
    """Absolute path of a program, searching sbin directories too (nsd, knotd)."""
    for directory in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin", "/sbin", "/usr/bin"]:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise FileNotFoundError(f"{name} not installed (see scripts/install-deps.sh)")


def run_gslb(args: Iterable[str], cwd: Optional[Path] = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The binary under test run once with args, its output captured as text."""
    return subprocess.run([str(gslb_binary()), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


class Expectations:
    """Failed expectations collected, so that one run of a table-driven test
    reports every failing case rather than the first."""

    def __init__(self):
        self.failures: list[str] = []

    def __call__(self, condition: bool, what: str) -> None:
        if not condition:
            self.failures.append(what)

    def report(self, done: str, passed: str) -> int:
        """The exit status of the test: 1 with every failure on stderr and
        "<done>; N failed", else 0 and "<done>, <passed>"."""
        if self.failures:
            for failure in self.failures:
                print("FAIL:", failure, file=sys.stderr)
            print(f"{done}; {len(self.failures)} failed")
            return 1
        print(f"{done}, {passed}")
        return 0


# ---------------------------------------------------------------------- ports


def wait_for(predicate, timeout: float, what: str, interval: float = 0.02):
    """Polls predicate() until it returns something truthy (returned) or
    raises AssertionError after `timeout` seconds naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    """A port number currently free for both UDP and TCP on 127.0.0.1.

    The kernel picks a free TCP port (bind to port 0); the same number is then
    checked for UDP, retrying with another pick if UDP holds it. The sockets are
    closed before returning, so a tiny race with other processes remains; the
    readiness probe of the server that binds it catches a lost race.
    """
    for _ in range(50):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            tcp.bind((LOOPBACK, 0))
            port = tcp.getsockname()[1]
            try:
                udp.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
        finally:
            tcp.close()
            udp.close()
    raise RuntimeError("no port free for both UDP and TCP after 50 tries")


# ------------------------------------------------------------------ processes


class ServerError(RuntimeError):
    pass


class Server:
    """A child process serving DNS on 127.0.0.1:port.

    Output (stdout and stderr) goes to `<workdir>/<name>.out`; `log()` reads it
    back. Extra log files written by the server itself (NSD's and Knot's
    configured log file) are appended by `log()` when listed in log_files.
    """

    def __init__(self, name: str, argv: list[str], workdir: Path, port: int, log_files: Iterable[Path] = ()):
        self.name = name
        self.argv = argv
        self.workdir = workdir
        self.port = port
        self.output_path = workdir / f"{name}.out"
        self.log_files = list(log_files)
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "Server":
        out = open(self.output_path, "wb")
        try:
            self.proc = subprocess.Popen(self.argv, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)
        finally:
            out.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        parts = []
        for path in [self.output_path] + self.log_files:
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def send_signal(self, sig: int) -> None:
        if not self.alive():
            raise ServerError(f"{self.name} (pid {self.pid}) is not running:\n{self.log_tail()}")
        os.kill(self.pid, sig)

    def wait_ready(self, zones: Iterable[str], deadline_s: float = 15.0) -> None:
        """Poll until every zone's SOA is answered NOERROR over UDP and over TCP.

        Raises ServerError with the log tail when the process exits first or
        the deadline passes. NOERROR is required (not just any reply) because
        Knot answers SERVFAIL while its zones are still loading.
        """
        pending = [(zone, transport) for zone in zones for transport in ("udp", "tcp")]
        end = time.monotonic() + deadline_s
        last_problem = "no probe sent"
        while pending:
            if not self.alive():
                raise ServerError(f"{self.name} exited with {self.proc.returncode} before it was ready:\n"
                                  f"{self.log_tail()}")
            if time.monotonic() > end:
                raise ServerError(f"{self.name} not ready after {deadline_s}s ({last_problem}):\n{self.log_tail()}")
            zone, transport = pending[0]
            answer = ask(self.port, Query(zone, "SOA", transport=transport), timeout=0.3)
            if answer is not None and answer.rcode == "NOERROR" and any(rr[1] == "SOA" for rr in answer.answer):
                pending.pop(0)
                continue
            last_problem = f"SOA {zone} over {transport}: " + ("no reply" if answer is None else answer.rcode)
            # Polling: a refused TCP connect returns at once, so pace the retries.
            time.sleep(0.05)

    def wait_listening(self, count: int, timeout: float = 10.0) -> list[tuple[str, int]]:
        """For a server given port-0 listen addresses: the (address, port) of each
        "listening on" log line, once `count` are there and it logged "ready:".
        AssertionError when it exits first or `timeout` passes."""

        def found():
            if not self.alive():
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            log = self.log()
            lines = re.findall(r"listening on \[?([0-9a-f.:]+?)\]?:(\d+) \(udp, tcp\)", log)
            return [(a, int(p)) for a, p in lines] if len(lines) >= count and "ready:" in log else None

        return wait_for(found, timeout, f"{self.name} to listen")

    def stop(self, grace_s: float = 5.0) -> Optional[int]:
        """SIGTERM, wait up to grace_s, then SIGKILL. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=grace_s)
            except ProcessLookupError:
                pass
        return self.proc.returncode

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class WorkDir:
    """A temporary directory removed on clean exit, kept (and named) on failure."""

    def __init__(self, prefix: str):
        self.path = Path(tempfile.mkdtemp(prefix=f"gslbtest-{prefix}-"))

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            print(f"(work directory kept for inspection: {self.path})", file=sys.stderr)


def zone_files(zones_dir: Path) -> list[tuple[str, Path]]:
    """(origin, path) for every `<origin>.zone` in zones_dir, origin with a trailing dot."""
    found = []
    for path in sorted(Path(zones_dir).glob("*.zone")):
        found.append((path.name[:-len(".zone")].rstrip(".") + ".", path.resolve()))
    if not found:
        raise FileNotFoundError(f"no *.zone files in {zones_dir}")
    return found


def _ready_or_stopped(server: Server, zones_dir: Path) -> Server:
    """The started server once it answers for every zone of zones_dir; stopped
    (and the error raised) when it does not."""
    try:
        server.wait_ready([origin for origin, _ in zone_files(zones_dir)])
    except Exception:
        server.stop()
        raise
    return server


def start_gslb(zones_dir: Path, workdir: Path, extra_args: Iterable[str] = (), ready: bool = True) -> Server:
    """`gslb serve --zones DIR --listen 127.0.0.1:PORT` on a free port."""
    port = free_port()
    argv = [str(gslb_binary()), "serve", "--zones", str(Path(zones_dir).resolve()), "--listen", f"{LOOPBACK}:{port}"]
    server = Server("gslb", argv + list(extra_args), workdir, port).start()
    return _ready_or_stopped(server, zones_dir) if ready else server


def serve(workdir: Path, args: Iterable[str], name: str = "gslb") -> Server:
    """`gslb serve ARGS` started in workdir, not waited for: with port-0 listen
    addresses, Server.wait_listening gives the ports it bound."""
    return Server(name, [str(gslb_binary()), "serve", *args], workdir, 0).start()


def start_nsd(zones_dir: Path, workdir: Path) -> Server:
    """NSD in the foreground (-d) serving every zone file of zones_dir.

    Response rate limiting is off (Debian builds NSD with RRL, whose default
    would throttle the tests), the database is in-memory only and every state
    file lives in workdir.
    """
    port = free_port()
    run = workdir / "nsd"
    run.mkdir()
    lines = [
        "server:",
        f"    ip-address: {LOOPBACK}@{port}",
        "    server-count: 1",
        '    username: ""',
        '    chroot: ""',
        f'    zonesdir: "{Path(zones_dir).resolve()}"',
        '    database: ""',
        f'    pidfile: "{run}/nsd.pid"',
        f'    xfrdfile: "{run}/xfrd.state"',
        f'    xfrdir: "{run}"',
        f'    zonelistfile: "{run}/zone.list"',
        f'    logfile: "{run}/nsd.log"',
        "    verbosity: 2",
        "    hide-version: no",
        # Like Knot (and gslb): no NS RRset in the authority section of
        # positive answers, so that only real differences show.
        "    minimal-responses: yes",
        '    version: "NSD (gslb tests)"',
        "    rrl-ratelimit: 0",
        "    rrl-whitelist-ratelimit: 0",
        "remote-control:",
        "    control-enable: no",
    ]
    for origin, path in zone_files(zones_dir):
        lines += ["zone:", f'    name: "{origin}"', f'    zonefile: "{path}"']
    conf = run / "nsd.conf"
    conf.write_text("\n".join(lines) + "\n")
    server = Server("nsd", [find_tool("nsd"), "-d", "-c", str(conf)], run, port, [run / "nsd.log"]).start()
    return _ready_or_stopped(server, zones_dir)


def start_knot(zones_dir: Path, workdir: Path) -> Server:
    """knotd in the foreground serving every zone file of zones_dir.

    Zone files are only read (zonefile-sync -1, no journal), all state lives
    in workdir, one worker of each kind keeps it light on a shared machine.
    """
    port = free_port()
    run = workdir / "knot"
    run.mkdir()
    lines = [
        "server:",
        f"    listen: {LOOPBACK}@{port}",
        f'    rundir: "{run}"',
        f'    pidfile: "{run}/knot.pid"',
        "    udp-workers: 1",
        "    tcp-workers: 1",
        "    background-workers: 1",
        '    version: "Knot (gslb tests)"',
        "log:",
        f'  - target: "{run}/knot.log"',
        "    any: info",
        "database:",
        f'    storage: "{run}/db"',
        "control:",
        f'    listen: "{run}/knot.sock"',
        "template:",
        "  - id: default",
        f'    storage: "{Path(zones_dir).resolve()}"',
        "    zonefile-sync: -1",
        "    zonefile-load: whole",
        "    journal-content: none",
        "    semantic-checks: off",
        "zone:",
    ]
    for origin, path in zone_files(zones_dir):
        lines += [f"  - domain: {origin}", f'    file: "{path}"']
    conf = run / "knot.conf"
    conf.write_text("\n".join(lines) + "\n")
    server = Server("knot", [find_tool("knotd"), "-c", str(conf)], run, port, [run / "knot.log"]).start()
    return _ready_or_stopped(server, zones_dir)


def kdig_ecs(port: int, name: str, rdtype: str, subnet: str) -> tuple[list[str], Optional[str]]:
    """([addresses], "addr/source/scope" or None) from kdig +subnet: the answer
    as a second, independent client parses it."""
    out = subprocess.run([find_tool("kdig"), f"@{LOOPBACK}", "-p", str(port), name, rdtype, f"+subnet={subnet}",
                          "+noall", "+answer", "+opt", "+timeout=2", "+retry=1"],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    addresses = [line.split()[-1] for line in out.splitlines() if re.search(rf"\sIN\s+{rdtype}\s", line)]
    match = re.search(r"CLIENT-SUBNET: (\S+)", out)
    return addresses, match.group(1) if match else None


# -------------------------------------------------------------------- queries


@dataclasses.dataclass
class Query:
    """One DNS query, as the tests describe it.

    edns None sends no OPT record; otherwise it is the advertised UDP payload.
    options are (code, bytes) EDNS options. qdcount overrides the question
    count on the wire to build malformed queries (0: question removed, 2: the
    question repeated). opcode other than 0 builds e.g. a STATUS query.
    """

    qname: str
    qtype: str = "A"
    transport: str = "udp"
    edns: Optional[int] = 1232
    rd: bool = False
    ednsver: int = 0
    do: bool = False
    options: tuple = ()
    qclass: str = "IN"
    qdcount: Optional[int] = None
    opcode: int = 0
    id: str = ""

    def wire(self, msg_id: int) -> bytes:
        msg = dns.message.make_query(self.qname, self.qtype, self.qclass, flags=0, id=msg_id)
        if self.rd:
            msg.flags |= dns.flags.RD
        msg.set_opcode(self.opcode)
        if self.edns is not None:
            opts = [dns.edns.GenericOption(code, data) for code, data in self.options]
            msg.use_edns(self.ednsver, dns.flags.DO if self.do else 0, self.edns, options=opts)
        wire = bytearray(msg.to_wire())
        if self.qdcount is not None:
            # The question is the first name in the message, so never compressed.
            qlen = len(dns.name.from_text(self.qname).to_wire()) + 4
            question = bytes(wire[12:12 + qlen])
            if self.qdcount == 0:
                del wire[12:12 + qlen]
            else:
                wire[12 + qlen:12 + qlen] = question * (self.qdcount - 1)
            struct.pack_into("!H", wire, 4, self.qdcount)
        return bytes(wire)

    def describe(self) -> str:
        parts = [self.qname, self.qclass if self.qclass != "IN" else "", self.qtype, self.transport.upper()]
        parts.append("no-EDNS" if self.edns is None else f"EDNS{self.ednsver}/{self.edns}")
        if self.rd:
            parts.append("+rd")
        if self.do:
            parts.append("+do")
        for code, data in self.options:
            parts.append(f"opt{code}={data.hex()}")
        if self.qdcount is not None:
            parts.append(f"qdcount={self.qdcount}")
        if self.opcode:
            parts.append(f"opcode={dns.opcode.to_text(self.opcode)}")
        return " ".join(p for p in parts if p)


_next_id = int.from_bytes(os.urandom(2), "big")


def _take_id() -> int:
    global _next_id
    _next_id = (_next_id + 1) & 0xFFFF
    return _next_id


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def exchange(port: int, wire: bytes, transport: str = "udp", timeout: float = 2.0,
             host: str = LOOPBACK) -> Optional[bytes]:
    """Send raw wire to host:port and return the raw reply, or None on timeout
    or closed connection. UDP replies are matched on the message ID."""
    try:
        if transport == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(timeout)
                sock.sendto(wire, (host, port))
                end = time.monotonic() + timeout
                while True:
                    sock.settimeout(max(0.001, end - time.monotonic()))
                    reply, _ = sock.recvfrom(65535)
                    if reply[:2] == wire[:2]:
                        return reply
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack("!H", len(wire)) + wire)
            (length,) = struct.unpack("!H", _recv_exact(sock, 2))
            return _recv_exact(sock, length)
    except (socket.timeout, ConnectionError, OSError):
        return None


def ask(port: int, query: Query, timeout: float = 2.0, host: str = LOOPBACK) -> Optional["Answer"]:
    """Send query and parse the reply; None when nothing came back."""
    reply = exchange(port, query.wire(_take_id()), query.transport, timeout, host)
    return None if reply is None else Answer.parse(reply)


# -------------------------------------------------------------------- answers

# Types whose rdata holds domain names: compared lower-cased, since a server
# may compress them against the (mixed-case) query name.
_NAME_RDATA = {"CNAME", "NS", "MX", "SRV", "PTR", "DNAME", "SOA", "NAPTR", "RP", "AFSDB", "KX"}

Section = tuple  # sorted tuple of (owner, type, class, ttl, sorted rdata tuple)


def _section(rrsets) -> Section:
    out = []
    for rrset in rrsets:
        rtype = dns.rdatatype.to_text(rrset.rdtype)
        rdatas = [rd.to_text() for rd in rrset]
        if rtype in _NAME_RDATA:
            rdatas = [r.lower() for r in rdatas]
        out.append((rrset.name.to_text().lower(), rtype, dns.rdataclass.to_text(rrset.rdclass), rrset.ttl,
                    tuple(sorted(rdatas))))
    return tuple(sorted(out))


@dataclasses.dataclass(frozen=True)
class Answer:
    """A reply normalised for comparison: order inside and between RRsets is
    gone, owners are lower-cased (the question keeps its exact case so case
    echo can be checked), EDNS is reduced to presence and version."""

    rcode: str
    opcode: str
    flags: frozenset
    question: tuple
    answer: Section
    authority: Section
    additional: Section
    edns: Optional[int]
    size: int
    parse_error: str = ""

    @staticmethod
    def parse(wire: bytes) -> "Answer":
        try:
            msg = dns.message.from_wire(wire)
        except (dns.exception.DNSException, ValueError) as err:
            # Keep what the fixed header says (e.g. a FORMERR with an odd body).
            ident, flags, *_ = struct.unpack("!HHHHHH", wire[:12]) if len(wire) >= 12 else (0, 0)
            return Answer(dns.rcode.to_text(flags & 0xF), dns.opcode.to_text((flags >> 11) & 0xF),
                          _flag_set(flags), (), (), (), (), None, len(wire), f"{type(err).__name__}: {err}")
        question = tuple((rr.name.to_text(), dns.rdatatype.to_text(rr.rdtype), dns.rdataclass.to_text(rr.rdclass))
                         for rr in msg.question)
        return Answer(dns.rcode.to_text(msg.rcode()), dns.opcode.to_text(msg.opcode()), _flag_set(msg.flags),
                      question, _section(msg.answer), _section(msg.authority), _section(msg.additional),
                      msg.edns if msg.edns >= 0 else None, len(wire))

    def text(self) -> str:
        lines = [f"rcode={self.rcode} opcode={self.opcode} flags={' '.join(sorted(self.flags))} "
                 f"edns={self.edns} size={self.size}"]
        if self.parse_error:
            lines.append(f"unparseable: {self.parse_error}")
        lines += [f"  question: {q}" for q in self.question]
        for name in ("answer", "authority", "additional"):
            lines += [f"  {name}: {_rrset_text(r)}" for r in getattr(self, name)]
        return "\n".join(lines)


def _flag_set(flags: int) -> frozenset:
    return frozenset(f for f in ("QR", "AA", "TC", "RD", "RA", "AD", "CD")
                     if flags & getattr(dns.flags, f))


def _rrset_text(rrset) -> str:
    owner, rtype, rclass, ttl, rdatas = rrset
    return f"{owner} {ttl} {rclass} {rtype} " + " | ".join(rdatas)


# Fields compared by default. Flags are limited to those a zone's content
# decides; AD/CD echo and QR are not what these tests are about (QR is
# checked separately by checking a reply arrived at all).
COMPARED_FLAGS = frozenset({"AA", "TC", "RD", "RA"})
FIELDS = ("rcode", "opcode", "flags", "question", "answer", "authority", "additional", "edns")


def compare(expected: Answer, got: Answer, fields: Iterable[str] = FIELDS, shape_only: Iterable[str] = ()) -> list[str]:
    """Readable differences between two replies, one string per field.

    shape_only names sections whose rdata is not compared (only owner, type,
    class, TTL and count), e.g. the text of a CHAOS version.bind answer.
    """
    shape_only = set(shape_only)
    diffs = []
    for field in fields:
        want, have = getattr(expected, field), getattr(got, field)
        if field == "flags":
            want, have = want & COMPARED_FLAGS, have & COMPARED_FLAGS
        if field in shape_only:
            want = tuple(sorted((o, t, c, ttl, len(r)) for o, t, c, ttl, r in want))
            have = tuple(sorted((o, t, c, ttl, len(r)) for o, t, c, ttl, r in have))
        if want == have:
            continue
        if field in ("answer", "authority", "additional") and field not in shape_only:
            missing = [r for r in want if r not in have]
            extra = [r for r in have if r not in want]
            lines = [f"{field}:"]
            lines += [f"    expected, missing: {_rrset_text(r)}" for r in missing]
            lines += [f"    got, unexpected:   {_rrset_text(r)}" for r in extra]
            diffs.append("\n".join(lines))
        elif field == "flags":
            diffs.append(f"flags: expected {' '.join(sorted(want)) or '-'}, got {' '.join(sorted(have)) or '-'}")
        else:
            diffs.append(f"{field}: expected {want!r}, got {have!r}")
    return diffs


def matches_any(references: dict[str, Optional[Answer]], got: Optional[Answer],
                shape_only: Iterable[str] = ()) -> tuple[bool, str]:
    """Whether got equals at least one reference's reply; if not, a report
    with the differences against each reference."""
    if got is None:
        return False, "no reply (timeout)"
    report = []
    for name, ref in references.items():
        if ref is None:
            report.append(f"  vs {name}: {name} did not reply")
            continue
        diffs = compare(ref, got, shape_only=shape_only)
        if not diffs:
            return True, ""
        report.append(f"  vs {name}:\n" + "\n".join("    " + line for d in diffs for line in d.splitlines()))
    return False, "\n".join(report)


def load_queries(path: Path) -> list[Query]:
    """Parse a query table (format documented at the top of
    tests/data/diff_queries.txt) into Query objects; ids must be unique."""
    queries, seen = [], set()
    for lineno, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) < 5:
            raise ValueError(f"{path}:{lineno}: expected id qname qtype transport edns [options]")
        qid, qname, qtype, transport, edns = fields[:5]
        if qid in seen:
            raise ValueError(f"{path}:{lineno}: duplicate id {qid}")
        seen.add(qid)
        if transport not in ("udp", "tcp"):
            raise ValueError(f"{path}:{lineno}: transport must be udp or tcp")
        q = Query(qname, qtype, transport, None if edns == "-" else int(edns), id=qid)
        for opt in fields[5:]:
            key, _, value = opt.partition("=")
            if key in ("rd", "do"):
                setattr(q, key, True)
            elif key in ("ednsver", "qdcount", "opcode"):
                setattr(q, key, int(value))
            elif key == "class":
                q.qclass = value
            elif key == "opt":
                code, _, data = value.partition(":")
                q.options = q.options + ((int(code), bytes.fromhex(data)),)
            else:
                raise ValueError(f"{path}:{lineno}: unknown option {opt}")
        queries.append(q)
    return queries
