"""Responses carry the members AWS fills, in AWS's formats, so Terraform/CDK/CLI read what they
expect (issues 2 and 3). Shapes and member names come from botocore's EC2 model; which members
a plain resource has, and their formats, from the AWS CLI's own examples (awscli/examples/ec2/
describe-instances.rst, run-instances.rst, describe-network-interfaces.rst, ...)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tests.support import aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.model.regions import zones
from vpclab.model.state import Clock

AMI = "ami-12345678"  # an image vpclab does not know: EC2's generic defaults apply
VOLUME_ID = re.compile(r"^vol-[0-9a-f]{17}$")


def network(ec2: Any, zone: str = "us-east-1b", **vpc_params: Any) -> tuple[str, str]:
    """A VPC 10.0.0.0/16 with one /24 subnet in `zone`; returns (vpc id, subnet id)."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", **vpc_params)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone=zone)
    return vpc_id, subnet["Subnet"]["SubnetId"]


def launch(ec2: Any, subnet_id: str, **params: Any) -> dict[str, Any]:
    """RunInstances' answer for one instance in the subnet."""
    params.setdefault("ImageId", AMI)
    made: dict[str, Any] = ec2.run_instances(
        MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="t3.micro", **params
    )["Instances"][0]
    return made


def described(ec2: Any, instance_id: str) -> dict[str, Any]:
    """One instance as DescribeInstances shows it."""
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]
    return found


def zone_id(zone: str) -> str:
    """The zone id vpclab's region table gives an availability zone of us-east-1."""
    found: str = next(z.zone_id for z in zones("us-east-1") if z.name == zone)
    return found


