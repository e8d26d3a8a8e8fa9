"""Scenarios: private subnet behind a NAT gateway, the NACL ephemeral-port trap, NAT instance, peering."""

from __future__ import annotations

from typing import Any

from tests.scenarios import world as w
from vpclab.control.store import Store


def _nat_world(ec2: Any) -> dict[str, str]:
    """Public subnet with a NAT gateway, private subnet routing 0.0.0.0/0 to it."""
    vpc = w.vpc(ec2)
    public = w.subnet(ec2, vpc, "10.0.1.0/24")
    private = w.subnet(ec2, vpc, "10.0.2.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, public), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    ec2.create_route(
        RouteTableId=w.table_of(ec2, private), DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    app = w.instance(ec2, private, w.open_group(ec2, vpc, "app"))
    return {"vpc": vpc, "public": public, "private": private, "igw": igw, "nat": nat, "app": app}


def test_nat_6_private_instance_reaches_internet_through_nat_gateway(
    ec2: Any, store: Store
) -> None:
    """SNAT to the NAT's private IP (ports remapped), then its EIP at the IGW; replies come back."""
    net = _nat_world(ec2)
    result = w.trace_on(store, net["app"], "internet", destination_port=443)
    assert result.reachable, result.explanations
    ids = [h.component.id for h in result.forward]
    assert ids.index(net["nat"]) < ids.index(net["igw"])
    notes = [e.code for s in result.steps() for e in s.explanations if not e.blocking]
    assert "REMAP_EPHEMERAL_PORT" in notes and "NGW_SOURCE_ADDRESS_REASSIGN" in notes
    assert result.reverse[-1].component.id == net["app"]


def test_nat_8_internet_cannot_open_connection_to_private_instance(ec2: Any, store: Store) -> None:
    """The private instance has no public address: inbound is refused at the IGW."""
    net = _nat_world(ec2)
    result = w.trace_on(store, "internet", net["app"], destination_port=22)
    assert not result.reachable
    assert "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS" in result.codes


def test_nacl_8_ephemeral_port_trap_names_the_return_rule(ec2: Any, store: Store) -> None:
    """A custom NACL opening only 443 in and 32768-60999 out: reachable only for those source ports."""
    net = _nat_world(ec2)
    web = w.instance(ec2, net["public"], w.open_group(ec2, net["vpc"], "web"), public=True)
    acl = ec2.create_network_acl(VpcId=net["vpc"])["NetworkAcl"]["NetworkAclId"]
    for egress, rule, ports in ((False, 100, (443, 443)), (True, 100, (32768, 60999))):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=rule,
            Protocol="6",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": ports[0], "To": ports[1]},
        )
    assoc = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [net["public"]]}]
    )["NetworkAcls"][0]["Associations"]
    current = next(a for a in assoc if a["SubnetId"] == net["public"])
    ec2.replace_network_acl_association(
        AssociationId=current["NetworkAclAssociationId"], NetworkAclId=acl
    )
    open_ports = w.trace_on(store, "internet", web, destination_port=443)
    assert open_ports.reachable
    assert open_ports.verdict == "reachable only for source ports 32768-60999"
    trapped = w.trace_on(store, "internet", web, destination_port=443, source_port=1025)
    assert not trapped.reachable
    assert trapped.codes == ("SUBNET_ACL_RESTRICTION",)
    assert trapped.explanations[0].direction == "egress"
    assert trapped.explanations[0].acl_rule is not None
    assert trapped.explanations[0].acl_rule.rule_number == 32767


def test_nati_2_nat_instance_needs_source_dest_check_off(ec2: Any, store: Store) -> None:
    """Route to a NAT instance: blocked by its source/dest check until it is turned off."""
    vpc = w.vpc(ec2)
    public = w.subnet(ec2, vpc, "10.0.1.0/24")
    private = w.subnet(ec2, vpc, "10.0.2.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, public), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    nat_group = ec2.create_security_group(GroupName="nat", Description="nat", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nat_group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
    )
    nat = w.instance(ec2, public, nat_group, public=True)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, private), DestinationCidrBlock="0.0.0.0/0", InstanceId=nat
    )
    app = w.instance(ec2, private, w.open_group(ec2, vpc, "app"))
    blocked = w.trace_on(store, app, "internet", destination_port=443)
    assert not blocked.reachable
    assert "ENI_SOURCE_DEST_CHECK_RESTRICTION" in blocked.codes
    ec2.modify_instance_attribute(InstanceId=nat, SourceDestCheck={"Value": False})
    passing = w.trace_on(store, app, "internet", destination_port=443)
    assert passing.reachable, passing.explanations
    assert any(
        s.translation and s.translation.after == w.private_ip(ec2, nat) for s in passing.steps()
    )


