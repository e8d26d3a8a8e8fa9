"""Network Access Analyzer through boto3: scopes, analyses running -> succeeded, findings."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.scenarios import world as w
from vpclab.model.state import Clock

IGW_INGRESS = [
    {
        "Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
        "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}},
    }
]


def _public_and_private(ec2: Any) -> tuple[str, str]:
    """Public web (80, 443) and a private db (5432, no public IP); (web, db)."""
    vpc = w.vpc(ec2)
    public = w.subnet(ec2, vpc, "10.0.1.0/24")
    private = w.subnet(ec2, vpc, "10.0.2.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, public), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    web = w.instance(ec2, public, w.open_group(ec2, vpc, "web", (80, 443)), public=True)
    db = w.instance(ec2, private, w.open_group(ec2, vpc, "db", (5432,)))
    return web, db


def _analyse(ec2: Any, clock: Clock, match: list[Any], exclude: list[Any] | None = None) -> Any:
    """Create a scope, start an analysis, let it finish; the Describe answer for it."""
    kwargs: dict[str, Any] = {"MatchPaths": match, "ClientToken": "t"}
    if exclude:
        kwargs["ExcludePaths"] = exclude
    scope = ec2.create_network_insights_access_scope(**kwargs)
    scope_id = scope["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"]
    assert scope_id.startswith("nis-")
    started = ec2.start_network_insights_access_scope_analysis(
        NetworkInsightsAccessScopeId=scope_id, ClientToken="t"
    )["NetworkInsightsAccessScopeAnalysis"]
    assert started["Status"] == "running" and started["FindingsFound"] == "unknown"
    clock.advance(1.0)
    (done,) = ec2.describe_network_insights_access_scope_analyses(
        NetworkInsightsAccessScopeAnalysisIds=[started["NetworkInsightsAccessScopeAnalysisId"]]
    )["NetworkInsightsAccessScopeAnalyses"]
    return done


def test_igw_6_naa_igw_ingress_finds_only_the_public_web_server(ec2: Any, clock: Clock) -> None:
    """The IGW-ingress scope has one finding whose components run IGW -> ... -> web instance."""
    web, _ = _public_and_private(ec2)
    done = _analyse(ec2, clock, IGW_INGRESS)
    assert done["Status"] == "succeeded" and done["FindingsFound"] == "true"
    assert done["AnalyzedEniCount"] >= 2
    findings = ec2.get_network_insights_access_scope_analysis_findings(
        NetworkInsightsAccessScopeAnalysisId=done["NetworkInsightsAccessScopeAnalysisId"]
    )
    assert findings["AnalysisStatus"] == "succeeded"
    (finding,) = findings["AnalysisFindings"]
    components = finding["FindingComponents"]
    assert components[0]["Component"]["Id"].startswith("igw-")
    assert components[-1]["Component"]["Id"] == web


def test_igw_6_naa_exclude_paths_and_header_statements(ec2: Any, clock: Clock) -> None:
    """Excluding 80 and 443 leaves no finding; matching port 22 only finds nothing either."""
    _public_and_private(ec2)
    web_ports = [
        {
            **IGW_INGRESS[0],
            "Destination": {
                **IGW_INGRESS[0]["Destination"],
                "PacketHeaderStatement": {"DestinationPorts": ["80", "443"], "Protocols": ["tcp"]},
            },
        }
    ]
    assert _analyse(ec2, clock, IGW_INGRESS, web_ports)["FindingsFound"] == "false"
    ssh = [
        {**IGW_INGRESS[0], "Destination": {"PacketHeaderStatement": {"DestinationPorts": ["22"]}}}
    ]
    assert _analyse(ec2, clock, ssh)["FindingsFound"] == "false"


def test_naa_content_describe_and_delete(ec2: Any, clock: Clock) -> None:
    """Content echoes the paths; deleting a scope with analyses is a DependencyViolation."""
    _public_and_private(ec2)
    done = _analyse(ec2, clock, IGW_INGRESS)
    scope_id = done["NetworkInsightsAccessScopeId"]
    content = ec2.get_network_insights_access_scope_content(NetworkInsightsAccessScopeId=scope_id)
    assert (
        content["NetworkInsightsAccessScopeContent"]["MatchPaths"][0]["Source"]
        == (IGW_INGRESS[0]["Source"])
    )
    scopes = ec2.describe_network_insights_access_scopes()["NetworkInsightsAccessScopes"]
    assert [s["NetworkInsightsAccessScopeId"] for s in scopes] == [scope_id]
    with pytest.raises(ClientError) as error:
        ec2.delete_network_insights_access_scope(NetworkInsightsAccessScopeId=scope_id)
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    ec2.delete_network_insights_access_scope_analysis(
        NetworkInsightsAccessScopeAnalysisId=done["NetworkInsightsAccessScopeAnalysisId"]
    )
    ec2.delete_network_insights_access_scope(NetworkInsightsAccessScopeId=scope_id)
    with pytest.raises(ClientError) as error:
        ec2.get_network_insights_access_scope_content(NetworkInsightsAccessScopeId=scope_id)
    assert error.value.response["Error"]["Code"] == "InvalidNetworkInsightsAccessScopeId.NotFound"
