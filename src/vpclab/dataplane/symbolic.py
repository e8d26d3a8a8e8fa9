"""The symbolic engine: every packet that completes a connection between two ENIs.

For a pair of ENIs it walks the path once over all ports instead of once per packet (_Walk):
SG egress, NACL egress, route, NACL ingress, SG ingress (AMB-20 order) narrow the forward
destination ports; the reply's NACLs (stateless, NACL-4) narrow the forward source ports, which
is how ephemeral-port ranges come out; SGs admit the reply by tracking (SG-2). The walk follows
the local route, active peerings (PCX-8/10/11/12), NAT gateways (NAT-6/8/12/13) and IGW round
trips to public addresses (IGW-6/8/9); a reply must come back from the address the client
called. Routes to appliances or gateways it does not model answer None (not analysed).

For the class-level matrix the same semantics are split into shares computed once and
combined per class pair: DirectPaths (local route or one peering), NatPaths (a NAT gateway
forwarding privately) and PublicPaths (across the internet).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from vpclab.dataplane.compile import Compiled, CompiledWorld, Eni, SubnetInfo
from vpclab.dataplane.filtering import WHOLE, evaluate_acl, evaluate_security_groups
from vpclab.dataplane.flow import (
    ALL_PORTS,
    EMPTY,
    LAMBDA_SOURCE_PORTS,
    NAT_PORTS,
    Header,
    PortSet,
    cidr_span,
    ip_int,
)
from vpclab.dataplane.headerspace import Box, HeaderSpace
from vpclab.dataplane.routing import select_route

# Protocols analysed: TCP and UDP over all ports, ICMP as echo request and reply.
ANALYSED_PROTOCOLS = ("tcp", "udp", "icmp")


def eni_of(part: Compiled, resource_id: str) -> Eni | None:
    """The ENI a question names: an ENI id, or an instance id (its primary ENI)."""
    instance = part.instances.get(resource_id)
    if instance is not None:
        return part.enis.get(instance.primary_eni_id)
    return part.enis.get(resource_id)


def _groups_admit(part: Compiled, eni: Eni, header: Header, *, egress: bool) -> PortSet:
    """The matched ports the ENI's security groups admit in one direction (SG-3)."""
    groups = [g for g in (part.group(gid) for gid in sorted(eni.eni.groups)) if g is not None]
    return evaluate_security_groups(groups, header, egress=egress).admitted


def _acl_admits(subnet: SubnetInfo, header: Header, *, egress: bool) -> PortSet:
    """The matched ports a subnet's NACL admits in one direction (NACL-4, NACL-5)."""
    entries = subnet.acl.egress if egress else subnet.acl.ingress
    return evaluate_acl(entries, header, egress=egress).admitted


class NotModelled(Exception):
    """The path uses a component the symbolic walk does not follow (appliances, transit
    gateways, VPN): callers answer 'not analysed' rather than guess."""


@dataclass(frozen=True, slots=True)
class _Arrival:
    """Where a symbolic walk ended: at an ENI, or on the internet, with the header as it got there."""

    header: Header
    part: Compiled
    eni: Eni | None  # None: the packet reached the internet


