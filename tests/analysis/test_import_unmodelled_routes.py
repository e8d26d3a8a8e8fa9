"""Imported routes to components vpclab does not model, in the analysis commands (spec §3, §10).

Two VPCs of a real account joined by a transit gateway (vpclab keeps the TGW routes, not the
TGW): the web VPC reaches the db VPC through tgw-, routes a corporate range through it too, and
the db VPC sends everything (0.0.0.0/0) to it (centralised egress). Paths through the TGW are
"not analysed": the matrix says so, exposure lists the internet sources whose replies leave
through it, `vpclab check` fails any assertion on them whatever it expects, and an export of
the import gives every such route back unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.dataplane.test_unmodelled_targets import build_export
from tests.scenarios import world as w
from vpclab.api.snapshot_export import export_partitions
from vpclab.cli.main import main
from vpclab.control.snapshot import import_snapshot, read_snapshot
from vpclab.control.store import Store
from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.flow import Flow
from vpclab.dataplane.queries import reachability_matrix
from vpclab.dataplane.tracer import trace
from vpclab.model.state import Clock

ACCOUNT, REGION = "123456789012", "us-east-1"
TGW = "tgw-0123456789abcdef0"
CORPORATE = "203.0.113.0/24"


def _tgw_route(destination: str) -> dict[str, Any]:
    """A TGW route as describe-route-tables prints it."""
    return {
        "DestinationCidrBlock": destination,
        "TransitGatewayId": TGW,
        "Origin": "CreateRoute",
        "State": "active",
    }


@pytest.fixture
def joined(ec2: Any, store: Store, tmp_path: Path) -> dict[str, str]:
    """web (public, 10.0.0.0/16) and db (10.200.0.0/16) joined by a TGW, as an export dir."""
    web_vpc, db_vpc = w.vpc(ec2, "10.0.0.0/16"), w.vpc(ec2, "10.200.0.0/16")
    web_subnet = w.subnet(ec2, web_vpc, "10.0.0.0/24")
    db_subnet = w.subnet(ec2, db_vpc, "10.200.0.0/24")
    igw = w.internet_gateway(ec2, web_vpc)
    web_table, db_table = w.table_of(ec2, web_subnet), w.table_of(ec2, db_subnet)
    ec2.create_route(RouteTableId=web_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    web = w.instance(ec2, web_subnet, w.open_group(ec2, web_vpc, "web"), public=True)
    db = w.instance(ec2, db_subnet, w.open_group(ec2, db_vpc, "db", (5432,)))
    export_partitions(store, [(ACCOUNT, REGION)], tmp_path / "export")
    path = tmp_path / "export" / "accounts" / ACCOUNT / REGION / "RouteTables.json"
    document = json.loads(path.read_text())
    added = {web_table: ["10.200.0.0/16", CORPORATE], db_table: ["0.0.0.0/0"]}
    for table in document["RouteTables"]:
        table["Routes"] += [_tgw_route(d) for d in added.get(table["RouteTableId"], [])]
    path.write_text(json.dumps(document))
    return {"web": web, "db": db, "dir": str(tmp_path / "export"), "web_table": web_table}


def test_rt_11_export_of_an_import_returns_every_unmodelled_route_unchanged(
    ec2: Any, store: Store, tmp_path: Path
) -> None:
    """export(import(x)): TGW, VGW, endpoint (prefix list), carrier, local gateway and core
    network routes, and a TGW route exported blackhole, come back field for field."""
    names = build_export(ec2, store, tmp_path / "first")
    fresh = Store(None, clock=Clock(settle_seconds=0.0))
    import_snapshot(fresh, read_snapshot(names["dir"]))
    export_partitions(fresh, [(ACCOUNT, REGION)], tmp_path / "second")

    def routes(directory: Path) -> list[dict[str, Any]]:
        """The private table's routes in one export."""
        path = directory / "accounts" / ACCOUNT / REGION / "RouteTables.json"
        tables = json.loads(path.read_text())["RouteTables"]
        (table,) = [t for t in tables if t["RouteTableId"] == names["table"]]
        return sorted(table["Routes"], key=lambda r: json.dumps(r, sort_keys=True))

    before, after = routes(tmp_path / "first"), routes(tmp_path / "second")
    assert after == before
    targets = {k for r in after for k in r if k.endswith(("GatewayId", "Arn"))}
    assert {"TransitGatewayId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"} <= targets
    assert [r["State"] for r in after if r.get("DestinationCidrBlock") == "10.99.0.0/16"] == [
        "blackhole"
    ]


def test_rt_11_import_reports_routes_that_leave_the_modelled_network(
    joined: dict[str, str],
) -> None:
    """The import keeps the routes (nothing skipped) and notes where analysis stops."""
    snapshot = read_snapshot(joined["dir"])
    assert not [s for s in snapshot.report.skipped if "route" in s.item]
    notes = [n for n in snapshot.report.notes if TGW in n]
    assert len(notes) == 3
    assert all("leaves the modelled network" in n for n in notes)


