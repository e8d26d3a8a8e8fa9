"""`vpclab console`: open the web console of a running server, or print its URL without a browser."""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
import webbrowser
from typing import Any
from urllib.parse import quote

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def register(sub: Any) -> None:
    """Add the console subcommand."""
    cmd = sub.add_parser("console", help="open the web console of a running vpclab server")
    cmd.add_argument(
        "--endpoint", metavar="URL", help="server URL (default: AWS_ENDPOINT_URL or :4566)"
    )
    cmd.add_argument(
        "--token", help="the console token `vpclab serve --auth strict` printed with its URL"
    )
    cmd.add_argument(
        "--no-browser", action="store_true", help="only print the URL, even with a browser at hand"
    )
    cmd.set_defaults(func=run)


def console_url(endpoint: str, token: str | None) -> str:
    """The console's URL on a server (with the strict-auth token when one is given)."""
    from vpclab.server.console_api import CONSOLE_PATH, TOKEN_PARAMETER

    query = f"?{TOKEN_PARAMETER}={quote(token, safe='')}" if token else ""
    return endpoint.rstrip("/") + CONSOLE_PATH + query


def graphical_session() -> bool:
    """Whether a browser window could appear: macOS, Windows, or an X11/Wayland display."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def browser() -> webbrowser.BaseBrowser | None:
    """The browser `webbrowser` would use in a graphical session, else None (never raises)."""
    if not graphical_session():
        return None
    try:
        return webbrowser.get()
    except webbrowser.Error:
        return None


def server_answers(endpoint: str) -> bool:
    """Whether a vpclab server answers its health endpoint there."""
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_vpclab/health", timeout=3):
            return True
    except (OSError, ValueError):
        return False


def run(args: argparse.Namespace) -> int:
    """Open (or print) the console URL; exit 1 only when no server answers at the endpoint."""
    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
    url = console_url(endpoint, args.token)
    if not server_answers(endpoint):
        print(
            f"vpclab console: no vpclab server answers at {endpoint}; start one with "
            "`vpclab serve` (or pass --endpoint)",
            file=sys.stderr,
        )
        return 1
    if not args.no_browser and opened(url):
        print(f"opened the vpclab console: {url}")
    else:
        print(f"vpclab console: {url}")
    return 0


def opened(url: str) -> bool:
    """Open the URL in a browser when there is one; False (not an error) when there is none."""
    found = browser()
    if found is None:
        return False
    try:
        return bool(found.open(url))
    except (webbrowser.Error, OSError):
        return False
