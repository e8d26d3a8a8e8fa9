"""Network Access Analyzer: access scopes, their analyses and findings as PathComponents.

Findings are computed at start from the symbolic exposure engine (internet ingress through an
IGW) and the concrete tracer (egress to the internet), and each finding's components are the
tracer's forward path of one concrete packet of it, presented like Reachability Analyzer's.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from typing import Any

from vpclab.api.common import arn, spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe, paginate
from vpclab.api.ec2.network_insights import compiled_for, present_hops, resource_id_of
from vpclab.api.registry import operation
from vpclab.control.lookup import require
from vpclab.dataplane.access_analysis import (
    ENI_TYPE,
    IGW_TYPE,
    PEERING_TYPE,
    RESOURCE_TYPES,
    Box,
    HeaderStatement,
    PathStatement,
    ResourceStatement,
    ScopePath,
    findings,
    parse_addresses,
    span_cidrs,
)
from vpclab.dataplane.compile import CompiledWorld
from vpclab.dataplane.flow import PortSet
from vpclab.model.access_scope import NetworkInsightsAccessScope, NetworkInsightsAccessScopeAnalysis
from vpclab.model.errors import DomainError
from vpclab.model.ids import new_id
from vpclab.model.security_group import PrefixList

ANALYSIS_SECONDS = 0.1
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


RESOURCE_TYPE_WITH_IDS = "InvalidParameterCombination"
# The four scopes AWS creates in every account (reachability.md §2.3), as the requests that
# would create them. They are listed by DescribeNetworkInsightsAccessScopes under these Name
# tags and can be analysed like any scope; `BUILTIN_SCOPES[name]` also serves as a template.
_GATEWAY_TYPES = [
    IGW_TYPE,
    PEERING_TYPE,
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPNGateway",
    "AWS::EC2::TransitGatewayAttachment",
]
_THROUGH_LOAD_BALANCERS = [
    {"ThroughResources": [{"ResourceStatement": {"ResourceTypes": [kind]}}]}
    for kind in (
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
    )
]


def _between(sources: list[str], destinations: list[str]) -> dict[str, Any]:
    """A path statement from resources of some types to resources of others."""
    return {
        "Source": {"ResourceStatement": {"ResourceTypes": sources}},
        "Destination": {"ResourceStatement": {"ResourceTypes": destinations}},
    }


BUILTIN_SCOPES: dict[str, dict[str, list[dict[str, Any]]]] = {
    "All-IGW-Ingress": {
        "MatchPaths": [_between([IGW_TYPE], [ENI_TYPE])],
        "ExcludePaths": _THROUGH_LOAD_BALANCERS,
    },
    "AWS-IGW-Egress": {"MatchPaths": [_between([ENI_TYPE], [IGW_TYPE])], "ExcludePaths": []},
    "AWS-VPC-Ingress": {"MatchPaths": [_between(_GATEWAY_TYPES, [ENI_TYPE])], "ExcludePaths": []},
    "AWS-VPC-Egress": {"MatchPaths": [_between([ENI_TYPE], _GATEWAY_TYPES)], "ExcludePaths": []},
}
# When the Amazon created scopes appear to exist: Network Access Analyzer's launch day.
BUILTIN_CREATED_AT = 1653436800.0


def builtin_scopes(ctx: RequestContext) -> list[NetworkInsightsAccessScope]:
    """The Amazon created scopes of the caller's account and region (never stored)."""
    out = []
    for name, content in BUILTIN_SCOPES.items():
        digest = hashlib.sha256(f"{ctx.account}/{ctx.region}/{name}".encode()).hexdigest()
        out.append(
            NetworkInsightsAccessScope(
                id=f"nis-{digest[:17]}",
                match_paths_json=json.dumps(content["MatchPaths"], sort_keys=True),
                exclude_paths_json=json.dumps(content["ExcludePaths"], sort_keys=True),
                created_at=BUILTIN_CREATED_AT,
                tags=(("Name", name),),
            )
        )
    return out


