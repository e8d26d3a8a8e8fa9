"""NAT gateways through boto3: creation, failures, lifecycle on the clock, deletion (spec 5.1)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from tests.api.gateway_support import ec2, error_code, error_message, igw_of, network
from tests.support import IDEMPOTENCY_MISMATCH
from vpclab.model.state import Clock

__all__ = ["ec2"]  # the shared-client fixture, used by every test here


def nat(ec2: Any, nat_id: str) -> dict[str, Any]:
    """One NAT gateway as DescribeNatGateways shows it."""
    found: dict[str, Any] = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]
    return found


def public_nat(ec2: Any, subnet_id: str, **extra: Any) -> tuple[str, str]:
    """A public NAT gateway with a fresh EIP: (nat id, allocation id)."""
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    made = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, **extra)["NatGateway"]
    return made["NatGatewayId"], alloc


# -- NAT-1 -------------------------------------------------------------------------------------
def test_nat_1_public_gateway_needs_an_allocation(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id)
    assert error_code(exc) == "MissingParameter"
    assert ec2.describe_nat_gateways()["NatGateways"] == []


def test_nat_1_private_gateway_must_not_have_an_allocation(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, ConnectivityType="private")
    assert error_code(exc) == "InvalidParameterCombination"


def test_nat_1_private_gateway_needs_no_igw(ec2: Any) -> None:
    _, subnet_id = network(ec2, igw=False)
    made = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]
    shown = nat(ec2, made["NatGatewayId"])
    assert shown["State"] == "available"
    assert shown["ConnectivityType"] == "private"
    (addr,) = shown["NatGatewayAddresses"]
    assert addr["PrivateIp"].startswith("10.0.1.")
    assert "PublicIp" not in addr and "AllocationId" not in addr


def test_nat_1_client_token_is_idempotent(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    first = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, ClientToken="tok-1")
    again = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, ClientToken="tok-1")
    assert first["NatGateway"]["NatGatewayId"] == again["NatGateway"]["NatGatewayId"]
    assert again["ClientToken"] == "tok-1"
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 1
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private", ClientToken="tok-1")
    assert error_code(exc) == "IdempotentParameterMismatch"
    assert error_message(exc) == IDEMPOTENCY_MISMATCH


# -- NAT-2 / NAT-4 ----------------------------------------------------------------------------------
def test_nat_2_public_gateway_in_vpc_with_igw_becomes_available(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    shown = nat(ec2, nat_id)
    assert shown["State"] == "available"
    assert shown["VpcId"] == vpc_id and shown["SubnetId"] == subnet_id
    assert "FailureCode" not in shown


def test_nat_4_gateway_owns_a_requester_managed_eni_holding_the_eip(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    nat_id, alloc = public_nat(ec2, subnet_id, PrivateIpAddress="10.0.1.77")
    (addr,) = nat(ec2, nat_id)["NatGatewayAddresses"]
    eip = ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
    assert addr["AllocationId"] == alloc
    assert addr["PrivateIp"] == "10.0.1.77"
    assert addr["PublicIp"] == eip["PublicIp"]
    assert addr["AssociationId"] == eip["AssociationId"]
    assert addr["IsPrimary"] is True and addr["Status"] == "succeeded"
    assert eip["NetworkInterfaceId"] == addr["NetworkInterfaceId"]
    assert eip["PrivateIpAddress"] == "10.0.1.77"
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[addr["NetworkInterfaceId"]])[
        "NetworkInterfaces"
    ][0]
    assert eni["InterfaceType"] == "nat_gateway" and eni["RequesterManaged"] is True
    assert eni["Description"] == f"Interface for NAT Gateway {nat_id}"
    assert eni["SubnetId"] == subnet_id and eni["Groups"] == []
    assert eni["Association"]["PublicIp"] == eip["PublicIp"]
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    assert subnet["AvailableIpAddressCount"] == 251 - 1


def test_nat_4_gateway_eni_blocks_subnet_deletion(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    with pytest.raises(ClientError) as exc:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert error_code(exc) == "DependencyViolation"
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.delete_subnet(SubnetId=subnet_id)


def test_nat_4_requested_private_ip_is_validated_synchronously(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    public_nat(ec2, subnet_id, PrivateIpAddress="10.0.1.77")
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, PrivateIpAddress="10.0.1.77")
    assert error_code(exc) == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, PrivateIpAddress="10.0.1.2")
    assert error_code(exc) == "InvalidParameterValue"


def test_nat_4_user_cannot_move_the_gateway_eip(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    nat_id, alloc = public_nat(ec2, subnet_id)
    assoc = ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]["AssociationId"]
    with pytest.raises(ClientError) as exc:
        ec2.disassociate_address(AssociationId=assoc)
    assert error_code(exc) == "AuthFailure"
    with pytest.raises(ClientError) as exc:
        ec2.release_address(AllocationId=alloc)
    assert error_code(exc) == "InvalidIPAddress.InUse"
    assert nat(ec2, nat_id)["NatGatewayAddresses"][0]["AssociationId"] == assoc


# -- NAT-3: lifecycle on the clock ---------------------------------------------------------------
def test_nat_3_pending_then_available_then_deleting_then_deleted(ec2: Any, clock: Clock) -> None:
    _, subnet_id = network(ec2)
    clock.settle_seconds = 30.0
    nat_id, _ = public_nat(ec2, subnet_id)
    assert nat(ec2, nat_id)["State"] == "pending"
    assert nat(ec2, nat_id)["NatGatewayAddresses"][0]["Status"] == "associating"
    clock.advance(31)
    assert nat(ec2, nat_id)["State"] == "available"
    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    shown = nat(ec2, nat_id)
    assert shown["State"] == "deleting"
    assert "DeleteTime" in shown
    clock.advance(31)
    assert nat(ec2, nat_id)["State"] == "deleted"
    clock.advance(3700)
    with pytest.raises(ClientError) as exc:
        nat(ec2, nat_id)
    assert error_code(exc) == "NatGatewayNotFound"
    assert ec2.describe_nat_gateways()["NatGateways"] == []


def test_nat_3_waiters_available_and_deleted(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    fast = {"Delay": 1, "MaxAttempts": 2}
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id], WaiterConfig=fast)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat_id], WaiterConfig=fast)


def test_nat_3_failed_gateway_vanishes_after_an_hour(ec2: Any, clock: Clock) -> None:
    _, subnet_id = network(ec2, igw=False)
    nat_id, _ = public_nat(ec2, subnet_id)
    assert nat(ec2, nat_id)["State"] == "failed"
    clock.advance(3000)
    assert nat(ec2, nat_id)["State"] == "failed"
    clock.advance(700)
    assert ec2.describe_nat_gateways()["NatGateways"] == []


# -- NAT-20 / AMB-27: failures --------------------------------------------------------------------
def test_nat_20_no_igw_gives_failed_gateway_not_attached(ec2: Any, clock: Clock) -> None:
    vpc_id, subnet_id = network(ec2, igw=False)
    clock.settle_seconds = 10.0
    nat_id, alloc = public_nat(ec2, subnet_id)
    assert nat(ec2, nat_id)["State"] == "pending"
    clock.advance(11)
    shown = nat(ec2, nat_id)
    assert shown["State"] == "failed"
    assert shown["FailureCode"] == "Gateway.NotAttached"
    assert shown["FailureMessage"] == f"Network {vpc_id} has no Internet gateway attached"
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]


def test_nat_20_eip_already_associated_gives_failed_gateway(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    _, alloc = public_nat(ec2, subnet_id)
    second = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc)["NatGateway"]
    shown = nat(ec2, second["NatGatewayId"])
    assert shown["State"] == "failed"
    assert shown["FailureCode"] == "Resource.AlreadyAssociated"
    assert shown["FailureMessage"] == f"Elastic IP address {alloc} is already associated"


def test_nat_20_full_subnet_gives_failed_gateway(ec2: Any) -> None:
    _, subnet_id = network(ec2, cidr="10.0.1.0/28")
    ec2.create_network_interface(SubnetId=subnet_id, SecondaryPrivateIpAddressCount=10)
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 0
    nat_id, alloc = public_nat(ec2, subnet_id)
    shown = nat(ec2, nat_id)
    assert shown["State"] == "failed"
    assert shown["FailureCode"] == "InsufficientFreeAddressesInSubnet"
    assert (
        shown["FailureMessage"]
        == "Subnet has insufficient free addresses to create this NAT gateway"
    )
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]


def test_amb_27_unknown_subnet_or_allocation_fails_synchronously(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0", ConnectivityType="private")
    assert error_code(exc) == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId="eipalloc-0123456789abcdef0")
    assert error_code(exc) == "InvalidAllocationID.NotFound"
    assert ec2.describe_nat_gateways()["NatGateways"] == []


# -- NAT-5 -----------------------------------------------------------------------------------------
def test_nat_5_delete_disassociates_the_eip_but_keeps_it(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    nat_id, alloc = public_nat(ec2, subnet_id)
    eni_id = nat(ec2, nat_id)["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    eip = ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
    assert "AssociationId" not in eip
    with pytest.raises(ClientError) as exc:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    assert error_code(exc) == "InvalidNetworkInterfaceID.NotFound"
    ec2.release_address(AllocationId=alloc)
    assert nat(ec2, nat_id)["NatGatewayAddresses"][0]["AllocationId"] == alloc


def test_nat_5_route_to_deleted_gateway_turns_blackhole(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    (to_nat,) = [r for r in routes if r.get("NatGatewayId") == nat_id]
    assert to_nat["State"] == "blackhole"


# -- NAT-15 ---------------------------------------------------------------------------------------
def test_nat_15_five_gateways_per_zone(ec2: Any, clock: Clock) -> None:
    vpc_id, subnet_id = network(ec2)
    made = [
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]
        for _ in range(5)
    ]
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")
    assert error_code(exc) == "NatGatewayLimitExceeded"
    assert (
        error_message(exc) == "Performing this operation would exceed the limit of 5 NAT gateways"
    )
    zone = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailabilityZone"]
    other_zone = "us-east-1b" if zone != "us-east-1b" else "us-east-1c"
    elsewhere = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.0.9.0/24", AvailabilityZone=other_zone
    )
    ec2.create_nat_gateway(SubnetId=elsewhere["Subnet"]["SubnetId"], ConnectivityType="private")
    clock.settle_seconds = 600.0  # from now on deletions take a while
    ec2.delete_nat_gateway(NatGatewayId=made[0]["NatGatewayId"])
    with pytest.raises(ClientError) as exc:  # deleting still counts...
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")
    assert error_code(exc) == "NatGatewayLimitExceeded"


def test_nat_15_deleted_and_failed_gateways_do_not_count(ec2: Any) -> None:
    _, subnet_id = network(ec2, igw=False)
    for _ in range(5):
        public_nat(ec2, subnet_id)  # all fail: no IGW
    private = [
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]
        for _ in range(5)
    ]
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")
    assert error_code(exc) == "NatGatewayLimitExceeded"
    ec2.delete_nat_gateway(NatGatewayId=private[0]["NatGatewayId"])
    assert nat(ec2, private[0]["NatGatewayId"])["State"] == "deleted"
    ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")


# -- NAT-16 ---------------------------------------------------------------------------------------
def test_nat_16_unknown_and_malformed_ids(ec2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ec2.describe_nat_gateways(NatGatewayIds=["nat-0123456789abcdef0"])
    assert error_code(exc) == "NatGatewayNotFound"
    assert error_message(exc) == "NAT gateway nat-0123456789abcdef0 was not found"
    with pytest.raises(ClientError) as exc:
        ec2.delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0")
    assert error_code(exc) == "NatGatewayNotFound"
    with pytest.raises(ClientError) as exc:
        ec2.delete_nat_gateway(NatGatewayId="gateway-1")
    assert error_code(exc) == "NatGatewayMalformed"


# -- IGW-4 -------------------------------------------------------------------------------------------
def test_igw_4_detach_refused_while_nat_gateway_eip_is_mapped(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    igw_id = igw_of(ec2, vpc_id)
    with pytest.raises(ClientError) as exc:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert error_code(exc) == "DependencyViolation"
    assert error_message(exc) == (
        f"Network {vpc_id} has some mapped public address(es). "
        "Please unmap those public address(es) before detaching the gateway."
    )
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)


# -- Describe --------------------------------------------------------------------------------------
def test_describe_nat_gateways_filters_and_pages(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    tagged, _ = public_nat(
        ec2,
        subnet_id,
        TagSpecifications=[
            {"ResourceType": "natgateway", "Tags": [{"Key": "tier", "Value": "edge"}]}
        ],
    )
    private = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")
    private_id = private["NatGateway"]["NatGatewayId"]
    ec2.delete_nat_gateway(NatGatewayId=private_id)

    def ids(name: str, value: str) -> list[str]:
        found = ec2.describe_nat_gateways(Filter=[{"Name": name, "Values": [value]}])
        return sorted(n["NatGatewayId"] for n in found["NatGateways"])

    assert ids("nat-gateway-id", tagged) == [tagged]
    assert ids("state", "available") == [tagged]
    assert ids("state", "deleted") == [private_id]
    assert ids("subnet-id", subnet_id) == sorted([tagged, private_id])
    assert ids("vpc-id", vpc_id) == sorted([tagged, private_id])
    assert ids("tag:tier", "edge") == [tagged]
    assert nat(ec2, tagged)["Tags"] == [{"Key": "tier", "Value": "edge"}]
    first = ec2.describe_nat_gateways(MaxResults=5)
    assert "NextToken" not in first and len(first["NatGateways"]) == 2
    pages = ec2.get_paginator("describe_nat_gateways").paginate(PaginationConfig={"PageSize": 5})
    assert sum(len(p["NatGateways"]) for p in pages) == 2


# -- AMB-12 / AMB-23 --------------------------------------------------------------------------------
def test_amb_12_gateway_in_subnet_without_igw_route_is_still_created(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    main = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]
    assert not any(r.get("GatewayId", "").startswith("igw-") for r in main["Routes"])
    nat_id, _ = public_nat(ec2, subnet_id)
    assert nat(ec2, nat_id)["State"] == "available"


def test_amb_23_route_to_pending_gateway_is_blackhole_until_available(
    ec2: Any, clock: Clock
) -> None:
    vpc_id, subnet_id = network(ec2)
    clock.settle_seconds = 20.0
    nat_id, _ = public_nat(ec2, subnet_id)
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)

    def state() -> str:
        routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        return str(next(r["State"] for r in routes if r.get("NatGatewayId") == nat_id))

    assert state() == "blackhole"
    clock.advance(21)
    assert state() == "active"


def test_amb_23_gateway_of_another_vpc_is_not_a_valid_target(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    rtb = ec2.create_route_table(VpcId=other_vpc)["RouteTable"]["RouteTableId"]
    with pytest.raises(ClientError) as exc:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    assert error_code(exc) == "InvalidParameterValue"


def test_nat_1_dry_run_validates_then_changes_nothing(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, DryRun=True)
    assert error_code(exc) == "MissingParameter"
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc, DryRun=True)
    assert error_code(exc) == "DryRunOperation"
    assert ec2.describe_nat_gateways()["NatGateways"] == []
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]


def test_nat_3_available_waiter_stops_on_a_failed_gateway(ec2: Any) -> None:
    _, subnet_id = network(ec2, igw=False)
    nat_id, _ = public_nat(ec2, subnet_id)
    with pytest.raises(WaiterError) as exc:
        ec2.get_waiter("nat_gateway_available").wait(
            NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 2}
        )
    assert "failure state" in str(exc.value)


def test_describe_nat_gateways_pages_with_tokens(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    second = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")
    made = [
        ec2.create_nat_gateway(SubnetId=s, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
        for s in (subnet_id, second["Subnet"]["SubnetId"])
        for _ in range(4)
    ]
    first = ec2.describe_nat_gateways(MaxResults=5)
    rest = ec2.describe_nat_gateways(MaxResults=5, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    seen = [n["NatGatewayId"] for n in first["NatGateways"] + rest["NatGateways"]]
    assert sorted(seen) == sorted(made) and len(set(seen)) == 8


# -- NAT-10: secondary addresses ----------------------------------------------------------------
def addresses(ec2: Any, nat_id: str) -> list[dict[str, Any]]:
    """A gateway's NatGatewayAddresses as DescribeNatGateways shows them."""
    found: list[dict[str, Any]] = nat(ec2, nat_id)["NatGatewayAddresses"]
    return found


