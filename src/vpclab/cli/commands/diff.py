"""`vpclab diff A B`: what became reachable or unreachable between two states."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION


def register(sub: Any) -> None:
    """Add the diff subcommand."""
    cmd = sub.add_parser("diff", help="what became reachable or unreachable between two states")
    cmd.add_argument("before", metavar="A", help="a state file, or http://... of a running server")
    cmd.add_argument("after", metavar="B", help="same forms as A")
    cmd.add_argument("--settle-seconds", type=float, default=1.0)
    cmd.add_argument("--account", default=DEFAULT_ACCOUNT)
    cmd.add_argument("--region", default=DEFAULT_REGION)
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.set_defaults(func=run)


def _load(where: str, args: argparse.Namespace) -> Any:
    """The View at a state file or a server URL."""
    from vpclab.cli.commands.trace import _view_from_endpoint, _view_from_state

    if where.startswith(("http://", "https://")):
        return _view_from_endpoint(where, args.account, args.region)
    return _view_from_state(where, args.account, args.region, args.settle_seconds)


def run(args: argparse.Namespace) -> int:
    """Print the changes; exit 0 when nothing changed, 1 when something did, 2 on errors."""
    from vpclab.control.codec import to_plain
    from vpclab.control.store import StateFileError
    from vpclab.dataplane.compile import compile_view
    from vpclab.dataplane.queries import reachability_diff
    from vpclab.network import UsageError

    try:
        before = compile_view(_load(args.before, args)).home
        after = compile_view(_load(args.after, args)).home
    except (UsageError, StateFileError, OSError) as exc:
        print(f"vpclab diff: {exc}", file=sys.stderr)
        return 2
    changes = reachability_diff(before, after)
    if args.json:
        print(json.dumps([to_plain(c) for c in changes], indent=2))
    else:
        print("\n".join(c.describe() for c in changes) or "no reachability changes")
    return 1 if changes else 0
