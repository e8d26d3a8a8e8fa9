"""The packet walk of spec §10: forward and return, hop by hop, naming every blocking setting.

Checks run in the AMB-20 order (SrcCheck, SG egress, NACL egress, route, hop, NACL ingress,
SG ingress, DstCheck). When a filter drops the packet the walk records why and carries on with
the header as if it had passed, so every setting on the best candidate path that would have to
change is named, not only the first. Routing failures end the walk (there is nowhere to go).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from vpclab.dataplane.compile import (
    Compiled,
    CompiledWorld,
    Eni,
    Group,
    RouteEntry,
    SgEntry,
    SubnetInfo,
    compile_view,
)
from vpclab.dataplane.filtering import (
    WHOLE,
    evaluate_acl,
    evaluate_security_groups,
)
from vpclab.dataplane.flow import (
    EMPTY,
    LAMBDA_SOURCE_PORTS,
    NAT_PORTS,
    Flow,
    Header,
    PortSet,
    canonical_protocol,
    cidr_span,
    int_ip,
    ip_int,
    is_ipv4,
)
from vpclab.dataplane.routing import RouteDecision, select_route
from vpclab.dataplane.trace import (
    Condition,
    Explanation,
    HeaderFilter,
    Hop,
    Ref,
    Restrictions,
    Step,
    Trace,
    Translation,
)
from vpclab.model.peering import PeeringSide
from vpclab.model.route_table import UNMODELLED_TARGETS, Route
from vpclab.model.state import View

# A public address standing for "somewhere on the internet" when none is given (TEST-NET-2).
INTERNET_ADDRESS = "198.51.100.10"
# Link-local services that are never filtered by SGs or NACLs (VPC-22).
UNFILTERED_SERVICES = frozenset(
    {"169.254.169.253", "169.254.169.254", "169.254.169.123", "169.254.169.250", "169.254.169.251"}
)
_RFC1918 = tuple(cidr_span(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_RFC6598 = cidr_span("100.64.0.0/10")
_NAT_PROTOCOLS = ("tcp", "udp", "icmp")
MAX_HOPS = 48


# What a trace without an analysis's restrictions uses (frozen, so shared).
_NO_RESTRICTIONS = Restrictions()
_NO_FILTER = HeaderFilter()


@lru_cache(maxsize=1 << 12)
def _in_spans(address: str, spans: tuple[tuple[int, int], ...]) -> bool:
    """Whether an address lies in any of the spans (cached: gateways test the same ones)."""
    value = ip_int(address)
    return any(low <= value <= high for low, high in spans)


def is_rfc1918(address: str) -> bool:
    """Whether an address is private RFC 1918 space."""
    return _in_spans(address, _RFC1918)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A resolved source or destination of a trace."""

    kind: str  # eni | internet | peering | address | service
    ref: Ref | None
    part: Compiled | None = None
    eni: Eni | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Arrival:
    """Where a walk ended and the header as it arrived there."""

    kind: str  # eni | internet | peering | service
    header: Header
    part: Compiled | None = None
    eni: Eni | None = None
    component: Ref | None = None
    sender_vpc: str | None = None


@dataclass(slots=True)
class _NatEntry:
    """A translation made on the forward path, so the reply can be mapped back (NAT-6, NATI-6)."""

    inside_address: str
    inside_ports: PortSet
    outside_address: str


@dataclass(slots=True)
class _HopBuilder:
    """A hop being assembled while the packet passes a component."""

    component: Ref
    vpc_id: str | None
    subnet_id: str | None
    inbound: Header | None
    steps: list[Step] = field(default_factory=list)


