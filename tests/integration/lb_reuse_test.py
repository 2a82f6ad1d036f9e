"""Reuse of pooled backend connections through the real `gslb lb`.

A connection that went idle less than a second ago is reused without a
liveness check (a system call per request saved); one the backend closed
meanwhile must still not cost the client anything. Here the backend process
is killed -9 and started again on the same port while the proxy holds
several idle connections to it, all now closed: a POST (not idempotent, so
not sent to another backend) right after must be answered 200 by the new
process, not 502 after a few dead connections in a row.
"""

import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_load import BackendProcess  # noqa: E402
from lb_process import LbProcess  # noqa: E402


def config(backend):
    return """server:
  workers: 1
  timeouts: { backend_connect: 1s, backend_response: 5s }
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    max_idle_per_backend: 16
    backends:
      - { address: %s }
""" % backend.address


def request(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path, body=body)
        r = c.getresponse()
        r.read()
        return r.status, r.getheader("X-Backend-Id")
    finally:
        c.close()


def test_post_after_backend_restart_with_dead_pooled_connections():
    backend = BackendProcess("a")
    lb = LbProcess(config(backend))
    try:
        # Six requests at once: the proxy opens six connections, then pools them.
        results = []
        threads = [threading.Thread(target=lambda: results.append(request(lb.port, "GET", "/?delay=0.3")))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert results == [(200, "a")] * 6, results
        pooled_at = time.monotonic()
        backend.kill()
        backend = BackendProcess("a", port=backend.port)
        status = request(lb.port, "POST", "/submit", body=b"x" * 100)
        print("POST %.3f s after the pool filled: %s" % (time.monotonic() - pooled_at, status))
        assert status == (200, "a"), status
        assert request(lb.port, "GET", "/")[0] == 200
    finally:
        lb.stop()
        backend.kill()


if __name__ == "__main__":
    test_post_after_backend_restart_with_dead_pooled_connections()
    print("ok")
