"""Whole-network questions answered symbolically: which ENIs the internet can connect to.

Internet sources are split into address classes (the elementary intervals every SG, NACL and
route boundary of the ENI's side cuts public space into); one representative per class stands
for all of it, so the answer is exact while costing one evaluation per class, not per address.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import chain

from vpclab.dataplane.compile import Compiled, Eni, SubnetInfo
from vpclab.dataplane.filtering import WHOLE, evaluate_acl, evaluate_security_groups
from vpclab.dataplane.flow import Header, PortSet, int_ip, ip_int
from vpclab.dataplane.headerspace import HeaderSpace
from vpclab.dataplane.routing import select_route
from vpclab.dataplane.symbolic import (
    ANALYSED_PROTOCOLS,
    DROPPED,
    DirectPaths,
    Member,
    class_key,
    connection_space,
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


def _ways_in(part: Compiled, eni: Eni, subnet: SubnetInfo) -> list[_WayIn]:
    """(IGW, admission, protocol, source ranges) for an ENI's class: its own address plays no
    part, since the filters on the way in and out name only the internet host's address."""
    merged: dict[tuple[object, ...], list[tuple[int, int]]] = {}
    details: dict[tuple[object, ...], tuple[str, _Admission, str]] = {}
    cuts = _boundaries(part, eni, subnet)
    for index, low in enumerate(cuts):
        high = cuts[index + 1] - 1 if index + 1 < len(cuts) else _TOP
        representative = max(low, 1)
        if representative > high or not _public(representative):
            continue
        source = int_ip(representative)
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


def internet_exposure(part: Compiled) -> list[Exposure]:
    """Every ENI of the partition an internet host can open a connection to, and how."""
    exposures: list[Exposure] = []
    cache: _WaysCache = {}
    for eni_id in sorted(part.enis):
        exposures.extend(_eni_exposures(part, part.enis[eni_id], cache))
    return exposures


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """What a class of sources may open to some classes of destinations (None: not analysed).

    Destination classes are kept as given and joined only when asked, so a matrix over
    10,000 ENIs holds one reference per class, not one per ENI pair.
    """

    sources: tuple[str, ...]
    destination_classes: tuple[tuple[str, ...], ...]
    space: HeaderSpace | None

    @property
    def destinations(self) -> tuple[str, ...]:
        """Every destination ENI of the cell."""
        return tuple(chain.from_iterable(self.destination_classes))

    def ports(self) -> str:
        """The open destination ports per protocol, e.g. 'tcp 22, 443; icmp echo'."""
        if self.space is None:
            return "not analysed (crosses VPCs or a non-local route)"
        parts = []
        for protocol in self.space.protocols():
            ports = self.space.destination_ports(protocol)
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


def matrix_members(part: Compiled, eni_ids: list[str]) -> list[tuple[Member, tuple[str, ...]]]:
    """The ENIs split into classes that every filter and route treats alike, each with a
    representative: same class key (subnet, groups, state, ...), same address cell of every
    boundary, same group references holding their address."""
    cuts = _address_cuts(part)
    member_sets = _referenced_member_sets(part)
    classes: dict[tuple[object, ...], list[str]] = {}
    for eni_id in sorted(set(eni_ids)):
        eni = part.enis.get(eni_id)
        if eni is None or eni.eni.subnet_id not in part.subnets:
            continue
        address = eni.eni.primary_ip
        holding = tuple(i for i, members in enumerate(member_sets) if address in members)
        key = (class_key(eni), bisect_right(cuts, ip_int(address)), holding)
        classes.setdefault(key, []).append(eni_id)
    out = []
    for members in sorted(classes.values()):
        eni = part.enis[members[0]]
        address = eni.eni.primary_ip
        member = Member(
            eni,
            eni.eni.vpc_id,
            part.subnets[eni.eni.subnet_id],
            tuple(sorted(eni.eni.groups)),
            bisect_right(cuts, ip_int(address)),
            tuple(i for i, group in enumerate(member_sets) if address in group),
        )
        out.append((member, tuple(members)))
    return out


def refined_classes(part: Compiled, eni_ids: list[str]) -> list[tuple[str, ...]]:
    """Equivalence classes of the given ENIs, split wherever a rule tells their addresses apart."""
    return sorted(members for _, members in matrix_members(part, eni_ids))


