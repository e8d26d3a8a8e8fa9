"""StartNetworkInsightsAnalysis FilterInArns / FilterOutArns, and the path filters
FilterAtSource / FilterAtDestination, through boto3 with the codes of reachability.md §1.4 C."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.scenarios import world as w
from tests.scenarios.test_private_and_peering import _nat_world as _scenario_nat_world


def nat_world(ec2: Any) -> dict[str, str]:
    """The NAT gateway scenario (public and private subnets, app behind the NAT gateway) plus a
    public web server (443) and the NAT gateway's public address."""
    net = _scenario_nat_world(ec2)
    nat_ip = ec2.describe_nat_gateways(NatGatewayIds=[net["nat"]])["NatGateways"][0][
        "NatGatewayAddresses"
    ][0]["PublicIp"]
    web = w.instance(ec2, net["public"], w.open_group(ec2, net["vpc"], "web", (443,)), public=True)
    return net | {"nat_ip": nat_ip, "web": web}


def _arn(kind: str, resource_id: str) -> str:
    """An EC2 ARN of the default test account."""
    return f"arn:aws:ec2:us-east-1:123456789012:{kind}/{resource_id}"


def _analyse(ec2: Any, start: dict[str, Any] | None = None, **path: Any) -> dict[str, Any]:
    """Create a path, start an analysis with `start`'s extra members, describe the result."""
    nip = ec2.create_network_insights_path(Protocol="tcp", **path)["NetworkInsightsPath"]
    nia = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=nip["NetworkInsightsPathId"], **(start or {})
    )["NetworkInsightsAnalysis"]
    (found,) = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[nia["NetworkInsightsAnalysisId"]]
    )["NetworkInsightsAnalyses"]
    return dict(found)


def _app_out(ec2: Any, net: dict[str, str], start: dict[str, Any]) -> dict[str, Any]:
    """The app's way out to 8.8.8.8:443, analysed with `start`'s filters."""
    return _analyse(ec2, start, Source=net["app"], DestinationIp="8.8.8.8", DestinationPort=443)


def _codes(found: dict[str, Any]) -> list[str]:
    """The explanation codes of an analysis."""
    return [e["ExplanationCode"] for e in found.get("Explanations", [])]


def test_filter_in_arns_keeps_a_path_through_the_nat_gateway(ec2: Any) -> None:
    """The app's way out passes the NAT gateway: requiring it (by ARN) still finds the path."""
    net = nat_world(ec2)
    found = _app_out(ec2, net, {"FilterInArns": [_arn("natgateway", net["nat"])]})
    assert found["NetworkPathFound"] is True
    assert found["FilterInArns"] == [_arn("natgateway", net["nat"])]


def test_component_filter_restriction_when_no_path_passes_the_required_component(
    ec2: Any,
) -> None:
    """Requiring the web instance on the app's way out: COMPONENT_FILTER_RESTRICTION."""
    net = nat_world(ec2)
    found = _app_out(ec2, net, {"FilterInArns": [_arn("instance", net["web"])]})
    assert found["NetworkPathFound"] is False
    assert _codes(found) == ["COMPONENT_FILTER_RESTRICTION"]
    assert found["Explanations"][0]["Component"]["Id"] == net["web"]


def test_filter_out_arns_removes_the_only_path(ec2: Any) -> None:
    """Excluding the NAT gateway leaves the app no way out: not found, naming the NAT."""
    net = nat_world(ec2)
    found = _app_out(ec2, net, {"FilterOutArns": [_arn("natgateway", net["nat"])]})
    assert found["NetworkPathFound"] is False
    (explained,) = found["Explanations"]
    assert explained["Component"]["Id"] == net["nat"]
    assert found["FilterOutArns"] == [_arn("natgateway", net["nat"])]


def test_component_filter_restriction_removed_component(ec2: Any) -> None:
    """The IGW is reachable only through the excluded NAT gateway."""
    net = nat_world(ec2)
    found = _app_out(
        ec2,
        net,
        {
            "FilterInArns": [_arn("internet-gateway", net["igw"])],
            "FilterOutArns": [_arn("natgateway", net["nat"])],
        },
    )
    assert _codes(found) == ["COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT"]


def test_filter_out_arns_of_an_unrelated_resource_changes_nothing(ec2: Any) -> None:
    """Excluding a component the path does not pass leaves it found."""
    net = nat_world(ec2)
    found = _app_out(ec2, net, {"FilterOutArns": [_arn("instance", net["web"])]})
    assert found["NetworkPathFound"] is True


def test_filter_at_source_source_address_not_of_the_source(ec2: Any) -> None:
    """FilterAtSource.SourceAddress that the source ENI does not hold."""
    net = nat_world(ec2)
    found = _analyse(
        ec2,
        Source=net["app"],
        Destination=net["web"],
        FilterAtSource={"SourceAddress": "10.0.2.250"},
    )
    assert _codes(found) == ["FILTER_AT_SOURCE_SOURCE_ADDRESS"]


