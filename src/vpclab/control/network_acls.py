"""Network ACLs and their entries with AWS's validations (spec section 7, VPC-20, AMB-9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from vpclab.control import defaults
from vpclab.control.lookup import require
from vpclab.control.route_tables import repeated_request
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.cidr import parse_v4, parse_v6
from vpclab.model.errors import DomainError, dependency, invalid_value
from vpclab.model.ids import new_id
from vpclab.model.network_acl import ALL_DENY_V6, NaclAssociation, NaclEntry, NetworkAcl
from vpclab.model.vpc import Subnet, Vpc

MAX_NACLS_PER_VPC = 200
MAX_ENTRIES_PER_DIRECTION = 20  # per address family, the * rule included (NACL-18)
MIN_RULE_NUMBER, MAX_RULE_NUMBER = 1, 32766
PROTOCOL_NAMES = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1"}
TCP, UDP, ICMP, ICMPV6 = "6", "17", "1", "58"


def create_network_acl(
    tx: Tx, vpc_id: str, *, tags: Tags = (), quotas: bool = False, client_token: str = ""
) -> NetworkAcl:
    """CreateNetworkAcl: a custom ACL holding only the * deny entries (NACL-11, NACL-18)."""
    vpc = require(tx, Vpc, vpc_id)
    earlier = repeated_request(tx, NetworkAcl, client_token, vpc_id)
    if earlier is not None:
        return earlier
    if (
        quotas
        and sum(1 for acl in tx.iter(NetworkAcl) if acl.vpc_id == vpc_id) >= MAX_NACLS_PER_VPC
    ):
        raise DomainError(
            "NetworkAclLimitExceeded",
            f"The maximum number of network ACLs for {vpc_id} has been reached.",
        )
    acl = NetworkAcl(
        id=new_id("acl"),
        vpc_id=vpc_id,
        entries=defaults.default_nacl_entries(bool(vpc.ipv6_associations), allow=False),
        tags=tags,
        client_token=client_token,
    )
    tx.put(acl)
    return acl


def delete_network_acl(tx: Tx, acl_id: str) -> None:
    """DeleteNetworkAcl: never the default one, never while a subnet uses it (NACL-13, AMB-9)."""
    acl = require(tx, NetworkAcl, acl_id)
    if acl.is_default:
        raise DomainError("CannotDelete", f"cannot delete default network ACL {acl_id}")
    if acl.associations:
        raise dependency("networkAcl", acl_id)
    tx.delete(NetworkAcl, acl_id)


def normalise_protocol(protocol: str) -> str:
    """The protocol as the number string EC2 stores ("tcp" -> "6", "all" -> "-1") (NACL-7)."""
    text = protocol.strip().lower()
    if text in PROTOCOL_NAMES:
        return PROTOCOL_NAMES[text]
    try:
        number = int(text)
    except ValueError:
        number = -2
    if number == -1 or 0 <= number <= 255:
        return str(number)
    raise invalid_value("protocol", protocol)


def _check_rule_number(rule_number: int) -> None:
    """User rule numbers are 1-32766; the rest is reserved for the * rules (NACL-2)."""
    if not MIN_RULE_NUMBER <= rule_number <= MAX_RULE_NUMBER:
        raise invalid_value(
            "ruleNumber",
            rule_number,
            f"It must be between {MIN_RULE_NUMBER} and {MAX_RULE_NUMBER}.",
        )


def _check_action(action: str) -> str:
    """RuleAction is allow or deny."""
    lowered = action.lower()
    if lowered not in ("allow", "deny"):
        raise invalid_value("ruleAction", action)
    return lowered


def _cidrs(cidr_block: str | None, ipv6_cidr_block: str | None) -> tuple[str | None, str | None]:
    """Exactly one of the two CIDRs, canonicalised (VPC-3, NACL-6)."""
    if cidr_block is not None and ipv6_cidr_block is not None:
        raise DomainError(
            "InvalidParameterCombination",
            "Only one of cidrBlock and ipv6CidrBlock can be specified",
        )
    if cidr_block is None and ipv6_cidr_block is None:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter cidrBlock or ipv6CidrBlock"
        )
    if cidr_block is not None:
        net4 = parse_v4(cidr_block)
        if net4 is None:
            raise invalid_value("cidrBlock", cidr_block, "This is not a valid CIDR block.")
        return str(net4), None
    assert ipv6_cidr_block is not None
    net6 = parse_v6(ipv6_cidr_block)
    if net6 is None:
        raise invalid_value("ipv6CidrBlock", ipv6_cidr_block, "This is not a valid CIDR block.")
    return None, str(net6)


def _ports(port_range: Mapping[str, Any] | None) -> tuple[int, int]:
    """A TCP/UDP entry's destination ports: required, 0-65535, From <= To (NACL-7)."""
    if not port_range or port_range.get("From") is None or port_range.get("To") is None:
        raise DomainError("MissingParameter", "The request must contain the parameter portRange")
    low, high = int(port_range["From"]), int(port_range["To"])
    for name, port in (("portRange.from", low), ("portRange.to", high)):
        if not 0 <= port <= 65535:
            raise invalid_value(name, port, "Ports must be between 0 and 65535.")
    if low > high:
        raise invalid_value("portRange", f"{low}-{high}", "From must not be greater than To.")
    return low, high


