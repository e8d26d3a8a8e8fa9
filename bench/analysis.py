"""Benchmark of the analysis engine on generated networks (run: python bench/analysis.py).

Builds networks of up to 10,000 ENIs, 1,000 security groups, 200 subnets in 5 VPCs joined by
5 active peerings (a star around VPC 0 plus 1-2, so 1-3 is non-transitive), peer routes in two
thirds of the subnets, a NAT gateway per VPC for the private subnets; then times internet
exposure and the class-level matrix (private and public addresses), checks both against brute
force (exposure: the concrete tracer per ENI; matrix: the symbolic walk per ENI pair, and the
concrete tracer on sampled pairs and packets) on sizes where brute force is affordable, and
reports peak memory (ru_maxrss). Usage: python bench/analysis.py [SIZE ...] [--brute-max N].
"""

from __future__ import annotations

import random
import resource
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from vpclab.control.store import Store
from vpclab.dataplane.compile import Compiled, CompiledWorld, compile_view
from vpclab.dataplane.flow import Flow
from vpclab.dataplane.headerspace import HeaderSpace
from vpclab.dataplane.queries import MatrixCell, internet_exposure, reachability_matrix
from vpclab.dataplane.symbolic import connection_space
from vpclab.dataplane.tracer import trace
from vpclab.model.gateways import Address, InternetGateway, NatGateway
from vpclab.model.interface import EniAttachment, Instance, NetworkInterface, PrivateIp
from vpclab.model.network_acl import NaclAssociation, NaclEntry, NetworkAcl
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.route_table import Route, RouteTable, RouteTableAssociation, RouteTarget
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.state import Clock
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc

ACCOUNT, REGION = "123456789012", "us-east-1"
T = TypeVar("T")
PORTS = (22, 80, 443, 3306, 5432, 6379, 8080)
PEERINGS = ((0, 1), (0, 2), (0, 3), (0, 4), (1, 2))


def _acl_entries(rng: random.Random) -> tuple[NaclEntry, ...]:
    """All-allow, sometimes with a deny of SSH from the internet and an ephemeral egress rule."""
    entries = [
        NaclEntry(rule_number=32000, egress=e, protocol="-1", action="allow", cidr="0.0.0.0/0")
        for e in (False, True)
    ]
    if rng.random() < 0.5:
        entries.append(
            NaclEntry(
                rule_number=50,
                egress=False,
                protocol="6",
                action="deny",
                cidr="0.0.0.0/0",
                port_from=22,
                port_to=22,
            )
        )
        entries.append(
            NaclEntry(
                rule_number=60,
                egress=False,
                protocol="6",
                action="allow",
                cidr="10.0.0.0/8",
                port_from=22,
                port_to=22,
            )
        )
    return tuple(entries)


