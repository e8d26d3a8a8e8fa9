"""The symbolic engine agrees with the concrete tracer, packet for packet (differential tests)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.dataplane.builders import ACCOUNT, REGION, allow_all_acl, two_subnets
from vpclab.control.store import Store
from vpclab.dataplane.compile import Compiled, compile_view
from vpclab.dataplane.flow import Flow, PortSet
from vpclab.dataplane.headerspace import HeaderSpace
from vpclab.dataplane.queries import reachability_matrix
from vpclab.dataplane.symbolic import connection_space, equivalence_classes
from vpclab.dataplane.tracer import trace
from vpclab.model.gateways import Address, InternetGateway, NatGateway
from vpclab.model.interface import EniAttachment, Instance, NetworkInterface, PrivateIp
from vpclab.model.network_acl import NaclAssociation, NaclEntry, NetworkAcl
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.route_table import Route, RouteTable, RouteTableAssociation, RouteTarget
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.state import Clock
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc

PROTOCOL_NUMBER = {"tcp": "6", "udp": "17", "icmp": "1"}


def ingress_rules(
    ports: st.SearchStrategy[int], cidrs: tuple[str, ...], max_size: int
) -> st.SearchStrategy[list[SgRule]]:
    """Lists of random SG ingress rules: protocol, port range from `ports`, source CIDR."""
    return st.lists(
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
            ports,
            st.integers(0, 3000),
            st.sampled_from(cidrs),
        ),
        max_size=max_size,
        unique_by=lambda r: r.id,
    )


sg_rules = ingress_rules(
    st.integers(0, 65535), ("0.0.0.0/0", "10.0.1.0/24", "10.0.9.0/24", "10.0.1.10/32"), 5
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


# -- random multi-VPC networks: peerings, NAT gateways, IGWs, public addresses ----------------

PUBLIC_SOURCES = ("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "54.0.0.0/8")


@st.composite
def multi_vpc_networks(draw: st.DrawFn) -> Store:
    """Two or three VPCs, peerings (active or pending), NAT gateways, IGWs, random routes,
    NACLs and SGs, instances with and without public addresses (model-level, fast)."""
    vpcs = draw(st.integers(2, 3))
    store = Store(None, clock=Clock(settle_seconds=0.0))
    peerings = [(0, 1, draw(st.sampled_from(["active", "active", "pending-acceptance"])))]
    if vpcs == 3:
        peerings.append((1, 2, "active"))
    with store.transaction(ACCOUNT, REGION) as tx:
        for v in range(vpcs):
            _put_vpc(tx, v, attached=draw(st.booleans()) or v == 0)
            if draw(st.booleans()):
                _put_nat(tx, v)
        for a, b, status in peerings:
            tx.put(
                VpcPeeringConnection(
                    id=f"pcx-{a}{b}",
                    requester=PeeringSide(owner_id=ACCOUNT, region=REGION, vpc_id=f"vpc-{a}"),
                    accepter=PeeringSide(owner_id=ACCOUNT, region=REGION, vpc_id=f"vpc-{b}"),
                    status=status,
                )
            )
        eni = 0
        for v in range(vpcs):
            for s in (1, 2):
                routes = [_route(f"10.{v}.0.0/16", "local", "", v)]
                exit_ = draw(st.sampled_from(["igw", "nat", "none"]))
                if exit_ == "igw":
                    routes.append(_route("0.0.0.0/0", "gateway", f"igw-{v}", v))
                elif exit_ == "nat":
                    routes.append(_route("0.0.0.0/0", "nat", f"nat-{v}", v))
                for a, b, _ in peerings:
                    if v in (a, b) and draw(st.booleans()):
                        far = draw(st.sampled_from([b if v == a else a, 2 if vpcs == 3 else a]))
                        routes.append(_route(f"10.{far}.0.0/16", "peering", f"pcx-{a}{b}", v))
                acl = draw(st.one_of(st.none(), nacl_entries))
                _put_subnet(tx, v, s, tuple(routes), tuple(acl) if acl is not None else None)
                for _ in range(draw(st.integers(1, 2))):
                    eni += 1
                    rules = draw(multi_vpc_rules)
                    public = draw(st.booleans())
                    _put_instance(tx, v, s, eni, rules, public=public)
    return store


multi_vpc_rules = ingress_rules(st.sampled_from([0, 22, 80, 443, 1024, 5000]), PUBLIC_SOURCES, 3)


def _route(cidr: str, kind: str, target: str, v: int) -> Route:
    """One route of VPC v's tables."""
    return Route(
        destination=cidr,
        target=RouteTarget(kind=kind, id=target or "local"),
        origin="CreateRouteTable" if kind == "local" else "CreateRoute",
        vpc_id=f"vpc-{v}",
    )


