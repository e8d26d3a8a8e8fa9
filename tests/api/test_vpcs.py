"""Spec section 1 (VPC-1..VPC-27) through boto3, as user code would call it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.model.gateways import EgressOnlyInternetGateway, InternetGateway
from vpclab.model.ids import new_id
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.route_table import Route, RouteTable, RouteTarget
from vpclab.model.security_group import SecurityGroup


def make_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **extra: Any) -> dict[str, Any]:
    """Create a VPC and return its description."""
    vpc: dict[str, Any] = ec2.create_vpc(CidrBlock=cidr, **extra)["Vpc"]
    return vpc


def described(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """The VPC as DescribeVpcs shows it now."""
    vpc: dict[str, Any] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    return vpc


def tables_of(store: Store, vpc_id: str) -> list[RouteTable]:
    """Route tables of a VPC, read straight from the store."""
    return [
        rt for rt in store.view("123456789012", "us-east-1").all(RouteTable) if rt.vpc_id == vpc_id
    ]


def put(store: Store, *objs: Any) -> None:
    """Place resources of other families directly into the caller's partition."""
    with store.transaction("123456789012", "us-east-1") as tx:
        for obj in objs:
            tx.put(obj)


def default_vpc(ec2: Any) -> dict[str, Any]:
    """The region's default VPC."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc: dict[str, Any] = vpcs[0]
    return vpc


# -- creation and CIDR validation ---------------------------------------------------------------


def test_vpc_1_create_without_cidr_is_missing_parameter(ec2: Any) -> None:
    """A VPC needs an IPv4 block; botocore requires nothing, so the server must refuse."""
    code, message = aws_error(ec2.create_vpc)
    assert code == "MissingParameter"
    assert "CidrBlock" in message


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32"])
def test_vpc_2_prefix_outside_16_to_28_is_invalid_vpc_range(ec2: Any, cidr: str) -> None:
    """Only /16../28 is a valid VPC size; AWS answers InvalidVpc.Range (AMB-3)."""
    assert aws_error(ec2.create_vpc, CidrBlock=cidr) == (
        "InvalidVpc.Range",
        f"The CIDR '{cidr}' is invalid.",
    )


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.0.0/28"])
def test_vpc_2_bounds_16_and_28_are_accepted(ec2: Any, cidr: str) -> None:
    """Both ends of the allowed size range are valid."""
    assert make_vpc(ec2, cidr)["CidrBlock"] == cidr


def test_vpc_3_host_bits_are_canonicalised_not_rejected(ec2: Any) -> None:
    """100.68.0.18/18 is stored and returned as 100.68.0.0/18."""
    vpc = make_vpc(ec2, "100.68.0.18/18")
    assert vpc["CidrBlock"] == "100.68.0.0/18"
    assert (
        described(ec2, vpc["VpcId"])["CidrBlockAssociationSet"][0]["CidrBlock"] == "100.68.0.0/18"
    )


@pytest.mark.parametrize("text", ["10.0.0.0", "10.0.0.300/16", "banana", "10.0.0.0/abc"])
def test_vpc_4_unparseable_cidr_is_invalid_parameter_value(ec2: Any, text: str) -> None:
    """A block that is not a CIDR at all is InvalidParameterValue, naming the value."""
    code, message = aws_error(ec2.create_vpc, CidrBlock=text)
    assert code == "InvalidParameterValue"
    assert (
        message
        == f"Value ({text}) for parameter cidrBlock is invalid. This is not a valid CIDR block."
    )


def test_vpc_5_public_ranges_are_accepted(ec2: Any) -> None:
    """Publicly routable space is allowed for a VPC."""
    assert make_vpc(ec2, "54.10.0.0/16")["CidrBlock"] == "54.10.0.0/16"


def test_vpc_6_docker_bridge_range_is_discouraged_but_accepted(ec2: Any) -> None:
    """172.17.0.0/16 must not be rejected."""
    assert make_vpc(ec2, "172.17.0.0/16")["CidrBlock"] == "172.17.0.0/16"


@pytest.mark.parametrize(
    "cidr", ["169.254.0.0/16", "169.254.10.0/24", "127.0.0.0/16", "224.0.0.0/16", "0.0.0.0/16"]
)
def test_vpc_7_link_local_and_amb_2_special_ranges_are_refused(ec2: Any, cidr: str) -> None:
    """169.254/16 (and, by AMB-2, 0/8, 127/8, 224/4, 240/4) can never be a VPC block."""
    assert aws_error(ec2.create_vpc, CidrBlock=cidr)[0] == "InvalidVpc.Range"


# -- secondary CIDR blocks ----------------------------------------------------------------------


def test_vpc_8_secondary_block_size_must_be_16_to_28(ec2: Any) -> None:
    """A secondary block obeys the same size rule as the primary."""
    vpc = make_vpc(ec2)
    assert aws_error(ec2.associate_vpc_cidr_block, VpcId=vpc["VpcId"], CidrBlock="10.4.0.0/15")[
        0
    ] == ("InvalidVpc.Range")


def test_vpc_8_secondary_block_must_not_overlap_an_existing_block(ec2: Any) -> None:
    """Overlap with a block of the same VPC is refused (AMB-4: InvalidParameterValue)."""
    vpc = make_vpc(ec2)
    code, _ = aws_error(ec2.associate_vpc_cidr_block, VpcId=vpc["VpcId"], CidrBlock="10.0.128.0/17")
    assert code == "InvalidParameterValue"
    assert len(described(ec2, vpc["VpcId"])["CidrBlockAssociationSet"]) == 1


def test_vpc_8_secondary_block_containing_a_route_destination_is_refused(
    ec2: Any, store: Store
) -> None:
    """A block equal to or larger than an existing route's destination fails; a smaller one passes."""
    vpc = make_vpc(ec2)
    main = tables_of(store, vpc["VpcId"])[0]
    route = Route(
        destination="10.1.0.0/24", target=RouteTarget(kind="gateway", id="igw-0123456789abcdef0")
    )
    put(
        store,
        RouteTable(
            id=main.id,
            vpc_id=main.vpc_id,
            routes=(*main.routes, route),
            associations=main.associations,
        ),
    )
    code, _ = aws_error(ec2.associate_vpc_cidr_block, VpcId=vpc["VpcId"], CidrBlock="10.1.0.0/16")
    assert code == "InvalidParameterValue"
    ok = ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.1.0.0/25")
    assert ok["CidrBlockAssociation"]["CidrBlock"] == "10.1.0.0/25"


