"""Regions and their availability zones, as AWS names them."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Zone:
    """One availability zone: its name and the zone id shared across accounts."""

    name: str
    zone_id: str


# Region -> (zone id prefix, zone letters). Zones listed as a typical account sees them.
_REGIONS: dict[str, tuple[str, str]] = {
    "us-east-1": ("use1", "abcdef"),
    "us-east-2": ("use2", "abc"),
    "us-west-1": ("usw1", "bc"),
    "us-west-2": ("usw2", "abcd"),
    "ca-central-1": ("cac1", "abd"),
    "eu-west-1": ("euw1", "abc"),
    "eu-west-2": ("euw2", "abc"),
    "eu-west-3": ("euw3", "abc"),
    "eu-central-1": ("euc1", "abc"),
    "eu-north-1": ("eun1", "abc"),
    "eu-south-1": ("eus1", "abc"),
    "ap-south-1": ("aps1", "abc"),
    "ap-southeast-1": ("apse1", "abc"),
    "ap-southeast-2": ("apse2", "abc"),
    "ap-northeast-1": ("apne1", "acd"),
    "ap-northeast-2": ("apne2", "abcd"),
    "ap-northeast-3": ("apne3", "abc"),
    "sa-east-1": ("sae1", "abc"),
    "me-south-1": ("mes1", "abc"),
    "af-south-1": ("afs1", "abc"),
}


def regions() -> list[str]:
    """Every region vpclab offers, sorted."""
    return sorted(_REGIONS)


def zones(region: str) -> list[Zone]:
    """The availability zones of a region (empty for an unknown region)."""
    if region not in _REGIONS:
        return []
    prefix, letters = _REGIONS[region]
    return [Zone(f"{region}{c}", f"{prefix}-az{i}") for i, c in enumerate(letters, start=1)]


def is_region(region: str) -> bool:
    """Whether vpclab knows the region."""
    return region in _REGIONS
