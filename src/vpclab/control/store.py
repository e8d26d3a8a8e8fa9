"""State per account and region, changed only through atomic transactions, persisted to SQLite."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from vpclab.control import codec
from vpclab.model.base import KINDS, Resource
from vpclab.model.state import Clock, Tables, View, World

R = TypeVar("R", bound=Resource)

SCHEMA_VERSION = 1
Key = tuple[str, str]
Overlay = dict[Key, dict[str, dict[str, Resource | None]]]


# Run by every Tx.commit before its changes are applied, in registration order: a family whose
# resources AWS removes together with another one (flow logs with their VPC, subnet or ENI)
# registers here, so every deletion path cascades without knowing about it.
COMMIT_HOOKS: list[Callable[[Tx], None]] = []


class StateFileError(Exception):
    """A state file vpclab must not open: corrupt, or written by a newer version."""


class Store:
    """All partitions in memory, mirrored to a SQLite file (or to nothing, with path None)."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, clock: Clock | None = None
    ) -> None:
        self.path = None if path is None else Path(path)
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.partitions: dict[Key, Tables] = {}
        self.versions: dict[Key, int] = {}
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            self._open(self.path)

    # -- persistence -------------------------------------------------------------------------
    def _open(self, path: Path) -> None:
        """Open (or create) the state file and load every resource; refuse what is not ours."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.exists() or path.stat().st_size == 0
        try:
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            if fresh:
                db.executescript(
                    """
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS resources (
                        account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL,
                        id TEXT NOT NULL, body TEXT NOT NULL,
                        PRIMARY KEY (account, region, kind, id)) WITHOUT ROWID;
                    """
                )
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            rows = db.execute("SELECT account, region, kind, id, body FROM resources").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StateFileError(
                f"{path} is not a vpclab state file or is corrupted ({exc}); "
                "it was left untouched. Move it away or use `vpclab state restore`."
            ) from exc
        if row is None:
            raise StateFileError(f"{path} has no vpclab schema marker; refusing to use it")
        if int(row[0]) > SCHEMA_VERSION:
            raise StateFileError(
                f"{path} was written by a newer vpclab (schema {row[0]}, this one reads "
                f"{SCHEMA_VERSION}); upgrade vpclab to open it"
            )
        for account, region, kind, rid, body in rows:
            if kind not in KINDS:
                raise StateFileError(f"{path} holds resources of unknown kind {kind!r}")
            try:
                obj = codec.loads(kind, body)
            except (ValueError, TypeError, KeyError) as exc:
                raise StateFileError(f"{path}: resource {rid} cannot be read ({exc})") from exc
            self.partitions.setdefault((account, region), {}).setdefault(kind, {})[rid] = obj
        # Only now that the file is known to be ours may it be switched to WAL (which rewrites
        # its header): a refused file must stay byte-for-byte as it was.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        self._db = db

    def close(self) -> None:
        """Close the state file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _persist(self, overlay: Overlay) -> None:
        """Write one transaction's changes in one SQLite transaction (durable before we answer)."""
        if self._db is None:
            return
        upserts = []
        deletes = []
        for (account, region), kinds in overlay.items():
            for kind, items in kinds.items():
                for rid, obj in items.items():
                    if obj is None:
                        deletes.append((account, region, kind, rid))
                    else:
                        upserts.append((account, region, kind, rid, codec.dumps(obj)))
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if deletes:
                db.executemany(
                    "DELETE FROM resources WHERE account=? AND region=? AND kind=? AND id=?",
                    deletes,
                )
            if upserts:
                db.executemany("INSERT OR REPLACE INTO resources VALUES (?,?,?,?,?)", upserts)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- access ------------------------------------------------------------------------------
    def tables(self, account: str, region: str) -> Tables:
        """The live tables of a partition (created empty on first use)."""
        return self.partitions.setdefault((account, region), {})

    def world(self) -> World:
        """A read-only view of every partition."""
        return World(self.partitions, self.clock)

    def view(self, account: str, region: str) -> View:
        """A read-only view of one partition."""
        return self.world().view(account, region)

    def version(self, account: str, region: str) -> int:
        """A counter bumped by every committed change of a partition (for caches)."""
        return self.versions.get((account, region), 0)

    @contextmanager
    def transaction(self, account: str, region: str) -> Iterator[Tx]:
        """A transaction on one partition (and others via `tx.other`): all of it commits or none."""
        with self.lock:
            tx = Tx(self, account, region, {})
            yield tx
            tx.commit()

    def _apply(self, overlay: Overlay) -> None:
        """Persist, then publish a transaction's changes in memory."""
        self._persist(overlay)
        for key, kinds in overlay.items():
            tables = self.partitions.setdefault(key, {})
            for kind, items in kinds.items():
                table = tables.setdefault(kind, {})
                for rid, obj in items.items():
                    if obj is None:
                        table.pop(rid, None)
                    else:
                        table[rid] = obj
            self.versions[key] = self.versions.get(key, 0) + 1

    def replace_all(self, partitions: dict[Key, Tables]) -> None:
        """Swap the whole state (restore and reset): one SQLite transaction, then memory."""
        with self.lock:
            overlay: Overlay = {}
            for key, tables in self.partitions.items():
                for kind, items in tables.items():
                    for rid in items:
                        overlay.setdefault(key, {}).setdefault(kind, {})[rid] = None
            for key, tables in partitions.items():
                for kind, items in tables.items():
                    for rid, obj in items.items():
                        overlay.setdefault(key, {}).setdefault(kind, {})[rid] = obj
            self._apply(overlay)


