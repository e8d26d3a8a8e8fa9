"""Flow logs as configuration through boto3: create, describe, delete, and which ENIs they cover."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.gateway_support import ec2, error_code, make_eni, network
from vpclab.control.store import Store

__all__ = ["ec2"]  # the shared-client fixture, used by every test here
from vpclab.model.flow_log import DEFAULT_LOG_FORMAT, flow_logs_for
from vpclab.model.interface import NetworkInterface

ROLE = "arn:aws:iam::123456789012:role/flow-logs"


def to_file(
    ec2: Any, resource_type: str, ids: list[str], path: str, **extra: Any
) -> dict[str, Any]:
    """CreateFlowLogs to vpclab's local file destination."""
    made: dict[str, Any] = ec2.create_flow_logs(
        ResourceType=resource_type,
        ResourceIds=ids,
        TrafficType=extra.pop("TrafficType", "ALL"),
        LogDestinationType="s3",
        LogDestination=f"file://{path}",
        **extra,
    )
    return made


def flow_log(ec2: Any, flow_log_id: str) -> dict[str, Any]:
    """One flow log as DescribeFlowLogs shows it."""
    found: dict[str, Any] = ec2.describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"][0]
    return found


def test_file_destination_with_default_v2_format(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    path = f"{tmp_path}/vpc.log"
    made = to_file(
        ec2,
        "VPC",
        [vpc_id],
        path,
        TagSpecifications=[
            {"ResourceType": "vpc-flow-log", "Tags": [{"Key": "team", "Value": "net"}]}
        ],
    )
    assert made["Unsuccessful"] == []
    (fl_id,) = made["FlowLogIds"]
    assert fl_id.startswith("fl-")
    shown = flow_log(ec2, fl_id)
    assert shown["ResourceId"] == vpc_id
    assert shown["LogDestinationType"] == "s3"
    assert shown["LogDestination"] == f"file://{path}"
    assert shown["LogFormat"] == DEFAULT_LOG_FORMAT
    assert shown["TrafficType"] == "ALL"
    assert shown["MaxAggregationInterval"] == 600
    assert shown["DeliverLogsStatus"] == "SUCCESS" and shown["FlowLogStatus"] == "ACTIVE"
    assert shown["Tags"] == [{"Key": "team", "Value": "net"}]


def test_file_destination_must_be_an_absolute_path(ec2: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    with pytest.raises(ClientError) as exc:
        ec2.create_flow_logs(
            ResourceType="VPC",
            ResourceIds=[vpc_id],
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination="file://relative/path.log",
        )
    assert error_code(exc) == "InvalidParameter"


def test_s3_cloudwatch_and_firehose_destinations(ec2: Any) -> None:
    vpc_id, subnet_id = network(ec2, igw=False)
    s3 = ec2.create_flow_logs(
        ResourceType="Subnet",
        ResourceIds=[subnet_id],
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::my-bucket/prefix",
        MaxAggregationInterval=60,
        DestinationOptions={"FileFormat": "parquet", "PerHourPartition": True},
    )["FlowLogIds"][0]
    cwl = ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[vpc_id],
        TrafficType="ACCEPT",
        LogGroupName="vpc-flows",
        DeliverLogsPermissionArn=ROLE,
    )["FlowLogIds"][0]
    firehose = ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[vpc_id],
        TrafficType="ALL",
        LogDestinationType="kinesis-data-firehose",
        LogDestination="arn:aws:firehose:us-east-1:123456789012:deliverystream/flows",
    )["FlowLogIds"][0]
    shown_s3 = flow_log(ec2, s3)
    assert shown_s3["MaxAggregationInterval"] == 60
    assert shown_s3["DestinationOptions"] == {
        "FileFormat": "parquet",
        "HiveCompatiblePartitions": False,
        "PerHourPartition": True,
    }
    shown_cwl = flow_log(ec2, cwl)
    assert shown_cwl["LogDestinationType"] == "cloud-watch-logs"
    assert shown_cwl["LogGroupName"] == "vpc-flows"
    assert shown_cwl["DeliverLogsPermissionArn"] == ROLE
    assert flow_log(ec2, firehose)["LogDestinationType"] == "kinesis-data-firehose"


