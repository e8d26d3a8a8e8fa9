"""The desired kernel objects for a View: namespaces, links, addresses and nftables rulesets."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

from vpclab.control import elasticache, rds
from vpclab.model.gateways import Address, InternetGateway, NatGateway
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state, nat_gateway_state
from vpclab.model.network_acl import NaclEntry, NetworkAcl
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.route_state import route_state, subnet_route_table
from vpclab.model.route_table import Route
from vpclab.model.security_group import PrefixList, SecurityGroup, SgRule
from vpclab.model.services import CacheCluster, DbInstance, service_status
from vpclab.model.state import View, World
from vpclab.model.vpc import Subnet, Vpc

PREFIX = "vpclab-"
SG_TABLE = "vpclab_sg"
NACL_TABLE = "vpclab_nacl"
IGW_TABLE = "vpclab_igw"
NAT_TABLE = "vpclab_nat"
ROUTE_PROTO = 99  # marks the routes real mode installs, so they can be flushed and rewritten
FIRST_TABLE = 100
LINK_SLOTS = 1 << 20  # /30 links in 100.64.0.0/10
NAT_PORTS = "1024-65535"  # a NAT gateway's source ports (NAT-6, NAT-12)
# Every namespace holding ENIs forwards; the forward chain decides (ENI-6 source/dest check).
HOST_SYSCTLS = (
    ("net.ipv4.ip_forward", "1"),
    ("net.ipv4.conf.all.send_redirects", "0"),
    ("net.ipv4.conf.default.send_redirects", "0"),
)
# A Lambda function's source ports are 1024-65535 (LAM-4, NACL-9): its namespace picks from them.
LAMBDA_SYSCTLS = (*HOST_SYSCTLS, ("net.ipv4.ip_local_port_range", "1024 65535"))
ROUTER_SYSCTLS = (
    *HOST_SYSCTLS,
    # With br_netfilter loaded bridged (same-subnet) frames would meet the NACL chains; inside a
    # subnet AWS applies no NACL (NACL-15), so bridged frames skip the firewall.
    *((f"net.bridge.bridge-nf-call-{table}", "0") for table in ("iptables", "ip6tables")),
    ("net.bridge.bridge-nf-call-arptables", "0"),
)


def link_addresses(key: str) -> tuple[str, str]:
    """The /30 of a point-to-point link (uplink or peering), stable for its resource id.

    Derived from the id rather than an index, so adding a VPC or a peering never renumbers
    (and so never rebuilds) the links that already exist.
    """
    slot = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % LINK_SLOTS
    base = ipaddress.ip_address("100.64.0.0") + 4 * slot
    return f"{base + 1}", f"{base + 2}"


def short_name(kind: str, resource_id: str) -> str:
    """A kernel interface name (at most 15 chars) derived from a resource id, vpclab-prefixed."""
    digest = hashlib.sha256(resource_id.encode()).hexdigest()[:10]
    return f"vl{kind}{digest}"


def run_tag(endpoint: str, account: str, region: str) -> str:
    """A short tag naming one run's namespaces: the server and partition it follows.

    Two `vpclab up` against different servers (or partitions) never share a namespace, and
    `vpclab down` of one leaves the other's alone; a later run against the same target finds
    its crashed predecessor's leftovers under the same tag.
    """
    return hashlib.sha256(f"{endpoint}|{account}|{region}".encode()).hexdigest()[:6]


def namespace_name(run: str, resource_id: str) -> str:
    """The namespace of a VPC router, an instance, a NAT gateway or a service ENI in a run."""
    return f"{PREFIX}{run}-{resource_id}"


def internet_namespace(run: str) -> str:
    """The simulated internet's namespace of a run."""
    return namespace_name(run, "internet")


@dataclass(frozen=True)
class SubnetPort:
    """A subnet's bridge in its VPC router, addressed with the subnet router address (base+1)."""

    bridge: str
    gateway_cidr: str


