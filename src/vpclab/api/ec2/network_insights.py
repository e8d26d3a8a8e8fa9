"""Reachability Analyzer: paths, analyses, and the presenter mapping a Trace onto AWS's shapes."""

from __future__ import annotations

import json
import threading
from typing import Any

from vpclab.api.common import arn, spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control.store import Store
from vpclab.dataplane.compile import CompiledWorld, compile_view
from vpclab.dataplane.flow import Flow, Header, PortSet, is_ipv4
from vpclab.dataplane.trace import Explanation, HeaderFilter, Hop, Ref, Restrictions, Trace
from vpclab.dataplane.tracer import trace
from vpclab.model.base import kind_of_id
from vpclab.model.errors import DomainError
from vpclab.model.ids import new_id
from vpclab.model.insights import (
    NetworkInsightsAnalysis,
    NetworkInsightsPath,
    PathFilter,
    analysis_status,
)
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.state import View

ANALYSIS_SECONDS = 0.1
_CACHE_LOCK = threading.Lock()
_CACHE: dict[int, tuple[tuple[Any, ...], CompiledWorld]] = {}


def _versions(store: Store, bump: tuple[str, str] | None = None) -> tuple[Any, ...]:
    """Every partition's version, optionally as it will be once `bump`'s partition commits."""
    versions = dict(store.versions)
    if bump is not None:
        versions[bump] = versions.get(bump, 0) + 1
    return tuple(sorted(versions.items()))


def compiled_for(store: Store, view: View, *, own_commit: bool = False) -> CompiledWorld:
    """The compiled world of a store, reused while no partition has changed since it was built.

    With `own_commit`, the caller's transaction writes only insights resources (which the data
    plane never reads), so the cache entry is keyed on the version that commit will produce.
    """
    versions = _versions(store)
    key = id(store)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        place = (view.account, view.region)
        if cached is not None and cached[0] == versions and cached[1].home_key == place:
            if own_commit:
                _CACHE[key] = (_versions(store, place), cached[1])
            return cached[1]
        world = compile_view(view)
        place = (view.account, view.region)
        _CACHE[key] = (_versions(store, place if own_commit else None), world)
        return world


# -- paths ------------------------------------------------------------------------------------
def resource_id_of(value: str | None) -> str | None:
    """An id from an id or an ARN (arn:aws:ec2:region:account:instance/i-...)."""
    if value is None:
        return None
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def _path_filter(raw: dict[str, Any] | None) -> PathFilter | None:
    """A PathRequestFilter from its request form."""
    if not raw:
        return None
    source_range = raw.get("SourcePortRange") or {}
    destination_range = raw.get("DestinationPortRange") or {}
    return PathFilter(
        source_address=raw.get("SourceAddress"),
        destination_address=raw.get("DestinationAddress"),
        source_from_port=source_range.get("FromPort"),
        source_to_port=source_range.get("ToPort"),
        destination_from_port=destination_range.get("FromPort"),
        destination_to_port=destination_range.get("ToPort"),
    )


def _check_path_request(params: dict[str, Any]) -> None:
    """The exclusivity rules of CreateNetworkInsightsPath and its address syntax."""
    if params.get("FilterAtSource") and (
        params.get("SourceIp") or params.get("DestinationPort") is not None
    ):
        raise DomainError(
            "InvalidParameterCombination",
            "FilterAtSource cannot be specified together with SourceIp or DestinationPort",
        )
    if params.get("FilterAtDestination") and params.get("DestinationIp"):
        raise DomainError(
            "InvalidParameterCombination",
            "FilterAtDestination cannot be specified together with DestinationIp",
        )
    if not params.get("Destination") and not (
        params.get("DestinationIp")
        or (params.get("FilterAtDestination") or {}).get("DestinationAddress")
    ):
        raise DomainError("MissingParameter", "The request must contain the parameter Destination")
    if params["Protocol"] not in ("tcp", "udp"):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({params['Protocol']}) for parameter protocol is invalid. Use tcp or udp.",
        )
    for name in ("SourceIp", "DestinationIp"):
        if params.get(name) is not None and not is_ipv4(params[name]):
            raise DomainError(
                "InvalidParameterValue",
                f"Value ({params[name]}) for parameter {name} is invalid. Not a valid IPv4 address.",
            )
    for filter_name in ("FilterAtSource", "FilterAtDestination"):
        _check_filter(filter_name, params.get(filter_name) or {})
    port = params.get("DestinationPort")
    if port is not None and not 0 <= port <= 65535:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({port}) for parameter destinationPort is invalid.",
        )


