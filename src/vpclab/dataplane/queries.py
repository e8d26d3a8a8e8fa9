"""Whole-network questions answered symbolically: which ENIs the internet can connect to.

Internet sources are split into address classes (the elementary intervals every SG, NACL and
route boundary of the ENI's side cuts public space into); one representative per class stands
for all of it, so the answer is exact while costing one evaluation per class, not per address.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from vpclab.dataplane.compile import Compiled, Eni, SubnetInfo
from vpclab.dataplane.filtering import WHOLE, evaluate_acl, evaluate_security_groups
from vpclab.dataplane.flow import Header, PortSet, int_ip, ip_int
from vpclab.dataplane.headerspace import HeaderSpace
from vpclab.dataplane.routing import select_route
from vpclab.dataplane.symbolic import (
    ANALYSED_PROTOCOLS,
    DROPPED,
    NOTHING,
    ClassKey,
    DirectPaths,
    End,
    Leaving,
    Member,
    NatPaths,
    NotModelled,
    PublicPaths,
    class_key,
    connection_space,
    member_of,
)
from vpclab.dataplane.trace import AclRuleRef, SgRuleRef
from vpclab.dataplane.tracer import is_rfc1918

# Public space excludes RFC 1918 and RFC 6598 sources: the IGW drops them (IGW-9 checks).
_NOT_INTERNET = ((0x0A000000, 0x0AFFFFFF), (0xAC100000, 0xAC1FFFFF), (0xC0A80000, 0xC0A8FFFF))
_CGNAT = (0x64400000, 0x647FFFFF)
_TOP = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class Exposure:
    """One way in from the internet: who, which packets, from where, and what lets them in."""

    eni_id: str
    owner_id: str
    private_ip: str
    public_ip: str
    protocol: str
    destination_ports: PortSet
    source_ports: PortSet
    sources: tuple[tuple[str, str], ...]  # first and last address of each source range
    internet_gateway: str
    route_table: str
    acl_rules: tuple[AclRuleRef, ...]
    sg_rules: tuple[SgRuleRef, ...]

    def describe(self) -> str:
        """One readable line for the CLI."""
        ranges = ", ".join(a if a == b else f"{a}-{b}" for a, b in self.sources)
        return (
            f"{self.owner_id} ({self.eni_id} {self.public_ip} -> {self.private_ip}) "
            f"{self.protocol} {self.destination_ports.describe()} "
            f"from {ranges} (client ports {self.source_ports.describe()}) via "
            f"{self.internet_gateway}, {self.route_table}"
        )


def _boundaries(part: Compiled, eni: Eni, subnet: SubnetInfo) -> list[int]:
    """Every address where a rule on the ENI's side starts or stops applying."""
    cuts = {0}
    spans: list[tuple[int, int]] = []
    for group_id in eni.eni.groups:
        group = part.group(group_id)
        for entry in group.ingress if group else ():
            spans.extend(entry.spans)
    spans.extend((e.low, e.high) for e in subnet.acl.ingress + subnet.acl.egress)
    spans.extend([*_NOT_INTERNET, _CGNAT])
    for low, high in spans:
        cuts.add(low)
        if high < _TOP:
            cuts.add(high + 1)
    cuts.update(_route_cuts(subnet))
    return sorted(cuts)


def _route_cuts(subnet: SubnetInfo) -> set[int]:
    """Route boundaries: a more specific route can send replies somewhere other than the IGW."""
    cuts: set[int] = set()
    for entry in subnet.lpm.entries:
        cuts.add(entry.low)
        if entry.high < _TOP:
            cuts.add(entry.high + 1)
    return cuts


def _public(address: int) -> bool:
    """Whether an internet host can hold the address as its source through an IGW."""
    text = int_ip(address)
    return not is_rfc1918(text) and not (_CGNAT[0] <= address <= _CGNAT[1]) and address != 0


