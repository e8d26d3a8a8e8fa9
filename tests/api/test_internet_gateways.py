"""Spec section 4 (IGW-1..IGW-15) and AMB-10 through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import test_route_tables as routing
from tests.api.test_route_tables import (
    ACCOUNT,
    eni,
    nat_gateway,
    new_subnet,
    new_table,
    new_vpc,
    put,
    route,
)
from tests.support import aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.model.base import evolve
from vpclab.model.gateways import Address, NatGateway
from vpclab.model.ids import new_id
from vpclab.model.state import Clock

# One boto3 client for the whole module, as in test_route_tables (building one is slow).
shared_client = routing.shared_client
ec2 = routing.ec2


def new_igw(ec2: Any) -> str:
    """A fresh, unattached internet gateway."""
    igw_id: str = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    return igw_id


def described(ec2: Any, igw_id: str) -> dict[str, Any]:
    """The internet gateway as DescribeInternetGateways shows it now."""
    found: dict[str, Any] = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])[
        "InternetGateways"
    ][0]
    return found


@pytest.fixture
def vpc(ec2: Any) -> str:
    """A non-default VPC 10.0.0.0/16."""
    return new_vpc(ec2)


@pytest.fixture
def igw(ec2: Any, vpc: str) -> str:
    """An internet gateway attached to `vpc`."""
    igw_id = new_igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    return igw_id


def test_igw_1_created_unattached_with_tags(ec2: Any) -> None:
    """A new gateway has no attachments, carries its owner and requested tags."""
    created = ec2.create_internet_gateway(
        TagSpecifications=[
            {"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "edge"}]}
        ]
    )["InternetGateway"]
    assert created["Attachments"] == []
    assert created["OwnerId"] == ACCOUNT
    assert created["Tags"] == [{"Key": "Name", "Value": "edge"}]
    assert created["InternetGatewayId"].startswith("igw-")


def test_igw_2_gateway_already_attached(ec2: Any, vpc: str, igw: str) -> None:
    """Attaching an attached gateway again: Resource.AlreadyAssociated (OBS-7)."""
    other = new_vpc(ec2, "10.9.0.0/16")
    for target in (vpc, other):
        code, message = aws_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=target)
        assert (code, message) == (
            "Resource.AlreadyAssociated",
            f"resource {igw} is already attached to network {vpc}",
        )


def test_igw_2_vpc_already_has_a_gateway(ec2: Any, vpc: str, igw: str) -> None:
    """A second gateway for the same VPC: InvalidParameterValue (OBS-8)."""
    second = new_igw(ec2)
    code, message = aws_error(ec2.attach_internet_gateway, InternetGatewayId=second, VpcId=vpc)
    assert (code, message) == (
        "InvalidParameterValue",
        f"Network {vpc} already has an internet gateway attached",
    )
    assert described(ec2, second)["Attachments"] == []


def test_igw_3_attachment_reports_available(ec2: Any, vpc: str, igw: str) -> None:
    """Attached: one attachment in state available; detached: none."""
    assert described(ec2, igw)["Attachments"] == [{"VpcId": vpc, "State": "available"}]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert described(ec2, igw)["Attachments"] == []


def test_igw_4_detach_from_a_vpc_it_is_not_attached_to(ec2: Any, vpc: str) -> None:
    """Gateway.NotAttached when the gateway is loose or attached elsewhere."""
    loose = new_igw(ec2)
    code, _ = aws_error(ec2.detach_internet_gateway, InternetGatewayId=loose, VpcId=vpc)
    assert code == "Gateway.NotAttached"
    elsewhere = new_igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=elsewhere, VpcId=new_vpc(ec2, "10.9.0.0/16"))
    code, _ = aws_error(ec2.detach_internet_gateway, InternetGatewayId=elsewhere, VpcId=vpc)
    assert code == "Gateway.NotAttached"


MAPPED = (
    "Network {vpc} has some mapped public address(es). "
    "Please unmap those public address(es) before detaching the gateway."
)


def test_igw_4_detach_refused_while_an_eni_has_a_public_ip(
    ec2: Any,
    store: Store,
    vpc: str,
    igw: str,
) -> None:
    """An auto-assigned public IP in the VPC blocks the detach until it is gone."""
    public = evolve(eni(store, vpc, new_subnet(ec2, vpc)), public_ip="54.1.2.3")
    put(store, public)
    code, message = aws_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)
    assert (code, message) == ("DependencyViolation", MAPPED.format(vpc=vpc))
    put(store, evolve(public, public_ip=None))
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_igw_4_detach_refused_while_an_elastic_ip_is_associated(
    ec2: Any,
    store: Store,
    vpc: str,
    igw: str,
) -> None:
    """An EIP on an ENI of the VPC blocks the detach; an EIP elsewhere does not."""
    interface = eni(store, vpc, new_subnet(ec2, vpc))
    eip = Address(
        id=new_id("eipalloc"),
        public_ip="3.3.3.3",
        association_id=new_id("eipassoc"),
        network_interface_id=interface.id,
        private_ip="10.0.1.10",
    )
    put(store, eip)
    assert aws_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)[0] == (
        "DependencyViolation"
    )
    put(store, evolve(eip, association_id=None, network_interface_id=None, private_ip=None))
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_igw_4_public_nat_gateway_eip_counts_as_mapped(
    ec2: Any,
    store: Store,
    clock: Clock,
    vpc: str,
    igw: str,
) -> None:
    """[MODEL] A live public NAT gateway with an EIP blocks the detach; a deleted one does not."""
    nat = nat_gateway(store, vpc, new_subnet(ec2, vpc), clock)
    put(store, evolve(nat, allocation_id=new_id("eipalloc")))
    assert aws_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)[0] == (
        "DependencyViolation"
    )
    deleted: NatGateway = evolve(nat, allocation_id=new_id("eipalloc"), deleted_at=clock.now() - 5)
    put(store, deleted)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_igw_5_attached_gateway_cannot_be_deleted(ec2: Any, vpc: str, igw: str) -> None:
    """Delete needs a detached gateway (OBS-5); detach then delete works."""
    code, message = aws_error(ec2.delete_internet_gateway, InternetGatewayId=igw)
    assert (code, message) == (
        "DependencyViolation",
        f"The internetGateway '{igw}' has dependencies and cannot be deleted.",
    )
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    code, _ = aws_error(ec2.describe_internet_gateways, InternetGatewayIds=[igw])
    assert code == "InvalidInternetGatewayID.NotFound"


def test_vpc_25_attached_gateway_blocks_vpc_deletion(ec2: Any, vpc: str, igw: str) -> None:
    """Deletion order: detach the gateway, then the VPC can go."""
    assert aws_error(ec2.delete_vpc, VpcId=vpc)[0] == "DependencyViolation"
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)


def test_vpc_25_egress_only_gateway_blocks_vpc_deletion(ec2: Any, vpc: str) -> None:
    """An egress-only gateway must be deleted before its VPC."""
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]
    assert aws_error(ec2.delete_vpc, VpcId=vpc)[0] == "DependencyViolation"
    ec2.delete_egress_only_internet_gateway(
        EgressOnlyInternetGatewayId=eigw["EgressOnlyInternetGatewayId"]
    )
    ec2.delete_vpc(VpcId=vpc)


def test_igw_14_unknown_and_malformed_ids(ec2: Any, vpc: str) -> None:
    """Exact not-found and malformed codes."""
    assert aws_error(
        ec2.attach_internet_gateway, InternetGatewayId="igw-0123456789abcdef0", VpcId=vpc
    )[0] == ("InvalidInternetGatewayID.NotFound")
    assert aws_error(ec2.delete_internet_gateway, InternetGatewayId="gw-1")[0] == (
        "InvalidInternetGatewayId.Malformed"
    )
    igw_id = new_igw(ec2)
    assert aws_error(
        ec2.attach_internet_gateway, InternetGatewayId=igw_id, VpcId="vpc-0123456789abcdef0"
    )[0] == ("InvalidVpcID.NotFound")


def test_igw_14_gateway_quota_when_quotas_are_on(store: Store) -> None:
    """Five gateways per region with --quotas aws (the default VPC's counts)."""
    strict = client(Api(store, Settings(quotas="aws")))
    for _ in range(4):
        new_igw(strict)
    code, _ = aws_error(strict.create_internet_gateway)
    assert code == "InternetGatewayLimitExceeded"


def test_describe_internet_gateways_filters_and_pagination(
    ec2: Any,
    vpc: str,
    igw: str,
) -> None:
    """Filters select by id, attachment and tags; the paginator sees every gateway once."""
    loose = new_igw(ec2)
    ec2.create_tags(Resources=[loose], Tags=[{"Key": "role", "Value": "spare"}])

    def ids(name: str, *values: str) -> set[str]:
        found = ec2.describe_internet_gateways(Filters=[{"Name": name, "Values": list(values)}])
        return {g["InternetGatewayId"] for g in found["InternetGateways"]}

    assert ids("internet-gateway-id", igw) == {igw}
    assert ids("attachment.vpc-id", vpc) == {igw}
    assert igw in ids("attachment.state", "available") and loose not in ids("attachment.state", "*")
    assert ids("tag:role", "spare") == {loose}
    assert {igw, loose} <= ids("owner-id", ACCOUNT)
    for _ in range(5):
        new_igw(ec2)
    pages = ec2.get_paginator("describe_internet_gateways").paginate(
        PaginationConfig={"PageSize": 5}
    )
    seen = [g["InternetGatewayId"] for page in pages for g in page["InternetGateways"]]
    assert len(seen) == len(set(seen)) == 8  # the default VPC's gateway, igw, loose, 5 more


def test_igw_15_egress_only_gateway_lifecycle(ec2: Any, vpc: str) -> None:
    """Create (AMB-10: attached), one per VPC, describe with filters, delete."""
    created = ec2.create_egress_only_internet_gateway(
        VpcId=vpc,
        ClientToken="tok-1",
        TagSpecifications=[
            {"ResourceType": "egress-only-internet-gateway", "Tags": [{"Key": "k", "Value": "v"}]}
        ],
    )
    eigw = created["EgressOnlyInternetGateway"]
    eigw_id = eigw["EgressOnlyInternetGatewayId"]
    assert created["ClientToken"] == "tok-1"
    assert eigw_id.startswith("eigw-")
    assert eigw["Attachments"] == [{"VpcId": vpc, "State": "attached"}]
    code, _ = aws_error(ec2.create_egress_only_internet_gateway, VpcId=vpc)
    assert code == "InvalidParameterValue"
    found = ec2.describe_egress_only_internet_gateways(
        Filters=[{"Name": "tag:k", "Values": ["v"]}]
    )["EgressOnlyInternetGateways"]
    assert [g["EgressOnlyInternetGatewayId"] for g in found] == [eigw_id]
    assert found[0]["Tags"] == [{"Key": "k", "Value": "v"}]
    code, _ = aws_error(
        ec2.describe_egress_only_internet_gateways,
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}],
    )
    assert code == "InvalidParameterValue"
    answer = ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id)
    assert answer["ReturnCode"] is True
    assert ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"] == []
    code, _ = aws_error(
        ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=eigw_id
    )
    assert code == "InvalidEgressOnlyInternetGatewayId.NotFound"


