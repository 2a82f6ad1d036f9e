"""`gslb lb` state file: operator settings made through the admin API (drain,
weight) and active-check states survive a restart, checked through the admin
API and through where real requests go; a state file that cannot be used
stops the start with a message naming it.
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
import lb_process  # noqa: E402
from lb_process import LbProcess, admin  # noqa: E402
from testrun import run_tests  # noqa: E402


def config(backends, state_line="", check="interval: 1s, timeout: 500ms, rise: 2, fall: 1"):
    members = "\n".join("      - { address: %s }" % b.address for b in backends)
    return """server:
  workers: 2
admin: { address: "127.0.0.1:0" }
%s
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    balancer: weighted_round_robin
    check: { %s }
    passive: { failures: 0 }
    backends:
%s
""" % (state_line, check, members)


def backends_status(lb):
    return {x["address"]: x for x in json.loads(admin(lb, "GET", "/status")[1])["pools"]["web"]["backends"]}


def wait_for(what, predicate):
    lb_process.wait_for(what, predicate, timeout=15.0, interval=0.05)


def served_by(lb, n):
    # One keep-alive connection: one worker, one smooth-WRR sequence, so the
    # split is exact.
    conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=10)
    ids = []
    for _ in range(n):
        conn.request("GET", "/")
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        ids.append(r.getheader("X-Backend-Id"))
    conn.close()
    return {i: ids.count(i) for i in set(ids)}


def test_drain_weight_and_health_survive_a_restart():
    a, b, c, d = (Backend(x).start() for x in "abcd")
    tmp = tempfile.TemporaryDirectory(prefix="gslb-lb-state-")
    state = os.path.join(tmp.name, "lb.db")
    d_port = d.port
    d.stop()  # dead: the first run's check marks it down, and that is stored
    lb = LbProcess(config([a, b, c, d], "state: %s" % state), admin=True)
    try:
        wait_for("d down", lambda: backends_status(lb)[d.address]["state"] == "down")
        assert admin(lb, "POST", "/pools/web/backends/%s/drain" % a.address)[0] == 200
        status, body = admin(lb, "POST", "/pools/web/backends/%s/weight?value=3" % b.address)
        assert status == 200, body
        assert served_by(lb, 40) == {"b": 30, "c": 10}
    finally:
        assert lb.stop() == 0
    assert os.path.exists(state)

    # d is alive again before the restart, but it was down: it must stay out
    # until it passes `rise` (2) probes, one interval (1 s ± 10 %) apart.
    d = Backend("d", port=d_port).start()
    lb = LbProcess(config([a, b, c, d]), extra_args=["--state", state], admin=True)
    try:
        started = time.monotonic()
        status = backends_status(lb)
        assert status[a.address]["state"] == "draining", status
        assert status[b.address]["weight"] == 3, status
        assert status[c.address]["state"] == "up" and status[c.address]["weight"] == 1, status
        assert status[d.address]["state"] == "down", status
        assert status[d.address]["check"]["state"] == "down", status
        assert "starts down (state file" in lb.log(), lb.log()
        before = d.count()
        assert served_by(lb, 20) == {"b": 15, "c": 5}
        assert d.count() - before <= 2  # probes only, no traffic
        wait_for("d up", lambda: backends_status(lb)[d.address]["state"] == "up")
        check = backends_status(lb)[d.address]["check"]
        assert check["state"] == "up" and check["detail"] == "HTTP 200" and 0 < check["rtt_us"] < 1000000, check
        # Two probes, the first after U[0, 100 ms], the second about 1 s later.
        assert time.monotonic() - started >= 0.8
        probes = [q for q in list(d.requests) if q["path"] == "/health"]
        assert probes and probes[-1]["headers"]["User-Agent"] == "gslb-lb-check"
        assert served_by(lb, 50) == {"b": 30, "c": 10, "d": 10}

        # A reload (new pools from region.yaml) keeps the operator's settings,
        # and the check states: d stays up, nothing flaps.
        outcome = lb.reload(config([a, b, c, d]))
        assert "reloaded" in outcome, outcome
        status = backends_status(lb)
        assert [(status[x.address]["state"], status[x.address]["weight"]) for x in (a, b, c, d)] == \
            [("draining", 1), ("up", 3), ("up", 1), ("up", 1)], status
        assert served_by(lb, 50) == {"b": 30, "c": 10, "d": 10}

        # Lifting the settings is stored too.
        assert admin(lb, "POST", "/pools/web/backends/%s/enable" % a.address)[0] == 200
        assert admin(lb, "POST", "/pools/web/backends/%s/weight?value=config" % b.address)[0] == 200
    finally:
        assert lb.stop() == 0
    lb = LbProcess(config([a, b, c, d], "state: %s" % state), admin=True)
    try:
        status = backends_status(lb)
        assert [(status[x.address]["state"], status[x.address]["weight"]) for x in (a, b, c, d)] == \
            [("up", 1)] * 4, status
    finally:
        assert lb.stop() == 0
        for x in (a, b, c, d):
            x.stop()
        tmp.cleanup()


def start_fails(config_text, *extra):
    with tempfile.TemporaryDirectory(prefix="gslb-lb-state-") as tmp:
        path = os.path.join(tmp, "region.yaml")
        with open(path, "w") as f:
            f.write(config_text)
        proc = subprocess.run([os.environ.get("GSLB", "build/gslb"), "lb", "-c", path, *extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=20)
        return proc.returncode, proc.stderr


def test_unusable_state_file_is_a_clear_error():
    a = Backend("a").start()
    tmp = tempfile.TemporaryDirectory(prefix="gslb-lb-state-")
    try:
        corrupt = os.path.join(tmp.name, "corrupt.db")
        with open(corrupt, "wb") as f:
            f.write(b"not an SQLite database at all, just text that is long enough to fill a header" * 4)
        code, err = start_fails(config([a], "state: %s" % corrupt))
        assert code == 1 and "gslb lb: state file %s: " % corrupt in err and "not a database" in err, err
        with open(corrupt, "rb") as f:
            assert f.read().startswith(b"not an SQLite")  # left as it was

        missing_dir = os.path.join(tmp.name, "no-such-dir", "lb.db")
        code, err = start_fails(config([a]), "--state", missing_dir)
        assert code == 1 and "gslb lb: state file %s: cannot open" % missing_dir in err, err

        code, err = start_fails(config([a]), "--state", tmp.name)  # a directory
        assert code == 1 and "gslb lb: state file %s: " % tmp.name in err, err
    finally:
        a.stop()
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
