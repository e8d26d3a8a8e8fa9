"""Internet gateways, egress-only gateways, NAT gateways and Elastic IPs (spec sections 4, 5, 9.2)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class InternetGateway(Resource):
    """An internet gateway, attached to at most one VPC (IGW-2)."""

    kind = "internet-gateway"
    id_prefix = "igw"
    resource_type = "internet-gateway"
    vpc_id: str | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class EgressOnlyInternetGateway(Resource):
    """An IPv6 egress-only internet gateway of one VPC (IGW-15)."""

    kind = "egress-only-internet-gateway"
    id_prefix = "eigw"
    resource_type = "egress-only-internet-gateway"
    vpc_id: str
    client_token: str | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NatGateway(Resource):
    """A NAT gateway; its state is derived from the clock and these timestamps (NAT-3)."""

    kind = "nat-gateway"
    id_prefix = "nat"
    resource_type = "natgateway"
    subnet_id: str
    vpc_id: str
    connectivity_type: str = "public"
    availability_zone: str = ""
    allocation_id: str | None = None
    # The EIP's public address and association as they were made; kept after deletion for display.
    public_ip: str | None = None
    association_id: str | None = None
    network_interface_id: str | None = None
    private_ip: str | None = None
    created_at: float = 0.0
    deleted_at: float | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    client_token: str | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Address(Resource):
    """An Elastic IP address; `id` is its allocation id (EIP-1)."""

    kind = "address"
    id_prefix = "eipalloc"
    resource_type = "elastic-ip"
    public_ip: str
    domain: str = "vpc"
    association_id: str | None = None
    network_interface_id: str | None = None
    private_ip: str | None = None
    network_border_group: str = ""
    public_ipv4_pool: str = "amazon"
    # The association took the ENI's auto-assigned public IP away; undoing it may give one back (ENI-4).
    displaced_public_ip: bool = False
    # Association ids this address had, so a repeated DisassociateAddress succeeds (EIP-3).
    past_association_ids: tuple[str, ...] = ()
