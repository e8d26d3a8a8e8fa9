"""Differential test: on random small networks the kernel and the tracer agree, flow by flow.

Each example builds a network through boto3 (in-process), materializes it in namespaces, sends
real TCP 80, UDP 53 and ICMP echo packets from fixed source ports, and compares what the
kernel did (connected or not; the source address the destination saw) with
`vpclab.dataplane.tracer.trace` (reachable or not; the source of the header as it arrived).
Flows whose tracer verdict carries conditions (e.g. "only for NAT ports ...") are not compared.

CI runs a few derandomized examples; explore further with VPCLAB_DIFFERENTIAL_EXAMPLES=50
(random examples each run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.realmode.support import launch
from tests.services.world import make_function
from tests.support import client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.flow import Flow
from vpclab.dataplane.tracer import trace
from vpclab.model.state import Clock, View
from vpclab.realmode.internet_hosts import INTERNET_HOSTS
from vpclab.realmode.kernel import Applier, teardown_all
from vpclab.realmode.plan import build_plan, internet_namespace, namespace_name, run_tag

ACCOUNT, REGION = "123456789012", "us-east-1"
RUN = run_tag("differential", str(os.getpid()), REGION)
INTERNET = INTERNET_HOSTS[0]
PORTS = {"tcp": 80, "udp": 53}
# Vocabularies; repeated entries weight the draw towards networks where packets get through,
# so that both verdicts (and the translations) are exercised.
NACLS = ("default", "default", "default", "web", "no-ephemeral", "deny-icmp")
INGRESS = ("tcp80-any", "udp53-private", "icmp-any", "all-self")
EGRESS = ("all", "all", "all", "tcp-only", "none")
DEFAULT_ROUTES = ("igw", "igw", "nat", "nat", "appliance", "none")
MOSTLY = (True, True, True, False)
# Where the second VPC lives: this partition, another account, or another region (PCX-14).
PARTITIONS = {"same": (ACCOUNT, REGION), "account": ("210987654321", REGION)}
PARTITIONS["region"] = (ACCOUNT, "us-west-2")

# Run inside the source namespace: one flow from a fixed source port; prints the address the
# far end says it saw (TCP: the HTTP body, UDP: the answer) and exits 0, else exits 1.
PROBE = """
import socket, sys
protocol, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
source, source_port = sys.argv[4], int(sys.argv[5])
kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(1.5)
s.bind((source, source_port))
try:
    if protocol == "tcp":
        s.connect((address, port))
        s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        print(data.split(b"\\r\\n\\r\\n", 1)[1].decode().strip())
    else:
        s.sendto(b"q", (address, port))
        print(s.recv(100).decode().strip())
except OSError:
    sys.exit(1)
"""


@dataclass(frozen=True)
class SubnetSpec:
    """One subnet with one instance: routes, NACL, the instance's address and group."""

    vpc: int
    default_route: str  # none | igw | nat
    peer_route: bool
    nacl: str
    public_ip: bool
    ingress: frozenset[str]
    egress: str


@dataclass(frozen=True)
class NetworkSpec:
    """A small network: 1-2 VPCs, optional IGWs, one optional NAT gateway, optional peering."""

    vpcs: int
    igw: tuple[bool, ...]
    nat_subnet: int | None
    # The subnet whose instance is a NAT instance ("appliance" routes go to it), and whether
    # its source/destination check is off.
    appliance: int | None
    appliance_check_off: bool
    peering: bool
    subnets: tuple[SubnetSpec, ...]
    # Where VPC 1 lives (a key of PARTITIONS), and the subnet of a Lambda function, if any (its
    # Hyperplane ENI, with the group of that subnet's instance, is probed like an instance).
    peer_partition: str = "same"
    lambda_subnet: int | None = None

    def partition(self, vpc: int) -> tuple[str, str]:
        """(account, region) of VPC n."""
        return PARTITIONS[self.peer_partition] if vpc == 1 else (ACCOUNT, REGION)


