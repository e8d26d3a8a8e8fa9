"""Read access to state: one partition per (account, region), and the clock that settles states."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from vpclab.model.base import Resource

R = TypeVar("R", bound=Resource)

Tables = dict[str, dict[str, Resource]]


@dataclass
class Clock:
    """Wall time plus the delay after which transitional states settle (AMB-1), shiftable in tests."""

    settle_seconds: float = 1.0
    offset: float = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the emulated world sees them."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move emulated time forward (tests and the tour use it instead of sleeping)."""
        self.offset += seconds


@dataclass
class View:
    """A read-only look at one partition; the data plane and presenters only ever get this."""

    account: str
    region: str
    tables: Tables
    clock: Clock = field(default_factory=Clock)
    world: World | None = None

    def get(self, cls: type[R], resource_id: str) -> R | None:
        """The resource of that class and id, or None."""
        found = self.tables.get(cls.kind, {}).get(resource_id)
        return found  # type: ignore[return-value]

    def all(self, cls: type[R]) -> list[R]:
        """Every resource of a class, sorted by id so answers are deterministic."""
        table = self.tables.get(cls.kind, {})
        return [table[k] for k in sorted(table)]  # type: ignore[misc]

    def iter(self, cls: type[R]) -> Iterator[R]:
        """Every resource of a class in no particular order (cheaper than `all`)."""
        return iter(self.tables.get(cls.kind, {}).values())  # type: ignore[arg-type]

    def count(self, cls: type[Resource]) -> int:
        """How many resources of a class exist."""
        return len(self.tables.get(cls.kind, {}))

    def now(self) -> float:
        """The emulated time."""
        return self.clock.now()

    def other(self, account: str, region: str) -> View:
        """Another partition of the same world (peering across accounts and regions)."""
        if self.world is None:
            raise LookupError("this view has no world")
        return self.world.view(account, region)


class World:
    """Every partition, read-only: what the data plane needs to follow a path across accounts."""

    def __init__(self, partitions: dict[tuple[str, str], Tables], clock: Clock) -> None:
        self.partitions = partitions
        self.clock = clock

    def view(self, account: str, region: str) -> View:
        """The view of one partition (empty if it was never used)."""
        tables = self.partitions.setdefault((account, region), {})
        return View(account, region, tables, self.clock, self)
