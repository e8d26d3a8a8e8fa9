"""One request in, one response out: decode, route to a handler in a transaction, encode."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vpclab import wire
from vpclab.api.context import RequestContext, Settings
from vpclab.api.registry import find_handler, load_handlers
from vpclab.control import defaults
from vpclab.control import flow_logs as _flow_logs  # noqa: F401  (registers its commit hook)
from vpclab.control.store import Store, Tx
from vpclab.model.errors import DomainError
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION

log = logging.getLogger("vpclab")

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
PROTOCOLS = {"ec2": "ec2", "rds": "query", "elasticache": "query"}
REST_JSON_SERVICES = frozenset({"lambda"})
MAX_BODY = 4 * 1024 * 1024


@dataclass
class HttpResponse:
    """Status, headers and body, independent of the HTTP server that sends them."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/xml"})


@dataclass(frozen=True)
class Caller:
    """Who is calling and where: taken from the SigV4 credential scope."""

    access_key: str
    account: str
    region: str
    service: str


def caller_from_headers(headers: Mapping[str, str]) -> Caller:
    """Account from the access key (a 12-digit key is that account), region and service from the scope."""
    auth = headers.get("authorization", "")
    match = _SCOPE.search(auth)
    if match is None:
        return Caller("", DEFAULT_ACCOUNT, DEFAULT_REGION, "ec2")
    key, region, service = match.groups()
    account = key if key.isdigit() and len(key) == 12 else DEFAULT_ACCOUNT
    return Caller(key, account, region, service)


def _caller(headers: Mapping[str, str], account: str | None) -> Caller:
    """The caller of a request: under --auth strict, in the account its verified key names."""
    caller = caller_from_headers(headers)
    return caller if account is None else dataclasses.replace(caller, account=account)


class Api:
    """The EC2-compatible API over a Store; thread-safe (requests are serialised by the store lock)."""

    def __init__(
        self, store: Store, settings: Settings | None = None, *, load_all: bool = True
    ) -> None:
        if load_all:  # a starting server passes False and loads them after it answers
            load_handlers()
        self.store = store
        self.settings = settings or Settings()
        # Partition -> the store version at which its first-use setup was last found complete.
        # `ensure_partition` only depends on the partition's own state, so while the version is
        # unchanged (a run of reads) it has nothing to do and is skipped; any commit (including
        # a reset or restore) bumps the version and the next request checks again.
        self._set_up_at: dict[tuple[str, str], int] = {}
        # Set once a first handler has run: a starting server loads the remaining handler
        # modules after that, not in competition with its first call (server.run.warm_up).
        self.handled_one = threading.Event()

    def handle(
        self, body: bytes, headers: Mapping[str, str], account: str | None = None
    ) -> HttpResponse:
        """Serve one Query-protocol request (EC2, RDS, ElastiCache); `account`: a verified caller's."""
        request_id = str(uuid.uuid4())
        caller = _caller(headers, account)
        protocol = PROTOCOLS.get(caller.service, "ec2")
        try:
            if len(body) > MAX_BODY:
                raise wire.WireError(
                    "RequestEntityTooLarge",
                    f"Request body of {len(body)} bytes exceeds the limit of {MAX_BODY} bytes",
                    413,
                )
            form = wire.decode_form(body)
            action = form.pop("Action", None)
            form.pop("Version", None)
            if not action:
                raise wire.WireError(
                    "MissingAction", "The request must contain the parameter Action"
                )
            op = wire.operation_model(caller.service, action)
            if op is None:
                raise wire.WireError(
                    "InvalidAction", f"The action {action} is not valid for this web service."
                )
            handler = find_handler(caller.service, action)
            if handler is None:
                raise wire.WireError(
                    "Unsupported",
                    f"vpclab does not implement the {caller.service} operation {action} yet "
                    "(`vpclab ops` lists what is implemented).",
                )
            params = wire.parse_params(op, form, protocol)
            result = self._run(handler, params, caller, request_id)
            if result is None:
                return self._error(
                    "DryRunOperation",
                    "Request would have succeeded, but DryRun flag is set.",
                    request_id,
                    protocol,
                    412,
                )
            return HttpResponse(200, wire.serialize_result(op, result, request_id, protocol))
        except DomainError as exc:
            return self._error(exc.code, exc.message, request_id, protocol, exc.status)
        except wire.WireError as exc:
            return self._error(exc.code, exc.message, request_id, protocol, exc.status)
        except Exception:
            log.exception("internal error serving request %s", request_id)
            return self._error(
                "InternalError",
                "An internal error has occurred (a vpclab bug; the traceback is in the server log).",
                request_id,
                protocol,
                500,
            )

    def handle_http(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
        account: str | None = None,
    ) -> HttpResponse:
        """Serve one REST-JSON request (Lambda), routed by HTTP method and path; `account`: a
        verified caller's."""
        from vpclab.wire import rest_json

        request_id = str(uuid.uuid4())
        caller = _caller(headers, account)
        try:
            op, labels = rest_json.match_operation(caller.service, method, path, query)
            handler = find_handler(caller.service, op.name)
            if handler is None:
                raise wire.WireError(
                    "Unsupported", f"vpclab does not implement {caller.service} {op.name} yet."
                )
            params = rest_json.parse_request(op, labels, query, headers, body)
            result = self._run(handler, params, caller, request_id) or {}
            status, out_headers, out = rest_json.serialize_response(op, result, request_id)
            return HttpResponse(status, out, out_headers)
        except (DomainError, wire.WireError) as exc:
            out_headers, out = rest_json.serialize_error(exc.code, exc.message, request_id)
            return HttpResponse(exc.status, out, out_headers)
        except Exception:
            log.exception("internal error serving request %s", request_id)
            out_headers, out = rest_json.serialize_error(
                "ServiceException", "An internal error has occurred (a vpclab bug).", request_id
            )
            return HttpResponse(500, out, out_headers)

    def _run(
        self, handler: Any, params: dict[str, Any], caller: Caller, request_id: str
    ) -> dict[str, Any] | None:
        """Run a handler in one transaction: commit on success, discard on error or DryRun."""
        dry_run = bool(params.pop("DryRun", False))
        partition = (caller.account, caller.region)
        with self.store.lock:
            tx = Tx(self.store, caller.account, caller.region, {})
            try:
                set_up = self._set_up_at.get(partition) == self.store.version(*partition)
                if not set_up:
                    defaults.ensure_partition(tx)
                ctx = RequestContext(
                    caller.account,
                    caller.region,
                    request_id,
                    tx,
                    self.store,
                    self.settings,
                    caller.service,
                )
                result: dict[str, Any] = handler(ctx, params)
            except BaseException:
                tx.discard()
                raise
            finally:
                if not self.handled_one.is_set():
                    self.handled_one.set()
            if dry_run:
                tx.discard()
                return None
            tx.commit()
            if not set_up:
                self._set_up_at[partition] = self.store.version(*partition)
            return result

    def _error(
        self, code: str, message: str, request_id: str, protocol: str, status: int
    ) -> HttpResponse:
        return HttpResponse(status, wire.serialize_error(code, message, request_id, protocol))
