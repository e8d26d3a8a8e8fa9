"""A View turned into a forwarding view indexed for speed, built once per state version.

Everything a trace looks up repeatedly is precomputed here: ENIs by private address, public
addresses, the route table each subnet uses as a longest-prefix-match structure, NACL entries
sorted per direction, security-group rules with prefix lists and group references resolved.
Group rules are compiled lazily on first use, so building stays linear in the network's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpclab.dataplane.flow import canonical_protocol, cidr_span, ip_int
from vpclab.dataplane.trace import AclRuleRef, Ref, RouteRef, SgRuleRef
from vpclab.model.base import Resource
from vpclab.model.gateways import Address, InternetGateway, NatGateway
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state, nat_gateway_state, peering_usable
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_state import route_state, subnet_route_table
from vpclab.model.route_table import Route, RouteTable
from vpclab.model.security_group import PrefixList, SecurityGroup, SgRule, referenced_group
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

# Static CIDR routes beat prefix-list routes of the same length (RT-6).
_KIND_RANK = {"cidr": 0, "prefix-list": 1}


def name_of(resource: Resource) -> str | None:
    """The Name tag of a resource, shown next to its id."""
    for key, value in resource.tags:
        if key == "Name":
            return value
    return None


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One route (or one CIDR of a prefix-list route) as the lookup structure holds it."""

    ref: RouteRef
    route: Route
    prefix: int
    low: int
    high: int
    rank: tuple[int, str]

    @property
    def usable(self) -> bool:
        """Whether the route is active (a blackhole route drops, RT-13)."""
        return self.ref.state == "active"


