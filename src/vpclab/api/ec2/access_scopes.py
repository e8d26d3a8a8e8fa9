"""Network Access Analyzer: access scopes, their analyses and findings as PathComponents.

Findings are computed at start from the symbolic exposure engine (internet ingress through an
IGW) and the concrete tracer (egress to the internet), and each finding's components are the
tracer's forward path of one concrete packet of it, presented like Reachability Analyzer's.
"""

from __future__ import annotations

import json
from typing import Any

from vpclab.api.common import arn, spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe, paginate
from vpclab.api.ec2.network_insights import compiled_for, present_hops
from vpclab.api.registry import operation
from vpclab.dataplane.compile import CompiledWorld
from vpclab.dataplane.flow import Flow, PortSet
from vpclab.dataplane.queries import Exposure, internet_exposure
from vpclab.dataplane.tracer import trace
from vpclab.model.access_scope import NetworkInsightsAccessScope, NetworkInsightsAccessScopeAnalysis
from vpclab.model.errors import DomainError
from vpclab.model.ids import new_id

ANALYSIS_SECONDS = 0.1
IGW_TYPE = "AWS::EC2::InternetGateway"
SCOPE_NOT_FOUND = "InvalidNetworkInsightsAccessScopeId.NotFound"
ANALYSIS_NOT_FOUND = "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound"


def _status(analysis: NetworkInsightsAccessScopeAnalysis, now: float) -> str:
    """running until the emulated duration has passed, then succeeded."""
    return "running" if now < analysis.started_at + analysis.duration else "succeeded"


def _require(ctx: RequestContext, cls: type[Any], resource_id: str, code: str, noun: str) -> Any:
    """A scope or analysis by id, or EC2's not-found error."""
    found = ctx.tx.get(cls, resource_id)
    if found is None:
        raise DomainError(code, f"The {noun} Id '{resource_id}' does not exist")
    return found


def _names_igw(statement: dict[str, Any] | None) -> bool:
    """Whether a path statement's resource statement names internet gateways."""
    resources = (statement or {}).get("ResourceStatement") or {}
    ids = resources.get("Resources") or []
    return IGW_TYPE in (resources.get("ResourceTypes") or []) or any(
        str(i).startswith("igw-") for i in ids
    )


def _ports(texts: list[str] | None) -> PortSet | None:
    """DestinationPorts strings ('22', '1024-65535') as a port set; None when not given."""
    if not texts:
        return None
    spans = []
    for text in texts:
        low, _, high = str(text).partition("-")
        if not low.strip().isdigit() or (high and not high.strip().isdigit()):
            raise DomainError("InvalidParameterValue", f"Invalid port range '{text}'")
        spans.append((int(low), int(high or low)))
    return PortSet.from_spans(spans)


def _destination_matches(statement: dict[str, Any] | None, finding: Exposure, part: Any) -> bool:
    """Whether an exposure's ENI is what a destination statement names (ids or types)."""
    resources = (statement or {}).get("ResourceStatement") or {}
    ids, types = resources.get("Resources") or [], resources.get("ResourceTypes") or []
    eni = part.enis[finding.eni_id].eni
    names = {finding.eni_id, finding.owner_id, eni.subnet_id, eni.vpc_id, *eni.groups}
    if ids and not names & set(ids):
        return False
    kinds = {"AWS::EC2::NetworkInterface"}
    if finding.owner_id.startswith("i-"):
        kinds.add("AWS::EC2::Instance")
    return not types or bool(kinds & set(types))


def _header_ports(path: dict[str, Any], finding: Exposure) -> PortSet:
    """The exposed ports a path's packet header statements keep (empty: the path misses)."""
    header = ((path.get("Destination") or {}).get("PacketHeaderStatement") or {}) | (
        (path.get("Source") or {}).get("PacketHeaderStatement") or {}
    )
    protocols = [str(p).lower() for p in header.get("Protocols") or []]
    if protocols and finding.protocol not in protocols:
        return PortSet(())
    wanted = _ports(header.get("DestinationPorts"))
    ports = finding.destination_ports
    return ports if wanted is None or finding.protocol == "icmp" else ports.intersect(wanted)


def _ingress_ports(paths: list[dict[str, Any]], finding: Exposure, part: Any) -> PortSet:
    """The ports of an exposure that some IGW-ingress path of the list matches."""
    ports = PortSet(())
    for path in paths:
        if _names_igw(path.get("Source")) and _destination_matches(
            path.get("Destination"), finding, part
        ):
            ports = ports.union(_header_ports(path, finding))
    return ports


