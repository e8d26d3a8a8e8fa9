"""The console's JSON endpoints (/_vpclab/api/*) on a real `vpclab serve`, checked against boto3
Describe output and the CLI's `vpclab trace/exposure --json` for the same state."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from tests.hardening.server import FAST_FAIL, http_client, start_server, stop_server
from tests.scenarios import world as w
from vpclab.cli.main import main
from vpclab.server.console_api import endpoint_spec

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-exec"


@dataclass
class Network:
    """A running server and the ids of what the module built on it."""

    endpoint: str
    ec2: Any
    vpc: str
    peer_vpc: str
    public: str
    private: str
    igw: str
    nat: str
    web: str
    db: str
    peer_host: str
    peering: str
    lambda_eni: str
    web_group: str


def get(endpoint: str, path: str, **query: Any) -> tuple[int, Any]:
    """GET a console endpoint; its status and decoded JSON, error or not."""
    url = endpoint + path + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def build(endpoint: str) -> Network:
    """Public + private subnets with IGW and NAT gateway, instances, a peer VPC and a Lambda ENI."""
    ec2 = http_client(endpoint)
    vpc = w.vpc(ec2)
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "app"}])
    public, private = w.subnet(ec2, vpc, "10.0.1.0/24"), w.subnet(ec2, vpc, "10.0.2.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, public), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]
    ec2.create_route(
        RouteTableId=w.table_of(ec2, private),
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=nat["NatGatewayId"],
    )
    web_group = w.open_group(ec2, vpc, "web", (80, 443))
    db_group = w.open_group(ec2, vpc, "db", (5432,))
    web = w.instance(ec2, public, web_group, public=True, Name="web")
    db = w.instance(ec2, private, db_group, Name="db")
    peer_vpc = w.vpc(ec2, "10.1.0.0/16")
    peer_subnet = w.subnet(ec2, peer_vpc, "10.1.1.0/24")
    peer_host = w.instance(ec2, peer_subnet, w.open_group(ec2, peer_vpc, "peer", (22,)))
    peering = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)
    peering_id = peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering_id)
    lam = boto3.session.Session().client(
        "lambda",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        endpoint_url=endpoint,
        config=FAST_FAIL,
    )
    lam.create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x03\x04 fake zip"},
        VpcConfig={"SubnetIds": [private], "SecurityGroupIds": [db_group]},
    )
    (lambda_eni,) = [
        e["NetworkInterfaceId"]
        for e in ec2.describe_network_interfaces()["NetworkInterfaces"]
        if e["InterfaceType"] == "lambda"
    ]
    return Network(
        endpoint=endpoint,
        ec2=ec2,
        vpc=vpc,
        peer_vpc=peer_vpc,
        public=public,
        private=private,
        igw=igw,
        nat=nat["NatGatewayId"],
        web=web,
        db=db,
        peer_host=peer_host,
        peering=peering_id,
        lambda_eni=lambda_eni,
        web_group=web_group,
    )


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    """One in-memory server (states settle at once) with the module's network on it."""
    proc, endpoint = start_server("--in-memory", "--settle-seconds", "0")
    try:
        yield build(endpoint)
    finally:
        stop_server(proc)


def topology_of(net: Network) -> dict[str, Any]:
    """The default partition's topology."""
    status, body = get(net.endpoint, "/_vpclab/api/topology")
    assert status == 200
    return dict(body)


def vpc_of(topology: dict[str, Any], vpc_id: str) -> dict[str, Any]:
    """One VPC of a topology."""
    (found,) = [v for v in topology["vpcs"] if v["id"] == vpc_id]
    return dict(found)


