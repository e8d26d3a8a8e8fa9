"""Helpers shared by the Elastic IP, NAT gateway and flow log tests.

`ec2` here is one boto3 client per test process, re-pointed at each test's fresh Api: building a
boto3 EC2 client costs about a second (it loads EC2's large service model), so reusing it keeps
these files fast without changing what each test sees (a fresh store per test).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from tests.support import client
from vpclab.api.dispatch import Api, HttpResponse


class ApiSwitch:
    """Stands in for an Api and forwards each request to whichever Api the current test uses."""

    def __init__(self) -> None:
        self.current: Api | None = None

    def handle(self, body: bytes, headers: Mapping[str, str]) -> HttpResponse:
        """Answer through the current test's Api."""
        assert self.current is not None, "no test Api bound"
        return self.current.handle(body, headers)


SWITCH = ApiSwitch()


@cache
def shared_client() -> Any:
    """The process-wide boto3 EC2 client answered through SWITCH."""
    return client(cast(Api, SWITCH))


@pytest.fixture
def ec2(api: Api) -> Any:
    """A boto3 EC2 client (account 123456789012, us-east-1) answered by this test's Api."""
    SWITCH.current = api
    return shared_client()


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    """The EC2 error code of a failed call."""
    return str(exc.value.response["Error"]["Code"])


def error_message(exc: pytest.ExceptionInfo[ClientError]) -> str:
    """The EC2 error message of a failed call."""
    return str(exc.value.response["Error"]["Message"])


def network(ec2: Any, *, igw: bool = True, cidr: str = "10.0.1.0/24") -> tuple[str, str]:
    """A VPC with one subnet (and an attached IGW unless told otherwise): (vpc id, subnet id)."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]
    if igw:
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return vpc_id, subnet_id


def igw_of(ec2: Any, vpc_id: str) -> str:
    """The id of the internet gateway attached to a VPC."""
    found = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )
    return str(found["InternetGateways"][0]["InternetGatewayId"])


def make_eni(ec2: Any, subnet_id: str, ips: tuple[str, ...] = ()) -> str:
    """An ENI holding these private IPs (the first one primary), or one the subnet picks."""
    pinned = [{"PrivateIpAddress": ip, "Primary": index == 0} for index, ip in enumerate(ips)]
    made = ec2.create_network_interface(
        SubnetId=subnet_id, **({"PrivateIpAddresses": pinned} if pinned else {})
    )
    return str(made["NetworkInterface"]["NetworkInterfaceId"])


def launch(ec2: Any, subnet_id: str, **extra: Any) -> tuple[str, str]:
    """One instance in the subnet: (instance id, primary ENI id)."""
    made = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id, **extra
    )["Instances"][0]
    return str(made["InstanceId"]), str(made["NetworkInterfaces"][0]["NetworkInterfaceId"])


def attach_second_eni(ec2: Any, subnet_id: str, instance_id: str) -> str:
    """A second ENI (device index 1) attached to an instance."""
    eni_id = make_eni(ec2, subnet_id)
    ec2.attach_network_interface(NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=1)
    return eni_id


def public_ip_of(ec2: Any, eni_id: str, private_ip: str | None = None) -> str | None:
    """The public IPv4 mapped to an ENI's address (its primary by default), EIP or auto-assigned."""
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    wanted = private_ip or eni["PrivateIpAddress"]
    for item in eni["PrivateIpAddresses"]:
        if item["PrivateIpAddress"] == wanted and "Association" in item:
            return str(item["Association"]["PublicIp"])
    return None