def test_vpc_8_at_most_five_ipv4_blocks_per_vpc(ec2: Any) -> None:
    """Primary plus secondaries count toward 5 (AMB-4: CidrLimitExceeded)."""
    vpc = make_vpc(ec2)
    for n in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock=f"10.{n}.0.0/16")
    code, message = aws_error(
        ec2.associate_vpc_cidr_block, VpcId=vpc["VpcId"], CidrBlock="10.9.0.0/16"
    )
    assert code == "CidrLimitExceeded"
    assert (
        message == f"This network '{vpc['VpcId']}' has met its maximum number of allowed CIDRs: 5"
    )


@pytest.mark.parametrize(
    ("primary", "secondary", "allowed"),
    [
        ("10.0.0.0/16", "10.2.0.0/16", True),
        ("10.0.0.0/16", "100.64.0.0/16", True),
        ("10.0.0.0/16", "54.0.0.0/16", True),
        ("10.0.0.0/16", "172.16.0.0/16", False),
        ("10.0.0.0/16", "192.168.0.0/16", False),
        ("10.0.0.0/16", "198.19.0.0/16", False),
        ("10.1.0.0/16", "10.0.0.0/16", False),  # existing block in 10.0.0.0/15
        ("172.16.0.0/16", "172.20.0.0/16", True),
        ("172.16.0.0/16", "172.31.0.0/16", False),
        ("172.16.0.0/16", "10.0.0.0/16", False),
        ("192.168.0.0/16", "172.16.0.0/16", False),
        ("198.19.0.0/16", "100.64.0.0/16", True),
        ("198.19.0.0/16", "10.0.0.0/16", False),
        ("54.0.0.0/16", "55.0.0.0/16", True),
        ("54.0.0.0/16", "192.168.0.0/16", False),
    ],
)
def test_vpc_9_secondary_range_family_restrictions(
    ec2: Any, primary: str, secondary: str, allowed: bool
) -> None:
    """Which secondary families a VPC may add depends on the families it already has."""
    vpc = make_vpc(ec2, primary)
    if allowed:
        ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock=secondary)
    else:
        code, _ = aws_error(ec2.associate_vpc_cidr_block, VpcId=vpc["VpcId"], CidrBlock=secondary)
        assert code == "InvalidParameterValue"