class Lpm:
    """Longest-prefix match over one route table: one hash table per prefix length (RT-4, RT-6)."""

    def __init__(self, entries: list[RouteEntry]) -> None:
        by_length: dict[int, dict[int, RouteEntry]] = {}
        for entry in sorted(entries, key=lambda e: e.rank):
            by_length.setdefault(entry.prefix, {}).setdefault(entry.low, entry)
        self.levels = [
            (length, (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0, table)
            for length, table in sorted(by_length.items(), reverse=True)
        ]
        self.entries = entries

    def lookup(self, address: int) -> RouteEntry | None:
        """The most specific route covering an address, whatever its state (no fallback, AMB-7)."""
        for _, mask, table in self.levels:
            hit = table.get(address & mask)
            if hit is not None:
                return hit
        return None

    def covering(self, address: int) -> list[RouteEntry]:
        """Every route covering an address, most specific first (for MORE_SPECIFIC_ROUTE)."""
        out = []
        for _, mask, table in self.levels:
            hit = table.get(address & mask)
            if hit is not None:
                out.append(hit)
        return out


@dataclass(frozen=True, slots=True)
class AclEntry:
    """One NACL entry ready for evaluation (NACL-4..NACL-7)."""

    ref: AclRuleRef
    low: int
    high: int
    protocol: str  # "-1" or a number string
    port_from: int | None
    port_to: int | None
    icmp_type: int | None
    icmp_code: int | None

    @property
    def allow(self) -> bool:
        """Whether the entry admits what it matches."""
        return self.ref.action == "allow"


@dataclass(frozen=True, slots=True)
class Acl:
    """A NACL with its IPv4 entries sorted per direction."""

    ref: Ref
    ingress: tuple[AclEntry, ...]
    egress: tuple[AclEntry, ...]


@dataclass(frozen=True, slots=True)
class SgEntry:
    """One SG rule ready for evaluation: protocol, ports and the addresses its peer covers."""

    ref: SgRuleRef
    protocol: str  # "-1", "tcp", "udp", "icmp" or a number
    from_port: int | None
    to_port: int | None
    spans: tuple[tuple[int, int], ...]
    members: frozenset[str] | None  # private IPs of a referenced group (SG-13)


@dataclass(frozen=True, slots=True)
class Group:
    """A security group with its rules resolved."""

    ref: Ref
    ingress: tuple[SgEntry, ...]
    egress: tuple[SgEntry, ...]


@dataclass(slots=True)
class Eni:
    """An ENI with everything the data plane asks about it."""

    eni: NetworkInterface
    ref: Ref
    owner: Ref  # the instance it is attached to, else the ENI itself
    addresses: frozenset[str]
    public: dict[str, str]  # private IP -> public IPv4 (EIP or auto-assigned, IGW-6)
    state: str  # running | stopped | ... | "detached" | "available"

    @property
    def id(self) -> str:
        """The ENI id."""
        return self.eni.id

    @property
    def usable(self) -> bool:
        """Whether the ENI can send and receive now (AMB-24: a stopped instance drops)."""
        return self.state in ("running", "available")


@dataclass(slots=True)
class Nat:
    """A NAT gateway with its addresses and current state."""

    nat: NatGateway
    ref: Ref
    state: str
    private_ip: str | None
    public_ip: str | None


@dataclass(slots=True)
class SubnetInfo:
    """A subnet with the route table and NACL it uses."""

    subnet: Subnet
    ref: Ref
    low: int
    high: int
    route_table: Ref
    lpm: Lpm
    acl: Acl


@dataclass(slots=True)
class Compiled:
    """One partition compiled for the tracer; other partitions are reached through `world`."""

    view: View
    world: CompiledWorld
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    vpc_spans: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    subnets: dict[str, SubnetInfo] = field(default_factory=dict)
    enis: dict[str, Eni] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    by_address: dict[tuple[str, str], str] = field(default_factory=dict)
    public_to_private: dict[str, tuple[str, str]] = field(default_factory=dict)
    nats: dict[str, Nat] = field(default_factory=dict)
    nat_by_eni: dict[str, str] = field(default_factory=dict)
    igws: dict[str, InternetGateway] = field(default_factory=dict)
    igw_of_vpc: dict[str, str] = field(default_factory=dict)
    peerings: dict[str, VpcPeeringConnection] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    groups: dict[str, Group | None] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)
    tables: dict[str, tuple[Ref, Lpm]] = field(default_factory=dict)
    # Pure filter decisions already made on this compiled state, by (filter, where, header).
    memo: dict[tuple[object, ...], Any] = field(default_factory=dict)

    def ref(self, kind: str, resource: Resource) -> Ref:
        """A path-component reference for a resource of this partition (made once: the tracer
        asks for the same gateways' references on every walk)."""
        key = ("ref", kind, resource.id)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = Ref(
                kind=kind,
                id=resource.id,
                name=name_of(resource),
                account=self.view.account,
                region=self.view.region,
            )
        return found  # type: ignore[no-any-return]

    def in_vpc(self, vpc_id: str, address: str) -> bool:
        """Whether an address lies in one of the VPC's IPv4 blocks."""
        value = ip_int(address)
        return any(low <= value <= high for low, high in self.vpc_spans.get(vpc_id, ()))

    def group(self, group_id: str) -> Group | None:
        """A security group with its rules resolved (compiled on first use)."""
        if group_id not in self.groups:
            sg = self.view.get(SecurityGroup, group_id)
            self.groups[group_id] = None if sg is None else self._compile_group(sg)
        return self.groups[group_id]

    def _compile_group(self, sg: SecurityGroup) -> Group:
        """Resolve each rule's peer to address spans or a member set (SG-12, SG-13, SG-15)."""
        ingress: list[SgEntry] = []
        egress: list[SgEntry] = []
        for rule in sorted(sg.rules, key=lambda r: r.id):
            entry = self._compile_rule(sg, rule)
            if entry is not None:
                (egress if rule.egress else ingress).append(entry)
        return Group(self.ref("security-group", sg), tuple(ingress), tuple(egress))

    def _compile_rule(self, sg: SecurityGroup, rule: SgRule) -> SgEntry | None:
        """One rule ready for matching; None for IPv6-only rules (the tracer is IPv4)."""
        ref = SgRuleRef(
            group_id=sg.id,
            rule_id=rule.id,
            egress=rule.egress,
            protocol=rule.protocol,
            from_port=rule.from_port,
            to_port=rule.to_port,
            cidr=rule.cidr_ipv4,
            prefix_list_id=rule.prefix_list_id,
            referenced_group_id=rule.group_id,
        )
        spans: tuple[tuple[int, int], ...] = ()
        members: frozenset[str] | None = None
        if rule.cidr_ipv4 is not None:
            spans = (cidr_span(rule.cidr_ipv4),)
        elif rule.prefix_list_id is not None:
            plist = self.view.get(PrefixList, rule.prefix_list_id)
            cidrs = plist.cidrs() if plist is not None else ()
            spans = tuple(cidr_span(c) for c in cidrs if ":" not in c)
        elif rule.group_id is not None:
            target = referenced_group(self.view, sg, rule)
            members = frozenset() if target is None else self._members_of(target)
        else:
            return None
        return SgEntry(
            ref, canonical_protocol(rule.protocol), rule.from_port, rule.to_port, spans, members
        )

    def _members_of(self, group: SecurityGroup) -> frozenset[str]:
        """Private IPs of every ENI in a group, wherever the group lives (SG-13)."""
        part = self
        if group.id not in self.members and self.view.get(SecurityGroup, group.id) is None:
            part = self.world.find_group_partition(group.id) or self
        return frozenset(part.members.get(group.id, ()))

    def acl_for(self, acl: NetworkAcl) -> Acl:
        """A NACL's entries split by direction in rule-number order (NACL-4, NACL-6)."""
        cached = self.acls.get(acl.id)
        if cached is not None:
            return cached
        compiled = Acl(
            self.ref("network-acl", acl),
            tuple(self._acl_entries(acl, egress=False)),
            tuple(self._acl_entries(acl, egress=True)),
        )
        self.acls[acl.id] = compiled
        return compiled

    @staticmethod
    def _acl_entries(acl: NetworkAcl, *, egress: bool) -> list[AclEntry]:
        """IPv4 entries of one direction (IPv6 entries never match IPv4 packets, NACL-6)."""
        out = []
        for entry in acl.direction_entries(egress):
            if entry.cidr is None:
                continue
            low, high = cidr_span(entry.cidr)
            ref = AclRuleRef(
                acl_id=acl.id,
                rule_number=entry.rule_number,
                egress=egress,
                protocol=entry.protocol,
                action=entry.action,
                cidr=entry.cidr,
                port_from=entry.port_from,
                port_to=entry.port_to,
            )
            out.append(
                AclEntry(
                    ref,
                    low,
                    high,
                    entry.protocol,
                    entry.port_from,
                    entry.port_to,
                    entry.icmp_type,
                    entry.icmp_code,
                )
            )
        return out

    def table_for(self, table: RouteTable) -> tuple[Ref, Lpm]:
        """A route table's LPM structure with each route's state judged now (RT-12)."""
        cached = self.tables.get(table.id)
        if cached is not None:
            return cached
        entries: list[RouteEntry] = []
        for route in table.routes:
            if route.destination_ipv6 is not None:
                continue
            state = route_state(self.view, route)
            if route.destination is not None:
                cidrs: tuple[str, ...] = (route.destination,)
                kind = "cidr"
            elif route.destination_prefix_list is not None:
                plist = self.view.get(PrefixList, route.destination_prefix_list)
                cidrs = tuple(c for c in (plist.cidrs() if plist else ()) if ":" not in c)
                kind = "prefix-list"
            else:
                continue
            for cidr in cidrs:
                low, high = cidr_span(cidr)
                prefix = int(cidr.partition("/")[2] or 32)
                ref = RouteRef(
                    route_table_id=table.id,
                    destination=route.key(),
                    target_kind=route.target.kind,
                    target_id=route.target.id,
                    origin=route.origin,
                    state=state,
                    prefix_list_id=route.destination_prefix_list,
                )
                rank = (_KIND_RANK[kind], route.destination_prefix_list or "")
                entries.append(RouteEntry(ref, route, prefix, low, high, rank))
        compiled = (self.ref("route-table", table), Lpm(entries))
        self.tables[table.id] = compiled
        return compiled


