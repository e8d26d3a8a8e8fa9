"""The class-level matrix equals pairwise brute force, and `vpclab matrix` prints it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.scenarios import world as w
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.flow import Flow, PortSet
from vpclab.dataplane.queries import reachability_matrix
from vpclab.dataplane.symbolic import connection_space
from vpclab.dataplane.tracer import trace
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION
from vpclab.model.state import Clock
from vpclab.network import Network


def _tiers(ec2: Any) -> dict[str, str]:
    """Two web instances (22, 80 from anywhere) and two db instances (5432 from anywhere)."""
    vpc = w.vpc(ec2)
    front = w.subnet(ec2, vpc, "10.0.1.0/24")
    back = w.subnet(ec2, vpc, "10.0.2.0/24")
    web_group = w.open_group(ec2, vpc, "web", (22, 80))
    db_group = w.open_group(ec2, vpc, "db", (5432,))
    return {
        "web1": w.instance(ec2, front, web_group, Role="web"),
        "web2": w.instance(ec2, front, web_group, Role="web"),
        "db1": w.instance(ec2, back, db_group, Role="db"),
        "db2": w.instance(ec2, back, db_group, Role="db"),
    }


def test_sg_3_class_matrix_equals_pairwise_brute_force(ec2: Any, store: Store) -> None:
    """Every pair's space equals its class cell's; the tracer agrees on the open ports."""
    _tiers(ec2)
    view = store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)
    part = compile_view(view).home
    enis = sorted(i.primary_eni_id for i in part.instances.values())
    cells = reachability_matrix(part, enis)
    assert len(cells) == 4  # two classes of two members each
    for cell in cells:
        for source in cell.sources:
            for destination in cell.destinations:
                if source != destination:
                    assert connection_space(part, source, destination) == cell.space
        assert cell.space is not None
        port = cell.space.destination_ports("tcp").spans[0][0]
        owner_of = {e.id: e.owner.id for e in part.enis.values()}
        flow = Flow(protocol="tcp", destination_port=port, source_port=40000)
        src, dst = owner_of[cell.sources[0]], owner_of[cell.destinations[-1]]
        assert trace(view, src, dst, flow).reachable
    ports = {cell.ports() for cell in cells}
    assert ports == {"tcp 22, 80", "tcp 5432"}
    assert all(
        c.space is not None and c.space.destination_ports("udp") == PortSet(()) for c in cells
    )


def test_sg_3_matrix_cli_scopes_by_tag_and_formats(tmp_path: Path, capsys: Any) -> None:
    """--scope tag:Role=db keeps one class; json and csv carry the same answer; bad scope is 2."""
    path = tmp_path / "s.db"
    network = Network(Store(path, clock=Clock(settle_seconds=0.0)))
    ids = _tiers(network.client())
    network.store.close()
    base = ["matrix", "--state", str(path), "--settle-seconds", "0"]
    assert main([*base, "--scope", "tag:Role=db", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert sorted(row["from"]) == sorted([ids["db1"], ids["db2"]])
    assert row["open"] == "tcp 5432"
    assert main([*base, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "from,to,open"
    assert main([*base]) == 0
    assert "tcp 22, 80" in capsys.readouterr().out
    assert main([*base, "--scope", "nonsense"]) == 2