def test_vpc_10_secondary_block_adds_a_local_route_to_every_table(ec2: Any, store: Store) -> None:
    """Every route table of the VPC gets a local route for the new block."""
    vpc = make_vpc(ec2)
    main = tables_of(store, vpc["VpcId"])[0]
    put(store, RouteTable(id=new_id("rtb"), vpc_id=vpc["VpcId"], routes=main.routes))
    ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.1.0.0/16")
    tables = tables_of(store, vpc["VpcId"])
    assert len(tables) == 2
    for rt in tables:
        locals_ = {r.destination for r in rt.routes if r.target.kind == "local"}
        assert locals_ == {"10.0.0.0/16", "10.1.0.0/16"}


def test_vpc_11_association_is_associating_then_associated(ec2: Any) -> None:
    """The association answer is transitional; a Describe sees it settled (AMB-1)."""
    vpc = make_vpc(ec2)
    answer = ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.1.0.0/16")
    assoc = answer["CidrBlockAssociation"]
    assert answer["VpcId"] == vpc["VpcId"]
    assert assoc["CidrBlockState"]["State"] == "associating"
    assert assoc["AssociationId"].startswith("vpc-cidr-assoc-")
    shown = {a["AssociationId"]: a for a in described(ec2, vpc["VpcId"])["CidrBlockAssociationSet"]}
    assert shown[assoc["AssociationId"]]["CidrBlockState"]["State"] == "associated"
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert gone["CidrBlockAssociation"]["CidrBlockState"]["State"] == "disassociating"
    assert len(described(ec2, vpc["VpcId"])["CidrBlockAssociationSet"]) == 1


def test_vpc_12_primary_block_is_never_disassociated(ec2: Any) -> None:
    """The block the VPC was created with stays."""
    vpc = make_vpc(ec2)
    primary = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    code, _ = aws_error(ec2.disassociate_vpc_cidr_block, AssociationId=primary)
    assert code == "OperationNotPermitted"


def test_vpc_12_secondary_in_use_by_a_subnet_cannot_be_disassociated(
    ec2: Any, store: Store
) -> None:
    """A secondary can go only after its subnets are gone; its local routes go with it."""
    vpc = make_vpc(ec2)
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.1.0.0/16")
    assoc_id = assoc["CidrBlockAssociation"]["AssociationId"]
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.1.1.0/24")["Subnet"]
    assert (
        aws_error(ec2.disassociate_vpc_cidr_block, AssociationId=assoc_id)[0]
        == "DependencyViolation"
    )
    ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.disassociate_vpc_cidr_block(AssociationId=assoc_id)
    routes = tables_of(store, vpc["VpcId"])[0].routes
    assert [r.destination for r in routes] == ["10.0.0.0/16"]


def test_vpc_12_unknown_association_id_is_not_found(ec2: Any) -> None:
    """Disassociating an association that does not exist names it."""
    code, message = aws_error(
        ec2.disassociate_vpc_cidr_block, AssociationId="vpc-cidr-assoc-0123456789abcdef0"
    )
    assert code == "InvalidVpcCidrBlockAssociationID.NotFound"
    assert "vpc-cidr-assoc-0123456789abcdef0" in message


def peering(
    requester: str,
    accepter: str,
    status: str,
    accepter_owner: str = "123456789012",
    requester_owner: str = "123456789012",
) -> VpcPeeringConnection:
    """A peering record between two VPCs of us-east-1."""
    return VpcPeeringConnection(
        id=new_id("pcx"),
        requester=PeeringSide(owner_id=requester_owner, region="us-east-1", vpc_id=requester),
        accepter=PeeringSide(owner_id=accepter_owner, region="us-east-1", vpc_id=accepter),
        status=status,
        # Created now with AWS's 168 h expiry, so it is still pending when read (PCX-2).
        created_at=time.time(),
        expiration_time=time.time() + 168 * 3600,
    )


def test_vpc_13_pending_requester_cannot_add_blocks(ec2: Any, store: Store) -> None:
    """While its own request is pending, the requester VPC can add no block at all."""
    a, b = make_vpc(ec2), make_vpc(ec2, "10.50.0.0/16")
    put(store, peering(a["VpcId"], b["VpcId"], "pending-acceptance"))
    code, _ = aws_error(ec2.associate_vpc_cidr_block, VpcId=a["VpcId"], CidrBlock="10.1.0.0/16")
    assert code == "InvalidParameterValue"


