"""The matrix and the symbolic walk across VPCs: peering, NAT gateways, IGW round trips.

Three VPCs, A peered with B and with C (not B with C). Each has a public subnet (IGW route,
NAT gateway) and a private subnet routing 0.0.0.0/0 to its NAT gateway and the peer CIDRs to
the peering. Every answer is checked against the concrete tracer packet by packet.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios import world as w
from tests.support import public_private
from vpclab.control.store import Store
from vpclab.dataplane.compile import Compiled, compile_view
from vpclab.dataplane.flow import Flow, PortSet
from vpclab.dataplane.headerspace import HeaderSpace
from vpclab.dataplane.queries import MatrixCell, reachability_matrix
from vpclab.dataplane.symbolic import connection_space
from vpclab.dataplane.tracer import trace
from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION

SAMPLE_PORTS = (22, 80, 443, 5432, 1000, 40000)


def vpc_with_nat(ec2: Any, second: int) -> dict[str, str]:
    """VPC 10.N.0.0/16 with a public subnet (IGW, NAT gateway) and a private one (NAT route)."""
    net = public_private(ec2, second)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    made = ec2.create_nat_gateway(SubnetId=net["public"], AllocationId=eip)
    nat = made["NatGateway"]["NatGatewayId"]
    ec2.create_route(
        RouteTableId=w.table_of(ec2, net["private"]),
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=nat,
    )
    return net | {"nat": nat}


def _peer(ec2: Any, near: dict[str, str], far: dict[str, str], *, accept: bool = True) -> str:
    """A peering between two VPCs with routes both ways from every subnet of each."""
    pcx = ec2.create_vpc_peering_connection(VpcId=near["vpc"], PeerVpcId=far["vpc"])
    pcx_id = str(pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"])
    if accept:
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    for here, there in ((near, far), (far, near)):
        for subnet in (here["public"], here["private"]):
            ec2.create_route(
                RouteTableId=w.table_of(ec2, subnet),
                DestinationCidrBlock=f"{there['cidr']}.0.0/16",
                VpcPeeringConnectionId=pcx_id,
            )
    return pcx_id


def _network(ec2: Any) -> dict[str, Any]:
    """A peered with B and C; an app (private) in A, a public web in B and C, a db in C."""
    a, b, c = vpc_with_nat(ec2, 0), vpc_with_nat(ec2, 1), vpc_with_nat(ec2, 2)
    _peer(ec2, a, b)
    _peer(ec2, a, c)
    return {
        "a": a,
        "b": b,
        "c": c,
        "app": w.instance(ec2, a["private"], w.open_group(ec2, a["vpc"], "app")),
        "web_b": w.instance(ec2, b["public"], w.open_group(ec2, b["vpc"], "web"), public=True),
        "web_c": w.instance(ec2, c["public"], w.open_group(ec2, c["vpc"], "web"), public=True),
        "db": w.instance(ec2, c["private"], w.open_group(ec2, c["vpc"], "db", (5432,))),
    }


def _part(store: Store) -> Compiled:
    """The default partition compiled."""
    return compile_view(store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)).home


def _public_ip(part: Compiled, instance: str) -> str:
    """The public address mapped to an instance's primary private address."""
    eni = part.enis[part.instances[instance].primary_eni_id]
    return str(eni.public[eni.eni.primary_ip])


def _agrees(store: Store, source: str, destination: str, *, public: bool = False) -> HeaderSpace:
    """The symbolic space for the pair, checked against the tracer on sampled packets."""
    part = _part(store)
    space = connection_space(part, source, destination, public=public)
    assert space is not None
    address = _public_ip(part, destination) if public else None
    view = store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)
    for protocol in ("tcp", "udp", "icmp"):
        for dport in SAMPLE_PORTS if protocol != "icmp" else (0,):
            for sport in (1000, 40000):
                flow = Flow(
                    protocol=protocol,
                    source_port=sport,
                    destination_port=dport,
                    destination_ip=address,
                )
                verdict = trace(view, source, destination, flow).reachable
                ports = (sport, dport) if protocol != "icmp" else (0, 0)
                assert space.contains(protocol, *ports) == verdict, (protocol, sport, dport)
    return space


