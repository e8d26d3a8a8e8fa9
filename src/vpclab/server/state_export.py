"""GET /_vpclab/api/state: the whole state as plain JSON, for tools that follow a running server."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from vpclab.api.dispatch import HttpResponse
from vpclab.control import codec
from vpclab.server.auth import ForeignAccount, confined_account, foreign_account_refusal

if TYPE_CHECKING:
    from vpclab.server.app import App, Scope

PATH = "/_vpclab/api/state"


def export_state(app: App, scope: Scope, body: bytes) -> HttpResponse:
    """Every partition (or one, with ?account=&region=) with its version counter.

    With ?versions=1 only the counters: a cheap poll for followers such as `vpclab up`.
    """
    query = parse_qs(scope.get("query_string", b"").decode())
    versions_only = query.get("versions", ["0"])[0] == "1"
    try:
        account = confined_account(scope, query.get("account", [None])[0])
    except ForeignAccount as exc:
        return foreign_account_refusal(exc)
    region = query.get("region", [None])[0]
    store = app.api.store
    with store.lock:
        partitions: list[dict[str, Any]] = []
        for (acct, reg), tables in sorted(store.partitions.items()):
            if (account and acct != account) or (region and reg != region):
                continue
            entry: dict[str, Any] = {
                "account": acct,
                "region": reg,
                "version": store.version(acct, reg),
            }
            if not versions_only:
                entry["resources"] = codec.partition_to_plain(tables)
            partitions.append(entry)
        payload = {
            "now": store.clock.now(),
            "settle_seconds": store.clock.settle_seconds,
            "partitions": partitions,
        }
    return HttpResponse(200, json.dumps(payload).encode(), {"Content-Type": "application/json"})


def install(app: App) -> None:
    """Register the endpoint on an app, with its counterpart that imports account snapshots."""
    from vpclab.server import snapshot_import

    app.extra_routes[PATH] = export_state
    snapshot_import.install(app)
