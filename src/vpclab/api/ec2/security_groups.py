"""EC2 operations on security groups and their rules: handlers and presenters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from vpclab.api.common import arn, spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe, paginate
from vpclab.api.registry import operation
from vpclab.control import security_groups as sgs
from vpclab.control.lookup import require, select
from vpclab.model.base import Tags
from vpclab.model.errors import DomainError
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.state import View

# -- presenters --------------------------------------------------------------------------------


def present_pair(ctx: RequestContext, group: SecurityGroup, rule: SgRule) -> dict[str, Any]:
    """A group reference as a UserIdGroupPair; peer VPC details only across VPCs."""
    pair: dict[str, Any] = {"GroupId": rule.group_id, "UserId": rule.group_owner or ctx.account}
    if rule.group_vpc_id is not None and rule.group_vpc_id != group.vpc_id:
        pair["VpcId"] = rule.group_vpc_id
        link = sgs.peering_link(ctx.tx, group, rule)
        if link is not None:
            pair["VpcPeeringConnectionId"], pair["PeeringStatus"] = link
    if rule.description is not None:
        pair["Description"] = rule.description
    return pair


def _with_description(body: dict[str, Any], rule: SgRule) -> dict[str, Any]:
    """A peer entry with the rule's description when it has one."""
    if rule.description is not None:
        body["Description"] = rule.description
    return body


