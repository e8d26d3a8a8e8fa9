"""`vpclab trace SRC DST`: would AWS deliver this flow?

Exit 0 reachable, 1 not reachable, 2 usage error, 3 unknown: the path leaves the modelled
network through a component vpclab does not model (a transit gateway, VPN gateway, VPC
endpoint, carrier or local gateway, core network) before anything drops it, so vpclab cannot
say; a script testing for success never reads an unknown path as reachable.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vpclab.cli.sources import add_state_arguments, load_view, source_errors

EXIT_CODES = """exit codes:
  0  reachable (a connection can be set up, both ways)
  1  not reachable (something certainly drops it; see "what would have to change")
  2  usage error (bad arguments, unknown source or destination, unreadable state)
  3  unknown: the path leaves the modelled network via a transit gateway, VPN gateway,
     VPC endpoint, carrier/local gateway or core network (not analysed beyond it)"""
# The exit code of an unknown verdict: neither success nor "not reachable".
UNKNOWN_EXIT = 3


def register(sub: Any) -> None:
    """Add the trace subcommand."""
    cmd = sub.add_parser(
        "trace",
        help="trace a flow through the network and explain the verdict",
        description="Trace a flow hop by hop and explain the verdict.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("source", metavar="SRC", help="i-/eni-/igw-/pcx- id, IP, internet, tag:K=V")
    cmd.add_argument("destination", metavar="DST", help="same forms as SRC")
    cmd.add_argument("--protocol", default="tcp", choices=["tcp", "udp", "icmp"])
    cmd.add_argument("--port", type=int, help="destination port (default: any)")
    cmd.add_argument("--source-port", type=int, help="source port (default: any)")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.add_argument(
        "--record", action="store_true", help="append flow-log records to file destinations"
    )
    add_state_arguments(cmd)
    cmd.set_defaults(func=run)


def _paint(text: str, ok: bool, color: bool) -> str:
    """Green or red on a terminal, plain otherwise."""
    if not color:
        return text
    return f"\033[{32 if ok else 31}m{text}\033[0m"


def _header_text(header: Any) -> str:
    """src:ports -> dst:ports."""
    if header is None:
        return ""
    if header.ported:
        return (
            f"{header.protocol} {header.source}:{header.source_ports.describe()} -> "
            f"{header.destination}:{header.destination_ports.describe()}"
        )
    return f"{header.protocol} {header.source} -> {header.destination}"


def _hop_lines(hops: Any, color: bool) -> list[str]:
    """One line per hop and one indented line per step."""
    lines = []
    for number, hop in enumerate(hops, start=1):
        name = f" ({hop.component.name})" if hop.component.name else ""
        lines.append(f"  {number:>2}. {hop.component.kind} {hop.component.id}{name}")
        for step in hop.steps:
            mark = _paint("x" if step.verdict == "deny" else "+", step.verdict != "deny", color)
            codes = "".join(f" [{e.code}]" for e in step.explanations)
            lines.append(f"        {mark} {step.kind}: {step.text}{codes}")
    return lines


def _verdict_text(result: Any) -> str:
    """The verdict in capitals; an unknown one keeps its component id as written."""
    if result.unanalysed_at is not None:
        head, _, rest = result.verdict.partition(":")
        return f"{head.upper()}:{rest}"
    return str(result.verdict.upper())


def trace_tree(result: Any, color: bool) -> str:
    """The path as a readable tree: each hop with the rule that decided it and its rewrites."""
    lines = [
        f"{result.source.id} -> {result.destination.id}  {_header_text(result.flow)}",
        _paint(_verdict_text(result), result.reachable, color),
        "forward:",
        *_hop_lines(result.forward, color),
    ]
    if result.reverse:
        lines += ["return:", *_hop_lines(result.reverse, color)]
    if result.explanations:
        cannot_tell = result.unanalysed_at is not None
        lines.append("why vpclab cannot tell:" if cannot_tell else "what would have to change:")
        lines += [f"  - {e.code}: {e.message}" for e in result.explanations]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Trace and print; the exit code gates CI."""
    from vpclab.network import trace_view

    try:
        view = load_view(args)
        result = trace_view(
            view,
            args.source,
            args.destination,
            protocol=args.protocol,
            port=args.port,
            source_port=args.source_port,
        )
    except source_errors() as exc:
        print(f"vpclab trace: {exc}", file=sys.stderr)
        return 2
    if args.record:
        from vpclab.dataplane.compile import compile_view
        from vpclab.network import write_flow_logs

        write_flow_logs(compile_view(view), result)
    if result.source is None or result.destination is None:
        print(f"vpclab trace: {result.explanations[0].message}", file=sys.stderr)
        return 2
    if args.json:
        from vpclab.api.analysis_json import trace_json

        print(json.dumps(trace_json(result), indent=2))
    else:
        print(trace_tree(result, color=sys.stdout.isatty()))
    if result.unanalysed_at is not None:
        return UNKNOWN_EXIT
    return 0 if result.reachable else 1
