"""Security groups and their rules with EC2's validations (spec section 6)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vpclab.control import defaults
from vpclab.control.lookup import missing, require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.cidr import parse_v4, parse_v6
from vpclab.model.errors import DomainError
from vpclab.model.ids import has_prefix, new_id
from vpclab.model.interface import NetworkInterface
from vpclab.model.lifecycle import peering_usable
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.security_group import (
    ALL_PROTOCOLS,
    PrefixList,
    SecurityGroup,
    SgRule,
    active_peering_between,
    referenced_group,
)
from vpclab.model.state import View
from vpclab.model.vpc import Vpc

MAX_RULES_PER_DIRECTION = 60  # per address family (SG-19)
MAX_GROUPS_PER_REGION = 2500
MAX_TEXT = 255
# SG-6: the characters AWS allows in group names, group descriptions and rule descriptions.
_ALLOWED_TEXT = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")
_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_PROTOCOL_LABELS = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmpv6": "ICMPV6", "-1": "ALL"}


# -- groups ----------------------------------------------------------------------------------


def _check_text(value: str, parameter: str) -> None:
    """Length and character set of a group name or description (SG-6)."""
    if len(value) > MAX_TEXT:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter {parameter} is invalid. "
            f"Length exceeds maximum of {MAX_TEXT}.",
        )
    if not _ALLOWED_TEXT.match(value):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter {parameter} is invalid. "
            "Character sets beyond ASCII are not supported.",
        )


def _check_rule_description(value: str | None) -> None:
    """A rule description: up to 255 characters of the SG-6 set (SG-12)."""
    if value is None:
        return
    if len(value) > MAX_TEXT or not _ALLOWED_TEXT.match(value):
        raise DomainError(
            "InvalidParameterValue",
            "Invalid rule description. Valid descriptions are strings less than 256 characters "
            "from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
        )


def _same_name(a: str, b: str) -> bool:
    """Group names are unique per VPC compared case-insensitively (SG-6)."""
    return a.casefold() == b.casefold()


def create_group(
    tx: Tx,
    *,
    name: str,
    description: str,
    vpc_id: str | None,
    tags: Tags = (),
    quotas: bool = False,
) -> SecurityGroup:
    """CreateSecurityGroup: validated name, unique in its VPC, with the SG-4 egress rule."""
    name = name.rstrip(" ")
    if not name:
        raise DomainError("MissingParameter", "The request must contain the parameter groupName")
    if not description:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter groupDescription"
        )
    _check_text(name, "GroupName")
    _check_text(description, "GroupDescription")
    if name.lower().startswith("sg-"):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({name}) for parameter GroupName is invalid. "
            "Group names may not be in the format sg-*.",
        )
    if vpc_id is None:
        vpc = defaults.default_vpc(tx)
        if vpc is None:
            raise DomainError(
                "VPCIdNotSpecified",
                "No default VPC for this user. GroupName is only supported for EC2-Classic "
                "and default VPC.",
            )
    else:
        vpc = require(tx, Vpc, vpc_id)
    if name.lower() == "default":
        raise DomainError("InvalidGroup.Reserved", "The security group 'default' is reserved")
    if any(g.vpc_id == vpc.id and _same_name(g.name, name) for g in tx.iter(SecurityGroup)):
        raise DomainError(
            "InvalidGroup.Duplicate",
            f"The security group '{name}' already exists for VPC '{vpc.id}'",
        )
    if quotas and tx.count(SecurityGroup) >= MAX_GROUPS_PER_REGION:
        raise DomainError(
            "SecurityGroupLimitExceeded",
            "The maximum number of security groups for the region has been reached.",
        )
    group = SecurityGroup(
        id=new_id("sg"),
        name=name,
        description=description,
        vpc_id=vpc.id,
        rules=(defaults.new_egress_all_rule(),),
        tags=tags,
    )
    tx.put(group)
    return group


def group_by_name_in_default_vpc(view: View, name: str) -> SecurityGroup:
    """A group named in the default VPC: only there may a name stand for a group (SG-16, SG-20)."""
    vpc = defaults.default_vpc(view)
    if vpc is None:
        raise DomainError(
            "VPCIdNotSpecified",
            "No default VPC for this user. GroupName is only supported for EC2-Classic "
            "and default VPC.",
        )
    for group in view.iter(SecurityGroup):
        if group.vpc_id == vpc.id and _same_name(group.name, name):
            return group
    raise DomainError(
        "InvalidGroup.NotFound",
        f"The security group '{name}' does not exist in default VPC '{vpc.id}'",
    )


def find_group(view: View, group_id: str | None, group_name: str | None) -> SecurityGroup:
    """The group a request names by GroupId, or by GroupName in the default VPC."""
    if group_id is not None:
        return require(view, SecurityGroup, group_id)
    if group_name is not None:
        return group_by_name_in_default_vpc(view, group_name)
    raise DomainError(
        "MissingParameter", "The request must contain the parameter groupName or groupId"
    )


def in_default_vpc(view: View, group: SecurityGroup) -> bool:
    """Whether the group belongs to the partition's default VPC."""
    vpc = view.get(Vpc, group.vpc_id)
    return vpc is not None and vpc.is_default


