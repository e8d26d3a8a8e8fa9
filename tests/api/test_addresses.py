"""Elastic IPs through boto3: allocation, association, ENI-4 public IP swaps, release (spec 9.2)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.gateway_support import (
    attach_second_eni,
    ec2,
    error_code,
    error_message,
    igw_of,
    launch,
    make_eni,
    network,
    public_ip_of,
)

__all__ = ["ec2"]  # the shared-client fixture, used by every test here


def default_subnet(ec2: Any) -> tuple[str, str]:
    """The default VPC and one of its subnets."""
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"
    ]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return vpc_id, sorted(s["SubnetId"] for s in subnets)[0]


def address(ec2: Any, allocation_id: str) -> dict[str, Any]:
    """One address as DescribeAddresses shows it."""
    found: dict[str, Any] = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    return found


# -- EIP-1 ------------------------------------------------------------------------------------
def test_eip_1_allocate_returns_allocation_id_and_public_ip(ec2: Any) -> None:
    made = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[
            {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "web"}]}
        ],
    )
    assert made["AllocationId"].startswith("eipalloc-")
    assert made["Domain"] == "vpc"
    assert made["NetworkBorderGroup"] == "us-east-1"
    shown = address(ec2, made["AllocationId"])
    assert shown["PublicIp"] == made["PublicIp"]
    assert shown["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert "AssociationId" not in shown
    first_octet = int(made["PublicIp"].split(".")[0])
    assert first_octet not in (10, 127, 172, 192)


def test_eip_1_public_ips_are_unique(ec2: Any) -> None:
    ips = {ec2.allocate_address(Domain="vpc")["PublicIp"] for _ in range(40)}
    assert len(ips) == 40


def test_eip_1_quota_only_with_quotas_on(ec2: Any, api: Any) -> None:
    for _ in range(6):
        ec2.allocate_address(Domain="vpc")
    api.settings.quotas = "aws"
    with pytest.raises(ClientError) as exc:
        ec2.allocate_address(Domain="vpc")
    assert error_code(exc) == "AddressLimitExceeded"
    assert len(ec2.describe_addresses()["Addresses"]) == 6


def test_eip_1_bad_domain_is_refused(ec2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ec2.allocate_address(Domain="classic")
    assert error_code(exc) == "InvalidParameterValue"


def test_eip_1_unknown_and_malformed_allocation_ids(ec2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ec2.describe_addresses(AllocationIds=["eipalloc-0123456789abcdef0"])
    assert error_code(exc) == "InvalidAllocationID.NotFound"
    with pytest.raises(ClientError) as exc:
        ec2.describe_addresses(AllocationIds=["bogus"])
    assert error_code(exc) == "InvalidAllocationID.Malformed"
    with pytest.raises(ClientError) as exc:
        ec2.describe_addresses(PublicIps=["198.51.100.7"])
    assert error_code(exc) == "InvalidAddress.NotFound"


# -- EIP-2 / IGW-13 -----------------------------------------------------------------------------
def test_eip_2_associate_to_eni_defaults_to_primary_ip(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10", "10.0.1.11"))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)["AssociationId"]
    assert assoc.startswith("eipassoc-")
    shown = address(ec2, alloc)
    assert shown["AssociationId"] == assoc
    assert shown["NetworkInterfaceId"] == eni_id
    assert shown["PrivateIpAddress"] == "10.0.1.10"
    assert shown["NetworkInterfaceOwnerId"] == "123456789012"
    assert "InstanceId" not in shown


def test_eip_2_private_ip_must_belong_to_the_eni(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10", "10.0.1.11"))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(
        AllocationId=alloc, NetworkInterfaceId=eni_id, PrivateIpAddress="10.0.1.11"
    )
    assert address(ec2, alloc)["PrivateIpAddress"] == "10.0.1.11"
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(
            AllocationId=alloc, NetworkInterfaceId=eni_id, PrivateIpAddress="10.0.1.99"
        )
    assert error_code(exc) == "InvalidParameterValue"


def test_eip_2_instance_id_shows_in_describe(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    instance_id, eni_id = launch(ec2, subnet_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=alloc, InstanceId=instance_id)
    shown = address(ec2, alloc)
    assert shown["InstanceId"] == instance_id
    assert shown["NetworkInterfaceId"] == eni_id
    by_instance = ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [instance_id]}])
    assert [a["AllocationId"] for a in by_instance["Addresses"]] == [alloc]


def test_eip_2_instance_with_several_enis_needs_an_eni_id(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    instance_id, _ = launch(ec2, subnet_id)
    attach_second_eni(ec2, subnet_id, instance_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(AllocationId=alloc, InstanceId=instance_id)
    assert error_code(exc) == "InvalidInstanceID"
    assert "multiple interfaces" in error_message(exc)


def test_eip_2_moves_by_default_and_refuses_without_reassociation(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    first = make_eni(ec2, subnet_id, ("10.0.1.10",))
    second = make_eni(ec2, subnet_id, ("10.0.1.11",))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=first)["AssociationId"]
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(
            AllocationId=alloc, NetworkInterfaceId=second, AllowReassociation=False
        )
    assert error_code(exc) == "Resource.AlreadyAssociated"
    assert error_message(exc) == f"resource {alloc} is already associated with associate-id {assoc}"
    assert address(ec2, alloc)["NetworkInterfaceId"] == first
    moved = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=second)["AssociationId"]
    assert moved != assoc
    assert address(ec2, alloc)["NetworkInterfaceId"] == second


def test_eip_2_repeating_the_same_association_is_not_an_error(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    first = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)["AssociationId"]
    again = ec2.associate_address(
        AllocationId=alloc, NetworkInterfaceId=eni_id, AllowReassociation=False
    )["AssociationId"]
    assert again == first


def test_eip_2_previous_eip_on_the_address_is_displaced_not_released(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    old = ec2.allocate_address(Domain="vpc")["AllocationId"]
    new = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=old, NetworkInterfaceId=eni_id)
    ec2.associate_address(AllocationId=new, NetworkInterfaceId=eni_id)
    assert "AssociationId" not in address(ec2, old)
    assert address(ec2, new)["NetworkInterfaceId"] == eni_id


def test_eip_2_needs_an_instance_or_eni(ec2: Any) -> None:
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(AllocationId=alloc)
    assert error_code(exc) == "MissingParameter"
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(AllocationId=alloc, NetworkInterfaceId="eni-0123456789abcdef0")
    assert error_code(exc) == "InvalidNetworkInterfaceID.NotFound"


def test_igw_13_associate_in_vpc_without_igw_fails(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2, igw=False)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)
    assert error_code(exc) == "Gateway.NotAttached"
    assert error_message(exc) == f"Network {vpc_id} is not attached to any internet gateway"
    assert "AssociationId" not in address(ec2, alloc)


# -- ENI-4 ----------------------------------------------------------------------------------------
def test_eni_4_eip_replaces_auto_public_ip_and_disassociation_gives_a_new_one(ec2: Any) -> None:
    _, subnet_id = default_subnet(ec2)
    instance_id, eni_id = launch(ec2, subnet_id)
    auto = public_ip_of(ec2, eni_id)
    assert auto is not None
    made = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=made["AllocationId"], InstanceId=instance_id)
    assert public_ip_of(ec2, eni_id) == made["PublicIp"]
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    renewed = public_ip_of(ec2, eni_id)
    assert renewed is not None and renewed not in (auto, made["PublicIp"])


def test_eni_4_no_new_public_ip_when_instance_has_several_enis(ec2: Any) -> None:
    _, subnet_id = default_subnet(ec2)
    instance_id, eni_id = launch(ec2, subnet_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)["AssociationId"]
    attach_second_eni(ec2, subnet_id, instance_id)
    ec2.disassociate_address(AssociationId=assoc)
    assert public_ip_of(ec2, eni_id) is None


def test_eni_4_eip_on_secondary_ip_keeps_the_auto_public_ip(ec2: Any) -> None:
    _, subnet_id = default_subnet(ec2)
    _, eni_id = launch(ec2, subnet_id)
    auto = public_ip_of(ec2, eni_id)
    assigned = ec2.assign_private_ip_addresses(
        NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=1
    )["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"]
    made = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(
        AllocationId=made["AllocationId"], NetworkInterfaceId=eni_id, PrivateIpAddress=assigned
    )
    assert public_ip_of(ec2, eni_id) == auto
    assert public_ip_of(ec2, eni_id, assigned) == made["PublicIp"]


def test_eni_4_eip_leaving_a_stopped_instance_gives_no_public_ip_until_it_starts(ec2: Any) -> None:
    """A stopped instance holds no public IP: disassociating its EIP leaves eth0 without one,
    and the new auto-assigned public IP comes with StartInstances."""
    _, subnet_id = default_subnet(ec2)
    instance_id, eni_id = launch(ec2, subnet_id)
    auto = public_ip_of(ec2, eni_id)
    made = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=made["AllocationId"], InstanceId=instance_id)
    ec2.stop_instances(InstanceIds=[instance_id])
    assert public_ip_of(ec2, eni_id) == made["PublicIp"]  # an EIP stays through a stop
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    assert public_ip_of(ec2, eni_id) is None
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert "PublicIpAddress" not in instance
    ec2.start_instances(InstanceIds=[instance_id])
    renewed = public_ip_of(ec2, eni_id)
    assert renewed is not None and renewed not in (auto, made["PublicIp"])


def test_eni_4_eip_associated_while_stopped_is_replaced_by_a_new_ip_when_it_leaves(
    ec2: Any,
) -> None:
    """An EIP given to a stopped instance (which then had no public IP to displace) still
    gives way to a fresh auto-assigned public IP when it is disassociated from the running
    instance."""
    _, subnet_id = default_subnet(ec2)
    instance_id, eni_id = launch(ec2, subnet_id)
    ec2.stop_instances(InstanceIds=[instance_id])
    assert public_ip_of(ec2, eni_id) is None
    made = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=made["AllocationId"], InstanceId=instance_id)
    ec2.start_instances(InstanceIds=[instance_id])
    assert public_ip_of(ec2, eni_id) == made["PublicIp"]
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    renewed = public_ip_of(ec2, eni_id)
    assert renewed is not None and renewed != made["PublicIp"]


def test_eni_4_eni_without_auto_public_ip_gets_none_when_its_eip_leaves(ec2: Any) -> None:
    """An instance launched without a public IP stays without one after its EIP leaves."""
    _, subnet_id = default_subnet(ec2)
    made_instance = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": False}
        ],
    )["Instances"][0]
    instance_id = made_instance["InstanceId"]
    eni_id = made_instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert public_ip_of(ec2, eni_id) is None
    made = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=made["AllocationId"], InstanceId=instance_id)
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    assert public_ip_of(ec2, eni_id) is None


# -- EIP-3 -------------------------------------------------------------------------------------
def test_eip_3_disassociate_is_idempotent(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    alloc = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni_id)
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    ec2.disassociate_address(PublicIp=alloc["PublicIp"])
    assert "AssociationId" not in address(ec2, alloc["AllocationId"])
    with pytest.raises(ClientError) as exc:
        ec2.disassociate_address(AssociationId="eipassoc-0123456789abcdef0")
    assert error_code(exc) == "InvalidAssociationID.NotFound"


def test_eip_3_release_in_non_default_vpc_requires_disassociation(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)["AssociationId"]
    with pytest.raises(ClientError) as exc:
        ec2.release_address(AllocationId=alloc)
    assert error_code(exc) == "InvalidIPAddress.InUse"
    ec2.disassociate_address(AssociationId=assoc)
    ec2.release_address(AllocationId=alloc)
    assert ec2.describe_addresses()["Addresses"] == []


def test_eip_3_release_in_default_vpc_disassociates_implicitly(ec2: Any) -> None:
    _, subnet_id = default_subnet(ec2)
    eni_id = make_eni(ec2, subnet_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)
    ec2.release_address(AllocationId=alloc)
    assert ec2.describe_addresses()["Addresses"] == []
    with pytest.raises(ClientError) as exc:
        ec2.release_address(AllocationId=alloc)
    assert error_code(exc) == "InvalidAllocationID.NotFound"


# -- EIP-4 -------------------------------------------------------------------------------------
def test_eip_4_eip_is_mapped_only_through_the_vpc_igw(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)
    igw_id = igw_of(ec2, vpc_id)
    with pytest.raises(ClientError) as exc:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert error_code(exc) == "DependencyViolation"


# -- filters --------------------------------------------------------------------------------------
def test_describe_addresses_filters(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    mapped = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "k", "Value": "v"}]}],
    )
    spare = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=mapped["AllocationId"], NetworkInterfaceId=eni_id)

    def ids(name: str, value: str) -> list[str]:
        found = ec2.describe_addresses(Filters=[{"Name": name, "Values": [value]}])["Addresses"]
        return [a["AllocationId"] for a in found]

    assert ids("allocation-id", spare["AllocationId"]) == [spare["AllocationId"]]
    assert ids("association-id", assoc["AssociationId"]) == [mapped["AllocationId"]]
    assert ids("network-interface-id", eni_id) == [mapped["AllocationId"]]
    assert ids("network-interface-owner-id", "123456789012") == [mapped["AllocationId"]]
    assert ids("private-ip-address", "10.0.1.10") == [mapped["AllocationId"]]
    assert ids("public-ip", spare["PublicIp"]) == [spare["AllocationId"]]
    assert ids("tag:k", "v") == [mapped["AllocationId"]]
    assert len(ids("domain", "vpc")) == 2
    by_ip = ec2.describe_addresses(PublicIps=[spare["PublicIp"]])["Addresses"]
    assert [a["AllocationId"] for a in by_ip] == [spare["AllocationId"]]
    with pytest.raises(ClientError) as exc:
        ec2.describe_addresses(Filters=[{"Name": "color", "Values": ["red"]}])
    assert error_code(exc) == "InvalidParameterValue"


def test_describe_addresses_attribute_lists_allocations(ec2: Any) -> None:
    made = [ec2.allocate_address(Domain="vpc")["AllocationId"] for _ in range(3)]
    page = ec2.describe_addresses_attribute(Attribute="domain-name", MaxResults=2)
    rest = ec2.describe_addresses_attribute(Attribute="domain-name", NextToken=page["NextToken"])
    seen = [a["AllocationId"] for a in page["Addresses"] + rest["Addresses"]]
    assert seen == sorted(made)


def test_dry_run_changes_nothing(ec2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ec2.allocate_address(Domain="vpc", DryRun=True)
    assert error_code(exc) == "DryRunOperation"
    assert ec2.describe_addresses()["Addresses"] == []


def test_eip_2_associate_and_release_by_public_ip(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = make_eni(ec2, subnet_id, ("10.0.1.10",))
    made = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(PublicIp=made["PublicIp"], NetworkInterfaceId=eni_id)
    assert address(ec2, made["AllocationId"])["NetworkInterfaceId"] == eni_id
    ec2.disassociate_address(PublicIp=made["PublicIp"])
    ec2.release_address(PublicIp=made["PublicIp"])
    assert ec2.describe_addresses()["Addresses"] == []


def test_eip_2_terminated_instance_cannot_take_an_eip(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    instance_id, _ = launch(ec2, subnet_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.terminate_instances(InstanceIds=[instance_id])
    with pytest.raises(ClientError) as exc:
        ec2.associate_address(AllocationId=alloc, InstanceId=instance_id)
    assert error_code(exc) == "IncorrectInstanceState"


def test_eip_3_terminating_an_instance_unmaps_its_eip_but_keeps_it(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    instance_id, _ = launch(ec2, subnet_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=alloc, InstanceId=instance_id)
    ec2.terminate_instances(InstanceIds=[instance_id])
    shown = address(ec2, alloc)
    assert "AssociationId" not in shown and "InstanceId" not in shown
    ec2.release_address(AllocationId=alloc)