def _put_vpc(tx: Any, v: int, *, attached: bool) -> None:
    """VPC 10.v.0.0/16 and its IGW (attached or not)."""
    cidr = f"10.{v}.0.0/16"
    tx.put(
        Vpc(
            id=f"vpc-{v}",
            cidr_block=cidr,
            cidr_associations=(CidrAssociation(association_id=f"a{v}", cidr=cidr),),
        )
    )
    tx.put(InternetGateway(id=f"igw-{v}", vpc_id=f"vpc-{v}" if attached else None))


def _put_nat(tx: Any, v: int) -> None:
    """A public NAT gateway in subnet 1 of VPC v, with its ENI and Elastic IP."""
    address = f"10.{v}.1.250"
    tx.put(
        NetworkInterface(
            id=f"eni-nat{v}",
            subnet_id=f"subnet-{v}1",
            vpc_id=f"vpc-{v}",
            availability_zone="us-east-1a",
            private_ips=(PrivateIp(address=address, primary=True),),
            interface_type="natGateway",
            requester_managed=True,
        )
    )
    eip = f"54.0.9.{v + 1}"
    tx.put(
        Address(
            id=f"eipalloc-{v}",
            public_ip=eip,
            network_interface_id=f"eni-nat{v}",
            private_ip=address,
        )
    )
    tx.put(
        NatGateway(
            id=f"nat-{v}",
            subnet_id=f"subnet-{v}1",
            vpc_id=f"vpc-{v}",
            network_interface_id=f"eni-nat{v}",
            private_ip=address,
            public_ip=eip,
        )
    )


def _put_subnet(
    tx: Any, v: int, s: int, routes: tuple[Route, ...], acl: tuple[NaclEntry, ...] | None
) -> None:
    """Subnet 10.v.s.0/24 with its own route table and NACL."""
    subnet_id = f"subnet-{v}{s}"
    tx.put(
        Subnet(
            id=subnet_id,
            vpc_id=f"vpc-{v}",
            cidr_block=f"10.{v}.{s}.0/24",
            availability_zone="us-east-1a",
            availability_zone_id="use1-az1",
        )
    )
    tx.put(
        RouteTable(
            id=f"rtb-{v}{s}",
            vpc_id=f"vpc-{v}",
            routes=routes,
            associations=(RouteTableAssociation(id=f"rtbassoc-{v}{s}", subnet_id=subnet_id),),
        )
    )
    tx.put(
        NetworkAcl(
            id=f"acl-{v}{s}",
            vpc_id=f"vpc-{v}",
            entries=acl or allow_all_acl(),
            associations=(NaclAssociation(id=f"aclassoc-{v}{s}", subnet_id=subnet_id),),
        )
    )


def _put_instance(tx: Any, v: int, s: int, n: int, rules: list[SgRule], *, public: bool) -> None:
    """Instance i-n in subnet 10.v.s.0/24 with its own group (all egress, given ingress)."""
    everyone = SgRule(id="sgr-out", egress=True, protocol="-1", cidr_ipv4="0.0.0.0/0")
    tx.put(
        SecurityGroup(
            id=f"sg-{n}", name=f"g{n}", description="g", vpc_id=f"vpc-{v}", rules=(everyone, *rules)
        )
    )
    tx.put(
        NetworkInterface(
            id=f"eni-{n}",
            subnet_id=f"subnet-{v}{s}",
            vpc_id=f"vpc-{v}",
            availability_zone="us-east-1a",
            private_ips=(PrivateIp(address=f"10.{v}.{s}.{10 + n}", primary=True),),
            groups=(f"sg-{n}",),
            attachment=EniAttachment(id=f"att-{n}", instance_id=f"i-{n}", device_index=0),
            public_ip=f"54.0.{v}.{n}" if public else None,
        )
    )
    tx.put(
        Instance(
            id=f"i-{n}",
            image_id="ami-1",
            instance_type="t3.micro",
            subnet_id=f"subnet-{v}{s}",
            vpc_id=f"vpc-{v}",
            availability_zone="us-east-1a",
            primary_eni_id=f"eni-{n}",
            state="running",
        )
    )