def delete_group(tx: Tx, group_id: str | None, group_name: str | None) -> SecurityGroup:
    """DeleteSecurityGroup: never the default group; not while used by an ENI or a rule (SG-20)."""
    group = find_group(tx, group_id, group_name)
    if group.name == "default":
        raise DomainError(
            "CannotDelete",
            f'the specified group: "{group.id}" name: "default" cannot be deleted by a user',
        )
    dependent = f"resource {group.id} has a dependent object"
    if any(group.id in eni.groups for eni in tx.iter(NetworkInterface)):
        raise DomainError("DependencyViolation", dependent)
    for other in tx.iter(SecurityGroup):
        if other.id == group.id or other.vpc_id != group.vpc_id:
            continue
        if any(r.group_id == group.id for r in other.rules):
            raise DomainError("DependencyViolation", dependent)  # AMB-11
    tx.delete(SecurityGroup, group.id)
    return group


# -- rules: parsing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortSpec:
    """A rule's protocol and port range after SG-11 normalisation."""

    protocol: str
    from_port: int | None
    to_port: int | None


def _malformed(message: str) -> DomainError:
    """InvalidPermission.Malformed with a message naming what is wrong (SG-16)."""
    return DomainError("InvalidPermission.Malformed", message)


def normalise_protocol(raw: str | None) -> str:
    """tcp/udp/icmp/icmpv6 by name or number, -1 for all, else a protocol number 0-255 (SG-11)."""
    if raw is None or raw == "":
        raise DomainError(
            "InvalidParameterValue",
            "Invalid value 'null' for protocol. VPC security group rules must specify "
            "protocols explicitly.",
        )
    text = raw.strip().lower()
    if text in ("tcp", "udp", "icmp", "icmpv6", ALL_PROTOCOLS):
        return text
    if text == "all":
        return ALL_PROTOCOLS
    if text.lstrip("-").isdigit():
        number = int(text)
        if number == -1:
            return ALL_PROTOCOLS
        if 0 <= number <= 255:
            return _PROTOCOL_NUMBERS.get(str(number), str(number))
    raise DomainError(
        "InvalidParameterValue", f"Invalid value '{raw}' for IP protocol. Unknown protocol."
    )


def parse_ports(protocol: str, from_port: int | None, to_port: int | None) -> PortSpec:
    """Ports as SG-11 defines them per protocol; other protocols allow every port."""
    if protocol in ("tcp", "udp"):
        if from_port is None or to_port is None:
            raise _malformed(
                f"Invalid value for portRange. Must specify both from and to ports with "
                f"{protocol.upper()}."
            )
        if not (0 <= from_port <= 65535 and 0 <= to_port <= 65535) or from_port > to_port:
            raise _malformed(f"Invalid {protocol.upper()} port range: {from_port} to {to_port}.")
        return PortSpec(protocol, from_port, to_port)
    if protocol in ("icmp", "icmpv6"):
        if from_port is None and to_port is None:
            if protocol == "icmp":
                raise _malformed(
                    "Invalid value for portRange. Must specify both ICMP type and code."
                )
            return PortSpec(protocol, -1, -1)
        icmp_type = -1 if from_port is None else from_port
        icmp_code = -1 if to_port is None else to_port
        if not (-1 <= icmp_type <= 255 and -1 <= icmp_code <= 255):
            raise _malformed(f"ICMP type {icmp_type} and code {icmp_code} are out of range.")
        if icmp_type == -1 and icmp_code != -1:
            raise _malformed(
                f"ICMP code {icmp_code} requires a specific ICMP type; type -1 allows all codes."
            )
        return PortSpec(protocol, icmp_type, icmp_code)
    return PortSpec(protocol, None, None)


