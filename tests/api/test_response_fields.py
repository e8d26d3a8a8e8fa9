"""Responses carry the members AWS fills, in AWS's formats, so Terraform/CDK/CLI read what they
expect (issues 2 and 3). Shapes and member names come from botocore's EC2 model; which members
a plain resource has, and their formats, from the AWS CLI's own examples (awscli/examples/ec2/
describe-instances.rst, run-instances.rst, describe-network-interfaces.rst, ...)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore

from tests.support import aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.cli.main import main
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


def test_inst_modify_maintenance_and_dns_name_options(ec2: Any) -> None:
    """ModifyInstanceMaintenanceOptions and ModifyPrivateDnsNameOptions change what Describe
    shows; unknown values are InvalidParameterValue."""
    _, subnet_id = network(ec2)
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    answer = ec2.modify_instance_maintenance_options(
        InstanceId=instance_id, AutoRecovery="disabled"
    )
    assert (answer["InstanceId"], answer["AutoRecovery"]) == (instance_id, "disabled")
    assert ec2.modify_private_dns_name_options(
        InstanceId=instance_id, EnableResourceNameDnsARecord=True
    )["Return"]
    shown = described(ec2, instance_id)
    assert shown["MaintenanceOptions"] == {"AutoRecovery": "disabled"}
    assert shown["PrivateDnsNameOptions"] == {
        "HostnameType": "ip-name",
        "EnableResourceNameDnsARecord": True,
        "EnableResourceNameDnsAAAARecord": False,
    }
    code, _ = aws_error(
        ec2.modify_instance_maintenance_options, InstanceId=instance_id, AutoRecovery="always"
    )
    assert code == "InvalidParameterValue"


def test_inst_resource_name_hostname_names_the_instance_by_id(ec2: Any) -> None:
    """An instance launched with hostname type resource-name is i-....ec2.internal (us-east-1),
    findable by that name; an ip-name instance keeps ip-10-0-1-x."""
    _, subnet_id = network(ec2)
    named = launch(ec2, subnet_id, PrivateDnsNameOptions={"HostnameType": "resource-name"})
    shown = described(ec2, named["InstanceId"])
    assert shown["PrivateDnsName"] == f"{named['InstanceId']}.ec2.internal"
    assert shown["PrivateDnsNameOptions"]["HostnameType"] == "resource-name"
    found = ec2.describe_instances(
        Filters=[{"Name": "private-dns-name", "Values": [shown["PrivateDnsName"]]}]
    )["Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [named["InstanceId"]]
    plain = described(ec2, launch(ec2, subnet_id)["InstanceId"])
    assert plain["PrivateDnsName"].startswith("ip-10-0-1-")


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


def test_inst_instance_status_has_zone_id(ec2: Any) -> None:
    """DescribeInstanceStatus names the zone by name and by id."""
    _, subnet_id = network(ec2, zone="us-east-1c")
    launch(ec2, subnet_id)
    (status,) = ec2.describe_instance_status()["InstanceStatuses"]
    assert (status["AvailabilityZone"], status["AvailabilityZoneId"]) == (
        "us-east-1c",
        zone_id("us-east-1c"),
    )


def test_inst_root_volume_is_described_as_terraform_reads_it(ec2: Any) -> None:
    """The volume id DescribeInstances lists is a DescribeVolumes answer: in use, attached to the
    instance at its root device, 8 GiB gp3 from the image's snapshot; gone once terminated."""
    _, subnet_id = network(ec2)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]
    instance_id = launch(ec2, subnet_id, ImageId=image["ImageId"])["InstanceId"]
    (mapping,) = described(ec2, instance_id)["BlockDeviceMappings"]
    volume_id = mapping["Ebs"]["VolumeId"]
    (volume,) = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]
    assert (volume["State"], volume["Size"], volume["VolumeType"]) == ("in-use", 8, "gp3")
    assert volume["SnapshotId"] == image["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
    assert volume["AvailabilityZone"] == "us-east-1b" and volume["Encrypted"] is False
    (attachment,) = volume["Attachments"]
    assert attachment["InstanceId"] == instance_id
    assert attachment["Device"] == mapping["DeviceName"] == image["RootDeviceName"]
    assert (attachment["State"], attachment["DeleteOnTermination"]) == ("attached", True)
    filtered = ec2.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}]
    )["Volumes"]
    assert [v["VolumeId"] for v in filtered] == [volume_id]
    attribute = ec2.describe_instance_attribute(
        InstanceId=instance_id, Attribute="blockDeviceMapping"
    )["BlockDeviceMappings"]
    assert attribute[0]["Ebs"]["VolumeId"] == volume_id
    ec2.terminate_instances(InstanceIds=[instance_id])
    code, _ = aws_error(ec2.describe_volumes, VolumeIds=[volume_id])
    assert code == "InvalidVolume.NotFound"
    code, _ = aws_error(ec2.describe_volumes, VolumeIds=["volume-1"])
    assert code == "InvalidVolumeID.Malformed"


