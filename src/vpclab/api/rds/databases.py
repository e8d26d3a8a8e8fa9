"""RDS operations on DB subnet groups and DB instances placed in a VPC (spec SVC-2)."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import timestamp
from vpclab.api.context import RequestContext
from vpclab.api.registry import operation
from vpclab.control import rds
from vpclab.model.errors import DomainError
from vpclab.model.services import DbInstance, DbSubnetGroup
from vpclab.model.vpc import Subnet

# Route 53 hosted zone of RDS endpoints in us-east-1 (what AWS returns as Endpoint.HostedZoneId).
RDS_HOSTED_ZONE = "Z2R2ITUGPM61AM"


def rds_arn(ctx: RequestContext, resource_type: str, name: str) -> str:
    """The ARN of an RDS resource of the caller's account and region."""
    return f"arn:aws:rds:{ctx.region}:{ctx.account}:{resource_type}:{name}"


def rds_tags(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The Tags of an RDS create request as model tags."""
    return tuple((t["Key"], t.get("Value", "")) for t in params.get("Tags") or [])


def present_subnet_group(ctx: RequestContext, group: DbSubnetGroup) -> dict[str, Any]:
    """A DB subnet group in the shape of RDS's DBSubnetGroup."""
    subnets = []
    for subnet_id in group.subnet_ids:
        subnet = ctx.tx.get(Subnet, subnet_id)
        zone = subnet.availability_zone if subnet else ""
        subnets.append(
            {
                "SubnetIdentifier": subnet_id,
                "SubnetAvailabilityZone": {"Name": zone},
                "SubnetStatus": "Active",
            }
        )
    return {
        "DBSubnetGroupName": group.id,
        "DBSubnetGroupDescription": group.description,
        "VpcId": group.vpc_id,
        "SubnetGroupStatus": "Complete",
        "Subnets": subnets,
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


def paginate(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    """RDS's Marker/MaxRecords paging (MaxRecords 20..100, default 100)."""
    size = params.get("MaxRecords") or 100
    if not 20 <= size <= 100:
        raise DomainError(
            "InvalidParameterValue", "Invalid value for MaxRecords. Must be between 20 and 100"
        )
    start = int(params.get("Marker") or 0)
    page = items[start : start + size]
    following = start + size
    return page, (str(following) if following < len(items) else None)


@operation("CreateDBSubnetGroup", service="rds")
def create_db_subnet_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateDBSubnetGroup (SVC-2)."""
    group = rds.create_db_subnet_group(
        ctx.tx,
        name=params["DBSubnetGroupName"],
        description=params["DBSubnetGroupDescription"],
        subnet_ids=params["SubnetIds"],
        tags=rds_tags(params),
    )
    return {"DBSubnetGroup": present_subnet_group(ctx, group)}


@operation("DescribeDBSubnetGroups", service="rds")
def describe_db_subnet_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeDBSubnetGroups, all or one by name."""
    name = params.get("DBSubnetGroupName")
    groups = (
        [rds.require_subnet_group(ctx.tx, name)]
        if name
        else sorted(ctx.tx.all(DbSubnetGroup), key=lambda g: g.id)
    )
    page, marker = paginate(groups, params)
    out: dict[str, Any] = {"DBSubnetGroups": [present_subnet_group(ctx, g) for g in page]}
    if marker:
        out["Marker"] = marker
    return out


@operation("DeleteDBSubnetGroup", service="rds")
def delete_db_subnet_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteDBSubnetGroup (refused while an instance uses it)."""
    rds.delete_db_subnet_group(ctx.tx, params["DBSubnetGroupName"])
    return {}


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
    found = (
        [rds.require_instance(ctx.tx, identifier)]
        if identifier
        else sorted(rds.visible_instances(ctx.tx), key=lambda d: d.id)
    )
    page, marker = paginate(found, params)
    out: dict[str, Any] = {"DBInstances": [present_instance(ctx, d) for d in page]}
    if marker:
        out["Marker"] = marker
    return out


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
