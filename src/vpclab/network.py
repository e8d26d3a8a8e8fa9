"""The Python API: `vpclab.Network()` — a world in memory (or a state file), boto3 clients, traces."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from vpclab.control.store import Store
from vpclab.dataplane.flow import Flow, is_ipv4
from vpclab.model import load_all_kinds
from vpclab.model.base import kind_of_id
from vpclab.model.ids import has_prefix
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION
from vpclab.model.state import Clock, View

if TYPE_CHECKING:  # the compiler and tracer load on first use (the console API's start-up)
    from vpclab.api.console_views import LiveVersions
    from vpclab.dataplane.compile import CompiledWorld
    from vpclab.dataplane.trace import Trace


class UsageError(ValueError):
    """A SRC/DST the caller gave that names nothing, or more than one thing."""


# Instance states whose holder no longer takes part in the network (AWS still lists it a while).
_GONE = ("shutting-down", "terminated")


def endpoint_spec(spec: str) -> str:
    """A SRC/DST as a tag spec when it is a bare Name (neither `internet`, `tag:`, an IPv4
    address nor a well-formed id), so a Name such as "subnet-a" is still a name."""
    kind = kind_of_id(spec)
    well_formed_id = kind is not None and has_prefix(spec, kind.id_prefix)
    if spec == "internet" or spec.startswith("tag:") or is_ipv4(spec) or well_formed_id:
        return spec
    return f"tag:Name={spec}"


def resolve_endpoint(view: View, spec: str) -> str:
    """Turn `tag:KEY=VALUE` or a bare Name into the one instance or ENI it names, preferring
    what is live: a terminated namesake (listed for an hour, as in AWS) counts only when nothing
    live matches. Ids, addresses and `internet` pass through."""
    tagged = endpoint_spec(spec)
    if not tagged.startswith("tag:"):
        return tagged
    key, sep, value = tagged[4:].partition("=")
    if not sep or not key:
        raise UsageError(f"{spec!r}: write tag:KEY=VALUE")
    now, settle = view.now(), view.clock.settle_seconds
    live: list[str] = []
    gone: list[str] = []
    for instance in view.all(Instance):
        if instance.tag_dict().get(key) == value:
            state = instance_state(instance, now, settle)
            (gone if state in _GONE else live).append(instance.id)
    interfaces = [e.id for e in view.all(NetworkInterface) if e.tag_dict().get(key) == value]
    matches = live or interfaces or gone
    if len(matches) != 1:
        listed = ", ".join(sorted(live + interfaces + gone)) or "nothing"
        raise UsageError(f"{tagged} must name exactly one instance or ENI; it matches {listed}")
    return matches[0]


def trace_view(
    view: View | CompiledWorld,
    source: str,
    destination: str,
    *,
    protocol: str = "tcp",
    port: int | None = None,
    source_port: int | None = None,
) -> Trace:
    """Trace with the CLI's SRC/DST syntax (ids, IPs, `internet`, `tag:KEY=VALUE`, a Name)."""
    from vpclab.dataplane.compile import CompiledWorld
    from vpclab.dataplane.tracer import trace

    plain = view.view if isinstance(view, CompiledWorld) else view
    return trace(
        view,
        resolve_endpoint(plain, source),
        resolve_endpoint(plain, destination),
        Flow(protocol=protocol, destination_port=port, source_port=source_port),
    )


