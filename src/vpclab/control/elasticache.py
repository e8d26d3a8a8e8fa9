"""ElastiCache cache subnet groups and node-based clusters in a VPC (spec SVC-1): every node is
a requester-managed ENI with a private address, never a public one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vpclab.control import rds
from vpclab.control.store import Tx
from vpclab.model.base import Tags
from vpclab.model.errors import DomainError
from vpclab.model.services import CacheCluster, CacheSubnetGroup
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

DEFAULT_PORTS = {"redis": 6379, "valkey": 6379, "memcached": 11211}
DEFAULT_VERSIONS = {"redis": "7.1", "valkey": "8.0", "memcached": "1.6.22"}
DEFAULT_GROUP = "default"
MAX_NODES = 40


_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def region_code(region: str) -> str:
    """ElastiCache's short region label in endpoints: us-east-1 -> use1, ap-southeast-2 -> apse2."""
    parts = region.split("-")
    middle = "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1])
    return parts[0] + middle + parts[-1]


# -- cache subnet groups ---------------------------------------------------------------------------
def require_subnet_group(view: View, name: str) -> CacheSubnetGroup:
    """The cache subnet group of that name, or ElastiCache's not-found fault."""
    group = view.get(CacheSubnetGroup, name.lower())
    if group is None:
        raise DomainError("CacheSubnetGroupNotFoundFault", f"Cache subnet group {name} not found.")
    return group


def create_cache_subnet_group(
    tx: Tx, *, name: str, description: str, subnet_ids: Sequence[str], tags: Tags = ()
) -> CacheSubnetGroup:
    """CreateCacheSubnetGroup: existing subnets of one VPC (SVC-1)."""
    group, _ = rds.new_subnet_group(
        tx,
        CacheSubnetGroup,
        name=name,
        description=description,
        subnet_ids=subnet_ids,
        tags=tags,
        name_taken=DomainError(
            "CacheSubnetGroupAlreadyExists", f"Cache subnet group {name} already exists."
        ),
        mixed_message="Some of the subnets to be added are not in the same VPC.",
    )
    tx.put(group)
    return group


def _default_subnet_group(tx: Tx) -> CacheSubnetGroup:
    """The `default` group AWS uses when none is named: the default VPC's subnets."""
    existing = tx.get(CacheSubnetGroup, DEFAULT_GROUP)
    if existing is not None:
        return existing
    vpc = next((v for v in tx.iter(Vpc) if v.is_default), None)
    if vpc is None:
        raise DomainError(
            "InvalidParameterValue",
            "No default VPC exists; specify a CacheSubnetGroupName for the cluster.",
        )
    subnet_ids = sorted(s.id for s in tx.iter(Subnet) if s.vpc_id == vpc.id)
    return create_cache_subnet_group(
        tx, name=DEFAULT_GROUP, description="default", subnet_ids=subnet_ids
    )


def delete_cache_subnet_group(tx: Tx, name: str) -> None:
    """DeleteCacheSubnetGroup: refused while a cluster uses the group."""
    rds.delete_unused_subnet_group(
        tx,
        require_subnet_group(tx, name),
        CacheCluster,
        lambda _: DomainError(
            "CacheSubnetGroupInUse",
            f"Cache subnet group {name} is currently in use by a cache cluster.",
        ),
    )


# -- cache clusters --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterRequest:
    """What CreateCacheCluster asks for, in model terms."""

    cluster_id: str
    engine: str
    node_type: str
    num_nodes: int = 1
    subnet_group: str | None = None
    group_ids: tuple[str, ...] = ()
    port: int | None = None
    engine_version: str | None = None
    tags: Tags = ()


def status_of(view: View, cluster: CacheCluster) -> str:
    """CacheClusterStatus now (creating -> available, deleting), as RDS derives it."""
    return rds.status_of(view, cluster)


def visible_clusters(view: View) -> list[CacheCluster]:
    """The clusters Describe lists: deleted ones are gone."""
    return rds.live_services(view, CacheCluster)


def require_cluster(view: View, cluster_id: str) -> CacheCluster:
    """The cluster of that id, or CacheClusterNotFound."""
    cluster = rds.find_live_service(view, CacheCluster, cluster_id)
    if cluster is None:
        raise DomainError("CacheClusterNotFound", f"CacheCluster not found: {cluster_id}")
    return cluster


def _check_request(request: ClusterRequest) -> None:
    """Id, engine and node-count rules of CreateCacheCluster."""
    rds.check_identifier(request.cluster_id, max_length=50, parameter="CacheClusterIdentifier")
    if request.engine not in DEFAULT_PORTS:
        raise DomainError("InvalidParameterValue", f"Invalid engine: {request.engine}")
    if request.engine != "memcached" and request.num_nodes != 1:
        raise DomainError(
            "InvalidParameterValue",
            "Cannot create a Redis cluster with a NumCacheNodes parameter greater than 1.",
        )
    if not 1 <= request.num_nodes <= MAX_NODES:
        raise DomainError(
            "InvalidParameterValue",
            f"The number of cache nodes must be between 1 and {MAX_NODES}.",
        )


def create_cache_cluster(tx: Tx, request: ClusterRequest) -> CacheCluster:
    """CreateCacheCluster: one private, requester-managed ENI per node across the group (SVC-1)."""
    _check_request(request)
    key = request.cluster_id.lower()
    if rds.find_live_service(tx, CacheCluster, key) is not None:
        raise DomainError(
            "CacheClusterAlreadyExists", f"Cache cluster {request.cluster_id} already exists."
        )
    group = (
        require_subnet_group(tx, request.subnet_group)
        if request.subnet_group
        else _default_subnet_group(tx)
    )
    groups = rds.service_groups(tx, request.group_ids, group.vpc_id)
    subnets = [s for s in (tx.get(Subnet, i) for i in group.subnet_ids) if s is not None]
    enis = []
    for index in range(request.num_nodes):
        subnet = subnets[index % len(subnets)]
        eni = rds.place_service_eni(
            tx,
            subnet,
            groups,
            description=f"ElastiCache {key}-{index + 1:04d}",
            requester="amazon-elasticache",
        )
        enis.append(eni.id)
    cluster = CacheCluster(
        id=key,
        engine=request.engine,
        engine_version=request.engine_version or DEFAULT_VERSIONS[request.engine],
        node_type=request.node_type,
        port=request.port or DEFAULT_PORTS[request.engine],
        subnet_group=group.id,
        vpc_id=group.vpc_id,
        groups=groups,
        node_enis=tuple(enis),
        created_at=tx.now(),
        tags=request.tags,
    )
    tx.put(cluster)
    return cluster


def delete_cache_cluster(tx: Tx, cluster_id: str) -> CacheCluster:
    """DeleteCacheCluster: status deleting, node ENIs released; gone once the clock settles."""
    cluster = require_cluster(tx, cluster_id)
    already_deleting = DomainError(
        "InvalidCacheClusterState", f"Cache cluster {cluster_id} is not in available state."
    )
    return rds.mark_deleting(tx, cluster, cluster.node_enis, already_deleting)


def node_address(view: View, cluster: CacheCluster, index: int) -> str:
    """The DNS name of a node's endpoint (resolves to the node's private address)."""
    suffix = rds.endpoint_suffix(view.account, view.region)[:6]
    code = region_code(view.region)
    return f"{cluster.id}.{suffix}.{index + 1:04d}.{code}.cache.amazonaws.com"