def test_inst_terraform_refresh_of_an_instance_reads_every_part(ec2: Any) -> None:
    """The calls Terraform's aws_instance makes on refresh all answer: the instance, its type,
    its root volume (with the tags given at launch), four attributes, its launch-template tag
    (none) and its CPU credits."""
    _, subnet_id = network(ec2)
    made = launch(
        ec2,
        subnet_id,
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "backup", "Value": "daily"}]},
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]},
        ],
    )
    instance_id = made["InstanceId"]
    shown = described(ec2, instance_id)
    (info,) = ec2.describe_instance_types(InstanceTypes=[shown["InstanceType"]])["InstanceTypes"]
    volume_ids = [m["Ebs"]["VolumeId"] for m in shown["BlockDeviceMappings"]]
    (volume,) = ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]
    assert volume["Tags"] == [{"Key": "backup", "Value": "daily"}]
    tagged = ec2.describe_volumes(Filters=[{"Name": "tag:backup", "Values": ["daily"]}])
    assert [v["VolumeId"] for v in tagged["Volumes"]] == volume_ids
    attributes = {
        name: ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=name)
        for name in (
            "disableApiStop",
            "disableApiTermination",
            "userData",
            "instanceInitiatedShutdownBehavior",
        )
    }
    assert attributes["disableApiStop"]["DisableApiStop"] == {"Value": False}
    assert attributes["disableApiTermination"]["DisableApiTermination"] == {"Value": False}
    shutdown = attributes["instanceInitiatedShutdownBehavior"]
    assert shutdown["InstanceInitiatedShutdownBehavior"] == {"Value": "stop"}
    assert info["BurstablePerformanceSupported"] is True
    template_tag = ec2.describe_tags(
        Filters=[
            {"Name": "resource-id", "Values": [instance_id]},
            {"Name": "key", "Values": ["aws:ec2launchtemplate:id"]},
        ]
    )["Tags"]
    assert template_tag == []
    (credits,) = ec2.describe_instance_credit_specifications(InstanceIds=[instance_id])[
        "InstanceCreditSpecifications"
    ]
    assert credits == {"InstanceId": instance_id, "CpuCredits": "unlimited"}


def test_inst_credit_specifications_of_burstable_instances(ec2: Any) -> None:
    """DescribeInstanceCreditSpecifications: T2 standard, later T families unlimited, other
    families not listed."""
    _, subnet_id = network(ec2)
    by_type = {
        t: ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType=t
        )["Instances"][0]["InstanceId"]
        for t in ("t2.micro", "t3.small", "m5.large")
    }
    answer = ec2.describe_instance_credit_specifications()["InstanceCreditSpecifications"]
    assert sorted((c["InstanceId"], c["CpuCredits"]) for c in answer) == sorted(
        [(by_type["t2.micro"], "standard"), (by_type["t3.small"], "unlimited")]
    )


PROFILE_ID = re.compile(r"^AIPA[A-Z2-7]{17}$")


def test_inst_iam_instance_profile_at_launch_and_later(ec2: Any) -> None:
    """RunInstances IamInstanceProfile (by name) shows as {Arn, Id} on the instance and as an
    association; Replace gives a new association, Disassociate ends it."""
    _, subnet_id = network(ec2)
    made = launch(ec2, subnet_id, IamInstanceProfile={"Name": "web-role"})
    arn = "arn:aws:iam::123456789012:instance-profile/web-role"
    shown = described(ec2, made["InstanceId"])["IamInstanceProfile"]
    assert shown["Arn"] == arn and PROFILE_ID.match(shown["Id"])
    (association,) = ec2.describe_iam_instance_profile_associations()[
        "IamInstanceProfileAssociations"
    ]
    assert association["InstanceId"] == made["InstanceId"]
    assert (association["State"], association["IamInstanceProfile"]) == ("associated", shown)
    other = "arn:aws:iam::123456789012:instance-profile/admin"
    replaced = ec2.replace_iam_instance_profile_association(
        AssociationId=association["AssociationId"], IamInstanceProfile={"Arn": other}
    )["IamInstanceProfileAssociation"]
    assert replaced["State"] == "associating"
    assert replaced["AssociationId"] != association["AssociationId"]
    assert described(ec2, made["InstanceId"])["IamInstanceProfile"]["Arn"] == other
    ended = ec2.disassociate_iam_instance_profile(AssociationId=replaced["AssociationId"])
    assert ended["IamInstanceProfileAssociation"]["State"] == "disassociating"
    assert "IamInstanceProfile" not in described(ec2, made["InstanceId"])
    code, _ = aws_error(
        ec2.disassociate_iam_instance_profile, AssociationId=replaced["AssociationId"]
    )
    assert code == "InvalidAssociationID.NotFound"


