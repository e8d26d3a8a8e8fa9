"""What a starting server and the CLI leave for later: every command still parses, vpclab's own
routes are installed by the first request under /_vpclab/, and EC2 calls never wait for them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import asgi_request
from vpclab import __version__
from vpclab.cli.main import build_parser, main, named_command
from vpclab.server.app import App
from vpclab.server.run import ServeOptions, build_app

AUTH = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/ec2/aws4_request, x"


def _commands(parser: Any) -> set[str]:
    """The subcommand names a parser knows."""
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    return set(sub.choices)


def test_version_and_every_command_parse_with_its_module_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`vpclab --version` answers; each command parses `--help` with only its own module."""
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0
    assert capsys.readouterr().out.strip() == f"vpclab {__version__}"
    everything = _commands(build_parser())
    assert {"serve", "ops", "state", "trace", "up", "export"} <= everything
    for command in sorted(everything):
        assert command in _commands(build_parser(command))
        with pytest.raises(SystemExit) as helped:
            main([command, "--help"])
        assert helped.value.code == 0, command
    assert _commands(build_parser("serve")) == {"serve"}
    assert _commands(build_parser("up")) == everything  # realmode.py registers it: all loaded
    assert _commands(build_parser("no-such-command")) == everything


def test_named_command_is_the_first_non_option() -> None:
    """The command is the first argument that is not an option; none after a bare `--`."""
    assert named_command(["serve", "--port", "0"]) == "serve"
    assert named_command(["-h"]) is None
    assert named_command(["--", "serve"]) is None


def _get(app: App, path: str) -> tuple[int, bytes]:
    """One GET through the ASGI app in-process: status and body."""
    return asgi_request(app, "GET", path, authorization=AUTH)


def test_own_routes_are_installed_by_the_first_request_under_vpclab() -> None:
    """Health answers without them; the state export answers on the first request for it."""
    app = build_app(ServeOptions(in_memory=True, settle_seconds=0.0))
    assert app.deferred_routes and not app.extra_routes
    status, body = _get(app, "/_vpclab/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert app.deferred_routes, "health must not pay for the console's imports"
    status, body = _get(app, "/_vpclab/api/state")
    assert status == 200 and "partitions" in json.loads(body)
    assert not app.deferred_routes
    status, _ = _get(app, "/_vpclab/console")
    assert status == 200