def subnets_of(vpc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A topology VPC's subnets by id."""
    return {s["id"]: s for az in vpc["azs"] for s in az["subnets"]}


def wire_form(value: Any) -> Any:
    """boto3's parsed output as the console's JSON carries it (timestamps as ISO 8601 with Z)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: wire_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire_form(v) for v in value]
    return value


def cli_json(capsys: Any, *argv: str) -> Any:
    """What a `vpclab` command prints with --json, run against the server's state."""
    capsys.readouterr()
    main([*argv, "--json"])
    return json.loads(capsys.readouterr().out)


# -- partitions, version -------------------------------------------------------------------------
def test_partitions_list_the_default_partition_with_its_version(net: Network) -> None:
    """The partition boto3 built in is listed, with the version the version endpoint reports."""
    status, body = get(net.endpoint, "/_vpclab/api/partitions")
    assert status == 200
    assert body["default"] == {"account": ACCOUNT, "region": "us-east-1"}
    (listed,) = [p for p in body["partitions"] if p["account"] == ACCOUNT]
    assert listed["region"] == "us-east-1"
    assert get(net.endpoint, "/_vpclab/api/version")[1] == {"version": listed["version"]}


def test_version_increments_after_a_change_and_topology_follows(net: Network) -> None:
    """A change through the API bumps the version; the next topology shows it at that version."""
    before = get(net.endpoint, "/_vpclab/api/version")[1]["version"]
    net.ec2.create_tags(Resources=[net.public], Tags=[{"Key": "Name", "Value": "front"}])
    after = get(net.endpoint, "/_vpclab/api/version")[1]["version"]
    assert after > before
    topology = topology_of(net)
    assert topology["version"] == after
    assert subnets_of(vpc_of(topology, net.vpc))[net.public]["name"] == "front"


def test_version_of_another_region_stays_and_bad_partitions_are_400(net: Network) -> None:
    """A change in one partition leaves another's version; bad account or region is 400."""
    elsewhere = get(net.endpoint, "/_vpclab/api/version", region="eu-west-1")
    net.ec2.create_tags(Resources=[net.vpc], Tags=[{"Key": "touched", "Value": "yes"}])
    assert get(net.endpoint, "/_vpclab/api/version", region="eu-west-1") == elsewhere
    status, body = get(net.endpoint, "/_vpclab/api/version", account="12")
    assert (status, body["error"]["code"]) == (400, "InvalidParameterValue")
    status, body = get(net.endpoint, "/_vpclab/api/topology", region="mars-north-1")
    assert (status, body["error"]["code"]) == (400, "InvalidParameterValue")


# -- topology ------------------------------------------------------------------------------------
def test_topology_vpcs_and_subnets_match_describe(net: Network) -> None:
    """Every VPC and subnet DescribeVpcs/DescribeSubnets report, with CIDRs, AZs and tables."""
    topology = topology_of(net)
    assert [v["id"] for v in topology["vpcs"]] == sorted(
        v["VpcId"] for v in net.ec2.describe_vpcs()["Vpcs"]
    )
    subnets = {s["id"]: s for v in topology["vpcs"] for s in subnets_of(v).values()}
    for described in net.ec2.describe_subnets()["Subnets"]:
        drawn = subnets[described["SubnetId"]]
        assert (drawn["cidr"], drawn["az"]) == (
            described["CidrBlock"],
            described["AvailabilityZone"],
        )
    app = vpc_of(topology, net.vpc)
    assert (app["name"], app["cidrs"], app["is_default"], app["state"]) == (
        "app",
        ["10.0.0.0/16"],
        False,
        "available",
    )
    assert subnets[net.public]["route_table_id"] == w.table_of(net.ec2, net.public)
    acl = net.ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [net.private]}]
    )["NetworkAcls"][0]
    assert subnets[net.private]["network_acl_id"] == acl["NetworkAclId"]
    assert [z["name"] for z in app["azs"]] == sorted(z["name"] for z in app["azs"])


def test_sub_8_topology_marks_a_subnet_public_by_its_igw_route(net: Network) -> None:
    """The subnet routing to the IGW is public; the one routing to the NAT gateway is not."""
    subnets = subnets_of(vpc_of(topology_of(net), net.vpc))
    assert subnets[net.public]["public"] is True
    assert subnets[net.private]["public"] is False


