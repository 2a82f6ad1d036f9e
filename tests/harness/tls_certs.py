"""A throw-away PKI for TLS tests, made with the `openssl` CLI at test time.

make_ca(dir) creates a CA; ca.issue(name, sans, cn) an EC server certificate
signed by it with the given subjectAltName DNS entries. Files live in dir;
nothing is checked in, nothing outlives the test's temporary directory.
"""

import os
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


class TestCa:
    def __init__(self, directory):
        self.dir = directory
        self.cert = os.path.join(directory, "ca.pem")
        key = os.path.join(directory, "ca.key")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", key, "-out", self.cert, "-subj", "/CN=gslb test CA", "-days", "2", cwd=directory)
        self._key = key

    def issue(self, name, sans, cn=None):
        """Returns (cert_path, key_path) for a certificate named `name`."""
        cert = os.path.join(self.dir, name + ".pem")
        key = os.path.join(self.dir, name + ".key")
        csr = os.path.join(self.dir, name + ".csr")
        ext = os.path.join(self.dir, name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=" + ",".join("DNS:" + s for s in sans) + "\n")
            f.write("extendedKeyUsage=serverAuth\n")
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", key, "-out", csr, "-subj", "/CN=" + (cn or sans[0]), cwd=self.dir)
        _openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self._key, "-CAcreateserial",
                 "-days", "2", "-extfile", ext, "-out", cert, cwd=self.dir)
        return cert, key


def make_ca(directory):
    return TestCa(directory)
