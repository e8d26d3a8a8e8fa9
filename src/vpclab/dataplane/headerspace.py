"""Symbolic packet sets: unions of boxes over protocol, source ports and destination ports.

The analysis fixes the two endpoint addresses of a question, so what is left to describe is
which (protocol, source port, destination port) triples complete a connection. Filters match
the forward packet's destination port and the reply's destination port (the forward source
port), so every answer is a union of products of two port interval sets per protocol.
Interval sets were chosen over BDDs: ports are the only free dimensions and intervals keep
each operation linear in the number of rule boundaries, with readable results.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.dataplane.flow import EMPTY, PortSet


@dataclass(frozen=True, slots=True)
class Box:
    """Every packet of one protocol whose ports lie in both port sets."""

    protocol: str
    source_ports: PortSet
    destination_ports: PortSet

    def is_empty(self) -> bool:
        """Whether the box holds no packet."""
        return self.source_ports.is_empty() or self.destination_ports.is_empty()

    def contains(self, protocol: str, source_port: int, destination_port: int) -> bool:
        """Whether one concrete packet lies in the box."""
        return (
            protocol == self.protocol
            and _has(self.source_ports, source_port)
            and _has(self.destination_ports, destination_port)
        )

    def intersect(self, other: Box) -> Box:
        """The packets in both boxes (empty when the protocols differ)."""
        if other.protocol != self.protocol:
            return Box(self.protocol, EMPTY, EMPTY)
        return Box(
            self.protocol,
            self.source_ports.intersect(other.source_ports),
            self.destination_ports.intersect(other.destination_ports),
        )

    def describe(self) -> str:
        """A human reading such as 'tcp 1024-65535 -> 22'."""
        return (
            f"{self.protocol} {self.source_ports.describe()} -> {self.destination_ports.describe()}"
        )


def _has(ports: PortSet, port: int) -> bool:
    """Whether a port set holds one port."""
    return any(low <= port <= high for low, high in ports.spans)


@dataclass(frozen=True, slots=True)
class HeaderSpace:
    """A union of non-empty boxes: the packets a question's answer admits."""

    boxes: tuple[Box, ...] = ()

    @staticmethod
    def of(boxes: list[Box]) -> HeaderSpace:
        """A space from boxes, dropping empty ones."""
        return HeaderSpace(tuple(box for box in boxes if not box.is_empty()))

    def is_empty(self) -> bool:
        """Whether no packet is admitted."""
        return not self.boxes

    def contains(self, protocol: str, source_port: int, destination_port: int) -> bool:
        """Whether one concrete packet is admitted."""
        return any(box.contains(protocol, source_port, destination_port) for box in self.boxes)

    def union(self, other: HeaderSpace) -> HeaderSpace:
        """Packets in either space."""
        return HeaderSpace(self.boxes + other.boxes)

    def intersect(self, other: HeaderSpace) -> HeaderSpace:
        """Packets in both spaces (pairwise box intersection)."""
        return HeaderSpace.of([a.intersect(b) for a in self.boxes for b in other.boxes])

    def protocols(self) -> tuple[str, ...]:
        """The protocols with at least one admitted packet, sorted."""
        return tuple(sorted({box.protocol for box in self.boxes}))

    def destination_ports(self, protocol: str) -> PortSet:
        """Every destination port admitted for a protocol (the service ports)."""
        ports = EMPTY
        for box in self.boxes:
            if box.protocol == protocol:
                ports = ports.union(box.destination_ports)
        return ports

    def describe(self) -> str:
        """Each box on its own, '; '-joined, or 'nothing'."""
        return "; ".join(box.describe() for box in self.boxes) or "nothing"
