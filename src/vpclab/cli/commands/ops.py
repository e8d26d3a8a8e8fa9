"""`vpclab ops`: which operations are implemented, from the registry against the models."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ops subcommand."""
    ops = sub.add_parser("ops", help="list the implemented operations")
    ops.add_argument("--service", default="ec2")
    ops.add_argument("--all", action="store_true", help="also list operations not implemented")
    ops.add_argument("--markdown", action="store_true", help="print IMPLEMENTATION_COVERAGE.md")
    ops.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the coverage list (or the markdown file)."""
    from vpclab.cli.coverage import coverage_markdown, coverage_rows

    if args.markdown:
        print(coverage_markdown(), end="")
        return 0
    rows = coverage_rows(args.service)
    for name, ok in rows:
        if ok or args.all:
            print(f"{'x' if ok else ' '} {name}")
    done = sum(1 for _, ok in rows if ok)
    print(f"{done} of {len(rows)} {args.service} operations implemented", file=sys.stderr)
    return 0
