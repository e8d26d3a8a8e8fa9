"""`vpclab exposure`: every ENI and instance an internet host can open a connection to."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vpclab.cli.sources import add_state_arguments, load_view, source_errors


def register(sub: Any) -> None:
    """Add the exposure subcommand."""
    cmd = sub.add_parser("exposure", help="list everything reachable from the internet, and how")
    add_state_arguments(cmd)
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the exposures; exit 0 (even when some exist: this reports, `check` gates), 2 on errors."""
    from vpclab.dataplane.compile import compile_view
    from vpclab.dataplane.queries import internet_exposure, unanalysed_exposure

    try:
        view = load_view(args)
    except source_errors() as exc:
        print(f"vpclab exposure: {exc}", file=sys.stderr)
        return 2
    part = compile_view(view).home
    findings = internet_exposure(part)
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
    for unknown in unanalysed_exposure(part):  # replies routed out of the model (TGW, VGW...)
        print(unknown.describe())
    return 0