class _Walk:
    """One trace in progress: hops, explanations, connection tracking and NAT state."""

    def __init__(self, world: CompiledWorld) -> None:
        self.world = world
        self.hops: list[Hop] = []
        self.explanations: list[Explanation] = []
        self.tracked: set[str] = set()
        self.nat: dict[str, _NatEntry] = {}
        self.conditions: list[Condition] = []
        self.reverse = False
        self.stop_at_peering: str | None = None
        # The gateway or peering the destination names, so a route elsewhere is CANNOT_ROUTE.
        self.wanted: str | None = None
        self.budget = MAX_HOPS
        # Set once an appliance has forwarded the packet: group references no longer match (SG-14).
        self.forwarded = False
        # Accounts whose security groups the analysis may read (None: all, UNKNOWN_PEERED_SGS).
        self.visible: frozenset[str] | None = None
        # The ENI the question names as destination (a NAT gateway reached instead: no DNAT).
        self.destination_eni: str | None = None
        # Where the packet left the modelled network (a route to a TGW, VGW, endpoint...).
        self.left_model: Ref | None = None

    # -- recording ------------------------------------------------------------------------
    def replayed(
        self,
        part: Compiled,
        key: tuple[object, ...],
        make: Callable[[], Header | None],
        effects: Callable[[], None] | None = None,
    ) -> tuple[Hop, Header] | None:
        """One hop made by `make` (None: the packet stops); a hop that passed cleanly depends
        only on `key`, so it is kept on the compiled state and reused (with `effects` redone
        on the walk's state) instead of rebuilt."""
        passed = part.memo.get(key)
        if passed is not None:
            self.budget -= 1
            self.hops.append(passed[0])
            if effects is not None:
                effects()
            return passed  # type: ignore[no-any-return]
        blocked = len(self.explanations)
        out = make()
        if out is None:
            return None
        made = (self.hops[-1], out)
        if len(self.explanations) == blocked:
            part.memo[key] = made
        return made

    def open(
        self, component: Ref, vpc_id: str | None, subnet_id: str | None, inbound: Header | None
    ) -> _HopBuilder:
        """Start a hop at a component."""
        self.budget -= 1
        return _HopBuilder(component, vpc_id, subnet_id, inbound)

    def close(self, hop: _HopBuilder, outbound: Header | None) -> None:
        """Finish a hop with the header that leaves it."""
        self.hops.append(
            Hop(
                component=hop.component,
                vpc_id=hop.vpc_id,
                subnet_id=hop.subnet_id,
                inbound=hop.inbound,
                outbound=outbound,
                steps=tuple(hop.steps),
            )
        )

    def block(
        self, hop: _HopBuilder, step_kind: str, explanation: Explanation, **extra: object
    ) -> None:
        """Record a drop: a deny step carrying its explanation, and the explanation itself."""
        self.explanations.append(explanation)
        hop.steps.append(
            Step(
                kind=step_kind,
                component=explanation.component or hop.component,
                verdict="deny",
                text=explanation.message,
                direction=explanation.direction,
                explanations=(explanation,),
                **extra,  # type: ignore[arg-type]
            )
        )

    def dead_end(
        self,
        component: Ref,
        vpc_id: str | None,
        subnet_id: str | None,
        header: Header | None,
        step_kind: str,
        explanation: Explanation,
    ) -> None:
        """A hop where the packet stops: opened, blocked with the explanation, closed."""
        hop = self.open(component, vpc_id, subnet_id, header)
        self.block(hop, step_kind, explanation)
        self.close(hop, header)

    def note(self, hop: _HopBuilder, kind: str, text: str, **extra: object) -> None:
        """Record a passing step."""
        hop.steps.append(
            Step(kind=kind, component=hop.component, verdict="note", text=text, **extra)  # type: ignore[arg-type]
        )

    def translate(
        self,
        hop: _HopBuilder,
        component: Ref,
        translation: Translation,
        text: str,
        explanations: tuple[Explanation, ...] = (),
    ) -> None:
        """Record an address (and port) rewrite made at a component (IGW, NAT gateway, instance)."""
        hop.steps.append(
            Step(
                kind="translation",
                component=component,
                verdict="note",
                text=text,
                translation=translation,
                explanations=explanations,
            )
        )

    # -- filters --------------------------------------------------------------------------
    def security_groups(
        self, part: Compiled, eni: Eni, header: Header, hop: _HopBuilder, *, egress: bool
    ) -> Header:
        """SG egress or ingress at an ENI: tracked replies pass (SG-7), else the union (SG-3)."""
        direction = "egress" if egress else "ingress"
        if self.reverse and eni.id in self.tracked:
            hop.steps.append(
                Step(
                    kind="security-group",
                    component=eni.ref,
                    verdict="allow",
                    direction=direction,
                    text=f"reply of a tracked connection passes the {direction} rules (SG-7)",
                )
            )
            return header
        if eni.eni.is_nat_gateway:
            return header
        limits = (self.forwarded and not egress, self.visible)
        key = ("sg", eni.id, egress, header, limits)
        cached = part.memo.get(key)
        if cached is None:
            cached = self._sg_step(part, eni, header, egress=egress, limits=limits)
            part.memo[key] = cached
        step, admitted = cached
        hop.steps.append(step)
        if step.verdict == "deny":
            self.explanations.extend(step.explanations)
            return header
        if not self.reverse:
            self.tracked.add(eni.id)
        return _restrict(header, admitted)

    @staticmethod
    def _sg_step(
        part: Compiled, eni: Eni, header: Header, *, egress: bool, limits: _Limits
    ) -> tuple[Step, PortSet]:
        """The SG step for a header at an ENI (memoised per compiled state: it is pure)."""
        direction = "egress" if egress else "ingress"
        groups = [g for g in (part.group(gid) for gid in sorted(eni.eni.groups)) if g is not None]
        usable, hidden = _hide_references(part, groups, limits, egress=egress)
        result = evaluate_security_groups(usable, header, egress=egress)
        group_ids = tuple(sorted(eni.eni.groups))
        if result.admitted.is_empty():
            code = "ENI_SG_RULES_MISMATCH" if result.has_rules or hidden else "SG_HAS_NO_RULES"
            what = "no rule" if result.has_rules or hidden else "no rules at all"
            if hidden and evaluate_security_groups(groups, header, egress=egress).admitted.spans:
                code = hidden
                what = (
                    "only group-reference rules (not matched for forwarded traffic, SG-14)"
                    if hidden == "SG_REFERENCES_NOT_PRESERVED"
                    else "only rules referencing groups of an account the analysis cannot read"
                )
            return _deny_step(
                "security-group",
                eni.owner,
                Explanation(
                    code=code,
                    message=(
                        f"security groups {', '.join(group_ids) or '(none)'} of {eni.id} have "
                        f"{what} admitting {direction} {_describe(header)} (SG-3)"
                    ),
                    component=eni.owner,
                    direction=direction,
                    security_groups=group_ids,
                    subnet_id=eni.eni.subnet_id,
                    vpc_id=eni.eni.vpc_id,
                    packet_field="destination-port" if header.ported else None,
                    port_ranges=header.destination_ports if header.ported else None,
                ),
            )
        step = Step(
            kind="security-group",
            component=eni.ref,
            verdict="allow",
            direction=direction,
            text=f"{direction} allowed by {', '.join(r.rule_id for r in result.rules)}",
            sg_rules=result.rules,
            admitted=result.admitted if header.ported else None,
        )
        return step, result.admitted

    def acl(self, part: Compiled, subnet: SubnetInfo, header: Header, *, egress: bool) -> Header:
        """The subnet's NACL in one direction, statelessly, as its own path component (NACL-4..8)."""
        self.budget -= 1
        key = ("acl-hop", subnet.subnet.id, egress, header)
        cached = part.memo.get(key)
        if cached is None:
            cached = part.memo[key] = self._acl_hop(subnet, header, egress=egress)
        hop, out = cached
        self.hops.append(hop)
        if hop.steps and hop.steps[0].verdict == "deny":
            self.explanations.extend(hop.steps[0].explanations)
        return out

    @classmethod
    def _acl_hop(cls, subnet: SubnetInfo, header: Header, *, egress: bool) -> tuple[Hop, Header]:
        """The whole NACL hop for a header (pure, so memoised: no per-trace hop building)."""
        acl = subnet.acl
        steps: tuple[Step, ...] = ()
        out = header
        if header.destination not in UNFILTERED_SERVICES:
            step, admitted = cls._acl_step(subnet, header, egress=egress)
            steps = (step,)
            if step.verdict != "deny":
                out = _restrict(header, admitted)
        hop = Hop(
            component=acl.ref,
            vpc_id=subnet.subnet.vpc_id,
            subnet_id=subnet.subnet.id,
            inbound=header,
            outbound=out,
            steps=steps,
        )
        return hop, out

    @staticmethod
    def _acl_step(subnet: SubnetInfo, header: Header, *, egress: bool) -> tuple[Step, PortSet]:
        """The NACL step for a header leaving or entering a subnet (pure, so memoised)."""
        direction = "egress" if egress else "ingress"
        acl = subnet.acl
        result = evaluate_acl(acl.egress if egress else acl.ingress, header, egress=egress)
        if result.admitted.is_empty():
            denying = result.denied_by[0] if result.denied_by else None
            rule_text = f"rule {denying.rule_number}" if denying else "the final * rule"
            return _deny_step(
                "acl",
                acl.ref,
                Explanation(
                    code="SUBNET_ACL_RESTRICTION",
                    message=(
                        f"network ACL {acl.ref.id} of {subnet.subnet.id} denies {direction} "
                        f"{_describe(header)} ({rule_text}, NACL-4)"
                    ),
                    component=acl.ref,
                    acl=acl.ref,
                    acl_rule=denying,
                    direction=direction,
                    subnet_id=subnet.subnet.id,
                    vpc_id=subnet.subnet.vpc_id,
                    packet_field="destination-port" if header.ported else None,
                    port_ranges=header.destination_ports if header.ported else None,
                ),
                acl_rules=result.rules,
            )
        allowed = [r for r in result.rules if r.action == "allow"]
        step = Step(
            kind="acl",
            component=acl.ref,
            verdict="allow",
            direction=direction,
            text=f"{direction} allowed by rule {', '.join(str(r.rule_number) for r in allowed)}",
            acl_rules=tuple(allowed),
            admitted=result.admitted if header.ported else None,
        )
        return step, result.admitted

    # -- the walk -------------------------------------------------------------------------
    def send(
        self, part: Compiled, eni: Eni, header: Header, *, origin: bool = False
    ) -> Arrival | None:
        """A packet leaving an ENI: state, SrcCheck, SG egress, then out of the subnet (PKT-1..6)."""
        passed = self.replayed(
            part,
            ("send", eni.id, header, origin, *self.sg_state(eni)),
            lambda: self._send_hop(part, eni, header, origin),
            lambda: self.replay_tracking(eni),
        )
        if passed is None:
            return Arrival(
                "service", header, part, None, Ref(kind="service", id=header.destination)
            )
        return self.leave_subnet(part, eni.eni.subnet_id, passed[1], eni.id)

    def _send_hop(self, part: Compiled, eni: Eni, header: Header, origin: bool) -> Header | None:
        """The sending ENI's hop: the header it lets out, or None for an AWS service address."""
        hop = self.open(eni.owner, eni.eni.vpc_id, eni.eni.subnet_id, None)
        self.check_state(eni, hop)
        if header.source not in eni.addresses and eni.eni.source_dest_check:
            code = "ENI_ADDRESS_RESTRICTION" if origin else "ENI_SOURCE_DEST_CHECK_RESTRICTION"
            self.block(
                hop,
                "check",
                Explanation(
                    code=code,
                    message=(
                        f"{eni.id} only sends packets from its own addresses; source "
                        f"{header.source} is not one of them (ENI-6)"
                    ),
                    component=eni.owner,
                    address=header.source,
                    packet_field="source-address",
                    direction="egress",
                ),
            )
        if eni.eni.interface_type == "lambda" and not self.reverse:
            header = self._lambda_sends(eni, header, hop)
        if self.unfiltered(part, eni, header):
            self.note(hop, "check", f"{header.destination} is an AWS service address (VPC-22)")
            self.close(hop, header)
            return None
        header = self.security_groups(part, eni, header, hop, egress=True)
        self.close(hop, header)
        return header

    def _lambda_sends(self, eni: Eni, header: Header, hop: _HopBuilder) -> Header:
        """What a function sends through its Hyperplane ENI: TCP or UDP only, from source ports
        1024-65535 (LAM-4); anything else never leaves it."""
        if not header.ported:
            self.block(
                hop,
                "check",
                Explanation(
                    code="PROTOCOL_RESTRICTION",
                    message=(
                        f"{eni.id} is a Lambda ENI: a function sends TCP and UDP only, "
                        f"not {header.protocol} (LAM-4)"
                    ),
                    component=eni.ref,
                ),
            )
            return header
        ports = header.source_ports.intersect(LAMBDA_SOURCE_PORTS)
        if ports.is_empty():
            self.block(
                hop,
                "check",
                Explanation(
                    code="NO_PATH",
                    message=(
                        f"{eni.id} is a Lambda ENI: a function's source ports are 1024-65535 "
                        "(LAM-4)"
                    ),
                    component=eni.ref,
                    packet_field="source-port",
                    direction="egress",
                ),
            )
            return header
        return header.with_(source_ports=ports)

    def sg_state(self, eni: Eni) -> tuple[object, ...]:
        """What of this walk's state an ENI's hop depends on besides the header (for replays)."""
        return (self.reverse, eni.id in self.tracked, self.forwarded, self.visible)

    def replay_tracking(self, eni: Eni) -> None:
        """What a clean pass through an ENI's SGs records: a connection it tracks (SG-7)."""
        if not self.reverse and not eni.eni.is_nat_gateway:
            self.tracked.add(eni.id)

    def unfiltered(self, part: Compiled, eni: Eni, header: Header) -> bool:
        """Whether the destination is the VPC's DNS resolver or a link-local service (VPC-22)."""
        if header.destination in UNFILTERED_SERVICES:
            return True
        vpc = part.vpcs.get(eni.eni.vpc_id)
        if vpc is None:
            return False
        return ip_int(header.destination) == cidr_span(vpc.cidr_block)[0] + 2

    def check_state(self, eni: Eni, hop: _HopBuilder) -> None:
        """A stopped instance or an unattached ENI passes no traffic (AMB-24, BAD_STATE)."""
        if eni.usable:
            return
        self.block(
            hop,
            "state",
            Explanation(
                code="BAD_STATE",
                message=f"{eni.owner.id} is {eni.state}, so {eni.id} passes no traffic (AMB-24)",
                component=eni.owner,
                state=eni.state,
            ),
        )

    def leave_subnet(
        self, part: Compiled, subnet_id: str, header: Header, sender: str
    ) -> Arrival | None:
        """Same subnet: layer 2 (RT-18, NACL-15); else NACL egress then the route table."""
        subnet = part.subnets[subnet_id]
        vpc_id = subnet.subnet.vpc_id
        local = part.by_address.get((vpc_id, header.destination))
        if local is not None and local != sender and part.enis[local].eni.subnet_id == subnet_id:
            return self.receive(part, part.enis[local], header, subnet_id)
        header = self.acl(part, subnet, header, egress=True)
        return self.route(part, subnet, header)

    def route(self, part: Compiled, subnet: SubnetInfo, header: Header) -> Arrival | None:
        """Longest-prefix match in the subnet's table, then the target's hop (RT-4..RT-7, RT-13)."""
        decision = _decide(part, subnet, header.destination)
        entry = decision.entry
        if (
            self.budget > 1
            and entry is not None
            and entry.usable
            and (self.wanted is None or entry.ref.target_id == self.wanted)
        ):
            self.budget -= 1
            key = ("route-hop", subnet.subnet.id, header)
            passed = part.memo.get(key)
            if passed is None:
                passed = part.memo[key] = _passed_route_hop(subnet, header, entry)
            self.hops.append(passed)
            return self.to_target(part, subnet, entry.ref.target_kind, entry.route, header)
        hop = self.open(subnet.route_table, subnet.subnet.vpc_id, subnet.subnet.id, header)
        if self.budget <= 0:
            self.give_up(hop, header)
            return None
        if entry is None:
            self.block(
                hop,
                "route",
                Explanation(
                    code="NO_ROUTE_TO_DESTINATION",
                    message=(
                        f"route table {subnet.route_table.id} has no route to "
                        f"{header.destination} (RT-4)"
                    ),
                    component=subnet.route_table,
                    route_table=subnet.route_table,
                    subnet_id=subnet.subnet.id,
                    vpc_id=subnet.subnet.vpc_id,
                    address=header.destination,
                ),
            )
            self.close(hop, header)
            return None
        if not entry.usable:
            self.block(
                hop,
                "route",
                Explanation(
                    code="BAD_STATE_ROUTE",
                    message=(
                        f"route {entry.ref.destination} -> {entry.ref.target_id} in "
                        f"{subnet.route_table.id} is a blackhole; there is no fallback (RT-13)"
                    ),
                    component=subnet.route_table,
                    route_table=subnet.route_table,
                    route=entry.ref,
                    state="blackhole",
                ),
                route=entry.ref,
            )
            self.explain_target_state(part, hop, entry.ref.target_kind, entry.ref.target_id)
            tied = [
                e
                for e in subnet.lpm.entries
                if e.usable and e.prefix == entry.prefix and e.low == entry.low
            ]
            fallback = tied[0] if tied else decision.usable_fallback
            if fallback is not None:
                same_prefix = fallback.prefix == entry.prefix
                self.block(
                    hop,
                    "route",
                    Explanation(
                        code="HIGHER_PRIORITY_ROUTE" if same_prefix else "MORE_SPECIFIC_ROUTE",
                        message=(
                            f"the {'higher-priority' if same_prefix else 'more specific'} route "
                            f"{entry.ref.destination} wins over "
                            f"{fallback.ref.destination} -> {fallback.ref.target_id} (RT-4, RT-6)"
                        ),
                        component=subnet.route_table,
                        route_table=subnet.route_table,
                        route=entry.ref,
                    ),
                    route=entry.ref,
                )
            self.close(hop, header)
            return None
        if self.wanted is not None and entry.ref.target_id != self.wanted:
            towards = [e for e in subnet.lpm.entries if e.ref.target_id == self.wanted]
            if towards:
                self.block(
                    hop,
                    "route",
                    Explanation(
                        code="CANNOT_ROUTE",
                        message=(
                            f"the route {towards[0].ref.destination} -> {self.wanted} does not "
                            f"cover {header.destination}; it goes to {entry.ref.target_id}"
                        ),
                        component=subnet.route_table,
                        route_table=subnet.route_table,
                        route=towards[0].ref,
                        address=header.destination,
                    ),
                    route=towards[0].ref,
                )
                self.close(hop, header)
                return None
        hop.steps.append(_route_step(subnet, header, entry))
        self.close(hop, header)
        return self.to_target(part, subnet, entry.ref.target_kind, entry.route, header)

    def give_up(self, hop: _HopBuilder, header: Header) -> None:
        """Stop a walk that loops between appliances (it would never arrive)."""
        self.block(
            hop,
            "route",
            Explanation(code="NO_PATH", message="the path loops without reaching the destination"),
        )
        self.close(hop, header)

    def explain_target_state(
        self, part: Compiled, hop: _HopBuilder, kind: str, target: str
    ) -> None:
        """Name the component that made a route a blackhole (RT-12)."""
        if kind == "gateway" and target.startswith("igw-"):
            igw = part.igws.get(target)
            code, msg = "BAD_STATE_ATTACHMENT", f"internet gateway {target} is not attached"
            if igw is None:
                code, msg = "BAD_STATE", f"internet gateway {target} does not exist"
            ref = (
                part.ref("internet-gateway", igw)
                if igw
                else Ref(kind="internet-gateway", id=target)
            )
            self.block(
                hop, "state", Explanation(code=code, message=msg, component=ref, state="detached")
            )
        elif kind == "nat":
            nat = part.nats.get(target)
            state = nat.state if nat else "deleted"
            ref = nat.ref if nat else Ref(kind="nat-gateway", id=target)
            self.block(
                hop,
                "state",
                Explanation(
                    code="BAD_STATE",
                    message=f"NAT gateway {target} is {state} (NAT-3)",
                    component=ref,
                    state=state,
                ),
            )
        elif kind == "peering":
            pcx = part.peerings.get(target)
            state = pcx.status if pcx else "deleted"
            self.block(
                hop,
                "state",
                Explanation(
                    code="BAD_STATE",
                    message=f"peering connection {target} is {state}, not active (PCX-8)",
                    component=Ref(kind="vpc-peering-connection", id=target),
                    state=state,
                ),
            )
        elif kind in UNMODELLED_TARGETS:
            self.block(
                hop,
                "state",
                Explanation(
                    code="BAD_STATE",
                    message=f"{target} was exported as a blackhole target (RT-12)",
                    component=Ref(kind=UNMODELLED_TARGETS[kind], id=target),
                    state="blackhole",
                ),
            )
        elif kind in ("instance", "eni"):
            self.block(
                hop,
                "state",
                Explanation(
                    code="BAD_STATE",
                    message=f"{target} is terminated or deleted (RT-12)",
                    component=Ref(
                        kind="instance" if kind == "instance" else "network-interface", id=target
                    ),
                    state="terminated",
                ),
            )

    def to_target(
        self, part: Compiled, subnet: SubnetInfo, kind: str, route: object, header: Header
    ) -> Arrival | None:
        """Hand the packet to the route's target (RT-11)."""
        assert isinstance(route, Route)
        vpc_id = subnet.subnet.vpc_id
        target = route.target.id
        if kind == "local":
            return self.deliver_local(part, vpc_id, header, subnet.subnet.id)
        if kind == "gateway" and target.startswith("igw-"):
            return self.igw_out(part, target, header)
        if kind == "nat":
            return self.nat_forward(part, target, header, subnet.subnet.id)
        if kind in ("instance", "eni"):
            eni_id = route.target_eni if kind == "instance" else target
            if eni_id is None and kind == "instance":
                instance = part.instances.get(target)
                eni_id = instance.primary_eni_id if instance else None
            eni = part.enis.get(eni_id or "")
            if eni is None:
                return None
            return self.appliance(part, eni, header, subnet.subnet.id)
        if kind == "peering":
            return self.cross_peering(part, target, header, vpc_id)
        if route.leaves_model:
            self.leave_model(part, subnet, route, header)
            return None
        unsupported = Ref(kind=kind, id=target)
        self.dead_end(
            unsupported,
            vpc_id,
            None,
            header,
            "route",
            Explanation(
                code="UNSUPPORTED_COMPONENT",
                message=f"vpclab's tracer does not follow routes to {target}",
                component=unsupported,
            ),
        )
        return None

    def leave_model(self, part: Compiled, subnet: SubnetInfo, route: Route, header: Header) -> None:
        """A route AWS follows to a component vpclab does not model (TGW, VGW, endpoint, carrier
        or local gateway, core network): the walk ends there, the verdict unknown, not dropped."""
        component = Ref(
            kind=UNMODELLED_TARGETS[route.target.kind],
            id=route.target.id,
            account=part.view.account,
            region=part.view.region,
        )
        self.left_model = component
        message = f"leaves the modelled network via {route.target.id} (not analysed beyond it)"
        explanation = Explanation(
            code="UNSUPPORTED_COMPONENT",
            message=message,
            component=component,
            vpc_id=subnet.subnet.vpc_id,
            address=header.destination,
            blocking=False,
        )
        self.explanations.append(explanation)
        hop = self.open(component, subnet.subnet.vpc_id, None, header)
        self.note(hop, "check", message, explanations=(explanation,))
        self.close(hop, None)

    def deliver_local(
        self, part: Compiled, vpc_id: str, header: Header, from_subnet: str | None
    ) -> Arrival | None:
        """The VPC router delivers to the ENI holding the address, through its subnet's NACL."""
        owner = part.by_address.get((vpc_id, header.destination))
        if owner is None:
            vpc = Ref(kind="vpc", id=vpc_id)
            self.dead_end(
                vpc,
                vpc_id,
                None,
                header,
                "route",
                Explanation(
                    code="NO_POSSIBLE_DESTINATION",
                    message=f"no network interface in {vpc_id} holds {header.destination}",
                    component=vpc,
                    vpc_id=vpc_id,
                    address=header.destination,
                ),
            )
            return None
        eni = part.enis[owner]
        if eni.eni.subnet_id != from_subnet:
            header = self.acl(part, part.subnets[eni.eni.subnet_id], header, egress=False)
        return self.receive(part, eni, header, from_subnet)

    def receive(
        self, part: Compiled, eni: Eni, header: Header, from_subnet: str | None
    ) -> Arrival | None:
        """A packet addressed to an ENI: NAT replies, appliance replies, or delivery (PKT-1..5)."""
        nat_id = part.nat_by_eni.get(eni.id)
        if nat_id is not None:
            return self.nat_receive(part, nat_id, eni, header)
        entry = self.nat.get(eni.id)
        if self.reverse and entry is not None and header.destination == entry.outside_address:
            return self.appliance_reply(part, eni, entry, header)
        passed = self.replayed(
            part,
            ("receive", eni.id, header, *self.sg_state(eni)),
            lambda: self._receive_hop(part, eni, header),
            lambda: self.replay_tracking(eni),
        )
        assert passed is not None
        return Arrival("eni", passed[1], part, eni, eni.owner)

    def _receive_hop(self, part: Compiled, eni: Eni, header: Header) -> Header:
        """The receiving ENI's hop: the header its SGs let in."""
        hop = self.open(eni.owner, eni.eni.vpc_id, eni.eni.subnet_id, header)
        self.check_state(eni, hop)
        if eni.eni.interface_type == "lambda" and not self.reverse:
            self.block(
                hop,
                "check",
                Explanation(
                    code="NO_PATH",
                    message=f"{eni.id} is a Lambda ENI: nothing can open a connection to it (LAM-2)",
                    component=eni.ref,
                ),
            )
        header = self.security_groups(part, eni, header, hop, egress=False)
        self.close(hop, None)
        return header

    def appliance(
        self, part: Compiled, eni: Eni, header: Header, from_subnet: str
    ) -> Arrival | None:
        """A route to an instance or ENI: the middlebox's NACL, SGs, source/dest check (PKT-7)."""
        subnet_id = eni.eni.subnet_id
        if subnet_id != from_subnet:
            header = self.acl(part, part.subnets[subnet_id], header, egress=False)
        hop = self.open(eni.owner, eni.eni.vpc_id, subnet_id, header)
        self.check_state(eni, hop)
        header = self.security_groups(part, eni, header, hop, egress=False)
        checked = False
        if header.destination not in eni.addresses and eni.eni.source_dest_check:
            checked = True
            self.block(hop, "check", _sdc(eni, header.destination, "destination"))
        out = header
        next_hop = _decide(part, part.subnets[subnet_id], header.destination).entry
        goes_out = next_hop is not None and next_hop.ref.target_id.startswith("igw-")
        if goes_out and header.source not in eni.addresses and not self.reverse:
            out = header.with_(source=eni.eni.primary_ip)
            self.nat[eni.id] = _NatEntry(header.source, header.source_ports, out.source)
            self.translate(
                hop,
                eni.owner,
                Translation(
                    component_id=eni.id, field="source", before=header.source, after=out.source
                ),
                f"source {header.source} -> {out.source} (NAT instance, NATI-6)",
            )
        out = self.security_groups(part, eni, out, hop, egress=True)
        if out.source not in eni.addresses and eni.eni.source_dest_check and not checked:
            self.block(hop, "check", _sdc(eni, out.source, "source"))
        self.close(hop, out)
        self.forwarded = True
        return self.leave_subnet(part, subnet_id, out, eni.id)

    def appliance_reply(
        self, part: Compiled, eni: Eni, entry: _NatEntry, header: Header
    ) -> Arrival | None:
        """A reply to a NAT instance's translated address, mapped back to the inside host."""
        hop = self.open(eni.owner, eni.eni.vpc_id, eni.eni.subnet_id, header)
        self.check_state(eni, hop)
        header = self.security_groups(part, eni, header, hop, egress=False)
        out = header.with_(destination=entry.inside_address)
        self.translate(
            hop,
            eni.owner,
            Translation(
                component_id=eni.id,
                field="destination",
                before=header.destination,
                after=out.destination,
            ),
            f"destination {header.destination} -> {out.destination} (NAT instance reply)",
        )
        out = self.security_groups(part, eni, out, hop, egress=True)
        if out.source not in eni.addresses and eni.eni.source_dest_check:
            self.block(hop, "check", _sdc(eni, out.source, "source"))
        self.close(hop, out)
        self.forwarded = True
        return self.leave_subnet(part, eni.eni.subnet_id, out, eni.id)

    def nat_forward(
        self, part: Compiled, nat_id: str, header: Header, from_subnet: str
    ) -> Arrival | None:
        """A public or private NAT gateway: SNAT to its private IP and a port in 1024-65535 (PKT-6)."""
        nat = part.nats[nat_id]
        subnet_id = nat.nat.subnet_id
        if subnet_id == from_subnet:
            self.dead_end(
                nat.ref,
                nat.nat.vpc_id,
                subnet_id,
                header,
                "check",
                Explanation(
                    code="NO_POSSIBLE_DESTINATION",
                    message=(
                        f"NAT gateway {nat_id} does not serve its own subnet {subnet_id} (AMB-12)"
                    ),
                    component=nat.ref,
                    subnet_id=subnet_id,
                ),
            )
            return None
        header = self.acl(part, part.subnets[subnet_id], header, egress=False)
        hop = self.open(nat.ref, nat.nat.vpc_id, subnet_id, header)
        if nat.state != "available":
            self.block(
                hop,
                "state",
                Explanation(
                    code="BAD_STATE",
                    message=f"NAT gateway {nat_id} is {nat.state}",
                    component=nat.ref,
                    state=nat.state,
                ),
            )
        if not part.in_vpc(nat.nat.vpc_id, header.source):
            self.block(
                hop,
                "check",
                Explanation(
                    code="NGW_REQUIRES_SOURCE_IN_VPC",
                    message=(
                        f"NAT gateway {nat_id} only serves sources in {nat.nat.vpc_id}; "
                        f"{header.source} is not (NAT-13)"
                    ),
                    component=nat.ref,
                    address=header.source,
                ),
            )
        if header.protocol not in _NAT_PROTOCOLS:
            self.block(
                hop,
                "check",
                Explanation(
                    code="PROTOCOL_RESTRICTION",
                    message="NAT gateways translate only TCP, UDP and ICMP (NAT-7)",
                    component=nat.ref,
                ),
            )
        private_ip = nat.private_ip or header.source
        out = header.with_(source=private_ip)
        if header.ported:
            out = out.with_(source_ports=NAT_PORTS)
        self.nat[nat_id] = _NatEntry(header.source, header.source_ports, private_ip)
        notes = [
            Explanation(
                code="NGW_SOURCE_ADDRESS_REASSIGN",
                message=f"source {header.source} -> {private_ip} (NAT-6)",
                component=nat.ref,
                blocking=False,
            )
        ]
        if header.ported:
            notes.append(
                Explanation(
                    code="REMAP_EPHEMERAL_PORT",
                    message="source port remapped into 1024-65535 (NAT-6)",
                    component=nat.ref,
                    port_ranges=NAT_PORTS,
                    blocking=False,
                )
            )
        self.translate(
            hop,
            nat.ref,
            Translation(
                component_id=nat_id,
                field="source",
                before=header.source,
                after=private_ip,
                ports_before=header.source_ports if header.ported else None,
                ports_after=out.source_ports if header.ported else None,
            ),
            f"source {header.source} -> {private_ip}",
            tuple(notes),
        )
        self.close(hop, out)
        sender = nat.nat.network_interface_id or nat_id
        return self.leave_subnet(part, subnet_id, out, sender)

    def nat_receive(self, part: Compiled, nat_id: str, eni: Eni, header: Header) -> Arrival | None:
        """A packet to a NAT gateway's address: only replies of its translations pass (NAT-8)."""
        nat = part.nats[nat_id]
        hop = self.open(nat.ref, nat.nat.vpc_id, nat.nat.subnet_id, header)
        entry = self.nat.get(nat_id)
        if entry is None or not self.reverse:
            beyond = self.destination_eni not in (None, eni.id)
            self.block(
                hop,
                "check",
                Explanation(
                    code="NGW_DEST_ADDRESS_PRESERVATION" if beyond else "NO_POSSIBLE_DESTINATION",
                    message=(
                        f"NAT gateway {nat_id} accepts no unsolicited inbound traffic and never "
                        "rewrites destination addresses (NAT-8)"
                    ),
                    component=nat.ref,
                    address=header.destination,
                ),
            )
            self.close(hop, header)
            return None
        if header.ported and header.destination_ports != NAT_PORTS:
            self.conditions.append(
                Condition(field="nat-port", asked=NAT_PORTS, holds_for=header.destination_ports)
            )
        out = header.with_(destination=entry.inside_address)
        if header.ported:
            out = out.with_(destination_ports=entry.inside_ports)
        self.translate(
            hop,
            nat.ref,
            Translation(
                component_id=nat_id,
                field="destination",
                before=header.destination,
                after=entry.inside_address,
            ),
            f"destination {header.destination} -> {entry.inside_address} (reply)",
        )
        self.close(hop, out)
        return self.leave_subnet(part, nat.nat.subnet_id, out, eni.id)

    def igw_out(self, part: Compiled, igw_id: str, header: Header) -> Arrival | None:
        """Leaving through the IGW: no private destinations, 1:1 NAT of the source (PKT-4, IGW-6/8)."""
        passed = self.replayed(
            part, ("igw-out", igw_id, header), lambda: self._igw_egress(part, igw_id, header)
        )
        if passed is None:
            return None
        hop, out = passed
        inbound = self.world.public_owner(out.destination)
        if inbound is not None:
            return self.internet_in(inbound, out)
        return Arrival("internet", out, part, None, hop.component)

    def _igw_egress(self, part: Compiled, igw_id: str, header: Header) -> Header | None:
        """The IGW's hop for a packet leaving: the translated header, or None when dropped."""
        igw = part.igws[igw_id]
        ref = part.ref("internet-gateway", igw)
        vpc_id = igw.vpc_id or ""
        hop = self.open(ref, vpc_id, None, header)
        for spans, code in (
            (_RFC1918, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"),
            ((_RFC6598,), "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"),
        ):
            if _in_spans(header.destination, spans):
                self.block(
                    hop,
                    "check",
                    Explanation(
                        code=code,
                        message=f"{igw_id} drops outbound traffic to {header.destination}",
                        component=ref,
                        address=header.destination,
                        packet_field="destination-address",
                    ),
                )
                self.close(hop, header)
                return None
        owner = part.by_address.get((vpc_id, header.source))
        public = part.enis[owner].public.get(header.source) if owner else None
        if public is None:
            self.block(
                hop,
                "check",
                Explanation(
                    code="IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                    message=(
                        f"{header.source} has no public IPv4 or Elastic IP, so {igw_id} drops "
                        "its traffic (IGW-8, IGW-12)"
                    ),
                    component=ref,
                    address=header.source,
                    packet_field="source-address",
                ),
            )
            self.close(hop, header)
            return None
        out = header.with_(source=public)
        self.translate(
            hop,
            ref,
            Translation(component_id=igw_id, field="source", before=header.source, after=public),
            f"source {header.source} -> {public} (1:1 NAT, IGW-6)",
        )
        self.close(hop, out)
        return out

    def internet_in(
        self, part: Compiled, header: Header, igw_id: str | None = None
    ) -> Arrival | None:
        """Arriving from the internet: the public address maps to a private one (PKT-5, IGW-9)."""
        passed = self.replayed(
            part, ("internet-in", igw_id, header), lambda: self._igw_ingress(part, header, igw_id)
        )
        if passed is None:
            return None
        hop, out = passed
        assert hop.vpc_id is not None
        return self.deliver_local(part, hop.vpc_id, out, None)

    def _igw_ingress(self, part: Compiled, header: Header, igw_id: str | None) -> Header | None:
        """The IGW's hop for a packet arriving: the translated header, or None when dropped."""
        mapped = part.public_to_private.get(header.destination)
        vpc_id = part.enis[mapped[0]].eni.vpc_id if mapped else None
        gateway = igw_id or (part.igw_of_vpc.get(vpc_id) if vpc_id else None)
        igw = part.igws.get(gateway or "")
        ref = (
            part.ref("internet-gateway", igw)
            if igw
            else Ref(kind="internet-gateway", id=gateway or "")
        )
        hop = self.open(ref, vpc_id, None, header)
        if igw is not None and igw.vpc_id is None:
            self.block(
                hop,
                "state",
                Explanation(
                    code="BAD_STATE_ATTACHMENT",
                    message=f"internet gateway {igw.id} is not attached to a VPC (IGW-7)",
                    component=ref,
                    state="detached",
                ),
            )
        if is_rfc1918(header.source) or _in_spans(header.source, (_RFC6598,)):
            code = (
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"
                if is_rfc1918(header.source)
                else "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS"
            )
            self.block(
                hop,
                "check",
                Explanation(
                    code=code,
                    message=f"{ref.id} drops inbound traffic from {header.source}",
                    component=ref,
                    address=header.source,
                    packet_field="source-address",
                ),
            )
        if vpc_id is not None and part.in_vpc(vpc_id, header.source):
            self.block(
                hop,
                "check",
                Explanation(
                    code="GATEWAY_REJECTS_SPOOFED_TRAFFIC",
                    message=(
                        f"{ref.id} drops inbound traffic whose source {header.source} lies in "
                        f"{vpc_id}'s own CIDRs (spoofed)"
                    ),
                    component=ref,
                    address=header.source,
                    packet_field="source-address",
                    vpc_id=vpc_id,
                ),
            )
        if mapped is None or (igw is not None and igw.vpc_id != vpc_id):
            self.block(
                hop,
                "check",
                Explanation(
                    code="IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                    message=(
                        f"{header.destination} is not the public address of a network interface "
                        f"behind {ref.id or 'an internet gateway'} (IGW-9)"
                    ),
                    component=ref,
                    address=header.destination,
                    packet_field="destination-address",
                ),
            )
            self.close(hop, header)
            return None
        private = mapped[1]
        out = header.with_(destination=private)
        self.translate(
            hop,
            ref,
            Translation(
                component_id=ref.id, field="destination", before=header.destination, after=private
            ),
            f"destination {header.destination} -> {private} (1:1 NAT, IGW-6)",
        )
        self.close(hop, out)
        return out

    def cross_peering(
        self, part: Compiled, pcx_id: str, header: Header, sender_vpc: str
    ) -> Arrival | None:
        """Across a peering: active only, addresses inside both VPCs, non-transitive (PKT-3)."""
        pcx = part.peerings.get(pcx_id)
        ref = Ref(kind="vpc-peering-connection", id=pcx_id, name=None)
        hop = self.open(ref, sender_vpc, None, header)
        if pcx is None:
            self.close(hop, header)
            return None
        ref = part.ref("vpc-peering-connection", pcx)
        hop.component = ref
        near, far = _sides(pcx, part, sender_vpc)
        far_part = self.world.part(far.owner_id, far.region)
        problems = []
        if not _in_spans(header.source, part.vpc_spans.get(near.vpc_id, ())):
            problems.append(("source-address", header.source, near.vpc_id))
        if not _in_spans(header.destination, far_part.vpc_spans.get(far.vpc_id, ())):
            problems.append(("destination-address", header.destination, far.vpc_id))
        for packet_field, address, vpc in problems:
            self.block(
                hop,
                "check",
                Explanation(
                    code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
                    message=(
                        f"{pcx_id} only carries traffic whose {packet_field.replace('-', ' ')} "
                        f"lies in {vpc}; {address} does not (PCX-11, AMB-19)"
                    ),
                    component=ref,
                    address=address,
                    packet_field=packet_field,
                    vpc_id=vpc,
                ),
            )
        self.close(hop, header)
        if problems:
            return None
        if self.stop_at_peering == pcx_id:
            return Arrival("peering", header, far_part, None, ref, sender_vpc)
        return self.deliver_local(far_part, far.vpc_id, header, None)