@settings(deadline=None)
@given(multi_vpc_networks(), st.data())
def test_pcx_11_nat_6_igw_6_symbolic_verdict_equals_tracer_across_vpcs(
    store: Store, data: st.DataObject
) -> None:
    """On random peered VPCs with NAT gateways and public addresses, for sampled instance
    pairs (to the private and to the public address) and packets, symbolic and concrete
    verdicts agree; the class matrix gives every pair the walk's answer."""
    world = compile_view(store.view(ACCOUNT, REGION))
    part = world.home
    instances = sorted(part.instances)
    pairs = [(a, b) for a in instances for b in instances if a != b]
    for source, destination in data.draw(st.lists(st.sampled_from(pairs), max_size=4)):
        eni = part.enis[part.instances[destination].primary_eni_id]
        for public in (False, True) if eni.public else (False,):
            space = connection_space(part, source, destination, public=public)
            assert space is not None
            address = eni.public[eni.eni.primary_ip] if public else None
            for protocol in ("tcp", "udp", "icmp"):
                sport = data.draw(st.sampled_from([1000, 40000]))
                dport = data.draw(st.sampled_from([22, 80, 443, 1024, 3000, 6000]))
                flow = Flow(
                    protocol=protocol,
                    source_port=sport,
                    destination_port=dport,
                    destination_ip=address,
                )
                concrete = trace(world, source, destination, flow).reachable
                ports = (sport, dport) if protocol != "icmp" else (0, 0)
                assert space.contains(protocol, *ports) == concrete, (
                    source,
                    destination,
                    public,
                    protocol,
                    sport,
                    dport,
                    space,
                )
    enis = sorted(part.instances[i].primary_eni_id for i in instances)
    for cell in reachability_matrix(part, enis):
        for a in cell.sources:
            for b in cell.destinations:
                if a != b:
                    assert connection_space(part, a, b) == cell.space
                    assert connection_space(part, a, b, public=True) == cell.public_space


def _public_server_behind_nat_route() -> tuple[Compiled, Any, str]:
    """Client i-1 (public, IGW route) in VPC 0; server i-2 with a public address in VPC 1 but in
    a subnet whose default route goes to a NAT gateway (a common misconfiguration)."""
    store = Store(None, clock=Clock(settle_seconds=0.0))
    allow = [SgRule(id="sgr-in", egress=False, protocol="-1", cidr_ipv4="0.0.0.0/0")]
    with store.transaction(ACCOUNT, REGION) as tx:
        for v in (0, 1):
            _put_vpc(tx, v, attached=True)
            local, igw = (
                _route(f"10.{v}.0.0/16", "local", "", v),
                _route("0.0.0.0/0", "gateway", f"igw-{v}", v),
            )
            _put_subnet(tx, v, 1, (local, igw), None)
        _put_nat(tx, 1)
        nat = _route("0.0.0.0/0", "nat", "nat-1", 1)
        _put_subnet(tx, 1, 2, (_route("10.1.0.0/16", "local", "", 1), nat), None)
        _put_instance(tx, 0, 1, 1, allow, public=True)
        _put_instance(tx, 1, 2, 2, allow, public=True)
    world = compile_view(store.view(ACCOUNT, REGION))
    eni = world.home.enis["eni-2"]
    return world.home, world, eni.public[eni.eni.primary_ip]


def test_nat_6_igw_6_reply_leaving_through_a_nat_gateway_completes_no_connection() -> None:
    """The request reaches the server through its IGW, but the reply leaves through the NAT
    gateway and comes back from the NAT's Elastic IP, not from the address the client called:
    the client drops it, so nothing is reachable at the public address (AWS behaviour)."""
    part, _, _ = _public_server_behind_nat_route()
    space = connection_space(part, "i-1", "i-2", public=True)
    assert space is not None and space.is_empty()


def test_nat_6_tracer_agrees_reply_through_nat_gateway_completes_no_connection() -> None:
    """Regression case found by the differential test: the tracer should say not reachable."""
    _, world, address = _public_server_behind_nat_route()
    flow = Flow(protocol="tcp", source_port=40000, destination_port=80, destination_ip=address)
    assert not trace(world, "i-1", "i-2", flow).reachable