@st.composite
def networks(draw: st.DrawFn) -> NetworkSpec:
    """A random NetworkSpec whose every subnet lies in an existing VPC."""
    vpcs = draw(st.integers(1, 2))
    count = draw(st.integers(2, 3))
    homes = [index % vpcs for index in range(count)]
    subnets = tuple(
        SubnetSpec(
            vpc=home,
            default_route=draw(st.sampled_from(DEFAULT_ROUTES)),
            peer_route=draw(st.sampled_from(MOSTLY)),
            nacl=draw(st.sampled_from(NACLS)),
            public_ip=draw(st.booleans()),
            ingress=frozenset(draw(st.sets(st.sampled_from(INGRESS), min_size=3))),
            egress=draw(st.sampled_from(EGRESS)),
        )
        for home in homes
    )
    return NetworkSpec(
        vpcs=vpcs,
        igw=tuple(draw(st.sampled_from(MOSTLY)) for _ in range(vpcs)),
        nat_subnet=draw(st.none() | st.integers(0, count - 1)),
        appliance=draw(st.none() | st.integers(0, count - 1)),
        appliance_check_off=draw(st.sampled_from(MOSTLY)),
        peering=vpcs == 2 and draw(st.sampled_from(MOSTLY)),
        subnets=subnets,
        peer_partition=draw(st.sampled_from(("same", "same", "account", "region")))
        if vpcs == 2
        else "same",
        lambda_subnet=draw(st.none() | st.integers(0, count - 1)),
    )


@dataclass(frozen=True)
class Built:
    """What the network became, one instance per subnet: ids, private and public addresses."""

    instances: tuple[tuple[str, str], ...]  # then the Lambda ENI, if any
    public: tuple[str | None, ...]
    groups: tuple[str, ...]
    tables: tuple[str, ...]
    lambda_eni: str | None = None
    # The (account, region) of each entry of `instances`: the tracer is asked from there.
    homes: tuple[tuple[str, str], ...] = ()


def _vpc_cidr(vpc: int) -> str:
    """VPC n's block."""
    return f"10.{vpc + 1}.0.0/16"


def _nacl_entries(kind: str) -> list[tuple[int, bool, str, str, tuple[int, int] | None]]:
    """(rule number, egress, protocol, action, ports) of a NACL from the vocabulary."""
    if kind == "web":
        inbound = [(100, "6", (80, 80)), (110, "17", (53, 53)), (120, "6", (1024, 65535))]
        inbound.append((130, "17", (1024, 65535)))
        return [(n, False, p, "allow", r) for n, p, r in inbound] + [
            (100, True, "-1", "allow", None)
        ]
    if kind == "no-ephemeral":
        return [
            (100, False, "-1", "allow", None),
            (100, True, "6", "allow", (80, 80)),
            (110, True, "17", "allow", (53, 53)),
        ]
    return [
        (50, False, "1", "deny", None),
        (50, True, "1", "deny", None),
        (100, False, "-1", "allow", None),
        (100, True, "-1", "allow", None),
    ]


def _replace_nacl(ec2: Any, vpc_id: str, subnet_id: str, kind: str) -> None:
    """Give a subnet a new NACL of the vocabulary (the default one allows everything)."""
    if kind == "default":
        return
    acl = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    for number, egress, protocol, action, ports in _nacl_entries(kind):
        entry: dict[str, Any] = {
            "NetworkAclId": acl,
            "RuleNumber": number,
            "Egress": egress,
            "Protocol": protocol,
            "RuleAction": action,
            "CidrBlock": "0.0.0.0/0",
        }
        if ports is not None:
            entry["PortRange"] = {"From": ports[0], "To": ports[1]}
        if protocol == "1":
            entry["IcmpTypeCode"] = {"Type": -1, "Code": -1}
        ec2.create_network_acl_entry(**entry)
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"][0]["Associations"]
    association = next(a for a in current if a["SubnetId"] == subnet_id)
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
    )


def _group(ec2: Any, vpc_id: str, name: str, spec: SubnetSpec) -> str:
    """A security group with the spec's ingress rules and egress choice."""
    group = str(
        ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    )
    rules = {
        "tcp80-any": {
            "IpProtocol": "tcp",
            "FromPort": 80,
            "ToPort": 80,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        },
        "udp53-private": {
            "IpProtocol": "udp",
            "FromPort": 53,
            "ToPort": 53,
            "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
        },
        "icmp-any": {
            "IpProtocol": "icmp",
            "FromPort": -1,
            "ToPort": -1,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        },
        "all-self": {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]},
    }
    if spec.ingress:
        ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[rules[name] for name in sorted(spec.ingress)]
        )
    if spec.egress != "all":
        everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[everything])
    if spec.egress == "tcp-only":
        ec2.authorize_security_group_egress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 0,
                    "ToPort": 65535,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        )
    return group


