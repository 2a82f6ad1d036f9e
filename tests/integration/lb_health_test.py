"""`gslb lb` health checks end to end: active probes take a dead backend out
and bring it back; passive checks eject a backend that keeps answering 5xx,
but never the last one. Clients see no error while a backend dies.
"""

import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
from lb_process import LbProcess, admin  # noqa: E402
from testrun import run_tests  # noqa: E402


def config(backends, pool_extra="", top_extra="", weight=1):
    members = "\n".join("      - { address: %s, weight: %d }" % (b.address, weight) for b in backends)
    return """server:
  workers: 2
%s
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    balancer: round_robin
%s
    backends:
%s
""" % (top_extra, pool_extra, members)


def ask(conn, path="/"):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("X-Backend-Id")


def wait_for_log(lb, text, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in lb.log():
            return True
        time.sleep(0.05)  # polling the process's log, bounded by the deadline
    raise AssertionError("no %r in log:\n%s" % (text, lb.log()))


def test_active_check_takes_a_dead_backend_out_and_brings_it_back():
    a, b = Backend("a").start(), Backend("b").start()
    check = "    check: { path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }\n" \
            "    passive: { failures: 0 }"
    lb = LbProcess(config([a, b], check))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        # Probes arrive with the configured path and our User-Agent.
        deadline = time.monotonic() + 10
        while not any(q["path"] == "/health" for q in list(a.requests)) and time.monotonic() < deadline:
            time.sleep(0.02)
        probe = next(q for q in list(a.requests) if q["path"] == "/health")
        assert probe["headers"]["User-Agent"] == "gslb-lb-check"

        port = a.port
        a.stop()
        # While the check has not yet noticed, refused connects are retried on b: no errors.
        statuses = []
        deadline = time.monotonic() + 15
        while "backend 127.0.0.1:%d is now down" % port not in lb.log() and time.monotonic() < deadline:
            statuses.append(ask(conn))
        wait_for_log(lb, "backend 127.0.0.1:%d is now down" % port)
        assert all(s == (200, "b") for s in statuses), statuses
        assert [ask(conn) for _ in range(10)] == [(200, "b")] * 10

        a = Backend("a", port=port).start()
        wait_for_log(lb, "backend 127.0.0.1:%d is now up" % port)
        ids = [ask(conn)[1] for _ in range(10)]
        assert ids.count("a") == 5 and ids.count("b") == 5, ids
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


def test_dead_at_startup_is_down_after_the_first_probe():
    a, b = Backend("a").start(), Backend("b").start()
    port = a.port
    a.stop()
    lb = LbProcess(config([a, b], "    check: { interval: 10s, timeout: 1s }\n    passive: { failures: 0 }"))
    try:
        # The first result decides: down after one probe, not after `fall` (3 × 10 s).
        wait_for_log(lb, "backend 127.0.0.1:%d is now down" % port, timeout=5)
    finally:
        assert lb.stop() == 0
        b.stop()


def test_passive_check_ejects_a_failing_backend():
    a, b = Backend("a", status=500).start(), Backend("b").start()
    lb = LbProcess(config([a, b], "    passive: { failures: 3, eject: 30s }"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        results = [ask(conn) for _ in range(12)]
        wait_for_log(lb, "ejected for 30s after 3 consecutive failures")
        results += [ask(conn) for _ in range(10)]
        # The third failure ejects; the ejection is applied on the health thread,
        # so on a busy machine a few requests already on their way may still reach "a".
        assert 3 <= results.count((500, "a")) <= 6, results
        assert results[-10:] == [(200, "b")] * 10
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


def test_passive_check_never_ejects_the_last_backend():
    a = Backend("a", status=503).start()
    lb = LbProcess(config([a], "    passive: { failures: 2 }"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        assert [ask(conn) for _ in range(6)] == [(503, "a")] * 6
        wait_for_log(lb, "is the last available one: not ejected")
    finally:
        assert lb.stop() == 0
        a.stop()


def test_admin_drain_health_and_metrics():
    a, b = Backend("a").start(), Backend("b").start()
    lb = LbProcess(config([a, b], top_extra='admin: { address: "127.0.0.1:0" }'), admin=True)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        assert sorted(ask(conn)[1] for _ in range(4)) == ["a", "a", "b", "b"]
        status, body = admin(lb, "GET", "/health")
        assert status == 200 and json.loads(body)["pools"]["web"] == {
            "status": "up", "available": 2, "total": 2, "min_healthy": 1, "available_weight": 2,
            "capacity": 1.0, "in_flight": 0}, body
        status, _ = admin(lb, "POST", "/pools/web/backends/%s/drain" % a.address)
        assert status == 200
        assert [ask(conn) for _ in range(6)] == [(200, "b")] * 6
        backends = json.loads(admin(lb, "GET", "/status")[1])["pools"]["web"]["backends"]
        assert [(x["address"], x["state"], x["responses"]) for x in backends] == [
            (a.address, "draining", 2), (b.address, "up", 8)], backends
        status, body = admin(lb, "POST", "/pools/web/backends/%s/drain" % b.address)
        status, body = admin(lb, "GET", "/health")
        assert status == 503 and json.loads(body)["status"] == "down"
        assert ask(conn)[0] == 503  # nothing available: the proxy says so
        admin(lb, "POST", "/pools/web/backends/%s/undrain" % a.address)
        assert ask(conn) == (200, "a")
        status, body = admin(lb, "GET", "/metrics")
        assert status == 200
        assert ('gslb_lb_backend_draining{pool="web",backend="%s"} 1' % b.address).encode() in body
        assert ('gslb_lb_backend_responses_total{pool="web",backend="%s"} 3' % a.address).encode() in body
        # Every response that reached "a" is in its response-time histogram.
        assert ('gslb_lb_backend_response_seconds_count{pool="web",backend="%s"} 3' % a.address).encode() in body
        assert ('gslb_lb_backend_response_seconds_bucket{pool="web",backend="%s",le="+Inf"} 3'
                % a.address).encode() in body
        # 4 + 6 + 1 answered 200 by backends, 1 answered 503 by the proxy itself.
        assert b'gslb_lb_responses_total{class="2xx"} 11' in body, body
        assert b'gslb_lb_responses_total{class="5xx"} 1' in body, body
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


def test_sticky_cookie_pins_a_client_until_its_backend_drains():
    a, b, c = Backend("a").start(), Backend("b").start(), Backend("c").start()
    lb = LbProcess(config([a, b, c], "    sticky: { cookie: SRV, ttl: 1h }", 'admin: { address: "127.0.0.1:0" }'),
                   admin=True)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        conn.request("GET", "/")
        r = conn.getresponse()
        r.read()
        first = r.getheader("X-Backend-Id")
        cookie = r.getheader("Set-Cookie")
        assert cookie.startswith("SRV=") and cookie.endswith("; Path=/; HttpOnly; Max-Age=3600"), cookie
        value = cookie.split(";")[0]
        # With the cookie, round-robin is overridden and no new cookie is sent.
        for _ in range(9):
            conn.request("GET", "/", headers={"Cookie": "other=1; " + value})
            r = conn.getresponse()
            r.read()
            assert r.getheader("X-Backend-Id") == first
            assert r.getheader("Set-Cookie") is None
        pinned = {"a": a, "b": b, "c": c}[first]
        assert admin(lb, "POST", "/pools/web/backends/%s/drain" % pinned.address)[0] == 200
        conn.request("GET", "/", headers={"Cookie": value})
        r = conn.getresponse()
        r.read()
        assert r.getheader("X-Backend-Id") != first
        assert r.getheader("Set-Cookie").split(";")[0] != value  # re-pinned elsewhere
    finally:
        assert lb.stop() == 0
        for x in (a, b, c):
            x.stop()


def test_slow_start_ramps_a_returning_backend():
    a, b = Backend("a").start(), Backend("b").start()
    pool = "    check: { path: /health, interval: 100ms, timeout: 80ms, rise: 1, fall: 1 }\n" \
           "    passive: { failures: 0 }\n    slow_start: 2s"
    lb = LbProcess(config([a, b], pool, 'admin: { address: "127.0.0.1:0" }', weight=100), admin=True)
    try:
        def weight_of_a():
            backends = json.loads(admin(lb, "GET", "/status")[1])["pools"]["web"]["backends"]
            return backends[0]["weight"], backends[0]["state"]

        assert weight_of_a() == (100, "up")  # no ramp at startup
        port = a.port
        a.stop()
        wait_for_log(lb, "backend 127.0.0.1:%d is now down" % port)
        a = Backend("a", port=port).start()
        wait_for_log(lb, "backend 127.0.0.1:%d is now up" % port)
        weight, state = weight_of_a()
        assert state == "up" and 10 <= weight < 100, weight
        seen = {weight}
        deadline = time.monotonic() + 10
        while weight < 100 and time.monotonic() < deadline:
            weight, _ = weight_of_a()
            seen.add(weight)
            time.sleep(0.05)  # polling the admin API, bounded
        assert weight == 100
        assert len(seen) >= 3, seen  # it climbed in steps, not at once
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