def eni_ips(ec2: Any, eni_id: str) -> list[tuple[str, bool]]:
    """An ENI's private IPs with their primary flag."""
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    return [(ip["PrivateIpAddress"], ip["Primary"]) for ip in eni["PrivateIpAddresses"]]


def test_nat_10_secondary_eips_on_a_public_gateway(ec2: Any) -> None:
    """Each secondary EIP maps a new secondary private IP of the gateway's ENI; disassociating
    unmaps the EIP (kept allocated) and releases that private IP; the primary cannot go."""
    _, subnet_id = network(ec2)
    nat_id, primary_alloc = public_nat(ec2, subnet_id)
    extra = [ec2.allocate_address(Domain="vpc")["AllocationId"] for _ in range(2)]
    answer = ec2.associate_nat_gateway_address(
        NatGatewayId=nat_id, AllocationIds=extra, PrivateIpAddresses=["10.0.1.50", "10.0.1.51"]
    )
    assert answer["NatGatewayId"] == nat_id
    assert [
        (a["AllocationId"], a["PrivateIp"], a["Status"], a["IsPrimary"])
        for a in answer["NatGatewayAddresses"]
    ] == [
        (extra[0], "10.0.1.50", "associating", False),
        (extra[1], "10.0.1.51", "associating", False),
    ]
    shown = addresses(ec2, nat_id)
    assert [a["IsPrimary"] for a in shown] == [True, False, False]
    assert {a["Status"] for a in shown} == {"succeeded"}
    eni_id = shown[0]["NetworkInterfaceId"]
    assert [ip for ip, primary in eni_ips(ec2, eni_id) if not primary] == ["10.0.1.50", "10.0.1.51"]
    eip = ec2.describe_addresses(AllocationIds=[extra[0]])["Addresses"][0]
    assert (eip["NetworkInterfaceId"], eip["PrivateIpAddress"]) == (eni_id, "10.0.1.50")
    with pytest.raises(ClientError) as exc:  # the gateway manages its EIPs (NAT-4)
        ec2.disassociate_address(AssociationId=eip["AssociationId"])
    assert error_code(exc) == "AuthFailure"
    with pytest.raises(ClientError) as exc:
        ec2.disassociate_nat_gateway_address(
            NatGatewayId=nat_id, AssociationIds=[shown[0]["AssociationId"]]
        )
    assert error_code(exc) == "InvalidParameterValue"
    gone = ec2.disassociate_nat_gateway_address(
        NatGatewayId=nat_id, AssociationIds=[eip["AssociationId"]]
    )["NatGatewayAddresses"]
    assert [(a["AllocationId"], a["Status"]) for a in gone] == [(extra[0], "disassociating")]
    assert [a.get("AllocationId") for a in addresses(ec2, nat_id)] == [primary_alloc, extra[1]]
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[extra[0]])["Addresses"][0]
    assert "10.0.1.50" not in [ip for ip, _ in eni_ips(ec2, eni_id)]
    with pytest.raises(ClientError) as exc:
        ec2.disassociate_nat_gateway_address(
            NatGatewayId=nat_id, AssociationIds=[eip["AssociationId"]]
        )
    assert error_code(exc) == "InvalidAssociationID.NotFound"


