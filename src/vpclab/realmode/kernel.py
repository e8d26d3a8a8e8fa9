"""Applies a Plan to the kernel and removes what real mode made.

Links, addresses and routes go through `ip -batch` (one process per namespace touched);
every nftables ruleset and sysctl of one change goes through `realmode.nft.configure`, in this
process, so a change touching many namespaces costs milliseconds, not a process each.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field

from vpclab.realmode import nft
from vpclab.realmode.internet_hosts import INTERNET_HOSTS
from vpclab.realmode.plan import (
    PREFIX,
    ROUTE_PROTO,
    ROUTER_SYSCTLS,
    HostPlan,
    PeeringLink,
    Plan,
    RouterPlan,
    internet_gateway_ruleset,
    link_addresses,
    short_name,
)

# Per-namespace configuration `ip netns exec` bind-mounts over /etc (here: hosts).
NETNS_ETC = "/etc/netns"


class RealModeUnavailable(RuntimeError):
    """Real mode cannot run here (not root, or no `ip netns`/`nft`)."""


def check_available() -> None:
    """Refuse clearly unless we have root (CAP_NET_ADMIN) and the ip and nft tools."""
    if os.geteuid() != 0:
        raise RealModeUnavailable("real mode needs root (CAP_NET_ADMIN) to create namespaces")
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            raise RealModeUnavailable(f"real mode needs the `{tool}` command")


def _run(args: list[str], stdin: str | None = None) -> None:
    """Run a tool, raising with its error output if it fails."""
    done = subprocess.run(args, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")


def _batch(namespace: str, commands: list[str], force: bool = False) -> None:
    """Run `ip` commands in a namespace with one process."""
    if commands:
        args = ["ip", *(["-force"] if force else []), "-n", namespace, "-batch", "-"]
        if force:
            subprocess.run(args, input="\n".join(commands) + "\n", capture_output=True, text=True)
        else:
            _run(args, "\n".join(commands) + "\n")


def list_namespaces(run: str | None = None) -> list[str]:
    """The vpclab namespaces present now: a run's, or every vpclab-prefixed one."""
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    prefix = PREFIX if run is None else f"{PREFIX}{run}-"
    return [name for name in names if name.startswith(prefix)]


@dataclass
class _Scripts:
    """The nft scripts and sysctls one apply gathers, handed to the kernel in one go."""

    rulesets: dict[str, str] = field(default_factory=dict)
    sysctls: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def add(self, namespace: str, script: str) -> None:
        """Queue a script for a namespace (after any already queued for it)."""
        self.rulesets[namespace] = self.rulesets.get(namespace, "") + script

    def flush(self) -> None:
        """Apply everything queued."""
        nft.configure(self.rulesets, self.sysctls)
        self.rulesets, self.sysctls = {}, {}


