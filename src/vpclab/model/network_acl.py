"""Network ACLs (spec section 7)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register

ALL_DENY_V4 = 32767
ALL_DENY_V6 = 32768


@dataclass(frozen=True, slots=True, kw_only=True)
class NaclEntry:
    """One numbered rule of one direction; first match by rule number decides (NACL-4)."""

    rule_number: int
    egress: bool
    protocol: str  # a protocol number as a string, "-1" for all
    action: str  # "allow" | "deny"
    cidr: str | None = None
    ipv6_cidr: str | None = None
    port_from: int | None = None
    port_to: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NaclAssociation:
    """A subnet's association with this ACL (NACL-12)."""

    id: str
    subnet_id: str


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkAcl(Resource):
    """A network ACL with entries in both directions and the subnets it serves."""

    kind = "network-acl"
    id_prefix = "acl"
    resource_type = "network-acl"
    vpc_id: str
    is_default: bool = False
    entries: tuple[NaclEntry, ...] = ()
    associations: tuple[NaclAssociation, ...] = ()
    # Directions (egress flags) whose rules the user has changed; VPC-20 needs to know.
    edited_directions: tuple[bool, ...] = ()
    client_token: str = ""  # CreateNetworkAcl idempotency

    def direction_entries(self, egress: bool) -> list[NaclEntry]:
        """The entries of one direction in evaluation order (NACL-4)."""
        return sorted((e for e in self.entries if e.egress == egress), key=lambda e: e.rule_number)