@dataclass(frozen=True)
class RouterPlan:
    """One namespace per VPC, routing between its subnets' bridges (the VPC local route)."""

    vpc_id: str
    namespace: str
    subnets: tuple[SubnetPort, ...]
    ruleset: str
    # The veth towards the internet namespace when an IGW is attached (its name in the router).
    uplink: str | None = None
    # `ip` batch lines (tables and rules) implementing the subnets' route tables.
    routing: tuple[str, ...] = ()
    # Public address -> private address, the IGW's 1:1 NAT (IGW-6).
    public_map: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PeeringLink:
    """An active peering between two materialized VPCs: a veth joining their routers."""

    peering_id: str
    name: str  # the veth's name at both ends
    vpcs: tuple[str, str]  # requester's and accepter's VPC
    routers: tuple[str, str]  # their router namespaces, in the same order
    addresses: tuple[str, str]  # each end's /30 address, in the same order
    # Each VPC's IPv4 blocks, in the same order (the routers' filters carry them; a change
    # rewrites those filters, not the link).
    cidrs: tuple[tuple[str, ...], tuple[str, ...]] = field(default=((), ()), compare=False)


@dataclass(frozen=True)
class InterfacePlan:
    """One ENI as a veth: its name inside the namespace, its peer on the subnet bridge."""

    name: str
    peer: str
    bridge: str
    mac: str
    cidrs: tuple[str, ...]
    gateway: str
    primary: bool


@dataclass(frozen=True)
class HostPlan:
    """One namespace per ENI holder (instance, NAT gateway, database, cache node)."""

    owner_id: str
    name_tag: str | None
    namespace: str
    router: str
    interfaces: tuple[InterfacePlan, ...]
    ruleset: str
    # TCP ports something answers on (a database's or cache node's port), HTTP for curl.
    listen_ports: tuple[int, ...] = ()
    sysctls: tuple[tuple[str, str], ...] = HOST_SYSCTLS


@dataclass(frozen=True)
class Plan:
    """Everything real mode wants in the kernel for one partition, in one run's namespaces."""

    run: str
    routers: tuple[RouterPlan, ...]
    hosts: tuple[HostPlan, ...]
    peerings: tuple[PeeringLink, ...] = ()
    # (DNS name, private IPv4) of the service endpoints, for every namespace's /etc/hosts.
    names: tuple[tuple[str, str], ...] = ()

    @property
    def internet(self) -> str:
        """This run's internet namespace."""
        return internet_namespace(self.run)

    @property
    def needs_internet(self) -> bool:
        """Whether any VPC has an internet gateway, so the internet namespace must exist."""
        return any(router.uplink is not None for router in self.routers)


@dataclass(frozen=True)
class _Holder:
    """What gets a namespace: an instance, NAT gateway or service, with its ENIs in order."""

    owner_id: str
    vpc_id: str
    name_tag: str | None
    enis: tuple[NetworkInterface, ...]
    nat: NatGateway | None = None
    listen_ports: tuple[int, ...] = ()
    # A Lambda Hyperplane ENI: opens connections, accepts none (LAM-2), TCP/UDP only (LAM-4).
    lambda_eni: bool = False


def build_plan(source: View | World, run: str, vpc_ids: frozenset[str] | None = None) -> Plan:
    """The kernel objects for every running instance, available NAT gateway, database, cache
    node and Lambda ENI (of the chosen VPCs), their VPC routers and the peering links between
    them: of one partition (a View) or of every partition of a World, so that a peering across
    accounts or regions links its two VPCs like any other."""
    views = (
        [source]
        if isinstance(source, View)
        else [source.view(account, region) for account, region in sorted(source.partitions)]
    )
    holders: list[tuple[View, _Holder]] = []
    services: list[_Service] = []
    for view in views:
        found = _available_services(view)
        services += found
        holders += [
            (view, holder)
            for holder in _holders(view) + _service_holders(view, found) + _lambda_holders(view)
            if vpc_ids is None or holder.vpc_id in vpc_ids
        ]
    used_subnets: dict[str, set[str]] = {}
    view_of: dict[str, View] = {}
    for view, holder in holders:
        view_of[holder.vpc_id] = view
        for eni in holder.enis:
            used_subnets.setdefault(eni.vpc_id, set()).add(eni.subnet_id)
    materialized = {eni.id: eni for _, holder in holders for eni in holder.enis}
    peerings = _peering_links(views, run, set(used_subnets))
    routers = []
    for vpc_id, subnet_set in sorted(used_subnets.items()):
        view = view_of[vpc_id]
        attached = {igw.vpc_id for igw in view.iter(InternetGateway) if igw.vpc_id is not None}
        subnets = sorted(subnet_set)
        uplink = short_name("u", vpc_id) if vpc_id in attached else None
        namespace = namespace_name(run, vpc_id)
        links = [link for link in peerings if namespace in link.routers]
        routers.append(
            RouterPlan(
                vpc_id,
                namespace,
                tuple(_subnet_port(view, subnet_id) for subnet_id in subnets),
                network_acl_ruleset(view, subnets) + _peering_ruleset(namespace, links),
                uplink,
                _routing(view, vpc_id, subnets, uplink, materialized, links),
                _public_map(view, vpc_id, materialized) if uplink else (),
            )
        )
    hosts = tuple(_host_plan(view, run, holder, materialized) for view, holder in holders)
    names = tuple(sorted(name for view in views for name in _endpoint_names(view, services)))
    return Plan(run, tuple(routers), hosts, tuple(peerings), names)