class _Walk:
    """One connection's symbolic walk (spec §10 order), ports kept as sets: each filter narrows
    the destination ports. Forward then reply; SGs pass tracked replies (SG-7), NAT gateways
    map replies back to the inside host (NAT-6). A drop ends the walk with None."""

    def __init__(self, world: CompiledWorld, *, stop_at_internet: bool = False) -> None:
        self.world = world
        self.reverse = False
        self.tracked: set[str] = set()
        self.nats: dict[str, tuple[str, PortSet]] = {}  # NAT id -> inside address and ports
        self.stop_at_internet = stop_at_internet
        # Stop at NAT gateways: just after translating a request, or when a reply reaches one.
        self.split_at_nat = False
        self.budget = 32

    def send(self, part: Compiled, eni: Eni, header: Header) -> _Arrival | None:
        """A packet leaving an ENI: state, source check, SG egress, then out of its subnet."""
        if not eni.usable:
            return None  # AMB-24
        if header.source not in eni.addresses and eni.eni.source_dest_check:
            return None  # ENI-6
        if eni.eni.interface_type == "lambda" and not self.reverse:
            if not header.ported:
                return None  # LAM-4: a function sends TCP and UDP only
            header = header.with_(source_ports=header.source_ports.intersect(LAMBDA_SOURCE_PORTS))
            if header.source_ports.is_empty():
                return None
        out = self._groups(part, eni, header, egress=True)
        return self.leave(part, eni.eni.subnet_id, out, eni.id) if out else None

    def _groups(self, part: Compiled, eni: Eni, header: Header, *, egress: bool) -> Header | None:
        """SG egress or ingress at an ENI: tracked replies pass, else the rules' union (SG-3)."""
        if self.reverse and eni.id in self.tracked:
            return header
        if eni.eni.is_nat_gateway:
            return header  # NAT-12
        admitted = _groups_admit(part, eni, header, egress=egress)
        if admitted.is_empty():
            return None
        if not self.reverse:
            self.tracked.add(eni.id)
        return _narrow(header, admitted)

    def _acl(self, subnet: SubnetInfo, header: Header, *, egress: bool) -> Header | None:
        """The subnet's NACL in one direction, statelessly (NACL-4, NACL-5)."""
        admitted = _acl_admits(subnet, header, egress=egress)
        return None if admitted.is_empty() else _narrow(header, admitted)

    def leave(self, part: Compiled, subnet_id: str, header: Header, sender: str) -> _Arrival | None:
        """Same subnet: layer 2, no NACL or route (RT-18, NACL-15); else NACL egress, route."""
        subnet = part.subnets[subnet_id]
        local = part.by_address.get((subnet.subnet.vpc_id, header.destination))
        if local is not None and local != sender and part.enis[local].eni.subnet_id == subnet_id:
            return self._receive(part, part.enis[local], header)
        out = self._acl(subnet, header, egress=True)
        return self._route(part, subnet, out) if out else None

    def _route(self, part: Compiled, subnet: SubnetInfo, header: Header) -> _Arrival | None:
        """Longest prefix match, no fallback past a blackhole (RT-4, RT-13), then the target."""
        self.budget -= 1
        entry = select_route(subnet.lpm, header.destination).entry
        if self.budget <= 0 or entry is None or not entry.usable:
            return None
        target = entry.route.target
        if target.kind == "local":
            return self._deliver(part, subnet.subnet.vpc_id, header, subnet.subnet.id)
        if target.kind == "gateway" and target.id.startswith("igw-"):
            return self._igw_out(part, target.id, header)
        if target.kind == "nat":
            return self._nat_forward(part, target.id, header, subnet.subnet.id)
        if target.kind == "peering":
            return self._peering(part, target.id, header, subnet.subnet.vpc_id)
        raise NotModelled(f"route to {target.kind} {target.id}")

    def _deliver(
        self, part: Compiled, vpc_id: str, header: Header, from_subnet: str | None
    ) -> _Arrival | None:
        """The VPC router delivers to the ENI holding the address, through its subnet's NACL."""
        owner = part.by_address.get((vpc_id, header.destination))
        if owner is None:
            return None
        eni = part.enis[owner]
        if eni.eni.subnet_id != from_subnet:
            inbound = self._acl(part.subnets[eni.eni.subnet_id], header, egress=False)
            if inbound is None:
                return None
            header = inbound
        return self._receive(part, eni, header)

    def _receive(self, part: Compiled, eni: Eni, header: Header) -> _Arrival | None:
        """A packet addressed to an ENI: a NAT gateway's, or delivery through SG ingress."""
        nat_id = part.nat_by_eni.get(eni.id)
        if nat_id is not None:
            return self.nat_receive(part, nat_id, eni, header)
        if not eni.usable:
            return None
        if eni.eni.interface_type == "lambda" and not self.reverse:
            return None  # LAM-2: nothing opens a connection to a Lambda ENI
        out = self._groups(part, eni, header, egress=False)
        return _Arrival(out, part, eni) if out else None

    def _nat_forward(
        self, part: Compiled, nat_id: str, header: Header, from_subnet: str
    ) -> _Arrival | None:
        """A NAT gateway: its subnet's NACL in, then source -> its private IP, ports remapped
        into 1024-65535 (NAT-6, NAT-7, NAT-13; a gateway never serves its own subnet, AMB-12)."""
        nat = part.nats.get(nat_id)
        if nat is None or nat.nat.subnet_id == from_subnet or nat.state != "available":
            return None
        if header.protocol not in ANALYSED_PROTOCOLS:
            return None
        if not part.in_vpc(nat.nat.vpc_id, header.source):
            return None
        inside = self._acl(part.subnets[nat.nat.subnet_id], header, egress=False)
        if inside is None:
            return None
        address = nat.private_ip or header.source
        self.nats[nat_id] = (header.source, inside.source_ports)
        out = inside.with_(source=address)
        if out.ported:
            out = out.with_(source_ports=NAT_PORTS)
        if self.split_at_nat:
            return _Arrival(out, part, part.enis.get(nat.nat.network_interface_id or ""))
        return self.leave(part, nat.nat.subnet_id, out, nat.nat.network_interface_id or nat_id)

    def nat_receive(self, part: Compiled, nat_id: str, eni: Eni, header: Header) -> _Arrival | None:
        """Only replies of a translation the gateway made pass, mapped back inside (NAT-8)."""
        if self.split_at_nat and self.reverse:
            return _Arrival(header, part, eni)
        entry = self.nats.get(nat_id)
        if entry is None or not self.reverse:
            return None
        out = header.with_(destination=entry[0])
        if out.ported:
            out = out.with_(destination_ports=entry[1])
        return self.leave(part, part.nats[nat_id].nat.subnet_id, out, eni.id)

    def _igw_out(self, part: Compiled, igw_id: str, header: Header) -> _Arrival | None:
        """Out through the IGW: public destinations only, source mapped 1:1 (IGW-6, IGW-8)."""
        igw = part.igws.get(igw_id)
        if igw is None or igw.vpc_id is None or _private(header.destination):
            return None
        owner = part.by_address.get((igw.vpc_id, header.source))
        public = part.enis[owner].public.get(header.source) if owner else None
        if public is None:
            return None  # IGW-8, IGW-12: no public mapping, no implicit NAT
        out = header.with_(source=public)
        inbound = None if self.stop_at_internet else self.world.public_owner(out.destination)
        if inbound is None:
            return _Arrival(out, part, None)
        return self.internet_in(inbound, out)

    def internet_in(self, part: Compiled, header: Header) -> _Arrival | None:
        """From the internet: a public address mapped in a VPC whose IGW is attached, from a
        public source, translated to the private address (IGW-6, IGW-7, IGW-9)."""
        mapped = part.public_to_private.get(header.destination)
        if mapped is None or _private(header.source):
            return None
        vpc_id = part.enis[mapped[0]].eni.vpc_id
        igw = part.igws.get(part.igw_of_vpc.get(vpc_id, ""))
        if igw is None or igw.vpc_id != vpc_id:
            return None
        return self._deliver(part, vpc_id, header.with_(destination=mapped[1]), None)

    def _peering(
        self, part: Compiled, pcx_id: str, header: Header, sender_vpc: str
    ) -> _Arrival | None:
        """Across an active peering, addresses inside both VPCs, delivered only by the far VPC's
        local routes: non-transitive, no edge-to-edge (PCX-8, PCX-10, PCX-11)."""
        pcx = part.peerings.get(pcx_id)
        if pcx is None or pcx.status != "active":
            return None
        here = (part.view.account, part.view.region)
        near, far = pcx.requester, pcx.accepter
        if not (near.vpc_id == sender_vpc and near.partition() == here):
            near, far = far, near
        far_part = self.world.part(*far.partition())
        if not part.in_vpc(near.vpc_id, header.source):
            return None
        if not far_part.in_vpc(far.vpc_id, header.destination):
            return None
        return self._deliver(far_part, far.vpc_id, header, None)

    def reply(self, arrival: _Arrival) -> _Arrival | None:
        """The reply from where the forward walk arrived, addresses and ports swapped."""
        self.reverse = True
        back = arrival.header.reversed()
        if arrival.eni is None:
            owner = self.world.public_owner(back.destination)
            return self.internet_in(owner, back) if owner is not None else None
        return self.send(arrival.part, arrival.eni, back)


