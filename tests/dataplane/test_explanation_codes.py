"""One trace per explanation code in scope, plus the data-plane rules that produce them."""

from __future__ import annotations

from typing import Any

from tests.dataplane.test_filter_arns import nat_world
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


# -- the remaining codes in scope ----------------------------------------------------------------
# Codes of reachability.md §1.4 that need resources vpclab does not model, so no test can trigger
# them and the tracer never emits them: the ELB_*/ELBV2_*, GWLB_*, TGW_*, VGW_*, VPCE_*,
# FIREWALL_RULES_RESTRICTION, BAD_STATE_VPN, INGRESS_RTB_*, REGIONAL_NGW_ROUTE_AZ_RESTRICTION,
# SG_REFERENCING_SUPPORT, TARGET_*_RESTRICTION and VPC_BLOCK_PUBLIC_ACCESS_ENABLED codes.
# FILTER_AT_SOURCE_PROTOCOL / FILTER_AT_DESTINATION_PROTOCOL cannot arise: PathRequestFilter
# has no protocol field and every vpclab endpoint accepts both TCP and UDP. IGW_NAT_REFLECTION is
# deliberately not emitted: the data plane delivers a hairpin through the IGW and vpclab traces it.
# IGW_DESTINATION_ADDRESS_IN_VPC_CIDRS cannot arise: vpclab maps a public address only to a
# private address of an ENI, which always lies in its VPC's CIDRs. BAD_STATE_VPN, UNKNOWN_*
# (other than UNKNOWN_PEERED_SGS) need resources or failures vpclab does not have.

OTHER_ACCOUNT = "111122223333"


def group_admitting(
    ec2: Any, vpc: str, name: str, port: int, source_group: str, owner: str | None = None
) -> str:
    """A new group admitting one TCP port only from the members of another group (SG-13)."""
    group: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    pair = {"GroupId": source_group} | ({"UserId": owner} if owner else {})
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [pair]}
        ],
    )
    return group


def _ra(ec2: Any, accounts: tuple[str, ...] = (), **path: Any) -> dict[str, Any]:
    """One Reachability Analyzer analysis of a new path through boto3, once it has succeeded."""
    nip = ec2.create_network_insights_path(Protocol="tcp", **path)["NetworkInsightsPath"]
    extra = {"AdditionalAccounts": list(accounts)} if accounts else {}
    nia = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=nip["NetworkInsightsPathId"], **extra
    )["NetworkInsightsAnalysis"]
    (found,) = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[nia["NetworkInsightsAnalysisId"]]
    )["NetworkInsightsAnalyses"]
    assert found["Status"] == "succeeded"
    return dict(found)


def _codes(found: dict[str, Any]) -> list[str]:
    """The explanation codes of an analysis."""
    return [e["ExplanationCode"] for e in found.get("Explanations", [])]


def test_code_ngw_requires_source_in_vpc(ec2: Any) -> None:
    """An appliance (source/dest check off) forwards a foreign source to the NAT gateway."""
    net = nat_world(ec2)
    ec2.modify_instance_attribute(InstanceId=net["app"], SourceDestCheck={"Value": False})
    found = _ra(
        ec2,
        Source=net["app"],
        SourceIp="192.168.50.5",
        DestinationIp="8.8.8.8",
        DestinationPort=443,
    )
    assert found["NetworkPathFound"] is False
    assert "NGW_REQUIRES_SOURCE_IN_VPC" in _codes(found)
    (explained,) = [e for e in found["Explanations"] if e["ExplanationCode"].startswith("NGW")]
    assert explained["Component"]["Id"] == net["nat"]


def test_code_protocol_restriction_nat_gateway_drops_gre(ec2: Any, store: Store) -> None:
    """GRE (protocol 47) through a NAT gateway: it translates only TCP, UDP and ICMP (NAT-7)."""
    net = nat_world(ec2)
    result = w.trace_on(store, net["app"], "8.8.8.8", protocol="47")
    assert "PROTOCOL_RESTRICTION" in result.codes
    assert w.trace_on(store, net["app"], "8.8.8.8", destination_port=443).reachable


