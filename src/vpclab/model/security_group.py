"""Security groups, their rules and managed prefix lists (spec section 6)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register


@dataclass(frozen=True, slots=True, kw_only=True)
class SgRule:
    """One allow rule with exactly one peer: a CIDR, an IPv6 CIDR, a prefix list or a group (SG-12)."""

    id: str
    egress: bool
    protocol: str  # "-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number
    from_port: int | None = None
    to_port: int | None = None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    group_id: str | None = None
    group_owner: str | None = None
    group_vpc_id: str | None = None
    peering_id: str | None = None
    description: str | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityGroup(Resource):
    """A security group of a VPC with its ingress and egress rules."""

    kind = "security-group"
    id_prefix = "sg"
    resource_type = "security-group"
    name: str
    description: str
    vpc_id: str
    rules: tuple[SgRule, ...] = ()

    def ingress(self) -> tuple[SgRule, ...]:
        """Inbound rules."""
        return tuple(r for r in self.rules if not r.egress)

    def egress(self) -> tuple[SgRule, ...]:
        """Outbound rules."""
        return tuple(r for r in self.rules if r.egress)


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefixListEntry:
    """One CIDR of a managed prefix list."""

    cidr: str
    description: str | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class PrefixList(Resource):
    """A managed prefix list: customer-managed, or AWS-managed such as com.amazonaws.REGION.s3."""

    kind = "prefix-list"
    id_prefix = "pl"
    resource_type = "prefix-list"
    name: str
    address_family: str = "IPv4"
    max_entries: int | None = None
    entries: tuple[PrefixListEntry, ...] = ()
    version: int = 1
    aws_managed: bool = False