def _unless_unmodelled(answer: Callable[..., Answer], *args: Any) -> Answer:
    """The answer, or None (not analysed) when a leg of the path leaves the modelled network
    (a TGW, VGW, endpoint, appliance...)."""
    try:
        return answer(*args)
    except NotModelled:
        return None


def _via_igw(part: Compiled, subnet: SubnetInfo, address: str, vpc_id: str) -> str | None:
    """The attached IGW the subnet's route for the address uses, else None."""
    entry = select_route(subnet.lpm, address).entry
    if entry is None or not entry.usable:
        return None
    target = entry.route.target
    if target.kind != "gateway" or not target.id.startswith("igw-"):
        return None
    igw = part.igws.get(target.id)
    return target.id if igw is not None and igw.vpc_id == vpc_id else None


@dataclass(frozen=True, slots=True)
class _Admission:
    """What one source class may do to one ENI over one protocol, and why."""

    destination_ports: PortSet
    source_ports: PortSet
    acl_rules: tuple[AclRuleRef, ...]
    sg_rules: tuple[SgRuleRef, ...]


def _admit(part: Compiled, eni: Eni, subnet: SubnetInfo, header: Header) -> _Admission | None:
    """NACL ingress, SG ingress, then the reply's NACL egress (stateless) for one source."""
    acl_in = evaluate_acl(subnet.acl.ingress, header, egress=False)
    ports = acl_in.admitted
    if ports.is_empty():
        return None
    narrowed = header.with_(destination_ports=ports) if header.ported else header
    groups = [g for g in (part.group(gid) for gid in sorted(eni.eni.groups)) if g is not None]
    sg_in = evaluate_security_groups(groups, narrowed, egress=False)
    if sg_in.admitted.is_empty():
        return None
    forward = narrowed.with_(destination_ports=sg_in.admitted) if header.ported else narrowed
    acl_out = evaluate_acl(subnet.acl.egress, forward.reversed(), egress=True)
    if acl_out.admitted.is_empty():
        return None
    allowed = [r for r in acl_in.rules if r.action == "allow"]
    allowed += [r for r in acl_out.rules if r.action == "allow"]
    if not header.ported:
        return _Admission(WHOLE, WHOLE, tuple(allowed), sg_in.rules)
    return _Admission(sg_in.admitted, acl_out.admitted, tuple(allowed), sg_in.rules)


_WayIn = tuple[str, _Admission, str, tuple[tuple[str, str], ...]]
_WaysCache = dict[tuple[str, tuple[str, ...]], list[_WayIn]]


def _source_classes(part: Compiled, eni: Eni, subnet: SubnetInfo) -> Iterator[tuple[int, int, str]]:
    """(first, last, representative) of each class of internet sources that every rule and
    route on the ENI's side treats alike (private and shared ranges left out)."""
    cuts = _boundaries(part, eni, subnet)
    for index, low in enumerate(cuts):
        high = cuts[index + 1] - 1 if index + 1 < len(cuts) else _TOP
        representative = max(low, 1)
        if representative <= high and _public(representative):
            yield low, high, int_ip(representative)


def _ways_in(part: Compiled, eni: Eni, subnet: SubnetInfo) -> list[_WayIn]:
    """(IGW, admission, protocol, source ranges) for an ENI's class: its own address plays no
    part, since the filters on the way in and out name only the internet host's address."""
    merged: dict[tuple[object, ...], list[tuple[int, int]]] = {}
    details: dict[tuple[object, ...], tuple[str, _Admission, str]] = {}
    for low, high, source in _source_classes(part, eni, subnet):
        igw = _via_igw(part, subnet, source, eni.eni.vpc_id)
        if igw is None:
            continue
        for protocol in ANALYSED_PROTOCOLS:
            admission = _admit(part, eni, subnet, Header(protocol, source, eni.eni.primary_ip))
            if admission is None:
                continue
            key: tuple[object, ...] = (
                protocol,
                admission.destination_ports,
                admission.source_ports,
                igw,
            )
            merged.setdefault(key, []).append((low, high))
            details.setdefault(key, (igw, admission, protocol))
    return [(*details[key], _join(merged[key])) for key in sorted(merged, key=repr)]