def _check_filter(name: str, raw: dict[str, Any]) -> None:
    """A PathRequestFilter's addresses are single IPv4 addresses, its ranges ordered ports."""
    for member in ("SourceAddress", "DestinationAddress"):
        value = raw.get(member)
        if value is not None and not is_ipv4(value):
            raise DomainError(
                "InvalidParameterValue",
                f"Value ({value}) for parameter {name}.{member} is invalid. "
                "Not a valid IPv4 address.",
            )
    for member in ("SourcePortRange", "DestinationPortRange"):
        found = raw.get(member) or {}
        low, high = found.get("FromPort", 0), found.get("ToPort", 65535)
        if not 0 <= low <= high <= 65535:
            raise DomainError(
                "InvalidParameterValue",
                f"Value ({low}-{high}) for parameter {name}.{member} is invalid.",
            )


def _present_filter(found: PathFilter | None) -> dict[str, Any] | None:
    """A PathFilter in the output shape."""
    if found is None:
        return None
    out: dict[str, Any] = {}
    if found.source_address:
        out["SourceAddress"] = found.source_address
    if found.destination_address:
        out["DestinationAddress"] = found.destination_address
    if found.source_from_port is not None:
        out["SourcePortRange"] = {
            "FromPort": found.source_from_port,
            "ToPort": found.source_to_port,
        }
    if found.destination_from_port is not None:
        out["DestinationPortRange"] = {
            "FromPort": found.destination_from_port,
            "ToPort": found.destination_to_port,
        }
    return out


def present_path(ctx: RequestContext, path: NetworkInsightsPath) -> dict[str, Any]:
    """A NetworkInsightsPath as EC2 shows it."""
    out: dict[str, Any] = {
        "NetworkInsightsPathId": path.id,
        "NetworkInsightsPathArn": arn(ctx, "network-insights-path", path.id),
        "CreatedDate": timestamp(path.created_at),
        "Source": path.source,
        "SourceArn": path.source_arn,
        "Destination": path.destination,
        "DestinationArn": path.destination_arn,
        "SourceIp": path.source_ip,
        "DestinationIp": path.destination_ip,
        "Protocol": path.protocol,
        "DestinationPort": path.destination_port,
        "FilterAtSource": _present_filter(path.filter_at_source),
        "FilterAtDestination": _present_filter(path.filter_at_destination),
        "Tags": tag_list(path),
    }
    return {k: v for k, v in out.items() if v is not None}


def _arn_of(ctx: RequestContext, given: str | None) -> str | None:
    """The ARN of a path endpoint: as given, or built for the partition that holds the id
    (the caller's, else the far side of one of its peerings)."""
    if given is None or given.startswith("arn:"):
        return given
    kinds = {"i": "instance", "eni": "network-interface", "igw": "internet-gateway"}
    kinds |= {"pcx": "vpc-peering-connection", "nat": "natgateway"}
    kind = kinds.get(given.split("-", 1)[0], "resource")
    account, region = _holder(ctx, given)
    return f"arn:aws:ec2:{region}:{account}:{kind}/{given}"


def _holder(ctx: RequestContext, resource_id: str) -> tuple[str, str]:
    """The (account, region) holding a resource: the caller's, or a peer VPC's partition."""
    cls = kind_of_id(resource_id)
    if cls is None or ctx.tx.get(cls, resource_id) is not None:
        return ctx.account, ctx.region
    for pcx in sorted(ctx.tx.iter(VpcPeeringConnection), key=lambda p: p.id):
        for side in (pcx.requester, pcx.accepter):
            place = (side.owner_id, side.region)
            if place != (ctx.account, ctx.region) and ctx.tx.other(*place).get(cls, resource_id):
                return place
    return ctx.account, ctx.region


