"""`gslb check` on regional load balancer configs (region.yaml).

The same loader as `gslb lb` runs: a good file (with a TLS certificate made
at test time) exits 0 with a summary line; bad files exit 1 with exactly the
expected file:line:col diagnostics; YAML syntax errors and a missing
certificate are located; a file is recognised as an LB config by content (a
top-level `listeners`), or forced with --lb whatever its name; zones and an
LB config are checked in one run.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from tls_certs import make_ca  # noqa: E402
from testrun import run_tests  # noqa: E402

GSLB = os.path.abspath(os.environ.get("GSLB", "build/gslb"))
SOURCE = os.environ.get("GSLB_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

GOOD = """server: { workers: 1 }
listeners:
  - address: 127.0.0.1:8080
  - address: 127.0.0.1:8443
    tls: { certificates: [ { cert: site.pem, key: site.key } ] }
pools:
  web:
    backends: [ { address: 127.0.0.1:9001 } ]
routes:
  - { scheme: http, redirect: { scheme: https, status: 301 } }
  - { pool: web }
"""

BAD = """listeners:
  - address: 127.0.0.1:8080
pools:
  web:
    backends: [ { address: 127.0.0.1:9001, wieght: 2 } ]
routes:
  - { pool: api }
  - { redirect: { scheme: ftp } }
"""


def check(cwd, *args):
    return subprocess.run([GSLB, "check", *args], cwd=cwd, capture_output=True, text=True, timeout=30)


def diagnostics(stderr):
    return [l for l in stderr.splitlines() if ": error: " in l or ": warning: " in l]


def test_region_yaml_good_and_bad():
    d = tempfile.mkdtemp(prefix="gslb-lbcheck-")
    try:
        ca = make_ca(d)
        ca.issue("site", ["www.example.test"])
        with open(os.path.join(d, "region.yaml"), "w") as f:
            f.write(GOOD)
        r = check(d, "region.yaml")
        assert r.returncode == 0, r.stderr
        assert r.stdout == "region.yaml: lb config, 2 listeners (1 TLS), 1 pools, 2 routes, ok\n", r.stdout
        assert diagnostics(r.stderr) == [], r.stderr

        with open(os.path.join(d, "bad.yaml"), "w") as f:
            f.write(BAD)
        r = check(d, "bad.yaml")
        assert r.returncode == 1, r.stdout
        assert diagnostics(r.stderr) == [
            "bad.yaml:5:44: error: unknown key 'wieght' in pools.web.backends[0] (known keys: address, weight)",
            "bad.yaml:7:13: error: routes[0].pool: no pool named 'api'",
            "bad.yaml:8:27: error: routes[1].redirect.scheme: expected http or https, got 'ftp'",
        ], r.stderr
        assert r.stdout == "bad.yaml: 3 errors, not loadable\n", r.stdout
        # The same diagnostics as `gslb lb --check`.
        lb = subprocess.run([GSLB, "lb", "-c", "bad.yaml", "--check"], cwd=d, capture_output=True, text=True,
                            timeout=30)
        assert lb.returncode == 1 and diagnostics(lb.stderr) == diagnostics(r.stderr), lb.stderr

        # A missing certificate file: located at its `cert:` value.
        with open(os.path.join(d, "nocert.yaml"), "w") as f:
            f.write(GOOD.replace("site.pem", "gone.pem"))
        r = check(d, "nocert.yaml")
        assert r.returncode == 1
        diags = diagnostics(r.stderr)
        assert len(diags) == 1 and diags[0].startswith(
            "nocert.yaml:5:36: error: listeners[1].tls.certificates[0].cert: cannot read ") and diags[0].endswith(
            "gone.pem: No such file or directory"), r.stderr

        # Broken YAML in a *.yaml file: the LB loader locates it.
        with open(os.path.join(d, "broken.yaml"), "w") as f:
            f.write("listeners:\n  - address: [127.0.0.1:80\npools: {}\n")
        r = check(d, "broken.yaml")
        assert r.returncode == 1
        diags = diagnostics(r.stderr)
        assert len(diags) == 1 and diags[0].startswith("broken.yaml:3:"), r.stderr

        # --lb: any name; without it, such a file would be read as a zone file.
        shutil.copy(os.path.join(d, "bad.yaml"), os.path.join(d, "lb.conf"))
        r = check(d, "--lb", "lb.conf")
        assert r.returncode == 1 and len(diagnostics(r.stderr)) == 3, r.stderr
        assert diagnostics(r.stderr)[0].startswith("lb.conf:5:44: error: unknown key 'wieght'"), r.stderr

        # Zones and an LB config in one run.
        zones = os.path.join(SOURCE, "zones")
        r = check(d, zones, "region.yaml")
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert lines[-1] == "region.yaml: lb config, 2 listeners (1 TLS), 1 pools, 2 routes, ok", r.stdout
        assert any(l.startswith("example.com.: serial") for l in lines), r.stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
