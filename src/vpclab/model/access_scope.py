"""Network Access Analyzer resources: access scopes (questions) and their analyses (answers)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInsightsAccessScope(Resource):
    """A scope: MatchPaths and ExcludePaths kept as the JSON the caller sent (echoed back)."""

    kind = "network-insights-access-scope"
    id_prefix = "nis"
    resource_type = "network-insights-access-scope"
    match_paths_json: str = "[]"
    exclude_paths_json: str = "[]"
    created_at: float = 0.0


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInsightsAccessScopeAnalysis(Resource):
    """An analysis of a scope; findings are computed at start and kept as presented JSON."""

    kind = "network-insights-access-scope-analysis"
    id_prefix = "nisa"
    resource_type = "network-insights-access-scope-analysis"
    scope_id: str
    started_at: float
    duration: float = 0.1
    analyzed_eni_count: int = 0
    findings_json: str = "[]"
