"""ElastiCache in a VPC through boto3: cache subnet groups, node ENIs with private addresses
only, unreachable from the internet whatever the security group says (spec SVC-1)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from tests.services.world import build_vpc, launch, make_cluster, open_group, trace
from tests.support import aws_error
from vpclab.control.store import Store
from vpclab.model.state import Clock


@pytest.fixture
def cache(make_client: Any) -> Any:
    """A boto3 ElastiCache client answered in-process."""
    return make_client("elasticache")


def node_enis(ec2: Any, vpc: str) -> list[dict[str, Any]]:
    """The ElastiCache node ENIs of the VPC."""
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    return [e for e in enis["NetworkInterfaces"] if e["Description"].startswith("ElastiCache")]


def test_svc_1_nodes_get_private_addresses_in_the_subnet_group(
    ec2: Any, cache: Any, clock: Clock
) -> None:
    """Each node is a requester-managed ENI in a group subnet, with an endpoint on the port."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 11211)
    clock.settle_seconds = 30.0
    make_cluster(cache, net, group)
    first = cache.describe_cache_clusters(CacheClusterId="mc")["CacheClusters"][0]
    assert first["CacheClusterStatus"] == "creating"
    clock.advance(31.0)
    cluster = cache.describe_cache_clusters(CacheClusterId="mc", ShowCacheNodeInfo=True)[
        "CacheClusters"
    ][0]
    assert cluster["CacheClusterStatus"] == "available"
    assert cluster["SecurityGroups"] == [{"SecurityGroupId": group, "Status": "active"}]
    assert [n["Endpoint"]["Port"] for n in cluster["CacheNodes"]] == [11211, 11211]
    assert cluster["CacheNodes"][0]["Endpoint"]["Address"].startswith("mc.")
    assert cluster["CacheNodes"][0]["Endpoint"]["Address"].endswith(
        ".0001.use1.cache.amazonaws.com"
    )
    enis = node_enis(ec2, net.vpc)
    assert len(enis) == 2
    assert {e["SubnetId"] for e in enis} == set(net.public)
    for eni in enis:
        assert eni["RequesterManaged"] is True
        assert eni["InterfaceType"] == "interface"
        assert "Association" not in eni
        assert ipaddress.ip_address(eni["PrivateIpAddress"]).is_private


def test_svc_1_unreachable_from_internet_even_with_open_group(
    ec2: Any, cache: Any, store: Store
) -> None:
    """A public subnet and a 0.0.0.0/0 rule still give the internet no way to a node."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 11211)
    make_cluster(cache, net, group, nodes=1)
    eni = node_enis(ec2, net.vpc)[0]["NetworkInterfaceId"]
    assert not trace(store, "internet", eni, 11211).reachable
    instance = launch(ec2, net.private[0], open_group(ec2, net.vpc, 22, name="app"))
    assert trace(store, instance, eni, 11211).reachable


def test_svc_1_subnet_group_rules_and_errors(ec2: Any, cache: Any) -> None:
    """Duplicate names, unknown groups and clusters, in-use groups: ElastiCache's faults."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 6379)
    make_cluster(cache, net, group, nodes=1)
    code, _ = aws_error(
        cache.create_cache_subnet_group,
        CacheSubnetGroupName="cache",
        CacheSubnetGroupDescription="again",
        SubnetIds=net.private,
    )
    assert code == "CacheSubnetGroupAlreadyExists"
    code, _ = aws_error(cache.delete_cache_subnet_group, CacheSubnetGroupName="cache")
    assert code == "CacheSubnetGroupInUse"
    code, message = aws_error(cache.describe_cache_clusters, CacheClusterId="ghost")
    assert (code, message) == ("CacheClusterNotFound", "CacheCluster not found: ghost")
    code, _ = aws_error(
        cache.create_cache_cluster,
        CacheClusterId="r",
        Engine="redis",
        NumCacheNodes=2,
        CacheNodeType="cache.t3.micro",
        CacheSubnetGroupName="cache",
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        cache.create_cache_cluster,
        CacheClusterId="r",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        CacheSubnetGroupName="nope",
    )
    assert code == "CacheSubnetGroupNotFoundFault"


def test_sub_14_node_eni_blocks_subnet_deletion_until_cluster_deleted(ec2: Any, cache: Any) -> None:
    """SUB-14 / SG-20: node ENIs block deleting their subnet and group; deleting the cluster frees them."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 11211)
    make_cluster(cache, net, group, nodes=1)
    subnet = node_enis(ec2, net.vpc)[0]["SubnetId"]
    code, _ = aws_error(ec2.delete_subnet, SubnetId=subnet)
    assert code == "DependencyViolation"
    code, _ = aws_error(ec2.delete_security_group, GroupId=group)
    assert code == "DependencyViolation"
    deleted = cache.delete_cache_cluster(CacheClusterId="mc")["CacheCluster"]
    assert deleted["CacheClusterStatus"] == "deleting"
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_security_group(GroupId=group)
    cache.delete_cache_subnet_group(CacheSubnetGroupName="cache")
    assert cache.describe_cache_clusters()["CacheClusters"] == []
