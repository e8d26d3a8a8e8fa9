"""EC2 operations on route tables, routes and associations, and the RouteTable presenter."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import route_tables
from vpclab.control.lookup import select
from vpclab.model.route_state import route_state
from vpclab.model.route_table import TARGET_FIELDS, Route, RouteTable, RouteTableAssociation
from vpclab.model.state import View

ASSOCIATED = {"State": "associated"}


def present_route(ctx: RequestContext, view: View, route: Route) -> dict[str, Any]:
    """A route in the shape of EC2's Route, its state judged now (RT-11, RT-12, RT-14)."""
    out: dict[str, Any] = {}
    if route.destination is not None:
        out["DestinationCidrBlock"] = route.destination
    if route.destination_ipv6 is not None:
        out["DestinationIpv6CidrBlock"] = route.destination_ipv6
    if route.destination_prefix_list is not None:
        out["DestinationPrefixListId"] = route.destination_prefix_list
    out[TARGET_FIELDS[route.target.kind]] = route.target.id
    if route.target.kind == "instance":
        out["InstanceOwnerId"] = ctx.account
        if route.target_eni is not None:
            out["NetworkInterfaceId"] = route.target_eni
    out["Origin"] = route.origin
    out["State"] = route_state(view, route)
    return out


def present_association(table: RouteTable, assoc: RouteTableAssociation) -> dict[str, Any]:
    """An association in the shape of EC2's RouteTableAssociation (SUB-10, RT-19)."""
    out: dict[str, Any] = {
        "Main": assoc.main,
        "RouteTableAssociationId": assoc.id,
        "RouteTableId": table.id,
        "AssociationState": ASSOCIATED,
    }
    if assoc.subnet_id is not None:
        out["SubnetId"] = assoc.subnet_id
    if assoc.gateway_id is not None:
        out["GatewayId"] = assoc.gateway_id
    return out


def present_route_table(ctx: RequestContext, table: RouteTable) -> dict[str, Any]:
    """A route table in the shape of EC2's RouteTable."""
    return {
        "RouteTableId": table.id,
        "VpcId": table.vpc_id,
        "OwnerId": ctx.account,
        "Routes": [present_route(ctx, ctx.tx, r) for r in table.routes],
        "Associations": [present_association(table, a) for a in table.associations],
        "PropagatingVgws": [{"GatewayId": g} for g in table.propagating_vgws],
        "Tags": tag_list(table),
    }


def _route_targets(table: RouteTable, *kinds: str) -> list[str]:
    """Ids of the table's route targets of the given kinds (for route.* filters)."""
    return [r.target.id for r in table.routes if r.target.kind in kinds]


def route_table_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeRouteTables filters EC2 supports."""
    view = ctx.tx
    return {
        "route-table-id": lambda t: t.id,
        "vpc-id": lambda t: t.vpc_id,
        "owner-id": lambda t: ctx.account,
        "association.route-table-association-id": lambda t: [a.id for a in t.associations],
        "association.route-table-id": lambda t: [t.id for _ in t.associations],
        "association.subnet-id": lambda t: [a.subnet_id for a in t.associations if a.subnet_id],
        "association.gateway-id": lambda t: [a.gateway_id for a in t.associations if a.gateway_id],
        "association.main": lambda t: [a.main for a in t.associations],
        "route.destination-cidr-block": lambda t: [r.destination for r in t.routes],
        "route.destination-ipv6-cidr-block": lambda t: [r.destination_ipv6 for r in t.routes],
        "route.destination-prefix-list-id": lambda t: [r.destination_prefix_list for r in t.routes],
        "route.gateway-id": lambda t: _route_targets(t, "local", "gateway", "vgw", "endpoint"),
        "route.nat-gateway-id": lambda t: _route_targets(t, "nat"),
        "route.instance-id": lambda t: _route_targets(t, "instance"),
        "route.vpc-peering-connection-id": lambda t: _route_targets(t, "peering"),
        "route.egress-only-internet-gateway-id": lambda t: _route_targets(t, "egress-only"),
        "route.transit-gateway-id": lambda t: _route_targets(t, "transit"),
        "route.origin": lambda t: [r.origin for r in t.routes],
        "route.state": lambda t: [route_state(view, r) for r in t.routes],
    }


@operation("CreateRouteTable")
def create_route_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateRouteTable."""
    table = route_tables.create_route_table(
        ctx.tx,
        params["VpcId"],
        tags=spec_tags(params, "route-table"),
        quotas=ctx.quotas_on,
        client_token=params.get("ClientToken"),
    )
    out: dict[str, Any] = {"RouteTable": present_route_table(ctx, table)}
    if params.get("ClientToken"):
        out["ClientToken"] = params["ClientToken"]
    return out


@operation("DeleteRouteTable")
def delete_route_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteRouteTable."""
    route_tables.delete_route_table(ctx.tx, params["RouteTableId"])
    return {}


@operation("DescribeRouteTables")
def describe_route_tables(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeRouteTables."""
    ids = params.get("RouteTableIds")
    return describe(
        select(ctx.tx, RouteTable, ids),
        params,
        fields=route_table_filters(ctx),
        present=lambda t: present_route_table(ctx, t),
        list_key="RouteTables",
        ids_given=bool(ids),
        maximum=100,
    )


@operation("CreateRoute")
def create_route(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateRoute."""
    route_tables.create_route(ctx.tx, params["RouteTableId"], params)
    return {"Return": True}


@operation("ReplaceRoute")
def replace_route(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ReplaceRoute."""
    route_tables.replace_route(ctx.tx, params["RouteTableId"], params)
    return {}


@operation("DeleteRoute")
def delete_route(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteRoute."""
    route_tables.delete_route(ctx.tx, params["RouteTableId"], params)
    return {}


@operation("AssociateRouteTable")
def associate_route_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AssociateRouteTable (subnet or gateway edge association)."""
    assoc = route_tables.associate_route_table(
        ctx.tx,
        params["RouteTableId"],
        subnet_id=params.get("SubnetId"),
        gateway_id=params.get("GatewayId"),
    )
    return {"AssociationId": assoc.id, "AssociationState": ASSOCIATED}


@operation("DisassociateRouteTable")
def disassociate_route_table(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DisassociateRouteTable."""
    route_tables.disassociate_route_table(ctx.tx, params["AssociationId"])
    return {}


@operation("ReplaceRouteTableAssociation")
def replace_route_table_association(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ReplaceRouteTableAssociation (including the main association, RT-15)."""
    assoc = route_tables.replace_route_table_association(
        ctx.tx, params["AssociationId"], params["RouteTableId"]
    )
    return {"NewAssociationId": assoc.id, "AssociationState": ASSOCIATED}
