"""The desired kernel objects for a View: namespaces, links, addresses and nftables rulesets."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from vpclab.model.gateways import Address, InternetGateway
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state
from vpclab.model.network_acl import NaclEntry, NetworkAcl
from vpclab.model.route_state import route_state, subnet_route_table
from vpclab.model.security_group import PrefixList, SecurityGroup, SgRule
from vpclab.model.state import View
from vpclab.model.vpc import Subnet

PREFIX = "vpclab-"
SG_TABLE = "vpclab_sg"
NACL_TABLE = "vpclab_nacl"
IGW_TABLE = "vpclab_igw"
INTERNET_NAMESPACE = f"{PREFIX}internet"
ROUTE_PROTO = 99  # marks the routes real mode installs, so they can be flushed and rewritten
FIRST_TABLE = 100


def uplink_addresses(index: int) -> tuple[str, str]:
    """The /30 joining a VPC router (first) and the internet namespace (second)."""
    base = ipaddress.ip_address("100.64.0.0") + 4 * index
    return f"{base + 1}", f"{base + 2}"


def short_name(kind: str, resource_id: str) -> str:
    """A kernel interface name (at most 15 chars) derived from a resource id, vpclab-prefixed."""
    digest = hashlib.sha256(resource_id.encode()).hexdigest()[:10]
    return f"vl{kind}{digest}"


@dataclass(frozen=True)
class SubnetPort:
    """A subnet's bridge in its VPC router, addressed with the subnet router address (base+1)."""

    bridge: str
    gateway_cidr: str


@dataclass(frozen=True)
class RouterPlan:
    """One namespace per VPC, routing between its subnets' bridges (the VPC local route)."""

    namespace: str
    subnets: tuple[SubnetPort, ...]
    ruleset: str
    # The veth towards the internet namespace when an IGW is attached: (index, router name).
    uplink: tuple[int, str] | None = None
    # `ip` batch lines (tables and rules) implementing the subnets' route tables.
    routing: tuple[str, ...] = ()
    # Public address -> private address, the IGW's 1:1 NAT (IGW-3).
    public_map: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InterfacePlan:
    """One ENI as a veth: its name inside the instance, its peer on the subnet bridge."""

    name: str
    peer: str
    bridge: str
    mac: str
    cidrs: tuple[str, ...]
    gateway: str
    primary: bool


@dataclass(frozen=True)
class HostPlan:
    """One namespace per running instance: its ENIs and its security-group ruleset."""

    instance_id: str
    name_tag: str | None
    namespace: str
    router: str
    interfaces: tuple[InterfacePlan, ...]
    ruleset: str


@dataclass(frozen=True)
class Plan:
    """Everything real mode wants in the kernel for one partition."""

    routers: tuple[RouterPlan, ...]
    hosts: tuple[HostPlan, ...]

    @property
    def needs_internet(self) -> bool:
        """Whether any VPC has an internet gateway, so the internet namespace must exist."""
        return any(router.uplink is not None for router in self.routers)


def router_namespace(vpc_id: str) -> str:
    """The namespace name of a VPC's router."""
    return f"{PREFIX}{vpc_id}"


def host_namespace(instance_id: str) -> str:
    """The namespace name of an instance."""
    return f"{PREFIX}{instance_id}"


def build_plan(view: View, vpc_ids: frozenset[str] | None = None) -> Plan:
    """The kernel objects for every running instance (of the chosen VPCs) and their routers."""
    now, settle = view.now(), view.clock.settle_seconds
    running = [
        inst
        for inst in view.all(Instance)
        if instance_state(inst, now, settle) == "running"
        and (vpc_ids is None or inst.vpc_id in vpc_ids)
    ]
    enis_by_instance: dict[str, list[NetworkInterface]] = {}
    for eni in view.all(NetworkInterface):
        if eni.attachment is not None:
            enis_by_instance.setdefault(eni.attachment.instance_id, []).append(eni)
    used_subnets: dict[str, set[str]] = {}
    hosts = []
    for inst in running:
        enis = sorted(enis_by_instance.get(inst.id, []), key=_device_index)
        for eni in enis:
            used_subnets.setdefault(eni.vpc_id, set()).add(eni.subnet_id)
        hosts.append(_host_plan(view, inst, enis))
    attached = {igw.vpc_id for igw in view.iter(InternetGateway) if igw.vpc_id is not None}
    routers = []
    for index, (vpc_id, subnets) in enumerate(sorted(used_subnets.items())):
        uplink = (index, short_name("u", vpc_id)) if vpc_id in attached else None
        routers.append(
            RouterPlan(
                router_namespace(vpc_id),
                tuple(_subnet_port(view, subnet_id) for subnet_id in sorted(subnets)),
                network_acl_ruleset(view, sorted(subnets)),
                uplink,
                _routing(view, sorted(subnets), uplink),
                _public_map(
                    view, vpc_id, [h for h in hosts if h.router == router_namespace(vpc_id)]
                )
                if uplink
                else (),
            )
        )
    return Plan(tuple(routers), tuple(hosts))