def _findings(
    ctx: RequestContext, world: CompiledWorld, scope: NetworkInsightsAccessScope
) -> list[dict[str, Any]]:
    """Every matched, not excluded, way in from the internet, as PathComponents."""
    match, exclude = json.loads(scope.match_paths_json), json.loads(scope.exclude_paths_json)
    part = world.home
    out: list[dict[str, Any]] = []
    for finding in internet_exposure(part):
        ports = _ingress_ports(match, finding, part).minus(_ingress_ports(exclude, finding, part))
        if ports.is_empty():
            continue
        flow = Flow(
            protocol=finding.protocol,
            source_ip=finding.sources[-1][0],
            destination_port=None if finding.protocol == "icmp" else ports.spans[0][0],
            source_port=finding.source_ports.spans[0][0] if finding.protocol != "icmp" else None,
        )
        result = trace(world, "internet", finding.owner_id, flow)
        out.append({"FindingComponents": present_hops(ctx, result.forward)})
    egress = [p for p in match if _names_igw(p.get("Destination"))]
    for eni_id in sorted(part.enis) if egress else ():
        owner = part.enis[eni_id].owner.id
        result = trace(world, owner, "internet", Flow(protocol="tcp", destination_port=443))
        if result.reachable:
            out.append({"FindingComponents": present_hops(ctx, result.forward)})
    return out


def present_scope(ctx: RequestContext, scope: NetworkInsightsAccessScope) -> dict[str, Any]:
    """A NetworkInsightsAccessScope."""
    return {
        "NetworkInsightsAccessScopeId": scope.id,
        "NetworkInsightsAccessScopeArn": arn(ctx, "network-insights-access-scope", scope.id),
        "CreatedDate": timestamp(scope.created_at),
        "UpdatedDate": timestamp(scope.created_at),
        "Tags": tag_list(scope),
    }


def present_content(scope: NetworkInsightsAccessScope) -> dict[str, Any]:
    """The scope's MatchPaths and ExcludePaths as sent."""
    out: dict[str, Any] = {
        "NetworkInsightsAccessScopeId": scope.id,
        "MatchPaths": json.loads(scope.match_paths_json),
    }
    excluded = json.loads(scope.exclude_paths_json)
    if excluded:
        out["ExcludePaths"] = excluded
    return out


