"""EC2 operations on NAT gateways: handlers and the presenter of the NatGateway shape (spec 5.1)."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import nat_gateways
from vpclab.model.errors import DomainError
from vpclab.model.gateways import NatGateway

# How the gateway's address reports itself in each gateway state (NatGatewayAddressStatus).
_ADDRESS_STATUS = {
    "pending": "associating",
    "available": "succeeded",
    "failed": "failed",
    "deleting": "disassociating",
    "deleted": "succeeded",
}


def present_address(nat: NatGateway, state: str) -> dict[str, Any]:
    """The gateway's one address, as a NatGatewayAddress."""
    out: dict[str, Any] = {"IsPrimary": True, "Status": _ADDRESS_STATUS[state]}
    if nat.connectivity_type == "private" and state == "pending":
        out["Status"] = "assigning"
    if nat.allocation_id is not None:
        out["AllocationId"] = nat.allocation_id
    if nat.public_ip is not None and state != "failed":
        out["PublicIp"] = nat.public_ip
    if nat.network_interface_id is not None:
        out["NetworkInterfaceId"] = nat.network_interface_id
    if nat.private_ip is not None:
        out["PrivateIp"] = nat.private_ip
    if nat.association_id is not None and state in ("pending", "available", "deleting"):
        out["AssociationId"] = nat.association_id
    if state == "failed" and nat.failure_message is not None:
        out["FailureMessage"] = nat.failure_message
    return out


def present_nat_gateway(ctx: RequestContext, nat: NatGateway) -> dict[str, Any]:
    """A NAT gateway in the shape of EC2's NatGateway, its state derived now (NAT-3)."""
    state = nat_gateways.state_of(ctx.tx, nat)
    out: dict[str, Any] = {
        "NatGatewayId": nat.id,
        "SubnetId": nat.subnet_id,
        "VpcId": nat.vpc_id,
        "State": state,
        "ConnectivityType": nat.connectivity_type,
        "CreateTime": timestamp(nat.created_at),
        "NatGatewayAddresses": [present_address(nat, state)],
        "Tags": tag_list(nat),
    }
    if nat.deleted_at is not None:
        out["DeleteTime"] = timestamp(nat.deleted_at)
    if state == "failed":
        out["FailureCode"] = nat.failure_code
        out["FailureMessage"] = nat.failure_message
    return out


def nat_gateway_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeNatGateways filters EC2 supports."""
    return {
        "nat-gateway-id": lambda n: n.id,
        "state": lambda n: nat_gateways.state_of(ctx.tx, n),
        "subnet-id": lambda n: n.subnet_id,
        "vpc-id": lambda n: n.vpc_id,
    }


@operation("CreateNatGateway")
def create_nat_gateway(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateNatGateway (NAT-1..NAT-4, NAT-15, NAT-20, AMB-27)."""
    if params.get("AvailabilityMode") == "regional" or params.get("VpcId"):
        raise DomainError(
            "InvalidParameterValue", "vpclab emulates zonal NAT gateways only (give SubnetId)"
        )
    if any(params.get(k) for k in ("SecondaryAllocationIds", "SecondaryPrivateIpAddresses")) or (
        params.get("SecondaryPrivateIpAddressCount")
    ):
        raise DomainError(
            "InvalidParameterValue", "vpclab emulates NAT gateways with one (primary) address only"
        )
    subnet_id = params.get("SubnetId")
    if not subnet_id:
        raise DomainError("MissingParameter", "The request must contain the parameter SubnetId")
    nat = nat_gateways.create_nat_gateway(
        ctx.tx,
        subnet_id=subnet_id,
        connectivity_type=params.get("ConnectivityType"),
        allocation_id=params.get("AllocationId"),
        private_ip=params.get("PrivateIpAddress"),
        client_token=params.get("ClientToken"),
        tags=spec_tags(params, "natgateway"),
    )
    result: dict[str, Any] = {"NatGateway": present_nat_gateway(ctx, nat)}
    if nat.client_token:
        result["ClientToken"] = nat.client_token
    return result


@operation("DeleteNatGateway")
def delete_nat_gateway(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNatGateway (NAT-5)."""
    nat = nat_gateways.delete_nat_gateway(ctx.tx, params["NatGatewayId"])
    return {"NatGatewayId": nat.id}


@operation("DescribeNatGateways")
def describe_nat_gateways(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNatGateways: failed and deleted gateways vanish after about an hour (NAT-3)."""
    ids = params.get("NatGatewayIds")
    if ids:
        chosen = [nat_gateways.require_visible(ctx.tx, i) for i in sorted(set(ids))]
    else:
        chosen = nat_gateways.visible(ctx.tx)
    return describe(
        chosen,
        {**params, "Filters": params.get("Filter")},
        fields=nat_gateway_filters(ctx),
        present=lambda n: present_nat_gateway(ctx, n),
        list_key="NatGateways",
    )
