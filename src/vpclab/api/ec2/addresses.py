"""EC2 operations on Elastic IPs: handlers and the presenter of the Address shape (spec 9.2)."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe, paginate
from vpclab.api.registry import operation
from vpclab.control import addresses
from vpclab.control.lookup import require
from vpclab.model.errors import DomainError
from vpclab.model.gateways import Address
from vpclab.model.interface import NetworkInterface
from vpclab.model.state import View


def instance_id_of(view: View, eip: Address) -> str | None:
    """The instance whose ENI holds the EIP, shown as InstanceId."""
    eni = view.get(NetworkInterface, eip.network_interface_id or "")
    return addresses.instance_of(eni) if eni is not None else None


def present_address(ctx: RequestContext, eip: Address) -> dict[str, Any]:
    """An Elastic IP in the shape of EC2's Address."""
    out: dict[str, Any] = {
        "AllocationId": eip.id,
        "PublicIp": eip.public_ip,
        "Domain": "vpc",
        "PublicIpv4Pool": eip.public_ipv4_pool,
        "NetworkBorderGroup": eip.network_border_group or ctx.region,
        "Tags": tag_list(eip),
    }
    if eip.association_id is not None:
        eni = ctx.tx.get(NetworkInterface, eip.network_interface_id or "")
        out["AssociationId"] = eip.association_id
        out["NetworkInterfaceId"] = eip.network_interface_id
        out["NetworkInterfaceOwnerId"] = ctx.account
        out["PrivateIpAddress"] = eip.private_ip
        if eni is not None:
            out["SubnetId"] = eni.subnet_id
        instance_id = instance_id_of(ctx.tx, eip)
        if instance_id is not None:
            out["InstanceId"] = instance_id
    return {k: v for k, v in out.items() if v is not None}


def address_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeAddresses filters EC2 supports."""
    return {
        "allocation-id": lambda a: a.id,
        "association-id": lambda a: a.association_id,
        "domain": lambda a: "vpc",
        "instance-id": lambda a: instance_id_of(ctx.tx, a),
        "network-border-group": lambda a: a.network_border_group or ctx.region,
        "network-interface-id": lambda a: a.network_interface_id,
        "network-interface-owner-id": lambda a: ctx.account if a.association_id else None,
        "private-ip-address": lambda a: a.private_ip,
        "public-ip": lambda a: a.public_ip,
        "public-ipv4-pool": lambda a: a.public_ipv4_pool,
    }


@operation("AllocateAddress")
def allocate_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AllocateAddress (EIP-1)."""
    if params.get("CustomerOwnedIpv4Pool") or params.get("IpamPoolId"):
        raise DomainError(
            "InvalidParameterCombination",
            "vpclab allocates Elastic IPs from Amazon's pool only (no customer-owned or IPAM pools)",
        )
    eip = addresses.allocate_address(
        ctx.tx,
        domain=params.get("Domain"),
        address=params.get("Address"),
        pool=params.get("PublicIpv4Pool"),
        border_group=params.get("NetworkBorderGroup"),
        tags=spec_tags(params, "elastic-ip"),
        quotas=ctx.quotas_on,
    )
    return {
        "AllocationId": eip.id,
        "PublicIp": eip.public_ip,
        "Domain": "vpc",
        "PublicIpv4Pool": eip.public_ipv4_pool,
        "NetworkBorderGroup": eip.network_border_group,
    }


@operation("AssociateAddress")
def associate_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AssociateAddress (EIP-2, IGW-13, ENI-4)."""
    eip = addresses.associate_address(
        ctx.tx,
        allocation_id=params.get("AllocationId"),
        public_ip=params.get("PublicIp"),
        instance_id=params.get("InstanceId"),
        network_interface_id=params.get("NetworkInterfaceId"),
        private_ip=params.get("PrivateIpAddress"),
        allow_reassociation=params.get("AllowReassociation"),
    )
    return {"AssociationId": eip.association_id}


@operation("DisassociateAddress")
def disassociate_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DisassociateAddress (EIP-3)."""
    addresses.disassociate_address(ctx.tx, params.get("AssociationId"), params.get("PublicIp"))
    return {}


@operation("ReleaseAddress")
def release_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ReleaseAddress (EIP-3)."""
    border_group = params.get("NetworkBorderGroup")
    if border_group not in (None, ctx.region):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({border_group}) for parameter networkBorderGroup is invalid.",
        )
    addresses.release_address(ctx.tx, params.get("AllocationId"), params.get("PublicIp"))
    return {}


def _chosen(ctx: RequestContext, params: dict[str, Any]) -> list[Address]:
    """The addresses named by AllocationIds and PublicIps (all of them when neither is given)."""
    allocation_ids = params.get("AllocationIds") or []
    public_ips = params.get("PublicIps") or []
    if not allocation_ids and not public_ips:
        return ctx.tx.all(Address)
    chosen = {rid: require(ctx.tx, Address, rid) for rid in allocation_ids}
    for ip in public_ips:
        eip = addresses.by_public_ip(ctx.tx, ip)
        chosen[eip.id] = eip
    return [chosen[k] for k in sorted(chosen)]


@operation("DescribeAddresses")
def describe_addresses(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeAddresses (no pagination in EC2's API)."""
    return describe(
        _chosen(ctx, params),
        params,
        fields=address_filters(ctx),
        present=lambda a: present_address(ctx, a),
        list_key="Addresses",
    )


@operation("DescribeAddressesAttribute")
def describe_addresses_attribute(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeAddressesAttribute: vpclab keeps no reverse-DNS records, so PtrRecord is absent."""
    attribute = params.get("Attribute")
    if attribute not in (None, "domain-name"):
        raise DomainError(
            "InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid."
        )
    ids = params.get("AllocationIds") or []
    chosen = (
        [require(ctx.tx, Address, rid) for rid in sorted(set(ids))] if ids else ctx.tx.all(Address)
    )
    page, token = paginate(chosen, params, key=lambda a: a.id, minimum=1)
    result: dict[str, Any] = {
        "Addresses": [{"AllocationId": a.id, "PublicIp": a.public_ip} for a in page]
    }
    if token:
        result["NextToken"] = token
    return result
