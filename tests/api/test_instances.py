"""Instances through boto3: launch, addressing, lifecycle, attributes, status, images (spec 9.1)."""

from __future__ import annotations

from typing import Any

from tests.support import IDEMPOTENCY_MISMATCH, aws_error
from vpclab.model.state import Clock

AMI = "ami-12345678"
FAST = {"Delay": 1, "MaxAttempts": 2}


def network(ec2: Any, cidr: str = "10.0.1.0/24", zone: str = "us-east-1a") -> tuple[str, str]:
    """A fresh VPC (10.0.0.0/16) with one subnet; returns (vpc id, subnet id)."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"][
        "SubnetId"
    ]
    return vpc_id, subnet_id


def launch(ec2: Any, **params: Any) -> dict[str, Any]:
    """One instance (extra RunInstances parameters as given)."""
    made: dict[str, Any] = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, **params)[
        "Instances"
    ][0]
    return made


def instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    """One instance as DescribeInstances shows it."""
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]
    return found


def state(ec2: Any, instance_id: str) -> str:
    """The instance's state name now."""
    name: str = instance(ec2, instance_id)["State"]["Name"]
    return name


def available(ec2: Any, subnet_id: str) -> int:
    """The subnet's AvailableIpAddressCount."""
    count: int = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0][
        "AvailableIpAddressCount"
    ]
    return count


def group(ec2: Any, vpc_id: str, name: str) -> str:
    """A new security group in the VPC."""
    made: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    return made


def default_vpc(ec2: Any) -> str:
    """The id of the default VPC."""
    vpc_id: str = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][
        0
    ]["VpcId"]
    return vpc_id


# -- launch: ENI-1, SUB-9, ENI-3, VPC-21 ------------------------------------------------------
def test_eni_1_launch_without_subnet_uses_default_subnet_with_primary_interface(ec2: Any) -> None:
    made = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, KeyName="mine")
    assert made["ReservationId"].startswith("r-")
    assert made["OwnerId"] == "123456789012"
    [inst] = made["Instances"]
    assert inst["State"] == {"Code": 0, "Name": "pending"}
    assert inst["InstanceType"] == "m1.small"
    assert inst["KeyName"] == "mine"
    assert inst["VpcId"] == default_vpc(ec2)
    [eni] = inst["NetworkInterfaces"]
    assert eni["Attachment"]["DeviceIndex"] == 0
    assert eni["Attachment"]["DeleteOnTermination"] is True
    assert eni["PrivateIpAddress"] == inst["PrivateIpAddress"] == "172.31.0.4"
    assert inst["SecurityGroups"][0]["GroupName"] == "default"
    assert instance(ec2, inst["InstanceId"])["State"] == {"Code": 16, "Name": "running"}


def test_sub_9_default_subnet_gives_public_ip_and_vpc_21_dns_names(ec2: Any) -> None:
    inst = launch(ec2)
    public_ip = inst["PublicIpAddress"]
    first = int(public_ip.split(".")[0])
    assert first in (3, 18, 34, 44, 54)
    assert inst["PrivateDnsName"] == "ip-172-31-0-4.ec2.internal"
    assert inst["PublicDnsName"] == f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com"
    assert inst["NetworkInterfaces"][0]["Association"]["IpOwnerId"] == "amazon"


def test_sub_9_non_default_subnet_gives_no_public_ip(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    inst = launch(ec2, SubnetId=subnet_id)
    assert "PublicIpAddress" not in inst
    assert inst["PublicDnsName"] == ""
    assert inst["PrivateIpAddress"] == "10.0.1.4"


def test_sub_9_map_public_ip_on_launch_subnet_attribute(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert "PublicIpAddress" in launch(ec2, SubnetId=subnet_id)


def test_sub_9_associate_public_ip_overrides_subnet_attribute(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    given = launch(
        ec2,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True}
        ],
    )
    assert "PublicIpAddress" in given
    default_subnet = launch(ec2)["SubnetId"]
    refused = launch(
        ec2,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": default_subnet, "AssociatePublicIpAddress": False}
        ],
    )
    assert "PublicIpAddress" not in refused