def _cidr(text: str, v6: bool) -> str:
    """A peer CIDR in canonical form; a bad or wrong-family CIDR is malformed (SG-12)."""
    net = parse_v6(text) if v6 else parse_v4(text)
    if net is None:
        raise DomainError("InvalidParameterValue", f"CIDR block {text} is malformed")
    return str(net)


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A resolved group reference: the group, its owner and VPC, and the peering reaching it."""

    group_id: str
    owner: str
    vpc_id: str | None
    peering_id: str | None


def resolve_group_reference(tx: Tx, group: SecurityGroup, pair: Mapping[str, Any]) -> GroupRef:
    """A UserIdGroupPair as a live reference: same VPC, or a peered same-region VPC (SG-13)."""
    owner = pair.get("UserId") or tx.account
    home = tx if owner == tx.account else tx.other(owner, tx.region)
    target_id = pair.get("GroupId")
    if target_id is None:
        name = pair.get("GroupName")
        if name is None:
            raise DomainError(
                "MissingParameter", "The request must contain the parameter groupId or groupName"
            )
        target = next(
            (
                g
                for g in home.iter(SecurityGroup)
                if _same_name(g.name, name) and (owner != tx.account or g.vpc_id == group.vpc_id)
            ),
            None,
        )
        if target is None:
            raise DomainError(
                "InvalidGroup.NotFound", f"The security group '{name}' does not exist"
            )
    else:
        found = home.get(SecurityGroup, target_id)
        if found is None:
            raise missing(SecurityGroup, target_id)
        target = found
    if target.vpc_id == group.vpc_id:
        return GroupRef(target.id, owner, target.vpc_id, None)
    pcx = active_peering_between(tx, group.vpc_id, target.vpc_id)
    if pcx is None:
        raise DomainError(
            "InvalidGroup.NotFound",
            f"You have specified two resources that belong to different networks "
            f"({group.id} and {target.id}).",
        )
    return GroupRef(target.id, owner, target.vpc_id, pcx.id)


# IpPermission members naming address ranges: (list member, CIDR member, IPv6?), v4 first.
CIDR_RANGE_MEMBERS = (("IpRanges", "CidrIp", False), ("Ipv6Ranges", "CidrIpv6", True))


def rules_from_permission(
    tx: Tx,
    group: SecurityGroup,
    permission: Mapping[str, Any],
    egress: bool,
    *,
    matching: bool = False,
) -> list[SgRule]:
    """One IpPermission as one rule per peer, validated and canonicalised (SG-11, SG-12, SG-13).

    With `matching` the rules only name existing rules (revoke, descriptions): a referenced
    group id is taken as given, so a stale rule can still be named and removed (SG-15).
    """
    protocol = normalise_protocol(permission.get("IpProtocol"))
    ports = parse_ports(protocol, permission.get("FromPort"), permission.get("ToPort"))
    base = SgRule(
        id="",
        egress=egress,
        protocol=ports.protocol,
        from_port=ports.from_port,
        to_port=ports.to_port,
    )
    rules: list[SgRule] = []
    for ranges_member, cidr_member, ipv6 in CIDR_RANGE_MEMBERS:
        for item in permission.get(ranges_member) or ():
            _check_rule_description(item.get("Description"))
            cidr = _cidr(item.get(cidr_member, ""), ipv6)
            rules.append(
                replace(
                    base,
                    cidr_ipv4=None if ipv6 else cidr,
                    cidr_ipv6=cidr if ipv6 else None,
                    description=item.get("Description"),
                )
            )
    for item in permission.get("PrefixListIds") or ():
        _check_rule_description(item.get("Description"))
        plist = require(tx, PrefixList, item.get("PrefixListId", ""))
        rules.append(replace(base, prefix_list_id=plist.id, description=item.get("Description")))
    for item in permission.get("UserIdGroupPairs") or ():
        _check_rule_description(item.get("Description"))
        if matching and item.get("GroupId") is not None:
            owner = item.get("UserId") or tx.account
            ref = GroupRef(item["GroupId"], owner, None, None)
        else:
            ref = resolve_group_reference(tx, group, item)
        rules.append(
            replace(
                base,
                group_id=ref.group_id,
                group_owner=ref.owner,
                group_vpc_id=ref.vpc_id,
                peering_id=ref.peering_id,
                description=item.get("Description"),
            )
        )
    if not rules:
        raise DomainError(
            "InvalidParameterValue",
            "Each permission must name at least one peer: IpRanges, Ipv6Ranges, PrefixListIds "
            "or UserIdGroupPairs.",
        )
    return rules


def rules_from_permissions(
    tx: Tx,
    group: SecurityGroup,
    permissions: Iterable[Mapping[str, Any]],
    egress: bool,
    *,
    matching: bool = False,
) -> list[SgRule]:
    """Every rule the IpPermissions of a request describe."""
    out: list[SgRule] = []
    for permission in permissions:
        out.extend(rules_from_permission(tx, group, permission, egress, matching=matching))
    return out


def legacy_permission(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The top-level CidrIp/IpProtocol/ports/SourceSecurityGroupName form as one IpPermission."""
    legacy = ("CidrIp", "IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupName")
    if not any(params.get(k) is not None for k in legacy):
        return None
    if params.get("IpPermissions"):
        raise DomainError(
            "InvalidParameterCombination",
            "The parameter 'ipPermissions' may not be used in combination with 'CidrIp', "
            "'IpProtocol', 'FromPort', 'ToPort' or 'SourceSecurityGroupName'",
        )
    source_name = params.get("SourceSecurityGroupName")
    if source_name is not None:
        # The legacy source-group form grants every protocol and port of the named group.
        pair: dict[str, Any] = {"GroupName": source_name}
        if params.get("SourceSecurityGroupOwnerId"):
            pair["UserId"] = params["SourceSecurityGroupOwnerId"]
        return {"IpProtocol": params.get("IpProtocol") or ALL_PROTOCOLS, "UserIdGroupPairs": [pair]}
    permission: dict[str, Any] = {
        "IpProtocol": params.get("IpProtocol"),
        "FromPort": params.get("FromPort"),
        "ToPort": params.get("ToPort"),
    }
    if params.get("CidrIp") is not None:
        permission["IpRanges"] = [{"CidrIp": params["CidrIp"]}]
    return permission


