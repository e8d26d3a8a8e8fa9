"""The ASGI application: the EC2 endpoint at any path, plus vpclab's own /_vpclab/ endpoints."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from vpclab import __version__
from vpclab.api.dispatch import MAX_BODY, REST_JSON_SERVICES, Api, HttpResponse, caller_from_headers
from vpclab.server.auth import SIGNED_ACCOUNT, Verifier, authenticate

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Route = Callable[["App", Scope, bytes], HttpResponse]
HEALTH_PATH = "/_vpclab/health"
# Every route of vpclab's own (console, state export, snapshot import) lives under this prefix.
OWN_PREFIX = "/_vpclab/"
# The console's page, and the query parameter bringing its token under --auth strict (here, not
# in console_api, so that a starting server prints the console's URL without importing it).
CONSOLE_PATH = "/_vpclab/console"
TOKEN_PARAMETER = "token"


class App:
    """Routes HTTP requests to the API (POST) or to the health endpoint; nothing else."""

    def __init__(self, api: Api, state_location: str, verifier: Verifier | None = None) -> None:
        self.api = api
        self.verifier = verifier  # --auth strict: every request but health must be signed
        # --auth strict: a browser cannot sign, so the console's paths take this token instead.
        self.console_token = secrets.token_urlsafe(24) if verifier is not None else None
        self.state_location = state_location
        self.started = time.monotonic()
        self.extra_routes: dict[str, Route] = {}  # exact paths
        # Path prefixes (e.g. "/_vpclab/console/assets/"): the longest matching prefix answers.
        self.prefix_routes: dict[str, Route] = {}
        # Installers of routes under OWN_PREFIX, run before the first request for such a path
        # is routed: a starting server answers EC2 calls without importing the console's code.
        self.deferred_routes: list[Callable[[App], None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body, too_big = await self._read_body(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        account: str | None = None
        refusal: HttpResponse | None = None
        if path != HEALTH_PATH:  # health answers at once, before any route is installed
            if self.deferred_routes and path.startswith(OWN_PREFIX):
                self.install_deferred_routes()
            account, refusal = self._authenticate(scope, headers, body)
            if account is not None:
                scope[SIGNED_ACCOUNT] = account
        if too_big:
            response = self.api.handle(b"x" * (MAX_BODY + 1), headers)
        elif path == HEALTH_PATH:
            response = self.health()
        elif refusal is not None:
            response = refusal
        elif path in self.extra_routes:
            response = self.extra_routes[path](self, scope, body)
        elif (prefix_route := self._prefix_route(path)) is not None:
            response = prefix_route(self, scope, body)
        elif caller_from_headers(headers).service in REST_JSON_SERVICES:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            response = self.api.handle_http(scope["method"], path, query, headers, body, account)
        elif scope["method"] == "POST":
            # Called inline, not through run_in_executor: requests are serialised by the store
            # lock anyway, a handler takes well under a millisecond, and the thread hop cost
            # more than the work (bench/api.py, small calls).
            response = self.api.handle(body, headers, account)
        else:
            response = HttpResponse(
                404,
                json.dumps({"error": f"no such endpoint {path}; the EC2 API takes POST"}).encode(),
                {"Content-Type": "application/json"},
            )
        if self._token_in_query(scope, headers):
            from vpclab.server import console_api

            response.headers["Set-Cookie"] = console_api.token_cookie(str(self.console_token))
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                # An explicit length spares chunked encoding (one more write and read per call).
                "headers": [
                    *((k.encode(), v.encode()) for k, v in response.headers.items()),
                    (b"content-length", str(len(response.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})

    def _authenticate(
        self, scope: Scope, headers: dict[str, str], body: bytes
    ) -> tuple[str | None, HttpResponse | None]:
        """(verified account, refusal): SigV4 under --auth strict, or the console token."""
        if self.console_token is None or "authorization" in headers:
            return authenticate(self.verifier, scope, headers, body)
        from vpclab.server import console_api  # only --auth strict has a console token

        if not scope["path"].startswith(console_api.CONSOLE_PATHS):
            return authenticate(self.verifier, scope, headers, body)
        if console_api.token_matches(self.console_token, scope, headers):
            return None, None
        return None, console_api.token_refusal(scope["path"])

    def _token_in_query(self, scope: Scope, headers: dict[str, str]) -> bool:
        """Whether a console request brought a valid ?token= (answered with the token cookie)."""
        if self.console_token is None:
            return False
        from vpclab.server import console_api

        return (
            scope["path"].startswith(console_api.CONSOLE_PATHS)
            and TOKEN_PARAMETER in console_api.query_parameters(scope)
            and console_api.token_matches(self.console_token, scope, headers)
        )

    def install_deferred_routes(self) -> None:
        """Run the deferred route installers (once each, in the order they were deferred)."""
        while self.deferred_routes:
            self.deferred_routes.pop(0)(self)

    def _prefix_route(self, path: str) -> Route | None:
        """The handler registered for the longest prefix of this path, if any."""
        matching = [prefix for prefix in self.prefix_routes if path.startswith(prefix)]
        return self.prefix_routes[max(matching, key=len)] if matching else None

    async def _read_body(self, receive: Receive) -> tuple[bytes, bool]:
        """The request body, stopping (and saying so) once it exceeds the size limit."""
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            total += len(chunk)
            if total <= MAX_BODY:
                chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks), total > MAX_BODY

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Acknowledge start-up and shutdown; close the state file on the way out."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.api.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def health(self) -> HttpResponse:
        """GET /_vpclab/health: version, uptime and where the state lives."""
        body = {
            "status": "ok",
            "version": __version__,
            "uptime_seconds": round(time.monotonic() - self.started, 3),
            "state": self.state_location,
        }
        return HttpResponse(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
