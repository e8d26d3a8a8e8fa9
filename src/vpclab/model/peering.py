"""VPC peering connections (spec section 8)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register


@dataclass(frozen=True, slots=True, kw_only=True)
class PeeringSide:
    """One end of a peering: whose VPC, in which region, and its options."""

    owner_id: str
    region: str
    vpc_id: str
    allow_dns_resolution_from_remote_vpc: bool = False


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class VpcPeeringConnection(Resource):
    """A peering; the same record is kept in both sides' partitions (PCX-1, PCX-14)."""

    kind = "vpc-peering-connection"
    id_prefix = "pcx"
    resource_type = "vpc-peering-connection"
    requester: PeeringSide
    accepter: PeeringSide
    status: str = "pending-acceptance"
    status_message: str = ""
    created_at: float = 0.0
    expiration_time: float = 0.0
    changed_at: float = 0.0
