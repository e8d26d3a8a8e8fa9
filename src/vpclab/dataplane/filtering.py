"""Security-group and network-ACL evaluation over a header; each returns the deciding rules.

Both filters match on the packet's destination port only (SG-11, NACL-7), so with ports left
open the admitted part of a header is a port set: the result says which ports pass and which
rules (or entries) decided them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vpclab.dataplane.compile import AclEntry, Group, SgEntry
from vpclab.dataplane.flow import EMPTY, PROTOCOL_NUMBERS, Header, PortSet, ip_int
from vpclab.dataplane.trace import AclRuleRef, SgRuleRef

# Stand-in for "the packet" when the protocol has no ports: admitted is then all or nothing.
WHOLE = PortSet.single(0)


def matched_ports(header: Header) -> PortSet:
    """The part of the header filters decide over: destination ports, or the whole packet."""
    return header.destination_ports if header.ported else WHOLE


@dataclass(frozen=True, slots=True)
class SgResult:
    """What a set of security groups admits of a header and which rules admitted it."""

    admitted: PortSet
    rules: tuple[SgRuleRef, ...]
    has_rules: bool


def _sg_rule_covers(entry: SgEntry, header: Header, remote: str, ports: PortSet) -> PortSet:
    """The ports of `ports` one SG rule admits (SG-11, SG-12, SG-13)."""
    protocol = entry.protocol
    if protocol != "-1" and protocol != header.protocol:
        return EMPTY
    if entry.members is not None:
        if remote not in entry.members:
            return EMPTY
    else:
        value = ip_int(remote)
        if not any(low <= value <= high for low, high in entry.spans):
            return EMPTY
    if protocol == "-1" or not header.ported:
        if protocol == "icmp":
            icmp_type, icmp_code = entry.from_port, entry.to_port
            if icmp_type not in (None, -1) and icmp_type != header.icmp_type:
                return EMPTY
            if icmp_code not in (None, -1) and icmp_code != header.icmp_code:
                return EMPTY
        return ports
    if entry.from_port is None or entry.to_port is None:
        return ports
    return ports.clip(entry.from_port, entry.to_port)


def evaluate_security_groups(groups: Iterable[Group], header: Header, *, egress: bool) -> SgResult:
    """The union of every group's rules in one direction (SG-3): any matching rule admits."""
    remote = header.destination if egress else header.source
    ports = matched_ports(header)
    admitted = EMPTY
    rules: list[SgRuleRef] = []
    has_rules = False
    for group in groups:
        entries = group.egress if egress else group.ingress
        if entries:
            has_rules = True
        for entry in entries:
            covered = _sg_rule_covers(entry, header, remote, ports)
            if covered.is_empty():
                continue
            if not covered.minus(admitted).is_empty() or not rules:
                rules.append(entry.ref)
                admitted = admitted.union(covered)
            if admitted == ports:
                return SgResult(admitted, tuple(rules), True)
    return SgResult(admitted, tuple(rules), has_rules)


@dataclass(frozen=True, slots=True)
class AclResult:
    """What a NACL direction admits of a header, and the entries that decided each part."""

    admitted: PortSet
    rules: tuple[AclRuleRef, ...]
    denied_by: tuple[AclRuleRef, ...]


def _acl_entry_covers(entry: AclEntry, header: Header, number: str, ports: PortSet) -> PortSet:
    """The ports of `ports` one NACL entry matches (NACL-6, NACL-7)."""
    if entry.protocol != "-1" and entry.protocol != number:
        return EMPTY
    if entry.protocol in ("6", "17") and header.ported:
        if entry.port_from is None or entry.port_to is None:
            return ports
        return ports.clip(entry.port_from, entry.port_to)
    if entry.protocol == "1":
        if entry.icmp_type not in (None, -1) and entry.icmp_type != header.icmp_type:
            return EMPTY
        if entry.icmp_code not in (None, -1) and entry.icmp_code != header.icmp_code:
            return EMPTY
    return ports


def evaluate_acl(entries: tuple[AclEntry, ...], header: Header, *, egress: bool) -> AclResult:
    """First match by rule number decides; what no entry matches is denied (NACL-4, NACL-5)."""
    address = ip_int(header.destination if egress else header.source)
    number = PROTOCOL_NUMBERS.get(header.protocol, header.protocol)
    remaining = matched_ports(header)
    admitted = EMPTY
    rules: list[AclRuleRef] = []
    denied_by: list[AclRuleRef] = []
    for entry in entries:
        if not entry.low <= address <= entry.high:
            continue
        covered = _acl_entry_covers(entry, header, number, remaining)
        if covered.is_empty():
            continue
        rules.append(entry.ref)
        if entry.allow:
            admitted = admitted.union(covered)
        else:
            denied_by.append(entry.ref)
        remaining = remaining.minus(covered)
        if remaining.is_empty():
            break
    return AclResult(admitted, tuple(rules), tuple(denied_by))
