"""The symbolic engine agrees with the concrete tracer, packet for packet (differential tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.dataplane.builders import ACCOUNT, REGION, two_subnets
from vpclab.control.store import Store
from vpclab.dataplane.compile import Compiled, compile_view
from vpclab.dataplane.flow import Flow, PortSet
from vpclab.dataplane.headerspace import HeaderSpace
from vpclab.dataplane.symbolic import connection_space, equivalence_classes
from vpclab.dataplane.tracer import trace
from vpclab.model.network_acl import NaclEntry
from vpclab.model.security_group import SgRule
from vpclab.model.state import Clock

PROTOCOL_NUMBER = {"tcp": "6", "udp": "17", "icmp": "1"}

sg_rules = st.lists(
    st.builds(
        lambda i, proto, lo, span, cidr: SgRule(
            id=f"sgr-{i}",
            egress=False,
            protocol=proto,
            from_port=-1 if proto in ("-1", "icmp") else lo,
            to_port=-1 if proto in ("-1", "icmp") else min(65535, lo + span),
            cidr_ipv4=cidr,
        ),
        st.integers(0, 10**6),
        st.sampled_from(["tcp", "udp", "-1", "icmp"]),
        st.integers(0, 65535),
        st.integers(0, 3000),
        st.sampled_from(["0.0.0.0/0", "10.0.1.0/24", "10.0.9.0/24", "10.0.1.10/32"]),
    ),
    max_size=5,
    unique_by=lambda r: r.id,
)

nacl_entries = st.lists(
    st.builds(
        lambda n, egress, allow, proto, cidr, lo, span: NaclEntry(
            rule_number=n,
            egress=egress,
            protocol=proto,
            action="allow" if allow else "deny",
            cidr=cidr,
            port_from=lo if proto in ("6", "17") else None,
            port_to=min(65535, lo + span) if proto in ("6", "17") else None,
        ),
        st.integers(1, 32766),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["-1", "6", "17", "1"]),
        st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "10.0.1.0/24", "192.168.0.0/16"]),
        st.integers(0, 65535),
        st.integers(0, 40000),
    ),
    max_size=10,
    unique_by=lambda e: (e.egress, e.rule_number),
)


def _network(
    rules: tuple[SgRule, ...], acl: tuple[NaclEntry, ...] | None
) -> tuple[Store, Compiled]:
    """A client/server pair in two subnets with the given server SG rules and NACL."""
    store = Store(None, clock=Clock(settle_seconds=0.0))
    two_subnets(store, server_rules=rules, server_acl=acl)
    return store, compile_view(store.view(ACCOUNT, REGION)).home


def _sample_ports(space: HeaderSpace, extra: list[int]) -> list[int]:
    """Ports on and next to every box boundary, plus some drawn at random."""
    ports = set(extra)
    for box in space.boxes:
        for spans in (box.source_ports.spans, box.destination_ports.spans):
            for low, high in spans:
                ports.update(p for p in (low - 1, low, high, high + 1) if 0 <= p <= 65535)
    return sorted(ports)[:24]


def _agrees(store: Store, part: Compiled, protocol: str, sport: int, dport: int) -> None:
    """The engine's verdict for one packet equals the tracer's."""
    space = connection_space(part, "i-1", "i-2")
    assert space is not None
    flow = Flow(protocol=protocol, source_port=sport, destination_port=dport)
    concrete = trace(store.view(ACCOUNT, REGION), "i-1", "i-2", flow).reachable
    port_in = (sport, dport) if protocol != "icmp" else (0, 0)
    assert space.contains(protocol, *port_in) == concrete, (protocol, sport, dport, space)


@settings(max_examples=120, deadline=None)
@given(
    sg_rules,
    st.one_of(st.none(), nacl_entries),
    st.sampled_from(["tcp", "udp", "icmp"]),
    st.lists(st.integers(0, 65535), min_size=2, max_size=4),
)
def test_nacl_4_sg_2_symbolic_verdict_equals_tracer_on_random_networks(
    rules: list[SgRule], acl: list[NaclEntry] | None, protocol: str, ports: list[int]
) -> None:
    """For sampled packets on random SG/NACL mixes, symbolic and concrete verdicts agree."""
    store, part = _network(tuple(rules), tuple(acl) if acl is not None else None)
    space = connection_space(part, "i-1", "i-2")
    assert space is not None
    candidates = _sample_ports(space, ports)
    for sport, dport in zip(candidates, reversed(candidates), strict=True):
        _agrees(store, part, protocol, sport, dport)


def test_nacl_4_ephemeral_ports_come_out_of_the_return_path() -> None:
    """A server NACL that lets replies out only to 1024-65535 limits the client's source ports."""
    ssh = SgRule(
        id="sgr-ssh",
        egress=False,
        protocol="tcp",
        from_port=22,
        to_port=22,
        cidr_ipv4="10.0.0.0/16",
    )
    acl = (
        NaclEntry(
            rule_number=100,
            egress=False,
            protocol="6",
            action="allow",
            cidr="10.0.0.0/16",
            port_from=22,
            port_to=22,
        ),
        NaclEntry(
            rule_number=100,
            egress=True,
            protocol="6",
            action="allow",
            cidr="10.0.0.0/16",
            port_from=1024,
            port_to=65535,
        ),
    )
    store, part = _network((ssh,), acl)
    space = connection_space(part, "i-1", "i-2")
    assert space is not None
    assert space.protocols() == ("tcp",)
    (box,) = space.boxes
    assert box.destination_ports == PortSet.single(22)
    assert box.source_ports == PortSet.of(1024, 65535)
    _agrees(store, part, "tcp", 40000, 22)
    _agrees(store, part, "tcp", 1000, 22)


def test_sg_2_reply_admitted_by_tracking_without_an_egress_rule() -> None:
    """With the default all-allow NACLs only the server's ingress rule matters: SGs are stateful."""
    web = SgRule(
        id="sgr-web",
        egress=False,
        protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
    )
    _, part = _network((web,), None)
    space = connection_space(part, "i-1", "i-2")
    assert space is not None
    assert space.destination_ports("tcp") == PortSet.single(443)
    assert space.describe() == "tcp any -> 443"


def test_equivalence_classes_group_enis_by_subnet_and_groups() -> None:
    """Client and server differ in subnet and groups, so they fall into two classes."""
    _, part = _network((), None)
    classes = equivalence_classes(part)
    assert sorted(members for members in classes.values()) == [["eni-1"], ["eni-2"]]
