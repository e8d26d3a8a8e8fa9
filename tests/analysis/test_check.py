"""`vpclab check`: YAML assertions pass (exit 0), fail with the tracer's why (1), malformed (2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scenarios import world as w
from tests.support import public_private
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """Public web (443) and private db (5432, no public IP) in one VPC, in a state file."""
    path = tmp_path / "s.db"
    network = Network(Store(path, clock=Clock(settle_seconds=0.0)))
    ec2 = network.client()
    net = public_private(ec2)
    vpc = net["vpc"]
    w.instance(ec2, net["public"], w.open_group(ec2, vpc, "web", (443,)), public=True, Role="web")
    w.instance(ec2, net["private"], w.open_group(ec2, vpc, "db", (5432,)), Role="db")
    network.store.close()
    return path


def _check(tmp_path: Path, state: Path, text: str) -> int:
    """Run vpclab check on the given YAML text."""
    spec = tmp_path / "checks.yaml"
    spec.write_text(text)
    code: int = main(["check", str(spec), "--state", str(state), "--settle-seconds", "0"])
    return code


def test_igw_9_check_passes_and_exits_0(tmp_path: Path, state: Path, capsys: Any) -> None:
    """The db is not reachable from the internet; the web is; web reaches db on 5432."""
    text = """
- {from: internet, to: "tag:Role=db", port: 5432, expect: blocked}
- {from: internet, to: "tag:Role=web", port: 443, expect: reachable}
- {from: "tag:Role=web", to: "tag:Role=db", port: 5432, protocol: tcp, expect: reachable}
"""
    assert _check(tmp_path, state, text) == 0
    out = capsys.readouterr().out
    assert out.count("PASS") == 3 and "3 passed, 0 failed" in out


def test_sg_3_check_fails_with_the_tracer_explanation(
    tmp_path: Path, state: Path, capsys: Any
) -> None:
    """Port 22 is not open on the web server: the failure names the SG mismatch; exit 1."""
    text = '- {from: internet, to: "tag:Role=web", port: 22, expect: reachable}\n'
    assert _check(tmp_path, state, text) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "ENI_SG_RULES_MISMATCH" in out


@pytest.mark.parametrize(
    "text",
    [
        "- {from: internet, to: x, expect: maybe}\n",
        "- {from: internet, expect: blocked}\n",
        "- {from: internet, to: x, port: 70000, expect: blocked}\n",
        "- {from: internet, to: x, colour: red, expect: blocked}\n",
        "not: [a list\n",
        "{}\n",
    ],
)
def test_check_malformed_file_exits_2(tmp_path: Path, text: str) -> None:
    """Anything but a list of well-formed assertions is a usage error (before any tracing)."""
    empty = tmp_path / "empty.db"
    Store(empty, clock=Clock(settle_seconds=0.0)).close()
    assert _check(tmp_path, empty, text) == 2
