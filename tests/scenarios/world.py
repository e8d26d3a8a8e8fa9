"""Building AWS-documented architectures through boto3, and tracing them on the store's state."""

from __future__ import annotations

from typing import Any

from vpclab.control.store import Store
from vpclab.dataplane.flow import Flow
from vpclab.dataplane.trace import Trace
from vpclab.dataplane.tracer import trace


def image(ec2: Any) -> str:
    """An image id the emulator knows."""
    return str(ec2.describe_images()["Images"][0]["ImageId"])


def vpc(ec2: Any, cidr: str = "10.0.0.0/16") -> str:
    """A VPC."""
    return str(ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])


def subnet(ec2: Any, vpc_id: str, cidr: str) -> str:
    """A subnet with its own route table (explicitly associated)."""
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
    return str(subnet_id)


def table_of(ec2: Any, subnet_id: str) -> str:
    """The explicitly associated route table of a subnet."""
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["RouteTables"]
    return str(tables[0]["RouteTableId"])


def internet_gateway(ec2: Any, vpc_id: str) -> str:
    """An IGW attached to the VPC."""
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    return str(igw)


def open_group(ec2: Any, vpc_id: str, name: str, ports: tuple[int, ...] = (22, 80, 443)) -> str:
    """A security group admitting the given TCP ports from anywhere."""
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            for p in ports
        ],
    )
    return str(group)


def instance(ec2: Any, subnet_id: str, group: str, *, public: bool = False, **tags: str) -> str:
    """A running instance in the subnet with one group, optionally with a public IPv4."""
    spec: dict[str, Any] = {
        "DeviceIndex": 0,
        "SubnetId": subnet_id,
        "Groups": [group],
        "AssociatePublicIpAddress": public,
    }
    extra: dict[str, Any] = {}
    if tags:
        extra["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    run = ec2.run_instances(
        ImageId=image(ec2),
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[spec],
        **extra,
    )
    return str(run["Instances"][0]["InstanceId"])


def private_ip(ec2: Any, instance_id: str) -> str:
    """An instance's primary private IPv4."""
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return str(found["PrivateIpAddress"])


def eni_of(ec2: Any, instance_id: str) -> str:
    """An instance's primary ENI."""
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return str(found["NetworkInterfaces"][0]["NetworkInterfaceId"])


def trace_on(store: Store, src: str, dst: str, **flow: Any) -> Trace:
    """Trace on the default partition of the store."""
    return trace(store.view("123456789012", "us-east-1"), src, dst, Flow(**flow))


def deciding(result: Trace, kind: str) -> list[Any]:
    """The rules of a kind (acl/security-group/route) that decided steps, forward then return."""
    out: list[Any] = []
    for step in result.steps():
        if step.kind == kind:
            out.extend(step.acl_rules or step.sg_rules or ((step.route,) if step.route else ()))
    return out
