"""Start the real `gslb lb` on loopback for a test and stop it by PID.

The config is written to a temporary file; listeners should use port 0 and
the test reads the bound port from the "listening on" log line, so no port
is ever guessed. Stderr is collected in a thread so the process never blocks
on a full pipe.
"""

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time


class LbProcess:
    def __init__(self, config_text, extra_args=(), ready_timeout=20.0, listeners=1, admin=False):
        self.binary = os.environ.get("GSLB", "build/gslb")
        self._dir = tempfile.TemporaryDirectory(prefix="gslb-lb-")
        self.config_path = os.path.join(self._dir.name, "region.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        self.lines = []
        self._lines = queue.Queue()
        self.proc = subprocess.Popen([self.binary, "lb", "-c", self.config_path, *extra_args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.ports = []
        self.admin_port = None
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                continue
            m = re.search(r"listening on (\S+):(\d+)$", line.strip())
            if m:
                self.ports.append(int(m.group(2)))
            m = re.search(r"admin API on (\S+):(\d+)$", line.strip())
            if m:
                self.admin_port = int(m.group(2))
            if len(self.ports) == listeners and (self.admin_port or not admin):
                break
        if not self.ports:
            self.stop()
            raise RuntimeError("gslb lb did not start:\n" + "".join(self.lines))
        self.port = self.ports[0]

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)
            self._lines.put(line)

    def log(self):
        return "".join(self.lines)

    def reload(self, config_text, timeout=10.0):
        """Replaces region.yaml (atomically: write + rename) and sends SIGHUP;
        returns the log line that reports the outcome."""
        outcomes = ("reloaded ", "reload failed", "reload refused")
        before = sum(1 for l in self.lines if any(o in l for o in outcomes))
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(config_text)
        os.rename(tmp, self.config_path)
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [l for l in list(self.lines) if any(o in l for o in outcomes)]
            if len(done) > before:
                return done[-1]
            time.sleep(0.02)  # polling the process's log, bounded
        raise RuntimeError("no reload outcome in log:\n" + self.log())

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout=20.0):
        """SIGTERM, wait; returns the exit code (kills by PID if it hangs)."""
        self.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            self._dir.cleanup()


def admin(lb, method, path):
    """One request to `lb`'s admin API (started with an admin listener);
    returns (status, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", lb.admin_port, timeout=10)
    try:
        c.request(method, path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def backend_status(lb, address, pool="web"):
    """The /status entry of one backend of `pool` (lb started with an admin listener)."""
    backends = json.loads(admin(lb, "GET", "/status")[1])["pools"][pool]["backends"]
    return next(x for x in backends if x["address"] == address)


def wait_for(what, predicate, timeout=10.0, interval=0.02):
    """Polls predicate() until it is true; AssertionError naming `what` once
    `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)  # polling, bounded by the deadline
    raise AssertionError("timed out waiting for " + what)