def reachability_matrix(part: Compiled, eni_ids: list[str]) -> list[MatrixCell]:
    """Class-to-class connection spaces, destination classes with equal spaces merged per row.

    Pairs joined by the local route or one peering are computed from per-filter terms shared by
    every pair (DirectPaths); pairs whose routes certainly drop cost two route look-ups; the
    rest go to the symbolic walk on representatives. A pair inside one class is evaluated
    between two distinct members when the class has them (an ENI never talks to itself).
    """
    classes = matrix_members(part, eni_ids)
    paths = DirectPaths(part)
    buckets: dict[int, list[tuple[Member, tuple[str, ...]]]] = {}
    for member, members in classes:
        buckets.setdefault(member.cell, []).append((member, members))
    by_cell = [(b, [m for _, m in b], {m.subnet.subnet.id for m, _ in b}) for b in buckets.values()]
    cells: list[MatrixCell] = []
    for source, sources in classes:
        row: dict[int, tuple[HeaderSpace | None, list[tuple[str, ...]]]] = {}
        nothing: list[tuple[str, ...]] = []
        for bucket, all_members, subnets in by_cell:
            dropped = paths.route(source, bucket[0][0]) == DROPPED
            if dropped and source.subnet.subnet.id not in subnets:
                nothing.extend(all_members)  # routes drop it: no filter to evaluate
                continue
            for destination, destinations in bucket:
                if destinations is sources and len(sources) == 1:
                    continue
                space = _class_pair_space(
                    part, paths, (source, sources), (destination, destinations)
                )
                if space is _NOTHING:
                    nothing.append(destinations)
                else:
                    row.setdefault(id(space), (space, []))[1].append(destinations)
        if nothing:
            cells.append(MatrixCell(sources, tuple(nothing), _NOTHING))
        for space, groups in row.values():
            cells.append(MatrixCell(sources, tuple(groups), space))
    return cells


_NOTHING = HeaderSpace()


def _class_pair_space(
    part: Compiled,
    paths: DirectPaths,
    source: tuple[Member, tuple[str, ...]],
    destination: tuple[Member, tuple[str, ...]],
) -> HeaderSpace | None:
    """One class pair: from shared terms when the path is direct, else the symbolic walk
    between representatives (a distinct member when both classes are the same)."""
    space = paths.space(source[0], destination[0])
    if space is not None:
        return _NOTHING if space.is_empty() else space
    others = [d for d in destination[1] if d != source[1][0]]
    walked = connection_space(part, source[1][0], others[0])
    return _NOTHING if walked is not None and walked.is_empty() else walked


@dataclass(frozen=True, slots=True)
class Change:
    """Packets that became reachable (opened) or unreachable (closed) between two states."""

    change: str  # opened | closed
    source: str  # "internet" or an ENI owner id
    destination: str
    protocol: str
    ports: PortSet
    rules: tuple[str, ...]  # the rules that now admit (opened) or that used to admit (closed)

    def describe(self) -> str:
        """One readable line for the CLI."""
        shown = "echo" if self.protocol == "icmp" else self.ports.describe()
        why = f" by {', '.join(self.rules)}" if self.rules else ""
        return f"{self.change}: {self.source} -> {self.destination} {self.protocol} {shown}{why}"


_Flows = dict[tuple[str, str, str], tuple[PortSet, tuple[str, ...]]]


def _rule_names(finding: Exposure) -> tuple[str, ...]:
    """Readable names of the SG rules and NACL entries behind an exposure."""
    names = [f"{r.group_id}/{r.rule_id}" for r in finding.sg_rules]
    names += [f"{r.acl_id}#{r.rule_number}{'e' if r.egress else 'i'}" for r in finding.acl_rules]
    return tuple(names)


def _flows(part: Compiled) -> _Flows:
    """Every (source, destination, protocol) with its open destination ports and rules."""
    flows: _Flows = {}
    for finding in internet_exposure(part):
        key = ("internet", finding.owner_id, finding.protocol)
        ports, rules = flows.get(key, (PortSet(()), ()))
        flows[key] = (ports.union(finding.destination_ports), rules + _rule_names(finding))
    enis = sorted(part.enis)
    for cell in reachability_matrix(part, enis):
        if cell.space is None:
            continue
        for source in cell.sources:
            for destination in cell.destinations:
                if source == destination:
                    continue
                src, dst = part.enis[source].owner.id, part.enis[destination].owner.id
                for protocol in cell.space.protocols():
                    ports = cell.space.destination_ports(protocol)
                    flows[(src, dst, protocol)] = (ports, ())
    return flows


def reachability_diff(before: Compiled, after: Compiled) -> list[Change]:
    """What became reachable or unreachable from `before` to `after`, and the rules behind it."""
    old, new = _flows(before), _flows(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        old_ports, old_rules = old.get(key, (PortSet(()), ()))
        new_ports, new_rules = new.get(key, (PortSet(()), ()))
        opened, closed = new_ports.minus(old_ports), old_ports.minus(new_ports)
        if not opened.is_empty():
            responsible = tuple(r for r in new_rules if r not in old_rules) or new_rules
            changes.append(Change("opened", *key, opened, responsible))
        if not closed.is_empty():
            changes.append(Change("closed", *key, closed, old_rules))
    return changes