def clients(api: Api, spec: NetworkSpec, service: str = "ec2") -> list[Any]:
    """A boto3 client per VPC, acting in that VPC's account and region."""
    return [
        client(api, service, region=region, access_key=account)
        for account, region in map(spec.partition, range(spec.vpcs))
    ]


def _peer(ec2: list[Any], spec: NetworkSpec, vpcs: list[str]) -> str:
    """VPC 0 requests a peering with VPC 1 (in its account and region); VPC 1 accepts it."""
    account, region = spec.partition(1)
    made = ec2[0].create_vpc_peering_connection(
        VpcId=vpcs[0], PeerVpcId=vpcs[1], PeerOwnerId=account, PeerRegion=region
    )
    pcx = str(made["VpcPeeringConnection"]["VpcPeeringConnectionId"])
    ec2[1].accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return pcx


def build(api: Api, spec: NetworkSpec) -> Built:
    """Create the network through the EC2 (and Lambda) API, as user code would; each VPC's
    resources through a client of its own account and region."""
    ec2 = clients(api, spec)
    vpcs = [ec2[v].create_vpc(CidrBlock=_vpc_cidr(v))["Vpc"]["VpcId"] for v in range(spec.vpcs)]
    igws: dict[int, str] = {}
    for index, wanted in enumerate(spec.igw):
        if wanted:
            made_igw = ec2[index].create_internet_gateway()["InternetGateway"]
            igws[index] = made_igw["InternetGatewayId"]
            ec2[index].attach_internet_gateway(InternetGatewayId=igws[index], VpcId=vpcs[index])
    pcx = _peer(ec2, spec, vpcs) if spec.peering else None
    subnets, tables = [], []
    for index, subnet in enumerate(spec.subnets):
        cidr = f"10.{subnet.vpc + 1}.{index + 1}.0/24"
        home = ec2[subnet.vpc]
        made = home.create_subnet(VpcId=vpcs[subnet.vpc], CidrBlock=cidr)["Subnet"]["SubnetId"]
        table = home.create_route_table(VpcId=vpcs[subnet.vpc])["RouteTable"]["RouteTableId"]
        home.associate_route_table(RouteTableId=table, SubnetId=made)
        subnets.append(made)
        tables.append(table)
    nat = None
    nat_vpc = spec.subnets[spec.nat_subnet].vpc if spec.nat_subnet is not None else None
    if spec.nat_subnet is not None and nat_vpc in igws:
        eip = ec2[nat_vpc].allocate_address(Domain="vpc")["AllocationId"]
        made_nat = ec2[nat_vpc].create_nat_gateway(
            SubnetId=subnets[spec.nat_subnet], AllocationId=eip
        )
        nat = made_nat["NatGateway"]["NatGatewayId"]
    for index, subnet in enumerate(spec.subnets):
        home = ec2[subnet.vpc]
        route: dict[str, str] = {}
        hosts_nat = index in (spec.nat_subnet, spec.appliance) and subnet.vpc in igws
        if hosts_nat or (subnet.default_route == "igw" and subnet.vpc in igws):
            route = {"GatewayId": igws[subnet.vpc]}
        elif subnet.default_route == "nat" and nat is not None and subnet.vpc == nat_vpc:
            route = {"NatGatewayId": nat}
        if route:
            home.create_route(RouteTableId=tables[index], DestinationCidrBlock="0.0.0.0/0", **route)
        if pcx is not None and subnet.peer_route:
            home.create_route(
                RouteTableId=tables[index],
                DestinationCidrBlock=_vpc_cidr(1 - subnet.vpc),
                VpcPeeringConnectionId=pcx,
            )
        _replace_nacl(home, vpcs[subnet.vpc], subnets[index], subnet.nacl)
    instances, public, groups = [], [], []
    for index, subnet in enumerate(spec.subnets):
        group = _group(ec2[subnet.vpc], vpcs[subnet.vpc], f"g{index}", subnet)
        groups.append(group)
        described = launch(ec2[subnet.vpc], subnets[index], group, public=subnet.public_ip)
        instances.append((described["InstanceId"], described["PrivateIpAddress"]))
        public.append(described.get("PublicIpAddress"))
    _route_to_appliance(ec2, spec, instances, tables)
    lambda_eni = None
    if spec.lambda_subnet is not None:
        home_vpc = spec.subnets[spec.lambda_subnet].vpc
        subnet_id, group = subnets[spec.lambda_subnet], groups[spec.lambda_subnet]
        make_function(clients(api, spec, "lambda")[home_vpc], "fn", [subnet_id], [group])
        enis = ec2[home_vpc].describe_network_interfaces(
            Filters=[
                {"Name": "subnet-id", "Values": [subnet_id]},
                {"Name": "interface-type", "Values": ["lambda"]},
            ]
        )["NetworkInterfaces"]
        lambda_eni = enis[0]["NetworkInterfaceId"]
        instances.append((lambda_eni, enis[0]["PrivateIpAddress"]))
        public.append(None)
    homes = [spec.partition(subnet.vpc) for subnet in spec.subnets]
    if spec.lambda_subnet is not None:
        homes.append(spec.partition(spec.subnets[spec.lambda_subnet].vpc))
    return Built(
        tuple(instances), tuple(public), tuple(groups), tuple(tables), lambda_eni, tuple(homes)
    )