def _narrow(header: Header, admitted: PortSet) -> Header:
    """The header restricted to what a filter admitted (ports for TCP/UDP)."""
    if not header.ported:
        return header
    return header.with_(destination_ports=header.destination_ports.intersect(admitted))


def _opening(protocol: str, source: str, destination: str) -> Header:
    """The first packet of a connection with every port open (ICMP: an echo request)."""
    ports = ALL_PORTS if protocol in ("tcp", "udp") else WHOLE
    return Header(protocol, source, destination, ports, ports)


def _connection_box(
    world: CompiledWorld, part: Compiled, source: Eni, destination: Eni, address: str, protocol: str
) -> Box:
    """One protocol's packets from the source that reach the destination at `address` and
    whose replies come back from that same address (else the client drops them)."""
    nothing = Box(protocol, EMPTY, EMPTY)
    walk = _Walk(world)
    arrival = walk.send(part, source, _opening(protocol, source.eni.primary_ip, address))
    if arrival is None or arrival.eni is not destination:
        return nothing
    back = walk.reply(arrival)
    if back is None or back.eni is not source or back.header.source != address:
        return nothing
    return completed(protocol, back.header.destination_ports, arrival.header.destination_ports)


def completed(protocol: str, replies: PortSet, forward: PortSet) -> Box:
    """The box of a protocol's completed connections: client ports the replies reach, server
    ports the requests reach (none if either is empty); ICMP is all or nothing."""
    if replies.is_empty() or forward.is_empty():
        return Box(protocol, EMPTY, EMPTY)
    if protocol not in ("tcp", "udp"):
        return Box(protocol, WHOLE, WHOLE)
    return Box(protocol, replies, forward)


def connection_space(
    part: Compiled, source_id: str, destination_id: str, *, public: bool = False
) -> HeaderSpace | None:
    """Every packet whose connection source -> destination completes; None if not modelled.

    The destination is addressed by its primary private address, or with `public` by the
    public address mapped to it (an empty space when it has none). Any path the walk models
    is followed: the local route, peerings, NAT gateways, IGW round trips between VPCs.
    """
    source, destination = eni_of(part, source_id), eni_of(part, destination_id)
    if source is None or destination is None:
        return None
    address = destination.eni.primary_ip
    if public:
        mapped = destination.public.get(address)
        if mapped is None:
            return HeaderSpace()
        address = mapped
    if source.id == destination.id:
        return HeaderSpace()
    try:
        boxes = [
            _connection_box(part.world, part, source, destination, address, protocol)
            for protocol in ANALYSED_PROTOCOLS
        ]
    except NotModelled:
        return None
    return HeaderSpace.of(boxes)


