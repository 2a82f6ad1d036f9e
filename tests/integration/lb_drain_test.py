"""Drain through the admin API, end to end: a drained backend gets no new
requests (sticky clients included: they are re-pinned with a new cookie), the
request in flight on it finishes normally, and the proxy closes its idle
keep-alive connections to it at once (seen from the backend's side).
"""

import http.client
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
from lb_process import LbProcess, admin, backend_status, wait_for  # noqa: E402
from testrun import run_tests  # noqa: E402


def config(backends):
    members = "\n".join("      - { address: %s }" % b.address for b in backends)
    return """server:
  workers: 2
admin: { address: "127.0.0.1:0" }
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    balancer: round_robin
    sticky: { cookie: SRV }
    backends:
%s
""" % members


def get(conn, path="/", cookie=None):
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = conn.getresponse()
    r.read()
    set_cookie = r.getheader("Set-Cookie")
    return r.status, r.getheader("X-Backend-Id"), set_cookie.split(";")[0] if set_cookie else None


def test_drain_stops_new_requests_finishes_in_flight_and_closes_idle_connections():
    a, b = Backend("a").start(), Backend("b").start()
    lb = LbProcess(config([a, b]), admin=True)
    try:
        # Several keep-alive client connections (spread over both workers):
        # the proxy keeps idle upstream connections to both backends.
        cookies = {}
        conns = [http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10) for _ in range(4)]
        for conn in conns:
            for _ in range(4):
                status, served, cookie = get(conn)
                assert status == 200
                if cookie:
                    cookies[served] = cookie
        assert set(cookies) == {"a", "b"}, cookies
        wait_for("idle upstream connections to a", lambda: a.open_connections >= 1)

        # A slow request pinned to a is in flight when a is drained.
        slow = {}

        def slow_request():
            c = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
            slow["answer"] = get(c, "/?delay=1.5", cookies["a"])
            c.close()

        thread = threading.Thread(target=slow_request)
        thread.start()
        wait_for("the slow request in flight", lambda: backend_status(lb, a.address)["in_flight"] == 1)
        # In flight counts from the pick, before the request reaches a: wait
        # until a has it, so that the count below includes it.
        wait_for("the slow request at a", lambda: any(r["path"] == "/?delay=1.5" for r in list(a.requests)))
        # One idle connection per worker, one of which the slow request may have taken.
        assert a.open_connections >= 2, a.open_connections
        before = a.count()
        assert admin(lb, "POST", "/pools/web/backends/%s/drain" % a.address)[0] == 200
        assert backend_status(lb, a.address)["state"] == "draining"

        # Only the in-flight request's connection stays open; the idle ones
        # are closed by the drain itself, with no further traffic needed.
        wait_for("idle connections to a closed", lambda: a.open_connections == 1)

        # New requests, with a's cookie or without, all go to b; a's cookie is replaced.
        for conn in conns:
            assert get(conn)[:2] == (200, "b")
            status, served, cookie = get(conn, cookie=cookies["a"])
            assert (status, served, cookie) == (200, "b", cookies["b"]), (status, served, cookie)
        fresh = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        assert [get(fresh)[1] for _ in range(6)] == ["b"] * 6
        assert a.count() == before

        thread.join(timeout=10)
        assert slow["answer"][:2] == (200, "a"), slow  # the in-flight request finished normally
        # Its connection was not kept for reuse: a draining backend's
        # connections close as their requests end.
        wait_for("a has no connection left", lambda: a.open_connections == 0)
        assert backend_status(lb, a.address)["in_flight"] == 0

        # Enabled again, it takes requests (and new connections) again.
        assert admin(lb, "POST", "/pools/web/backends/%s/enable" % a.address)[0] == 200
        assert sorted(get(fresh)[1] for _ in range(4)) == ["a", "a", "b", "b"]
        assert get(fresh, cookie=cookies["a"])[:2] == (200, "a")
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
