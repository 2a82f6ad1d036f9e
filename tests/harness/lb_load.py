"""Helpers for deploy and failure tests of `gslb lb`: fake backends in their
own processes (so they can be stopped or kill -9'd like real ones), and a
bounded client load that counts every request and every failure.
"""

import collections
import http.client
import os
import queue
import signal
import subprocess
import sys
import threading
import time

_BACKEND_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lb_backend.py")


class BackendProcess:
    """lb_backend.Backend in a child process; port 0 lets the kernel choose."""

    def __init__(self, backend_id, port=0, ready_timeout=10.0):
        self.id = backend_id
        self.proc = subprocess.Popen([sys.executable, _BACKEND_SCRIPT, backend_id, str(port)],
                                     stdout=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=ready_timeout)
        except queue.Empty:
            self.kill()
            raise RuntimeError("backend %s did not start" % backend_id)
        if not line.startswith("port "):
            self.kill()
            raise RuntimeError("backend %s did not start: %r" % (backend_id, line))
        self.port = int(line.split()[1])
        self.address = "127.0.0.1:%d" % self.port

    def _signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()

    def stop(self):
        """A planned stop (SIGTERM)."""
        self._signal(signal.SIGTERM)

    def kill(self):
        """A crash (SIGKILL): no chance to close anything cleanly."""
        self._signal(signal.SIGKILL)


class Load:
    """Client threads sending requests to 127.0.0.1:port until stop(), each
    bounded by max_requests and max_seconds. Half the threads keep one
    keep-alive connection (reconnecting only if the server closes it), half
    open a new connection per request; each alternates GET and POST (with a
    body the backend echoes the length of). A request fails when it raises
    or its status is not 200."""

    def __init__(self, port, threads=4, max_requests=20000, max_seconds=40.0):
        self.port = port
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.lock = threading.Lock()
        self.requests = 0
        self.failures = []
        self.by_backend = collections.Counter()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i % 2 == 0,), daemon=True)
                         for i in range(threads)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def served(self):
        with self.lock:
            return collections.Counter(self.by_backend)

    def count(self):
        with self.lock:
            return self.requests

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)
        return self.requests, list(self.failures)

    def _one(self, conn, method, n):
        body = b"x" * (100 + n % 900) if method == "POST" else None
        conn.request(method, "/req/%d" % n, body=body)
        r = conn.getresponse()
        payload = r.read()
        if r.status != 200:
            return "%s /req/%d: status %d %r" % (method, n, r.status, payload[:100]), None
        if method == "POST" and (b'"body_length": %d' % len(body)) not in payload:
            return "POST /req/%d: body not forwarded whole: %r" % (n, payload[:200]), None
        return None, r.getheader("X-Backend-Id")

    def _run(self, keep_alive):
        deadline = time.monotonic() + self.max_seconds
        conn = None
        n = 0
        while not self._stop.is_set() and n < self.max_requests and time.monotonic() < deadline:
            method = "GET" if n % 2 == 0 else "POST"
            n += 1
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                error, backend = self._one(conn, method, n)
            except Exception as e:  # noqa: BLE001 - any client-visible error counts
                error, backend = "%s /req/%d: %s: %s" % (method, n, type(e).__name__, e), None
                conn.close()
                conn = None
            if not keep_alive and conn is not None:
                conn.close()
                conn = None
            with self.lock:
                self.requests += 1
                if error:
                    self.failures.append(error)
                else:
                    self.by_backend[backend] += 1
        if conn is not None:
            conn.close()
