"""One trace per explanation code in scope, plus the data-plane rules that produce them."""

from __future__ import annotations

from typing import Any

from tests.scenarios import world as w
from vpclab.control.store import Store


def _public(ec2: Any) -> dict[str, str]:
    """VPC with a public subnet (IGW route) and a web instance with a public IP."""
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    table = w.table_of(ec2, sub)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    web = w.instance(ec2, sub, w.open_group(ec2, vpc, "web"), public=True)
    return {"vpc": vpc, "sub": sub, "igw": igw, "table": table, "web": web}


def test_sg_has_no_rules_when_groups_are_empty(ec2: Any, store: Store) -> None:
    """A group with its egress rule revoked and no ingress: SG_HAS_NO_RULES."""
    net = _public(ec2)
    bare = ec2.create_security_group(GroupName="bare", Description="b", VpcId=net["vpc"])["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=bare, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    lonely = w.instance(ec2, net["sub"], bare, public=True)
    result = w.trace_on(store, lonely, "internet", destination_port=443)
    assert "SG_HAS_NO_RULES" in result.codes


def test_amb_24_bad_state_stopped_instance(ec2: Any, store: Store) -> None:
    """A stopped instance passes no traffic: BAD_STATE naming the instance."""
    net = _public(ec2)
    ec2.stop_instances(InstanceIds=[net["web"]])
    result = w.trace_on(store, net["web"], "internet", destination_port=443)
    assert result.codes[0] == "BAD_STATE"
    assert result.explanations[0].component is not None
    assert result.explanations[0].component.id == net["web"]


def test_rt_12_bad_state_route_and_attachment_when_igw_detached(ec2: Any, store: Store) -> None:
    """A detached IGW blackholes its route: BAD_STATE_ROUTE and BAD_STATE_ATTACHMENT."""
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    app = w.instance(ec2, sub, w.open_group(ec2, vpc, "a"))
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    result = w.trace_on(store, app, "internet", destination_port=443)
    assert result.codes[:2] == ("BAD_STATE_ROUTE", "BAD_STATE_ATTACHMENT")


def test_amb_7_more_specific_blackhole_route_has_no_fallback(ec2: Any, store: Store) -> None:
    """A more specific blackhole route wins over the working default: MORE_SPECIFIC_ROUTE."""
    net = _public(ec2)
    other_igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    other_vpc = w.vpc(ec2, "10.9.0.0/16")
    ec2.attach_internet_gateway(InternetGatewayId=other_igw, VpcId=other_vpc)
    # A route to a peering that is never accepted is a blackhole (RT-10).
    pcx = ec2.create_vpc_peering_connection(VpcId=net["vpc"], PeerVpcId=other_vpc)
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.create_route(
        RouteTableId=net["table"],
        DestinationCidrBlock="198.51.100.0/24",
        VpcPeeringConnectionId=pcx_id,
    )
    result = w.trace_on(store, net["web"], "internet", destination_port=443)
    assert "BAD_STATE_ROUTE" in result.codes and "MORE_SPECIFIC_ROUTE" in result.codes


def test_igw_destination_rfc1918_egress_dropped(ec2: Any, store: Store) -> None:
    """A private destination routed to the IGW is dropped there."""
    net = _public(ec2)
    result = w.trace_on(store, net["web"], "192.168.7.7", destination_port=443)
    assert result.codes == ("IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",)


def test_igw_source_rfc1918_ingress_dropped(ec2: Any, store: Store) -> None:
    """An inbound packet claiming a private source is dropped at the IGW."""
    net = _public(ec2)
    result = w.trace_on(store, "internet", net["web"], destination_port=443, source_ip="10.9.9.9")
    assert "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS" in result.codes


def test_no_source_or_destination_for_unknown_resource(ec2: Any, store: Store) -> None:
    """An id that names nothing: NO_SOURCE_OR_DESTINATION."""
    _public(ec2)
    result = w.trace_on(store, "i-0123456789abcdef0", "internet")
    assert result.codes == ("NO_SOURCE_OR_DESTINATION",)


def test_eni_address_restriction_for_foreign_source_ip(ec2: Any, store: Store) -> None:
    """A source address the ENI does not own: ENI_ADDRESS_RESTRICTION."""
    net = _public(ec2)
    result = w.trace_on(store, net["web"], "internet", destination_port=443, source_ip="10.0.1.99")
    assert "ENI_ADDRESS_RESTRICTION" in result.codes


def test_amb_12_nat_gateway_does_not_serve_its_own_subnet(ec2: Any, store: Store) -> None:
    """Routing a subnet's traffic to a NAT gateway in that same subnet: NO_POSSIBLE_DESTINATION."""
    net = _public(ec2)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["sub"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"
    ]
    ec2.replace_route(RouteTableId=net["table"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    result = w.trace_on(store, net["web"], "internet", destination_port=443)
    assert result.codes == ("NO_POSSIBLE_DESTINATION",)


def test_nat_5_deleted_nat_gateway_blackholes_route(ec2: Any, store: Store) -> None:
    """A deleted NAT gateway: BAD_STATE_ROUTE and BAD_STATE of the gateway."""
    net = _public(ec2)
    private = w.subnet(ec2, net["vpc"], "10.0.2.0/24")
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["sub"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"
    ]
    ec2.create_route(
        RouteTableId=w.table_of(ec2, private), DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    app = w.instance(ec2, private, w.open_group(ec2, net["vpc"], "a"))
    ec2.delete_nat_gateway(NatGatewayId=nat)
    result = w.trace_on(store, app, "internet", destination_port=443)
    assert result.codes == ("BAD_STATE_ROUTE", "BAD_STATE")


def test_igw_12_private_nat_gateway_cannot_use_the_igw(ec2: Any, store: Store) -> None:
    """A private NAT gateway's traffic routed to the IGW is dropped (no public mapping)."""
    net = _public(ec2)
    private = w.subnet(ec2, net["vpc"], "10.0.2.0/24")
    nat = ec2.create_nat_gateway(SubnetId=net["sub"], ConnectivityType="private")["NatGateway"][
        "NatGatewayId"
    ]
    ec2.create_route(
        RouteTableId=w.table_of(ec2, private), DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    app = w.instance(ec2, private, w.open_group(ec2, net["vpc"], "a"))
    result = w.trace_on(store, app, "internet", destination_port=443)
    assert result.codes == ("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",)


def test_rt_18_same_subnet_skips_nacl_and_route_table(ec2: Any, store: Store) -> None:
    """Two ENIs of one subnet: no NACL or route-table hop even if the NACL denies all."""
    net = _public(ec2)
    other = w.instance(ec2, net["sub"], w.open_group(ec2, net["vpc"], "o"))
    acl = ec2.create_network_acl(VpcId=net["vpc"])["NetworkAcl"]["NetworkAclId"]
    assoc = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [net["sub"]]}]
    )
    current = next(
        a for a in assoc["NetworkAcls"][0]["Associations"] if a["SubnetId"] == net["sub"]
    )
    ec2.replace_network_acl_association(
        AssociationId=current["NetworkAclAssociationId"], NetworkAclId=acl
    )
    result = w.trace_on(store, net["web"], other, destination_port=22)
    assert result.reachable, result.explanations
    kinds = {h.component.kind for h in result.forward + result.reverse}
    assert kinds == {"instance"}


def test_vpc_22_dns_resolver_is_never_filtered(ec2: Any, store: Store) -> None:
    """Traffic to VPC+2 bypasses SGs and NACLs."""
    net = _public(ec2)
    result = w.trace_on(store, net["web"], "10.0.0.2", protocol="udp", destination_port=53)
    assert result.reachable


def test_pkt_0_icmp_echo_reply_needs_the_nacl_return_rule(ec2: Any, store: Store) -> None:
    """ICMP: the echo reply (type 0) is stateless at the NACL, tracked at the SG."""
    net = _public(ec2)
    other = w.instance(ec2, net["sub"], w.open_group(ec2, net["vpc"], "o"))
    result = w.trace_on(store, net["web"], other, protocol="icmp")
    assert result.codes == ("ENI_SG_RULES_MISMATCH",)


def test_disconnected_vpcs_without_any_peering(ec2: Any, store: Store) -> None:
    """Two VPCs with no peering at all: DISCONNECTED_VPCS and NO_ROUTE_TO_DESTINATION."""
    net = _public(ec2)
    far_vpc = w.vpc(ec2, "10.5.0.0/16")
    far = w.instance(ec2, w.subnet(ec2, far_vpc, "10.5.1.0/24"), w.open_group(ec2, far_vpc, "f"))
    result = w.trace_on(store, net["web"], far, destination_port=22)
    assert result.codes[0] == "DISCONNECTED_VPCS"


def test_sg_12_open_internet_source_finds_the_admitted_address_class(
    ec2: Any, store: Store
) -> None:
    """SG admits only 203.0.113.0/24: from 'the internet' the path is found for that class."""
    net = _public(ec2)
    only = ec2.create_security_group(GroupName="only", Description="o", VpcId=net["vpc"])["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=only,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "203.0.113.0/24"}],
            }
        ],
    )
    target = w.instance(ec2, net["sub"], only, public=True)
    result = w.trace_on(store, "internet", target, destination_port=443)
    assert result.reachable
    assert result.flow is not None and result.flow.source == "203.0.113.0"
    assert not w.trace_on(
        store, "internet", target, destination_port=443, source_ip="8.8.8.8"
    ).reachable