def test_nat_10_secondary_eip_validations(ec2: Any) -> None:
    """Unknown or already-associated EIPs, a private IP outside the subnet or a private
    gateway are refused, and nothing changes."""
    _, subnet_id = network(ec2)
    nat_id, _ = public_nat(ec2, subnet_id)
    fresh = ec2.allocate_address(Domain="vpc")["AllocationId"]
    _, busy = public_nat(ec2, subnet_id)  # an EIP another gateway holds
    cases = [
        ({"AllocationIds": ["eipalloc-0123456789abcdef0"]}, "InvalidAllocationID.NotFound"),
        ({"AllocationIds": [busy]}, "Resource.AlreadyAssociated"),
        ({"AllocationIds": [fresh], "PrivateIpAddresses": ["10.0.9.9"]}, "InvalidParameterValue"),
        ({"AllocationIds": [fresh, fresh]}, "InvalidParameterValue"),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as exc:
            ec2.associate_nat_gateway_address(NatGatewayId=nat_id, **params)
        assert error_code(exc) == code, params
    assert len(addresses(ec2, nat_id)) == 1
    private_id = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")[
        "NatGateway"
    ]["NatGatewayId"]
    with pytest.raises(ClientError) as exc:
        ec2.associate_nat_gateway_address(NatGatewayId=private_id, AllocationIds=[fresh])
    assert error_code(exc) == "InvalidParameterValue"
    with pytest.raises(ClientError) as exc:
        ec2.associate_nat_gateway_address(
            NatGatewayId="nat-0123456789abcdef0", AllocationIds=[fresh]
        )
    assert error_code(exc) == "NatGatewayNotFound"