def _eni_exposures(part: Compiled, eni: Eni, cache: _WaysCache) -> list[Exposure]:
    """Every internet exposure of one ENI (computed once per subnet and group set)."""
    subnet = part.subnets.get(eni.eni.subnet_id)
    if subnet is None or not eni.usable or not eni.public:
        return []
    class_key = (subnet.subnet.id, tuple(sorted(eni.eni.groups)))
    ways = cache.get(class_key)
    if ways is None:
        ways = cache[class_key] = _ways_in(part, eni, subnet)
    out: list[Exposure] = []
    for private_ip, public_ip in sorted(eni.public.items()):
        for igw, admission, protocol, sources in ways:
            out.append(
                Exposure(
                    eni_id=eni.id,
                    owner_id=eni.owner.id,
                    private_ip=private_ip,
                    public_ip=public_ip,
                    protocol=protocol,
                    destination_ports=admission.destination_ports,
                    source_ports=admission.source_ports,
                    sources=sources,
                    internet_gateway=igw,
                    route_table=subnet.route_table.id,
                    acl_rules=admission.acl_rules,
                    sg_rules=admission.sg_rules,
                )
            )
    return out


def _join(spans: list[tuple[int, int]]) -> tuple[tuple[str, str], ...]:
    """Adjacent source classes merged into ranges, as dotted quads."""
    joined: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if joined and low == joined[-1][1] + 1:
            joined[-1] = (joined[-1][0], high)
        else:
            joined.append((low, high))
    return tuple((int_ip(low), int_ip(high)) for low, high in joined)


@dataclass(frozen=True, slots=True)
class Unanalysed:
    """Internet sources whose connections to an ENI vpclab cannot judge: its filters let them
    in, but the replies' route leads out of the modelled network (a TGW, VGW, endpoint...)."""

    eni_id: str
    owner_id: str
    public_ip: str
    sources: tuple[tuple[str, str], ...]  # first and last address of each source range
    via: str  # the component the replies are routed to
    route_table: str

    def describe(self) -> str:
        """One readable line for the CLI."""
        ranges = ", ".join(a if a == b else f"{a}-{b}" for a, b in self.sources)
        return (
            f"not analysed: {self.owner_id} ({self.eni_id} {self.public_ip}) from {ranges}: "
            f"replies leave the modelled network via {self.via} ({self.route_table}; not "
            "analysed beyond it)"
        )


def unanalysed_exposure(part: Compiled) -> list[Unanalysed]:
    """Every ENI with a public address that some internet sources may reach through its
    filters while the route for their replies leaves the modelled network: not analysed,
    so neither listed as exposed nor silently left out."""
    out: list[Unanalysed] = []
    for eni_id in sorted(part.enis):
        eni = part.enis[eni_id]
        subnet = part.subnets.get(eni.eni.subnet_id)
        if subnet is None or not eni.usable or not eni.public:
            continue
        ways = _ways_out_of_model(part, eni, subnet)
        for public_ip in sorted(eni.public.values()):
            for via, spans in ways:
                out.append(
                    Unanalysed(
                        eni.id, eni.owner.id, public_ip, _join(spans), via, subnet.route_table.id
                    )
                )
    return out


def _ways_out_of_model(
    part: Compiled, eni: Eni, subnet: SubnetInfo
) -> list[tuple[str, list[tuple[int, int]]]]:
    """(component, source ranges) whose replies an active route sends out of the model, for
    sources some protocol's filters admit (a certain drop is no unknown)."""
    by_target: dict[str, list[tuple[int, int]]] = {}
    for low, high, source in _source_classes(part, eni, subnet):
        entry = select_route(subnet.lpm, source).entry
        if entry is None or not entry.usable or not entry.route.leaves_model:
            continue
        if any(
            _admit(part, eni, subnet, Header(protocol, source, eni.eni.primary_ip)) is not None
            for protocol in ANALYSED_PROTOCOLS
        ):
            by_target.setdefault(entry.route.target.id, []).append((low, high))
    return sorted(by_target.items())


