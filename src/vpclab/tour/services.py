"""The tour's services in subnets: an ElastiCache cluster, Lambda functions and an RDS database,
built through their own APIs, and the network interfaces that carry their traffic."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from vpclab.tour.lab import Lab

LAMBDA_ROLE = "arn:aws:iam::123456789012:role/tour-lambda"


@dataclass(frozen=True, slots=True)
class ServiceInterface:
    """A service's network interface: its id, private address and public address if any."""

    eni_id: str
    private_ip: str
    public_ip: str | None


def _interface(lab: Lab, eni: dict[str, Any]) -> ServiceInterface:
    """The parts of a described ENI the tour shows, announced to the user."""
    found = ServiceInterface(
        eni["NetworkInterfaceId"],
        eni["PrivateIpAddress"],
        eni.get("Association", {}).get("PublicIp"),
    )
    public = found.public_ip or "no public IPv4"
    lab.say(f"    its network interface {found.eni_id}: {found.private_ip}, {public}")
    return found


def _interfaces(lab: Lab, vpc_id: str, description: str) -> list[dict[str, Any]]:
    """The VPC's requester-managed ENIs whose description starts as given."""
    described = lab.ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
    )["NetworkInterfaces"]
    return [e for e in described if e["Description"].startswith(description)]


def cache_node_interfaces(lab: Lab, cluster_id: str) -> list[dict[str, Any]]:
    """The described network interfaces of a cache cluster's nodes (ElastiCache's own)."""
    described = lab.ec2.describe_network_interfaces(
        Filters=[{"Name": "requester-managed", "Values": ["true"]}]
    )["NetworkInterfaces"]
    prefix = f"ElastiCache {cluster_id.lower()}-"
    return [e for e in described if e["Description"].startswith(prefix)]


def cache_cluster(
    lab: Lab, vpc_id: str, name: str, subnet_ids: list[str], group: str
) -> ServiceInterface:
    """A one-node Redis cluster in a new cache subnet group; its node's interface."""
    cache = lab.client("elasticache")
    cache.create_cache_subnet_group(
        CacheSubnetGroupName=name, CacheSubnetGroupDescription=name, SubnetIds=subnet_ids
    )
    cache.create_cache_cluster(
        CacheClusterId=name,
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        CacheSubnetGroupName=name,
        SecurityGroupIds=[group],
    )
    lab.say(f"  + ElastiCache redis cluster {name} in subnets {', '.join(subnet_ids)}")
    lab.wait(
        lambda: (
            cache.describe_cache_clusters(CacheClusterId=name)["CacheClusters"][0][
                "CacheClusterStatus"
            ]
            == "available"
        )
    )
    return _interface(lab, cache_node_interfaces(lab, name)[0])


def _code() -> bytes:
    """A tiny zip holding a handler (stored, never run: vpclab models the network only)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'hello'\n")
    return buffer.getvalue()


def lambda_function(lab: Lab, name: str, subnet_id: str, group: str) -> ServiceInterface:
    """A function attached to the VPC through one subnet; its Hyperplane interface."""
    functions = lab.client("lambda")
    functions.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": _code()},
        VpcConfig={"SubnetIds": [subnet_id], "SecurityGroupIds": [group]},
    )
    lab.say(f"  + Lambda function {name} attached to {subnet_id}")
    lab.wait(lambda: functions.get_function_configuration(FunctionName=name)["State"] == "Active")
    described = lab.ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [subnet_id]}]
    )["NetworkInterfaces"]
    hyperplane = [
        e
        for e in described
        if e["InterfaceType"] == "lambda" and [g["GroupId"] for g in e["Groups"]] == [group]
    ]
    return _interface(lab, hyperplane[0])


def db_subnet_group(lab: Lab, name: str, subnet_ids: list[str]) -> str:
    """A DB subnet group over the subnets (RDS wants two availability zones)."""
    lab.client("rds").create_db_subnet_group(
        DBSubnetGroupName=name, DBSubnetGroupDescription=name, SubnetIds=subnet_ids
    )
    lab.say(f"  + DB subnet group {name}: {', '.join(subnet_ids)}")
    return name


def database(lab: Lab, name: str, subnet_group: str, group: str, public: bool) -> Any:
    """A PostgreSQL instance in the subnet group (the API's answer, or its error raised)."""
    made = lab.client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="tour",
        MasterUserPassword="tour-password",
        AllocatedStorage=20,
        DBSubnetGroupName=subnet_group,
        VpcSecurityGroupIds=[group],
        PubliclyAccessible=public,
    )["DBInstance"]
    lab.say(f"  + RDS postgres {name} in {subnet_group}, publicly accessible: {public}")
    wait_for_database(lab, name)
    return made


def wait_for_database(lab: Lab, name: str) -> None:
    """Wait until the database is available (AWS refuses to modify it before)."""
    rds = lab.client("rds")
    lab.wait(
        lambda: (
            rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0][
                "DBInstanceStatus"
            ]
            == "available"
        )
    )


def database_interface(lab: Lab, vpc_id: str) -> ServiceInterface:
    """The network interface of the VPC's one database, as described now."""
    return _interface(lab, _interfaces(lab, vpc_id, "RDSNetworkInterface")[0])
