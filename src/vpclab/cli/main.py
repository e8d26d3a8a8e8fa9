"""The `vpclab` command; each subcommand lives in vpclab.cli.commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from vpclab import __version__
from vpclab.cli import commands


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand module registered."""
    parser = argparse.ArgumentParser(
        prog="vpclab",
        description="AWS VPC networking on your own machine: EC2 API, packet tracing, analysis.",
    )
    parser.add_argument("--version", action="version", version=f"vpclab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; exit 2 on usage errors."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