def _sides(pcx: object, part: Compiled, sender_vpc: str) -> tuple[PeeringSide, PeeringSide]:
    """(the sending side, the receiving side) of a peering as seen from a VPC."""
    from vpclab.model.peering import VpcPeeringConnection

    assert isinstance(pcx, VpcPeeringConnection)
    here = (part.view.account, part.view.region)
    if pcx.requester.vpc_id == sender_vpc and pcx.requester.partition() == here:
        return pcx.requester, pcx.accepter
    return pcx.accepter, pcx.requester


_Limits = tuple[bool, frozenset[str] | None]


def _hidden_reason(part: Compiled, entry: SgEntry, limits: _Limits) -> str | None:
    """Why a group-reference rule cannot match here, if it cannot (SG-14, UNKNOWN_PEERED_SGS)."""
    forwarded, visible = limits
    if entry.members is None:
        return None
    if forwarded:
        return "SG_REFERENCES_NOT_PRESERVED"
    referenced = entry.ref.referenced_group_id
    holder = part.world.find_group_partition(referenced) if referenced else None
    if visible is not None and holder is not None and holder.view.account not in visible:
        return "UNKNOWN_PEERED_SGS"
    return None


def _hide_references(
    part: Compiled, groups: list[Group], limits: _Limits, *, egress: bool
) -> tuple[list[Group], str | None]:
    """The groups without the reference rules that cannot match, and why (None: all kept)."""
    if not limits[0] and limits[1] is None:
        return groups, None
    out: list[Group] = []
    reason: str | None = None
    for group in groups:
        entries = group.egress if egress else group.ingress
        kept = []
        for entry in entries:
            why = _hidden_reason(part, entry, limits)
            if why is None:
                kept.append(entry)
            else:
                reason = reason or why
        if len(kept) == len(entries):
            out.append(group)
        elif egress:
            out.append(replace(group, egress=tuple(kept)))
        else:
            out.append(replace(group, ingress=tuple(kept)))
    return out, reason