@operation("CreateNetworkInsightsPath")
def create_path(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateNetworkInsightsPath."""
    _check_path_request(params)
    source = resource_id_of(params["Source"])
    destination = resource_id_of(params.get("Destination"))
    path = NetworkInsightsPath(
        id=new_id("nip"),
        source=source or "",
        destination=destination,
        source_arn=_arn_of(ctx, params["Source"]),
        destination_arn=_arn_of(ctx, params.get("Destination")),
        source_ip=params.get("SourceIp"),
        destination_ip=params.get("DestinationIp"),
        protocol=params["Protocol"],
        destination_port=params.get("DestinationPort"),
        filter_at_source=_path_filter(params.get("FilterAtSource")),
        filter_at_destination=_path_filter(params.get("FilterAtDestination")),
        created_at=ctx.tx.now(),
        tags=spec_tags(params, "network-insights-path"),
    )
    ctx.tx.put(path)
    return {"NetworkInsightsPath": present_path(ctx, path)}


def _require(ctx: RequestContext, cls: type[Any], resource_id: str, code: str) -> Any:
    """A path or analysis by id, or EC2's not-found error."""
    found = ctx.tx.get(cls, resource_id)
    if found is None:
        noun = "NetworkInsightsPath" if cls is NetworkInsightsPath else "NetworkInsightsAnalysis"
        raise DomainError(code, f"The {noun} Id '{resource_id}' does not exist")
    return found


PATH_NOT_FOUND = "InvalidNetworkInsightsPathId.NotFound"
ANALYSIS_NOT_FOUND = "InvalidNetworkInsightsAnalysisId.NotFound"


@operation("DescribeNetworkInsightsPaths")
def describe_paths(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNetworkInsightsPaths."""
    ids = params.get("NetworkInsightsPathIds")
    items = (
        [_require(ctx, NetworkInsightsPath, i, PATH_NOT_FOUND) for i in ids]
        if ids
        else ctx.tx.all(NetworkInsightsPath)
    )
    fields: dict[str, Any] = {
        "destination": lambda p: p.destination,
        "destination-ip": lambda p: p.destination_ip,
        "source": lambda p: p.source,
        "source-ip": lambda p: p.source_ip,
        "protocol": lambda p: p.protocol,
        "destination-port": lambda p: str(p.destination_port),
        "filter-at-source.source-address": lambda p: (
            (p.filter_at_source or PathFilter()).source_address
        ),
        "filter-at-destination.destination-address": lambda p: (
            (p.filter_at_destination or PathFilter()).destination_address
        ),
    }
    return describe(
        items,
        params,
        fields=fields,
        present=lambda p: present_path(ctx, p),
        list_key="NetworkInsightsPaths",
        ids_given=bool(ids),
    )


@operation("DeleteNetworkInsightsPath")
def delete_path(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkInsightsPath: refused while analyses of the path exist."""
    path = _require(ctx, NetworkInsightsPath, params["NetworkInsightsPathId"], PATH_NOT_FOUND)
    if any(a.path_id == path.id for a in ctx.tx.iter(NetworkInsightsAnalysis)):
        raise DomainError(
            "DependencyViolation",
            f"The NetworkInsightsPath '{path.id}' has dependent analyses and cannot be deleted.",
        )
    ctx.tx.delete(NetworkInsightsPath, path.id)
    return {"NetworkInsightsPathId": path.id}


# -- analyses ---------------------------------------------------------------------------------
def _range(low: int | None, high: int | None) -> PortSet | None:
    """A port range from a filter, or None when not given."""
    if low is None and high is None:
        return None
    return PortSet.of(low if low is not None else 0, high if high is not None else 65535)


def path_flow(path: NetworkInsightsPath) -> Flow:
    """The question a path asks as the packet leaves the source (FilterAtSource narrows it;
    FilterAtDestination is judged where the packet arrives, see `path_restrictions`)."""
    at_source = path.filter_at_source or PathFilter()
    return Flow(
        protocol=path.protocol,
        source_ip=path.source_ip or at_source.source_address,
        destination_ip=path.destination_ip or at_source.destination_address,
        destination_port=path.destination_port,
        destination_ports=_range(at_source.destination_from_port, at_source.destination_to_port),
        source_ports=_range(at_source.source_from_port, at_source.source_to_port),
    )


def _header_filter(found: PathFilter | None) -> HeaderFilter | None:
    """A stored PathRequestFilter as the tracer's header filter."""
    if found is None:
        return None
    return HeaderFilter(
        source_address=found.source_address,
        destination_address=found.destination_address,
        source_ports=_range(found.source_from_port, found.source_to_port),
        destination_ports=_range(found.destination_from_port, found.destination_to_port),
    )


def path_restrictions(
    ctx: RequestContext, path: NetworkInsightsPath, params: dict[str, Any]
) -> Restrictions:
    """What StartNetworkInsightsAnalysis adds to the path: filters, components, accounts."""
    return Restrictions(
        visible_accounts=frozenset({ctx.account, *(params.get("AdditionalAccounts") or ())}),
        through=tuple(resource_id_of(a) or "" for a in params.get("FilterInArns") or ()),
        avoid=tuple(resource_id_of(a) or "" for a in params.get("FilterOutArns") or ()),
        at_source=_header_filter(path.filter_at_source),
        at_destination=_header_filter(path.filter_at_destination),
    )


def _component(ctx: RequestContext, ref: Ref | None) -> dict[str, Any] | None:
    """An AnalysisComponent."""
    if ref is None or not ref.id:
        return None
    out = {"Id": ref.id, "Arn": _component_arn(ctx, ref)}
    if ref.name:
        out["Name"] = ref.name
    return out


def _component_arn(ctx: RequestContext, ref: Ref) -> str:
    """The ARN of a path component in its own account and region."""
    account = ref.account or ctx.account
    region = ref.region or ctx.region
    return f"arn:aws:ec2:{region}:{account}:{ref.kind}/{ref.id}"


def _ranges(ports: PortSet) -> list[dict[str, int]]:
    """PortRange items."""
    return [{"From": low, "To": high} for low, high in ports.spans]


def _header(header: Header | None) -> dict[str, Any] | None:
    """An AnalysisPacketHeader."""
    if header is None:
        return None
    out: dict[str, Any] = {
        "Protocol": header.protocol,
        "SourceAddresses": [f"{header.source}/32"],
        "DestinationAddresses": [f"{header.destination}/32"],
    }
    if header.ported:
        out["SourcePortRanges"] = _ranges(header.source_ports)
        out["DestinationPortRanges"] = _ranges(header.destination_ports)
    return out


def _explanation(ctx: RequestContext, item: Explanation) -> dict[str, Any]:
    """An Explanation in AWS's shape."""
    out: dict[str, Any] = {"ExplanationCode": item.code}
    if item.component is not None:
        out["Component"] = _component(ctx, item.component)
        if item.component.kind in _UNMODELLED_FIELDS:
            out[_UNMODELLED_FIELDS[item.component.kind]] = out["Component"]
    if item.direction:
        out["Direction"] = item.direction
    if item.packet_field:
        out["PacketField"] = item.packet_field
    if item.address:
        out["Address"] = item.address
    if item.state:
        out["State"] = item.state
    if item.acl is not None:
        out["Acl"] = _component(ctx, item.acl)
    if item.acl_rule is not None:
        out["AclRule"] = _acl_rule(item.acl_rule)
    if item.security_groups:
        out["SecurityGroups"] = [
            {"Id": g, "Arn": arn(ctx, "security-group", g)} for g in item.security_groups
        ]
    if item.route_table is not None:
        out["RouteTable"] = _component(ctx, item.route_table)
    if item.route is not None:
        out["RouteTableRoute"] = _route(item.route)
    if item.subnet_id:
        out["Subnet"] = {"Id": item.subnet_id, "Arn": arn(ctx, "subnet", item.subnet_id)}
    if item.vpc_id:
        out["Vpc"] = {"Id": item.vpc_id, "Arn": arn(ctx, "vpc", item.vpc_id)}
    if item.port_ranges is not None:
        out["PortRanges"] = _ranges(item.port_ranges)
    return out


def _acl_rule(rule: Any) -> dict[str, Any]:
    """An AnalysisAclRule."""
    out: dict[str, Any] = {
        "Cidr": rule.cidr,
        "Egress": rule.egress,
        "Protocol": rule.protocol,
        "RuleAction": rule.action,
        "RuleNumber": rule.rule_number,
    }
    if rule.port_from is not None:
        out["PortRange"] = {"From": rule.port_from, "To": rule.port_to}
    return out


def _sg_rule(rule: Any) -> dict[str, Any]:
    """An AnalysisSecurityGroupRule."""
    out: dict[str, Any] = {
        "Direction": "egress" if rule.egress else "ingress",
        "SecurityGroupId": rule.group_id,
        "Protocol": rule.protocol,
    }
    if rule.cidr:
        out["Cidr"] = rule.cidr
    if rule.prefix_list_id:
        out["PrefixListId"] = rule.prefix_list_id
    if rule.from_port is not None and rule.from_port >= 0:
        out["PortRange"] = {"From": rule.from_port, "To": rule.to_port}
    return out


_ROUTE_FIELDS = {
    "local": "GatewayId",
    "gateway": "GatewayId",
    "nat": "NatGatewayId",
    "eni": "NetworkInterfaceId",
    "instance": "InstanceId",
    "peering": "VpcPeeringConnectionId",
    "egress-only": "EgressOnlyInternetGatewayId",
    "transit": "TransitGatewayId",
    "carrier": "CarrierGatewayId",
    "local-gateway": "LocalGatewayId",
    "core-network": "CoreNetworkArn",
}
# Explanation members naming a component vpclab does not model, by component kind.
_UNMODELLED_FIELDS = {
    "transit-gateway": "TransitGateway",
    "vpn-gateway": "VpnGateway",
    "vpc-endpoint": "VpcEndpoint",
}


def _route(route: Any) -> dict[str, Any]:
    """An AnalysisRouteTableRoute."""
    out: dict[str, Any] = {
        "Origin": route.origin,
        "State": route.state,
        _ROUTE_FIELDS.get(route.target_kind, "GatewayId"): route.target_id,
    }
    if route.prefix_list_id:
        out["DestinationPrefixListId"] = route.prefix_list_id
    else:
        out["DestinationCidr"] = route.destination
    return out


def present_hops(ctx: RequestContext, hops: tuple[Hop, ...]) -> list[dict[str, Any]]:
    """PathComponents: one per hop, with its deciding rule, headers and explanations."""
    out: list[dict[str, Any]] = []
    for number, hop in enumerate(hops, start=1):
        item: dict[str, Any] = {
            "SequenceNumber": number,
            "Component": _component(ctx, hop.component),
        }
        if hop.vpc_id:
            item["Vpc"] = {"Id": hop.vpc_id, "Arn": arn(ctx, "vpc", hop.vpc_id)}
        if hop.subnet_id:
            item["Subnet"] = {"Id": hop.subnet_id, "Arn": arn(ctx, "subnet", hop.subnet_id)}
        if hop.inbound is not None:
            item["InboundHeader"] = _header(hop.inbound)
        if hop.outbound is not None:
            item["OutboundHeader"] = _header(hop.outbound)
        explanations: list[dict[str, Any]] = []
        for step in hop.steps:
            if step.acl_rules and "AclRule" not in item:
                item["AclRule"] = _acl_rule(step.acl_rules[-1])
            if step.sg_rules and "SecurityGroupRule" not in item:
                item["SecurityGroupRule"] = _sg_rule(step.sg_rules[0])
            if step.route is not None and "RouteTableRoute" not in item:
                item["RouteTableRoute"] = _route(step.route)
            explanations.extend(_explanation(ctx, e) for e in step.explanations)
        if explanations:
            item["Explanations"] = explanations
        out.append(item)
    return out


def present_trace(ctx: RequestContext, result: Trace) -> dict[str, Any]:
    """The analysis result members of a Trace (stored at start, shown when read)."""
    out: dict[str, Any] = {
        "NetworkPathFound": result.reachable,
        "ForwardPathComponents": present_hops(ctx, result.forward),
        "ReturnPathComponents": present_hops(ctx, result.reverse),
    }
    if not result.reachable:
        out["Explanations"] = [_explanation(ctx, e) for e in result.explanations]
    if result.conditions or result.unanalysed_at is not None:
        out["WarningMessage"] = result.verdict
    return out


def _endpoint(value: str | None, address: str | None) -> str:
    """A tracer endpoint: the resource id, else the address."""
    return value or address or "internet"


@operation("StartNetworkInsightsAnalysis")
def start_analysis(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """StartNetworkInsightsAnalysis: the answer reflects the state at start (computed now)."""
    path = _require(ctx, NetworkInsightsPath, params["NetworkInsightsPathId"], PATH_NOT_FOUND)
    world = compiled_for(ctx.store, ctx.tx, own_commit=True)
    flow = path_flow(path)
    at_destination = path.filter_at_destination or PathFilter()
    destination = _endpoint(
        path.destination, flow.destination_ip or at_destination.destination_address
    )
    result = trace(world, path.source, destination, flow, path_restrictions(ctx, path, params))
    analysis = NetworkInsightsAnalysis(
        id=new_id("nia"),
        path_id=path.id,
        started_at=ctx.tx.now(),
        duration=min(ANALYSIS_SECONDS, ctx.tx.clock.settle_seconds),
        path_found=result.reachable,
        result_json=json.dumps(present_trace(ctx, result)),
        additional_accounts=tuple(params.get("AdditionalAccounts") or ()),
        filter_in_arns=tuple(params.get("FilterInArns") or ()),
        filter_out_arns=tuple(params.get("FilterOutArns") or ()),
        tags=spec_tags(params, "network-insights-analysis"),
    )
    ctx.tx.put(analysis)
    return {"NetworkInsightsAnalysis": present_analysis(ctx, analysis, status="running")}


def present_analysis(
    ctx: RequestContext, analysis: NetworkInsightsAnalysis, status: str | None = None
) -> dict[str, Any]:
    """A NetworkInsightsAnalysis; the result members appear once it has succeeded."""
    status = status or analysis_status(analysis, ctx.tx.now())
    out: dict[str, Any] = {
        "NetworkInsightsAnalysisId": analysis.id,
        "NetworkInsightsAnalysisArn": arn(ctx, "network-insights-analysis", analysis.id),
        "NetworkInsightsPathId": analysis.path_id,
        "StartDate": timestamp(analysis.started_at),
        "Status": status,
        "Tags": tag_list(analysis),
    }
    if analysis.additional_accounts:
        out["AdditionalAccounts"] = list(analysis.additional_accounts)
    if analysis.filter_in_arns:
        out["FilterInArns"] = list(analysis.filter_in_arns)
    if analysis.filter_out_arns:
        out["FilterOutArns"] = list(analysis.filter_out_arns)
    if status == "succeeded":
        out.update(json.loads(analysis.result_json))
    return out


@operation("DescribeNetworkInsightsAnalyses")
def describe_analyses(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNetworkInsightsAnalyses."""
    ids = params.get("NetworkInsightsAnalysisIds")
    items = (
        [_require(ctx, NetworkInsightsAnalysis, i, ANALYSIS_NOT_FOUND) for i in ids]
        if ids
        else ctx.tx.all(NetworkInsightsAnalysis)
    )
    path_id = params.get("NetworkInsightsPathId")
    if path_id:
        items = [a for a in items if a.path_id == path_id]
    start, end = params.get("AnalysisStartTime"), params.get("AnalysisEndTime")
    if start is not None:
        items = [a for a in items if a.started_at >= start.timestamp()]
    if end is not None:
        items = [a for a in items if a.started_at <= end.timestamp()]
    now = ctx.tx.now()
    fields: dict[str, Any] = {
        "path-found": lambda a: (
            str(a.path_found).lower() if analysis_status(a, now) == "succeeded" else None
        ),
        "status": lambda a: analysis_status(a, now),
    }
    return describe(
        items,
        params,
        fields=fields,
        present=lambda a: present_analysis(ctx, a),
        list_key="NetworkInsightsAnalyses",
        ids_given=bool(ids),
    )


@operation("DeleteNetworkInsightsAnalysis")
def delete_analysis(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkInsightsAnalysis."""
    analysis_id = params["NetworkInsightsAnalysisId"]
    _require(ctx, NetworkInsightsAnalysis, analysis_id, ANALYSIS_NOT_FOUND)
    ctx.tx.delete(NetworkInsightsAnalysis, analysis_id)
    return {"NetworkInsightsAnalysisId": analysis_id}
