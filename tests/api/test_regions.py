"""DescribeRegions, DescribeAvailabilityZones and DescribeAccountAttributes."""

from __future__ import annotations

from typing import Any

from tests.support import aws_error


def test_describe_regions_lists_known_regions_and_filters(ec2: Any) -> None:
    """Every emulated region is opted in; names and filters select."""
    regions = {r["RegionName"] for r in ec2.describe_regions()["Regions"]}
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= regions
    one = ec2.describe_regions(RegionNames=["eu-west-1"])["Regions"]
    assert one == [
        {
            "RegionName": "eu-west-1",
            "Endpoint": "ec2.eu-west-1.amazonaws.com",
            "OptInStatus": "opt-in-not-required",
        }
    ]
    us = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["us-*"]}])["Regions"]
    assert {r["RegionName"] for r in us} == {"us-east-1", "us-east-2", "us-west-1", "us-west-2"}
    assert (
        aws_error(ec2.describe_regions, RegionNames=["mars-north-1"])[0] == "InvalidParameterValue"
    )


def test_availability_zones_of_the_callers_region(make_client: Any) -> None:
    """Zones come from the region of the credential scope."""
    zones = make_client(region="us-west-2").describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in zones] == [
        ("us-west-2a", "usw2-az1"),
        ("us-west-2b", "usw2-az2"),
        ("us-west-2c", "usw2-az3"),
        ("us-west-2d", "usw2-az4"),
    ]
    assert {z["State"] for z in zones} == {"available"}


def test_availability_zones_by_name_id_and_filter(ec2: Any) -> None:
    """ZoneNames, ZoneIds and filters narrow the list; an unknown zone is refused."""
    assert [
        z["ZoneId"]
        for z in ec2.describe_availability_zones(ZoneNames=["us-east-1b"])["AvailabilityZones"]
    ] == ["use1-az2"]
    assert [
        z["ZoneName"]
        for z in ec2.describe_availability_zones(ZoneIds=["use1-az3"])["AvailabilityZones"]
    ] == ["us-east-1c"]
    chosen = ec2.describe_availability_zones(
        Filters=[{"Name": "zone-name", "Values": ["us-east-1[ab]", "*f"]}]
    )
    assert [z["ZoneName"] for z in chosen["AvailabilityZones"]] == ["us-east-1f"]
    assert (
        aws_error(ec2.describe_availability_zones, ZoneNames=["eu-west-1a"])[0]
        == "InvalidParameterValue"
    )


def test_account_attributes_name_the_default_vpc(ec2: Any) -> None:
    """default-vpc holds the default VPC's id; unknown attribute names are refused."""
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"
    ]
    answer = ec2.describe_account_attributes(AttributeNames=["default-vpc", "supported-platforms"])
    values = {
        a["AttributeName"]: [v["AttributeValue"] for v in a["AttributeValues"]]
        for a in answer["AccountAttributes"]
    }
    assert values == {"default-vpc": [default], "supported-platforms": ["VPC"]}
    assert (
        aws_error(ec2.describe_account_attributes, AttributeNames=["colour"])[0]
        == "InvalidParameterValue"
    )