def test_sub_9_associate_public_ip_only_with_a_single_new_interface(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True},
            {"DeviceIndex": 1, "SubnetId": subnet_id},
        ],
    )
    assert code == "InvalidParameterCombination"
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "NetworkInterfaceId": eni_id, "AssociatePublicIpAddress": True}
        ],
    )
    assert code == "InvalidParameterCombination"


def test_eni_3_public_ips_are_never_handed_out_twice(ec2: Any) -> None:
    made = ec2.run_instances(ImageId=AMI, MinCount=8, MaxCount=8)["Instances"]
    ips = [i["PublicIpAddress"] for i in made]
    assert len(set(ips)) == 8


def test_vpc_21_public_dns_name_needs_both_dns_attributes(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    inst = launch(ec2, SubnetId=subnet_id)
    assert inst["PublicIpAddress"] and inst["PublicDnsName"] == ""
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    shown = instance(ec2, inst["InstanceId"])
    assert shown["PublicDnsName"].endswith(".compute-1.amazonaws.com")
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert instance(ec2, inst["InstanceId"])["PublicDnsName"] == ""


def test_vpc_21_dns_names_outside_us_east_1(make_client: Any) -> None:
    ec2 = make_client(region="eu-west-1")
    inst = launch(ec2)
    dashed = inst["PublicIpAddress"].replace(".", "-")
    private = inst["PrivateIpAddress"].replace(".", "-")
    assert inst["PrivateDnsName"] == f"ip-{private}.eu-west-1.compute.internal"
    assert inst["PublicDnsName"] == f"ec2-{dashed}.eu-west-1.compute.amazonaws.com"


def test_eni_1_pinned_private_address_and_in_use(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    inst = launch(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.10")
    assert inst["PrivateIpAddress"] == "10.0.1.10"
    code, message = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        PrivateIpAddress="10.0.1.10",
    )
    assert (code, message) == ("InvalidIPAddress.InUse", "Address 10.0.1.10 is in use.")
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        PrivateIpAddress="10.0.1.1",
    )
    assert code == "InvalidParameterValue"


def test_sub_6_a_28_launches_at_most_eleven_instances(ec2: Any) -> None:
    _, subnet_id = network(ec2, "10.0.1.0/28")
    code, _ = aws_error(
        ec2.run_instances, ImageId=AMI, MinCount=12, MaxCount=12, SubnetId=subnet_id
    )
    assert code == "InsufficientFreeAddressesInSubnet"
    made = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=20, SubnetId=subnet_id)
    assert len(made["Instances"]) == 11
    assert [i["AmiLaunchIndex"] for i in made["Instances"]] == list(range(11))
    assert available(ec2, subnet_id) == 0
    code, _ = aws_error(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)
    assert code == "InsufficientFreeAddressesInSubnet"


def test_launch_validations(ec2: Any) -> None:
    code, _ = aws_error(ec2.run_instances, ImageId="nope", MinCount=1, MaxCount=1)
    assert code == "InvalidAMIID.Malformed"
    code, _ = aws_error(ec2.run_instances, ImageId=AMI, MinCount=3, MaxCount=2)
    assert code == "InvalidParameterValue"
    code, _ = aws_error(ec2.run_instances, MinCount=1, MaxCount=1)
    assert code == "MissingParameter"
    code, _ = aws_error(
        ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SubnetId="subnet-0123456789abcdef0"
    )
    assert code == "InvalidSubnetID.NotFound"
    _, subnet_id = network(ec2)
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id}],
    )
    assert code == "InvalidParameterCombination"