@pytest.mark.parametrize(
    "params",
    [
        {"LogDestinationType": "s3"},
        {"LogDestinationType": "s3", "LogDestination": "arn:aws:logs:us-east-1:1:log-group:x"},
        {"LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::b-1", "LogGroupName": "g"},
        {"LogGroupName": "g"},
        {"LogGroupName": "g", "DeliverLogsPermissionArn": ROLE, "LogDestination": "arn:aws:s3:::b"},
        {"LogDestinationType": "kinesis-data-firehose", "LogDestination": "arn:aws:s3:::b-1"},
        {
            "LogDestinationType": "s3",
            "LogDestination": "arn:aws:s3:::b-1",
            "MaxAggregationInterval": 120,
        },
        {"LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::b-1", "TrafficType": "SOME"},
        {"LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::b-1", "LogFormat": "${nope}"},
        {"LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::b-1", "LogFormat": "srcaddr"},
    ],
)
def test_invalid_configurations_are_refused(ec2: Any, params: dict[str, Any]) -> None:
    vpc_id, _ = network(ec2, igw=False)
    call = {"ResourceType": "VPC", "ResourceIds": [vpc_id], "TrafficType": "ALL", **params}
    with pytest.raises(ClientError) as exc:
        ec2.create_flow_logs(**call)
    assert error_code(exc) == "InvalidParameter"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_custom_log_format_is_kept(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    fmt = "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${tcp-flags} ${flow-direction}"
    made = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/f.log", LogFormat=fmt)
    assert flow_log(ec2, made["FlowLogIds"][0])["LogFormat"] == fmt


def test_unknown_resources_come_back_unsuccessful(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    made = to_file(ec2, "VPC", [vpc_id, "vpc-0123456789abcdef0"], f"{tmp_path}/v.log")
    assert len(made["FlowLogIds"]) == 1
    (failure,) = made["Unsuccessful"]
    assert failure["ResourceId"] == "vpc-0123456789abcdef0"
    assert failure["Error"]["Code"] == "InvalidVpcID.NotFound"
    wrong_type = to_file(ec2, "Subnet", [vpc_id], f"{tmp_path}/v.log")
    assert wrong_type["FlowLogIds"] == []
    assert wrong_type["Unsuccessful"][0]["Error"]["Code"] == "InvalidSubnetID.Malformed"


def test_duplicate_configuration_is_unsuccessful(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log")
    again = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log")
    assert again["FlowLogIds"] == []
    assert again["Unsuccessful"][0]["Error"]["Code"] == "FlowLogAlreadyExists"
    other_traffic = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log", TrafficType="REJECT")
    assert len(other_traffic["FlowLogIds"]) == 1


def test_client_token_is_idempotent(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    first = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log", ClientToken="once")
    again = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log", ClientToken="once")
    assert first["FlowLogIds"] == again["FlowLogIds"]
    assert again["ClientToken"] == "once"


def test_unemulated_resource_types_are_refused(ec2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ec2.create_flow_logs(
            ResourceType="TransitGateway",
            ResourceIds=["tgw-0123456789abcdef0"],
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::b-1",
        )
    assert error_code(exc) == "InvalidParameter"


def test_describe_flow_logs_filters_and_pages(ec2: Any, tmp_path: Any) -> None:
    vpc_id, subnet_id = network(ec2, igw=False)
    on_vpc = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log", TrafficType="ACCEPT")["FlowLogIds"][
        0
    ]
    on_subnet = ec2.create_flow_logs(
        ResourceType="Subnet",
        ResourceIds=[subnet_id],
        TrafficType="REJECT",
        LogGroupName="grp",
        DeliverLogsPermissionArn=ROLE,
        TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "k", "Value": "v"}]}],
    )["FlowLogIds"][0]

    def ids(name: str, value: str) -> list[str]:
        found = ec2.describe_flow_logs(Filter=[{"Name": name, "Values": [value]}])["FlowLogs"]
        return sorted(f["FlowLogId"] for f in found)

    assert ids("flow-log-id", on_vpc) == [on_vpc]
    assert ids("resource-id", subnet_id) == [on_subnet]
    assert ids("traffic-type", "ACCEPT") == [on_vpc]
    assert ids("log-destination-type", "cloud-watch-logs") == [on_subnet]
    assert ids("log-group-name", "grp") == [on_subnet]
    assert ids("deliver-log-status", "SUCCESS") == sorted([on_vpc, on_subnet])
    assert ids("tag:k", "v") == [on_subnet]
    page = ec2.describe_flow_logs(MaxResults=1)
    rest = ec2.describe_flow_logs(MaxResults=1, NextToken=page["NextToken"])
    assert sorted(f["FlowLogId"] for f in page["FlowLogs"] + rest["FlowLogs"]) == sorted(
        [on_vpc, on_subnet]
    )
    assert ec2.describe_flow_logs(FlowLogIds=["fl-0123456789abcdef0"])["FlowLogs"] == []