def request_rules(
    tx: Tx, group: SecurityGroup, params: Mapping[str, Any], egress: bool, *, matching: bool = False
) -> list[SgRule]:
    """The rules an Authorize/Revoke request names, in IpPermissions or the legacy form."""
    legacy = legacy_permission(params)
    if legacy is not None and egress:
        raise DomainError(
            "InvalidParameterValue",
            "Egress rules must be given as IpPermissions; CidrIp, IpProtocol, FromPort, ToPort "
            "and SourceSecurityGroupName apply to ingress only.",
        )
    permissions = [legacy] if legacy is not None else list(params.get("IpPermissions") or ())
    if not permissions:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter ipPermissions"
        )
    return rules_from_permissions(tx, group, permissions, egress, matching=matching)


# -- rules: describing -------------------------------------------------------------------------


def protocol_label(rule: SgRule) -> str:
    """How AWS names a rule's protocol and ports in error messages (OBS-13)."""
    label = _PROTOCOL_LABELS.get(rule.protocol)
    if label is None:
        return f"protocol: {rule.protocol}"
    if rule.from_port is None:
        return label
    return f"{label}, from port: {rule.from_port}, to port: {rule.to_port}"


def duplicate_error(rule: SgRule) -> DomainError:
    """InvalidPermission.Duplicate worded as AWS words it (SG-16)."""
    return DomainError(
        "InvalidPermission.Duplicate",
        f'the specified rule "peer: {rule.peer()}, {protocol_label(rule)}, ALLOW" already exists',
    )


# -- rules: quota ------------------------------------------------------------------------------


def _rule_weights(view: View, rule: SgRule) -> tuple[int, int]:
    """What one rule counts in the IPv4 and IPv6 quotas (SG-19): references count in both."""
    if rule.cidr_ipv4 is not None:
        return (1, 0)
    if rule.cidr_ipv6 is not None:
        return (0, 1)
    if rule.prefix_list_id is not None:
        plist = view.get(PrefixList, rule.prefix_list_id)
        weight = 1 if plist is None else plist.rule_weight()
        return (weight, weight)
    return (1, 1)