def _cell(cells: list[MatrixCell], part: Compiled, source: str, destination: str) -> MatrixCell:
    """The matrix cell holding one instance pair."""
    src, dst = part.instances[source].primary_eni_id, part.instances[destination].primary_eni_id
    (cell,) = [c for c in cells if src in c.sources and dst in c.destinations]
    return cell


def test_pcx_8_private_instance_reaches_peer_through_active_peering(ec2: Any, store: Store) -> None:
    """app (A, private) -> web (B) by private address across the peering: the web ports open,
    every client port allowed; the matrix cell says the same."""
    net = _network(ec2)
    space = _agrees(store, net["app"], net["web_b"])
    assert space.destination_ports("tcp") == PortSet.from_spans([(22, 22), (80, 80), (443, 443)])
    assert space.boxes[0].source_ports == PortSet.of(0, 65535)
    part = _part(store)
    cell = _cell(reachability_matrix(part, sorted(part.enis)), part, net["app"], net["web_b"])
    assert cell.space == space


def test_pcx_8_pending_peering_carries_nothing(ec2: Any, store: Store) -> None:
    """A peering never accepted: its routes are blackholes, so nothing crosses (PCX-8, PCX-9)."""
    a, b = vpc_with_nat(ec2, 0), vpc_with_nat(ec2, 1)
    _peer(ec2, a, b, accept=False)
    app = w.instance(ec2, a["private"], w.open_group(ec2, a["vpc"], "app"))
    web = w.instance(ec2, b["private"], w.open_group(ec2, b["vpc"], "web"))
    assert _agrees(store, app, web).is_empty()


def test_pcx_10_pcx_11_peering_is_not_transitive(ec2: Any, store: Store) -> None:
    """web (B) -> db (C) through A: B routes C's CIDR to the A-B peering, but a packet crossing
    a peering is only delivered inside the far VPC's CIDRs, never forwarded on."""
    net = _network(ec2)
    b, c = net["b"], net["c"]
    pcx_ab = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [b["public"]]}]
    )["RouteTables"][0]["Routes"]
    peering = next(r["VpcPeeringConnectionId"] for r in pcx_ab if "VpcPeeringConnectionId" in r)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, b["public"]),
        DestinationCidrBlock=f"{c['cidr']}.0.0/16",
        VpcPeeringConnectionId=peering,
    )
    assert _agrees(store, net["web_b"], net["db"]).is_empty()
    assert not _agrees(store, net["app"], net["db"]).is_empty()  # A-C itself works


def test_pcx_12_reply_needs_a_route_back_through_the_same_peering(ec2: Any, store: Store) -> None:
    """Remove B's route back to A: requests arrive, replies have no way home (PCX-12)."""
    net = _network(ec2)
    ec2.delete_route(
        RouteTableId=w.table_of(ec2, net["b"]["public"]), DestinationCidrBlock="10.0.0.0/16"
    )
    assert _agrees(store, net["app"], net["web_b"]).is_empty()
    part = _part(store)
    cell = _cell(reachability_matrix(part, sorted(part.enis)), part, net["app"], net["web_b"])
    assert cell.space is not None and cell.space.is_empty()


def test_nat_6_private_instance_reaches_peer_public_address_through_its_nat(
    ec2: Any, store: Store
) -> None:
    """app (A, private) -> web (C) by public address: A's NAT gateway, A's IGW, the internet,
    C's IGW. The web server sees the NAT's Elastic IP; any client port works (remapped)."""
    net = _network(ec2)
    space = _agrees(store, net["app"], net["web_c"], public=True)
    assert space.destination_ports("tcp") == PortSet.from_spans([(22, 22), (80, 80), (443, 443)])
    part = _part(store)
    cell = _cell(reachability_matrix(part, sorted(part.enis)), part, net["app"], net["web_c"])
    assert cell.public_space == space
    assert "via public IP: tcp 22, 80, 443" in cell.ports()


def test_nat_8_nat_gateway_address_accepts_no_unsolicited_connection(
    ec2: Any, store: Store
) -> None:
    """web (B) -> A's NAT gateway by its Elastic IP: dropped at the gateway (NAT-8)."""
    net = _network(ec2)
    part = _part(store)
    nat_eni = next(e for e in part.enis.values() if e.eni.is_nat_gateway)
    space = connection_space(part, net["web_b"], nat_eni.id, public=True)
    assert space is not None and space.is_empty()
    view = store.view(DEFAULT_ACCOUNT, DEFAULT_REGION)
    address = nat_eni.public[nat_eni.eni.primary_ip]
    flow = Flow(protocol="tcp", destination_port=80, source_port=40000, destination_ip=address)
    assert not trace(view, net["web_b"], nat_eni.id, flow).reachable


