"""`gslb lb` end to end: real fake backends, the real binary, real sockets.

Each test starts its own backends and its own `gslb lb` (listener on port 0,
port read from the log), drives it with http.client or raw sockets, and
asserts which backend served what (X-Backend-Id) and what was forwarded.
"""

import http.client
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
from lb_process import LbProcess  # noqa: E402
from testrun import run_tests  # noqa: E402


def config(backends, balancer="round_robin", extra_pool="", server="", routes="", workers=2):
    members = "\n".join("      - { address: %s, weight: %d }" % (b.address if hasattr(b, "address") else b, w)
                        for b, w in backends)
    return """server:
  workers: %d
%s
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    balancer: %s
%s
    backends:
%s
%s
""" % (workers, server, balancer, extra_pool, members, routes)


def get(port, path="/", headers=None, method="GET", body=None, source=None, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=15,
                                           source_address=(source, 0) if source else None)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r, data


def dead_address():
    """An address nobody listens on: bind port 0, then close it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "127.0.0.1:%d" % port


def raw_exchange(port, payload, timeout=5.0):
    """Sends raw bytes, returns everything until the proxy closes (or timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def fair(counts, weights):
    total, wsum = sum(counts), sum(weights)
    return all(total * w / wsum / 2 <= c <= total * w / wsum * 2 for c, w in zip(counts, weights))


class Stack:
    """Backends + one gslb lb, torn down by PID."""

    def __init__(self, ids, weights=None, **kw):
        self.backends = [Backend(i).start() for i in ids]
        weights = weights or [1] * len(ids)
        self.lb = LbProcess(config(list(zip(self.backends, weights)), **kw))
        self.port = self.lb.port

    def close(self):
        rc = self.lb.stop()
        for b in self.backends:
            b.stop()
        assert rc == 0, "gslb lb exited %r\n%s" % (rc, self.lb.log())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def served_by(port, n, conn=None, path="/", **kw):
    ids = []
    for i in range(n):
        r, _ = get(port, path, conn=conn, **kw)
        assert r.status == 200, r.status
        ids.append(r.getheader("X-Backend-Id"))
    return ids


# --- balancing ---------------------------------------------------------------

def test_round_robin_even_and_in_turn():
    with Stack("abc", balancer="round_robin") as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        ids = served_by(s.port, 300, conn=conn)
        # One connection lives on one worker: its cursor visits a, b, c in turn.
        assert all(ids[i] != ids[i + 1] for i in range(len(ids) - 1))
        assert [ids.count(x) for x in "abc"] == [100, 100, 100], ids


def test_weighted_round_robin_smooth_sequence():
    with Stack("abc", weights=[5, 1, 1], balancer="weighted_round_robin") as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        ids = served_by(s.port, 700, conn=conn)
        assert "".join(ids[:7]) == "aabacaa", ids[:7]
        assert [ids.count(x) for x in "abc"] == [500, 100, 100]


def test_least_connections_follows_weights_under_concurrency():
    with Stack("ab", weights=[3, 1], balancer="least_connections", workers=1) as s:
        results = []
        lock = threading.Lock()

        def one():
            r, _ = get(s.port, "/?delay=1.0")
            with lock:
                results.append(r.getheader("X-Backend-Id"))

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 8
        # All eight overlap, so in-flight counts steer them 3:1.
        assert 5 <= results.count("a") <= 7, results


def test_ip_hash_sticky_per_client_and_spread():
    with Stack("abc", balancer="ip_hash") as s:
        first = {}
        for i in range(2, 152):
            src = "127.0.%d.%d" % (i // 250, i % 250 + 1)
            ids = served_by(s.port, 2, source=src)
            assert ids[0] == ids[1], (src, ids)
            first[src] = ids[0]
        counts = [list(first.values()).count(x) for x in "abc"]
        assert fair(counts, [1, 1, 1]), counts


def test_consistent_hash_on_header_key():
    with Stack("abcd", balancer="consistent_hash", extra_pool='    hash_key: "header:X-User"') as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        owner = {}
        for u in range(300):
            ids = served_by(s.port, 2, conn=conn, headers={"X-User": "user-%d" % u})
            assert ids[0] == ids[1]
            owner[u] = ids[0]
        counts = [list(owner.values()).count(x) for x in "abcd"]
        assert fair(counts, [1, 1, 1, 1]), counts


def test_random_two_choices_spreads():
    with Stack("abc", balancer="random_two_choices") as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        ids = served_by(s.port, 300, conn=conn)
        assert fair([ids.count(x) for x in "abc"], [1, 1, 1]), ids


def test_least_response_time_avoids_the_slow_backend():
    with Stack("abc", balancer="least_response_time") as s:
        s.backends[2].delay = 0.05
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        ids = served_by(s.port, 150, conn=conn)
        assert ids.count("c") < ids.count("a") and ids.count("c") < ids.count("b"), [ids.count(x) for x in "abc"]
        assert ids.count("c") >= 1  # it was measured, not starved from the start


# --- proxy behaviour ---------------------------------------------------------

def test_keep_alive_both_sides_and_forwarded_headers():
    with Stack("a") as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        conn.connect()
        sock = conn.sock
        for i in range(20):
            r, body = get(s.port, "/k%d" % i, conn=conn, headers={
                "X-Forwarded-For": "203.0.113.9",
                "Connection": "keep-alive, X-Hop",
                "X-Hop": "secret",
                "Keep-Alive": "timeout=5",
                "TE": "trailers",
                "Proxy-Authorization": "Basic Zm9vOmJhcg==",
                "X-End-To-End": "kept",
            })
            assert r.status == 200
            assert r.getheader("Server") == "gslb"
            seen = json.loads(body)["headers"]
            assert seen["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1", seen
            assert seen["X-Real-IP"] == "127.0.0.1"
            assert seen["X-Forwarded-Proto"] == "http"
            assert seen["X-Forwarded-Host"] == "127.0.0.1:%d" % s.port
            assert seen["X-End-To-End"] == "kept"
            for gone in ("X-Hop", "Keep-Alive", "TE", "Proxy-Authorization"):
                assert gone not in seen, (gone, seen)
        assert conn.sock is sock  # the client connection was never closed
        # Sequential requests reuse one upstream connection per worker.
        assert s.backends[0].count() == 20
        assert len(s.backends[0].connections) <= 2, len(s.backends[0].connections)


def test_all_backends_dead_is_502_and_a_dead_one_is_skipped():
    dead = [dead_address(), dead_address()]
    lb = LbProcess(config([(a, 1) for a in dead], server="  timeouts: { backend_connect: 2s }"))
    try:
        start = time.monotonic()
        r, _ = get(lb.port)
        assert r.status == 502
        assert time.monotonic() - start < 2.0  # refused, not waited out
    finally:
        assert lb.stop() == 0
    live = Backend("live").start()
    lb = LbProcess(config([(dead_address(), 1), (live, 1)]))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        ids = served_by(lb.port, 20, conn=conn)
        assert ids == ["live"] * 20
    finally:
        assert lb.stop() == 0
        live.stop()


def test_slow_backend_is_504():
    with Stack("a", server="  timeouts: { backend_response: 500ms }") as s:
        start = time.monotonic()
        r, body = get(s.port, "/?delay=3")
        elapsed = time.monotonic() - start
        assert r.status == 504, r.status
        assert 0.4 <= elapsed < 2.5, elapsed
        # The proxy is fine afterwards.
        r, _ = get(s.port, "/")
        assert r.status == 200


SMUGGLING = {
    "CL and TE": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
    "TE and CL": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nG",
    "differing CL": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
    "TE list": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "TE xchunked": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "TE twice": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
    "TE space colon": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    "bad chunk size": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "hex prefix chunk": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
    "TE in HTTP/1.0": b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "no Host": b"GET / HTTP/1.1\r\n\r\n",
}


def test_smuggling_attempts_are_400_and_nothing_is_forwarded():
    with Stack("a") as s:
        for name, payload in SMUGGLING.items():
            reply = raw_exchange(s.port, payload)
            assert reply.startswith(b"HTTP/1.1 400 "), (name, reply[:100])
            assert b"Connection: close" in reply, name
            assert reply.count(b"HTTP/1.1") == 1, (name, reply)  # closed after the 400
        # Nothing reached the backend; the next honest request is the first it sees.
        r, body = get(s.port, "/honest")
        assert r.status == 200
        assert [q["path"] for q in s.backends[0].requests] == ["/honest"]


def test_size_limits_414_431_413():
    server = "  limits: { request_line: 100, header_bytes: 1024, header_count: 10, body_bytes: 1000 }"
    with Stack("a", server=server) as s:
        assert raw_exchange(s.port, b"GET /" + b"a" * 200 + b" HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
            b"HTTP/1.1 414 ")
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(20))
        assert raw_exchange(s.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n").startswith(b"HTTP/1.1 431 ")
        big = b"X-Big: " + b"v" * 2000 + b"\r\n"
        assert raw_exchange(s.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n").startswith(b"HTTP/1.1 431 ")
        assert raw_exchange(s.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n").startswith(
            b"HTTP/1.1 413 ")
        chunked_big = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + b"z" * 2048 + \
            b"\r\n0\r\n\r\n"
        assert raw_exchange(s.port, chunked_big).startswith(b"HTTP/1.1 413 ")
        assert s.backends[0].count() == 0


def test_pipelined_requests_answered_in_order():
    with Stack("a") as s:
        payload = b"".join(b"GET /p%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(3))
        payload += b"GET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        reply = raw_exchange(s.port, payload)
        assert reply.count(b"HTTP/1.1 200 OK") == 4, reply
        positions = [reply.find(b'"path": "/p%d"' % i) for i in range(4)]
        assert all(p > 0 for p in positions) and positions == sorted(positions), positions


def test_streamed_bodies_chunked_and_large():
    with Stack("a") as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        pieces = (b"q" * 65536 for _ in range(64))  # 4 MiB, chunked by http.client
        conn.request("POST", "/upload", body=pieces, encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        r = conn.getresponse()
        body = json.loads(r.read())
        assert r.status == 200
        assert body["body_length"] == 64 * 65536
        assert body["headers"].get("Transfer-Encoding") == "chunked"
        r, data = get(s.port, "/download?size=20000000", conn=conn)
        assert r.status == 200 and len(data) == 20000000
        r, data = get(s.port, "/download?size=20000000", method="HEAD", conn=conn)
        assert r.status == 200 and r.getheader("Content-Length") == "20000000" and data == b""


def test_expect_100_continue_is_answered_by_the_proxy():
    with Stack("a") as s:
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        interim = sock.recv(100)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n", interim
        sock.sendall(b"hello")
        reply = b""
        while b'"body_length"' not in reply:
            chunk = sock.recv(65536)
            assert chunk
            reply += chunk
        sock.close()
        assert reply.startswith(b"HTTP/1.1 200 ")
        seen = s.backends[0].requests[-1]
        assert seen["body_length"] == 5 and "Expect" not in seen["headers"]


def test_routes_fixed_response_and_redirect():
    routes = """routes:
  - { path: /ping, respond: { status: 200, body: pong } }
  - { path_prefix: /old/, redirect: { location: "https://example.com/new", status: 301 } }
  - { host: other.example, respond: { status: 404, body: nothing here } }
  - { pool: web }"""
    with Stack("a", routes=routes) as s:
        r, body = get(s.port, "/ping")
        assert (r.status, body) == (200, b"pong\n")
        r, _ = get(s.port, "/old/page")
        assert r.status == 301 and r.getheader("Location") == "https://example.com/new"
        r, _ = get(s.port, "/", headers={"Host": "other.example"})
        assert r.status == 404
        r, _ = get(s.port, "/x")
        assert r.status == 200 and r.getheader("X-Backend-Id") == "a"
        assert s.backends[0].count() == 1


def test_upgrade_is_tunnelled():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    seen = {}

    def echo_backend():
        conn, _ = listener.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(4096)
        seen["request"] = data
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            conn.sendall(chunk.upper())
        conn.close()

    t = threading.Thread(target=echo_backend, daemon=True)
    t.start()
    lb = LbProcess(config([("127.0.0.1:%d" % port, 1)]))
    try:
        sock = socket.create_connection(("127.0.0.1", lb.port), timeout=5)
        sock.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 101 "), head
        sock.sendall(b"hello tunnel")
        got = b""
        while len(got) < 12:
            got += sock.recv(4096)
        assert got == b"HELLO TUNNEL"
        sock.close()
        assert b"Upgrade: echo" in seen["request"] and b"Connection: upgrade" in seen["request"]
    finally:
        assert lb.stop() == 0
        listener.close()


def test_sigterm_lets_in_flight_requests_finish():
    with Stack("a") as s:
        result = {}

        def slow():
            r, _ = get(s.port, "/?delay=1.0")
            result["status"] = r.status

        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 10
        while s.backends[0].count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # polling the backend's own record, bounded
        s.lb.terminate()
        t.join(15)
        assert result.get("status") == 200
        assert s.lb.proc.wait(timeout=15) == 0


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