def _holders(view: View) -> list[_Holder]:
    """Running instances with their attached ENIs, and available NAT gateways with theirs."""
    now, settle = view.now(), view.clock.settle_seconds
    enis_by_instance: dict[str, list[NetworkInterface]] = {}
    for eni in view.all(NetworkInterface):
        if eni.attachment is not None:
            enis_by_instance.setdefault(eni.attachment.instance_id, []).append(eni)
    holders = []
    for inst in view.all(Instance):
        if instance_state(inst, now, settle) != "running":
            continue
        name_tag = dict(inst.tags).get("Name") if inst.tags else None
        enis = tuple(sorted(enis_by_instance.get(inst.id, []), key=_device_index))
        holders.append(_Holder(inst.id, inst.vpc_id, name_tag, enis))
    for nat in view.all(NatGateway):
        if nat_gateway_state(nat, now, settle) != "available" or not nat.network_interface_id:
            continue
        nat_eni = view.get(NetworkInterface, nat.network_interface_id)
        if nat_eni is not None:
            name_tag = dict(nat.tags).get("Name") if nat.tags else None
            holders.append(_Holder(nat.id, nat.vpc_id, name_tag, (nat_eni,), nat))
    return holders


@dataclass(frozen=True)
class _Service:
    """An available database or cache cluster: its nodes as (ENI id, endpoint name), its port."""

    service_id: str
    vpc_id: str
    nodes: tuple[tuple[str, str], ...]
    port: int


def _available_services(view: View) -> list[_Service]:
    """Available RDS instances and ElastiCache clusters, with their endpoint names."""
    now, settle = view.now(), view.clock.settle_seconds
    services = [
        _Service(db.id, db.vpc_id, ((db.eni_id, rds.endpoint_address(view, db)),), db.port)
        for db in view.all(DbInstance)
        if service_status(db.created_at, db.deleted_at, now, settle) == "available"
    ]
    services += [
        _Service(
            cluster.id,
            cluster.vpc_id,
            tuple(
                (eni_id, elasticache.node_address(view, cluster, index))
                for index, eni_id in enumerate(cluster.node_enis)
            ),
            cluster.port,
        )
        for cluster in view.all(CacheCluster)
        if service_status(cluster.created_at, cluster.deleted_at, now, settle) == "available"
    ]
    return services


def _service_holders(view: View, services: list[_Service]) -> list[_Holder]:
    """Each service node's ENI in its own namespace (named by the ENI id), answering on the
    service's port; its security groups apply as on any ENI, so an instance reaches the
    endpoint exactly when the groups and NACLs admit it (SVC-1, SVC-2)."""
    holders = []
    for service in services:
        for eni_id, _ in service.nodes:
            eni = view.get(NetworkInterface, eni_id)
            if eni is not None:
                holders.append(
                    _Holder(
                        eni_id, service.vpc_id, service.service_id, (eni,), None, (service.port,)
                    )
                )
    return holders


def _lambda_holders(view: View) -> list[_Holder]:
    """Each Lambda Hyperplane ENI (one per subnet and group set, shared by the account's
    functions: LAM-1) in its own namespace named by the ENI id, where `vpclab exec` runs what
    the function would: its traffic leaves with the ENI's address, under its groups, its
    subnet's NACL and route table (PKT-10)."""
    return [
        _Holder(eni.id, eni.vpc_id, None, (eni,), lambda_eni=True)
        for eni in view.all(NetworkInterface)
        if eni.interface_type == "lambda"
    ]


def _endpoint_names(view: View, services: list[_Service]) -> tuple[tuple[str, str], ...]:
    """(endpoint name, private IPv4) of every service node: inside the VPC an endpoint
    resolves to the private address (SVC-2), which real mode writes into each namespace's
    /etc/hosts (`ip netns exec` reads /etc/netns/<namespace>/hosts)."""
    names = []
    for service in services:
        for eni_id, name in service.nodes:
            eni = view.get(NetworkInterface, eni_id)
            if eni is not None:
                names.append((name, eni.primary_ip))
    return tuple(names)