def test_code_vpc_local_route_cidr_restriction(ec2: Any) -> None:
    """An instance of the same VPC asked for at an address outside the VPC's CIDRs."""
    net = _public(ec2)
    other = w.instance(ec2, net["sub"], w.open_group(ec2, net["vpc"], "o"))
    found = _ra(
        ec2, Source=net["web"], Destination=other, DestinationIp="10.9.0.7", DestinationPort=22
    )
    assert _codes(found) == ["VPC_LOCAL_ROUTE_CIDR_RESTRICTION"]
    assert _ra(ec2, Source=net["web"], Destination=other, DestinationPort=22)["NetworkPathFound"]


def test_code_gateway_rejects_spoofed_traffic(ec2: Any) -> None:
    """From the internet with a source inside the (publicly addressed) VPC's own CIDR."""
    vpc = w.vpc(ec2, "52.95.0.0/16")
    sub = w.subnet(ec2, vpc, "52.95.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    web = w.instance(ec2, sub, w.open_group(ec2, vpc, "web"), public=True)
    spoofed = _ra(ec2, Source=igw, SourceIp="52.95.7.7", Destination=web, DestinationPort=443)
    # The reply to a spoofed source stays in the VPC, where no interface holds it.
    assert _codes(spoofed) == ["GATEWAY_REJECTS_SPOOFED_TRAFFIC", "NO_POSSIBLE_DESTINATION"]
    assert spoofed["Explanations"][0]["Component"]["Id"] == igw
    fine = _ra(ec2, Source=igw, SourceIp="8.8.8.8", Destination=web, DestinationPort=443)
    assert fine["NetworkPathFound"] is True


def test_code_sg_references_not_preserved_through_an_appliance(ec2: Any, store: Store) -> None:
    """B admits A's group; routed through a middlebox the reference no longer matches (SG-14)."""
    vpc = w.vpc(ec2)
    sub_a, sub_x, sub_b = (w.subnet(ec2, vpc, f"10.0.{n}.0/24") for n in (1, 2, 3))
    group_a = w.open_group(ec2, vpc, "a")
    a = w.instance(ec2, sub_a, group_a)
    x = w.instance(ec2, sub_x, w.open_group(ec2, vpc, "x"))
    ec2.modify_instance_attribute(InstanceId=x, SourceDestCheck={"Value": False})
    group_b = group_admitting(ec2, vpc, "b", 22, group_a)
    b = w.instance(ec2, sub_b, group_b)
    assert w.trace_on(store, a, b, destination_port=22).reachable
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub_a),
        DestinationCidrBlock="10.0.3.0/24",
        NetworkInterfaceId=w.eni_of(ec2, x),
    )
    found = _ra(ec2, Source=a, Destination=b, DestinationPort=22)
    assert _codes(found) == ["SG_REFERENCES_NOT_PRESERVED"]
    assert found["Explanations"][0]["SecurityGroups"][0]["Id"] == group_b


def _cross_account_peers(ec2: Any, other: Any) -> dict[str, str]:
    """VPC A (caller) and VPC B (another account) peered and routed, an instance in each."""
    vpc_a, vpc_b = w.vpc(ec2), w.vpc(other, "10.1.0.0/16")
    sub_a, sub_b = w.subnet(ec2, vpc_a, "10.0.1.0/24"), w.subnet(other, vpc_b, "10.1.1.0/24")
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b, PeerOwnerId=OTHER_ACCOUNT)
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    other.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    for client, sub, cidr in ((ec2, sub_a, "10.1.0.0/16"), (other, sub_b, "10.0.0.0/16")):
        client.create_route(
            RouteTableId=w.table_of(client, sub),
            DestinationCidrBlock=cidr,
            VpcPeeringConnectionId=pcx_id,
        )
    group_b = w.open_group(other, vpc_b, "b")
    b = w.instance(other, sub_b, group_b)
    group_a = group_admitting(ec2, vpc_a, "a", 5432, group_b, OTHER_ACCOUNT)
    a = w.instance(ec2, sub_a, group_a)
    return {"a": a, "b": b, "pcx": pcx_id, "group_b": group_b}


