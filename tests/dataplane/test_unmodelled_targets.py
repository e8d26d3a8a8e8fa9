"""Routes to components vpclab does not model (TGW, VGW, gateway endpoints, carrier gateways...).

Real accounts route to them, so an imported export keeps every such route with its exported
State. Longest-prefix match picks them as AWS would (RT-4, RT-6); a packet routed to one leaves
the modelled network there, and the verdict is unknown ("not analysed beyond it"), never
reachable and never a blackhole unless the export says blackhole (RT-12, RT-13).

The network is built through boto3, exported with the Describe handlers, given the routes a
real account would have (as `aws ec2 describe-route-tables` prints them), and imported back
into the same store, so the tracer, the Reachability Analyzer and `vpclab trace --state DIR`
all read the same export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scenarios import world as w
from tests.scenarios.test_private_and_peering import _nat_world
from vpclab.api.snapshot_export import export_partitions
from vpclab.cli.main import main
from vpclab.control.snapshot import import_snapshot, read_snapshot
from vpclab.control.store import Store
from vpclab.dataplane.trace import Trace

ACCOUNT, REGION = "123456789012", "us-east-1"
TGW, VGW, VPCE = "tgw-0a1b2c3d4e5f60718", "vgw-0a1b2c3d4e5f60718", "vpce-0a1b2c3d4e5f60718"
CARRIER, DEAD_TGW = "cagw-0a1b2c3d4e5f60718", "tgw-0dead0dead0dead00"
LOCAL_GW = "lgw-0a1b2c3d4e5f60718"
CORE = "arn:aws:networkmanager::123456789012:core-network/core-network-0a1b2c3d4e5f60718"
ON_PREMISES = "10.200.0.5"  # behind the TGW; 0.0.0.0/0 -> NAT would also cover it
BRANCH = "172.16.3.4"  # behind the VGW
EDGE = "198.51.100.7"  # behind the carrier gateway
PARKED = "10.99.0.9"  # behind a TGW route exported as a blackhole


def _routes(prefix_list: str) -> list[dict[str, Any]]:
    """The routes a real account's private table adds, as describe-route-tables prints them."""
    return [
        {"DestinationCidrBlock": "10.200.0.0/16", "TransitGatewayId": TGW, "State": "active"},
        {"DestinationCidrBlock": "172.16.0.0/12", "GatewayId": VGW, "State": "active"},
        {"DestinationPrefixListId": prefix_list, "GatewayId": VPCE, "State": "active"},
        {"DestinationCidrBlock": "198.51.100.0/24", "CarrierGatewayId": CARRIER, "State": "active"},
        {"DestinationCidrBlock": "192.168.0.0/16", "LocalGatewayId": LOCAL_GW, "State": "active"},
        {"DestinationCidrBlock": "100.64.0.0/10", "CoreNetworkArn": CORE, "State": "active"},
        {
            "DestinationCidrBlock": "10.99.0.0/16",
            "TransitGatewayId": DEAD_TGW,
            "State": "blackhole",
        },
    ]


def build_export(ec2: Any, store: Store, directory: Path) -> dict[str, str]:
    """A private instance whose default route is a NAT gateway, exported to `directory` with
    the routes of `_routes` added to its table; the ids and addresses the tests use."""
    world = _nat_world(ec2)
    table = w.table_of(ec2, world["private"])
    s3 = next(
        p for p in ec2.describe_prefix_lists()["PrefixLists"] if p["PrefixListName"].endswith(".s3")
    )
    export_partitions(store, [(ACCOUNT, REGION)], directory)
    folder = directory / "accounts" / ACCOUNT / REGION
    path = folder / "RouteTables.json"
    document = json.loads(path.read_text())
    for item in document["RouteTables"]:
        if item["RouteTableId"] == table:
            item["Routes"] += [{"Origin": "CreateRoute", **r} for r in _routes(s3["PrefixListId"])]
    path.write_text(json.dumps(document))
    # A real export's NAT gateway was created long ago (just now it would still be pending).
    nats = folder / "NatGateways.json"
    document = json.loads(nats.read_text())
    for item in document["NatGateways"]:
        item["CreateTime"] = "2024-01-02T03:04:05+00:00"
    nats.write_text(json.dumps(document))
    return {
        "app": world["app"],
        "table": table,
        "nat": world["nat"],
        "prefix_list": s3["PrefixListId"],
        "s3_address": s3["Cidrs"][0].split("/")[0],
        "dir": str(directory),
    }


@pytest.fixture
def imported(ec2: Any, store: Store, tmp_path: Path) -> dict[str, str]:
    """The export built above, imported back into the store the `ec2` client reads."""
    names = build_export(ec2, store, tmp_path / "export")
    import_snapshot(store, read_snapshot(names["dir"]))
    return names


