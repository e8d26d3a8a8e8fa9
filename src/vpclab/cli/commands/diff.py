"""`vpclab diff A B`: what became reachable or unreachable between two states."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vpclab.cli.sources import add_partition_arguments, load_source, source_errors


def register(sub: Any) -> None:
    """Add the diff subcommand."""
    cmd = sub.add_parser("diff", help="what became reachable or unreachable between two states")
    cmd.add_argument(
        "before", metavar="A", help="a state file, an export directory, or http://... of a server"
    )
    cmd.add_argument("after", metavar="B", help="same forms as A")
    add_partition_arguments(cmd)
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the changes; exit 0 when nothing changed, 1 when something did, 2 on errors."""
    from vpclab.control.codec import to_plain
    from vpclab.dataplane.compile import compile_view
    from vpclab.dataplane.queries import reachability_diff

    try:
        where = (args.account, args.region, args.settle_seconds)
        before = compile_view(load_source(args.before, *where)).home
        after = compile_view(load_source(args.after, *where)).home
    except source_errors() as exc:
        print(f"vpclab diff: {exc}", file=sys.stderr)
        return 2
    changes = reachability_diff(before, after)
    if args.json:
        print(json.dumps([to_plain(c) for c in changes], indent=2))
    else:
        print("\n".join(c.describe() for c in changes) or "no reachability changes")
    return 1 if changes else 0
