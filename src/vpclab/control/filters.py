"""Describe filters as EC2 applies them: AND across names, OR across values, * and ? wildcards."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from vpclab.model.base import Resource
from vpclab.model.errors import DomainError

T = TypeVar("T")
FieldGetter = Callable[[Any], Any]


@lru_cache(maxsize=4096)
def _pattern(value: str) -> re.Pattern[str]:
    """A compiled matcher for one filter value: '*' any run, '?' one character, the rest literal."""
    parts = []
    for ch in value:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def _strings(value: Any) -> list[str]:
    """A field's value(s) as the strings filters compare against (booleans as true/false)."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int | float):
        return [str(value)]
    out: list[str] = []
    for item in value:
        out.extend(_strings(item))
    return out


def _tags_of(obj: Any) -> Iterable[tuple[str, str]]:
    """The tags of a resource (empty for objects without tags)."""
    tags: Iterable[tuple[str, str]] = getattr(obj, "tags", ())
    return tags


def matches(obj: Any, name: str, values: Sequence[str], fields: Mapping[str, FieldGetter]) -> bool:
    """Whether one filter (one name, any of its values) admits the object."""
    patterns = [_pattern(v) for v in values]
    if name.startswith("tag:"):
        key = name[4:]
        candidates = [v for k, v in _tags_of(obj) if k == key]
    elif name == "tag-key":
        candidates = [k for k, _ in _tags_of(obj)]
    elif name == "tag-value":
        candidates = [v for _, v in _tags_of(obj)]
    else:
        candidates = _strings(fields[name](obj))
    return any(p.fullmatch(c) for p in patterns for c in candidates)


def check_names(filters: Sequence[Mapping[str, Any]], fields: Mapping[str, FieldGetter]) -> None:
    """Refuse filter names the operation does not support, as EC2 does."""
    for flt in filters:
        name = flt.get("Name")
        if name is None:
            raise DomainError("InvalidParameterValue", "The filter name must be specified")
        if name in fields or name.startswith("tag:") or name in ("tag-key", "tag-value"):
            continue
        raise DomainError("InvalidParameterValue", f"The filter '{name}' is invalid")


def apply(
    items: Iterable[T],
    filters: Sequence[Mapping[str, Any]] | None,
    fields: Mapping[str, FieldGetter],
) -> list[T]:
    """The items every filter admits."""
    if not filters:
        return list(items)
    check_names(filters, fields)
    plan = [(f["Name"], list(f.get("Values") or [])) for f in filters]
    return [item for item in items if all(matches(item, n, v, fields) for n, v in plan)]


def tagged(resource: Resource) -> list[dict[str, str]]:
    """Tags in the shape EC2 returns them."""
    return [{"Key": k, "Value": v} for k, v in resource.tags]
