"""Security groups, their rules and managed prefix lists (spec section 6)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, Tags, register
from vpclab.model.lifecycle import peering_usable
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.state import View

ALL_PROTOCOLS = "-1"
# Protocols whose ports mean something; every other protocol allows all ports (SG-11).
PORTED_PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6")


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
    tags: Tags = ()

    def peer(self) -> str:
        """The rule's one peer as a string (CIDR, prefix list id or group id)."""
        return self.cidr_ipv4 or self.cidr_ipv6 or self.prefix_list_id or self.group_id or ""

    def identity(self) -> tuple[object, ...]:
        """What makes two rules the same rule: direction, protocol, ports and peer (SG-16)."""
        return (
            self.egress,
            self.protocol,
            self.from_port,
            self.to_port,
            self.cidr_ipv4,
            self.cidr_ipv6,
            self.prefix_list_id,
            self.group_id,
        )


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


def active_peering_between(view: View, vpc_a: str, vpc_b: str) -> VpcPeeringConnection | None:
    """The active peering joining two VPCs, as the caller's partition records it (PCX-13)."""
    for pcx in view.all(VpcPeeringConnection):
        ends = {pcx.requester.vpc_id, pcx.accepter.vpc_id}
        same_region = pcx.requester.region == pcx.accepter.region
        if ends == {vpc_a, vpc_b} and same_region and peering_usable(pcx):
            return pcx
    return None


def referenced_group(view: View, group: SecurityGroup, rule: SgRule) -> SecurityGroup | None:
    """The group a rule of `group` references while that reference is live; None when stale (SG-13, SG-15).

    `view` is the partition that holds `group`. A reference is live when the referenced group
    still exists and sits in the same VPC, or in a VPC joined by an active same-region peering.
    Stale references match nothing.
    """
    if rule.group_id is None:
        return None
    owner = rule.group_owner or view.account
    home = view if owner == view.account else view.other(owner, view.region)
    target = home.get(SecurityGroup, rule.group_id)
    if target is None:
        return None
    if target.vpc_id == group.vpc_id:
        return target
    if active_peering_between(view, group.vpc_id, target.vpc_id) is None:
        return None
    return target


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefixListEntry:
    """One CIDR of a managed prefix list."""

    cidr: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefixListVersion:
    """The entries a prefix list had at an earlier version (GetManagedPrefixListEntries TargetVersion)."""

    version: int
    entries: tuple[PrefixListEntry, ...] = ()


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
    history: tuple[PrefixListVersion, ...] = ()

    def cidrs(self) -> tuple[str, ...]:
        """The CIDRs the list currently holds."""
        return tuple(e.cidr for e in self.entries)

    def rule_weight(self) -> int:
        """How many rules a reference to this list counts as in an SG quota (SG-19)."""
        if self.aws_managed or self.max_entries is None:
            return 1
        return self.max_entries