def test_no_default_vpc_needs_a_subnet(make_client: Any) -> None:
    ec2 = make_client(region="us-west-1")
    vpc_id = default_vpc(ec2)
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    code, message = aws_error(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1)
    assert code == "MissingInput"
    assert vpc_id in message
    for igw in ec2.describe_internet_gateways()["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)
    code, message = aws_error(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1)
    assert (code, message) == ("VPCIdNotSpecified", "No default VPC for this user")


# -- security groups: SG-2, SG-18, SG-19 --------------------------------------------------------
def test_sg_2_launch_groups_by_id_and_by_name(ec2: Any) -> None:
    web = group(ec2, default_vpc(ec2), "web")
    by_id = launch(ec2, SecurityGroupIds=[web])
    assert by_id["SecurityGroups"] == [{"GroupId": web, "GroupName": "web"}]
    by_name = launch(ec2, SecurityGroups=["web"])
    assert by_name["SecurityGroups"] == [{"GroupId": web, "GroupName": "web"}]
    code, _ = aws_error(
        ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroups=["nope"]
    )
    assert code == "InvalidGroup.NotFound"


def test_sg_2_group_and_subnet_of_different_vpcs(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    foreign = group(ec2, default_vpc(ec2), "foreign")
    code, message = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        SecurityGroupIds=[foreign],
    )
    assert code == "InvalidParameter"
    assert "different networks" in message
    group(ec2, vpc_id, "local")
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        SecurityGroups=["local"],
    )
    assert code == "InvalidParameterCombination"


def test_sg_18_modify_instance_groups_replaces_primary_interface_set(ec2: Any) -> None:
    vpc = default_vpc(ec2)
    a, b = group(ec2, vpc, "a"), group(ec2, vpc, "b")
    inst = launch(ec2, SecurityGroupIds=[a])
    ec2.modify_instance_attribute(InstanceId=inst["InstanceId"], Groups=[b])
    assert instance(ec2, inst["InstanceId"])["SecurityGroups"] == [{"GroupId": b, "GroupName": "b"}]
    eni_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert [g["GroupId"] for g in shown["Groups"]] == [b]
    attribute = ec2.describe_instance_attribute(InstanceId=inst["InstanceId"], Attribute="groupSet")
    assert attribute["Groups"] == [{"GroupId": b, "GroupName": "b"}]


def test_sg_19_at_most_five_groups_per_instance(ec2: Any) -> None:
    vpc = default_vpc(ec2)
    groups = [group(ec2, vpc, f"g{n}") for n in range(6)]
    code, _ = aws_error(
        ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroupIds=groups
    )
    assert code == "SecurityGroupsPerInstanceLimitExceeded"
    inst = launch(ec2)
    code, _ = aws_error(ec2.modify_instance_attribute, InstanceId=inst["InstanceId"], Groups=groups)
    assert code == "SecurityGroupsPerInstanceLimitExceeded"


# -- ENI-6 ---------------------------------------------------------------------------------------
def test_eni_6_source_dest_check_of_instance_is_its_primary_interface(ec2: Any) -> None:
    inst = launch(ec2)
    assert inst["SourceDestCheck"] is True
    ec2.modify_instance_attribute(InstanceId=inst["InstanceId"], SourceDestCheck={"Value": False})
    assert instance(ec2, inst["InstanceId"])["SourceDestCheck"] is False
    eni_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["SourceDestCheck"] is False
    shown = ec2.describe_instance_attribute(
        InstanceId=inst["InstanceId"], Attribute="sourceDestCheck"
    )
    assert shown["SourceDestCheck"] == {"Value": False}


