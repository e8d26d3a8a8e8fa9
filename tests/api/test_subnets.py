"""Spec section 2 (SUB-1..SUB-16) through boto3, as user code would call it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.model.ids import new_id
from vpclab.model.interface import NetworkInterface, PrivateIp
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.route_table import RouteTable, RouteTableAssociation

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def vpc_id(ec2: Any) -> str:
    """A fresh 10.0.0.0/16 VPC."""
    vpc_id: str = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return vpc_id


def make_subnet(ec2: Any, vpc_id: str, cidr: str, **extra: Any) -> dict[str, Any]:
    """Create a subnet and return its description."""
    subnet: dict[str, Any] = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, **extra)["Subnet"]
    return subnet


def described(ec2: Any, subnet_id: str) -> dict[str, Any]:
    """The subnet as DescribeSubnets shows it now."""
    subnet: dict[str, Any] = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    return subnet


def test_sub_1_cidr_is_required(ec2: Any, vpc_id: str) -> None:
    """CreateSubnet without an IPv4 block is refused."""
    code, message = aws_error(ec2.create_subnet, VpcId=vpc_id)
    assert code == "MissingParameter"
    assert "CidrBlock" in message


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32"])
def test_sub_1_size_outside_16_to_28_is_invalid_subnet_range(
    ec2: Any, vpc_id: str, cidr: str
) -> None:
    """Only /16../28 subnets exist."""
    assert aws_error(make_subnet, ec2, vpc_id, cidr) == (
        "InvalidSubnet.Range",
        f"The CIDR '{cidr}' is invalid.",
    )


def test_sub_1_unknown_or_malformed_vpc(ec2: Any) -> None:
    """The VPC must exist; a malformed id says so."""
    assert aws_error(make_subnet, ec2, "vpc-0123456789abcdef0", "10.0.0.0/24") == (
        "InvalidVpcID.NotFound",
        "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    )
    assert aws_error(make_subnet, ec2, "nope", "10.0.0.0/24")[0] == "InvalidVpcID.Malformed"


def test_sub_1_unparseable_cidr_is_invalid_parameter_value(ec2: Any, vpc_id: str) -> None:
    """A string that is not a CIDR is InvalidParameterValue."""
    assert aws_error(make_subnet, ec2, vpc_id, "10.0.0/24")[0] == "InvalidParameterValue"


def test_sub_2_block_outside_the_vpc_is_invalid_subnet_range(ec2: Any, vpc_id: str) -> None:
    """A block outside every VPC block fails with the observed message."""
    assert aws_error(make_subnet, ec2, vpc_id, "10.10.1.0/24") == (
        "InvalidSubnet.Range",
        "The CIDR '10.10.1.0/24' is invalid.",
    )
    assert aws_error(make_subnet, ec2, vpc_id, "10.1.1.0/24") == (
        "InvalidSubnet.Range",
        "The CIDR '10.1.1.0/24' is invalid.",
    )


def test_sub_2_subnet_may_equal_the_vpc_block_or_use_a_secondary(ec2: Any, vpc_id: str) -> None:
    """The whole VPC block is a valid subnet, and secondaries can be carved."""
    assert make_subnet(ec2, vpc_id, "10.0.0.0/16")["CidrBlock"] == "10.0.0.0/16"
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    assert make_subnet(ec2, vpc_id, "10.1.4.0/22")["CidrBlock"] == "10.1.4.0/22"


def test_sub_2_amb_5_subnet_straddling_two_vpc_blocks_is_refused(ec2: Any) -> None:
    """A subnet must fit inside one associated block."""
    vpc = ec2.create_vpc(CidrBlock="172.16.0.0/24")["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="172.16.1.0/24")
    assert aws_error(make_subnet, ec2, vpc, "172.16.0.0/23")[0] == "InvalidSubnet.Range"


def test_sub_3_overlapping_subnets_conflict(ec2: Any, vpc_id: str) -> None:
    """Two subnets of one VPC never overlap."""
    make_subnet(ec2, vpc_id, "10.0.32.0/20")
    assert aws_error(make_subnet, ec2, vpc_id, "10.0.32.0/19") == (
        "InvalidSubnet.Conflict",
        "The CIDR '10.0.32.0/19' conflicts with another subnet",
    )
    assert aws_error(make_subnet, ec2, vpc_id, "10.0.40.0/24")[0] == "InvalidSubnet.Conflict"
    make_subnet(ec2, vpc_id, "10.0.48.0/20")


def test_sub_3_same_block_in_another_vpc_is_fine(ec2: Any, vpc_id: str) -> None:
    """Overlap is checked per VPC only."""
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    make_subnet(ec2, vpc_id, "10.0.1.0/24")
    make_subnet(ec2, other, "10.0.1.0/24")


def test_sub_4_cidr_cannot_be_changed_after_creation(ec2: Any, vpc_id: str) -> None:
    """ModifySubnetAttribute has no CIDR member; the block stays what it was (VPC-3 canonical)."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.77/24")
    assert subnet["CidrBlock"] == "10.0.1.0/24"
    ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    assert described(ec2, subnet["SubnetId"])["CidrBlock"] == "10.0.1.0/24"