def _permission_head(protocol: str, from_port: int | None, to_port: int | None) -> dict[str, Any]:
    """The protocol and ports of an IpPermission (ports absent where they mean nothing)."""
    head: dict[str, Any] = {
        "IpProtocol": protocol,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if from_port is not None:
        head["FromPort"] = from_port
        head["ToPort"] = to_port
    return head


def present_permissions(
    ctx: RequestContext, group: SecurityGroup, rules: Sequence[SgRule]
) -> list[dict[str, Any]]:
    """Rules grouped into IpPermissions by protocol and ports, as DescribeSecurityGroups shows them."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for rule in rules:
        key = (rule.protocol, rule.from_port, rule.to_port)
        perm = grouped.setdefault(key, _permission_head(*key))
        if rule.cidr_ipv4 is not None:
            perm["IpRanges"].append(_with_description({"CidrIp": rule.cidr_ipv4}, rule))
        elif rule.cidr_ipv6 is not None:
            perm["Ipv6Ranges"].append(_with_description({"CidrIpv6": rule.cidr_ipv6}, rule))
        elif rule.prefix_list_id is not None:
            perm["PrefixListIds"].append(
                _with_description({"PrefixListId": rule.prefix_list_id}, rule)
            )
        else:
            perm["UserIdGroupPairs"].append(present_pair(ctx, group, rule))
    return list(grouped.values())


def present_group(ctx: RequestContext, group: SecurityGroup) -> dict[str, Any]:
    """A group in the shape of EC2's SecurityGroup."""
    return {
        "GroupId": group.id,
        "GroupName": group.name,
        "Description": group.description,
        "VpcId": group.vpc_id,
        "OwnerId": ctx.account,
        "SecurityGroupArn": arn(ctx, "security-group", group.id),
        "IpPermissions": present_permissions(ctx, group, group.ingress()),
        "IpPermissionsEgress": present_permissions(ctx, group, group.egress()),
        "Tags": tag_list(group),
    }


def rule_fields(group: SecurityGroup, rule: SgRule) -> dict[str, Any]:
    """The fields SecurityGroupRule and RevokedSecurityGroupRule share."""
    out: dict[str, Any] = {
        "SecurityGroupRuleId": rule.id,
        "GroupId": group.id,
        "IsEgress": rule.egress,
        "IpProtocol": rule.protocol,
        "FromPort": -1 if rule.from_port is None else rule.from_port,
        "ToPort": -1 if rule.to_port is None else rule.to_port,
    }
    for name, value in (
        ("CidrIpv4", rule.cidr_ipv4),
        ("CidrIpv6", rule.cidr_ipv6),
        ("PrefixListId", rule.prefix_list_id),
        ("Description", rule.description),
    ):
        if value is not None:
            out[name] = value
    return out


def present_rule(ctx: RequestContext, group: SecurityGroup, rule: SgRule) -> dict[str, Any]:
    """A rule in the shape of EC2's SecurityGroupRule."""
    out = rule_fields(group, rule)
    out["GroupOwnerId"] = ctx.account
    out["SecurityGroupRuleArn"] = arn(ctx, "security-group-rule", rule.id)
    out["Tags"] = [{"Key": k, "Value": v} for k, v in rule.tags]
    if rule.group_id is not None:
        info = present_pair(ctx, group, rule)
        info.pop("Description", None)
        out["ReferencedGroupInfo"] = info
    return out


def present_revoked(group: SecurityGroup, rule: SgRule) -> dict[str, Any]:
    """A removed rule in the shape of EC2's RevokedSecurityGroupRule."""
    out = rule_fields(group, rule)
    if rule.group_id is not None:
        out["ReferencedGroupId"] = rule.group_id
    return out


# -- filters -----------------------------------------------------------------------------------


def _rule_values(
    egress: bool, pick: Callable[[SgRule], Any]
) -> Callable[[SecurityGroup], list[Any]]:
    """A filter getter over one direction's rules (a group matches if any rule does)."""

    def values(group: SecurityGroup) -> list[Any]:
        """The values of one rule field across the group's rules of that direction."""
        return [v for r in group.rules if r.egress == egress and (v := pick(r)) is not None]

    return values


def _group_name_of(view: View, rule: SgRule) -> str | None:
    """The name of the group a rule references, when it can still be read."""
    if rule.group_id is None:
        return None
    owner = rule.group_owner or view.account
    home = view if owner == view.account else view.other(owner, view.region)
    target = home.get(SecurityGroup, rule.group_id)
    return None if target is None else target.name


def permission_filters(ctx: RequestContext, prefix: str, egress: bool) -> dict[str, Any]:
    """The ip-permission.* (or egress.ip-permission.*) filters of DescribeSecurityGroups."""
    picks: dict[str, Callable[[SgRule], Any]] = {
        "cidr": lambda r: r.cidr_ipv4,
        "ipv6-cidr": lambda r: r.cidr_ipv6,
        "from-port": lambda r: -1 if r.from_port is None else r.from_port,
        "to-port": lambda r: -1 if r.to_port is None else r.to_port,
        "protocol": lambda r: r.protocol,
        "group-id": lambda r: r.group_id,
        "group-name": lambda r: _group_name_of(ctx.tx, r),
        "prefix-list-id": lambda r: r.prefix_list_id,
        "user-id": lambda r: (r.group_owner or ctx.account) if r.group_id else None,
    }
    return {f"{prefix}.{name}": _rule_values(egress, pick) for name, pick in picks.items()}


def group_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeSecurityGroups filters EC2 supports."""
    return {
        "group-id": lambda g: g.id,
        "group-name": lambda g: g.name,
        "description": lambda g: g.description,
        "vpc-id": lambda g: g.vpc_id,
        "owner-id": lambda g: ctx.account,
        **permission_filters(ctx, "ip-permission", egress=False),
        **permission_filters(ctx, "egress.ip-permission", egress=True),
    }


class RuleOfGroup(NamedTuple):
    """A rule with the group holding it: what DescribeSecurityGroupRules lists and filters."""

    group: SecurityGroup
    rule: SgRule

    @property
    def tags(self) -> Tags:
        """The rule's tags (filters read `tags`)."""
        return self.rule.tags


RULE_FILTERS: dict[str, Any] = {
    "group-id": lambda item: item.group.id,
    "security-group-rule-id": lambda item: item.rule.id,
}


# -- handlers ----------------------------------------------------------------------------------


@operation("CreateSecurityGroup")
def create_security_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateSecurityGroup (SG-4, SG-6)."""
    group = sgs.create_group(
        ctx.tx,
        name=params["GroupName"],
        description=params["Description"],
        vpc_id=params.get("VpcId"),
        tags=spec_tags(params, "security-group"),
        quotas=ctx.quotas_on,
    )
    return {
        "GroupId": group.id,
        "Tags": tag_list(group),
        "SecurityGroupArn": arn(ctx, "security-group", group.id),
    }


@operation("DeleteSecurityGroup")
def delete_security_group(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteSecurityGroup (SG-5, SG-20, AMB-11)."""
    group = sgs.delete_group(ctx.tx, params.get("GroupId"), params.get("GroupName"))
    return {"Return": True, "GroupId": group.id}


@operation("DescribeSecurityGroups")
def describe_security_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeSecurityGroups: by ids, by names (default VPC), filters, pages."""
    ids = params.get("GroupIds")
    names = params.get("GroupNames")
    chosen = select(ctx.tx, SecurityGroup, ids) if ids or not names else []
    if names:
        # Ids and names together select the union of both, each group once.
        named = [sgs.group_by_name_in_default_vpc(ctx.tx, n) for n in names]
        chosen = list({g.id: g for g in (*chosen, *named)}.values())
    return describe(
        chosen,
        params,
        fields=group_filters(ctx),
        present=lambda g: present_group(ctx, g),
        list_key="SecurityGroups",
        ids_given=bool(ids or names),
    )


def _target_group(ctx: RequestContext, params: dict[str, Any], egress: bool) -> SecurityGroup:
    """The group an Authorize/Revoke/Update names: egress by GroupId only (SG-16)."""
    if egress:
        return require(ctx.tx, SecurityGroup, params["GroupId"])
    return sgs.find_group(ctx.tx, params.get("GroupId"), params.get("GroupName"))


def _authorize(ctx: RequestContext, params: dict[str, Any], egress: bool) -> dict[str, Any]:
    """AuthorizeSecurityGroupIngress/Egress: add rules, answer with their sgr- ids (SG-16)."""
    group = _target_group(ctx, params, egress)
    rules = sgs.request_rules(ctx.tx, group, params, egress)
    added = sgs.authorize(ctx.tx, group, rules, spec_tags(params, "security-group-rule"))
    return {"Return": True, "SecurityGroupRules": [present_rule(ctx, group, r) for r in added]}


@operation("AuthorizeSecurityGroupIngress")
def authorize_security_group_ingress(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AuthorizeSecurityGroupIngress."""
    return _authorize(ctx, params, egress=False)


@operation("AuthorizeSecurityGroupEgress")
def authorize_security_group_egress(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AuthorizeSecurityGroupEgress."""
    return _authorize(ctx, params, egress=True)


def _revoke(ctx: RequestContext, params: dict[str, Any], egress: bool) -> dict[str, Any]:
    """RevokeSecurityGroupIngress/Egress by rule ids or exact match (SG-17)."""
    group = _target_group(ctx, params, egress)
    rule_ids = params.get("SecurityGroupRuleIds") or []
    by_ids_only = bool(rule_ids) and sgs.legacy_permission(params) is None
    rules: list[SgRule] = []
    if not by_ids_only or params.get("IpPermissions"):
        rules = sgs.request_rules(ctx.tx, group, params, egress, matching=True)
    outcome = sgs.revoke(ctx.tx, group, egress, rule_ids=rule_ids, rules=rules)
    result: dict[str, Any] = {
        "Return": True,
        "RevokedSecurityGroupRules": [present_revoked(group, r) for r in outcome.revoked],
    }
    if outcome.unknown:
        result["UnknownIpPermissions"] = present_permissions(ctx, group, outcome.unknown)
    return result


@operation("RevokeSecurityGroupIngress")
def revoke_security_group_ingress(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """RevokeSecurityGroupIngress."""
    return _revoke(ctx, params, egress=False)


@operation("RevokeSecurityGroupEgress")
def revoke_security_group_egress(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """RevokeSecurityGroupEgress."""
    return _revoke(ctx, params, egress=True)


@operation("DescribeSecurityGroupRules")
def describe_security_group_rules(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeSecurityGroupRules: every rule of every group, by id, filtered, paged."""
    items = [RuleOfGroup(g, r) for g in ctx.tx.all(SecurityGroup) for r in g.rules]
    ids = params.get("SecurityGroupRuleIds")
    if ids:
        known = {item.rule.id for item in items}
        for rule_id in ids:
            if rule_id not in known:
                raise sgs.rule_id_error(rule_id)
        items = [item for item in items if item.rule.id in ids]
    return describe(
        items,
        params,
        fields=RULE_FILTERS,
        present=lambda item: present_rule(ctx, item.group, item.rule),
        list_key="SecurityGroupRules",
        key=lambda item: item.rule.id,
        ids_given=bool(ids),
    )


@operation("ModifySecurityGroupRules")
def modify_security_group_rules(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifySecurityGroupRules: replace rules in place by id."""
    group = require(ctx.tx, SecurityGroup, params["GroupId"])
    sgs.modify_rules(ctx.tx, group, params["SecurityGroupRules"])
    return {"Return": True}


def _update_descriptions(
    ctx: RequestContext, params: dict[str, Any], egress: bool
) -> dict[str, Any]:
    """UpdateSecurityGroupRuleDescriptionsIngress/Egress: by IpPermissions or by rule id."""
    group = sgs.find_group(ctx.tx, params.get("GroupId"), params.get("GroupName"))
    permissions = params.get("IpPermissions") or []
    by_id = params.get("SecurityGroupRuleDescriptions") or []
    if not permissions and not by_id:
        raise DomainError(
            "MissingParameter",
            "The request must contain the parameter ipPermissions or securityGroupRuleDescriptions",
        )
    rules = sgs.rules_from_permissions(ctx.tx, group, permissions, egress, matching=True)
    sgs.update_descriptions(ctx.tx, group, egress, rules=rules, by_id=by_id)
    return {"Return": True}


@operation("UpdateSecurityGroupRuleDescriptionsIngress")
def update_descriptions_ingress(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateSecurityGroupRuleDescriptionsIngress."""
    return _update_descriptions(ctx, params, egress=False)


@operation("UpdateSecurityGroupRuleDescriptionsEgress")
def update_descriptions_egress(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateSecurityGroupRuleDescriptionsEgress."""
    return _update_descriptions(ctx, params, egress=True)


@operation("DescribeSecurityGroupReferences")
def describe_security_group_references(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DescribeSecurityGroupReferences: peered VPCs whose groups reference ours."""
    refs = []
    for group in select(ctx.tx, SecurityGroup, params["GroupId"]):
        refs.extend(sgs.references_to(ctx.tx, group))
    return {
        "SecurityGroupReferenceSet": [
            {
                "GroupId": r.group_id,
                "ReferencingVpcId": r.referencing_vpc_id,
                "VpcPeeringConnectionId": r.peering_id,
            }
            for r in refs
        ]
    }


def present_stale_permission(
    ctx: RequestContext, group: SecurityGroup, rule: SgRule
) -> dict[str, Any]:
    """One stale rule as EC2's StaleIpPermission (SG-15)."""
    pair = present_pair(ctx, group, rule)
    pair.pop("Description", None)
    perm: dict[str, Any] = {"IpProtocol": rule.protocol, "UserIdGroupPairs": [pair]}
    if rule.from_port is not None:
        perm["FromPort"] = rule.from_port
        perm["ToPort"] = rule.to_port
    return perm


def present_stale(ctx: RequestContext, group: SecurityGroup, stale: list[SgRule]) -> dict[str, Any]:
    """A group with stale rules in the shape of EC2's StaleSecurityGroup (SG-15)."""
    return {
        "GroupId": group.id,
        "GroupName": group.name,
        "Description": group.description,
        "VpcId": group.vpc_id,
        "StaleIpPermissions": [
            present_stale_permission(ctx, group, r) for r in stale if not r.egress
        ],
        "StaleIpPermissionsEgress": [
            present_stale_permission(ctx, group, r) for r in stale if r.egress
        ],
    }


@operation("DescribeStaleSecurityGroups")
def describe_stale_security_groups(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeStaleSecurityGroups: groups of a VPC with rules that reference lost groups (SG-15)."""
    from vpclab.model.vpc import Vpc

    vpc = require(ctx.tx, Vpc, params["VpcId"])
    found = []
    for group in ctx.tx.all(SecurityGroup):
        if group.vpc_id == vpc.id:
            stale = sgs.stale_rules(ctx.tx, group)
            if stale:
                found.append((group, stale))
    page, token = paginate(found, params, key=lambda item: item[0].id, minimum=5, maximum=255)
    result: dict[str, Any] = {
        "StaleSecurityGroupSet": [present_stale(ctx, g, stale) for g, stale in page]
    }
    if token:
        result["NextToken"] = token
    return result