def check_rule_quota(view: View, group: SecurityGroup) -> None:
    """At most 60 rules per direction per address family, prefix lists by size (SG-19)."""
    for egress in (False, True):
        v4 = v6 = 0
        for rule in group.rules:
            if rule.egress == egress:
                w4, w6 = _rule_weights(view, rule)
                v4 += w4
                v6 += w6
        if max(v4, v6) > MAX_RULES_PER_DIRECTION:
            raise DomainError(
                "RulesPerSecurityGroupLimitExceeded",
                "The maximum number of rules per security group has been reached.",
            )


# -- rules: changes ----------------------------------------------------------------------------


def authorize(
    tx: Tx, group: SecurityGroup, rules: Sequence[SgRule], tags: Tags = ()
) -> list[SgRule]:
    """Add rules; any that already exists (also within the request) is a duplicate (SG-16)."""
    existing = {r.identity() for r in group.rules}
    added: list[SgRule] = []
    for rule in rules:
        if rule.identity() in existing:
            raise duplicate_error(rule)
        existing.add(rule.identity())
        added.append(replace(rule, id=new_id("sgr"), tags=tags))
    updated = evolve(group, rules=(*group.rules, *added))
    check_rule_quota(tx, updated)
    tx.put(updated)
    return added


def rule_id_error(rule_id: str) -> DomainError:
    """The error for an sgr- id a group does not hold: malformed or not found (SG-21)."""
    if not has_prefix(rule_id, "sgr"):
        return DomainError(
            "InvalidSecurityGroupRuleId.Malformed",
            f'Invalid id: "{rule_id}" (expecting "sgr-...")',
        )
    return DomainError(
        "InvalidSecurityGroupRuleId.NotFound",
        f"The security group rule ID '{rule_id}' does not exist",
    )


def find_rules_by_id(group: SecurityGroup, rule_ids: Sequence[str], egress: bool) -> list[SgRule]:
    """The group's rules of one direction with these sgr- ids (SG-21 errors otherwise)."""
    by_id = {r.id: r for r in group.rules if r.egress == egress}
    out = []
    for rule_id in rule_ids:
        if rule_id not in by_id:
            raise rule_id_error(rule_id)
        out.append(by_id[rule_id])
    return out


@dataclass(frozen=True, slots=True)
class Revocation:
    """What a revoke removed, and the requested rules it could not find (SG-17)."""

    revoked: list[SgRule]
    unknown: list[SgRule]


def revoke(
    tx: Tx,
    group: SecurityGroup,
    egress: bool,
    *,
    rule_ids: Sequence[str] = (),
    rules: Sequence[SgRule] = (),
) -> Revocation:
    """Remove rules by id or exact match; unknown ones fail outside the default VPC (SG-17)."""
    chosen = {r.id: r for r in find_rules_by_id(group, rule_ids, egress)}
    by_identity = {r.identity(): r for r in group.rules}
    unknown: list[SgRule] = []
    for wanted in rules:
        found = by_identity.get(wanted.identity())
        if found is None:
            unknown.append(wanted)
        else:
            chosen[found.id] = found
    if unknown and not in_default_vpc(tx, group):
        raise DomainError(
            "InvalidPermission.NotFound",
            "The specified rule does not exist in this security group.",
        )
    tx.put(evolve(group, rules=tuple(r for r in group.rules if r.id not in chosen)))
    return Revocation(revoked=list(chosen.values()), unknown=unknown)


def rule_from_request(
    tx: Tx, group: SecurityGroup, rule: SgRule, request: Mapping[str, Any]
) -> SgRule:
    """A SecurityGroupRuleRequest as the new content of an existing rule (same id and direction)."""
    permission: dict[str, Any] = {
        "IpProtocol": request.get("IpProtocol"),
        "FromPort": request.get("FromPort"),
        "ToPort": request.get("ToPort"),
    }
    description = request.get("Description")
    peers = {
        "CidrIpv4": ("IpRanges", "CidrIp"),
        "CidrIpv6": ("Ipv6Ranges", "CidrIpv6"),
        "PrefixListId": ("PrefixListIds", "PrefixListId"),
        "ReferencedGroupId": ("UserIdGroupPairs", "GroupId"),
    }
    given = [name for name in peers if request.get(name) is not None]
    if len(given) != 1:
        raise DomainError(
            "InvalidParameterCombination",
            "Exactly one of CidrIpv4, CidrIpv6, PrefixListId and ReferencedGroupId must be given.",
        )
    list_name, member = peers[given[0]]
    permission[list_name] = [{member: request[given[0]], "Description": description}]
    (parsed,) = rules_from_permission(tx, group, permission, rule.egress)
    return replace(parsed, id=rule.id, tags=rule.tags)