def _peering_links(views: list[View], run: str, vpcs: set[str]) -> list[PeeringLink]:
    """Active peerings whose both VPCs are materialized (PCX-8), whichever partitions they are
    in (PCX-14): the record is kept on both sides, so each link is planned once."""
    links: dict[str, PeeringLink] = {}
    for view in views:
        for pcx in view.all(VpcPeeringConnection):
            sides = (pcx.requester, pcx.accepter)
            if pcx.status != "active" or pcx.id in links:
                continue
            if not all(side.vpc_id in vpcs for side in sides):
                continue
            links[pcx.id] = PeeringLink(
                pcx.id,
                short_name("p", pcx.id),
                (sides[0].vpc_id, sides[1].vpc_id),
                (namespace_name(run, sides[0].vpc_id), namespace_name(run, sides[1].vpc_id)),
                link_addresses(pcx.id),
                (_side_cidrs(view, sides[0]), _side_cidrs(view, sides[1])),
            )
    return [links[pcx_id] for pcx_id in sorted(links)]


def unshown_peerings(world: World) -> tuple[str, ...]:
    """Active peerings whose far side lives in a partition the run is not shown (narrowed by
    --account/--region, or confined by a strict server): no link can be built for them, so
    their routes are blackholes in the kernel. One line each, for `vpclab up` to say so."""
    found = set()
    for account, region in list(world.partitions):
        for pcx in world.view(account, region).iter(VpcPeeringConnection):
            if pcx.status != "active":
                continue
            for side in (pcx.requester, pcx.accepter):
                if side.partition() not in world.partitions:
                    where = f"account {side.owner_id}, {side.region}"
                    found.add(f"{pcx.id} (to {side.vpc_id} in {where})")
    return tuple(sorted(found))


def _side_cidrs(view: View, side: PeeringSide) -> tuple[str, ...]:
    """A peering side's VPC's IPv4 blocks, read in its own partition."""
    here = side.partition() == (view.account, view.region) or view.world is None
    owner = view if here else view.other(*side.partition())
    vpc = owner.get(Vpc, side.vpc_id)
    return tuple(vpc.cidrs()) if vpc is not None else side.cidr_blocks


def _peering_ruleset(namespace: str, links: list[PeeringLink]) -> str:
    """A router's peering filter: only traffic between the two VPCs' CIDRs crosses (PCX-11).

    That is what makes peering non-transitive and forbids edge-to-edge routing: a packet from
    the peer for a third VPC, or for the internet through our IGW, is dropped here. The table
    is written even without links, so the filter of a deleted peering does not linger.
    """
    lines = [
        "table inet vpclab_pcx",
        "delete table inet vpclab_pcx",
        "table inet vpclab_pcx {",
        "  chain forward {",
        "    type filter hook forward priority -10; policy accept;",
    ]
    for link in links:
        mine = 0 if link.routers[0] == namespace else 1
        own = _address_set(list(link.cidrs[mine]))
        theirs = _address_set(list(link.cidrs[1 - mine]))
        lines += [
            f"    iifname {link.name} ip saddr != {theirs} drop",
            f"    iifname {link.name} ip daddr != {own} drop",
            f"    oifname {link.name} ip saddr != {own} drop",
            f"    oifname {link.name} ip daddr != {theirs} drop",
        ]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _address_set(cidrs: list[str]) -> str:
    """An anonymous nft set of addresses (a never-matching one when empty)."""
    return "{ " + ", ".join(cidrs or ["0.0.0.0/32"]) + " }"