@pytest.mark.parametrize(
    ("cidr", "count"), [("10.0.0.0/24", 251), ("10.0.16.0/20", 4091), ("10.0.1.0/28", 11)]
)
def test_sub_5_and_sub_6_five_reserved_addresses(
    ec2: Any, vpc_id: str, cidr: str, count: int
) -> None:
    """Available = size - 5 on a fresh subnet."""
    subnet = make_subnet(ec2, vpc_id, cidr)
    assert subnet["AvailableIpAddressCount"] == count
    assert described(ec2, subnet["SubnetId"])["AvailableIpAddressCount"] == count


def test_sub_6_addresses_held_by_enis_reduce_the_count(ec2: Any, store: Store, vpc_id: str) -> None:
    """Every private IPv4 an ENI holds in the subnet counts as used."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.0/24")
    put_eni(store, subnet, "10.0.1.4", "10.0.1.5")
    assert described(ec2, subnet["SubnetId"])["AvailableIpAddressCount"] == 249
    chosen = ec2.describe_subnets(
        Filters=[{"Name": "available-ip-address-count", "Values": ["249"]}]
    )
    assert [s["SubnetId"] for s in chosen["Subnets"]] == [subnet["SubnetId"]]


def put_eni(store: Store, subnet: dict[str, Any], *addresses: str) -> NetworkInterface:
    """Put an ENI with these addresses into a subnet through a store transaction."""
    eni = NetworkInterface(
        id=new_id("eni"),
        subnet_id=subnet["SubnetId"],
        vpc_id=subnet["VpcId"],
        availability_zone=subnet["AvailabilityZone"],
        private_ips=tuple(PrivateIp(address=a, primary=i == 0) for i, a in enumerate(addresses)),
    )
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.put(eni)
    return eni


def test_sub_7_zone_by_name_or_id_and_picked_when_omitted(ec2: Any, vpc_id: str) -> None:
    """A subnet lives in one zone; name or id select it; AWS picks one otherwise."""
    by_name = make_subnet(ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="us-east-1c")
    assert (by_name["AvailabilityZone"], by_name["AvailabilityZoneId"]) == (
        "us-east-1c",
        "use1-az3",
    )
    by_id = make_subnet(ec2, vpc_id, "10.0.2.0/24", AvailabilityZoneId="use1-az2")
    assert by_id["AvailabilityZone"] == "us-east-1b"
    picked = make_subnet(ec2, vpc_id, "10.0.3.0/24")
    assert picked["AvailabilityZone"].startswith("us-east-1")


def test_sub_7_unknown_zone_lists_the_region_zones(ec2: Any, vpc_id: str) -> None:
    """An AZ of another region fails with InvalidParameterValue naming the usable zones."""
    code, message = aws_error(
        make_subnet, ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="eu-west-1a"
    )
    assert code == "InvalidParameterValue"
    assert message == (
        "Value (eu-west-1a) for parameter availabilityZone is invalid. Subnets can currently only be "
        "created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, "
        "us-east-1e, us-east-1f."
    )


def test_sub_9_map_public_ip_false_by_default_and_modified_one_at_a_time(
    ec2: Any, vpc_id: str
) -> None:
    """Non-default subnets start without public IPs; ModifySubnetAttribute changes one attribute."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.0/24")
    assert subnet["MapPublicIpOnLaunch"] is False and subnet["DefaultForAz"] is False
    ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    assert described(ec2, subnet["SubnetId"])["MapPublicIpOnLaunch"] is True
    code, _ = aws_error(
        ec2.modify_subnet_attribute,
        SubnetId=subnet["SubnetId"],
        MapPublicIpOnLaunch={"Value": False},
        EnableDns64={"Value": True},
    )
    assert code == "InvalidParameterCombination"
    assert described(ec2, subnet["SubnetId"])["MapPublicIpOnLaunch"] is True
    assert (
        aws_error(
            ec2.modify_subnet_attribute,
            SubnetId="subnet-0123456789abcdef0",
            MapPublicIpOnLaunch={"Value": True},
        )[0]
        == "InvalidSubnetID.NotFound"
    )


