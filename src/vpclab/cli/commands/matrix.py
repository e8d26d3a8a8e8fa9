"""`vpclab matrix`: which instances can open connections to which, by equivalence class."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from vpclab.cli.sources import add_state_arguments, load_view, source_errors


def register(sub: Any) -> None:
    """Add the matrix subcommand."""
    cmd = sub.add_parser("matrix", help="reachability between all pairs of instances, by class")
    add_state_arguments(cmd)
    cmd.add_argument("--scope", help="vpc-ID or tag:KEY=VALUE (default: every instance)")
    cmd.add_argument("--format", default="table", choices=["table", "csv", "json"])
    cmd.set_defaults(func=run)


def scoped_enis(part: Any, scope: str | None) -> list[str]:
    """The primary ENIs of the instances in scope, sorted."""
    instances = sorted(part.instances.values(), key=lambda i: i.id)
    if scope is None:
        chosen = instances
    elif scope.startswith("vpc-"):
        chosen = [i for i in instances if i.vpc_id == scope]
    elif scope.startswith("tag:") and "=" in scope:
        key, _, value = scope[4:].partition("=")
        chosen = [i for i in instances if i.tag_dict().get(key) == value]
    else:
        raise ValueError(f"{scope!r}: write vpc-ID or tag:KEY=VALUE")
    return [i.primary_eni_id for i in chosen if i.primary_eni_id in part.enis]


def _owners(part: Any, eni_ids: tuple[str, ...]) -> list[str]:
    """The instance (or ENI) ids of a class, for display."""
    return [part.enis[e].owner.id for e in eni_ids]


def run(args: argparse.Namespace) -> int:
    """Print the class matrix; exit 2 on a bad scope or state."""
    from vpclab.dataplane.compile import compile_view
    from vpclab.dataplane.queries import reachability_matrix

    try:
        part = compile_view(load_view(args)).home
        cells = reachability_matrix(part, scoped_enis(part, args.scope))
    except source_errors(ValueError) as exc:
        print(f"vpclab matrix: {exc}", file=sys.stderr)
        return 2
    rows = [
        {"from": _owners(part, c.sources), "to": _owners(part, c.destinations), "open": c.ports()}
        for c in cells
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["from", "to", "open"])
        for row in rows:
            writer.writerow([" ".join(row["from"]), " ".join(row["to"]), row["open"]])
        print(out.getvalue(), end="")
    else:
        for row in rows:
            print(f"{', '.join(row['from'])} -> {', '.join(row['to'])}: {row['open']}")
    return 0
