"""Network Access Analyzer findings: every path a scope matches, complete and deterministic.

A scope is a list of MatchPaths and ExcludePaths (reachability.md §2.2). The candidates it is
judged against are every path vpclab can find in one partition, in both directions:

- internet gateway -> ENI: the symbolic exposure engine (`queries.internet_exposure`), exact
  over every class of internet source addresses;
- ENI -> internet gateway (directly or through a NAT gateway) and ENI -> peering connection:
  concrete traces, one per class of destination addresses that the rules on the way tell apart;
- peering connection -> ENI: concrete traces, one per class of peer-VPC source addresses;
- ENI -> ENI: concrete traces, only when a scope asks for a path between two ENIs.

Each candidate carries its packets as a box (source and destination addresses, source and
destination ports, as interval sets) in the inside view: addresses as they leave the source
ENI or reach the destination ENI. A finding is a candidate's box narrowed by a matching path's
header statements, minus what matching ExcludePaths take away; one finding per remaining box.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from vpclab.dataplane.compile import Compiled, CompiledWorld, Eni
from vpclab.dataplane.flow import ALL_PORTS, Flow, PortSet, cidr_span, int_ip, ip_int
from vpclab.dataplane.queries import internet_exposure
from vpclab.dataplane.symbolic import ClassKey, class_key
from vpclab.dataplane.trace import Trace
from vpclab.dataplane.tracer import trace

IGW_TYPE = "AWS::EC2::InternetGateway"
ENI_TYPE = "AWS::EC2::NetworkInterface"
INSTANCE_TYPE = "AWS::EC2::Instance"
NAT_TYPE = "AWS::EC2::NatGateway"
PEERING_TYPE = "AWS::EC2::VPCPeeringConnection"
SUBNET_TYPE = "AWS::EC2::Subnet"
VPC_TYPE = "AWS::EC2::VPC"
SG_TYPE = "AWS::EC2::SecurityGroup"
# Resource types NAA accepts in a statement (reachability.md §2.2); those vpclab does not model
# (load balancers, TGW attachments, VPC endpoints, VGWs, firewalls) simply never match.
RESOURCE_TYPES = frozenset(
    {
        IGW_TYPE,
        ENI_TYPE,
        INSTANCE_TYPE,
        NAT_TYPE,
        PEERING_TYPE,
        SUBNET_TYPE,
        VPC_TYPE,
        SG_TYPE,
        "AWS::EC2::TransitGatewayAttachment",
        "AWS::EC2::VPCEndpoint",
        "AWS::EC2::VPCEndpointService",
        "AWS::EC2::VPNGateway",
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::NetworkFirewall::NetworkFirewall",
    }
)
ANALYSED = ("tcp", "udp")
ALL_ADDRESSES = PortSet.of(0, 0xFFFFFFFF)
_PRIVATE = PortSet.from_spans(
    [cidr_span(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]
    + [(0, 0)]
)
PUBLIC_ADDRESSES = ALL_ADDRESSES.minus(_PRIVATE)


# -- scopes -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ResourceStatement:
    """Resources by id and resource types; a statement with neither matches anything."""

    resources: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()

    def matches(self, names: frozenset[str], types: frozenset[str]) -> bool:
        """Whether a component with these ids (itself, its subnet, VPC, ...) and types fits."""
        if self.resources and not self.resources & names:
            return False
        return not self.types or bool(self.types & types)


@dataclass(frozen=True, slots=True)
class HeaderStatement:
    """A PacketHeaderStatement: each dimension None (any) or the set it allows."""

    source_addresses: PortSet | None = None
    destination_addresses: PortSet | None = None
    source_ports: PortSet | None = None
    destination_ports: PortSet | None = None
    protocols: frozenset[str] | None = None

    def merged(self, other: HeaderStatement) -> HeaderStatement:
        """Both statements at once (a path's source and destination header statements)."""
        return HeaderStatement(
            _both(self.source_addresses, other.source_addresses),
            _both(self.destination_addresses, other.destination_addresses),
            _both(self.source_ports, other.source_ports),
            _both(self.destination_ports, other.destination_ports),
            (
                self.protocols & other.protocols
                if self.protocols is not None and other.protocols is not None
                else self.protocols
                if self.protocols is not None
                else other.protocols
            ),
        )


def _both(first: PortSet | None, second: PortSet | None) -> PortSet | None:
    """The intersection of two optional interval sets (None means unconstrained)."""
    if first is None:
        return second
    return first if second is None else first.intersect(second)


@dataclass(frozen=True, slots=True)
class PathStatement:
    """One side of a scope path: which resource, and which packet headers."""

    resource: ResourceStatement | None = None
    header: HeaderStatement | None = None


@dataclass(frozen=True, slots=True)
class ScopePath:
    """A MatchPaths or ExcludePaths entry."""

    source: PathStatement = PathStatement()
    destination: PathStatement = PathStatement()
    through: tuple[ResourceStatement, ...] = ()

    def header(self) -> HeaderStatement:
        """The constraints of both sides' header statements."""
        return (self.source.header or HeaderStatement()).merged(
            self.destination.header or HeaderStatement()
        )


# -- candidate paths --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class End:
    """A path endpoint: its id, the ids that name it (subnet, VPC, groups...) and its types."""

    id: str
    names: frozenset[str]
    types: frozenset[str]


@dataclass(frozen=True, slots=True)
class Box:
    """A set of packets of one protocol: a product of four interval sets."""

    source_addresses: PortSet
    destination_addresses: PortSet
    source_ports: PortSet
    destination_ports: PortSet

    def dims(self) -> tuple[PortSet, PortSet, PortSet, PortSet]:
        """The four dimensions in a fixed order."""
        return (
            self.source_addresses,
            self.destination_addresses,
            self.source_ports,
            self.destination_ports,
        )

    def is_empty(self) -> bool:
        """Whether no packet is in the box."""
        return any(d.is_empty() for d in self.dims())

    def narrowed(self, header: HeaderStatement) -> Box:
        """The packets of the box a header statement allows."""
        wanted = (
            header.source_addresses,
            header.destination_addresses,
            header.source_ports,
            header.destination_ports,
        )
        return Box(
            *(d if w is None else d.intersect(w) for d, w in zip(self.dims(), wanted, strict=True))
        )

    def minus(self, other: Box) -> list[Box]:
        """The packets of this box not in `other`, as disjoint boxes."""
        if any(a.intersect(b).is_empty() for a, b in zip(self.dims(), other.dims(), strict=True)):
            return [self]
        out: list[Box] = []
        current = list(self.dims())
        for index, cut in enumerate(other.dims()):
            rest = current[index].minus(cut)
            if not rest.is_empty():
                piece = list(current)
                piece[index] = rest
                out.append(Box(*piece))
            current[index] = current[index].intersect(cut)
        return out


@dataclass(frozen=True, slots=True)
class Candidate:
    """One path vpclab found: its ends, what it passes, its packets and a concrete trace."""

    source: End
    destination: End
    through_names: frozenset[str]
    through_types: frozenset[str]
    protocol: str
    box: Box
    example: Trace


@dataclass(frozen=True, slots=True)
class Finding:
    """A candidate's packets that the scope matches and does not exclude."""

    candidate: Candidate
    box: Box


@dataclass(slots=True)
class _Context:
    """What an analysis of one partition keeps while it enumerates candidates."""

    world: CompiledWorld
    part: Compiled
    cuts: dict[tuple[object, ...], list[int]] = field(default_factory=dict)


def _eni_end(part: Compiled, eni: Eni) -> End:
    """An ENI as a path end: named by itself, its instance, subnet, VPC and groups."""
    names = {eni.id, eni.owner.id, eni.eni.subnet_id, eni.eni.vpc_id, *eni.eni.groups}
    types = {ENI_TYPE, SUBNET_TYPE, VPC_TYPE, SG_TYPE}
    if eni.owner.id.startswith("i-"):
        types.add(INSTANCE_TYPE)
    return End(eni.id, frozenset(names), frozenset(types))


def _gateway_end(resource_id: str, resource_type: str) -> End:
    """An internet gateway or a peering connection as a path end."""
    return End(resource_id, frozenset({resource_id}), frozenset({resource_type}))


def _through(result: Trace) -> tuple[frozenset[str], frozenset[str]]:
    """The ids a path passes and the types of the intermediate components among them."""
    names = result.component_ids()
    types = set()
    for name in names:
        if name.startswith("nat-"):
            types.add(NAT_TYPE)
        elif name.startswith("pcx-"):
            types.add(PEERING_TYPE)
    return names, frozenset(types)


def _endpoint_enis(part: Compiled) -> list[Eni]:
    """ENIs that can be finding endpoints: not a NAT gateway's (reachability.md §2.4)."""
    return [
        part.enis[eni_id]
        for eni_id in sorted(part.enis)
        if not part.enis[eni_id].eni.is_nat_gateway
    ]


def _ingress_from_internet(ctx: _Context) -> list[Candidate]:
    """Every way in from the internet, from the symbolic exposure engine."""
    out = []
    for exposure in internet_exposure(ctx.part):
        if exposure.protocol not in ANALYSED:
            continue
        eni = ctx.part.enis[exposure.eni_id]
        low = exposure.sources[0][0]
        flow = Flow(
            protocol=exposure.protocol,
            source_ip=low,
            destination_ip=exposure.public_ip,
            destination_port=exposure.destination_ports.spans[0][0],
            source_port=exposure.source_ports.spans[0][0],
        )
        example = trace(ctx.world, exposure.internet_gateway, eni.id, flow)
        sources = PortSet.from_spans([(ip_int(a), ip_int(b)) for a, b in exposure.sources])
        names, types = _through(example)
        out.append(
            Candidate(
                source=_gateway_end(exposure.internet_gateway, IGW_TYPE),
                destination=_eni_end(ctx.part, eni),
                through_names=names,
                through_types=types,
                protocol=exposure.protocol,
                box=Box(
                    sources,
                    PortSet.single(ip_int(exposure.private_ip)),
                    exposure.source_ports,
                    exposure.destination_ports,
                ),
                example=example,
            )
        )
    return out


def _cuts(ctx: _Context, eni: Eni, *, egress: bool) -> list[int]:
    """Addresses where a rule the ENI's traffic meets starts or stops applying.

    The ENI's group rules of the direction, and every NACL entry and route of its VPC (a NAT
    gateway's subnet is in the same VPC), so each elementary interval is decided alike.
    """
    key = (eni.eni.subnet_id, tuple(sorted(eni.eni.groups)), egress)
    cached = ctx.cuts.get(key)
    if cached is not None:
        return cached
    spans: list[tuple[int, int]] = []
    for group_id in sorted(eni.eni.groups):
        group = ctx.part.group(group_id)
        for entry in (group.egress if egress else group.ingress) if group else ():
            spans.extend(entry.spans)
            # A group reference names the members' addresses one by one (SG-13).
            spans.extend((ip_int(a), ip_int(a)) for a in sorted(entry.members or ()))
    for subnet_id in sorted(ctx.part.subnets):
        subnet = ctx.part.subnets[subnet_id]
        if subnet.subnet.vpc_id != eni.eni.vpc_id:
            continue
        spans.extend((e.low, e.high) for e in subnet.acl.ingress + subnet.acl.egress)
        spans.extend((e.low, e.high) for e in subnet.lpm.entries)
        for route in subnet.lpm.entries:
            spans.extend(_appliance_spans(ctx, route.ref.target_kind, route.ref.target_id))
    cuts = {0}
    for low, high in spans:
        cuts.add(low)
        if high < 0xFFFFFFFF:
            cuts.add(high + 1)
    ordered = sorted(cuts)
    ctx.cuts[key] = ordered
    return ordered


def _appliance_spans(ctx: _Context, kind: str, target: str) -> list[tuple[int, int]]:
    """The address ranges an appliance's security groups name (a route to an instance or ENI)."""
    if kind not in ("instance", "eni"):
        return []
    instance = ctx.part.instances.get(target) if kind == "instance" else None
    appliance = ctx.part.enis.get(instance.primary_eni_id if instance else target)
    spans: list[tuple[int, int]] = []
    for group_id in sorted(appliance.eni.groups) if appliance else ():
        group = ctx.part.group(group_id)
        for entry in group.ingress + group.egress if group else ():
            spans.extend(entry.spans)
    return spans


def _classes_within(cuts: list[int], space: PortSet) -> list[tuple[int, int]]:
    """The elementary intervals of `cuts` intersected with an address space."""
    out = []
    for index, low in enumerate(cuts):
        high = cuts[index + 1] - 1 if index + 1 < len(cuts) else 0xFFFFFFFF
        for piece_low, piece_high in PortSet.of(low, high).intersect(space).spans:
            out.append((piece_low, piece_high))
    return out


def _traced_box(result: Trace, own: int, far: tuple[int, int], *, outbound: bool) -> Box:
    """The packets a reachable trace stands for: the ENI's address, the class of far ones."""
    arrived = result.arrived
    destination_ports = arrived.destination_ports if arrived is not None else ALL_PORTS
    source_ports = ALL_PORTS
    for condition in result.conditions:
        if condition.field == "source-port":
            source_ports = condition.holds_for
    mine, theirs = PortSet.single(own), PortSet.of(*far)
    if outbound:
        return Box(mine, theirs, source_ports, destination_ports)
    return Box(theirs, mine, source_ports, destination_ports)


def _merge(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates differing only in adjacent far-address classes joined into one."""
    merged: dict[tuple[object, ...], Candidate] = {}
    for item in candidates:
        box = item.box
        key = (
            item.source.id,
            item.destination.id,
            item.protocol,
            item.through_names,
            box.source_ports,
            box.destination_ports,
            box.source_addresses if item.source.types & {ENI_TYPE} else None,
            box.destination_addresses if item.destination.types & {ENI_TYPE} else None,
        )
        found = merged.get(key)
        if found is None:
            merged[key] = item
            continue
        joined = Box(
            found.box.source_addresses.union(box.source_addresses),
            found.box.destination_addresses.union(box.destination_addresses),
            box.source_ports,
            box.destination_ports,
        )
        merged[key] = replace(found, box=joined)
    return list(merged.values())


def _flow(protocol: str, destination: str | None = None, source: str | None = None) -> Flow:
    """An open-ports question for one protocol between fixed addresses."""
    return Flow(protocol=protocol, destination_ip=destination, source_ip=source)


def _peer_spans(ctx: _Context, pcx_id: str, vpc_id: str) -> PortSet:
    """The CIDRs of the VPC on the other side of a peering from `vpc_id`."""
    pcx = ctx.part.peerings[pcx_id]
    side = pcx.accepter if pcx.requester.vpc_id == vpc_id else pcx.requester
    spans = ctx.world.part(side.owner_id, side.region).vpc_spans.get(side.vpc_id)
    return PortSet.from_spans(list(spans or [cidr_span(c) for c in side.cidr_blocks]))


def _local_peerings(ctx: _Context, vpc_id: str) -> list[str]:
    """Peering connections one of whose ends is the VPC."""
    return [
        pcx_id
        for pcx_id in sorted(ctx.part.peerings)
        if vpc_id
        in (ctx.part.peerings[pcx_id].requester.vpc_id, ctx.part.peerings[pcx_id].accepter.vpc_id)
    ]


@dataclass(frozen=True, slots=True)
class _Direction:
    """Connections between an ENI and a gateway: out to the internet (gateway None), or out
    through / in from a peering connection; far addresses are drawn from `space`."""

    gateway: str | None
    space: PortSet
    inbound: bool


def _walk(ctx: _Context, eni: Eni, direction: _Direction, far: str, protocol: str) -> Trace:
    """One concrete trace between an ENI and a far address through a direction's gateway."""
    if direction.inbound:
        assert direction.gateway is not None
        return trace(ctx.world, direction.gateway, eni.id, _flow(protocol, None, far))
    return trace(ctx.world, eni.id, direction.gateway or far, _flow(protocol, far))


def _as_candidate(
    ctx: _Context,
    eni: Eni,
    direction: _Direction,
    result: Trace,
    far: tuple[int, int],
) -> Candidate | None:
    """A reachable trace as a candidate path (None when it is not one of this direction's)."""
    if not result.reachable or result.arrived is None or result.flow is None:
        return None
    last = result.forward[-1].component.id if result.forward else ""
    gateway = direction.gateway or last
    if not gateway.startswith(("igw-", "pcx-")) or (not direction.inbound and last != gateway):
        return None
    kind = IGW_TYPE if gateway.startswith("igw-") else PEERING_TYPE
    ends = (_gateway_end(gateway, kind), _eni_end(ctx.part, eni))
    source, destination = ends if direction.inbound else ends[::-1]
    names, types = _through(result)
    own = ip_int(eni.eni.primary_ip)
    box = _traced_box(result, own, far, outbound=not direction.inbound)
    return Candidate(source, destination, names, types, result.flow.protocol, box, result)


def _directions(
    ctx: _Context, eni: Eni, *, internet: bool, peer_in: bool, peer_out: bool
) -> list[_Direction]:
    """The directions asked for from one ENI: the internet, its VPC's peerings in or out."""
    out = [_Direction(None, PUBLIC_ADDRESSES, False)] if internet else []
    for pcx_id in _local_peerings(ctx, eni.eni.vpc_id):
        space = _peer_spans(ctx, pcx_id, eni.eni.vpc_id)
        if peer_in:
            out.append(_Direction(pcx_id, space, True))
        if peer_out:
            out.append(_Direction(pcx_id, space, False))
    return out


def _gateway_paths(
    ctx: _Context, *, internet: bool, peer_in: bool, peer_out: bool
) -> list[Candidate]:
    """Connections between ENIs and gateways, one class of ENIs at a time.

    The ENIs of a class (subnet, groups, public address, source/dest check, state) are alike
    here: their own address is never what a filter or route decides on (filters name the far
    address, routes the destination). A class's first member is traced once per class of far addresses and protocol; the
    candidates found are then confirmed for every other member by one trace each, with the
    same packet, so each finding carries that member's own path.
    """
    classes: dict[ClassKey, list[Eni]] = {}
    for eni in _endpoint_enis(ctx.part):
        classes.setdefault(class_key(eni), []).append(eni)
    out: list[Candidate] = []
    for members in classes.values():
        first = members[0]
        found: list[tuple[_Direction, Candidate]] = []
        for direction in _directions(
            ctx, first, internet=internet, peer_in=peer_in, peer_out=peer_out
        ):
            cuts = _cuts(ctx, first, egress=not direction.inbound)
            for low, high in _classes_within(cuts, direction.space):
                for protocol in ANALYSED:
                    result = _walk(ctx, first, direction, int_ip(low), protocol)
                    item = _as_candidate(ctx, first, direction, result, (low, high))
                    if item is not None:
                        found.append((direction, item))
        for item in _merge([item for _, item in found]):
            direction = _direction_of(item, found)
            out.append(item)
            far = item.box.source_addresses if direction.inbound else item.box.destination_addresses
            packet = item.example.flow
            assert packet is not None
            address = packet.source if direction.inbound else packet.destination
            for eni in members[1:]:
                result = _walk(ctx, eni, direction, address, item.protocol)
                again = _as_candidate(ctx, eni, direction, result, (0, 0))
                if again is not None:
                    own = PortSet.single(ip_int(eni.eni.primary_ip))
                    box = (
                        replace(item.box, destination_addresses=own, source_addresses=far)
                        if direction.inbound
                        else replace(item.box, source_addresses=own, destination_addresses=far)
                    )
                    out.append(replace(again, box=box))
    return out


def _direction_of(item: Candidate, found: list[tuple[_Direction, Candidate]]) -> _Direction:
    """The direction a merged candidate was found in (merging keeps ends and protocol)."""
    for direction, original in found:
        if (original.source.id, original.destination.id) == (item.source.id, item.destination.id):
            return direction
    raise LookupError(item.source.id)


def _between_enis(ctx: _Context, paths: list[ScopePath]) -> list[Candidate]:
    """ENI -> ENI connections whose ends some path's resource statements could both name."""
    enis = _endpoint_enis(ctx.part)
    ends = {eni.id: _eni_end(ctx.part, eni) for eni in enis}

    def named(statement: PathStatement, end: End) -> bool:
        """Whether a side's resource statement can name this ENI."""
        return statement.resource is None or statement.resource.matches(end.names, end.types)

    out: list[Candidate] = []
    for source in enis:
        for destination in enis:
            if source is destination or source.eni.vpc_id != destination.eni.vpc_id:
                continue
            pair = (ends[source.id], ends[destination.id])
            if not any(named(p.source, pair[0]) and named(p.destination, pair[1]) for p in paths):
                continue
            for protocol in ANALYSED:
                result = trace(ctx.world, source.id, destination.id, _flow(protocol))
                if not result.reachable:
                    continue
                names, types = _through(result)
                box = _traced_box(
                    result,
                    ip_int(source.eni.primary_ip),
                    (ip_int(destination.eni.primary_ip),) * 2,
                    outbound=True,
                )
                out.append(Candidate(*pair, names, types, protocol, box, result))
    return out


def _wants(paths: list[ScopePath], side: str, kind: str) -> bool:
    """Whether any path's side could name a resource of this type (no statement: any)."""
    for path in paths:
        statement = path.source if side == "source" else path.destination
        resource = statement.resource
        if resource is None or (not resource.types and not resource.resources):
            return True
        if kind in resource.types:
            return True
        prefix = {IGW_TYPE: "igw-", PEERING_TYPE: "pcx-"}.get(kind)
        if prefix and any(r.startswith(prefix) for r in resource.resources):
            return True
        if kind == ENI_TYPE and any(
            not r.startswith(("igw-", "pcx-", "nat-")) for r in resource.resources
        ):
            return True
        if kind == ENI_TYPE and resource.types & {INSTANCE_TYPE, SUBNET_TYPE, VPC_TYPE, SG_TYPE}:
            return True
    return False


def candidates(world: CompiledWorld, match: list[ScopePath]) -> list[Candidate]:
    """Every path of the caller's partition that some MatchPaths entry could name by its ends."""
    ctx = _Context(world, world.home)
    out: list[Candidate] = []
    eni_source, eni_destination = (
        _wants(match, "source", ENI_TYPE),
        _wants(match, "destination", ENI_TYPE),
    )
    if _wants(match, "source", IGW_TYPE) and eni_destination:
        out.extend(_ingress_from_internet(ctx))
    out.extend(
        _gateway_paths(
            ctx,
            internet=eni_source and _wants(match, "destination", IGW_TYPE),
            peer_in=_wants(match, "source", PEERING_TYPE) and eni_destination,
            peer_out=eni_source and _wants(match, "destination", PEERING_TYPE),
        )
    )
    if any(_wants([p], "source", ENI_TYPE) and _wants([p], "destination", ENI_TYPE) for p in match):
        out.extend(_between_enis(ctx, match))
    return out


def _names_path(path: ScopePath, item: Candidate) -> bool:
    """Whether a path's resource and through statements fit a candidate."""
    for statement, end in ((path.source, item.source), (path.destination, item.destination)):
        resource = statement.resource
        if resource is not None and not resource.matches(end.names, end.types):
            return False
    return all(t.matches(item.through_names, item.through_types) for t in path.through)


def _header_fits(path: ScopePath, item: Candidate) -> Box | None:
    """The candidate's packets a path names (None: none of them)."""
    if not _names_path(path, item):
        return None
    header = path.header()
    if header.protocols is not None and item.protocol not in header.protocols:
        return None
    box = item.box.narrowed(header)
    return None if box.is_empty() else box


def findings(
    world: CompiledWorld, match: list[ScopePath], exclude: list[ScopePath]
) -> list[Finding]:
    """Every matched, not excluded, set of packets of every candidate path, in a stable order."""
    out: list[Finding] = []
    for item in sorted(candidates(world, match), key=_order):
        taken: list[Box] = []
        for path in match:
            box = _header_fits(path, item)
            if box is None:
                continue
            pieces = [box]
            for cut in taken + [b for b in (_header_fits(p, item) for p in exclude) if b]:
                pieces = [rest for piece in pieces for rest in piece.minus(cut)]
            taken.append(box)
            out.extend(Finding(item, piece) for piece in pieces)
    return out


def _order(item: Candidate) -> tuple[object, ...]:
    """A deterministic order of candidates: ends, protocol, then packets."""
    return (
        item.source.id,
        item.destination.id,
        item.protocol,
        item.box.source_addresses.spans,
        item.box.destination_addresses.spans,
        item.box.destination_ports.spans,
    )


def parse_addresses(cidrs: list[str]) -> PortSet:
    """CIDRs as an interval set of addresses."""
    return PortSet.from_spans([cidr_span(c) for c in cidrs])


def span_cidrs(addresses: PortSet) -> list[str]:
    """An interval set of addresses as the fewest CIDRs that cover exactly it."""
    out: list[str] = []
    for low, high in addresses.spans:
        cursor = low
        while cursor <= high:
            size = (cursor & -cursor).bit_length() - 1 if cursor else 32
            while size > 0 and cursor + (1 << size) - 1 > high:
                size -= 1
            out.append(f"{int_ip(cursor)}/{32 - size}")
            cursor += 1 << size
    return out