def _scope(ctx: RequestContext, scope_id: str) -> NetworkInsightsAccessScope:
    """A stored or Amazon created scope by id, or EC2's not-found error."""
    for builtin in builtin_scopes(ctx):
        if builtin.id == scope_id:
            return builtin
    found: NetworkInsightsAccessScope = _require(
        ctx, NetworkInsightsAccessScope, scope_id, SCOPE_NOT_FOUND, "NetworkInsightsAccessScope"
    )
    return found


def _ports(texts: list[str] | None) -> PortSet | None:
    """Port strings ('22', '1024-65535') as a port set; None when not given."""
    if not texts:
        return None
    spans = []
    for text in texts:
        low, _, high = str(text).partition("-")
        if not low.strip().isdigit() or (high and not high.strip().isdigit()):
            raise DomainError("InvalidParameterValue", f"Invalid port range '{text}'")
        first, last = int(low), int(high or low)
        if not 0 <= first <= last <= 65535:
            raise DomainError("InvalidParameterValue", f"Invalid port range '{text}'")
        spans.append((first, last))
    return PortSet.from_spans(spans)


def _addresses(texts: list[str] | None) -> PortSet | None:
    """IPv4 CIDRs as an address set; None when not given."""
    if not texts:
        return None
    for text in texts:
        try:
            network = ipaddress.ip_network(str(text), strict=False)
        except ValueError:
            network = None
        if network is None or network.version != 4:
            raise DomainError(
                "InvalidParameterValue", f"Value ({text}) for parameter address is invalid."
            )
    return parse_addresses([str(t) for t in texts])


def _resource_statement(raw: dict[str, Any] | None) -> ResourceStatement | None:
    """A ResourceStatement: ids (or ARNs) or resource types, not both."""
    if not raw:
        return None
    ids = [resource_id_of(str(r)) or "" for r in raw.get("Resources") or []]
    types = [str(t) for t in raw.get("ResourceTypes") or []]
    if ids and types:
        raise DomainError(
            RESOURCE_TYPE_WITH_IDS,
            "A resource statement may name Resources or ResourceTypes, not both.",
        )
    unknown = sorted(set(types) - RESOURCE_TYPES)
    if unknown:
        raise DomainError(
            "InvalidParameterValue", f"Value ({unknown[0]}) for parameter resourceTypes is invalid."
        )
    return ResourceStatement(frozenset(ids), frozenset(types))


def _header_statement(
    ctx: RequestContext, raw: dict[str, Any] | None, *, creating: bool
) -> HeaderStatement | None:
    """A PacketHeaderStatement; prefix lists become the addresses they hold now."""
    if not raw:
        return None
    lists: dict[str, PortSet | None] = {}
    for name in ("SourcePrefixLists", "DestinationPrefixLists"):
        ids = [str(i) for i in raw.get(name) or []]
        cidrs = [c for i in ids for c in _prefix_list_cidrs(ctx, i, creating=creating)]
        lists[name] = parse_addresses(cidrs) if ids else None
    protocols = raw.get("Protocols")
    return HeaderStatement(
        source_addresses=_both_sets(
            _addresses(raw.get("SourceAddresses")), lists["SourcePrefixLists"]
        ),
        destination_addresses=_both_sets(
            _addresses(raw.get("DestinationAddresses")), lists["DestinationPrefixLists"]
        ),
        source_ports=_ports(raw.get("SourcePorts")),
        destination_ports=_ports(raw.get("DestinationPorts")),
        protocols=frozenset(str(p).lower() for p in protocols) if protocols else None,
    )


def _both_sets(first: PortSet | None, second: PortSet | None) -> PortSet | None:
    """Addresses given both as CIDRs and as prefix lists: either may hold the address."""
    if first is None:
        return second
    return first if second is None else first.union(second)


def _prefix_list_cidrs(ctx: RequestContext, prefix_list_id: str, *, creating: bool) -> list[str]:
    """A prefix list's IPv4 CIDRs now; one must exist to be named, and one deleted since the
    scope was created holds no address (the statement then matches nothing through it)."""
    found = require(ctx.tx, PrefixList, prefix_list_id) if creating else None
    found = found or ctx.tx.get(PrefixList, prefix_list_id)
    return [c for c in (found.cidrs() if found else ()) if ":" not in c]


