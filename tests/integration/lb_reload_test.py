"""SIGHUP reload of `gslb lb`: a good file takes effect for the next request
(even on an open keep-alive connection), a bad file is reported with
file:line:col and the old configuration keeps serving, a listener change is
refused, and a request in flight during a reload completes.
"""

import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
from lb_process import LbProcess  # noqa: E402
from testrun import run_tests  # noqa: E402


def config(backend, listener="127.0.0.1:0", extra=""):
    return """listeners:
  - address: "%s"
pools:
  web:
    backends:
      - { address: %s }
%s""" % (listener, backend.address, extra)


def ask(conn, path="/"):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("X-Backend-Id")


def test_reload_good_bad_and_refused():
    a, b = Backend("a").start(), Backend("b").start()
    lb = LbProcess(config(a))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        assert ask(conn) == (200, "a")

        outcome = lb.reload(config(b))
        assert "reloaded" in outcome, outcome
        assert [ask(conn) for _ in range(3)] == [(200, "b")] * 3  # same connection, new config

        outcome = lb.reload(config(a, extra="    weigth: 3\n"))
        assert "reload failed" in outcome, outcome
        assert "region.yaml:7:5: error: unknown key 'weigth' in pools.web" in lb.log(), lb.log()
        assert ask(conn) == (200, "b")  # the old configuration still serves

        other_port = "127.0.0.1:%d" % (lb.port + 1 if lb.port < 65535 else lb.port - 1)
        outcome = lb.reload(config(a, listener=other_port))
        assert "reload refused: listeners changed" in outcome, outcome
        assert ask(conn) == (200, "b")
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


def test_request_in_flight_during_reload_completes():
    a, b = Backend("a").start(), Backend("b").start()
    lb = LbProcess(config(a))
    try:
        result = {}

        def slow():
            c = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
            result["answer"] = ask(c, "/?delay=1.0")

        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 10
        while a.count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # polling the backend's record, bounded
        assert "reloaded" in lb.reload(config(b))
        t.join(15)
        assert result["answer"] == (200, "a")
        conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
        assert ask(conn) == (200, "b")
    finally:
        assert lb.stop() == 0
        a.stop()
        b.stop()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
