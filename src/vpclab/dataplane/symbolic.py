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

from vpclab.dataplane.compile import Compiled, Eni, SubnetInfo
from vpclab.dataplane.filtering import WHOLE, evaluate_acl, evaluate_security_groups
from vpclab.dataplane.flow import EMPTY, Header, PortSet
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
    """What makes ENIs behave alike: subnet, security-group set, public IP, source/dest check."""

    subnet_id: str
    groups: tuple[str, ...]
    public: bool
    source_dest_check: bool


def equivalence_classes(part: Compiled) -> dict[ClassKey, list[str]]:
    """Group the partition's ENIs into classes of like behaviour, members sorted by id.

    Members of one class are filtered alike except where a rule names one of their addresses
    (SG-13 group references name groups, so they do not split a class).
    """
    classes: dict[ClassKey, list[str]] = defaultdict(list)
    for eni_id in sorted(part.enis):
        eni = part.enis[eni_id]
        key = ClassKey(
            eni.eni.subnet_id,
            tuple(sorted(eni.eni.groups)),
            bool(eni.public),
            eni.eni.source_dest_check,
        )
        classes[key].append(eni_id)
    return dict(classes)
