#!/usr/bin/env python3
"""Small helpers for run.sh that need sockets.

usage: dnsprobe.py free-port
           print a port that is free for both UDP and TCP on 127.0.0.1
       dnsprobe.py wait-soa PORT SECONDS [ZONE]
           poll 127.0.0.1:PORT every 10 ms with "ZONE SOA" (default example.test)
           until an answer with RCODE NOERROR and ANCOUNT > 0 arrives; print
           the seconds waited; exit 1 if none arrived within SECONDS
"""
import os
import socket
import struct
import sys
import time


def free_port():
    # Bind UDP to an ephemeral port, then check TCP on the same number; the
    # servers listen on both. Retries cover the rare TCP collision.
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port
    raise SystemExit("no free port found")


def soa_query(qid, zone):
    qname = b"".join(bytes([len(label)]) + label.encode() for label in zone.strip(".").split("."))
    # RFC 1035 4.1.1 header: RD=0, one question; QTYPE SOA (6), QCLASS IN (1)
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + qname + b"\0" + struct.pack(">HH", 6, 1)


def wait_soa(port, seconds, zone):
    start = time.monotonic()
    deadline = start + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.01)
        while time.monotonic() < deadline:
            qid = int.from_bytes(os.urandom(2), "big")
            try:
                s.sendto(soa_query(qid, zone), ("127.0.0.1", port))
                while True:
                    reply = s.recv(4096)
                    rid, flags, _, ancount = struct.unpack(">HHHH", reply[:8])
                    if rid == qid:
                        break
                if flags & 0x8000 and flags & 0xF == 0 and ancount > 0:
                    print(f"{time.monotonic() - start:.3f}")
                    return 0
            except OSError:
                pass  # timeout or ICMP port unreachable: server not listening yet
            time.sleep(0.01)
    return 1


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "free-port":
        print(free_port())
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "wait-soa":
        zone = sys.argv[4] if len(sys.argv) > 4 else "example.test"
        return wait_soa(int(sys.argv[2]), float(sys.argv[3]), zone)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
