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
from vpclab.control.store import Store
from vpclab.model.ids import new_id
from vpclab.model.interface import EniAttachment, Instance, NetworkInterface, PrivateIp

ACCOUNT, REGION = "123456789012", "us-east-1"


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


def put_eni(
    store: Store,
    ec2: Any,
    subnet_id: str,
    ips: tuple[str, ...],
    *,
    instance_id: str | None = None,
    device_index: int = 0,
    public_ip: str | None = None,
) -> str:
    """An ENI written straight into the store (used where the ENI API is not what is tested)."""
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    eni_id: str = new_id("eni")
    attachment = (
        EniAttachment(id=new_id("eni-attach"), instance_id=instance_id, device_index=device_index)
        if instance_id
        else None
    )
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.put(
            NetworkInterface(
                id=eni_id,
                subnet_id=subnet_id,
                vpc_id=subnet["VpcId"],
                availability_zone=subnet["AvailabilityZone"],
                private_ips=tuple(
                    PrivateIp(address=ip, primary=i == 0) for i, ip in enumerate(ips)
                ),
                attachment=attachment,
                public_ip=public_ip,
            )
        )
    return eni_id


def put_instance(
    store: Store, ec2: Any, subnet_id: str, ip: str, public_ip: str | None
) -> tuple[str, str]:
    """A running instance with its primary ENI, written into the store: (instance id, eni id)."""
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    instance_id = new_id("i")
    eni_id = put_eni(store, ec2, subnet_id, (ip,), instance_id=instance_id, public_ip=public_ip)
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.put(
            Instance(
                id=instance_id,
                image_id="ami-12345678",
                instance_type="t3.micro",
                subnet_id=subnet_id,
                vpc_id=subnet["VpcId"],
                availability_zone=subnet["AvailabilityZone"],
                primary_eni_id=eni_id,
                state="running",
            )
        )
    return instance_id, eni_id


def stored_eni(store: Store, eni_id: str) -> NetworkInterface | None:
    """An ENI as the store holds it (None once deleted)."""
    return store.view(ACCOUNT, REGION).get(NetworkInterface, eni_id)
