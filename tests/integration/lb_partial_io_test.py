"""Requests and responses that arrive in pieces, several per connection,
through the real `gslb lb`.

On loopback a whole request or response usually arrives in one read, so the
proxy answers from its fast paths (no coroutine frame for the header parse or
the body piece). Here the client and a raw backend write every message in
several segments, paced a few milliseconds apart, so the proxy's suspending
paths run: read_header waiting for the rest of a header on both sides,
read_piece waiting for body bytes, chunk framing split across reads. Each
connection carries several requests, since the second request on a
connection runs with the state the first one left (pooled backend connection,
reused session buffers). The sanitizer build runs this under ASan/UBSan at
-O0; the assertions are on the bytes the client receives and the backend
sees, and on a clean exit status (an ASan report aborts the process).

The pauses only pace the writes: every assertion holds however the kernel
coalesces the segments.
"""

import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from lb_process import LbProcess  # noqa: E402
from testrun import run_tests  # noqa: E402

PACE = 0.005  # seconds between the segments of one message


def send_in_pieces(sock, data, cuts):
    """Writes data split at the given offsets, pacing the pieces."""
    start = 0
    for cut in list(cuts) + [len(data)]:
        if cut > start:
            sock.sendall(data[start:cut])
            time.sleep(PACE)  # pacing only (see the module docstring)
            start = cut


class Reader:
    """Reads HTTP/1.1 messages from a socket: header, then a body framed by
    Content-Length or chunked encoding (or none, for HEAD)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed with %r buffered" % self.buf[:200])
        self.buf += data

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def message(self, bodiless=False):
        """Returns (start line, {lower-case name: value}, body bytes)."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
        if bodiless:
            return lines[0], fields, b""
        if fields.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line() != b"":  # trailer section
                        pass
                    return lines[0], fields, body
                body += self._take(size)
                assert self._take(2) == b"\r\n"
        return lines[0], fields, self._take(int(fields.get("content-length", "0")))


class SplittingBackend:
    """A raw HTTP/1.1 backend on 127.0.0.1 that answers every request with a
    body naming the request (method, path, body bytes), written in pieces:
    the status line, the rest of the header, then the body in two parts.
    The framing rotates per request: Content-Length, chunked (a chunk header
    split from its data), Content-Length again."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.requests = []  # (connection number, method, path, body)
        self.connections = 0
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn, number):
        reader = Reader(conn)
        served = 0
        try:
            while True:
                try:
                    start, fields, body = reader.message()
                except EOFError:
                    return
                method, path, _ = start.split(" ")
                with self.lock:
                    self.requests.append((number, method, path, body))
                text = ("%s %s %d %s" % (method, path, len(body), body.decode())).encode()
                if method == "HEAD":
                    send_in_pieces(conn, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(text), [9])
                elif served % 3 == 1:
                    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    half = len(text) // 2
                    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, text[:half], len(text) - half, text[half:])
                    send_in_pieces(conn, head + chunks, [9, len(head), len(head) + 3, len(head) + 6])
                else:
                    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(text)
                    send_in_pieces(conn, head + text, [12, len(head), len(head) + 4])
                served += 1
        except OSError:
            return
        finally:
            conn.close()

    def close(self):
        self.listener.close()


def config(backend):
    return """server:
  workers: 1
  timeouts: { backend_connect: 2s, backend_response: 10s }
listeners:
  - address: "127.0.0.1:0"
pools:
  web:
    max_idle_per_backend: 4
    backends:
      - { address: "127.0.0.1:%d" }
""" % backend.port


# (request bytes, offsets to split it at, expected method, path, body)
def requests(i):
    get = b"GET /get/%d HTTP/1.1\r\nHost: test\r\nUser-Agent: partial\r\n\r\n" % i
    post = b"POST /post/%d HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world" % i
    chunked = (b"POST /chunked/%d HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" % i)
    head = b"HEAD /head/%d HTTP/1.1\r\nHost: test\r\n\r\n" % i
    return [
        (get, [3, 20, len(get) - 2], "GET", "/get/%d" % i, b""),
        (post, [10, post.index(b"\r\n\r\n") + 4, len(post) - 5], "POST", "/post/%d" % i, b"hello world"),
        (chunked, [chunked.index(b"\r\n\r\n") + 2, chunked.index(b"5\r\n") + 1, chunked.index(b"6\r\n") + 4],
         "POST", "/chunked/%d" % i, b"hello world"),
        (head, [5, len(head) - 1], "HEAD", "/head/%d" % i, b""),
    ]


def test_requests_and_responses_in_pieces_several_per_connection():
    backend = SplittingBackend()
    lb = LbProcess(config(backend))
    try:
        for round_ in range(2):
            client = socket.create_connection(("127.0.0.1", lb.port), timeout=10)
            reader = Reader(client)
            for i in range(3):
                for data, cuts, method, path, body in requests(round_ * 10 + i):
                    send_in_pieces(client, data, cuts)
                    status, fields, got = reader.message(bodiless=(method == "HEAD"))
                    assert status == "HTTP/1.1 200 OK", (method, path, status)
                    expected = ("%s %s %d %s" % (method, path, len(body), body.decode())).encode()
                    if method == "HEAD":
                        assert fields.get("content-length") == str(len(expected)), fields
                    else:
                        assert got == expected, (got, expected)
            client.close()
        with backend.lock:
            seen = [(m, p, b) for _, m, p, b in backend.requests]
            connections = backend.connections
        # Every request reached the backend once, whole, in order.
        want = [(m, p, b) for r in range(2) for i in range(3) for _, _, m, p, b in requests(r * 10 + i)]
        assert seen == want, seen
        # One client at a time: the proxy reused its backend connection
        # rather than opening one per request.
        assert connections < len(want) // 2, connections
        assert lb.stop() == 0, lb.log()
    finally:
        if lb.proc.poll() is None:
            lb.stop()
        backend.close()


def test_pipelined_requests_in_pieces_answered_in_order():
    backend = SplittingBackend()
    lb = LbProcess(config(backend))
    try:
        client = socket.create_connection(("127.0.0.1", lb.port), timeout=10)
        reader = Reader(client)
        batch = b"".join(b"GET /p/%d HTTP/1.1\r\nHost: test\r\n\r\n" % i for i in range(4))
        # Cut through the middle of the second and third requests' headers.
        send_in_pieces(client, batch, [7, len(batch) // 2, len(batch) - 9])
        for i in range(4):
            status, _, got = reader.message()
            assert status == "HTTP/1.1 200 OK", status
            assert got == b"GET /p/%d 0 " % i, got
        client.close()
        assert lb.stop() == 0, lb.log()
    finally:
        if lb.proc.poll() is None:
            lb.stop()
        backend.close()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