def _routing(
    view: View,
    vpc_id: str,
    subnet_ids: list[str],
    uplink: str | None,
    materialized: dict[str, NetworkInterface],
    links: list[PeeringLink],
) -> tuple[str, ...]:
    """Per subnet: `ip rule iif <bridge> lookup <table>` and the table's routes (RT-12, RT-18).

    The kernel does longest prefix match; the local route becomes the VPC's subnet routes;
    an active route goes to its target (IGW uplink, NAT gateway or appliance ENI on its subnet
    bridge, the peering link); anything else, or a target not materialized, is a blackhole.
    """
    lines = []
    ports = {subnet_id: _subnet_port(view, subnet_id) for subnet_id in subnet_ids}
    hops = _Hops(
        view,
        f"via {link_addresses(vpc_id)[1]} dev {uplink}" if uplink else None,
        materialized,
        ports,
        {link.peering_id: _peering_hop(link, vpc_id) for link in links},
    )
    for number, subnet_id in enumerate(subnet_ids, start=FIRST_TABLE):
        bridge = ports[subnet_id].bridge
        lines.append(f"rule add iif {bridge} lookup {number} pref {number}")
        common = f"table {number} proto {ROUTE_PROTO}"
        for route in subnet_route_table(view, subnet_id).routes:
            if route.destination is None:
                continue
            if route.target.kind == "local":
                lines += [
                    f"route add {_network(port.gateway_cidr)} dev {port.bridge} {common}"
                    for port in ports.values()
                ]
                continue
            hop = None
            if route_state(view, route) == "active":
                hop = hops.towards(route)
            if hop is None:
                lines.append(f"route add blackhole {route.destination} {common}")
            else:
                lines.append(f"route add {route.destination} {hop} {common}")
        lines.append(f"route add unreachable default metric 4000 {common}")
    return tuple(lines)


def _peering_hop(link: PeeringLink, vpc_id: str) -> str:
    """`via` the far end of a peering link, seen from one of its VPCs."""
    far = 1 if link.vpcs[0] == vpc_id else 0
    return f"via {link.addresses[far]} dev {link.name}"


@dataclass(frozen=True)
class _Hops:
    """What a router knows to turn an active route's target into a kernel next hop."""

    view: View
    internet: str | None
    materialized: dict[str, NetworkInterface]
    ports: dict[str, SubnetPort]
    peerings: dict[str, str]

    def towards(self, route: Route) -> str | None:
        """`via ADDRESS dev DEVICE` for the route's target, or None when it is not built."""
        kind, target = route.target.kind, route.target.id
        if kind == "gateway" and target.startswith("igw-"):
            return self.internet
        if kind == "peering":
            return self.peerings.get(target)
        eni = self._target_eni(route)
        if eni is not None and eni.subnet_id in self.ports:
            return f"via {eni.primary_ip} dev {self.ports[eni.subnet_id].bridge}"
        return None

    def _target_eni(self, route: Route) -> NetworkInterface | None:
        """The materialized ENI a NAT gateway, ENI or instance route sends to."""
        kind, target = route.target.kind, route.target.id
        if kind == "nat":
            nat = self.view.get(NatGateway, target)
            return self.materialized.get(nat.network_interface_id or "") if nat else None
        if kind == "eni":
            return self.materialized.get(target)
        if kind == "instance":
            if route.target_eni:
                return self.materialized.get(route.target_eni)
            return next(
                (
                    eni
                    for eni in self.materialized.values()
                    if eni.attachment is not None
                    and eni.attachment.instance_id == target
                    and eni.attachment.device_index == 0
                ),
                None,
            )
        return None


def _network(gateway_cidr: str) -> str:
    """The subnet CIDR of a router address with prefix."""
    return str(ipaddress.ip_interface(gateway_cidr).network)


def _public_map(
    view: View, vpc_id: str, materialized: dict[str, NetworkInterface]
) -> tuple[tuple[str, str], ...]:
    """Public IPv4 -> private IPv4 of the materialized ENIs: auto-assigned, EIPs, NAT EIPs."""
    mapping: dict[str, str] = {}
    for eni in materialized.values():
        if eni.vpc_id != vpc_id:
            continue
        if eni.public_ip:
            mapping[eni.public_ip] = eni.primary_ip
        for address in view.iter(Address):
            if address.network_interface_id == eni.id and address.private_ip:
                mapping[address.public_ip] = address.private_ip
    for nat in view.iter(NatGateway):
        public = nat.connectivity_type == "public" and nat.public_ip and nat.private_ip
        if nat.vpc_id == vpc_id and public and nat.network_interface_id in materialized:
            mapping[str(nat.public_ip)] = str(nat.private_ip)
    return tuple(sorted(mapping.items()))


