"""Packet header values: addresses as integers, protocols, and port interval sets."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

PORT_MIN = 0
PORT_MAX = 65535
# The range a NAT gateway maps source ports into (NAT-6, REMAP_EPHEMERAL_PORT).
NAT_PORT_LOW = 1024

PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
PROTOCOL_NAMES = {number: name for name, number in PROTOCOL_NUMBERS.items()}
PORTED = ("tcp", "udp")


@lru_cache(maxsize=1 << 16)
def ip_int(address: str) -> int:
    """An IPv4 address as an integer (cached: the same addresses recur in every trace)."""
    value: int = struct.unpack("!I", socket.inet_aton(address))[0]
    return value


def int_ip(value: int) -> str:
    """An integer back to dotted-quad form."""
    return socket.inet_ntoa(struct.pack("!I", value))


@lru_cache(maxsize=1 << 16)
def cidr_span(cidr: str) -> tuple[int, int]:
    """The first and last address of an IPv4 CIDR as integers (host bits ignored)."""
    base, _, length = cidr.partition("/")
    prefix = int(length) if length else 32
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF if prefix else 0
    low = ip_int(base) & mask
    return low, low | (~mask & 0xFFFFFFFF)


def in_cidr(address: str, cidr: str) -> bool:
    """Whether an IPv4 address lies in a CIDR."""
    low, high = cidr_span(cidr)
    return low <= ip_int(address) <= high


def is_ipv4(text: str) -> bool:
    """Whether a string is a dotted-quad IPv4 address."""
    try:
        socket.inet_pton(socket.AF_INET, text)
    except (OSError, TypeError):
        return False
    return True


def canonical_protocol(protocol: str) -> str:
    """tcp/udp/icmp by name, whatever form it came in ("6" -> "tcp"); other numbers stay numbers."""
    text = protocol.strip().lower()
    return PROTOCOL_NAMES.get(text, text)


@dataclass(frozen=True, slots=True)
class PortSet:
    """A set of ports as sorted, disjoint, non-adjacent inclusive intervals."""

    spans: tuple[tuple[int, int], ...]

    @staticmethod
    def of(low: int, high: int) -> PortSet:
        """The interval low..high (empty when low > high)."""
        return PortSet(((low, high),) if low <= high else ())

    @staticmethod
    def single(port: int) -> PortSet:
        """One port."""
        return PortSet(((port, port),))

    @staticmethod
    def from_spans(spans: list[tuple[int, int]]) -> PortSet:
        """Normalise arbitrary intervals (overlapping or adjacent ones are merged)."""
        merged: list[tuple[int, int]] = []
        for low, high in sorted(s for s in spans if s[0] <= s[1]):
            if merged and low <= merged[-1][1] + 1:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return PortSet(tuple(merged))

    def is_empty(self) -> bool:
        """Whether the set holds no port."""
        return not self.spans

    def size(self) -> int:
        """How many ports the set holds."""
        return sum(high - low + 1 for low, high in self.spans)

    def intersect(self, other: PortSet) -> PortSet:
        """Ports in both sets."""
        if self == other:
            return self
        out: list[tuple[int, int]] = []
        i = j = 0
        a, b = self.spans, other.spans
        while i < len(a) and j < len(b):
            low = max(a[i][0], b[j][0])
            high = min(a[i][1], b[j][1])
            if low <= high:
                out.append((low, high))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return PortSet(tuple(out))

    def clip(self, low: int, high: int) -> PortSet:
        """Ports of the set inside low..high."""
        if len(self.spans) == 1:
            a, b = self.spans[0]
            lo, hi = max(a, low), min(b, high)
            return PortSet(((lo, hi),)) if lo <= hi else EMPTY
        return self.intersect(PortSet.of(low, high))

    def union(self, other: PortSet) -> PortSet:
        """Ports in either set."""
        if not other.spans:
            return self
        if not self.spans:
            return other
        return PortSet.from_spans(list(self.spans + other.spans))

    def minus(self, other: PortSet) -> PortSet:
        """Ports in this set but not the other."""
        if not other.spans or not self.spans:
            return self
        out: list[tuple[int, int]] = []
        for low, high in self.spans:
            cursor = low
            for o_low, o_high in other.spans:
                if o_high < cursor or o_low > high:
                    continue
                if o_low > cursor:
                    out.append((cursor, o_low - 1))
                cursor = max(cursor, o_high + 1)
                if cursor > high:
                    break
            if cursor <= high:
                out.append((cursor, high))
        return PortSet(tuple(out))

    def covers(self, other: PortSet) -> bool:
        """Whether every port of `other` is in this set."""
        return other.minus(self).is_empty()

    def describe(self) -> str:
        """Human form: '443', '32768-60999', '22, 80-90'."""
        if not self.spans:
            return "none"
        if self.spans == ((PORT_MIN, PORT_MAX),):
            return "any"
        return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in self.spans)


EMPTY = PortSet(())
ALL_PORTS = PortSet(((PORT_MIN, PORT_MAX),))
NAT_PORTS = PortSet(((NAT_PORT_LOW, PORT_MAX),))
# The source ports a Lambda function's connections use (LAM-4).
LAMBDA_SOURCE_PORTS = PortSet(((1024, PORT_MAX),))


_Slotted = TypeVar("_Slotted", "Header", "Flow")


def _copy_with(obj: _Slotted, changes: dict[str, object]) -> _Slotted:
    """A copy of a slotted dataclass with some fields changed, cheaper than dataclasses.replace
    (the tracer copies headers on every translation)."""
    values = {name: getattr(obj, name) for name in obj.__slots__}
    values.update(changes)
    return type(obj)(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Header:
    """A packet header (or a set of them, when ports are left open) at one point of the path."""

    protocol: str
    source: str
    destination: str
    source_ports: PortSet = ALL_PORTS
    destination_ports: PortSet = ALL_PORTS
    icmp_type: int = 8
    icmp_code: int = 0

    @property
    def ported(self) -> bool:
        """Whether ports mean anything for this protocol (TCP and UDP)."""
        return self.protocol in PORTED

    def reversed(self) -> Header:
        """The reply to this header: addresses and ports swapped (echo request -> echo reply)."""
        icmp_type = 0 if self.protocol == "icmp" and self.icmp_type == 8 else self.icmp_type
        return Header(
            self.protocol,
            self.destination,
            self.source,
            self.destination_ports,
            self.source_ports,
            icmp_type,
            self.icmp_code,
        )

    def with_(self, **changes: object) -> Header:
        """A copy with some fields changed."""
        return _copy_with(self, changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """The question asked of the tracer: protocol, optional addresses, ports (None = left open)."""

    protocol: str = "tcp"
    source_ip: str | None = None
    destination_ip: str | None = None
    source_port: int | None = None
    destination_port: int | None = None
    source_ports: PortSet | None = None
    destination_ports: PortSet | None = None
    icmp_type: int = 8
    icmp_code: int = 0

    def with_(self, **changes: object) -> Flow:
        """A copy with some fields changed."""
        return _copy_with(self, changes)

    def source_port_set(self) -> PortSet:
        """The source ports asked about (a range, one port, or all when left open)."""
        if self.source_ports is not None:
            return self.source_ports
        return ALL_PORTS if self.source_port is None else PortSet.single(self.source_port)

    def destination_port_set(self) -> PortSet:
        """The destination ports asked about."""
        if self.destination_ports is not None:
            return self.destination_ports
        if self.destination_port is None:
            return ALL_PORTS
        return PortSet.single(self.destination_port)