@dataclass(frozen=True, slots=True)
class ClassKey:
    """What makes ENIs behave alike apart from their addresses.

    Subnet (hence VPC, route table and NACL), security-group set, whether a public address is
    mapped, source/dest check, whether the ENI passes traffic now (AMB-24) and its interface
    type (NAT gateway and Lambda ENIs accept no new connections: NAT-8, LAM-2).
    """

    subnet_id: str
    groups: tuple[str, ...]
    public: bool
    source_dest_check: bool
    usable: bool = True
    interface_type: str = "interface"


def class_key(eni: Eni) -> ClassKey:
    """The class an ENI belongs to, before address refinement."""
    return ClassKey(
        eni.eni.subnet_id,
        tuple(sorted(eni.eni.groups)),
        bool(eni.public),
        eni.eni.source_dest_check,
        eni.usable,
        eni.eni.interface_type,
    )


def equivalence_classes(part: Compiled) -> dict[ClassKey, list[str]]:
    """Group the partition's ENIs into classes of like behaviour, members sorted by id.

    Members of one class are filtered alike except where a rule names one of their addresses
    (SG-13 group references name groups, so they do not split a class).
    """
    classes: dict[ClassKey, list[str]] = defaultdict(list)
    for eni_id in sorted(part.enis):
        classes[class_key(part.enis[eni_id])].append(eni_id)
    return dict(classes)