def generate(store: Store, enis: int, groups: int, subnets: int, vpcs: int, seed: int) -> None:
    """A random but realistic network: tiers of groups per subnet, a third of subnets public."""
    rng = random.Random(seed)
    with store.transaction(ACCOUNT, REGION) as tx:
        for v in range(vpcs):
            vpc_id, cidr = f"vpc-{v:08x}", f"10.{v}.0.0/16"
            tx.put(
                Vpc(
                    id=vpc_id,
                    cidr_block=cidr,
                    cidr_associations=(CidrAssociation(association_id=f"a{v}", cidr=cidr),),
                )
            )
            tx.put(InternetGateway(id=f"igw-{v:08x}", vpc_id=vpc_id))
            _nat_gateway(tx, v)
        for a, b in PEERINGS:
            if b < vpcs:
                tx.put(
                    VpcPeeringConnection(
                        id=f"pcx-{a}{b:07x}",
                        requester=PeeringSide(
                            owner_id=ACCOUNT, region=REGION, vpc_id=f"vpc-{a:08x}"
                        ),
                        accepter=PeeringSide(
                            owner_id=ACCOUNT, region=REGION, vpc_id=f"vpc-{b:08x}"
                        ),
                        status="active",
                    )
                )
        per_vpc = subnets // vpcs
        group_ids: dict[str, list[str]] = {}
        for g in range(groups):
            vpc_id = f"vpc-{g % vpcs:08x}"
            rules = [SgRule(id=f"sgr-{g}-out", egress=True, protocol="-1", cidr_ipv4="0.0.0.0/0")]
            for n, port in enumerate(rng.sample(PORTS, rng.randint(1, 3))):
                source = rng.choice(
                    ["0.0.0.0/0", "10.0.0.0/8", f"10.{g % vpcs}.0.0/16", f"203.0.{g % 250}.0/24"]
                )
                rules.append(
                    SgRule(
                        id=f"sgr-{g}-{n}",
                        egress=False,
                        protocol="tcp",
                        from_port=port,
                        to_port=port,
                        cidr_ipv4=source,
                    )
                )
            tx.put(
                SecurityGroup(
                    id=f"sg-{g:08x}",
                    name=f"g{g}",
                    description="g",
                    vpc_id=vpc_id,
                    rules=tuple(rules),
                )
            )
            group_ids.setdefault(vpc_id, []).append(f"sg-{g:08x}")
        for s in range(subnets):
            v, index = s % vpcs, s // vpcs
            vpc_id, subnet_id = f"vpc-{v:08x}", f"subnet-{s:08x}"
            public = index % 3 == 0
            routes = [
                Route(
                    destination=f"10.{v}.0.0/16",
                    target=RouteTarget(kind="local"),
                    origin="CreateRouteTable",
                    vpc_id=vpc_id,
                )
            ]
            exit_ = RouteTarget(kind="gateway", id=f"igw-{v:08x}")
            if not public:
                exit_ = RouteTarget(kind="nat", id=f"nat-{v:08x}")
            routes.append(
                Route(destination="0.0.0.0/0", target=exit_, origin="CreateRoute", vpc_id=vpc_id)
            )
            if index % 3 != 2:
                routes.extend(_peer_routes(v, vpcs))
            tx.put(
                RouteTable(
                    id=f"rtb-{s:08x}",
                    vpc_id=vpc_id,
                    routes=tuple(routes),
                    associations=(RouteTableAssociation(id=f"rtbassoc-{s}", subnet_id=subnet_id),),
                )
            )
            tx.put(
                NetworkAcl(
                    id=f"acl-{s:08x}",
                    vpc_id=vpc_id,
                    entries=_acl_entries(rng),
                    associations=(NaclAssociation(id=f"aclassoc-{s}", subnet_id=subnet_id),),
                )
            )
            tx.put(
                Subnet(
                    id=subnet_id,
                    vpc_id=vpc_id,
                    cidr_block=f"10.{v}.{index}.0/24"
                    if per_vpc <= 256
                    else f"10.{v}.{index % 256}.0/24",
                    availability_zone="us-east-1a",
                    availability_zone_id="use1-az1",
                )
            )
        tiers = {s: rng.sample(group_ids[f"vpc-{s % vpcs:08x}"], 3) for s in range(subnets)}
        for e in range(enis):
            s = e % subnets
            v, index, host = s % vpcs, s // vpcs, 4 + e // subnets
            vpc_id, subnet_id = f"vpc-{v:08x}", f"subnet-{s:08x}"
            public = index % 3 == 0 and rng.random() < 0.5
            tx.put(
                NetworkInterface(
                    id=f"eni-{e:08x}",
                    subnet_id=subnet_id,
                    vpc_id=vpc_id,
                    availability_zone="us-east-1a",
                    private_ips=(PrivateIp(address=f"10.{v}.{index}.{host}", primary=True),),
                    groups=(rng.choice(tiers[s]),),
                    attachment=EniAttachment(
                        id=f"att-{e}", instance_id=f"i-{e:08x}", device_index=0
                    ),
                    public_ip=f"54.{e >> 16 & 255}.{e >> 8 & 255}.{e & 255}" if public else None,
                )
            )
            tx.put(
                Instance(
                    id=f"i-{e:08x}",
                    image_id="ami-1",
                    instance_type="t3.micro",
                    subnet_id=subnet_id,
                    vpc_id=vpc_id,
                    availability_zone="us-east-1a",
                    primary_eni_id=f"eni-{e:08x}",
                    state="running",
                )
            )


