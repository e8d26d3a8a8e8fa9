"""`vpclab cost`: a monthly estimate of what the current state would cost on AWS."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def register(sub: Any) -> None:
    """Add the cost subcommand."""
    cmd = sub.add_parser("cost", help="monthly cost estimate of the current state")
    where = cmd.add_mutually_exclusive_group()
    where.add_argument("--endpoint", metavar="URL", help=f"a running server ({DEFAULT_ENDPOINT})")
    where.add_argument("--state", metavar="PATH", help="a vpclab state file")
    cmd.add_argument(
        "--nat-gb", type=float, default=0.0, help="GB a month through NAT gateways (default 0)"
    )
    cmd.add_argument(
        "--no-flow-logs",
        action="store_true",
        help="ignore the traffic recorded in flow logs with file destinations",
    )
    cmd.add_argument(
        "--settle-seconds",
        type=float,
        default=1.0,
        help="with --state: how long pending states last (as given to `vpclab serve`)",
    )
    cmd.add_argument("--account", default=DEFAULT_ACCOUNT)
    cmd.add_argument("--region", default=DEFAULT_REGION)
    cmd.set_defaults(func=run)


def _client(args: argparse.Namespace) -> Any:
    """An EC2 client on the state file or the server."""
    if args.state:
        from vpclab.network import Network

        network = Network.open(args.state, settle_seconds=args.settle_seconds)
        return network.client(account=args.account, region=args.region)
    import boto3
    from botocore.config import Config

    return boto3.client(
        "ec2",
        endpoint_url=args.endpoint or DEFAULT_ENDPOINT,
        region_name=args.region,
        aws_access_key_id=args.account,
        aws_secret_access_key="vpclab",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def _tracer(args: argparse.Namespace) -> Any:
    """A tracer on the state as it is now, read once (flow-logged traffic is routed with it)."""
    from vpclab.dataplane.compile import compile_view
    from vpclab.network import Network, trace_view

    if args.state:
        network = Network.open(args.state, settle_seconds=args.settle_seconds)
        view = network.store.view(args.account, args.region)
    else:
        from vpclab.cli.sources import view_from_endpoint

        view = view_from_endpoint(args.endpoint or DEFAULT_ENDPOINT, args.account, args.region)
    world = compile_view(view)

    def tracer(source: str, destination: str, **flow: Any) -> Any:
        """Trace one flow on the state read above."""
        return trace_view(world, source, destination, **flow)

    return tracer


def run(args: argparse.Namespace) -> int:
    """Print the estimate; exit 2 when the state cannot be read."""
    from botocore.exceptions import BotoCoreError

    from vpclab.network import UsageError
    from vpclab.tour.cost import estimate, load_prices, logged_traffic, read_flow_records, report

    table = load_prices()
    try:
        ec2 = _client(args)
        traffic = None
        if not args.no_flow_logs:
            records, notes = read_flow_records(ec2)
            if records or notes:
                traffic = logged_traffic(ec2, _tracer(args), records, notes)
        lines = estimate(ec2, table, nat_gb=args.nat_gb, traffic=traffic)
    except (UsageError, OSError, BotoCoreError) as exc:
        where = args.state or args.endpoint or DEFAULT_ENDPOINT
        print(f"vpclab cost: cannot read {where}: {exc}", file=sys.stderr)
        return 2
    print(report(lines, table, args.account, args.region, traffic))
    return 0
