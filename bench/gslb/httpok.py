#!/usr/bin/env python3
"""Health-check target for the GSLB benchmark: answers every HTTP GET with
200 "ok" on each given loopback address, all on one port (the servers probe
the answer addresses themselves: PowerDNS ifurlup, gdnsd http_status, gslb's
http check).

usage: httpok.py PORTFILE ADDRESS...
  Picks a port free on every ADDRESS (127.x.y.z only), writes it to PORTFILE
  once all listeners are up, and serves until killed (SIGTERM).
"""
import http.server
import os
import socket
import socketserver
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    port_file, addresses = sys.argv[1], sys.argv[2:]
    for a in addresses:
        if not a.startswith("127."):
            sys.exit(f"httpok.py: {a}: loopback addresses only")
    for _ in range(50):
        servers = []
        try:
            first = Server((addresses[0], 0), Handler)
            servers.append(first)
            port = first.server_address[1]
            for a in addresses[1:]:
                servers.append(Server((a, port), Handler))
        except OSError:
            for s in servers:
                s.server_close()
            continue
        break
    else:
        sys.exit("httpok.py: no port free on every address")
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
