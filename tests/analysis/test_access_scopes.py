"""Network Access Analyzer through boto3: scopes, analyses running -> succeeded, findings."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dataplane.test_explanation_codes import group_admitting
from tests.dataplane.test_filter_arns import nat_world
from tests.scenarios import world as w
from tests.support import public_private, public_web_private_db
from vpclab.control.store import Store
from vpclab.model.state import Clock

IGW = "AWS::EC2::InternetGateway"
BUILTIN_NAMES = ("All-IGW-Ingress", "AWS-IGW-Egress", "AWS-VPC-Ingress", "AWS-VPC-Egress")
IGW_INGRESS = [
    {
        "Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
        "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}},
    }
]


def _public_subnet(ec2: Any) -> tuple[str, str, str]:
    """A VPC with a subnet routed to its internet gateway: (vpc, subnet, igw)."""
    net = public_private(ec2, private=False)
    return net["vpc"], net["public"], net["igw"]


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
    web = public_web_private_db(ec2)["web"]
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
    public_web_private_db(ec2)
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
    public_web_private_db(ec2)
    done = _analyse(ec2, clock, IGW_INGRESS)
    scope_id = done["NetworkInsightsAccessScopeId"]
    content = ec2.get_network_insights_access_scope_content(NetworkInsightsAccessScopeId=scope_id)
    assert (
        content["NetworkInsightsAccessScopeContent"]["MatchPaths"][0]["Source"]
        == (IGW_INGRESS[0]["Source"])
    )
    scopes = ec2.describe_network_insights_access_scopes()["NetworkInsightsAccessScopes"]
    assert scope_id in [s["NetworkInsightsAccessScopeId"] for s in scopes]
    assert len(scopes) == 1 + len(BUILTIN_NAMES)
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


ENI_TO_IGW = [
    {
        "Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}},
        "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
    }
]


def _findings(ec2: Any, done: dict[str, Any]) -> list[dict[str, Any]]:
    """Every finding of a finished analysis, page by page (MaxResults 5)."""
    out: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        page = ec2.get_network_insights_access_scope_analysis_findings(
            NetworkInsightsAccessScopeAnalysisId=done["NetworkInsightsAccessScopeAnalysisId"],
            MaxResults=5,
            **token,
        )
        out.extend(page["AnalysisFindings"])
        if "NextToken" not in page:
            return out
        token = {"NextToken": page["NextToken"]}


def _ends(finding: dict[str, Any]) -> tuple[str, str]:
    """The first and last component ids of a finding."""
    components = finding["FindingComponents"]
    return components[0]["Component"]["Id"], components[-1]["Component"]["Id"]


def _packets(finding: dict[str, Any]) -> dict[str, Any]:
    """The packets of a finding: its first component's outbound header."""
    header: dict[str, Any] = finding["FindingComponents"][0]["OutboundHeader"]
    return header


def test_naa_public_instance_open_to_the_world_on_22(ec2: Any, clock: Clock) -> None:
    """The documented case: an instance in a public subnet admitting 0.0.0.0/0 on port 22 is
    a finding of All-IGW-Ingress, from all public sources, on port 22, through its IGW."""
    vpc, sub, igw = _public_subnet(ec2)
    bastion = w.instance(ec2, sub, w.open_group(ec2, vpc, "ssh", (22,)), public=True)
    closed = ec2.create_security_group(GroupName="closed", Description="c", VpcId=vpc)["GroupId"]
    w.instance(ec2, sub, closed, public=True)
    scope = _builtin(ec2, "All-IGW-Ingress")
    done = _analyse_scope(ec2, clock, scope)
    assert done["FindingsFound"] == "true"
    assert done["AnalyzedEniCount"] == 2
    (finding,) = _findings(ec2, done)
    assert _ends(finding) == (igw, bastion)
    packets = _packets(finding)
    assert packets["Protocol"] == "tcp"
    assert packets["DestinationPortRanges"] == [{"From": 22, "To": 22}]
    assert packets["DestinationAddresses"] == [f"{w.private_ip(ec2, bastion)}/32"]
    assert "8.8.8.0/21" not in packets["SourceAddresses"]
    assert "10.0.0.0/8" not in packets["SourceAddresses"]
    assert "128.0.0.0/3" in packets["SourceAddresses"]


def _builtin(ec2: Any, name: str) -> str:
    """The id of an Amazon created scope, found by its Name tag."""
    scopes = ec2.describe_network_insights_access_scopes(
        Filters=[{"Name": "tag:Name", "Values": [name]}]
    )["NetworkInsightsAccessScopes"]
    (scope,) = [s for s in scopes if {"Key": "Name", "Value": name} in s["Tags"]]
    return str(scope["NetworkInsightsAccessScopeId"])


