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
    # The VPC's blocks when last seen, shown if the VPC can no longer be read (deleted).
    cidr_blocks: tuple[str, ...] = ()
    ipv6_cidr_blocks: tuple[str, ...] = ()

    def partition(self) -> tuple[str, str]:
        """The (account, region) partition this side lives in."""
        return (self.owner_id, self.region)


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
    # Who ended it ("account/region"), for the visibility windows of PCX-3.
    ended_by: str = ""