def test_rt_4_matrix_marks_paths_through_the_tgw_not_analysed(
    joined: dict[str, str], capsys: Any
) -> None:
    """web -> db (10.200.0.0/16 -> TGW) and db -> web (0.0.0.0/0 -> TGW, to the private and to
    the public address) are neither open nor closed: not analysed (symbolic engine)."""
    snapshot = read_snapshot(joined["dir"])
    part = compile_view(snapshot.world(Clock(settle_seconds=0.0)).view(ACCOUNT, REGION)).home
    cells = reachability_matrix(part, sorted(part.enis))
    owners = {
        (part.enis[s].owner.id, part.enis[d].owner.id): cell
        for cell in cells
        for s in cell.sources
        for d in cell.destinations
    }
    there, back = owners[(joined["web"], joined["db"])], owners[(joined["db"], joined["web"])]
    assert there.space is None and back.space is None and back.public_space is None
    assert main(["matrix", "--state", joined["dir"], "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and all(r["open"].startswith("not analysed") for r in rows)
    assert any("via public IP: not analysed" in r["open"] for r in rows)


def test_rt_11_exposure_lists_sources_whose_replies_leave_via_the_tgw(
    joined: dict[str, str], capsys: Any
) -> None:
    """The web server is exposed to the internet except 203.0.113.0/24, whose replies the web
    table routes to the TGW: those sources are reported not analysed, not left out silently."""
    assert main(["exposure", "--state", joined["dir"]]) == 0
    out = capsys.readouterr().out
    exposed = [line for line in out.splitlines() if line.startswith(joined["web"])]
    assert exposed and all("203.0.113.0-" not in line for line in exposed)
    assert (
        f"not analysed: {joined['web']}" in out
        and "from 203.0.113.0-203.0.113.255: replies leave the modelled network via " + TGW in out
    )


@pytest.mark.parametrize("expect", ["reachable", "blocked"])
def test_rt_11_check_fails_an_assertion_on_a_tgw_path_whatever_it_expects(
    joined: dict[str, str], tmp_path: Path, capsys: Any, expect: str
) -> None:
    """`vpclab check --state DIR`: web -> db on 5432 crosses the TGW, so vpclab cannot confirm
    either expectation: FAIL (exit 1) saying where the path left the modelled network."""
    assertions = tmp_path / "checks.yaml"
    assertions.write_text(
        f"- {{from: {joined['web']}, to: {joined['db']}, port: 5432, expect: {expect}}}\n"
    )
    assert main(["check", str(assertions), "--state", joined["dir"]]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL")
    assert f"leaves the modelled network via {TGW} (not analysed beyond it)" in out
    assert f"cannot confirm '{expect}'" in out


def test_rt_4_reply_routed_to_the_tgw_makes_an_internet_trace_unknown(
    joined: dict[str, str],
) -> None:
    """From 203.0.113.5 the request reaches web through the IGW, but web's table sends the
    reply to the TGW (203.0.113.0/24 beats 0.0.0.0/0): unknown, the return path ends at the
    TGW. From any other internet address the connection completes."""
    world = read_snapshot(joined["dir"]).world(Clock(settle_seconds=0.0))
    view = world.view(ACCOUNT, REGION)
    corporate = Flow(protocol="tcp", destination_port=443, source_ip="203.0.113.5")
    result = trace(view, "internet", joined["web"], corporate)
    assert not result.reachable and result.unanalysed_at is not None
    assert result.unanalysed_at.id == TGW
    assert result.forward[-1].component.id == joined["web"]
    assert result.reverse[-1].component.id == TGW
    elsewhere = Flow(protocol="tcp", destination_port=443, source_ip="192.0.2.7")
    assert trace(view, "internet", joined["web"], elsewhere).reachable


def test_rt_11_diff_reports_pairs_that_become_not_analysed(
    joined: dict[str, str], store: Store, tmp_path: Path, capsys: Any
) -> None:
    """The same account before the TGW routes were added, diffed against the export with them:
    web <-> db go from dropped to not analysed, and the diff says so (exit 1), never "closed"
    nor "no reachability changes"; the internet sources routed to the TGW are named too."""
    export_partitions(store, [(ACCOUNT, REGION)], tmp_path / "plain")
    assert main(["diff", str(tmp_path / "plain"), joined["dir"]]) == 1
    lines = capsys.readouterr().out.splitlines()
    pairs = [(joined["web"], joined["db"]), (joined["db"], joined["web"])]
    for source, destination in [*pairs, ("internet", joined["web"])]:
        assert (
            f"not analysed: {source} -> {destination} (its path leaves the modelled network "
            "after: opened or closed cannot be told)"
        ) in lines
    assert not [line for line in lines if line.startswith("closed")]