def test_topology_instances_and_enis_match_describe(net: Network) -> None:
    """Instances with their addresses, groups and ENIs; every ENI once, in its subnet."""
    subnets = {s["id"]: s for v in topology_of(net)["vpcs"] for s in subnets_of(v).values()}
    reservations = net.ec2.describe_instances()["Reservations"]
    for described in [i for r in reservations for i in r["Instances"]]:
        (drawn,) = [
            i
            for i in subnets[described["SubnetId"]]["instances"]
            if i["id"] == described["InstanceId"]
        ]
        assert drawn["private_ip"] == described["PrivateIpAddress"]
        assert drawn["public_ip"] == described.get("PublicIpAddress")
        assert drawn["state"] == described["State"]["Name"]
        assert drawn["eni_ids"] == [e["NetworkInterfaceId"] for e in described["NetworkInterfaces"]]
        assert drawn["security_group_ids"] == [g["GroupId"] for g in described["SecurityGroups"]]
    drawn_enis = [(s["id"], e["id"]) for s in subnets.values() for e in s["enis"]]
    described_enis = net.ec2.describe_network_interfaces()["NetworkInterfaces"]
    assert sorted(drawn_enis) == sorted(
        (e["SubnetId"], e["NetworkInterfaceId"]) for e in described_enis
    )
    drawn_by_id = {e["id"]: e for s in subnets.values() for e in s["enis"]}
    for described in described_enis:
        attachment = described.get("Attachment", {})
        assert drawn_by_id[described["NetworkInterfaceId"]] | {"name": None, "service": None} == {
            "id": described["NetworkInterfaceId"],
            "name": None,
            "private_ip": described["PrivateIpAddress"],
            "public_ip": described.get("Association", {}).get("PublicIp"),
            "interface_type": described["InterfaceType"],
            "description": described["Description"],
            "instance_id": attachment.get("InstanceId"),
            "security_group_ids": sorted(g["GroupId"] for g in described["Groups"]),
            "service": None,
        }
    web = next(i for i in subnets[net.public]["instances"] if i["id"] == net.web)
    assert web["name"] == "web" and web["public_ip"] is not None
    (web_eni,) = [e for e in subnets[net.public]["enis"] if e["id"] in web["eni_ids"]]
    assert (web_eni["instance_id"], web_eni["public_ip"]) == (net.web, web["public_ip"])


def test_topology_names_the_service_of_a_lambda_eni(net: Network) -> None:
    """The Lambda Hyperplane ENI is drawn as the function's: service lambda, no instance."""
    subnets = subnets_of(vpc_of(topology_of(net), net.vpc))
    (eni,) = [e for e in subnets[net.private]["enis"] if e["id"] == net.lambda_eni]
    assert (eni["service"], eni["interface_type"], eni["instance_id"]) == ("lambda", "lambda", None)
    assert all(e["service"] is None for e in subnets[net.public]["enis"])


def test_topology_gateways_tables_acls_groups_and_peering(net: Network) -> None:
    """IGW, NAT gateway, tables, ACLs, groups of the VPC and the peering, as Describe has them."""
    topology = topology_of(net)
    app = vpc_of(topology, net.vpc)
    assert [(g["id"], g["state"]) for g in app["internet_gateways"]] == [(net.igw, "available")]
    nat = net.ec2.describe_nat_gateways(NatGatewayIds=[net.nat])["NatGateways"][0]
    address = nat["NatGatewayAddresses"][0]
    assert app["nat_gateways"] == [
        {
            "id": net.nat,
            "name": None,
            "subnet_id": net.public,
            "state": nat["State"],
            "connectivity": "public",
            "public_ip": address["PublicIp"],
            "private_ip": address["PrivateIp"],
        }
    ]
    tables = net.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net.vpc]}])
    assert [t["id"] for t in app["route_tables"]] == sorted(
        t["RouteTableId"] for t in tables["RouteTables"]
    )
    assert sum(t["main"] for t in app["route_tables"]) == 1
    (default_acl,) = [a for a in app["network_acls"] if a["default"]]
    assert default_acl["subnet_ids"] == sorted([net.public, net.private])
    groups = {g["id"]: g["group_name"] for g in app["security_groups"]}
    assert groups[net.web_group] == "web" and "default" in groups.values()
    assert topology["peering_connections"] == [
        {
            "id": net.peering,
            "name": None,
            "status": "active",
            "requester_vpc_id": net.vpc,
            "accepter_vpc_id": net.peer_vpc,
        }
    ]