def test_vpc_13_block_overlapping_an_active_peer_is_refused(ec2: Any, store: Store) -> None:
    """With an active peering, a new block must not overlap the peer's blocks."""
    a, b = make_vpc(ec2), make_vpc(ec2, "10.50.0.0/16")
    put(store, peering(a["VpcId"], b["VpcId"], "active"))
    code, _ = aws_error(ec2.associate_vpc_cidr_block, VpcId=a["VpcId"], CidrBlock="10.50.0.0/20")
    assert code == "InvalidParameterValue"
    ec2.associate_vpc_cidr_block(VpcId=a["VpcId"], CidrBlock="10.51.0.0/16")


def test_vpc_14_amazon_provided_ipv6_block_is_a_56(ec2: Any) -> None:
    """AmazonProvidedIpv6CidrBlock gives the VPC one /56."""
    vpc = make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    (assoc,) = described(ec2, vpc["VpcId"])["Ipv6CidrBlockAssociationSet"]
    assert assoc["Ipv6CidrBlock"].endswith("/56")
    assert assoc["Ipv6CidrBlockState"]["State"] == "associated"


# -- the default VPC ----------------------------------------------------------------------------


def test_vpc_15_default_vpc_exists_with_172_31_and_dns_on(ec2: Any) -> None:
    """A fresh region has a default VPC: 172.31.0.0/16, both DNS attributes true."""
    vpc = default_vpc(ec2)
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["IsDefault"] is True
    for attribute, key in (
        ("enableDnsSupport", "EnableDnsSupport"),
        ("enableDnsHostnames", "EnableDnsHostnames"),
    ):
        answer = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attribute)
        assert answer[key]["Value"] is True


def test_vpc_15_default_vpc_has_attached_igw_and_default_route(ec2: Any, store: Store) -> None:
    """The default VPC has an internet gateway and 0.0.0.0/0 -> igw in its main table."""
    vpc_id = default_vpc(ec2)["VpcId"]
    view = store.view("123456789012", "us-east-1")
    igws = [g for g in view.all(InternetGateway) if g.vpc_id == vpc_id]
    assert len(igws) == 1
    (main,) = tables_of(store, vpc_id)
    assert main.is_main
    routes = {r.destination: r.target for r in main.routes}
    assert routes["172.31.0.0/16"].kind == "local"
    assert routes["0.0.0.0/0"].id == igws[0].id


def test_vpc_16_default_subnets_are_consecutive_20s_in_zone_order(ec2: Any) -> None:
    """One /20 per zone, 172.31.0.0/20, 172.31.16.0/20, ... in zone order, public, default-for-AZ."""
    vpc_id = default_vpc(ec2)["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    by_zone = {s["AvailabilityZone"]: s for s in subnets}
    assert sorted(by_zone) == sorted(zones)
    for index, zone in enumerate(sorted(zones)):
        subnet = by_zone[zone]
        assert subnet["CidrBlock"] == f"172.31.{index * 16}.0/20"
        assert subnet["DefaultForAz"] is True
        assert subnet["MapPublicIpOnLaunch"] is True
        assert subnet["AvailableIpAddressCount"] == 4091


def test_vpc_17_create_default_vpc_when_one_exists_fails(ec2: Any) -> None:
    """CreateDefaultVpc refuses while the region has one."""
    assert aws_error(ec2.create_default_vpc)[0] == "DefaultVpcAlreadyExists"


def test_vpc_17_deleted_default_vpc_is_not_restored_but_can_be_recreated(
    ec2: Any, store: Store
) -> None:
    """Deleting the default VPC leaves none; CreateDefaultVpc makes a new one (pending)."""
    old = default_vpc(ec2)
    delete_default_vpc(ec2, store, old)
    assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"] == []
    created = ec2.create_default_vpc()["Vpc"]
    assert created["State"] == "pending"
    assert created["IsDefault"] is True
    assert created["VpcId"] != old["VpcId"]
    assert default_vpc(ec2)["CidrBlock"] == "172.31.0.0/16"


def test_vpc_17_non_default_vpc_never_becomes_default(ec2: Any, store: Store) -> None:
    """A VPC created with CreateVpc on 172.31.0.0/16 is still not the default."""
    delete_default_vpc(ec2, store, default_vpc(ec2))
    vpc = make_vpc(ec2, "172.31.0.0/16")
    assert described(ec2, vpc["VpcId"])["IsDefault"] is False


def delete_default_vpc(ec2: Any, store: Store, vpc: dict[str, Any]) -> None:
    """Remove the default VPC's subnets and gateway, then the VPC (as the console's clean-up does)."""
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "Subnets"
    ]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    with store.transaction("123456789012", "us-east-1") as tx:
        for igw in tx.all(InternetGateway):
            if igw.vpc_id == vpc["VpcId"]:
                tx.delete(InternetGateway, igw.id)
    ec2.delete_vpc(VpcId=vpc["VpcId"])


