"""Deploys and crashes under load through the real `gslb lb`, with backends
in their own processes and several client threads (keep-alive and new
connections, GET and POST) running the whole time:

- rolling deploy: for each backend in turn, drain it through the admin API,
  wait until nothing is in flight on it, stop it, start it again, enable it,
  wait until its check says up. Zero failed requests, and every backend
  serves traffic afterwards.
- crash: kill -9 one backend mid-load and start it again about 3 s later.
  Zero failed requests (refused connects go to another backend, passive
  checks eject it), and it serves again once back.
"""

import contextlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_load import BackendProcess, Load  # noqa: E402
from lb_process import LbProcess, admin, backend_status, wait_for  # noqa: E402
from testrun import run_tests  # noqa: E402


def config(backends):
    members = "\n".join("      - { address: %s }" % b.address for b in backends)
    return """server:
  workers: 2
  timeouts: { backend_connect: 1s, backend_response: 10s }
admin: { address: "127.0.0.1:0" }
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    balancer: round_robin
    check: { path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
    passive: { failures: 3, eject: 1s, max_eject: 2s }
    backends:
%s
""" % members


@contextlib.contextmanager
def three_backends_under_load():
    """Backends a, b, c behind `gslb lb` (admin API on), all up, and a Load
    running through it; on the way out everything is stopped and the lb must
    exit 0. Yields (lb, backends, load); a test may replace list items."""
    backends = [BackendProcess(x) for x in "abc"]
    lb = LbProcess(config(backends), admin=True)
    load = None
    try:
        wait_for("all up", lambda: all(backend_status(lb, b.address)["state"] == "up" for b in backends))
        load = Load(lb.port).start()
        yield lb, backends, load
    finally:
        if load:
            load.stop()
        assert lb.stop() == 0
        for b in backends:
            b.kill()


def served_after(load, what, event):
    """Stops the load 300 requests from now; asserts that none of its requests
    failed and returns what each backend served over those 300."""
    before = load.served()
    wait_for_requests(load, 300)
    after = load.served()
    requests, failures = load.stop()
    print("%s: %d requests, %d failed; served after the %s: %s" %
          (what, requests, len(failures), event, dict(after - before)), flush=True)
    assert failures == [], failures[:10]
    return after - before


def wait_for_requests(load, n, timeout=10.0):
    target = load.count() + n
    wait_for("%d more requests" % n, lambda: load.count() >= target, timeout)


def test_rolling_deploy_under_load_fails_no_request():
    with three_backends_under_load() as (lb, backends, load):
        wait_for_requests(load, 200)
        for i, b in enumerate(backends):
            status, body = admin(lb, "POST", "/pools/web/backends/%s/drain" % b.address)
            assert status == 200, body
            wait_for("%s idle" % b.id, lambda: backend_status(lb, b.address)["in_flight"] == 0)
            b.stop()
            # Down long enough for the LB's check to notice, as in a real deploy.
            wait_for("%s check down" % b.id, lambda: backend_status(lb, b.address)["check"]["state"] == "down")
            wait_for_requests(load, 100)  # traffic goes on without it
            backends[i] = b = BackendProcess(b.id, port=b.port)
            status, body = admin(lb, "POST", "/pools/web/backends/%s/enable" % b.address)
            assert status == 200, body
            wait_for("%s up" % b.id, lambda: backend_status(lb, b.address)["state"] == "up")
        served = served_after(load, "rolling deploy", "deploy")
        assert all(served[b.id] > 0 for b in backends), served


def test_kill_9_under_load_fails_no_request():
    with three_backends_under_load() as (lb, backends, load):
        wait_for_requests(load, 300)
        victim = backends[0]
        victim.kill()
        killed_at = time.monotonic()
        wait_for("the victim out", lambda: backend_status(lb, victim.address)["state"] == "down")
        # Back about 3 s after the crash (it has been down all this time).
        wait_for("3 s", lambda: time.monotonic() - killed_at >= 3.0, timeout=5)
        backends[0] = victim = BackendProcess(victim.id, port=victim.port)
        wait_for("the victim up", lambda: backend_status(lb, victim.address)["state"] == "up")
        assert served_after(load, "kill -9", "restart")[victim.id] > 0


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