def test_nat_10_at_most_eight_addresses(ec2: Any) -> None:
    """1 primary + 7 secondary: an eighth secondary address is refused."""
    _, subnet_id = network(ec2, igw=False)
    nat_id = ec2.create_nat_gateway(
        SubnetId=subnet_id, ConnectivityType="private", SecondaryPrivateIpAddressCount=7
    )["NatGateway"]["NatGatewayId"]
    assert len(addresses(ec2, nat_id)) == 8
    with pytest.raises(ClientError) as exc:
        ec2.assign_private_nat_gateway_address(NatGatewayId=nat_id, PrivateIpAddressCount=1)
    assert error_code(exc) == "InvalidParameterValue"
    assert len(addresses(ec2, nat_id)) == 8


def test_nat_10_secondary_private_ips_on_a_private_gateway(ec2: Any) -> None:
    """Assign by address or by count (from the subnet's free addresses), unassign any
    secondary but never the primary; used addresses are refused."""
    _, subnet_id = network(ec2, igw=False)
    made = ec2.create_nat_gateway(
        SubnetId=subnet_id, ConnectivityType="private", SecondaryPrivateIpAddresses=["10.0.1.40"]
    )["NatGateway"]
    nat_id = made["NatGatewayId"]
    primary = made["NatGatewayAddresses"][0]["PrivateIp"]
    assert [a["PrivateIp"] for a in addresses(ec2, nat_id)] == [primary, "10.0.1.40"]
    assigned = ec2.assign_private_nat_gateway_address(NatGatewayId=nat_id, PrivateIpAddressCount=2)
    counted = [a["PrivateIp"] for a in assigned["NatGatewayAddresses"]]
    assert [a["Status"] for a in assigned["NatGatewayAddresses"]] == ["assigning", "assigning"]
    assert len(set(counted) | {primary, "10.0.1.40"}) == 4
    with pytest.raises(ClientError) as exc:
        ec2.assign_private_nat_gateway_address(NatGatewayId=nat_id, PrivateIpAddresses=[primary])
    assert error_code(exc) == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as exc:
        ec2.assign_private_nat_gateway_address(NatGatewayId=nat_id)
    assert error_code(exc) == "MissingParameter"
    for ips in ([primary], ["10.0.1.200"]):
        with pytest.raises(ClientError) as exc:
            ec2.unassign_private_nat_gateway_address(NatGatewayId=nat_id, PrivateIpAddresses=ips)
        assert error_code(exc) == "InvalidParameterValue"
    gone = ec2.unassign_private_nat_gateway_address(
        NatGatewayId=nat_id, PrivateIpAddresses=["10.0.1.40"]
    )["NatGatewayAddresses"]
    assert [(a["PrivateIp"], a["Status"]) for a in gone] == [("10.0.1.40", "unassigning")]
    assert [a["PrivateIp"] for a in addresses(ec2, nat_id)] == [primary, *counted]
    with pytest.raises(ClientError) as exc:
        ec2.unassign_private_nat_gateway_address(
            NatGatewayId=nat_id, PrivateIpAddresses=["10.0.1.40"]
        )
    assert error_code(exc) == "InvalidParameterValue"