def internet_exposure(part: Compiled) -> list[Exposure]:
    """Every ENI of the partition an internet host can open a connection to, and how."""
    exposures: list[Exposure] = []
    cache: _WaysCache = {}
    for eni_id in sorted(part.enis):
        exposures.extend(_eni_exposures(part, part.enis[eni_id], cache))
    return exposures


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """What a class of sources may open to some classes of destinations: `space` to their
    private addresses, `public_space` to their public ones across the internet (empty when
    they have none; None: not analysed).

    Destination classes are kept as given and joined only when asked, so a matrix over
    10,000 ENIs holds one reference per class, not one per ENI pair.
    """

    sources: tuple[str, ...]
    destination_classes: tuple[tuple[str, ...], ...]
    space: HeaderSpace | None
    public_space: HeaderSpace | None = NOTHING

    @property
    def destinations(self) -> tuple[str, ...]:
        """Every destination ENI of the cell."""
        return tuple(chain.from_iterable(self.destination_classes))

    def ports(self) -> str:
        """The open destination ports per protocol, e.g. 'tcp 22, 443; icmp echo', then what
        opens through the destinations' public addresses, if anything."""
        shown = _open_ports(self.space)
        if self.public_space is None or not self.public_space.is_empty():
            shown += f" | via public IP: {_open_ports(self.public_space)}"
        return shown


def _open_ports(space: HeaderSpace | None) -> str:
    """Destination ports per protocol of one space, 'none', or 'not analysed'."""
    if space is None:
        return "not analysed (the path crosses an appliance or a gateway vpclab does not model)"
    parts = []
    for protocol in space.protocols():
        ports = space.destination_ports(protocol)
        parts.append(f"{protocol} {'echo' if protocol == 'icmp' else ports.describe()}")
    return "; ".join(parts) or "none"


def _address_cuts(part: Compiled) -> list[int]:
    """Boundaries of every address range an SG rule, NACL entry, route or VPC block names, and
    of the ranges an IGW refuses: within one interval every filter and route treats addresses
    alike."""
    spans: list[tuple[int, int]] = [*_NOT_INTERNET, _CGNAT]
    for group_id in sorted({g for eni in part.enis.values() for g in eni.eni.groups}):
        group = part.group(group_id)
        for entry in group.ingress + group.egress if group else ():
            spans.extend(entry.spans)
    for subnet in part.subnets.values():
        spans.extend((e.low, e.high) for e in subnet.acl.ingress + subnet.acl.egress)
        spans.extend((e.low, e.high) for e in subnet.lpm.entries)
    for vpc_spans in part.vpc_spans.values():
        spans.extend(vpc_spans)
    cuts = {0}
    for low, high in set(spans):
        cuts.add(low)
        cuts.add(high + 1)
    return sorted(cuts)


def _referenced_member_sets(part: Compiled) -> list[frozenset[str]]:
    """Every distinct member set a group-referencing rule matches against (SG-13)."""
    seen: dict[frozenset[str], None] = {}
    for group_id in sorted({g for eni in part.enis.values() for g in eni.eni.groups}):
        group = part.group(group_id)
        for entry in group.ingress + group.egress if group else ():
            if entry.members is not None:
                seen.setdefault(entry.members, None)
    return list(seen)


_MemberKey = tuple[ClassKey, int, tuple[int, ...], int]


