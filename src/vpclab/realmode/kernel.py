"""Applies a Plan to the kernel with `ip -batch` and `nft -f`, and removes what real mode made."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field

from vpclab.realmode.internet_hosts import INTERNET_HOSTS
from vpclab.realmode.plan import (
    INTERNET_NAMESPACE,
    PREFIX,
    ROUTE_PROTO,
    HostPlan,
    Plan,
    RouterPlan,
    internet_gateway_ruleset,
    short_name,
    uplink_addresses,
)

BRIDGE_FIREWALL_HOOKS = ("iptables", "ip6tables", "arptables")


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


def _run_together(jobs: list[tuple[list[str], str]]) -> None:
    """Run independent commands concurrently (a group change touches many namespaces)."""
    running = [
        (args, subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for args, _ in jobs
    ]
    for (args, proc), (_, stdin) in zip(running, jobs, strict=True):
        _, err = proc.communicate(stdin)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {err.strip()}")


def list_namespaces() -> list[str]:
    """Every vpclab-prefixed network namespace present now."""
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    return [name for name in names if name.startswith(PREFIX)]


@dataclass
class Applier:
    """Keeps the kernel equal to the last plan, rebuilding only namespaces whose plan changed."""

    applied_routers: dict[str, RouterPlan] = field(default_factory=dict)
    applied_hosts: dict[str, HostPlan] = field(default_factory=dict)
    internet_routes: tuple[str, ...] = ()
    services: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def apply(self, plan: Plan) -> None:
        """Make the kernel match the plan: remove stale, build new, refresh changed rulesets."""
        if plan.needs_internet and INTERNET_NAMESPACE not in list_namespaces():
            self.services.append(_build_internet())
            self.internet_routes = ()
        routers = {router.namespace: router for router in plan.routers}
        hosts = {host.namespace: host for host in plan.hosts}
        for name, host in list(self.applied_hosts.items()):
            wanted = hosts.get(name)
            if (
                wanted is None
                or _topology(wanted) != _topology(host)
                or _wiring(routers.get(host.router))
                != _wiring(self.applied_routers.get(host.router))
            ):
                _remove_host(host)
                del self.applied_hosts[name]
        for name, router in list(self.applied_routers.items()):
            if _wiring(routers.get(name)) != _wiring(router):
                delete_namespace(name)
                del self.applied_routers[name]
        for name, router in routers.items():
            applied = self.applied_routers.get(name)
            if applied is None:
                _build_router(router)
                _replace_routing(router, ())
            else:
                if applied.ruleset != router.ruleset:
                    _run(["ip", "netns", "exec", name, "nft", "-f", "-"], router.ruleset)
                if applied.routing != router.routing:
                    _replace_routing(router, applied.routing)
                if applied.public_map != router.public_map:
                    _run(
                        ["ip", "netns", "exec", name, "nft", "-f", "-"],
                        internet_gateway_ruleset(router),
                    )
            self.applied_routers[name] = router
        wanted_routes = _internet_routes(plan)
        if plan.needs_internet and wanted_routes != self.internet_routes:
            flush = f"route flush proto {ROUTE_PROTO}\n"
            _run(["ip", "-n", INTERNET_NAMESPACE, "-batch", "-"], flush + "".join(wanted_routes))
            self.internet_routes = wanted_routes
        ruleset_updates = []
        for name, host in hosts.items():
            previous = self.applied_hosts.get(name)
            if previous is None:
                _build_host(host)
            elif previous.ruleset != host.ruleset:
                ruleset_updates.append(
                    (["ip", "netns", "exec", name, "nft", "-f", "-"], host.ruleset)
                )
            self.applied_hosts[name] = host
        _run_together(ruleset_updates)

    def teardown(self) -> None:
        """Remove every namespace this applier created."""
        for host in self.applied_hosts.values():
            _remove_host(host)
        for name in self.applied_routers:
            delete_namespace(name)
        delete_namespace(INTERNET_NAMESPACE)
        for service in self.services:
            service.terminate()
            service.wait(timeout=5)
            if service.stdout is not None:
                service.stdout.close()
        self.services.clear()
        self.applied_hosts.clear()
        self.applied_routers.clear()


def _wiring(router: RouterPlan | None) -> object:
    """What of a router needs a rebuild when it changes (its links, not its rules or routes)."""
    return None if router is None else (router.subnets, router.uplink)


def _internet_routes(plan: Plan) -> tuple[str, ...]:
    """`ip` lines in the internet namespace: each public address via its VPC's uplink."""
    lines = []
    for router in plan.routers:
        if router.uplink is None:
            continue
        index, _ = router.uplink
        via = uplink_addresses(index)[0]
        device = short_name("w", router.namespace)
        lines += [
            f"route add {public}/32 via {via} dev {device} proto {ROUTE_PROTO}\n"
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
    commands += list(router.routing)
    if commands:
        _run(["ip", "-n", router.namespace, "-batch", "-"], "\n".join(commands) + "\n")


def _build_internet() -> subprocess.Popen[bytes]:
    """The internet namespace: the simulated hosts' addresses; returns their service process."""
    _run(["ip", "netns", "add", INTERNET_NAMESPACE])
    commands = ["link set lo up"]  # the hosts' addresses live on lo: no dummy module needed
    commands += [f"addr add {host}/32 dev lo" for host in INTERNET_HOSTS]
    _run(["ip", "-n", INTERNET_NAMESPACE, "-batch", "-"], "\n".join(commands) + "\n")
    service = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            INTERNET_NAMESPACE,
            sys.executable,
            "-m",
            "vpclab.realmode.internet_hosts",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert service.stdout is not None
    service.stdout.readline()  # "ready": bound to its ports
    return service


def _topology(host: HostPlan) -> tuple[object, ...]:
    """What of a host needs a rebuild when it changes (everything but the ruleset)."""
    return (host.router, host.interfaces)


def _remove_host(host: HostPlan) -> None:
    """Unplug a host's veths from its router first (namespace teardown is asynchronous)."""
    unplug = "".join(f"link del {nic.peer}\n" for nic in host.interfaces)
    subprocess.run(
        ["ip", "-force", "-n", host.router, "-batch", "-"],
        input=unplug,
        capture_output=True,
        text=True,
        check=False,
    )
    delete_namespace(host.namespace)


def delete_namespace(name: str) -> None:
    """Delete a namespace (its veth ends and bridges go with it) and end what we ran in it."""
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
    for pid in pids.stdout.split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)
    subprocess.run(["ip", "netns", "delete", name], capture_output=True, check=False)


