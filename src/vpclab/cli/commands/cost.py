"""`vpclab cost`: a monthly estimate of what the current state would cost on AWS."""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def register(sub: Any) -> None:
    """Add the cost subcommand."""
    from vpclab.cli.sources import add_partition_arguments

    cmd = sub.add_parser("cost", help="monthly cost estimate of the current state")
    where = cmd.add_mutually_exclusive_group()
    where.add_argument("--endpoint", metavar="URL", help=f"a running server ({DEFAULT_ENDPOINT})")
    where.add_argument(
        "--state",
        metavar="PATH",
        help="a vpclab state file, or a directory of `aws ec2 describe-*` JSON (an export)",
    )
    cmd.add_argument(
        "--nat-gb", type=float, default=0.0, help="GB a month through NAT gateways (default 0)"
    )
    cmd.add_argument(
        "--no-flow-logs",
        action="store_true",
        help="ignore the traffic recorded in flow logs with file destinations",
    )
    add_partition_arguments(cmd)
    cmd.set_defaults(func=run)


def _priced_state(args: argparse.Namespace) -> tuple[Any, Any]:
    """(EC2 client, View) on a copy of the state to price, read once from wherever it is: the
    same readers as the analysis commands, so an export directory and a `--auth strict` server
    work here too; the client answers in-process and nothing is written back."""
    from vpclab.cli.sources import load_source
    from vpclab.control.store import Store
    from vpclab.network import Network

    view = load_source(
        args.state or args.endpoint or DEFAULT_ENDPOINT,
        args.account,
        args.region,
        args.settle_seconds,
    )
    partitions = view.world.partitions if view.world else {(view.account, view.region): view.tables}
    store = Store(None, clock=view.clock)
    store.replace_all(dict(partitions))
    return Network(store).client(account=view.account, region=view.region), view


def _tracer(view: Any) -> Any:
    """A tracer on the priced state (flow-logged traffic is routed with it)."""
    from vpclab.dataplane.compile import compile_view
    from vpclab.network import trace_view

    world = compile_view(view)

    def tracer(source: str, destination: str, **flow: Any) -> Any:
        """Trace one flow on the state read above."""
        return trace_view(world, source, destination, **flow)

    return tracer


def run(args: argparse.Namespace) -> int:
    """Print the estimate; exit 2 when the state cannot be read."""
    from botocore.exceptions import BotoCoreError

    from vpclab.cli.sources import source_errors
    from vpclab.tour.cost import estimate, load_prices, logged_traffic, read_flow_records, report

    table = load_prices()
    try:
        ec2, view = _priced_state(args)
        traffic = None
        if not args.no_flow_logs:
            records, notes = read_flow_records(ec2)
            if records or notes:
                traffic = logged_traffic(ec2, _tracer(view), records, notes)
        lines = estimate(ec2, table, nat_gb=args.nat_gb, traffic=traffic)
    except source_errors(BotoCoreError) as exc:
        where = args.state or args.endpoint or DEFAULT_ENDPOINT
        print(f"vpclab cost: cannot read {where}: {exc}", file=sys.stderr)
        return 2
    print(report(lines, table, view.account, view.region, traffic))
    return 0