# Destinations an internet gateway never forwards to (IGW-9 and the egress checks of PKT-4).
_NOT_ROUTABLE_OUT = tuple(
    cidr_span(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


@dataclass(frozen=True, slots=True)
class Member:
    """One class of ENIs as the matrix sees it: a representative and the address cell it sits in.

    `cell` is the elementary address interval (of every rule, route and VPC boundary of the
    partition) holding the members' primary addresses; `groups_holding` lists which group
    references (SG-13) match them; `public_cell` is the interval of the public address mapped
    to it (-1: none). Members agree on all of these, so any of them stands for all.
    """

    eni: Eni
    key: ClassKey
    subnet: SubnetInfo
    cell: int
    groups_holding: tuple[int, ...]
    public_cell: int
    public_address: str | None  # mapped to the representative's primary address
    plain: bool  # a running ordinary interface: the fast paths apply

    @property
    def vpc_id(self) -> str:
        """The members' VPC."""
        return self.subnet.subnet.vpc_id

    @property
    def groups(self) -> tuple[str, ...]:
        """The members' security groups, sorted."""
        return self.key.groups

    @property
    def address(self) -> str:
        """The representative's primary private address."""
        return self.eni.eni.primary_ip


def member_of(
    eni: Eni, subnet: SubnetInfo, cell: int, holding: tuple[int, ...], public_cell: int
) -> Member:
    """A class representative with what the fast paths ask about it precomputed."""
    return Member(
        eni,
        class_key(eni),
        subnet,
        cell,
        holding,
        public_cell,
        eni.public.get(eni.eni.primary_ip),
        eni.usable and eni.eni.interface_type == "interface",
    )


_T = TypeVar("_T")
_Half = tuple[tuple[PortSet, PortSet], ...]
_Direct = tuple[str, str]  # ("local", vpc) or ("peering", pcx id)
DROPPED: _Direct = ("dropped", "")
_OTHER: _Direct = ("other", "")
_NOT_DIRECT = ("other", "nat")
End = tuple[_Direct, _Half]
# The empty answer, one shared object so callers can test identity.
NOTHING = HeaderSpace()


def _foreign(source: Member, destination: Member) -> bool:
    """Whether an end is a special interface (NAT gateway, Lambda...): the walk decides."""
    kinds = (source.eni.eni.interface_type, destination.eni.eni.interface_type)
    return kinds != ("interface", "interface")


class DirectPaths:
    """Connection spaces between classes joined by a direct path: the local route, or one active
    peering used both ways (PKT-3). Each filter is evaluated once per (filter, address cell,
    protocol) and reused for every class pair; anything else answers None (ask the walker)."""

    def __init__(self, part: Compiled) -> None:
        self.part = part
        self.routes: dict[tuple[str, int], _Direct] = {}
        self.groups: dict[tuple[object, ...], PortSet] = {}
        self.acls: dict[tuple[object, ...], PortSet] = {}
        self.halves: dict[tuple[object, ...], _Half] = {}
        self.spaces: dict[tuple[int, int], HeaderSpace] = {}
        self.interned: dict[object, object] = {NOTHING: NOTHING}

    def route(self, sender: Member, receiver: Member) -> _Direct:
        """How the sender's subnet forwards to the receiver's address (memoised per cell)."""
        key = (sender.subnet.subnet.id, receiver.cell)
        found = self.routes.get(key)
        if found is None:
            found = self.routes[key] = self._route(sender, receiver)
        return found

    def _route(self, sender: Member, receiver: Member) -> _Direct:
        """Local, one peering, certainly dropped, or something only the walker can follow."""
        part, address = self.part, receiver.address
        entry = select_route(sender.subnet.lpm, address).entry
        if entry is None or not entry.usable:
            return DROPPED  # no route, or a blackhole with no fallback (RT-4, RT-13)
        target = entry.route.target
        if target.kind == "local":
            same = receiver.vpc_id == sender.vpc_id
            return ("local", sender.vpc_id) if same else DROPPED
        if target.kind == "peering":
            return self._peering(target.id, sender, receiver)
        if _private(address) and _ends_at_igw(part, sender.subnet, target.kind, target.id, address):
            return DROPPED  # the IGW drops private destinations (PKT-4)
        return ("nat", target.id) if target.kind == "nat" else _OTHER

    def _peering(self, pcx_id: str, sender: Member, receiver: Member) -> _Direct:
        """An active peering carries the packet only into the far VPC's CIDRs (PCX-10, PCX-11)."""
        pcx = self.part.peerings.get(pcx_id)
        if pcx is None or pcx.status != "active":
            return DROPPED
        here = (self.part.view.account, self.part.view.region)
        if pcx.requester.vpc_id == sender.vpc_id and pcx.requester.partition() == here:
            far = pcx.accepter
        elif pcx.accepter.vpc_id == sender.vpc_id and pcx.accepter.partition() == here:
            far = pcx.requester
        else:
            return DROPPED
        if far.partition() != here or far.vpc_id != receiver.vpc_id:
            return _OTHER if far.partition() != here else DROPPED
        near_ok = self.part.in_vpc(sender.vpc_id, sender.address)
        far_ok = self.part.in_vpc(receiver.vpc_id, receiver.address)
        return ("peering", pcx_id) if near_ok and far_ok else DROPPED

    def space(self, source: Member, destination: Member) -> HeaderSpace | None:
        """Every packet completing source -> destination over a direct path; None: not direct."""
        if source.subnet is not destination.subnet:
            there = self.sending(source, destination)
            return self.combine(source, destination, there, self.receiving(destination, source))
        if not (source.plain and destination.plain):
            return None if _foreign(source, destination) else NOTHING
        return self._joined(
            self._half(source, destination, True, sender=True),
            self._half(destination, source, True, sender=False),
        )

    def sending(self, source: Member, destination: Member) -> End:
        """The source's route to the destination's cell and its share of the connection (the
        same for every destination class alike in cell and group references held)."""
        route = self.route(source, destination)
        return route, self._half(source, destination, False, sender=True)

    def receiving(self, destination: Member, source: Member) -> End:
        """The destination's route back to the source's cell and its share of the connection."""
        route = self.route(destination, source)
        return route, self._half(destination, source, False, sender=False)

    def combine(
        self, source: Member, destination: Member, sending: End, receiving: End
    ) -> HeaderSpace | None:
        """The pair's space from both ends' routes and shares (subnets differ); None: the path
        is not direct (a NAT gateway or an appliance on the way)."""
        there, back = sending[0], receiving[0]
        if there == DROPPED:
            return NOTHING
        if there[0] in _NOT_DIRECT:
            return None
        if not (source.plain and destination.plain):
            return None if _foreign(source, destination) else NOTHING
        if back[0] == "nat":
            return NOTHING  # the reply leaves from the NAT's address: the client drops it
        if back[0] == "other":
            return None
        if back != there:
            return NOTHING  # replies go elsewhere or nowhere (PCX-12)
        return self._joined(sending[1], receiving[1])

    def _joined(self, sending: _Half, receiving: _Half) -> HeaderSpace:
        """Both shares intersected per protocol (memoised on the shares' identities)."""
        key = (id(sending), id(receiving))
        found = self.spaces.get(key)
        if found is None:
            boxes = [
                _box(protocol, *ends, *far)
                for protocol, ends, far in zip(ANALYSED_PROTOCOLS, sending, receiving, strict=True)
            ]
            found = self.spaces[key] = self.intern(HeaderSpace.of(boxes))
        return found

    def _half(self, owner: Member, remote: Member, same_subnet: bool, *, sender: bool) -> _Half:
        """One end's share of a connection, per protocol: (forward destination ports its SGs and
        NACL admit, reply ports its NACL admits). Shared by every class alike at that end."""
        key = (
            owner.groups,
            owner.subnet.acl.ref.id,
            remote.cell,
            remote.groups_holding,
            same_subnet,
            sender,
        )
        found = self.halves.get(key)
        if found is None:
            half = []
            for protocol in ANALYSED_PROTOCOLS:
                forward = self._sg(owner, remote, protocol, egress=sender)
                reply = ALL_PORTS
                if not same_subnet:  # NACLs do not see traffic inside a subnet (NACL-15)
                    forward = forward.intersect(self._acl(owner, remote, protocol, sender, False))
                    reply = self._acl(owner, remote, protocol, not sender, True)
                half.append((forward, reply))
            found = self.halves[key] = self.intern(tuple(half))
        return found

    def intern(self, value: _T) -> _T:
        """One shared object per distinct value, so later memo keys can use its identity."""
        return self.interned.setdefault(value, value)  # type: ignore[return-value]

    def _sg(self, owner: Member, remote: Member, protocol: str, *, egress: bool) -> PortSet:
        """What the owner's groups admit to or from the remote class (memoised, SG-3, SG-13)."""
        key = (owner.groups, remote.cell, remote.groups_holding, protocol, egress)
        found = self.groups.get(key)
        if found is None:
            ends = (owner.address, remote.address) if egress else (remote.address, owner.address)
            header = Header(protocol, *ends)
            found = self.groups[key] = _groups_admit(self.part, owner.eni, header, egress=egress)
        return found

    def _acl(
        self, owner: Member, remote: Member, protocol: str, egress: bool, reply: bool
    ) -> PortSet:
        """What the owner's subnet NACL admits to or from the remote class (memoised, NACL-4)."""
        key = (owner.subnet.acl.ref.id, remote.cell, protocol, egress, reply)
        found = self.acls.get(key)
        if found is None:
            ends = (owner.address, remote.address) if egress else (remote.address, owner.address)
            header = Header(protocol, *ends)
            if reply:
                header = header.with_(icmp_type=0)  # the echo reply (NACL-4 is stateless)
            found = self.acls[key] = _acl_admits(owner.subnet, header, egress=egress)
        return found


def _box(protocol: str, forward: PortSet, reply: PortSet, admitted: PortSet, back: PortSet) -> Box:
    """A protocol's box from both ends' shares: forward ports both admit, reply ports both
    NACLs admit (SGs pass replies as tracked, SG-2); ICMP is all or nothing."""
    ports = forward.intersect(admitted)
    replies = reply.intersect(back) if not ports.is_empty() else EMPTY
    return completed(protocol, replies, ports)


def _private(address: str) -> bool:
    """Whether an IGW refuses to forward to the address (RFC 1918 or RFC 6598)."""
    value = ip_int(address)
    return any(low <= value <= high for low, high in _NOT_ROUTABLE_OUT)


def _ends_at_igw(part: Compiled, subnet: SubnetInfo, kind: str, target: str, address: str) -> bool:
    """Whether the first hop is an IGW, or a NAT gateway whose own subnet sends to an IGW or
    nowhere: either way a private destination never arrives (PKT-4, PKT-6)."""
    if kind == "gateway" and target.startswith("igw-"):
        return True
    if kind != "nat":
        return False
    nat = part.nats.get(target)
    nat_subnet = part.subnets.get(nat.nat.subnet_id) if nat is not None else None
    if nat_subnet is None:
        return True
    entry = select_route(nat_subnet.lpm, address).entry
    if entry is None or not entry.usable:
        return True
    hop = entry.route.target
    return hop.kind == "gateway" and hop.id.startswith("igw-")


_Exit = tuple[Header, _Walk] | None  # the packet as it leaves for the internet, and its walk
_Entry = tuple[PortSet, PortSet] | None  # ports admitted in, reply ports admitted out
# A source's way out: exits per protocol, the address they leave from and its cell.
Leaving = tuple[tuple[_Exit, ...], str | None, int] | None


class PublicPaths:
    """Connection spaces to a destination's public address, for pairs whose packets cross the
    internet (an IGW round trip, or out through a NAT gateway, then in through the
    destination's IGW: IGW-6, NAT-6, PKT-4..6). The source's way out, the destination's way in
    and its reply, and the source's way back are each walked once per class and address cell
    of the far end, then combined per pair; a public address routed without the internet
    answers None (the caller walks that pair whole)."""

    def __init__(
        self, part: Compiled, cuts: list[int], intern: Callable[[HeaderSpace], HeaderSpace]
    ) -> None:
        self.part = part
        self.cuts = cuts  # the address cells classes were split by
        self.intern = intern
        self.exits: dict[tuple[int, int], tuple[_Exit, ...] | None] = {}
        self.entries: dict[tuple[int, int], tuple[_Entry, ...]] = {}
        self.shared: dict[tuple[_Entry, ...], tuple[_Entry, ...]] = {}
        self.returns: dict[tuple[int, int, str, PortSet], PortSet] = {}

    def leaving(self, source: Member, destination: Member) -> Leaving:
        """The source's way out towards the destination's public cell: its packets per
        protocol as they reach the internet, and the cell of the address they come from;
        None when the public address is delivered without the internet."""
        public = destination.public_address
        assert public is not None
        exits = self._exits(source, destination, public)
        if exits is None:
            return None
        outside = next((e[0].source for e in exits if e is not None), None)
        cell = -1 if outside is None else bisect_right(self.cuts, ip_int(outside))
        return exits, outside, cell

    def space(
        self,
        source: Member,
        destination: Member,
        leaving: Leaving,
        row: dict[tuple[int, int], HeaderSpace],
    ) -> HeaderSpace | None:
        """Packets from the source to the destination's public address whose connections
        complete (NOTHING when it has none); None when the path does not cross the internet.
        `row` memoises the source's answers by destination cell and way in."""
        public = destination.public_address
        if public is None or source.eni.id == destination.eni.id:
            return NOTHING
        if leaving is None:
            return None
        exits, outside, cell = leaving
        if outside is None:
            return NOTHING
        entries = self._entries(destination, outside, cell, public)
        key = (destination.public_cell, id(entries))
        found = row.get(key)
        if found is None:
            boxes = []
            for protocol, exit_, entry in zip(ANALYSED_PROTOCOLS, exits, entries, strict=True):
                boxes.append(self._box(source, destination, protocol, exit_, entry))
            found = row[key] = self.intern(HeaderSpace.of(boxes))
        return found

    def _box(
        self, source: Member, destination: Member, protocol: str, exit_: _Exit, entry: _Entry
    ) -> Box:
        """One protocol: ports both ends let through, and the replies' ports back home."""
        nothing = Box(protocol, EMPTY, EMPTY)
        if exit_ is None or entry is None:
            return nothing
        header, _ = exit_
        forward = header.destination_ports.intersect(entry[0])
        replies = header.source_ports.intersect(entry[1])
        if forward.is_empty() or replies.is_empty():
            return nothing
        return completed(
            protocol, self._return(source, destination, protocol, exit_, replies), forward
        )

    def _exits(self, source: Member, destination: Member, public: str) -> tuple[_Exit, ...] | None:
        """The source's packets as they reach the internet, per protocol (memoised per class
        and far cell); None when the public address is delivered without the internet."""
        key = (id(source), destination.public_cell)
        if key in self.exits:
            return self.exits[key]
        found: list[_Exit] = []
        for protocol in ANALYSED_PROTOCOLS:
            walk = _Walk(self.part.world, stop_at_internet=True)
            opening = _opening(protocol, source.address, public)
            arrival = walk.send(self.part, source.eni, opening)
            if arrival is not None and arrival.eni is not None:
                self.exits[key] = None
                return None
            found.append((arrival.header, walk) if arrival is not None else None)
        self.exits[key] = result = tuple(found)
        return result

    def _entries(
        self, destination: Member, outside: str, cell: int, public: str
    ) -> tuple[_Entry, ...]:
        """Per protocol, the ports the destination's side admits from an internet source and
        the reply ports it lets back out, or None (memoised per class and source cell)."""
        key = (id(destination), cell)
        found = self.entries.get(key)
        if found is None:
            value = tuple(self._entry(destination, outside, public, p) for p in ANALYSED_PROTOCOLS)
            found = self.entries[key] = self.shared.setdefault(value, value)
        return found

    def _entry(self, destination: Member, outside: str, public: str, protocol: str) -> _Entry:
        """One protocol's way in through the destination's IGW and its reply's way out, which
        must leave through an IGW from the same public address (else the client drops it)."""
        walk = _Walk(self.part.world, stop_at_internet=True)
        owner = self.part.world.public_owner(public)
        if owner is None:
            return None
        arrival = walk.internet_in(owner, _opening(protocol, outside, public))
        if arrival is None or arrival.eni is not destination.eni:
            return None
        back = walk.reply(arrival)
        if back is None or back.eni is not None or back.header.source != public:
            return None
        return arrival.header.destination_ports, back.header.destination_ports

    def _return(
        self, source: Member, destination: Member, protocol: str, exit_: _Exit, ports: PortSet
    ) -> PortSet:
        """The reply's ports admitted on the source's side, coming back from the destination's
        public address (through the NAT gateway's translation when one was used)."""
        key = (id(source), destination.public_cell, protocol, ports)
        found = self.returns.get(key)
        if found is not None:
            return found
        assert exit_ is not None
        header, walk = exit_
        walk.reverse, walk.budget = True, 32
        reply = header.reversed()
        if reply.ported:
            reply = reply.with_(destination_ports=ports)
        owner = self.part.world.public_owner(reply.destination)
        back = walk.internet_in(owner, reply) if owner is not None else None
        ok = (
            back is not None and back.eni is source.eni and back.header.source == header.destination
        )
        found = back.header.destination_ports if ok and back is not None else EMPTY
        self.returns[key] = found
        return found


_Inside = tuple[Header, _Walk] | None  # the request as a NAT gateway sends it on, and its walk
_Onward = tuple[PortSet, PortSet] | None  # ports admitted from the NAT on, reply ports back to it


class _Fallback(Exception):
    """A leg ended somewhere the split did not expect: walk that pair whole."""


class NatPaths:
    """Connection spaces for pairs whose first hop is a NAT gateway that forwards them on
    privately (into a peered VPC, say: NAT-6, PCX-8). The source's leg up to the gateway's
    translation and back, and the gateway's leg to the destination and back, are each walked
    once per class and far cell, then combined per pair; None: walk the pair whole."""

    def __init__(self, part: Compiled, intern: Callable[[HeaderSpace], HeaderSpace]) -> None:
        self.part = part
        self.intern = intern
        self.insides: dict[tuple[object, ...], tuple[_Inside, ...]] = {}
        self.onwards: dict[tuple[str, int], tuple[_Onward, ...] | None] = {}
        self.shared: dict[tuple[_Onward, ...], tuple[_Onward, ...]] = {}
        self.backs: dict[tuple[object, ...], PortSet] = {}

    def space(
        self,
        source: Member,
        destination: Member,
        nat_id: str,
        row: dict[tuple[object, ...], HeaderSpace],
    ) -> HeaderSpace | None:
        """Packets source -> destination's private address through the NAT gateway; `row`
        memoises the source's answers by destination cell and the gateway's onward leg."""
        try:
            onward = self._onward(destination, nat_id)
            if onward is None:
                return None
            key = (destination.cell, destination.groups_holding, nat_id, id(onward))
            found = row.get(key)
            if found is not None:
                return found
            inside = self._inside(source, destination, nat_id)
            boxes = []
            for protocol, leg, far in zip(ANALYSED_PROTOCOLS, inside, onward, strict=True):
                boxes.append(self._box(source, destination, nat_id, protocol, leg, far))
        except _Fallback:
            return None
        found = row[key] = self.intern(HeaderSpace.of(boxes))
        return found

    def _box(
        self,
        source: Member,
        destination: Member,
        nat_id: str,
        protocol: str,
        leg: _Inside,
        far: _Onward,
    ) -> Box:
        """One protocol: ports both legs admit, NAT ports the reply can use, the inside reply."""
        nothing = Box(protocol, EMPTY, EMPTY)
        if leg is None or far is None:
            return nothing
        header, _ = leg
        forward = header.destination_ports.intersect(far[0])
        if forward.is_empty() or header.source_ports.intersect(far[1]).is_empty():
            return nothing
        return completed(protocol, self._back(source, destination, nat_id, protocol, leg), forward)

    def _inside(self, source: Member, destination: Member, nat_id: str) -> tuple[_Inside, ...]:
        """Per protocol, the source's request as the gateway translated it (memoised)."""
        key = (id(source), destination.cell, destination.groups_holding, nat_id)
        found = self.insides.get(key)
        if found is not None:
            return found
        legs: list[_Inside] = []
        for protocol in ANALYSED_PROTOCOLS:
            walk = _Walk(self.part.world)
            walk.split_at_nat = True
            opening = _opening(protocol, source.address, destination.address)
            arrival = walk.send(self.part, source.eni, opening)
            if arrival is not None and self.part.nat_by_eni.get(_eni_id(arrival)) != nat_id:
                raise _Fallback
            legs.append((arrival.header, walk) if arrival is not None else None)
        self.insides[key] = result = tuple(legs)
        return result

    def _onward(self, destination: Member, nat_id: str) -> tuple[_Onward, ...] | None:
        """Per protocol, what the destination's side admits from the gateway's address and what
        of its reply gets back to the gateway (memoised per class); None: not this shape."""
        key = (nat_id, id(destination))
        if key in self.onwards:
            return self.onwards[key]
        nat = self.part.nats[nat_id]
        legs: list[_Onward] = []
        for protocol in ANALYSED_PROTOCOLS:
            walk = _Walk(self.part.world)
            walk.split_at_nat = True
            opening = _opening(protocol, nat.private_ip or "", destination.address)
            if opening.ported:
                opening = opening.with_(source_ports=NAT_PORTS)
            sender = nat.nat.network_interface_id or nat_id
            arrival = walk.leave(self.part, nat.nat.subnet_id, opening, sender)
            if arrival is not None and arrival.eni is not destination.eni:
                self.onwards[key] = None
                return None
            back = walk.reply(arrival) if arrival is not None else None
            if back is not None and back.header.source != destination.address:
                back = None  # another NAT gateway translated the reply: the client drops it
            if back is not None and self.part.nat_by_eni.get(_eni_id(back)) != nat_id:
                self.onwards[key] = None
                return None
            if arrival is None or back is None:
                legs.append(None)
            else:
                legs.append((arrival.header.destination_ports, back.header.destination_ports))
        value = tuple(legs)
        self.onwards[key] = result = self.shared.setdefault(value, value)
        return result

    def _back(
        self, source: Member, destination: Member, nat_id: str, protocol: str, leg: _Inside
    ) -> PortSet:
        """The reply's ports admitted from the gateway back to the source (memoised)."""
        key = (id(source), destination.cell, destination.groups_holding, nat_id, protocol)
        found = self.backs.get(key)
        if found is not None:
            return found
        assert leg is not None
        header, walk = leg
        nat_eni = self.part.enis[self.part.nats[nat_id].nat.network_interface_id or ""]
        walk.reverse, walk.split_at_nat, walk.budget = True, False, 32
        back = walk.nat_receive(self.part, nat_id, nat_eni, header.reversed())
        ok = (
            back is not None and back.eni is source.eni and back.header.source == header.destination
        )
        found = back.header.destination_ports if ok and back is not None else EMPTY
        self.backs[key] = found
        return found


def _eni_id(arrival: _Arrival) -> str:
    """The id of the ENI a walk arrived at ('' on the internet)."""
    return arrival.eni.id if arrival.eni is not None else ""