def test_amb_17_subnet_with_a_blackholed_igw_route_stays_public(net: Network) -> None:
    """Detaching the IGW blackholes the route but the subnet is still drawn public (AMB-17)."""
    ec2 = net.ec2
    vpc = w.vpc(ec2, "10.9.0.0/16")
    subnet = w.subnet(ec2, vpc, "10.9.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    table = w.table_of(ec2, subnet)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    (route,) = [
        r
        for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        if r.get("GatewayId") == igw
    ]
    assert route["State"] == "blackhole"
    drawn = vpc_of(topology_of(net), vpc)
    assert subnets_of(drawn)[subnet]["public"] is True
    assert drawn["internet_gateways"] == []


# -- resource ------------------------------------------------------------------------------------
def test_resource_is_exactly_what_describe_renders(net: Network) -> None:
    """For each kind, the side panel's `describe` equals boto3's Describe item for that id."""
    ec2 = net.ec2
    table = w.table_of(ec2, net.public)
    acl = ec2.describe_network_acls()["NetworkAcls"][0]["NetworkAclId"]
    web_eni = w.eni_of(ec2, net.web)
    allocation = ec2.describe_addresses()["Addresses"][0]["AllocationId"]
    cases = [
        ("vpc", net.vpc, ec2.describe_vpcs(VpcIds=[net.vpc])["Vpcs"]),
        ("subnet", net.public, ec2.describe_subnets(SubnetIds=[net.public])["Subnets"]),
        ("route-table", table, ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]),
        ("network-acl", acl, ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]),
        (
            "security-group",
            net.web_group,
            ec2.describe_security_groups(GroupIds=[net.web_group])["SecurityGroups"],
        ),
        (
            "internet-gateway",
            net.igw,
            ec2.describe_internet_gateways(InternetGatewayIds=[net.igw])["InternetGateways"],
        ),
        ("natgateway", net.nat, ec2.describe_nat_gateways(NatGatewayIds=[net.nat])["NatGateways"]),
        (
            "vpc-peering-connection",
            net.peering,
            ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[net.peering])[
                "VpcPeeringConnections"
            ],
        ),
        (
            "network-interface",
            web_eni,
            ec2.describe_network_interfaces(NetworkInterfaceIds=[web_eni])["NetworkInterfaces"],
        ),
        (
            "instance",
            net.web,
            ec2.describe_instances(InstanceIds=[net.web])["Reservations"][0]["Instances"],
        ),
        ("elastic-ip", allocation, ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]),
    ]
    for kind, resource_id, (described,) in cases:
        status, body = get(net.endpoint, "/_vpclab/api/resource", id=resource_id)
        assert status == 200, body
        assert (body["id"], body["kind"]) == (resource_id, kind)
        assert body["describe"] == wire_form(described), kind


def test_resource_route_table_and_group_carry_their_rules(net: Network) -> None:
    """A route table with its Routes and Associations; a group with both permission lists."""
    table = get(net.endpoint, "/_vpclab/api/resource", id=w.table_of(net.ec2, net.public))[1]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": net.igw}.items() <= next(
        r for r in table["describe"]["Routes"] if r.get("GatewayId") == net.igw
    ).items()
    assert table["describe"]["Associations"][0]["SubnetId"] == net.public
    group = get(net.endpoint, "/_vpclab/api/resource", id=net.web_group)[1]["describe"]
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [80, 443]
    assert group["IpPermissionsEgress"][0]["IpProtocol"] == "-1"


