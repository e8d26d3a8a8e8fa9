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


def address_status(nat: NatGateway, state: str) -> str:
    """How the gateway's addresses report themselves in this gateway state."""
    if nat.connectivity_type == "private" and state == "pending":
        return "assigning"
    return _ADDRESS_STATUS[state]


def present_address(nat: NatGateway, state: str) -> dict[str, Any]:
    """The gateway's primary address, as a NatGatewayAddress."""
    out: dict[str, Any] = {"IsPrimary": True, "Status": address_status(nat, state)}
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


def present_secondary(
    nat: NatGateway, address: nat_gateways.SecondaryAddress, status: str = "succeeded"
) -> dict[str, Any]:
    """One secondary address of a gateway, as a NatGatewayAddress (NAT-10)."""
    out: dict[str, Any] = {"IsPrimary": False, "Status": status, "PrivateIp": address.private_ip}
    if nat.network_interface_id is not None:
        out["NetworkInterfaceId"] = nat.network_interface_id
    eip = address.eip
    if eip is not None:
        out["AllocationId"] = eip.id
        out["PublicIp"] = eip.public_ip
        if eip.association_id is not None:
            out["AssociationId"] = eip.association_id
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
        "NatGatewayAddresses": [
            present_address(nat, state),
            *(
                present_secondary(nat, address, address_status(nat, state))
                for address in nat_gateways.secondary_addresses(ctx.tx, nat)
            ),
        ],
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
    _add_secondaries_on_create(ctx, nat, params)
    result: dict[str, Any] = {"NatGateway": present_nat_gateway(ctx, nat)}
    if nat.client_token:
        result["ClientToken"] = nat.client_token
    return result


def _add_secondaries_on_create(
    ctx: RequestContext, nat: NatGateway, params: dict[str, Any]
) -> None:
    """CreateNatGateway's SecondaryAllocationIds (public) or SecondaryPrivateIpAddresses /
    SecondaryPrivateIpAddressCount (private): the same checks as adding them later (NAT-10).
    A gateway that will end failed gets none (it has no ENI)."""
    allocation_ids = params.get("SecondaryAllocationIds") or []
    private_ips = params.get("SecondaryPrivateIpAddresses") or []
    count = params.get("SecondaryPrivateIpAddressCount")
    if not (allocation_ids or private_ips or count is not None):
        return
    if nat.failure_code is not None:
        return
    if nat.connectivity_type == "public":
        if count is not None:
            raise DomainError(
                "InvalidParameterCombination",
                "SecondaryPrivateIpAddressCount cannot be specified for a public NAT gateway",
            )
        nat_gateways.associate_addresses(
            ctx.tx, nat.id, allocation_ids, private_ips, quotas=_aws_quotas(ctx), creating=True
        )
        return
    if allocation_ids:
        raise DomainError(
            "InvalidParameterCombination",
            "SecondaryAllocationIds cannot be specified for a private NAT gateway",
        )
    nat_gateways.assign_private_addresses(ctx.tx, nat.id, private_ips, count, creating=True)


def _aws_quotas(ctx: RequestContext) -> bool:
    """Whether `--quotas aws` is on (the 2-EIPs-per-gateway default quota applies)."""
    return ctx.settings.quotas == "aws"


def _addresses_result(nat_id: str, addresses: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer of the four secondary-address operations: the gateway and what changed."""
    return {"NatGatewayId": nat_id, "NatGatewayAddresses": addresses}


@operation("AssociateNatGatewayAddress")
def associate_nat_gateway_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AssociateNatGatewayAddress: secondary EIPs on a public NAT gateway (NAT-10)."""
    nat_id = params["NatGatewayId"]
    added = nat_gateways.associate_addresses(
        ctx.tx,
        nat_id,
        params["AllocationIds"],
        params.get("PrivateIpAddresses") or [],
        quotas=_aws_quotas(ctx),
    )
    nat = nat_gateways.require_visible(ctx.tx, nat_id)
    return _addresses_result(nat.id, [present_secondary(nat, a, "associating") for a in added])


@operation("DisassociateNatGatewayAddress")
def disassociate_nat_gateway_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DisassociateNatGatewayAddress: secondary EIPs leave (released at once, no draining)."""
    nat_id = params["NatGatewayId"]
    nat = nat_gateways.require_visible(ctx.tx, nat_id)
    gone = nat_gateways.disassociate_addresses(ctx.tx, nat_id, params["AssociationIds"])
    return _addresses_result(nat.id, [present_secondary(nat, a, "disassociating") for a in gone])


@operation("AssignPrivateNatGatewayAddress")
def assign_private_nat_gateway_address(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """AssignPrivateNatGatewayAddress: secondary private IPs on a private NAT gateway (NAT-10)."""
    nat_id = params["NatGatewayId"]
    added = nat_gateways.assign_private_addresses(
        ctx.tx, nat_id, params.get("PrivateIpAddresses") or [], params.get("PrivateIpAddressCount")
    )
    nat = nat_gateways.require_visible(ctx.tx, nat_id)
    return _addresses_result(
        nat.id,
        [
            present_secondary(nat, nat_gateways.SecondaryAddress(ip, None), "assigning")
            for ip in added
        ],
    )


@operation("UnassignPrivateNatGatewayAddress")
def unassign_private_nat_gateway_address(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """UnassignPrivateNatGatewayAddress: secondary private IPs leave (at once, no draining)."""
    nat_id = params["NatGatewayId"]
    nat = nat_gateways.require_visible(ctx.tx, nat_id)
    gone = nat_gateways.unassign_private_addresses(ctx.tx, nat_id, params["PrivateIpAddresses"])
    return _addresses_result(
        nat.id,
        [
            present_secondary(nat, nat_gateways.SecondaryAddress(ip, None), "unassigning")
            for ip in gone
        ],
    )


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