def _trace(store: Store, source: str, destination: str, port: int = 443) -> Trace:
    """A TCP trace on the imported partition."""
    return w.trace_on(store, source, destination, protocol="tcp", destination_port=port)


def _last(result: Trace) -> Any:
    """The last forward hop's component."""
    return result.forward[-1].component


def test_rt_4_tgw_route_more_specific_than_default_to_nat_wins(
    imported: dict[str, str], store: Store
) -> None:
    """10.200.0.0/16 -> TGW beats 0.0.0.0/0 -> NAT for 10.200.0.5: the trace ends at the TGW
    with an unknown verdict, not at the NAT gateway (the wrong answer of a skipped route)."""
    result = _trace(store, imported["app"], ON_PREMISES)
    assert not result.reachable
    assert result.unanalysed_at is not None and result.unanalysed_at.id == TGW
    assert (
        result.verdict == f"unknown: leaves the modelled network via {TGW} (not analysed beyond it)"
    )
    assert (_last(result).kind, _last(result).id) == ("transit-gateway", TGW)
    route = next(s.route for s in result.steps() if s.route is not None)
    assert route.target_id == TGW and route.state == "active"
    assert imported["nat"] not in result.component_ids()
    assert result.codes == ("UNSUPPORTED_COMPONENT",)
    # Beyond the TGW's prefix the NAT gateway still carries the packet (RT-4).
    assert _trace(store, imported["app"], "8.8.8.8").reachable


def test_rt_11_vgw_route_leaves_via_the_vpn_gateway(imported: dict[str, str], store: Store) -> None:
    """172.16.0.0/12 -> vgw-: the trace stops at the VPN gateway, verdict unknown."""
    result = _trace(store, imported["app"], BRANCH)
    assert result.unanalysed_at is not None
    assert (result.unanalysed_at.kind, result.unanalysed_at.id) == ("vpn-gateway", VGW)
    assert not result.reachable


def test_rt_6_gateway_endpoint_prefix_list_route_beats_default_route(
    imported: dict[str, str], store: Store
) -> None:
    """pl-(S3) -> vpce-: an S3 address takes the endpoint route, not 0.0.0.0/0 -> NAT."""
    result = _trace(store, imported["app"], imported["s3_address"])
    assert result.unanalysed_at is not None
    assert (result.unanalysed_at.kind, result.unanalysed_at.id) == ("vpc-endpoint", VPCE)
    route = next(s.route for s in result.steps() if s.route is not None)
    assert route.prefix_list_id == imported["prefix_list"]


@pytest.mark.parametrize(
    ("address", "kind", "target"),
    [
        (EDGE, "carrier-gateway", CARRIER),
        ("192.168.4.4", "local-gateway", LOCAL_GW),
        ("100.64.1.1", "core-network", CORE),
    ],
)
def test_rt_11_carrier_local_gateway_and_core_network_routes_are_followed(
    imported: dict[str, str], store: Store, address: str, kind: str, target: str
) -> None:
    """Routes once skipped at import (so 0.0.0.0/0 -> NAT answered wrongly) now win."""
    result = _trace(store, imported["app"], address)
    assert result.unanalysed_at is not None
    assert (result.unanalysed_at.kind, result.unanalysed_at.id) == (kind, target)


def test_rt_13_exported_blackhole_stays_a_blackhole(imported: dict[str, str], store: Store) -> None:
    """10.99.0.0/16 -> a TGW, exported blackhole: dropped there, no fallback to the NAT route."""
    result = _trace(store, imported["app"], PARKED)
    assert not result.reachable and result.unanalysed_at is None
    assert result.verdict == "not reachable"
    assert "BAD_STATE_ROUTE" in result.codes