# -- lifecycle: ENI-2, ENI-4, waiters -------------------------------------------------------------
def test_waiters_running_stopped_terminated(ec2: Any) -> None:
    inst_id = launch(ec2)["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[inst_id], WaiterConfig=FAST)
    stopping = ec2.stop_instances(InstanceIds=[inst_id])["StoppingInstances"][0]
    assert stopping["PreviousState"] == {"Code": 16, "Name": "running"}
    assert stopping["CurrentState"] == {"Code": 64, "Name": "stopping"}
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[inst_id], WaiterConfig=FAST)
    starting = ec2.start_instances(InstanceIds=[inst_id])["StartingInstances"][0]
    assert starting["CurrentState"]["Name"] == "pending"
    assert starting["PreviousState"]["Name"] == "stopped"
    ec2.get_waiter("instance_running").wait(InstanceIds=[inst_id], WaiterConfig=FAST)
    ending = ec2.terminate_instances(InstanceIds=[inst_id])["TerminatingInstances"][0]
    assert ending["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[inst_id], WaiterConfig=FAST)


def test_transitions_settle_on_the_clock(ec2: Any, clock: Clock) -> None:
    clock.settle_seconds = 30.0
    inst_id = launch(ec2)["InstanceId"]
    assert state(ec2, inst_id) == "pending"
    code, _ = aws_error(ec2.stop_instances, InstanceIds=[inst_id])
    assert code == "IncorrectInstanceState"
    clock.advance(30)
    assert state(ec2, inst_id) == "running"
    ec2.stop_instances(InstanceIds=[inst_id])
    assert state(ec2, inst_id) == "stopping"
    code, message = aws_error(ec2.start_instances, InstanceIds=[inst_id])
    assert code == "IncorrectInstanceState"
    assert message == f"The instance '{inst_id}' is not in a state from which it can be started."
    clock.advance(30)
    assert state(ec2, inst_id) == "stopped"
    shown = instance(ec2, inst_id)
    assert shown["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert shown["StateTransitionReason"].startswith("User initiated (")
    ec2.start_instances(InstanceIds=[inst_id])
    assert state(ec2, inst_id) == "pending"
    clock.advance(30)
    ec2.terminate_instances(InstanceIds=[inst_id])
    assert state(ec2, inst_id) == "shutting-down"
    clock.advance(30)
    assert state(ec2, inst_id) == "terminated"


def test_incorrect_instance_state_for_terminated_and_stopped(ec2: Any) -> None:
    inst_id = launch(ec2)["InstanceId"]
    ec2.stop_instances(InstanceIds=[inst_id])
    code, _ = aws_error(ec2.reboot_instances, InstanceIds=[inst_id])
    assert code == "IncorrectInstanceState"
    again = ec2.stop_instances(InstanceIds=[inst_id])["StoppingInstances"][0]
    assert again["PreviousState"]["Name"] == again["CurrentState"]["Name"] == "stopped"
    ec2.terminate_instances(InstanceIds=[inst_id])
    for call in (ec2.start_instances, ec2.stop_instances, ec2.reboot_instances):
        code, _ = aws_error(call, InstanceIds=[inst_id])
        assert code == "IncorrectInstanceState"
    repeated = ec2.terminate_instances(InstanceIds=[inst_id])["TerminatingInstances"][0]
    assert repeated["CurrentState"]["Name"] == "terminated"


def test_unknown_and_malformed_instance_ids(ec2: Any) -> None:
    code, _ = aws_error(ec2.describe_instances, InstanceIds=["i-0123456789abcdef0"])
    assert code == "InvalidInstanceID.NotFound"
    code, _ = aws_error(ec2.stop_instances, InstanceIds=["bogus"])
    assert code == "InvalidInstanceID.Malformed"


def test_eni_2_private_ip_survives_stop_start_and_still_counts(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    inst = launch(ec2, SubnetId=subnet_id)
    ec2.stop_instances(InstanceIds=[inst["InstanceId"]])
    assert available(ec2, subnet_id) == 250
    ec2.start_instances(InstanceIds=[inst["InstanceId"]])
    assert instance(ec2, inst["InstanceId"])["PrivateIpAddress"] == inst["PrivateIpAddress"]


def test_eni_4_auto_public_ip_released_on_stop_and_renewed_on_start(ec2: Any) -> None:
    inst = launch(ec2)
    first_ip = inst["PublicIpAddress"]
    ec2.stop_instances(InstanceIds=[inst["InstanceId"]])
    stopped = instance(ec2, inst["InstanceId"])
    assert "PublicIpAddress" not in stopped and stopped["PublicDnsName"] == ""
    ec2.start_instances(InstanceIds=[inst["InstanceId"]])
    second_ip = instance(ec2, inst["InstanceId"])["PublicIpAddress"]
    assert second_ip and second_ip != first_ip


def test_eni_4_elastic_ip_stays_through_stop(ec2: Any) -> None:
    inst = launch(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=inst["InstanceId"])
    assert instance(ec2, inst["InstanceId"])["PublicIpAddress"] == eip["PublicIp"]
    ec2.stop_instances(InstanceIds=[inst["InstanceId"]])
    assert instance(ec2, inst["InstanceId"])["PublicIpAddress"] == eip["PublicIp"]
    ec2.start_instances(InstanceIds=[inst["InstanceId"]])
    shown = instance(ec2, inst["InstanceId"])
    assert shown["PublicIpAddress"] == eip["PublicIp"]
    assert shown["NetworkInterfaces"][0]["Association"]["IpOwnerId"] == "123456789012"


def test_eni_2_termination_releases_addresses_and_keeps_other_interfaces(
    ec2: Any, clock: Clock
) -> None:
    _, subnet_id = network(ec2)
    kept = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    inst = launch(
        ec2,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id},
            {"DeviceIndex": 1, "NetworkInterfaceId": kept},
            {"DeviceIndex": 2, "SubnetId": subnet_id, "DeleteOnTermination": True},
        ],
    )
    assert len(inst["NetworkInterfaces"]) == 3
    assert available(ec2, subnet_id) == 248
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    assert available(ec2, subnet_id) == 250
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[kept])["NetworkInterfaces"][0]
    assert shown["Status"] == "available"
    terminated = instance(ec2, inst["InstanceId"])
    assert terminated["State"]["Name"] == "terminated"
    assert terminated["NetworkInterfaces"] == [] and "PrivateIpAddress" not in terminated
    clock.advance(3601)
    code, _ = aws_error(ec2.describe_instances, InstanceIds=[inst["InstanceId"]])
    assert code == "InvalidInstanceID.NotFound"


def test_sub_14_stopped_instance_blocks_subnet_deletion(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    inst_id = launch(ec2, SubnetId=subnet_id)["InstanceId"]
    ec2.stop_instances(InstanceIds=[inst_id])
    code, _ = aws_error(ec2.delete_subnet, SubnetId=subnet_id)
    assert code == "DependencyViolation"
    ec2.terminate_instances(InstanceIds=[inst_id])
    ec2.delete_subnet(SubnetId=subnet_id)


def test_disable_api_termination_protects_the_instance(ec2: Any) -> None:
    inst_id = launch(ec2, DisableApiTermination=True)["InstanceId"]
    code, _ = aws_error(ec2.terminate_instances, InstanceIds=[inst_id])
    assert code == "OperationNotPermitted"
    ec2.modify_instance_attribute(InstanceId=inst_id, DisableApiTermination={"Value": False})
    ec2.terminate_instances(InstanceIds=[inst_id])


# -- attributes ----------------------------------------------------------------------------------
def test_instance_type_changes_only_when_stopped(ec2: Any) -> None:
    inst_id = launch(ec2, InstanceType="t3.micro")["InstanceId"]
    code, _ = aws_error(
        ec2.modify_instance_attribute, InstanceId=inst_id, InstanceType={"Value": "t3.large"}
    )
    assert code == "IncorrectInstanceState"
    ec2.stop_instances(InstanceIds=[inst_id])
    ec2.modify_instance_attribute(InstanceId=inst_id, InstanceType={"Value": "t3.large"})
    shown = ec2.describe_instance_attribute(InstanceId=inst_id, Attribute="instanceType")
    assert shown["InstanceType"] == {"Value": "t3.large"}
    assert instance(ec2, inst_id)["InstanceType"] == "t3.large"


# -- idempotency, tags, reservations, filters, pagination ------------------------------------------
def test_client_token_makes_run_instances_idempotent(ec2: Any) -> None:
    first = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, ClientToken="tok-1")
    again = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, ClientToken="tok-1")
    assert first["ReservationId"] == again["ReservationId"]
    assert [i["InstanceId"] for i in first["Instances"]] == [
        i["InstanceId"] for i in again["Instances"]
    ]
    code, message = aws_error(
        ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, ClientToken="tok-1"
    )
    assert code == "IdempotentParameterMismatch"
    assert message == IDEMPOTENCY_MISMATCH


