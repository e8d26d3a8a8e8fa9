"""GET /_vpclab/api/{partitions,version,topology,resource,trace,exposure}: the console's JSON.

Every answer is built by the same code as the EC2 API (Describe handlers, presenters) and the CLI
(trace and exposure engines, `api.analysis_json`), on a snapshot of the store taken under its
lock; the lock is never held while rendering or tracing. Bad input is a 400 or 404 with
{"error": {"code", "message"}}, never a 500.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from vpclab.api.console_views import (
    LiveVersions,
    Snapshot,
    clock_states,
    partitions,
    resource,
    topology,
)
from vpclab.api.dispatch import HttpResponse
from vpclab.control.lookup import missing
from vpclab.model.base import kind_of_id
from vpclab.model.errors import DomainError
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION, is_region
from vpclab.network import CompiledWorlds, UsageError, trace_view
from vpclab.network import endpoint_spec as endpoint_spec  # the CLI's SRC/DST reading
from vpclab.server.app import CONSOLE_PATH as CONSOLE_PATH  # re-exported
from vpclab.server.app import TOKEN_PARAMETER as TOKEN_PARAMETER  # re-exported
from vpclab.server.auth import ForeignAccount, confined_account, signed_account

if TYPE_CHECKING:
    from vpclab.dataplane.compile import CompiledWorld
    from vpclab.server.app import App, Scope

log = logging.getLogger("vpclab")

API_PREFIX = "/_vpclab/api/"
# Paths a browser reaches: under --auth strict they need the console token instead of SigV4.
CONSOLE_PATHS = (API_PREFIX, CONSOLE_PATH)
TOKEN_HEADER = "x-vpclab-token"
TOKEN_COOKIE = "vpclab_console_token"
PROTOCOLS = ("tcp", "udp", "icmp")


class ConsoleError(Exception):
    """A console request that cannot be answered: its HTTP status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _json_default(value: Any) -> str:
    """Timestamps as the EC2 wire writes them (ISO 8601 UTC, milliseconds, Z)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_response(status: int, payload: Any) -> HttpResponse:
    """A JSON answer the console (or curl) can read; never cached, the state moves."""
    return HttpResponse(
        status,
        json.dumps(payload, default=_json_default, separators=(",", ":")).encode(),
        {"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


def error_response(status: int, code: str, message: str) -> HttpResponse:
    """The console's error envelope."""
    return json_response(status, {"error": {"code": code, "message": message}})


def _domain_error(exc: DomainError) -> ConsoleError:
    """An EC2 error met while answering: not-found codes are 404, everything else 400."""
    status = 404 if "NotFound" in exc.code or exc.code == "InvalidID" else 400
    return ConsoleError(status, exc.code, exc.message)


def query_parameters(scope: Scope) -> dict[str, str]:
    """The query string's parameters (the last value of each wins, as AWS does with repeats)."""
    raw = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return {name: values[-1] for name, values in raw.items()}


def confined_query(scope: Scope) -> dict[str, str]:
    """The query's parameters, its account confined to a SigV4 signer's own (403 otherwise)."""
    query = query_parameters(scope)
    try:
        account = confined_account(scope, query.get("account"))
    except ForeignAccount as exc:
        raise ConsoleError(403, "AccessDenied", str(exc)) from exc
    if account is not None:
        query["account"] = account
    return query


def _partition(query: Mapping[str, str]) -> tuple[str, str]:
    """The account and region asked for (defaults: the ones `vpclab trace` uses), validated."""
    account = query.get("account") or DEFAULT_ACCOUNT
    region = query.get("region") or DEFAULT_REGION
    if not (account.isascii() and account.isdigit() and len(account) == 12):
        raise ConsoleError(
            400, "InvalidParameterValue", f"account must be 12 digits, not {account!r}"
        )
    if not is_region(region):
        raise ConsoleError(400, "InvalidParameterValue", f"unknown region {region!r}")
    return account, region


def _required(query: Mapping[str, str], name: str) -> str:
    """A parameter that must be present and non-empty."""
    value = query.get(name, "")
    if not value:
        raise ConsoleError(
            400, "MissingParameter", f"The request must contain the parameter {name}"
        )
    return value