def _nat_gateway(tx: Any, v: int) -> None:
    """VPC v's NAT gateway in its first (public) subnet, with its ENI and Elastic IP."""
    subnet_id, address = f"subnet-{v:08x}", f"10.{v}.0.250"
    tx.put(
        NetworkInterface(
            id=f"eni-nat{v:05x}",
            subnet_id=subnet_id,
            vpc_id=f"vpc-{v:08x}",
            availability_zone="us-east-1a",
            private_ips=(PrivateIp(address=address, primary=True),),
            interface_type="natGateway",
            requester_managed=True,
        )
    )
    tx.put(
        Address(
            id=f"eipalloc-{v:08x}",
            public_ip=f"52.0.0.{v + 1}",
            network_interface_id=f"eni-nat{v:05x}",
            private_ip=address,
        )
    )
    tx.put(
        NatGateway(
            id=f"nat-{v:08x}",
            subnet_id=subnet_id,
            vpc_id=f"vpc-{v:08x}",
            network_interface_id=f"eni-nat{v:05x}",
            private_ip=address,
            public_ip=f"52.0.0.{v + 1}",
        )
    )


def _peer_routes(v: int, vpcs: int) -> list[Route]:
    """Routes from VPC v to the CIDR of every VPC it peers with."""
    routes = []
    for a, b in PEERINGS:
        if b >= vpcs or v not in (a, b):
            continue
        peer = b if v == a else a
        routes.append(
            Route(
                destination=f"10.{peer}.0.0/16",
                target=RouteTarget(kind="peering", id=f"pcx-{a}{b:07x}"),
                origin="CreateRoute",
                vpc_id=f"vpc-{v:08x}",
            )
        )
    return routes


def _timed(label: str, action: Callable[[], T]) -> T:
    """Run and print the wall and CPU time of one step (CPU time is the steadier figure on a
    machine others load: wall time grows with their work, CPU time much less)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label}: {wall:.2f} s (CPU {used:.2f} s)", flush=True)
    return result


def brute_exposure(part: Compiled, world: CompiledWorld) -> set[str]:
    """ENIs the concrete tracer lets an internet host reach on some benchmark port."""
    reached = set()
    for eni_id, eni in part.enis.items():
        if not eni.public:
            continue
        for port in PORTS:
            flow = Flow(
                protocol="tcp", destination_port=port, source_port=40000, source_ip="198.51.100.10"
            )
            if trace(world, "internet", eni.owner.id, flow).reachable:
                reached.add(eni_id)
                break
    return reached


def brute_matrix(part: Compiled, ids: list[str]) -> dict[tuple[str, str], object]:
    """The symbolic walk for every ENI pair, to private and to public addresses."""
    return {
        (a, b): (connection_space(part, a, b), connection_space(part, a, b, public=True))
        for a in ids
        for b in ids
        if a != b
    }


def expanded(cells: list[MatrixCell]) -> dict[tuple[str, str], object]:
    """The class matrix expanded to ENI pairs (what brute force computes)."""
    out: dict[tuple[str, str], object] = {}
    for cell in cells:
        for a in cell.sources:
            for b in cell.destinations:
                if a != b:
                    out[(a, b)] = (cell.space, cell.public_space)
    return out


def _opens(space: HeaderSpace | None) -> bool:
    """Whether a cell's answer admits something (or was not analysed)."""
    return space is None or not space.is_empty()


def _sample_pair(
    rng: random.Random, rows: dict[str, list[MatrixCell]], sources: list[str]
) -> tuple[str, str, MatrixCell]:
    """A random (source, destination) ENI pair and its cell; half the time from a cell where
    something is open, so reachable packets get sampled too."""
    while True:
        source = rng.choice(sources)
        cells = rows[source]
        open_cells = [c for c in cells if _opens(c.space) or _opens(c.public_space)]
        cell = rng.choice(open_cells if open_cells and rng.random() < 0.5 else cells)
        members = rng.choice(cell.destination_classes)
        destination = rng.choice(members)
        if destination != source:
            return source, destination, cell


