"""The store: atomic transactions, persistence to SQLite, refusing files that are not ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.support import aws_error, client
from vpclab.api.dispatch import Api
from vpclab.control import codec
from vpclab.control.store import SCHEMA_VERSION, StateFileError, Store
from vpclab.model.ids import new_id
from vpclab.model.state import Clock
from vpclab.model.vpc import CidrAssociation, Vpc

ACCOUNT, REGION = "123456789012", "us-east-1"


def a_vpc(cidr: str = "10.0.0.0/16") -> Vpc:
    """A bare VPC value."""
    return Vpc(
        id=new_id("vpc"),
        cidr_block=cidr,
        cidr_associations=(CidrAssociation(association_id=new_id("vpc-cidr-assoc"), cidr=cidr),),
    )


def test_an_error_mid_transaction_leaves_nothing(store: Store) -> None:
    """Writes before an exception are discarded with it."""
    with pytest.raises(RuntimeError), store.transaction(ACCOUNT, REGION) as tx:
        tx.put(a_vpc())
        raise RuntimeError("half way")
    assert store.view(ACCOUNT, REGION).all(Vpc) == []


def test_a_failed_request_changes_nothing(store: Store) -> None:
    """CreateTags on a good and a bad id: the good one is not tagged (one transaction per request)."""
    ec2 = client(Api(store))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    version = store.version(ACCOUNT, REGION)
    code, _ = aws_error(
        ec2.create_tags,
        Resources=[vpc, "subnet-0123456789abcdef0"],
        Tags=[{"Key": "a", "Value": "b"}],
    )
    assert code == "InvalidSubnetID.NotFound"
    assert store.view(ACCOUNT, REGION).get(Vpc, vpc).tags == ()  # type: ignore[union-attr]
    assert store.version(ACCOUNT, REGION) == version


def test_transaction_sees_its_own_writes_before_commit(store: Store) -> None:
    """Inside a transaction reads see the overlay; outside they do not until commit."""
    vpc = a_vpc()
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.put(vpc)
        assert tx.get(Vpc, vpc.id) == vpc
        assert store.view(ACCOUNT, REGION).get(Vpc, vpc.id) is None
    assert store.view(ACCOUNT, REGION).get(Vpc, vpc.id) == vpc


def snapshot(store: Store) -> dict[Any, Any]:
    """Every partition's resources, comparable across stores."""
    return {
        key: {k: dict(v) for k, v in tables.items() if v}
        for key, tables in store.partitions.items()
    }


def test_state_survives_reopen_of_the_sqlite_file(tmp_path: Path) -> None:
    """load(dump(s)) == s: what was acknowledged is there after reopening, in every partition."""
    path = tmp_path / "state.db"
    first = Store(path, clock=Clock(settle_seconds=0))
    api = Api(first)
    ec2 = client(api)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "kept"}])
    client(api, region="eu-west-1", access_key="111122223333").create_vpc(CidrBlock="10.9.0.0/16")
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "nothing"}])
    before = snapshot(first)
    first.close()
    second = Store(path)
    assert snapshot(second) == before
    assert len(before) == 2
    second.close()


def test_codec_round_trip_of_every_stored_resource(store: Store) -> None:
    """Each resource's serialised form loads back equal."""
    client(Api(store)).create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)
    for tables in store.partitions.values():
        for kind, items in tables.items():
            for obj in items.values():
                assert codec.loads(kind, codec.dumps(obj)) == obj


def test_corrupted_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    """A file that is not SQLite is refused with a clear message; its bytes stay as they were."""
    path = tmp_path / "state.db"
    junk = b"this is not a database" * 200
    path.write_bytes(junk)
    with pytest.raises(StateFileError, match="not a vpclab state file or is corrupted"):
        Store(path)
    assert path.read_bytes() == junk


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    """A file written by a newer vpclab is refused, naming both versions."""
    path = tmp_path / "state.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION + 1),))
    db.close()
    original = path.read_bytes()
    with pytest.raises(StateFileError, match="newer vpclab"):
        Store(path)
    assert path.read_bytes() == original


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    """Some other program's SQLite database is not taken over."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    original = path.read_bytes()
    with pytest.raises(StateFileError):
        Store(path)
    assert path.read_bytes() == original