def _deny_step(
    kind: str, component: Ref, explanation: Explanation, **extra: object
) -> tuple[Step, PortSet]:
    """A step that drops the packet, carrying its explanation; nothing is admitted."""
    step = Step(
        kind=kind,
        component=component,
        verdict="deny",
        text=explanation.message,
        direction=explanation.direction,
        explanations=(explanation,),
        **extra,  # type: ignore[arg-type]
    )
    return step, EMPTY


def _sdc(eni: Eni, address: str, which: str) -> Explanation:
    """The source/destination-check drop at a forwarding ENI (ENI-6, NATI-2)."""
    return Explanation(
        code="ENI_SOURCE_DEST_CHECK_RESTRICTION",
        message=(
            f"{eni.id} has source/destination check on and drops forwarded traffic whose {which} "
            f"{address} is not its own (ENI-6); turn SourceDestCheck off"
        ),
        component=eni.owner,
        address=address,
        packet_field=f"{which}-address",
    )


def _decide(part: Compiled, subnet: SubnetInfo, destination: str) -> RouteDecision:
    """The subnet's route decision for an address (pure, so memoised per compiled state)."""
    key = ("route", subnet.subnet.id, destination)
    decision = part.memo.get(key)
    if decision is None:
        decision = part.memo[key] = select_route(subnet.lpm, destination)
    return decision  # type: ignore[no-any-return]


