"""A VPC with public and private subnets in two AZs, built through boto3, for service tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpclab.control.store import Store
from vpclab.dataplane.trace import Trace
from vpclab.network import trace_view

ROLE = "arn:aws:iam::123456789012:role/lambda-exec"
CODE = b"PK\x03\x04 fake zip"


@dataclass
class Vpc:
    """The ids of the test network."""

    vpc: str
    igw: str
    public: list[str]
    private: list[str]
    public_table: str


def build_vpc(ec2: Any, *, dns_hostnames: bool = True, routed: bool = True) -> Vpc:
    """10.0.0.0/16: public subnets (route 0.0.0.0/0 -> IGW) and private ones in two AZs."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    if dns_hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if routed:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    public, private = [], []
    for index, zone in enumerate(("us-east-1a", "us-east-1b")):
        pub = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=zone)
        subnet_id = pub["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
        public.append(subnet_id)
        priv = ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{index + 10}.0/24", AvailabilityZone=zone
        )
        private.append(priv["Subnet"]["SubnetId"])
    return Vpc(vpc, igw, public, private, table)


def open_group(ec2: Any, vpc: str, port: int, name: str = "open") -> str:
    """A security group admitting TCP `port` from anywhere."""
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp="0.0.0.0/0"
    )
    return str(group)


def launch(ec2: Any, subnet: str, group: str) -> str:
    """An instance in the subnet with the group, running."""
    reservation = ec2.run_instances(
        ImageId="ami-12345678",
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[group],
    )
    return str(reservation["Instances"][0]["InstanceId"])


def make_db(
    rds: Any,
    net: Vpc,
    group: str,
    *,
    public: bool = False,
    identifier: str = "mydb",
    **extra: Any,
) -> Any:
    """A subnet group over the public subnets and a postgres instance in it."""
    rds.create_db_subnet_group(
        DBSubnetGroupName="dbs", DBSubnetGroupDescription="db", SubnetIds=net.public
    )
    return rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        DBSubnetGroupName="dbs",
        VpcSecurityGroupIds=[group],
        PubliclyAccessible=public,
        **extra,
    )["DBInstance"]


def make_cluster(cache: Any, net: Vpc, group: str, nodes: int = 2) -> None:
    """A memcached cluster of `nodes` nodes in a subnet group over the public subnets."""
    cache.create_cache_subnet_group(
        CacheSubnetGroupName="cache", CacheSubnetGroupDescription="c", SubnetIds=net.public
    )
    cache.create_cache_cluster(
        CacheClusterId="mc",
        Engine="memcached",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=nodes,
        CacheSubnetGroupName="cache",
        SecurityGroupIds=[group],
    )


def make_function(lam: Any, name: str, subnets: list[str], groups: list[str]) -> Any:
    """A python function attached to the VPC through these subnets and groups."""
    return lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": CODE},
        VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": groups},
    )


def trace(store: Store, source: str, destination: str, port: int) -> Trace:
    """The data plane's verdict for TCP `port` from source to destination (us-east-1 account)."""
    return trace_view(store.view("123456789012", "us-east-1"), source, destination, port=port)
