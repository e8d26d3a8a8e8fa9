"""DescribeRegions, DescribeAvailabilityZones and DescribeAccountAttributes."""

from __future__ import annotations

from typing import Any

from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import defaults
from vpclab.model.errors import DomainError
from vpclab.model.regions import Zone, regions, zones

# Regions launched after March 2019 are off until an account opts in; vpclab acts as if every
# account had opted in to them (the rest need no opt-in).
OPT_IN_REGIONS = frozenset({"af-south-1", "eu-south-1", "me-south-1"})


def opt_in_status(region: str) -> str:
    """A region's OptInStatus for an account that has opted in to every opt-in region."""
    return "opted-in" if region in OPT_IN_REGIONS else "opt-in-not-required"


@operation("DescribeRegions")
def describe_regions(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeRegions: every region vpclab emulates, all opted in."""
    names = params.get("RegionNames") or regions()
    for name in names:
        if name not in regions():
            raise DomainError("InvalidParameterValue", f"Invalid region: {name}")
    items = [
        {
            "RegionName": r,
            "Endpoint": f"ec2.{r}.amazonaws.com",
            "OptInStatus": opt_in_status(r),
        }
        for r in names
    ]
    fields = {
        "region-name": lambda r: r["RegionName"],
        "endpoint": lambda r: r["Endpoint"],
        "opt-in-status": lambda r: r["OptInStatus"],
    }
    return describe(
        items,
        {"Filters": params.get("Filters")},
        fields=fields,
        present=dict,
        list_key="Regions",
        key=lambda r: r["RegionName"],
    )


def present_zone(region: str, zone: Zone) -> dict[str, Any]:
    """An availability zone in the shape EC2 returns."""
    return {
        "ZoneName": zone.name,
        "ZoneId": zone.zone_id,
        "ZoneType": "availability-zone",
        "State": "available",
        "RegionName": region,
        "GroupName": region,
        "NetworkBorderGroup": region,
        "OptInStatus": "opt-in-not-required",
        "Messages": [],
    }


@operation("DescribeAvailabilityZones")
def describe_availability_zones(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeAvailabilityZones for the caller's region."""
    items = [present_zone(ctx.region, z) for z in zones(ctx.region)]
    names, ids = params.get("ZoneNames"), params.get("ZoneIds")
    for wanted, field in ((names, "ZoneName"), (ids, "ZoneId")):
        if wanted:
            known = {i[field] for i in items}
            for value in wanted:
                if value not in known:
                    raise DomainError(
                        "InvalidParameterValue",
                        f"The availability zone '{value}' does not exist in region {ctx.region}",
                    )
            items = [i for i in items if i[field] in wanted]
    fields = {
        "zone-name": lambda z: z["ZoneName"],
        "zone-id": lambda z: z["ZoneId"],
        "zone-type": lambda z: z["ZoneType"],
        "state": lambda z: z["State"],
        "region-name": lambda z: z["RegionName"],
        "group-name": lambda z: z["GroupName"],
        "network-border-group": lambda z: z["NetworkBorderGroup"],
        "opt-in-status": lambda z: z["OptInStatus"],
    }
    return describe(
        items,
        {"Filters": params.get("Filters")},
        fields=fields,
        present=dict,
        list_key="AvailabilityZones",
        key=lambda z: z["ZoneName"],
    )


@operation("DescribeAccountAttributes")
def describe_account_attributes(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeAccountAttributes: platforms, the default VPC and the (AWS default) quotas."""
    vpc = defaults.default_vpc(ctx.tx)
    values = {
        "supported-platforms": ["VPC"],
        "default-vpc": [vpc.id if vpc else "none"],
        "max-instances": ["20"],
        "vpc-max-security-groups-per-interface": ["5"],
        "max-elastic-ips": ["5"],
        "vpc-max-elastic-ips": ["5"],
    }
    wanted = params.get("AttributeNames") or list(values)
    out = []
    for name in wanted:
        if name not in values:
            raise DomainError(
                "InvalidParameterValue", f"Value ({name}) for parameter attributeName is invalid."
            )
        out.append(
            {
                "AttributeName": name,
                "AttributeValues": [{"AttributeValue": v} for v in values[name]],
            }
        )
    return {"AccountAttributes": out}
