"""`vpclab check FILE`: reachability assertions for CI; exit 1 if any fails, 2 if malformed.

FILE is a YAML list of {from, to, port?, protocol?, expect: reachable|blocked}; from/to are
ids (i-, eni-), IPs, internet, tag:K=V, vpc-ID or subnet-ID. A group form names every instance
it matches: `reachable` then means every pair is, `blocked` that none is. A pair whose path
leaves the modelled network (a route to a transit gateway, VPN gateway, VPC endpoint, carrier or
local gateway, core network) before anything drops it cannot be judged: its assertion fails
whatever it expects, saying where the path left.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from vpclab.cli.sources import add_state_arguments, load_view, source_errors

_KEYS = {"from", "to", "port", "protocol", "expect"}


class MalformedFile(Exception):
    """The assertions file cannot be understood (exit 2)."""


@dataclass(frozen=True, slots=True)
class Assertion:
    """One line of the file."""

    source: str
    destination: str
    port: int | None
    protocol: str
    expect: str

    def describe(self) -> str:
        """The assertion as written, for the report."""
        port = f" port {self.port}" if self.port is not None else ""
        return f"{self.source} -> {self.destination} {self.protocol}{port} expect {self.expect}"


def register(sub: Any) -> None:
    """Add the check subcommand."""
    cmd = sub.add_parser(
        "check",
        help="check a YAML file of reachability assertions (for CI)",
        description="Check reachability assertions: {from, to, port?, protocol?, expect}.",
        epilog=(
            "exit codes: 0 every assertion holds; 1 one fails (an assertion on a path that "
            "leaves the modelled network via a transit gateway, VPN gateway, VPC endpoint, "
            "carrier/local gateway or core network fails: vpclab cannot judge it); 2 malformed "
            "file or unreadable state"
        ),
    )
    cmd.add_argument("file", metavar="FILE")
    add_state_arguments(cmd)
    cmd.set_defaults(func=run)


def parse_assertions(text: str) -> list[Assertion]:
    """The file's assertions, or MalformedFile saying which entry is wrong and why."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MalformedFile(f"not YAML: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise MalformedFile("the file must be a non-empty YAML list of assertions")
    out = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not {"from", "to", "expect"} <= set(item):
            raise MalformedFile(f"entry {number}: needs from, to and expect")
        unknown = set(item) - _KEYS
        if unknown:
            raise MalformedFile(f"entry {number}: unknown keys {', '.join(sorted(unknown))}")
        expect, port, protocol = item["expect"], item.get("port"), item.get("protocol", "tcp")
        if expect not in ("reachable", "blocked"):
            raise MalformedFile(f"entry {number}: expect must be reachable or blocked")
        if port is not None and (not isinstance(port, int) or not 0 <= port <= 65535):
            raise MalformedFile(f"entry {number}: port must be an integer 0-65535")
        if str(protocol).lower() not in ("tcp", "udp", "icmp", "6", "17", "1"):
            raise MalformedFile(f"entry {number}: protocol must be tcp, udp or icmp")
        out.append(
            Assertion(str(item["from"]), str(item["to"]), port, str(protocol).lower(), expect)
        )
    return out


def expand(view: Any, spec: str) -> list[str]:
    """The endpoints a from/to names: group forms become every matching instance."""
    from vpclab.model.interface import Instance

    instances = sorted(view.all(Instance), key=lambda i: i.id)
    if spec.startswith("tag:"):
        key, sep, value = spec[4:].partition("=")
        if not sep:
            raise MalformedFile(f"{spec!r}: write tag:KEY=VALUE")
        return [i.id for i in instances if i.tag_dict().get(key) == value]
    if spec.startswith("vpc-"):
        return [i.id for i in instances if i.vpc_id == spec]
    if spec.startswith("subnet-"):
        return [i.id for i in instances if i.subnet_id == spec]
    return [spec]


def _verdict(world: Any, assertion: Assertion) -> tuple[bool, list[str]]:
    """Whether the assertion holds, and the tracer's explanation of every pair that breaks it."""
    from vpclab.network import trace_view

    view = world.view
    sources, destinations = expand(view, assertion.source), expand(view, assertion.destination)
    if not sources or not destinations:
        return False, [
            f"{assertion.source if not sources else assertion.destination} matches no instance"
        ]
    why = []
    for source in sources:
        for destination in destinations:
            if source == destination:
                continue
            result = trace_view(
                world, source, destination, protocol=assertion.protocol, port=assertion.port
            )
            if result.unanalysed_at is not None:
                why.append(
                    f"{source} -> {destination} is {result.verdict}: vpclab cannot confirm "
                    f"'{assertion.expect}', so the assertion fails"
                )
            elif result.reachable != (assertion.expect == "reachable"):
                reasons = "; ".join(f"{e.code}: {e.message}" for e in result.explanations)
                path = " -> ".join(h.component.id for h in result.forward)
                why.append(
                    f"{source} -> {destination} is {result.verdict}"
                    + (f" ({reasons})" if reasons else f" via {path}")
                )
    return not why, why


def run(args: argparse.Namespace) -> int:
    """Check every assertion, print verdicts; exit 1 if any fails, 2 on a malformed file."""
    from vpclab.dataplane.compile import compile_view

    try:
        with open(args.file, encoding="utf-8") as handle:
            assertions = parse_assertions(handle.read())
        world = compile_view(load_view(args))
        results = [(a, *_verdict(world, a)) for a in assertions]
    except source_errors(MalformedFile) as exc:
        print(f"vpclab check: {exc}", file=sys.stderr)
        return 2
    for assertion, ok, why in results:
        print(f"{'PASS' if ok else 'FAIL'}  {assertion.describe()}")
        for line in why:
            print(f"      {line}")
    failed = sum(1 for _, ok, _ in results if not ok)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
