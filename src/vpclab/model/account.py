"""Per-partition bookkeeping that is not an AWS resource."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register

SETTINGS_ID = "settings"


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class PartitionSettings(Resource):
    """Marks a partition as set up, so a deleted default VPC is not recreated (VPC-17)."""

    kind = "partition-settings"
    default_vpc_created: bool = False
