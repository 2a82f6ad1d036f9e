"""TLS termination in `gslb lb`, with curl and `openssl s_client` as clients.

A test CA and three server certificates are made with the openssl CLI in a
temporary directory: `a` (a.example.test, www.a.example.test), `b`
(*.b.example.test) and later `a2` (the renewed `a`). Asserted:
  * SNI picks the certificate: exact name, wildcard, and the first one when
    the client sends no server name; curl verifies the chain and the name;
  * TLS 1.2-only and 1.3-only clients work; a TLS 1.1-only client is refused
    by the server; a listener with min_version "1.3" refuses TLS 1.2;
  * the backend sees X-Forwarded-Proto: https (http on the plain listener);
  * the HTTP→HTTPS redirect rule (scheme match + redirect scheme/port) keeps
    host, path and query;
  * SIGHUP re-reads the certificate files; a bad key is a reload failure with
    file:line:col and the old certificates keep serving;
  * a missing certificate file is a config error with file:line:col.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_backend import Backend  # noqa: E402
from lb_process import LbProcess  # noqa: E402
from tls_certs import make_ca  # noqa: E402
from testrun import run_tests  # noqa: E402

GSLB = os.environ.get("GSLB", "build/gslb")


def config(backend, pki, extra_routes=""):
    return """access_log: { path: access.log }
listeners:
  - address: 127.0.0.1:0
  - address: 127.0.0.2:0
    tls:
      certificates:
        - { cert: %(a)s, key: %(akey)s }
        - { cert: %(b)s, key: %(bkey)s }
      handshake_timeout: 2s
  - address: 127.0.0.3:0
    tls:
      certificates: [ { cert: %(a)s, key: %(akey)s } ]
      min_version: "1.3"
pools:
  web:
    backends:
      - { address: %(backend)s }
routes:
%(extra)s  - { scheme: http, path_prefix: /secure/, redirect: { scheme: https, port: 8443, status: 308 } }
  - { pool: web }
""" % {"a": pki["a"][0], "akey": pki["a"][1], "b": pki["b"][0], "bkey": pki["b"][1], "backend": backend.address,
       "extra": extra_routes}


def curl(url, port, host, ip, *args):
    """curl through --resolve so the URL's name (SNI, verification) is host."""
    return subprocess.run(["curl", "-sS", "--max-time", "10", "--resolve", "%s:%d:%s" % (host, port, ip),
                           "-D", "-", "-o", "/dev/null", *args, url], capture_output=True, text=True, timeout=20)


def s_client(port, ip, *args):
    r = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (ip, port), *args],
                       input="", capture_output=True, text=True, timeout=20)
    out = r.stdout + r.stderr
    subject = re.search(r"^subject=(.*)$", out, re.M)
    # "New, TLSv1.3, Cipher is ..." is printed right after the handshake (the
    # SSL-Session block may be missing when a TLS 1.3 ticket has not arrived).
    protocol = re.search(r"^New, (TLSv[\d.]+), Cipher is", out, re.M)
    return r.returncode, subject.group(1).strip() if subject else None, protocol.group(1) if protocol else None, out


class Setup:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="gslb-tls-")
        self.ca = make_ca(self.dir)
        self.pki = {
            "a": self.ca.issue("a", ["a.example.test", "www.a.example.test"]),
            "b": self.ca.issue("b", ["*.b.example.test"], cn="b wildcard"),
        }
        self.backend = Backend("web").start()
        self.lb = LbProcess(config(self.backend, self.pki), listeners=3)
        self.plain, self.tls, self.tls13 = self.lb.ports

    def close(self):
        try:
            assert self.lb.stop() == 0
        finally:
            self.backend.stop()
            shutil.rmtree(self.dir, ignore_errors=True)