def _icmp(icmp: Mapping[str, Any] | None) -> tuple[int, int]:
    """An ICMP entry's type and code: required, each -1 (all) or 0-255 (NACL-7)."""
    if not icmp or icmp.get("Type") is None or icmp.get("Code") is None:
        raise DomainError("MissingParameter", "The request must contain the parameter icmpTypeCode")
    kind, code = int(icmp["Type"]), int(icmp["Code"])
    for name, value in (("icmpTypeCode.type", kind), ("icmpTypeCode.code", code)):
        if not -1 <= value <= 255:
            raise invalid_value(name, value)
    return kind, code


def build_entry(params: Mapping[str, Any]) -> NaclEntry:
    """A validated entry from a Create/ReplaceNetworkAclEntry request (NACL-2, NACL-6, NACL-7)."""
    rule_number = int(params["RuleNumber"])
    _check_rule_number(rule_number)
    protocol = normalise_protocol(str(params["Protocol"]))
    action = _check_action(str(params["RuleAction"]))
    cidr, ipv6_cidr = _cidrs(params.get("CidrBlock"), params.get("Ipv6CidrBlock"))
    entry = NaclEntry(
        rule_number=rule_number,
        egress=bool(params["Egress"]),
        protocol=protocol,
        action=action,
        cidr=cidr,
        ipv6_cidr=ipv6_cidr,
    )
    if protocol in (TCP, UDP):
        low, high = _ports(params.get("PortRange"))
        return replace(entry, port_from=low, port_to=high)
    if protocol == ICMP or (protocol == ICMPV6 and ipv6_cidr is not None):
        kind, code = _icmp(params.get("IcmpTypeCode"))
        return replace(entry, icmp_type=kind, icmp_code=code)
    return entry


def _is_v6(entry: NaclEntry) -> bool:
    """Whether an entry is an IPv6 one (families are counted apart, NACL-18)."""
    return entry.ipv6_cidr is not None


def _find(acl: NetworkAcl, rule_number: int, egress: bool) -> NaclEntry | None:
    """The entry with this number in this direction, if any."""
    for entry in acl.entries:
        if entry.rule_number == rule_number and entry.egress == egress:
            return entry
    return None


def _not_found(acl: NetworkAcl, rule_number: int, egress: bool) -> DomainError:
    """InvalidNetworkAclEntry.NotFound for a (number, direction) the ACL lacks (NACL-14)."""
    direction = "egress" if egress else "ingress"
    return DomainError(
        "InvalidNetworkAclEntry.NotFound",
        f"The network acl entry identified by {rule_number} ({direction}) does not exist "
        f"in network acl {acl.id}",
    )