def _analyse_scope(ec2: Any, clock: Clock, scope_id: str) -> Any:
    """Analyse an existing scope and return the finished analysis."""
    started = ec2.start_network_insights_access_scope_analysis(
        NetworkInsightsAccessScopeId=scope_id, ClientToken="t"
    )["NetworkInsightsAccessScopeAnalysis"]
    clock.advance(1.0)
    (done,) = ec2.describe_network_insights_access_scope_analyses(
        NetworkInsightsAccessScopeAnalysisIds=[started["NetworkInsightsAccessScopeAnalysisId"]]
    )["NetworkInsightsAccessScopeAnalyses"]
    return done


def test_naa_builtin_scopes_are_listed_by_name_with_content(ec2: Any) -> None:
    """The four Amazon created scopes exist in every account, with their statements."""
    listed = ec2.describe_network_insights_access_scopes()["NetworkInsightsAccessScopes"]
    names = sorted(t["Value"] for s in listed for t in s["Tags"] if t["Key"] == "Name")
    assert names == sorted(BUILTIN_NAMES)
    egress = ec2.get_network_insights_access_scope_content(
        NetworkInsightsAccessScopeId=_builtin(ec2, "AWS-IGW-Egress")
    )["NetworkInsightsAccessScopeContent"]
    assert egress["MatchPaths"] == ENI_TO_IGW
    vpc_ingress = ec2.get_network_insights_access_scope_content(
        NetworkInsightsAccessScopeId=_builtin(ec2, "AWS-VPC-Ingress")
    )["NetworkInsightsAccessScopeContent"]
    sources = vpc_ingress["MatchPaths"][0]["Source"]["ResourceStatement"]["ResourceTypes"]
    assert "AWS::EC2::VPCPeeringConnection" in sources
    with pytest.raises(ClientError):
        ec2.delete_network_insights_access_scope(
            NetworkInsightsAccessScopeId=_builtin(ec2, "AWS-IGW-Egress")
        )


def test_naa_igw_egress_finds_direct_and_nat_gateway_paths(ec2: Any, clock: Clock) -> None:
    """AWS-IGW-Egress: the web server leaves directly, the app through the NAT gateway."""
    net = nat_world(ec2)
    done = _analyse_scope(ec2, clock, _builtin(ec2, "AWS-IGW-Egress"))
    found = _findings(ec2, done)
    owners = {c["FindingComponents"][0]["Component"]["Id"] for c in found}
    assert owners == {net["web"], net["app"]}
    for finding in found:
        assert finding["FindingComponents"][-1]["Component"]["Id"] == net["igw"]
    via_nat = [f for f in found if _ends(f)[0] == net["app"]]
    assert via_nat and all(
        net["nat"] in [c["Component"]["Id"] for c in f["FindingComponents"]] for f in via_nat
    )


def test_naa_through_resources_nat_gateway(ec2: Any, clock: Clock) -> None:
    """ThroughResources NatGateway keeps only the app's way out, by type and by id."""
    net = nat_world(ec2)
    for statement in (
        {"ResourceTypes": ["AWS::EC2::NatGateway"]},
        {"Resources": [net["nat"]]},
    ):
        through = [{**ENI_TO_IGW[0], "ThroughResources": [{"ResourceStatement": statement}]}]
        found = _findings(ec2, _analyse(ec2, clock, through))
        assert {_ends(f)[0] for f in found} == {net["app"]}


def test_naa_exclude_paths_remove_a_destination(ec2: Any, clock: Clock) -> None:
    """Excluding the web instance by id leaves nothing of IGW ingress."""
    web = public_web_private_db(ec2)["web"]
    exclude = [{"Destination": {"ResourceStatement": {"Resources": [web]}}}]
    assert _analyse(ec2, clock, IGW_INGRESS, exclude)["FindingsFound"] == "false"
    assert _analyse(ec2, clock, IGW_INGRESS)["FindingsFound"] == "true"


def test_naa_header_statement_narrows_ports_and_sources(ec2: Any, clock: Clock) -> None:
    """DestinationPorts 443 and SourceAddresses 203.0.113.0/24 narrow the finding to them;
    excluding 203.0.113.128/25 leaves the lower half."""
    web = public_web_private_db(ec2)["web"]
    narrow = [
        {
            **IGW_INGRESS[0],
            "Source": {
                **IGW_INGRESS[0]["Source"],
                "PacketHeaderStatement": {"SourceAddresses": ["203.0.113.0/24"]},
            },
            "Destination": {
                **IGW_INGRESS[0]["Destination"],
                "PacketHeaderStatement": {"DestinationPorts": ["443"], "Protocols": ["tcp"]},
            },
        }
    ]
    exclude = [{"Source": {"PacketHeaderStatement": {"SourceAddresses": ["203.0.113.128/25"]}}}]
    (finding,) = _findings(ec2, _analyse(ec2, clock, narrow, exclude))
    assert _ends(finding)[1] == web
    packets = _packets(finding)
    assert packets["DestinationPortRanges"] == [{"From": 443, "To": 443}]
    assert packets["SourceAddresses"] == ["203.0.113.0/25"]