@dataclass
class Applier:
    """Keeps the kernel equal to the last plan, touching only what changed."""

    applied_routers: dict[str, RouterPlan] = field(default_factory=dict)
    applied_routing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    applied_hosts: dict[str, HostPlan] = field(default_factory=dict)
    applied_peerings: dict[str, PeeringLink] = field(default_factory=dict)
    internet_routes: tuple[str, ...] = ()
    internet: str | None = None
    services: list[subprocess.Popen[bytes]] = field(default_factory=list)
    # Namespace -> what answers on a database's or cache node's port in it.
    listeners: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    names: tuple[tuple[str, str], ...] = ()

    def apply(self, plan: Plan) -> None:
        """Make the kernel match the plan: remove stale, build new, refresh what changed."""
        scripts = _Scripts()
        if plan.needs_internet and not self.services:
            delete_namespace(plan.internet)  # a crashed run's leftover
            self.services.append(_build_internet(plan.internet))
            self.internet_routes = ()
        self.internet = plan.internet
        routers = {router.namespace: router for router in plan.routers}
        hosts = {host.namespace: host for host in plan.hosts}
        self._remove_stale(routers, hosts)
        self._remove_stale_peerings(plan)
        for name, router in routers.items():
            applied = self.applied_routers.get(name)
            if applied is None:
                _build_router(router, plan.internet)
                if router.uplink is not None:
                    self.internet_routes = ()  # a rebuilt uplink lost its routes in the internet
                scripts.sysctls[name] = ROUTER_SYSCTLS
                scripts.add(name, router.ruleset + internet_gateway_ruleset(router))
            else:
                if applied.ruleset != router.ruleset:
                    scripts.add(name, router.ruleset)
                if applied.public_map != router.public_map:
                    scripts.add(name, internet_gateway_ruleset(router))
            self.applied_routers[name] = router
        for link in plan.peerings:
            if link.peering_id not in self.applied_peerings:
                _build_peering(link)
                self.applied_peerings[link.peering_id] = link
        for name, router in routers.items():
            previous = self.applied_routing.get(name)
            if previous != router.routing:
                _replace_routing(router, previous or ())
                self.applied_routing[name] = router.routing
        wanted_routes = _internet_routes(plan)
        if plan.needs_internet and wanted_routes != self.internet_routes:
            _batch(plan.internet, [f"route flush proto {ROUTE_PROTO}", *wanted_routes])
            self.internet_routes = wanted_routes
        for name, host in hosts.items():
            previous_host = self.applied_hosts.get(name)
            if previous_host is None:
                _build_host(host)
                scripts.sysctls[name] = host.sysctls
                scripts.add(name, host.ruleset)
                if host.listen_ports:
                    self.listeners[name] = _start_service(name, host)
            elif previous_host.ruleset != host.ruleset:
                scripts.add(name, host.ruleset)
            if previous_host is None or plan.names != self.names:
                write_hosts_file(name, plan.names)
            self.applied_hosts[name] = host
        self.names = plan.names
        scripts.flush()

    def _remove_stale(self, routers: dict[str, RouterPlan], hosts: dict[str, HostPlan]) -> None:
        """Remove hosts gone or rewired, and routers whose links changed (with their hosts)."""
        for name, host in list(self.applied_hosts.items()):
            wanted = hosts.get(name)
            if (
                wanted is None
                or _topology(wanted) != _topology(host)
                or _wiring(routers.get(host.router))
                != _wiring(self.applied_routers.get(host.router))
            ):
                self._remove_host(host)
                del self.applied_hosts[name]
        for name, router in list(self.applied_routers.items()):
            if _wiring(routers.get(name)) != _wiring(router):
                # Namespace teardown is asynchronous: unplug the links whose far ends live on
                # (internet, peer routers) first, or a rebuild would find their names taken.
                links = [
                    link.name for link in self.applied_peerings.values() if name in link.routers
                ]
                links += [router.uplink] if router.uplink else []
                _batch(name, [f"link del {link}" for link in links], force=True)
                delete_namespace(name)
                del self.applied_routers[name]
                self.applied_routing.pop(name, None)

    def _remove_stale_peerings(self, plan: Plan) -> None:
        """Drop peering links no longer planned, and forget those a router rebuild removed."""
        wanted = {link.peering_id: link for link in plan.peerings}
        for peering_id, link in list(self.applied_peerings.items()):
            lost = any(router not in self.applied_routers for router in link.routers)
            if lost or wanted.get(peering_id) != link:
                if not lost:
                    _batch(link.routers[0], [f"link del {link.name}"], force=True)
                del self.applied_peerings[peering_id]

    def _remove_host(self, host: HostPlan) -> None:
        """Unplug and delete a host's namespace, and stop what answered in it."""
        _remove_host(host)
        listener = self.listeners.pop(host.namespace, None)
        if listener is not None:
            _stop(listener)

    def teardown(self) -> None:
        """Remove every namespace this applier created."""
        for host in self.applied_hosts.values():
            self._remove_host(host)
        for name in self.applied_routers:
            delete_namespace(name)
        if self.internet is not None:
            delete_namespace(self.internet)
        for service in self.services:
            _stop(service)
        self.services.clear()
        self.applied_hosts.clear()
        self.applied_routers.clear()
        self.applied_routing.clear()
        self.applied_peerings.clear()


def _wiring(router: RouterPlan | None) -> object:
    """What of a router needs a rebuild when it changes (its links, not its rules or routes)."""
    return None if router is None else (router.subnets, router.uplink)


def _internet_routes(plan: Plan) -> tuple[str, ...]:
    """`ip` lines in the internet namespace: each public address via its VPC's uplink."""
    lines = []
    for router in plan.routers:
        if router.uplink is None:
            continue
        via = link_addresses(router.vpc_id)[0]
        device = short_name("w", router.namespace)
        lines += [
            f"route add {public}/32 via {via} dev {device} proto {ROUTE_PROTO}"
            for public, _ in router.public_map
        ]
    return tuple(lines)


def _replace_routing(router: RouterPlan, previous: tuple[str, ...]) -> None:
    """Swap a router's route tables and rules for the planned ones (old rules by preference)."""
    commands = []
    for line in previous:
        if line.startswith("rule add"):
            pref = line.split()[-1]
            commands += [f"rule del pref {pref}", f"route flush table {pref}"]
    _batch(router.namespace, commands + list(router.routing))


def _build_internet(namespace: str) -> subprocess.Popen[bytes]:
    """The internet namespace: the simulated hosts' addresses; returns their service process."""
    _run(["ip", "netns", "add", namespace])
    commands = ["link set lo up"]  # the hosts' addresses live on lo: no dummy module needed
    commands += [f"addr add {host}/32 dev lo" for host in INTERNET_HOSTS]
    _batch(namespace, commands)
    return _serve(namespace, [])


