"""The access log of `gslb lb`: one whole line per request, JSON or combined.

Asserted through the real binary and a fake backend:
  * every JSON line parses and matches the request made: method, target,
    protocol, status, response body bytes (what the client received),
    pool, backend (the X-Backend-Id that answered), upstream time, client;
  * local answers (a fixed response) log no pool/backend/upstream time;
  * under concurrent keep-alive load from several threads, exactly one line
    per request, each one whole (no interleaving, no partial line);
  * logrotate: after the file is moved away, SIGHUP makes a new file that
    gets the new lines (here in combined format), the moved file keeps the
    old ones complete.
"""

import http.client
import json
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
from lb_process import LbProcess  # noqa: E402
from testrun import run_tests  # noqa: E402


def free_port():
    """A port nobody listens on (bound by the kernel, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


DEAD = "127.0.0.1:%d" % free_port()


def config(a, b, fmt="json"):
    return """server: { workers: 2 }
access_log: { path: access.log, format: %s }
listeners:
  - address: 127.0.0.1:0
pools:
  web:
    balancer: round_robin
    backends:
      - { address: %s }
      - { address: %s }
  dead:
    backends: [ { address: "%s" } ]
routes:
  - { path: /ping, respond: { status: 200, body: pong } }
  - { path: /dead, pool: dead }
  - { pool: web }
""" % (fmt, a.address, b.address, DEAD)


def read_lines(path, want, timeout=10.0):
    """The file's lines once it has at least `want` (the log is flushed in batches)."""
    deadline = time.monotonic() + timeout
    data = ""
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                data = f.read()
            if data.count("\n") >= want:
                break
        time.sleep(0.05)  # polling the file, bounded
    assert data == "" or data.endswith("\n"), "partial last line: %r" % data[-200:]
    return data.splitlines()


def test_json_lines_match_requests():
    a, b = Backend("a").start(), Backend("b").start()
    lb = LbProcess(config(a, b))
    log_path = os.path.join(os.path.dirname(lb.config_path), "access.log")
    try:
        addresses = {"a": a.address, "b": b.address}
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        made = []
        for target in ("/first", "/?size=1234", "/?status=503&size=10", "/ping", "/?size=0"):
            conn.request("GET", target, headers={"User-Agent": "t\"est/1.0"})
            r = conn.getresponse()
            body = r.read()
            made.append((target, r.status, len(body), r.getheader("X-Backend-Id")))
        conn.request("HEAD", "/?size=77")
        r = conn.getresponse()
        r.read()
        made.append(("/?size=77", r.status, 0, r.getheader("X-Backend-Id")))
        lines = read_lines(log_path, len(made))
        assert len(lines) == len(made), lines
        for line, (target, status, size, backend_id) in zip(lines, made):
            entry = json.loads(line)
            assert entry["target"] == target, (entry, target)
            assert entry["status"] == status, (entry, status)
            assert entry["bytes"] == size, (entry, size)
            assert entry["protocol"] == "HTTP/1.1" and entry["client"] == "127.0.0.1", entry
            assert entry["tls"] is False and entry["host"] == "127.0.0.1:%d" % lb.port, entry
            assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry["time"]), entry
            assert isinstance(entry["duration"], float) and entry["duration"] >= 0, entry
            if entry["method"] == "GET":
                assert entry["user_agent"] == "t\"est/1.0", entry
            if backend_id:
                assert entry["pool"] == "web" and entry["backend"] == addresses[backend_id], (entry, backend_id)
                assert isinstance(entry["upstream_time"], float), entry
                assert entry["upstream_time"] <= entry["duration"] + 0.001, entry
            else:  # /ping: answered by the proxy itself
                assert entry["pool"] is None and entry["backend"] is None and entry["upstream_time"] is None, entry
        assert [json.loads(l)["method"] for l in lines] == ["GET"] * 5 + ["HEAD"]
        assert json.loads(lines[3])["bytes"] == len(b"pong\n")

        # A backend that refuses: 502, the backend tried is named, no upstream time.
        conn.request("GET", "/dead")
        r = conn.getresponse()
        body = r.read()
        assert r.status == 502
        lines = read_lines(log_path, len(made) + 1)
        entry = json.loads(lines[-1])
        assert (entry["target"], entry["status"], entry["bytes"], entry["pool"], entry["backend"],
                entry["upstream_time"]) == ("/dead", 502, len(body), "dead", DEAD, None), entry
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


def test_concurrent_lines_whole_and_rotation():
    a, b = Backend("a").start(), Backend("b").start()
    lb = LbProcess(config(a, b))
    log_path = os.path.join(os.path.dirname(lb.config_path), "access.log")
    try:
        threads, per_thread = 6, 60
        errors = []

        def load(n):
            try:
                c = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
                for i in range(per_thread):
                    # Varying sizes make lines of different lengths.
                    c.request("GET", "/t%d/%d?size=%d&pad=%s" % (n, i, i * 7, "x" * (i * 13 % 300)))
                    r = c.getresponse()
                    r.read()
                    if r.status != 200:
                        errors.append(r.status)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        ts = [threading.Thread(target=load, args=(n,)) for n in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        assert not errors, errors
        total = threads * per_thread
        lines = read_lines(log_path, total)
        assert len(lines) == total, len(lines)
        seen = set()
        for line in lines:
            entry = json.loads(line)  # a torn or interleaved line would not parse
            m = re.match(r"^/t(\d+)/(\d+)\?size=(\d+)&", entry["target"])
            assert m and entry["bytes"] == int(m.group(3)) and entry["status"] == 200, entry
            seen.add((int(m.group(1)), int(m.group(2))))
        assert len(seen) == total

        # logrotate: move the file, SIGHUP (here also switching to combined).
        os.rename(log_path, log_path + ".1")
        assert "reloaded" in lb.reload(config(a, b, fmt="combined"))
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        conn.request("GET", "/after?size=5", headers={"Referer": "http://ref.example/"})
        r = conn.getresponse()
        r.read()
        backend = {"a": a.address, "b": b.address}[r.getheader("X-Backend-Id")]
        new_lines = read_lines(log_path, 1)
        assert len(new_lines) == 1, new_lines
        m = re.match(r'^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /after\?size=5 HTTP/1\.1" '
                     r'200 5 "http://ref\.example/" "-" rt=\d+\.\d{3} urt=\d+\.\d{3} pool=web backend=(\S+)$',
                     new_lines[0])
        assert m and m.group(1) == backend, new_lines[0]
        with open(log_path + ".1") as f:
            old = f.read()
        assert old.endswith("\n") and old.count("\n") == total
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