def test_inst_one_iam_instance_profile_per_instance(ec2: Any) -> None:
    """AssociateIamInstanceProfile on an instance that has one answers IncorrectState; a bad ARN
    is InvalidParameterValue."""
    _, subnet_id = network(ec2)
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    answer = ec2.associate_iam_instance_profile(
        InstanceId=instance_id, IamInstanceProfile={"Name": "web-role"}
    )["IamInstanceProfileAssociation"]
    assert (answer["InstanceId"], answer["State"]) == (instance_id, "associating")
    code, _ = aws_error(
        ec2.associate_iam_instance_profile,
        InstanceId=instance_id,
        IamInstanceProfile={"Name": "other"},
    )
    assert code == "IncorrectState"
    code, _ = aws_error(launch, ec2, subnet_id, IamInstanceProfile={"Arn": "not-an-arn"})
    assert code == "InvalidParameterValue"


def test_inst_launch_options_survive_export_and_import(tmp_path: Path) -> None:
    """`vpclab export` then `vpclab import` keeps an instance's launch options: the second
    export lists the instance exactly as the first did."""
    store = Store(tmp_path / "orig.db", clock=Clock(settle_seconds=0.0))
    ec2 = client(Api(store, Settings()))
    _, subnet_id = network(ec2)
    launch(
        ec2,
        subnet_id,
        MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 4},
        Monitoring={"Enabled": True},
        Placement={"Tenancy": "dedicated"},
        HibernationOptions={"Configured": True},
        MaintenanceOptions={"AutoRecovery": "disabled"},
        IamInstanceProfile={"Name": "web-role"},
    )
    store.close()
    state = ("--settle-seconds", "0")
    assert (
        main(["export", str(tmp_path / "one"), "--state", str(tmp_path / "orig.db"), *state]) == 0
    )
    assert main(["import", str(tmp_path / "one"), "--state", str(tmp_path / "copy.db")]) == 0
    assert (
        main(["export", str(tmp_path / "two"), "--state", str(tmp_path / "copy.db"), *state]) == 0
    )
    folder = Path("accounts", "123456789012", "us-east-1", "Reservations.json")
    first = json.loads((tmp_path / "one" / folder).read_text())
    second = json.loads((tmp_path / "two" / folder).read_text())
    assert second == first
    (shown,) = first["Reservations"][0]["Instances"]
    assert shown["MetadataOptions"]["HttpPutResponseHopLimit"] == 4
    assert shown["Placement"]["Tenancy"] == "dedicated"


def test_inst_instance_type_of_a_running_instance_is_described(ec2: Any) -> None:
    """What Terraform reads for an instance's type: DescribeInstanceTypes answers with vCPUs that
    agree with the instance's CpuOptions, memory, burstable support and ENI limits."""
    _, subnet_id = network(ec2)
    made = launch(ec2, subnet_id)
    (info,) = ec2.describe_instance_types(InstanceTypes=[made["InstanceType"]])["InstanceTypes"]
    cpu = made["CpuOptions"]
    assert info["VCpuInfo"]["DefaultVCpus"] == cpu["CoreCount"] * cpu["ThreadsPerCore"] == 2
    assert (info["VCpuInfo"]["DefaultCores"], info["VCpuInfo"]["DefaultThreadsPerCore"]) == (
        cpu["CoreCount"],
        cpu["ThreadsPerCore"],
    )
    assert info["MemoryInfo"] == {"SizeInMiB": 1024}
    assert info["BurstablePerformanceSupported"] is True and info["FreeTierEligible"] is True
    assert info["NetworkInfo"]["MaximumNetworkInterfaces"] == 2
    assert info["ProcessorInfo"]["SupportedArchitectures"] == ["x86_64"]
    (default,) = ec2.describe_instance_types(InstanceTypes=["m1.small"])["InstanceTypes"]
    assert (default["CurrentGeneration"], default["Hypervisor"]) == (False, "xen")


