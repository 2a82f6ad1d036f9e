"""Fake HTTP backends for `gslb lb` tests.

A Backend is a real HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel)
running in a thread of the test process. Every response carries
`X-Backend-Id: <id>` so a test can tell which backend served a request
(HAProxy's vtc habit). Behaviour is programmable per request through the query
string or per backend through attributes:

  ?status=503        answer with that status
  ?delay=1.5         sleep that many seconds before answering
  ?size=N            answer with an N-byte body (streamed in 64 KiB pieces)
  backend.status / backend.delay      the same for every request

Backend(id, port=p) binds a given port, to bring a stopped backend back.

Each request is recorded (method, path, headers, body length) in
backend.requests, and the connection it arrived on in backend.connections,
so tests can assert what was forwarded and whether keep-alive was used.
backend.open_connections counts connections the client has not closed yet.

Run as a script (`python3 lb_backend.py ID [PORT]`) it serves in its own
process and prints "port N" once listening, so a test can kill -9 it.
"""

import http.server
import json
import threading
import time
import urllib.parse


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client says close
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall

    def log_message(self, fmt, *args):  # quiet
        pass

    def _body_length(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            total = 0
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return total
                remaining = size
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        return total
                    remaining -= len(chunk)
                    total += len(chunk)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or 0)
        remaining = length
        while remaining:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                break
            remaining -= len(chunk)
        return length - remaining

    def _handle(self):
        backend = self.server.backend
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body_length = self._body_length()
        with backend.lock:
            backend.requests.append({
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers.items()),
                "header_list": list(self.headers.items()),
                "body_length": body_length,
                "connection": id(self.connection),
            })
            backend.connections.add(id(self.connection))
        delay = float(query.get("delay", backend.delay))
        if delay:
            time.sleep(delay)
        status = int(query.get("status", backend.status))
        size = int(query.get("size", "-1"))
        if size >= 0:
            self.send_response(status)
            self.send_header("X-Backend-Id", backend.id)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command != "HEAD":
                piece = b"x" * 65536
                left = size
                while left:
                    n = min(left, len(piece))
                    self.wfile.write(piece[:n])
                    left -= n
            return
        payload = json.dumps({
            "id": backend.id,
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers.items()),
            "body_length": body_length,
        }).encode()
        self.send_response(status)
        self.send_header("X-Backend-Id", backend.id)
        self.send_header("Server", "fake-backend")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        # Header and body in one write, as real servers do for small
        # answers: a backend killed mid-response leaves nothing half-sent.
        self._headers_buffer.append(b"\r\n" + (payload if self.command != "HEAD" else b""))
        self.flush_headers()

    def setup(self):
        super().setup()
        with self.server.backend.lock:
            self.server.backend.open_connections += 1

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.backend.lock:
                self.server.backend.open_connections -= 1

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            # The proxy gave up on us (a 504 test): not an error of the backend.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _handle


class Backend:
    def __init__(self, backend_id, status=200, delay=0.0, port=0):
        self.id = backend_id
        self.status = status
        self.delay = delay
        self.requests = []
        self.connections = set()
        self.open_connections = 0
        self.lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.backend = self
        self.port = self._server.server_address[1]
        self.address = "127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def count(self):
        with self.lock:
            return len(self.requests)

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.connections.clear()


if __name__ == "__main__":
    import sys
    server = Backend(sys.argv[1], port=int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print("port %d" % server.port, flush=True)
    server._server.serve_forever()
