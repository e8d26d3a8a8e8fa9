"""The symbolic engine: every packet that completes a connection between two ENIs of a VPC.

For a pair of ENIs it evaluates each filter once over all ports instead of once per packet:
forward SG egress, NACL egress, route, NACL ingress, SG ingress (AMB-20 order) narrow the
destination ports; the reply's NACLs (stateless, NACL-4) narrow the forward source ports,
which is how ephemeral-port ranges come out; SGs admit the reply by tracking (SG-2).
Paths the engine does not model (anything but the VPC's local route) answer None, so callers
fall back to the concrete tracer rather than guess.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from vpclab.dataplane.compile import Compiled, Eni, SubnetInfo
from vpclab.dataplane.filtering import WHOLE, evaluate_acl, evaluate_security_groups
from vpclab.dataplane.flow import ALL_PORTS, EMPTY, Header, PortSet, cidr_span, ip_int
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


def _local_route(subnet: SubnetInfo, address: str) -> bool | None:
    """True when the local route carries the address; None when another route wins."""
    decision = select_route(subnet.lpm, address)
    entry = decision.entry
    if entry is None or entry.route.target.kind != "local":
        return None
    return entry.usable


def _narrow(header: Header, admitted: PortSet) -> Header:
    """The header restricted to what a filter admitted (ports for TCP/UDP)."""
    if not header.ported:
        return header
    return header.with_(destination_ports=admitted)


def _crossing(
    part: Compiled, header: Header, sender: SubnetInfo, receiver: SubnetInfo
) -> Header | None:
    """NACL egress, the route, NACL ingress between two subnets; None when nothing passes."""
    if sender.subnet.id == receiver.subnet.id:
        return header  # layer 2 inside a subnet: no NACL, no route (RT-18, NACL-15)
    admitted = _acl_admits(sender, header, egress=True)
    if admitted.is_empty():
        return None
    header = _narrow(header, admitted)
    admitted = _acl_admits(receiver, header, egress=False)
    return None if admitted.is_empty() else _narrow(header, admitted)


def _protocol_box(
    part: Compiled, source: Eni, destination: Eni, protocol: str, addresses: tuple[str, str]
) -> Box:
    """The packets of one protocol that complete a connection from source to destination."""
    sender = part.subnets[source.eni.subnet_id]
    receiver = part.subnets[destination.eni.subnet_id]
    header = Header(protocol, addresses[0], addresses[1])
    admitted = _groups_admit(part, source, header, egress=True)
    forward: Header | None = _narrow(header, admitted) if not admitted.is_empty() else None
    if forward is not None:
        forward = _crossing(part, forward, sender, receiver)
    if forward is not None:
        admitted = _groups_admit(part, destination, forward, egress=False)
        forward = _narrow(forward, admitted) if not admitted.is_empty() else None
    if forward is None:
        return Box(protocol, EMPTY, EMPTY)
    reply = _crossing(part, forward.reversed(), receiver, sender)
    if reply is None:
        return Box(protocol, EMPTY, EMPTY)
    if not header.ported:
        return Box(protocol, WHOLE, WHOLE)
    return Box(protocol, reply.destination_ports, forward.destination_ports)


def connection_space(part: Compiled, source_id: str, destination_id: str) -> HeaderSpace | None:
    """Every packet whose connection source -> destination completes; None if not modelled.

    Addresses are the two ENIs' primary private addresses; the same VPC is required and the
    local route must carry both directions (else None: ask the concrete tracer).
    """
    source, destination = eni_of(part, source_id), eni_of(part, destination_id)
    if source is None or destination is None or source.eni.vpc_id != destination.eni.vpc_id:
        return None
    addresses = (source.eni.primary_ip, destination.eni.primary_ip)
    sender = part.subnets[source.eni.subnet_id]
    receiver = part.subnets[destination.eni.subnet_id]
    if sender.subnet.id != receiver.subnet.id:
        there, back = _local_route(sender, addresses[1]), _local_route(receiver, addresses[0])
        if there is None or back is None:
            return None
        if not (there and back):
            return HeaderSpace()
    if not (source.usable and destination.usable) or source.id == destination.id:
        return HeaderSpace()
    return HeaderSpace.of(
        [_protocol_box(part, source, destination, p, addresses) for p in ANALYSED_PROTOCOLS]
    )


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
    references (SG-13) match them. Members agree on both, so any of them stands for all.
    """

    eni: Eni
    vpc_id: str
    subnet: SubnetInfo
    groups: tuple[str, ...]
    cell: int
    groups_holding: tuple[int, ...]

    @property
    def address(self) -> str:
        """The representative's primary private address."""
        return self.eni.eni.primary_ip


_T = TypeVar("_T")
_Half = tuple[tuple[PortSet, PortSet], ...]
_Direct = tuple[str, str]  # ("local", vpc) or ("peering", pcx id)
DROPPED: _Direct = ("dropped", "")
_OTHER: _Direct = ("other", "")


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
        self.interned: dict[object, object] = {}

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
        return _OTHER

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
        if source.eni.eni.interface_type != "interface":
            return None
        if destination.eni.eni.interface_type != "interface":
            return None
        same_subnet = source.subnet is destination.subnet
        if not same_subnet:
            there = self.route(source, destination)
            if there == DROPPED:
                return HeaderSpace()
            back = self.route(destination, source)
            if there == _OTHER or back == _OTHER:
                return None
            if back != there:
                return HeaderSpace()  # replies go elsewhere or nowhere (PCX-12)
        if not (source.eni.usable and destination.eni.usable):
            return HeaderSpace()
        sending = self._half(source, destination, same_subnet, sender=True)
        receiving = self._half(destination, source, same_subnet, sender=False)
        key = (id(sending), id(receiving))
        found = self.spaces.get(key)
        if found is None:
            boxes = [
                _box(protocol, *ends, *far)
                for protocol, ends, far in zip(ANALYSED_PROTOCOLS, sending, receiving, strict=True)
            ]
            found = self.spaces[key] = self._intern(HeaderSpace.of(boxes))
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
            found = self.halves[key] = self._intern(tuple(half))
        return found

    def _intern(self, value: _T) -> _T:
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
    if replies.is_empty():
        return Box(protocol, EMPTY, EMPTY)
    if protocol not in ("tcp", "udp"):
        return Box(protocol, WHOLE, WHOLE)
    return Box(protocol, replies, ports)


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
