"""RDS operations on DB subnet groups and DB instances placed in a VPC (spec SVC-2)."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import timestamp
from vpclab.api.context import RequestContext
from vpclab.api.rds.shared import SubnetGroups, listing, rds_tags, subnet_entries
from vpclab.api.registry import operation
from vpclab.control import rds
from vpclab.model.errors import DomainError
from vpclab.model.services import DbInstance, DbSubnetGroup

# Route 53 hosted zone of RDS endpoints in us-east-1 (what AWS returns as Endpoint.HostedZoneId).
RDS_HOSTED_ZONE = "Z2R2ITUGPM61AM"


def rds_arn(ctx: RequestContext, resource_type: str, name: str) -> str:
    """The ARN of an RDS resource of the caller's account and region."""
    return f"arn:aws:rds:{ctx.region}:{ctx.account}:{resource_type}:{name}"


def present_subnet_group(ctx: RequestContext, group: DbSubnetGroup) -> dict[str, Any]:
    """A DB subnet group in the shape of RDS's DBSubnetGroup."""
    return {
        "DBSubnetGroupName": group.id,
        "DBSubnetGroupDescription": group.description,
        "VpcId": group.vpc_id,
        "SubnetGroupStatus": "Complete",
        "Subnets": subnet_entries(ctx, group, SubnetStatus="Active"),
        "DBSubnetGroupArn": rds_arn(ctx, "subgrp", group.id),
        "SupportedNetworkTypes": ["IPV4"],
    }


def present_instance(
    ctx: RequestContext, db: DbInstance, status: str | None = None
) -> dict[str, Any]:
    """A DB instance in the shape of RDS's DBInstance (`status` overrides the derived one)."""
    group = ctx.tx.get(DbSubnetGroup, db.subnet_group)
    return {
        "DBInstanceIdentifier": db.id,
        "DBInstanceClass": db.instance_class,
        "Engine": db.engine,
        "EngineVersion": db.engine_version,
        "DBInstanceStatus": status or rds.status_of(ctx.tx, db),
        "MasterUsername": db.master_username,
        "Endpoint": {
            "Address": rds.endpoint_address(ctx.tx, db),
            "Port": db.port,
            "HostedZoneId": RDS_HOSTED_ZONE,
        },
        "AllocatedStorage": db.allocated_storage,
        "InstanceCreateTime": timestamp(db.created_at),
        "VpcSecurityGroups": [{"VpcSecurityGroupId": g, "Status": "active"} for g in db.groups],
        "DBSubnetGroup": present_subnet_group(ctx, group) if group else {},
        "PubliclyAccessible": db.publicly_accessible,
        "DbInstancePort": 0,
        "DbiResourceId": db.resource_id,
        "DBInstanceArn": rds_arn(ctx, "db", db.id),
        "TagList": [{"Key": k, "Value": v} for k, v in db.tags],
    }


DB_SUBNET_GROUPS = SubnetGroups(
    prefix="DB",
    create=rds.create_db_subnet_group,
    require=rds.require_subnet_group,
    all=lambda view: view.all(DbSubnetGroup),
    delete=rds.delete_db_subnet_group,
    present=present_subnet_group,
)


@operation("CreateDBSubnetGroup", service="rds")
def create_db_subnet_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateDBSubnetGroup (SVC-2: subnets of one VPC in two AZs at least)."""
    return DB_SUBNET_GROUPS.create_from(ctx, params)


@operation("DescribeDBSubnetGroups", service="rds")
def describe_db_subnet_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeDBSubnetGroups, all or one by name."""
    return DB_SUBNET_GROUPS.describe(ctx, params)


@operation("DeleteDBSubnetGroup", service="rds")
def delete_db_subnet_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteDBSubnetGroup (refused while an instance uses it)."""
    return DB_SUBNET_GROUPS.delete_from(ctx, params)


@operation("CreateDBInstance", service="rds")
def create_db_instance(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateDBInstance in a DB subnet group (SVC-2)."""
    subnet_group = params.get("DBSubnetGroupName")
    if not subnet_group:
        raise DomainError(
            "InvalidParameterCombination",
            "vpclab places DB instances only through a DBSubnetGroupName.",
        )
    request = rds.DbRequest(
        identifier=params["DBInstanceIdentifier"],
        engine=params["Engine"],
        instance_class=params["DBInstanceClass"],
        subnet_group=subnet_group,
        master_username=params.get("MasterUsername") or "admin",
        allocated_storage=params.get("AllocatedStorage") or 20,
        port=params.get("Port"),
        group_ids=tuple(params.get("VpcSecurityGroupIds") or ()),
        publicly_accessible=bool(params.get("PubliclyAccessible", False)),
        engine_version=params.get("EngineVersion"),
        tags=rds_tags(params),
    )
    return {"DBInstance": present_instance(ctx, rds.create_db_instance(ctx.tx, request))}


@operation("DescribeDBInstances", service="rds")
def describe_db_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeDBInstances, all or one by identifier."""
    identifier = params.get("DBInstanceIdentifier")
    return listing(
        params,
        "DBInstances",
        rds.require_instance(ctx.tx, identifier) if identifier else None,
        lambda: rds.visible_instances(ctx.tx),
        lambda db: present_instance(ctx, db),
    )


@operation("ModifyDBInstance", service="rds")
def modify_db_instance(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyDBInstance: security groups, PubliclyAccessible, port (SVC-2)."""
    db = rds.modify_db_instance(
        ctx.tx,
        params["DBInstanceIdentifier"],
        group_ids=params.get("VpcSecurityGroupIds"),
        publicly_accessible=params.get("PubliclyAccessible"),
        port=params.get("DBPortNumber"),
    )
    return {"DBInstance": present_instance(ctx, db)}


@operation("DeleteDBInstance", service="rds")
def delete_db_instance(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteDBInstance: deleting, then gone."""
    db = rds.delete_db_instance(ctx.tx, params["DBInstanceIdentifier"])
    return {"DBInstance": present_instance(ctx, db, status="deleting")}
