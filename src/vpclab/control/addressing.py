"""Private address allocation in subnets: never a reserved or used address (SUB-5, SUB-6, ENI-1)."""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable

from vpclab.model.errors import DomainError
from vpclab.model.interface import NetworkInterface
from vpclab.model.state import View
from vpclab.model.vpc import Subnet

RESERVED_AT_START = 4  # network, VPC router, DNS, future use
RESERVED_AT_END = 1  # broadcast


def size(cidr: str) -> int:
    """Number of addresses in a CIDR."""
    return ipaddress.IPv4Network(cidr).num_addresses


def usable_count(cidr: str) -> int:
    """Addresses AWS lets you use in a subnet: all but five (SUB-5)."""
    return size(cidr) - RESERVED_AT_START - RESERVED_AT_END


def used_addresses(view: View, subnet_id: str) -> set[str]:
    """Every private IPv4 held by an ENI in the subnet (instances, NAT gateways, Lambda, ...)."""
    out: set[str] = set()
    for eni in view.iter(NetworkInterface):
        if eni.subnet_id == subnet_id:
            out.update(eni.addresses())
    return out


def used_counts(view: View) -> Counter[str]:
    """Addresses in use per subnet, in one pass (for AvailableIpAddressCount, SUB-6)."""
    counts: Counter[str] = Counter()
    for eni in view.iter(NetworkInterface):
        counts[eni.subnet_id] += len(eni.private_ips)
    return counts


def check_requested(subnet: Subnet, address: str, used: Iterable[str]) -> str:
    """Validate an address pinned by the caller: inside the subnet, not reserved, free (AMB-6)."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        raise DomainError(
            "InvalidParameterValue", f"Value ({address}) for parameter privateIpAddress is invalid."
        ) from None
    net = ipaddress.IPv4Network(subnet.cidr_block)
    if ip not in net:
        raise DomainError(
            "InvalidParameterValue",
            f"Address {address} does not fall within the subnet's address range",
        )
    offset = int(ip) - int(net.network_address)
    if offset < RESERVED_AT_START or offset >= net.num_addresses - RESERVED_AT_END:
        raise DomainError(
            "InvalidParameterValue", f"Address {address} is in subnet's reserved address range"
        )
    if address in set(used):
        raise DomainError("InvalidIPAddress.InUse", f"Address {address} is in use.")
    return str(ip)


def allocate(view: View, subnet: Subnet, count: int = 1, taken: Iterable[str] = ()) -> list[str]:
    """The lowest free usable addresses of a subnet, as AWS hands them out."""
    used = used_addresses(view, subnet.id) | set(taken)
    net = ipaddress.IPv4Network(subnet.cidr_block)
    base = int(net.network_address)
    out: list[str] = []
    for offset in range(RESERVED_AT_START, net.num_addresses - RESERVED_AT_END):
        candidate = str(ipaddress.IPv4Address(base + offset))
        if candidate not in used:
            out.append(candidate)
            if len(out) == count:
                return out
    raise DomainError(
        "InsufficientFreeAddressesInSubnet",
        f"There are not enough free addresses in subnet '{subnet.id}' to satisfy the requested "
        f"number of instances.",
    )
