"""Account snapshots out: each partition written as the `aws ec2 describe-*` JSON files it answers.

The files are produced by the very Describe handlers (and so the presenters) that answer
boto3 and the AWS CLI, in the layout `accounts/<account>/<region>/<Describe>.json` that
`vpclab import` and `--state DIR` read back (control/snapshot.py).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from vpclab.api.context import RequestContext
from vpclab.api.registry import HANDLERS, load_handlers
from vpclab.control.snapshot import FILES, ZONES_FILE
from vpclab.control.store import Store, Tx
from vpclab.model.account import PartitionSettings
from vpclab.model.security_group import PrefixList

# File name -> the Describe operation whose answer it holds (its list key is FILES[name]).
OPERATIONS: dict[str, str] = {
    "Vpcs.json": "DescribeVpcs",
    "Subnets.json": "DescribeSubnets",
    "InternetGateways.json": "DescribeInternetGateways",
    "EgressOnlyInternetGateways.json": "DescribeEgressOnlyInternetGateways",
    "PrefixLists.json": "DescribePrefixLists",
    "ManagedPrefixLists.json": "DescribeManagedPrefixLists",
    "SecurityGroups.json": "DescribeSecurityGroups",
    "SecurityGroupRules.json": "DescribeSecurityGroupRules",
    "NetworkAcls.json": "DescribeNetworkAcls",
    "RouteTables.json": "DescribeRouteTables",
    "Addresses.json": "DescribeAddresses",
    "NetworkInterfaces.json": "DescribeNetworkInterfaces",
    "Reservations.json": "DescribeInstances",
    "NatGateways.json": "DescribeNatGateways",
    "VpcPeeringConnections.json": "DescribeVpcPeeringConnections",
    ZONES_FILE: "DescribeAvailabilityZones",
}
ENTRIES_FILE = "ManagedPrefixListEntries.json"
# Kinds that exist in every partition vpclab has touched and say nothing about the account.
_BOOKKEEPING = frozenset({PartitionSettings.kind, PrefixList.kind})


def _plain(value: Any) -> Any:
    """A Describe result as the AWS CLI prints it: absent members dropped, times in ISO 8601."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def describe_partition(store: Store, account: str, region: str) -> dict[str, Any]:
    """Every describe file of one partition, by file name, read in a transaction then discarded."""
    load_handlers()
    out: dict[str, Any] = {}
    tx = Tx(store, account, region, {})
    try:
        ctx = RequestContext(account, region, str(uuid.uuid4()), tx, store)
        for name, operation in OPERATIONS.items():
            result = HANDLERS[("ec2", operation)](ctx, {})
            key = FILES.get(name, name.removesuffix(".json"))
            out[name] = {key: _plain(result[key])}
        out[ENTRIES_FILE] = {FILES[ENTRIES_FILE]: _prefix_list_entries(ctx)}
    finally:
        tx.discard()
    return out


def _prefix_list_entries(ctx: RequestContext) -> list[dict[str, Any]]:
    """get-managed-prefix-list-entries of every customer-managed list (Describe omits entries)."""
    entries = HANDLERS[("ec2", "GetManagedPrefixListEntries")]
    return [
        {"PrefixListId": plist.id, **_plain(entries(ctx, {"PrefixListId": plist.id}))}
        for plist in ctx.tx.all(PrefixList)
        if not plist.aws_managed
    ]


def exportable_partitions(store: Store) -> list[tuple[str, str]]:
    """Partitions that hold anything of the account's own (not only vpclab's bookkeeping)."""
    return sorted(
        key
        for key, tables in store.partitions.items()
        if any(items for kind, items in tables.items() if kind not in _BOOKKEEPING)
    )


def export_partitions(
    store: Store, keys: list[tuple[str, str]], directory: str | Path
) -> list[Path]:
    """Write each partition's describe files under accounts/<account>/<region>/; the paths written."""
    root = Path(directory)
    written = []
    documents = {key: describe_partition(store, *key) for key in keys}  # all read before writing
    for (account, region), files in documents.items():
        folder = root / "accounts" / account / region
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in files.items():
            path = folder / name
            path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            written.append(path)
    return written