def test_vpc_18_create_default_subnet_rules(ec2: Any) -> None:
    """Exactly one AZ parameter; refused where one exists; a public /20 where the zone lost it."""
    vpc_id = default_vpc(ec2)["VpcId"]
    assert aws_error(ec2.create_default_subnet, AvailabilityZone="us-east-1a")[0] == (
        "DefaultSubnetAlreadyExistsInAvailabilityZone"
    )
    old = ec2.describe_subnets(
        Filters=[
            {"Name": "availability-zone", "Values": ["us-east-1c"]},
            {"Name": "default-for-az", "Values": ["true"]},
        ]
    )["Subnets"][0]
    ec2.delete_subnet(SubnetId=old["SubnetId"])
    new = ec2.create_default_subnet(AvailabilityZone="us-east-1c")["Subnet"]
    assert new["VpcId"] == vpc_id
    assert new["CidrBlock"] == old["CidrBlock"]  # the next free /20 is the one just released
    assert new["DefaultForAz"] is True and new["MapPublicIpOnLaunch"] is True
    assert aws_error(ec2.create_default_subnet)[0] == "InvalidParameterCombination"
    assert (
        aws_error(
            ec2.create_default_subnet, AvailabilityZone="us-east-1a", AvailabilityZoneId="use1-az1"
        )[0]
        == "InvalidParameterCombination"
    )


def test_vpc_18_create_default_subnet_without_default_vpc(ec2: Any, store: Store) -> None:
    """No default VPC -> DefaultVpcDoesNotExist."""
    delete_default_vpc(ec2, store, default_vpc(ec2))
    assert (
        aws_error(ec2.create_default_subnet, AvailabilityZone="us-east-1a")[0]
        == "DefaultVpcDoesNotExist"
    )


def test_vpc_19_every_vpc_gets_main_table_default_nacl_and_default_sg(
    ec2: Any, store: Store
) -> None:
    """Companions: one main table with only the local route, a default NACL, a default SG, no IGW."""
    vpc = make_vpc(ec2, "10.7.0.0/16")
    view = store.view("123456789012", "us-east-1")
    (main,) = tables_of(store, vpc["VpcId"])
    assert [(a.main, a.subnet_id) for a in main.associations] == [(True, None)]
    assert [(r.destination, r.target.kind, r.origin) for r in main.routes] == [
        ("10.7.0.0/16", "local", "CreateRouteTable")
    ]
    (acl,) = [a for a in view.all(NetworkAcl) if a.vpc_id == vpc["VpcId"]]
    assert acl.is_default
    entries = {(e.egress, e.rule_number, e.action, e.cidr) for e in acl.entries}
    assert entries == {
        (eg, n, act, "0.0.0.0/0")
        for eg in (False, True)
        for n, act in ((100, "allow"), (32767, "deny"))
    }
    (sg,) = [g for g in view.all(SecurityGroup) if g.vpc_id == vpc["VpcId"]]
    assert sg.name == "default"
    assert not [g for g in view.all(InternetGateway) if g.vpc_id == vpc["VpcId"]]
    assert vpc["DhcpOptionsId"].startswith("dopt-")


def test_vpc_19_ipv6_vpc_default_nacl_has_ipv6_rules(ec2: Any, store: Store) -> None:
    """With an IPv6 block, the default NACL also has 101 allow and 32768 deny for ::/0."""
    vpc = make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    view = store.view("123456789012", "us-east-1")
    (acl,) = [a for a in view.all(NetworkAcl) if a.vpc_id == vpc["VpcId"]]
    v6 = {(e.egress, e.rule_number, e.action) for e in acl.entries if e.ipv6_cidr == "::/0"}
    assert v6 == {
        (eg, n, act) for eg in (False, True) for n, act in ((101, "allow"), (32768, "deny"))
    }