def tables(store: Store, vpc_id: str) -> list[RouteTable]:
    """Route tables of a VPC from the store."""
    return [rt for rt in store.view(ACCOUNT, REGION).all(RouteTable) if rt.vpc_id == vpc_id]


def test_sub_10_new_subnet_is_implicitly_on_the_main_table(
    ec2: Any, store: Store, vpc_id: str
) -> None:
    """No association object is created: the main table still lists only Main=true."""
    make_subnet(ec2, vpc_id, "10.0.1.0/24")
    (main,) = tables(store, vpc_id)
    assert [(a.main, a.subnet_id) for a in main.associations] == [(True, None)]


def test_sub_12_new_subnet_is_associated_with_the_default_nacl(
    ec2: Any, store: Store, vpc_id: str
) -> None:
    """The VPC's default NACL gains an association for the new subnet."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.0/24")
    (acl,) = [a for a in store.view(ACCOUNT, REGION).all(NetworkAcl) if a.vpc_id == vpc_id]
    assert acl.is_default
    assert [a.subnet_id for a in acl.associations] == [subnet["SubnetId"]]


def test_sub_13_create_answers_available_as_aws_does_today(ec2: Any, vpc_id: str) -> None:
    """CreateSubnet answers available (the AWS CLI's create-subnet examples), as Describe does."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.0/24")
    assert subnet["State"] == "available"
    assert described(ec2, subnet["SubnetId"])["State"] == "available"
    assert subnet["SubnetArn"] == f"arn:aws:ec2:us-east-1:123456789012:subnet/{subnet['SubnetId']}"


def test_sub_14_subnet_with_an_eni_cannot_be_deleted(ec2: Any, store: Store, vpc_id: str) -> None:
    """Any ENI blocks DeleteSubnet with the observed message; once gone, the delete works."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.0/24")
    eni = put_eni(store, subnet, "10.0.1.10")
    assert aws_error(ec2.delete_subnet, SubnetId=subnet["SubnetId"]) == (
        "DependencyViolation",
        f"The subnet '{subnet['SubnetId']}' has dependencies and cannot be deleted.",
    )
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.delete(NetworkInterface, eni.id)
    ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    assert aws_error(ec2.describe_subnets, SubnetIds=[subnet["SubnetId"]]) == (
        "InvalidSubnetID.NotFound",
        f"The subnet ID '{subnet['SubnetId']}' does not exist",
    )


def test_sub_14_amb_28_delete_removes_its_associations(ec2: Any, store: Store, vpc_id: str) -> None:
    """A subnet with only associations deletes; its explicit and NACL associations go with it."""
    subnet = make_subnet(ec2, vpc_id, "10.0.1.0/24")
    custom = RouteTable(
        id=new_id("rtb"),
        vpc_id=vpc_id,
        routes=(),
        associations=(RouteTableAssociation(id=new_id("rtbassoc"), subnet_id=subnet["SubnetId"]),),
    )
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.put(custom)
    ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    view = store.view(ACCOUNT, REGION)
    after = view.get(RouteTable, custom.id)
    assert after is not None and after.associations == ()
    for acl in view.all(NetworkAcl):
        assert subnet["SubnetId"] not in {a.subnet_id for a in acl.associations}


def test_sub_15_two_hundred_subnets_per_vpc_only_with_aws_quotas(store: Store) -> None:
    """The 201st subnet fails with SubnetLimitExceeded under quotas="aws"; unlimited otherwise."""
    limited = client(Api(store, Settings(quotas="aws")))
    vpc = limited.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for n in range(200):
        limited.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24")
    assert aws_error(limited.create_subnet, VpcId=vpc, CidrBlock="10.0.250.0/24")[0] == (
        "SubnetLimitExceeded"
    )
    client(Api(store, Settings())).create_subnet(VpcId=vpc, CidrBlock="10.0.250.0/24")


def test_sub_16_every_subnet_has_its_own_router_address_reserved(ec2: Any, vpc_id: str) -> None:
    """The router at base+1 of each subnet is among the five reserved addresses of every subnet."""
    small = [make_subnet(ec2, vpc_id, f"10.0.{n}.0/28") for n in range(3)]
    assert {s["AvailableIpAddressCount"] for s in small} == {11}
