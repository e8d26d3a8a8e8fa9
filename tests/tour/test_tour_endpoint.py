"""`vpclab tour --endpoint` and `vpclab tour check` against a real server on 127.0.0.1: the
services of chapter 1 go through HTTP (Lambda REST-JSON, ElastiCache and RDS Query)."""

from __future__ import annotations

import pytest

from tests.e2e.test_server import running_server
from vpclab.cli.main import main


def test_chapter_1_against_a_running_server_then_check_says_what_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Resources settle on the server's clock (the tour waits); every fact holds; check exits 1."""
    with running_server("--in-memory", "--settle-seconds", "0.3") as endpoint:
        code = main(["tour", "--chapter", "1", "--non-interactive", "--endpoint", endpoint])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "the internet never reaches the cache" in out
        assert main(["tour", "check", "--chapter", "1", "--endpoint", endpoint]) == 1
        checked = capsys.readouterr().out
    assert "Exercise 1 (VPCs and subnets): not solved yet" in checked
    assert "expected one running instance tagged Name=ex1-public, found 0" in checked
