"""`vpclab trace` and `vpclab.Network`: exit codes, --json, tag: resolution, --state PATH."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vpclab
from tests.scenarios import world as w
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock


def _build(ec2: Any) -> tuple[str, str]:
    """A public web instance tagged Name=web, a second one tagged role=x twice; (igw, web)."""
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    group = w.open_group(ec2, vpc, "web", (443,))
    web = w.instance(ec2, sub, group, public=True, Name="web")
    w.instance(ec2, sub, group, role="x")
    w.instance(ec2, sub, group, role="x")
    return igw, web


@pytest.fixture
def state_file(tmp_path: Path) -> tuple[Path, str, str]:
    """A state file holding the network, built through vpclab.Network's boto3 client."""
    path = tmp_path / "state.db"
    network = vpclab.Network(Store(path, clock=Clock(settle_seconds=0.0)))
    igw, web = _build(network.client())
    network.store.close()
    return path, igw, web


def test_network_api_traces_with_tag_syntax() -> None:
    """Network().client() builds the world in-process; .trace accepts tag:KEY=VALUE."""
    network = vpclab.Network()
    _build(network.client())
    assert network.trace("internet", "tag:Name=web", port=443).reachable
    assert not network.trace("internet", "tag:Name=web", port=22).reachable


def test_cli_exit_0_when_reachable_and_tree_names_rules(
    state_file: tuple[Path, str, str], capsys: Any
) -> None:
    """Reachable: exit 0, the tree lists the IGW and the verdict."""
    path, igw, web = state_file
    assert (
        main(
            [
                "trace",
                "internet",
                web,
                "--port",
                "443",
                "--state",
                str(path),
                "--settle-seconds",
                "0",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "REACHABLE" in out and igw in out and "1:1 NAT" in out


def test_cli_exit_1_when_blocked_with_json(state_file: tuple[Path, str, str], capsys: Any) -> None:
    """Blocked: exit 1; --json carries the explanation codes."""
    path, _, _ = state_file
    code = main(
        [
            "trace",
            "internet",
            "tag:Name=web",
            "--port",
            "22",
            "--json",
            "--state",
            str(path),
            "--settle-seconds",
            "0",
        ]
    )
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["reachable"] is False
    assert [e["code"] for e in data["explanations"]] == ["ENI_SG_RULES_MISMATCH"]


def test_cli_exit_2_on_ambiguous_tag_lists_matches(
    state_file: tuple[Path, str, str], capsys: Any
) -> None:
    """tag: matching two instances is a usage error naming both."""
    path, _, _ = state_file
    assert (
        main(["trace", "internet", "tag:role=x", "--state", str(path), "--settle-seconds", "0"])
        == 2
    )
    assert capsys.readouterr().err.count("i-") == 2


def test_cli_exit_2_on_unknown_resource_and_missing_file(tmp_path: Path, state_file: Any) -> None:
    """Unknown ids and missing state files are usage errors."""
    path, _, _ = state_file
    assert (
        main(
            [
                "trace",
                "internet",
                "i-0123456789abcdef0",
                "--state",
                str(path),
                "--settle-seconds",
                "0",
            ]
        )
        == 2
    )
    assert main(["trace", "internet", "10.0.0.5", "--state", str(tmp_path / "none.db")]) == 2


def test_flow_logs_recorded_only_when_asked(tmp_path: Path) -> None:
    """trace(record=True) appends version 2 records; a plain trace writes nothing."""
    network = vpclab.Network()
    ec2 = network.client()
    _, web = _build(ec2)
    log = tmp_path / "flows.log"
    eni = w.eni_of(ec2, web)
    ec2.create_flow_logs(
        ResourceIds=[eni],
        ResourceType="NetworkInterface",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"file://{log}",
    )
    network.trace("internet", web, port=443)
    assert not log.exists()
    network.trace("internet", web, port=443, source_port=40000, record=True)
    network.trace("internet", web, port=22, source_port=40001, record=True)
    lines = log.read_text().splitlines()
    fields = [line.split() for line in lines]
    assert all(f[0] == "2" and f[2] == eni and f[-1] == "OK" for f in fields)
    assert [f[-2] for f in fields if f[6] == "443"] == ["ACCEPT"]
    assert [f[-2] for f in fields if f[6] == "22"] == ["REJECT"]
