"""Managed services placed in subnets: RDS and ElastiCache (spec section 9.4).

Their names are their ids (AWS identifies them by name); their states move on the clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register

# How long a deleted database or cache cluster stays visible as "deleting" after settling.
DELETING_GRACE = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSubnetGroup(Resource):
    """What RDS's and ElastiCache's subnet groups both are: named subnets of one VPC."""

    description: str
    vpc_id: str
    subnet_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedService(Resource):
    """What a DB instance and a cache cluster both are: an engine on a port, placed through a
    subnet group with security groups, created and deleted on the clock."""

    engine: str
    engine_version: str
    port: int
    subnet_group: str
    vpc_id: str
    groups: tuple[str, ...]
    created_at: float
    deleted_at: float | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class DbSubnetGroup(ServiceSubnetGroup):
    """An RDS DB subnet group: named subnets of one VPC covering at least two AZs (SVC-2)."""

    kind = "db-subnet-group"
    id_prefix = "rds-subgrp"
    resource_type = "subgrp"


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class DbInstance(PlacedService):
    """An RDS DB instance: one requester-managed ENI in a subnet of its subnet group (SVC-2)."""

    kind = "db-instance"
    id_prefix = "rds-db"
    resource_type = "db"
    instance_class: str
    master_username: str
    allocated_storage: int
    publicly_accessible: bool
    eni_id: str
    resource_id: str


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class CacheSubnetGroup(ServiceSubnetGroup):
    """An ElastiCache cache subnet group: subnets of one VPC where nodes are placed (SVC-1)."""

    kind = "cache-subnet-group"
    id_prefix = "cache-subgrp"
    resource_type = "subnetgroup"


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class CacheCluster(PlacedService):
    """An ElastiCache cluster: one requester-managed ENI per node, never public (SVC-1)."""

    kind = "cache-cluster"
    id_prefix = "cache-cluster"
    resource_type = "cluster"
    node_type: str
    node_enis: tuple[str, ...]


def service_status(created_at: float, deleted_at: float | None, now: float, settle: float) -> str:
    """creating -> available, then deleting -> deleted, as the clock passes `settle` seconds."""
    if deleted_at is not None:
        return "deleting" if now < deleted_at + settle + DELETING_GRACE else "deleted"
    return "creating" if now < created_at + settle else "available"


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class LambdaFunction(Resource):
    """A Lambda function (code hashed, never run); with a VPC config it uses shared Hyperplane
    ENIs, one per (subnet, security-group set) of the account (LAM-1)."""

    kind = "lambda-function"
    id_prefix = "lambda-fn"
    resource_type = "function"
    runtime: str | None
    handler: str | None
    role: str
    package_type: str
    code_sha256: str
    code_size: int
    description: str
    memory_size: int
    timeout: int
    subnet_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    vpc_id: str
    revision_id: str
    created_at: float
    updated_at: float


def function_state(fn: LambdaFunction, now: float, settle: float) -> tuple[str, str]:
    """(State, LastUpdateStatus) now: Pending then Active; InProgress then Successful."""
    state = "Pending" if now < fn.created_at + settle else "Active"
    update = "InProgress" if now < fn.updated_at + settle else "Successful"
    return state, update
