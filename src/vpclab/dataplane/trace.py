"""Result values of a trace: hops, the steps that decided them, explanations with AWS's codes."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.dataplane.flow import Header, PortSet


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref:
    """A component on the path: its kind (instance, network-interface, ...), id and Name tag."""

    kind: str
    id: str
    name: str | None = None
    account: str = ""
    region: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AclRuleRef:
    """The network ACL entry that decided (part of) a packet."""

    acl_id: str
    rule_number: int
    egress: bool
    protocol: str
    action: str
    cidr: str | None
    port_from: int | None = None
    port_to: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SgRuleRef:
    """The security group rule that admitted (part of) a packet."""

    group_id: str
    rule_id: str
    egress: bool
    protocol: str
    from_port: int | None = None
    to_port: int | None = None
    cidr: str | None = None
    prefix_list_id: str | None = None
    referenced_group_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteRef:
    """The route a lookup selected, with its state when the packet met it."""

    route_table_id: str
    destination: str
    target_kind: str
    target_id: str
    origin: str
    state: str
    prefix_list_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Translation:
    """An address (and port) rewrite made by an IGW, a NAT gateway or a NAT instance."""

    component_id: str
    field: str  # "source" or "destination"
    before: str
    after: str
    ports_before: PortSet | None = None
    ports_after: PortSet | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why a packet was dropped (or a notable fact about the path), in AWS's vocabulary."""

    code: str
    message: str
    component: Ref | None = None
    direction: str | None = None  # "egress" | "ingress"
    acl: Ref | None = None
    acl_rule: AclRuleRef | None = None
    security_groups: tuple[str, ...] = ()
    route_table: Ref | None = None
    route: RouteRef | None = None
    subnet_id: str | None = None
    vpc_id: str | None = None
    address: str | None = None
    packet_field: str | None = None
    port_ranges: PortSet | None = None
    state: str | None = None
    blocking: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One decision inside a hop: a route lookup, an ACL or SG evaluation, a check, a rewrite."""

    kind: str  # route | acl | security-group | check | translation | state | tracked
    component: Ref
    verdict: str  # allow | deny | note
    text: str
    direction: str | None = None
    acl_rules: tuple[AclRuleRef, ...] = ()
    sg_rules: tuple[SgRuleRef, ...] = ()
    route: RouteRef | None = None
    translation: Translation | None = None
    admitted: PortSet | None = None
    explanations: tuple[Explanation, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """A component the packet passes, the header going in and out, and the steps deciding it."""

    component: Ref
    vpc_id: str | None = None
    subnet_id: str | None = None
    inbound: Header | None = None
    outbound: Header | None = None
    steps: tuple[Step, ...] = ()

    @property
    def blocked(self) -> bool:
        """Whether any step of this hop dropped the packet."""
        return any(s.verdict == "deny" for s in self.steps)


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A restriction of an open header field under which the verdict holds."""

    field: str  # source-port | destination-port | nat-port
    asked: PortSet
    holds_for: PortSet

    def describe(self) -> str:
        """E.g. 'source ports 32768-60999'."""
        noun = {
            "source-port": "source ports",
            "destination-port": "destination ports",
            "nat-port": "NAT-mapped source ports",
        }[self.field]
        return f"{noun} {self.holds_for.describe()}"


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderFilter:
    """A Reachability Analyzer FilterAtSource / FilterAtDestination: the header at one end."""

    source_address: str | None = None
    destination_address: str | None = None
    source_ports: PortSet | None = None
    destination_ports: PortSet | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Restrictions:
    """What an analysis adds to a trace: accounts it can see, components to pass or avoid,
    and the header filters at the source and at the destination."""

    visible_accounts: frozenset[str] | None = None  # None: every account is visible
    through: tuple[str, ...] = ()  # FilterInArns, as resource ids
    avoid: tuple[str, ...] = ()  # FilterOutArns, as resource ids
    at_source: HeaderFilter | None = None
    at_destination: HeaderFilter | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Trace:
    """The answer: verdict, the forward and return hops, every blocking setting, conditions."""

    reachable: bool
    source: Ref | None
    destination: Ref | None
    flow: Header | None
    forward: tuple[Hop, ...] = ()
    reverse: tuple[Hop, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    conditions: tuple[Condition, ...] = ()
    # The header as the destination received it (after every translation), when it arrived.
    arrived: Header | None = None
    # The component vpclab does not model (a TGW, VGW, endpoint...) where the path left the
    # modelled network with nothing yet dropping it: the verdict is unknown, never reachable.
    unanalysed_at: Ref | None = None

    @property
    def verdict(self) -> str:
        """'reachable', 'reachable only for ...', 'not reachable' or 'unknown: ...'."""
        if self.unanalysed_at is not None:
            return (
                f"unknown: leaves the modelled network via {self.unanalysed_at.id} "
                "(not analysed beyond it)"
            )
        if not self.reachable:
            return "not reachable"
        if self.conditions:
            return "reachable only for " + " and ".join(c.describe() for c in self.conditions)
        return "reachable"

    @property
    def codes(self) -> tuple[str, ...]:
        """The explanation codes of every blocking setting, in path order."""
        return tuple(e.code for e in self.explanations)

    def component_ids(self) -> frozenset[str]:
        """Every resource the path passes: hops, deciding groups, ACLs, tables, subnets, VPCs."""
        ids: set[str] = set()
        for hop in self.forward + self.reverse:
            ids.update(i for i in (hop.component.id, hop.vpc_id, hop.subnet_id) if i)
            for step in hop.steps:
                ids.add(step.component.id)
                ids.update(r.group_id for r in step.sg_rules)
                ids.update(r.acl_id for r in step.acl_rules)
                if step.route is not None:
                    ids.add(step.route.route_table_id)
        return frozenset(ids)

    def steps(self) -> list[Step]:
        """Every step of the forward then the return path."""
        return [s for hop in self.forward + self.reverse for s in hop.steps]