def _route_to_appliance(
    ec2: list[Any], spec: NetworkSpec, instances: list[tuple[str, str]], tables: list[str]
) -> None:
    """Routes 0.0.0.0/0 -> the NAT instance from the other subnets of its VPC that ask."""
    if spec.appliance is None:
        return
    appliance_id = instances[spec.appliance][0]
    home = spec.subnets[spec.appliance].vpc
    if spec.appliance_check_off:
        ec2[home].modify_instance_attribute(
            InstanceId=appliance_id, SourceDestCheck={"Value": False}
        )
    for index, subnet in enumerate(spec.subnets):
        wanted = subnet.default_route == "appliance" and subnet.vpc == home
        if wanted and index not in (spec.appliance, spec.nat_subnet):
            ec2[home].create_route(
                RouteTableId=tables[index],
                DestinationCidrBlock="0.0.0.0/0",
                InstanceId=appliance_id,
            )


@dataclass(frozen=True)
class Probe:
    """One sampled flow between instances (by index) or the internet (None).

    From the internet the flow goes to the instance's public address, from 198.51.100.10.
    """

    source: int | None
    destination: int | None
    protocol: str
    source_port: int

    def ends(self, built: Built) -> tuple[str, str, str, str]:
        """(source for the tracer, source address, destination for the tracer, its address)."""
        if self.source is None:
            assert self.destination is not None
            public = built.public[self.destination]
            assert public is not None
            return "internet", INTERNET, built.instances[self.destination][0], public
        source_id, source_address = built.instances[self.source]
        if self.destination is None:
            return source_id, source_address, "internet", INTERNET
        destination_id, address = built.instances[self.destination]
        return source_id, source_address, destination_id, address


def _expected(view: View, built: Built, probe: Probe) -> tuple[bool, str | None] | None:
    """The tracer's answer: (reachable, source seen), or None when it depends on conditions."""
    source, source_address, destination, address = probe.ends(built)
    ported = probe.protocol != "icmp"
    flow = Flow(
        protocol=probe.protocol,
        source_ip=source_address if probe.source is None else None,
        destination_ip=address,
        source_port=probe.source_port if ported else None,
        destination_port=PORTS.get(probe.protocol),
    )
    result = trace(compile_view(view), source, destination, flow)
    if result.conditions:
        return None
    seen = result.arrived.source if result.reachable and result.arrived and ported else None
    return result.reachable, seen


def _observe(built: Built, probes: list[Probe]) -> list[tuple[bool, str | None]]:
    """Run every probe at once in the kernel: (connected, source the far end saw)."""
    running = []
    for probe in probes:
        source, source_address, _, address = probe.ends(built)
        where = internet_namespace(RUN) if source == "internet" else namespace_name(RUN, source)
        command = ["ip", "netns", "exec", where]
        if probe.protocol == "icmp":
            command += ["ping", "-c1", "-W1", "-I", source_address, address]
        else:
            port = str(PORTS[probe.protocol])
            command += [sys.executable, "-c", PROBE, probe.protocol, address, port]
            command += [source_address, str(probe.source_port)]
        running.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        )
    observed = []
    for probe, proc in zip(probes, running, strict=True):
        out, _ = proc.communicate(timeout=10)
        connected = proc.returncode == 0
        seen = out.strip() if connected and probe.protocol != "icmp" else None
        observed.append((connected, seen))
    return observed