def _side(ctx: RequestContext, raw: dict[str, Any] | None, *, creating: bool) -> PathStatement:
    """One side (Source or Destination) of a scope path."""
    raw = raw or {}
    return PathStatement(
        _resource_statement(raw.get("ResourceStatement")),
        _header_statement(ctx, raw.get("PacketHeaderStatement"), creating=creating),
    )


def scope_paths(
    ctx: RequestContext, raw: list[dict[str, Any]], *, creating: bool = False
) -> list[ScopePath]:
    """MatchPaths or ExcludePaths in their request form as the analysis reads them."""
    out = []
    for path in raw:
        through = [
            _resource_statement((item or {}).get("ResourceStatement"))
            for item in path.get("ThroughResources") or []
        ]
        out.append(
            ScopePath(
                _side(ctx, path.get("Source"), creating=creating),
                _side(ctx, path.get("Destination"), creating=creating),
                tuple(t for t in through if t is not None),
            )
        )
    return out


def _box_header(protocol: str, box: Box) -> dict[str, Any]:
    """A finding's packets as an AnalysisPacketHeader (addresses as CIDRs)."""
    return {
        "Protocol": protocol,
        "SourceAddresses": span_cidrs(box.source_addresses),
        "DestinationAddresses": span_cidrs(box.destination_addresses),
        "SourcePortRanges": [{"From": a, "To": b} for a, b in box.source_ports.spans],
        "DestinationPortRanges": [{"From": a, "To": b} for a, b in box.destination_ports.spans],
    }


def _findings(
    ctx: RequestContext, world: CompiledWorld, scope: NetworkInsightsAccessScope
) -> list[dict[str, Any]]:
    """Every finding of the scope as FindingComponents: the path of one packet of it, its
    first component's OutboundHeader carrying all the finding's packets."""
    match = scope_paths(ctx, json.loads(scope.match_paths_json))
    exclude = scope_paths(ctx, json.loads(scope.exclude_paths_json))
    out = []
    for finding in findings(world, match, exclude):
        components = present_hops(ctx, finding.candidate.example.forward)
        if components:
            components[0]["OutboundHeader"] = _box_header(finding.candidate.protocol, finding.box)
        out.append({"FindingComponents": components})
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
    """CreateNetworkInsightsAccessScope.

    A vpclab convenience where AWS has an error: with no paths at all and a Name tag naming an
    Amazon created scope, the new scope is a copy of that template (the console's "duplicate").
    """
    match = params.get("MatchPaths") or []
    exclude = params.get("ExcludePaths") or []
    tags = spec_tags(params, "network-insights-access-scope")
    template = BUILTIN_SCOPES.get(dict(tags).get("Name", "")) if not match and not exclude else None
    if template is not None:
        match, exclude = template["MatchPaths"], template["ExcludePaths"]
    if not match and not exclude:
        raise DomainError("MissingParameter", "Either MatchPaths or ExcludePaths must be given.")
    scope_paths(ctx, [*match, *exclude], creating=True)
    scope = NetworkInsightsAccessScope(
        id=new_id("nis"),
        match_paths_json=json.dumps(match, sort_keys=True),
        exclude_paths_json=json.dumps(exclude, sort_keys=True),
        created_at=ctx.tx.now(),
        tags=tags,
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
        [_scope(ctx, i) for i in ids]
        if ids
        else builtin_scopes(ctx) + ctx.tx.all(NetworkInsightsAccessScope)
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
    scope = _scope(ctx, params["NetworkInsightsAccessScopeId"])
    return {"NetworkInsightsAccessScopeContent": present_content(scope)}


@operation("DeleteNetworkInsightsAccessScope")
def delete_scope(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkInsightsAccessScope: refused while analyses of the scope exist, and for
    the Amazon created scopes, which every account keeps."""
    scope = _scope(ctx, params["NetworkInsightsAccessScopeId"])
    if scope in builtin_scopes(ctx):
        raise DomainError(
            "InvalidParameterValue",
            f"The NetworkInsightsAccessScope '{scope.id}' was created by Amazon and cannot be "
            "deleted.",
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
    scope = _scope(ctx, params["NetworkInsightsAccessScopeId"])
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