# -- instances ------------------------------------------------------------------------------------
def test_inst_described_instance_has_every_member_tools_read(ec2: Any) -> None:
    """A running instance reads like describe-instances.rst's example: placement with the zone
    id, monitoring, CPU, IMDS (EC2 defaults for an unknown image), boot, DNS options, root
    volume, and every default-off option spelled out."""
    _, subnet_id = network(ec2)
    made = launch(ec2, subnet_id)
    shown = described(ec2, made["InstanceId"])
    assert shown["Placement"] == {
        "AvailabilityZone": "us-east-1b",
        "AvailabilityZoneId": zone_id("us-east-1b"),
        "GroupName": "",
        "Tenancy": "default",
    }
    assert shown["Monitoring"] == {"State": "disabled"}
    assert shown["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 2}
    assert shown["MetadataOptions"] == {
        "State": "applied",
        "HttpTokens": "optional",
        "HttpPutResponseHopLimit": 1,
        "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "disabled",
    }
    assert shown["CapacityReservationSpecification"] == {"CapacityReservationPreference": "open"}
    assert shown["HibernationOptions"] == {"Configured": False}
    assert shown["EnclaveOptions"] == {"Enabled": False}
    assert shown["MaintenanceOptions"] == {"AutoRecovery": "default"}
    assert shown["PrivateDnsNameOptions"] == {
        "HostnameType": "ip-name",
        "EnableResourceNameDnsARecord": False,
        "EnableResourceNameDnsAAAARecord": False,
    }
    assert shown["CurrentInstanceBootMode"] == "legacy-bios"
    assert (shown["PlatformDetails"], shown["UsageOperation"]) == ("Linux/UNIX", "RunInstances")
    assert shown["UsageOperationUpdateTime"] == shown["LaunchTime"]
    assert (shown["Architecture"], shown["Hypervisor"], shown["VirtualizationType"]) == (
        "x86_64",
        "xen",
        "hvm",
    )
    assert (shown["RootDeviceType"], shown["RootDeviceName"]) == ("ebs", "/dev/xvda")
    assert (shown["EbsOptimized"], shown["EnaSupport"]) == (False, True)
    assert shown["ProductCodes"] == [] and shown["AmiLaunchIndex"] == 0
    assert shown["StateTransitionReason"] == "" and "StateReason" not in shown
    assert shown["ClientToken"] == made["ClientToken"] != ""  # boto3 always sends one
    (root,) = shown["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    assert root["Ebs"]["Status"] == "attached" and root["Ebs"]["DeleteOnTermination"] is True
    assert VOLUME_ID.match(root["Ebs"]["VolumeId"])
    assert isinstance(root["Ebs"]["AttachTime"], datetime)


def test_inst_root_volume_id_differs_per_instance(ec2: Any) -> None:
    """Every instance has its own root volume id, the same on every Describe."""
    _, subnet_id = network(ec2)
    first, second = (launch(ec2, subnet_id)["InstanceId"] for _ in range(2))
    volume = [
        described(ec2, i)["BlockDeviceMappings"][0]["Ebs"]["VolumeId"] for i in (first, second)
    ]
    assert volume[0] != volume[1]
    assert described(ec2, first)["BlockDeviceMappings"][0]["Ebs"]["VolumeId"] == volume[0]


def test_amb_1_run_instances_answer_shows_the_launch_in_progress(ec2: Any) -> None:
    """RunInstances answers as run-instances.rst shows: pending with StateReason pending, IMDS
    settings pending, eth0 attaching, no block device yet; Describe then shows them settled."""
    _, subnet_id = network(ec2)
    made = launch(ec2, subnet_id)
    assert made["State"] == {"Code": 0, "Name": "pending"}
    assert made["StateReason"] == {"Code": "pending", "Message": "pending"}
    assert made["MetadataOptions"]["State"] == "pending"
    assert made["NetworkInterfaces"][0]["Attachment"]["Status"] == "attaching"
    assert made["BlockDeviceMappings"] == []
    shown = described(ec2, made["InstanceId"])
    assert shown["MetadataOptions"]["State"] == "applied"
    assert shown["NetworkInterfaces"][0]["Attachment"]["Status"] == "attached"


def test_amb_1_describe_while_pending_shows_state_reason_pending() -> None:
    """Before the launch settles, Describe also shows StateReason pending (and no volume yet)."""
    ec2 = client(Api(Store(None, clock=Clock(settle_seconds=30.0)), Settings()))
    _, subnet_id = network(ec2)
    shown = described(ec2, launch(ec2, subnet_id)["InstanceId"])
    assert shown["State"]["Name"] == "pending"
    assert shown["StateReason"] == {"Code": "pending", "Message": "pending"}
    assert shown["BlockDeviceMappings"] == []


def test_inst_stop_and_terminate_give_aws_reason_texts(ec2: Any) -> None:
    """After StopInstances/TerminateInstances: StateReason Client.UserInitiatedShutdown with
    EC2's message, StateTransitionReason `User initiated (YYYY-MM-DD HH:MM:SS GMT)`; a
    terminated instance lists no block device."""
    _, subnet_id = network(ec2)
    stopped, ended = (launch(ec2, subnet_id)["InstanceId"] for _ in range(2))
    ec2.stop_instances(InstanceIds=[stopped])
    ec2.terminate_instances(InstanceIds=[ended])
    reason = {
        "Code": "Client.UserInitiatedShutdown",
        "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
    }
    for instance_id, state in ((stopped, "stopped"), (ended, "terminated")):
        shown = described(ec2, instance_id)
        assert shown["State"]["Name"] == state
        assert shown["StateReason"] == reason
        assert re.fullmatch(
            r"User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)", shown["StateTransitionReason"]
        )
    assert len(described(ec2, stopped)["BlockDeviceMappings"]) == 1
    assert described(ec2, ended)["BlockDeviceMappings"] == []
    ec2.start_instances(InstanceIds=[stopped])
    assert "StateReason" not in described(ec2, stopped)


def test_inst_imds_defaults_follow_the_image(ec2: Any) -> None:
    """An image with ImdsSupport v2.0 (Amazon Linux 2023) launches with IMDSv2 required and a
    hop limit of 2; DescribeImages says v2.0 and the instance reports the image's boot mode."""
    _, subnet_id = network(ec2)
    image = next(
        i
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i["Name"].startswith("al2023") and i["Architecture"] == "x86_64"
    )
    assert image["ImdsSupport"] == "v2.0"
    shown = described(ec2, launch(ec2, subnet_id, ImageId=image["ImageId"])["InstanceId"])
    assert shown["MetadataOptions"]["HttpTokens"] == "required"
    assert shown["MetadataOptions"]["HttpPutResponseHopLimit"] == 2
    assert shown["BootMode"] == image["BootMode"] == "uefi-preferred"


def test_inst_launch_options_are_kept_and_shown(ec2: Any) -> None:
    """RunInstances' MetadataOptions, Monitoring, EbsOptimized, hibernation, enclave, capacity
    reservation, maintenance and DNS name options come back in Describe."""
    _, subnet_id = network(ec2)
    made = launch(
        ec2,
        subnet_id,
        MetadataOptions={
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 3,
            "InstanceMetadataTags": "enabled",
        },
        Monitoring={"Enabled": True},
        EbsOptimized=True,
        HibernationOptions={"Configured": True},
        EnclaveOptions={"Enabled": True},
        CapacityReservationSpecification={"CapacityReservationPreference": "none"},
        MaintenanceOptions={"AutoRecovery": "disabled"},
        PrivateDnsNameOptions={"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True},
    )
    assert made["Monitoring"] == {"State": "pending"}
    shown = described(ec2, made["InstanceId"])
    assert shown["Monitoring"] == {"State": "enabled"}
    assert shown["EbsOptimized"] is True
    options = shown["MetadataOptions"]
    assert (options["HttpTokens"], options["HttpPutResponseHopLimit"]) == ("required", 3)
    assert options["InstanceMetadataTags"] == "enabled" and options["HttpEndpoint"] == "enabled"
    assert shown["HibernationOptions"] == {"Configured": True}
    assert shown["EnclaveOptions"] == {"Enabled": True}
    assert shown["CapacityReservationSpecification"] == {"CapacityReservationPreference": "none"}
    assert shown["MaintenanceOptions"] == {"AutoRecovery": "disabled"}
    assert shown["PrivateDnsNameOptions"]["EnableResourceNameDnsARecord"] is True


def test_inst_bad_metadata_options_are_refused(ec2: Any) -> None:
    """A hop limit outside 1-64 or an unknown token mode answers InvalidParameterValue."""
    _, subnet_id = network(ec2)
    for options in ({"HttpPutResponseHopLimit": 65}, {"HttpTokens": "sometimes"}):
        code, _ = aws_error(launch, ec2, subnet_id, MetadataOptions=options)
        assert code == "InvalidParameterValue"
    assert ec2.describe_instances()["Reservations"] == []


def test_inst_modify_instance_metadata_options(ec2: Any) -> None:
    """ModifyInstanceMetadataOptions changes only the named settings; the answer says pending."""
    _, subnet_id = network(ec2)
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    answer = ec2.modify_instance_metadata_options(InstanceId=instance_id, HttpTokens="required")
    assert answer["InstanceId"] == instance_id
    assert answer["InstanceMetadataOptions"]["State"] == "pending"
    assert answer["InstanceMetadataOptions"]["HttpTokens"] == "required"
    options = described(ec2, instance_id)["MetadataOptions"]
    assert (options["State"], options["HttpTokens"], options["HttpPutResponseHopLimit"]) == (
        "applied",
        "required",
        1,
    )
    code, _ = aws_error(
        ec2.modify_instance_metadata_options, InstanceId=instance_id, HttpPutResponseHopLimit=0
    )
    assert code == "InvalidParameterValue"


def test_inst_monitor_and_unmonitor_instances(ec2: Any) -> None:
    """MonitorInstances answers pending then Describe shows enabled; Unmonitor answers
    disabling then disabled."""
    _, subnet_id = network(ec2)
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    answer = ec2.monitor_instances(InstanceIds=[instance_id])["InstanceMonitorings"]
    assert answer == [{"InstanceId": instance_id, "Monitoring": {"State": "pending"}}]
    assert described(ec2, instance_id)["Monitoring"] == {"State": "enabled"}
    answer = ec2.unmonitor_instances(InstanceIds=[instance_id])["InstanceMonitorings"]
    assert answer[0]["Monitoring"] == {"State": "disabling"}
    assert described(ec2, instance_id)["Monitoring"] == {"State": "disabled"}


def test_inst_cpu_options_follow_the_instance_type(ec2: Any) -> None:
    """CpuOptions: two threads per core on Intel/AMD types, one on Graviton and t2."""
    _, subnet_id = network(ec2)
    expected = {
        "t3.micro": (1, 2),
        "m5.2xlarge": (4, 2),
        "t4g.small": (2, 1),
        "c7g.4xlarge": (16, 1),
        "t2.micro": (1, 1),
    }
    for instance_type, (cores, threads) in expected.items():
        made = ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType=instance_type
        )["Instances"][0]
        assert made["CpuOptions"] == {"CoreCount": cores, "ThreadsPerCore": threads}


def test_vpc_23_instances_of_a_dedicated_vpc_report_dedicated_tenancy(ec2: Any) -> None:
    """An instance launched into a dedicated VPC runs dedicated whatever the request says."""
    _, subnet_id = network(ec2, InstanceTenancy="dedicated")
    made = launch(ec2, subnet_id, Placement={"Tenancy": "default"})
    assert made["Placement"]["Tenancy"] == "dedicated"
    _, shared_subnet = network(ec2)
    asked = launch(ec2, shared_subnet, Placement={"Tenancy": "dedicated"})
    assert described(ec2, asked["InstanceId"])["Placement"]["Tenancy"] == "dedicated"