def test_igw_6_public_instances_of_two_vpcs_meet_through_the_internet(
    ec2: Any, store: Store
) -> None:
    """web (B) -> web (C) by public address: C's rule naming B's public /32 admits it, because
    the IGW maps the source 1:1 (IGW-6); a rule naming B's private address would not."""
    net = _network(ec2)
    part = _part(store)
    group = ec2.create_security_group(
        GroupName="only-b", Description="only-b", VpcId=net["c"]["vpc"]
    )["GroupId"]
    b_public = _public_ip(part, net["web_b"])
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [{"CidrIp": f"{b_public}/32"}, {"CidrIp": "10.1.0.0/16"}],
            }
        ],
    )
    target = w.instance(ec2, net["c"]["public"], group, public=True)
    space = _agrees(store, net["web_b"], target, public=True)
    assert space.destination_ports("tcp") == PortSet.single(8080)
    assert _agrees(store, net["app"], target, public=True).is_empty()  # NAT EIP not named


def test_igw_8_instance_without_public_address_has_no_public_path(ec2: Any, store: Store) -> None:
    """An instance in a public subnet but with no public IPv4: its IGW drops its packets."""
    net = _network(ec2)
    lonely = w.instance(ec2, net["b"]["public"], w.open_group(ec2, net["b"]["vpc"], "lonely"))
    assert _agrees(store, lonely, net["web_c"], public=True).is_empty()
    part = _part(store)
    cell = _cell(reachability_matrix(part, sorted(part.enis)), part, lonely, net["web_c"])
    assert cell.public_space is not None and cell.public_space.is_empty()
    assert not _agrees(store, lonely, net["web_b"]).is_empty()  # same VPC: the local route


@pytest.mark.parametrize("public", [False, True])
def test_pcx_8_matrix_equals_pairwise_walk_across_vpcs(
    ec2: Any, store: Store, public: bool
) -> None:
    """Every ENI pair's class cell equals the walk for that pair, privately and publicly."""
    _network(ec2)
    part = _part(store)
    enis = sorted(i.primary_eni_id for i in part.instances.values())
    for cell in reachability_matrix(part, enis):
        for source in cell.sources:
            for destination in cell.destinations:
                if source != destination:
                    expected = cell.public_space if public else cell.space
                    assert connection_space(part, source, destination, public=public) == expected


def test_amb_12_nat_gateway_does_not_serve_its_own_subnet(ec2: Any, store: Store) -> None:
    """An instance in the NAT gateway's own subnet whose default route points at that gateway
    reaches nothing on the internet (AMB-12); the same instance through the IGW does."""
    net = _network(ec2)
    a = net["a"]
    public_host = w.instance(ec2, a["public"], w.open_group(ec2, a["vpc"], "host"), public=True)
    assert not _agrees(store, public_host, net["web_c"], public=True).is_empty()
    ec2.replace_route(
        RouteTableId=w.table_of(ec2, a["public"]),
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=a["nat"],
    )
    assert _agrees(store, public_host, net["web_c"], public=True).is_empty()


def test_amb_24_stopped_instance_is_its_own_class_and_unreachable(ec2: Any, store: Store) -> None:
    """Stopping one of two alike web servers splits their class: the matrix gives the stopped
    one nothing and the running one its ports, as the tracer does (AMB-24)."""
    net = _network(ec2)
    b = net["b"]
    described = ec2.describe_instances(InstanceIds=[net["web_b"]])["Reservations"][0]
    group = described["Instances"][0]["SecurityGroups"][0]["GroupId"]
    twin = w.instance(ec2, b["public"], group, public=True)
    ec2.stop_instances(InstanceIds=[twin])
    assert _agrees(store, net["app"], twin).is_empty()
    part = _part(store)
    cells = reachability_matrix(part, sorted(part.enis))
    stopped, running = (
        _cell(cells, part, net["app"], twin),
        _cell(cells, part, net["app"], net["web_b"]),
    )
    assert stopped.space == HeaderSpace() and stopped.public_space == HeaderSpace()
    assert running.space == _agrees(store, net["app"], net["web_b"]) != HeaderSpace()
