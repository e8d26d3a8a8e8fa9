"""Reachability Analyzer resources: paths (questions) and analyses (answers at start time)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register


@dataclass(frozen=True, slots=True, kw_only=True)
class PathFilter:
    """A FilterAtSource / FilterAtDestination: addresses and port ranges the path is asked for."""

    source_address: str | None = None
    destination_address: str | None = None
    source_from_port: int | None = None
    source_to_port: int | None = None
    destination_from_port: int | None = None
    destination_to_port: int | None = None


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInsightsPath(Resource):
    """A path to analyse: source, destination, protocol and optional addresses and ports."""

    kind = "network-insights-path"
    id_prefix = "nip"
    resource_type = "network-insights-path"
    source: str
    destination: str | None = None
    source_arn: str | None = None
    destination_arn: str | None = None
    source_ip: str | None = None
    destination_ip: str | None = None
    protocol: str = "tcp"
    destination_port: int | None = None
    filter_at_source: PathFilter | None = None
    filter_at_destination: PathFilter | None = None
    created_at: float = 0.0


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInsightsAnalysis(Resource):
    """An analysis of a path; the answer is computed at start and kept as presented JSON."""

    kind = "network-insights-analysis"
    id_prefix = "nia"
    resource_type = "network-insights-analysis"
    path_id: str
    started_at: float
    # Seconds of emulated time the analysis stays `running` before it reads `succeeded`.
    duration: float = 0.1
    path_found: bool = False
    # The presented ForwardPathComponents / ReturnPathComponents / Explanations as a JSON string.
    result_json: str = "{}"
    additional_accounts: tuple[str, ...] = ()
    filter_in_arns: tuple[str, ...] = ()
    filter_out_arns: tuple[str, ...] = ()


def analysis_status(analysis: NetworkInsightsAnalysis, now: float) -> str:
    """running until the emulated duration has passed, then succeeded (derived, never stored)."""
    return "running" if now < analysis.started_at + analysis.duration else "succeeded"