def test_resource_unknown_ids_are_404_with_the_describe_code(net: Network) -> None:
    """Unknown ids answer 404 with EC2's own not-found code; malformed ones 400; no id 400."""
    cases = {
        "vpc-0123456789abcdef0": (404, "InvalidVpcID.NotFound"),
        "i-0123456789abcdef0": (404, "InvalidInstanceID.NotFound"),
        "sg-0123456789abcdef0": (404, "InvalidGroup.NotFound"),
        "nat-0123456789abcdef0": (404, "NatGatewayNotFound"),
        "bogus-0123": (404, "InvalidID"),
        "vpc-xyz": (400, "InvalidVpcID.Malformed"),
    }
    for resource_id, expected in cases.items():
        status, body = get(net.endpoint, "/_vpclab/api/resource", id=resource_id)
        assert (status, body["error"]["code"]) == expected, resource_id
        assert body["error"]["message"]
    status, body = get(net.endpoint, "/_vpclab/api/resource")
    assert (status, body["error"]["code"]) == (400, "MissingParameter")


# -- trace and exposure --------------------------------------------------------------------------
def test_trace_admitted_equals_the_cli(net: Network, capsys: Any) -> None:
    """internet -> web:443 is reachable; the endpoint's JSON is the CLI's, hop by hop."""
    status, body = get(
        net.endpoint,
        "/_vpclab/api/trace",
        source="internet",
        destination=net.web,
        protocol="tcp",
        port=443,
    )
    assert status == 200
    cli = cli_json(
        capsys, "trace", "internet", net.web, "--port", "443", "--endpoint", net.endpoint
    )
    assert body == cli
    assert body["reachable"] is True and body["verdict"] == "reachable"
    assert {h["direction"] for h in body["forward"]} == {"forward"}
    assert {h["direction"] for h in body["reverse"]} == {"return"}
    igw_hop = next(h for h in body["forward"] if h["component"]["id"] == net.igw)
    assert igw_hop["verdict"] == "translated"
    translation = next(s["translation"] for s in igw_hop["steps"] if s.get("translation"))
    assert translation["field"] == "destination" and translation["after"] == w.private_ip(
        net.ec2, net.web
    )


def test_trace_blocked_equals_the_cli_with_the_deciding_setting(net: Network, capsys: Any) -> None:
    """web -> db:22 is dropped by db's group: same JSON as the CLI, the hop marked dropped."""
    status, body = get(
        net.endpoint, "/_vpclab/api/trace", source=net.web, destination=net.db, port=22
    )
    assert status == 200
    cli = cli_json(capsys, "trace", net.web, net.db, "--port", "22", "--endpoint", net.endpoint)
    assert body == cli
    assert body["reachable"] is False
    assert [e["code"] for e in body["explanations"]] == ["ENI_SG_RULES_MISMATCH"]
    dropped = [h for h in body["forward"] if h["verdict"] == "dropped"]
    assert dropped and "ENI_SG_RULES_MISMATCH" in dropped[-1]["explanation_codes"]


def test_trace_accepts_name_tags_and_addresses(net: Network) -> None:
    """A bare Name tag value and an IP address resolve as the ids they name."""
    by_id = get(net.endpoint, "/_vpclab/api/trace", source=net.web, destination=net.db, port=5432)
    by_name = get(net.endpoint, "/_vpclab/api/trace", source="web", destination="db", port=5432)
    by_ip = get(
        net.endpoint,
        "/_vpclab/api/trace",
        source="tag:Name=web",
        destination=w.private_ip(net.ec2, net.db),
        port=5432,
    )
    assert by_id[0] == by_name[0] == by_ip[0] == 200
    assert by_id[1]["reachable"] is True
    assert by_name[1] == by_id[1]
    assert by_ip[1]["forward"] == by_id[1]["forward"]