def test_rt_12_a_certain_drop_before_the_tgw_is_not_reachable_not_unknown(
    ec2: Any, imported: dict[str, str], store: Store
) -> None:
    """With the app's SG egress revoked the packet never reaches the TGW's route: the verdict
    is a certain "not reachable", even though the route leads out of the model."""
    instance = ec2.describe_instances(InstanceIds=[imported["app"]])
    group = instance["Reservations"][0]["Instances"][0]["SecurityGroups"][0]["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    result = _trace(store, imported["app"], ON_PREMISES)
    assert result.unanalysed_at is None and result.verdict == "not reachable"
    assert result.codes[0] == "SG_HAS_NO_RULES"


def _analysis(ec2: Any, source: str, address: str) -> dict[str, Any]:
    """A finished Reachability Analyzer analysis from an instance to an address, port 443."""
    path = ec2.create_network_insights_path(
        Source=source, DestinationIp=address, Protocol="tcp", DestinationPort=443
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=path)
    analysis_id = started["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    (analysis,) = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])[
        "NetworkInsightsAnalyses"
    ]
    return dict(analysis)


def test_rt_11_reachability_analyzer_reports_the_tgw_without_a_path_found(
    ec2: Any, imported: dict[str, str]
) -> None:
    """Through boto3: NetworkPathFound is false, the forward path ends at the TGW, the
    explanation names it in TransitGateway, the route shows TransitGatewayId, and the warning
    says it was not analysed beyond it (never BAD_STATE_ROUTE: the export says active)."""
    analysis = _analysis(ec2, imported["app"], ON_PREMISES)
    assert analysis["Status"] == "succeeded"
    assert analysis["NetworkPathFound"] is False
    assert "not analysed beyond it" in analysis["WarningMessage"]
    forward = analysis["ForwardPathComponents"]
    assert forward[-1]["Component"]["Id"] == TGW
    assert forward[-1]["Component"]["Arn"].endswith(f":transit-gateway/{TGW}")
    routes = [c["RouteTableRoute"] for c in forward if "RouteTableRoute" in c]
    assert routes[-1]["TransitGatewayId"] == TGW and routes[-1]["State"] == "active"
    (explanation,) = analysis["Explanations"]
    assert explanation["ExplanationCode"] == "UNSUPPORTED_COMPONENT"
    assert explanation["TransitGateway"]["Id"] == TGW


@pytest.mark.parametrize(
    ("address", "member", "target"),
    [(BRANCH, "VpnGateway", VGW), ("s3", "VpcEndpoint", VPCE), (EDGE, "Component", CARRIER)],
)
def test_rt_11_reachability_analyzer_names_vgw_endpoint_and_carrier_gateway(
    ec2: Any, imported: dict[str, str], address: str, member: str, target: str
) -> None:
    """The explanation names the VGW in VpnGateway and the gateway endpoint in VpcEndpoint
    (EC2's Explanation has no carrier gateway member: Component names it)."""
    analysis = _analysis(
        ec2, imported["app"], imported["s3_address"] if address == "s3" else address
    )
    assert analysis["NetworkPathFound"] is False
    (explanation,) = analysis["Explanations"]
    assert explanation[member]["Id"] == target
    assert analysis["ForwardPathComponents"][-1]["Component"]["Id"] == target


def test_rt_11_describe_route_tables_shows_each_target_in_its_own_field(
    ec2: Any, imported: dict[str, str]
) -> None:
    """Each imported route comes back in the field AWS reports it in, with its exported State."""
    (table,) = ec2.describe_route_tables(RouteTableIds=[imported["table"]])["RouteTables"]
    by_destination = {
        r.get("DestinationCidrBlock") or r.get("DestinationPrefixListId"): r
        for r in table["Routes"]
    }
    assert by_destination["10.200.0.0/16"]["TransitGatewayId"] == TGW
    assert by_destination["172.16.0.0/12"]["GatewayId"] == VGW
    assert by_destination[imported["prefix_list"]]["GatewayId"] == VPCE
    assert by_destination["198.51.100.0/24"]["CarrierGatewayId"] == CARRIER
    assert by_destination["192.168.0.0/16"]["LocalGatewayId"] == LOCAL_GW
    assert by_destination["100.64.0.0/10"]["CoreNetworkArn"] == CORE
    assert by_destination["10.99.0.0/16"]["State"] == "blackhole"
    assert by_destination["10.200.0.0/16"]["State"] == "active"
    gateways = ec2.describe_route_tables(Filters=[{"Name": "route.gateway-id", "Values": [VGW]}])
    assert [t["RouteTableId"] for t in gateways["RouteTables"]] == [imported["table"]]


def test_rt_11_trace_cli_on_the_export_exits_3_for_unknown(
    ec2: Any, store: Store, tmp_path: Path, capsys: Any
) -> None:
    """`vpclab trace --state DIR`: unknown is exit 3 (never 0), blackhole 1, NAT path 0."""
    names = build_export(ec2, store, tmp_path / "export")
    common = ["--port", "443", "--state", names["dir"]]
    assert main(["trace", names["app"], ON_PREMISES, *common]) == 3
    out = capsys.readouterr().out
    assert f"UNKNOWN: leaves the modelled network via {TGW}" in out
    assert "why vpclab cannot tell:" in out
    assert main(["trace", names["app"], PARKED, *common]) == 1
    assert main(["trace", names["app"], "8.8.8.8", *common]) == 0