def _route_step(subnet: SubnetInfo, header: Header, entry: RouteEntry) -> Step:
    """The step of a usable route the packet follows."""
    return Step(
        kind="route",
        component=subnet.route_table,
        verdict="allow",
        text=f"{header.destination} matches {entry.ref.destination} -> {entry.ref.target_id}",
        route=entry.ref,
    )


def _passed_route_hop(subnet: SubnetInfo, header: Header, entry: RouteEntry) -> Hop:
    """The whole route-table hop of a packet that follows a usable route (memoised)."""
    return Hop(
        component=subnet.route_table,
        vpc_id=subnet.subnet.vpc_id,
        subnet_id=subnet.subnet.id,
        inbound=header,
        outbound=header,
        steps=(_route_step(subnet, header, entry),),
    )


def _restrict(header: Header, admitted: PortSet) -> Header:
    """The header narrowed to the admitted destination ports."""
    if not header.ported or admitted == header.destination_ports or admitted == WHOLE:
        return header
    return header.with_(destination_ports=admitted)


def _describe(header: Header) -> str:
    """A short human form of a header for messages."""
    if header.ported:
        return (
            f"{header.protocol} {header.source} -> {header.destination}:"
            f"{header.destination_ports.describe()}"
        )
    return f"{header.protocol} {header.source} -> {header.destination}"


