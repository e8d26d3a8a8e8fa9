"""Property tests of the engine: LPM oracle, NACL order, SG/NACL monotonicity, determinism."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tests.dataplane.builders import ACCOUNT, REGION, two_subnets
from vpclab.control.store import Store
from vpclab.dataplane.compile import Compiled, Lpm, RouteEntry, compile_view
from vpclab.dataplane.filtering import evaluate_acl
from vpclab.dataplane.flow import Flow, Header, PortSet, cidr_span, int_ip
from vpclab.dataplane.trace import RouteRef
from vpclab.dataplane.tracer import trace
from vpclab.model.network_acl import NaclEntry, NetworkAcl
from vpclab.model.route_table import Route, RouteTarget
from vpclab.model.security_group import SgRule
from vpclab.model.state import Clock

cidrs = st.builds(
    lambda a, n: f"{int_ip(a & ((0xFFFFFFFF << (32 - n)) & 0xFFFFFFFF if n else 0))}/{n}",
    st.integers(0, 2**32 - 1),
    st.integers(0, 32),
)


def _entry(cidr: str, target: str) -> RouteEntry:
    """A route entry for the LPM structure."""
    low, high = cidr_span(cidr)
    ref = RouteRef(
        route_table_id="rtb-1",
        destination=cidr,
        target_kind="eni",
        target_id=target,
        origin="CreateRoute",
        state="active",
    )
    route = Route(destination=cidr, target=RouteTarget(kind="eni", id=target))
    return RouteEntry(ref, route, int(cidr.split("/")[1]), low, high, (0, ""))


@given(
    st.lists(cidrs, min_size=1, max_size=25, unique=True),
    st.lists(st.integers(0, 2**32 - 1), max_size=20),
)
def test_rt_4_lpm_equals_brute_force_oracle(routes: list[str], addresses: list[int]) -> None:
    """The hashed LPM picks the same route as scanning every route for the longest cover."""
    entries = [_entry(c, f"eni-{i}") for i, c in enumerate(routes)]
    lpm = Lpm(entries)
    probes = addresses + [e.low for e in entries] + [e.high for e in entries]
    for address in probes:
        covering = [e for e in entries if e.low <= address <= e.high]
        expected = max(covering, key=lambda e: e.prefix) if covering else None
        assert lpm.lookup(address) == expected


nacl_entries = st.lists(
    st.builds(
        lambda n, allow, proto, cidr, lo, span: NaclEntry(
            rule_number=n,
            egress=False,
            protocol=proto,
            action="allow" if allow else "deny",
            cidr=cidr,
            port_from=lo,
            port_to=min(65535, lo + span),
        ),
        st.integers(1, 32766),
        st.booleans(),
        st.sampled_from(["-1", "6", "17"]),
        st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "10.0.1.0/24", "192.168.0.0/16"]),
        st.integers(0, 65535),
        st.integers(0, 40000),
    ),
    max_size=12,
    unique_by=lambda e: e.rule_number,
)
headers = st.builds(
    lambda src, lo, span: Header(
        "tcp", src, "10.0.2.10", PortSet.of(0, 65535), PortSet.of(lo, min(65535, lo + span))
    ),
    st.sampled_from(["10.0.1.10", "192.168.3.4", "8.8.8.8"]),
    st.integers(0, 65535),
    st.integers(0, 65535),
)


def _admitted(entries: list[NaclEntry], header: Header) -> PortSet:
    """What a NACL of these ingress entries admits of a header."""
    acl = NetworkAcl(id="acl-1", vpc_id="vpc-1", entries=tuple(entries))
    compiled = Compiled._acl_entries(acl, egress=False)
    return evaluate_acl(tuple(compiled), header, egress=False).admitted


@given(nacl_entries, headers, st.randoms())
def test_nacl_4_result_independent_of_creation_order(
    entries: list[NaclEntry], header: Header, rnd: random.Random
) -> None:
    """Shuffling the order entries were created in never changes what the NACL admits."""
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert _admitted(entries, header) == _admitted(shuffled, header)


@given(nacl_entries, headers, st.sampled_from(["0.0.0.0/0", "10.0.1.0/24", "8.0.0.0/8"]))
def test_nacl_4_lower_numbered_deny_never_admits_more(
    entries: list[NaclEntry], header: Header, cidr: str
) -> None:
    """Adding a deny below every existing rule number admits a subset of what passed before."""
    lowest = min((e.rule_number for e in entries), default=2)
    if lowest == 1:
        return
    deny = NaclEntry(rule_number=lowest - 1, egress=False, protocol="-1", action="deny", cidr=cidr)
    before = _admitted(entries, header)
    after = _admitted([*entries, deny], header)
    assert before.covers(after)


sg_rules = st.lists(
    st.builds(
        lambda i, proto, lo, span, cidr: SgRule(
            id=f"sgr-{i}",
            egress=False,
            protocol=proto,
            from_port=lo,
            to_port=min(65535, lo + span),
            cidr_ipv4=cidr,
        ),
        st.integers(0, 10**6),
        st.sampled_from(["tcp", "udp", "-1"]),
        st.integers(0, 65535),
        st.integers(0, 2000),
        st.sampled_from(["0.0.0.0/0", "10.0.1.0/24", "10.0.9.0/24"]),
    ),
    max_size=5,
    unique_by=lambda r: r.id,
)


def _reachable(rules: tuple[SgRule, ...], port: int) -> bool:
    """Whether the client reaches the server's port with these server ingress rules."""
    store = Store(None, clock=Clock(settle_seconds=0.0))
    client, server = two_subnets(store, server_rules=rules)
    flow = Flow(protocol="tcp", destination_port=port, source_port=40000)
    return trace(store.view(ACCOUNT, REGION), client, server, flow).reachable


@given(sg_rules, sg_rules, st.integers(0, 65535))
def test_sg_3_adding_an_allow_never_blocks(
    base: list[SgRule], extra: list[SgRule], port: int
) -> None:
    """SG rules only allow: a flow reachable before stays reachable after adding rules."""
    renamed = tuple(
        SgRule(
            **{
                **{
                    f: getattr(r, f)
                    for f in ("egress", "protocol", "from_port", "to_port", "cidr_ipv4")
                },
                "id": r.id + "x",
            }
        )
        for r in extra
    )
    if _reachable(tuple(base), port):
        assert _reachable(tuple(base) + renamed, port)


@given(sg_rules, st.integers(0, 65535))
def test_pkt_0_same_state_and_question_give_equal_answers(rules: list[SgRule], port: int) -> None:
    """Tracing twice, on the same and on a freshly compiled view, gives equal Trace values."""
    store = Store(None, clock=Clock(settle_seconds=0.0))
    client, server = two_subnets(store, server_rules=tuple(rules))
    view = store.view(ACCOUNT, REGION)
    flow = Flow(protocol="tcp", destination_port=port)
    world = compile_view(view)
    assert trace(world, client, server, flow) == trace(world, client, server, flow)
    assert trace(world, client, server, flow) == trace(compile_view(view), client, server, flow)
