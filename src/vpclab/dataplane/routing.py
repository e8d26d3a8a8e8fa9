"""Route selection for a packet leaving a subnet: longest prefix, no fallback past a blackhole."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.dataplane.compile import Lpm, RouteEntry
from vpclab.dataplane.flow import cidr_span, ip_int

# Packets to this range are never forwarded by user routes (RT-7).
RESERVED_LOW, RESERVED_HIGH = cidr_span("169.254.168.0/22")


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """The route LPM selected (None: no route) and the less specific routes it shadowed."""

    entry: RouteEntry | None
    shadowed: tuple[RouteEntry, ...] = ()

    @property
    def usable_fallback(self) -> RouteEntry | None:
        """A less specific active route the packet would have taken but for the winner (AMB-7)."""
        for entry in self.shadowed:
            if entry.usable:
                return entry
        return None


def select_route(lpm: Lpm, destination: str) -> RouteDecision:
    """Longest-prefix match (RT-4); a blackhole winner is returned as is, never skipped (RT-13)."""
    address = ip_int(destination)
    if RESERVED_LOW <= address <= RESERVED_HIGH:
        return RouteDecision(None)
    entry = lpm.lookup(address)
    if entry is None or entry.usable:
        return RouteDecision(entry)
    return RouteDecision(entry, tuple(lpm.covering(address)[1:]))