def test_naa_source_prefix_list(ec2: Any, clock: Clock) -> None:
    """SourcePrefixLists: the finding's sources are the list's CIDRs."""
    public_web_private_db(ec2)
    plist = ec2.create_managed_prefix_list(
        PrefixListName="office",
        MaxEntries=2,
        AddressFamily="IPv4",
        Entries=[{"Cidr": "198.51.100.0/24"}],
    )["PrefixList"]["PrefixListId"]
    office = [
        {**IGW_INGRESS[0], "Source": {"PacketHeaderStatement": {"SourcePrefixLists": [plist]}}}
    ]
    done = _analyse(ec2, clock, office)
    (finding,) = _findings(ec2, done)
    assert _packets(finding)["SourceAddresses"] == ["198.51.100.0/24"]
    ec2.delete_managed_prefix_list(PrefixListId=plist)
    again = _analyse_scope(ec2, clock, done["NetworkInsightsAccessScopeId"])
    assert again["Status"] == "succeeded" and again["FindingsFound"] == "false"


def test_naa_between_two_subnets_on_a_port(ec2: Any, clock: Clock) -> None:
    """A documented example: traffic from one subnet to another, on the database port."""
    vpc = w.vpc(ec2)
    app_subnet, db_subnet = w.subnet(ec2, vpc, "10.0.1.0/24"), w.subnet(ec2, vpc, "10.0.2.0/24")
    app = w.instance(ec2, app_subnet, w.open_group(ec2, vpc, "app", (443,)))
    db = w.instance(ec2, db_subnet, w.open_group(ec2, vpc, "db", (5432,)))
    path = [
        {
            "Source": {"ResourceStatement": {"Resources": [app_subnet]}},
            "Destination": {
                "ResourceStatement": {"Resources": [db_subnet]},
                "PacketHeaderStatement": {"DestinationPorts": ["5000-6000"]},
            },
        }
    ]
    (finding,) = _findings(ec2, _analyse(ec2, clock, path))
    assert _ends(finding) == (app, db)
    assert _packets(finding)["DestinationPortRanges"] == [{"From": 5432, "To": 5432}]