def _port(query: Mapping[str, str]) -> int | None:
    """The destination port (absent: any port), 0-65535."""
    raw = query.get("port", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 65535:
        raise ConsoleError(
            400, "InvalidParameterValue", f"port must be an integer from 0 to 65535, not {raw!r}"
        )
    return int(raw)


def _protocol(query: Mapping[str, str]) -> str:
    """tcp (the default), udp or icmp."""
    protocol = (query.get("protocol") or "tcp").lower()
    if protocol not in PROTOCOLS:
        raise ConsoleError(
            400, "InvalidParameterValue", f"protocol must be tcp, udp or icmp, not {protocol!r}"
        )
    return protocol


class ConsoleApi:
    """The console's endpoints over one app's store, with a compiled-world cache for traces."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.live = LiveVersions()
        self._worlds = CompiledWorlds(self.live)

    def routes(self) -> dict[str, Callable[[App, Scope, bytes], HttpResponse]]:
        """Path -> handler, for App.extra_routes."""
        endpoints: dict[str, Callable[[Scope], Any]] = {
            "partitions": self.partitions,
            "version": self.version,
            "topology": self.topology,
            "resource": self.resource,
            "trace": self.trace,
            "exposure": self.exposure,
        }
        return {API_PREFIX + name: self._serving(fn) for name, fn in endpoints.items()}

    def _serving(
        self, endpoint: Callable[[Scope], Any]
    ) -> Callable[[App, Scope, bytes], HttpResponse]:
        """Wrap an endpoint: GET only, JSON out, errors in the console's envelope."""

        def serve(app: App, scope: Scope, body: bytes) -> HttpResponse:
            """Answer one request."""
            if scope["method"] not in ("GET", "HEAD"):
                return error_response(405, "MethodNotAllowed", f"{scope['path']} answers GET only")
            try:
                return json_response(200, endpoint(scope))
            except ConsoleError as exc:
                return error_response(exc.status, exc.code, exc.message)
            except DomainError as exc:
                failure = _domain_error(exc)
                return error_response(failure.status, failure.code, failure.message)
            except Exception:  # a bug, not bad input: say so, and keep the traceback
                log.exception("internal error serving %s", scope["path"])
                return error_response(
                    500,
                    "InternalError",
                    "An internal error has occurred (a vpclab bug; the traceback is in the "
                    "server log).",
                )

        return serve

    def partitions(self, scope: Scope) -> Any:
        """Every partition with its version, and the default one."""
        snapshot = Snapshot.of(self.app.api.store)
        signed = signed_account(scope)
        listing = partitions(snapshot, (signed or DEFAULT_ACCOUNT, DEFAULT_REGION), self.live)
        if signed is not None:
            listing["partitions"] = [p for p in listing["partitions"] if p["account"] == signed]
        return listing

    def version(self, scope: Scope) -> Any:
        """The partition's console version (the console polls it; no snapshot needed)."""
        partition = _partition(confined_query(scope))
        store = self.app.api.store
        with store.lock:  # a short read of the partition's clock-moved states, no snapshot
            version = store.version(*partition)
            moved = clock_states(store.view(*partition))
        clock = store.clock
        return {
            "version": self.live.of(partition, version, clock.now(), clock.settle_seconds, moved)
        }

    def topology(self, scope: Scope) -> Any:
        """The partition as the console draws it."""
        account, region = _partition(confined_query(scope))
        return topology(Snapshot.of(self.app.api.store), account, region, self.live)

    def resource(self, scope: Scope) -> Any:
        """One resource as its Describe call renders it."""
        query = confined_query(scope)
        account, region = _partition(query)
        resource_id = _required(query, "id")
        return resource(Snapshot.of(self.app.api.store), account, region, resource_id)

    def trace(self, scope: Scope) -> Any:
        """What `vpclab trace SRC DST --protocol P --port N --json` prints."""
        query = confined_query(scope)
        account, region = _partition(query)
        source, destination = _required(query, "source"), _required(query, "destination")
        protocol, port = _protocol(query), _port(query)
        from vpclab.api.analysis_json import trace_json  # the data plane loads on first use

        world = self._world(account, region)
        try:
            result = trace_view(world, source, destination, protocol=protocol, port=port)
        except UsageError as exc:
            raise ConsoleError(400, "InvalidParameterValue", str(exc)) from exc
        for spec, found in ((source, result.source), (destination, result.destination)):
            if found is None:
                raise _unresolved(spec, result.explanations[0].message)
        return trace_json(result)

    def exposure(self, scope: Scope) -> Any:
        """What `vpclab exposure --json` prints."""
        account, region = _partition(confined_query(scope))
        from vpclab.api.analysis_json import exposures_json
        from vpclab.dataplane.queries import internet_exposure

        return exposures_json(internet_exposure(self._world(account, region).home))

    def _world(self, account: str, region: str) -> CompiledWorld:
        """The compiled partition of a fresh snapshot, reused while it cannot have changed."""
        return self._worlds.world(Snapshot.of(self.app.api.store).store, account, region)


def _unresolved(spec: str, message: str) -> ConsoleError:
    """A trace endpoint that names nothing: the id's own not-found code when it is an id."""
    cls = kind_of_id(spec)
    if cls is not None:
        return _domain_error(missing(cls, spec))
    return ConsoleError(400, "InvalidParameterValue", message)


def presented_token(scope: Scope, headers: Mapping[str, str]) -> str | None:
    """The console token a request carries: ?token=, X-Vpclab-Token, or the console's cookie."""
    query = query_parameters(scope)
    if query.get(TOKEN_PARAMETER):
        return query[TOKEN_PARAMETER]
    if headers.get(TOKEN_HEADER):
        return headers[TOKEN_HEADER]
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == TOKEN_COOKIE and value:
            return value
    return None


def token_matches(expected: str, scope: Scope, headers: Mapping[str, str]) -> bool:
    """Whether the request carries the console token (compared in constant time)."""
    given = presented_token(scope, headers)
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def token_refusal(path: str) -> HttpResponse:
    """403 for a console request without the token under --auth strict, saying where to get it."""
    return error_response(
        403,
        "AuthFailure",
        f"{path} needs the console token under --auth strict: open the console URL that "
        "`vpclab serve` printed at start (it carries ?token=), or send the token in the "
        "X-Vpclab-Token header",
    )


def token_cookie(token: str) -> str:
    """The Set-Cookie value that lets the console's own requests carry the token."""
    return f"{TOKEN_COOKIE}={token}; Path=/_vpclab; HttpOnly; SameSite=Strict"


def unknown_endpoint(app: App, scope: Scope, body: bytes) -> HttpResponse:
    """Any other path under /_vpclab/api/: 404 in the console's error shape, naming the real ones."""
    known = sorted(path for path in app.extra_routes if path.startswith(API_PREFIX))
    return error_response(
        404, "NotFound", f"no console endpoint {scope['path']}; there are {', '.join(known)}"
    )


def install(app: App) -> None:
    """Register the console's JSON endpoints on an app (and a 404 for the rest of the prefix)."""
    app.extra_routes.update(ConsoleApi(app).routes())
    app.prefix_routes[API_PREFIX] = unknown_endpoint