def _probe(built: Built, number: int, pick: tuple[int, int, str]) -> Probe:
    """A drawn (source, target, protocol) as a flow of this network; the internet is index n."""
    count = len(built.instances)
    source, target = pick[0] % (count + 1), pick[1] % (count + 1)
    from_internet = source == count and built.public[target % count] is not None
    if from_internet:
        return Probe(None, target % count, pick[2], 40000 + number)
    source %= count
    destination = None if target in (count, source) else target
    return Probe(source, destination, pick[2], 40000 + number)


@pytest.fixture(scope="module")
def applier() -> Iterator[Applier]:
    """One applier for the module; every namespace of this run removed at the end."""
    teardown_all(RUN)
    made = Applier()
    try:
        yield made
    finally:
        made.teardown()
        teardown_all(RUN)


def _listen(built: Built) -> list[subprocess.Popen[str]]:
    """In every instance: HTTP on TCP 80 and UDP 53 answering with the address they saw."""
    listeners = []
    for instance_id, address in built.instances:
        command = ["ip", "netns", "exec", namespace_name(RUN, instance_id), sys.executable]
        command += ["-m", "vpclab.realmode.internet_hosts", address]
        listeners.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
    for listener in listeners:
        assert listener.stdout is not None
        listener.stdout.readline()
    return listeners


# Changes made through the API between the two rounds of probes: the kernel gets them by an
# incremental apply (only what changed), the tracer reads the new state.
MUTATIONS = ("none", "open-group", "close-group", "drop-default-route", "close-egress")


def _mutate(api: Api, spec: NetworkSpec, built: Built, kind: str, index: int) -> None:
    """Change one group or route table of the network through the EC2 API."""
    index %= len(built.groups)
    ec2 = clients(api, spec)[spec.subnets[index].vpc]
    group = built.groups[index]
    everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    described = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    if kind == "open-group":
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[everything])
    elif kind == "close-group" and described["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=described["IpPermissions"])
    elif kind == "close-egress" and described["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(
            GroupId=group, IpPermissions=described["IpPermissionsEgress"]
        )
    elif kind == "drop-default-route":
        table = built.tables[index]
        routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        if any(route.get("DestinationCidrBlock") == "0.0.0.0/0" for route in routes):
            ec2.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")


def _disagreements(
    store: Store,
    built: Built,
    probes: list[Probe],
    when: str,
) -> list[str]:
    """Probe the kernel, then ask the tracer about the same state: every difference. The
    tracer reads the partition of the flow's sending instance (for a flow from the internet,
    of its destination), as `vpclab trace --account --region` would."""
    observed = _observe(built, probes)
    problems = []
    for probe, seen in zip(probes, observed, strict=True):
        home = probe.source if probe.source is not None else probe.destination
        assert home is not None
        expected = _expected(store.view(*built.homes[home]), built, probe)
        if expected is not None and expected != seen:
            problems.append(f"{when} {probe}: tracer {expected}, kernel {seen}")
    return problems


def compare(
    applier: Applier,
    spec: NetworkSpec,
    picks: list[tuple[int, int, str]],
    mutation: tuple[str, int] = ("none", 0),
) -> list[str]:
    """Build the network, probe, change it, probe again; list every disagreement."""
    store = Store(None, clock=Clock(settle_seconds=0.0))
    api = Api(store, Settings())
    built = build(api, spec)
    probes = [_probe(built, number, pick) for number, pick in enumerate(picks)]
    applier.apply(build_plan(store.world(), RUN))
    listeners = _listen(built)
    try:
        problems = _disagreements(store, built, probes, "built:")
        if mutation[0] != "none":
            _mutate(api, spec, built, *mutation)
            applier.apply(build_plan(store.world(), RUN))
            # New source ports: a flow tracked before the change would survive it (SG-10).
            again = [replace(probe, source_port=probe.source_port + 100) for probe in probes]
            problems += _disagreements(store, built, again, f"after {mutation}:")
    finally:
        for listener in listeners:
            listener.kill()
            listener.communicate()
        applier.teardown()
    return problems


@settings(
    max_examples=int(os.environ.get("VPCLAB_DIFFERENTIAL_EXAMPLES", "3")),
    deadline=None,
    derandomize="VPCLAB_DIFFERENTIAL_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    spec=networks(),
    picks=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.sampled_from(("tcp", "udp", "icmp"))),
        min_size=4,
        max_size=6,
    ),
    mutation=st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 3)),
)
def test_kernel_agrees_with_the_tracer_on_random_networks(
    applier: Applier,
    spec: NetworkSpec,
    picks: list[tuple[int, int, str]],
    mutation: tuple[str, int],
) -> None:
    """Connected or not, and the source address the destination saw: the same in both, also
    after a change through the API has been applied incrementally."""

    problems = compare(applier, spec, picks, mutation)
    assert not problems, f"{spec}\n" + "\n".join(problems)