def matrix_members(
    part: Compiled, eni_ids: list[str], cuts: list[int] | None = None
) -> list[tuple[Member, tuple[str, ...]]]:
    """The ENIs split into classes that every filter and route treats alike, each with a
    representative: same class key (subnet, groups, state, ...), same address cell of every
    boundary for the private and the public address, same group references holding them."""
    cuts = _address_cuts(part) if cuts is None else cuts
    member_sets = _referenced_member_sets(part)
    classes: dict[_MemberKey, list[str]] = {}
    for eni_id in sorted(set(eni_ids)):
        eni = part.enis.get(eni_id)
        if eni is None or eni.eni.subnet_id not in part.subnets:
            continue
        classes.setdefault(_member_key(eni, cuts, member_sets), []).append(eni_id)
    out = []
    for key, members in sorted(classes.items(), key=lambda item: item[1]):
        eni = part.enis[members[0]]
        _, cell, holding, public_cell = key
        member = member_of(eni, part.subnets[eni.eni.subnet_id], cell, holding, public_cell)
        out.append((member, tuple(members)))
    return out


def _member_key(eni: Eni, cuts: list[int], member_sets: list[frozenset[str]]) -> _MemberKey:
    """What a matrix class is keyed by: class key, address cells, group references held."""
    address = eni.eni.primary_ip
    public = eni.public.get(address)
    return (
        class_key(eni),
        bisect_right(cuts, ip_int(address)),
        tuple(i for i, members in enumerate(member_sets) if address in members),
        bisect_right(cuts, ip_int(public)) if public is not None else -1,
    )


_Class = tuple[Member, tuple[str, ...]]


def reachability_matrix(part: Compiled, eni_ids: list[str]) -> list[MatrixCell]:
    """Class-to-class connection spaces, destination classes with equal answers merged per row.

    Pairs joined by the local route or one peering are computed from per-filter shares of each
    end (DirectPaths); pairs whose routes certainly drop cost one route look-up per address
    cell; pairs whose first hop is a NAT gateway combine its legs (NatPaths); paths across the
    internet to public addresses combine walks made once per class and far cell
    (PublicPaths); anything else is walked whole between representatives. A pair inside one
    class is evaluated between two distinct members when the class has them (an ENI never
    talks to itself).
    """
    cuts = _address_cuts(part)
    pairs = _PairSpaces(part, matrix_members(part, eni_ids, cuts), cuts)
    cells: list[MatrixCell] = []
    for index in range(len(pairs.classes)):
        cells.extend(pairs.row(index))
    return cells


_Bucket = tuple[list[int], list[tuple[str, ...]], list[int], set[str]]