def test_igw_15_egress_only_gateways_paginate(ec2: Any) -> None:
    """botocore's paginator walks egress-only gateways of several VPCs."""
    for i in range(6):
        ec2.create_egress_only_internet_gateway(VpcId=new_vpc(ec2, f"10.{i}.0.0/16"))
    pages = ec2.get_paginator("describe_egress_only_internet_gateways").paginate(
        PaginationConfig={"PageSize": 5}
    )
    seen = [
        g["EgressOnlyInternetGatewayId"] for p in pages for g in p["EgressOnlyInternetGateways"]
    ]
    assert len(seen) == len(set(seen)) == 6


def test_igw_11_default_route_follows_gateway_through_detach_delete_and_new_gateway(
    ec2: Any,
    vpc: str,
    igw: str,
) -> None:
    """blackhole after detach; a different IGW needs ReplaceRoute to make the route active."""
    rtb = new_table(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    replacement = new_igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=replacement, VpcId=vpc)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=replacement)
    assert route(ec2, rtb, "0.0.0.0/0") == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": replacement,
        "Origin": "CreateRoute",
        "State": "active",
    }


# -- with the real APIs of the address families -----------------------------------------------
def test_igw_4_associated_elastic_ip_blocks_detach_through_the_api(
    ec2: Any, vpc: str, igw: str
) -> None:
    """AssociateAddress on an ENI of the VPC blocks the detach; DisassociateAddress frees it."""
    subnet = new_subnet(ec2, vpc)
    eni_id = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    association = ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni_id)[
        "AssociationId"
    ]
    code, message = aws_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)
    assert (code, message) == ("DependencyViolation", MAPPED.format(vpc=vpc))
    ec2.disassociate_address(AssociationId=association)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_igw_4_public_nat_gateway_blocks_detach_through_the_api(
    ec2: Any, vpc: str, igw: str
) -> None:
    """[MODEL] A public NAT gateway's EIP is a mapped address until the gateway is deleted."""
    subnet = new_subnet(ec2, vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"][
        "NatGatewayId"
    ]
    assert (
        aws_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)[0]
        == "DependencyViolation"
    )
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_igw_4_instance_public_ip_blocks_detach_through_the_api(
    ec2: Any, vpc: str, igw: str
) -> None:
    """An instance launched with a public IP blocks the detach until it is terminated."""
    subnet = new_subnet(ec2, vpc)
    launched = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": True}
        ],
    )["Instances"][0]
    assert (
        aws_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)[0]
        == "DependencyViolation"
    )
    ec2.terminate_instances(InstanceIds=[launched["InstanceId"]])
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_igw_15_client_token_makes_create_idempotent(ec2: Any, vpc: str) -> None:
    """A retried create with the same ClientToken returns the same gateway, not an error."""
    first = ec2.create_egress_only_internet_gateway(VpcId=vpc, ClientToken="retry")
    again = ec2.create_egress_only_internet_gateway(VpcId=vpc, ClientToken="retry")
    assert (
        first["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
        == again["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    )