def _with_entries(acl: NetworkAcl, entries: list[NaclEntry], egress: bool) -> NetworkAcl:
    """The ACL with a new entry list, its quota checked, and the direction marked as edited."""
    for family_v6 in (False, True):
        count = sum(1 for e in entries if e.egress == egress and _is_v6(e) == family_v6)
        if count > MAX_ENTRIES_PER_DIRECTION:
            raise DomainError(
                "NetworkAclEntryLimitExceeded",
                f"The maximum number of network acl entries has been reached for {acl.id}.",
            )
    edited = (
        acl.edited_directions
        if egress in acl.edited_directions
        else (*acl.edited_directions, egress)
    )
    ordered = sorted(entries, key=lambda e: (not e.egress, e.rule_number))
    return evolve(acl, entries=tuple(ordered), edited_directions=edited)


def create_entry(tx: Tx, acl_id: str, params: Mapping[str, Any]) -> None:
    """CreateNetworkAclEntry: a new (number, direction), within quota (NACL-3, NACL-18)."""
    acl = require(tx, NetworkAcl, acl_id)
    entry = build_entry(params)
    if _find(acl, entry.rule_number, entry.egress) is not None:
        raise DomainError(
            "NetworkAclEntryAlreadyExists",
            f"The network acl entry identified by {entry.rule_number} already exists.",
        )
    tx.put(_with_entries(acl, [*acl.entries, entry], entry.egress))


def replace_entry(tx: Tx, acl_id: str, params: Mapping[str, Any]) -> None:
    """ReplaceNetworkAclEntry: overwrite an existing (number, direction) (NACL-14)."""
    acl = require(tx, NetworkAcl, acl_id)
    entry = build_entry(params)
    old = _find(acl, entry.rule_number, entry.egress)
    if old is None:
        raise _not_found(acl, entry.rule_number, entry.egress)
    tx.put(_with_entries(acl, [entry if e is old else e for e in acl.entries], entry.egress))


def delete_entry(tx: Tx, acl_id: str, rule_number: int, egress: bool) -> None:
    """DeleteNetworkAclEntry: user entries only; the * rules stay (NACL-5, NACL-14)."""
    acl = require(tx, NetworkAcl, acl_id)
    _check_rule_number(rule_number)
    old = _find(acl, rule_number, egress)
    if old is None:
        raise _not_found(acl, rule_number, egress)
    tx.put(_with_entries(acl, [e for e in acl.entries if e is not old], egress))


def replace_association(tx: Tx, association_id: str, acl_id: str) -> str:
    """ReplaceNetworkAclAssociation: move a subnet to another ACL of its VPC (NACL-12)."""
    current = next(
        (
            acl
            for acl in tx.iter(NetworkAcl)
            if any(a.id == association_id for a in acl.associations)
        ),
        None,
    )
    if current is None:
        raise DomainError(
            "InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist"
        )
    target = require(tx, NetworkAcl, acl_id)
    moved = next(a for a in current.associations if a.id == association_id)
    subnet = require(tx, Subnet, moved.subnet_id)
    if target.vpc_id != subnet.vpc_id:
        raise DomainError(
            "InvalidParameterValue",
            f"Network ACL {acl_id} and subnet {subnet.id} belong to different networks",
        )
    remaining = tuple(a for a in current.associations if a.id != association_id)
    tx.put(evolve(current, associations=remaining))
    target = require(tx, NetworkAcl, acl_id)  # re-read: it may be the ACL just changed
    new = NaclAssociation(id=new_id("aclassoc"), subnet_id=subnet.id)
    tx.put(evolve(target, associations=(*target.associations, new)))
    return new.id


def add_ipv6_defaults(tx: Tx, vpc_id: str) -> None:
    """When a VPC gains IPv6: every ACL gets the IPv6 * rule, the default one its 101 allow (VPC-20)."""
    for acl in tx.all(NetworkAcl):
        if acl.vpc_id != vpc_id or any(_is_v6(e) for e in acl.entries):
            continue
        added: list[NaclEntry] = []
        for egress in (False, True):
            if acl.is_default and egress not in acl.edited_directions:
                added.append(
                    defaults.everywhere_entry(
                        defaults.DEFAULT_ALLOW_V6, egress, allow=True, ipv6=True
                    )
                )
            added.append(defaults.everywhere_entry(ALL_DENY_V6, egress, allow=False, ipv6=True))
        entries = sorted((*acl.entries, *added), key=lambda e: (not e.egress, e.rule_number))
        tx.put(evolve(acl, entries=tuple(entries)))