def test_sni_versions_headers_redirect_reload():
    s = Setup()
    try:
        ca = s.ca.cert
        # SNI: exact name → a; wildcard → b; verified by curl against the CA.
        r = curl("https://www.a.example.test:%d/x" % s.tls, s.tls, "www.a.example.test", "127.0.0.2", "--cacert", ca)
        assert r.returncode == 0 and " 200" in r.stdout.splitlines()[0], r.stdout + r.stderr
        assert "x-backend-id: web" in r.stdout.lower()
        r = curl("https://deep.b.example.test:%d/" % s.tls, s.tls, "deep.b.example.test", "127.0.0.2", "--cacert", ca)
        assert r.returncode == 0 and " 200" in r.stdout.splitlines()[0], r.stdout + r.stderr
        # A name neither certificate has: the default (a) is served, so curl's check fails.
        r = curl("https://other.example.test:%d/" % s.tls, s.tls, "other.example.test", "127.0.0.2", "--cacert", ca)
        assert r.returncode == 60, (r.returncode, r.stderr)  # CURLE_PEER_FAILED_VERIFICATION

        code, subject, _, out = s_client(s.tls, "127.0.0.2", "-servername", "x.b.example.test", "-CAfile", ca)
        assert subject and "b wildcard" in subject, out
        code, subject, _, out = s_client(s.tls, "127.0.0.2", "-servername", "A.EXAMPLE.TEST", "-CAfile", ca)
        assert subject and "CN = a.example.test" in subject, out
        code, subject, _, out = s_client(s.tls, "127.0.0.2", "-noservername", "-CAfile", ca)
        assert subject and "CN = a.example.test" in subject, out
        # *.b.example.test covers one label only: a.x.b.example.test gets the default.
        code, subject, _, out = s_client(s.tls, "127.0.0.2", "-servername", "a.x.b.example.test")
        assert subject and "CN = a.example.test" in subject, out

        # Versions: 1.2-only and 1.3-only clients work.
        for flags, want in ((["--tlsv1.2", "--tls-max", "1.2"], "TLSv1.2"), (["--tlsv1.3"], "TLSv1.3")):
            r = curl("https://a.example.test:%d/" % s.tls, s.tls, "a.example.test", "127.0.0.2", "--cacert", ca,
                     "-w", "%{ssl_version}", *flags)
            assert r.returncode == 0 and " 200" in r.stdout.splitlines()[0], (flags, r.stdout, r.stderr)
        for flag, want in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
            code, subject, protocol, out = s_client(s.tls, "127.0.0.2", flag, "-servername", "a.example.test")
            assert protocol == want, out
        # TLS 1.1 only (the client allowed to offer it: SECLEVEL=0): the server refuses.
        code, subject, protocol, out = s_client(s.tls, "127.0.0.2", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0",
                                                "-servername", "a.example.test")
        assert code != 0 and subject is None, out
        assert "no protocols available" not in out, out  # refused by the server, not by our client
        # The same client parameters with TLS 1.2 succeed (so it was the version).
        code, subject, protocol, out = s_client(s.tls, "127.0.0.2", "-tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0",
                                                "-servername", "a.example.test")
        assert code == 0 and protocol == "TLSv1.2", out
        # min_version "1.3": 1.2 refused, 1.3 fine.
        r = curl("https://a.example.test:%d/" % s.tls13, s.tls13, "a.example.test", "127.0.0.3", "--cacert", ca,
                 "--tlsv1.2", "--tls-max", "1.2")
        assert r.returncode != 0, r.stdout
        r = curl("https://a.example.test:%d/" % s.tls13, s.tls13, "a.example.test", "127.0.0.3", "--cacert", ca,
                 "--tlsv1.3")
        assert r.returncode == 0 and " 200" in r.stdout.splitlines()[0], r.stdout + r.stderr

        # X-Forwarded-Proto: https over TLS, http on the plain listener.
        s.backend.reset()
        r = curl("https://a.example.test:%d/proto" % s.tls, s.tls, "a.example.test", "127.0.0.2", "--cacert", ca)
        assert r.returncode == 0, r.stderr
        r = curl("http://a.example.test:%d/proto" % s.plain, s.plain, "a.example.test", "127.0.0.1")
        assert r.returncode == 0, r.stderr
        protos = [q["headers"].get("X-Forwarded-Proto") for q in s.backend.requests]
        assert protos == ["https", "http"], protos
        assert s.backend.requests[0]["headers"].get("X-Forwarded-Host") == "a.example.test:%d" % s.tls

        # Bodies stream through TLS both ways (3 MB down, 5 MB up, chunked up).
        r = curl("https://a.example.test:%d/?size=3000000" % s.tls, s.tls, "a.example.test", "127.0.0.2", "--cacert",
                 ca, "-w", "\nsize=%{size_download}")
        assert r.returncode == 0 and r.stdout.splitlines()[-1] == "size=3000000", r.stdout + r.stderr
        up = os.path.join(s.dir, "up.bin")
        with open(up, "wb") as f:
            f.write(os.urandom(5000000))
        s.backend.reset()
        for extra in ([], ["-H", "Transfer-Encoding: chunked"]):
            r = curl("https://a.example.test:%d/upload" % s.tls, s.tls, "a.example.test", "127.0.0.2", "--cacert", ca,
                     "--data-binary", "@" + up, *extra)
            # curl sends Expect: 100-continue for a large body: 100 first, then 200.
            assert r.returncode == 0 and "HTTP/1.1 200 OK" in r.stdout, r.stdout + r.stderr
        assert [q["body_length"] for q in s.backend.requests] == [5000000, 5000000], s.backend.requests

        # HTTP → HTTPS redirect on the plain listener only; host, path, query kept.
        r = curl("http://a.example.test:%d/secure/p?q=1&r=2" % s.plain, s.plain, "a.example.test", "127.0.0.1")
        assert " 308" in r.stdout.splitlines()[0], r.stdout
        assert "location: https://a.example.test:8443/secure/p?q=1&r=2" in r.stdout.lower(), r.stdout
        r = curl("https://a.example.test:%d/secure/p" % s.tls, s.tls, "a.example.test", "127.0.0.2", "--cacert", ca)
        assert " 200" in r.stdout.splitlines()[0], r.stdout  # over TLS the rule does not match

        # The access log tells TLS requests apart.
        log_path = os.path.join(os.path.dirname(s.lb.config_path), "access.log")
        want = {("/secure/p?q=1&r=2", 308, False), ("/secure/p", 200, True), ("/proto", 200, True),
                ("/proto", 200, False)}
        deadline = time.monotonic() + 10
        got = set()
        while time.monotonic() < deadline and not want <= got:
            time.sleep(0.05)  # the log is written in batches; polling, bounded
            with open(log_path) as f:
                got = {(e["target"], e["status"], e["tls"]) for e in map(json.loads, f.read().splitlines())}
        assert want <= got, got

        # SIGHUP re-reads certificates: renew a in place.
        cert2, key2 = s.ca.issue("a2", ["a.example.test", "www.a.example.test"], cn="a renewed")
        shutil.copy(cert2, s.pki["a"][0])
        shutil.copy(key2, s.pki["a"][1])
        assert "reloaded" in s.lb.reload(config(s.backend, s.pki))
        code, subject, _, out = s_client(s.tls, "127.0.0.2", "-servername", "a.example.test", "-CAfile", ca)
        assert subject and "a renewed" in subject, out
        r = curl("https://a.example.test:%d/" % s.tls, s.tls, "a.example.test", "127.0.0.2", "--cacert", ca)
        assert r.returncode == 0, r.stderr

        # A bad key on reload: refused with file:line:col, the old certificates still serve.
        with open(s.pki["b"][1], "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
        outcome = s.lb.reload(config(s.backend, s.pki))
        assert "reload failed" in outcome, outcome
        assert re.search(r"region\.yaml:8:\d+: error: listeners\[1\]\.tls\.certificates\[1\]\.key: .*b\.key: "
                         r"not a PEM private key", s.lb.log()), s.lb.log()
        code, subject, _, out = s_client(s.tls, "127.0.0.2", "-servername", "x.b.example.test", "-CAfile", ca)
        assert subject and "b wildcard" in subject, out
    finally:
        s.close()


def test_handshake_deadline():
    s = Setup()
    try:
        import socket
        c = socket.create_connection(("127.0.0.2", s.tls), timeout=10)
        start = time.monotonic()
        c.sendall(b"\x16\x03\x01")  # the start of a ClientHello, then nothing
        data = c.recv(100)  # the server closes at handshake_timeout (2s)
        elapsed = time.monotonic() - start
        assert data == b"" or data[:1] == b"\x15", data  # closed, or an alert then close
        assert 1.5 < elapsed < 8, elapsed
        c.close()
    finally:
        s.close()


def test_close_notify_ends_the_connection():
    """A response ending with the connection ends with a TLS close_notify, so
    a strict client (no ragged EOFs allowed) reads a clean end of stream."""
    import socket
    import ssl
    s = Setup()
    try:
        ctx = ssl.create_default_context(cafile=s.ca.cert)
        raw = socket.create_connection(("127.0.0.2", s.tls), timeout=10)
        c = ctx.wrap_socket(raw, server_hostname="a.example.test", suppress_ragged_eofs=False)
        c.sendall(b"GET /ping HTTP/1.0\r\nHost: a.example.test\r\n\r\n")
        data = b""
        while True:
            piece = c.recv(65536)  # raises SSLEOFError on a TCP close without close_notify
            if not piece:
                break
            data += piece
        assert data.startswith(b"HTTP/1.1 200") and b"x-backend-id: web" in data.lower(), data
        c.close()
    finally:
        s.close()


def test_bad_certificate_paths_are_config_errors():
    d = tempfile.mkdtemp(prefix="gslb-tls-bad-")
    try:
        ca = make_ca(d)
        cert, key = ca.issue("a", ["a.example.test"])
        other_cert, other_key = ca.issue("o", ["o.example.test"])
        path = os.path.join(d, "region.yaml")
        cases = [
            ("{ cert: missing.pem, key: a.key }",
             r"region\.yaml:5:19: error: listeners\[0\]\.tls\.certificates\[0\]\.cert: cannot read .*/missing\.pem: "
             r"No such file or directory"),
            ("{ cert: a.pem, key: o.key }",
             r"region\.yaml:5:31: error: listeners\[0\]\.tls\.certificates\[0\]\.key: .*/o\.key: does not match the "
             r"certificate"),
            ("{ cert: a.key, key: a.key }",
             r"region\.yaml:5:19: error: listeners\[0\]\.tls\.certificates\[0\]\.cert: .*/a\.key: not a PEM "
             r"certificate"),
        ]
        for pair, want in cases:
            with open(path, "w") as f:
                f.write("listeners:\n  - address: 127.0.0.1:0\n    tls:\n      certificates:\n        - %s\n"
                        "pools:\n  web:\n    backends: [ { address: 127.0.0.1:1 } ]\n" % pair)
            r = subprocess.run([GSLB, "lb", "-c", path, "--check"], capture_output=True, text=True, timeout=20)
            assert r.returncode == 1, (pair, r.stderr)
            assert re.search(want, r.stderr), (pair, r.stderr)
            # Starting fails the same way, before listening.
            r = subprocess.run([GSLB, "lb", "-c", path], capture_output=True, text=True, timeout=20)
            assert r.returncode == 1 and re.search(want, r.stderr), (pair, r.stderr)
        # The good pair, relative to the config's folder, passes.
        with open(path, "w") as f:
            f.write("listeners:\n  - address: 127.0.0.1:0\n    tls:\n      certificates:\n"
                    "        - { cert: a.pem, key: a.key }\npools:\n  web:\n    backends: [ { address: 127.0.0.1:1 } ]\n")
        r = subprocess.run([GSLB, "lb", "-c", path, "--check"], capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, r.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