def tracer_disagreements(
    part: Compiled, world: CompiledWorld, cells: list[MatrixCell], samples: int
) -> tuple[int, int, int]:
    """Sampled (pair, address, packet) verdicts of the matrix against the concrete tracer:
    (samples, reachable ones, disagreements)."""
    rng = random.Random(7)
    rows: dict[str, list[MatrixCell]] = {}
    for cell in cells:
        for source in cell.sources:
            rows.setdefault(source, []).append(cell)
    sources = sorted(rows)
    reachable = wrong = 0
    for _ in range(samples):
        a, b, cell = _sample_pair(rng, rows, sources)
        eni = part.enis[b]
        public = eni.public.get(eni.eni.primary_ip) if rng.random() < 0.5 else None
        space = cell.public_space if public else cell.space
        protocol = rng.choice(("tcp", "udp", "icmp"))
        sport, dport = rng.choice((40000, 1000, 60000)), rng.choice(PORTS)
        if space is not None and space.boxes and rng.random() < 0.5:
            box = rng.choice(space.boxes)  # a packet the matrix says gets through
            protocol = box.protocol
            sport, dport = box.source_ports.spans[-1][1], box.destination_ports.spans[0][0]
        flow = Flow(
            protocol=protocol, source_port=sport, destination_port=dport, destination_ip=public
        )
        result = trace(world, part.enis[a].owner.id, eni.owner.id, flow)
        ports = (sport, dport) if protocol != "icmp" else (0, 0)
        reachable += result.reachable
        wrong += space is None or space.contains(protocol, *ports) != result.reachable
    return samples, reachable, wrong


def run(enis: int, brute: bool) -> None:
    """One size: generate, compile, exposure, matrix, brute-force cross-checks."""
    groups, subnets = min(1000, max(20, enis // 10)), min(200, max(5, enis // 50))
    print(f"{enis} ENIs, {groups} SGs, {subnets} subnets, 5 VPCs, 5 peerings", flush=True)
    store = Store(None, clock=Clock(settle_seconds=0.0))
    _timed("generate", lambda: generate(store, enis, groups, subnets, 5, seed=enis))
    world = _timed("compile", lambda: compile_view(store.view(ACCOUNT, REGION)))
    part = world.home
    found = _timed("exposure (symbolic)", lambda: internet_exposure(part))
    exposed = {f.eni_id for f in found if f.source_ports.size() and f.protocol == "tcp"}
    ids = sorted(i.primary_eni_id for i in part.instances.values())
    cells = _timed("matrix (class level)", lambda: reachability_matrix(part, ids))
    classes = len({c.sources for c in cells})
    print(f"  {len(exposed)} ENIs exposed, {classes} classes, {len(cells)} cells")
    concrete = _timed("exposure (concrete tracer per ENI)", lambda: brute_exposure(part, world))
    print(f"  tracer-reached ENIs all in exposure: {concrete <= exposed}", flush=True)
    checked = _timed(
        "matrix vs concrete tracer (600 sampled pair/address/packet)",
        lambda: tracer_disagreements(part, world, cells, 600),
    )
    samples, reached, wrong = checked
    print(f"  sampled {samples}: tracer-reachable {reached}, disagreements {wrong}", flush=True)
    if brute:
        pairs = _timed("matrix (symbolic walk per ENI pair)", lambda: brute_matrix(part, ids))
        print(f"  class matrix equals per-pair matrix: {expanded(cells) == pairs}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS so far: {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    brute_max = 100
    if "--brute-max" in arguments:
        at = arguments.index("--brute-max")
        brute_max = int(arguments[at + 1])
        del arguments[at : at + 2]
    sizes = [int(a) for a in arguments] or [100, 1000, 10000]
    for size in sizes:
        run(size, brute=size <= brute_max)