def test_code_unknown_peered_sgs_without_the_peer_account(ec2: Any, make_client: Any) -> None:
    """A's rule references B's group in another account: unreadable unless B is an
    AdditionalAccount, so the rule is treated as deny (UNKNOWN_PEERED_SGS)."""
    other = make_client(access_key=OTHER_ACCOUNT)
    net = _cross_account_peers(ec2, other)
    blind = _ra(ec2, Source=net["b"], Destination=net["a"], DestinationPort=5432)
    assert _codes(blind) == ["UNKNOWN_PEERED_SGS"]
    seen = _ra(ec2, (OTHER_ACCOUNT,), Source=net["b"], Destination=net["a"], DestinationPort=5432)
    assert seen["NetworkPathFound"] is True


def test_ra_cross_account_peer_instance_is_a_destination_by_id(ec2: Any, make_client: Any) -> None:
    """An instance of the peer VPC in another account is named by id; its partition is the
    peering's accepter side, and the components carry that account in their ARNs."""
    other = make_client(access_key=OTHER_ACCOUNT)
    net = _cross_account_peers(ec2, other)
    path = ec2.create_network_insights_path(
        Source=net["a"], Destination=net["b"], Protocol="tcp", DestinationPort=22
    )["NetworkInsightsPath"]
    assert path["DestinationArn"] == f"arn:aws:ec2:us-east-1:{OTHER_ACCOUNT}:instance/{net['b']}"
    found = _ra(ec2, Source=net["a"], Destination=net["b"], DestinationPort=22)
    assert found["NetworkPathFound"] is True, found.get("Explanations")
    last = found["ForwardPathComponents"][-1]["Component"]
    assert last["Id"] == net["b"] and f":{OTHER_ACCOUNT}:" in last["Arn"]
    assert net["pcx"] in [c["Component"]["Id"] for c in found["ForwardPathComponents"]]


def test_ra_inter_region_peer_eni_is_a_destination_by_id(ec2: Any, make_client: Any) -> None:
    """An ENI of a peer VPC in another region, named by its id alone."""
    west = make_client(region="us-west-2")
    vpc_a, vpc_b = w.vpc(ec2), w.vpc(west, "10.1.0.0/16")
    sub_a, sub_b = w.subnet(ec2, vpc_a, "10.0.1.0/24"), w.subnet(west, vpc_b, "10.1.1.0/24")
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b, PeerRegion="us-west-2")
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    for client, sub, cidr in ((ec2, sub_a, "10.1.0.0/16"), (west, sub_b, "10.0.0.0/16")):
        client.create_route(
            RouteTableId=w.table_of(client, sub),
            DestinationCidrBlock=cidr,
            VpcPeeringConnectionId=pcx_id,
        )
    a = w.instance(ec2, sub_a, w.open_group(ec2, vpc_a, "a"))
    eni_b = w.eni_of(west, w.instance(west, sub_b, w.open_group(west, vpc_b, "b")))
    found = _ra(ec2, Source=a, Destination=eni_b, DestinationPort=443)
    assert found["NetworkPathFound"] is True, found.get("Explanations")
    assert ":us-west-2:" in found["ForwardPathComponents"][-1]["Component"]["Arn"]