# -- endpoints --------------------------------------------------------------------------------
def _resolve(world: CompiledWorld, spec: str) -> Endpoint | None:
    """A SRC/DST string resolved once per compiled world (it is immutable, so is the answer)."""
    key = ("endpoint", spec)
    memo = world.home.memo
    if key not in memo:
        memo[key] = _resolve_uncached(world, spec)
    return memo[key]  # type: ignore[no-any-return]


def _resolve_uncached(world: CompiledWorld, spec: str) -> Endpoint | None:
    """A SRC/DST string: i-, eni-, igw-, pcx- ids, 'internet', or an IPv4 address."""
    home = world.home
    if spec == "internet":
        return Endpoint("internet", Ref(kind="internet", id="internet"))
    if spec.startswith(("i-", "eni-")):
        for part in _partitions_in_reach(world):
            instance = part.instances.get(spec)
            eni = part.enis.get(instance.primary_eni_id if instance else spec)
            if eni is not None:
                return Endpoint("eni", eni.owner, part, eni)
        return None
    if spec.startswith("igw-"):
        igw = home.igws.get(spec)
        return Endpoint("internet", home.ref("internet-gateway", igw), home) if igw else None
    if spec.startswith("pcx-"):
        pcx = home.peerings.get(spec)
        return Endpoint("peering", home.ref("vpc-peering-connection", pcx), home) if pcx else None
    if is_ipv4(spec):
        holder = _address_holders(home).get(spec)
        if holder is not None:
            eni = home.enis[holder]
            return Endpoint("eni", eni.owner, home, eni, spec)
        return Endpoint("address", Ref(kind="ip-address", id=spec), home, None, spec)
    return None


def _address_holders(part: Compiled) -> dict[str, str]:
    """Each private address of the partition and the ENI holding it (the first VPC's, when
    VPCs overlap), built once per compiled state and kept in its memo."""
    key = ("address-holders",)
    cached = part.memo.get(key)
    if cached is None:
        index: dict[str, str] = {}
        for (_, address), eni_id in sorted(part.by_address.items()):
            index.setdefault(address, eni_id)
        cached = part.memo[key] = (index, EMPTY)
    holders: dict[str, str] = cached[0]
    return holders


def _partitions_in_reach(world: CompiledWorld) -> list[Compiled]:
    """The caller's partition, then those its peerings reach (other accounts or regions).

    An instance or ENI of a peer VPC is named by id alone; its partition is inferred from the
    peering connections of the caller's partition, in a stable order.
    """
    home = world.home
    parts = [home]
    seen = {world.home_key}
    for pcx_id in sorted(home.peerings):
        pcx = home.peerings[pcx_id]
        for side in (pcx.requester, pcx.accepter):
            key = (side.owner_id, side.region)
            if key not in seen:
                seen.add(key)
                parts.append(world.part(*key))
    return parts


def _far_address(world: CompiledWorld, endpoint: Endpoint, other: Endpoint) -> str:
    """A representative address on the far side of a peering (the VPC without `other`)."""
    pcx = world.home.peerings[endpoint.ref.id if endpoint.ref else ""]
    near_vpc = other.eni.eni.vpc_id if other.eni else None
    side = pcx.requester if pcx.requester.vpc_id != near_vpc else pcx.accepter
    part = world.part(side.owner_id, side.region)
    spans = part.vpc_spans.get(side.vpc_id) or tuple(cidr_span(c) for c in side.cidr_blocks)
    return int_ip(spans[0][0] + 4) if spans else INTERNET_ADDRESS


MAX_ADDRESS_CLASSES = 64


def _internet_candidates(world: CompiledWorld, destination: Endpoint) -> list[str]:
    """Public source addresses worth trying: the start of every public CIDR a filter names.

    Internet addresses that no rule tells apart behave alike, so one address per class of
    the rules on the destination's side decides whether *some* internet host gets through.
    """
    lows: set[int] = set()
    if destination.eni is not None and destination.part is not None:
        part = destination.part
        for group_id in destination.eni.eni.groups:
            group = part.group(group_id)
            for entry in group.ingress if group else ():
                lows.update(low for low, _ in entry.spans)
        subnet = part.subnets.get(destination.eni.eni.subnet_id)
        for acl_entry in subnet.acl.ingress if subnet else ():
            lows.add(acl_entry.low)
    candidates = [int_ip(v) for v in sorted(lows)]
    public = [a for a in candidates if not is_rfc1918(a) and not _in_spans(a, (_RFC6598,))]
    return [INTERNET_ADDRESS, *[a for a in public if a != "0.0.0.0"]][:MAX_ADDRESS_CLASSES]


def trace(
    state: View | CompiledWorld,
    source: str,
    destination: str,
    flow: Flow | None = None,
    restrictions: Restrictions | None = None,
) -> Trace:
    """Walk `flow` from `source` to `destination` and back: the verdict and why (spec §10).

    From the internet with no source address given, every class of public addresses the
    destination's rules distinguish is tried; the first reachable one answers (shortest path),
    else the representative address's blocked trace does. `restrictions` carry what a
    Reachability Analyzer analysis adds (header filters, FilterInArns/FilterOutArns, the
    accounts it may read); a path that breaks them is not found, with the filter's code.
    """
    world = state if isinstance(state, CompiledWorld) else compile_view(state)
    limits = restrictions or _NO_RESTRICTIONS
    flow = _filtered_flow(flow or Flow(), source, limits)
    if flow.source_ip is None and (source == "internet" or source.startswith("igw-")):
        dst = _resolve(world, destination)
        if dst is not None:
            first = _trace_one(
                world, source, destination, flow.with_(source_ip=INTERNET_ADDRESS), limits
            )
            if first.reachable:
                return first
            answer = first
            for address in _internet_candidates(world, dst)[1:]:
                attempt = _trace_one(
                    world, source, destination, flow.with_(source_ip=address), limits
                )
                if attempt.reachable:
                    return attempt
                if answer.unanalysed_at is None and attempt.unanalysed_at is not None:
                    answer = attempt  # some sources' paths are unknown: never "not reachable"
            return answer
    return _trace_one(world, source, destination, flow, limits)


def _filtered_flow(flow: Flow, source: str, limits: Restrictions) -> Flow:
    """The flow narrowed by what FilterAtDestination fixes and no translation changes.

    Destination ports are never rewritten, and neither is an internet source address, so the
    destination filter fixes them at the source too; source ports it fixes only when the
    source filter leaves them open (a NAT gateway may still remap them: checked on arrival).
    """
    at_destination = limits.at_destination
    if at_destination is None:
        return flow
    changes: dict[str, object] = {}
    wanted = at_destination.destination_ports
    if wanted is not None:
        asked = flow.destination_port_set()
        changes["destination_ports"] = asked.intersect(wanted)
        changes["destination_port"] = None
    open_source = flow.source_ports is None and flow.source_port is None
    if at_destination.source_ports is not None and open_source:
        changes["source_ports"] = at_destination.source_ports
    internet = source == "internet" or source.startswith("igw-")
    if at_destination.source_address and flow.source_ip is None and internet:
        changes["source_ip"] = at_destination.source_address
    return replace(flow, **changes)  # type: ignore[arg-type]


