"""The simulated internet hosts' services, run inside the internet namespace.

TCP 80 answers HTTP with the client's address as seen here; UDP 53 answers every datagram
with the same. That is how tests see which public address a packet arrived from.
"""

from __future__ import annotations

import socket
import socketserver
import sys
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


class _Server(ThreadingHTTPServer):
    """An HTTP server that never asks a resolver for its own name.

    HTTPServer.server_bind calls socket.getfqdn, a reverse DNS lookup: inside a namespace no
    resolver is reachable and the lookup waits for its timeouts (about 10 s) before serving.
    """

    def server_bind(self) -> None:
        """Bind without the name lookup."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "vpclab", self.server_address[1]

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that reset its connection (a probe that gave up) is not worth a traceback."""


def _udp_socket(host: str, port: int) -> socket.socket:
    """A UDP socket bound to one host address.

    One socket per host address: a wildcard-bound socket would answer from whichever address
    routing picks (the uplink's), which no NAT's connection tracking would match.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def _udp_answer(sock: socket.socket) -> None:
    """Answer each UDP datagram with its source address."""
    while True:
        _, peer = sock.recvfrom(2048)
        sock.sendto(f"{peer[0]}\n".encode(), peer)


def main() -> None:
    """Serve HTTP (TCP 80) and UDP 53 until killed, on the given addresses (default: the hosts).

    `--http-port N` serves HTTP on N instead: real mode answers on a database's or cache's
    port in its service namespace; tests also run it inside instances.
    """
    arguments = sys.argv[1:]
    http_port = 80
    if arguments[:1] == ["--http-port"]:
        http_port, arguments = int(arguments[1]), arguments[2:]
    for host in arguments or INTERNET_HOSTS:
        sock = _udp_socket(host, 53)  # bound before "ready"
        threading.Thread(target=_udp_answer, args=(sock,), daemon=True).start()
    server = _Server(("0.0.0.0", http_port), _SeenFrom)
    print("ready", flush=True)  # the parent waits for this line before using the hosts
    server.serve_forever()


if __name__ == "__main__":
    main()
