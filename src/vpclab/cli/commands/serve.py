"""`vpclab serve`: run the EC2-compatible server."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the serve subcommand."""
    serve = sub.add_parser("serve", help="run the EC2-compatible server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--state", metavar="PATH", help="SQLite state file (default: user data dir)")
    where.add_argument("--in-memory", action="store_true", help="keep state in memory only")
    serve.add_argument(
        "--quotas",
        choices=["off", "aws"],
        default="off",
        help="enforce AWS's default per-account quotas (default: off)",
    )
    serve.add_argument(
        "--settle-seconds",
        type=float,
        default=1.0,
        help="how long pending/deleting states last (NAT gateways, instances)",
    )
    serve.add_argument("--log-level", default="warning")
    serve.add_argument(
        "--auth",
        choices=["off", "strict"],
        default="off",
        help="strict: verify SigV4 signatures against --credentials (default: off)",
    )
    serve.add_argument(
        "--credentials", metavar="FILE", help="YAML or INI: access_key, secret_key, account"
    )
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from vpclab.control.store import StateFileError
    from vpclab.server.auth import CredentialsFileError
    from vpclab.server.run import ServeOptions, serve

    options = ServeOptions(
        host=args.host,
        port=args.port,
        state=args.state,
        in_memory=args.in_memory,
        quotas=args.quotas,
        settle_seconds=args.settle_seconds,
        log_level=args.log_level,
        auth=args.auth,
        credentials=args.credentials,
    )
    try:
        serve(options)
    except (StateFileError, CredentialsFileError) as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"vpclab: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0