def test_trace_bad_input_is_400_and_unknown_ids_404(net: Network) -> None:
    """Bad protocol or port, missing endpoints, ambiguous names: 400; an unknown id: 404."""
    base = {"source": net.web, "destination": net.db}
    cases = [
        ({**base, "protocol": "sctp"}, 400, "InvalidParameterValue"),
        ({**base, "port": "http"}, 400, "InvalidParameterValue"),
        ({**base, "port": "70000"}, 400, "InvalidParameterValue"),
        ({**base, "port": "-1"}, 400, "InvalidParameterValue"),
        ({**base, "port": "\u0663"}, 400, "InvalidParameterValue"),  # a digit, but not ASCII
        ({"source": net.web}, 400, "MissingParameter"),
        ({**base, "source": "nobody-by-that-name"}, 400, "InvalidParameterValue"),
        ({**base, "destination": "i-0123456789abcdef0"}, 404, "InvalidInstanceID.NotFound"),
        ({**base, "source": "eni-0123456789abcdef0"}, 404, "InvalidNetworkInterfaceID.NotFound"),
    ]
    for query, status, code in cases:
        answer = get(net.endpoint, "/_vpclab/api/trace", **query)
        assert (answer[0], answer[1]["error"]["code"]) == (status, code), query


def test_exposure_equals_the_cli(net: Network, capsys: Any) -> None:
    """The exposure report is the CLI's; the public web server is in it on its open ports."""
    status, body = get(net.endpoint, "/_vpclab/api/exposure")
    assert status == 200
    assert body == cli_json(capsys, "exposure", "--endpoint", net.endpoint)
    web_eni = w.eni_of(net.ec2, net.web)
    assert any(web_eni in json.dumps(finding) for finding in body)
    assert not any(net.db in json.dumps(finding) for finding in body)


# -- HTTP edges ----------------------------------------------------------------------------------
def raw_get(endpoint: str, path: str, method: str = "GET") -> tuple[int, bytes]:
    """A request with the path sent exactly as written (no client-side normalisation)."""
    host, port = endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_console_assets_refuse_path_traversal(net: Network) -> None:
    """../ (plain or percent-encoded) under the assets path never reaches a file outside them."""
    for path in (
        "/_vpclab/console/assets/../../app.py",
        "/_vpclab/console/assets/..%2F..%2Fapp.py",
        "/_vpclab/console/assets/%2e%2e/%2e%2e/run.py",
        "/_vpclab/console/assets/../../../../../../etc/passwd",
    ):
        status, body = raw_get(net.endpoint, path)
        assert status in (400, 403, 404), path
        assert b"import" not in body and b"root:" not in body, path


def test_console_api_answers_get_only(net: Network) -> None:
    """A POST to a console endpoint is 405 in the console's error shape, not an EC2 call."""
    status, body = raw_get(net.endpoint, "/_vpclab/api/topology", "POST")
    assert status == 405
    assert json.loads(body)["error"]["code"] == "MethodNotAllowed"


def test_unknown_console_endpoint_is_404_naming_the_real_ones(net: Network) -> None:
    """A path under /_vpclab/api/ that is no endpoint: 404 in the console's shape, not EC2's."""
    status, body = get(net.endpoint, "/_vpclab/api/topologies")
    assert (status, body["error"]["code"]) == (404, "NotFound")
    assert "/_vpclab/api/topology" in body["error"]["message"]


def test_trace_follows_a_change_made_after_an_earlier_trace(net: Network) -> None:
    """Traces reuse a compiled network only while nothing changed: a new rule shows at once."""
    query = {"source": net.web, "destination": net.db, "port": 6379}
    assert get(net.endpoint, "/_vpclab/api/trace", **query)[1]["reachable"] is False
    db_group = net.ec2.describe_instances(InstanceIds=[net.db])["Reservations"][0]["Instances"][0][
        "SecurityGroups"
    ][0]["GroupId"]
    net.ec2.authorize_security_group_ingress(
        GroupId=db_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 6379,
                "ToPort": 6379,
                "UserIdGroupPairs": [{"GroupId": net.web_group}],
            }
        ],
    )
    assert get(net.endpoint, "/_vpclab/api/trace", **query)[1]["reachable"] is True


def test_trace_endpoints_read_bare_words_as_name_tags() -> None:
    """Ids, addresses, internet and tag: pass as the CLI reads them; any other word is a Name."""
    for spec in ("i-0123456789abcdef0", "eni-01234567", "10.0.1.5", "internet", "tag:Role=db"):
        assert endpoint_spec(spec) == spec
    for name in ("web", "subnet-a", "i-am-web", "db primary"):
        assert endpoint_spec(name) == f"tag:Name={name}"