def test_filter_at_source_destination_address_not_of_the_destination(ec2: Any) -> None:
    """FilterAtSource.DestinationAddress that is no address of the destination instance."""
    net = nat_world(ec2)
    found = _analyse(
        ec2,
        Source=net["igw"],
        Destination=net["web"],
        FilterAtSource={
            "DestinationAddress": "203.0.113.77",
            "DestinationPortRange": {"FromPort": 443, "ToPort": 443},
        },
    )
    assert _codes(found) == ["FILTER_AT_SOURCE_DESTINATION_ADDRESS"]


def test_filter_at_destination_source_address_after_the_nat_gateway(ec2: Any) -> None:
    """At the destination the source is the NAT gateway's public address, not the app's."""
    net = nat_world(ec2)
    app_ip = w.private_ip(ec2, net["app"])
    wrong = _analyse(
        ec2,
        Source=net["app"],
        FilterAtDestination={"DestinationAddress": "8.8.8.8", "SourceAddress": app_ip},
    )
    assert _codes(wrong) == ["FILTER_AT_DESTINATION_SOURCE_ADDRESS"]
    right = _analyse(
        ec2,
        Source=net["app"],
        FilterAtDestination={"DestinationAddress": "8.8.8.8", "SourceAddress": net["nat_ip"]},
    )
    assert right["NetworkPathFound"] is True


def test_filter_at_destination_source_port_range_after_remapping(ec2: Any) -> None:
    """The NAT gateway remaps source ports into 1024-65535: asking for 0-1023 finds nothing."""
    net = nat_world(ec2)
    low = _analyse(
        ec2,
        Source=net["app"],
        FilterAtDestination={
            "DestinationAddress": "8.8.8.8",
            "SourcePortRange": {"FromPort": 0, "ToPort": 1023},
            "DestinationPortRange": {"FromPort": 443, "ToPort": 443},
        },
    )
    assert _codes(low) == ["FILTER_AT_DESTINATION_SOURCE_PORT_RANGE"]
    high = _analyse(
        ec2,
        Source=net["app"],
        FilterAtDestination={
            "DestinationAddress": "8.8.8.8",
            "SourcePortRange": {"FromPort": 2000, "ToPort": 3000},
        },
    )
    assert high["NetworkPathFound"] is True


def test_filter_at_destination_destination_port_range_disjoint_from_source_filter(
    ec2: Any,
) -> None:
    """Port 443 leaving the source but 22 arriving: destination ports are never rewritten."""
    net = nat_world(ec2)
    found = _analyse(
        ec2,
        Source=net["igw"],
        Destination=net["web"],
        FilterAtSource={"DestinationPortRange": {"FromPort": 443, "ToPort": 443}},
        FilterAtDestination={"DestinationPortRange": {"FromPort": 22, "ToPort": 22}},
    )
    assert _codes(found) == ["FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE"]


def test_filter_at_destination_destination_address_is_the_private_one(ec2: Any) -> None:
    """From the IGW, the web server receives at its private address (1:1 NAT, IGW-6)."""
    net = nat_world(ec2)
    found = ec2.describe_instances(InstanceIds=[net["web"]])["Reservations"][0]["Instances"][0]
    public, private = found["PublicIpAddress"], found["PrivateIpAddress"]
    ports = {"DestinationPortRange": {"FromPort": 443, "ToPort": 443}}
    wrong = _analyse(
        ec2,
        Source=net["igw"],
        Destination=net["web"],
        FilterAtDestination={"DestinationAddress": public, **ports},
    )
    assert _codes(wrong) == ["FILTER_AT_DESTINATION_DESTINATION_ADDRESS"]
    right = _analyse(
        ec2,
        Source=net["igw"],
        Destination=net["web"],
        FilterAtDestination={"DestinationAddress": private, **ports},
    )
    assert right["NetworkPathFound"] is True


def test_path_filters_with_bad_addresses_or_ranges_are_refused(ec2: Any) -> None:
    """Filter addresses are single IPv4 addresses and ranges ordered ports: else
    InvalidParameterValue at CreateNetworkInsightsPath, never a failed analysis."""
    net = nat_world(ec2)
    codes = set()
    for filters in (
        {"FilterAtSource": {"SourceAddress": "nonsense"}},
        {"FilterAtDestination": {"SourceAddress": "10.0.0.0/8"}},
        {"FilterAtDestination": {"DestinationAddress": "300.1.1.1"}},
        {"FilterAtSource": {"SourcePortRange": {"FromPort": 9, "ToPort": 5}}},
        {"FilterAtDestination": {"DestinationPortRange": {"FromPort": 1, "ToPort": 70000}}},
    ):
        with pytest.raises(ClientError) as error:
            ec2.create_network_insights_path(
                Source=net["igw"], Destination=net["web"], Protocol="tcp", **filters
            )
        codes.add(error.value.response["Error"]["Code"])
    assert codes == {"InvalidParameterValue"}
