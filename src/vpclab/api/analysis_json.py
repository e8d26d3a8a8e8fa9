"""Plain-JSON forms of analysis results, shared by `vpclab trace/exposure --json` and the console.

One serializer per result, so the CLI and /_vpclab/api/trace and /_vpclab/api/exposure can never
disagree about what a trace or an exposure says.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vpclab.control.codec import to_plain
from vpclab.dataplane.queries import Exposure
from vpclab.dataplane.trace import Hop, Trace


def hop_verdict(hop: Hop) -> str:
    """'dropped' when a step denied the packet, 'translated' when one rewrote it, else 'admitted'."""
    if hop.blocked:
        return "dropped"
    if any(step.translation is not None for step in hop.steps):
        return "translated"
    return "admitted"


def hop_json(hop: Hop, direction: str) -> Any:
    """One hop as plain JSON, with its direction, its verdict and its explanation codes."""
    out = to_plain(hop)
    out["direction"] = direction
    out["verdict"] = hop_verdict(hop)
    out["explanation_codes"] = [e.code for step in hop.steps for e in step.explanations]
    return out


def trace_json(result: Trace) -> Any:
    """The trace as plain JSON (port sets become [[low, high], ...]; each hop says where it goes)."""
    out = to_plain(result)
    out["verdict"] = result.verdict
    out["forward"] = [hop_json(hop, "forward") for hop in result.forward]
    out["reverse"] = [hop_json(hop, "return") for hop in result.reverse]
    return out


def exposure_json(finding: Exposure) -> Any:
    """One finding as plain JSON (port sets become [[low, high], ...])."""
    return to_plain(finding)


def exposures_json(findings: Iterable[Exposure]) -> list[Any]:
    """Every finding of an exposure report, in the engine's order."""
    return [exposure_json(finding) for finding in findings]