def _refusal(src: Endpoint | None, dst: Endpoint | None, explanation: Explanation) -> Trace:
    """A question that has no path before any packet is walked (a filter or endpoint problem)."""
    return Trace(
        reachable=False,
        source=src.ref if src else None,
        destination=dst.ref if dst else None,
        flow=None,
        explanations=(explanation,),
    )


def _is_public(address: str) -> bool:
    """Whether an internet host can hold the address (not RFC 1918 nor RFC 6598 space)."""
    return not is_rfc1918(address) and not _in_spans(address, (_RFC6598,))


def _precheck(
    src: Endpoint, dst: Endpoint, header: Header, flow: Flow, limits: Restrictions
) -> Explanation | None:
    """Problems of the question itself: filters no path can meet, endpoints that cannot be."""
    at_source = limits.at_source or _NO_FILTER
    for endpoint in (src, dst):
        igw = endpoint.part.igws.get(endpoint.ref.id) if endpoint.part and endpoint.ref else None
        if igw is not None and igw.vpc_id is None:
            return Explanation(
                code="UNASSOCIATED_COMPONENT",
                message=f"internet gateway {igw.id} is attached to no VPC",
                component=endpoint.ref,
            )
    for endpoint, address, given in (
        (src, header.source, flow.source_ip),
        (dst, header.destination, flow.destination_ip),
    ):
        if (
            given
            and endpoint.ref
            and endpoint.ref.id.startswith("igw-")
            and not _is_public(address)
        ):
            return Explanation(
                code="IGW_EXPECTS_PUBLIC_ADDRESS",
                message=f"{endpoint.ref.id} is an end of the path, so {address} must be public",
                component=endpoint.ref,
                address=address,
            )
    if header.ported and header.destination_ports.is_empty():
        code = "FILTER_AT_SOURCE_DESTINATION_PORT_RANGE"
        if limits.at_destination and limits.at_destination.destination_ports is not None:
            code = "FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE"
        return Explanation(code=code, message="no destination port meets the path's filters")
    if header.ported and header.source_ports.is_empty():
        return Explanation(
            code="FILTER_AT_SOURCE_SOURCE_PORT_RANGE",
            message="the source filter's port range is empty",
        )
    held_by_source = src.eni.addresses if src.eni is not None else None
    if (
        at_source.source_address
        and held_by_source
        and at_source.source_address not in held_by_source
    ):
        return Explanation(
            code="FILTER_AT_SOURCE_SOURCE_ADDRESS",
            message=f"{at_source.source_address} is not an address of {src.ref.id if src.ref else 'the source'}",
            component=src.ref,
            address=at_source.source_address,
            packet_field="source-address",
        )
    if at_source.destination_address and dst.eni is not None:
        held = dst.eni.addresses | frozenset(dst.eni.public.values())
        if at_source.destination_address not in held:
            return Explanation(
                code="FILTER_AT_SOURCE_DESTINATION_ADDRESS",
                message=(
                    f"{at_source.destination_address} is neither a private nor a public "
                    f"address of {dst.eni.id}"
                ),
                component=dst.ref,
                address=at_source.destination_address,
                packet_field="destination-address",
            )
    return _local_route_restriction(src, dst, flow)


def _local_route_restriction(src: Endpoint, dst: Endpoint, flow: Flow) -> Explanation | None:
    """An ENI asked for at an address outside its VPC's CIDRs: the local route cannot get there."""
    if src.eni is None or dst.eni is None or dst.part is None or not flow.destination_ip:
        return None
    vpc_id = dst.eni.eni.vpc_id
    address = flow.destination_ip
    if src.eni.eni.vpc_id != vpc_id or dst.part.in_vpc(vpc_id, address):
        return None
    if address in dst.eni.public.values():
        return None
    return Explanation(
        code="VPC_LOCAL_ROUTE_CIDR_RESTRICTION",
        message=(
            f"the local route of {vpc_id} only reaches its own CIDRs; {address} lies outside "
            f"them, so it cannot lead to {dst.eni.id} (RT-1)"
        ),
        component=dst.ref,
        vpc_id=vpc_id,
        address=address,
        packet_field="destination-address",
    )


def _arrival_mismatches(arrived: Header, limits: Restrictions) -> list[Explanation]:
    """Where the header as it reached the destination breaks FilterAtDestination."""
    wanted = limits.at_destination
    if wanted is None:
        return []
    out: list[Explanation] = []
    for code, field_name, ok in (
        (
            "FILTER_AT_DESTINATION_SOURCE_ADDRESS",
            "source-address",
            wanted.source_address in (None, arrived.source),
        ),
        (
            "FILTER_AT_DESTINATION_DESTINATION_ADDRESS",
            "destination-address",
            wanted.destination_address in (None, arrived.destination),
        ),
        (
            "FILTER_AT_DESTINATION_SOURCE_PORT_RANGE",
            "source-port",
            not arrived.ported
            or wanted.source_ports is None
            or bool(arrived.source_ports.intersect(wanted.source_ports).spans),
        ),
        (
            "FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE",
            "destination-port",
            not arrived.ported
            or wanted.destination_ports is None
            or bool(arrived.destination_ports.intersect(wanted.destination_ports).spans),
        ),
    ):
        if not ok:
            out.append(
                Explanation(
                    code=code,
                    message=(
                        f"at the destination the packet is {_describe(arrived)} (source ports "
                        f"{arrived.source_ports.describe()}); the filter's {field_name} differs"
                    ),
                    packet_field=field_name,
                )
            )
    return out


def _component_mismatches(result: Trace, limits: Restrictions) -> list[Explanation]:
    """FilterInArns components the path misses, FilterOutArns components it passes."""
    if not limits.through and not limits.avoid:
        return []
    passed = result.component_ids()
    missing = [c for c in limits.through if c not in passed]
    removed = [c for c in limits.avoid if c in passed]
    out: list[Explanation] = []
    for component in removed:
        code = "COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT" if limits.through else "NO_PATH"
        out.append(
            Explanation(
                code=code,
                message=f"the path passes {component}, which FilterOutArns removes",
                component=Ref(kind=_kind_of(component), id=component),
            )
        )
    for component in missing:
        out.append(
            Explanation(
                code="COMPONENT_FILTER_RESTRICTION",
                message=f"no path from the source to the destination passes {component}",
                component=Ref(kind=_kind_of(component), id=component),
            )
        )
    return out


_KINDS = {
    "i": "instance",
    "eni": "network-interface",
    "igw": "internet-gateway",
    "nat": "nat-gateway",
    "pcx": "vpc-peering-connection",
    "subnet": "subnet",
    "vpc": "vpc",
    "sg": "security-group",
    "acl": "network-acl",
    "rtb": "route-table",
}


def _kind_of(resource_id: str) -> str:
    """The component kind of a resource id, from its prefix."""
    return _KINDS.get(resource_id.split("-", 1)[0], "resource")


def _restricted(result: Trace, limits: Restrictions) -> Trace:
    """The trace judged against the analysis's filters: a path that breaks one is not found."""
    problems = _component_mismatches(result, limits)
    if result.arrived is not None:
        problems = _arrival_mismatches(result.arrived, limits) + problems
    if not problems:
        return result
    kept = result.explanations if not result.reachable else ()
    return replace(result, reachable=False, explanations=kept + tuple(problems), conditions=())


def _trace_one(
    world: CompiledWorld, source: str, destination: str, flow: Flow, limits: Restrictions
) -> Trace:
    """One concrete walk of `flow` (addresses fixed; ports may be sets), judged by `limits`."""
    return _restricted(_walk_one(world, source, destination, flow, limits), limits)