class Tx(View):
    """A View whose writes stay in an overlay until commit; discarded on error (no partial change)."""

    def __init__(self, store: Store, account: str, region: str, overlay: Overlay) -> None:
        super().__init__(account, region, store.tables(account, region), store.clock, store.world())
        self.store = store
        self.overlay = overlay
        self.mine = overlay.setdefault((account, region), {})
        self.committed = False

    def get(self, cls: type[R], resource_id: str) -> R | None:
        """The resource as this transaction sees it."""
        changed = self.mine.get(cls.kind)
        if changed is not None and resource_id in changed:
            return changed[resource_id]  # type: ignore[return-value]
        return super().get(cls, resource_id)

    def _merged(self, cls: type[Resource]) -> dict[str, Resource]:
        base = self.tables.get(cls.kind, {})
        changed = self.mine.get(cls.kind)
        if not changed:
            return base
        merged = dict(base)
        for rid, obj in changed.items():
            if obj is None:
                merged.pop(rid, None)
            else:
                merged[rid] = obj
        return merged

    def all(self, cls: type[R]) -> list[R]:
        """Every resource of a class as this transaction sees it, sorted by id."""
        merged = self._merged(cls)
        return [merged[k] for k in sorted(merged)]  # type: ignore[misc]

    def iter(self, cls: type[R]) -> Iterator[R]:
        """Every resource of a class as this transaction sees it."""
        return iter(list(self._merged(cls).values()))  # type: ignore[arg-type]

    def count(self, cls: type[Resource]) -> int:
        """How many resources of a class exist in this transaction's view."""
        return len(self._merged(cls))

    def put(self, obj: Resource) -> None:
        """Create or replace a resource."""
        self.mine.setdefault(obj.kind, {})[obj.id] = obj

    def delete(self, cls: type[Resource], resource_id: str) -> None:
        """Remove a resource."""
        self.mine.setdefault(cls.kind, {})[resource_id] = None

    def other(self, account: str, region: str) -> Tx:
        """The same transaction seen from another partition (peering across accounts/regions)."""
        if (account, region) == (self.account, self.region):
            return self
        return Tx(self.store, account, region, self.overlay)

    def deleted_ids(self, cls: type[Resource]) -> list[str]:
        """Ids of the resources of a class this transaction deletes (in any partition it touches)."""
        return [
            rid
            for kinds in self.overlay.values()
            for rid, obj in kinds.get(cls.kind, {}).items()
            if obj is None
        ]

    def commit(self) -> None:
        """Apply every change of this transaction at once (after the commit hooks' own)."""
        if self.committed:
            return
        if any(any(kinds.values()) for kinds in self.overlay.values()):
            for hook in COMMIT_HOOKS:
                hook(self)
            self.committed = True
            self.store._apply(self.overlay)
        self.committed = True

    def discard(self) -> None:
        """Drop every change (DryRun, errors)."""
        self.committed = True
        self.overlay.clear()