def test_delete_flow_logs_reports_unknown_ids(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    fl_id = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log")["FlowLogIds"][0]
    result = ec2.delete_flow_logs(FlowLogIds=[fl_id, "fl-0123456789abcdef0"])
    (failure,) = result["Unsuccessful"]
    assert failure["ResourceId"] == "fl-0123456789abcdef0"
    assert failure["Error"]["Code"] == "InvalidFlowLogId.NotFound"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_flow_logs_for_covers_eni_subnet_and_vpc(ec2: Any, store: Store, tmp_path: Any) -> None:
    vpc_id, subnet_id = network(ec2, igw=False)
    other_subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    eni_id = make_eni(ec2, subnet_id)
    eni = store.view("123456789012", "us-east-1").get(NetworkInterface, eni_id)
    assert eni is not None
    expected = [
        to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/a.log")["FlowLogIds"][0],
        to_file(ec2, "Subnet", [subnet_id], f"{tmp_path}/b.log")["FlowLogIds"][0],
        to_file(ec2, "NetworkInterface", [eni.id], f"{tmp_path}/c.log")["FlowLogIds"][0],
    ]
    to_file(ec2, "Subnet", [other_subnet], f"{tmp_path}/d.log")
    covering = flow_logs_for(store.view("123456789012", "us-east-1"), eni)
    assert sorted(fl.id for fl in covering) == sorted(expected)
    assert {fl.file_path for fl in covering} == {f"{tmp_path}/{n}.log" for n in "abc"}


def test_create_tags_and_dry_run_on_flow_logs(ec2: Any, tmp_path: Any) -> None:
    vpc_id, _ = network(ec2, igw=False)
    with pytest.raises(ClientError) as exc:
        to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log", DryRun=True)
    assert error_code(exc) == "DryRunOperation"
    assert ec2.describe_flow_logs()["FlowLogs"] == []
    fl_id = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log")["FlowLogIds"][0]
    ec2.create_tags(Resources=[fl_id], Tags=[{"Key": "env", "Value": "lab"}])
    assert flow_log(ec2, fl_id)["Tags"] == [{"Key": "env", "Value": "lab"}]


def flow_log_ids(ec2: Any) -> set[str]:
    """Ids of every flow log DescribeFlowLogs shows."""
    return {fl["FlowLogId"] for fl in ec2.describe_flow_logs()["FlowLogs"]}


def test_flow_logs_go_with_the_eni_subnet_and_vpc_they_watch(ec2: Any, tmp_path: Any) -> None:
    """Deleting the ENI, then the subnet, then the VPC removes each one's flow logs (and only
    theirs), as AWS removes flow logs of deleted resources."""
    vpc_id, subnet_id = network(ec2, igw=False)
    eni_id = make_eni(ec2, subnet_id)
    on_vpc = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/a.log")["FlowLogIds"][0]
    on_subnet = to_file(ec2, "Subnet", [subnet_id], f"{tmp_path}/b.log")["FlowLogIds"][0]
    on_eni = to_file(ec2, "NetworkInterface", [eni_id], f"{tmp_path}/c.log")["FlowLogIds"][0]
    elsewhere_vpc, _ = network(ec2, igw=False)
    elsewhere = to_file(ec2, "VPC", [elsewhere_vpc], f"{tmp_path}/d.log")["FlowLogIds"][0]
    assert flow_log_ids(ec2) == {on_vpc, on_subnet, on_eni, elsewhere}
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert flow_log_ids(ec2) == {on_vpc, on_subnet, elsewhere}
    ec2.delete_subnet(SubnetId=subnet_id)
    assert flow_log_ids(ec2) == {on_vpc, elsewhere}
    ec2.delete_vpc(VpcId=vpc_id)
    assert flow_log_ids(ec2) == {elsewhere}


def test_flow_log_of_an_instance_eni_goes_when_termination_deletes_it(
    ec2: Any, tmp_path: Any
) -> None:
    """A primary ENI deleted by instance termination (DeleteOnTermination) takes its flow log."""
    _, subnet_id = network(ec2, igw=False)
    made = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id)
    instance = made["Instances"][0]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    to_file(ec2, "NetworkInterface", [eni_id], f"{tmp_path}/i.log")
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    ec2.describe_instances(InstanceIds=[instance["InstanceId"]])  # settles the termination
    remaining = ec2.describe_network_interfaces(
        Filters=[{"Name": "network-interface-id", "Values": [eni_id]}]
    )["NetworkInterfaces"]
    assert remaining == []
    assert flow_log_ids(ec2) == set()


def test_refused_or_dry_run_deletes_keep_the_flow_log(ec2: Any, tmp_path: Any) -> None:
    """A delete AWS refuses (DependencyViolation) or a DryRun leaves the flow log in place."""
    vpc_id, subnet_id = network(ec2, igw=False)
    fl_id = to_file(ec2, "VPC", [vpc_id], f"{tmp_path}/v.log")["FlowLogIds"][0]
    with pytest.raises(ClientError) as exc:
        ec2.delete_vpc(VpcId=vpc_id)  # the subnet is still there
    assert error_code(exc) == "DependencyViolation"
    with pytest.raises(ClientError) as exc:
        ec2.delete_subnet(SubnetId=subnet_id, DryRun=True)
    assert error_code(exc) == "DryRunOperation"
    assert flow_log_ids(ec2) == {fl_id}