def _subnet(default_route: str, public_ip: bool) -> SubnetSpec:
    """A subnet of the regression cases: default NACL, open groups, egress to all."""
    return SubnetSpec(
        vpc=0,
        default_route=default_route,
        peer_route=False,
        nacl="default",
        public_ip=public_ip,
        ingress=frozenset(INGRESS),
        egress="all",
    )


def test_igw_9_no_inbound_connection_when_the_reply_leaves_through_a_nat_gateway(
    applier: Applier,
) -> None:
    """IGW-9, found by the differential test: internet -> the public IP of an instance whose
    subnet routes 0.0.0.0/0 to a NAT gateway. The reply leaves through the NAT gateway and comes
    back from its Elastic IP, not the address called: no connection, in the kernel and the
    tracer alike (the tracer once accepted any reply reaching the internet)."""
    spec = NetworkSpec(
        vpcs=1,
        igw=(True,),
        nat_subnet=0,
        appliance=None,
        appliance_check_off=False,
        peering=False,
        subnets=(_subnet("igw", public_ip=False), _subnet("nat", public_ip=True)),
    )
    problems = compare(applier, spec, [(2, 1, "tcp"), (2, 1, "udp"), (1, 2, "tcp")])
    assert not problems, "\n".join(problems)


def _peered_with_lambda(peer_partition: str) -> NetworkSpec:
    """VPC 1 in another partition, peered with VPC 0 (routes both ways); a Lambda function in
    VPC 0's public subnet (indexes: 0-2 instances, 3 the Lambda ENI, 4 the internet)."""
    peered = replace(_subnet("igw", public_ip=True), peer_route=True)
    return NetworkSpec(
        vpcs=2,
        igw=(True, False),
        nat_subnet=None,
        appliance=None,
        appliance_check_off=False,
        peering=True,
        subnets=(peered, replace(peered, vpc=1), _subnet("igw", public_ip=False)),
        peer_partition=peer_partition,
        lambda_subnet=0,
    )


@pytest.mark.parametrize("peer_partition", ["account", "region"])
def test_pcx_14_lam_2_kernel_agrees_across_partitions_and_from_a_lambda_eni(
    applier: Applier, peer_partition: str
) -> None:
    """The vocabulary's newer parts, fixed: from the Lambda ENI over the peering and to the
    internet (none: no public address, LAM-3), to the Lambda ENI (none, LAM-2), and across a
    cross-account or cross-region peering both ways: kernel and tracer agree."""
    picks = [(3, 1, "tcp"), (3, 1, "udp"), (3, 4, "tcp"), (0, 3, "tcp"), (1, 0, "icmp")]
    problems = compare(applier, _peered_with_lambda(peer_partition), [*picks, (1, 3, "udp")])
    assert not problems, "\n".join(problems)


def test_lam_4_no_icmp_from_a_lambda_eni(applier: Applier) -> None:
    """Found by the differential test: a ping from a Lambda ENI to a peer instance whose group
    admits ICMP. A function sends TCP and UDP only (LAM-4): the kernel drops it and the tracer
    says so (PROTOCOL_RESTRICTION)."""
    problems = compare(applier, _peered_with_lambda("same"), [(3, 1, "icmp")])
    assert not problems, "\n".join(problems)