class CompiledWorld:
    """Compiled partitions of one world snapshot; the first is the caller's (account, region)."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.parts: dict[tuple[str, str], Compiled] = {}
        self.home_key = (view.account, view.region)
        self.home = self.part(view.account, view.region)

    def part(self, account: str, region: str) -> Compiled:
        """The compiled partition of (account, region), built on first use."""
        key = (account, region)
        found = self.parts.get(key)
        if found is None:
            view = (
                self.view
                if key == (self.view.account, self.view.region)
                else self.view.other(account, region)
            )
            found = _compile_partition(view, self)
            self.parts[key] = found
        return found

    def public_owner(self, address: str) -> Compiled | None:
        """The partition of this region where a public IPv4 is mapped to an ENI (PKT-9)."""
        if address in self.home.public_to_private:
            return self.home
        key = ("public-owner", address)
        if key not in self.home.memo:
            self.home.memo[key] = self._public_owner_elsewhere(address)
        return self.home.memo[key]  # type: ignore[no-any-return]

    def _public_owner_elsewhere(self, address: str) -> Compiled | None:
        """public_owner beyond the home partition (scans partitions, so memoised by the caller)."""
        world = self.view.world
        keys = sorted(world.partitions) if world is not None else []
        for account, region in keys:
            if region != self.view.region:
                continue
            part = self.part(account, region)
            if address in part.public_to_private:
                return part
        return None

    def find_group_partition(self, group_id: str) -> Compiled | None:
        """The compiled partition holding a security group (cross-account references)."""
        for part in list(self.parts.values()):
            if part.view.get(SecurityGroup, group_id) is not None:
                return part
        world = self.view.world
        if world is None:
            return None
        for account, region in sorted(world.partitions):
            if world.partitions[(account, region)].get(SecurityGroup.kind, {}).get(group_id):
                return self.part(account, region)
        return None


def compile_view(view: View) -> CompiledWorld:
    """Compile a view (and, lazily, the partitions its peerings reach) for tracing."""
    return CompiledWorld(view)


def _compile_partition(view: View, world: CompiledWorld) -> Compiled:
    """Index one partition: one pass per resource kind, nothing quadratic."""
    now, settle = view.now(), view.clock.settle_seconds
    out = Compiled(view, world)
    for vpc in view.iter(Vpc):
        out.vpcs[vpc.id] = vpc
        out.vpc_spans[vpc.id] = tuple(cidr_span(c) for c in vpc.cidrs())
    for igw in view.iter(InternetGateway):
        out.igws[igw.id] = igw
        if igw.vpc_id is not None:
            out.igw_of_vpc[igw.vpc_id] = igw.id
    for pcx in view.iter(VpcPeeringConnection):
        out.peerings[pcx.id] = pcx
    for instance in view.iter(Instance):
        out.instances[instance.id] = instance
    eips: dict[tuple[str, str], str] = {}
    for eip in view.iter(Address):
        if eip.network_interface_id and eip.private_ip:
            eips[(eip.network_interface_id, eip.private_ip)] = eip.public_ip
    for eni in view.iter(NetworkInterface):
        out.enis[eni.id] = _compile_eni(out, eni, eips, now, settle)
        for address in eni.addresses():
            out.by_address[(eni.vpc_id, address)] = eni.id
        for private, public in out.enis[eni.id].public.items():
            out.public_to_private[public] = (eni.id, private)
        for group_id in eni.groups:
            out.members.setdefault(group_id, set()).update(eni.addresses())
    for nat in view.iter(NatGateway):
        private_ip = nat.private_ip
        public_ip = None
        if nat.network_interface_id is not None:
            out.nat_by_eni[nat.network_interface_id] = nat.id
            eni_info = out.enis.get(nat.network_interface_id)
            if eni_info is not None:
                private_ip = private_ip or eni_info.eni.primary_ip
                public_ip = eni_info.public.get(private_ip) if private_ip else None
        state = nat_gateway_state(nat, now, settle)
        out.nats[nat.id] = Nat(nat, out.ref("nat-gateway", nat), state, private_ip, public_ip)
    acl_of_subnet: dict[str, NetworkAcl] = {}
    for acl in view.iter(NetworkAcl):
        for assoc in acl.associations:
            acl_of_subnet[assoc.subnet_id] = acl
    default_acl = {a.vpc_id: a for a in view.iter(NetworkAcl) if a.is_default}
    for subnet in view.iter(Subnet):
        table = subnet_route_table(view, subnet.id)
        table_ref, lpm = out.table_for(table)
        nacl = acl_of_subnet.get(subnet.id) or default_acl.get(subnet.vpc_id)
        compiled_acl = (
            out.acl_for(nacl) if nacl is not None else Acl(Ref(kind="network-acl", id=""), (), ())
        )
        low, high = cidr_span(subnet.cidr_block)
        out.subnets[subnet.id] = SubnetInfo(
            subnet, out.ref("subnet", subnet), low, high, table_ref, lpm, compiled_acl
        )
    return out


def _compile_eni(
    out: Compiled,
    eni: NetworkInterface,
    eips: dict[tuple[str, str], str],
    now: float,
    settle: float,
) -> Eni:
    """An ENI's addresses, public mappings (ENI-5, IGW-6) and whether it can pass traffic now."""
    public = {a: eips[(eni.id, a)] for a in eni.addresses() if (eni.id, a) in eips}
    if eni.public_ip is not None and eni.primary_ip not in public:
        public[eni.primary_ip] = eni.public_ip
    owner = out.ref("network-interface", eni)
    ref = owner
    if eni.attachment is not None:
        instance = out.instances.get(eni.attachment.instance_id)
        if instance is not None:
            owner = out.ref("instance", instance)
            state = instance_state(instance, now, settle)
        else:
            state = "detached"
    elif eni.requester_managed or eni.interface_type != "interface":
        state = "available"
    else:
        state = "detached"
    return Eni(eni, ref, owner, frozenset(eni.addresses()), public, state)


def peering_active(pcx: VpcPeeringConnection) -> bool:
    """Whether a peering carries traffic (PCX-8)."""
    return peering_usable(pcx)
