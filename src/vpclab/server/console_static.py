"""The web console's page and bundled assets, served by `vpclab serve` under /_vpclab/console."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING

from vpclab.api.dispatch import HttpResponse

if TYPE_CHECKING:
    from vpclab.server.app import App, Scope

PAGE_PATHS = ("/_vpclab/console", "/_vpclab/console/")
ASSETS_PREFIX = "/_vpclab/console/assets/"
ASSETS_PACKAGE = "vpclab.server"
ASSETS_DIRECTORY = "console_assets"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def asset_bytes(name: str) -> bytes | None:
    """A bundled file by its plain name, or None: no directories, dot-files or unknown types."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    if not any(name.endswith(suffix) for suffix in CONTENT_TYPES):
        return None
    resource = resources.files(ASSETS_PACKAGE).joinpath(ASSETS_DIRECTORY, name)
    if not resource.is_file():
        return None
    return resource.read_bytes()


def content_type(name: str) -> str:
    """The Content-Type for a bundled file, from its suffix."""
    suffix = name[name.rfind(".") :]
    return CONTENT_TYPES[suffix]


def not_found(path: str) -> HttpResponse:
    """The console's 404, in the JSON error shape the console API uses."""
    body = {"error": {"code": "NotFound", "message": f"no console file at {path}"}}
    return HttpResponse(404, json.dumps(body).encode(), {"Content-Type": "application/json"})


def serve_file(name: str, path: str, method: str) -> HttpResponse:
    """One bundled file for GET (no-cache: a rebuilt bundle is picked up on the next load)."""
    if method != "GET":
        body = {"error": {"code": "MethodNotAllowed", "message": "the console is read with GET"}}
        return HttpResponse(405, json.dumps(body).encode(), {"Content-Type": "application/json"})
    data = asset_bytes(name)
    if data is None:
        return not_found(path)
    headers = {"Content-Type": content_type(name), "Cache-Control": "no-cache"}
    return HttpResponse(200, data, headers)


def serve_page(app: App, scope: Scope, body: bytes) -> HttpResponse:
    """GET /_vpclab/console: the single page."""
    return serve_file("index.html", scope["path"], scope["method"])


def serve_asset(app: App, scope: Scope, body: bytes) -> HttpResponse:
    """GET /_vpclab/console/assets/NAME: a bundled script or stylesheet."""
    path: str = scope["path"]
    return serve_file(path[len(ASSETS_PREFIX) :], path, scope["method"])


def install(app: App) -> None:
    """Register the console's page and asset routes on an app."""
    for path in PAGE_PATHS:
        app.extra_routes[path] = serve_page
    app.prefix_routes[ASSETS_PREFIX] = serve_asset
