"""EC2 operations on VPC peering connections: handlers and the VpcPeeringConnection presenter."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import peering
from vpclab.control.peering import PeeringNow
from vpclab.model.peering import PeeringSide, VpcPeeringConnection


def present_options(side: PeeringSide) -> dict[str, Any]:
    """One side's PeeringOptions (ClassicLink is retired: always false)."""
    return {
        "AllowDnsResolutionFromRemoteVpc": side.allow_dns_resolution_from_remote_vpc,
        "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
        "AllowEgressFromLocalVpcToRemoteClassicLink": False,
    }


def present_side(
    ctx: RequestContext, side: PeeringSide, *, blocks: bool, options: bool
) -> dict[str, Any]:
    """RequesterVpcInfo / AccepterVpcInfo: owner, region, VPC, and its blocks once they are known."""
    out: dict[str, Any] = {"OwnerId": side.owner_id, "Region": side.region, "VpcId": side.vpc_id}
    if blocks:
        v4, v6 = peering.side_blocks(ctx.tx, side)
        if v4:
            out["CidrBlock"] = v4[0]
            out["CidrBlockSet"] = [{"CidrBlock": c} for c in v4]
        if v6:
            out["Ipv6CidrBlockSet"] = [{"Ipv6CidrBlock": c} for c in v6]
    if options:
        out["PeeringOptions"] = present_options(side)
    return out


def present_peering(ctx: RequestContext, state: PeeringNow) -> dict[str, Any]:
    """A connection in the shape of EC2's VpcPeeringConnection, as the caller's side sees it."""
    pcx = state.pcx
    connected = state.status in peering.CONNECTED
    out: dict[str, Any] = {
        "VpcPeeringConnectionId": pcx.id,
        "RequesterVpcInfo": present_side(ctx, pcx.requester, blocks=True, options=connected),
        "AccepterVpcInfo": present_side(ctx, pcx.accepter, blocks=connected, options=connected),
        "Status": {"Code": state.status, "Message": state.message},
        "Tags": tag_list(pcx),
    }
    if state.status in ("initiating-request", "pending-acceptance"):
        out["ExpirationTime"] = timestamp(pcx.expiration_time)
    return out


def _expiration(state: PeeringNow) -> str | None:
    """ExpirationTime as a filter compares it (ISO-8601, as shown), only while it applies."""
    if state.status != "pending-acceptance":
        return None
    return timestamp(state.pcx.expiration_time).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _filterable_blocks(ctx: RequestContext, state: PeeringNow, role: str) -> list[str]:
    """One side's IPv4 blocks as a filter sees them: the accepter's only once they are shown."""
    if role == "accepter" and state.status not in peering.CONNECTED:
        return []
    return list(peering.side_blocks(ctx.tx, getattr(state.pcx, role))[0])


def peering_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeVpcPeeringConnections filters EC2 supports."""
    fields: dict[str, Any] = {
        "vpc-peering-connection-id": lambda s: s.id,
        "status-code": lambda s: s.status,
        "status-message": lambda s: s.message,
        "expiration-time": _expiration,
    }
    for prefix, role in (("requester-vpc-info", "requester"), ("accepter-vpc-info", "accepter")):
        fields[f"{prefix}.cidr-block"] = lambda s, r=role: _filterable_blocks(ctx, s, r)
        fields[f"{prefix}.owner-id"] = lambda s, r=role: getattr(s.pcx, r).owner_id
        fields[f"{prefix}.vpc-id"] = lambda s, r=role: getattr(s.pcx, r).vpc_id
    return fields


def _answer(
    ctx: RequestContext, pcx: VpcPeeringConnection, status: str, message: str
) -> dict[str, Any]:
    """The VpcPeeringConnection of a Create/Accept answer, showing the transitional status (AMB-1)."""
    shown = present_peering(ctx, PeeringNow(pcx, status, message, pcx.changed_at))
    if status == "provisioning":
        shown["AccepterVpcInfo"] = present_side(ctx, pcx.accepter, blocks=True, options=True)
    return {"VpcPeeringConnection": shown}


@operation("CreateVpcPeeringConnection")
def create_vpc_peering_connection(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateVpcPeeringConnection: answers initiating-request; Describe then shows the outcome."""
    pcx = peering.create(
        ctx.tx,
        vpc_id=params["VpcId"],
        peer_vpc_id=params.get("PeerVpcId"),
        peer_owner_id=params.get("PeerOwnerId"),
        peer_region=params.get("PeerRegion"),
        tags=spec_tags(params, "vpc-peering-connection"),
        quotas=ctx.quotas_on,
    )
    return _answer(ctx, pcx, "initiating-request", f"Initiating Request to {pcx.accepter.owner_id}")


@operation("AcceptVpcPeeringConnection")
def accept_vpc_peering_connection(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AcceptVpcPeeringConnection: answers provisioning; Describe then shows active."""
    pcx = peering.accept(ctx.tx, params["VpcPeeringConnectionId"], quotas=ctx.quotas_on)
    if pcx.status == "failed":
        return _answer(ctx, pcx, pcx.status, pcx.status_message)
    return _answer(ctx, pcx, "provisioning", "Provisioning")


@operation("RejectVpcPeeringConnection")
def reject_vpc_peering_connection(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """RejectVpcPeeringConnection (PCX-7)."""
    peering.reject(ctx.tx, params["VpcPeeringConnectionId"])
    return {"Return": True}


@operation("DeleteVpcPeeringConnection")
def delete_vpc_peering_connection(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteVpcPeeringConnection (PCX-7)."""
    peering.delete(ctx.tx, params["VpcPeeringConnectionId"])
    return {"Return": True}


@operation("DescribeVpcPeeringConnections")
def describe_vpc_peering_connections(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeVpcPeeringConnections: what the caller's side sees now (PCX-3)."""
    ids = params.get("VpcPeeringConnectionIds")
    return describe(
        peering.select_visible(ctx.tx, ids),
        params,
        fields=peering_filters(ctx),
        present=lambda s: present_peering(ctx, s),
        list_key="VpcPeeringConnections",
        ids_given=bool(ids),
    )


def _dns_wish(params: dict[str, Any], name: str) -> bool | None:
    """The AllowDnsResolutionFromRemoteVpc asked for in one side's options, if any."""
    options = params.get(name) or {}
    value = options.get("AllowDnsResolutionFromRemoteVpc")
    return None if value is None else bool(value)


@operation("ModifyVpcPeeringConnectionOptions")
def modify_vpc_peering_connection_options(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """ModifyVpcPeeringConnectionOptions (PCX-15)."""
    requester = _dns_wish(params, "RequesterPeeringConnectionOptions")
    accepter = _dns_wish(params, "AccepterPeeringConnectionOptions")
    pcx = peering.modify_options(ctx.tx, params["VpcPeeringConnectionId"], requester, accepter)
    result: dict[str, Any] = {}
    if requester is not None:
        result["RequesterPeeringConnectionOptions"] = present_options(pcx.requester)
    if accepter is not None:
        result["AccepterPeeringConnectionOptions"] = present_options(pcx.accepter)
    return result
