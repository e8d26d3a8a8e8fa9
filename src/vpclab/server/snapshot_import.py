"""POST /_vpclab/api/snapshot: swap in partitions read from an account export (`vpclab import`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from vpclab.api.dispatch import HttpResponse
from vpclab.control import codec
from vpclab.control.snapshot import ImportReport, Snapshot, import_snapshot
from vpclab.control.store import StateFileError
from vpclab.server.auth import ForeignAccount, confined_account, foreign_account_refusal

if TYPE_CHECKING:
    from vpclab.server.app import App, Scope

PATH = "/_vpclab/api/snapshot"


def _answer(status: int, body: dict[str, Any]) -> HttpResponse:
    """A JSON response."""
    return HttpResponse(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def import_partitions(app: App, scope: Scope, body: bytes) -> HttpResponse:
    """Replace each posted partition in one transaction; a malformed body changes nothing (400)."""
    if scope["method"] != "POST":
        return _answer(405, {"error": f"{PATH} takes POST"})
    try:
        payload = json.loads(body)
        partitions = {
            (p["account"], p["region"]): codec.partition_from_plain(p["resources"])
            for p in payload["partitions"]
        }
    except (ValueError, KeyError, TypeError, StateFileError) as exc:
        return _answer(400, {"error": f"not a snapshot payload ({type(exc).__name__}: {exc})"})
    try:
        for account, _region in partitions:
            confined_account(scope, account)
    except ForeignAccount as exc:
        return foreign_account_refusal(exc)
    import_snapshot(app.api.store, Snapshot(partitions, ImportReport()))
    return _answer(200, {"imported": [f"{a}/{r}" for a, r in sorted(partitions)]})


def install(app: App) -> None:
    """Register the endpoint on an app."""
    app.extra_routes[PATH] = import_partitions