def _walk_one(
    world: CompiledWorld, source: str, destination: str, flow: Flow, limits: Restrictions
) -> Trace:
    """One concrete walk of `flow` from `source` to `destination` and back."""
    protocol = canonical_protocol(flow.protocol)
    src = _resolve(world, source)
    dst = _resolve(world, destination)
    if src is None or dst is None:
        missing = source if src is None else destination
        return Trace(
            reachable=False,
            source=src.ref if src else None,
            destination=dst.ref if dst else None,
            flow=None,
            explanations=(
                Explanation(
                    code="NO_SOURCE_OR_DESTINATION",
                    message=f"{missing} does not exist or is not a supported endpoint",
                ),
            ),
        )
    walk = _Walk(world)
    walk.visible = limits.visible_accounts
    walk.destination_eni = dst.eni.id if dst.eni is not None else None
    header = Header(
        protocol,
        _source_address(world, src, dst, flow),
        _destination_address(world, src, dst, flow),
        flow.source_port_set() if protocol in ("tcp", "udp") else WHOLE,
        flow.destination_port_set() if protocol in ("tcp", "udp") else WHOLE,
        flow.icmp_type,
        flow.icmp_code,
    )
    problem = _precheck(src, dst, header, flow, limits)
    if problem is not None:
        return _refusal(src, dst, problem)
    if dst.kind == "peering":
        walk.stop_at_peering = dst.ref.id if dst.ref else None
    if dst.kind in ("peering", "internet") and dst.ref and dst.ref.id[:4] in ("pcx-", "igw-"):
        walk.wanted = dst.ref.id
    arrival = _start(walk, world, src, dst, header)
    forward = tuple(walk.hops)
    arrived = arrival is not None and _arrived(arrival, dst, header.destination)
    if arrival is not None and not arrived:
        _misdelivered(walk, arrival, dst.ref)
    reverse_arrival = None
    walk.hops = []
    if arrival is not None and arrival.kind != "service":
        walk.reverse = True
        walk.forwarded = False
        walk.wanted = None
        walk.stop_at_peering = src.ref.id if src.kind == "peering" and src.ref else None
        reverse_arrival = _start_reply(walk, arrival)
        if reverse_arrival is not None and not _returned(reverse_arrival, src, header):
            if _from_elsewhere(reverse_arrival, src, header):
                _reply_from_elsewhere(walk, reverse_arrival, header)
            else:
                _misdelivered(walk, reverse_arrival, src.ref)
            reverse_arrival = None
    reverse = tuple(walk.hops)
    returned = arrival is not None and (arrival.kind == "service" or reverse_arrival is not None)
    reachable = arrived and returned and not walk.explanations
    if not reachable and not walk.explanations:
        walk.explanations.append(
            Explanation(code="NO_PATH", message=f"no path from {source} to {destination}")
        )
    conditions: list[Condition] = []
    if reachable and arrival is not None and header.ported:
        if arrival.header.destination_ports != header.destination_ports:
            conditions.append(
                Condition(
                    field="destination-port",
                    asked=header.destination_ports,
                    holds_for=arrival.header.destination_ports,
                )
            )
        if (
            reverse_arrival is not None
            and reverse_arrival.header.destination_ports != header.source_ports
        ):
            conditions.append(
                Condition(
                    field="source-port",
                    asked=header.source_ports,
                    holds_for=reverse_arrival.header.destination_ports,
                )
            )
        conditions.extend(walk.conditions)
    if not reachable and walk.left_model is None and _disconnected(world, src, dst):
        walk.explanations.insert(
            0,
            Explanation(
                code="DISCONNECTED_VPCS",
                message="the source and destination VPCs are not connected by any peering",
            ),
        )
    unique = {(e.code, e.component, e.message): e for e in walk.explanations}
    # Left the modelled network with nothing certainly dropping the packet: unknown (RT-11).
    certain = any(e.blocking for e in walk.explanations)
    return Trace(
        reachable=reachable,
        source=src.ref,
        destination=dst.ref,
        flow=header,
        forward=forward,
        reverse=reverse,
        explanations=tuple(unique.values()),
        conditions=tuple(conditions),
        arrived=arrival.header if arrived and arrival is not None else None,
        unanalysed_at=None if certain or reachable else walk.left_model,
    )


def _disconnected(world: CompiledWorld, src: Endpoint, dst: Endpoint) -> bool:
    """Whether two ENIs sit in different VPCs that no peering joins (DISCONNECTED_VPCS)."""
    if src.eni is None or dst.eni is None:
        return False
    ends = {src.eni.eni.vpc_id, dst.eni.eni.vpc_id}
    if len(ends) == 1:
        return False
    for pcx in world.home.peerings.values():
        if {pcx.requester.vpc_id, pcx.accepter.vpc_id} == ends:
            return False
    return True


def _source_address(world: CompiledWorld, src: Endpoint, dst: Endpoint, flow: Flow) -> str:
    """The packet's source address: given, the ENI's primary IP, or a representative one."""
    if flow.source_ip:
        return flow.source_ip
    if src.eni is not None:
        return src.address or src.eni.eni.primary_ip
    if src.kind == "peering":
        return _far_address(world, src, dst)
    return src.address or INTERNET_ADDRESS


def _destination_address(world: CompiledWorld, src: Endpoint, dst: Endpoint, flow: Flow) -> str:
    """The packet's destination: given, the ENI's address as the source sees it, or representative."""
    if flow.destination_ip:
        return flow.destination_ip
    if dst.eni is not None:
        if dst.address:
            return dst.address
        if src.kind == "internet":
            return dst.eni.public.get(dst.eni.eni.primary_ip, dst.eni.eni.primary_ip)
        return dst.eni.eni.primary_ip
    if dst.kind == "peering":
        return _far_address(world, dst, src)
    return dst.address or INTERNET_ADDRESS


def _start(
    walk: _Walk, world: CompiledWorld, src: Endpoint, dst: Endpoint, header: Header
) -> Arrival | None:
    """Begin the forward walk at the source."""
    if src.kind == "eni" and src.eni is not None and src.part is not None:
        return walk.send(src.part, src.eni, header, origin=True)
    if src.kind == "internet":
        part = world.public_owner(header.destination) or world.home
        igw_id = src.ref.id if src.ref and src.ref.id.startswith("igw-") else None
        return walk.internet_in(part, header, igw_id)
    if src.kind == "peering" and src.ref is not None:
        pcx = world.home.peerings[src.ref.id]
        for side in (pcx.requester, pcx.accepter):
            part = world.part(side.owner_id, side.region)
            if _in_spans(header.source, part.vpc_spans.get(side.vpc_id, ())):
                return walk.cross_peering(part, src.ref.id, header, side.vpc_id)
        side = pcx.requester
        return walk.cross_peering(
            world.part(side.owner_id, side.region), src.ref.id, header, side.vpc_id
        )
    hop = walk.open(src.ref or Ref(kind="ip-address", id="?"), None, None, None)
    walk.block(
        hop,
        "check",
        Explanation(
            code="NO_SOURCE_OR_DESTINATION",
            message=f"{src.address} is not an address of any network interface",
            address=src.address,
        ),
    )
    walk.close(hop, header)
    return None


def _start_reply(walk: _Walk, arrival: Arrival) -> Arrival | None:
    """Begin the return walk where the forward walk arrived, with the reversed header."""
    reply = arrival.header.reversed()
    if arrival.kind == "eni" and arrival.eni is not None and arrival.part is not None:
        return walk.send(arrival.part, arrival.eni, reply)
    if arrival.kind == "internet" and arrival.part is not None:
        owner = walk.world.public_owner(reply.destination) or arrival.part
        return walk.internet_in(owner, reply)
    if arrival.kind == "peering" and arrival.part is not None and arrival.component is not None:
        far_vpc = _receiving_vpc(arrival)
        return walk.cross_peering(arrival.part, arrival.component.id, reply, far_vpc)
    return None


def _receiving_vpc(arrival: Arrival) -> str:
    """The VPC on the far side of the peering a packet arrived through."""
    assert arrival.part is not None and arrival.component is not None
    pcx = arrival.part.peerings[arrival.component.id]
    ends = (pcx.requester.vpc_id, pcx.accepter.vpc_id)
    return ends[1] if ends[0] == arrival.sender_vpc else ends[0]


def _arrived(arrival: Arrival, dst: Endpoint, address: str) -> bool:
    """Whether the forward walk ended at the destination asked for."""
    if dst.kind == "eni":
        return arrival.kind == "eni" and arrival.eni is dst.eni
    if dst.kind == "internet":
        wanted = dst.ref.id if dst.ref and dst.ref.id.startswith("igw-") else None
        got = arrival.component.id if arrival.component else None
        return arrival.kind == "internet" and (wanted is None or wanted == got)
    if dst.kind == "peering":
        return arrival.kind == "peering"
    if dst.kind == "address":
        return arrival.kind in ("internet", "service") or (
            arrival.kind == "eni" and arrival.eni is not None and address in arrival.eni.addresses
        )
    return False


def _returned(arrival: Arrival, src: Endpoint, header: Header) -> bool:
    """Whether the reply came back to the source that sent the request (PCX-12), from the
    address the request was sent to (else the sender's stack drops it: no connection)."""
    if src.kind == "eni":
        return (
            arrival.kind == "eni"
            and arrival.eni is src.eni
            and arrival.header.source == header.destination
        )
    if src.kind == "internet":
        return (
            arrival.kind == "internet"
            and arrival.header.destination == header.source
            and arrival.header.source == header.destination
        )
    if src.kind == "peering":
        return arrival.kind == "peering"
    return False


def _from_elsewhere(arrival: Arrival, src: Endpoint, header: Header) -> bool:
    """Whether a reply reached its sender (an ENI, or an internet host) but from another address
    than it called (IGW-9: an inbound reply that leaves through a NAT gateway)."""
    if arrival.header.source == header.destination:
        return False
    if src.kind == "eni":
        return arrival.kind == "eni" and arrival.eni is src.eni
    return (
        src.kind == "internet"
        and arrival.kind == "internet"
        and arrival.header.destination == header.source
    )


def _reply_from_elsewhere(walk: _Walk, arrival: Arrival, header: Header) -> None:
    """The reply left through another gateway (e.g. a NAT gateway rewrote its source to its
    Elastic IP), so it comes back from an address the sender never called (NAT-6, IGW-6)."""
    walk.explanations.append(
        Explanation(
            code="NO_PATH",
            message=(
                f"the reply comes back from {arrival.header.source}, not from "
                f"{header.destination} that was called: the sender drops it, so no connection "
                "is set up (the reply leaves by another route than the request came in)"
            ),
            component=arrival.component,
            address=arrival.header.source,
            packet_field="source-address",
        )
    )


def _misdelivered(walk: _Walk, arrival: Arrival, wanted: Ref | None) -> None:
    """The walk ended somewhere else than asked (wrong VPC, wrong gateway, PCX-12)."""
    where = arrival.component.id if arrival.component else arrival.kind
    walk.explanations.append(
        Explanation(
            code="NO_PATH",
            message=(
                f"the packet is delivered to {where}, not to {wanted.id if wanted else '?'} "
                "(routing is by destination only; no reverse-path forwarding, PCX-12)"
            ),
            component=arrival.component,
        )
    )
