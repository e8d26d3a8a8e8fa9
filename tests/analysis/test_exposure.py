"""Internet exposure on the documented scenarios, each finding confirmed by the concrete tracer."""

from __future__ import annotations

from typing import Any

from tests.analysis.test_matrix_peering import vpc_with_nat
from tests.scenarios import world
from tests.support import public_web_private_db
from vpclab.control.store import Store
from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.flow import Flow, PortSet
from vpclab.dataplane.queries import Exposure, internet_exposure, reachability_matrix
from vpclab.dataplane.tracer import trace
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION


def _exposures(store: Store) -> list[Exposure]:
    """The exposure answer on the store's default partition."""
    findings: list[Exposure] = internet_exposure(
        compile_view(store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)).home
    )
    return findings


def _confirmed(store: Store, finding: Exposure, port: int) -> bool:
    """Whether the tracer agrees an internet host at the finding's first source gets through."""
    flow = Flow(
        protocol=finding.protocol,
        source_ip=finding.sources[-1][0],
        destination_port=port,
        source_port=finding.source_ports.spans[0][0],
    )
    view = store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)
    return bool(trace(view, "internet", finding.owner_id, flow).reachable)


def test_igw_6_public_subnet_web_server_exposed_on_its_open_ports(ec2: Any, store: Store) -> None:
    """Only the public web server is exposed, on 80 and 443, from all public space."""
    web = public_web_private_db(ec2)["web"]
    findings = _exposures(store)
    assert {f.owner_id for f in findings} == {web}
    (tcp,) = findings
    assert tcp.protocol == "tcp"
    assert tcp.destination_ports == PortSet.from_spans([(80, 80), (443, 443)])
    assert tcp.source_ports == PortSet.of(0, 65535)
    assert tcp.internet_gateway.startswith("igw-")
    assert tcp.sources[0][1] == "9.255.255.255"
    assert ("11.0.0.0", "100.63.255.255") in tcp.sources
    assert all(not a.startswith("10.") for a, _ in tcp.sources)
    assert {r.from_port for r in tcp.sg_rules} == {80, 443}
    assert _confirmed(store, tcp, 443)
    assert "tcp 80, 443" in tcp.describe()


def test_nacl_4_exposure_needs_the_return_path_through_the_nacl(ec2: Any, store: Store) -> None:
    """A NACL letting port 443 in but replies out only to 1024-65535 narrows client ports."""
    net = public_web_private_db(ec2)
    vpc, web = net["vpc"], net["web"]
    subnet = ec2.describe_instances(InstanceIds=[web])["Reservations"][0]["Instances"][0][
        "SubnetId"
    ]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 443, "To": 443},
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=True,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 1024, "To": 65535},
    )
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"][0]
    association = next(
        a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    (finding,) = _exposures(store)
    assert finding.destination_ports == PortSet.single(443)
    assert finding.source_ports == PortSet.of(1024, 65535)
    assert {r.rule_number for r in finding.acl_rules} == {100}
    assert _confirmed(store, finding, 443)
    low_port = Flow(protocol="tcp", source_ip="1.2.3.4", destination_port=443, source_port=80)
    view = store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)
    assert not trace(view, "internet", web, low_port).reachable


def test_igw_8_no_exposure_without_a_route_to_the_igw(ec2: Any, store: Store) -> None:
    """A public address alone exposes nothing when the subnet has no route to the IGW."""
    vpc = world.vpc(ec2)
    subnet = world.subnet(ec2, vpc, "10.0.1.0/24")
    world.internet_gateway(ec2, vpc)
    world.instance(ec2, subnet, world.open_group(ec2, vpc, "web"), public=True)
    assert _exposures(store) == []


def test_igw_7_exposure_and_matrix_agree_across_vpcs(ec2: Any, store: Store) -> None:
    """Two VPCs: B's web server (public, IGW route) is exposed and reachable from A's private
    app through A's NAT gateway; B's server with a public address in a subnet routing to a NAT
    gateway is neither exposed nor reachable (its replies leave from the NAT's address)."""
    a, b = vpc_with_nat(ec2, 0), vpc_with_nat(ec2, 1)
    app = world.instance(ec2, a["private"], world.open_group(ec2, a["vpc"], "app"))
    web = world.instance(
        ec2, b["public"], world.open_group(ec2, b["vpc"], "web", (80,)), public=True
    )
    hidden = world.instance(
        ec2, b["private"], world.open_group(ec2, b["vpc"], "hidden", (80,)), public=True
    )
    assert {f.owner_id for f in _exposures(store)} == {web}
    part = compile_view(store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)).home
    enis = sorted(i.primary_eni_id for i in part.instances.values())
    open_to = {
        (part.enis[s].owner.id, part.enis[d].owner.id): cell.public_space
        for cell in reachability_matrix(part, enis)
        for s in cell.sources
        for d in cell.destinations
    }
    to_web, to_hidden = open_to[(app, web)], open_to[(app, hidden)]
    assert to_web is not None and to_web.destination_ports("tcp") == PortSet.single(80)
    assert to_hidden is not None and to_hidden.is_empty()