# -- attributes, tenancy, state -----------------------------------------------------------------


def test_vpc_21_dns_attribute_defaults_and_changes(ec2: Any) -> None:
    """DNS support on, hostnames off; one attribute per call; hostnames need support."""
    vpc_id = make_vpc(ec2)["VpcId"]

    def value(attribute: str) -> bool:
        key = attribute[0].upper() + attribute[1:]
        return bool(ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"])

    assert value("enableDnsSupport") is True
    assert value("enableDnsHostnames") is False
    assert value("enableNetworkAddressUsageMetrics") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert value("enableDnsHostnames") is True
    code, _ = aws_error(
        ec2.modify_vpc_attribute,
        VpcId=vpc_id,
        EnableDnsSupport={"Value": True},
        EnableDnsHostnames={"Value": True},
    )
    assert code == "InvalidParameterCombination"
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})  # AMB-25: allowed
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    code, _ = aws_error(ec2.modify_vpc_attribute, VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert code == "InvalidParameterValue"
    assert value("enableDnsHostnames") is False


def test_vpc_21_describe_attribute_of_unknown_name_or_vpc(ec2: Any) -> None:
    """Unknown attribute -> InvalidParameterValue; unknown VPC -> InvalidVpcID.NotFound."""
    vpc_id = make_vpc(ec2)["VpcId"]
    assert (
        aws_error(ec2.describe_vpc_attribute, VpcId=vpc_id, Attribute="bogus")[0]
        == "InvalidParameterValue"
    )
    code, message = aws_error(
        ec2.describe_vpc_attribute, VpcId="vpc-0123456789abcdef0", Attribute="enableDnsSupport"
    )
    assert (code, message) == (
        "InvalidVpcID.NotFound",
        "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    )


def test_vpc_23_tenancy_host_is_rejected_and_modify_only_to_default(ec2: Any) -> None:
    """A VPC is default or dedicated; ModifyVpcTenancy only goes to default."""
    assert aws_error(ec2.create_vpc, CidrBlock="10.0.0.0/16", InstanceTenancy="host")[0] == (
        "InvalidParameterValue"
    )
    vpc = make_vpc(ec2, InstanceTenancy="dedicated")
    assert vpc["InstanceTenancy"] == "dedicated"
    assert aws_error(ec2.modify_vpc_tenancy, VpcId=vpc["VpcId"], InstanceTenancy="dedicated") == (
        "UnsupportedTenancy",
        "You can change the tenancy of a VPC to default only",
    )
    assert (
        ec2.modify_vpc_tenancy(VpcId=vpc["VpcId"], InstanceTenancy="default")["ReturnValue"] is True
    )
    assert described(ec2, vpc["VpcId"])["InstanceTenancy"] == "default"


def test_vpc_24_create_answers_pending_and_describe_sees_available(ec2: Any) -> None:
    """CreateVpc returns pending; the next Describe sees available (AMB-1, settle 0)."""
    vpc = make_vpc(ec2)
    assert vpc["State"] == "pending"
    assert described(ec2, vpc["VpcId"])["State"] == "available"
    assert vpc["OwnerId"] == "123456789012"


# -- deletion -----------------------------------------------------------------------------------

DEPENDENTS: dict[str, Callable[[Any, Store, str], Any]] = {
    "subnet": lambda ec2, store, vpc_id: ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24"),
    "internet-gateway": lambda ec2, store, vpc_id: put(
        store, InternetGateway(id=new_id("igw"), vpc_id=vpc_id)
    ),
    "egress-only-gateway": lambda ec2, store, vpc_id: put(
        store, EgressOnlyInternetGateway(id=new_id("eigw"), vpc_id=vpc_id)
    ),
    "security-group": lambda ec2, store, vpc_id: put(
        store, SecurityGroup(id=new_id("sg"), name="web", description="web", vpc_id=vpc_id)
    ),
    "route-table": lambda ec2, store, vpc_id: put(
        store, RouteTable(id=new_id("rtb"), vpc_id=vpc_id, routes=())
    ),
    "network-acl": lambda ec2, store, vpc_id: put(
        store, NetworkAcl(id=new_id("acl"), vpc_id=vpc_id, entries=())
    ),
    "foreign-pending-peering": lambda ec2, store, vpc_id: put(
        store,
        peering(
            "vpc-0aaaaaaaaaaaaaaaa", vpc_id, "pending-acceptance", requester_owner="210987654321"
        ),
    ),
}


@pytest.mark.parametrize("dependent", sorted(DEPENDENTS))
def test_vpc_25_and_vpc_26_delete_blocked_by_dependents(
    ec2: Any, store: Store, dependent: str
) -> None:
    """DeleteVpc refuses while anything but the companions remains, with AWS's message."""
    vpc_id = make_vpc(ec2)["VpcId"]
    DEPENDENTS[dependent](ec2, store, vpc_id)
    assert aws_error(ec2.delete_vpc, VpcId=vpc_id) == (
        "DependencyViolation",
        f"The vpc '{vpc_id}' has dependencies and cannot be deleted.",
    )
    assert described(ec2, vpc_id)["VpcId"] == vpc_id


def test_vpc_25_delete_takes_companions_along(ec2: Any, store: Store) -> None:
    """A bare VPC deletes, and its main table, default NACL and default SG go with it."""
    vpc_id = make_vpc(ec2)["VpcId"]
    ec2.delete_vpc(VpcId=vpc_id)
    view = store.view("123456789012", "us-east-1")
    for cls in (RouteTable, NetworkAcl, SecurityGroup):
        assert not [o for o in view.all(cls) if getattr(o, "vpc_id", None) == vpc_id]
    assert aws_error(ec2.describe_vpcs, VpcIds=[vpc_id])[0] == "InvalidVpcID.NotFound"
    assert aws_error(ec2.delete_vpc, VpcId=vpc_id)[0] == "InvalidVpcID.NotFound"


def test_vpc_26_delete_ends_own_active_peering(ec2: Any, store: Store) -> None:
    """AMB-16: an active peering does not block; it moves to deleted."""
    a, b = make_vpc(ec2), make_vpc(ec2, "10.50.0.0/16")
    pcx = peering(a["VpcId"], b["VpcId"], "active")
    put(store, pcx)
    ec2.delete_vpc(VpcId=a["VpcId"])
    after = store.view("123456789012", "us-east-1").get(VpcPeeringConnection, pcx.id)
    assert after is not None and after.status == "deleted"


# -- quota --------------------------------------------------------------------------------------


def test_vpc_27_five_vpcs_per_region_only_with_aws_quotas(store: Store) -> None:
    """With quotas="aws", the sixth VPC (default VPC included) fails; without, no limit."""
    limited = client(Api(store, Settings(quotas="aws")))
    for n in range(4):
        make_vpc(limited, f"10.{n}.0.0/16")
    assert aws_error(limited.create_vpc, CidrBlock="10.9.0.0/16") == (
        "VpcLimitExceeded",
        "The maximum number of VPCs has been reached.",
    )
    unlimited = client(Api(store, Settings()))
    make_vpc(unlimited, "10.9.0.0/16")
    other_region = client(Api(store, Settings(quotas="aws")), region="eu-west-1")
    make_vpc(other_region, "10.9.0.0/16")


# -- accounts and regions -----------------------------------------------------------------------


def test_accounts_and_regions_are_separate_partitions(make_client: Any) -> None:
    """A 12-digit key is its own account; other keys are 123456789012; region from the scope."""
    default = make_client()
    mine = make_vpc(default)
    other_account = make_client(access_key="111122223333")
    other_region = make_client(region="eu-west-1")
    same_account = make_client(access_key="AKIAOTHERKEY")
    assert mine["VpcId"] in {v["VpcId"] for v in same_account.describe_vpcs()["Vpcs"]}
    for other in (other_account, other_region):
        ids = {v["VpcId"] for v in other.describe_vpcs()["Vpcs"]}
        assert mine["VpcId"] not in ids
        assert aws_error(other.describe_vpcs, VpcIds=[mine["VpcId"]])[0] == "InvalidVpcID.NotFound"
    theirs = make_vpc(other_account)
    assert theirs["OwnerId"] == "111122223333"
    assert default_vpc(other_region)["CidrBlock"] == "172.31.0.0/16"
    zones = {s["AvailabilityZone"] for s in other_region.describe_subnets()["Subnets"]}
    assert zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
