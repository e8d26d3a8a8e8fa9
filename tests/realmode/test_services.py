"""Service ENIs in real mode: an RDS instance's address answers on its port as its SG allows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, http_client, instance, web_group


@pytest.fixture(scope="module")
def network(ec2: Any, endpoint: str, realm: Realm) -> Iterator[dict[str, Any]]:
    """A postgres instance (port 5432) whose group admits only the `app` group; two clients."""
    rds, cache = (http_client(endpoint, service) for service in ("rds", "elasticache"))
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    app = web_group(ec2, vpc_id, "app")
    other = web_group(ec2, vpc_id, "other")
    database = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=database,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": app}],
            }
        ],
    )
    rds.create_db_subnet_group(
        DBSubnetGroupName="dbs", DBSubnetGroupDescription="db", SubnetIds=subnets
    )
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        DBSubnetGroupName="dbs",
        VpcSecurityGroupIds=[database],
    )
    cache.create_cache_subnet_group(
        CacheSubnetGroupName="cache", CacheSubnetGroupDescription="c", SubnetIds=subnets
    )
    cache.create_cache_cluster(
        CacheClusterId="sessions",
        Engine="memcached",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=2,
        CacheSubnetGroupName="cache",
        SecurityGroupIds=[app],
    )
    ids = {"app": instance(ec2, subnets[0], app), "other": instance(ec2, subnets[1], other)}
    time.sleep(0.1)
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [database]}])
    address = enis["NetworkInterfaces"][0]["PrivateIpAddress"]
    nodes = cache.describe_cache_clusters(CacheClusterId="sessions", ShowCacheNodeInfo=True)
    realm.apply()
    endpoint_name = rds.describe_db_instances(DBInstanceIdentifier="orders")["DBInstances"][0][
        "Endpoint"
    ]["Address"]
    yield {
        "ids": ids,
        "address": address,
        "name": endpoint_name,
        "nodes": [
            (node["Endpoint"]["Address"], node["Endpoint"]["Port"])
            for node in nodes["CacheClusters"][0]["CacheNodes"]
        ],
    }


def test_svc_2_rds_endpoint_answers_an_instance_its_group_admits(
    realm: Realm, network: dict[str, Any]
) -> None:
    """curl to the DB's private address on 5432 answers the app instance (group reference)."""
    app, app_ip = network["ids"]["app"]
    assert realm.curl(app, f"http://{network['address']}:5432/") == app_ip


def test_svc_2_rds_endpoint_name_resolves_to_its_private_address_inside_the_vpc(
    realm: Realm, network: dict[str, Any]
) -> None:
    """The endpoint's DNS name, as RDS reports it, works from an instance: curl by name."""
    app, app_ip = network["ids"]["app"]
    assert realm.curl(app, f"http://{network['name']}:5432/") == app_ip


def test_svc_2_rds_endpoint_drops_an_instance_its_group_does_not_admit(
    realm: Realm, network: dict[str, Any]
) -> None:
    """The other instance is in no admitted group: its connection is dropped."""
    other, _ = network["ids"]["other"]
    assert realm.curl(other, f"http://{network['address']}:5432/") is None


def test_svc_1_every_cache_node_answers_on_its_port_where_its_group_admits(
    realm: Realm, network: dict[str, Any]
) -> None:
    """Both memcached nodes are in the app group (ICMP and TCP 80 from the VPC only): their
    port 11211 is not admitted, ping is."""
    app, _ = network["ids"]["app"]
    assert len(network["nodes"]) == 2
    for host, port in network["nodes"]:
        assert realm.pings(app, host)
        assert realm.curl(app, f"http://{host}:{port}/") is None
