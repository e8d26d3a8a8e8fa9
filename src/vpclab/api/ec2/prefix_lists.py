"""EC2 operations on managed prefix lists and AWS service prefix lists."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe, paginate
from vpclab.api.registry import operation
from vpclab.control import prefix_lists
from vpclab.control.lookup import require, select
from vpclab.model.security_group import PrefixList


def present_managed(ctx: RequestContext, plist: PrefixList) -> dict[str, Any]:
    """A list in the shape of EC2's ManagedPrefixList."""
    owner = prefix_lists.owner_of(ctx.tx, plist)
    return {
        "PrefixListId": plist.id,
        "AddressFamily": plist.address_family,
        "State": prefix_lists.state_of(plist),
        "PrefixListArn": f"arn:aws:ec2:{ctx.region}:{owner.lower()}:prefix-list/{plist.id}",
        "PrefixListName": plist.name,
        "MaxEntries": plist.max_entries,
        "Version": plist.version,
        "Tags": tag_list(plist),
        "OwnerId": owner,
    }


MANAGED_FILTERS: dict[str, Any] = {
    "prefix-list-id": lambda p: p.id,
    "prefix-list-name": lambda p: p.name,
}


@operation("CreateManagedPrefixList")
def create_managed_prefix_list(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateManagedPrefixList."""
    plist = prefix_lists.create(
        ctx.tx,
        name=params["PrefixListName"],
        address_family=params["AddressFamily"],
        max_entries=params["MaxEntries"],
        entries=params.get("Entries") or (),
        tags=spec_tags(params, "prefix-list"),
        quotas=ctx.quotas_on,
    )
    shown = present_managed(ctx, plist)
    shown["State"] = "create-in-progress"
    return {"PrefixList": shown}


@operation("DescribeManagedPrefixLists")
def describe_managed_prefix_lists(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeManagedPrefixLists: customer-managed and AWS-managed lists."""
    ids = params.get("PrefixListIds")
    fields = {**MANAGED_FILTERS, "owner-id": lambda p: prefix_lists.owner_of(ctx.tx, p)}
    return describe(
        select(ctx.tx, PrefixList, ids),
        params,
        fields=fields,
        present=lambda p: present_managed(ctx, p),
        list_key="PrefixLists",
        ids_given=bool(ids),
        minimum=1,
        maximum=100,
    )


@operation("DescribePrefixLists")
def describe_prefix_lists(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribePrefixLists: the AWS service lists (gateway-endpoint destinations)."""
    ids = params.get("PrefixListIds")
    chosen = [p for p in select(ctx.tx, PrefixList, ids) if p.aws_managed]
    return describe(
        chosen,
        params,
        fields=MANAGED_FILTERS,
        present=lambda p: {
            "PrefixListId": p.id,
            "PrefixListName": p.name,
            "Cidrs": list(p.cidrs()),
        },
        list_key="PrefixLists",
        ids_given=bool(ids),
    )


@operation("GetManagedPrefixListEntries")
def get_managed_prefix_list_entries(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """GetManagedPrefixListEntries, now or at a TargetVersion."""
    plist = require(ctx.tx, PrefixList, params["PrefixListId"])
    entries = prefix_lists.entries_at(plist, params.get("TargetVersion"))
    page, token = paginate(entries, params, key=lambda e: e.cidr, minimum=1, maximum=100)
    shown = []
    for entry in page:
        item = {"Cidr": entry.cidr}
        if entry.description is not None:
            item["Description"] = entry.description
        shown.append(item)
    result: dict[str, Any] = {"Entries": shown}
    if token:
        result["NextToken"] = token
    return result


@operation("ModifyManagedPrefixList")
def modify_managed_prefix_list(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyManagedPrefixList: entries (with CurrentVersion), name or MaxEntries."""
    plist = prefix_lists.modify(
        ctx.tx,
        params["PrefixListId"],
        current_version=params.get("CurrentVersion"),
        name=params.get("PrefixListName"),
        add=params.get("AddEntries") or (),
        remove=params.get("RemoveEntries") or (),
        max_entries=params.get("MaxEntries"),
    )
    shown = present_managed(ctx, plist)
    shown["State"] = "modify-in-progress"
    return {"PrefixList": shown}


@operation("DeleteManagedPrefixList")
def delete_managed_prefix_list(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteManagedPrefixList: refused while referenced."""
    plist = prefix_lists.delete(ctx.tx, params["PrefixListId"])
    shown = present_managed(ctx, plist)
    shown["State"] = "delete-in-progress"
    return {"PrefixList": shown}


@operation("GetManagedPrefixListAssociations")
def get_managed_prefix_list_associations(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """GetManagedPrefixListAssociations: route tables and groups using a customer list."""
    plist = prefix_lists.require_customer(ctx.tx, params["PrefixListId"])
    used = prefix_lists.associations(ctx.tx, plist.id)
    page, token = paginate(used, params, key=lambda u: u[0], minimum=5, maximum=255)
    result: dict[str, Any] = {
        "PrefixListAssociations": [
            {"ResourceId": rid, "ResourceOwner": owner} for rid, owner in page
        ]
    }
    if token:
        result["NextToken"] = token
    return result
