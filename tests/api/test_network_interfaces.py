"""Network interfaces through boto3: addresses, groups, attachment, attributes (spec 9.1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import aws_error


def network(ec2: Any, cidr: str = "10.0.1.0/24") -> tuple[str, str]:
    """A fresh VPC (10.0.0.0/16) with one subnet; returns (vpc id, subnet id)."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone="us-east-1a")[
        "Subnet"
    ]["SubnetId"]
    return vpc_id, subnet_id


def group(ec2: Any, vpc_id: str, name: str) -> str:
    """A new security group in the VPC."""
    made: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    return made


def available(ec2: Any, subnet_id: str) -> int:
    """The subnet's AvailableIpAddressCount."""
    count: int = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0][
        "AvailableIpAddressCount"
    ]
    return count


def interface(ec2: Any, eni_id: str) -> dict[str, Any]:
    """One ENI as DescribeNetworkInterfaces shows it."""
    found: dict[str, Any] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])[
        "NetworkInterfaces"
    ][0]
    return found


def launch(ec2: Any, subnet_id: str, **extra: Any) -> dict[str, Any]:
    """One instance in the subnet."""
    made: dict[str, Any] = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id, **extra
    )["Instances"][0]
    return made


# -- ENI-1, SUB-5, SUB-6 ----------------------------------------------------------------------
def test_eni_1_create_takes_lowest_free_address_and_default_group(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    eni = ec2.create_network_interface(
        SubnetId=subnet_id,
        Description="web",
        TagSpecifications=[
            {"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "web"}]}
        ],
    )["NetworkInterface"]
    default_sg = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    assert eni["NetworkInterfaceId"].startswith("eni-")
    assert eni["PrivateIpAddress"] == "10.0.1.4"
    assert eni["Groups"] == [{"GroupId": default_sg, "GroupName": "default"}]
    assert eni["Status"] == "available"
    assert eni["InterfaceType"] == "interface"
    assert eni["RequesterManaged"] is False
    assert eni["SourceDestCheck"] is True
    assert eni["VpcId"] == vpc_id and eni["AvailabilityZone"] == "us-east-1a"
    assert eni["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert eni["TagSet"] == [{"Key": "Name", "Value": "web"}]
    assert len(eni["MacAddress"].split(":")) == 6
    assert "Attachment" not in eni and "Association" not in eni


def test_eni_1_requested_address_must_be_free(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress="10.0.1.10")
    code, message = aws_error(
        ec2.create_network_interface, SubnetId=subnet_id, PrivateIpAddress="10.0.1.10"
    )
    assert code == "InvalidIPAddress.InUse"
    assert message == "Address 10.0.1.10 is in use."


@pytest.mark.parametrize("address", ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"])
def test_sub_5_reserved_addresses_cannot_be_pinned(ec2: Any, address: str) -> None:
    _, subnet_id = network(ec2)
    code, message = aws_error(
        ec2.create_network_interface, SubnetId=subnet_id, PrivateIpAddress=address
    )
    assert code == "InvalidParameterValue"
    assert "reserved" in message


def test_eni_1_address_outside_subnet_is_refused(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    code, _ = aws_error(
        ec2.create_network_interface, SubnetId=subnet_id, PrivateIpAddress="10.0.2.10"
    )
    assert code == "InvalidParameterValue"


def test_sub_6_available_count_drops_by_one_per_address(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    assert available(ec2, subnet_id) == 251
    ec2.create_network_interface(SubnetId=subnet_id)
    assert available(ec2, subnet_id) == 250
    ec2.create_network_interface(SubnetId=subnet_id, SecondaryPrivateIpAddressCount=2)
    assert available(ec2, subnet_id) == 247


def test_sub_6_a_28_holds_exactly_eleven_addresses(ec2: Any) -> None:
    _, subnet_id = network(ec2, "10.0.1.0/28")
    assert available(ec2, subnet_id) == 11
    made = [
        ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["PrivateIpAddress"]
        for _ in range(11)
    ]
    assert made == [f"10.0.1.{n}" for n in range(4, 15)]
    assert available(ec2, subnet_id) == 0
    code, _ = aws_error(ec2.create_network_interface, SubnetId=subnet_id)
    assert code == "InsufficientFreeAddressesInSubnet"
    assert available(ec2, subnet_id) == 0


def test_eni_1_listed_and_counted_secondary_addresses(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni = ec2.create_network_interface(
        SubnetId=subnet_id,
        PrivateIpAddresses=[
            {"PrivateIpAddress": "10.0.1.20", "Primary": True},
            {"PrivateIpAddress": "10.0.1.21", "Primary": False},
        ],
        SecondaryPrivateIpAddressCount=1,
    )["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.1.20"
    listed = [(p["PrivateIpAddress"], p["Primary"]) for p in eni["PrivateIpAddresses"]]
    assert listed == [("10.0.1.20", True), ("10.0.1.21", False), ("10.0.1.4", False)]


def test_create_in_unknown_subnet_fails(ec2: Any) -> None:
    code, _ = aws_error(ec2.create_network_interface, SubnetId="subnet-0123456789abcdef0")
    assert code == "InvalidSubnetID.NotFound"


# -- SG-2, SG-18, SG-19 -----------------------------------------------------------------------
def test_sg_2_group_of_another_vpc_is_refused(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    other_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    foreign = group(ec2, other_vpc, "foreign")
    code, message = aws_error(ec2.create_network_interface, SubnetId=subnet_id, Groups=[foreign])
    assert code == "InvalidParameter"
    assert "belong to different networks" in message


def test_sg_2_unknown_and_malformed_groups(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    code, _ = aws_error(
        ec2.create_network_interface, SubnetId=subnet_id, Groups=["sg-0123456789abcdef0"]
    )
    assert code == "InvalidGroup.NotFound"
    code, _ = aws_error(ec2.create_network_interface, SubnetId=subnet_id, Groups=["bogus"])
    assert code == "InvalidGroupId.Malformed"


def test_sg_19_at_most_five_groups_per_interface(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    groups = [group(ec2, vpc_id, f"g{n}") for n in range(6)]
    eni = ec2.create_network_interface(SubnetId=subnet_id, Groups=groups[:5])["NetworkInterface"]
    assert {g["GroupId"] for g in eni["Groups"]} == set(groups[:5])
    code, _ = aws_error(ec2.create_network_interface, SubnetId=subnet_id, Groups=groups)
    assert code == "SecurityGroupsPerInterfaceLimitExceeded"
    code, _ = aws_error(
        ec2.modify_network_interface_attribute,
        NetworkInterfaceId=eni["NetworkInterfaceId"],
        Groups=groups,
    )
    assert code == "SecurityGroupsPerInterfaceLimitExceeded"


def test_sg_18_modify_groups_replaces_the_whole_set(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    a, b, c = (group(ec2, vpc_id, n) for n in "abc")
    eni_id = ec2.create_network_interface(SubnetId=subnet_id, Groups=[a, b])["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=[c])
    assert [g["GroupId"] for g in interface(ec2, eni_id)["Groups"]] == [c]
    shown = ec2.describe_network_interface_attribute(
        NetworkInterfaceId=eni_id, Attribute="groupSet"
    )
    assert shown["Groups"] == [{"GroupId": c, "GroupName": "c"}]
    code, _ = aws_error(
        ec2.modify_network_interface_attribute, NetworkInterfaceId=eni_id, Groups=[]
    )
    assert code == "MissingParameter"
    assert [g["GroupId"] for g in interface(ec2, eni_id)["Groups"]] == [c]


# -- ENI-6 and other attributes ----------------------------------------------------------------
def test_eni_6_source_dest_check_is_per_interface(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    first = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    second = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=first["NetworkInterfaceId"], SourceDestCheck={"Value": False}
    )
    assert interface(ec2, first["NetworkInterfaceId"])["SourceDestCheck"] is False
    assert interface(ec2, second["NetworkInterfaceId"])["SourceDestCheck"] is True
    shown = ec2.describe_network_interface_attribute(
        NetworkInterfaceId=first["NetworkInterfaceId"], Attribute="sourceDestCheck"
    )
    assert shown["SourceDestCheck"] == {"Value": False}


def test_modify_description_and_one_attribute_per_call(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Description={"Value": "db"})
    shown = ec2.describe_network_interface_attribute(
        NetworkInterfaceId=eni_id, Attribute="description"
    )
    assert shown["Description"] == {"Value": "db"}
    code, _ = aws_error(
        ec2.modify_network_interface_attribute,
        NetworkInterfaceId=eni_id,
        Description={"Value": "x"},
        SourceDestCheck={"Value": False},
    )
    assert code == "InvalidParameterCombination"


# -- ENI-2, ENI-7: attachment -----------------------------------------------------------------
def test_eni_7_attach_detach_and_delete_only_when_detached(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    instance = launch(ec2, subnet_id)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    attachment_id = ec2.attach_network_interface(
        NetworkInterfaceId=eni_id, InstanceId=instance["InstanceId"], DeviceIndex=1
    )["AttachmentId"]
    assert attachment_id.startswith("eni-attach-")
    shown = interface(ec2, eni_id)
    assert shown["Status"] == "in-use"
    assert shown["Attachment"]["InstanceId"] == instance["InstanceId"]
    assert shown["Attachment"]["DeviceIndex"] == 1
    assert shown["Attachment"]["Status"] == "attached"
    assert shown["Attachment"]["DeleteOnTermination"] is False
    code, _ = aws_error(ec2.delete_network_interface, NetworkInterfaceId=eni_id)
    assert code == "InvalidNetworkInterface.InUse"
    ec2.detach_network_interface(AttachmentId=attachment_id)
    assert interface(ec2, eni_id)["Status"] == "available"
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    code, _ = aws_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni_id])
    assert code == "InvalidNetworkInterfaceID.NotFound"


def test_eni_7_attach_needs_free_device_index_same_zone_and_free_interface(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    other_zone = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b"
    )["Subnet"]["SubnetId"]
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    code, _ = aws_error(
        ec2.attach_network_interface,
        NetworkInterfaceId=eni_id,
        InstanceId=instance_id,
        DeviceIndex=0,
    )
    assert code == "InvalidParameterValue"
    far = ec2.create_network_interface(SubnetId=other_zone)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    code, _ = aws_error(
        ec2.attach_network_interface, NetworkInterfaceId=far, InstanceId=instance_id, DeviceIndex=1
    )
    assert code == "InvalidParameterCombination"
    ec2.attach_network_interface(NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=1)
    code, _ = aws_error(
        ec2.attach_network_interface,
        NetworkInterfaceId=eni_id,
        InstanceId=instance_id,
        DeviceIndex=2,
    )
    assert code == "InvalidNetworkInterface.InUse"


def test_eni_2_primary_interface_cannot_be_detached(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    instance = launch(ec2, subnet_id)
    attachment_id = instance["NetworkInterfaces"][0]["Attachment"]["AttachmentId"]
    code, _ = aws_error(ec2.detach_network_interface, AttachmentId=attachment_id)
    assert code == "OperationNotPermitted"
    code, _ = aws_error(
        ec2.delete_network_interface,
        NetworkInterfaceId=instance["NetworkInterfaces"][0]["NetworkInterfaceId"],
    )
    assert code == "InvalidNetworkInterface.InUse"


def test_detach_unknown_attachment(ec2: Any) -> None:
    code, _ = aws_error(ec2.detach_network_interface, AttachmentId="eni-attach-0123456789abcdef0")
    assert code == "InvalidAttachmentID.NotFound"


def test_eni_7_primary_interface_survives_termination_when_delete_on_termination_is_off(
    ec2: Any,
) -> None:
    _, subnet_id = network(ec2)
    instance = launch(ec2, subnet_id)
    primary = instance["NetworkInterfaces"][0]
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=primary["NetworkInterfaceId"],
        Attachment={
            "AttachmentId": primary["Attachment"]["AttachmentId"],
            "DeleteOnTermination": False,
        },
    )
    shown = ec2.describe_network_interface_attribute(
        NetworkInterfaceId=primary["NetworkInterfaceId"], Attribute="attachment"
    )
    assert shown["Attachment"]["DeleteOnTermination"] is False
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    survivor = interface(ec2, primary["NetworkInterfaceId"])
    assert survivor["Status"] == "available" and "Attachment" not in survivor


# -- ENI-2: secondary addresses move ------------------------------------------------------------
def test_eni_2_secondary_address_moves_with_allow_reassignment(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    first = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    second = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assigned = ec2.assign_private_ip_addresses(
        NetworkInterfaceId=first["NetworkInterfaceId"], PrivateIpAddresses=["10.0.1.50"]
    )
    assert assigned["AssignedPrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.50"}]
    code, message = aws_error(
        ec2.assign_private_ip_addresses,
        NetworkInterfaceId=second["NetworkInterfaceId"],
        PrivateIpAddresses=["10.0.1.50"],
    )
    assert (code, message) == ("InvalidIPAddress.InUse", "Address 10.0.1.50 is in use.")
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=second["NetworkInterfaceId"],
        PrivateIpAddresses=["10.0.1.50"],
        AllowReassignment=True,
    )
    first_ips = [
        p["PrivateIpAddress"]
        for p in interface(ec2, first["NetworkInterfaceId"])["PrivateIpAddresses"]
    ]
    second_ips = [
        p["PrivateIpAddress"]
        for p in interface(ec2, second["NetworkInterfaceId"])["PrivateIpAddresses"]
    ]
    assert "10.0.1.50" not in first_ips and "10.0.1.50" in second_ips
    code, _ = aws_error(
        ec2.assign_private_ip_addresses,
        NetworkInterfaceId=second["NetworkInterfaceId"],
        PrivateIpAddresses=[first["PrivateIpAddress"]],
        AllowReassignment=True,
    )
    assert code == "InvalidIPAddress.InUse"


def test_assign_by_count_and_unassign(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    eni_id = eni["NetworkInterfaceId"]
    assigned = ec2.assign_private_ip_addresses(
        NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=2
    )["AssignedPrivateIpAddresses"]
    assert [a["PrivateIpAddress"] for a in assigned] == ["10.0.1.5", "10.0.1.6"]
    assert available(ec2, subnet_id) == 248
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.5"])
    assert available(ec2, subnet_id) == 249
    code, _ = aws_error(
        ec2.unassign_private_ip_addresses,
        NetworkInterfaceId=eni_id,
        PrivateIpAddresses=[eni["PrivateIpAddress"]],
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.unassign_private_ip_addresses,
        NetworkInterfaceId=eni_id,
        PrivateIpAddresses=["10.0.1.99"],
    )
    assert code == "InvalidParameterValue"


# -- ENI-8, SUB-14 ------------------------------------------------------------------------------
def test_eni_8_requester_managed_interface_cannot_be_deleted(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)
    managed = ec2.describe_network_interfaces(
        Filters=[{"Name": "requester-managed", "Values": ["true"]}]
    )["NetworkInterfaces"]
    assert len(managed) == 1
    code, _ = aws_error(
        ec2.delete_network_interface, NetworkInterfaceId=managed[0]["NetworkInterfaceId"]
    )
    assert code == "OperationNotPermitted"
    code, _ = aws_error(ec2.delete_subnet, SubnetId=subnet_id)
    assert code == "DependencyViolation"


def test_sub_14_delete_subnet_blocked_while_an_interface_exists(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    code, message = aws_error(ec2.delete_subnet, SubnetId=subnet_id)
    assert code == "DependencyViolation"
    assert message == f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_subnet(SubnetId=subnet_id)


# -- Describe ------------------------------------------------------------------------------------
def test_describe_filters(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    web = group(ec2, vpc_id, "web")
    tagged = ec2.create_network_interface(
        SubnetId=subnet_id,
        Groups=[web],
        Description="front",
        TagSpecifications=[
            {"ResourceType": "network-interface", "Tags": [{"Key": "tier", "Value": "web"}]}
        ],
    )["NetworkInterface"]
    plain = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    instance = launch(ec2, subnet_id)

    def ids(*filters: tuple[str, str]) -> set[str]:
        found = ec2.describe_network_interfaces(
            Filters=[{"Name": n, "Values": [v]} for n, v in filters]
        )["NetworkInterfaces"]
        return {e["NetworkInterfaceId"] for e in found}

    tagged_id, plain_id = tagged["NetworkInterfaceId"], plain["NetworkInterfaceId"]
    primary_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert ids(("vpc-id", vpc_id)) == {tagged_id, plain_id, primary_id}
    assert ids(("group-id", web)) == {tagged_id}
    assert ids(("group-name", "web")) == {tagged_id}
    assert ids(("tag:tier", "web")) == {tagged_id}
    assert ids(("description", "fro*")) == {tagged_id}
    assert ids(("private-ip-address", plain["PrivateIpAddress"])) == {plain_id}
    assert ids(("addresses.private-ip-address", plain["PrivateIpAddress"])) == {plain_id}
    assert ids(("status", "in-use"), ("vpc-id", vpc_id)) == {primary_id}
    assert ids(("attachment.instance-id", instance["InstanceId"])) == {primary_id}
    assert ids(("attachment.device-index", "0"), ("subnet-id", subnet_id)) == {primary_id}
    assert ids(("attachment.status", "attached"), ("vpc-id", vpc_id)) == {primary_id}
    assert ids(("mac-address", plain["MacAddress"])) == {plain_id}
    assert ids(("availability-zone", "us-east-1a"), ("subnet-id", subnet_id)) == {
        tagged_id,
        plain_id,
        primary_id,
    }
    assert ids(("interface-type", "interface"), ("subnet-id", subnet_id)) == {
        tagged_id,
        plain_id,
        primary_id,
    }
    assert ids(("source-dest-check", "true"), ("network-interface-id", plain_id)) == {plain_id}
    assert ids(("owner-id", "123456789012"), ("network-interface-id", plain_id)) == {plain_id}
    code, _ = aws_error(
        ec2.describe_network_interfaces, Filters=[{"Name": "no-such-filter", "Values": ["x"]}]
    )
    assert code == "InvalidParameterValue"


def test_describe_paginates(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    made = {
        ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
        for _ in range(7)
    }
    seen: set[str] = set()
    paginator = ec2.get_paginator("describe_network_interfaces")
    pages = list(
        paginator.paginate(
            Filters=[{"Name": "subnet-id", "Values": [subnet_id]}],
            PaginationConfig={"PageSize": 5},
        )
    )
    for page in pages:
        seen.update(e["NetworkInterfaceId"] for e in page["NetworkInterfaces"])
    assert len(pages) == 2 and seen == made


def test_eni_3_association_shows_eip_and_dns_name(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    eip = ec2.allocate_address(Domain="vpc")
    association_id = ec2.associate_address(
        AllocationId=eip["AllocationId"], NetworkInterfaceId=eni_id
    )["AssociationId"]
    shown = interface(ec2, eni_id)
    dashed = eip["PublicIp"].replace(".", "-")
    assert shown["Association"] == {
        "PublicIp": eip["PublicIp"],
        "PublicDnsName": f"ec2-{dashed}.compute-1.amazonaws.com",
        "IpOwnerId": "123456789012",
        "AllocationId": eip["AllocationId"],
        "AssociationId": association_id,
    }
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": "association.allocation-id", "Values": [eip["AllocationId"]]}]
    )["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in found] == [eni_id]
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": "association.public-ip", "Values": [eip["PublicIp"]]}]
    )["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in found] == [eni_id]


def test_dry_run_creates_nothing(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    code, _ = aws_error(ec2.create_network_interface, SubnetId=subnet_id, DryRun=True)
    assert code == "DryRunOperation"
    assert available(ec2, subnet_id) == 251


def test_eni_7_attach_to_terminated_or_vanished_instance(ec2: Any, clock: Any) -> None:
    _, subnet_id = network(ec2)
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    ec2.terminate_instances(InstanceIds=[instance_id])
    attach = ec2.attach_network_interface
    code, _ = aws_error(attach, NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=1)
    assert code == "IncorrectInstanceState"
    clock.advance(3601)
    code, _ = aws_error(attach, NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=1)
    assert code == "InvalidInstanceID.NotFound"


def test_eni_7_nat_gateway_interface_type_is_answered_as_aws_does(ec2: Any, store: Any) -> None:
    """A NAT gateway's ENI answers InterfaceType nat_gateway, as AWS's API reference and real
    exports show (botocore's enum says natGateway); the interface-type filter takes it, and an
    ENI stored with the older spelling answers the same way."""
    from vpclab.model.base import evolve
    from vpclab.model.interface import NetworkInterface

    _vpc, subnet_id = network(ec2)
    ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")
    nat_type = [{"Name": "interface-type", "Values": ["nat_gateway"]}]
    (eni,) = ec2.describe_network_interfaces(Filters=nat_type)["NetworkInterfaces"]
    assert eni["InterfaceType"] == "nat_gateway"

    with store.transaction("123456789012", "us-east-1") as tx:
        stored = tx.get(NetworkInterface, eni["NetworkInterfaceId"])
        tx.put(evolve(stored, interface_type="natGateway"))
    (again,) = ec2.describe_network_interfaces(Filters=nat_type)["NetworkInterfaces"]
    assert again["InterfaceType"] == "nat_gateway"