def modify_rules(tx: Tx, group: SecurityGroup, updates: Sequence[Mapping[str, Any]]) -> None:
    """ModifySecurityGroupRules: replace rules in place by id, keeping ids; no duplicates (SG-16)."""
    current = {r.id: r for r in group.rules}
    for update in updates:
        rule_id = update.get("SecurityGroupRuleId") or ""
        if rule_id not in current:
            raise rule_id_error(rule_id)
        request = update.get("SecurityGroupRule") or {}
        current[rule_id] = rule_from_request(tx, group, current[rule_id], request)
    seen: set[tuple[object, ...]] = set()
    for rule in current.values():
        if rule.identity() in seen:
            raise duplicate_error(rule)
        seen.add(rule.identity())
    updated = evolve(group, rules=tuple(current.values()))
    check_rule_quota(tx, updated)
    tx.put(updated)


def update_descriptions(
    tx: Tx,
    group: SecurityGroup,
    egress: bool,
    *,
    rules: Sequence[SgRule] = (),
    by_id: Sequence[Mapping[str, Any]] = (),
) -> None:
    """UpdateSecurityGroupRuleDescriptions*: set descriptions of existing rules, by match or id."""
    current = {r.id: r for r in group.rules}
    index = {r.identity(): r.id for r in group.rules}
    for wanted in rules:
        rule_id = index.get(wanted.identity())
        if rule_id is None:
            raise DomainError(
                "InvalidPermission.NotFound",
                "The specified rule does not exist in this security group.",
            )
        current[rule_id] = replace(current[rule_id], description=wanted.description)
    for item in by_id:
        (rule,) = find_rules_by_id(group, [item.get("SecurityGroupRuleId", "")], egress)
        _check_rule_description(item.get("Description"))
        current[rule.id] = replace(current[rule.id], description=item.get("Description"))
    tx.put(evolve(group, rules=tuple(current.values())))


# -- references and staleness ------------------------------------------------------------------


def peering_link(view: View, group: SecurityGroup, rule: SgRule) -> tuple[str, str] | None:
    """(peering id, status) behind a cross-VPC reference: the active one now, else the one used."""
    if rule.group_vpc_id is None or rule.group_vpc_id == group.vpc_id:
        return None
    live = active_peering_between(view, group.vpc_id, rule.group_vpc_id)
    if live is not None:
        return live.id, live.status
    if rule.peering_id is None:
        return None
    recorded = view.get(VpcPeeringConnection, rule.peering_id)
    return rule.peering_id, "deleted" if recorded is None else recorded.status


def stale_rules(view: View, group: SecurityGroup) -> list[SgRule]:
    """Rules of a group that reference a deleted group or a group behind a lost peering (SG-15)."""
    return [
        rule
        for rule in group.rules
        if rule.group_id is not None and referenced_group(view, group, rule) is None
    ]


@dataclass(frozen=True, slots=True)
class Reference:
    """A group of a peered VPC whose rules reference one of ours (DescribeSecurityGroupReferences)."""

    group_id: str
    referencing_vpc_id: str
    peering_id: str


def references_to(view: View, group: SecurityGroup) -> list[Reference]:
    """Peered VPCs with groups that reference `group` over an active peering."""
    out = []
    for pcx in view.all(VpcPeeringConnection):
        if not peering_usable(pcx) or group.vpc_id not in (
            pcx.requester.vpc_id,
            pcx.accepter.vpc_id,
        ):
            continue
        peer = pcx.accepter if pcx.requester.vpc_id == group.vpc_id else pcx.requester
        if peer.region != view.region:
            continue
        peer_view = (
            view if peer.owner_id == view.account else view.other(peer.owner_id, peer.region)
        )
        if any(
            g.vpc_id == peer.vpc_id and any(r.group_id == group.id for r in g.rules)
            for g in peer_view.iter(SecurityGroup)
        ):
            out.append(Reference(group.id, peer.vpc_id, pcx.id))
    return out