def test_inst_cpu_options_agree_with_every_catalogued_type(ec2: Any) -> None:
    """For every type DescribeInstanceTypes lists, cores x threads (what instances of it report
    as CpuOptions) is its vCPU count."""
    listed = ec2.describe_instance_types()["InstanceTypes"]
    assert len(listed) > 40
    for info in listed:
        vcpu = info["VCpuInfo"]
        assert vcpu["DefaultCores"] * vcpu["DefaultThreadsPerCore"] == vcpu["DefaultVCpus"], info[
            "InstanceType"
        ]


def test_inst_instance_types_filters_and_unknown_types(ec2: Any) -> None:
    """Filters select from the catalogue; a type EC2 does not have is InvalidInstanceType."""
    arm = ec2.describe_instance_types(
        Filters=[
            {"Name": "processor-info.supported-architecture", "Values": ["arm64"]},
            {"Name": "burstable-performance-supported", "Values": ["true"]},
        ]
    )["InstanceTypes"]
    assert arm and all(t["InstanceType"].startswith("t4g.") for t in arm)
    code, message = aws_error(ec2.describe_instance_types, InstanceTypes=["t3.huge"])
    assert code == "InvalidInstanceType" and "t3.huge" in message


# -- VPCs, subnets, ENIs, flow logs ---------------------------------------------------------------
def test_amb_1_create_vpc_answer_shows_the_ipv6_block_still_associating(ec2: Any) -> None:
    """CreateVpc answers as create-vpc.rst shows: pending, the Amazon IPv6 block associating
    with no block yet (an empty set without one); DescribeVpcs then shows the /56."""
    made = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    (association,) = made["Ipv6CidrBlockAssociationSet"]
    assert made["State"] == "pending"
    assert (association["Ipv6CidrBlock"], association["Ipv6CidrBlockState"]) == (
        "",
        {"State": "associating"},
    )
    (shown,) = ec2.describe_vpcs(VpcIds=[made["VpcId"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]
    assert shown["AssociationId"] == association["AssociationId"]
    assert shown["Ipv6CidrBlock"].endswith("/56")
    plain = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    assert plain["Ipv6CidrBlockAssociationSet"] == []
    assert (
        "Ipv6CidrBlockAssociationSet" not in ec2.describe_vpcs(VpcIds=[plain["VpcId"]])["Vpcs"][0]
    )


def test_vpc_ipv6_associations_say_where_the_block_comes_from(ec2: Any) -> None:
    """An Amazon-provided IPv6 block reads IpSource amazon, Ipv6AddressAttribute public, on the
    VPC and on a subnet that takes a /64 of it."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    (block,) = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]
    assert (block["IpSource"], block["Ipv6AddressAttribute"]) == ("amazon", "public")
    assert (block["Ipv6Pool"], block["NetworkBorderGroup"]) == ("Amazon", "us-east-1")
    subnet_block = block["Ipv6CidrBlock"].replace("/56", "/64")
    subnet = ec2.create_subnet(
        VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24", Ipv6CidrBlock=subnet_block
    )["Subnet"]
    shown = ec2.describe_subnets(SubnetIds=[subnet["SubnetId"]])["Subnets"][0]
    for association in shown["Ipv6CidrBlockAssociationSet"]:
        assert (association["IpSource"], association["Ipv6AddressAttribute"]) == (
            "amazon",
            "public",
        )


def test_eni_7_interfaces_report_no_operator(ec2: Any) -> None:
    """ENIs vpclab makes, alone or as an instance's eth0, are not managed by a service provider."""
    _, subnet_id = network(ec2)
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert eni["Operator"] == {"Managed": False}
    made = launch(ec2, subnet_id)
    assert made["Operator"] == {"Managed": False}
    assert made["NetworkInterfaces"][0]["Operator"] == {"Managed": False}


def test_eni_7_nat_gateway_interface_shows_its_attachment_to_amazon_aws(ec2: Any) -> None:
    """A NAT gateway's ENI reads as AWS exports it: requester-managed, attached to amazon-aws at
    device 1 (ela-attach-...), not deleted on termination; the attachment filters find it."""
    vpc_id, subnet_id = network(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)["NatGateway"]
    eni_id = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0][
        "NatGatewayAddresses"
    ][0]["NetworkInterfaceId"]
    (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
    attachment = eni["Attachment"]
    assert re.fullmatch(r"ela-attach-[0-9a-f]{8}", attachment.pop("AttachmentId"))
    assert attachment == {
        "DeleteOnTermination": False,
        "DeviceIndex": 1,
        "InstanceOwnerId": "amazon-aws",
        "Status": "attached",
    }
    assert eni["RequesterManaged"] is True and eni["Status"] == "in-use"
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": "attachment.instance-owner-id", "Values": ["amazon-aws"]}]
    )["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in found] == [eni_id]
    plain = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert "Attachment" not in plain


def test_flow_log_to_s3_shows_its_destination_options(ec2: Any) -> None:
    """An S3 flow log always shows DestinationOptions, AWS's defaults when none were given."""
    vpc_id, _ = network(ec2)
    ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-bucket",
    )
    (flow_log,) = ec2.describe_flow_logs()["FlowLogs"]
    assert flow_log["DestinationOptions"] == {
        "FileFormat": "plain-text",
        "HiveCompatiblePartitions": False,
        "PerHourPartition": False,
    }


def test_opt_in_regions_say_opted_in(ec2: Any) -> None:
    """Regions AWS launched as opt-in (Cape Town, Milan, Bahrain) read opted-in, the others
    opt-in-not-required, and the opt-in-status filter tells them apart."""
    regions = {r["RegionName"]: r["OptInStatus"] for r in ec2.describe_regions()["Regions"]}
    assert regions["af-south-1"] == regions["eu-south-1"] == regions["me-south-1"] == "opted-in"
    assert regions["us-east-1"] == "opt-in-not-required"
    opted = ec2.describe_regions(Filters=[{"Name": "opt-in-status", "Values": ["opted-in"]}])
    assert {r["RegionName"] for r in opted["Regions"]} == {"af-south-1", "eu-south-1", "me-south-1"}


# -- every Describe answer: the members AWS always returns ---------------------------------------
# Per Describe: (list key, members every item carries). `A[].B` means A is a non-empty list whose
# every element has B; `B|C` that one of them is there (IPv4 or IPv6 forms of an entry). Sources: the "Output" of the AWS CLI examples shipped in awscli
# (awscli/examples/ec2/<operation>.rst, named per entry) and, for members added to AWS after those
# examples were written, the EC2 API reference of the shape (docs.aws.amazon.com/AWSEC2/latest/
# APIReference/API_<Shape>.html).
# fmt: off
ALWAYS_RETURNED: dict[str, tuple[str, tuple[str, ...]]] = {
    # describe-vpcs.rst; API_Vpc (BlockPublicAccessStates)
    "DescribeVpcs": ("Vpcs", (
        "CidrBlock", "DhcpOptionsId", "State", "VpcId", "OwnerId", "InstanceTenancy", "IsDefault",
        "CidrBlockAssociationSet[].AssociationId", "CidrBlockAssociationSet[].CidrBlock",
        "CidrBlockAssociationSet[].CidrBlockState.State",
        "BlockPublicAccessStates.InternetGatewayBlockMode",
    )),
    # describe-subnets.rst; API_Subnet
    "DescribeSubnets": ("Subnets", (
        "AvailabilityZone", "AvailabilityZoneId", "AvailableIpAddressCount", "CidrBlock",
        "DefaultForAz", "MapPublicIpOnLaunch", "MapCustomerOwnedIpOnLaunch", "State", "SubnetId",
        "VpcId", "OwnerId", "AssignIpv6AddressOnCreation", "Ipv6CidrBlockAssociationSet",
        "SubnetArn", "EnableDns64", "Ipv6Native", "PrivateDnsNameOptionsOnLaunch.HostnameType",
        "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord",
        "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord",
        "BlockPublicAccessStates.InternetGatewayBlockMode",
    )),
    # describe-route-tables.rst
    "DescribeRouteTables": ("RouteTables", (
        "Associations", "PropagatingVgws", "RouteTableId", "VpcId", "OwnerId",
        "Routes[].DestinationCidrBlock|DestinationIpv6CidrBlock", "Routes[].Origin",
        "Routes[].State",
    )),
    # describe-internet-gateways.rst
    "DescribeInternetGateways": ("InternetGateways", (
        "Attachments[].State", "Attachments[].VpcId", "InternetGatewayId", "OwnerId",
    )),
    # describe-egress-only-internet-gateways.rst
    "DescribeEgressOnlyInternetGateways": ("EgressOnlyInternetGateways", (
        "Attachments[].State", "Attachments[].VpcId", "EgressOnlyInternetGatewayId",
    )),
    # describe-nat-gateways.rst (public gateway)
    "DescribeNatGateways": ("NatGateways", (
        "CreateTime", "NatGatewayId", "State", "SubnetId", "VpcId", "ConnectivityType",
        "NatGatewayAddresses[].AllocationId", "NatGatewayAddresses[].NetworkInterfaceId",
        "NatGatewayAddresses[].PrivateIp", "NatGatewayAddresses[].PublicIp",
        "NatGatewayAddresses[].AssociationId", "NatGatewayAddresses[].IsPrimary",
        "NatGatewayAddresses[].Status",
    )),
    # describe-addresses.rst
    "DescribeAddresses": ("Addresses", (
        "AllocationId", "Domain", "PublicIp", "PublicIpv4Pool", "NetworkBorderGroup",
    )),
    # describe-security-groups.rst; API_SecurityGroup (SecurityGroupArn)
    "DescribeSecurityGroups": ("SecurityGroups", (
        "Description", "GroupName", "GroupId", "OwnerId", "VpcId", "SecurityGroupArn",
        "IpPermissions", "IpPermissionsEgress[].IpProtocol", "IpPermissionsEgress[].IpRanges",
        "IpPermissionsEgress[].Ipv6Ranges", "IpPermissionsEgress[].PrefixListIds",
        "IpPermissionsEgress[].UserIdGroupPairs",
    )),
    # describe-security-group-rules.rst
    "DescribeSecurityGroupRules": ("SecurityGroupRules", (
        "SecurityGroupRuleId", "GroupId", "GroupOwnerId", "IsEgress", "IpProtocol", "FromPort",
        "ToPort", "SecurityGroupRuleArn", "Tags",
    )),
    # describe-network-acls.rst
    "DescribeNetworkAcls": ("NetworkAcls", (
        "Associations", "IsDefault", "NetworkAclId", "VpcId", "OwnerId",
        "Entries[].CidrBlock|Ipv6CidrBlock", "Entries[].Egress", "Entries[].Protocol",
        "Entries[].RuleAction", "Entries[].RuleNumber",
    )),
    # describe-vpc-peering-connections.rst (an active connection)
    "DescribeVpcPeeringConnections": ("VpcPeeringConnections", (
        "AccepterVpcInfo.CidrBlock", "AccepterVpcInfo.CidrBlockSet", "AccepterVpcInfo.OwnerId",
        "AccepterVpcInfo.VpcId", "AccepterVpcInfo.Region", "AccepterVpcInfo.PeeringOptions",
        "RequesterVpcInfo.CidrBlock", "RequesterVpcInfo.CidrBlockSet", "RequesterVpcInfo.OwnerId",
        "RequesterVpcInfo.VpcId", "RequesterVpcInfo.Region", "RequesterVpcInfo.PeeringOptions",
        "Status.Code", "Status.Message", "VpcPeeringConnectionId",
    )),
    # describe-managed-prefix-lists.rst
    "DescribeManagedPrefixLists": ("PrefixLists", (
        "PrefixListId", "AddressFamily", "State", "PrefixListArn", "PrefixListName", "MaxEntries",
        "Version", "OwnerId",
    )),
    # describe-network-interfaces.rst
    "DescribeNetworkInterfaces": ("NetworkInterfaces", (
        "Status", "MacAddress", "SourceDestCheck", "VpcId", "Description", "NetworkInterfaceId",
        "RequesterManaged", "Ipv6Addresses", "PrivateDnsName", "AvailabilityZone", "Groups",
        "SubnetId", "OwnerId", "TagSet", "PrivateIpAddress", "InterfaceType",
        "PrivateIpAddresses[].Primary", "PrivateIpAddresses[].PrivateIpAddress",
        "PrivateIpAddresses[].PrivateDnsName",
    )),
    # describe-instances.rst; API_Instance / API_Placement for the newer members
    "DescribeInstances": ("Reservations[].Instances", (
        "AmiLaunchIndex", "ImageId", "InstanceId", "InstanceType", "LaunchTime",
        "Monitoring.State", "Placement.AvailabilityZone", "Placement.AvailabilityZoneId",
        "Placement.GroupName", "Placement.Tenancy", "PrivateDnsName", "PrivateIpAddress",
        "ProductCodes", "PublicDnsName", "State.Code", "State.Name", "StateTransitionReason",
        "SubnetId", "VpcId", "Architecture", "BlockDeviceMappings[].DeviceName",
        "BlockDeviceMappings[].Ebs.AttachTime", "BlockDeviceMappings[].Ebs.DeleteOnTermination",
        "BlockDeviceMappings[].Ebs.Status", "BlockDeviceMappings[].Ebs.VolumeId", "ClientToken",
        "EbsOptimized", "EnaSupport", "Hypervisor", "NetworkInterfaces[].Attachment.AttachTime",
        "NetworkInterfaces[].Attachment.AttachmentId",
        "NetworkInterfaces[].Attachment.DeleteOnTermination",
        "NetworkInterfaces[].Attachment.DeviceIndex", "NetworkInterfaces[].Attachment.Status",
        "NetworkInterfaces[].Attachment.NetworkCardIndex", "NetworkInterfaces[].Description",
        "NetworkInterfaces[].Groups", "NetworkInterfaces[].Ipv6Addresses",
        "NetworkInterfaces[].MacAddress", "NetworkInterfaces[].NetworkInterfaceId",
        "NetworkInterfaces[].OwnerId", "NetworkInterfaces[].PrivateDnsName",
        "NetworkInterfaces[].PrivateIpAddress", "NetworkInterfaces[].PrivateIpAddresses",
        "NetworkInterfaces[].SourceDestCheck", "NetworkInterfaces[].Status",
        "NetworkInterfaces[].SubnetId", "NetworkInterfaces[].VpcId",
        "NetworkInterfaces[].InterfaceType", "RootDeviceName", "RootDeviceType", "SecurityGroups",
        "SourceDestCheck", "VirtualizationType", "CpuOptions.CoreCount",
        "CpuOptions.ThreadsPerCore", "CapacityReservationSpecification",
        "HibernationOptions.Configured", "MetadataOptions.State", "MetadataOptions.HttpTokens",
        "MetadataOptions.HttpPutResponseHopLimit", "MetadataOptions.HttpEndpoint",
        "MetadataOptions.HttpProtocolIpv6", "MetadataOptions.InstanceMetadataTags",
        "EnclaveOptions.Enabled", "PlatformDetails", "UsageOperation", "UsageOperationUpdateTime",
        "PrivateDnsNameOptions.HostnameType", "MaintenanceOptions.AutoRecovery",
        "CurrentInstanceBootMode",
    )),
    # describe-images.rst
    "DescribeImages": ("Images", (
        "ImageId", "ImageLocation", "State", "OwnerId", "CreationDate", "Public", "Architecture",
        "ImageType", "Name", "Description", "RootDeviceType", "RootDeviceName",
        "VirtualizationType", "Hypervisor", "EnaSupport", "BlockDeviceMappings[].DeviceName",
        "BlockDeviceMappings[].Ebs.SnapshotId", "PlatformDetails", "UsageOperation",
    )),
    # describe-flow-logs.rst
    "DescribeFlowLogs": ("FlowLogs", (
        "CreationTime", "DeliverLogsStatus", "FlowLogId", "FlowLogStatus", "ResourceId",
        "TrafficType", "LogDestinationType", "LogFormat", "MaxAggregationInterval",
    )),
    # describe-volumes.rst
    "DescribeVolumes": ("Volumes", (
        "AvailabilityZone", "Attachments[].AttachTime", "Attachments[].InstanceId",
        "Attachments[].VolumeId", "Attachments[].State", "Attachments[].DeleteOnTermination",
        "Attachments[].Device", "Encrypted", "VolumeType", "VolumeId", "State", "Iops",
        "SnapshotId", "CreateTime", "Size",
    )),
    # describe-instance-credit-specifications.rst
    "DescribeInstanceCreditSpecifications": (
        "InstanceCreditSpecifications", ("InstanceId", "CpuCredits"),
    ),
    # describe-instance-types.rst
    "DescribeInstanceTypes": ("InstanceTypes", (
        "InstanceType", "CurrentGeneration", "FreeTierEligible", "SupportedUsageClasses",
        "SupportedRootDeviceTypes", "BareMetal", "Hypervisor",
        "ProcessorInfo.SupportedArchitectures", "VCpuInfo.DefaultVCpus", "VCpuInfo.DefaultCores",
        "VCpuInfo.DefaultThreadsPerCore", "VCpuInfo.ValidCores", "VCpuInfo.ValidThreadsPerCore",
        "MemoryInfo.SizeInMiB", "InstanceStorageSupported", "EbsInfo.EbsOptimizedSupport",
        "EbsInfo.EncryptionSupport", "NetworkInfo.NetworkPerformance",
        "NetworkInfo.MaximumNetworkInterfaces", "NetworkInfo.Ipv4AddressesPerInterface",
        "NetworkInfo.Ipv6AddressesPerInterface", "NetworkInfo.Ipv6Supported",
        "NetworkInfo.EnaSupport", "PlacementGroupInfo.SupportedStrategies",
        "HibernationSupported", "BurstablePerformanceSupported", "DedicatedHostsSupported",
        "AutoRecoverySupported",
    )),
    # describe-regions.rst
    "DescribeRegions": ("Regions", (
        "Endpoint", "RegionName", "OptInStatus",
    )),
    # describe-availability-zones.rst
    "DescribeAvailabilityZones": ("AvailabilityZones", (
        "State", "OptInStatus", "Messages", "RegionName", "ZoneName", "ZoneId", "GroupName",
        "NetworkBorderGroup", "ZoneType",
    )),
    # describe-account-attributes.rst
    "DescribeAccountAttributes": ("AccountAttributes", (
        "AttributeName", "AttributeValues[].AttributeValue",
    )),
    # describe-instance-status.rst
    "DescribeInstanceStatus": ("InstanceStatuses", (
        "AvailabilityZone", "InstanceId", "InstanceState.Code", "InstanceState.Name",
        "InstanceStatus.Status", "InstanceStatus.Details[].Name", "SystemStatus.Status",
    )),
}
# fmt: on


def missing_members(item: Any, path: str) -> bool:
    """Whether `path` (dotted, `[]` for a non-empty list, `|` between alternatives of a last
    member) is absent from `item`."""
    head, _, rest = path.partition(".")
    if "|" in head:
        return all(missing_members(item, choice) for choice in head.split("|"))
    is_list = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(item, dict) or key not in item:
        return True
    value = item[key]
    if is_list:
        if not isinstance(value, list) or not value:
            return True
        return any(missing_members(v, rest) if rest else False for v in value)
    return missing_members(value, rest) if rest else False


def items_of(answer: dict[str, Any], list_key: str) -> list[Any]:
    """The items a Describe answer lists under `list_key` (`A[].B` flattens B of every A)."""
    head, _, rest = list_key.partition("[].")
    found = answer[head]
    if rest:
        return [inner for outer in found for inner in outer[rest]]
    assert isinstance(found, list)
    return found


def build_network(ec2: Any) -> None:
    """A varied network: IPv6 VPC, public/private subnets, IGW, EIGW, NAT, EIPs, a group with
    rules, a custom NACL, an active peering, a prefix list, an ENI, an instance, a flow log."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"][
        "VpcId"
    ]
    public = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    public_id = public["Subnet"]["SubnetId"]
    private = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b"
    )
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.create_egress_only_internet_gateway(VpcId=vpc_id)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_nat_gateway(SubnetId=public_id, AllocationId=allocation)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    acl = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    association = next(
        a["NetworkAclAssociationId"]
        for a in ec2.describe_network_acls(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "default", "Values": ["true"]},
            ]
        )["NetworkAcls"][0]["Associations"]
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="-1",
        RuleAction="allow",
        Egress=True,
        CidrBlock="0.0.0.0/0",
    )
    peer = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=peer)
    ec2.accept_vpc_peering_connection(
        VpcPeeringConnectionId=pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    )
    ec2.create_managed_prefix_list(PrefixListName="office", MaxEntries=2, AddressFamily="IPv4")
    ec2.create_network_interface(SubnetId=private["Subnet"]["SubnetId"], Groups=[group])
    launch(ec2, public_id, SecurityGroupIds=[group])
    ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-bucket",
    )


def test_every_describe_answer_has_the_members_aws_always_returns(ec2: Any) -> None:
    """Over a varied network, each Describe's every item carries every member of its curated
    list (ALWAYS_RETURNED, with the AWS example it comes from)."""
    build_network(ec2)
    gaps: dict[str, list[str]] = {}
    for operation, (list_key, members) in ALWAYS_RETURNED.items():
        answer = getattr(ec2, botocore.xform_name(operation))()
        items = items_of(answer, list_key)
        assert items, operation
        for item in items:
            for member in members:
                if missing_members(item, member):
                    gaps.setdefault(operation, []).append(member)
    assert gaps == {}