class _PairSpaces:
    """The matrix's rows: both answers for every class pair, equal answers one object.

    Each end's share of a direct path is cached by the far end's signature (address cell and
    group references held), so a pair costs a few dictionary look-ups.
    """

    def __init__(self, part: Compiled, classes: list[_Class], cuts: list[int]) -> None:
        self.part = part
        self.classes = classes
        self.direct = DirectPaths(part)
        self.across = PublicPaths(part, cuts, self.direct.intern)
        self.translated = NatPaths(part, self.direct.intern)
        signatures: dict[tuple[int, tuple[int, ...]], int] = {}
        self.signature = [
            signatures.setdefault((m.cell, m.groups_holding), len(signatures)) for m, _ in classes
        ]
        self.receiving: list[dict[int, End]] = [{} for _ in classes]
        self.second: dict[int, Member] = {}  # another member of a class, to pair it with itself
        by_cell: dict[int, list[int]] = {}
        for index, (member, _) in enumerate(classes):
            by_cell.setdefault(member.cell, []).append(index)
        self.buckets: list[_Bucket] = [
            (
                indexes,
                [classes[i][1] for i in indexes if classes[i][0].public_cell < 0],
                [i for i in indexes if classes[i][0].public_cell >= 0],
                {classes[i][0].subnet.subnet.id for i in indexes},
            )
            for indexes in by_cell.values()
        ]

    def row(self, index: int) -> list[MatrixCell]:
        """The cells of one source class: destination classes grouped by equal answers."""
        source, sources = self.classes[index]
        sending: dict[int, End] = {}
        public_row: dict[tuple[int, int], HeaderSpace] = {}
        leaving: dict[int, Leaving] = {}
        nat_row: dict[tuple[object, ...], HeaderSpace] = {}
        groups: dict[tuple[int, int], tuple[Answer, Answer, list[tuple[str, ...]]]] = {}
        nothing: list[tuple[str, ...]] = []
        for indexes, private_only, public, subnets in self.buckets:
            dropped = self.direct.route(source, self.classes[indexes[0]][0]) == DROPPED
            targets = indexes
            if dropped and source.subnet.subnet.id not in subnets:
                nothing.extend(private_only)  # routes drop it: no filter to evaluate
                targets = public
            for target in targets:
                destination, destinations = self.classes[target]
                if target == index and len(sources) == 1:
                    continue
                if dropped and destination.subnet is not source.subnet:
                    private: Answer = NOTHING
                else:
                    private = _unless_unmodelled(self._private, index, target, sending, nat_row)
                across: Answer = NOTHING
                if destination.public_cell >= 0:
                    across = _unless_unmodelled(self._public, index, target, leaving, public_row)
                if private is NOTHING and across is NOTHING:
                    nothing.append(destinations)
                    continue
                key = (id(private), id(across))
                groups.setdefault(key, (private, across, []))[2].append(destinations)
        cells = [MatrixCell(sources, tuple(nothing), NOTHING, NOTHING)] if nothing else []
        for first, second, members in groups.values():
            cells.append(MatrixCell(sources, tuple(members), first, second))
        return cells

    def _private(
        self,
        index: int,
        target: int,
        sending: dict[int, End],
        nat_row: dict[tuple[object, ...], HeaderSpace],
    ) -> Answer:
        """To the destination's private address: both ends' shares when the path is direct, the
        NAT gateway's legs when it is the first hop, else the whole walk (NotModelled when a leg
        leaves the modelled network)."""
        source, destination = self.classes[index][0], self.classes[target][0]
        if source.subnet is destination.subnet:
            space = self.direct.space(source, destination)
        else:
            there = sending.get(self.signature[target])
            if there is None:
                there = sending[self.signature[target]] = self.direct.sending(source, destination)
            cache = self.receiving[target]
            back = cache.get(self.signature[index])
            if back is None:
                back = cache[self.signature[index]] = self.direct.receiving(destination, source)
            space = self.direct.combine(source, destination, there, back)
            if space is None and there[0][0] == "nat":
                space = self.translated.space(source, destination, there[0][1], nat_row)
        if space is None:
            space = self._walk(index, target, public=False)
        return space

    def _public(
        self,
        index: int,
        target: int,
        leaving: dict[int, Leaving],
        row: dict[tuple[int, int], HeaderSpace],
    ) -> Answer:
        """To the destination's public address, across the internet (NotModelled as above)."""
        source = self.classes[index][0]
        far, members = self.classes[target]
        if index == target:
            other = next((e for e in members if e != far.eni.id), None)
            if other is None:
                return NOTHING
            if target not in self.second:  # kept alive: memo keys use members' identities
                second = self.part.enis[other]
                self.second[target] = member_of(
                    second, far.subnet, far.cell, far.groups_holding, far.public_cell
                )
            far = self.second[target]
        way_out = leaving.get(far.public_cell, MISSING)
        if way_out is MISSING:
            way_out = leaving[far.public_cell] = self.across.leaving(source, far)
        space = self.across.space(source, far, way_out, row)
        return self._walk(index, target, public=True) if space is None else space

    def _walk(self, index: int, target: int, *, public: bool) -> Answer:
        """The whole symbolic walk between a source member and a distinct destination member."""
        first = self.classes[index][1][0]
        other = next(d for d in self.classes[target][1] if d != first)
        space = connection_space(self.part, first, other, public=public)
        return None if space is None else self.direct.intern(space)


Answer = HeaderSpace | None
MISSING: Leaving = ((), "missing", -2)  # not yet in a row's cache


