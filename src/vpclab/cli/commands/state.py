"""`vpclab state backup|restore|reset`: copy, bring back or empty a state file safely."""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the state subcommand and its backup, restore and reset actions."""
    state = sub.add_parser("state", help="back up, restore or reset a state file")
    actions = state.add_subparsers(dest="action", required=True)
    backup = actions.add_parser("backup", help="copy the state file (safe while serving)")
    backup.add_argument("path", metavar="PATH", help="where to write the backup")
    restore = actions.add_parser("restore", help="replace the state with a backup")
    restore.add_argument("path", metavar="PATH", help="the backup to restore")
    reset = actions.add_parser("reset", help="delete every resource in the state")
    reset.add_argument("--yes", action="store_true", help="confirm: this deletes everything")
    for action in (backup, restore, reset):
        action.add_argument("--state", metavar="PATH", help="state file (default: user data dir)")
    state.set_defaults(func=run)


def state_path(args: argparse.Namespace) -> Path:
    """The state file the command works on: --state, else the server's default."""
    from vpclab.server.run import default_state_path

    return Path(args.state) if args.state else default_state_path()


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database onto another with the online backup API (consistent snapshot)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def check_vpclab_file(path: Path) -> None:
    """Open the file as a vpclab state (raising StateFileError if it is not one we can read)."""
    from vpclab.control.store import Store
    from vpclab.model import load_all_kinds

    load_all_kinds()
    Store(path).close()


def validated_copy(source: Path, target: Path) -> None:
    """Snapshot `source` to `target` through a scratch copy checked to be a readable vpclab state."""
    from vpclab.control.store import StateFileError

    if not source.is_file():
        raise StateFileError(f"{source} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch_name = tempfile.mkstemp(suffix=".db", dir=target.parent)
    os.close(handle)
    scratch = Path(scratch_name)
    try:
        try:
            sqlite_copy(source, scratch)
        except sqlite3.DatabaseError as exc:
            raise StateFileError(f"{source} is not a vpclab state file ({exc})") from exc
        try:
            check_vpclab_file(scratch)
        except StateFileError as exc:  # name the user's file, not our scratch copy of it
            raise StateFileError(str(exc).replace(str(scratch), str(source))) from exc
        sqlite_copy(scratch, target)
    finally:
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def reset(path: Path, confirmed: bool) -> str:
    """Delete every resource (the file stays, with its schema), only when confirmed."""
    from vpclab.control.store import StateFileError

    if not confirmed:
        raise StateFileError(f"this deletes every resource in {path}; run again with --yes")
    if not path.is_file():
        raise StateFileError(f"{path} does not exist")
    check_vpclab_file(path)
    db = sqlite3.connect(path)
    try:
        with db:
            count = db.execute("SELECT COUNT(*) FROM resources").fetchone()[0]
            db.execute("DELETE FROM resources")
    finally:
        db.close()
    return f"deleted {count} resources from {path}"


def run(args: argparse.Namespace) -> int:
    """Back up, restore or reset; a refused file gives a clear message and exit status 2."""
    from vpclab.control.store import StateFileError

    path = state_path(args)
    try:
        if args.action == "backup":
            validated_copy(path, Path(args.path))
            print(f"backed up {path} to {args.path}")
        elif args.action == "restore":
            validated_copy(Path(args.path), path)
            print(f"restored {args.path} into {path} (restart a running server to load it)")
        else:
            print(reset(path, args.yes))
    except StateFileError as exc:
        print(f"vpclab state {args.action}: {exc}", file=sys.stderr)
        return 2
    return 0
