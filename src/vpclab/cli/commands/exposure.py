"""`vpclab exposure`: every ENI and instance an internet host can open a connection to."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION


def add_state_arguments(cmd: Any) -> None:
    """The --state/--endpoint choice every analysis command shares, with account and region."""
    where = cmd.add_mutually_exclusive_group(required=True)
    where.add_argument("--endpoint", metavar="URL", help="a running vpclab server")
    where.add_argument("--state", metavar="PATH", help="a vpclab state file")
    cmd.add_argument(
        "--settle-seconds",
        type=float,
        default=1.0,
        help="with --state: how long pending states last (as given to `vpclab serve`)",
    )
    cmd.add_argument("--account", default=DEFAULT_ACCOUNT)
    cmd.add_argument("--region", default=DEFAULT_REGION)


def load_view(args: argparse.Namespace) -> Any:
    """The View the analysis runs on, from a state file or a running server."""
    from vpclab.cli.commands.trace import _view_from_endpoint, _view_from_state

    if args.state:
        return _view_from_state(args.state, args.account, args.region, args.settle_seconds)
    return _view_from_endpoint(args.endpoint, args.account, args.region)


def register(sub: Any) -> None:
    """Add the exposure subcommand."""
    cmd = sub.add_parser("exposure", help="list everything reachable from the internet, and how")
    add_state_arguments(cmd)
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the exposures; exit 0 (even when some exist: this reports, `check` gates), 2 on errors."""
    from vpclab.control.store import StateFileError
    from vpclab.dataplane.compile import compile_view
    from vpclab.dataplane.queries import internet_exposure
    from vpclab.network import UsageError

    try:
        view = load_view(args)
    except (UsageError, StateFileError, OSError) as exc:
        print(f"vpclab exposure: {exc}", file=sys.stderr)
        return 2
    findings = internet_exposure(compile_view(view).home)
    if args.json:
        from vpclab.api.analysis_json import exposures_json

        print(json.dumps(exposures_json(findings), indent=2))
        return 0
    if not findings:
        print("nothing is reachable from the internet")
    for finding in findings:
        print(finding.describe())
        for rule in finding.acl_rules:
            print(
                f"    nacl {rule.acl_id} rule {rule.rule_number} ({'egress' if rule.egress else 'ingress'}) allow"
            )
        for sg_rule in finding.sg_rules:
            print(f"    sg {sg_rule.group_id} {sg_rule.rule_id} allow")
    return 0
