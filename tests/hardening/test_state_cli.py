"""`vpclab state backup|restore|reset` on real state files (no server needed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support import client
from vpclab.api.dispatch import Api
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock


def make_state(path: Path, cidr: str) -> str:
    """A state file holding one VPC of this CIDR (plus what AWS creates); its id."""
    store = Store(path, clock=Clock(settle_seconds=0.0))
    try:
        return str(client(Api(store)).create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])
    finally:
        store.close()


def vpc_ids(path: Path) -> set[str]:
    """The VPC ids a state file holds, read back through the API."""
    store = Store(path, clock=Clock(settle_seconds=0.0))
    try:
        return {vpc["VpcId"] for vpc in client(Api(store)).describe_vpcs()["Vpcs"]}
    finally:
        store.close()


def test_state_backup_then_restore_brings_back_the_snapshot(tmp_path: Path) -> None:
    """A backup taken now and restored later undoes every change made in between."""
    state, backup = tmp_path / "state.db", tmp_path / "backup.db"
    kept = make_state(state, "10.1.0.0/16")
    assert main(["state", "backup", str(backup), "--state", str(state)]) == 0
    later = make_state(state, "10.2.0.0/16")
    assert {kept, later} <= vpc_ids(state)
    assert main(["state", "restore", str(backup), "--state", str(state)]) == 0
    restored = vpc_ids(state)
    assert kept in restored and later not in restored


def test_state_restore_refuses_a_file_that_is_not_vpclab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Restoring a random file or a foreign SQLite database fails clearly and changes nothing."""
    state = tmp_path / "state.db"
    kept = make_state(state, "10.1.0.0/16")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    for bad in (junk, foreign, tmp_path / "missing.db"):
        assert main(["state", "restore", str(bad), "--state", str(state)]) == 2
        assert str(bad) in capsys.readouterr().err
    assert kept in vpc_ids(state)


def test_state_restore_refuses_a_file_from_a_newer_vpclab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup whose schema is newer than this vpclab reads is refused with an upgrade hint."""
    state, newer = tmp_path / "state.db", tmp_path / "newer.db"
    make_state(state, "10.1.0.0/16")
    make_state(newer, "10.3.0.0/16")
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE meta SET value='999' WHERE key='schema'")
    db.close()
    assert main(["state", "restore", str(newer), "--state", str(state)]) == 2
    assert "newer vpclab" in capsys.readouterr().err


def test_state_reset_needs_yes_then_empties_the_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """reset without --yes refuses; with it, every resource is gone and the file still opens."""
    state = tmp_path / "state.db"
    vpc = make_state(state, "10.1.0.0/16")
    assert main(["state", "reset", "--state", str(state)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert vpc in vpc_ids(state)
    assert main(["state", "reset", "--yes", "--state", str(state)]) == 0
    assert vpc not in vpc_ids(state)
