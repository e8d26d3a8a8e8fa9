"""Every `vpclab` command written in docs/tour.md parses as written, so the page cannot rot."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from vpclab.cli.main import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "tour.md"


def _documented_commands() -> list[str]:
    """The vpclab command lines inside the page's sh code blocks (comments dropped)."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line.rstrip("&").strip() for line in lines if line.startswith("vpclab ")]


def test_docs_name_the_tour_check_and_cost_commands() -> None:
    """The page shows the tour, its checker and the cost estimate."""
    commands = _documented_commands()
    for expected in ("vpclab tour --all --non-interactive", "vpclab tour check", "vpclab cost"):
        assert any(c.startswith(expected) for c in commands), expected


@pytest.mark.parametrize("command", _documented_commands())
def test_documented_command_parses(command: str) -> None:
    """The parser accepts the command exactly as the page writes it."""
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert args.func is not None