def _peered(ec2: Any, cidrs: tuple[str, str, str]) -> dict[str, str]:
    """Three VPCs A, B, C; A peers with B and with C (a hub)."""
    out: dict[str, str] = {}
    for name, cidr in zip("abc", cidrs, strict=True):
        vpc = w.vpc(ec2, cidr)
        sub = w.subnet(ec2, vpc, cidr.replace("/16", "/24"))
        out[name], out[name + "_sub"] = vpc, sub
        out[name + "_i"] = w.instance(ec2, sub, w.open_group(ec2, vpc, "g" + name))
    for far in "bc":
        pcx = ec2.create_vpc_peering_connection(VpcId=out["a"], PeerVpcId=out[far])
        pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        out["pcx_" + far] = pcx_id
    return out


def _route(ec2: Any, subnet: str, cidr: str, pcx: str) -> None:
    """A route to a peering."""
    ec2.create_route(
        RouteTableId=w.table_of(ec2, subnet), DestinationCidrBlock=cidr, VpcPeeringConnectionId=pcx
    )


def test_pcx_8_full_peering_with_routes_both_ways(ec2: Any, store: Store) -> None:
    """Routes for the whole peer CIDR on both sides: reachable, via the peering."""
    net = _peered(ec2, ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"))
    _route(ec2, net["a_sub"], "10.1.0.0/16", net["pcx_b"])
    _route(ec2, net["b_sub"], "10.0.0.0/16", net["pcx_b"])
    result = w.trace_on(store, net["a_i"], net["b_i"], destination_port=22)
    assert result.reachable, result.explanations
    assert any(h.component.id == net["pcx_b"] for h in result.forward)


def test_pcx_12_partial_peering_without_return_route_fails(ec2: Any, store: Store) -> None:
    """A route only one way: the reply has no route back (NO_ROUTE_TO_DESTINATION on return)."""
    net = _peered(ec2, ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"))
    _route(ec2, net["a_sub"], "10.1.0.0/24", net["pcx_b"])
    result = w.trace_on(store, net["a_i"], net["b_i"], destination_port=22)
    assert not result.reachable
    assert result.codes == ("NO_ROUTE_TO_DESTINATION",)
    assert result.reverse and not result.forward[-1].blocked


def test_pcx_10_transitive_routing_through_hub_is_dropped(ec2: Any, store: Store) -> None:
    """B routes C's CIDR to the A-B peering: PCX_REQUIRES_ADDRESS_IN_VPC_CIDR (non-transitive)."""
    net = _peered(ec2, ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"))
    _route(ec2, net["b_sub"], "10.2.0.0/16", net["pcx_b"])
    result = w.trace_on(store, net["b_i"], net["c_i"], destination_port=22)
    assert not result.reachable
    assert result.codes == ("DISCONNECTED_VPCS", "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR")


def test_pcx_9_cannot_route_when_peering_route_misses_the_address(ec2: Any, store: Store) -> None:
    """The only peering route covers 10.1.0.0/24; an address beyond it: CANNOT_ROUTE."""
    net = _peered(ec2, ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"))
    _route(ec2, net["a_sub"], "10.1.0.0/24", net["pcx_b"])
    ec2.create_route(
        RouteTableId=w.table_of(ec2, net["a_sub"]),
        DestinationCidrBlock="10.1.0.0/16",
        VpcPeeringConnectionId=net["pcx_c"],
    )
    result = w.trace_on(
        store, net["a_i"], net["pcx_b"], destination_port=22, destination_ip="10.1.7.7"
    )
    assert result.codes == ("CANNOT_ROUTE",)
    assert result.explanations[0].route is not None
    assert result.explanations[0].route.destination == "10.1.0.0/24"