def _routing(view: View, subnet_ids: list[str], uplink: tuple[int, str] | None) -> tuple[str, ...]:
    """Per subnet: `ip rule iif <bridge> lookup <table>` and the table's routes (RT-12, RT-18).

    The kernel does longest prefix match; the local route becomes the VPC's subnet routes;
    a route to the attached IGW goes up the uplink; anything else (or not active) is a blackhole.
    """
    lines = []
    ports = {subnet_id: _subnet_port(view, subnet_id) for subnet_id in subnet_ids}
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
            elif (
                route_state(view, route) == "active"
                and route.target.id.startswith("igw-")
                and uplink is not None
            ):
                lines.append(
                    f"route add {route.destination} via {uplink_addresses(uplink[0])[1]} "
                    f"dev {uplink[1]} {common}"
                )
            else:
                lines.append(f"route add blackhole {route.destination} {common}")
        lines.append(f"route add unreachable default metric 4000 {common}")
    return tuple(lines)


def _network(gateway_cidr: str) -> str:
    """The subnet CIDR of a router address with prefix."""
    return str(ipaddress.ip_interface(gateway_cidr).network)


def _public_map(view: View, vpc_id: str, hosts: list[HostPlan]) -> tuple[tuple[str, str], ...]:
    """Public IPv4 -> private IPv4 of the materialized ENIs: auto-assigned and Elastic IPs."""
    mapping: dict[str, str] = {}
    materialized = {host.instance_id for host in hosts}
    for eni in view.iter(NetworkInterface):
        if eni.vpc_id != vpc_id or eni.attachment is None:
            continue
        if eni.attachment.instance_id not in materialized:
            continue
        if eni.public_ip:
            mapping[eni.public_ip] = eni.primary_ip
        for address in view.iter(Address):
            if address.network_interface_id == eni.id and address.private_ip:
                mapping[address.public_ip] = address.private_ip
    return tuple(sorted(mapping.items()))


def internet_gateway_ruleset(router: RouterPlan) -> str:
    """An nft script: the IGW's 1:1 NAT on the uplink; unmapped private sources never leave."""
    lines = [f"table ip {IGW_TABLE}", f"delete table ip {IGW_TABLE}", f"table ip {IGW_TABLE} {{"]
    if router.uplink is not None:
        link = router.uplink[1]
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


def _host_plan(view: View, inst: Instance, enis: list[NetworkInterface]) -> HostPlan:
    """An instance namespace: a veth per ENI and the union of its groups as nftables rules."""
    interfaces = []
    for eni in enis:
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
    name_tag = dict(inst.tags).get("Name") if inst.tags else None
    return HostPlan(
        inst.id,
        name_tag,
        host_namespace(inst.id),
        router_namespace(inst.vpc_id),
        tuple(interfaces),
        security_group_ruleset(view, enis),
    )


def security_group_ruleset(view: View, enis: list[NetworkInterface]) -> str:
    """An nft script: per ENI, stateful input and output gates allowing what its groups allow."""
    lines = [
        f"table inet {SG_TABLE}",
        f"delete table inet {SG_TABLE}",
        f"table inet {SG_TABLE} {{",
    ]
    for direction, hook in (("ingress", "input"), ("egress", "output")):
        lines += [
            f"  chain {hook} {{",
            f"    type filter hook {hook} priority 0; policy drop;",
            "    ct state established,related accept",
            f"    {'iif' if hook == 'input' else 'oif'} lo accept",
        ]
        for eni in enis:
            if eni.attachment is None:
                continue
            device = f"eth{eni.attachment.device_index}"
            for rule in _rules_of(view, eni, egress=direction == "egress"):
                lines += _rule_lines(view, rule, device, hook)
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _rules_of(view: View, eni: NetworkInterface, egress: bool) -> list[SgRule]:
    """The union of the rules of an ENI's groups in one direction (SG-3)."""
    rules = []
    for group_id in eni.groups:
        group = view.get(SecurityGroup, group_id)
        if group is not None:
            rules += [rule for rule in group.rules if rule.egress == egress]
    return rules


def _peer_addresses(view: View, rule: SgRule) -> list[str]:
    """The IPv4 addresses a rule's peer stands for (CIDR, prefix list, member ENIs, SG-13)."""
    if rule.cidr_ipv4 is not None:
        return [rule.cidr_ipv4]
    if rule.prefix_list_id is not None:
        prefix_list = view.get(PrefixList, rule.prefix_list_id)
        return [entry.cidr for entry in prefix_list.entries] if prefix_list else []
    if rule.group_id is not None:
        return sorted(
            address
            for eni in view.iter(NetworkInterface)
            if rule.group_id in eni.groups
            for address in eni.addresses()
        )
    return []


def _rule_lines(view: View, rule: SgRule, device: str, hook: str) -> list[str]:
    """The nft statements of one SG rule on one ENI (empty when its peer matches nothing)."""
    peers = _peer_addresses(view, rule)
    if not peers:
        return []
    interface = f"{'iifname' if hook == 'input' else 'oifname'} {device}"
    address = f"ip {'saddr' if hook == 'input' else 'daddr'} {{ {', '.join(peers)} }}"
    return [f"    {interface} {address} {_protocol_match(rule)}accept"]


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
