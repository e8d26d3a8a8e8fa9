"""EC2 operations on internet gateways and egress-only internet gateways, and their presenters."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import internet_gateways
from vpclab.control.lookup import select
from vpclab.model.gateways import EgressOnlyInternetGateway, InternetGateway

IGW_ATTACHED = "available"  # what an attached IGW reports (IGW-3)
EIGW_ATTACHED = "attached"  # AMB-10


def _igw_attachments(igw: InternetGateway) -> list[dict[str, str]]:
    """The attachment list: one entry while attached, empty otherwise (IGW-1, IGW-3)."""
    return [] if igw.vpc_id is None else [{"VpcId": igw.vpc_id, "State": IGW_ATTACHED}]


def present_internet_gateway(ctx: RequestContext, igw: InternetGateway) -> dict[str, Any]:
    """An internet gateway in the shape of EC2's InternetGateway."""
    return {
        "InternetGatewayId": igw.id,
        "OwnerId": ctx.account,
        "Attachments": _igw_attachments(igw),
        "Tags": tag_list(igw),
    }


def present_egress_only(eigw: EgressOnlyInternetGateway) -> dict[str, Any]:
    """An egress-only internet gateway in the shape of EC2's EgressOnlyInternetGateway."""
    return {
        "EgressOnlyInternetGatewayId": eigw.id,
        "Attachments": [{"VpcId": eigw.vpc_id, "State": EIGW_ATTACHED}],
        "Tags": tag_list(eigw),
    }


def internet_gateway_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeInternetGateways filters EC2 supports."""
    return {
        "internet-gateway-id": lambda g: g.id,
        "attachment.vpc-id": lambda g: [a["VpcId"] for a in _igw_attachments(g)],
        "attachment.state": lambda g: [a["State"] for a in _igw_attachments(g)],
        "owner-id": lambda g: ctx.account,
    }


# DescribeEgressOnlyInternetGateways documents tag filters only (tag:<key>, tag-key).
EGRESS_ONLY_FILTERS: dict[str, Any] = {}


@operation("CreateInternetGateway")
def create_internet_gateway(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateInternetGateway."""
    igw = internet_gateways.create_internet_gateway(
        ctx.tx, tags=spec_tags(params, "internet-gateway"), quotas=ctx.quotas_on
    )
    return {"InternetGateway": present_internet_gateway(ctx, igw)}


@operation("AttachInternetGateway")
def attach_internet_gateway(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AttachInternetGateway."""
    internet_gateways.attach_internet_gateway(ctx.tx, params["InternetGatewayId"], params["VpcId"])
    return {}


@operation("DetachInternetGateway")
def detach_internet_gateway(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DetachInternetGateway."""
    internet_gateways.detach_internet_gateway(ctx.tx, params["InternetGatewayId"], params["VpcId"])
    return {}


@operation("DeleteInternetGateway")
def delete_internet_gateway(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteInternetGateway."""
    internet_gateways.delete_internet_gateway(ctx.tx, params["InternetGatewayId"])
    return {}


@operation("DescribeInternetGateways")
def describe_internet_gateways(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeInternetGateways."""
    ids = params.get("InternetGatewayIds")
    return describe(
        select(ctx.tx, InternetGateway, ids),
        params,
        fields=internet_gateway_filters(ctx),
        present=lambda g: present_internet_gateway(ctx, g),
        list_key="InternetGateways",
        ids_given=bool(ids),
    )


@operation("CreateEgressOnlyInternetGateway")
def create_egress_only_internet_gateway(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """CreateEgressOnlyInternetGateway."""
    eigw = internet_gateways.create_egress_only_internet_gateway(
        ctx.tx,
        params["VpcId"],
        tags=spec_tags(params, "egress-only-internet-gateway"),
        client_token=params.get("ClientToken"),
    )
    out: dict[str, Any] = {"EgressOnlyInternetGateway": present_egress_only(eigw)}
    if params.get("ClientToken"):
        out["ClientToken"] = params["ClientToken"]
    return out


@operation("DeleteEgressOnlyInternetGateway")
def delete_egress_only_internet_gateway(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DeleteEgressOnlyInternetGateway."""
    internet_gateways.delete_egress_only_internet_gateway(
        ctx.tx, params["EgressOnlyInternetGatewayId"]
    )
    return {"ReturnCode": True}


@operation("DescribeEgressOnlyInternetGateways")
def describe_egress_only_internet_gateways(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DescribeEgressOnlyInternetGateways."""
    ids = params.get("EgressOnlyInternetGatewayIds")
    return describe(
        select(ctx.tx, EgressOnlyInternetGateway, ids),
        params,
        fields=EGRESS_ONLY_FILTERS,
        present=present_egress_only,
        list_key="EgressOnlyInternetGateways",
        ids_given=bool(ids),
        maximum=255,
    )