def _start_service(namespace: str, host: HostPlan) -> subprocess.Popen[bytes]:
    """HTTP on a service ENI's port (and UDP 53 on its addresses), so curl gets an answer."""
    addresses = [cidr.split("/")[0] for nic in host.interfaces for cidr in nic.cidrs]
    return _serve(namespace, ["--http-port", str(host.listen_ports[0]), *addresses])


def _serve(namespace: str, arguments: list[str]) -> subprocess.Popen[bytes]:
    """Run the answering service (`realmode.internet_hosts`) in a namespace, once it is bound."""
    command = [sys.executable, "-m", "vpclab.realmode.internet_hosts", *arguments]
    service = subprocess.Popen(
        ["ip", "netns", "exec", namespace, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert service.stdout is not None
    service.stdout.readline()  # "ready": bound to its ports
    return service


def _stop(service: subprocess.Popen[bytes]) -> None:
    """End a service process and reap it."""
    service.terminate()
    service.wait(timeout=5)
    if service.stdout is not None:
        service.stdout.close()


def _topology(host: HostPlan) -> tuple[object, ...]:
    """What of a host needs a rebuild when it changes (everything but the ruleset)."""
    return (host.router, host.interfaces, host.listen_ports)


def _remove_host(host: HostPlan) -> None:
    """Unplug a host's veths from its router first (namespace teardown is asynchronous)."""
    _batch(host.router, [f"link del {nic.peer}" for nic in host.interfaces], force=True)
    delete_namespace(host.namespace)


def write_hosts_file(namespace: str, names: tuple[tuple[str, str], ...]) -> None:
    """The namespace's /etc/hosts as `ip netns exec` mounts it: service endpoint names."""
    directory = os.path.join(NETNS_ETC, namespace)
    os.makedirs(directory, exist_ok=True)
    lines = ["127.0.0.1 localhost", *(f"{address} {name}" for name, address in names)]
    with open(os.path.join(directory, "hosts"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


def delete_namespace(name: str) -> None:
    """Delete a namespace (its veth ends and bridges go with it) and end what we ran in it."""
    nft.forget(name)
    shutil.rmtree(os.path.join(NETNS_ETC, name), ignore_errors=True)
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
    for pid in pids.stdout.split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)
    subprocess.run(["ip", "netns", "delete", name], capture_output=True, check=False)


def teardown_all(run: str | None = None) -> list[str]:
    """Remove a run's namespaces (or, with no run, every vpclab one); returns their names.

    Also what a crashed run left behind: its namespaces carry its tag in their names.
    """
    names = list_namespaces(run)
    for name in names:
        delete_namespace(name)
    return names


def _build_router(router: RouterPlan, internet: str) -> None:
    """A VPC router namespace: one bridge per subnet holding base+1, and the IGW uplink."""
    _run(["ip", "netns", "add", router.namespace])
    commands = ["link set lo up"]
    for port in router.subnets:
        commands += [
            f"link add {port.bridge} type bridge",
            f"addr add {port.gateway_cidr} dev {port.bridge}",
            f"link set {port.bridge} up",
        ]
    if router.uplink is not None:
        near, far = link_addresses(router.vpc_id)
        far_link = short_name("w", router.namespace)
        commands += [
            f"link add {router.uplink} type veth peer name {far_link} netns {internet}",
            f"addr add {near}/30 dev {router.uplink}",
            f"link set {router.uplink} up",
        ]
        _batch(router.namespace, commands)
        _batch(internet, [f"addr add {far}/30 dev {far_link}", f"link set {far_link} up"])
    else:
        _batch(router.namespace, commands)


def _build_peering(link: PeeringLink) -> None:
    """A veth between the two VPC routers of an active peering, a /30 on it."""
    first, second = link.routers
    _batch(
        first,
        [
            f"link add {link.name} type veth peer name {link.name} netns {second}",
            f"addr add {link.addresses[0]}/30 dev {link.name}",
            f"link set {link.name} up",
        ],
    )
    _batch(second, [f"addr add {link.addresses[1]}/30 dev {link.name}", f"link set {link.name} up"])


def _build_host(host: HostPlan) -> None:
    """A namespace with a veth per ENI plugged into its subnet bridge, addresses, default route."""
    _run(["ip", "netns", "add", host.namespace])
    router_side = []
    inside = ["link set lo up"]
    for nic in host.interfaces:
        router_side += [
            f"link add {nic.peer} type veth peer name {nic.name} netns {host.namespace}",
            f"link set {nic.peer} master {nic.bridge}",
            f"link set {nic.peer} up",
        ]
        if nic.mac:
            inside.append(f"link set {nic.name} address {nic.mac}")
        inside += [f"addr add {cidr} dev {nic.name}" for cidr in nic.cidrs]
        inside.append(f"link set {nic.name} up")
        if nic.primary:
            inside.append(f"route add default via {nic.gateway} dev {nic.name}")
    _batch(host.router, router_side)
    _batch(host.namespace, inside)
