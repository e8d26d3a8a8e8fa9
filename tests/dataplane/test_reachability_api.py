"""Reachability Analyzer through boto3: paths, analyses, components and explanations."""

from __future__ import annotations

from typing import Any

from tests.scenarios import world as w
from tests.support import aws_error


def _web(ec2: Any) -> tuple[str, str]:
    """A public web instance behind an IGW; returns (igw, instance)."""
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    return igw, w.instance(ec2, sub, w.open_group(ec2, vpc, "web", (443,)), public=True)


def _analyse(ec2: Any, **path: Any) -> dict[str, Any]:
    """Create a path, start an analysis, describe it until it has succeeded."""
    nip = ec2.create_network_insights_path(**path)["NetworkInsightsPath"]["NetworkInsightsPathId"]
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=nip)
    analysis = started["NetworkInsightsAnalysis"]
    assert analysis["Status"] == "running"
    for _ in range(50):
        found = ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[analysis["NetworkInsightsAnalysisId"]]
        )["NetworkInsightsAnalyses"][0]
        if found["Status"] == "succeeded":
            return dict(found)
    raise AssertionError("analysis never succeeded")


def test_ra_path_found_with_components_and_translation(ec2: Any) -> None:
    """IGW -> instance on 443: NetworkPathFound, the IGW rewrites the destination header."""
    igw, web = _web(ec2)
    found = _analyse(ec2, Source=igw, Destination=web, Protocol="tcp", DestinationPort=443)
    assert found["NetworkPathFound"] is True
    forward = found["ForwardPathComponents"]
    assert forward[0]["Component"]["Id"] == igw
    assert forward[0]["OutboundHeader"]["DestinationAddresses"] == [f"{w.private_ip(ec2, web)}/32"]
    assert any("AclRule" in c for c in forward)
    assert any(c.get("SecurityGroupRule", {}).get("Direction") == "ingress" for c in forward)
    assert [c["SequenceNumber"] for c in forward] == list(range(1, len(forward) + 1))
    assert found["ReturnPathComponents"][-1]["Component"]["Id"] == igw


def test_ra_eni_sg_rules_mismatch_explanation(ec2: Any) -> None:
    """Port 22 is not open: NetworkPathFound false with ENI_SG_RULES_MISMATCH."""
    igw, web = _web(ec2)
    found = _analyse(ec2, Source=igw, Destination=web, Protocol="tcp", DestinationPort=22)
    assert found["NetworkPathFound"] is False
    codes = [e["ExplanationCode"] for e in found["Explanations"]]
    assert codes == ["ENI_SG_RULES_MISMATCH"]
    assert found["Explanations"][0]["Direction"] == "ingress"


def test_ra_analysis_reflects_state_at_start(ec2: Any) -> None:
    """Changing the network after Start does not change the stored answer."""
    igw, web = _web(ec2)
    nip = ec2.create_network_insights_path(
        Source=igw, Destination=web, Protocol="tcp", DestinationPort=443
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    nia = ec2.start_network_insights_analysis(NetworkInsightsPathId=nip)["NetworkInsightsAnalysis"]
    ec2.terminate_instances(InstanceIds=[web])
    found = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[nia["NetworkInsightsAnalysisId"]]
    )["NetworkInsightsAnalyses"][0]
    assert found["NetworkPathFound"] is True


def test_ra_paths_describe_filter_delete_and_errors(ec2: Any) -> None:
    """Describe with filters, DependencyViolation while analyses exist, NotFound codes."""
    igw, web = _web(ec2)
    nip = ec2.create_network_insights_path(
        Source=igw, Destination=web, Protocol="tcp", DestinationPort=443
    )["NetworkInsightsPath"]
    assert nip["NetworkInsightsPathId"].startswith("nip-")
    listed = ec2.describe_network_insights_paths(Filters=[{"Name": "source", "Values": [igw]}])
    assert [p["NetworkInsightsPathId"] for p in listed["NetworkInsightsPaths"]] == [
        nip["NetworkInsightsPathId"]
    ]
    nia = ec2.start_network_insights_analysis(NetworkInsightsPathId=nip["NetworkInsightsPathId"])
    nia_id = nia["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    code, _ = aws_error(
        ec2.delete_network_insights_path, NetworkInsightsPathId=nip["NetworkInsightsPathId"]
    )
    assert code == "DependencyViolation"
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=nia_id)
    ec2.delete_network_insights_path(NetworkInsightsPathId=nip["NetworkInsightsPathId"])
    code, _ = aws_error(
        ec2.delete_network_insights_path, NetworkInsightsPathId="nip-0123456789abcdef0"
    )
    assert code == "InvalidNetworkInsightsPathId.NotFound"


def test_ra_filter_at_source_excludes_destination_port(ec2: Any) -> None:
    """FilterAtSource with DestinationPort is InvalidParameterCombination."""
    igw, web = _web(ec2)
    code, _ = aws_error(
        ec2.create_network_insights_path,
        Source=igw,
        Destination=web,
        Protocol="tcp",
        DestinationPort=443,
        FilterAtSource={"SourceAddress": "203.0.113.5"},
    )
    assert code == "InvalidParameterCombination"


def test_ra_status_filter_and_path_found_filter(ec2: Any) -> None:
    """Filters path-found and status select analyses."""
    igw, web = _web(ec2)
    _analyse(ec2, Source=igw, Destination=web, Protocol="tcp", DestinationPort=22)
    found = ec2.describe_network_insights_analyses(
        Filters=[
            {"Name": "path-found", "Values": ["false"]},
            {"Name": "status", "Values": ["succeeded"]},
        ]
    )["NetworkInsightsAnalyses"]
    assert len(found) == 1
