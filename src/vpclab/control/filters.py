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


def _pattern_text(value: str) -> str:
    """The regex of one filter value: '*' any run, '?' one character, the rest literal."""
    parts = []
    for ch in value:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


Admits = Callable[[list[str]], bool]


@lru_cache(maxsize=1024)
def _admits(values: tuple[str, ...]) -> Admits:
    """Whether any candidate string matches any of a filter's values, compiled once per set of
    values: plain values are a set lookup, wildcard ones one alternation matched in full."""
    literal = frozenset(v for v in values if "*" not in v and "?" not in v)
    wild = [v for v in values if v not in literal]
    if not wild:
        return lambda candidates: not literal.isdisjoint(candidates)
    either = re.compile("|".join(f"(?:{_pattern_text(v)})" for v in wild), re.DOTALL).fullmatch
    return lambda candidates: (
        not literal.isdisjoint(candidates) or any(either(c) is not None for c in candidates)
    )


def _strings(value: Any) -> list[str]:
    """A field's value(s) as the strings filters compare against (booleans as true/false)."""
    if value is None:
        return []
    if type(value) is str:
        return [value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int | float):
        return [str(value)]
    out: list[str] = []
    for item in value:
        if type(item) is str:
            out.append(item)
        else:
            out.extend(_strings(item))
    return out


def _tags_of(obj: Any) -> Iterable[tuple[str, str]]:
    """The tags of a resource (empty for objects without tags)."""
    tags: Iterable[tuple[str, str]] = getattr(obj, "tags", ())
    return tags


Candidates = Callable[[Any], list[str]]


def _candidates(name: str, fields: Mapping[str, FieldGetter]) -> Candidates:
    """The strings of an object that filter `name` compares against."""
    if name.startswith("tag:"):
        key = name[4:]
        return lambda obj: [v for k, v in _tags_of(obj) if k == key]
    if name == "tag-key":
        return lambda obj: [k for k, _ in _tags_of(obj)]
    if name == "tag-value":
        return lambda obj: [v for _, v in _tags_of(obj)]
    getter = fields[name]
    return lambda obj: _strings(getter(obj))


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
    """The items every filter admits (each filter's matcher and getter built once per call)."""
    if not filters:
        return list(items)
    check_names(filters, fields)
    plan = [
        (_admits(tuple(f.get("Values") or ())), _candidates(f["Name"], fields)) for f in filters
    ]
    kept = []
    for item in items:
        for admits, strings in plan:
            if not admits(strings(item)):
                break
        else:
            kept.append(item)
    return kept


def tagged(resource: Resource) -> list[dict[str, str]]:
    """Tags in the shape EC2 returns them."""
    return [{"Key": k, "Value": v} for k, v in resource.tags]