class _Raw:
    """The raw-response object botocore reads a body from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        """The body in one chunk."""
        yield self.body


def answer_in_process(api: Any, service: str, request: Any) -> Any:
    """Serve one botocore request from an in-process Api (no sockets): REST-JSON services
    (Lambda) by method and path, the Query services (EC2, RDS, ElastiCache) by form body."""
    from botocore.awsrequest import AWSResponse

    from vpclab.api.dispatch import REST_JSON_SERVICES

    headers = {
        k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()
    }
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    if service in REST_JSON_SERVICES:
        url = urlsplit(request.url)
        query = parse_qs(url.query, keep_blank_values=True)
        response = api.handle_http(request.method, unquote(url.path), query, headers, body)
    else:
        response = api.handle(body, headers)
    return AWSResponse(request.url, response.status, response.headers, _Raw(response.body))


class CompiledWorlds:
    """Compiled partitions of a store, each reused only while it cannot have changed: it was
    built with every partition settled (a compiled world judges pending instances and NAT
    gateways when built, and they settle on the clock with no version bump, AMB-1) and no
    version has moved since. `vpclab.Network` and the console API share it."""

    def __init__(self, live: LiveVersions | None = None) -> None:
        from vpclab.api.console_views import LiveVersions

        self.live = live if live is not None else LiveVersions()
        # partition -> (every partition's settled console version, or None; its compiled world)
        self._built: dict[tuple[str, str], tuple[Any, CompiledWorld]] = {}
        self._lock = threading.Lock()

    def world(self, store: Store, account: str, region: str) -> CompiledWorld:
        """The partition compiled from `store` (a live store or a snapshot's copy)."""
        from vpclab.dataplane.compile import compile_view

        with store.lock:  # versions first: the world compiled after them is at least as new
            versions = dict(store.versions)
        settled = self.live.settled(versions, store.clock)
        with self._lock:
            cached = self._built.get((account, region))
        if settled is not None and cached is not None and cached[0] == settled:
            return cached[1]
        world = compile_view(store.view(account, region))
        with self._lock:
            self._built[(account, region)] = (settled, world)
        return world


class Network:
    """An emulated AWS network you can drive with boto3 and question with `trace`."""

    def __init__(self, store: Store | None = None, *, settle_seconds: float = 0.0) -> None:
        load_all_kinds()
        self.store = store or Store(None, clock=Clock(settle_seconds=settle_seconds))
        self._api: Any = None
        self._compiled = CompiledWorlds()
        self._sessions: dict[tuple[str, str], Any] = {}
        self._sessions_lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, settle_seconds: float = 1.0) -> Network:
        """A network on an existing state file (settle_seconds as the server that wrote it)."""
        if not os.path.exists(path):
            raise UsageError(f"no state file at {path}")
        load_all_kinds()
        return cls(Store(path, clock=Clock(settle_seconds=settle_seconds)))

    def api(self) -> Any:
        """The in-process EC2 API over this network's state."""
        if self._api is None:
            from vpclab.api.dispatch import Api

            self._api = Api(self.store)
        return self._api

    def client(
        self,
        service: str = "ec2",
        *,
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
    ) -> Any:
        """A boto3 client answered in-process (no sockets); the access key names the account."""
        import boto3
        from botocore.config import Config

        api = self.api()
        # One session per account and region: it loads each service model once (a second
        # client then costs milliseconds, not half a second). Sessions are not thread-safe.
        with self._sessions_lock:
            session = self._sessions.get((account, region))
            if session is None:
                session = boto3.session.Session(
                    aws_access_key_id=account, aws_secret_access_key="vpclab", region_name=region
                )
                self._sessions[(account, region)] = session
            made = session.client(
                service,
                endpoint_url="http://vpclab.invalid",
                config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
            )

        def answer(request: Any, **_: Any) -> Any:
            """Serve the request from the in-process API."""
            return answer_in_process(api, service, request)

        made.meta.events.register("before-send", answer)
        return made

    def compiled(self, account: str, region: str) -> CompiledWorld:
        """The compiled world for a partition, rebuilt unless it cannot have changed since."""
        return self._compiled.world(self.store, account, region)

    def trace(
        self,
        source: str,
        destination: str,
        protocol: str = "tcp",
        port: int | None = None,
        source_port: int | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        record: bool = False,
    ) -> Trace:
        """Would AWS deliver this flow, and why (or why not)? `record` appends flow-log lines."""
        world = self.compiled(account, region)
        result = trace_view(
            world, source, destination, protocol=protocol, port=port, source_port=source_port
        )
        if record:
            write_flow_logs(world, result)
        return result


def write_flow_logs(world: CompiledWorld, result: Trace) -> int:
    """Append the trace's flow-log records to their file destinations; how many were written."""
    from vpclab.dataplane.flowlog import flow_log_records

    records = flow_log_records(world, result, world.view.now())
    for record in records:
        with open(record.path, "a", encoding="utf-8") as out:
            out.write(record.line + "\n")
    return len(records)
