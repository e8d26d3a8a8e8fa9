"""CreateTags, DeleteTags and DescribeTags across every taggable resource."""

from __future__ import annotations

from typing import Any

from vpclab.api.context import RequestContext
from vpclab.api.describe import paginate
from vpclab.api.registry import operation
from vpclab.control import filters as flt
from vpclab.control import tags as tagging
from vpclab.model.base import KINDS
from vpclab.model.security_group import SecurityGroup


@operation("CreateTags")
def create_tags(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateTags: all resources tagged, or none."""
    pairs = [(t.get("Key", ""), t.get("Value", "")) for t in params.get("Tags") or ()]
    tagging.create(ctx.tx, params["Resources"], pairs)
    return {}


@operation("DeleteTags")
def delete_tags(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteTags: by key, by key and value, or every tag when none is named."""
    given = params.get("Tags")
    pairs = [(t.get("Key", ""), t.get("Value")) for t in given] if given else None
    tagging.delete(ctx.tx, params["Resources"], pairs)
    return {}


@operation("DescribeTags")
def describe_tags(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeTags: one row per (resource, tag), filterable by key, value, id and type;
    security group rules (held inside their group) are listed as resources of their own."""
    rows = []
    for cls in KINDS.values():
        if not cls.resource_type:
            continue
        for res in ctx.tx.iter(cls):
            for key, value in res.tags:
                rows.append(
                    {
                        "ResourceId": res.id,
                        "ResourceType": cls.resource_type,
                        "Key": key,
                        "Value": value,
                    }
                )
    for group in ctx.tx.iter(SecurityGroup):
        for rule in group.rules:
            for key, value in rule.tags:
                rows.append(
                    {
                        "ResourceId": rule.id,
                        "ResourceType": "security-group-rule",
                        "Key": key,
                        "Value": value,
                    }
                )
    fields = {
        "key": lambda r: r["Key"],
        "value": lambda r: r["Value"],
        "resource-id": lambda r: r["ResourceId"],
        "resource-type": lambda r: r["ResourceType"],
    }
    chosen = flt.apply(rows, params.get("Filters"), fields)
    page, token = paginate(
        chosen, params, key=lambda r: f"{r['ResourceId']}\x00{r['Key']}", minimum=5, maximum=1000
    )
    result: dict[str, Any] = {"Tags": page}
    if token:
        result["NextToken"] = token
    return result