def teardown_all() -> list[str]:
    """Remove every vpclab-prefixed namespace, also those left by a crash; returns their names."""
    names = list_namespaces()
    for name in names:
        delete_namespace(name)
    return names


def _build_router(router: RouterPlan) -> None:
    """A VPC router namespace: forwarding on, one bridge per subnet holding base+1."""
    _run(["ip", "netns", "add", router.namespace])
    commands = ["link set lo up"]
    for port in router.subnets:
        commands += [
            f"link add {port.bridge} type bridge",
            f"addr add {port.gateway_cidr} dev {port.bridge}",
            f"link set {port.bridge} up",
        ]
    _run(["ip", "-n", router.namespace, "-batch", "-"], "\n".join(commands) + "\n")
    _run(["ip", "netns", "exec", router.namespace, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
    # If br_netfilter is loaded, bridged (same-subnet) frames would meet the NACL chains;
    # inside a subnet AWS applies no NACL (NACL-15), so bridged frames skip the firewall.
    subprocess.run(
        ["ip", "netns", "exec", router.namespace, "sysctl", "-qw"]
        + [f"net.bridge.bridge-nf-call-{table}=0" for table in BRIDGE_FIREWALL_HOOKS],
        capture_output=True,
        check=False,
    )
    _run(["ip", "netns", "exec", router.namespace, "nft", "-f", "-"], router.ruleset)
    if router.uplink is not None:
        index, link = router.uplink
        near, far = uplink_addresses(index)
        far_link = short_name("w", router.namespace)
        commands = [
            f"link add {link} type veth peer name {far_link} netns {INTERNET_NAMESPACE}",
            f"addr add {near}/30 dev {link}",
            f"link set {link} up",
        ]
        _run(["ip", "-n", router.namespace, "-batch", "-"], "\n".join(commands) + "\n")
        inside = [f"addr add {far}/30 dev {far_link}", f"link set {far_link} up"]
        _run(["ip", "-n", INTERNET_NAMESPACE, "-batch", "-"], "\n".join(inside) + "\n")
        _run(
            ["ip", "netns", "exec", router.namespace, "nft", "-f", "-"],
            internet_gateway_ruleset(router),
        )


def _build_host(host: HostPlan) -> None:
    """An instance namespace: a veth per ENI plugged into its subnet bridge, addresses, rules."""
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
    _run(["ip", "-n", host.router, "-batch", "-"], "\n".join(router_side) + "\n")
    _run(["ip", "-n", host.namespace, "-batch", "-"], "\n".join(inside) + "\n")
    _run(["ip", "netns", "exec", host.namespace, "nft", "-f", "-"], host.ruleset)
