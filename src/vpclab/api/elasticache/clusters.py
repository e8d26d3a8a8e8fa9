"""ElastiCache operations on cache subnet groups and node-based clusters (spec SVC-1)."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import timestamp
from vpclab.api.context import RequestContext
from vpclab.api.rds.shared import SubnetGroups, listing, rds_tags, subnet_entries
from vpclab.api.registry import operation
from vpclab.control import elasticache
from vpclab.model.interface import NetworkInterface
from vpclab.model.services import CacheCluster, CacheSubnetGroup


def cache_arn(ctx: RequestContext, resource_type: str, name: str) -> str:
    """The ARN of an ElastiCache resource of the caller's account and region."""
    return f"arn:aws:elasticache:{ctx.region}:{ctx.account}:{resource_type}:{name}"


def present_subnet_group(ctx: RequestContext, group: CacheSubnetGroup) -> dict[str, Any]:
    """A cache subnet group in the shape of ElastiCache's CacheSubnetGroup."""
    return {
        "CacheSubnetGroupName": group.id,
        "CacheSubnetGroupDescription": group.description,
        "VpcId": group.vpc_id,
        "Subnets": subnet_entries(ctx, group, SupportedNetworkTypes=["ipv4"]),
        "ARN": cache_arn(ctx, "subnetgroup", group.id),
        "SupportedNetworkTypes": ["ipv4"],
    }


def present_nodes(ctx: RequestContext, cluster: CacheCluster, status: str) -> list[dict[str, Any]]:
    """The cluster's CacheNodes with their endpoints (private addresses only, SVC-1)."""
    nodes = []
    for index, eni_id in enumerate(cluster.node_enis):
        eni = ctx.tx.get(NetworkInterface, eni_id)
        node: dict[str, Any] = {
            "CacheNodeId": f"{index + 1:04d}",
            "CacheNodeStatus": status,
            "CacheNodeCreateTime": timestamp(cluster.created_at),
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": eni.availability_zone if eni else "",
        }
        if eni is not None and status == "available":
            node["Endpoint"] = {
                "Address": elasticache.node_address(ctx.tx, cluster, index),
                "Port": cluster.port,
            }
        nodes.append(node)
    return nodes


def present_cluster(
    ctx: RequestContext, cluster: CacheCluster, *, show_nodes: bool, status: str | None = None
) -> dict[str, Any]:
    """A cluster in the shape of ElastiCache's CacheCluster."""
    current = status or elasticache.status_of(ctx.tx, cluster)
    out: dict[str, Any] = {
        "CacheClusterId": cluster.id,
        "CacheNodeType": cluster.node_type,
        "Engine": cluster.engine,
        "EngineVersion": cluster.engine_version,
        "CacheClusterStatus": current,
        "NumCacheNodes": len(cluster.node_enis),
        "CacheClusterCreateTime": timestamp(cluster.created_at),
        "CacheSubnetGroupName": cluster.subnet_group,
        "SecurityGroups": [{"SecurityGroupId": g, "Status": "active"} for g in cluster.groups],
        "ARN": cache_arn(ctx, "cluster", cluster.id),
        "NetworkType": "ipv4",
        "IpDiscovery": "ipv4",
    }
    first = ctx.tx.get(NetworkInterface, cluster.node_enis[0]) if cluster.node_enis else None
    if first is not None:
        out["PreferredAvailabilityZone"] = first.availability_zone
    if show_nodes:
        out["CacheNodes"] = present_nodes(ctx, cluster, current)
    return out


CACHE_SUBNET_GROUPS = SubnetGroups(
    prefix="Cache",
    create=elasticache.create_cache_subnet_group,
    require=elasticache.require_subnet_group,
    all=lambda view: view.all(CacheSubnetGroup),
    delete=elasticache.delete_cache_subnet_group,
    present=present_subnet_group,
)


@operation("CreateCacheSubnetGroup", service="elasticache")
def create_cache_subnet_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateCacheSubnetGroup (SVC-1: subnets of one VPC)."""
    return CACHE_SUBNET_GROUPS.create_from(ctx, params)


@operation("DescribeCacheSubnetGroups", service="elasticache")
def describe_cache_subnet_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeCacheSubnetGroups, all or one by name."""
    return CACHE_SUBNET_GROUPS.describe(ctx, params)


@operation("DeleteCacheSubnetGroup", service="elasticache")
def delete_cache_subnet_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteCacheSubnetGroup (refused while a cluster uses it)."""
    return CACHE_SUBNET_GROUPS.delete_from(ctx, params)


@operation("CreateCacheCluster", service="elasticache")
def create_cache_cluster(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateCacheCluster: nodes placed in the subnet group, private only (SVC-1)."""
    request = elasticache.ClusterRequest(
        cluster_id=params["CacheClusterId"],
        engine=params.get("Engine") or "memcached",
        node_type=params.get("CacheNodeType") or "cache.t3.micro",
        num_nodes=params.get("NumCacheNodes") or 1,
        subnet_group=params.get("CacheSubnetGroupName"),
        group_ids=tuple(params.get("SecurityGroupIds") or ()),
        port=params.get("Port"),
        engine_version=params.get("EngineVersion"),
        tags=rds_tags(params),
    )
    cluster = elasticache.create_cache_cluster(ctx.tx, request)
    return {"CacheCluster": present_cluster(ctx, cluster, show_nodes=False)}


@operation("DescribeCacheClusters", service="elasticache")
def describe_cache_clusters(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeCacheClusters; ShowCacheNodeInfo adds the nodes and their endpoints."""
    cluster_id = params.get("CacheClusterId")
    show = bool(params.get("ShowCacheNodeInfo"))
    return listing(
        params,
        "CacheClusters",
        elasticache.require_cluster(ctx.tx, cluster_id) if cluster_id else None,
        lambda: elasticache.visible_clusters(ctx.tx),
        lambda cluster: present_cluster(ctx, cluster, show_nodes=show),
    )


@operation("DeleteCacheCluster", service="elasticache")
def delete_cache_cluster(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteCacheCluster: deleting, then gone."""
    cluster = elasticache.delete_cache_cluster(ctx.tx, params["CacheClusterId"])
    return {"CacheCluster": present_cluster(ctx, cluster, show_nodes=False, status="deleting")}
