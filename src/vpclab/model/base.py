"""What every stored resource shares: a frozen value with an id and tags."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

Tags = tuple[tuple[str, str], ...]

R = TypeVar("R", bound="Resource")


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    """Base of every resource kept in state; `kind` names its table, `id` its key."""

    kind: ClassVar[str] = ""
    id_prefix: ClassVar[str] = ""
    resource_type: ClassVar[str] = ""
    id: str
    tags: Tags = field(default=())

    def with_tags(self: R, tags: Tags) -> R:
        """A copy carrying a new tag set (tags are the only thing every resource lets you change)."""
        return replace(self, tags=tags)

    def tag_dict(self) -> dict[str, str]:
        """Tags as a dict, for lookups by key."""
        return dict(self.tags)


def evolve(obj: R, **changes: Any) -> R:
    """dataclasses.replace under a short name: resources are immutable, changes make copies."""
    return replace(obj, **changes)


KINDS: dict[str, type[Resource]] = {}


def kind_of_id(resource_id: str) -> type[Resource] | None:
    """The resource class an id belongs to, judged by its prefix (vpc-, subnet-, sg-, ...)."""
    prefix = resource_id.rsplit("-", 1)[0]
    for cls in KINDS.values():
        if cls.id_prefix and cls.id_prefix == prefix:  # kinds without ids have no prefix
            return cls
    return None


def register(cls: type[R]) -> type[R]:
    """Record a resource class under its kind so the store can load it back."""
    if not cls.kind or cls.kind in KINDS:
        raise ValueError(f"bad or duplicate resource kind {cls.kind!r}")
    KINDS[cls.kind] = cls
    return cls
