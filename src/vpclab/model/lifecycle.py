"""States that move on the clock, derived at read time so nothing has to tick (AMB-1, NAT-3)."""

from __future__ import annotations

from vpclab.model.gateways import NatGateway
from vpclab.model.interface import Instance
from vpclab.model.peering import VpcPeeringConnection

NAT_FAILED_RETENTION = 3600.0  # a failed or deleted NAT gateway stays visible about an hour (NAT-3)


def nat_gateway_state(nat: NatGateway, now: float, settle: float) -> str:
    """pending -> available (or failed), deleting -> deleted, as the clock passes `settle` seconds."""
    if nat.deleted_at is not None:
        return "deleting" if now < nat.deleted_at + settle else "deleted"
    if now < nat.created_at + settle:
        return "pending"
    return "failed" if nat.failure_code else "available"


def nat_gateway_visible(nat: NatGateway, now: float, settle: float) -> bool:
    """Whether Describe still lists the gateway (failed/deleted ones vanish after about an hour)."""
    state = nat_gateway_state(nat, now, settle)
    if state == "deleted" and nat.deleted_at is not None:
        return now < nat.deleted_at + settle + NAT_FAILED_RETENTION
    if state == "failed":
        return now < nat.created_at + settle + NAT_FAILED_RETENTION
    return True


# Transitional instance state -> the state it settles into.
_INSTANCE_SETTLES = {"pending": "running", "stopping": "stopped", "shutting-down": "terminated"}


def instance_state(instance: Instance, now: float, settle: float) -> str:
    """The instance's state now: a transitional state settles after `settle` seconds."""
    target = _INSTANCE_SETTLES.get(instance.state)
    if target is not None and now >= instance.state_since + settle:
        return target
    return instance.state


def peering_usable(pcx: VpcPeeringConnection) -> bool:
    """Whether traffic may cross the peering (PCX-8: only while active)."""
    return pcx.status == "active"