@dataclass(frozen=True, slots=True)
class Change:
    """Packets that became reachable (opened) or unreachable (closed) between two states."""

    change: str  # opened | closed | not analysed
    source: str  # "internet" or an ENI owner id
    destination: str
    protocol: str
    ports: PortSet
    rules: tuple[str, ...]  # the rules that now admit (opened) or that used to admit (closed)
    # For "not analysed": the state ("before" or "after") whose path leaves the modelled network.
    unanalysed_in: str = ""

    def describe(self) -> str:
        """One readable line for the CLI."""
        if self.unanalysed_in:
            return (
                f"{self.change}: {self.source} -> {self.destination} (its path leaves the "
                f"modelled network {self.unanalysed_in}: opened or closed cannot be told)"
            )
        shown = "echo" if self.protocol == "icmp" else self.ports.describe()
        why = f" by {', '.join(self.rules)}" if self.rules else ""
        return f"{self.change}: {self.source} -> {self.destination} {self.protocol} {shown}{why}"


_Flows = dict[tuple[str, str, str], tuple[PortSet, tuple[str, ...]]]


def _rule_names(finding: Exposure) -> tuple[str, ...]:
    """Readable names of the SG rules and NACL entries behind an exposure."""
    names = [f"{r.group_id}/{r.rule_id}" for r in finding.sg_rules]
    names += [f"{r.acl_id}#{r.rule_number}{'e' if r.egress else 'i'}" for r in finding.acl_rules]
    return tuple(names)


def _flows(part: Compiled) -> tuple[_Flows, set[tuple[str, str]]]:
    """Every (source, destination, protocol) with its open destination ports and rules, and
    the (source, destination) pairs not analysed (their paths leave the modelled network)."""
    flows: _Flows = {}
    unanalysed = {("internet", u.owner_id) for u in unanalysed_exposure(part)}
    for finding in internet_exposure(part):
        key = ("internet", finding.owner_id, finding.protocol)
        ports, rules = flows.get(key, (PortSet(()), ()))
        flows[key] = (ports.union(finding.destination_ports), rules + _rule_names(finding))
    enis = sorted(part.enis)
    for cell in reachability_matrix(part, enis):
        if cell.space is None:
            unanalysed.update(
                (part.enis[s].owner.id, part.enis[d].owner.id)
                for s in cell.sources
                for d in cell.destinations
                if s != d
            )
            continue
        for source in cell.sources:
            for destination in cell.destinations:
                if source == destination:
                    continue
                src, dst = part.enis[source].owner.id, part.enis[destination].owner.id
                for protocol in cell.space.protocols():
                    ports = cell.space.destination_ports(protocol)
                    flows[(src, dst, protocol)] = (ports, ())
    return flows, unanalysed


def reachability_diff(before: Compiled, after: Compiled) -> list[Change]:
    """What became reachable or unreachable from `before` to `after`, and the rules behind it.

    A pair whose path leaves the modelled network in one state only is reported "not
    analysed" (never opened or closed); between two instances nothing else is said of it,
    while internet sources its exposure does analyse still count.
    """
    (old, old_unknown), (new, new_unknown) = _flows(before), _flows(after)
    changes = [
        Change(
            "not analysed",
            *pair,
            "any",
            PortSet(()),
            (),
            "before" if pair in old_unknown else "after",
        )
        for pair in sorted(old_unknown ^ new_unknown)
    ]
    unknown = {pair for pair in old_unknown | new_unknown if pair[0] != "internet"}
    for key in sorted(set(old) | set(new)):
        if key[:2] in unknown:
            continue
        old_ports, old_rules = old.get(key, (PortSet(()), ()))
        new_ports, new_rules = new.get(key, (PortSet(()), ()))
        opened, closed = new_ports.minus(old_ports), old_ports.minus(new_ports)
        if not opened.is_empty():
            responsible = tuple(r for r in new_rules if r not in old_rules) or new_rules
            changes.append(Change("opened", *key, opened, responsible))
        if not closed.is_empty():
            changes.append(Change("closed", *key, closed, old_rules))
    return changes