@operation("CreateNetworkInsightsAccessScope")
def create_scope(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateNetworkInsightsAccessScope."""
    match = params.get("MatchPaths") or []
    exclude = params.get("ExcludePaths") or []
    if not match and not exclude:
        raise DomainError("MissingParameter", "Either MatchPaths or ExcludePaths must be given.")
    for path in [*match, *exclude]:
        for side in ("Source", "Destination"):
            header = (path.get(side) or {}).get("PacketHeaderStatement") or {}
            _ports(header.get("DestinationPorts"))
            _ports(header.get("SourcePorts"))
    scope = NetworkInsightsAccessScope(
        id=new_id("nis"),
        match_paths_json=json.dumps(match, sort_keys=True),
        exclude_paths_json=json.dumps(exclude, sort_keys=True),
        created_at=ctx.tx.now(),
        tags=spec_tags(params, "network-insights-access-scope"),
    )
    ctx.tx.put(scope)
    return {
        "NetworkInsightsAccessScope": present_scope(ctx, scope),
        "NetworkInsightsAccessScopeContent": present_content(scope),
    }


@operation("DescribeNetworkInsightsAccessScopes")
def describe_scopes(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNetworkInsightsAccessScopes."""
    ids = params.get("NetworkInsightsAccessScopeIds")
    items = (
        [
            _require(
                ctx, NetworkInsightsAccessScope, i, SCOPE_NOT_FOUND, "NetworkInsightsAccessScope"
            )
            for i in ids
        ]
        if ids
        else ctx.tx.all(NetworkInsightsAccessScope)
    )
    return describe(
        items,
        params,
        fields={},
        present=lambda s: present_scope(ctx, s),
        list_key="NetworkInsightsAccessScopes",
        ids_given=bool(ids),
    )


@operation("GetNetworkInsightsAccessScopeContent")
def get_content(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """GetNetworkInsightsAccessScopeContent."""
    scope = _require(
        ctx,
        NetworkInsightsAccessScope,
        params["NetworkInsightsAccessScopeId"],
        SCOPE_NOT_FOUND,
        "NetworkInsightsAccessScope",
    )
    return {"NetworkInsightsAccessScopeContent": present_content(scope)}


@operation("DeleteNetworkInsightsAccessScope")
def delete_scope(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkInsightsAccessScope: refused while analyses of the scope exist."""
    scope = _require(
        ctx,
        NetworkInsightsAccessScope,
        params["NetworkInsightsAccessScopeId"],
        SCOPE_NOT_FOUND,
        "NetworkInsightsAccessScope",
    )
    if any(a.scope_id == scope.id for a in ctx.tx.iter(NetworkInsightsAccessScopeAnalysis)):
        raise DomainError(
            "DependencyViolation",
            f"The NetworkInsightsAccessScope '{scope.id}' has dependent analyses.",
        )
    ctx.tx.delete(NetworkInsightsAccessScope, scope.id)
    return {"NetworkInsightsAccessScopeId": scope.id}


def present_analysis(
    ctx: RequestContext, analysis: NetworkInsightsAccessScopeAnalysis, status: str | None = None
) -> dict[str, Any]:
    """A NetworkInsightsAccessScopeAnalysis; FindingsFound is unknown until it has succeeded."""
    status = status or _status(analysis, ctx.tx.now())
    done = status == "succeeded"
    out: dict[str, Any] = {
        "NetworkInsightsAccessScopeAnalysisId": analysis.id,
        "NetworkInsightsAccessScopeAnalysisArn": arn(
            ctx, "network-insights-access-scope-analysis", analysis.id
        ),
        "NetworkInsightsAccessScopeId": analysis.scope_id,
        "Status": status,
        "StartDate": timestamp(analysis.started_at),
        "FindingsFound": (
            ("true" if json.loads(analysis.findings_json) else "false") if done else "unknown"
        ),
        "Tags": tag_list(analysis),
    }
    if done:
        out["EndDate"] = timestamp(analysis.started_at + analysis.duration)
        out["AnalyzedEniCount"] = analysis.analyzed_eni_count
    return out


@operation("StartNetworkInsightsAccessScopeAnalysis")
def start_analysis(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """StartNetworkInsightsAccessScopeAnalysis: findings reflect the state at start."""
    scope = _require(
        ctx,
        NetworkInsightsAccessScope,
        params["NetworkInsightsAccessScopeId"],
        SCOPE_NOT_FOUND,
        "NetworkInsightsAccessScope",
    )
    world = compiled_for(ctx.store, ctx.tx, own_commit=True)
    analysis = NetworkInsightsAccessScopeAnalysis(
        id=new_id("nisa"),
        scope_id=scope.id,
        started_at=ctx.tx.now(),
        duration=min(ANALYSIS_SECONDS, ctx.tx.clock.settle_seconds),
        analyzed_eni_count=len(world.home.enis),
        findings_json=json.dumps(_findings(ctx, world, scope), default=str),
        tags=spec_tags(params, "network-insights-access-scope-analysis"),
    )
    ctx.tx.put(analysis)
    return {"NetworkInsightsAccessScopeAnalysis": present_analysis(ctx, analysis, "running")}


@operation("DescribeNetworkInsightsAccessScopeAnalyses")
def describe_analyses(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNetworkInsightsAccessScopeAnalyses."""
    ids = params.get("NetworkInsightsAccessScopeAnalysisIds")
    items = (
        [
            _require(
                ctx,
                NetworkInsightsAccessScopeAnalysis,
                i,
                ANALYSIS_NOT_FOUND,
                "NetworkInsightsAccessScopeAnalysis",
            )
            for i in ids
        ]
        if ids
        else ctx.tx.all(NetworkInsightsAccessScopeAnalysis)
    )
    scope_id = params.get("NetworkInsightsAccessScopeId")
    if scope_id:
        items = [a for a in items if a.scope_id == scope_id]
    now = ctx.tx.now()
    return describe(
        items,
        params,
        fields={"status": lambda a: _status(a, now)},
        present=lambda a: present_analysis(ctx, a),
        list_key="NetworkInsightsAccessScopeAnalyses",
        ids_given=bool(ids),
    )


@operation("GetNetworkInsightsAccessScopeAnalysisFindings")
def get_findings(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """GetNetworkInsightsAccessScopeAnalysisFindings (paginated; empty while running)."""
    analysis = _require(
        ctx,
        NetworkInsightsAccessScopeAnalysis,
        params["NetworkInsightsAccessScopeAnalysisId"],
        ANALYSIS_NOT_FOUND,
        "NetworkInsightsAccessScopeAnalysis",
    )
    status = _status(analysis, ctx.tx.now())
    findings = json.loads(analysis.findings_json) if status == "succeeded" else []
    numbered = [
        {
            "NetworkInsightsAccessScopeAnalysisId": analysis.id,
            "NetworkInsightsAccessScopeId": analysis.scope_id,
            "FindingId": f"{analysis.id}-{index:05d}",
            **finding,
        }
        for index, finding in enumerate(findings)
    ]
    page, token = paginate(numbered, params, key=lambda f: str(f["FindingId"]))
    out: dict[str, Any] = {
        "NetworkInsightsAccessScopeAnalysisId": analysis.id,
        "AnalysisStatus": status,
        "AnalysisFindings": page,
    }
    if token:
        out["NextToken"] = token
    return out


@operation("DeleteNetworkInsightsAccessScopeAnalysis")
def delete_analysis(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkInsightsAccessScopeAnalysis."""
    analysis_id = params["NetworkInsightsAccessScopeAnalysisId"]
    _require(
        ctx,
        NetworkInsightsAccessScopeAnalysis,
        analysis_id,
        ANALYSIS_NOT_FOUND,
        "NetworkInsightsAccessScopeAnalysis",
    )
    ctx.tx.delete(NetworkInsightsAccessScopeAnalysis, analysis_id)
    return {"NetworkInsightsAccessScopeAnalysisId": analysis_id}
