"""Tags on every taggable resource: CreateTags, DeleteTags and TagSpecifications on create."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from vpclab.control.lookup import missing
from vpclab.control.security_groups import rule_id_error
from vpclab.control.store import Tx
from vpclab.model.base import Resource, Tags, evolve, kind_of_id
from vpclab.model.errors import DomainError
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.state import View

MAX_TAGS = 50
RULE_PREFIX = "sgr"


def _validate(key: str, value: str) -> None:
    """AWS's per-tag limits: key 1-128 chars not starting with aws:, value up to 256 chars."""
    if not key or len(key) > 128:
        raise DomainError(
            "InvalidParameterValue", f"Tag key '{key}' must be 1 to 128 characters long"
        )
    if len(value) > 256:
        raise DomainError(
            "InvalidParameterValue", f"Tag value for key '{key}' exceeds 256 characters"
        )
    if key.lower().startswith("aws:"):
        raise DomainError(
            "InvalidParameterValue", f"Tag key '{key}' uses the reserved prefix 'aws:'"
        )


def merged(existing: Tags, new: Sequence[tuple[str, str]]) -> Tags:
    """Existing tags with new ones added or overwritten, in a stable order."""
    out = dict(existing)
    for key, value in new:
        _validate(key, value)
        out[key] = value
    if len(out) > MAX_TAGS:
        raise DomainError(
            "TagLimitExceeded", f"The maximum number of tags ({MAX_TAGS}) was exceeded"
        )
    return tuple(out.items())


def from_specs(specs: Sequence[Mapping[str, Any]] | None, resource_type: str) -> Tags:
    """Tags a create call asked for in TagSpecifications (only those for this resource type)."""
    pairs: list[tuple[str, str]] = []
    for spec in specs or ():
        rtype = spec.get("ResourceType")
        if rtype is not None and rtype != resource_type:
            raise DomainError(
                "InvalidParameterValue",
                f"'{rtype}' is not a valid taggable resource type for this operation.",
            )
        pairs.extend((t.get("Key", ""), t.get("Value", "")) for t in spec.get("Tags") or ())
    return merged((), pairs) if pairs else ()


def resolve(tx: Tx, resource_id: str) -> Resource:
    """The resource an id names, whatever its kind (tags work across kinds)."""
    cls = kind_of_id(resource_id)
    if cls is None:
        raise DomainError("InvalidID", f"The ID '{resource_id}' is not valid")
    found = tx.get(cls, resource_id)
    if found is None:
        raise missing(cls, resource_id)
    return found


def rule_holding(view: View, rule_id: str) -> tuple[SecurityGroup, SgRule]:
    """The group holding an sgr- rule and the rule (rules live inside their group)."""
    for group in view.iter(SecurityGroup):
        for rule in group.rules:
            if rule.id == rule_id:
                return group, rule
    raise rule_id_error(rule_id)


def _retag(tx: Tx, resource_id: str, change: Callable[[Tags], Tags]) -> None:
    """Replace the tags of a resource, or of a security group rule (an `sgr-` id), by
    change(current tags): EC2 tags rules like resources, though vpclab stores them in their
    group."""
    if resource_id.startswith(f"{RULE_PREFIX}-"):
        group, rule = rule_holding(tx, resource_id)
        retagged = replace(rule, tags=change(rule.tags))
        rules = tuple(retagged if r.id == rule.id else r for r in group.rules)
        tx.put(evolve(group, rules=rules))
        return
    res = resolve(tx, resource_id)
    tx.put(res.with_tags(change(res.tags)))


def create(tx: Tx, resource_ids: Sequence[str], tags: Sequence[tuple[str, str]]) -> None:
    """Add or overwrite tags on every named resource (all of them or none)."""
    for rid in resource_ids:
        _retag(tx, rid, lambda existing: merged(existing, tags))


def delete(
    tx: Tx, resource_ids: Sequence[str], tags: Sequence[tuple[str, str | None]] | None
) -> None:
    """Remove tags: by key, by key and value, or all of them when none is named."""

    def kept(existing: Tags) -> Tags:
        """The tags that survive this DeleteTags."""
        if not tags:
            return ()
        return tuple(
            (k, v)
            for k, v in existing
            if not any(k == dk and (dv is None or dv == v) for dk, dv in tags)
        )

    for rid in resource_ids:
        _retag(tx, rid, kept)
