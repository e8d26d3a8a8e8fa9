"""The simulated internet hosts' services, run inside the internet namespace.

TCP 80 answers HTTP with the client's address as seen here; UDP 53 answers every datagram
with the same. That is how tests see which public address a packet arrived from.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INTERNET_HOSTS = ("198.51.100.10", "203.0.113.10")


class _SeenFrom(BaseHTTPRequestHandler):
    """Answers every GET with the client address the packet arrived from."""

    def do_GET(self) -> None:
        """Reply with the source address."""
        body = f"{self.client_address[0]}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


def _udp_answer(host: str, port: int) -> None:
    """Answer each UDP datagram with its source address, from the host's own address.

    One socket per host address: a wildcard-bound socket would answer from whichever address
    routing picks (the uplink's), which no NAT's connection tracking would match.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    while True:
        _, peer = sock.recvfrom(2048)
        sock.sendto(f"{peer[0]}\n".encode(), peer)


def main() -> None:
    """Serve TCP 80 and UDP 53 until killed."""
    for host in INTERNET_HOSTS:
        threading.Thread(target=_udp_answer, args=(host, 53), daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", 80), _SeenFrom)
    print("ready", flush=True)  # the parent waits for this line before using the hosts
    server.serve_forever()


if __name__ == "__main__":
    main()