def test_nat_10_delete_unmaps_secondary_eips_too(ec2: Any) -> None:
    """Deleting a public gateway unmaps every EIP it held (NAT-5) and frees their addresses."""
    vpc_id, subnet_id = network(ec2)
    nat_id, primary_alloc = public_nat(ec2, subnet_id)
    extra = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_nat_gateway_address(NatGatewayId=nat_id, AllocationIds=[extra])
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    for alloc in (primary_alloc, extra):
        assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
    ec2.detach_internet_gateway(InternetGatewayId=igw_of(ec2, vpc_id), VpcId=vpc_id)


def test_nat_10_secondary_addresses_on_create_follow_the_same_rules(ec2: Any) -> None:
    """CreateNatGateway's Secondary* parameters: EIPs for public, addresses for private,
    validated like the later calls (a wrong kind is InvalidParameterCombination)."""
    _, subnet_id = network(ec2)
    extra = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id, _ = public_nat(ec2, subnet_id, SecondaryAllocationIds=[extra])
    assert [a.get("AllocationId") for a in addresses(ec2, nat_id)][1:] == [extra]
    with pytest.raises(ClientError) as exc:
        public_nat(ec2, subnet_id, SecondaryPrivateIpAddressCount=1)
    assert error_code(exc) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as exc:
        ec2.create_nat_gateway(
            SubnetId=subnet_id, ConnectivityType="private", SecondaryAllocationIds=[extra]
        )
    assert error_code(exc) == "InvalidParameterCombination"


def test_nat_10_two_eips_per_gateway_under_aws_quotas(store: Any) -> None:
    """With --quotas aws a public gateway holds at most 2 EIPs (AWS's default quota)."""
    from tests.support import client
    from vpclab.api.context import Settings
    from vpclab.api.dispatch import Api

    strict = client(Api(store, Settings(quotas="aws")))
    _, subnet_id = network(strict)
    nat_id, _ = public_nat(strict, subnet_id)
    allocs = [strict.allocate_address(Domain="vpc")["AllocationId"] for _ in range(2)]
    strict.associate_nat_gateway_address(NatGatewayId=nat_id, AllocationIds=allocs[:1])
    with pytest.raises(ClientError) as exc:
        strict.associate_nat_gateway_address(NatGatewayId=nat_id, AllocationIds=allocs[1:])
    assert error_code(exc) == "AddressLimitExceeded"
    assert len(addresses(strict, nat_id)) == 2
