#!/usr/bin/env python3
"""Small HTTP/1.1 helpers for bench/http (loopback only, standard library only).

  httpclient.py free-ports N            N free TCP ports on 127.0.0.1, one per line
  httpclient.py wait PORT [SECONDS]     poll GET http://127.0.0.1:PORT/ until it answers 200
                                        (every 50 ms, default 10 s); exit 1 on timeout
  httpclient.py sample PORT [N]         N (default 6) GETs, prints the bodies on one line
  httpclient.py load PORT --requests N [--conns C] [--seconds S]
                                        exactly N keep-alive GETs over C connections
                                        (default 16), bounded by S seconds (default 120);
                                        prints "requests=.. ok=.. non2xx=.. errors=.. seconds=.."
                                        where errors are failed connects, resets and
                                        truncated responses. Used by profile.sh, where a
                                        fixed request count makes instruction counts repeat.
"""
import selectors
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: httpclient\r\nAccept: */*\r\n\r\n"


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    for s in socks:
        print(s.getsockname()[1])
        s.close()


def get(port, timeout=0.5):
    """One GET on a fresh connection: (status, body) or (None, b'')."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body
    except (OSError, ValueError, IndexError):
        return None, b""


def wait(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if get(port)[0] == 200:
            return 0
        time.sleep(0.05)
    print(f"127.0.0.1:{port} did not answer 200 within {seconds} s", file=sys.stderr)
    return 1


class Conn:
    """One keep-alive client connection with at most one request in flight."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def response(self):
        """A complete response at the front of buf: (status, keep_alive) and consume it; else None."""
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buf[:end].decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        length = 0
        keep = True
        for line in head[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
        if len(self.buf) < end + 4 + length:
            return None
        self.buf = self.buf[end + 4 + length:]
        return status, keep


def load(port, requests, conns, seconds):
    sel = selectors.DefaultSelector()
    sent = ok = non2xx = errors = 0
    start = time.monotonic()
    deadline = start + seconds

    def open_one():
        nonlocal sent, errors
        while sent < requests:
            try:
                c = Conn(port)
                c.sock.sendall(REQUEST)
                sent += 1
                sel.register(c.sock, selectors.EVENT_READ, c)
                return
            except OSError:
                errors += 1
                if time.monotonic() > deadline:
                    return

    for _ in range(min(conns, requests)):
        open_one()
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.data
            try:
                d = c.sock.recv(65536)
            except OSError:
                d = None
            if not d:
                # Reset or closed with a request outstanding: counted, and replaced.
                errors += 1
                sel.unregister(c.sock)
                c.sock.close()
                open_one()
                continue
            c.buf += d
            r = c.response()
            if r is None:
                continue
            status, keep = r
            if 200 <= status < 300:
                ok += 1
            else:
                non2xx += 1
            if sent >= requests or not keep:
                sel.unregister(c.sock)
                c.sock.close()
                if sent < requests:
                    open_one()
                continue
            try:
                c.sock.sendall(REQUEST)
                sent += 1
            except OSError:
                errors += 1
                sel.unregister(c.sock)
                c.sock.close()
                open_one()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    print(f"requests={sent} ok={ok} non2xx={non2xx} errors={errors} seconds={time.monotonic() - start:.2f}")
    return 0 if ok == requests else 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "free-ports":
        free_ports(int(argv[1]))
        return 0
    if len(argv) >= 2 and argv[0] == "wait":
        return wait(int(argv[1]), float(argv[2]) if len(argv) > 2 else 10.0)
    if len(argv) >= 2 and argv[0] == "sample":
        n = int(argv[2]) if len(argv) > 2 else 6
        print(" ".join(get(int(argv[1]), 2)[1].decode(errors="replace").strip() or "-" for _ in range(n)))
        return 0
    if len(argv) >= 2 and argv[0] == "load":
        opts = {"--requests": 1000, "--conns": 16, "--seconds": 120}
        rest = argv[2:]
        for i in range(0, len(rest) - 1, 2):
            if rest[i] not in opts:
                break
            opts[rest[i]] = int(rest[i + 1])
        return load(int(argv[1]), opts["--requests"], opts["--conns"], opts["--seconds"])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
