"""The `vpclab` command: serve, ops and friends."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vpclab import __version__


def _serve(args: argparse.Namespace) -> int:
    """vpclab serve."""
    from vpclab.control.store import StateFileError
    from vpclab.server.run import ServeOptions, serve

    options = ServeOptions(
        host=args.host,
        port=args.port,
        state=args.state,
        in_memory=args.in_memory,
        quotas=args.quotas,
        settle_seconds=args.settle_seconds,
        log_level=args.log_level,
    )
    try:
        serve(options)
    except StateFileError as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"vpclab: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0


def _ops(args: argparse.Namespace) -> int:
    """vpclab ops: which EC2 operations are implemented."""
    from vpclab.cli.coverage import coverage_markdown, coverage_rows

    if args.markdown:
        print(coverage_markdown(), end="")
        return 0
    rows = coverage_rows(args.service)
    done = [name for name, ok in rows if ok]
    for name, ok in rows:
        if ok or args.all:
            print(f"{'x' if ok else ' '} {name}")
    print(f"{len(done)} of {len(rows)} {args.service} operations implemented", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="vpclab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"vpclab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the EC2-compatible server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4566)
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--state", metavar="PATH", help="SQLite state file (default: user data dir)")
    where.add_argument("--in-memory", action="store_true", help="keep state in memory only")
    serve.add_argument("--quotas", choices=["off", "aws"], default="off",
                       help="enforce AWS's default per-account quotas (default: off)")
    serve.add_argument("--settle-seconds", type=float, default=1.0,
                       help="how long pending/deleting states last (NAT gateways, instances)")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(func=_serve)

    ops = sub.add_parser("ops", help="list the implemented operations")
    ops.add_argument("--service", default="ec2")
    ops.add_argument("--all", action="store_true", help="also list operations not implemented")
    ops.add_argument("--markdown", action="store_true", help="print IMPLEMENTATION_COVERAGE.md")
    ops.set_defaults(func=_ops)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