def test_tag_specifications_for_instance_and_interface(ec2: Any) -> None:
    inst = launch(
        ec2,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]},
            {"ResourceType": "network-interface", "Tags": [{"Key": "role", "Value": "eth0"}]},
        ],
    )
    assert inst["Tags"] == [{"Key": "Name", "Value": "web"}]
    eni_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["TagSet"] == [{"Key": "role", "Value": "eth0"}]


def test_describe_groups_reservations_filters_and_paginates(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2)
    pair = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=subnet_id)
    lone = launch(
        ec2,
        InstanceType="t3.nano",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "prod"}]}],
    )
    ec2.stop_instances(InstanceIds=[lone["InstanceId"]])
    reservations = ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "Reservations"
    ]
    assert [r["ReservationId"] for r in reservations] == [pair["ReservationId"]]
    assert len(reservations[0]["Instances"]) == 2

    def ids(name: str, value: str) -> set[str]:
        found = ec2.describe_instances(Filters=[{"Name": name, "Values": [value]}])
        return {i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]}

    pair_ids = {i["InstanceId"] for i in pair["Instances"]}
    lone_id = lone["InstanceId"]
    first = pair["Instances"][0]
    assert ids("subnet-id", subnet_id) == pair_ids
    assert ids("instance-state-name", "stopped") == {lone_id}
    assert ids("instance-state-code", "80") == {lone_id}
    assert ids("instance-type", "t3.nano") == {lone_id}
    assert ids("tag:env", "prod") == {lone_id}
    assert ids("private-ip-address", first["PrivateIpAddress"]) == {first["InstanceId"]}
    eni_id = first["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert ids("network-interface.network-interface-id", eni_id) == {first["InstanceId"]}
    default_sg = first["SecurityGroups"][0]["GroupId"]
    assert ids("instance.group-id", default_sg) == pair_ids
    assert ids("instance.group-name", "default") == pair_ids | {lone_id}
    assert ids("image-id", AMI) == pair_ids | {lone_id}
    assert ids("availability-zone", "us-east-1a") == pair_ids | {lone_id}
    running = launch(ec2)
    assert ids("ip-address", running["PublicIpAddress"]) == {running["InstanceId"]}
    pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert len(pages) == 1
    assert sum(len(r["Instances"]) for p in pages for r in p["Reservations"]) == 4
    more = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3)
    assert len(more["Instances"]) == 3
    pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert len(pages) == 2
    assert sum(len(r["Instances"]) for p in pages for r in p["Reservations"]) == 7