def _peered(ec2: Any) -> dict[str, str]:
    """Two VPCs of the account peered and routed to each other, a subnet in each."""
    vpc_a, vpc_b = w.vpc(ec2), w.vpc(ec2, "10.1.0.0/16")
    sub_a, sub_b = w.subnet(ec2, vpc_a, "10.0.1.0/24"), w.subnet(ec2, vpc_b, "10.1.1.0/24")
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)["VpcPeeringConnection"]
    pcx_id = pcx["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    for sub, cidr in ((sub_a, "10.1.0.0/16"), (sub_b, "10.0.0.0/16")):
        ec2.create_route(
            RouteTableId=w.table_of(ec2, sub),
            DestinationCidrBlock=cidr,
            VpcPeeringConnectionId=pcx_id,
        )
    return {"vpc_a": vpc_a, "vpc_b": vpc_b, "sub_a": sub_a, "sub_b": sub_b, "pcx": pcx_id}


def test_naa_vpc_ingress_through_a_peering(ec2: Any, clock: Clock) -> None:
    """AWS-VPC-Ingress: a peer VPC reaching an instance through the peering connection;
    AWS-VPC-Egress: the instance reaching the whole peer VPC through it."""
    net = _peered(ec2)
    a = w.instance(ec2, net["sub_a"], w.open_group(ec2, net["vpc_a"], "a", (22,)))
    done = _analyse_scope(ec2, clock, _builtin(ec2, "AWS-VPC-Ingress"))
    found = [f for f in _findings(ec2, done) if _ends(f) == (net["pcx"], a)]
    assert found
    assert _packets(found[0])["SourceAddresses"] == ["10.1.0.0/16"]
    assert _packets(found[0])["DestinationPortRanges"] == [{"From": 22, "To": 22}]
    done = _analyse_scope(ec2, clock, _builtin(ec2, "AWS-VPC-Egress"))
    out = [f for f in _findings(ec2, done) if _ends(f) == (a, net["pcx"])]
    assert {_packets(f)["Protocol"] for f in out} == {"tcp", "udp"}
    assert all(_packets(f)["DestinationAddresses"] == ["10.1.0.0/16"] for f in out)


def test_naa_vpc_ingress_from_a_referenced_peer_group(ec2: Any, clock: Clock) -> None:
    """A's database admits only the peer VPC's app group (SG-13): the finding's sources are
    exactly the app instance's address, however the rest of the peer CIDR is classed."""
    net = _peered(ec2)
    app_group = w.open_group(ec2, net["vpc_b"], "app", (443,))
    app = w.instance(ec2, net["sub_b"], app_group)
    db_group = group_admitting(ec2, net["vpc_a"], "db", 5432, app_group)
    db = w.instance(ec2, net["sub_a"], db_group)
    done = _analyse_scope(ec2, clock, _builtin(ec2, "AWS-VPC-Ingress"))
    (finding,) = [f for f in _findings(ec2, done) if _ends(f) == (net["pcx"], db)]
    assert _packets(finding)["SourceAddresses"] == [f"{w.private_ip(ec2, app)}/32"]
    assert _packets(finding)["DestinationPortRanges"] == [{"From": 5432, "To": 5432}]


def test_naa_pagination_and_determinism(ec2: Any, clock: Clock) -> None:
    """Six exposed instances: pages of 5 give each finding once, and a second analysis of the
    same state gives the same findings in the same order."""
    vpc, sub, _ = _public_subnet(ec2)
    group = w.open_group(ec2, vpc, "web", (443,))
    servers = {w.instance(ec2, sub, group, public=True) for _ in range(6)}
    first = _findings(ec2, _analyse(ec2, clock, IGW_INGRESS))
    second = _findings(ec2, _analyse(ec2, clock, IGW_INGRESS))
    assert {_ends(f)[1] for f in first} == servers
    assert len({f["FindingId"] for f in first}) == len(first) == 6
    assert [f["FindingComponents"] for f in first] == [f["FindingComponents"] for f in second]


def test_naa_invalid_statements_are_refused(ec2: Any) -> None:
    """Ids and types together, an unknown type, a bad CIDR, a missing prefix list."""
    cases = [
        ({"ResourceStatement": {"Resources": ["igw-1"], "ResourceTypes": [IGW]}}, None),
        ({"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Nothing"]}}, None),
        ({"PacketHeaderStatement": {"SourceAddresses": ["300.1.1.0/24"]}}, None),
        ({"PacketHeaderStatement": {"SourcePrefixLists": ["pl-0123456789abcdef0"]}}, None),
        ({"PacketHeaderStatement": {"DestinationPorts": ["70000"]}}, None),
    ]
    codes = []
    for source, _ in cases:
        with pytest.raises(ClientError) as error:
            ec2.create_network_insights_access_scope(
                MatchPaths=[{"Source": source}], ClientToken="t"
            )
        codes.append(error.value.response["Error"]["Code"])
    assert codes == [
        "InvalidParameterCombination",
        "InvalidParameterValue",
        "InvalidParameterValue",
        "InvalidPrefixListID.NotFound",
        "InvalidParameterValue",
    ]


def test_naa_igw_egress_agrees_with_the_tracer(ec2: Any, store: Store, clock: Clock) -> None:
    """Complete: the instances with a TCP finding of AWS-IGW-Egress are exactly those the
    concrete tracer walks to an internet address and back (a stopped one has none)."""
    net = nat_world(ec2)
    closed = ec2.create_security_group(GroupName="shut", Description="s", VpcId=net["vpc"])
    ec2.revoke_security_group_egress(
        GroupId=closed["GroupId"],
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    w.instance(ec2, net["public"], closed["GroupId"], public=True)
    stopped = w.instance(ec2, net["private"], w.open_group(ec2, net["vpc"], "s"))
    ec2.stop_instances(InstanceIds=[stopped])
    found = _findings(ec2, _analyse_scope(ec2, clock, _builtin(ec2, "AWS-IGW-Egress")))
    in_findings = {_ends(f)[0] for f in found if _packets(f)["Protocol"] == "tcp"}
    instances = [
        i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
    ]
    traced = {
        i for i in instances if w.trace_on(store, i, "8.8.8.8", destination_port=443).reachable
    }
    assert in_findings == traced == {net["web"], net["app"]}


def test_naa_scope_created_from_a_template_name(ec2: Any, clock: Clock) -> None:
    """No paths and a Name tag naming an Amazon created scope: a copy of its content."""
    web = public_web_private_db(ec2)["web"]
    created = ec2.create_network_insights_access_scope(
        ClientToken="t",
        TagSpecifications=[
            {
                "ResourceType": "network-insights-access-scope",
                "Tags": [{"Key": "Name", "Value": "AWS-IGW-Egress"}],
            }
        ],
    )
    assert created["NetworkInsightsAccessScopeContent"]["MatchPaths"] == ENI_TO_IGW
    scope_id = created["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"]
    found = _findings(ec2, _analyse_scope(ec2, clock, scope_id))
    assert {_ends(f)[0] for f in found} == {web}
    with pytest.raises(ClientError) as error:
        ec2.create_network_insights_access_scope(ClientToken="t")
    assert error.value.response["Error"]["Code"] == "MissingParameter"