def test_code_higher_priority_route_cidr_beats_prefix_list(ec2: Any, store: Store) -> None:
    """A blackhole CIDR route beats a working prefix-list route of the same prefix (RT-6)."""
    net = _public(ec2)
    plist = ec2.create_managed_prefix_list(
        PrefixListName="partners",
        MaxEntries=2,
        AddressFamily="IPv4",
        Entries=[{"Cidr": "203.0.113.0/24"}],
    )["PrefixList"]["PrefixListId"]
    ec2.create_route(RouteTableId=net["table"], DestinationPrefixListId=plist, GatewayId=net["igw"])
    assert w.trace_on(store, net["web"], "203.0.113.5", destination_port=443).reachable
    other_vpc = w.vpc(ec2, "10.9.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=net["vpc"], PeerVpcId=other_vpc)
    ec2.create_route(
        RouteTableId=net["table"],
        DestinationCidrBlock="203.0.113.0/24",
        VpcPeeringConnectionId=pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"],
    )
    found = _ra(ec2, Source=net["web"], DestinationIp="203.0.113.5", DestinationPort=443)
    assert _codes(found) == ["BAD_STATE_ROUTE", "BAD_STATE", "HIGHER_PRIORITY_ROUTE"]
    assert found["Explanations"][2]["RouteTableRoute"]["DestinationCidr"] == "203.0.113.0/24"


def test_code_ngw_dest_address_preservation(ec2: Any) -> None:
    """To a private instance at the NAT gateway's public address: no destination rewrite."""
    net = nat_world(ec2)
    found = _ra(
        ec2,
        Source=net["igw"],
        Destination=net["app"],
        DestinationIp=net["nat_ip"],
        DestinationPort=22,
    )
    assert "NGW_DEST_ADDRESS_PRESERVATION" in _codes(found)


def test_code_igw_expects_public_address(ec2: Any) -> None:
    """An IGW as the source with a private SourceIp."""
    net = _public(ec2)
    found = _ra(
        ec2, Source=net["igw"], SourceIp="10.1.2.3", Destination=net["web"], DestinationPort=443
    )
    assert _codes(found) == ["IGW_EXPECTS_PUBLIC_ADDRESS"]


def test_code_igw_rfc6598_egress_and_ingress(ec2: Any, store: Store) -> None:
    """Shared address space (100.64.0.0/10) is dropped at the IGW both ways."""
    net = _public(ec2)
    out = _ra(ec2, Source=net["web"], DestinationIp="100.64.1.1", DestinationPort=443)
    assert _codes(out) == ["IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"]
    inbound = w.trace_on(
        store, "internet", net["web"], destination_port=443, source_ip="100.64.1.1"
    )
    assert "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS" in inbound.codes


def test_code_no_path_when_appliances_route_in_a_loop(ec2: Any) -> None:
    """Two appliances whose subnets route the internet to each other: the walk never arrives."""
    vpc = w.vpc(ec2)
    sub_1, sub_2 = w.subnet(ec2, vpc, "10.0.1.0/24"), w.subnet(ec2, vpc, "10.0.2.0/24")
    group = w.open_group(ec2, vpc, "all")
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    x, y = w.instance(ec2, sub_2, group), w.instance(ec2, sub_1, group)
    for appliance in (x, y):
        ec2.modify_instance_attribute(InstanceId=appliance, SourceDestCheck={"Value": False})
    for sub, appliance in ((sub_1, x), (sub_2, y)):
        ec2.create_route(
            RouteTableId=w.table_of(ec2, sub),
            DestinationCidrBlock="0.0.0.0/0",
            NetworkInterfaceId=w.eni_of(ec2, appliance),
        )
    source = w.instance(ec2, sub_1, group)
    found = _ra(ec2, Source=source, DestinationIp="8.8.8.8", DestinationPort=443)
    assert _codes(found) == ["NO_PATH"]


def test_code_unassociated_component_for_a_detached_internet_gateway(ec2: Any) -> None:
    """An internet gateway attached to no VPC as the source of a path."""
    net = _public(ec2)
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    found = _ra(ec2, Source=loose, Destination=net["web"], DestinationPort=443)
    assert _codes(found) == ["UNASSOCIATED_COMPONENT"]
    assert found["Explanations"][0]["Component"]["Id"] == loose