def test_describe_instance_status(ec2: Any) -> None:
    running = launch(ec2)["InstanceId"]
    stopped = launch(ec2)["InstanceId"]
    ec2.stop_instances(InstanceIds=[stopped])
    statuses = ec2.describe_instance_status()["InstanceStatuses"]
    assert [s["InstanceId"] for s in statuses] == [running]
    assert statuses[0]["InstanceStatus"]["Status"] == "ok"
    assert statuses[0]["SystemStatus"]["Status"] == "ok"
    every = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    by_id = {s["InstanceId"]: s for s in every}
    assert by_id[stopped]["InstanceState"] == {"Code": 80, "Name": "stopped"}
    assert by_id[stopped]["InstanceStatus"]["Status"] == "not-applicable"
    ec2.get_waiter("instance_status_ok").wait(InstanceIds=[running], WaiterConfig=FAST)


def test_existing_interface_as_primary(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni = ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress="10.0.1.77")[
        "NetworkInterface"
    ]
    inst = launch(
        ec2, NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni["NetworkInterfaceId"]}]
    )
    assert inst["PrivateIpAddress"] == "10.0.1.77"
    assert inst["SubnetId"] == subnet_id
    assert inst["NetworkInterfaces"][0]["Attachment"]["DeleteOnTermination"] is False
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni["NetworkInterfaceId"]}],
    )
    assert code == "InvalidNetworkInterface.InUse"


