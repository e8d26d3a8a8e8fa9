"""EC2 operations on network ACLs: handlers and the presenter of the NetworkAcl shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpclab.api.common import spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import network_acls
from vpclab.control.lookup import select
from vpclab.model.network_acl import NaclEntry, NetworkAcl


def present_entry(entry: NaclEntry) -> dict[str, Any]:
    """One entry as EC2 shows it: protocol as a number string, ports/ICMP only where they apply."""
    out: dict[str, Any] = {
        "RuleNumber": entry.rule_number,
        "Protocol": entry.protocol,
        "RuleAction": entry.action,
        "Egress": entry.egress,
    }
    if entry.cidr is not None:
        out["CidrBlock"] = entry.cidr
    if entry.ipv6_cidr is not None:
        out["Ipv6CidrBlock"] = entry.ipv6_cidr
    if entry.port_from is not None:
        out["PortRange"] = {"From": entry.port_from, "To": entry.port_to}
    if entry.icmp_type is not None:
        out["IcmpTypeCode"] = {"Type": entry.icmp_type, "Code": entry.icmp_code}
    return out


def present_network_acl(ctx: RequestContext, acl: NetworkAcl) -> dict[str, Any]:
    """A network ACL in the shape of EC2's NetworkAcl."""
    return {
        "NetworkAclId": acl.id,
        "VpcId": acl.vpc_id,
        "IsDefault": acl.is_default,
        "OwnerId": ctx.account,
        "Entries": [
            present_entry(e)
            for e in sorted(acl.entries, key=lambda e: (not e.egress, e.rule_number))
        ],
        "Associations": [
            {"NetworkAclAssociationId": a.id, "NetworkAclId": acl.id, "SubnetId": a.subnet_id}
            for a in acl.associations
        ],
        "Tags": tag_list(acl),
    }


def _entry_values(pick: Callable[[NaclEntry], Any]) -> Callable[[NetworkAcl], list[Any]]:
    """A filter getter over every entry of an ACL (an ACL matches if any entry does)."""
    return lambda acl: [value for e in acl.entries if (value := pick(e)) is not None]


def network_acl_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeNetworkAcls filters EC2 supports."""
    return {
        "network-acl-id": lambda a: a.id,
        "vpc-id": lambda a: a.vpc_id,
        "default": lambda a: a.is_default,
        "owner-id": lambda a: ctx.account,
        "association.association-id": lambda a: [x.id for x in a.associations],
        "association.network-acl-id": lambda a: [a.id for _ in a.associations],
        "association.subnet-id": lambda a: [x.subnet_id for x in a.associations],
        "entry.cidr": _entry_values(lambda e: e.cidr),
        "entry.ipv6-cidr": _entry_values(lambda e: e.ipv6_cidr),
        "entry.egress": _entry_values(lambda e: e.egress),
        "entry.icmp.code": _entry_values(lambda e: e.icmp_code),
        "entry.icmp.type": _entry_values(lambda e: e.icmp_type),
        "entry.port-range.from": _entry_values(lambda e: e.port_from),
        "entry.port-range.to": _entry_values(lambda e: e.port_to),
        "entry.protocol": _entry_values(lambda e: e.protocol),
        "entry.rule-action": _entry_values(lambda e: e.action),
        "entry.rule-number": _entry_values(lambda e: e.rule_number),
    }


@operation("CreateNetworkAcl")
def create_network_acl(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateNetworkAcl (NACL-11)."""
    acl = network_acls.create_network_acl(
        ctx.tx,
        params["VpcId"],
        tags=spec_tags(params, "network-acl"),
        quotas=ctx.quotas_on,
        client_token=params.get("ClientToken") or "",
    )
    result: dict[str, Any] = {"NetworkAcl": present_network_acl(ctx, acl)}
    if params.get("ClientToken"):
        result["ClientToken"] = params["ClientToken"]
    return result


@operation("DeleteNetworkAcl")
def delete_network_acl(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkAcl (NACL-13, AMB-9)."""
    network_acls.delete_network_acl(ctx.tx, params["NetworkAclId"])
    return {}


@operation("DescribeNetworkAcls")
def describe_network_acls(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNetworkAcls."""
    ids = params.get("NetworkAclIds")
    return describe(
        select(ctx.tx, NetworkAcl, ids),
        params,
        fields=network_acl_filters(ctx),
        present=lambda a: present_network_acl(ctx, a),
        list_key="NetworkAcls",
        ids_given=bool(ids),
    )


@operation("CreateNetworkAclEntry")
def create_network_acl_entry(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateNetworkAclEntry (NACL-2, NACL-3, NACL-7, NACL-18)."""
    network_acls.create_entry(ctx.tx, params["NetworkAclId"], params)
    return {}


@operation("ReplaceNetworkAclEntry")
def replace_network_acl_entry(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ReplaceNetworkAclEntry (NACL-14)."""
    network_acls.replace_entry(ctx.tx, params["NetworkAclId"], params)
    return {}


@operation("DeleteNetworkAclEntry")
def delete_network_acl_entry(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkAclEntry (NACL-5, NACL-14)."""
    network_acls.delete_entry(
        ctx.tx, params["NetworkAclId"], int(params["RuleNumber"]), bool(params["Egress"])
    )
    return {}


@operation("ReplaceNetworkAclAssociation")
def replace_network_acl_association(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ReplaceNetworkAclAssociation (NACL-12)."""
    new_id = network_acls.replace_association(
        ctx.tx, params["AssociationId"], params["NetworkAclId"]
    )
    return {"NewAssociationId": new_id}
