"""The `vpclab` command; each subcommand lives in vpclab.cli.commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from vpclab import __version__
from vpclab.cli import commands


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand module registered, or, when `command` is named
    and its module (commands/<command>.py) registers it, with that module alone: the other
    modules' imports (HTTP clients, the data plane) are not paid by `vpclab serve`'s start-up."""
    parser = argparse.ArgumentParser(
        prog="vpclab",
        description="AWS VPC networking on your own machine: EC2 API, packet tracing, analysis.",
    )
    parser.add_argument("--version", action="version", version=f"vpclab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__))
    if command in names:
        importlib.import_module(f"{commands.__name__}.{command}").register(sub)
        if command in sub.choices:
            return parser
    for name in names:
        if name != command:
            importlib.import_module(f"{commands.__name__}.{name}").register(sub)
    return parser


def named_command(argv: Sequence[str]) -> str | None:
    """The subcommand an argument list names: its first argument that is not an option (the
    top-level options take no values), or None (also after a bare `--`)."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; exit 2 on usage errors."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(named_command(arguments))
    args = parser.parse_args(arguments)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