# -- images --------------------------------------------------------------------------------------
def test_describe_images_built_in_catalogue(ec2: Any) -> None:
    nat = ec2.describe_images(
        Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn-ami-vpc-nat*"]}]
    )["Images"]
    assert len(nat) == 1 and nat[0]["ImageOwnerAlias"] == "amazon"
    ubuntu = ec2.describe_images(Filters=[{"Name": "name", "Values": ["*ubuntu-noble-24.04*"]}])[
        "Images"
    ]
    assert len(ubuntu) == 1 and ubuntu[0]["OwnerId"] == "099720109477"
    arm = ec2.describe_images(Filters=[{"Name": "architecture", "Values": ["arm64"]}])["Images"]
    assert [i["Name"].startswith("al2023") for i in arm] == [True]
    by_id = ec2.describe_images(ImageIds=[arm[0]["ImageId"]])["Images"]
    assert by_id[0]["Architecture"] == "arm64"
    assert (
        ec2.describe_images(
            Filters=[
                {"Name": "owner-alias", "Values": ["amazon"]},
                {"Name": "image-id", "Values": [arm[0]["ImageId"]]},
            ]
        )["Images"][0]["ImageId"]
        == arm[0]["ImageId"]
    )
    code, _ = aws_error(ec2.describe_images, ImageIds=["ami-0123456789abcdef0"])
    assert code == "InvalidAMIID.NotFound"
    launched = ec2.run_instances(ImageId=arm[0]["ImageId"], MinCount=1, MaxCount=1)["Instances"][0]
    assert launched["Architecture"] == "arm64"


def test_existing_primary_interface_survives_termination(ec2: Any) -> None:
    _, subnet_id = network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    spec = {"DeviceIndex": 0, "NetworkInterfaceId": eni_id}
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{**spec, "DeleteOnTermination": True}],
    )
    assert code == "InvalidParameterCombination"
    inst_id = launch(ec2, NetworkInterfaces=[spec])["InstanceId"]
    ec2.terminate_instances(InstanceIds=[inst_id])
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert shown["Status"] == "available"
    assert available(ec2, subnet_id) == 250


def test_placement_zone_picks_the_default_subnet_of_that_zone(ec2: Any) -> None:
    inst = launch(ec2, Placement={"AvailabilityZone": "us-east-1c"})
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1c"
    subnet = ec2.describe_subnets(SubnetIds=[inst["SubnetId"]])["Subnets"][0]
    assert subnet["AvailabilityZone"] == "us-east-1c" and subnet["DefaultForAz"] is True
    _, subnet_id = network(ec2)
    code, _ = aws_error(
        ec2.run_instances,
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        Placement={"AvailabilityZone": "us-east-1b"},
    )
    assert code == "InvalidParameterValue"


def test_vpc_21_dns_name_and_public_ip_filters(ec2: Any) -> None:
    inst = launch(ec2)
    found = ec2.describe_instances(
        Filters=[{"Name": "dns-name", "Values": [inst["PublicDnsName"]]}]
    )["Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [inst["InstanceId"]]
    found = ec2.describe_instances(
        Filters=[
            {"Name": "network-interface.association.public-ip", "Values": [inst["PublicIpAddress"]]}
        ]
    )["Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [inst["InstanceId"]]


def test_dry_run_launches_nothing(ec2: Any) -> None:
    code, _ = aws_error(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, DryRun=True)
    assert code == "DryRunOperation"
    assert ec2.describe_instances()["Reservations"] == []


def test_instances_and_interfaces_survive_a_restart(tmp_path: Any, clock: Clock) -> None:
    from tests.support import client
    from vpclab.api.dispatch import Api
    from vpclab.control.store import Store

    path = tmp_path / "state.db"
    first = Store(path, clock=clock)
    inst = launch(client(Api(first)))
    first.close()
    again = client(Api(Store(path, clock=clock)))
    shown = instance(again, inst["InstanceId"])
    assert shown["PrivateIpAddress"] == inst["PrivateIpAddress"]
    assert shown["PublicIpAddress"] == inst["PublicIpAddress"]
    assert shown["NetworkInterfaces"][0]["Attachment"]["DeviceIndex"] == 0


def test_ipv6_addresses_are_refused_not_ignored(ec2: Any) -> None:
    code, _ = aws_error(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, Ipv6AddressCount=1)
    assert code == "Unsupported"
    assert ec2.describe_instances()["Reservations"] == []