def internet_gateway_ruleset(router: RouterPlan) -> str:
    """An nft script: the IGW's 1:1 NAT on the uplink; unmapped private sources never leave."""
    lines = [f"table ip {IGW_TABLE}", f"delete table ip {IGW_TABLE}", f"table ip {IGW_TABLE} {{"]
    if router.uplink is not None:
        link = router.uplink
        lines += ["  chain prerouting {", "    type nat hook prerouting priority dstnat;"]
        lines += [
            f"    iifname {link} ip daddr {public} dnat to {private}"
            for public, private in router.public_map
        ]
        lines += ["  }", "  chain postrouting {", "    type nat hook postrouting priority srcnat;"]
        lines += [
            f"    oifname {link} ip saddr {private} snat to {public}"
            for public, private in router.public_map
        ]
        lines += ["  }", "  chain unmapped {", "    type filter hook postrouting priority 200;"]
        allowed = sorted({public for public, _ in router.public_map})
        if allowed:
            lines.append(f"    oifname {link} ip saddr {{ {', '.join(allowed)} }} accept")
        lines += [f"    oifname {link} drop", "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _device_index(eni: NetworkInterface) -> int:
    """Sort key: ENIs in device-index order, eth0 first."""
    return eni.attachment.device_index if eni.attachment is not None else 0


def _subnet_port(view: View, subnet_id: str) -> SubnetPort:
    """The bridge and router address of a subnet."""
    subnet = view.get(Subnet, subnet_id)
    if subnet is None:
        raise LookupError(f"subnet {subnet_id} vanished")
    network = ipaddress.ip_network(subnet.cidr_block)
    return SubnetPort(
        short_name("b", subnet_id), f"{network.network_address + 1}/{network.prefixlen}"
    )


def _host_plan(
    view: View, run: str, holder: _Holder, materialized: dict[str, NetworkInterface]
) -> HostPlan:
    """A holder's namespace: a veth per ENI, and its rules (SGs and forwarding, or the NAT)."""
    interfaces = []
    for eni in holder.enis:
        subnet = view.get(Subnet, eni.subnet_id)
        if subnet is None:
            continue
        network = ipaddress.ip_network(subnet.cidr_block)
        index = _device_index(eni)
        interfaces.append(
            InterfacePlan(
                name=f"eth{index}",
                peer=short_name("v", eni.id),
                bridge=short_name("b", eni.subnet_id),
                mac=eni.mac_address,
                cidrs=tuple(f"{ip}/{network.prefixlen}" for ip in eni.addresses()),
                gateway=str(network.network_address + 1),
                primary=index == 0,
            )
        )
    if holder.nat is not None:
        ruleset = nat_gateway_ruleset(holder.enis[0].primary_ip)
    elif holder.lambda_eni:
        ruleset = security_group_ruleset(view, list(holder.enis), lambda_eni=True)
    else:
        ruleset = security_group_ruleset(view, list(holder.enis)) + nat_instance_ruleset(
            view, list(holder.enis)
        )
    return HostPlan(
        holder.owner_id,
        holder.name_tag,
        namespace_name(run, holder.owner_id),
        namespace_name(run, holder.vpc_id),
        tuple(interfaces),
        ruleset,
        holder.listen_ports,
        LAMBDA_SYSCTLS if holder.lambda_eni else HOST_SYSCTLS,
    )


def nat_gateway_ruleset(private_ip: str) -> str:
    """An nft script for a NAT gateway's namespace (NAT-6, NAT-7, NAT-8, NAT-12).

    It forwards new TCP, UDP and ICMP flows from inside, rewriting their source to its private
    address (ports 1024-65535); replies come back through conntrack. Nothing else gets in: no
    unsolicited inbound, no answer to pings, other protocols dropped. No security group.
    """
    lines = [
        f"table ip {NAT_TABLE}",
        f"delete table ip {NAT_TABLE}",
        f"table ip {NAT_TABLE} {{",
        "  chain input {",
        "    type filter hook input priority 0; policy drop;",
        "    ct state established,related accept",
        "    iif lo accept",
        "  }",
        "  chain forward {",
        "    type filter hook forward priority 0; policy drop;",
        "    ct state established,related accept",
        f"    ip saddr != {private_ip} meta l4proto {{ tcp, udp, icmp }} accept",
        "  }",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat;",
        f"    ip saddr != {private_ip} meta l4proto {{ tcp, udp }} snat to {private_ip}:{NAT_PORTS}",
        f"    ip saddr != {private_ip} snat to {private_ip}",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def nat_instance_ruleset(view: View, enis: list[NetworkInterface]) -> str:
    """An nft script: what NAT software on an instance does (NATI-6), only with the check off.

    A forwarded packet whose next hop from the ENI's subnet is the IGW leaves with the ENI's
    primary private address as its source; other forwarded packets keep theirs. The routes
    are tried longest prefix first, so the first match is the kernel's (and AWS's) choice.
    The table is written even when empty, so turning the check back on removes the NAT.
    """
    lines = []
    for eni in enis:
        if eni.source_dest_check or eni.attachment is None:
            continue
        device = f"eth{eni.attachment.device_index}"
        own = _address_set(list(eni.addresses()))
        routes = sorted(
            (r for r in subnet_route_table(view, eni.subnet_id).routes if r.destination),
            key=lambda r: -ipaddress.ip_network(r.destination or "0.0.0.0/0").prefixlen,
        )
        for route in routes:
            to_internet = route.target.kind == "gateway" and route.target.id.startswith("igw-")
            verdict = f"snat to {eni.primary_ip}" if to_internet else "return"
            lines.append(
                f"    oifname {device} ip saddr != {own} ip daddr {route.destination} {verdict}"
            )
    head = [
        f"table ip {NAT_TABLE}",
        f"delete table ip {NAT_TABLE}",
        f"table ip {NAT_TABLE} {{",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat;",
    ]
    return "\n".join([*head, *lines, "  }", "}"]) + "\n"


def security_group_ruleset(
    view: View, enis: list[NetworkInterface], *, lambda_eni: bool = False
) -> str:
    """An nft script: per ENI, stateful input and output gates allowing what its groups allow.

    Forwarded packets (an appliance, NATI-3, PKT-7) must pass the ingress rules of the ENI
    they arrive on and then the egress rules of the ENI they leave by; an ENI with the
    source/destination check on forwards nothing (ENI-6). A Lambda ENI admits nothing but
    replies, whatever its ingress rules say (LAM-2), and sends only TCP and UDP (LAM-4).
    """
    lines = [
        f"table inet {SG_TABLE}",
        f"delete table inet {SG_TABLE}",
        f"table inet {SG_TABLE} {{",
    ]
    attached = list(enis)  # a service's ENI has no attachment: its device is eth0
    forwarding = [eni for eni in attached if not eni.source_dest_check]
    gates = (
        ("input", [] if lambda_eni else attached, False, "accept"),
        ("output", attached, True, "accept"),
        ("forward", forwarding, False, "goto forward_out"),
    )
    for hook, gated, egress, verdict in gates:
        lines += [
            f"  chain {hook} {{",
            f"    type filter hook {hook} priority 0; policy drop;",
            "    ct state established,related accept",
        ]
        if hook != "forward":
            lines.append(f"    {'iif' if hook == 'input' else 'oif'} lo accept")
        if hook == "output" and lambda_eni:
            lines.append("    meta l4proto != { tcp, udp } drop")
        for eni in gated:
            device = _device(eni)
            for rule in _rules_of(view, eni, egress=egress):
                lines += _rule_lines(view, rule, device, egress, verdict)
        lines.append("  }")
    lines.append("  chain forward_out {")
    for eni in forwarding:
        for rule in _rules_of(view, eni, egress=True):
            lines += _rule_lines(view, rule, _device(eni), True, "accept")
    lines += ["    drop", "  }", "}"]
    return "\n".join(lines) + "\n"


def _device(eni: NetworkInterface) -> str:
    """The interface name of an attached ENI inside its instance: eth<device index>."""
    return f"eth{_device_index(eni)}"


def _rules_of(view: View, eni: NetworkInterface, egress: bool) -> list[SgRule]:
    """The union of the rules of an ENI's groups in one direction (SG-3)."""
    rules = []
    for group_id in eni.groups:
        group = view.get(SecurityGroup, group_id)
        if group is not None:
            rules += [rule for rule in group.rules if rule.egress == egress]
    return rules


def _peer_addresses(view: View, rule: SgRule) -> list[str]:
    """The IPv4 addresses a rule's peer stands for (CIDR, prefix list, member ENIs, SG-13; the
    members of a peer account's group too, PCX-13)."""
    if rule.cidr_ipv4 is not None:
        return [rule.cidr_ipv4]
    if rule.prefix_list_id is not None:
        prefix_list = view.get(PrefixList, rule.prefix_list_id)
        return [entry.cidr for entry in prefix_list.entries] if prefix_list else []
    if rule.group_id is not None:
        members = _group_partition(view, rule.group_owner)
        return sorted(
            address
            for eni in members.iter(NetworkInterface)
            if rule.group_id in eni.groups
            for address in eni.addresses()
        )
    return []


def _group_partition(view: View, owner: str | None) -> View:
    """Where a referenced group's members live: this partition, or the peer account's in this
    region (a reference across a same-region peering, PCX-13) when that partition is shown."""
    if owner is None or owner == view.account or view.world is None:
        return view
    if (owner, view.region) not in view.world.partitions:
        return view  # not shown to this run: the reference expands to nothing
    return view.other(owner, view.region)


def _rule_lines(view: View, rule: SgRule, device: str, egress: bool, verdict: str) -> list[str]:
    """The nft statements of one SG rule on one ENI (empty when its peer matches nothing)."""
    peers = _peer_addresses(view, rule)
    if not peers:
        return []
    interface = f"{'oifname' if egress else 'iifname'} {device}"
    address = f"ip {'daddr' if egress else 'saddr'} {{ {', '.join(peers)} }}"
    return [f"    {interface} {address} {_protocol_match(rule)}{verdict}"]


def _protocol_match(rule: SgRule) -> str:
    """The nft protocol/port match of a rule (SG-11): all, TCP/UDP port range, ICMP type."""
    protocol = rule.protocol.lower()
    if protocol in ("-1", "all"):
        return ""
    if protocol in ("tcp", "udp", "6", "17"):
        name = {"6": "tcp", "17": "udp"}.get(protocol, protocol)
        low, high = rule.from_port or 0, rule.to_port if rule.to_port is not None else 65535
        if low <= 0 and high >= 65535:
            return f"meta l4proto {name} "
        return f"{name} dport {low}-{high} "
    if protocol in ("icmp", "1"):
        if rule.from_port is None or rule.from_port < 0:
            return "meta l4proto icmp "
        return f"icmp type {rule.from_port} "
    return f"meta l4proto {protocol} "


def network_acl_ruleset(view: View, subnet_ids: list[str]) -> str:
    """An nft script for a VPC router: stateless NACL chains on routed packets (NACL-4, NACL-15).

    Only routed packets reach the forward hook; traffic inside a subnet stays on its bridge and
    never meets a NACL, as in AWS. An allow returns to the next gate, a deny drops, and the
    final rule (the '*' entry) drops.
    """
    acl_of: dict[str, NetworkAcl] = {}
    for acl in view.iter(NetworkAcl):
        for association in acl.associations:
            acl_of[association.subnet_id] = acl
    lines = [
        f"table inet {NACL_TABLE}",
        f"delete table inet {NACL_TABLE}",
        f"table inet {NACL_TABLE} {{",
    ]
    leaving, entering = [], []
    for subnet_id in subnet_ids:
        bridge = short_name("b", subnet_id)
        chosen = acl_of.get(subnet_id)
        entries = {e: chosen.direction_entries(e) if chosen else [] for e in (True, False)}
        for egress, chain in ((True, f"out_{bridge}"), (False, f"in_{bridge}")):
            lines.append(f"  chain {chain} {{")
            lines += [
                f"    {_nacl_match(entry)}{_nacl_verdict(entry)}" for entry in entries[egress]
            ]
            lines += ["    drop", "  }"]
        leaving.append(f"    iifname {bridge} jump out_{bridge}")
        entering.append(f"    oifname {bridge} jump in_{bridge}")
    lines += ["  chain forward {", "    type filter hook forward priority 0; policy accept;"]
    lines += [*leaving, *entering, "  }", "}"]
    return "\n".join(lines) + "\n"


def _nacl_verdict(entry: NaclEntry) -> str:
    """Allow hands the packet to the next gate; deny drops it."""
    return "return" if entry.action == "allow" else "drop"


def _nacl_match(entry: NaclEntry) -> str:
    """The nft match of one NACL entry: remote CIDR, protocol, port range or ICMP type/code."""
    if entry.cidr is None:
        return "meta nfproto ipv6 "
    remote = f"ip {'daddr' if entry.egress else 'saddr'} {entry.cidr} "
    protocol = entry.protocol
    if protocol == "-1":
        return remote
    if protocol in ("6", "17"):
        name = "tcp" if protocol == "6" else "udp"
        low = entry.port_from if entry.port_from is not None else 0
        high = entry.port_to if entry.port_to is not None else 65535
        return f"{remote}{name} dport {low}-{high} "
    if protocol == "1":
        match = f"{remote}meta l4proto icmp "
        if entry.icmp_type is not None and entry.icmp_type >= 0:
            match += f"icmp type {entry.icmp_type} "
            if entry.icmp_code is not None and entry.icmp_code >= 0:
                match += f"icmp code {entry.icmp_code} "
        return match
    return f"{remote}meta l4proto {protocol} "
