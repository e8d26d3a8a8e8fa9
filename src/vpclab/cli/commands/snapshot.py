"""`vpclab export DIR` and `vpclab import DIR`: whole accounts as `aws ec2 describe-*` JSON files."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vpclab.cli.sources import source_errors
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION


def register(sub: Any) -> None:
    """Add the export and import subcommands."""
    export = sub.add_parser(
        "export", help="write accounts as aws ec2 describe-* JSON (accounts/<id>/<region>/)"
    )
    export.add_argument("directory", metavar="DIR")
    _add_target(export, "read from")
    export.add_argument("--settle-seconds", type=float, default=1.0)
    which = export.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every account and region with resources")
    which.add_argument("--account", help=f"default {DEFAULT_ACCOUNT}")
    export.add_argument("--region", help=f"default {DEFAULT_REGION}")
    export.set_defaults(func=run_export)

    imp = sub.add_parser(
        "import", help="load an export of aws ec2 describe-* JSON, replacing those accounts/regions"
    )
    imp.add_argument("directory", metavar="DIR")
    _add_target(imp, "write into")
    imp.add_argument("--account", help="account of a folder whose resources carry no OwnerId")
    imp.add_argument("--region", help="region of a folder with no region directory nor zones")
    imp.set_defaults(func=run_import)


def _add_target(cmd: Any, verb: str) -> None:
    """The --state/--endpoint choice: where the command reads or writes state."""
    where = cmd.add_mutually_exclusive_group(required=True)
    where.add_argument("--endpoint", metavar="URL", help=f"a running vpclab server to {verb}")
    where.add_argument(
        "--state", metavar="PATH", help=f"a vpclab state file (or, to export, an export) to {verb}"
    )


def _source_store(args: argparse.Namespace) -> Any:
    """A Store holding the source's state: the state file, an export read in, or a server's copy."""
    from vpclab.cli.sources import world_from_endpoint
    from vpclab.control.snapshot import import_snapshot, is_snapshot, read_snapshot
    from vpclab.control.store import Store
    from vpclab.model import load_all_kinds
    from vpclab.model.state import Clock
    from vpclab.network import Network

    if args.state and is_snapshot(args.state):  # an export read and written again
        load_all_kinds()
        store = Store(None, clock=Clock(settle_seconds=args.settle_seconds))
        import_snapshot(store, read_snapshot(args.state))
        return store
    if args.state:
        return Network.open(args.state, settle_seconds=args.settle_seconds).store
    world = world_from_endpoint(args.endpoint, args.region)
    store = Store(None, clock=world.clock)
    store.partitions = world.partitions
    return store


def run_export(args: argparse.Namespace) -> int:
    """Write the chosen partitions; exit 2 when the source cannot be read."""
    from vpclab.api.snapshot_export import export_partitions, exportable_partitions

    try:
        store = _source_store(args)
        if args.all:
            keys = exportable_partitions(store)
        else:
            keys = [(args.account or DEFAULT_ACCOUNT, args.region or DEFAULT_REGION)]
        written = export_partitions(store, keys, args.directory)
    except source_errors() as exc:
        print(f"vpclab export: {exc}", file=sys.stderr)
        return 2
    for account, region in keys:
        print(f"exported {account}/{region} to {args.directory}/accounts/{account}/{region}/")
    print(f"{len(written)} files written")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Read the whole export first, then replace its partitions at once; exit 2 on any error."""
    from vpclab.control.snapshot import import_snapshot, read_snapshot
    from vpclab.control.store import Store
    from vpclab.model import load_all_kinds

    load_all_kinds()
    try:
        snapshot = read_snapshot(args.directory, account=args.account, region=args.region)
        if args.state:
            store = Store(args.state)
            try:
                import_snapshot(store, snapshot)
            finally:
                store.close()
        else:
            _post_snapshot(args.endpoint, snapshot, args.region)
    except source_errors() as exc:
        print(f"vpclab import: {exc}", file=sys.stderr)
        return 2
    print("\n".join(snapshot.report.lines()))
    if args.state:
        print(f"written to {args.state} (restart a server running on it to load it)")
    return 0


def _post_snapshot(endpoint: str, snapshot: Any, region: str | None) -> None:
    """Send the converted partitions to a running server, which swaps them in at once."""
    import json

    from vpclab.cli.sources import call_server
    from vpclab.control import codec

    payload = {
        "partitions": [
            {"account": a, "region": r, "resources": codec.partition_to_plain(tables)}
            for (a, r), tables in sorted(snapshot.partitions.items())
        ]
    }
    body = json.dumps(payload).encode()
    call_server(endpoint, "/_vpclab/api/snapshot", region, body=body, timeout=60)
