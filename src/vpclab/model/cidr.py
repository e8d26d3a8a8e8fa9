"""IPv4/IPv6 CIDR helpers with AWS's canonicalisation (VPC-3: host bits are cleared, not refused)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

IPv4Net = ipaddress.IPv4Network
IPv6Net = ipaddress.IPv6Network
AnyNet = ipaddress.IPv4Network | ipaddress.IPv6Network

RFC1918 = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
)
RFC6598 = ipaddress.IPv4Network("100.64.0.0/10")


@lru_cache(maxsize=65536)
def parse_v4(text: str) -> IPv4Net | None:
    """An IPv4 network from 'a.b.c.d/n' with host bits cleared, or None when it is not one."""
    if "/" not in text:
        return None
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except (ValueError, TypeError):
        return None


@lru_cache(maxsize=65536)
def parse_v6(text: str) -> IPv6Net | None:
    """An IPv6 network with host bits cleared, or None when it is not one."""
    if "/" not in text:
        return None
    try:
        return ipaddress.IPv6Network(text.strip(), strict=False)
    except (ValueError, TypeError):
        return None


def canonical_v4(text: str) -> str | None:
    """The canonical string form of an IPv4 CIDR ('100.68.0.18/18' -> '100.68.0.0/18')."""
    net = parse_v4(text)
    return None if net is None else str(net)


def parse_ip(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address, or None when the text is not one."""
    try:
        return ipaddress.IPv4Address(text.strip())
    except (ValueError, TypeError):
        return None


def overlaps(a: str, b: str) -> bool:
    """Whether two canonical IPv4 CIDRs share any address."""
    na, nb = parse_v4(a), parse_v4(b)
    return na is not None and nb is not None and na.overlaps(nb)


def contains(outer: str, inner: str) -> bool:
    """Whether CIDR `inner` lies wholly inside CIDR `outer`."""
    no, ni = parse_v4(outer), parse_v4(inner)
    return no is not None and ni is not None and ni.subnet_of(no)


def ip_in(ip: str, cidr: str) -> bool:
    """Whether an IPv4 address lies in a CIDR."""
    net, addr = parse_v4(cidr), parse_ip(ip)
    return net is not None and addr is not None and addr in net


def is_private(ip: str) -> bool:
    """Whether an address is in RFC 1918 space (never routed on the internet)."""
    addr = parse_ip(ip)
    return addr is not None and any(addr in net for net in RFC1918)
